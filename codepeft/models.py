"""Model loading (hub id or local path, same `from_pretrained` code path) and the tiny demo model.

The tiny model is a Qwen2-architecture causal LM (hidden 128, 2 layers, 4 heads, 2 KV heads)
with a byte-level BPE tokenizer trained locally on the study's own training text, the Qwen
special tokens and the Qwen2.5 chat template. It has random weights: its outputs are demo
output, useful to exercise every stage offline on a CPU, never to draw conclusions.

    codepeft build-tiny-model --corpus results/data/*/*/train.jsonl --out results/base/tiny
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

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
    hidden_size: int = 128,
    layers: int = 2,
    heads: int = 4,
    kv_heads: int = 2,
    vocab_size: int = 4096,
) -> Path:
    """Build, save and return the directory of a tiny Qwen2-shaped model + tokenizer."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    out = Path(out_dir)
    texts = list(_corpus_texts(corpus_files))
    if not texts:
        raise ValueError("no text in the corpus files: cannot train the tiny model's tokenizer")
    log.info("training a byte-level BPE tokenizer on %d texts", len(texts))
    tokenizer = build_tokenizer(texts, vocab_size=vocab_size)
    im_end, pad = tokenizer.convert_tokens_to_ids(["<|im_end|>", "<|endoftext|>"])
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 2,
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
    model.generation_config = GenerationConfig(eos_token_id=[im_end, pad], pad_token_id=pad)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    (out / "codepeft_model.json").write_text(
        json.dumps({"kind": "tiny-demo", "parameters": n_params, "seed": seed}, indent=2) + "\n"
    )
    log.info("tiny model: %d parameters, vocab %d -> %s", n_params, len(tokenizer), out)
    return out


def load_tokenizer(source: str, revision: str | None = None):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source, revision=revision)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def accelerator() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def default_dtype(name: str = "auto"):
    """bf16 on GPUs that support it, float32 on CPU (no bf16 hardware: 2x slower there)."""
    import torch

    if name != "auto":
        return getattr(torch, name)
    if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float32


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="codepeft build-tiny-model", description=__doc__)
    parser.add_argument("--corpus", nargs="+", required=True, help="task data JSONL files")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    build_tiny_model(args.out, args.corpus, seed=args.seed)
    return 0
