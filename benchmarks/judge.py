"""Judge throughput: requests/s against a loopback OpenAI-compatible server with a simulated
per-request latency, by concurrency; then the cached rerun (zero requests).

    .venv/bin/python benchmarks/judge.py --instances 100 --runs 5 --latency 0.1
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from judge_servers import ScoringServer  # noqa: E402

from codepeft.judge import pipeline  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    args = ap.parse_args()
    pairs = [
        {"id": f"i{k}", "code": f"def f{k}(a, b):\n    return a + b * {k}", "summary": f"Adds {k}."}
        for k in range(args.instances)
    ]
    server = ScoringServer()
    server.latency_s = args.latency
    print(f"{args.instances} instances x {args.runs} runs, server latency {args.latency} s")
    print("| concurrency | requests | wall s | requests/s |\n|---|---|---|---|")
    try:
        for conc in args.concurrency:
            with tempfile.TemporaryDirectory() as tmp:
                cfg = {
                    "backend": "openai",
                    "base_url": server.base_url,
                    "model": "bench",
                    "api_key_env": None,
                    "runs": args.runs,
                    "concurrency": conc,
                    "cache_dir": f"{tmp}/cache",
                }
                t0 = time.perf_counter()
                s = pipeline.run(pairs, cfg, f"{tmp}/t.tsv")
                wall = time.perf_counter() - t0
                made = s["requests"]["made"]
                print(f"| {conc} | {made} | {wall:.2f} | {made / wall:.1f} |")
                t0 = time.perf_counter()
                s = pipeline.run(pairs, cfg, f"{tmp}/t2.tsv")
                wall = time.perf_counter() - t0
                print(
                    f"| {conc} (cached rerun) | {s['requests']['made']} "
                    f"(cached {s['requests']['cached']}) | {wall:.2f} | - |"
                )
    finally:
        server.close()


if __name__ == "__main__":
    main()
