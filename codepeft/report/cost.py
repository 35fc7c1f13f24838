"""The report's cost section: what each (model, method) cost, and quality against that cost.

Inputs (declared by the report rule, globbed by `codepeft report`):
- `results/models/{model}/{method}/seed-{seed}/{scope}/codepeft_training.json`, key `cost` (codepeft.cost)
- `results/predictions/{model}/{method}/seed-{seed}/{task}/{lang}.cost.json` (generation cost records)
- `results/benchmarks/train/{model}/{method}/seed-{seed}/{scope}.tsv`,
  `results/benchmarks/generate/{model}/{method}/seed-{seed}/{task}/{lang}.tsv` (HF) or
  `results/benchmarks/generate/vllm/{model}.tsv` (one vLLM job per base model: its hours are
  shared among the model's files in proportion to their generation seconds)

Hours: GPU-hours (wall x GPUs) for jobs whose record says they ran on GPUs; otherwise CPU-hours
(the benchmark's cpu_time), and the table says which. Energy: the records' measured kWh
(codepeft.energy: NVML, RAPL), summed only when every job of the row has it, and CO2e at the
configured grid intensity (`report.grid_intensity_gco2e_per_kwh`). Writes tables/cost.tsv and
plots/quality_vs_cost.png (one panel per task, one point per model x method, x = hours or kWh
by `report.cost_axis`; the paper's reported pass@1 as outlined diamonds at the same cost where
the model maps).
"""

from __future__ import annotations

import glob
import json
import os
from pathlib import Path

from codepeft import cost as C
from codepeft import energy, paths
from codepeft.paper.workload import paper_workload
from codepeft.tasks import is_test_set

from . import html as H
from . import plots
from . import tables as T

# the quality shown per task: the first (family, measure) present
QUALITY = {
    "generation": [("execution", "pass@1"), ("codebleu", "codebleu")],
    "summarization": [("surface", "bleu_sacre"), ("surface", "meteor"), ("surface", "chrf")],
    "translation": [("codebleu", "codebleu"), ("surface", "bleu_sacre")],
}
COST_COLUMNS = (
    "model",
    "method",
    "trainings",
    "generation_sets",
    "trainable_params",
    "total_params",
    "trainable_pct",
    "peak_memory_gib",
    "peak_memory_kind",
    "train_hours",
    "generate_hours",
    "total_hours",
    "hours_unit",
    "energy_kwh",
    "co2e_kg",
    "energy_status",
    "train_tokens",
    "train_tokens_per_s",
    "new_tokens",
    "new_tokens_per_s",
    "device",
    "status",
)
_PRED = paths.regex(paths.COST, start="")


def discover(root: str | os.PathLike) -> dict[str, list[str]]:
    root = str(root)

    def rel(pattern):
        return sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, pattern)))

    return {
        "cost_files": rel(paths.glob(paths.COST)),
        "benchmarks": rel(paths.glob(paths.BENCHMARK_TRAIN))
        + rel(paths.glob(paths.BENCHMARK_GENERATE))
        + rel(paths.glob(paths.BENCHMARK_GENERATE_VLLM)),
    }


def _read(path: str) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def collect_jobs(
    model_dirs: list[str], cost_files: list[str], benchmarks: list[str], root: str = "."
) -> list[dict]:
    """One dict per training and generation job: kind, model, method, record, hours, unit."""
    bench = set(benchmarks)

    def bench_of(path: str) -> dict | None:
        return C.read_benchmark(os.path.join(root, path)) if path in bench else None

    jobs = []
    for d in model_dirs:
        found = paths.MODEL_DIR_RE.search(Path(d).as_posix())
        if not found:
            continue
        where = found.groupdict()
        model, method, scope = where["model"], where["method"], where["scope"]
        info = _read(os.path.join(root, d, "codepeft_training.json")) or {}
        record = info.get("cost")
        hours, unit = C.job_hours(bench_of(paths.fill(paths.BENCHMARK_TRAIN, **where)), record)
        jobs.append(
            dict(
                kind="train",
                model=model,
                method=method,
                scope=scope,
                finetune=info.get("finetune_used"),
                tokens_per_record=_tokens_per_record(info),
                record=record,
                hours=hours,
                unit=unit,
            )
        )
    vllm_groups: dict[str, list[dict]] = {}
    for path in cost_files:
        m = _PRED.search(path.replace(os.sep, "/"))
        if not m:
            continue
        where = m.groupdict()
        model, method, task, lang = where["model"], where["method"], where["task"], where["lang"]
        record = _read(os.path.join(root, path))
        job = dict(kind="generate", model=model, method=method, task=task, lang=lang, record=record)
        if (record or {}).get("backend") == "vllm":
            vllm_groups.setdefault(model, []).append(job)
        else:
            job["hours"], job["unit"] = C.job_hours(
                bench_of(paths.fill(paths.BENCHMARK_GENERATE, **where)),
                record,
            )
        jobs.append(job)
    for model, group in vllm_groups.items():
        shared, unit = C.job_hours(
            bench_of(paths.fill(paths.BENCHMARK_GENERATE_VLLM, model=model)), group[0]["record"]
        )
        seconds = [(j["record"] or {}).get("generate_seconds") or 0.0 for j in group]
        total = sum(seconds)
        for job, s in zip(group, seconds, strict=True):
            job["unit"] = unit
            job["hours"] = (
                shared * (s / total if total else 1 / len(group)) if shared is not None else None
            )
    return jobs


def _tokens_per_record(info: dict) -> float | None:
    """Mean tokens of one training example, measured by a training: tokens seen / (rows x
    epochs done). Packing wraps every token into a block, so this is the mixture's mean."""
    tokens = (info.get("cost") or {}).get("tokens_seen")
    rows = info.get("train_rows")
    epoch = (info.get("train_metrics") or {}).get("epoch")
    if epoch is None:
        epoch = next(
            (e["epoch"] for e in reversed(info.get("log_history") or []) if "epoch" in e), None
        )
    if not tokens or not rows or not epoch:
        return None
    return tokens / (rows * float(epoch))


def _sum(values):
    values = [v for v in values if v is not None]
    return sum(values) if values else None


def _round(x, digits: int = 6):
    return None if x is None else round(x, digits)


def cost_rows(
    jobs: list[dict],
    models: list[str],
    methods: list[str],
    grid_intensity: float | None = None,
) -> list[dict]:
    """Per (model, method) in the study's order, then one row 'all / all' for the whole study.
    `grid_intensity`: gCO2e per kWh (None: no CO2e)."""
    rows = []
    keys = [(m, meth) for m in models for meth in methods]
    keys += sorted({(j["model"], j["method"]) for j in jobs} - set(keys))
    for model, method in keys:
        group = [j for j in jobs if j["model"] == model and j["method"] == method]
        if not group:
            continue
        rows.append(_row(model, method, group, grid_intensity))
    if rows:
        rows.append(_row("all", "all", jobs, grid_intensity))
        rows[-1]["trainable_params"] = rows[-1]["total_params"] = rows[-1]["trainable_pct"] = None
    return rows


def _energy(group: list[dict], grid_intensity: float | None) -> dict:
    """The energy of a group of jobs: kWh summed when every job measured it (a partial sum
    would pass for the whole), its source, and CO2e at `grid_intensity` gCO2e/kWh."""
    records = [j.get("record") or {} for j in group]
    measured = [r for r in records if energy.is_measured(r)]
    if records and len(measured) == len(records):
        kwh = sum(r["energy_kwh"] for r in records)
        sources = sorted({s for r in records for s in str(r.get("energy_source")).split("+")})
        status = f"{energy.MEASURED} ({'+'.join(sources)})"
    else:
        kwh = None
        reasons = sorted(
            {
                str(r.get("energy_status") or f"{energy.NOT_MEASURED}: no energy record")
                for r in records
                if not energy.is_measured(r)
            }
        )
        status = (
            reasons[0] if len(reasons) == 1 else f"{energy.NOT_MEASURED}: " + "; ".join(reasons)
        )
        if measured:
            status = f"{len(records) - len(measured)} of {len(records)} jobs {status}"
    co2e = kwh * grid_intensity / 1000 if kwh is not None and grid_intensity is not None else None
    return {"energy_kwh": _round(kwh, 9), "co2e_kg": _round(co2e, 9), "energy_status": status}


def _row(model: str, method: str, group: list[dict], grid_intensity: float | None = None) -> dict:
    train = [j for j in group if j["kind"] == "train"]
    gen = [j for j in group if j["kind"] == "generate"]
    trecs = [j["record"] for j in train if j.get("record")]
    grecs = [j["record"] for j in gen if j.get("record")]
    units = sorted({j["unit"] for j in group if j.get("unit")})
    problems = []
    if len(trecs) < len(train):
        problems.append(f"{len(train) - len(trecs)} training(s) without a cost record")
    if len(grecs) < len(gen):
        problems.append(f"{len(gen) - len(grecs)} generation set(s) without a cost record")
    if len(units) > 1:
        problems.append("GPU and CPU jobs mixed: hours summed across units")
    first = trecs[0] if trecs else {}
    train_tokens = _sum(r.get("tokens_seen") for r in trecs)
    train_s = _sum(r.get("train_seconds") for r in trecs if r.get("tokens_seen"))
    new = _sum(r.get("new_tokens") for r in grecs)
    gen_s = _sum(r.get("generate_seconds") for r in grecs)
    peaks = [r for r in trecs + grecs if r.get("peak_memory_gib") is not None]
    peak = max(peaks, key=lambda r: r["peak_memory_gib"]) if peaks else {}
    th, gh = _sum(j.get("hours") for j in train), _sum(j.get("hours") for j in gen)
    devices = sorted({f"{r.get('device_count', 1)}x {r.get('device_name')}" for r in trecs + grecs})
    return {
        "model": model,
        "method": method,
        "trainings": len(train),
        "generation_sets": len(gen),
        "trainable_params": first.get("trainable_params"),
        "total_params": first.get("total_params"),
        "trainable_pct": first.get("trainable_pct"),
        "peak_memory_gib": peak.get("peak_memory_gib"),
        "peak_memory_kind": peak.get("peak_memory_kind"),
        "train_hours": _round(th),
        "generate_hours": _round(gh),
        "total_hours": _round(_sum([th, gh])),
        "hours_unit": "/".join(units),
        **_energy(group, grid_intensity),
        "train_tokens": train_tokens,
        "train_tokens_per_s": round(train_tokens / train_s, 2)
        if train_tokens and train_s
        else None,
        "new_tokens": new,
        "new_tokens_per_s": round(new / gen_s, 2) if new and gen_s else None,
        "device": "; ".join(devices),
        "status": "; ".join(problems) or "ok",
    }


def quality_points(config: dict, pass1: list[dict], means: list[dict]) -> dict[str, dict]:
    """task -> {"measure": label, "points": {(model, method): value}, "paper": {...}}: the
    quality of each model x method on each task (mean over the task's languages; pass@1 pooled:
    passes / tasks over both languages, as the paper's per-language counts add up)."""
    out: dict[str, dict] = {}
    for task in config.get("tasks", {}):
        for family, measure in QUALITY.get(task, []):
            points, paper = {}, {}
            if (family, measure) == ("execution", "pass@1"):
                by: dict[tuple, list[dict]] = {}
                for r in pass1:  # the study's own languages (CoderEval), not a test set
                    if r.get("pass@1") is not None and not is_test_set(r["lang"]):
                        by.setdefault((r["model"], r["method"]), []).append(r)
                for key, rs in by.items():
                    n = sum(T._f(r.get("n_tasks")) for r in rs)
                    points[key] = sum(T._f(r.get("passes")) for r in rs) / n if n else None
                    if all(r.get("paper_passes") is not None for r in rs):
                        pn = sum(T._f(r["paper_n_tasks"]) for r in rs)
                        paper[key] = sum(T._f(r["paper_passes"]) for r in rs) / pn if pn else None
            else:
                by_m: dict[tuple, list[float]] = {}
                for r in means:
                    if (r["family"], r["measure"], r["task"]) == (family, measure, task) and r.get(
                        "mean"
                    ) is not None:
                        by_m.setdefault((r["model"], r["method"]), []).append(float(r["mean"]))
                points = {k: sum(v) / len(v) for k, v in by_m.items()}
            points = {k: v for k, v in points.items() if v is not None and k[0] != "reference"}
            if points:
                out[task] = {"measure": f"{family}: {measure}", "points": points, "paper": paper}
                break
    return out


#: the quality-vs-cost plot's x axis by `report.cost_axis`: the cost table's column
COST_AXES = {"hours": "total_hours", "kwh": "energy_kwh"}


def plot_quality_vs_cost(quality: dict, rows: list[dict], path, axis: str = "hours") -> str | None:
    """One panel per task: x = total hours (or measured kWh, `axis`) of the model x method,
    y = its quality; one point per model x method (labelled); the paper's reported value as an
    outlined diamond."""
    column = COST_AXES[axis]
    cost = {(r["model"], r["method"]): r for r in rows if r["model"] != "all"}
    tasks = [
        t
        for t, q in quality.items()
        if any((cost.get(k) or {}).get(column) is not None for k in q["points"])
    ]
    if not tasks:
        return None
    fig, axes = plots._grid(len(tasks), ncols=3, size=(4.6, 3.6))
    methods = list(dict.fromkeys(k[1] for t in tasks for k in quality[t]["points"]))
    unit = "/".join(sorted({r["hours_unit"] for r in rows if r.get("hours_unit")})) or "hours"
    for ax, task in zip(axes, tasks, strict=True):
        q = quality[task]
        paper_drawn = False
        for key, value in q["points"].items():
            hours = (cost.get(key) or {}).get(column)
            if hours is None:
                continue
            color = plots.COLORS[methods.index(key[1]) % len(plots.COLORS)]
            ax.scatter([hours], [value], color=color, s=36, zorder=3)
            ax.annotate(
                f"{key[0]}/{key[1]}",
                (hours, value),
                fontsize=6,
                xytext=(3, 3),
                textcoords="offset points",
            )
            if key in q["paper"]:
                ax.scatter(
                    [hours],
                    [q["paper"][key]],
                    marker="D",
                    facecolors="none",
                    edgecolors="black",
                    zorder=3,
                    label=None if paper_drawn else "paper (reported)",
                )
                paper_drawn = True
        label = "kWh measured" if axis == "kwh" else unit
        ax.set_xlabel(f"total {label} (training + generation)")
        ax.set_ylabel(q["measure"])
        ax.set_title(task)
        ax.grid(alpha=0.3)
        if paper_drawn:
            ax.legend(fontsize=7)
    fig.suptitle("Quality against cost (one point per model x method)")
    return plots._save(fig, path)


def extrapolation(config: dict, jobs: list[dict]) -> dict | None:
    """The paper preset's GPU-hours at this study's measured GPU throughput per model and
    finetune kind (models mapped to the paper's sizes) and its measured tokens per training
    example; None without GPU measurements."""
    train_tps, gen_tps = {}, {}
    per_record = [j["tokens_per_record"] for j in jobs if j.get("tokens_per_record")]
    for j in jobs:
        r = j.get("record") or {}
        if r.get("device_type") != "cuda":
            continue
        size = T.paper_size(config, j["model"])
        if size is None:
            continue
        if j["kind"] == "train" and r.get("tokens_per_s"):
            kind = j.get("finetune") or _finetune(config, j["method"])
            # per device: the record's rate is over all of the job's devices
            train_tps[(size, kind)] = r["tokens_per_s"] / max(1, r.get("device_count") or 1)
        elif j["kind"] == "generate" and r.get("new_tokens_per_s"):
            gen_tps.setdefault(size, []).append(r["new_tokens_per_s"])
    if (not train_tps and not gen_tps) or not per_record:
        return None
    gen = {s: sum(v) / len(v) for s, v in gen_tps.items()}
    tokens_per_record = sum(per_record) / len(per_record)
    result = C.extrapolate(paper_workload(tokens_per_record), train_tps, gen)
    result["tokens_per_record"] = round(tokens_per_record, 1)
    return result


def _finetune(config: dict, method: str) -> str | None:
    return (config.get("methods", {}).get(method) or {}).get("finetune")


def section_html(
    rows: list[dict],
    plot_tag: str,
    extra: dict | None,
    demo: bool,
    grid_intensity: float | None = None,
) -> str:
    parts = ["<h2 id='cost'>Cost</h2>"]
    if not rows:
        parts.append(
            "<p class='nc'>No cost records in this study (no training or generation job wrote one).</p>"
        )
        return "\n".join(parts)
    units = sorted({r["hours_unit"] for r in rows if r.get("hours_unit")})
    cpu = units == ["CPU-hours"]
    parts.append(
        "<p class='note'>Per model and method: trainable parameters, peak memory (accelerator: "
        "torch's max allocated; cpu_rss: the process's peak resident memory), hours of training "
        "and generation (GPU-hours = wall time x GPUs; on a CPU, CPU-hours = the jobs' CPU time "
        "from Snakemake's benchmark files), energy (kWh measured by the GPUs' NVML and the CPU "
        "packages' RAPL counters, where the machine has them; none is estimated), and throughput "
        "(training tokens/s, new tokens/s). The last row is the whole study's training and "
        "generation. <a href='tables/cost.tsv'>TSV</a></p>"
    )
    parts.append(
        f"<p class='note'>CO2e = kWh x {grid_intensity:g} gCO2e/kWh (report.grid_intensity_gco2e_per_kwh).</p>"
        if grid_intensity is not None
        else "<p class='note'>No CO2e: report.grid_intensity_gco2e_per_kwh is not set.</p>"
    )
    if cpu:
        parts.append(
            "<p class='nc' id='cost-cpu'>Measured on a CPU: the hours are <strong>CPU-hours</strong>, "
            "not GPU-hours"
            + (" (demo models: they say nothing about the paper's cost)." if demo else ".")
            + "</p>"
        )
    show = [c for c in COST_COLUMNS if c not in ("total_params",)]
    if grid_intensity is None:
        show.remove("co2e_kg")
    parts.append(
        H.table_html(
            show,
            rows,
            text_columns=(
                "model",
                "method",
                "peak_memory_kind",
                "hours_unit",
                "energy_status",
                "device",
                "status",
            ),
        )
    )
    parts.append(plot_tag)
    parts.append("<h3>The paper preset's cost, extrapolated</h3>")
    if extra is None:
        parts.append(
            "<p class='nc'>not computed: this study has no GPU throughput measured on models of "
            "the paper's sizes (see benchmarks/study_cost.md for the estimate from benchmark figures).</p>"
        )
    else:
        erows = [dict(r) for r in extra["rows"]] + [
            dict(
                size="all",
                trainings=extra["trainings"],
                generation_sets=extra["generation_sets"],
                total_h=extra["total_h"],
            )
        ]
        parts.append(
            f"<p class='note'>From this study's measured GPU tokens/s and its measured "
            f"{extra['tokens_per_record']:g} tokens per training example: 5 epochs over the "
            f"paper's training sets and every generation at max_new_tokens (upper bounds). Goal: at most "
            f"{extra['goal_h']:g} GPU-hours; missing throughputs: {H.esc(', '.join(extra['missing']) or 'none')}.</p>"
        )
        parts.append(
            H.table_html(
                ["size", "trainings", "generation_sets", "train_h", "gen_h", "total_h"],
                erows,
                text_columns=("size",),
            )
        )
    return "\n".join(parts)


def build_section(
    config: dict,
    out_dir: Path,
    model_dirs: list[str],
    cost_files: list[str] | None,
    benchmarks: list[str] | None,
    root: str,
    pass1: list[dict],
    means: list[dict],
    models: list[str],
    emit,
    embed: bool,
    section: dict,
) -> tuple[str, dict[str, str]]:
    """Write tables/cost.tsv (via `emit`) and plots/quality_vs_cost.png; return the section's
    HTML and the plots written. `section`: the report section (grid intensity, cost axis)."""
    intensity = section["grid_intensity_gco2e_per_kwh"]
    if cost_files is None or benchmarks is None:
        found = discover(root)
        cost_files = found["cost_files"] if cost_files is None else cost_files
        benchmarks = found["benchmarks"] if benchmarks is None else benchmarks
    jobs = collect_jobs(model_dirs, list(cost_files), list(benchmarks), root)
    rows = cost_rows(jobs, models, list(config.get("methods", {})), intensity)
    emit("cost", COST_COLUMNS, rows, "Cost per model and method")
    plots_written = {}
    p = plot_quality_vs_cost(
        quality_points(config, pass1, means),
        rows,
        out_dir / "plots" / "quality_vs_cost.png",
        section["cost_axis"],
    )
    tag = ""
    if p:
        plots_written["quality_vs_cost"] = p
        tag = H.image_tag(
            p,
            out_dir,
            embed,
            "Quality against cost: one point per model x method, per task (diamonds: the paper's reported pass@1)",
        )
    extra = extrapolation(config, jobs)
    demo = bool(config.get("study", {}).get("demo"))
    return section_html(rows, tag, extra, demo, intensity), plots_written
