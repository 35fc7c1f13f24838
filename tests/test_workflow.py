"""The workflow as a whole: the paper preset's DAG, the embedded default end to end, and
reruns that touch exactly what depends on a change."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from conftest import REPO, job_counts, overrides, snakemake

from codepeft import config as study_config
from codepeft import study


def test_paper_preset_dry_run_counts():
    proc = snakemake(["-n", "--configfile", "config/paper.yaml"], REPO, 600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    cfg = study_config.load(REPO / "config" / "paper.yaml")
    assert counts["train"] == 18  # 6 multi-task + 9 single-task + 3 RQ3 two-task (3B)
    assert counts["build_mixture"] == 8  # mt_qlora, mt_fft, st_qlora x 3 tasks, 3 RQ3
    assert counts["prepare_data"] == 6  # 3 tasks x 2 languages/directions
    assert "build_tiny_model" not in counts  # hub models only
    generations = counts.get("generate", 0) + sum(
        v for k, v in counts.items() if k.startswith("generate_vllm")
    )
    if cfg["decoding"]["backend"] == "hf":
        # 3 sizes x (zero-shot + 3 methods) x 6 task/language pairs + 3 RQ3 x 4 pairs
        assert counts["generate"] == 84 == len(study.evaluated(cfg))
    else:
        assert generations == 3
    assert counts["codereval_form"] == 3 * 4 * 2 + 2 * 2  # RQ3: 2 models with generation


@pytest.mark.workflow
def test_embedded_default_end_to_end(embedded_run):
    work, _ = embedded_run
    cfg = study_config.load(work / "config.yaml")
    for model, method, scope in study.trained_models(cfg):
        info = json.loads(
            (work / f"results/models/{model}/{method}/{scope}/codepeft_training.json").read_text()
        )
        assert info["global_step"] == cfg["training"]["max_steps"]
    for model, method, task, lang in study.evaluated(cfg):
        test_ids = [
            json.loads(line)["id"]
            for line in (work / f"results/data/{task}/{lang}/test.jsonl").open()
        ]
        preds = [
            json.loads(line)
            for line in (work / f"results/predictions/{model}/{method}/{task}/{lang}.jsonl").open()
        ]
        assert [p["id"] for p in preds] == test_ids, (model, method, task, lang)
        assert all({"prompt", "raw", "output"} <= set(p) for p in preds)
    # every method trained, every model generated for every task (4 methods x 6 pairs)
    assert len(list((work / "results/predictions/tiny").glob("*/*/*.jsonl"))) >= 24
    assert (work / "results/predictions/tiny/mt_qlora/generation/python.codereval.jsonl").is_file()


@pytest.mark.workflow
def test_changing_one_parameter_reruns_only_its_dependents(embedded_run):
    work, _ = embedded_run
    clean = snakemake(["-n"], work, 300)
    assert "Nothing to be done" in clean.stdout + clean.stderr, clean.stdout[-2000:]

    override = overrides(
        work, "decoding.yaml", {"decoding": {"max_new_tokens": {"summarization": 20}}}
    )
    changed = snakemake(["-n", *override], work, 300)
    assert changed.returncode == 0, changed.stderr[-3000:]
    counts = job_counts(changed.stdout)
    assert counts["generate"] == 8  # 4 methods x 2 summarization languages, nothing else
    for upstream in (
        "prepare_data",
        "build_tiny_model",
        "build_mixture",
        "train",
        "codereval_form",
    ):
        assert upstream not in counts, counts
    rerun = set(re.findall(r"wildcards: .*task=(\w+)", changed.stdout))
    assert rerun <= {"summarization"}, rerun

    training = overrides(
        work, "lr.yaml", {"methods": {"mt_fft": {"training": {"learning_rate": 0.001}}}}
    )
    retrain = snakemake(["-n", *training], work, 300)
    counts = job_counts(retrain.stdout)
    assert counts["train"] == 1 and counts["generate"] == 6, counts
    assert "build_mixture" not in counts and "prepare_data" not in counts
    assert set(re.findall(r"method=(\w+)", retrain.stdout)) <= {"mt_fft"}


def test_config_errors_stop_before_any_job(tmp_path):
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["decoding"]["batch_sise"] = 4
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(cfg))
    proc = snakemake(["-n", "--configfile", str(bad)], REPO, 300)
    assert proc.returncode != 0
    assert "unknown config key 'decoding.batch_sise'" in proc.stderr + proc.stdout
