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
from tests.conftest import tiny_records

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
    return tiny_records("translation", n, prefix="r") + tiny_records("summarization", n)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, tiny_model):
    """data, its mixture and `tiny` (the session's tiny model, built from the same records)."""
    d = tmp_path_factory.mktemp("train")
    write_jsonl(d / "data.jsonl", records())
    write_jsonl(d / "mix.jsonl", mixing.build_mixture([str(d / "data.jsonl")]))
    (d / "tiny").symlink_to(tiny_model, target_is_directory=True)
    return d


def test_tiny_model_loads_through_from_pretrained(workdir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(workdir / "tiny")
    tok = AutoTokenizer.from_pretrained(workdir / "tiny")
    assert model.config.model_type == "qwen2"
    assert model.config.num_hidden_layers == 3 and model.config.hidden_size == 192
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


@pytest.mark.slow  # a LoRA training on the tiny model, 4 steps
def test_a_complete_checkpoint_exists_at_every_moment_of_the_rotation(
    workdir, tmp_path, monkeypatch
):
    # the trainer's own save_total_limit removed the older checkpoint before the new one was
    # marked complete: a kill in between (a time limit's SIGKILL) left nothing to resume from
    seen = []
    mark = train.mark_complete

    def spy(folder, step):
        seen.append(
            (step, sorted(p.parent.name for p in folder.parent.glob(f"*/{train.COMPLETE_MARKER}")))
        )
        mark(folder, step)

    monkeypatch.setattr(train, "mark_complete", spy)
    spec = dict(FAST, save_steps=1, save_total_limit=1)
    train.train(
        str(workdir / "tiny"),
        "lora",
        str(workdir / "mix.jsonl"),
        None,
        str(tmp_path / "model"),
        str(tmp_path / "ckpt"),
        train.TrainingSpec.from_dict(spec),
    )
    assert seen == [
        (1, []),
        (2, ["checkpoint-1"]),
        (3, ["checkpoint-2"]),
        (4, ["checkpoint-3"]),
    ]


@pytest.mark.slow  # a QLoRA training on the tiny model (the qlora fixture)
def test_qlora_training_saves_adapter_and_record(workdir, qlora):
    out, info = qlora
    assert (out / "adapter_model.safetensors").is_file()
    assert json.loads((out / "adapter_config.json").read_text())["r"] == 8
    record = json.loads((out / "codepeft_training.json").read_text())
    assert record["finetune_used"] == "qlora" and not record["lora_fallback"]
    assert record["global_step"] == 4 and info["global_step"] == 4
    assert "packages" in record["provenance"]
    assert not (workdir / "ck_qlora").exists(), "checkpoints are removed once the model is final"


@pytest.mark.slow  # a LoRA training (the fallback) on the tiny model
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
            if (p / train.COMPLETE_MARKER).exists()
        ]
        if done and max(done) >= minimum:
            return max(done)
        assert proc.poll() is None, "training ended before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError("no checkpoint appeared")


@pytest.mark.slow  # two trainings in subprocesses each
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
    # a SIGKILL can land mid-save: that folder has no completion marker, and the retry removes
    # it and resumes from the newest complete one
    steps_of = {int(p.name.split("-")[1]): p for p in ckpt.glob("checkpoint-*")}
    complete = {n for n, p in steps_of.items() if (p / train.COMPLETE_MARKER).is_file()}
    cut = set(steps_of) - complete
    saved = max(complete)
    assert 0 < saved < steps
    second = subprocess.run(
        _train_cmd(workdir, out, ckpt, steps), capture_output=True, text=True, env=env, timeout=300
    )
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"resuming from {ckpt}/checkpoint-{saved}" in second.stderr
    assert f"starting at step {saved}" in second.stderr
    assert all(
        f"removing incomplete checkpoint {ckpt}/checkpoint-{n}" in second.stderr for n in cut
    )
    record = json.loads((out / "codepeft_training.json").read_text())
    assert record["global_step"] == steps and record["resumed_from"].endswith(f"checkpoint-{saved}")


@pytest.mark.slow  # generation from the trained adapter
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


# --- inference numerics and decoding as the replication package (config/paper.yaml) -------


@pytest.fixture(scope="module")
def paper_config():
    from codepeft import config as study_config

    return study_config.load(Path(__file__).resolve().parents[2] / "config" / "paper.yaml")


@pytest.fixture(scope="module")
def bf16_adapter(workdir):
    """An untrained LoRA adapter of the tiny model saved in bf16 (as TRL 1.x leaves QLoRA
    weights), so loading shows whether peft upcasts it to float32."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    out = workdir / "adapter_bf16"
    if not out.exists():
        base = AutoModelForCausalLM.from_pretrained(workdir / "tiny")
        model = get_peft_model(
            base, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj", "down_proj"])
        )
        model.to(torch_dtype("bfloat16")).save_pretrained(out)
    return out


def torch_dtype(name):
    import torch

    return getattr(torch, name)


@pytest.mark.parametrize(
    "task,held",
    [("summarization", "float16"), ("generation", "bfloat16"), ("translation", "float16")],
)
def test_package_qlora_inference_numerics(workdir, bf16_adapter, paper_config, task, held):
    import bitsandbytes as bnb
    from peft import PeftModel

    from codepeft import study

    spec = generate.DecodingSpec.from_dict(study.decoding_spec(paper_config, task, "mt_qlora"))
    backend = generate.make_backend(
        str(workdir / "tiny"), str(bf16_adapter), None, spec, finetune="qlora"
    )
    model = backend.model
    assert isinstance(model, PeftModel), "the adapter stays unmerged"
    dtypes = models.parameter_dtypes(model)
    lora = {n: d for n, d in dtypes.items() if ".lora_" in n}
    assert lora and set(lora.values()) == {"float32"}, "LoRA weights in float32"
    q_proj = model.get_base_model().model.layers[0].self_attn.q_proj.base_layer
    assert isinstance(q_proj, bnb.nn.Linear4bit)
    assert q_proj.weight.quant_type == "nf4" and q_proj.weight.compress_statistics  # double quant
    assert q_proj.compute_dtype == torch_dtype("bfloat16")
    frozen = {
        n: d for n, d in dtypes.items() if ".lora_" not in n and d != "uint8"
    }  # embeddings, norms, q/k/v biases (lm_head is tied)
    assert frozen and set(frozen.values()) == {held}, frozen
    assert backend.numerics["dtype"] == held
    assert backend.eos_ids == [backend.tokenizer.eos_token_id]
    # it answers (4-bit kernels on this machine's device)
    assert backend.generate(["<|im_start|>user\nhi<|im_end|>\n"], 2)[0][1] >= 1


def test_default_inference_merges_adapters(workdir, bf16_adapter):
    from peft import PeftModel

    spec = generate.DecodingSpec.from_dict({}, "summarization")
    assert spec.qlora_base == "merged"
    backend = generate.make_backend(
        str(workdir / "tiny"), str(bf16_adapter), None, spec, finetune="qlora"
    )
    assert not isinstance(backend.model, PeftModel)
    assert not any(".lora_" in n for n in models.parameter_dtypes(backend.model))
    # plain LoRA adapters are merged even when the QLoRA base would be kept in 4-bit
    spec = generate.DecodingSpec.from_dict({"qlora_base": "nf4_unmerged"}, "summarization")
    lora = generate.make_backend(str(workdir / "tiny"), str(bf16_adapter), None, spec, "lora")
    assert not isinstance(lora.model, PeftModel) and lora.numerics["finetune"] == "lora"


@pytest.fixture(scope="module")
def penalised_tiny(workdir, tmp_path_factory):
    """The tiny model with a generation_config.json that sets a huge repetition_penalty."""
    import shutil

    out = tmp_path_factory.mktemp("penalty") / "tiny"
    shutil.copytree(workdir / "tiny", out)
    config = json.loads((out / "generation_config.json").read_text())
    # Qwen2.5-Coder-Instruct's sampling fields, and a penalty big enough to show
    config.update(repetition_penalty=1e4, do_sample=True, temperature=0.7, top_p=0.8, top_k=20)
    (out / "generation_config.json").write_text(json.dumps(config))
    return out


def test_generation_config_in_force_or_not(penalised_tiny):
    tokens = lambda b: b.tokenizer("def f ( x ) : return x", add_special_tokens=False)["input_ids"]  # noqa: E731
    model_spec = generate.DecodingSpec.from_dict({"generation_config": "model"}, "generation")
    kept = generate.make_backend(str(penalised_tiny), None, None, model_spec)
    assert kept.generation_config.repetition_penalty == 1e4
    prompt = tokens(kept)
    out = kept.model.generate(input_ids=torch_tensor([prompt]), do_sample=False, max_new_tokens=12)[
        0, len(prompt) :
    ].tolist()
    # with the penalty in force no prompt or earlier token comes back
    assert len(set(out)) == len(out) and not set(out) & set(prompt)
    # the config's do_sample/temperature do not apply: the backend decodes greedily
    assert kept.generate([prompt], 12) == kept.generate([prompt], 12)
    greedy = generate.make_backend(
        str(penalised_tiny), None, None, generate.DecodingSpec.from_dict({}, "generation")
    )
    assert greedy.generation_config.repetition_penalty in (None, 1.0)
    assert greedy.eos_ids == [
        greedy.tokenizer.convert_tokens_to_ids(t) for t in ("<|im_end|>", "<|endoftext|>")
    ]


def torch_tensor(rows):
    import torch

    return torch.tensor(rows)


def test_stop_ids(workdir):
    tok = models.load_tokenizer(str(workdir / "tiny"))
    im_end, eot = tok.convert_tokens_to_ids(["<|im_end|>", "<|endoftext|>"])
    assert generate.stop_ids(tok, "chat") == [im_end, eot]
    assert generate.stop_ids(tok, "tokenizer") == [im_end] == [tok.eos_token_id]
    with pytest.raises(ValueError, match="decoding.eos"):
        generate.stop_ids(tok, "both")
