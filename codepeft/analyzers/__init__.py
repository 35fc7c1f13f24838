"""Static analyzers: one family per tool, each run once per batch of units.

`analyze(name, records, task, lang, ...)` turns prediction records into unit files
(`units.build_units`), runs the analyzer over all of them at once and returns one row per id
(`id`, `status`, `wrapped`, measures...). `analyze_file` does the same from a predictions
JSONL to the per-instance table `results/metrics/<family>/.../<lang>.tsv`, plus the by-rule long
table `<lang>.rules.tsv` (families with rules) and `<lang>.summary.json`.

Statuses: `ok`; `empty_prediction` (no code); `parse_error` (the tool could not parse the unit,
see each module for which values are kept); `no_functions` (Lizard found none);
`not computed: <reason>` (tool missing, not configured, or failed as a whole). Never a dropped id.
"""

from __future__ import annotations

import importlib
import logging
import tempfile
import time
from collections import Counter
from pathlib import Path

from codepeft.analyzers.base import EMPTY, AnalyzerResult, ToolError, log, not_computed
from codepeft.analyzers.units import build_units, code_language
from codepeft.io import read_jsonl, write_json, write_tsv

ANALYZERS = (
    "pylint",
    "flake8",
    "pmd",
    "checkstyle",
    "lizard",
    "complexipy",
    "radon",
    "semgrep",
    "treesitter",
    "roslyn",
    "sonar",
)


def module(name: str):
    if name not in ANALYZERS:
        raise ValueError(f"unknown analyzer {name!r}; choose from {', '.join(ANALYZERS)}")
    return importlib.import_module(f"codepeft.analyzers.{name}")


def analyzers_for(language: str) -> list[str]:
    """Analyzer names that handle `language` (python, java, csharp)."""
    return [n for n in ANALYZERS if language in module(n).LANGUAGES]


def analyze(
    name: str,
    records: list[dict],
    task: str,
    lang: str,
    *,
    threads: int = 1,
    options: dict | None = None,
    workdir: str | Path | None = None,
) -> tuple[list[dict], AnalyzerResult]:
    """Rows (one per record, in record order) and the raw result (by-rule rows, version)."""
    options = dict(options or {})
    mod = module(name)
    language = code_language(task, lang)
    if language is None:
        raise ValueError(f"{task}/{lang} predictions are not code")
    if language not in mod.LANGUAGES:
        raise ValueError(f"{name} does not analyze {language}")
    with tempfile.TemporaryDirectory(prefix=f"codepeft-{name}-", dir=workdir) as tmp:
        tmp = Path(tmp)
        units = build_units(records, language, tmp / "units")
        todo = [u for u in units if u.status == "ok"]
        reason = mod.unavailable(options)
        result = AnalyzerResult()
        if reason:
            log.error("%s: NOT COMPUTED for %d units: %s", name, len(units), reason)
        elif todo:
            start = time.perf_counter()
            log.info(
                "%s: analyzing %d units (%d empty) with %d thread(s)",
                name,
                len(todo),
                len(units) - len(todo),
                threads,
            )
            try:
                result = mod.run(todo, tmp, threads=threads, options=options)
            except ToolError as err:
                reason = f"{name} failed: {str(err).splitlines()[0][:300]}"
                log.error("%s: NOT COMPUTED: %s", name, err)
            log.info(
                "%s: done in %.1f s (%s)", name, time.perf_counter() - start, result.tool_version
            )
    rows = []
    for unit in units:
        row = {"id": unit.id, "wrapped": int(unit.wrapped)}
        if unit.status != "ok":
            row["status"] = EMPTY
        elif reason:
            row["status"] = not_computed(reason)
        else:
            row.update(
                result.rows.get(unit.id) or {"status": not_computed(f"no result from {name}")}
            )
        rows.append(row)
    return rows, result


def analyze_file(
    name: str,
    predictions: str | Path,
    task: str,
    lang: str,
    out_tsv: str | Path,
    *,
    rules_tsv: str | Path | None = None,
    summary_json: str | Path | None = None,
    threads: int = 1,
    options: dict | None = None,
) -> list[dict]:
    mod = module(name)
    records = read_jsonl(predictions)
    rows, result = analyze(name, records, task, lang, threads=threads, options=options)
    write_tsv(out_tsv, rows, ["id", "status", "wrapped", *mod.COLUMNS])
    if rules_tsv is not None:
        write_tsv(
            rules_tsv,
            [dict(zip(("id", "rule", "category", "count"), r, strict=True)) for r in result.rules],
            ["id", "rule", "category", "count"],
        )
    statuses = Counter(r["status"] for r in rows)
    log.info("%s: %s -> %s: %s", name, predictions, out_tsv, dict(statuses))
    if summary_json is not None:
        by_rule = Counter()
        for _, rule, category, count in result.rules:
            by_rule[f"{category}/{rule}"] += count
        totals = {
            c: sum(r[c] for r in rows if isinstance(r.get(c), (int, float))) for c in mod.COLUMNS
        }
        write_json(
            summary_json,
            {
                "family": mod.FAMILY,
                "tool": result.tool_version,
                "predictions": str(predictions),
                "task": task,
                "lang": lang,
                "language": code_language(task, lang),
                "n": len(rows),
                "statuses": dict(statuses),
                "totals_over_ok_rows": {
                    c: sum(
                        r[c]
                        for r in rows
                        if r["status"] == "ok" and isinstance(r.get(c), (int, float))
                    )
                    for c in mod.COLUMNS
                },
                "totals_all_rows": totals,
                "by_rule": dict(by_rule.most_common()),
            },
        )
    return rows


def setup_logging(log_file: str | Path | None = None, level=logging.INFO) -> None:
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    handlers = [logging.FileHandler(log_file)] if log_file else [logging.StreamHandler()]
    logging.basicConfig(
        level=level,
        handlers=handlers,
        force=True,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
