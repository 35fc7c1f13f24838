"""Move a study run before training seeds (issue 25) into the seed layout, so that its next run
does not train and evaluate everything again.

Before, a method's files sat directly under `<...>/{model}/{method}/`; now under
`<...>/{model}/{method}/seed-{seed}/` (docs/architecture.md, "Files"): the study's `seed` for
a trained method, `none` for a method without training (zero-shot) and for the references. This
script finds every `{model}/{method}` folder of the config's models and methods under
`results/` and `logs/` whose children are not yet `seed-*` folders and moves those children one
level down. Moves keep modification times, so Snakemake sees the moved outputs as up to date:
they carry no metadata record under their new paths, and a job without a record is judged by
modification times only (params, code and input triggers need a record). The new stages
(seeds' statistics, intervals, overlap audits, tidy tables, model cards) then run; trainings
and generations do not.

    .venv/bin/python scripts/migrate_seed_layout.py [--study DIR] [--config config.yaml] [--apply]

Without --apply it prints the moves and changes nothing. A study with several training seeds
cannot come from before seeds: the script refuses it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from codepeft import config as study_config
from codepeft import study
from codepeft.plan import REFERENCE

ROOTS = ("results", "logs")


def method_seeds(config: dict) -> dict[str, str]:
    """{method: its seed segment} of a single-seed study (the references: `none`)."""
    seeds = study.training_seeds(config)
    if len(seeds) != 1:
        raise ValueError(
            f"training.seeds lists {len(seeds)} seeds: a study from before seeds has one"
        )
    out = {
        m: (str(seeds[0]) if study.is_trained(config, m) else study.NO_SEED)
        for m in config["methods"]
    }
    out[REFERENCE] = study.NO_SEED
    return out


def planned_moves(work: Path, config: dict) -> list[tuple[Path, Path]]:
    """(old path, new path) of every child of an old-layout `{model}/{method}` folder."""
    seeds = method_seeds(config)
    models = set(config["models"]) | {REFERENCE}
    moves = []
    for root in ROOTS:
        for folder, dirs, _files in os.walk(work / root):
            here = Path(folder)
            if here.name in seeds and here.parent.name in models:
                if here.name == REFERENCE and here.parent.name != REFERENCE:
                    continue
                children = sorted(here.iterdir())
                if children and not any(c.name.startswith("seed-") for c in children):
                    target = here / f"seed-{seeds[here.name]}"
                    moves += [(child, target / child.name) for child in children]
                dirs[:] = []  # nothing below a method folder is another method folder
    return moves


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--study", default=".", help="the study's folder (default: here)")
    parser.add_argument("--config", default=None, help="its config (default: <study>/config.yaml)")
    parser.add_argument("--apply", action="store_true", help="move (default: print only)")
    args = parser.parse_args(argv)
    work = Path(args.study).resolve()
    config = study_config.load(Path(args.config) if args.config else work / "config.yaml")
    moves = planned_moves(work, config)
    for old, new in moves:
        print(f"{old.relative_to(work)} -> {new.relative_to(work)}")
        if args.apply:
            new.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old, new)  # keeps modification times
    done = "moved" if args.apply else "to move (dry run: --apply moves them)"
    print(f"{len(moves)} paths {done}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
