"""`codepeft report`: build results/report/ from a results folder, outside Snakemake.

Examples:

    # the report of the embedded default study, from ./results, into ./results/report
    codepeft report --config config.yaml

    # another results folder and output folder, images linked rather than embedded
    codepeft report --config config/paper.yaml --root /scratch/run1 --out /tmp/report --link-images

Reads every results/metrics/{family}/{model}/{method}/{task}/{lang}.tsv of the study's models and
methods (+ the reference/reference baseline), results/stats/*.tsv and
results/models/*/*/*/codepeft_training.json under --root. The config is validated (defaults
filled) as the workflow does.
"""

from __future__ import annotations

import argparse
import os

from codepeft import config as study_config
from codepeft.logs import setup_logging

from .build import build_report


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="codepeft report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--config", default="config.yaml", help="study config (YAML); default config.yaml"
    )
    p.add_argument("--root", default=".", help="folder holding results/ (default .)")
    p.add_argument("--out", default=None, help="output folder (default <root>/results/report)")
    p.add_argument(
        "--link-images", action="store_true", help="link plots instead of embedding them"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    setup_logging()
    config = study_config.load(args.config)
    if args.link_images:
        config.setdefault("report", {})["embed_images"] = False
    out = args.out or os.path.join(args.root, "results", "report")
    result = build_report(config, out, root=args.root)
    print(f"{result['index']} ({len(result['tables'])} tables, {len(result['plots'])} plots)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
