"""vLLM generation: every predictions file of one base model in one job (multi-LoRA).

    .venv-vllm/bin/python -m codepeft.vllm_backend --plan plan.json
    .venv-vllm/bin/python -m codepeft.vllm_backend --plan-json '{"model": "tiny", ...}'

A plan names one base model and its generation jobs (one per method/task/language):

    {"model": "tiny", "source": "results/base/tiny", "seed": 42, "vllm": {...engine options},
     "jobs": [{"method": "mt_qlora", "task": "summarization", "lang": "python",
               "finetune": "qlora", "trained": "results/models/tiny/mt_qlora/seed-42/multi",
               "data": "results/data/summarization/python/test.jsonl",
               "out": "results/predictions/tiny/mt_qlora/seed-42/summarization/python.jsonl",
               "decoding": {"max_new_tokens": 24, "max_input_tokens": 384, ...}}, ...]}

The base model is loaded once with LoRA enabled; zero-shot jobs run without a LoRA, adapter
jobs (qlora/lora) each through their own `LoRARequest`. Fully fine-tuned models (finetune
`full`) are loaded afterwards, one engine at a time, each after the previous one is freed.
Prompts are the HF backend's (`codepeft.generate.prepare_prompt`, same tokenizer, template
and truncation), passed to vLLM as token ids; decoding is greedy with the HF backend's stop ids
(`decoding.eos`) and, with `decoding.generation_config: model`, the model's
`repetition_penalty` (transformers applies it in greedy `generate` too). Rows and
post-processing are those of `codepeft.generate.generate_records`.

Refused at DAG time (`check_jobs`), before any GPU job: `decoding.qlora_base: nf4_unmerged`
for QLoRA adapters (the replication package's inference numerics: an NF4 double-quant base
with bitsandbytes kernels and the LoRA weights in float32, unmerged; vLLM applies LoRA in the
engine's dtype on its own kernels, so its numbers would not be the package's), and jobs of one
engine asking for different dtypes.

Runs in its own environment (vLLM pins torch/transformers releases that differ from the
project's): `.venv-vllm` from scripts/setup/vllm.sh here (CPU build), envs/vllm.yaml on GPU
clusters. The module imports vLLM only inside functions, so the plan helpers are usable (and
tested) from the project venv.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from codepeft import cost
from codepeft.generate import DecodingSpec, as_ids, generate_records, prepare_prompt, stop_ids
from codepeft.io import read_jsonl, write_jsonl
from codepeft.logs import setup_logging
from codepeft.models import load_tokenizer

log = logging.getLogger("codepeft.vllm")

ADAPTER_KINDS = ("qlora", "lora")
# vLLM serves LoRA adapters only with one of these maximum ranks.
LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)
# Options of `decoding.vllm` that are ours, not vLLM engine arguments.
OWN_OPTIONS = ("python",)


NF4_REFUSAL = (
    "method {method} ({task}): decoding.qlora_base: nf4_unmerged asks for the replication "
    "package's QLoRA inference numerics (the base in 4-bit NF4 with double quantization on "
    "bitsandbytes kernels, non-quantized weights in {dtype}, the adapter unmerged with float32 "
    "LoRA weights). vLLM cannot reproduce them: it applies LoRA adapters in the engine's dtype "
    "with its own kernels. Use decoding.backend: hf for these numerics, or "
    "decoding.qlora_base: merged to serve the adapters with vLLM."
)


def check_jobs(jobs: Sequence[dict]) -> None:
    """Fail early (at DAG time) on jobs the vLLM backend cannot serve."""
    for job in jobs:
        spec = _spec(job)
        if job["finetune"] == "qlora" and spec.qlora_base == "nf4_unmerged":
            raise ValueError(
                NF4_REFUSAL.format(method=job["method"], task=job["task"], dtype=spec.qlora_dtype)
            )
        kind = job["finetune"]
        if kind == "dora":
            raise ValueError(
                f"method {job['method']}: vLLM does not serve DoRA adapters; "
                "use decoding.backend: hf for DoRA methods"
            )
        if kind not in ("none", "full", *ADAPTER_KINDS):
            raise ValueError(f"method {job['method']}: unknown finetune kind {kind!r}")
        if kind != "none" and not job.get("trained"):
            raise ValueError(f"method {job['method']}: a {kind} job needs its trained model dir")


def engine_groups(jobs: Sequence[dict]) -> list[tuple[str | None, list[dict]]]:
    """Jobs by engine, in run order: (None = the base with LoRA, its jobs), then one per full model."""
    check_jobs(jobs)
    base = [j for j in jobs if j["finetune"] in ("none", *ADAPTER_KINDS)]
    full: dict[str, list[dict]] = {}
    for job in jobs:
        if job["finetune"] == "full":
            full.setdefault(job["trained"], []).append(job)
    groups: list[tuple[str | None, list[dict]]] = [(None, base)] if base else []
    groups += list(full.items())
    for weights, group in groups:
        dtypes = sorted({_spec(j).dtype for j in group})
        if len(dtypes) > 1:
            raise ValueError(
                f"{weights or 'the base model'}: its vLLM engine would serve jobs asking for "
                f"decoding.dtype {dtypes} (per task); one engine has one dtype. Use one dtype "
                "for every task, or decoding.backend: hf."
            )
    return groups


def adapter_rank(adapter_dir: str | os.PathLike) -> int:
    config = json.loads((Path(adapter_dir) / "adapter_config.json").read_text())
    return int(config["r"])


def lora_rank_limit(ranks: Sequence[int]) -> int:
    """The smallest rank limit vLLM accepts that fits every adapter."""
    top = max(ranks, default=8)
    for limit in LORA_RANKS:
        if limit >= top:
            return limit
    raise ValueError(f"LoRA rank {top} exceeds vLLM's largest supported rank {LORA_RANKS[-1]}")


def engine_options(
    source: str, jobs: Sequence[dict], user: dict, seed: int, has_gpu: bool, longest_prompt: int = 0
) -> dict:
    """vLLM `LLM(...)` keyword arguments for one engine; `user` (decoding.vllm) wins.

    The context length fits the longest rendered prompt (which may exceed max_input_tokens when
    the prompt without its payload is already longer) plus max_new_tokens.
    """
    adapters = sorted({j["trained"] for j in jobs if j["finetune"] in ADAPTER_KINDS})
    longest = max(
        (max(_spec(j).max_input_tokens, longest_prompt) + _spec(j).max_new_tokens for j in jobs),
        default=1024,
    )
    dtype = _spec(jobs[0]).dtype if jobs else "auto"
    options: dict = {
        "model": source,
        "seed": seed,
        "max_model_len": longest,
        # HF's default: bf16 on GPUs, float32 on CPU (codepeft.models.default_dtype)
        "dtype": dtype if dtype != "auto" else ("bfloat16" if has_gpu else "float32"),
    }
    if adapters:
        options.update(
            enable_lora=True,
            max_loras=len(adapters),
            max_cpu_loras=len(adapters),
            max_lora_rank=lora_rank_limit([adapter_rank(a) for a in adapters]),
        )
    options.update({k: v for k, v in (user or {}).items() if k not in OWN_OPTIONS})
    return options


def _spec(job: dict) -> DecodingSpec:
    return DecodingSpec.from_dict(job.get("decoding") or {})


def _has_tokenizer(path: str | os.PathLike) -> bool:
    return any((Path(path) / f).exists() for f in ("tokenizer.json", "tokenizer_config.json"))


def _tokenizer_path(job: dict, weights: str) -> str:
    """The HF backend's tokenizer: the adapter's (saved with it) or the model's."""
    trained = job.get("trained")
    return trained if trained and _has_tokenizer(trained) else weights


def _repetition_penalty(weights: str, generation_config: str = "model") -> float:
    """The model's generation_config repetition_penalty (HF greedy `generate` applies it) with
    `decoding.generation_config: model`; 1.0 (none) with `greedy`."""
    # lazy: transformers takes seconds; the DAG build imports this module (check_jobs)
    from transformers import GenerationConfig

    if generation_config != "model":
        return 1.0
    try:
        value = GenerationConfig.from_pretrained(weights).repetition_penalty
    except OSError:
        return 1.0
    return float(value) if value else 1.0


class _EngineView:
    """What `generate_records` needs: `.tokenizer` and `.generate(prompts, max_new_tokens)`."""

    def __init__(self, llm, tokenizer, lora_request, repetition_penalty: float, eos: str = "chat"):
        self.llm, self.tokenizer, self.lora_request = llm, tokenizer, lora_request
        self.repetition_penalty = repetition_penalty
        self.eos_ids = stop_ids(tokenizer, eos)

    def generate(self, prompts: Sequence, max_new_tokens: int) -> list[tuple[str, int]]:
        return [answers[0] for answers in self._run(prompts, max_new_tokens, temperature=0.0)]

    def sample(
        self, prompts: Sequence, max_new_tokens: int, sampling: dict, seed: int
    ) -> list[list[tuple[str, int]]]:
        """`sampling["n"]` answers per prompt at its temperature and top_p, seeded per request."""
        return self._run(
            prompts,
            max_new_tokens,
            n=int(sampling["n"]),
            temperature=float(sampling["temperature"]),
            top_p=float(sampling["top_p"]),
            seed=seed,
        )

    def _run(self, prompts: Sequence, max_new_tokens: int, **sampling) -> list[list]:
        # lazy: vllm takes seconds; the DAG build imports this module (check_jobs)
        from vllm import SamplingParams, TokensPrompt

        params = SamplingParams(
            **sampling,
            max_tokens=max_new_tokens,
            stop_token_ids=self.eos_ids,
            # the stop ids above and no others: vLLM would also stop at the tokenizer's eos and
            # at generation_config.json's eos ids, which `decoding.eos: tokenizer` leaves out
            ignore_eos=True,
            repetition_penalty=self.repetition_penalty,
            detokenize=False,
        )
        inputs = [TokensPrompt(prompt_token_ids=as_ids(self.tokenizer, p)) for p in prompts]
        outputs = self.llm.generate(inputs, params, lora_request=self.lora_request, use_tqdm=False)
        results = []
        for out in outputs:
            answers = []
            for answer in out.outputs:
                ids = list(answer.token_ids)
                # the HF backend's count: new tokens up to and including the first stop token
                n_new = next((i + 1 for i, t in enumerate(ids) if t in self.eos_ids), len(ids))
                answers.append(
                    (self.tokenizer.decode(ids[:n_new], skip_special_tokens=True), n_new)
                )
            results.append(answers)
        return results


def _shutdown(llm) -> None:
    """Stop the engine's processes (the caller drops its last reference, then collects)."""
    engine = getattr(llm, "llm_engine", None)
    shutdown = getattr(engine, "shutdown", None) or getattr(
        getattr(engine, "engine_core", None), "shutdown", None
    )
    if callable(shutdown):
        shutdown()


def run_plan(plan: dict) -> list[dict]:
    """Run every job of the plan; returns one summary dict per predictions file written."""
    # lazy: torch takes seconds; the DAG build imports this module (check_jobs)
    import torch

    has_gpu = torch.cuda.is_available()
    if not has_gpu:
        # vLLM's CPU build otherwise reserves 92% of the machine's RAM and refuses to start
        # when other processes hold more than 8%; a fixed KV cache (GiB) instead.
        os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    # lazy: vllm takes seconds; the DAG build imports this module (check_jobs)
    from vllm import LLM
    from vllm.lora.request import LoRARequest

    source, seed = plan["source"], int(plan.get("seed", 42))
    tokenizers: dict[str, object] = {}
    summaries = []

    def tokenizer_for(path: str, job: dict):
        template = _spec(job).model_chat_template  # the same for every job of the base model
        if path not in tokenizers:
            tokenizers[path] = load_tokenizer(path, chat_template=template)
        return tokenizers[path]

    groups = engine_groups(plan["jobs"])
    log.info(
        "%s: %d files in %d engine(s) (base with LoRA first, then full models)",
        plan.get("model", source),
        len(plan["jobs"]),
        len(groups),
    )
    for full_dir, jobs in groups:
        weights = full_dir or source
        longest_prompt = 0
        for job in jobs:
            tokenizer = tokenizer_for(_tokenizer_path(job, weights), job)
            for record in read_jsonl(job["data"]):
                _, ids, _ = prepare_prompt(tokenizer, record, _spec(job))
                longest_prompt = max(longest_prompt, len(ids))
        options = engine_options(
            weights, jobs, plan.get("vllm") or {}, seed, has_gpu, longest_prompt
        )
        log.info(
            "loading %s with %s",
            weights,
            json.dumps({k: v for k, v in options.items() if k != "model"}),
        )
        start = time.time()
        llm = LLM(**options)
        ready = time.time() - start  # engine start, shared by this engine's files
        log.info("engine ready in %.1fs", ready)
        lora_ids: dict[str, int] = {}
        for job in jobs:
            lora = None
            if job["finetune"] in ADAPTER_KINDS:
                lora_ids.setdefault(job["trained"], len(lora_ids) + 1)
                lora = LoRARequest(
                    f"{job['method']}-{lora_ids[job['trained']]}",
                    lora_ids[job["trained"]],
                    str(Path(job["trained"]).resolve()),
                )
            tokenizer = tokenizer_for(_tokenizer_path(job, weights), job)
            records = read_jsonl(job["data"])
            spec = _spec(job)
            # vLLM schedules its own batches: hand it the whole file at once
            spec = replace(spec, batch_size=max(1, len(records)))
            start = time.time()
            energy = cost.energy_meter()  # this file's generation (the engine's start aside)
            penalty = _repetition_penalty(weights, spec.generation_config)
            view = _EngineView(llm, tokenizer, lora, penalty, spec.eos)
            rows = generate_records(view, records, spec)
            elapsed = time.time() - start
            write_jsonl(job["out"], rows)
            cost.write_generation_cost(
                cost.cost_path(job["out"]), rows, elapsed, ready, "vllm", energy=energy.record()
            )
            n_new = sum(r["n_new_tokens"] for r in rows)
            summaries.append(
                {
                    "out": job["out"],
                    "records": len(rows),
                    "new_tokens": n_new,
                    "seconds": round(elapsed, 3),
                }
            )
            log.info(
                "%s/%s/%s: %d records, %d new tokens, %.1f new tokens/s -> %s",
                job["method"],
                job["task"],
                job["lang"],
                len(rows),
                n_new,
                n_new / max(elapsed, 1e-9),
                job["out"],
            )
        # free this engine (GPU memory) before the next one is built
        _shutdown(llm)
        del llm
        gc.collect()
        if has_gpu:
            torch.cuda.empty_cache()
    return summaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codepeft.vllm_backend",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--plan", help="plan JSON file")
    group.add_argument("--plan-json", help="plan as a JSON string")
    parser.add_argument("--summary", default=None, help="write per-file figures (JSON) here")
    args = parser.parse_args(argv)
    setup_logging()
    plan = json.loads(Path(args.plan).read_text() if args.plan else args.plan_json)
    summaries = run_plan(plan)
    if args.summary:
        Path(args.summary).parent.mkdir(parents=True, exist_ok=True)
        Path(args.summary).write_text(json.dumps(summaries, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
