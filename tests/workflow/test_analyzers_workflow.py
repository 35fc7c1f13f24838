"""The embedded default's analyzer jobs, as a dry run plans them."""

from __future__ import annotations

from codepeft import analyzers, config, study
from tests.conftest import job_counts, snakemake


def test_dry_run_one_job_per_enabled_analyzer(repo):
    """The embedded default's DAG has exactly one job per enabled analyzer."""
    cfg = config.load(repo / "config.yaml")
    combos = [
        {"model": m, "method": meth, "seed": seed, "task": t, "lang": lang}
        for m, meth, seed, t, lang in study.evaluated(cfg)
    ]
    if cfg["analyzers"]["include_reference"]:
        combos += [
            {"model": "reference", "method": "reference", "seed": "none", "task": t, "lang": lang}
            for t, spec in cfg["tasks"].items()
            for lang in spec["languages"]
        ]
    expected = {f"analyze_{n}" for n in analyzers.plan(cfg["analyzers"], combos)}
    assert expected  # the embedded default analyzes code
    proc = snakemake(["-n", "-F", "--nolock", "--cores", "1"], repo, 300)
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    counts = job_counts(proc.stdout + proc.stderr)
    assert {k: v for k, v in counts.items() if k.startswith("analyze_")} == dict.fromkeys(
        expected, 1
    )
