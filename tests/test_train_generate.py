"""Tiny model, training (QLoRA, full, fallback, resume after interruption) and generation."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codepeft import generate, mixing, models, train
from codepeft.io import write_jsonl

FAST = {
    "max_steps": 4,
    "warmup_steps": 1,
    "per_device_batch_size": 4,
    "gradient_accumulation_steps": 1,
    "max_length": 128,
    "eval_steps": 2,
    "save_steps": 2,
    "logging_steps": 1,
    "eval_max_rows": 4,
}


def records(n=24):
    out = []
    for i in range(n):
        code = f"public int add{i}(int a, int b) {{ return a + b + {i}; }}"
        out.append(
            {
                "id": f"r{i}",
                "task": "translation",
                "language": "java-cs",
                "split": "train",
                "inputs": {"code": code},
                "reference": code.replace("public int", "public static int"),
                "meta": {},
            }
        )
    for i in range(n):
        out.append(
            {
                "id": f"s{i}",
                "task": "summarization",
                "language": "python",
                "split": "train",
                "inputs": {"code": f"def f{i} ( x ) : return x * {i}"},
                "reference": f"Multiply x by {i} .",
                "meta": {},
            }
        )
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("train")
    write_jsonl(d / "data.jsonl", records())
    write_jsonl(d / "mix.jsonl", mixing.build_mixture([str(d / "data.jsonl")]))
    models.build_tiny_model(d / "tiny", [d / "data.jsonl"])
    return d


def test_tiny_model_loads_through_from_pretrained(workdir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(workdir / "tiny")
    tok = AutoTokenizer.from_pretrained(workdir / "tiny")
    assert model.config.model_type == "qwen2"
    assert model.config.num_hidden_layers == 2 and model.config.hidden_size == 128
    assert model.config.num_key_value_heads == 2
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"
    text = tok.apply_chat_template(
        [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}],
        tokenize=False,
        add_generation_prompt=True,
    )
    assert (
        text
        == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"
    )
    assert len(tok("<|im_start|>")["input_ids"]) == 1


@pytest.fixture(scope="module")
def qlora(workdir):
    out = workdir / "qlora"
    info = train.train(
        str(workdir / "tiny"),
        "qlora",
        str(workdir / "mix.jsonl"),
        str(workdir / "mix.jsonl"),
        str(out),
        str(workdir / "ck_qlora"),
        train.TrainingSpec.from_dict(FAST),
    )
    return out, info


def test_qlora_training_saves_adapter_and_record(workdir, qlora):
    out, info = qlora
    assert (out / "adapter_model.safetensors").is_file()
    assert json.loads((out / "adapter_config.json").read_text())["r"] == 8
    record = json.loads((out / "codepeft_training.json").read_text())
    assert record["finetune_used"] == "qlora" and not record["lora_fallback"]
    assert record["global_step"] == 4 and info["global_step"] == 4
    assert "packages" in record["provenance"]
    assert not (workdir / "ck_qlora").exists(), "checkpoints are removed once the model is final"


def test_missing_4bit_fails_clearly_or_falls_back(workdir, monkeypatch):
    monkeypatch.setattr(train, "probe_4bit", lambda: "RuntimeError: no 4-bit kernels")
    with pytest.raises(train.FourBitUnavailable, match="allow_lora_fallback"):
        train.train(
            str(workdir / "tiny"),
            "qlora",
            str(workdir / "mix.jsonl"),
            None,
            str(workdir / "nofallback"),
            str(workdir / "ck_nf"),
            train.TrainingSpec.from_dict(FAST),
        )
    spec = train.TrainingSpec.from_dict(dict(FAST, allow_lora_fallback=True))
    train.train(
        str(workdir / "tiny"),
        "qlora",
        str(workdir / "mix.jsonl"),
        None,
        str(workdir / "fallback"),
        str(workdir / "ck_fb"),
        spec,
    )
    record = json.loads((workdir / "fallback" / "codepeft_training.json").read_text())
    assert record["finetune_requested"] == "qlora" and record["finetune_used"] == "lora"
    assert record["lora_fallback"] is True


def test_full_finetuning_saves_weights(workdir):
    out = workdir / "full"
    train.train(
        str(workdir / "tiny"),
        "full",
        str(workdir / "mix.jsonl"),
        None,
        str(out),
        str(workdir / "ck_full"),
        train.TrainingSpec.from_dict(FAST),
    )
    assert (out / "model.safetensors").is_file() and (out / "config.json").is_file()
    assert (
        json.loads((out / "codepeft_training.json").read_text())["gradient_checkpointing"] is True
    )


def _train_cmd(workdir, out, ckpt, steps):
    spec = dict(FAST, max_steps=steps, save_steps=2, eval_steps=1000, logging_steps=1)
    return [
        sys.executable,
        "-m",
        "codepeft.cli",
        "train",
        "--model",
        str(workdir / "tiny"),
        "--finetune",
        "lora",
        "--train",
        str(workdir / "mix.jsonl"),
        "--out",
        str(out),
        "--checkpoints",
        str(ckpt),
        "--training-json",
        json.dumps(spec),
    ]


def _wait_for_checkpoint(ckpt: Path, proc, minimum=2, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = [
            int(p.name.split("-")[1])
            for p in ckpt.glob("checkpoint-*")
            if (p / "trainer_state.json").exists()
        ]
        if done and max(done) >= minimum:
            return max(done)
        assert proc.poll() is None, "training ended before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError("no checkpoint appeared")


@pytest.mark.parametrize("how", ["sigkill", "sigterm"])
def test_interrupted_training_resumes(workdir, tmp_path, how):
    out, ckpt, steps = tmp_path / "model", tmp_path / "ckpt", 30
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    first = subprocess.Popen(
        _train_cmd(workdir, out, ckpt, steps), stderr=subprocess.PIPE, text=True, env=env
    )
    _wait_for_checkpoint(ckpt, first)
    first.send_signal(signal.SIGKILL if how == "sigkill" else signal.SIGTERM)
    _, err = first.communicate(timeout=120)
    if how == "sigterm":
        assert first.returncode == train.EXIT_PREEMPTED, err[-2000:]
        assert "saving a checkpoint" in err
    else:
        assert first.returncode == -signal.SIGKILL
    assert not out.exists()
    saved = max(int(p.name.split("-")[1]) for p in ckpt.glob("checkpoint-*"))
    assert 0 < saved < steps
    second = subprocess.run(
        _train_cmd(workdir, out, ckpt, steps), capture_output=True, text=True, env=env, timeout=300
    )
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"resuming from {ckpt}/checkpoint-{saved}" in second.stderr
    assert f"starting at step {saved}" in second.stderr
    record = json.loads((out / "codepeft_training.json").read_text())
    assert record["global_step"] == steps and record["resumed_from"].endswith(f"checkpoint-{saved}")


def test_generation_keeps_ids_and_order(workdir, qlora):
    data = [dict(r, split="test") for r in records(10)]
    data[3]["inputs"]["code"] = "int x = 1; " * 400  # far longer than the prompt budget
    spec = generate.DecodingSpec.from_dict(
        {"batch_size": 4, "max_new_tokens": 8, "max_input_tokens": 350}
    )
    backend = generate.make_backend(str(workdir / "tiny"), str(qlora[0]), None, spec)
    rows = generate.generate_records(backend, data, spec)
    assert [r["id"] for r in rows] == [r["id"] for r in data]
    assert rows[3]["truncated"] and rows[3]["n_prompt_tokens"] <= 350
    assert not rows[0]["truncated"]
    assert all(r["prompt"].endswith("<|im_start|>assistant\n") for r in rows)
    assert all(0 < r["n_new_tokens"] <= 8 for r in rows)
    # batching and sorting do not change greedy outputs
    unsorted = generate.DecodingSpec.from_dict(
        {"batch_size": 1, "max_new_tokens": 8, "max_input_tokens": 350, "sort_by_length": False}
    )
    one_by_one = generate.generate_records(backend, data, unsorted)
    assert [r["raw"] for r in one_by_one] == [r["raw"] for r in rows]
    form = generate.codereval_form(rows)
    assert form[0] == {"_id": "r0", "generate_results": [rows[0]["output"]]}


def test_batch_order():
    assert generate.batch_order([3, 9, 1, 9], True) == [1, 3, 0, 2]
    assert generate.batch_order([3, 9, 1], False) == [0, 1, 2]


def test_reference_predictions_flag_missing_references():
    preds = generate.reference_predictions(
        [
            {"id": "a", "task": "generation", "language": "python", "reference": "def f(): pass"},
            {"id": "b", "task": "generation", "language": "python", "reference": None},
        ]
    )
    assert preds[0]["output"] == "def f(): pass" and not preds[0]["no_reference"]
    assert preds[1]["output"] == "" and preds[1]["no_reference"]
