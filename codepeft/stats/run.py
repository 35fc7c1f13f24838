"""Running a study's planned blocks (`run_blocks`): the paired tests of every block, p-values
adjusted over the configured families (`adjust_families`), one row per comparison x measure
(x subset: all test items, and without those the overlap audit flags), written as TSV
(`write_rows`, columns `ROW_COLUMNS`)."""

from __future__ import annotations

import math
import os

import numpy as np

from codepeft import measures as registry
from codepeft.config import schema_defaults
from codepeft.io import write_tsv
from codepeft.overlap.audit import flagged_ids
from codepeft.stats import bootstrap
from codepeft.stats.plan import OVER_SEEDS, SEED_SPREAD_COLUMNS, _kind, resolve_option
from codepeft.stats.tables import Table, compare_tables, mean_over_seeds, read_table
from codepeft.stats.tests import p_adjust

#: the schema's `stats` defaults: options kept out of the rule's params at their default
#: (codepeft.overlap.plan.stats_section) are read from here
DEFAULTS = schema_defaults("stats")
ALL, NO_OVERLAP = "all", "no_overlap"

ROW_COLUMNS = (
    "comparison",
    "question",
    "a",
    "b",
    "model",
    "seed",
    "task",
    "lang",
    "family",
    "group",
    "measure",
    "test",
    "pair_by",
    "n_paired",
    "n_a_only",
    "n_b_only",
    "n_missing_a",
    "n_missing_b",
    "mean_a",
    "mean_b",
    *SEED_SPREAD_COLUMNS,
    "both",
    "a_only",
    "b_only",
    "neither",
    "n_zero_diff",
    "statistic",
    "p",
    "p_adj",
    "adjust",
    "adjust_family",
    "family_size",
    "effect_name",
    "effect",
    "ci_low",
    "ci_high",
    "magnitude",
    "significant",
    "a_table",
    "b_table",
    "note",
    # added with the bootstrap and the overlap audit (docs/statistics.md): after every
    # column of before, so a reader by position sees the same first columns
    *bootstrap.ROW_COLUMNS,
    "subset",
    "n_excluded_overlap",
)


def adjust_families(rows: list[dict], section: dict) -> None:
    """Adjust every family of `rows` as the `stats` section says (in place).

    Binary and continuous rows never share a family; within a kind, rows sharing the values of
    `families.<kind>` form one family, within one `seed` (each training seed's rows and the
    rows over the seeds are adjusted apart; one seed: the families as configured). A family's
    method is `adjust`, replaced by matching
    `overrides` (`where` on question/comparison/model/task/lang/family/group/measure/kind); all
    members of a family must resolve to the same method."""
    families = section.get("families", {}) or {}
    default_keys = {
        "binary": ["question", "measure"],
        "continuous": ["comparison", "model", "task", "lang", "group"],
    }
    several_seeds = len({str(row.get("seed", "")) for row in rows}) > 1
    groups: dict[tuple, list[int]] = {}
    for k, row in enumerate(rows):
        kind = _kind(row.get("test", ""))
        keys = families.get(kind, default_keys[kind])
        if several_seeds:
            keys = [*keys, "seed"]
        subset = row.get("subset") or ALL
        key = (kind, tuple(keys), subset) + tuple(str(row.get(g, "")) for g in keys)
        groups.setdefault(key, []).append(k)
    for key, members in groups.items():
        kind, keys, subset = key[0], key[1], key[2]
        methods = {resolve_option(section, rows[k], "adjust", "holm") for k in members}
        label = "/".join(
            f"{g}={v}" for g, v in zip(("kind",) + keys, (kind,) + key[3:], strict=True)
        )
        if subset != ALL:  # each subset is adjusted apart; the label of `all` is unchanged
            label += f"/subset={subset}"
        if len(methods) > 1:
            raise ValueError(
                f"stats: family {label} mixes adjustment methods {sorted(methods)}: an override "
                "must match a whole family (add the family's keys to its `where`)"
            )
        method = methods.pop()
        adj = p_adjust([rows[k]["p"] for k in members], method)
        size = int(sum(not math.isnan(rows[k]["p"]) for k in members))
        for k, value in zip(members, adj, strict=True):
            rows[k]["p_adj"] = float(value)
            rows[k]["adjust"] = method
            rows[k]["adjust_family"] = label
            rows[k]["family_size"] = size


def overlap_subsets(block: dict, mode: str, flagged) -> list[tuple[str, frozenset[str]]]:
    """The (subset, ids left out) a block runs on under `stats.exclude_overlap`: every test
    item (`all`), and/or without the items the overlap audit flags against either side's
    training mixture (`no_overlap`). A block without audit files (`a_overlap`/`b_overlap`:
    the audit is off, or a test run outside the workflow) has only `all`."""
    if mode == "keep" or not ("a_overlap" in block or "b_overlap" in block):
        return [(ALL, frozenset())]
    clean = (NO_OVERLAP, flagged(block))
    return [clean] if mode == "exclude" else [(ALL, frozenset()), clean]


def seed_spread(
    seeds_a: list[Table], seeds_b: list[Table], measure: str, exclude=frozenset()
) -> dict:
    """The columns of a row over the seeds (`seed` OVER_SEEDS) for `measure`: each side's
    score per seed (the mean of that seed's values over the ids every seed of both sides has
    a value for), its lowest and highest, the gap between the sides (|mean B - mean A| of
    those scores, averaged over the seeds), the spread between seeds (the larger side's
    max - min; 0 for a side run once, such as zero-shot) and whether the gap exceeds it.
    `exclude`: ids left out (the overlap audit's flagged items, subset `no_overlap`)."""

    def by_id(table: Table) -> dict[str, float]:
        return dict(zip(table.ids, table.values(measure), strict=True))

    sides = {"a": [by_id(t) for t in seeds_a], "b": [by_id(t) for t in seeds_b]}
    every = [values for side in sides.values() for values in side]
    ids = [
        i
        for i in every[0]
        if i not in exclude and all(not math.isnan(v.get(i, math.nan)) for v in every)
    ]
    out: dict = {"n_seeds": max(len(seeds_a), len(seeds_b))}
    means, spreads = {}, []
    for k, side in sides.items():
        scores = [float(np.mean([v[i] for i in ids])) if ids else math.nan for v in side]
        out[f"{k}_seed_min"], out[f"{k}_seed_max"] = min(scores), max(scores)
        means[k] = float(np.mean(scores))
        spreads.append(out[f"{k}_seed_max"] - out[f"{k}_seed_min"])
    out["seed_gap"] = abs(means["b"] - means["a"])
    out["seed_spread"] = max(spreads)
    if math.isnan(out["seed_gap"]) or math.isnan(out["seed_spread"]):
        out["gap_exceeds_spread"] = ""
    else:
        out["gap_exceeds_spread"] = "yes" if out["seed_gap"] > out["seed_spread"] else "no"
    return out


def _default_loader(section: dict, root: str):
    def load(path: str) -> Table:
        return read_table(os.path.join(root, path), id_column=section.get("id_column", "id"))

    return load


def run_blocks(
    blocks: list[dict], section: dict, root: str = ".", log=None, load=None
) -> dict[str, list[dict]]:
    """Run every planned block; returns {comparison: rows}, adjusted over the configured families.

    `load(path) -> Table` reads a block's table (default: `read_table(root/path)` with the
    section's `id_column`); pass another to run the plan on tables laid out differently.
    Pairing (`pair_by`) and adjustment (`adjust`) follow the section and its `overrides`."""
    binary_test = "mcnemar_exact" if section.get("binary_test", "mcnemar") == "exact" else "mcnemar"
    settings = bootstrap.Bootstrap.from_section(section)
    mode = section.get("exclude_overlap", DEFAULTS["exclude_overlap"])
    flagged_cache: dict[str, frozenset[str]] = {}

    def flagged(block: dict) -> frozenset[str]:
        ids: set[str] = set()
        for path in list(block.get("a_overlap") or []) + list(block.get("b_overlap") or []):
            if path not in flagged_cache:
                flagged_cache[path] = flagged_ids(os.path.join(root, path))
            ids |= flagged_cache[path]
        return frozenset(ids)

    kwargs = dict(
        conf_level=section.get("conf_level", 0.95),
        cliff_algorithm=section.get("cliff_algorithm", "effsize"),
        cliff_on=section.get("cliff_on", "paired"),
    )
    rows: list[dict] = []
    cache: dict[str, Table] = {}
    load = load or _default_loader(section, root)

    def table(path: str) -> Table:
        if path not in cache:
            cache[path] = load(path)
        return cache[path]

    def seeds(block: dict, k: str) -> list[Table]:
        """A side's table, one per seed (one: a block of one seed, or a side run once)."""
        return [table(p) for p in block.get(f"{k}_tables") or [block[f"{k}_table"]]]

    def side(tables: list[Table], path: str) -> Table:
        """A side's table; over several seeds, its per-instance means (`mean_over_seeds`)."""
        return tables[0] if len(tables) == 1 else mean_over_seeds(tables, path)

    for k, block in enumerate(blocks, 1):
        seeds_a, seeds_b = seeds(block, "a"), seeds(block, "b")
        ta, tb = side(seeds_a, block["a_table"]), side(seeds_b, block["b_table"])
        over_seeds = block.get("seed") == OVER_SEEDS
        subsets = overlap_subsets(block, mode, flagged)
        binary = [m for m in block["binary"]]
        if "*" in block["continuous"]:
            # the family's continuous measures (codepeft.measures) with a value in A and in B
            skip = set(binary) | set(block.get("exclude", []))
            shared = [c for c in ta.numeric_columns() if c in tb.columns and c not in skip]
            continuous = registry.continuous_measures(block["family"], shared)
        else:
            continuous = block["continuous"]
        # over the seeds a binary measure is the fraction of seeds at 1: Wilcoxon
        for measure, test in [(m, "wilcoxon" if over_seeds else binary_test) for m in binary] + [
            (m, "wilcoxon") for m in continuous
        ]:
            base = {
                key: block.get(key, "")
                for key in (
                    "comparison",
                    "question",
                    "a",
                    "b",
                    "model",
                    "seed",
                    "task",
                    "lang",
                    "family",
                    "a_table",
                    "b_table",
                )
            }
            base["question"] = base["question"] or base["comparison"]
            base["group"] = block.get("group", "metrics")
            base["measure"] = measure
            base["test"] = test
            pair_by = resolve_option(section, base, "pair_by", "id")
            both_constant = resolve_option(section, base, "both_constant", "test")
            for subset, exclude in subsets:
                try:
                    row = compare_tables(
                        ta,
                        tb,
                        measure,
                        test=test,
                        pair_by=pair_by,
                        both_constant=both_constant,
                        bootstrap=settings,
                        exclude_ids=exclude,
                        **kwargs,
                    )
                except (KeyError, ValueError) as err:
                    raise ValueError(
                        f"stats: {block['comparison']} {block['a_table']} vs {block['b_table']}, "
                        f"measure {measure!r} ({test}): {err}"
                    ) from err
                if over_seeds:
                    row.update(seed_spread(seeds_a, seeds_b, measure, exclude))
                excluded = len(exclude & (set(ta.ids) | set(tb.ids)))
                rows.append(
                    {**base, **row, "pair_by": pair_by, "subset": subset}
                    | {"n_excluded_overlap": excluded}
                )
        if log:
            log(
                f"stats: [{k}/{len(blocks)}] {block['comparison']} {block['model']} {block['task']}/{block['lang']} {block['family']}: {len(binary) + len(continuous)} measures"
            )
    adjust_families(rows, section)
    alpha = section.get("alpha", 0.05)
    out: dict[str, list[dict]] = {}
    for r in rows:
        r["significant"] = "" if math.isnan(r["p_adj"]) else ("yes" if r["p_adj"] < alpha else "no")
        out.setdefault(r["comparison"], []).append(r)
    return out


def format_row(row: dict) -> dict:
    """Row values as strings for a TSV (NaN and None -> empty; floats with full precision)."""
    out = {}
    for key in ROW_COLUMNS:
        value = row.get(key)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out[key] = ""
        elif isinstance(value, float):
            out[key] = repr(value)
        else:
            out[key] = str(value)
    return out


def write_rows(path, rows: list[dict]) -> None:
    write_tsv(path, [format_row(r) for r in rows], ROW_COLUMNS)
