"""Generation throughput on the same prompts: the paper's way vs the HF backend vs vLLM.

    .venv/bin/python benchmarks/generation_throughput.py --out /tmp/genbench
    .venv/bin/python benchmarks/generation_throughput.py --out /tmp/genbench --model <model dir> \
        --data results/data/summarization/python/test.jsonl --max-new-tokens 64 --hf-batch 64

Configurations (greedy, same prompts rendered by codepeft.generate.render_prompt):
- paper:      HF `generate`, batches of 8 in file order (the replication package's way)
- hf_sorted8: batches of 8, sorted by prompt length (isolates the sorting gain)
- hf:         the HF backend as configured for the study: length-sorted, batch `--hf-batch`
- vllm:       codepeft.vllm_backend in its own venv (.venv-vllm), one engine, whole file at once

The HF configurations share one loaded model and run interleaved for `--repeats` rounds; the
median time counts. Times include prompt rendering (the same work in every configuration).

Without --model, a tiny random Qwen2-shaped model is built (codepeft.models.build_tiny_model)
and the prompts are the embedded study's train splits of summarization/python,
generation/python and translation/java-cs (varied lengths, as in the study). Tokens/s counts
new tokens only; vLLM's time excludes its engine start (reported apart). Results: a JSON file
and a markdown table in --out. All configurations must give the same outputs (checked).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from codepeft import generate, models  # noqa: E402
from codepeft.io import read_jsonl, write_jsonl  # noqa: E402

EMBEDDED = [("summarization", "python"), ("generation", "python"), ("translation", "java-cs")]


def embedded_prompts(out: Path) -> list[Path]:
    from codepeft.data import write_task_splits

    files = []
    for task, lang in EMBEDDED:
        path = out / "data" / f"{task}.{lang}.jsonl"
        if not path.exists():
            write_task_splits(task, lang, {}, {"train": str(path)})
        files.append(path)
    return files


def run_hf(backend, files: list[Path], decoding: dict) -> tuple[float, int, list[dict]]:
    spec = generate.DecodingSpec.from_dict(decoding)
    rows, start = [], time.perf_counter()
    for path in files:
        rows += generate.generate_records(backend, read_jsonl(path), spec)
    return time.perf_counter() - start, sum(r["n_new_tokens"] for r in rows), rows


def run_vllm(python: str, model: str, files: list[Path], decoding: dict, out: Path, options: dict):
    jobs = [
        {
            "method": "zero_shot",
            "task": read_jsonl(p)[0]["task"],
            "lang": read_jsonl(p)[0]["language"],
            "finetune": "none",
            "trained": None,
            "data": str(p),
            "out": str(out / "vllm" / p.name),
            "decoding": decoding,
        }
        for p in files
    ]
    plan = {"model": "bench", "source": model, "seed": 42, "vllm": options, "jobs": jobs}
    (out / "vllm_plan.json").write_text(json.dumps(plan, indent=1))
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    start = time.perf_counter()
    done = subprocess.run(
        [
            python,
            "-m",
            "codepeft.vllm_backend",
            "--plan",
            str(out / "vllm_plan.json"),
            "--summary",
            str(out / "vllm_summary.json"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - start
    (out / "vllm.log").write_text(done.stdout + done.stderr)
    if done.returncode:
        raise RuntimeError(f"vLLM run failed (see {out / 'vllm.log'}):\n{done.stderr[-3000:]}")
    summary = json.loads((out / "vllm_summary.json").read_text())
    rows = [r for j in jobs for r in read_jsonl(j["out"])]
    return sum(s["seconds"] for s in summary), sum(s["new_tokens"] for s in summary), rows, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", required=True, help="work and results directory")
    parser.add_argument(
        "--model", default=None, help="model dir or hub id (default: build the tiny model)"
    )
    parser.add_argument(
        "--data", nargs="*", default=None, help="task JSONL files (default: embedded)"
    )
    parser.add_argument(
        "--max-rows", type=int, default=None, help="use the first N records of each file"
    )
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--max-input-tokens", type=int, default=512)
    parser.add_argument("--hf-batch", type=int, default=64)
    parser.add_argument("--vllm-python", default=str(REPO / ".venv-vllm" / "bin" / "python"))
    parser.add_argument(
        "--vllm-options", default='{"enforce_eager": true}', help="JSON engine options"
    )
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the HF configurations")
    parser.add_argument("--skip-vllm", action="store_true")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    files = [Path(p).resolve() for p in args.data] if args.data else embedded_prompts(out)
    if args.max_rows:
        cut = []
        for path in files:
            target = out / "data" / f"cut.{path.name}"
            write_jsonl(target, read_jsonl(path)[: args.max_rows])
            cut.append(target)
        files = cut
    model = args.model
    if model is None:
        model = str(out / "tiny")
        if not (out / "tiny" / "config.json").exists():
            models.build_tiny_model(out / "tiny", files)
    n_prompts = sum(len(read_jsonl(p)) for p in files)
    base = {"max_new_tokens": args.max_new_tokens, "max_input_tokens": args.max_input_tokens}
    configs = {
        "paper": dict(base, batch_size=8, sort_by_length=False),
        "hf_sorted8": dict(base, batch_size=8, sort_by_length=True),
        "hf": dict(base, batch_size=args.hf_batch, sort_by_length=True),
    }
    results, outputs = {}, {}
    # one model for every HF configuration (they differ only in batching); configurations
    # interleaved, `--repeats` rounds, the median time counts (a shared machine is noisy)
    backend = generate.make_backend(model, None, None, generate.DecodingSpec.from_dict(base))
    backend.generate(["warm up"], 2)
    times: dict[str, list[float]] = {name: [] for name in configs}
    for rep in range(args.repeats):
        for name, decoding in configs.items():
            seconds, tokens, rows = run_hf(backend, files, decoding)
            times[name].append(seconds)
            outputs[name] = [r["raw"] for r in rows]
            print(f"round {rep + 1} {name}: {tokens} new tokens in {seconds:.2f}s", flush=True)
    for name, decoding in configs.items():
        seconds = statistics.median(times[name])
        results[name] = {
            "seconds": round(seconds, 3),
            "seconds_all": [round(t, 3) for t in times[name]],
            "new_tokens": tokens,
            "tokens_per_s": round(tokens / seconds, 1),
            "decoding": decoding,
        }
        print(f"{name}: median {seconds:.2f}s = {tokens / seconds:.1f} tok/s", flush=True)
    if not args.skip_vllm:
        if not Path(args.vllm_python).exists():
            print(f"vllm: skipped, no {args.vllm_python} (scripts/setup/vllm.sh)")
        else:
            options = json.loads(args.vllm_options)
            seconds, tokens, rows, wall = run_vllm(
                args.vllm_python, model, files, base, out, options
            )
            results["vllm"] = {
                "seconds": round(seconds, 2),
                "new_tokens": tokens,
                "tokens_per_s": round(tokens / seconds, 1),
                "wall_with_start_s": round(wall, 1),
                "decoding": base,
                "engine_options": options,
            }
            outputs["vllm"] = [r["raw"] for r in rows]
            print(
                f"vllm: {tokens} new tokens in {seconds:.1f}s = {tokens / seconds:.1f} tok/s "
                f"({wall:.0f}s with process and engine start)",
                flush=True,
            )
    same = {name: outputs[name] == outputs["paper"] for name in outputs}
    paper = results["paper"]["tokens_per_s"]
    for name in results:
        results[name]["speedup_vs_paper"] = round(results[name]["tokens_per_s"] / paper, 2)
        results[name]["same_outputs_as_paper"] = same[name]
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "model": model
        if args.model
        else "tiny random Qwen2-shaped model (codepeft.models.build_tiny_model)",
        "prompts": n_prompts,
        "files": [str(p) for p in files],
        "results": results,
    }
    (out / "generation_throughput.json").write_text(json.dumps(record, indent=2) + "\n")
    lines = [
        "| config | batch | sorted | new tokens | seconds | tokens/s | x paper | same outputs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        d = r["decoding"]
        lines.append(
            f"| {name} | {d.get('batch_size', 'engine')} | {d.get('sort_by_length', '-')} | "
            f"{r['new_tokens']} | {r['seconds']} | {r['tokens_per_s']} | {r['speedup_vs_paper']} | "
            f"{r['same_outputs_as_paper']} |"
        )
    (out / "generation_throughput.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
