"""`codepeft <subcommand> ...`: one subcommand per stage, each usable outside the workflow.

Each subcommand lives in its stage's module as ``main(argv: list[str] | None) -> int``.
An `EnvironmentFailure` (codepeft.failures: a model, tool or service this machine lacks) ends
any subcommand with its message and exit status 3.
"""

from __future__ import annotations

import importlib
import sys

from codepeft.failures import EnvironmentFailure

SUBCOMMANDS = {
    "fetch": ("codepeft.fetch", "cache the hub datasets and models a config needs, check offline"),
    "preflight": ("codepeft.preflight", "check in seconds that a run has everything it needs"),
    "data": ("codepeft.data.cli", "prepare task data files from the raw sources"),
    "build-tiny-model": ("codepeft.models", "build the tiny Qwen2-shaped demo model"),
    "train": ("codepeft.train", "fine-tune a model (QLoRA, LoRA, full)"),
    "launch": ("codepeft.launch", "multi-GPU training: device check, accelerate launch command"),
    "generate": ("codepeft.generate", "generate predictions for a task data file"),
    "metrics": ("codepeft.metrics.cli", "surface metrics (BLEU, CodeBLEU, METEOR, ...)"),
    "analyze": ("codepeft.analyzers.cli", "static analyzers (Pylint, PMD, Lizard, ...)"),
    "execute": ("codepeft.execution.cli", "run generated code in a sandbox, pass@k"),
    "judge": ("codepeft.judge.cli", "LLM-as-a-judge for summaries"),
    "stats": ("codepeft.stats.cli", "paired tests and effect sizes on per-instance tables"),
    "report": ("codepeft.report.cli", "build results/report/ (tables, plots, HTML, provenance)"),
    "tidy": ("codepeft.tidy", "every value and comparison in long tables (Parquet + CSV)"),
    "push": ("codepeft.push", "upload trained models with their model cards to the Hub"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print("usage: codepeft <subcommand> [options]\n\nsubcommands:")
        for name, (_, helptext) in SUBCOMMANDS.items():
            print(f"  {name:18s} {helptext}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in SUBCOMMANDS:
        print(f"codepeft: unknown subcommand {name!r}; see 'codepeft --help'", file=sys.stderr)
        return 2
    module = importlib.import_module(SUBCOMMANDS[name][0])
    try:
        return int(module.main(rest) or 0)
    except EnvironmentFailure as err:
        print(f"codepeft {name}: {err}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
