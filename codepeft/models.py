"""Model loading (hub id or local path, same `from_pretrained` code path) and the tiny demo model.

The tiny model is a Qwen2-architecture causal LM (hidden 192, 3 layers, 6 heads, 2 KV heads;
1.6M parameters with the embedded data's ~1,800-token vocabulary) with a byte-level BPE
tokenizer trained locally on the study's own training text and the prompts' fixed words, the
Qwen special tokens and the Qwen2.5 chat template. It is pre-trained (`pretrain`, 20 epochs,
300 steps on the embedded data, ~1.5 CPU minutes) as a plain language model on the training
splits' texts (code and docstrings, no task prompts): like a real base model it knows the code
it has seen (its loss ends near 0.06), zero-shot it continues code and text but does not know
the tasks' formats; fine-tuning teaches it those (the embedded demo's headline). Demo output,
useful to exercise every stage offline on a CPU, never to draw conclusions about real models.

    codepeft build-tiny-model --corpus results/data/*/*/train.jsonl --out results/base/tiny
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from codepeft.logs import setup_logging
from codepeft.prompts import template_texts

log = logging.getLogger(__name__)

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# ChatML as Qwen2.5 renders it for system/user/assistant messages (a default system prompt when
# none is given, and `<|im_start|>assistant\n` as the generation prompt).
CHATML_TEMPLATE = (
    "{%- if messages[0]['role'] != 'system' %}"
    "{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
    "assistant.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def qwen25_chat_template() -> str:
    """TRL's copy of the Qwen2.5 template when installed (byte-identical to Qwen's), else ChatML."""
    try:
        # lazy: trl takes seconds; only building or loading a model needs it
        import trl

        path = Path(trl.__file__).parent / "chat_templates" / "qwen2_5.jinja"
        if path.is_file():
            return path.read_text()
    except ImportError:
        pass
    return CHATML_TEMPLATE


def _corpus_texts(paths: Iterable[str | os.PathLike]) -> Iterator[str]:
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                yield from (str(v) for v in record.get("inputs", {}).values() if v)
                if record.get("reference"):
                    yield str(record["reference"])


def build_tokenizer(corpus: Iterable[str], vocab_size: int = 4096):
    # lazy: tokenizers/transformers take seconds; only building or loading a model needs them
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>", "<|im_end|>"],
        model_max_length=32768,
    )
    fast.chat_template = qwen25_chat_template()
    return fast


def build_tiny_model(
    out_dir: str | os.PathLike,
    corpus_files: Iterable[str | os.PathLike],
    seed: int = 42,
    hidden_size: int = 192,
    layers: int = 3,
    heads: int = 6,
    kv_heads: int = 2,
    vocab_size: int = 4096,
    pretrain_epochs: float = 20,
) -> Path:
    """Build, save and return the directory of a tiny Qwen2-shaped model + tokenizer.

    The random model is then pre-trained as a plain language model (no chat template, no task
    prompts) on the corpus texts for `pretrain_epochs` (0: none), the way a real base model
    has seen code and text before it is fine-tuned: LoRA adapters on a purely random base
    barely learn in a CPU minute, on a pre-trained one they learn the tasks' formats."""
    # lazy: torch/transformers take seconds; only building or loading a model needs them
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    out = Path(out_dir)
    texts = list(_corpus_texts(corpus_files))
    if not texts:
        raise ValueError("no text in the corpus files: cannot train the tiny model's tokenizer")
    log.info("training a byte-level BPE tokenizer on %d texts and the prompts", len(texts))
    tokenizer = build_tokenizer(texts + template_texts(), vocab_size=vocab_size)
    im_end, pad = tokenizer.convert_tokens_to_ids(["<|im_end|>", "<|endoftext|>"])
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 3,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        eos_token_id=im_end,
        pad_token_id=pad,
        bos_token_id=None,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    pretrained = pretrain(model, tokenizer, texts, epochs=pretrain_epochs, seed=seed)
    model.generation_config = GenerationConfig(eos_token_id=[im_end, pad], pad_token_id=pad)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    info = {"kind": "tiny-demo", "parameters": n_params, "seed": seed, "pretraining": pretrained}
    (out / "codepeft_model.json").write_text(json.dumps(info, indent=2) + "\n")
    log.info("tiny model: %d parameters, vocab %d -> %s", n_params, len(tokenizer), out)
    return out


def pretrain(
    model,
    tokenizer,
    texts: list[str],
    epochs: float = 2,
    block: int = 128,
    batch_size: int = 16,
    learning_rate: float = 3e-3,
    seed: int = 42,
) -> dict:
    """Causal-LM pre-training of `model` in place on `texts` joined by end-of-text tokens and
    cut into `block`-token rows (shuffled with `seed`); returns what was done (with the first
    and last loss), recorded in codepeft_model.json."""
    # lazy: torch takes seconds; only building or loading a model needs it
    import torch

    if epochs <= 0:
        return {"epochs": 0}
    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    ids: list[int] = []
    for text in texts:
        ids += tokenizer(text, add_special_tokens=False)["input_ids"] + [eos]
    rows = torch.tensor(ids[: len(ids) // block * block], dtype=torch.long).view(-1, block)
    if len(rows) == 0:
        return {"epochs": 0, "note": f"corpus shorter than one {block}-token block"}
    generator = torch.Generator().manual_seed(seed)
    steps_per_epoch = math.ceil(len(rows) / batch_size)
    total = max(1, round(epochs * steps_per_epoch))
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda k: min(1.0, (k + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * k / total)),
    )
    model.train()
    losses, order, step = [], torch.empty(0, dtype=torch.long), 0
    while step < total:
        if len(order) < batch_size:
            order = torch.cat([order, torch.randperm(len(rows), generator=generator)])
        batch, order = rows[order[:batch_size]], order[batch_size:]
        loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        step += 1
        if step == 1 or step % 20 == 0 or step == total:
            log.info("pre-training step %d/%d: loss %.3f", step, total, losses[-1])
    model.eval()
    return {
        "epochs": epochs,
        "steps": total,
        "tokens_per_epoch": int(rows.numel()),
        "block": block,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "loss_first": losses[0],
        "loss_last": losses[-1],
    }


def load_tokenizer(source: str, revision: str | None = None):
    # lazy: transformers takes seconds; only building or loading a model needs it
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source, revision=revision)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def accelerator() -> str:
    # lazy: torch takes seconds; only building or loading a model needs it
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def default_dtype(name: str = "auto"):
    """bf16 on GPUs that support it, float32 on CPU (no bf16 hardware: 2x slower there)."""
    # lazy: torch takes seconds; only building or loading a model needs it
    import torch

    if name != "auto":
        return getattr(torch, name)
    if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float32


QLORA_BASES = ("merged", "nf4_unmerged")


def adapter_finetune(adapter_dir: str | os.PathLike, declared: str | None = None) -> str | None:
    """How an adapter was really trained: `finetune_used` of its codepeft_training.json (a QLoRA
    method that fell back to plain LoRA says `lora`), else the method's declared kind."""
    record = Path(adapter_dir) / "codepeft_training.json"
    if record.is_file():
        try:
            return json.loads(record.read_text()).get("finetune_used") or declared
        except (OSError, ValueError):
            pass
    return declared


def load_inference_model(
    weights: str,
    adapter: str | None = None,
    *,
    finetune: str | None = None,
    dtype: str = "auto",
    qlora_base: str = "merged",
    qlora_dtype: str = "auto",
    qlora_compute_dtype: str = "auto",
    device: str | None = None,
):
    """The model that answers at inference, and a dict saying how its weights are held.

    - No adapter (zero-shot, full fine-tuning): `weights` in `dtype`.
    - A QLoRA adapter with `qlora_base: nf4_unmerged` (the replication package): the base in
      4-bit NF4 with double quantization and `qlora_compute_dtype` compute, its non-quantized
      weights (embeddings, lm_head, norms, biases) in `qlora_dtype`, the adapter applied
      unmerged with peft's default `autocast_adapter_dtype` (LoRA weights in float32).
    - Any other adapter (LoRA, DoRA, or QLoRA with `qlora_base: merged`): the base in `dtype`
      with the adapter merged into it (`merge_and_unload`).
    `auto` dtypes: bf16 on GPUs that support it, float32 elsewhere.
    """
    # lazy: transformers takes seconds; only building or loading a model needs it
    from transformers import AutoModelForCausalLM

    if qlora_base not in QLORA_BASES:
        raise ValueError(f"unknown decoding.qlora_base {qlora_base!r}; known: {QLORA_BASES}")
    device = device or accelerator()
    kind = adapter_finetune(adapter, finetune) if adapter else finetune
    unmerged_4bit = bool(adapter) and kind == "qlora" and qlora_base == "nf4_unmerged"
    info = {"finetune": kind, "qlora_base": qlora_base if kind == "qlora" else None}
    if unmerged_4bit:
        # lazy: peft/transformers take seconds; only building or loading a model needs them
        from peft import PeftModel
        from transformers import BitsAndBytesConfig

        compute = default_dtype(qlora_compute_dtype)
        held = default_dtype(qlora_dtype)
        model = AutoModelForCausalLM.from_pretrained(
            weights,
            quantization_config=BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type="nf4",
                bnb_4bit_use_double_quant=True,
                bnb_4bit_compute_dtype=compute,
            ),
            dtype=held,
            device_map={"": 0 if device == "cuda" else device},
        )
        model = PeftModel.from_pretrained(model, adapter)  # autocast_adapter_dtype: LoRA fp32
        info.update(
            base="nf4 double-quant, adapter unmerged",
            compute_dtype=str(compute).removeprefix("torch."),
            dtype=str(held).removeprefix("torch."),
        )
    else:
        held = default_dtype(dtype)
        model = AutoModelForCausalLM.from_pretrained(weights, dtype=held)
        if adapter:
            # lazy: peft takes seconds; only building or loading a model needs it
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
        model = model.to(device)
        info.update(
            base="adapter merged" if adapter else "full weights",
            dtype=str(held).removeprefix("torch."),
        )
    model.eval()
    log.info("inference model %s%s: %s", weights, f" + {adapter}" if adapter else "", info)
    return model, info


def parameter_dtypes(model) -> dict[str, str]:
    """Parameter name -> dtype name (e.g. 'float16', 'uint8'), for checks and logs."""
    return {n: str(p.dtype).removeprefix("torch.") for n, p in model.named_parameters()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="codepeft build-tiny-model", description=__doc__)
    parser.add_argument("--corpus", nargs="+", required=True, help="task data JSONL files")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    setup_logging()
    build_tiny_model(args.out, args.corpus, seed=args.seed)
    return 0
