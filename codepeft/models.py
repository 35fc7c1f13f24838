"""Model loading (hub id or local path, same `from_pretrained` code path), the LoRA target
modules of an architecture (`lora_target_modules`) and the tiny demo models.

Any causal LM loads the same way: its tokenizer with its own chat template or a named one
(`load_tokenizer(..., chat_template=)`, codepeft.prompts), its adapters on every linear
projection of its decoder blocks when `target_modules` is `auto` (`lora_target_modules`:
Qwen2/Llama `q_proj` ... `down_proj`, GPT-2's Conv1D `c_attn`, `c_proj`, `c_fc`; never lm_head).

The tiny model (`build: tiny`) is a Qwen2-architecture causal LM (hidden 192, 3 layers, 6 heads, 2 KV heads;
1.6M parameters with the embedded data's ~1,800-token vocabulary) with a byte-level BPE
tokenizer trained locally on the study's own training text and the prompts' fixed words, the
Qwen special tokens and the Qwen2.5 chat template. It is pre-trained (`pretrain`, 20 epochs,
300 steps on the embedded data, ~1.5 CPU minutes) as a plain language model on the training
splits' texts (code and docstrings, no task prompts): like a real base model it knows the code
it has seen (its loss ends near 0.06), zero-shot it continues code and text but does not know
the tasks' formats; fine-tuning teaches it those (the embedded demo's headline). Demo output,
useful to exercise every stage offline on a CPU, never to draw conclusions about real models.

`build: tiny_llama` builds the same size of model with the Llama architecture (LlamaConfig,
untied embeddings) and a tokenizer of its own: Llama 3's special tokens (`<|begin_of_text|>`,
`<|start_header_id|>`, `<|end_header_id|>`, `<|eot_id|>`, `<|end_of_text|>`) and no chat
template, like a base model's (the config names one: `chat_template: llama3`).

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
from codepeft.prompts import set_chat_template, template_texts

log = logging.getLogger(__name__)

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
#: the tiny demo architectures (`models.<m>.build`): their special tokens (the first is the
#: end-of-text token pre-training separates texts with and padding uses), eos and bos
TINY_ARCHITECTURES = {
    "tiny": {
        "special": SPECIAL_TOKENS,
        "eos": "<|im_end|>",
        "bos": None,
        "extra": ["<|im_start|>", "<|im_end|>"],
    },
    "tiny_llama": {
        "special": [
            "<|end_of_text|>",
            "<|begin_of_text|>",
            "<|start_header_id|>",
            "<|end_header_id|>",
            "<|eot_id|>",
        ],
        "eos": "<|eot_id|>",
        "bos": "<|begin_of_text|>",
        "extra": ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
    },
}

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


def build_tokenizer(corpus: Iterable[str], vocab_size: int = 4096, build: str = "tiny"):
    """A byte-level BPE tokenizer learnt from `corpus` with the special tokens of the tiny
    architecture `build` (`TINY_ARCHITECTURES`): Qwen's with the Qwen2.5 chat template, or
    Llama 3's without a chat template (a base model's tokenizer)."""
    # lazy: tokenizers/transformers take seconds; only building or loading a model needs them
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    arch = TINY_ARCHITECTURES[build]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=arch["special"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token=arch["eos"],
        bos_token=arch["bos"],
        pad_token=arch["special"][0],
        additional_special_tokens=arch["extra"],
        model_max_length=32768,
    )
    if build == "tiny":
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
    build: str = "tiny",
) -> Path:
    """Build, save and return the directory of a tiny model + tokenizer: Qwen2-shaped
    (`build: tiny`) or Llama-shaped (`tiny_llama`, untied embeddings), the same sizes.

    The random model is then pre-trained as a plain language model (no chat template, no task
    prompts) on the corpus texts for `pretrain_epochs` (0: none), the way a real base model
    has seen code and text before it is fine-tuned: LoRA adapters on a purely random base
    barely learn in a CPU minute, on a pre-trained one they learn the tasks' formats."""
    # lazy: torch/transformers take seconds; only building or loading a model needs them
    import torch
    from transformers import (
        GenerationConfig,
        LlamaConfig,
        LlamaForCausalLM,
        Qwen2Config,
        Qwen2ForCausalLM,
    )

    if build not in TINY_ARCHITECTURES:
        raise ValueError(f"unknown tiny model {build!r}; known: {sorted(TINY_ARCHITECTURES)}")
    out = Path(out_dir)
    texts = list(_corpus_texts(corpus_files))
    if not texts:
        raise ValueError("no text in the corpus files: cannot train the tiny model's tokenizer")
    log.info("training a byte-level BPE tokenizer on %d texts and the prompts", len(texts))
    tokenizer = build_tokenizer(texts + template_texts(), vocab_size=vocab_size, build=build)
    eos, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    shape = dict(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 3,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        max_position_embeddings=4096,
        eos_token_id=eos,
        pad_token_id=pad,
        bos_token_id=tokenizer.bos_token_id,
    )
    torch.manual_seed(seed)
    if build == "tiny":
        model = Qwen2ForCausalLM(Qwen2Config(**shape, tie_word_embeddings=True))
    else:
        model = LlamaForCausalLM(LlamaConfig(**shape, tie_word_embeddings=False))
    pretrained = pretrain(model, tokenizer, texts, epochs=pretrain_epochs, seed=seed)
    model.generation_config = GenerationConfig(eos_token_id=[eos, pad], pad_token_id=pad)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    info = {
        "kind": "tiny-demo",
        "architecture": model.config.architectures[0]
        if model.config.architectures
        else type(model).__name__,
        "parameters": n_params,
        "seed": seed,
        "pretraining": pretrained,
    }
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
    eos = tokenizer.pad_token_id  # the end-of-text token (TINY_ARCHITECTURES)
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


def load_tokenizer(source: str, revision: str | None = None, chat_template: str | None = None):
    """The tokenizer of `source` with a pad token (its eos when it has none) and its chat
    template in force: `chat_template` (a name of codepeft.prompts.NAMED_CHAT_TEMPLATES,
    `models.<m>.chat_template`) replaces its own; None keeps its own, and a tokenizer without
    one is an error (codepeft.prompts.MissingChatTemplate)."""
    # lazy: transformers takes seconds; only building or loading a model needs it
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source, revision=revision)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return set_chat_template(tokenizer, chat_template, source)


def lora_target_modules(model) -> list[str]:
    """The names (last component, sorted) of every linear projection inside the decoder blocks
    of `model`: `torch.nn.Linear` and transformers' `Conv1D` (GPT-2's fused projections)
    modules under a numbered block (`....layers.3.self_attn.q_proj`, `transformer.h.0.mlp.c_fc`),
    so never lm_head, the embeddings or a classifier head. Qwen2 and Llama give q_proj, k_proj,
    v_proj, o_proj, gate_proj, up_proj, down_proj; GPT-2 c_attn, c_proj, c_fc."""
    # lazy: torch/transformers take seconds; only training or inspecting a model needs them
    import torch
    from transformers.pytorch_utils import Conv1D

    kinds = (torch.nn.Linear, Conv1D)  # bitsandbytes' 4-bit and 8-bit layers are Linear too
    names = set()
    for name, module in model.named_modules():
        parts = name.split(".")
        in_block = any(p.isdigit() for p in parts[:-1])
        if in_block and isinstance(module, kinds) and "lora_" not in name:
            names.add(parts[-1])
    return sorted(names)


def resolve_target_modules(model, configured) -> list[str]:
    """The LoRA target modules of a training: `auto` = `lora_target_modules(model)`; a list is
    checked against the model (none of its names a module of the model is an error naming
    the model's projections and the option to set)."""
    found = lora_target_modules(model)
    if configured == "auto":
        if not found:
            raise ValueError(
                f"no linear projection found in the decoder blocks of {model_name(model)}"
            )
        return found
    chosen = list(configured)
    present = {name.split(".")[-1] for name, _ in model.named_modules()}
    if not any(name.split(".")[-1] in present for name in chosen):
        raise ValueError(
            f"none of the LoRA target modules {chosen} is a module of {model_name(model)}; its "
            f"decoder blocks' projections are {found}: set models.<name>.target_modules: auto "
            "(or that list)"
        )
    missed = sorted(set(found) - {name.split(".")[-1] for name in chosen})
    if missed:
        log.warning(
            "LoRA targets %s leave out projections %s of %s", chosen, missed, model_name(model)
        )
    return chosen


def model_name(model) -> str:
    config = getattr(model, "config", None)
    arch = (getattr(config, "architectures", None) or [type(model).__name__])[0]
    return f"{getattr(config, 'name_or_path', '') or 'the model'} ({arch})"


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
    parser.add_argument("--build", choices=sorted(TINY_ARCHITECTURES), default="tiny")
    args = parser.parse_args(argv)
    setup_logging()
    build_tiny_model(args.out, args.corpus, seed=args.seed, build=args.build)
    return 0
