"""The `execute` rule end to end in a scratch directory: embedded data -> predictions made of
the embedded reference solutions (one broken) -> table + summary, with and without opt-in."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from codepeft import io
from tests.conftest import snakemake

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap missing"),
]


def _snakemake(repo: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    config = ["--configfile", "config.yaml", "exec.yaml"]
    return snakemake([*args, "-s", repo / "Snakefile", "--cores", "2", *config], workdir, 600)


@pytest.mark.parametrize("opt_in", [True, False])
def test_execute_rule(repo, tmp_path, opt_in):
    shutil.copy(repo / "config.yaml", tmp_path / "config.yaml")
    tests = repo / "codepeft/resources/embedded/codereval/tests.jsonl"
    (tmp_path / "exec.yaml").write_text(
        json.dumps({"execution": {"allow_untrusted_code": opt_in, "tests": str(tests)}})
    )
    data = "results/data/generation/python/test.jsonl"
    done = _snakemake(repo, tmp_path, data)
    assert done.returncode == 0, done.stderr[-3000:]
    solutions = {
        r["id"]: r["code"]
        for r in io.read_jsonl(repo / "codepeft/resources/embedded/codereval/solutions.jsonl")
    }
    records = io.read_jsonl(tmp_path / data)
    preds = [
        {"id": r["id"], "task": "generation", "language": "python",
         "output": "def broken(:" if i == 0 else solutions.get(r["id"], "")}
        for i, r in enumerate(records)
    ]  # fmt: skip
    io.write_jsonl(
        tmp_path / "results/predictions/tiny/zero_shot/seed-none/generation/python.jsonl", preds
    )
    target = "results/metrics/execution/tiny/zero_shot/seed-none/generation/python.tsv"
    done = _snakemake(repo, tmp_path, target, "--allowed-rules", "execute")
    assert done.returncode == 0, done.stderr[-3000:]
    rows = io.read_tsv(tmp_path / target)
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    summary = json.loads((tmp_path / target.replace(".tsv", ".summary.json")).read_text())
    log = (
        tmp_path / "logs/metrics/execution/tiny/zero_shot/seed-none/generation/python.log"
    ).read_text()
    if opt_in:
        assert rows[0]["outcome"] == "error"
        assert summary["passes"] == sum(r["id"] in solutions for r in records[1:])
        assert summary["sandbox"] == ["bwrap"] and summary["complete"] is True
        assert "pass@1 over all" in log
    else:
        assert {r["outcome"] for r in rows} == {"not_computed"}
        assert {r["pass@1"] for r in rows} == {""}
        assert "execution not enabled" in rows[0]["status"]
        assert summary["pass@1_all_tasks"] == 0.0 and summary["complete"] is False
