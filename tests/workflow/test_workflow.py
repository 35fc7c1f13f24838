"""The workflow as a whole: the paper preset's DAG, the embedded default end to end, and
reruns that touch exactly what depends on a change."""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from codepeft import config as study_config
from codepeft import paths, study
from tests.conftest import REPO, copy_study, job_counts, overrides, snakemake


def test_paper_preset_dry_run_counts():
    proc = snakemake(["-n", "--configfile", "config/paper.yaml"], REPO, 600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    cfg = study_config.load(REPO / "config" / "paper.yaml")
    assert counts["train"] == 18  # 6 multi-task + 9 single-task + 3 RQ3 two-task (3B)
    # one mixture per content: mt_qlora and mt_fft share theirs; st_qlora one per task; RQ3
    # one per task pair
    assert counts["build_mixture"] == 7 == len(study.mixtures(cfg))
    # 3 tasks x 2 languages/directions, train+valid and test apart
    assert counts["prepare_train_data"] == 6 and counts["prepare_test_data"] == 6
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
    for model, method, seed, scope in study.trained_models(cfg):
        model_dir = paths.fill(paths.MODEL_DIR, model=model, method=method, seed=seed, scope=scope)
        info = json.loads((work / model_dir / paths.TRAINING_RECORD).read_text())
        max_steps = cfg["training"].get("max_steps", -1)
        assert info["global_step"] == max_steps if max_steps > 0 else info["global_step"] > 0
    for model, method, seed, task, lang in study.evaluated(cfg):
        test_ids = [
            json.loads(line)["id"]
            for line in (work / f"results/data/{task}/{lang}/test.jsonl").open()
        ]
        where = dict(model=model, method=method, seed=seed, task=task, lang=lang)
        preds = [
            json.loads(line) for line in (work / paths.fill(paths.PREDICTIONS, **where)).open()
        ]
        assert [p["id"] for p in preds] == test_ids, (model, method, task, lang)
        assert all({"prompt", "raw", "output"} <= set(p) for p in preds)
    # every method trained, every model generated for every task (4 methods x 4 pairs)
    assert len(list((work / "results/predictions/tiny").glob("*/*/*/*.jsonl"))) >= 16
    assert (
        work / "results/predictions/tiny/mt_qlora/seed-42/generation/python.codereval.jsonl"
    ).is_file()


def reversed_keys(value):
    """`value` with the keys of every mapping in reverse order, lists unchanged."""
    if isinstance(value, dict):
        return {k: reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(v) for v in value]
    return value


# Everything downstream of the evaluation of one task: its generations and what measures them.
# (The embedded default leaves Roslyn out: make setup cannot install its .NET SDK.)
ANALYZERS = {
    f"analyze_{a}": 1
    for a in (
        "checkstyle",
        "complexipy",
        "flake8",
        "lizard",
        "pmd",
        "pylint",
        "radon",
        "semgrep",
        "sonar",
        "treesitter",
    )
}
# after any change the stats see: the statistics, the bootstrap intervals of every metric
# table (rules/uncertainty.smk), the report, the tidy tables (they read the metric tables
# and stats) and the model cards (they read the stats)
FINAL = {"stats": 1, "intervals": 1, "report": 1, "tidy_results": 1, "model_cards": 1, "all": 1}
EVERYTHING_DOWNSTREAM_OF_TRAINING = {
    "generate": 12,  # 3 trained methods (st_qlora: one model per task) x 4 task/language pairs
    "codereval_form": 6,
    "execute": 6,
    "judge_summaries": 3,
    "surface_metrics": 3,
    "surface_codebleu_metrics": 9,
    **ANALYZERS,
    **FINAL,
}
# The rerun matrix of the embedded default (README, "Changing one thing"): for one key of each
# config section, the rules (and how many of their jobs) a dry run plans after the change.
RERUN_MATRIX = {
    "same config, keys reordered": (None, {}),
    # the report, and the tidy tables' `study` column and the cards that name the study
    "study.name": (
        {"study": {"name": "renamed"}},
        {"report": 1, "tidy_results": 1, "model_cards": 1, "all": 1},
    ),
    "report.max_panels": ({"report": {"max_panels": 3}}, {"report": 1, "all": 1}),
    # training text: the tiny model's tokenizer, hence every training and generation
    "data.code_to_text.local_dir": (
        {"data": {"code_to_text": {"local_dir": "codepeft/resources/embedded/code-to-text"}}},
        {
            "prepare_train_data": 3,  # summarization (python), generation (both languages)
            "build_tiny_model": 1,
            "build_mixture": 3,  # multi-task, st summarization, st generation
            "overlap_audit": 7,  # their audits: multi-task x 4 test sets, 1 + 2 single-task
            "train": 5,
            **EVERYTHING_DOWNSTREAM_OF_TRAINING,
            "generate": 16,  # the base model changed: zero-shot too
            "codereval_form": 8,
            "execute": 8,
            "judge_summaries": 4,
            "surface_metrics": 4,
            "surface_codebleu_metrics": 12,
        },
    ),
    "data.translation.local_dir": (
        {"data": {"translation": {"local_dir": "codepeft/resources/embedded/code-to-code-trans"}}},
        {
            "prepare_train_data": 1,
            "prepare_test_data": 1,
            "reference_predictions": 1,
            "build_tiny_model": 1,
            "build_mixture": 2,  # multi-task, st translation
            "overlap_audit": 5,  # multi-task x 4 test sets, st translation x 1
            "train": 5,
            **EVERYTHING_DOWNSTREAM_OF_TRAINING,
            "generate": 16,
            "codereval_form": 8,
            "execute": 8,
            "judge_summaries": 4,
            "surface_metrics": 4,
            "surface_codebleu_metrics": 12,
        },
    ),
    # evaluation-side data: the test split and its evaluation only, never training
    "data.codereval.discard_unreliable": (
        {"data": {"codereval": {"discard_unreliable": False}}},
        {
            "prepare_test_data": 2,
            "overlap_audit": 4,  # the generation test sets vs multi-task and st generation
            "reference_predictions": 2,
            "generate": 8,
            "codereval_form": 8,
            "execute": 8,
            "surface_codebleu_metrics": 8,
            # every analyzer of Python or Java code (all of the embedded default's)
            **ANALYZERS,
            **FINAL,
        },
    ),
    "data.summarization_eval.local_dir": (
        {
            "data": {
                "summarization_eval": {
                    "local_dir": "codepeft/resources/embedded/summarization-eval"
                }
            }
        },
        {
            "prepare_test_data": 1,
            "overlap_audit": 2,  # the summarization test set vs multi-task and st summarization
            "generate": 4,  # (no reference predictions: nothing measures reference summaries)
            "judge_summaries": 4,
            "surface_metrics": 4,
            **FINAL,
        },
    ),
    # a key every training reads (the demo's mt_fft sets its own learning rate)
    "training.warmup_steps": (
        {"training": {"warmup_steps": 3}},
        {"train": 5, **EVERYTHING_DOWNSTREAM_OF_TRAINING},
    ),
    # where trainings report (training.report_to): in no job's params, not in the report's
    # config hash (tests/workflow/test_tracking_workflow.py runs a tracked training)
    "training.report_to": ({"training": {"report_to": ["tensorboard", "mlflow"]}}, {}),
    # a second training seed: that seed's trainings and what they feed; every analyzer job
    # (one per tool over every predictions file) and the stats and report; nothing of seed 42,
    # no mixture, no zero-shot (docs/architecture.md, "Files")
    "training.seeds": (
        {"training": {"seeds": [42, 7]}},
        {"train": 5, **EVERYTHING_DOWNSTREAM_OF_TRAINING},
    ),
    "methods.mt_fft.training.learning_rate": (
        {"methods": {"mt_fft": {"training": {"learning_rate": 0.001}}}},
        {
            "train": 1,
            "generate": 4,
            "codereval_form": 2,
            "execute": 2,
            "judge_summaries": 1,
            "surface_metrics": 1,
            "surface_codebleu_metrics": 3,
            **ANALYZERS,
            **FINAL,
        },
    ),
    "decoding.max_new_tokens.summarization": (
        {"decoding": {"max_new_tokens": {"summarization": 20}}},
        {"generate": 4, "judge_summaries": 4, "surface_metrics": 4, **FINAL},
    ),
    "metrics.codebleu.dataflow_policy": (
        {"metrics": {"codebleu": {"dataflow_policy": "library"}}},
        {"surface_codebleu_metrics": 12, **FINAL},
    ),
    # the default comparisons measure execution, surface and CodeBLEU tables: analyzer and
    # judge tables feed the report only
    "analyzers.timeout_s": (
        {"analyzers": {"timeout_s": 600}},
        {**ANALYZERS, "intervals": 1, "report": 1, "tidy_results": 1, "all": 1},
    ),
    "execution.timeout_s": ({"execution": {"timeout_s": 5}}, {"execute": 8, **FINAL}),
    "judge.runs": (
        {"judge": {"runs": 3}},
        {"judge_summaries": 4, "intervals": 1, "report": 1, "tidy_results": 1, "all": 1},
    ),
    # read by the metric, analyzer, execution and judge jobs only: never a training or generation
    "environment_failures": (
        {"environment_failures": "record"},
        {
            "surface_metrics": 4,
            "surface_codebleu_metrics": 12,
            "execute": 8,
            "judge_summaries": 4,
            **ANALYZERS,
            **FINAL,
        },
    ),
    # the statistics and what reads them (the report, the tidy tables, the model cards)
    "stats.alpha": (
        {"stats": {"alpha": 0.01}},
        {"stats": 1, "report": 1, "tidy_results": 1, "model_cards": 1, "all": 1},
    ),
    "stats.bootstrap.resamples": ({"stats": {"bootstrap": {"resamples": 500}}}, FINAL),
    # the audits (8: multi-task x 4 test sets, single-task 1 + 2 + 1) and what reads their flags
    "overlap.threshold": (
        {"overlap": {"threshold": 0.8}},
        {
            "overlap_audit": 8,
            "stats": 1,
            "report": 1,
            "tidy_results": 1,
            "model_cards": 1,
            "all": 1,
        },
    ),
}


def _dry_run(work: Path, name: str, change, quiet=True) -> tuple[str, Counter, str]:
    if change is None:  # the default study with its keys reversed at every level
        cfg = yaml.safe_load((work / "config.yaml").read_text())
        (work / "reordered.yaml").write_text(yaml.safe_dump(reversed_keys(cfg), sort_keys=False))
        args = ["--configfile", "reordered.yaml"]
    else:
        args = overrides(work, re.sub(r"\W", "_", name) + ".yaml", change)
    proc = snakemake(["-n", *(["--quiet", "rules"] if quiet else []), *args], work, 600)
    assert proc.returncode == 0, (name, proc.stderr[-3000:])
    return name, job_counts(proc.stdout), proc.stdout + proc.stderr


@pytest.mark.workflow
def test_changing_one_parameter_reruns_only_its_dependents(embedded_run, tmp_path):
    """The rerun matrix: a change to one key of each config section plans exactly the jobs
    that depend on it (dry runs on the finished embedded study, a few in parallel)."""
    work, _ = embedded_run
    clean = snakemake(["-n"], work, 300)
    assert "Nothing to be done" in clean.stdout + clean.stderr, clean.stdout[-2000:]

    start = time.monotonic()
    workers = max(1, min(4, (os.cpu_count() or 2)))
    with ThreadPoolExecutor(workers) as pool:
        results = list(
            pool.map(lambda item: _dry_run(work, item[0], item[1][0]), RERUN_MATRIX.items())
        )
    elapsed = time.monotonic() - start
    failures = []
    for name, counts, output in results:
        expected = Counter(RERUN_MATRIX[name][1])
        if counts != expected:
            failures.append(
                f"{name}: planned {dict(sorted(counts.items()))}\n"
                f"  expected {dict(sorted(expected.items()))}"
            )
        if name == "same config, keys reordered":
            assert "Nothing to be done" in output, output[-2000:]
    assert not failures, "\n".join(failures)
    print(f"rerun matrix: {len(RERUN_MATRIX)} dry runs in {elapsed:.0f} s ({workers} at once)")

    # the jobs themselves (printed without --quiet): a summarization decoding change reruns
    # summarization only; one method's training, that method only
    for name, pattern, allowed in (
        ("decoding.max_new_tokens.summarization", r"wildcards: .*task=(\w+)", {"summarization"}),
        ("methods.mt_fft.training.learning_rate", r"method=(\w+)", {"mt_fft"}),
    ):
        _, _, output = _dry_run(work, name, RERUN_MATRIX[name][0], quiet=False)
        assert set(re.findall(pattern, output)) == allowed, name

    # no machine path in any params: the finished study, moved elsewhere, plans nothing
    moved = copy_study(work, tmp_path / "moved")
    again = snakemake(["-n", "--quiet", "rules"], moved, 300)
    assert "Nothing to be done" in again.stdout + again.stderr, again.stdout[-2000:]
    # the vLLM job (one per base model): neither the interpreter nor the checkout is in its
    # params or command; both come from the environment
    args = overrides(work, "vllm.yaml", {"decoding": {"backend": "vllm"}})
    vllm = snakemake(["-n", "-p", "--forcerun", "generate_vllm_tiny", *args], work, 300)
    assert vllm.returncode == 0, vllm.stderr[-3000:]
    command = [line for line in vllm.stdout.splitlines() if "codepeft.vllm_backend" in line]
    assert command and '"$CODEPEFT_VLLM_JOB_PYTHON" -m codepeft.vllm_backend' in command[0]
    assert str(work) not in command[0] and "bin/python" not in command[0], command[0]


def test_config_errors_stop_before_any_job(tmp_path):
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["decoding"]["batch_sise"] = 4
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(cfg))
    proc = snakemake(["-n", "--configfile", str(bad)], REPO, 300)
    assert proc.returncode != 0
    assert "unknown config key 'decoding.batch_sise'" in proc.stderr + proc.stdout
