"""Generate predictions for task records: greedy, batched, one output line per input id.

    codepeft generate --model results/base/tiny --adapter results/models/tiny/mt_qlora/multi \
        --data results/data/summarization/python/test.jsonl \
        --out results/predictions/tiny/mt_qlora/summarization/python.jsonl \
        --decoding-json '{"batch_size": 8, "max_new_tokens": 128}'

The HF backend renders each record's chat prompt with the model's template, shortens the
record's payload (code or summary) when the prompt would exceed `max_input_tokens` (flagged
`truncated`), sorts prompts by length so a batch holds similar lengths (less padding), pads
on the left and decodes greedily. The paper's way is `sort_by_length: false` (batches of 8 in
file order). Outputs are written in the input order whatever the batch order.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from codepeft import cost, postprocess
from codepeft.io import read_jsonl, write_jsonl
from codepeft.prompts import build_messages, payload_key

log = logging.getLogger("codepeft.generate")


@dataclass
class DecodingSpec:
    backend: str = "hf"
    batch_size: int = 8
    sort_by_length: bool = True
    max_input_tokens: int = 512
    max_new_tokens: int = 512
    generation_prompt: str = "training"  # training | codereval_input (paper's inference quirk)
    dtype: str = "auto"
    base_in_4bit: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, values: dict) -> DecodingSpec:
        known = set(cls.__dataclass_fields__)
        return cls(
            **{k: v for k, v in values.items() if k in known},
            extra={k: v for k, v in values.items() if k not in known},
        )


def render_prompt(tokenizer, record: dict, spec: DecodingSpec) -> tuple[str, bool]:
    """The chat-formatted prompt, its payload shortened to fit `max_input_tokens` if needed."""
    messages = build_messages(record, spec.generation_prompt)
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    n_tokens = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    if n_tokens <= spec.max_input_tokens:
        return text, False
    key = payload_key(record["task"])
    payload = record["inputs"].get(key) or ""
    payload_ids = tokenizer(payload, add_special_tokens=False)["input_ids"]
    keep = max(0, len(payload_ids) - (n_tokens - spec.max_input_tokens))
    while True:
        shortened = dict(
            record, inputs=dict(record["inputs"], **{key: tokenizer.decode(payload_ids[:keep])})
        )
        messages = build_messages(shortened, spec.generation_prompt)
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        n_tokens = len(tokenizer(text, add_special_tokens=False)["input_ids"])
        if n_tokens <= spec.max_input_tokens:
            return text, True
        if keep == 0:
            log.warning(
                "record %s: the prompt without its %s has %d tokens, more than max_input_tokens=%d",
                record["id"],
                key,
                n_tokens,
                spec.max_input_tokens,
            )
            return text, True
        keep = max(0, keep - 8)


def batch_order(lengths: Sequence[int], sort_by_length: bool) -> list[int]:
    """Indices in the order they are batched: longest first when sorting (OOM shows early)."""
    indices = list(range(len(lengths)))
    if sort_by_length:
        indices.sort(key=lambda i: -lengths[i])
    return indices


class HFBackend:
    """transformers `generate`, greedy, left padding."""

    def __init__(
        self, model_source: str, adapter: str | None, finetuned_full: str | None, spec: DecodingSpec
    ):
        import torch
        from transformers import AutoModelForCausalLM

        from codepeft.models import default_dtype, load_tokenizer

        self.spec = spec
        weights = finetuned_full or model_source
        self.tokenizer = load_tokenizer(adapter or weights)
        self.tokenizer.padding_side = "left"
        kwargs = {"dtype": default_dtype(spec.dtype)}
        if spec.base_in_4bit:
            from transformers import BitsAndBytesConfig

            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type="nf4",
                bnb_4bit_use_double_quant=True,
                bnb_4bit_compute_dtype=kwargs["dtype"],
            )
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        model = AutoModelForCausalLM.from_pretrained(weights, **kwargs)
        if adapter:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, adapter)
            if not spec.base_in_4bit:
                model = model.merge_and_unload()
        if not spec.base_in_4bit:
            model = model.to(self.device)
        model.eval()
        self.model = model
        eos = [self.tokenizer.convert_tokens_to_ids(t) for t in ("<|im_end|>", "<|endoftext|>")]
        self.eos_ids = [i for i in eos if isinstance(i, int) and i >= 0] or [
            self.tokenizer.eos_token_id
        ]

    def generate(self, prompts: Sequence[str], max_new_tokens: int) -> list[tuple[str, int]]:
        import torch

        encoded = self.tokenizer(
            list(prompts), return_tensors="pt", padding=True, add_special_tokens=False
        )
        encoded = {k: v.to(self.device) for k, v in encoded.items()}
        with torch.inference_mode():
            out = self.model.generate(
                **encoded,
                do_sample=False,
                max_new_tokens=max_new_tokens,
                eos_token_id=self.eos_ids,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        new = out[:, encoded["input_ids"].shape[1] :]
        results = []
        for row in new:
            ids = row.tolist()
            n_new = next((i + 1 for i, t in enumerate(ids) if t in self.eos_ids), len(ids))
            results.append((self.tokenizer.decode(ids[:n_new], skip_special_tokens=True), n_new))
        return results


def generate_records(backend, records: Sequence[dict], spec: DecodingSpec) -> list[dict]:
    tokenizer = backend.tokenizer
    prompts, truncated = (
        zip(*(render_prompt(tokenizer, r, spec) for r in records), strict=True)
        if records
        else ((), ())
    )
    lengths = [len(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    order = batch_order(lengths, spec.sort_by_length)
    outputs: dict[int, tuple[str, int]] = {}
    n_batches = (len(order) + spec.batch_size - 1) // spec.batch_size
    start, new_tokens = time.time(), 0
    for b in range(n_batches):
        idx = order[b * spec.batch_size : (b + 1) * spec.batch_size]
        for i, result in zip(
            idx, backend.generate([prompts[i] for i in idx], spec.max_new_tokens), strict=True
        ):
            outputs[i] = result
            new_tokens += result[1]
        elapsed = time.time() - start
        log.info(
            "batch %d/%d: %d/%d prompts, %.1f new tokens/s, eta %.0fs",
            b + 1,
            n_batches,
            len(outputs),
            len(order),
            new_tokens / max(elapsed, 1e-9),
            elapsed / (b + 1) * (n_batches - b - 1),
        )
    rows = []
    for i, record in enumerate(records):
        raw, n_new = outputs[i]
        rows.append(
            {
                "id": record["id"],
                "task": record["task"],
                "language": record["language"],
                "prompt": prompts[i],
                "raw": raw,
                "output": postprocess.clean(record["task"], raw),
                "truncated": truncated[i],
                "n_prompt_tokens": lengths[i],
                "n_new_tokens": n_new,
            }
        )
    log.info(
        "generated %d outputs, %d new tokens in %.1fs", len(rows), new_tokens, time.time() - start
    )
    return rows


def make_backend(model_source: str, adapter: str | None, full: str | None, spec: DecodingSpec):
    if spec.backend == "hf":
        return HFBackend(model_source, adapter, full, spec)
    raise ValueError(f"unknown generation backend {spec.backend!r} for single-model generation")


def reference_predictions(records: Sequence[dict]) -> list[dict]:
    """References as predictions (pseudo model/method `reference`), for analyzer baselines."""
    return [
        {
            "id": r["id"],
            "task": r["task"],
            "language": r["language"],
            "prompt": None,
            "raw": r.get("reference"),
            "output": r.get("reference") or "",
            "no_reference": r.get("reference") is None,
        }
        for r in records
    ]


def codereval_form(predictions: Sequence[dict]) -> list[dict]:
    """CoderEval's input form for its harness: {"_id", "generate_results": [code, ...]}."""
    return [{"_id": p["id"], "generate_results": [p["output"]]} for p in predictions]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="codepeft generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", required=True, help="base model: hub id or local directory")
    parser.add_argument("--adapter", default=None, help="LoRA/QLoRA adapter directory")
    parser.add_argument("--full", default=None, help="fully fine-tuned model directory")
    parser.add_argument("--data", required=True, help="task data JSONL (test split)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--codereval-out", default=None, help="also write CoderEval's form here")
    parser.add_argument("--decoding-json", default="{}")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    spec = DecodingSpec.from_dict(json.loads(args.decoding_json))
    records = read_jsonl(args.data)
    started = time.time()
    backend = make_backend(args.model, args.adapter, args.full, spec)
    loaded = time.time()
    rows = generate_records(backend, records, spec)
    write_jsonl(args.out, rows)
    # cost record beside the predictions: {lang}.cost.json (codepeft.cost)
    cost.write_generation_cost(
        cost.cost_path(args.out), rows, time.time() - loaded, loaded - started
    )
    if args.codereval_out:
        write_jsonl(args.codereval_out, codereval_form(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
