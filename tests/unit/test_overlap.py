"""The overlap audit's index (codepeft.overlap.index) and one audit on files
(codepeft.overlap.audit): exact copies, near copies, no overlap, training ids, every test id."""

from __future__ import annotations

import json

import pytest

from codepeft.io import read_tsv
from codepeft.overlap import audit
from codepeft.overlap.index import OverlapIndex, tokens

JAVA = """public int sumOfSquares(int[] values) {
    // add every square
    int total = 0;
    for (int i = 0; i < values.length; i++) { total += values[i] * values[i]; }
    return total;
}"""
PY = '''def parse_header(line, sep=":"):
    """Split a header line into its name and value."""
    name, _, value = line.partition(sep)
    return name.strip().lower(), value.strip()  # normalised
'''


def test_normalisation_ignores_case_whitespace_and_comments():
    assert tokens("Return  X;// why\n") == tokens("return x ; /* block\ncomment */") == [
        "return", "x", ";"
    ]  # fmt: skip
    assert tokens("a # note\nb") == ["a", "b"]


def _index(items, n=5, top=3):
    return OverlapIndex.build(items, n=n, top=top)


def test_exact_copy_near_copy_and_no_overlap():
    items = [
        [("inputs.code", JAVA)],  # in training verbatim (reformatted, other comments)
        [("inputs.code", PY)],  # a near copy: one line changed
        [("inputs.code", "def unrelated(a, b):\n    return sorted(set(a) ^ set(b), key=len)")],
        [("inputs.code", "x = 1")],  # shorter than n tokens: not audited
    ]
    index = _index(items)
    near = PY.replace("value.strip()", "value.rstrip('\\n')")
    train = [
        (
            "summarization/java/t1",
            ["Summarize:\n" + JAVA.upper().replace("// add every square", "")],
        ),
        ("generation/python/t2", ["Write the function.", near]),
        ("translation/java-cs/t3", ["class Other { void run() { System.exit(0); } }"]),
    ]
    assert index.add(train, batch=2) == 3
    res = index.item_results(len(items))
    assert res[0]["exact"] and res[0]["containment"] == 1.0
    assert res[0]["matches"][0].train_id == "summarization/java/t1"
    assert not res[1]["exact"] and 0.5 < res[1]["containment"] < 1.0
    assert [m.train_id for m in res[1]["matches"]] == ["generation/python/t2"]
    assert res[2]["containment"] == 0.0 and not res[2]["matches"]
    assert res[3]["n_units"] == 0


def test_top_ids_keep_the_highest_and_batches_do_not_matter():
    items = [[("reference", PY)]]
    lines = PY.splitlines()
    train = [(f"g/python/{k}", ["\n".join(lines[: k + 1])]) for k in range(len(lines))]
    one = _index(items, top=2)
    one.add(train, batch=1)
    many = _index(items, top=2)
    many.add(list(reversed(train)), batch=100)
    for index in (one, many):
        best = index.item_results(1)[0]["matches"]
        assert [m.train_id for m in best] == [
            f"g/python/{len(lines) - 1}",
            f"g/python/{len(lines) - 2}",
        ]
        assert best[0].exact and best[0].containment == 1.0 > best[1].containment


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_audit_writes_every_test_id_and_flags_above_the_threshold(tmp_path):
    test = tmp_path / "test.jsonl"
    _write(test, [
        {"id": "copied", "inputs": {"code": JAVA}, "reference": "Sum of squares."},
        {"id": "fresh", "inputs": {"code": "int f(int a) { return a * 31 + 7 - a / 3 ; }"},
         "reference": None},
        {"id": "short", "inputs": {"code": "f()", "level": "self_contained"}, "reference": "x"},
    ])  # fmt: skip
    mixture = tmp_path / "train.jsonl"
    _write(mixture, [
        {"id": "9", "task": "summarization", "language": "java",
         "prompt": [{"role": "system", "content": "You are helpful."},
                    {"role": "user", "content": "Summarize this method:\n" + JAVA}],
         "completion": [{"role": "assistant", "content": "Sums squares."}]},
    ])  # fmt: skip
    rows, summary = audit.audit(test, mixture, {"n": 8, "threshold": 0.5, "top": 3})
    assert [r["id"] for r in rows] == ["copied", "fresh", "short"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["copied"]["flagged"] == 1 and by_id["copied"]["exact"] == 1
    assert by_id["copied"]["top_train_ids"] == "summarization/java/9:1.000"
    assert by_id["fresh"]["flagged"] == 0 and by_id["fresh"]["containment"] == 0.0
    assert by_id["short"]["status"].startswith("not computed") and by_id["short"]["flagged"] == 0
    assert (
        summary["n_flagged"] == 1 and summary["n_items"] == 3 and summary["n_train_examples"] == 1
    )
    audit.write(rows, summary, tmp_path / "o.tsv", tmp_path / "o.summary.json")
    assert [r["id"] for r in read_tsv(tmp_path / "o.tsv")] == ["copied", "fresh", "short"]
    assert audit.flagged_ids(tmp_path / "o.tsv") == {"copied"}


@pytest.mark.parametrize("threshold, flagged", [(0.3, 1), (0.99, 0)])
def test_threshold_decides_the_flag(tmp_path, threshold, flagged):
    test = tmp_path / "test.jsonl"
    _write(test, [{"id": "a", "inputs": {"code": PY}, "reference": None}])
    mixture = tmp_path / "train.jsonl"
    half = "\n".join(PY.splitlines()[:3])
    _write(mixture, [{"id": "1", "task": "generation", "language": "python", "prompt": [],
                      "completion": [{"role": "assistant", "content": half}]}])  # fmt: skip
    rows, _ = audit.audit(test, mixture, {"n": 5, "threshold": threshold, "top": 1})
    assert 0.3 < rows[0]["containment"] < 0.99
    assert rows[0]["flagged"] == flagged
