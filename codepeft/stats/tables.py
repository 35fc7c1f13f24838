"""Per-instance tables (CSV, TSV, JSONL) read for the paired tests: `read_table` keeps every
value as read, `Table.values` converts (empty / 'NA' / a status string -> NaN, true/false ->
1/0); `compare_tables` pairs two tables on a measure and runs a test (`codepeft.stats.tests`)."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass

import numpy as np

from codepeft.stats.bootstrap import Bootstrap, paired_mean_test
from codepeft.stats.tests import compare, pair_values

ID_CANDIDATES = ("id", "instance_id", "Task ID", "TaskID", "task_id", "target_id", "_id")
_TRUE = {"true", "yes", "pass", "passed"}
_FALSE = {"false", "no", "fail", "failed"}


def _to_number(value) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    low = text.lower()
    if low in _TRUE:
        return 1.0
    if low in _FALSE:
        return 0.0
    if low in {"", "na", "nan", "none", "null"}:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan  # a status string such as 'not computed: ...'


@dataclass
class Table:
    """A per-instance table: ids in file order and its columns as raw strings/values."""

    path: str
    id_column: str
    ids: list[str]
    columns: dict[str, list]

    def values(self, measure: str) -> np.ndarray:
        if measure not in self.columns:
            raise KeyError(
                f"{self.path}: no column {measure!r} (columns: {', '.join(self.columns)})"
            )
        return np.array([_to_number(v) for v in self.columns[measure]], dtype=float)

    def numeric_columns(self) -> list[str]:
        """Columns with at least one numeric value, minus the id and status columns."""
        out = []
        for name, vals in self.columns.items():
            if name == self.id_column or name == "status" or name.endswith("_status"):
                continue
            if any(not math.isnan(_to_number(v)) for v in vals):
                out.append(name)
        return out


def read_table(path, id_column: str | None = None) -> Table:
    """Read a CSV, TSV or JSONL per-instance table (by extension; .txt is read as TSV).

    The id column is `id_column`, else the first of ID_CANDIDATES present, else the first
    column. Every value is kept as read; `Table.values` converts (empty / 'NA' / a status
    string -> NaN, true/false -> 1/0)."""

    path = str(path)
    lower = path.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        records = []
        with open(path, encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError as err:
                        raise ValueError(f"{path}:{lineno}: not valid JSON: {err}") from err
        names: list[str] = []
        for rec in records:
            names += [k for k in rec if k not in names]
        columns = {n: [rec.get(n) for rec in records] for n in names}
    else:
        delimiter = "," if lower.endswith(".csv") else "\t"
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            try:
                header = next(reader)
            except StopIteration:
                raise ValueError(f"{path}: empty table") from None
            rows = [r for r in reader if r]
        columns = {n: [r[k] if k < len(r) else "" for r in rows] for k, n in enumerate(header)}
    if not columns:
        raise ValueError(f"{path}: no columns")
    if id_column is None:
        id_column = next((c for c in ID_CANDIDATES if c in columns), next(iter(columns)))
    elif id_column not in columns:
        raise KeyError(f"{path}: no id column {id_column!r} (columns: {', '.join(columns)})")
    ids = ["" if v is None else str(v) for v in columns[id_column]]
    return Table(path, id_column, ids, columns)


def compare_tables(
    a: Table,
    b: Table,
    measure: str,
    test: str = "wilcoxon",
    pair_by: str = "id",
    measure_b: str | None = None,
    bootstrap: Bootstrap | None = None,
    exclude_ids: frozenset[str] | set[str] = frozenset(),
    **kwargs,
) -> dict:
    """Pair two tables on `measure` (B's column may be named differently) and run `test`.

    `bootstrap`: add each side's bootstrap interval of its mean over the complete pairs and the
    paired-bootstrap p-value (`codepeft.stats.bootstrap.ROW_COLUMNS`). `exclude_ids`: ids left
    out of both tables before pairing (the overlap audit's flagged test items)."""
    a_ids, a_values = _without(a.ids, a.values(measure), exclude_ids)
    b_ids, b_values = _without(b.ids, b.values(measure_b or measure), exclude_ids)
    paired = pair_values(a_ids, a_values, b_ids, b_values, pair_by)
    row = compare(paired, test=test, **kwargs)
    if bootstrap is not None:
        row.update(paired_mean_test(paired.a, paired.b, bootstrap))
    return row


def _without(ids: list[str], values: np.ndarray, exclude) -> tuple[list[str], np.ndarray]:
    if not exclude:
        return ids, values
    keep = [k for k, i in enumerate(ids) if i not in exclude]
    return [ids[k] for k in keep], values[keep]


def mean_over_seeds(tables: list[Table], path: str) -> Table:
    """One table whose every column shared by `tables` (one per training seed of one side)
    holds, per id, the mean of its values over the tables: complete cases only (an id missing
    from one table, or without a value in one, is empty), as the paired tests treat a missing
    value. Ids in first-seen order; binary columns become the fraction of seeds at 1."""
    ids = list(dict.fromkeys(i for t in tables for i in t.ids))
    shared = [c for c in tables[0].columns if all(c in t.columns for t in tables)]
    shared = [c for c in shared if c != tables[0].id_column]
    columns: dict[str, list] = {}
    for name in shared:
        stacked = np.full((len(tables), len(ids)), math.nan)
        for k, t in enumerate(tables):
            where = {i: j for j, i in enumerate(t.ids)}
            values = t.values(name)
            for col, i in enumerate(ids):
                if i in where:
                    stacked[k, col] = values[where[i]]
        complete = ~np.isnan(stacked).any(axis=0)
        means = np.where(complete, np.where(complete, stacked, 0.0).mean(axis=0), math.nan)
        columns[name] = [float(v) for v in means]
    return Table(path, "id", ids, {"id": ids, **columns})
