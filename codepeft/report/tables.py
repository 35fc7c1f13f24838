"""Report tables: from per-instance metric tables and results/stats/*.tsv to the paper's shape.

Every builder here is a pure function on rows/tables already read (unit-tested on synthetic
tables in tests/unit/test_report.py); `codepeft.report.build` reads the files and writes the
outputs. Rows are plain dicts with the columns listed in the ``*_COLUMNS`` tuples.

* `pass1_rows`      pass@1 per model, method and language: passes / N (the paper's counting:
  a task without a prediction or not computed counts as a fail, and is counted apart), with the
  paper's reported counts beside, only where the model maps to a paper scale.
* `means_rows`      mean / median / sd per measure of every metric table, with the number of
  ids, of values, and of ids whose value was not computed.
* `not_computed_rows`  per table: how many ids were not computed, grouped by the status string.
* `rq_rows`         one comparison file (results/stats/{comparison}.tsv) in the paper's shape
  (task, language/direction, scale, measure: means A and B, p, adjusted p, effect and its
  magnitude, the pairing counts) with the paper's adjusted p and effect beside where they map.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from codepeft import measures, paths, study
from codepeft.config import schema_defaults
from codepeft.paper import numbers as paper
from codepeft.paper.numbers import PAPER_METRICS
from codepeft.stats import Table, _to_number, magnitude
from codepeft.stats.plan import OVER_SEEDS, SEED_SPREAD_COLUMNS

METRIC_PATH = paths.METRIC_TABLE_RE
OK_STATUSES = {"ok", ""}
REFERENCE = "reference"  # the model and method name of the references' own metric tables
# numeric columns left out of the means and plots besides those that are no measure of their
# family (codepeft.measures): the schema's default of report.exclude_columns
DEFAULT_EXCLUDE = tuple(schema_defaults("report")["exclude_columns"])
EXCLUDE_SUFFIXES = ("_mode", "_status")


@dataclass
class MetricTable:
    """One per-instance metric table with the names its path encodes."""

    family: str
    model: str
    method: str
    seed: str
    task: str
    lang: str
    table: Table

    def __post_init__(self):
        measures.family(self.family)  # an unknown family is an error (UnknownFamily)

    @property
    def path(self) -> str:
        return self.table.path

    @property
    def key(self) -> tuple:
        return (self.family, self.model, self.method, self.seed, self.task, self.lang)


def parse_metric_path(path: str) -> dict | None:
    """{family, model, method, seed, task, lang} of a results/metrics/... table path, else None."""
    m = METRIC_PATH.search(str(path).replace("\\", "/"))
    return m.groupdict() if m else None


def paper_size(config: dict, model: str) -> str | None:
    """The paper's scale ('0.5B', ...) of a model whose source is the paper's hub id, else None."""
    source = str(config.get("models", {}).get(model, {}).get("source", ""))
    for size, hub in paper.HUB_IDS.items():
        if source.rstrip("/").lower() == hub.lower():
            return size
    return None


def measure_columns(table: Table, family: str, exclude=DEFAULT_EXCLUDE) -> list[str]:
    """The columns of a table that are measures of its family (`codepeft.measures`; an unknown
    family is an error), minus `exclude` and *_mode/*_status: those with a value first, then
    those without any whose rows all say why (not computed), each in table order."""
    is_measure = measures.family(family).is_measure
    skip = set(exclude)
    out = []
    for name in table.numeric_columns():
        if name in skip or name.endswith(EXCLUDE_SUFFIXES) or not is_measure(name):
            continue
        out.append(name)
    # a column with no value at all is still a measure when every row says why (not computed)
    for name in table.columns:
        if name in out or name in skip or name.endswith(EXCLUDE_SUFFIXES):
            continue
        if name == table.id_column or not is_measure(name) or status_column(table, name) is None:
            continue
        out.append(name)
    return out


def status_column(table: Table, measure: str) -> str | None:
    """The status column of a measure: ``<measure>_status``, else the longest ``<prefix>_status``
    whose prefix starts the measure's name (``bertscore_status`` for ``bertscore_f1``)."""
    best = None
    for name in table.columns:
        if not name.endswith("_status"):
            continue
        prefix = name[: -len("_status")]
        if measure == prefix or measure.startswith(prefix + "_"):
            if best is None or len(name) > len(best):
                best = name
    return best


def status_strings(table: Table, measure: str | None = None) -> list[str]:
    """Per row: the measure's own status (`status_column`) when not ok, else ``status``."""
    n = len(table.ids)
    own_name = status_column(table, measure) if measure else None
    own = table.columns.get(own_name) if own_name else None
    general = table.columns.get("status")
    out = []
    for k in range(n):
        text = ""
        if own is not None and str(own[k] or "").strip() not in OK_STATUSES:
            text = str(own[k]).strip()
        elif general is not None:
            text = str(general[k] or "").strip()
        out.append(text or "ok")
    return out


def short_reason(text: str, limit: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _f(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


NOT_COMPUTED_COLUMNS = (
    "family",
    "model",
    "method",
    "seed",
    "task",
    "lang",
    "n_ids",
    "n_ok",
    "status",
    "count",
    "table",
)


def not_computed_rows(tables: list[MetricTable]) -> list[dict]:
    """Per table and non-ok status string: how many ids carry it (a table all ok gets one row
    with status 'ok' and count 0 of not-ok ids, so every table appears)."""
    rows = []
    for mt in tables:
        statuses = status_strings(mt.table)
        n_ok = sum(s in ("ok",) for s in statuses)
        counts = Counter(short_reason(s) for s in statuses if s != "ok")
        base = dict(zip(("family", "model", "method", "seed", "task", "lang"), mt.key, strict=True))
        base.update(n_ids=len(statuses), n_ok=n_ok, table=mt.path)
        if not counts:
            rows.append({**base, "status": "(all ok)", "count": 0})
        for status, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            rows.append({**base, "status": status, "count": count})
    return rows


MEANS_COLUMNS = (
    "family",
    "model",
    "method",
    "seed",
    "task",
    "lang",
    "measure",
    "n_ids",
    "n_values",
    "n_not_computed",
    "mean",
    "median",
    "sd",
    "min",
    "max",
    "not_computed_reasons",
    "table",
)


def means_rows(tables: list[MetricTable], exclude=DEFAULT_EXCLUDE) -> list[dict]:
    """Descriptive statistics of every measure of every table, with the missing-value counts."""
    rows = []
    for mt in tables:
        for measure in measure_columns(mt.table, mt.family, exclude):
            values = mt.table.values(measure)
            ok = values[~np.isnan(values)]
            statuses = status_strings(mt.table, measure)
            reasons = Counter(
                short_reason(s if s != "ok" else "empty value")
                for s, v in zip(statuses, values, strict=True)
                if math.isnan(v)
            )
            rows.append(
                dict(
                    family=mt.family,
                    model=mt.model,
                    method=mt.method,
                    seed=mt.seed,
                    task=mt.task,
                    lang=mt.lang,
                    measure=measure,
                    n_ids=int(values.size),
                    n_values=int(ok.size),
                    n_not_computed=int(values.size - ok.size),
                    mean=float(ok.mean()) if ok.size else None,
                    median=float(np.median(ok)) if ok.size else None,
                    sd=float(ok.std(ddof=1)) if ok.size > 1 else None,
                    min=float(ok.min()) if ok.size else None,
                    max=float(ok.max()) if ok.size else None,
                    not_computed_reasons="; ".join(f"{c} x {r}" for r, c in reasons.most_common()),
                    table=mt.path,
                )
            )
    return rows


PASS1_COLUMNS = (
    "model",
    "scale",
    "method",
    "seed",
    "lang",
    "passes",
    "n_tasks",
    "pass@1",
    "n_not_computed",
    "n_missing",
    "complete",
    "paper_passes",
    "paper_n_tasks",
    "paper_pass@1",
    "source",
)


def pass1_from_table(table: Table) -> dict:
    """passes / N of an execution table (not computed and missing values count as fails)."""
    values = (
        table.values("pass@1") if "pass@1" in table.columns else np.full(len(table.ids), np.nan)
    )
    statuses = status_strings(table, "pass@1")
    n_nc = int(sum(1 for s, v in zip(statuses, values, strict=True) if math.isnan(v)))
    passes = float(np.nansum(values))
    return dict(passes=passes, n_tasks=len(table.ids), n_not_computed=n_nc, n_missing=0)


def pass1_rows(
    config: dict, tables: list[MetricTable], summaries: dict[str, dict] | None = None
) -> list[dict]:
    """pass@1 per (model, method, lang) from execution tables (summary JSON preferred: it has
    the data set's task count, so a task without a prediction is a fail, as the paper counts).
    The paper columns are filled only where the model is one of the paper's scales."""
    summaries = summaries or {}
    rows = []
    for mt in tables:
        if mt.family != "execution":
            continue
        row = dict(
            model=mt.model,
            method=mt.method,
            seed=mt.seed,
            lang=mt.lang,
            scale=paper_size(config, mt.model),
        )
        summary = summaries.get(mt.path)
        counted = pass1_from_table(mt.table)
        if summary and summary.get("n_tasks"):
            row.update(
                passes=summary.get("passes", counted["passes"]),
                n_tasks=summary["n_tasks"],
                n_not_computed=summary.get("n_not_computed", counted["n_not_computed"]),
                n_missing=summary.get("n_missing", 0),
                complete=summary.get("complete"),
                source="summary",
            )
        else:
            row.update(counted, complete=counted["n_not_computed"] == 0, source="table")
        n = row["n_tasks"]
        row["pass@1"] = row["passes"] / n if n else None
        if summary and summary.get("sampling"):  # n answers per task: the mean of its pass@1
            row["pass@1"] = summary["pass@1_all_tasks"]
        size = row["scale"]
        if size and (size, mt.method) in paper.PASS1_COUNTS and mt.lang in paper.PASS1_TOTALS:
            row["paper_passes"] = paper.PASS1_COUNTS[(size, mt.method)][mt.lang]
            row["paper_n_tasks"] = paper.PASS1_TOTALS[mt.lang]
            row["paper_pass@1"] = row["paper_passes"] / row["paper_n_tasks"]
        rows.append(row)
    return rows


RQ_COLUMNS = (
    "comparison",
    "task",
    "lang",
    "model",
    "scale",
    "seed",
    "family",
    "measure",
    "a",
    "b",
    "test",
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
    "p",
    "p_adj",
    "adjust",
    "effect_name",
    "effect",
    "ci_low",
    "ci_high",
    "magnitude",
    "significant",
    "p_boot",
    "ci_a_low",
    "ci_a_high",
    "ci_b_low",
    "ci_b_high",
    "subset",
    "n_excluded_overlap",
    "note",
    "paper_metric",
    "paper_both",
    "paper_a_only",
    "paper_b_only",
    "paper_neither",
    "paper_p_adj",
    "paper_effect",
    "paper_magnitude",
)
PAPER_RQ_COLUMNS = tuple(c for c in RQ_COLUMNS if c.startswith("paper_"))
SEEDS_COLUMNS = (
    "comparison",
    "model",
    "task",
    "lang",
    "family",
    "measure",
    "subset",
    "a",
    "b",
    "n_seeds",
    "mean_a",
    "a_seed_min",
    "a_seed_max",
    "mean_b",
    "b_seed_min",
    "b_seed_max",
    "seed_gap",
    "seed_spread",
    "gap_exceeds_spread",
    "test",
    "p",
    "p_adj",
    "significant",
)


def several_seeds(rows) -> bool:
    """Whether `rows` (with a `seed`) come from several training seeds (the report then names
    the seed beside the method, and shows the spread between seeds)."""
    seeds = {str(r.get("seed")) for r in rows}
    return len(seeds - {study.NO_SEED, OVER_SEEDS, "None", ""}) > 1


def seed_label(method: str, seed, several: bool) -> str:
    """A method's series label: with several seeds, the seed beside a trained method's name."""
    if not several or str(seed) in (study.NO_SEED, "None", ""):
        return method
    return f"{method} (seed {seed})"


def seeds_rows(stats_by_name: dict[str, list[dict]]) -> list[dict]:
    """The rows over the seeds (`seed` OVER_SEEDS) of every comparison (stats rows as read):
    each side's mean over the seeds and its lowest and highest seed, the gap between the
    sides, the spread between seeds, and whether the gap exceeds it."""
    return [
        {c: row.get(c) for c in SEEDS_COLUMNS}
        for rows in stats_by_name.values()
        for row in rows
        if row.get("seed") == OVER_SEEDS
    ]


def _paper_index() -> tuple[dict, dict]:
    wil = {}
    for r in paper.wilcoxon_rows():
        wil[(r["comparison"], r["task"], r["lang"], r["size"], r["metric"])] = r
    mcn = {(r["comparison"], r["lang"], r["size"]): r for r in paper.mcnemar_rows()}
    return wil, mcn


def paper_match(row: dict, scale: str | None) -> dict:
    """The paper's numbers for one of our stats rows ({} where it does not map)."""
    if not scale or row.get("comparison") not in paper.COMPARISONS.values():
        return {}
    wil, mcn = _paper_index()
    test = str(row.get("test", ""))
    if test.startswith("mcnemar"):
        if row.get("family") != "execution" or not str(row.get("measure", "")).startswith("pass@1"):
            return {}
        r = mcn.get((row["comparison"], row["lang"], scale))
        if not r:
            return {}
        return dict(
            paper_metric="pass@1",
            paper_both=r["both"],
            paper_a_only=r["a_only"],
            paper_b_only=r["b_only"],
            paper_neither=r["neither"],
            paper_p_adj=r["p_adj"],
            paper_effect=r["odds_ratio"],
        )
    metric = PAPER_METRICS.get((row.get("family"), row.get("measure")))
    r = (
        wil.get((row["comparison"], row.get("task"), row.get("lang"), scale, metric))
        if metric
        else None
    )
    if not r:
        return {}
    return dict(
        paper_metric=metric,
        paper_p_adj=r["p_adj"],
        paper_effect=r["cliffs_delta"],
        paper_magnitude=magnitude(r["cliffs_delta"]),
    )


def rq_rows(stats_rows: list[dict], config: dict) -> list[dict]:
    """A results/stats/{comparison}.tsv (as read: strings) in the paper's order: task, language,
    scale (models by params_b), binary measures first; paper columns where they map."""
    models = list(config.get("models", {}))
    params = {m: _f(config["models"][m].get("params_b")) for m in models}
    task_order = {t: k for k, t in enumerate(config.get("tasks", {}))}
    lang_order = {
        (task, lang): k
        for task, spec in config.get("tasks", {}).items()
        for k, lang in enumerate(spec.get("languages", []))
    }
    out = []
    for row in stats_rows:
        scale = paper_size(config, row.get("model", ""))
        new = {c: row.get(c) for c in RQ_COLUMNS if not c.startswith("paper_")}
        new["scale"] = scale
        new.update(paper_match(row, scale))
        out.append(new)

    def order(r):
        p = params.get(r.get("model"), math.nan)
        return (
            task_order.get(r.get("task"), 99),
            lang_order.get((r.get("task"), r.get("lang")), 99),
            p if not math.isnan(p) else 1e9,
            str(r.get("model")),
            0 if str(r.get("test", "")).startswith("mcnemar") else 1,
            str(r.get("family")),
            str(r.get("measure")),
            r.get("seed") == OVER_SEEDS,  # each seed's row, then the one over the seeds
            str(r.get("seed")),
        )

    return sorted(out, key=order)


def has_paper_values(rows: list[dict], columns=None) -> bool:
    """Whether any row carries a paper value (else the report omits the paper columns)."""
    cols = columns or [c for r in rows for c in r if c.startswith("paper_")]
    return any(r.get(c) not in (None, "") for r in rows for c in cols)


def drop_empty_optional_columns(columns, rows) -> list[str]:
    """The columns, minus the paper ones when no row has a paper value, and minus the seed
    spread ones when no row has one (a study with one training seed)."""
    keep_paper = has_paper_values(rows, [c for c in columns if c.startswith("paper_")])
    keep_seeds = any(r.get(c) not in (None, "") for r in rows for c in SEED_SPREAD_COLUMNS)
    return [
        c
        for c in columns
        if (keep_paper or not c.startswith("paper_"))
        and (keep_seeds or c not in SEED_SPREAD_COLUMNS)
    ]


def value(row: dict, key: str) -> float:
    """A numeric cell of a row read from TSV (empty/NA/status -> NaN)."""
    return _to_number(row.get(key))
