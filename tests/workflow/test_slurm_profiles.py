"""The SLURM profiles name only rules that Snakemake lists for the workflow."""

from __future__ import annotations

import yaml

from tests.conftest import REPO, snakemake


def _rule_names() -> set[str]:
    """The workflow's rules as Snakemake lists them (rules made in loops included)."""
    proc = snakemake(["--list-rules"], REPO, 300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return set(proc.stdout.split())


def test_profiles_name_only_existing_rules():
    rules = _rule_names()
    assert {
        "train",
        "generate",
        "judge_summaries",
        "prepare_train_data",
        "prepare_test_data",
    } <= rules
    for profile in ("slurm", "slurm-test"):
        settings = yaml.safe_load((REPO / "profiles" / profile / "config.yaml").read_text())
        for rule in settings.get("groups", {}):
            assert rule in rules, f"{profile}: group of unknown rule {rule}"
        for rule in settings.get("set-resources", {}):
            # generate_vllm_<model> rules are created per model when decoding.backend is vllm
            assert rule in rules or rule.startswith("generate_vllm_"), f"{profile}: {rule}"
