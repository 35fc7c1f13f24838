"""The batch runner: prediction records -> unit files (`units.build_units`) -> one tool call
per batch -> one row per id, and the per-file outputs (table, by-rule table, summary).

`analyze_files(name, jobs)` is the one path from predictions files to outputs, used by the
workflow (one job per analyzer over every predictions file of the study) and by the CLI (one
file): the tool runs once per code language over the union of all files' units (ids made
unique across files, mapped back). `analyze(name, records, task, lang)` is the in-memory form
of one record set.

A tool that cannot run here (`unavailable`: not installed, no token) or fails as a whole
(`ToolError`: a crash, a timeout, a server error) is an environment failure
(``environment_failures``, `codepeft.failures`): ``fail`` (default) raises
`EnvironmentFailure` naming the setup step, so the job fails; ``record`` writes
``not computed: <reason>`` for every unit of the batch. A tool the config leaves unconfigured
(`not_configured`, Sonar without a host) and a unit the tool gave no result for are rows in
both modes.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from codepeft.analyzers.base import EMPTY, AnalyzerResult, ToolError, log, not_computed
from codepeft.analyzers.registry import module
from codepeft.analyzers.units import build_units
from codepeft.failures import DEFAULT_MODE, environment_failure
from codepeft.io import read_jsonl, write_json, write_tsv
from codepeft.logs import setup_logging as _setup_logging
from codepeft.tasks import code_language

#: Units per tool call in `analyze_files`: the file paths go on the tool's command line
#: (ARG_MAX is 2 MiB here; ~60 bytes a path) and unit names stay five digits (Unit00001),
#: so a batched unit gets the same-length name as when its file is analyzed alone.
MAX_UNITS_PER_RUN = 10000

#: how to install each tool that can be missing (`environment_failure`'s fix); others: make setup
SETUP_HINTS = {
    "pmd": "run scripts/setup/pmd.sh (make setup), or use envs/pmd.yaml (--sdm conda)",
    "checkstyle": "run scripts/setup/checkstyle.sh (make setup), or use envs/checkstyle.yaml",
    "semgrep": "run scripts/setup/semgrep.sh (make setup), or use envs/semgrep.yaml",
    "pylint": "run scripts/setup/pylint.sh (make setup), or use envs/pylint.yaml",
    "roslyn": "install a .NET 8 SDK (conda env create -f envs/roslyn.yaml; its first run needs "
    "NuGet access to build the tool), or remove roslyn from analyzers.enabled",
    "sonar": "export SONAR_TOKEN where the job runs and install sonar-scanner (envs/sonar.yaml), "
    "or remove sonar from analyzers.enabled",
}


def setup_hint(name: str) -> str:
    return SETUP_HINTS.get(
        name, f"make setup (installs {name} into .venv), or use envs/{name}.yaml (--sdm conda)"
    )


def _failure_fix(name: str, message: str) -> str:
    if "timed out" in message:
        return (
            "raise analyzers.timeout_s (or give the job more CPUs/time), then rerun; the "
            "job's log has the tool's output"
        )
    return f"see the job's log for {name}'s output; check its installation: {setup_hint(name)}"


def _run_batch(
    name: str,
    mod,
    records: list[dict],
    language: str,
    tmp: Path,
    *,
    threads: int,
    options: dict,
    task: str | None = None,
    environment_failures: str = DEFAULT_MODE,
) -> tuple[list, str | None, AnalyzerResult]:
    """Units of `records` (ids unique) written under `tmp`, the tool run ONCE over them.

    Returns (units in record order, reason the tool did not run or failed as a whole or None,
    the raw result keyed by record id). A tool missing or failing as a whole raises
    `EnvironmentFailure` under ``environment_failures: fail``."""
    units = build_units(
        records,
        language,
        tmp / "units",
        task=task,
        unit_files=options.get("unit_files", "codepeft"),
        format_translations=bool(options.get("format_translations", False)),
    )
    todo = [u for u in units if u.status == "ok"]
    result = AnalyzerResult()
    not_configured = getattr(mod, "not_configured", None)
    reason = not_configured(options) if not_configured else None  # a config choice: rows
    if reason:
        log.warning("%s: not computed for %d units: %s", name, len(units), reason)
        return units, reason, result
    reason = mod.unavailable(options) if todo else None
    if reason:
        reason = environment_failure(environment_failures, reason, setup_hint(name))
        reason = reason.removeprefix("not computed: ")
        log.error("%s: NOT COMPUTED for %d units: %s", name, len(units), reason)
    elif todo:
        start = time.perf_counter()
        log.info(
            "%s: analyzing %d %s units (%d empty) with %d thread(s)",
            name,
            len(todo),
            language,
            len(units) - len(todo),
            threads,
        )
        try:
            result = mod.run(todo, tmp, threads=threads, options=options)
        except ToolError as err:
            reason = f"{name} failed: {str(err).splitlines()[0][:300]}"
            log.error("%s: failed as a whole: %s", name, err)
            environment_failure(environment_failures, reason, _failure_fix(name, str(err)))
            log.error("%s: NOT COMPUTED: %s", name, reason)
        log.info("%s: done in %.1f s (%s)", name, time.perf_counter() - start, result.tool_version)
    return units, reason, result


def _row(name: str, unit, uid: str, reason: str | None, result: AnalyzerResult) -> dict:
    row = {"id": uid, "wrapped": int(unit.wrapped)}
    if unit.status != "ok":
        row["status"] = EMPTY
    elif reason:
        row["status"] = not_computed(reason)
    else:
        row.update(result.rows.get(unit.id) or {"status": not_computed(f"no result from {name}")})
    return row


def _check_language(name: str, mod, task: str, lang: str) -> str:
    language = code_language(task, lang)
    if language is None:
        raise ValueError(f"{task}/{lang} predictions are not code")
    if language not in mod.LANGUAGES:
        raise ValueError(f"{name} does not analyze {language}")
    return language


def analyze(
    name: str,
    records: list[dict],
    task: str,
    lang: str,
    *,
    threads: int = 1,
    options: dict | None = None,
    workdir: str | Path | None = None,
    environment_failures: str = DEFAULT_MODE,
) -> tuple[list[dict], AnalyzerResult]:
    """Rows (one per record, in record order) and the raw result (by-rule rows, version)."""
    options = dict(options or {})
    mod = module(name)
    language = _check_language(name, mod, task, lang)
    with tempfile.TemporaryDirectory(prefix=f"codepeft-{name}-", dir=workdir) as tmp:
        units, reason, result = _run_batch(
            name,
            mod,
            records,
            language,
            Path(tmp),
            threads=threads,
            options=options,
            task=task,
            environment_failures=environment_failures,
        )
    return [_row(name, u, u.id, reason, result) for u in units], result


def write_outputs(
    name: str,
    rows: list[dict],
    rules: list[tuple[str, str, str, int]],
    tool: str,
    predictions: str | Path,
    task: str,
    lang: str,
    out_tsv: str | Path,
    rules_tsv: str | Path | None = None,
    summary_json: str | Path | None = None,
    options: dict | None = None,
) -> None:
    """The per-instance table, the long by-rule table and the summary of one predictions file."""
    mod = module(name)
    write_tsv(out_tsv, rows, ["id", "status", "wrapped", *mod.COLUMNS])
    if rules_tsv is not None:
        write_tsv(
            rules_tsv,
            [dict(zip(("id", "rule", "category", "count"), r, strict=True)) for r in rules],
            ["id", "rule", "category", "count"],
        )
    statuses = Counter(r["status"] for r in rows)
    log.info("%s: %s -> %s: %s", name, predictions, out_tsv, dict(statuses))
    if summary_json is None:
        return
    by_rule = Counter()
    for _, rule, category, count in rules:
        by_rule[f"{category}/{rule}"] += count

    def total(column, only_ok):
        return sum(
            r[column]
            for r in rows
            if (not only_ok or r["status"] == "ok") and isinstance(r.get(column), (int, float))
        )

    write_json(
        summary_json,
        {
            "family": mod.FAMILY,
            "tool": tool,
            "predictions": str(predictions),
            "task": task,
            "lang": lang,
            "language": code_language(task, lang),
            "n": len(rows),
            "statuses": dict(statuses),
            "totals_over_ok_rows": {c: total(c, True) for c in mod.COLUMNS},
            "totals_all_rows": {c: total(c, False) for c in mod.COLUMNS},
            "by_rule": dict(by_rule.most_common()),
            # what the tool saw and how empty results were counted (issue 13 presets)
            "inputs": {
                "unit_files": (options or {}).get("unit_files", "codepeft"),
                "format_translations": bool((options or {}).get("format_translations", False)),
                **({name: (options or {}).get(name)} if (options or {}).get(name) else {}),
            },
        },
    )


@dataclass(frozen=True)
class Job:
    """One predictions file of a batched analyzer run and the outputs it gets."""

    predictions: str
    task: str
    lang: str
    table: str
    rules: str | None = None
    summary: str | None = None


def _as_job(job) -> Job:
    if isinstance(job, Job):
        return job
    if isinstance(job, dict):
        return Job(**job)
    return Job(*job)


def analyze_records(
    name: str,
    inputs: list[tuple[list[dict], str, str]],
    *,
    threads: int = 1,
    options: dict | None = None,
    workdir: str | Path | None = None,
    max_units: int = MAX_UNITS_PER_RUN,
    environment_failures: str = DEFAULT_MODE,
) -> list[tuple[list[dict], list[tuple[str, str, str, int]], str]]:
    """Many record sets at once: inputs = [(records, task, lang), ...].

    All units of all sets go into one temporary folder; the tool runs once per code language
    over the union (in runs of at most `max_units` units), with ids made unique across sets
    (set index prefix) and mapped back. Returns, per input in order, (rows in record order,
    by-rule rows, tool version), the same as `analyze` gives for that set alone.
    """
    options = dict(options or {})
    mod = module(name)
    by_task = options.get("unit_files", "codepeft") != "codepeft" or bool(
        options.get("format_translations")
    )
    groups: dict[tuple[str, str | None], list[tuple[int, str, dict]]] = {}
    for k, (records, task, lang) in enumerate(inputs):
        language = _check_language(name, mod, task, lang)
        seen = set()
        for record in records:
            uid = str(record["id"])
            if uid in seen:
                raise ValueError(f"duplicate id {uid!r} in predictions set {k} ({task}/{lang})")
            seen.add(uid)
            # the task decides the unit files under the package layout or translation
            # formatting: then one run per (language, task), else one run per language
            group_task = task if by_task else None
            groups.setdefault((language, group_task), []).append((k, uid, record))
    rows: dict[tuple[int, str], dict] = {}
    rules: list[list] = [[] for _ in inputs]
    versions = [""] * len(inputs)
    with tempfile.TemporaryDirectory(prefix=f"codepeft-{name}-", dir=workdir) as tmp:
        for (language, task), members in groups.items():
            n_runs = -(-len(members) // max_units)
            log.info(
                "%s: %d %s samples from %d file(s) in %d run(s)",
                name,
                len(members),
                language,
                len({k for k, _, _ in members}),
                n_runs,
            )
            for r in range(n_runs):
                chunk = members[r * max_units : (r + 1) * max_units]
                keyed = [{**rec, "id": f"{k}\t{uid}", "_name_id": uid} for k, uid, rec in chunk]
                run_options = dict(options)
                label = options.get("label") or name
                run_options["label"] = f"{label}_{language}" + (f"_{r + 1}" if n_runs > 1 else "")
                if task is not None:
                    run_options["label"] += f"_{task}"
                units, reason, result = _run_batch(
                    name,
                    mod,
                    keyed,
                    language,
                    Path(tmp)
                    / (
                        f"{language}_{r + 1:03d}"
                        if task is None
                        else f"{language}_{task}_{r + 1:03d}"
                    ),
                    threads=threads,
                    options=run_options,
                    task=task,
                    environment_failures=environment_failures,
                )
                owner = {}
                for unit, (k, uid, _) in zip(units, chunk, strict=True):
                    rows[(k, uid)] = _row(name, unit, uid, reason, result)
                    owner[unit.id] = (k, uid)
                    if result.tool_version and unit.status == "ok":  # as `analyze` alone
                        versions[k] = result.tool_version
                for key, rule, category, count in result.rules:
                    k, uid = owner[key]
                    rules[k].append((uid, rule, category, count))
    out = []
    for k, (records, _, _) in enumerate(inputs):
        out.append(([rows[(k, str(rec["id"]))] for rec in records], rules[k], versions[k]))
    return out


def analyze_files(
    name: str,
    jobs: list,
    *,
    threads: int = 1,
    options: dict | None = None,
    workdir: str | Path | None = None,
    environment_failures: str = DEFAULT_MODE,
) -> dict[str, list[dict]]:
    """One analyzer over many predictions files: the tool runs once per code language over
    the union of all files' units (`analyze_records`), then each file gets its own table,
    by-rule table and summary, the same as when each file is analyzed alone. Under
    ``environment_failures: fail`` a tool missing or failing raises before any file is written.

    jobs: `Job`s, dicts with Job's fields, or tuples (predictions, task, lang, table, rules,
    summary). Returns {table path: rows}.
    """
    jobs = [_as_job(j) for j in jobs]
    start = time.perf_counter()
    inputs = [(read_jsonl(j.predictions), j.task, j.lang) for j in jobs]
    results = analyze_records(
        name,
        inputs,
        threads=threads,
        options=options,
        workdir=workdir,
        environment_failures=environment_failures,
    )
    out = {}
    for job, (rows, rules, version) in zip(jobs, results, strict=True):
        write_outputs(
            name,
            rows,
            rules,
            version,
            job.predictions,
            job.task,
            job.lang,
            job.table,
            job.rules,
            job.summary,
            options,
        )
        out[str(job.table)] = rows
    log.info(
        "%s: %d file(s), %d rows in %.1f s",
        name,
        len(jobs),
        sum(len(r) for r in out.values()),
        time.perf_counter() - start,
    )
    return out


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
    environment_failures: str = DEFAULT_MODE,
) -> list[dict]:
    """One predictions file: `analyze_files` with one job (the workflow's path). Returns
    its rows."""
    job = Job(
        str(predictions),
        task,
        lang,
        str(out_tsv),
        None if rules_tsv is None else str(rules_tsv),
        None if summary_json is None else str(summary_json),
    )
    return analyze_files(
        name, [job], threads=threads, options=options, environment_failures=environment_failures
    )[job.table]


def setup_logging(log_file: str | Path | None = None, level=logging.INFO) -> None:
    _setup_logging(log_file, level)  # the one logging setup (codepeft.logs)
