"""scripts/compare_runs.py: two runs agree except for time, place and provenance."""

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
while not (REPO / "scripts" / "compare_runs.py").exists():
    REPO = REPO.parent
_spec = importlib.util.spec_from_file_location("compare_runs", REPO / "scripts/compare_runs.py")
compare_runs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare_runs)


def _run(root: Path, bleu: float, when: str, extra: bool = False) -> Path:
    results = root / "results"
    (results / "metrics").mkdir(parents=True)
    (results / "benchmarks").mkdir()
    (results / "metrics" / "t.tsv").write_text(f"id\tbleu\n1\t{bleu}\n")
    (results / "metrics" / "summary.json").write_text(
        json.dumps({"bleu": bleu, "generated_at": when, "source": str(root / "x")})
    )
    (results / "report.md").write_text(f"Report of {when}\n\nBLEU {bleu}\n")
    (results / "benchmarks" / "b.tsv").write_text(f"s\n{len(when)}\n")
    (results / "provenance.json").write_text(json.dumps({"host": when}))
    if extra:
        (results / "metrics" / "new.tsv").write_text("x\n")
    return results


def test_runs_differing_only_in_time_place_and_provenance_agree(tmp_path, capsys):
    a = _run(tmp_path / "a", 1.5, "2026-11-30T10:00:00Z")
    b = _run(tmp_path / "b", 1.5, "2026-12-01 11:22:33")
    assert compare_runs.main([str(a), str(b)]) == 0
    assert "3 files agree; 0 differ" in capsys.readouterr().out


def test_a_changed_number_or_file_is_reported(tmp_path, capsys):
    a = _run(tmp_path / "a", 1.5, "2026-11-30T10:00:00Z")
    b = _run(tmp_path / "b", 1.6, "2026-11-30T10:00:00Z", extra=True)
    assert compare_runs.main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "differ: metrics/t.tsv" in out and "differ: report.md" in out
    assert "only_b: metrics/new.tsv" in out


def test_measured_cost_provenance_and_set_order_are_not_results(tmp_path):
    a = _run(tmp_path / "a", 1.5, "2026-11-30T10:00:00Z")
    b = _run(tmp_path / "b", 1.5, "2026-11-30T10:00:00Z")
    page = (
        "<h2 id='surface'>Means</h2><td>{bleu}</td><h2 id='cost'>Cost</h2><td>{wall}</td>"
        "<h2 id='provenance'>Provenance</h2><td>git {rev}</td></body>"
    )
    for root, wall, rev, modules in ((a, 80.1, "ee30", ["q", "k"]), (b, 852.0, "", ["k", "q"])):
        (root / "index.html").write_text(page.format(bleu=1.5, wall=wall, rev=rev))
        (root / "adapter_config.json").write_text(json.dumps({"target_modules": modules, "r": 8}))
    assert compare_runs.main([str(a), str(b)]) == 0
    (b / "index.html").write_text(page.format(bleu=1.6, wall=1.0, rev=""))
    assert compare_runs.main([str(a), str(b)]) == 1


def test_a_run_given_by_a_relative_path_agrees_too(tmp_path, capsys, monkeypatch):
    # `results` has the parent `.`: replacing "." as the run's folder changed every dot
    a = _run(tmp_path / "a", 1.5, "2026-11-30T10:00:00Z")
    _run(tmp_path / "b", 1.5, "2026-11-30T10:00:00Z")
    monkeypatch.chdir(tmp_path / "b")
    assert compare_runs.main([str(a), "results"]) == 0
    assert "3 files agree; 0 differ" in capsys.readouterr().out


def test_a_model_cards_measured_seconds_are_not_results(tmp_path):
    a = _run(tmp_path / "a", 1.5, "2026-11-30T10:00:00Z")
    b = _run(tmp_path / "b", 1.5, "2026-11-30T10:00:00Z")
    card = "## Training\n\n- steps: {steps}\n- train seconds: {seconds}\n"
    (a / "README.md").write_text(card.format(steps=114, seconds=70.13))
    (b / "README.md").write_text(card.format(steps=114, seconds=63.91))
    assert compare_runs.main([str(a), str(b)]) == 0
    (b / "README.md").write_text(card.format(steps=113, seconds=70.13))
    assert compare_runs.main([str(a), str(b)]) == 1
