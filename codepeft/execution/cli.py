"""`codepeft execute`: run generated code against tests in a sandbox; per-task table + pass@k.

Running generated code is an explicit opt-in: pass --allow-untrusted-code (the workflow's
equivalent is `execution.allow_untrusted_code: true`); without it every task is written as
"not computed: execution not enabled".

Examples:
    codepeft execute --predictions results/predictions/tiny/mt_qlora/seed-42/generation/python.jsonl \\
        --tests codepeft/resources/embedded/codereval/tests.jsonl --language python \\
        --out /tmp/exec.tsv --k 1 --threads 2 --allow-untrusted-code
    codepeft execute --predictions python_chatgpt_humanlabel_out.jsonl --tests tests.jsonl \\
        --language python --out table.tsv --k 1 5 10 --threads 8 --allow-untrusted-code
    # CoderEval tasks without a local test, inside CoderEval's image:
    codepeft execute --predictions P.jsonl --language java --out t.tsv --allow-untrusted-code \\
        --codereval-image codereval.sif --codereval-runtime apptainer

Writes <out>.tsv, <out>.summary.json (pass@1 over all tasks, pass@k, outcome counts, the
sandbox mechanism and limits, samples/s) and, with --samples-out, one JSON line per sample.
"""

from __future__ import annotations

import argparse
import logging
import sys

from codepeft.execution import codereval as ce
from codepeft.execution import evaluate as ev
from codepeft.execution import sandbox as sb
from codepeft.failures import DEFAULT_MODE, MODES
from codepeft.logs import setup_logging


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="codepeft execute",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--predictions", required=True, help="predictions JSONL (id+output or _id+generate_results)"
    )
    p.add_argument("--tests", help="local tests JSONL: {id, language, test} per line")
    p.add_argument("--language", required=True, choices=["python", "java"])
    p.add_argument("--out", required=True, help="per-task table (.tsv)")
    p.add_argument("--summary", help="summary JSON (default: <out without .tsv>.summary.json)")
    p.add_argument("--samples-out", help="optional per-sample JSONL")
    p.add_argument(
        "--data",
        help="task data file (results/data/generation/<lang>/test.jsonl): "
        "the set's ids (missing predictions count as fails) and levels",
    )
    p.add_argument("--k", type=int, nargs="+", default=[1])
    p.add_argument("--threads", type=int, default=1, help="samples run in parallel")
    p.add_argument(
        "--allow-untrusted-code",
        action="store_true",
        help="the explicit opt-in to run generated code (in the sandbox)",
    )
    p.add_argument(
        "--sandbox",
        choices=sb.MECHANISMS,
        default="bwrap",
        help="bwrap (default); unshare / rlimit_only are weaker, named fallbacks",
    )
    p.add_argument("--timeout", type=float, default=10.0, help="wall-clock seconds per sample")
    p.add_argument("--cpu", type=int, default=10, help="CPU seconds per sample")
    p.add_argument("--memory-mb", type=int, default=1024, help="address space (Python)")
    p.add_argument("--java-memory-mb", type=int, default=4096, help="address space (JVM)")
    p.add_argument("--max-processes", type=int, default=64)
    p.add_argument("--max-output-kb", type=int, default=256)
    p.add_argument("--python", help="interpreter for samples (default /usr/bin/python3)")
    p.add_argument("--java-home", help="JDK for samples (default: javac on PATH)")
    p.add_argument("--codereval-image", help="CoderEval docker image or Apptainer .sif")
    p.add_argument(
        "--codereval-runtime",
        default="auto",
        choices=["auto", "docker", "apptainer", "singularity"],
    )
    p.add_argument(
        "--environment-failures",
        choices=MODES,
        default=DEFAULT_MODE,
        help="no interpreter/JDK, or a CoderEval image not usable here: fail (default, exit "
        "status 3) or record 'not computed' rows",
    )
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(level=logging.DEBUG if args.verbose else logging.INFO)
    limits = sb.Limits(
        mechanism=args.sandbox, wall_s=args.timeout, cpu_s=args.cpu, memory_mb=args.memory_mb,
        java_memory_mb=args.java_memory_mb, max_processes=args.max_processes,
        max_output_kb=args.max_output_kb,
    )  # fmt: skip
    settings = ev.Settings(
        language=args.language, ks=tuple(args.k), threads=args.threads,
        allow_untrusted_code=args.allow_untrusted_code, limits=limits, python=args.python,
        java_home=args.java_home,
        codereval=ce.CoderEvalConfig(image=args.codereval_image, runtime=args.codereval_runtime),
        environment_failures=args.environment_failures,
    )  # fmt: skip
    try:
        rows, columns, summary, samples = ev.evaluate(
            ev.load_predictions(args.predictions), ev.load_tests(args.tests), settings,
            all_ids=ev.load_all_ids(args.data), levels=ev.load_levels(args.data),
        )  # fmt: skip
    except sb.SandboxUnavailable as err:
        print(f"codepeft execute: sandbox unavailable: {err}", file=sys.stderr)
        return 3
    path = ev.write_outputs(
        rows, columns, summary, args.out, args.summary, args.samples_out, samples
    )
    print(f"pass@1 over all {summary['n_tasks']} tasks: {summary['pass@1_all_tasks']:.4f} "
          f"({summary['passes']} passes; {summary['n_not_computed']} not computed); "
          f"table {args.out}, summary {path}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
