#!/usr/bin/env python3
"""Compare two finished runs' `results/` trees: same files, same content, except what records
when, where and how long (timestamps, durations, machine paths, provenance, benchmark files).

    python scripts/compare_runs.py RUN_A/results RUN_B/results [--show 20]

Exit status 0 when the runs agree, 1 otherwise (the differing files are listed). Used to show
that a refactor leaves the embedded study's outputs unchanged (issue 16): run the embedded
study before and after, then compare.

Rules (one place, in this file):
- files under IGNORED_DIRS and with IGNORED_NAMES are skipped (benchmarks, logs, provenance,
  trainer checkpoints' optimizer/rng state, caches), and the report's cost table and plot
  (COST_DERIVED: measured time and memory);
- text files are compared after `normalize`: volatile JSON/YAML keys (VOLATILE_KEYS, and
  Markdown list lines "- <key with spaces>: ..." such as a model card's train seconds) are
  dropped (times, throughput, peak memory, machine paths, cache hits), lists of UNORDERED_KEYS
  sorted, ISO timestamps, the commit and the report page's cost and provenance sections
  masked;
- binary files (weights, images) are compared byte for byte; PNG plots embed no time stamp
  (matplotlib's Agg with metadata off), so they too must match.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

IGNORED_DIRS = {"benchmarks", "judge_cache", "__pycache__", ".snakemake"}
IGNORED_NAMES = {
    "provenance.json",
    "optimizer.pt",
    "scheduler.pt",
    "rng_state.pth",
    "training_args.bin",
}
IGNORED_SUFFIXES = {".log"}
#: report outputs made of measured cost (time, memory, throughput), not of results
COST_DERIVED = {
    "report/tables/cost.tsv",
    "report/tables/cost.html",
    "report/plots/quality_vs_cost.png",
}
#: keys whose values record time, place or machine, not results
VOLATILE_KEYS = {
    "created",
    "created_at",
    "generated_at",
    "date",
    "timestamp",
    "time",
    "start_time",
    "end_time",
    "elapsed_s",
    "wall_s",
    "seconds",
    "duration_s",
    "train_runtime",
    "train_samples_per_second",
    "train_steps_per_second",
    "eval_runtime",
    "eval_samples_per_second",
    "eval_steps_per_second",
    "total_flos",
    "hostname",
    "host",
    "python",
    "platform",
    "cwd",
    "path",
    "model_path",
    "cached",
    "samples_per_s",
    "generate_seconds",
    "load_seconds",
    "new_tokens_per_s",
    "tokens_per_s",
    "train_seconds",
    "peak_memory_gib",
    "wall_seconds",
    "wall_seconds_this_run",
    "energy_seconds",  # the span the energy meter ran (codepeft.energy)
    "energy_kwh",  # measured energy varies from run to run like time
    "requests",  # judge: requests made vs answered from the cache
    "provenance",
    "git_revision",
}
#: lists whose order is a set's iteration order in the writing library (peft)
UNORDERED_KEYS = {"target_modules"}
TEXT_SUFFIXES = {".json", ".jsonl", ".tsv", ".csv", ".txt", ".md", ".html", ".yaml", ".yml"}
_COST_SECTION = re.compile(r"<h2 id='(?:cost|provenance)'>.*?(?=<h2 id=|</body>|\Z)", re.DOTALL)
_GIT_REVISION = re.compile(r"git [0-9a-f]{0,40};")
#: a Markdown list line of a volatile key, as a model card writes it ("- train seconds: 63.9")
_VOLATILE_LINE = re.compile(
    r"^(\s*- )(" + "|".join(sorted(k.replace("_", " ") for k in VOLATILE_KEYS)) + r"): .*$"
)
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")


def files(root: Path) -> dict[str, Path]:
    out = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(root)
        if set(rel.parts[:-1]) & IGNORED_DIRS or rel.name in IGNORED_NAMES:
            continue
        if rel.as_posix() in COST_DERIVED:
            continue
        if path.suffix in IGNORED_SUFFIXES:
            continue
        out[rel.as_posix()] = path
    return out


def _drop_volatile(value):
    if isinstance(value, dict):
        return {
            k: sorted(v, key=str)
            if k in UNORDERED_KEYS and isinstance(v, list)
            else _drop_volatile(v)
            for k, v in value.items()
            if k not in VOLATILE_KEYS
        }
    if isinstance(value, list):
        return [_drop_volatile(v) for v in value]
    return value


def normalize(text: str, root: Path) -> str:
    """`text` without what records when and where (see the module docstring)."""
    # the run's folder as the files may record it: as given (made absolute) and resolved
    text = text.replace(str(root.resolve().parent), "<RUN>")
    text = text.replace(str(root.absolute().parent), "<RUN>")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is not None:
        return json.dumps(_drop_volatile(data), sort_keys=True)
    # the report page: its cost and provenance sections are measured time and memory, machine
    # and commit; so is the note's commit
    text = _COST_SECTION.sub("", text)
    text = _GIT_REVISION.sub("git <REV>;", text)
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("{"):
            try:
                line = json.dumps(_drop_volatile(json.loads(stripped)), sort_keys=True)
            except ValueError:
                pass
        line = _VOLATILE_LINE.sub(r"\1\2: <MEASURED>", line)
        lines.append(_TIMESTAMP.sub("<TIME>", line))
    return "\n".join(lines)


def digest(path: Path, root: Path) -> str:
    if path.suffix in TEXT_SUFFIXES:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return hashlib.sha256(normalize(text, root).encode()).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compare(a: Path, b: Path) -> dict[str, list[str]]:
    files_a, files_b = files(a), files(b)
    common = sorted(files_a.keys() & files_b.keys())
    return {
        "only_a": sorted(files_a.keys() - files_b.keys()),
        "only_b": sorted(files_b.keys() - files_a.keys()),
        "differ": [r for r in common if digest(files_a[r], a) != digest(files_b[r], b)],
        "common": common,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--show", type=int, default=30, help="list at most N files per kind")
    args = parser.parse_args(argv)
    result = compare(args.a, args.b)
    n_same = len(result["common"]) - len(result["differ"])
    print(
        f"{n_same} files agree; {len(result['differ'])} differ; "
        f"{len(result['only_a'])} only in {args.a}; {len(result['only_b'])} only in {args.b}"
    )
    for kind in ("differ", "only_a", "only_b"):
        for rel in result[kind][: args.show]:
            print(f"  {kind}: {rel}")
    return 0 if not (result["differ"] or result["only_a"] or result["only_b"]) else 1


if __name__ == "__main__":
    sys.exit(main())
