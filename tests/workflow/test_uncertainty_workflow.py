"""The overlap audit and the intervals in the embedded default's DAG, as a dry run plans them:
one audit job per (mixture, test set) a trained model is evaluated on, one intervals job, the
stats job reading the audits, and the new stats options out of its params at their defaults."""

from __future__ import annotations

from codepeft import config
from codepeft.overlap import plan as overlap_plan
from tests.conftest import job_counts, snakemake


def test_dry_run_plans_the_audits_and_the_intervals(repo):
    cfg = config.load_study([repo / "config.yaml"], repo)
    audits = overlap_plan.audits(cfg)
    # the embedded default: MT (4 test sets) and 3 single-task mixtures (1 + 2 + 1 test sets)
    assert len({a["mixture"] for a in audits}) == 4 and len(audits) == 8
    proc = snakemake(["-n", "-F", "--nolock", "--cores", "1", "-p"], repo, 300)
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    out = proc.stdout + proc.stderr
    counts = job_counts(out)
    assert counts["overlap_audit"] == len(audits)
    assert counts["intervals"] == 1 and counts["stats"] == 1
    stats_job = out.split("rule stats:", 1)[1].split("\n\n", 1)[0]
    for table in overlap_plan.audit_tables(cfg):
        assert table in stats_job  # the stats job waits for every audit it reads
    # the section param (codepeft.overlap.plan.stats_params) leaves the defaults out
    section = overlap_plan.stats_params(cfg["stats"])
    assert "bootstrap" not in section and "exclude_overlap" not in section
    changed = dict(cfg["stats"], exclude_overlap="keep")
    assert overlap_plan.stats_params(changed)["exclude_overlap"] == "keep"
    assert overlap_plan.with_audits({**cfg, "stats": changed}, [{"x": 1}]) == [{"x": 1}]
