"""The embedded demo's cost records and the report's cost section (on the session's
embedded run)."""

import json
from pathlib import Path

import pytest

from codepeft import cost as C


@pytest.mark.slow
def test_embedded_demo_report_shows_cost(embedded_run):
    """The demo (embedded default) writes every cost record and its report shows the table."""
    work, _ = embedded_run
    trained = list((work / "results/models/tiny").glob("*/*/*/codepeft_training.json"))
    assert trained and all("cost" in json.loads(p.read_text()) for p in trained)
    preds = list((work / "results/predictions/tiny").glob("*/*/*/*.jsonl"))
    generated = [p for p in preds if not p.name.endswith(".codereval.jsonl")]
    assert generated and all(Path(C.cost_path(p)).is_file() for p in generated)
    with open(work / "results/report/tables/cost.tsv") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle]
    header, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert "total_hours" in header and body[-1]["model"] == "all"
    assert all(r["hours_unit"] == "CPU-hours" and r["status"] == "ok" for r in body)
    assert (work / "results/report/plots/quality_vs_cost.png").is_file()
    page = (work / "results/report/index.html").read_text()
    assert "id='cost-cpu'" in page
