from codepeft.paper.quirks import Quirk, in_force


def test_in_force_matches_dotted_and_wildcard_paths():
    quirks = [
        Quirk("decoding.x", True, "a", "f.py:1"),
        Quirk("methods.*.training.y", "pkg", "b", "g.py:2", defect=True),
        Quirk("stats.missing", 1, "c", "h.py:3"),
    ]
    cfg = {
        "decoding": {"x": True},
        "methods": {"a": {"training": {"y": "other"}}, "b": {"training": {"y": "pkg"}}},
        "stats": {},
    }
    assert [q.what for q in in_force(cfg, quirks)] == ["a", "b"]
    cfg["decoding"]["x"] = False
    cfg["methods"]["b"]["training"]["y"] = "new"
    assert in_force(cfg, quirks) == []
