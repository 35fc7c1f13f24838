"""`codepeft analyze`: run one static analyzer over a predictions file (all samples in one batch).

Examples:
    codepeft analyze pylint results/predictions/tiny/mt_qlora/seed-42/generation/python.jsonl \
        --task generation --lang python --out results/metrics/pylint/tiny/mt_qlora/seed-42/generation/python.tsv
    codepeft analyze pmd preds.jsonl --task translation --lang cs-java --out pmd.tsv \
        --rules pmd.rules.tsv --summary pmd.summary.json --threads 2
    codepeft analyze --list            # analyzers, their languages, and whether each can run here

Analyzers: pylint, flake8, pmd, checkstyle, lizard, complexipy, radon, semgrep, treesitter,
roslyn, sonar. A tool missing here (or failing as a whole) stops the command with the setup
step to run and exit status 3; `--environment-failures record` writes `not computed: <reason>`
rows instead. Sonar without a host is not configured: `not computed` rows in either mode.
"""

from __future__ import annotations

import argparse
import sys

from codepeft.analyzers import ANALYZERS, Job, analyze_files, module, setup_logging
from codepeft.failures import DEFAULT_MODE, MODES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="codepeft analyze",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("analyzer", nargs="?", choices=ANALYZERS)
    parser.add_argument("predictions", nargs="?", help="predictions JSONL (id, output)")
    parser.add_argument("--task", choices=["generation", "translation"])
    parser.add_argument("--lang", help="python, java, java-cs or cs-java")
    parser.add_argument("--out", help="per-instance TSV to write")
    parser.add_argument("--rules", help="long by-rule TSV to write (families with rules)")
    parser.add_argument("--summary", help="summary JSON to write")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per tool call")
    parser.add_argument(
        "--unit-files",
        choices=["codepeft", "package"],
        default="codepeft",
        help="file layout the tools read (package: the replication package's; see units.py)",
    )
    parser.add_argument(
        "--format-translations",
        action="store_true",
        help="reformat translation outputs with the package's format_code first",
    )
    parser.add_argument(
        "--paper-zeros",
        action="store_true",
        help="Lizard: 0 in every column without a function; PMD: 0 for unparsable files",
    )
    parser.add_argument(
        "--lizard-functions-from",
        choices=["list", "text_report"],
        default="list",
        help="Lizard: the function list (each once) or the package's parse of the text report "
        "(a function over a warning threshold counts twice)",
    )
    parser.add_argument(
        "--environment-failures",
        choices=MODES,
        default=DEFAULT_MODE,
        help="a tool missing or failing as a whole: fail (default) or record 'not computed' rows",
    )
    parser.add_argument("--log", help="log file (default: stderr)")
    parser.add_argument("--list", action="store_true", help="list analyzers and exit")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    if args.list:
        for name in ANALYZERS:
            mod = module(name)
            not_configured = getattr(mod, "not_configured", None)
            reason = (not_configured({}) if not_configured else None) or mod.unavailable({})
            print(f"{name:11s} {','.join(mod.LANGUAGES):22s} {'ready' if not reason else reason}")
        return 0
    if not (args.analyzer and args.predictions and args.task and args.lang and args.out):
        parser.error("analyzer, predictions, --task, --lang and --out are required")
    # the workflow's batch path (rules/analyze.smk), with one predictions file
    job = Job(args.predictions, args.task, args.lang, args.out, args.rules, args.summary)
    rows = analyze_files(
        args.analyzer,
        [job],
        threads=args.threads,
        options={
            "timeout_s": args.timeout,
            "unit_files": args.unit_files,
            "format_translations": args.format_translations,
            "lizard": {
                "functions_from": args.lizard_functions_from,
                **({"no_functions": "zero"} if args.paper_zeros else {}),
            },
            **({"pmd": {"parse_error": "zero"}} if args.paper_zeros else {}),
        },
        environment_failures=args.environment_failures,
    )[job.table]
    print(f"{args.out}: {len(rows)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
