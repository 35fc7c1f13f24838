"""The SLURM profiles name only rules that Snakemake lists for the workflow."""

from __future__ import annotations

import os

import yaml

from tests.conftest import REPO, snakemake


def _rule_names() -> set[str]:
    """The workflow's rules as Snakemake lists them (rules made in loops included), for the
    embedded default and the paper preset (the profile serves both; an analyzer rule exists
    only where the study enables it, e.g. analyze_roslyn in the paper preset)."""
    names = set()
    for args in ([], ["--configfile", "config/paper.yaml"]):
        proc = snakemake(["--list-rules", *args], REPO, 300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        names |= set(proc.stdout.split())
    return names


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


def _train_resources(output: str) -> dict[str, dict[str, str]]:
    """model/method/scope -> the resources a dry run prints for its training job."""
    found = {}
    for block in output.split("\nrule ")[1:]:
        if not block.startswith("train:"):
            continue
        wildcards = dict(
            kv.split("=", 1) for kv in block.split("wildcards: ", 1)[1].split("\n")[0].split(", ")
        )
        line = block.split("resources: ", 1)[1].split("\n")[0]
        resources = dict(kv.split("=", 1) for kv in line.split(", "))
        found[f"{wildcards['model']}/{wildcards['method']}/{wildcards['scope']}"] = resources
    return found


def test_site_settings_merge_into_the_profile_and_overrides_keep_gpus_and_signal(tmp_path):
    # the site's account, partitions and per-model constraint reach the jobs; a command-line
    # --set-resources / --default-resources (which replace the profile's mappings as a whole)
    # no longer drop a training's GPU request or its time-limit signal: both live in the rules
    site = tmp_path / "site.yaml"
    site.write_text(
        "account: lab42\ncpu_partition: short\ngpu_partition: a100\n"
        "gpu:\n  qwen2.5-coder-3b: {constraint: a100_80g}\n"
    )
    args = ["-n", "--profile", "profiles/slurm", "--configfile", "config/paper.yaml"]
    env = {**os.environ, "CODEPEFT_SLURM_SITE": str(site)}
    plain = snakemake(args, REPO, 300, env=env)
    assert plain.returncode == 0, plain.stderr[-3000:]
    trainings = _train_resources(plain.stdout)
    assert len(trainings) == 18  # 3 models x (MT-QLoRA, MT-FFT, 4 ST-QLoRA scopes)
    for name, res in trainings.items():
        assert res["gpu"] == "1" and res["slurm_extra"] == "--signal=TERM@600", name
        assert res["slurm_account"] == "lab42" and res["slurm_partition"] == "a100", name
        assert res["constraint"] == ("a100_80g" if "3b/" in name else ""), name
        assert res["cpus_per_task"] == "8", name  # = its threads (tokenization processes)
    overridden = snakemake(
        [
            *args,
            "--set-resources",
            "train:slurm_partition=h100",
            "--default-resources",
            "mem_mb=999",
        ],
        REPO,
        300,
        env={**env, "CODEPEFT_SLURM_ACCOUNT": "lab7"},
    )
    assert overridden.returncode == 0, overridden.stderr[-3000:]
    for name, res in _train_resources(overridden.stdout).items():
        assert res["slurm_partition"] == "h100" and res["slurm_account"] == "lab7", name
        assert res["gpu"] == "1" and res["slurm_extra"] == "--signal=TERM@600", name
        assert int(res["mem_mb"]) > 999, name  # the rule's size, not the default's
