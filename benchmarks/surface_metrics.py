"""Benchmark: all surface metrics but BERTScore (and SIDE, which needs a checkpoint) for 1,000
summarization pairs + 1,000 translation pairs. Target: under 20 s on a 2-core machine.

Inputs are read at runtime from ../shared/data (never copied):
* summarization: docstrings of CodeXGLUE code-to-text/python (test + valid rows) as references;
  predictions are perturbed copies (word drops, swaps, a few empties), cycled to 1,000 pairs;
* translation (java-cs): the 1,000 CodeXGLUE test C# lines as references; predictions are
  perturbed copies (token drops/reversals, a few garbage lines and empties).

    .venv/bin/python benchmarks/surface_metrics.py [--shared ../shared] [--n 1000]

It prints the wall and CPU time of each task and part (the one-time WordNet load included)
and the total. The metrics are single-threaded: on a busy machine wall > CPU time.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import time
from pathlib import Path

from codepeft.metrics.compute import SurfaceOptions, compute_surface, join


def perturb(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return ""
    if roll < 0.05:
        return "I cannot translate this code."
    tokens = text.split()
    for _ in range(max(1, len(tokens) // 8)):
        if not tokens:
            break
        i = rng.randrange(len(tokens))
        action = rng.random()
        if action < 0.4:
            tokens.pop(i)
        elif action < 0.7:
            tokens[i] = tokens[i][::-1]
        else:
            j = rng.randrange(len(tokens))
            tokens[i], tokens[j] = tokens[j], tokens[i]
    return " ".join(tokens)


def summarization_pairs(shared: Path, n: int, rng: random.Random):
    docs = []
    for split in ("test", "valid"):
        path = shared / "data/codexglue/code-to-text/python" / f"{split}.jsonl"
        for line in path.read_text().splitlines():
            row = json.loads(line)
            docs.append((" ".join(row["docstring_tokens"]), row["code"]))
    refs, preds = [], []
    for i in range(n):
        doc, code = docs[i % len(docs)]
        refs.append({"id": f"s{i}", "reference": doc, "inputs": {"code": code}})
        preds.append({"id": f"s{i}", "output": perturb(doc, rng)})
    return preds, refs


def translation_pairs(shared: Path, n: int, rng: random.Random):
    path = shared / "data/codexglue/code-to-code-trans/test.java-cs.txt.cs"
    lines = path.read_text().split("\n")[:n]
    refs = [{"id": str(i), "reference": line} for i, line in enumerate(lines)]
    preds = [{"id": str(i), "output": perturb(line, rng)} for i, line in enumerate(lines)]
    return preds[::-1], refs  # reversed: the join is by id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_shared = os.environ.get(
        "CODEPEFT_SHARED", Path(__file__).resolve().parents[2] / "shared"
    )
    parser.add_argument("--shared", type=Path, default=Path(default_shared))
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument(
        "--bertscore", action="store_true", help="also time BERTScore (default MiniLM) alone"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("root").setLevel(logging.ERROR)  # codebleu's per-corpus warnings
    rng = random.Random(42)
    options = SurfaceOptions(bertscore_enabled=False)
    started, cpu_started = time.perf_counter(), time.process_time()
    jobs = [
        ("summarization", "python", summarization_pairs(args.shared, args.n, rng), ("surface",)),
        (
            "translation",
            "java-cs",
            translation_pairs(args.shared, args.n, rng),
            ("surface", "codebleu"),
        ),
    ]
    for task, lang, (preds, refs), families in jobs:
        t0, c0 = time.perf_counter(), time.process_time()
        result = compute_surface(join(preds, refs), task, lang, options, None, families)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        means = {k: round(v, 4) for k, v in result.summary["mean"].items() if v is not None}
        print(
            f"{task}/{lang}: {len(result.rows)} rows in {seconds:.2f} s wall, {cpu:.2f} s CPU; "
            f"parts (wall) {result.summary['seconds']}"
        )
        print(f"  means {means}")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"TOTAL {wall:.2f} s wall, {cpu:.2f} s CPU for {2 * args.n} pairs (BERTScore off)")
    if args.bertscore:
        from codepeft.metrics import bertscore

        preds, refs = summarization_pairs(args.shared, args.n, random.Random(42))
        pairs = [(p["output"], r["reference"]) for p, r in zip(preds, refs, strict=True)]
        pairs = [(p, r) for p, r in pairs if p.strip()]
        setup = bertscore.resolve()
        t0, c0 = time.perf_counter(), time.process_time()
        bertscore.bertscore([p for p, _ in pairs], [r for _, r in pairs], setup)
        print(
            f"BERTScore {setup.model} ({setup.num_layers} layers), {len(pairs)} summarization "
            f"pairs: {time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU "
            "(model load included)"
        )


if __name__ == "__main__":
    main()
