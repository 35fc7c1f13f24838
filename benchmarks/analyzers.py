"""Benchmark: the analyzer stage batched (one tool call per file set) vs one tool call per file.

Input: the first generation of each task in ../shared/data/codereval/generations/
{python,java}_chatgpt_humanlabel_out.jsonl (230 Python + 230 Java programs).
For each analyzer: the batched run over all files of its language (timed), then the same
analyzer run once per file on a sample of files (timed, extrapolated to all files), and a check
that the per-file rows equal the batched rows for the sampled ids.

    .venv/bin/python benchmarks/analyzers.py                      # default samples
    .venv/bin/python benchmarks/analyzers.py --sample 10 --pylint-sample 20 --threads 2
    .venv/bin/python benchmarks/analyzers.py --only pylint --pylint-sample 230   # no extrapolation
    .venv/bin/python benchmarks/analyzers.py --stage   # the workflow's layout, whole stage

--stage times what the rules of rules/analyze.smk do: per analyzer ONE `analyze_files` call
over both predictions files (its tool run once per code language), outputs written, and sums
them (the whole analyzer stage over the 460 files, one job per analyzer, run one after another).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from codepeft import analyzers

SHARED = Path(
    os.environ.get("CODEPEFT_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)
LANGS = {"python": ("generation", "python"), "java": ("generation", "java")}


def load(language: str) -> list[dict]:
    path = (
        SHARED / "data" / "codereval" / "generations" / f"{language}_chatgpt_humanlabel_out.jsonl"
    )
    recs = [json.loads(line) for line in path.open()]
    return [{"id": r["_id"], "output": r["generate_results"][0]["generate_code"]} for r in recs]


def stage(only: list[str] | None, threads: int) -> float:
    """The rules' layout: one analyze_files call per analyzer over both files; total seconds."""
    from codepeft.io import write_jsonl

    total = 0.0
    with tempfile.TemporaryDirectory(prefix="codepeft-bench-") as tmp:
        files = {}
        for language, (task, lang) in LANGS.items():
            path = Path(tmp) / f"{language}.jsonl"
            write_jsonl(path, load(language))
            files[language] = (path, task, lang)
        for name in analyzers.ANALYZERS:
            mod = analyzers.module(name)
            if (only and name not in only) or mod.unavailable({}):
                continue
            jobs = [
                (str(p), task, lang, f"{tmp}/{name}/{lang}.tsv", None, f"{tmp}/{name}/{lang}.json")
                for language, (p, task, lang) in files.items()
                if language in mod.LANGUAGES
            ]
            t = 1 if name in ("pylint", "flake8") else threads  # as in rules/analyze.smk
            start = time.perf_counter()
            out = analyzers.analyze_files(name, jobs, threads=t)
            seconds = time.perf_counter() - start
            total += seconds
            rows = sum(len(r) for r in out.values())
            print(f"{name:10s} {len(jobs)} file(s) {rows:4d} rows {seconds:6.2f} s", flush=True)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=int, default=10, help="files run one by one per analyzer")
    parser.add_argument("--pylint-sample", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="analyzers to run (default: all)")
    parser.add_argument("--json", help="write the figures here too")
    parser.add_argument(
        "--stage", action="store_true", help="time the rules' layout (analyze_files) only"
    )
    args = parser.parse_args()
    rng = random.Random(0)
    print(f"load average before: {os.getloadavg()}", flush=True)
    if args.stage:
        total = stage(args.only, args.threads)
        print(f"load average after: {os.getloadavg()}")
        print(f"whole stage, one analyze_files call per analyzer, 460 files: {total:.1f} s")
        return 0
    figures, stage_total = [], 0.0
    for language, (task, lang) in LANGS.items():
        records = load(language)
        for name in analyzers.analyzers_for(language):
            if args.only and name not in args.only:
                continue
            mod = analyzers.module(name)
            reason = mod.unavailable({})
            if reason:
                print(f"{name:10s} {language:6s} skipped: {reason}")
                continue
            threads = 1 if name in ("pylint", "flake8") else args.threads  # as in rules/analyze.smk
            start = time.perf_counter()
            rows, _ = analyzers.analyze(name, records, task, lang, threads=threads)
            batched = time.perf_counter() - start
            stage_total += batched
            n_sample = args.pylint_sample if name == "pylint" else args.sample
            sample = rng.sample(records, min(n_sample, len(records)))
            start = time.perf_counter()
            single = [analyzers.analyze(name, [rec], task, lang, threads=1)[0][0] for rec in sample]
            per_file = (time.perf_counter() - start) / len(sample)
            by_id = {r["id"]: r for r in rows}
            same = sum(1 for r in single if r == by_id[r["id"]])
            fig = {
                "analyzer": name,
                "language": language,
                "files": len(records),
                "batched_s": round(batched, 2),
                "per_file_s": round(per_file, 3),
                "per_file_extrapolated_s": round(per_file * len(records), 1),
                "speedup": round(per_file * len(records) / batched, 1),
                "sample": len(sample),
                "same_rows": same,
            }
            figures.append(fig)
            print(
                f"{name:10s} {language:6s} batched {batched:6.2f} s | per file {per_file:6.3f} s "
                f"x {len(records)} = {per_file * len(records):7.1f} s | {fig['speedup']:6.1f}x | "
                f"same rows {same}/{len(sample)}",
                flush=True,
            )
    print(f"load average after: {os.getloadavg()}")
    print(f"whole stage, batched, all analyzers available here: {stage_total:.1f} s")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"figures": figures, "stage_batched_s": stage_total}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
