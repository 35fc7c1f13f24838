"""Timing of codepeft.stats: Cliff's delta (effsize algorithm vs full dominance matrix), one
Wilcoxon + Cliff comparison at the paper's largest table size (1,000 translation pairs), and a
paper-scale stats job (2 comparisons x 3 sizes x 6 task/langs x ~10 measures) on synthetic tables.

Run: .venv/bin/python benchmarks/stats.py
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

import numpy as np

from codepeft import stats as st


def timed(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rng = np.random.default_rng(0)
    for n in (1_000, 10_000):
        a, b = rng.integers(0, 50, n).astype(float), rng.integers(0, 55, n).astype(float)
        t_e = timed(lambda a=a, b=b: st.cliffs_delta(a, b, algorithm="effsize"))
        t_x = timed(lambda a=a, b=b: st.cliffs_delta(a, b, algorithm="exact"), repeat=1)
        print(f"cliffs_delta n={n}: effsize {t_e * 1e3:.1f} ms, exact {t_x * 1e3:.1f} ms")
    x, y = rng.random(1000), rng.random(1000)
    paired = st.pair_values(
        [str(i) for i in range(1000)], x, [str(i) for i in range(1000)][::-1], y[::-1]
    )
    print(
        f"one Wilcoxon + Cliff comparison, 1,000 pairs (pair by id + test): "
        f"{timed(lambda: st.compare(st.pair_values([str(i) for i in range(1000)], x, [str(i) for i in range(1000)][::-1], y[::-1]))) * 1e3:.1f} ms"
        f" (test only {timed(lambda: st.compare(paired)) * 1e3:.1f} ms)"
    )

    models = ["qwen0.5b", "qwen1.5b", "qwen3b"]
    methods = ["st_qlora", "mt_qlora", "mt_fft"]
    tasks = {
        "summarization": ["python", "java"],
        "generation": ["python", "java"],
        "translation": ["java-cs", "cs-java"],
    }
    sizes = {"summarization": 100, "generation": 190, "translation": 1000}
    measures = [f"m{k}" for k in range(10)]
    with tempfile.TemporaryDirectory() as tmp:
        for m in models:
            for meth in methods:
                for task, langs in tasks.items():
                    for lang in langs:
                        path = Path(
                            tmp, f"results/metrics/fam/{m}/{meth}/seed-42/{task}/{lang}.tsv"
                        )
                        path.parent.mkdir(parents=True, exist_ok=True)
                        with open(path, "w", newline="") as handle:
                            w = csv.writer(handle, delimiter="\t")
                            w.writerow(["id", *measures, "pass", "status"])
                            for i in range(sizes[task]):
                                w.writerow(
                                    [
                                        f"{task}{i}",
                                        *np.round(rng.random(10), 2),
                                        int(rng.random() < 0.3),
                                        "ok",
                                    ]
                                )
        cfg = {
            "models": {m: {} for m in models},
            "methods": {k: {} for k in methods},
            "tasks": {t: {"languages": v} for t, v in tasks.items()},
            "stats": {
                "comparisons": [
                    {"name": "rq1", "a": {"method": "st_qlora"}, "b": {"method": "mt_qlora"}},
                    {"name": "rq2", "a": {"method": "mt_qlora"}, "b": {"method": "mt_fft"}},
                ],
                "measures": {"fam": {"continuous": ["*"], "binary": ["pass"]}},
                "families": {
                    "binary": ["comparison", "measure"],
                    "continuous": ["comparison", "model", "task", "lang"],
                },
            },
        }
        blocks = st.planned_tests(cfg)
        t0 = time.perf_counter()
        out = st.run_blocks(blocks, cfg["stats"], root=tmp)
        dt = time.perf_counter() - t0
        n_rows = sum(len(r) for r in out.values())
        print(f"paper-scale stats job: {len(blocks)} blocks, {n_rows} result rows in {dt:.2f} s")


if __name__ == "__main__":
    main()
