"""Cost records: what a training or a generation job cost (parameters, memory, tokens, time).

Training: a `CostRecorder` is created when the job starts (wall clock and peak-memory
counters start there, so model loading counts), its `callback()` goes to the trainer, and
`record(trainer)` returns the dict that train.py stores under `"cost"` in
`codepeft_training.json`:

    {"trainable_params", "total_params", "trainable_pct", "peak_memory_gib",
     "peak_memory_kind" ("accelerator": torch's max allocated, max over devices and ranks |
     "cpu_rss": the process's peak resident set size), "tokens_seen" (this run, all ranks),
     "train_seconds" (the trainer loop), "wall_seconds" (job start to record), "tokens_per_s",
     "device_type" (cuda | cpu), "device_name", "device_count" (processes x GPUs each),
     "energy_kwh", "energy_status", "energy_source", "energy_seconds", "energy_devices"
     (codepeft.energy: the job's GPUs by NVML, its CPU packages by RAPL, where readable), ...}

Generation: `generation_cost(rows, seconds, ...)` from the predictions rows (their
`n_new_tokens` / `n_prompt_tokens`) and an energy record, written beside the predictions file
as `{lang}.cost.json` (`cost_path`) by the generate rule (HF) and the vLLM job. HF: the job's
meter, started when its model loads (`codepeft.generate.make_backend` calls
`start_job_energy`, so the rule script stays as it is and no study reruns); vLLM: one meter
around each file's generation, the engine's start aside.

CPU/GPU-hours per job come from Snakemake's benchmark files (`read_benchmark`): GPU-hours =
wall seconds x GPUs of the job; on a CPU the benchmark's `cpu_time` (CPU-hours), labelled so.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Sequence
from pathlib import Path

from codepeft import paths, study
from codepeft.energy import EnergyMeter

COST_SUFFIX = ".cost.json"
GIB = 2**30


def cost_path(predictions: str | os.PathLike) -> str:
    """`results/.../{lang}.jsonl` -> `results/.../{lang}.cost.json`."""
    text = str(predictions)
    return (text[: -len(".jsonl")] if text.endswith(".jsonl") else text) + COST_SUFFIX


def workflow_inputs(config: dict) -> dict[str, list[str]]:
    """The report rule's cost inputs: every generation's cost record. Not the benchmark
    files (`benchmark_files`): the report reads those that exist, so a missing one (a
    training run elsewhere, a cleaned results/benchmarks) never plans a training again."""
    preds = [
        paths.fill(paths.PREDICTIONS, model=m, method=meth, seed=seed, task=t, lang=lang)
        for m, meth, seed, t, lang in study.evaluated(config)
    ]
    return {"costs": [cost_path(p) for p in preds]}


def benchmark_files(config: dict) -> list[str]:
    """Snakemake's benchmark files of every training and generation job of the study (HF: one
    per predictions file; vLLM: one per base model), whether they exist or not."""
    evaluated = study.evaluated(config)
    if config["decoding"]["backend"] == "vllm":
        models = list(dict.fromkeys(m for m, *_ in evaluated))
        gen_bench = [paths.fill(paths.BENCHMARK_GENERATE_VLLM, model=m) for m in models]
    else:
        gen_bench = [
            paths.fill(paths.BENCHMARK_GENERATE, model=m, method=meth, seed=seed, task=t, lang=lang)
            for m, meth, seed, t, lang in evaluated
        ]
    train_bench = [
        paths.fill(paths.BENCHMARK_TRAIN, model=m, method=meth, seed=seed, scope=s)
        for m, meth, seed, s in study.trained_models(config)
    ]
    return train_bench + gen_bench


def _torch():
    try:
        # lazy: torch takes seconds; the DAG build imports this module
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return None
    return torch


def _world_size() -> int:
    torch = _torch()
    if torch is None:
        return 1
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return int(os.environ.get("WORLD_SIZE", "1"))


def on_gpu() -> bool:
    torch = _torch()
    return torch is not None and torch.cuda.is_available()


def energy_meter() -> EnergyMeter:
    """An energy meter of this job's devices (GPUs when torch sees any, else CPUs), from now."""
    return EnergyMeter(gpus=on_gpu())


def device_info() -> dict:
    """Device type, name and how many this job uses (one per process; 1 on a CPU)."""
    torch = _torch()
    if torch is not None and torch.cuda.is_available():
        return {
            "device_type": "cuda",
            "device_name": torch.cuda.get_device_name(0),
            "device_count": _world_size(),
            "visible_devices": torch.cuda.device_count(),
        }
    return {
        "device_type": "cpu",
        "device_name": f"CPU ({os.cpu_count()} cores)",
        "device_count": 1,
        "cpu_threads": torch.get_num_threads() if torch is not None else None,
    }


def reset_peak_memory() -> None:
    torch = _torch()
    if torch is not None and torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            torch.cuda.reset_peak_memory_stats(i)


def peak_memory(across_ranks: bool = False) -> dict:
    """Peak accelerator memory (GiB, torch's max allocated over this process's devices; the
    max over ranks when `across_ranks` and torch.distributed runs), or the process's peak RSS
    on a CPU, labelled by `peak_memory_kind`."""
    torch = _torch()
    if torch is not None and torch.cuda.is_available():
        peak = max(torch.cuda.max_memory_allocated(i) for i in range(torch.cuda.device_count()))
        dist = torch.distributed
        if across_ranks and dist.is_available() and dist.is_initialized():
            value = torch.tensor([float(peak)], device="cuda")
            dist.all_reduce(value, op=dist.ReduceOp.MAX)
            peak = value.item()
        return {"peak_memory_gib": round(peak / GIB, 3), "peak_memory_kind": "accelerator"}
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"peak_memory_gib": round(rss_kib * 1024 / GIB, 3), "peak_memory_kind": "cpu_rss"}


def parameter_counts(model) -> tuple[int, int]:
    """(trainable, total) parameters; 4-bit packed weights count as their unpacked size."""
    trainable = total = 0
    for param in model.parameters():
        shape = getattr(getattr(param, "quant_state", None), "shape", None)
        n = int(_numel(shape)) if shape is not None else param.numel()
        total += n
        if param.requires_grad:
            trainable += n
    return trainable, total


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


def _tokens_seen(trainer) -> int | None:
    """Training tokens this run: TRL's own count (every rank's tokens), else transformers'."""
    value = getattr(trainer, "_total_train_tokens", None)
    if value:
        return int(value)
    seen = getattr(trainer.state, "num_input_tokens_seen", 0)
    if seen:
        return int(seen)
    logged = [e["num_tokens"] for e in trainer.state.log_history if "num_tokens" in e]
    return int(logged[-1]) if logged else None


class CostRecorder:
    """Times the job and the trainer loop, collects the peak memory on every rank.

    Created when the job starts; `callback()` is the TrainerCallback to hand the trainer;
    `record(trainer)` the cost dict once training ended."""

    def __init__(self):
        self.started = time.time()
        self.train_started: float | None = None
        self.train_seconds: float | None = None
        self.memory: dict | None = None
        self.energy = energy_meter()
        reset_peak_memory()

    def callback(self):
        # lazy: transformers takes seconds; the DAG build imports this module
        from transformers import TrainerCallback

        recorder = self

        class CostCallback(TrainerCallback):
            def on_train_begin(self, args, state, control, **kwargs):
                recorder.train_started = time.time()

            def on_train_end(self, args, state, control, **kwargs):
                if recorder.train_started is not None:
                    recorder.train_seconds = time.time() - recorder.train_started
                recorder.memory = peak_memory(across_ranks=True)  # every rank takes part

        return CostCallback()

    def record(self, trainer) -> dict:
        trainable, total = parameter_counts(trainer.model)
        tokens = _tokens_seen(trainer)
        seconds = self.train_seconds
        return {
            "trainable_params": trainable,
            "total_params": total,
            "trainable_pct": round(100.0 * trainable / total, 4) if total else None,
            **(self.memory or peak_memory()),
            "tokens_seen": tokens,
            "train_seconds": round(seconds, 2) if seconds is not None else None,
            "wall_seconds": round(time.time() - self.started, 2),
            "tokens_per_s": round(tokens / seconds, 2) if tokens and seconds else None,
            "global_step": trainer.state.global_step,
            **device_info(),
            **self.energy.record(),
        }


def generation_cost(
    rows: Sequence[dict],
    seconds: float,
    load_seconds: float | None = None,
    backend: str = "hf",
    device: dict | None = None,
    energy: dict | None = None,
) -> dict:
    """The cost record of one predictions file; `energy`: its `EnergyMeter.record()`."""
    new = sum(int(r.get("n_new_tokens") or 0) for r in rows)
    prompt = sum(int(r.get("n_prompt_tokens") or 0) for r in rows)
    return {
        "backend": backend,
        "records": len(rows),
        "new_tokens": new,
        "prompt_tokens": prompt,
        "generate_seconds": round(seconds, 3),
        "load_seconds": round(load_seconds, 3) if load_seconds is not None else None,
        "new_tokens_per_s": round(new / seconds, 2) if seconds > 0 else None,
        **peak_memory(),
        **(device or device_info()),
        **(energy or {}),
    }


def write_json(path: str | os.PathLike, data: dict) -> str:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    os.replace(tmp, path)
    return str(path)


#: this process's generation job meter (`start_job_energy`); one job per process
_job_energy: EnergyMeter | None = None


def start_job_energy() -> None:
    """Start this process's job energy meter (a no-op while one runs): the next
    `write_generation_cost` without an energy record of its own takes and stops it."""
    global _job_energy
    if _job_energy is None:
        _job_energy = energy_meter()


def job_energy() -> dict | None:
    """The record of this process's job energy meter, stopped (None: none was started)."""
    global _job_energy
    meter, _job_energy = _job_energy, None
    return meter.record() if meter is not None else None


def write_generation_cost(
    path, rows, seconds, load_seconds=None, backend="hf", energy: dict | None = None
) -> str:
    """Write a generation's cost record; `energy`: its meter's record (default: this
    process's job meter, `start_job_energy`)."""
    energy = energy if energy is not None else job_energy()
    return write_json(path, generation_cost(rows, seconds, load_seconds, backend, energy=energy))


def read_benchmark(path: str | os.PathLike) -> dict | None:
    """The last row of a Snakemake benchmark TSV as numbers ({"s", "cpu_time", "max_rss", ...}),
    or None when the file is missing or empty."""
    try:
        lines = [line for line in Path(path).read_text().splitlines() if line.strip()]
    except OSError:
        return None
    if len(lines) < 2:
        return None
    header, last = lines[0].split("\t"), lines[-1].split("\t")
    out = {}
    for key, value in zip(header, last, strict=False):
        try:
            out[key] = float(value)
        except ValueError:
            out[key] = None if value in ("", "NA", "-") else value
    return out


def job_hours(benchmark: dict | None, record: dict | None) -> tuple[float | None, str]:
    """(hours, unit) of one job: GPU-hours (wall x GPUs) when the record says it ran on GPUs,
    else CPU-hours (the benchmark's cpu_time, or wall x threads when cpu_time is missing).
    Without a benchmark file, the record's own wall time stands in."""
    record = record or {}
    on_gpu = record.get("device_type") == "cuda"
    wall = (benchmark or {}).get("s")
    if wall is None:
        wall = record.get("wall_seconds") or (
            (record.get("generate_seconds") or 0) + (record.get("load_seconds") or 0) or None
        )
    if on_gpu:
        gpus = record.get("device_count") or 1
        return (wall * gpus / 3600 if wall is not None else None), "GPU-hours"
    cpu = (benchmark or {}).get("cpu_time")
    if cpu is None and wall is not None:
        cpu = wall * (record.get("cpu_threads") or 1)
    return (cpu / 3600 if cpu is not None else None), "CPU-hours"


# --- extrapolation of a workload (codepeft.paper.workload: the paper preset's) -------------


def extrapolate(workload: dict, train_tps: dict, gen_tps: dict, goal_hours: float = 48.0) -> dict:
    """Accelerator-hours of `workload` at the given throughputs: `train_tps[(size, kind)]` =
    training tokens/s, `gen_tps[size]` = new tokens/s of generation, both on one device.
    Returns per-size rows, the total and what was missing (no throughput: not computed)."""
    per_size: dict[str, dict] = {}
    missing = set()
    for t in workload["trainings"]:
        row = per_size.setdefault(
            t["size"], dict(size=t["size"], trainings=0, generation_sets=0, train_h=0.0, gen_h=0.0)
        )
        row["trainings"] += 1
        tps = train_tps.get((t["size"], t["kind"]))
        if not tps:
            missing.add(f"training {t['size']} {t['kind']}")
            row["train_h"] = None
        elif row["train_h"] is not None:
            row["train_h"] += t["tokens"] / tps / 3600
    for g in workload["generation_sets"]:
        row = per_size.setdefault(
            g["size"], dict(size=g["size"], trainings=0, generation_sets=0, train_h=0.0, gen_h=0.0)
        )
        row["generation_sets"] += 1
        tps = gen_tps.get(g["size"])
        if not tps:
            missing.add(f"generation {g['size']}")
            row["gen_h"] = None
        elif row["gen_h"] is not None:
            row["gen_h"] += g["new_tokens"] / tps / 3600
    rows = list(per_size.values())
    for row in rows:
        parts = (row["train_h"], row["gen_h"])
        row["total_h"] = None if None in parts else sum(parts)
    totals = [r["total_h"] for r in rows]
    total = None if None in totals or not rows else sum(totals)
    return {
        "rows": rows,
        "total_h": total,
        "trainings": sum(r["trainings"] for r in rows),
        "generation_sets": sum(r["generation_sets"] for r in rows),
        "goal_h": goal_hours,
        "meets_goal": None if total is None else total <= goal_hours,
        "missing": sorted(missing),
    }
