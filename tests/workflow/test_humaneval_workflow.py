"""HumanEval through the workflow: its data job, the reference/reference pseudo predictions
(the 164 canonical solutions) and predictions written here (stubs) through the `execute` rule
in the sandbox; and the paper preset with its HumanEval overlay planned by a dry run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from codepeft import io
from tests.conftest import REPO, job_counts, snakemake

EXECUTION = "results/metrics/execution/{model}/{method}/seed-{seed}/generation/humaneval.tsv"


def _snakemake(workdir: Path, *args: str):
    config = ["--configfile", "config.yaml", "humaneval.yaml"]
    return snakemake([*args, "-s", REPO / "Snakefile", "--cores", "2", *config], workdir, 600)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap missing")
def test_humaneval_canonical_pass_and_stubs_fail(tmp_path):
    shutil.copy(REPO / "config.yaml", tmp_path / "config.yaml")
    tests = str(REPO / "codepeft/resources/embedded/codereval/tests.jsonl")  # CoderEval's
    overlay = {"test_sets": {"humaneval": {}}, "execution": {"tests": tests}}
    (tmp_path / "humaneval.yaml").write_text(yaml.safe_dump(overlay))
    canonical = EXECUTION.format(model="reference", method="reference", seed="none")
    done = _snakemake(tmp_path, canonical)
    assert done.returncode == 0, done.stderr[-3000:]
    records = io.read_jsonl(tmp_path / "results/data/generation/humaneval/test.jsonl")
    assert len(records) == 164
    rows = io.read_tsv(tmp_path / canonical)
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    summary = json.loads((tmp_path / canonical.replace(".tsv", ".summary.json")).read_text())
    assert summary["passes"] == 164 and summary["pass@1_all_tasks"] == 1.0, summary["outcomes"]
    assert summary["sandbox"] == ["bwrap"] and summary["test_set"] == "humaneval"
    # stubs written here: a body that passes, or returns None
    stubs = [
        {
            "id": r["id"],
            "task": "generation",
            "language": "python",
            "output": r["inputs"]["prompt"] + ("    pass\n" if i % 2 else "    return None\n"),
        }
        for i, r in enumerate(records)
    ]
    io.write_jsonl(
        tmp_path / "results/predictions/tiny/zero_shot/seed-none/generation/humaneval.jsonl", stubs
    )
    target = EXECUTION.format(model="tiny", method="zero_shot", seed="none")
    done = _snakemake(tmp_path, target, "--allowed-rules", "execute")
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((tmp_path / target.replace(".tsv", ".summary.json")).read_text())
    assert summary["passes"] == 0 and summary["n_computed"] == 164, summary["outcomes"]
    assert set(summary["outcomes"]) == {"fail"}
    # the time of the execution job (benchmarks/humaneval.md)
    for which in ("reference/reference/seed-none", "tiny/zero_shot/seed-none"):
        bench = io.read_tsv(
            tmp_path / f"results/benchmarks/metrics/execution/{which}/generation/humaneval.tsv"
        )
        print(f"execute {which} humaneval: {float(bench[0]['s']):.1f} s")


def test_paper_preset_with_humaneval_overlay_dry_run():
    args = ["-n", "--configfile", "config/paper.yaml", "config/paper-humaneval.yaml"]
    proc = snakemake(args, REPO, 600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    # the paper's 84 generations and 28 executions + HumanEval for 15 answering models:
    # 3 sizes x (zero-shot, MT-QLoRA, ST-QLoRA's generation model, MT-FFT) + 3 RQ3 models
    assert counts["generate"] == 84 + 15 and counts["execute"] == 28 + 15
    assert counts["prepare_test_data"] == 6 + 1 and counts["prepare_train_data"] == 6
    assert counts["train"] == 18 and counts["build_mixture"] == 7  # nothing trains on it
    assert counts["codereval_form"] == 28  # CoderEval's form for CoderEval only
    assert counts["reference_predictions"] == 4 + 1
    assert (
        "results/metrics/execution/qwen2.5-coder-3b/mt_qlora_cs_ct/seed-42/generation/humaneval.tsv"
        in (proc.stdout)
    )
