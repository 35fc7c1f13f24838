"""A second architecture through the whole DAG (issue 26, items 4 and 5): the tiny Llama-shaped
model (`build: tiny_llama`, no chat template in its tokenizer: `chat_template: llama3`, LoRA
targets found in the loaded model: `target_modules: auto`) beside the tiny Qwen-shaped one,
each built, fine-tuned (QLoRA, falling back to LoRA on a CPU, and full fine-tuning), generating,
measured, compared and reported; with `off_task_evaluation` the multi-task models trained on
summarization only also answer translation, and the report's retention table compares them
with their zero-shot bases there.

Kept small (two tasks of one language, 12 training rows per source, 16 steps, full fine-tuning
of the Llama-shaped model only: the demo fine-tunes the Qwen-shaped one fully; no analyzer,
judge or BERTScore): 37 jobs, about 3 CPU-minutes (benchmarks/any_model.md)."""

from __future__ import annotations

import csv
import json

import pytest
import yaml

from codepeft.io import read_jsonl
from tests.conftest import copy_checkout, snakemake

pytestmark = [pytest.mark.workflow, pytest.mark.slow]

LLAMA_PROJECTIONS = ["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"]
MODELS = ("tiny", "tiny-llama")
METHODS = {"tiny": ("mt_qlora",), "tiny-llama": ("mt_qlora", "mt_fft")}  # the trained ones


def _config(embedded: dict) -> dict:
    cfg = {k: embedded[k] for k in ("study", "seed", "environment_failures", "data", "decoding")}
    cfg["models"] = {
        "tiny": {"source": "results/base/tiny", "build": "tiny"},
        "tiny-llama": {
            "source": "results/base/tiny-llama",
            "build": "tiny_llama",
            "chat_template": "llama3",
            "target_modules": "auto",
        },
    }
    adapter = embedded["methods"]["mt_qlora"]["training"]
    cfg["methods"] = {
        "zero_shot": {"finetune": "none"},
        # trained on summarization only: translation is outside their training mixture
        "mt_qlora": {"finetune": "qlora", "tasks": ["summarization"], "training": adapter},
        "mt_fft": {
            "finetune": "full",
            "tasks": ["summarization"],
            "models": ["tiny-llama"],
            "training": {"learning_rate": 0.004},
        },
    }
    cfg["tasks"] = {
        "summarization": {"languages": ["python"]},
        "translation": {"languages": ["java-cs"]},
    }
    cfg["data"]["max_rows"] = {"train": 12, "valid": 4, "test": 6}
    cfg["training"] = {
        **embedded["training"],
        "max_steps": 16,
        "warmup_steps": 2,
        "logging_steps": 2,
        "per_device_batch_size": 4,
    }
    cfg["decoding"]["max_new_tokens"] = {"summarization": 12, "translation": 24}
    cfg["off_task_evaluation"] = True
    cfg["metrics"] = {"bertscore": {"enabled": False}, "side": {"checkpoint": None}}
    cfg["analyzers"] = {"enabled": []}
    cfg["judge"] = {"enabled": False}
    cfg["stats"] = {
        "comparisons": embedded["stats"]["comparisons"],
        # chrF and BLEU on translation too: the tiny models' CodeBLEU is 0 on either side there
        "measures": {
            "surface": {
                "continuous": ["chrf", "bleu_sacre"],
                "tasks": ["summarization", "translation"],
            },
            "codebleu": {"continuous": ["codebleu"], "tasks": ["translation"]},
        },
    }
    return cfg


@pytest.fixture(scope="module")
def two_models(tmp_path_factory):
    work = copy_checkout(tmp_path_factory.mktemp("any_model") / "repo")
    embedded = yaml.safe_load((work / "config.yaml").read_text())
    (work / "config.yaml").write_text(yaml.safe_dump(_config(embedded)))
    proc = snakemake(["--cores", "2"], work, 1200)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-6000:]
    return work


def _losses(record: dict) -> list[float]:
    return [e["loss"] for e in record["log_history"] if "loss" in e]


def test_each_architecture_trains_with_its_own_template_and_targets(two_models):
    for model in MODELS:
        base = json.loads((two_models / f"results/base/{model}/codepeft_model.json").read_text())
        expected = "LlamaForCausalLM" if model == "tiny-llama" else "Qwen2ForCausalLM"
        assert base["architecture"] == expected
        for method in METHODS[model]:
            record = json.loads(
                (
                    two_models
                    / f"results/models/{model}/{method}/seed-42/multi/codepeft_training.json"
                ).read_text()
            )
            losses = _losses(record)
            assert len(losses) >= 4 and losses[-1] < losses[0], (model, method, losses)
            if method == "mt_qlora":
                assert record["lora_target_modules"] == LLAMA_PROJECTIONS
            else:
                assert record["lora_target_modules"] is None
            assert record["chat_template"] == ("llama3" if model == "tiny-llama" else "tokenizer")


def test_prompts_use_each_models_chat_template(two_models):
    for model in MODELS:
        for method in ("zero_shot", *METHODS[model]):
            seed = "none" if method == "zero_shot" else "42"
            rows = read_jsonl(
                two_models
                / f"results/predictions/{model}/{method}/seed-{seed}/summarization/python.jsonl"
            )
            assert len(rows) == 6
            for row in rows:
                if model == "tiny-llama":
                    assert row["prompt"].startswith("<|begin_of_text|><|start_header_id|>system")
                    assert row["prompt"].endswith(
                        "<|start_header_id|>assistant<|end_header_id|>\n\n"
                    )
                    assert "<|im_start|>" not in row["prompt"]
                else:
                    assert row["prompt"].startswith("<|im_start|>system\n")
    # the off-task predictions: the multi-task summarization model answering translation
    off = read_jsonl(
        two_models
        / "results/predictions/tiny-llama/mt_qlora@multi/seed-42/translation/java-cs.jsonl"
    )
    assert len(off) == 6 and "<|eot_id|>" in off[0]["prompt"]


def test_retention_table_compares_each_model_with_its_zero_shot_base(two_models):
    with open(two_models / "results/stats/retention.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    # every test item (the stats also write each test without the overlap audit's flagged items)
    stats = [r for r in rows if r.get("subset", "all") == "all"]
    pairs = {(r["a"], r["b"], r["task"], r["measure"]) for r in stats}
    expected = {
        (f"{model}/zero_shot", f"{model}/{method}@multi", "translation", measure)
        for model in MODELS
        for method in METHODS[model]
        for measure in ("chrf", "bleu_sacre", "codebleu")
    }
    assert pairs == expected  # translation only: summarization is in every training mixture
    assert all(r["n_paired"] == "6" and r["test"] == "wilcoxon" for r in stats)
    # the fine-tuned models' translations score otherwise than their bases' (chrF moves)
    chrf = [r for r in stats if r["measure"] == "chrf"]
    assert all(float(r["mean_a"]) != float(r["mean_b"]) for r in chrf), chrf
    with open(two_models / "results/report/tables/retention.tsv", newline="") as handle:
        table = list(csv.DictReader(handle, delimiter="\t"))
    assert len(table) == len(stats) == 9
    assert {r["trained_on"] for r in table} == {"summarization/python"}
    for row in table:
        verdicts = ("hurt", "improved", "no significant difference")
        assert row["verdict"] in verdicts or row["verdict"].startswith("not computed"), row
        if row["verdict"] == "hurt":
            assert float(row["mean_method"]) < float(row["mean_baseline"])
    page = (two_models / "results/report/index.html").read_text()
    assert "id='retention'" in page and "paired tests of 3 fine-tuned model(s)" in page
