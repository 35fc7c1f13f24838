"""The paper preset's accelerator-hours, extrapolated from measured throughput.

    # from a run of benchmarks/gpu_throughput.py on the target GPU
    python benchmarks/study_cost.py --throughput results/gpu_throughput/gpu_throughput.json \
        --tokens-per-record 300
    # the mean tokens of one training example, measured on a real mixture with the real tokenizer
    python benchmarks/study_cost.py --mixture results/mixtures/mt_qlora/multi/train.jsonl \
        --tokenizer Qwen/Qwen2.5-Coder-0.5B-Instruct
    # without measurements: the workload and the throughput the goal needs
    python benchmarks/study_cost.py --tokens-per-record 300

Workload (codepeft.paper.workload.paper_workload, from PAPER.md): 15 trainings (per size: MT-QLoRA,
3 ST-QLoRA, MT-FFT) over the full training sets (code-to-text Python 251,820 + Java 164,923
rows for summarization, as many for the derived generation set: an upper bound, rows the
derivation skips are fewer; translation 10,300 pairs in both directions), 5 epochs, no early
stop (an upper bound); 72 generation sets (3 sizes x 4 methods x 6 task/language sets) with
every output at max_new_tokens (an upper bound). Throughput: training tokens/s of the `qlora`
and `full` rows of gpu_throughput.json per model size (one GPU, the study's micro-batch 2x512),
generation new tokens/s of `--generation` (default hf_sorted_all: the HF backend; `vllm
multi_lora` for the vLLM backend). Prints a Markdown table; `--json` writes the numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from codepeft import cost as C  # noqa: E402
from codepeft.paper.workload import paper_workload  # noqa: E402

SHAPE_SIZES = {
    "qwen2.5-coder-0.5b": "0.5B",
    "qwen2.5-coder-1.5b": "1.5B",
    "qwen2.5-coder-3b": "3B",
}


def throughput_from_record(record: dict, generation: str = "hf_sorted_all") -> tuple[dict, dict]:
    """(train_tps[(size, kind)], gen_tps[size]) from a gpu_throughput.json record; cases
    that did not run ("not computed: ...") are left out."""
    train, gen = {}, {}
    for shape, methods in (record.get("train") or {}).items():
        size = SHAPE_SIZES.get(shape)
        for kind in ("qlora", "full"):
            r = (methods or {}).get(kind) or {}
            if size and r.get("status") == "ok" and r.get("tokens_per_s"):
                train[(size, kind)] = float(r["tokens_per_s"])
    for shape, configs in (record.get("generate") or {}).items():
        size = SHAPE_SIZES.get(shape)
        r = (configs or {}).get(generation) or {}
        if size and r.get("status") == "ok" and r.get("tokens_per_s"):
            gen[size] = float(r["tokens_per_s"])
    return train, gen


def mean_tokens_per_record(mixture: str, tokenizer: str) -> float:
    """Mean tokens of one training example (chat template applied, prompt + completion)."""
    from transformers import AutoTokenizer

    from codepeft.io import read_jsonl

    tok = AutoTokenizer.from_pretrained(tokenizer)
    rows = read_jsonl(mixture)
    total = 0
    for row in rows:
        messages = list(row["prompt"]) + list(row["completion"])
        total += len(tok.apply_chat_template(messages, tokenize=True))
    return total / max(1, len(rows))


def workload_totals(workload: dict) -> dict:
    """Tokens to train per (size, kind) and new tokens per size."""
    train: dict[str, float] = {}
    gen: dict[str, float] = {}
    for t in workload["trainings"]:
        key = f"{t['size']} {t['kind']}"
        train[key] = train.get(key, 0) + t["tokens"]
    for g in workload["generation_sets"]:
        gen[g["size"]] = gen.get(g["size"], 0) + g["new_tokens"]
    return {"train_tokens": train, "new_tokens": gen}


def training_flops(workload: dict, seq: int = 512) -> float:
    """Model FLOPs of every training of the workload (gpu_throughput.flops_per_token, the
    formula tested against torch's FLOP counter)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gpu_throughput", Path(__file__).with_name("gpu_throughput.py")
    )
    gpu = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gpu)
    shapes = {size: gpu.SHAPES[shape] for shape, size in SHAPE_SIZES.items()}
    return sum(
        t["tokens"] * gpu.flops_per_token(shapes[t["size"]], seq, t["kind"])
        for t in workload["trainings"]
    )


def markdown(
    result: dict | None, workload: dict, goal_h: float, source: str, peak_tflops: float = 989.4
) -> str:
    totals = workload_totals(workload)
    flops = training_flops(workload)
    at_peak_h = flops / (peak_tflops * 1e12) / 3600
    all_train = sum(totals["train_tokens"].values())
    all_new = sum(totals["new_tokens"].values())
    lines = [
        f"Workload: {len(workload['trainings'])} trainings, {len(workload['generation_sets'])} "
        f"generation sets; {workload['tokens_per_record']:g} tokens per training example, "
        f"{workload['epochs']:g} epochs.",
        "",
        "| trainings of | tokens to train |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.3g} |" for k, v in totals["train_tokens"].items()]
    lines += [
        "",
        f"All training: {all_train:.3g} tokens; all generation: {all_new:.3g} new tokens (upper "
        f"bound). Within {goal_h:g} GPU-hours on one GPU this needs on average "
        f"{all_train / (goal_h * 3600):,.0f} training tokens/s if generation took no time.",
        "",
        f"Training model FLOPs: {flops:.3g}; at the {peak_tflops:g} TFLOP/s dense bf16 peak "
        f"(100% MFU) {at_peak_h:.1f} GPU-hours, so the {goal_h:g}-hour goal needs at least "
        f"{100 * at_peak_h / goal_h:.0f}% MFU over all trainings (generation excluded).",
        "",
    ]
    if result is None:
        lines.append(f"GPU-hours: not computed: no throughput measurements ({source}).")
        return "\n".join(lines) + "\n"
    lines += [
        f"Throughput from {source}.",
        "",
        "| size | trainings | generation sets | training GPU-h | generation GPU-h | total GPU-h |",
        "|---|---|---|---|---|---|",
    ]

    def h(x):
        return "not computed" if x is None else f"{x:.1f}"

    for r in result["rows"]:
        lines.append(
            f"| {r['size']} | {r['trainings']} | {r['generation_sets']} | {h(r['train_h'])} | "
            f"{h(r['gen_h'])} | {h(r['total_h'])} |"
        )
    verdict = (
        "not computed"
        if result["meets_goal"] is None
        else ("meets" if result["meets_goal"] else "misses")
    )
    lines += [
        f"| all | {result['trainings']} | {result['generation_sets']} | | | {h(result['total_h'])} |",
        "",
        f"Goal: at most {goal_h:g} GPU-hours: {verdict}. Missing throughputs: "
        f"{', '.join(result['missing']) or 'none'}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--throughput", default=None, help="gpu_throughput.json")
    parser.add_argument("--generation", default="hf_sorted_all", help="generation row to use")
    parser.add_argument("--tokens-per-record", type=float, default=None)
    parser.add_argument("--mixture", default=None, help="measure tokens per record on this")
    parser.add_argument("--tokenizer", default=None, help="the model's tokenizer (with --mixture)")
    parser.add_argument("--epochs", type=float, default=5)
    parser.add_argument("--goal-hours", type=float, default=48.0)
    parser.add_argument("--json", default=None, help="write the numbers here")
    args = parser.parse_args(argv)
    if args.mixture:
        if not args.tokenizer:
            parser.error("--mixture needs --tokenizer")
        args.tokens_per_record = mean_tokens_per_record(args.mixture, args.tokenizer)
    if args.tokens_per_record is None:
        parser.error("give --tokens-per-record, or --mixture and --tokenizer to measure it")
    workload = paper_workload(args.tokens_per_record, args.epochs)
    result, source = None, "no --throughput file given"
    if args.throughput:
        record = json.loads(Path(args.throughput).read_text())
        train, gen = throughput_from_record(record, args.generation)
        source = f"{args.throughput} ({record.get('device')}, {record.get('date')})"
        if train or gen:
            result = C.extrapolate(workload, train, gen, args.goal_hours)
    print(markdown(result, workload, args.goal_hours, source), end="")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"tokens_per_record": args.tokens_per_record, "source": source, "result": result},
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
