"""`codepeft data`: write results/data/{task}/{lang}/{split}.jsonl from the raw sources.

Examples:
    codepeft data --task summarization --lang python --out results/data
        (embedded default sources)
    codepeft data --task translation --lang java-cs --config config.yaml --out results/data
        (sources from the `data` section of a study config)
    codepeft data --task generation --lang python --code-to-text-dir ../shared/data/codexglue/code-to-text \\
        --codereval-dir ../shared/data/codereval --max-rows-train 100 --out /tmp/data
    codepeft data --all --out results/data      (every task and language)

Prints the counts (rows written, rows before the cap, skipped rows by reason) as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys

import yaml

from codepeft.data.prepare import TASK_LANGUAGES, write_task_splits
from codepeft.data.records import SPLITS
from codepeft.logs import setup_logging


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codepeft data",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--task", choices=sorted(TASK_LANGUAGES))
    parser.add_argument(
        "--lang", help="python, java (summarization/generation) or java-cs, cs-java"
    )
    parser.add_argument("--all", action="store_true", help="every task and language")
    parser.add_argument("--config", help="a study config.yaml; its `data` section is used")
    parser.add_argument("--out", default="results/data", help="output root (default results/data)")
    parser.add_argument(
        "--seed", type=int, default=None, help="seed for max_rows (default: config seed or 42)"
    )
    parser.add_argument(
        "--code-to-text-dir", help="local CodeXGLUE code-to-text dir ('embedded' ok)"
    )
    parser.add_argument("--translation-dir", help="local CodeXGLUE code-to-code-trans dir")
    parser.add_argument("--codereval-dir", help="local CoderEval dir (HumanLabel, discard list)")
    parser.add_argument(
        "--summarization-eval-dir", help="dir of cs_codereval_eval_dataset_*_v2.jsonl"
    )
    parser.add_argument("--summarization-test", choices=["codereval_eval", "codexglue_test"])
    parser.add_argument("--code-input", choices=["tokens", "raw"])
    for split in SPLITS:
        parser.add_argument(f"--max-rows-{split}", type=int, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging()
    data_cfg: dict = {}
    seed = 42
    if args.config:
        with open(args.config) as handle:
            study = yaml.safe_load(handle) or {}
        data_cfg = study.get("data", {}) or {}
        seed = study.get("seed", seed) if isinstance(study.get("seed"), int) else seed
    if args.seed is not None:
        seed = args.seed
    for key, value in (
        ("code_to_text", args.code_to_text_dir),
        ("translation", args.translation_dir),
        ("codereval", args.codereval_dir),
        ("summarization_eval", args.summarization_eval_dir),
    ):
        if value:
            data_cfg.setdefault(key, {})["local_dir"] = value
    if args.summarization_test:
        data_cfg["summarization_test"] = args.summarization_test
    if args.code_input:
        data_cfg["code_input"] = args.code_input
    for split in SPLITS:
        cap = getattr(args, f"max_rows_{split}")
        if cap is not None:
            data_cfg.setdefault("max_rows", {})[split] = cap
    if args.all:
        pairs = [(t, lang) for t, langs in TASK_LANGUAGES.items() for lang in langs]
    elif args.task and args.lang:
        pairs = [(args.task, args.lang)]
    else:
        print("codepeft data: give --task and --lang, or --all", file=sys.stderr)
        return 2
    results = []
    for task, lang in pairs:
        outputs = {s: f"{args.out}/{task}/{lang}/{s}.jsonl" for s in SPLITS}
        results.append(write_task_splits(task, lang, data_cfg, outputs, seed=seed))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
