"""Tidy results: a study's numbers in two long tables for notebooks (pandas, R, polars, DuckDB).

* ``results/tidy/results.parquet`` (+ ``.csv`` beside it): one row per value of every
  per-instance metric table (``results/metrics/{family}/{model}/{method}/{task}/{lang}.tsv``,
  the references' ``reference/reference`` tables included), columns `RESULT_COLUMNS`. Which
  columns of a table are values is the registry of measures' answer (`codepeft.measures`:
  ``Family.is_measure``), so id, status and bookkeeping columns never become rows, and a
  value that could not be computed is a row with an empty ``value`` and its reason in
  ``status`` (the measure's own ``<measure>_status`` when it is not ok, else the row's
  ``status``, else ``ok``: the report's rule, `codepeft.report.tables.status_strings`).
* ``results/tidy/stats.parquet`` (+ ``.csv``): every row of ``results/stats/*.tsv`` (one per
  comparison x table pair x measure), with ``study`` first and ``lang`` named ``language``.

``seed`` is the path's training seed (``{seed}``); empty for what no training made
(``seed-none``: zero-shot, the references).
Written by rule ``tidy_results`` (rules/share.smk) after the metric and stats stages, or by
``codepeft tidy`` from a results folder (docs/results.md).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
from pathlib import Path

import pandas as pd

from codepeft import config as study_config
from codepeft import measures, paths
from codepeft.logs import setup_logging
from codepeft.report.build import discover
from codepeft.report.tables import OK_STATUSES, parse_metric_path, status_column
from codepeft.study import NO_SEED

log = logging.getLogger("codepeft.tidy")

RESULT_COLUMNS = (
    "study",
    "model",
    "method",
    "seed",
    "task",
    "language",
    "id",
    "family",
    "measure",
    "value",
    "status",
)
#: the text columns of the results table (seed is an integer or empty, value a float)
_TEXT = tuple(c for c in RESULT_COLUMNS if c not in ("seed", "value"))


def seed_of(names: dict) -> int | None:
    """The training seed a metric table's path names (its ``{seed}`` field: ``42``), or None
    for a table no training made (zero-shot, the references: ``none``) or a path without
    one."""
    value = names.get("seed")
    if value is None or value == NO_SEED:
        return None
    digits = re.fullmatch(r"\D*(\d+)", str(value))
    if digits is None:
        raise ValueError(f"seed {value!r} of a metric table path is not a number")
    return int(digits.group(1))


def _strip(column: pd.Series) -> pd.Series:
    return column.fillna("").astype(str).str.strip()


def table_rows(frame: pd.DataFrame, names: dict, study: str, path: str = "") -> pd.DataFrame:
    """The long rows of one per-instance table (read as text): one per (id, measure column of
    its family), in table order, measure by measure."""
    family = measures.family(names["family"])
    columns = [c for c in frame.columns if c != "id" and family.is_measure(c)]
    general = _strip(frame["status"]) if "status" in frame.columns else None
    parts = []
    for measure in columns:
        text = _strip(frame[measure])
        value = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = text[(text != "") & value.isna()]
        if len(bad):
            raise ValueError(
                f"{path or names}: column {measure!r} holds a value that is not a number "
                f"({bad.iloc[0]!r}, id {frame['id'].iloc[bad.index[0]]!r})"
            )
        own_name = status_column(frame, measure)
        own = _strip(frame[own_name]) if own_name else pd.Series("", index=frame.index)
        status = own.where(~own.isin(OK_STATUSES))
        if general is not None:
            status = status.fillna(general.where(general != ""))
        parts.append(
            pd.DataFrame(
                {
                    "id": frame["id"].astype(str),
                    "measure": measure,
                    "value": value.astype("float64"),
                    "status": status.fillna("ok"),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    rows = pd.concat(parts, ignore_index=True)
    rows["study"] = study
    rows["model"], rows["method"] = names["model"], names["method"]
    rows["seed"] = seed_of(names)
    rows["task"], rows["language"] = names["task"], names["lang"]
    rows["family"] = family.name
    return rows[list(RESULT_COLUMNS)]


def read_text_table(path: str | os.PathLike) -> pd.DataFrame:
    """A TSV as text, exactly as written (no NA guessing: an empty cell is '')."""
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False)


def tidy_results(table_paths, study: str, root: str | os.PathLike = ".") -> pd.DataFrame:
    """Every value of the per-instance metric tables `table_paths` (relative to `root`) as
    long rows (`RESULT_COLUMNS`), tables in the given order."""
    frames = []
    for path in table_paths:
        names = parse_metric_path(path)
        if names is None:
            raise ValueError(f"not a per-instance metric table path: {path}")
        frame = read_text_table(Path(root) / path)
        frames.append(table_rows(frame, names, study, path))
    rows = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=list(RESULT_COLUMNS))
    )
    for column in _TEXT:
        rows[column] = rows[column].astype("string")
    rows["seed"] = rows["seed"].astype("Int64")
    rows["value"] = rows["value"].astype("float64")
    return rows


def tidy_stats(stats_paths, study: str, root: str | os.PathLike = ".") -> pd.DataFrame:
    """Every row of the stats files `stats_paths` (results/stats/*.tsv), ``study`` first,
    ``lang`` named ``language``; numbers as numbers (pandas' reading of each column)."""
    frames = [pd.read_csv(Path(root) / p, sep="\t") for p in stats_paths]
    frames = [f for f in frames if len(f.columns)]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    rows = rows.rename(columns={"lang": "language"})
    rows.insert(0, "study", study)
    return rows


def write_pair(frame: pd.DataFrame, parquet: str | os.PathLike, csv: str | os.PathLike) -> None:
    """`frame` as Parquet and as CSV (empty cells for missing values), written beside each
    other atomically (a temporary name, then renamed)."""
    for target, write in ((parquet, frame.to_parquet), (csv, frame.to_csv)):
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".partial")
        write(tmp, index=False)
        tmp.replace(target)


def write_tidy(
    table_paths, stats_paths, study: str, outputs: dict, root: str | os.PathLike = "."
) -> dict:
    """Write both tidy tables; `outputs` maps results, results_csv, stats, stats_csv to paths.
    Returns {results, stats: row counts}."""
    results = tidy_results(table_paths, study, root)
    write_pair(results, outputs["results"], outputs["results_csv"])
    stats = tidy_stats(stats_paths, study, root)
    write_pair(stats, outputs["stats"], outputs["stats_csv"])
    log.info(
        "tidy: %d values of %d metric tables, %d rows of %d stats files",
        len(results),
        len(table_paths),
        len(stats),
        len(stats_paths),
    )
    return {"results": len(results), "stats": len(stats)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="codepeft tidy",
        description="Write results/tidy/{results,stats}.{parquet,csv} from a results folder: "
        "every per-instance value and every comparison row of the study, long format.",
    )
    parser.add_argument("--config", default="config.yaml", help="study config (YAML)")
    parser.add_argument("--root", default=".", help="folder holding results/ (default .)")
    parser.add_argument("--out", default=None, help="output folder (default <root>/results/tidy)")
    args = parser.parse_args(argv)
    setup_logging()
    config = study_config.load(args.config)
    found = discover(args.root, config)
    out = Path(args.out) if args.out else Path(args.root) / os.path.dirname(paths.TIDY_RESULTS)
    outputs = {
        key: out / os.path.basename(pattern)
        for key, pattern in (
            ("results", paths.TIDY_RESULTS),
            ("results_csv", paths.TIDY_RESULTS_CSV),
            ("stats", paths.TIDY_STATS),
            ("stats_csv", paths.TIDY_STATS_CSV),
        )
    }
    counts = write_tidy(
        found["metric_tables"], found["stats_tables"], config["study"]["name"], outputs, args.root
    )
    print(
        f"{outputs['results']} ({counts['results']} rows), {outputs['stats']} ({counts['stats']} rows)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
