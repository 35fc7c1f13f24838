"""Generate predictions for task records: greedy, batched, one output line per input id.

    codepeft generate --model results/base/tiny --adapter results/models/tiny/mt_qlora/seed-42/multi \
        --data results/data/summarization/python/test.jsonl \
        --out results/predictions/tiny/mt_qlora/seed-42/summarization/python.jsonl \
        --decoding-json '{"batch_size": 8, "max_new_tokens": 128}'

The HF backend renders each record's chat prompt (`chat_template`: the model's own, or the
replication package's Human/Assistant override), fits it to `max_input_tokens` as
`truncation` says (`payload`: shorten the record's code or summary; `prompt_right`: cut the
whole tokenized prompt from the right, as the package did for summarization; `none`), sorts
prompts by length when `sort_by_length` (less padding), pads on the left and decodes greedily
(`generation_config`: `greedy` = no other logits processor, `model` = the model's own
generation_config.json in force; `eos`: `chat` = stop at the end-of-turn and end-of-text
tokens the tokenizer has (<|im_end|>, <|endoftext|>; Llama 3's <|eot_id|>, <|end_of_text|>)
and its eos, `tokenizer` = the tokenizer's eos only). Outputs are written in the input order whatever the
batch order, post-processed by `postprocess.<task>` (codepeft.postprocess). Options that may
differ per task (batch_size, max_new_tokens, truncation, chat_template, postprocess, dtype,
qlora_dtype) take a value or a {task: value} object. docs/generation.md lists them all.

Sampling (`sampling`: {n, temperature, top_p, seed}, set by `codepeft.study.decoding_spec` only
when it is not the default single greedy answer): each prompt gets n answers drawn at the
temperature, the random generator seeded with seed + the batch's number before each batch, so
the same file, spec and machine draw the same answers. The row then holds every answer
(`outputs`, `raws`), its first as `output`, and the sampling settings with the seed.
A test set's problem (`inputs.prompt`, `codepeft.data.testsets`) has each answer made a whole
program (`codepeft.postprocess.complete_program`).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from codepeft import cost, postprocess
from codepeft.config import schema_defaults
from codepeft.decoding import PER_TASK, resolve, task_defaults
from codepeft.io import read_jsonl, write_jsonl
from codepeft.logs import setup_logging
from codepeft.models import load_inference_model, load_tokenizer
from codepeft.prompts import build_messages, payload_key, render_chat, uses_codereval_input

log = logging.getLogger("codepeft.generate")

TRUNCATIONS = ("payload", "prompt_right", "none")
GENERATION_CONFIGS = ("greedy", "model")
EOS_CHOICES = ("chat", "tokenizer")
# end-of-turn / end-of-text tokens of the chat formats (ChatML, Llama 3), in this order
CHAT_STOP_TOKENS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>")


#: the schema's `decoding` defaults (workflow/schemas/config.schema.yaml): the one source
_DEFAULTS = schema_defaults("decoding")


@dataclass
class DecodingSpec:
    """The decoding options of one task (a `decoding` section with its per-task options
    resolved). Defaults: the schema's; a per-task option whose schema default differs by
    task (max_new_tokens, postprocess) takes it from `from_dict(values, task)`, else the
    value below (postprocess None: the task's default mode)."""

    backend: str = _DEFAULTS["backend"]
    batch_size: int = _DEFAULTS["batch_size"]
    sort_by_length: bool = _DEFAULTS["sort_by_length"]
    max_input_tokens: int = _DEFAULTS["max_input_tokens"]
    max_new_tokens: int = max(_DEFAULTS["max_new_tokens"].values())  # without a task
    truncation: str = _DEFAULTS["truncation"]  # payload | prompt_right (package) | none
    generation_prompt: str = _DEFAULTS["generation_prompt"]  # training | codereval_input
    # Java generation: "Method" or "Function" (the `prompts` section, multi-task models)
    java_generation_label: str = schema_defaults("prompts", "java_generation_label")["multi"]
    chat_template: str = _DEFAULTS["chat_template"]  # model | human_assistant (package)
    # the model's named chat template (`models.<m>.chat_template`; None: its tokenizer's own)
    model_chat_template: str | None = None
    generation_config: str = _DEFAULTS["generation_config"]  # greedy | model (package)
    eos: str = _DEFAULTS["eos"]  # chat | tokenizer (package: the tokenizer's single eos id)
    postprocess: str | None = None  # per task, codepeft.postprocess.MODES; None = default
    keep_fence_language_tag: bool = _DEFAULTS["keep_fence_language_tag"]  # package: true
    dtype: str = _DEFAULTS["dtype"]  # full weights, merged adapters
    qlora_base: str = _DEFAULTS["qlora_base"]  # merged | nf4_unmerged (package)
    qlora_dtype: str = _DEFAULTS["qlora_dtype"]  # non-quantized weights of an nf4_unmerged base
    qlora_compute_dtype: str = _DEFAULTS["qlora_compute_dtype"]  # bnb 4-bit compute dtype
    # {n, temperature, top_p, seed} when sampled; None: one greedy answer (the default)
    sampling: dict | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, values: dict, task: str | None = None) -> DecodingSpec:
        """The spec of `values` (a `decoding` section or a resolved one); with `task`, the
        per-task options are resolved to that task's values first and options not given take
        the schema's default for that task."""
        if task is not None:
            values = {**task_defaults(task), **resolve(values, task)}
        known = {f.name for f in fields(cls)} - {"extra"}
        unresolved = sorted(k for k in PER_TASK if isinstance(values.get(k), dict))
        if unresolved:
            raise ValueError(
                f"decoding options {unresolved} are given per task: resolve them for one task "
                "(DecodingSpec.from_dict(values, task))"
            )
        sampling = values.get("sampling")
        if sampling is not None and sampling.get("n", 1) == 1 and not sampling.get("temperature"):
            values = {**values, "sampling": None}  # the schema's default: one greedy answer
        elif sampling is not None and "seed" not in sampling:
            raise ValueError(
                "decoding.sampling needs its seed (codepeft.study.decoding_spec adds the study's)"
            )
        return cls(
            **{k: v for k, v in values.items() if k in known},
            extra={k: v for k, v in values.items() if k not in known and k != "extra"},
        )


def _tokens(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def _render(tokenizer, record: dict, spec: DecodingSpec) -> str:
    messages = build_messages(record, spec.generation_prompt, spec.java_generation_label)
    return render_chat(tokenizer, messages, spec.chat_template)


def prepare_prompt(tokenizer, record: dict, spec: DecodingSpec) -> tuple[str, list[int], bool]:
    """(prompt text as the model sees it, its token ids, truncated?) under `spec.truncation`:

    - `payload`: the record's code (generation: the summary, or CoderEval's input with
      `generation_prompt: codereval_input`) is shortened until the rendered prompt fits
      `max_input_tokens`; the chat template stays whole.
    - `prompt_right`: the whole rendered prompt is tokenized and cut to its first
      `max_input_tokens` tokens (the package's summarization: `truncation=True, max_length=512`
      with right-side truncation), so an over-long prompt loses its end, the assistant header
      included. The text is the kept tokens decoded.
    - `none`: the prompt as rendered, however long.
    """
    if spec.truncation not in TRUNCATIONS:
        raise ValueError(f"unknown truncation {spec.truncation!r}; known: {TRUNCATIONS}")
    text = _render(tokenizer, record, spec)
    ids = _tokens(tokenizer, text)
    if spec.truncation == "none" or len(ids) <= spec.max_input_tokens:
        return text, ids, False
    if spec.truncation == "prompt_right":
        kept = ids[: spec.max_input_tokens]
        return tokenizer.decode(kept, skip_special_tokens=False), kept, True
    key = payload_key(record["task"], record["inputs"])
    if key == "summary" and uses_codereval_input(record["inputs"], spec.generation_prompt):
        key = "input"  # the user turn is CoderEval's input: shorten that
    payload = record["inputs"].get(key) or ""
    payload_ids = _tokens(tokenizer, payload)
    keep = max(0, len(payload_ids) - (len(ids) - spec.max_input_tokens))
    while True:
        shortened = dict(
            record, inputs=dict(record["inputs"], **{key: tokenizer.decode(payload_ids[:keep])})
        )
        text = _render(tokenizer, shortened, spec)
        ids = _tokens(tokenizer, text)
        if len(ids) <= spec.max_input_tokens:
            return text, ids, True
        if keep == 0:
            log.warning(
                "record %s: the prompt without its %s has %d tokens, more than max_input_tokens=%d",
                record["id"],
                key,
                len(ids),
                spec.max_input_tokens,
            )
            return text, ids, True
        keep = max(0, keep - 8)


def render_prompt(tokenizer, record: dict, spec: DecodingSpec) -> tuple[str, bool]:
    """The prompt text and whether it was truncated (`prepare_prompt` without the ids)."""
    text, _, truncated = prepare_prompt(tokenizer, record, spec)
    return text, truncated


def batch_order(lengths: Sequence[int], sort_by_length: bool) -> list[int]:
    """Indices in the order they are batched: longest first when sorting (OOM shows early)."""
    indices = list(range(len(lengths)))
    if sort_by_length:
        indices.sort(key=lambda i: -lengths[i])
    return indices


def stop_ids(tokenizer, eos: str = "chat") -> list[int]:
    """Token ids that end an answer: `chat` = the `CHAT_STOP_TOKENS` the tokenizer has
    (<|im_end|> and <|endoftext|> for Qwen, <|eot_id|> and <|end_of_text|> for Llama 3), then
    its eos id when not among them; `tokenizer` = the tokenizer's eos id alone (the package
    passed `eos_token_id=tokenizer.eos_token_id`, overriding the generation config's list)."""
    if eos not in EOS_CHOICES:
        raise ValueError(f"unknown decoding.eos {eos!r}; known: {EOS_CHOICES}")
    if eos == "chat":
        vocab = tokenizer.get_vocab()  # membership, not convert_tokens_to_ids: that gives unk
        found = [vocab[t] for t in CHAT_STOP_TOKENS if t in vocab]
        if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in found:
            found.append(tokenizer.eos_token_id)
        if found:
            return found
    return [tokenizer.eos_token_id]


def has_tokenizer(path) -> bool:
    return any((Path(path) / f).exists() for f in ("tokenizer.json", "tokenizer_config.json"))


def as_ids(tokenizer, prompt) -> list[int]:
    """A prompt given as text or as token ids -> token ids."""
    return _tokens(tokenizer, prompt) if isinstance(prompt, str) else list(prompt)


class HFBackend:
    """transformers `generate`, greedy, left padding (codepeft.models.load_inference_model)."""

    def __init__(
        self,
        model_source: str,
        adapter: str | None,
        finetuned_full: str | None,
        spec: DecodingSpec,
        finetune: str | None = None,
    ):
        self.spec = spec
        weights = finetuned_full or model_source
        # the tokenizer saved with the adapter (training saves it there), else the model's
        self.tokenizer = load_tokenizer(
            adapter if adapter and has_tokenizer(adapter) else weights,
            chat_template=spec.model_chat_template,
        )
        self.tokenizer.padding_side = "left"
        self.model, self.numerics = load_inference_model(
            weights,
            adapter,
            finetune=finetune or ("qlora" if adapter else None),
            dtype=spec.dtype,
            qlora_base=spec.qlora_base,
            qlora_dtype=spec.qlora_dtype,
            qlora_compute_dtype=spec.qlora_compute_dtype,
        )
        self.device = next(self.model.parameters()).device
        self.eos_ids = stop_ids(self.tokenizer, spec.eos)
        if spec.generation_config not in GENERATION_CONFIGS:
            raise ValueError(
                f"unknown decoding.generation_config {spec.generation_config!r}; "
                f"known: {GENERATION_CONFIGS}"
            )
        inner = self.model.get_base_model() if hasattr(self.model, "get_base_model") else self.model
        if spec.generation_config == "greedy":
            # lazy: transformers takes seconds; DecodingSpec and prompts (the vLLM job) do without
            from transformers import GenerationConfig

            # nothing from the model's generation_config.json (repetition_penalty, ...) applies
            inner.generation_config = GenerationConfig(
                eos_token_id=self.eos_ids, pad_token_id=self.tokenizer.pad_token_id
            )
        self.generation_config = inner.generation_config
        log.info(
            "decoding: greedy, stop ids %s, repetition_penalty %s (generation_config: %s)",
            self.eos_ids,
            self.generation_config.repetition_penalty,
            spec.generation_config,
        )

    def generate(self, prompts: Sequence, max_new_tokens: int) -> list[tuple[str, int]]:
        """Greedy answers to prompts (texts or token ids): (decoded text, new tokens up to and
        including the first stop id)."""
        # lazy: torch takes seconds; DecodingSpec and prompts (the vLLM job) do without
        import torch

        encoded = self.tokenizer.pad(
            {"input_ids": [as_ids(self.tokenizer, p) for p in prompts]},
            padding=True,
            return_tensors="pt",
        )
        encoded = {k: v.to(self.device) for k, v in encoded.items()}
        with torch.inference_mode():
            out = self.model.generate(
                **encoded,
                do_sample=False,
                max_new_tokens=max_new_tokens,
                eos_token_id=self.eos_ids if len(self.eos_ids) > 1 else self.eos_ids[0],
                pad_token_id=self.tokenizer.pad_token_id,
            )
        new = out[:, encoded["input_ids"].shape[1] :]
        return [self._decode(row.tolist()) for row in new]

    def _decode(self, ids: list[int]) -> tuple[str, int]:
        n_new = next((i + 1 for i, t in enumerate(ids) if t in self.eos_ids), len(ids))
        return self.tokenizer.decode(ids[:n_new], skip_special_tokens=True), n_new

    def sample(
        self, prompts: Sequence, max_new_tokens: int, sampling: dict, seed: int
    ) -> list[list[tuple[str, int]]]:
        """`sampling["n"]` answers per prompt drawn at its temperature and top_p (no top-k),
        the generator seeded with `seed` first: per prompt, its answers."""
        # lazy: torch takes seconds; DecodingSpec and prompts (the vLLM job) do without
        import torch

        torch.manual_seed(seed)
        encoded = self.tokenizer.pad(
            {"input_ids": [as_ids(self.tokenizer, p) for p in prompts]},
            padding=True,
            return_tensors="pt",
        )
        encoded = {k: v.to(self.device) for k, v in encoded.items()}
        n = int(sampling["n"])
        with torch.inference_mode():
            out = self.model.generate(
                **encoded,
                do_sample=True,
                temperature=float(sampling["temperature"]),
                top_p=float(sampling["top_p"]),
                top_k=0,
                num_return_sequences=n,
                max_new_tokens=max_new_tokens,
                eos_token_id=self.eos_ids if len(self.eos_ids) > 1 else self.eos_ids[0],
                pad_token_id=self.tokenizer.pad_token_id,
            )
        new = out[:, encoded["input_ids"].shape[1] :]  # n rows per prompt, in prompt order
        return [
            [self._decode(row.tolist()) for row in new[i * n : (i + 1) * n]]
            for i in range(len(prompts))
        ]


def generate_records(backend, records: Sequence[dict], spec: DecodingSpec) -> list[dict]:
    """One row per record, in the records' order (spec: resolved for the records' task)."""
    tokenizer = backend.tokenizer
    prepared = [prepare_prompt(tokenizer, r, spec) for r in records]
    lengths = [len(ids) for _, ids, _ in prepared]
    order = batch_order(lengths, spec.sort_by_length)
    outputs: dict[int, list[tuple[str, int]]] = {}  # per record, its answers
    n_batches = (len(order) + spec.batch_size - 1) // spec.batch_size
    start, new_tokens = time.time(), 0
    for b in range(n_batches):
        idx = order[b * spec.batch_size : (b + 1) * spec.batch_size]
        prompts = [prepared[i][1] for i in idx]
        if spec.sampling:
            answers = backend.sample(
                prompts, spec.max_new_tokens, spec.sampling, int(spec.sampling["seed"]) + b
            )
        else:
            answers = [[one] for one in backend.generate(prompts, spec.max_new_tokens)]
        for i, result in zip(idx, answers, strict=True):
            outputs[i] = result
            new_tokens += sum(n for _, n in result)
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
        text, ids, truncated = prepared[i]
        mode = spec.postprocess or postprocess.DEFAULT_MODES.get(record["task"])
        # the package decoded prompt and answer together (special tokens skipped)
        plain = tokenizer.decode(ids, skip_special_tokens=True) if mode == "last_assistant" else ""

        def clean(raw, record=record, mode=mode, plain=plain):
            cleaned = postprocess.clean(
                record["task"], raw, mode, plain, spec.keep_fence_language_tag
            )
            inputs = record["inputs"]
            if inputs.get("prompt") is None:
                return cleaned
            return postprocess.complete_program(cleaned, inputs["prompt"], inputs["entry_point"])

        answers = outputs[i]
        row = {
            "id": record["id"],
            "task": record["task"],
            "language": record["language"],
            "prompt": text,
            "raw": answers[0][0],
            "output": clean(answers[0][0]),
            "truncated": truncated,
            "n_prompt_tokens": lengths[i],
            "n_new_tokens": sum(n for _, n in answers),
        }
        if spec.sampling:  # every answer, and how they were drawn
            row["raws"] = [raw for raw, _ in answers]
            row["outputs"] = [clean(raw) for raw, _ in answers]
            row["sampling"] = dict(sorted(spec.sampling.items()))
        rows.append(row)
    log.info(
        "generated %d outputs, %d new tokens in %.1fs", len(rows), new_tokens, time.time() - start
    )
    return rows


def make_backend(
    model_source: str,
    adapter: str | None,
    full: str | None,
    spec: DecodingSpec,
    finetune: str | None = None,
):
    if spec.backend == "hf":
        cost.start_job_energy()  # the job's energy from its model load (its cost record's)
        return HFBackend(model_source, adapter, full, spec, finetune=finetune)
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
    """CoderEval's input form for its harness: {"_id", "generate_results": [code, ...]} (every
    sampled answer when the row has `outputs`)."""
    return [
        {"_id": p["id"], "generate_results": list(p.get("outputs") or [p["output"]])}
        for p in predictions
    ]


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
    parser.add_argument(
        "--finetune",
        default=None,
        choices=["none", "qlora", "lora", "dora", "full"],
        help="how the adapter was trained (default: its codepeft_training.json, else qlora)",
    )
    parser.add_argument(
        "--decoding-json",
        default="{}",
        help="decoding options (config `decoding`); per-task objects resolve to the data's task",
    )
    args = parser.parse_args(argv)
    setup_logging()
    records = read_jsonl(args.data)
    tasks = sorted({r["task"] for r in records})
    if len(tasks) > 1:
        parser.error(f"{args.data} mixes tasks {tasks}: one task per predictions file")
    spec = DecodingSpec.from_dict(json.loads(args.decoding_json), tasks[0] if tasks else None)
    started = time.time()
    backend = make_backend(args.model, args.adapter, args.full, spec, finetune=args.finetune)
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
