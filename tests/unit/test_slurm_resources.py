"""GPU sizing of the cluster jobs (rules/resources.smk) and the consistency of the SLURM profiles
with the workflow's rules. Fast: no Slurm, no Snakemake run (the profiles against the rules
Snakemake lists: tests/workflow/test_slurm_profiles.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from codepeft import config as study_config
from codepeft import study

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def paper():
    config = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    study_config.validate(config)
    return config


def helpers(config: dict, basedir: Path = REPO) -> dict:
    """rules/resources.smk holds plain Python (no rules): run it with what common.smk gives
    (the site settings are read from `basedir`'s slurm-site.yaml and the environment)."""
    namespace = {
        "config": config,
        "study": study,
        "finetune_kind": lambda method: config["methods"][method]["finetune"],
        "is_tiny_model": lambda model: (config["models"].get(model) or {}).get("build") == "tiny",
        "workflow": SimpleNamespace(basedir=str(basedir)),
    }
    exec(
        compile((REPO / "rules" / "resources.smk").read_text(), "resources.smk", "exec"), namespace
    )
    return namespace


def train(ns, model, method, scope="multi", attempt=1):
    wc = SimpleNamespace(model=model, method=method, scope=scope)
    res = ns["train_resources"]()
    return {
        "gpu": res["gpu"](wc),
        "mem_mb": res["mem_mb"](wc, attempt),
        "runtime": res["runtime"](wc),
        "cpus_per_task": res["cpus_per_task"](wc, ns["train_threads"](wc)),
    }


def test_training_scales_with_model_size_and_method(paper):
    ns = helpers(paper)
    small = train(ns, "qwen2.5-coder-0.5b", "mt_qlora")
    mid = train(ns, "qwen2.5-coder-1.5b", "mt_qlora")
    big = train(ns, "qwen2.5-coder-3b", "mt_qlora")
    fft = train(ns, "qwen2.5-coder-3b", "mt_fft")
    assert small["mem_mb"] < mid["mem_mb"] < big["mem_mb"] < fft["mem_mb"]
    # 3B QLoRA and 3B full fine-tuning both need more than the 48 h cap (checkpoint + resume)
    assert small["runtime"] < mid["runtime"] < big["runtime"] == fft["runtime"] == 2880
    # 3B full fine-tuning needs the most of everything the paper preset asks for
    everything = [
        train(ns, m, meth, s)
        for m, meth, _, s in study.trained_models(paper)
        if (m, meth) != ("qwen2.5-coder-3b", "mt_fft")
    ]
    assert all(r["mem_mb"] <= fft["mem_mb"] and r["runtime"] <= fft["runtime"] for r in everything)
    assert fft == {"gpu": 1, "mem_mb": 52000, "runtime": 2880, "cpus_per_task": 8}
    assert small == {"gpu": 1, "mem_mb": 14000, "runtime": 1080, "cpus_per_task": 8}


def test_training_retry_asks_for_more_memory(paper):
    ns = helpers(paper)
    first = train(ns, "qwen2.5-coder-1.5b", "st_qlora", "translation", attempt=1)
    second = train(ns, "qwen2.5-coder-1.5b", "st_qlora", "translation", attempt=2)
    assert second["mem_mb"] == int(first["mem_mb"] * 1.5)


def test_multi_gpu_request_follows_the_config(paper):
    config = dict(paper)
    config["training"] = dict(paper["training"], multi_gpu={"gpus": 4, "strategy": "fsdp"})
    ns = helpers(config)
    fft = train(ns, "qwen2.5-coder-3b", "mt_fft")
    assert fft["gpu"] == 4 and fft["cpus_per_task"] == 32
    assert fft["runtime"] == int((600 + 960 * 3) / 4)
    wc = SimpleNamespace(model="qwen2.5-coder-3b", method="mt_fft", scope="multi")
    assert ns["training_multi_gpu"](wc) == {"gpus": 4, "strategy": "fsdp"}


def test_method_level_multi_gpu_override(paper):
    config = dict(paper)
    config["methods"] = dict(paper["methods"])
    config["methods"]["mt_fft"] = dict(paper["methods"]["mt_fft"])
    config["methods"]["mt_fft"]["training"] = dict(
        paper["methods"]["mt_fft"].get("training", {}), multi_gpu={"gpus": 2, "strategy": "fsdp"}
    )
    ns = helpers(config)
    assert train(ns, "qwen2.5-coder-3b", "mt_fft")["gpu"] == 2
    assert train(ns, "qwen2.5-coder-3b", "mt_qlora")["gpu"] == 1


def test_generation_scales_with_model_size(paper):
    ns = helpers(paper)
    res = ns["generate_resources"]()
    assert res["gpu"] == 1
    mems = [res["mem_mb"](SimpleNamespace(model=m), 1) for m in paper["models"]]
    assert mems == sorted(mems) and mems[0] < mems[-1]
    vllm = [ns["vllm_generate_resources"](m) for m in paper["models"]]
    assert [r["gpu"] for r in vllm] == [1, 1, 1]
    assert vllm[0]["runtime"] < vllm[-1]["runtime"]


def test_profile_keeps_gpu_rules_out_of_groups_and_status_safe():
    main = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    test = yaml.safe_load((REPO / "profiles" / "slurm-test" / "config.yaml").read_text())
    assert main["executor"] == "slurm"
    for rule in ("train", "generate", "judge_summaries"):
        assert rule not in main["groups"]  # one sbatch job per GPU step
    assert main["restart-times"] >= 1  # a preempted training is retried (and resumes)
    # without accounting sacct hangs the run: the test cluster has none
    assert test["slurm-status-command"] == "squeue"
    # squeue status needs MinJobAge >= 3 x init seconds: the cluster script sets 600
    cluster = (REPO / "scripts" / "slurm" / "cluster.sh").read_text()
    min_job_age = int(re.search(r"^MinJobAge=(\d+)", cluster, flags=re.M).group(1))
    assert min_job_age >= 3 * test["slurm-init-seconds-before-status-checks"]
    components = dict(item.split("=") for item in main["group-components"])
    assert set(components) == set(main["groups"].values())


# --- CPU rules sized from the rehearsal's measurements (benchmarks/paper_scale.md) -----------
MEASUREMENTS = REPO / "benchmarks" / "paper_scale_measurements.json"
#: how much more than the measured peak RSS and the measured wall (x the rule's paper factor)
#: a CPU rule must request at paper scale
MARGIN = 1.5


def _measured() -> dict:
    import json

    return json.loads(MEASUREMENTS.read_text())["rules"]


def _covers(rule: str, measured: dict, mem_mb: int, runtime_min: int) -> list[str]:
    problems = []
    if mem_mb < MARGIN * measured["max_rss_mb"]:
        problems.append(f"{rule}: mem_mb {mem_mb} < {MARGIN} x {measured['max_rss_mb']} MB")
    need_s = MARGIN * measured["max_wall_s"] * measured["paper_factor"]
    if runtime_min * 60 < need_s:
        problems.append(f"{rule}: runtime {runtime_min} min < {need_s / 60:.1f} min")
    return problems


def test_cpu_resource_table_covers_the_measurements(paper):
    """Every CPU rule of resources.smk's table requests >= 1.5x its measured peak memory and
    wall time (x its paper factor) on the scale rehearsal; every measured CPU rule that the
    other rule files do not size is in the table (none is left on the profile's default)."""
    ns = helpers(paper)
    table = ns["CPU_RESOURCES"]
    measured = _measured()
    sized_elsewhere = {"surface_metrics", "surface_codebleu_metrics", "execute", "report"}
    problems = []
    for rule, m in measured.items():
        if m["gpu_rule"] or rule in sized_elsewhere or rule.startswith("analyze_"):
            continue
        if rule not in table:
            problems.append(f"{rule}: measured but not in CPU_RESOURCES (gets the default)")
            continue
        res = ns["cpu_resources"](rule)
        problems += _covers(rule, m, res["mem_mb"](None, 1), res["runtime"])
    assert not problems, problems
    assert {"prepare_train_data", "build_mixture"} <= set(measured) & set(table)
    # retries ask for more memory, like the GPU rules
    res = ns["cpu_resources"]("prepare_train_data")
    assert res["mem_mb"](None, 2) == int(res["mem_mb"](None, 1) * 1.5)


def test_no_cpu_job_above_8_gb_at_paper_scale():
    for rule, m in _measured().items():
        if not m["gpu_rule"] and rule != "build_tiny_model":  # the tiny model is not the paper's
            assert m["max_rss_mb"] <= 8000, (rule, m)


@pytest.mark.slow
def test_every_rule_request_covers_the_measurements():
    """The requests of a dry run of the paper preset (the profile's default-resources applied,
    rules sized in analyze/surface/execute.smk included) cover every measured CPU rule."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import paper_scale

    requests = paper_scale.dry_run_requests(["config/paper.yaml"])
    problems = []
    for rule, m in _measured().items():
        if m["gpu_rule"] or rule in ("report", "build_tiny_model") or rule not in requests:
            continue  # report: a localrule; tiny model and absent rules: not in the paper preset
        r = requests[rule]
        problems += _covers(rule, m, r["mem_mb"], r["runtime"])
    assert not problems, problems
    assert {"prepare_train_data", "prepare_test_data", "build_mixture"} <= set(requests)


def test_benchmark_paths_map_to_rules(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    import paper_scale

    cases = {
        "prepare_train_data/summarization/python.tsv": "prepare_train_data",
        "build_mixture/translation-264ce30d.tsv": "build_mixture",
        "analyze/pylint.tsv": "analyze_pylint",
        "metrics/surface/tiny/mt_qlora/summarization/java.tsv": "surface_metrics",
        "metrics/surface/tiny/mt_qlora/translation/java-cs.tsv": "surface_codebleu_metrics",
        "metrics/execution/tiny/zero_shot/generation/java.tsv": "execute",
        "judge/tiny/zero_shot/summarization/java.tsv": "judge_summaries",
        "generate/vllm/qwen.tsv": "generate_vllm",
        "generate/tiny/zero_shot/generation/java.tsv": "generate",
        "stats/stats.tsv": "stats",
    }
    for rel, rule in cases.items():
        assert paper_scale.rule_of(Path(rel)) == rule, rel
    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    for rel, (s, rss) in {"analyze/pylint.tsv": (10.0, 300.5), "analyze/pmd.tsv": (2.0, 9)}.items():
        path = tmp_path / "benchmarks" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + f"{s}\t0:00:10\t{rss}\t1\t1\t1\t0\t0\t1\t1\n")
    rules = paper_scale.collect(tmp_path)
    assert rules["analyze_pylint"]["max_rss_mb"] == 300.5
    assert rules["analyze_pylint"]["paper_factor"] == 2.6 and rules["analyze_pmd"]["jobs"] == 1


def test_collect_keeps_earlier_rules_it_did_not_measure():
    sys.path.insert(0, str(REPO / "benchmarks"))
    import paper_scale

    new = {"train": {"jobs": 2, "max_rss_mb": 9.0}}
    previous = {
        "label": "earlier run",
        "rules": {"train": {"jobs": 1, "max_rss_mb": 5.0}, "stats": {"jobs": 1, "max_rss_mb": 7}},
    }
    merged = paper_scale.keep_unmeasured(new, previous)
    assert merged["train"] == new["train"]  # measured now: the new run's figures
    assert merged["stats"] == {"jobs": 1, "max_rss_mb": 7, "run": "earlier run"}
