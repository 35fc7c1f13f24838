"""The `report` rule end to end, then `snakemake --report`: a Snakefile with only common.smk,
stats.smk and report.smk, synthetic per-instance tables and training records in the contract's
layout (a small DAG: stats + report), one real Snakemake run.

`make_report_workflow(tmp)` is shared with tests/workflow/test_report_browser.py."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from codepeft import study
from tests.conftest import snakemake

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")

SNAKEFILE = f"""
from pathlib import Path

from codepeft import config as study_config

configfile: "config.yaml"

study_config.validate(config)

include: "{REPO}/rules/common.smk"
include: "{REPO}/rules/resources.smk"

# stands in for the metric stages: the tables they would register (here: already on disk)
register_final_targets(
    lambda: sorted(
        str(p) for p in Path("results/metrics").rglob("*")
        if p.suffix in (".tsv", ".json") and not p.name.endswith(".rules.tsv")
    )
)

include: "{REPO}/rules/stats.smk"
include: "{REPO}/rules/report.smk"

rule all:
    input:
        get_final_output(),
"""


def snakemake_exe() -> str | None:
    return str(SNAKEMAKE) if SNAKEMAKE.exists() else shutil.which("snakemake")


def _config() -> dict:
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["methods"] = {
        k: v
        for k, v in cfg["methods"].items()
        if k in ("zero_shot", "st_qlora", "mt_qlora", "mt_fft")
    }
    cfg["tasks"] = {
        "summarization": {"languages": ["python"]},
        "generation": {"languages": ["python", "java"]},
    }
    cfg["stats"] = {
        "measures": {
            "execution": {"binary": ["pass@1"], "tasks": ["generation"]},
            "surface": {"continuous": ["bleu_sacre", "meteor"], "tasks": ["summarization"]},
            "pylint": {
                "continuous": ["error", "warning"],
                "tasks": ["generation"],
                "langs": ["python"],
            },
        }
    }
    return cfg


def _write(path: Path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        w = csv.writer(handle, delimiter="\t", lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _write_inputs(root: Path, cfg: dict) -> None:
    rng = np.random.default_rng(11)
    model = next(iter(cfg["models"]))
    m = root / "results/metrics"
    for method in cfg["methods"]:
        run = f"{model}/{method}/seed-{study.method_seeds(cfg, method)[0]}"
        for lang in ("python", "java"):
            rows = []
            for k in range(30):
                if k == 0:
                    rows.append([f"g{k}", "", "not computed: CoderEval image not available"])
                else:
                    rows.append([f"g{k}", int(rng.random() < 0.3), "ok"])
            _write(
                m / f"execution/{run}/generation/{lang}.tsv",
                ["id", "pass@1", "status"],
                rows,
            )
            passes = sum(r[1] == 1 for r in rows)
            (m / f"execution/{run}/generation/{lang}.summary.json").write_text(
                json.dumps(
                    {
                        "passes": passes,
                        "n_tasks": 30,
                        "n_not_computed": 1,
                        "n_missing": 0,
                        "complete": False,
                    }
                )
            )
        _write(
            m / f"surface/{run}/summarization/python.tsv",
            ["id", "status", "empty_prediction", "bleu_sacre", "meteor", "meteor_status"],
            [[f"s{k}", "ok", 0, rng.random(), rng.random(), "ok"] for k in range(25)],
        )
        _write(
            m / f"pylint/{run}/generation/python.tsv",
            ["id", "status", "wrapped", "error", "warning"],
            [
                [f"g{k}", "ok", 0, int(rng.integers(0, 3)), int(rng.integers(0, 5))]
                for k in range(30)
            ],
        )
    _write(
        m / "pylint/reference/reference/seed-none/generation/python.tsv",
        ["id", "status", "wrapped", "error", "warning"],
        [[f"g{k}", "ok", 0, 0, int(rng.integers(0, 2))] for k in range(30)],
    )
    for mdl, method, seed, scope in study.trained_models(cfg):
        d = root / f"results/models/{mdl}/{method}/seed-{seed}/{scope}"
        d.mkdir(parents=True, exist_ok=True)
        history = [{"loss": 7.3 - 0.05 * s + 0.01 * rng.random(), "step": s} for s in range(1, 9)]
        history.append({"eval_loss": 7.0, "step": 8})
        (d / "codepeft_training.json").write_text(
            json.dumps(
                {
                    "finetune_requested": cfg["methods"][method]["finetune"],
                    "finetune_used": cfg["methods"][method]["finetune"],
                    "lora_fallback": False,
                    "seed": 42,
                    "global_step": 8,
                    "log_history": history,
                }
            )
        )
    # the cost stage's inputs (codepeft.cost): generation records and Snakemake benchmark files
    from codepeft import cost

    inputs = cost.workflow_inputs(cfg)
    for path in inputs["costs"]:
        cost.write_generation_cost(
            root / path, [{"n_new_tokens": 40, "n_prompt_tokens": 9}], seconds=2.0
        )
    for path in cost.benchmark_files(cfg):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(
            "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
            "12.5\t0:00:12\t400\t1\t1\t1\t0\t0\t90\t11.0\n"
        )


def make_report_workflow(
    root: Path, snakemake_report: bool = True
) -> subprocess.CompletedProcess | None:
    """Write the inputs, run `snakemake all` (stats + report), then `snakemake --report`."""
    cfg = _config()
    (root / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    (root / "Snakefile").write_text(SNAKEFILE)
    from codepeft import config as study_config

    _write_inputs(root, study_config.validate(yaml.safe_load((root / "config.yaml").read_text())))
    base = ["-c1", "--directory", root, "-s", root / "Snakefile"]
    proc = snakemake([*base, "all"], root, 300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    if not snakemake_report:
        return None
    rep = snakemake([*base, "--report", "results/report/snakemake_report.html"], root, 300)
    assert rep.returncode == 0, rep.stderr[-4000:]
    return rep


_BUILT: dict[str, Path] = {}


def built_report_workflow(tmp_path_factory) -> Path:
    """The workflow above run once per test session (shared with the browser test)."""
    if not snakemake_exe():
        pytest.skip("snakemake not installed")
    if "root" not in _BUILT:
        root = tmp_path_factory.mktemp("report_workflow")
        make_report_workflow(root)
        _BUILT["root"] = root
    return _BUILT["root"]


@pytest.mark.slow
def test_report_rule_and_snakemake_report(tmp_path_factory):
    tmp_path = built_report_workflow(tmp_path_factory)
    out = tmp_path / "results/report"
    page = (out / "index.html").read_text()
    assert "id='demo-banner'" in page  # config.yaml is the embedded demo
    tables = {p.name for p in (out / "tables").glob("*.tsv")}
    assert {
        "pass1.tsv",
        "means.tsv",
        "not_computed.tsv",
        "rq_rq1_st_vs_mt.tsv",
        "rq_rq2_mt_qlora_vs_fft.tsv",
    } <= tables
    plots = {p.name for p in (out / "plots").glob("*.png")}
    assert {
        "pass1_by_scale.png",
        "training_loss.png",
        "dist_summarization_python.png",
        "nonfunctional_pylint.png",
    } <= plots
    with open(out / "tables/pass1.tsv", newline="") as handle:
        pass1 = list(csv.DictReader(handle, delimiter="\t"))
    assert len(pass1) == 4 * 2 and all(
        r["n_tasks"] == "30" and r["n_not_computed"] == "1" for r in pass1
    )
    assert not any(k.startswith("paper_") for k in pass1[0])  # tiny model: no paper column
    with open(out / "tables/rq_rq1_st_vs_mt.tsv", newline="") as handle:
        rq1 = list(csv.DictReader(handle, delimiter="\t"))
    assert [r["measure"] for r in rq1] == [
        "bleu_sacre",
        "meteor",
        "pass@1",
        "error",
        "warning",
        "pass@1",
    ]
    assert all(r["n_paired"] for r in rq1)
    assert (tmp_path / "logs/report/report.log").exists()
    # Snakemake's own report: one HTML file with every item, its stage's category and its
    # caption (workflow/report/tables.rst, plots.rst: one text per item)
    html = (out / "snakemake_report.html").read_text(errors="replace")
    assert len(html) > 10000
    for text in (
        '"Execution (pass@k)": {"Tables": ["results/report/tables/pass1.tsv"]',
        '"Static analysis": {"Plots": ["results/report/plots/nonfunctional_',
        "Execution: pass&#64;1.",  # docutils writes @ as &#64;
        "Training: loss curves.",
        "self-contained HTML page",
        "Provenance of the report",
        "a fine-tuning study of code LLMs",
        "pass1_by_scale",
        "rq_rq1_st_vs_mt",
    ):
        assert text in html, text


@pytest.mark.slow
def test_report_inputs_follow_config(tmp_path):
    """A family absent from the registered targets is not a report input (dry run)."""
    if not snakemake_exe():
        pytest.skip("snakemake not installed")
    cfg = _config()
    cfg["report"] = {"enabled": True}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    (tmp_path / "Snakefile").write_text(
        SNAKEFILE.replace('rglob("*")', 'rglob("*") if "pylint" not in str(p)')
    )
    from codepeft import config as study_config

    _write_inputs(tmp_path, study_config.validate(cfg))
    args = ["-n", "-c1", "--directory", tmp_path, "-s", tmp_path / "Snakefile"]
    proc = snakemake([*args, "results/report/index.html"], tmp_path, 300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    block = proc.stdout.split("rule report:", 1)[1].split("output:", 1)[0]
    assert "results/metrics/surface/tiny/st_qlora/seed-42/summarization/python.tsv" in block
    assert (
        "results/models/tiny/mt_qlora/seed-42/multi" in block
        and "results/stats/rq1_st_vs_mt.tsv" in block
    )
    assert "pylint" not in block
