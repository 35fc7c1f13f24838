"""The `stats` rule end to end: a Snakefile with only common.smk + stats.smk, fake per-instance
metric tables in the contract's layout, one real Snakemake run."""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from codepeft import config as study_config
from codepeft import stats as st
from tests.conftest import snakemake

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")

SNAKEFILE = f"""
from pathlib import Path

from codepeft import config as study_config

configfile: "config.yaml"

study_config.validate(config)

include: "{REPO}/rules/common.smk"

# stands in for the metric stages: the tables they would register (here: already on disk),
# minus the Java summarization table, as if that family were disabled there
register_final_targets(
    lambda: [
        str(p) for p in Path("results/metrics").rglob("*.tsv")
        if not str(p).endswith("surface/tiny/mt_fft/seed-42/summarization/java.tsv")
    ]
)

include: "{REPO}/rules/stats.smk"

rule all:
    input:
        get_final_output(),
"""


def _config():
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    # the full task matrix (the demo runs one summarization language), whatever config.yaml says
    cfg["tasks"] = {
        "summarization": {"languages": ["python", "java"]},
        "generation": {"languages": ["python", "java"]},
        "translation": {"languages": ["java-cs", "cs-java"]},
    }
    cfg["stats"] = {
        "measures": {
            "execution": {"binary": ["pass@1"], "tasks": ["generation"]},
            "surface": {"continuous": ["*"], "tasks": ["summarization"]},
        },
        "comparisons": [
            {"name": "rq1_st_vs_mt", "a": {"method": "st_qlora"}, "b": {"method": "mt_qlora"}},
            {"name": "rq2_mt_qlora_vs_fft", "a": {"method": "mt_qlora"}, "b": {"method": "mt_fft"}},
            {"name": "not_in_study", "a": {"method": "dora"}, "b": {"method": "mt_qlora"}},
        ],
    }
    return cfg


def _write_tables(root: Path, cfg: dict) -> None:
    rng = np.random.default_rng(7)
    model = next(iter(cfg["models"]))
    for method in ("st_qlora", "mt_qlora", "mt_fft"):
        for lang in cfg["tasks"]["generation"]["languages"]:
            path = (
                root / f"results/metrics/execution/{model}/{method}/seed-42/generation/{lang}.tsv"
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            ids = [f"g{k}" for k in range(40)] + (
                [f"extra_{method}"] if method == "st_qlora" else []
            )
            with open(path, "w", newline="") as handle:
                w = csv.writer(handle, delimiter="\t")
                w.writerow(["id", "pass@1", "status"])
                for k, i in enumerate(ids):
                    if k == 3:
                        w.writerow([i, "", "not computed: project_runnable"])
                    else:
                        w.writerow([i, int(rng.random() < 0.4), "ok"])
        for lang in cfg["tasks"]["summarization"]["languages"]:
            path = (
                root / f"results/metrics/surface/{model}/{method}/seed-42/summarization/{lang}.tsv"
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", newline="") as handle:
                w = csv.writer(handle, delimiter="\t")
                w.writerow(["id", "bleu_sacre", "meteor", "status"])
                for k in range(30):
                    w.writerow([f"s{k}", rng.random(), rng.random(), "ok"])


def test_planned_tests_skip_unknown_methods():
    cfg = study_config.validate(_config())
    logged = []
    blocks = st.planned_tests(cfg, log=logged.append)
    assert {b["comparison"] for b in blocks} == {"rq1_st_vs_mt", "rq2_mt_qlora_vs_fft"}
    assert any("not_in_study" in m for m in logged)
    assert all(b["family"] == "execution" for b in blocks if b["task"] == "generation")


@pytest.mark.slow
def test_stats_rule_runs(tmp_path):
    if not SNAKEMAKE.exists() and not shutil.which("snakemake"):
        pytest.skip("snakemake not installed")
    cfg = _config()
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    (tmp_path / "Snakefile").write_text(SNAKEFILE)
    _write_tables(tmp_path, cfg)
    args = ["-c1", "--directory", tmp_path, "-s", tmp_path / "Snakefile", "all"]
    proc = snakemake(args, tmp_path, 300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / "results/stats/rq1_st_vs_mt.tsv"
    assert out.exists() and (tmp_path / "results/stats/rq2_mt_qlora_vs_fft.tsv").exists()
    assert not (tmp_path / "results/stats/not_in_study.tsv").exists()
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert tuple(rows[0]) == st.ROW_COLUMNS
    binary = [r for r in rows if r["test"] == "mcnemar"]
    assert len(binary) == 2 and {r["measure"] for r in binary} == {"pass@1"}
    for r in binary:  # 41 ST ids vs 40 MT ids; one id not computed on each side
        assert (r["n_a_only"], r["n_b_only"], r["n_paired"]) == ("1", "0", "39")
        assert r["n_missing_a"] == "1" and r["family_size"] == "2"
        assert int(r["both"]) + int(r["a_only"]) + int(r["b_only"]) + int(r["neither"]) == 39
    cont = [r for r in rows if r["test"] == "wilcoxon"]
    assert {r["measure"] for r in cont} == {"bleu_sacre", "meteor"} and len(cont) == 4
    assert all(r["effect_name"] == "cliffs_delta" and r["magnitude"] for r in cont)
    assert all(r["family_size"] == "2" for r in cont)  # the measures of one task/lang
    log = (tmp_path / "logs/stats/stats.log").read_text()
    assert log.count("stats: [") == 7  # 2 comparisons x 4 blocks, minus the unproduced table
    assert "skipped: rq2_mt_qlora_vs_fft" in log and "metric table not produced" in log
    with open(tmp_path / "results/stats/rq2_mt_qlora_vs_fft.tsv", newline="") as handle:
        rq2 = list(csv.DictReader(handle, delimiter="\t"))
    assert {(r["task"], r["lang"]) for r in rq2 if r["test"] == "wilcoxon"} == {
        ("summarization", "python")
    }


def test_run_blocks_star_exclude_and_error_context(tmp_path):
    cfg = _config()
    cfg["stats"]["measures"] = {
        "surface": {"continuous": ["*"], "exclude": ["meteor"], "tasks": ["summarization"]},
        "execution": {"binary": ["pass@1"], "tasks": ["generation"]},
    }
    cfg = study_config.validate(cfg)
    _write_tables(tmp_path, cfg)
    blocks = st.planned_tests(cfg)
    results = st.run_blocks(blocks, cfg["stats"], root=str(tmp_path))
    rows = results["rq1_st_vs_mt"]
    assert {r["measure"] for r in rows if r["test"] == "wilcoxon"} == {"bleu_sacre"}
    assert all(r["a_table"].startswith("results/metrics/") for r in rows)
    # a continuous measure declared binary fails loudly when planned (codepeft.measures)
    cfg["stats"]["measures"]["surface"] = {"binary": ["bleu_sacre"], "tasks": ["summarization"]}
    with pytest.raises(ValueError, match=r"surface.binary: 'bleu_sacre' is a continuous measure"):
        st.planned_tests(cfg)
    # values that are not 0/1 under a binary test fail when run, naming tables and measure
    # (pass@k may take either test: 0/1 with one sample, a fraction with several)
    cfg["stats"]["measures"]["surface"] = {"continuous": ["bleu_sacre"], "tasks": ["summarization"]}
    for path in tmp_path.glob("results/metrics/execution/*/*/*/generation/*.tsv"):
        path.write_text(path.read_text().replace("\t1\tok", "\t0.5\tok"))
    with pytest.raises(ValueError, match=r"measure 'pass@1' \(mcnemar\).*binary"):
        st.run_blocks(st.planned_tests(cfg), cfg["stats"], root=str(tmp_path))


def test_cli_config_mode(tmp_path):
    from codepeft.stats import cli as stats_cli

    cfg = _config()
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    _write_tables(tmp_path, study_config.validate(_config()))
    out_dir = tmp_path / "out"
    rc = stats_cli.main(
        [
            "--config",
            str(tmp_path / "config.yaml"),
            "--root",
            str(tmp_path),
            "--out-dir",
            str(out_dir),
        ]
    )
    assert rc == 0
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "rq1_st_vs_mt.tsv",
        "rq2_mt_qlora_vs_fft.tsv",
    ]
    with open(out_dir / "rq1_st_vs_mt.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == 6 and {r["test"] for r in rows} == {"mcnemar", "wilcoxon"}


def test_groups_split_adjustment_families(tmp_path):
    cfg = _config()
    cfg["stats"]["measures"] = {
        "surface": {"continuous": ["bleu_sacre"], "tasks": ["summarization"]},
        # another entry on the same table, in its own adjustment group
        "meteor": {
            "table": "surface",
            "continuous": ["meteor"],
            "tasks": ["summarization"],
            "group": "judge",
        },
    }
    cfg = study_config.validate(cfg)
    _write_tables(tmp_path, cfg)
    rows = st.run_blocks(st.planned_tests(cfg), cfg["stats"], root=str(tmp_path))["rq1_st_vs_mt"]
    assert {r["group"] for r in rows} == {"metrics", "judge"}
    assert all(
        r["family_size"] == 1 for r in rows
    )  # bleu_sacre and meteor no longer share a family
