"""Cost of the bootstrap (benchmarks/bootstrap.md): corpus BLEU and chrF by sacrebleu and the
numpy mean, 1000 resamples, on the real CodeXGLUE Java->C# test set (1000 pairs; hypotheses:
the references with every 7th token dropped, a stand-in for a system's output).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bootstrap.py [../shared/data]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from codepeft.stats import bootstrap as bs


def timed(label, fn, repeat=3):
    best = min(_once(fn) for _ in range(repeat))
    print(f"{label}: {best:.3f} s")


def _once(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> int:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    refs = (data / "codexglue/code-to-code-trans/test.java-cs.txt.cs").read_text().splitlines()
    hyps = [" ".join(w for k, w in enumerate(r.split()) if k % 7 != 3) for r in refs]
    other = [" ".join(w for k, w in enumerate(r.split()) if k % 5 != 2) for r in refs]
    settings = bs.Bootstrap()
    print(f"n = {len(refs)}, {settings.describe()}")
    timed("sacrebleu_intervals (BLEU + chrF, one system)",
          lambda: bs.sacrebleu_intervals(hyps, refs, settings))  # fmt: skip
    timed("sacrebleu_paired (BLEU + chrF, two systems)",
          lambda: bs.sacrebleu_paired(hyps, other, refs, settings))  # fmt: skip
    values = np.random.default_rng(0).random(len(refs))
    bs.resample_counts.cache_clear()
    timed("mean_interval, first call (draws the indices)",
          lambda: (bs.resample_counts.cache_clear(), bs.mean_interval(values, settings)))  # fmt: skip
    timed("mean_interval, indices cached", lambda: bs.mean_interval(values, settings))
    timed("paired_mean_test (a stats row), indices cached",
          lambda: bs.paired_mean_test(values, values + 0.01, settings))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
