"""The execution stage: predictions + tests -> per-task table (TSV) + summary (JSON).

Predictions (either form, one line per task):
  - the project's form ``{"id": ..., "output": "<code>"}`` (n = 1, greedy), with
    ``"outputs": ["<code>", ...]`` when n answers were sampled (then ``"sampling"``: n,
    temperature, top_p, seed, copied into the summary), or
  - CoderEval's form ``{"_id": ..., "generate_results": ["<code>", ...]}`` (n >= 1; items may
    also be ``{"generate_code": ...}`` objects as in CoderEval's result files).

Each task runs from the local tests file when it has a test there (self-contained and
standard-library tasks), or from its data record's ``meta.test`` (the test sets of
`codepeft.data.testsets`: HumanEval, ...), else in CoderEval's image when one is configured,
else it is ``not computed`` with the reason. Running anything requires ``allow_untrusted_code=True``.

An interpreter or JDK missing for samples that need it, or a CoderEval image configured but
not usable here, is an environment failure (``Settings.environment_failures``,
`codepeft.failures`): ``fail`` (default) raises `EnvironmentFailure`, ``record`` writes those
tasks as ``not computed``. A missing sandbox (`sandbox.SandboxUnavailable`) stops the job in
both modes: generated code never runs unsandboxed.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from pathlib import Path

from codepeft import io
from codepeft.execution import codereval as ce
from codepeft.execution import passk
from codepeft.execution import sandbox as sb
from codepeft.execution.harness import Runtimes, Sample, SampleResult, run_samples
from codepeft.failures import DEFAULT_MODE, environment_failure

log = logging.getLogger(__name__)

NOT_ENABLED = "not computed: execution not enabled (set execution.allow_untrusted_code)"


def load_predictions(path: str | Path) -> dict[str, list[str]]:
    """id -> list of candidate codes, in file order."""
    out: dict[str, list[str]] = {}
    for lineno, rec in enumerate(io.iter_jsonl(path), 1):
        if "generate_results" in rec:
            tid = str(rec.get("_id", rec.get("id")))
            codes = [
                (g.get("generate_code") or "") if isinstance(g, dict) else (g or "")
                for g in rec["generate_results"]
            ]
        elif "id" in rec:
            tid = str(rec["id"])
            if rec.get("outputs") is not None:  # n sampled answers
                codes = [code or "" for code in rec["outputs"]]
            else:
                codes = [rec.get("output") or ""]
        else:
            raise ValueError(f"{path}:{lineno}: neither 'id'+'output' nor '_id'+'generate_results'")
        if tid in out:
            raise ValueError(f"{path}:{lineno}: duplicate id {tid!r}")
        out[tid] = codes
    return out


def load_tests(path: str | Path | None) -> dict[str, dict]:
    """id -> {"language", "test"} from a local tests file (see harness module docstring)."""
    if not path:
        return {}
    tests = {}
    for lineno, rec in enumerate(io.iter_jsonl(path), 1):
        missing = {"id", "language", "test"} - set(rec)
        if missing:
            raise ValueError(f"{path}:{lineno}: missing {sorted(missing)}")
        if rec["language"] not in ("python", "java"):
            raise ValueError(f"{path}:{lineno}: language must be python or java")
        tests[str(rec["id"])] = rec
    return tests


def load_sampling(path: str | Path) -> dict | None:
    """How a predictions file's answers were sampled (its rows' ``sampling``), or None (one
    greedy answer per task)."""
    for rec in io.iter_jsonl(path):
        if rec.get("sampling"):
            return rec["sampling"]
    return None


def load_data_tests(data_path: str | Path | None, language: str) -> dict[str, dict]:
    """id -> {"language", "test"} of the data records that carry their test (``meta.test``: a
    test set's problems, `codepeft.data.testsets`)."""
    if not data_path or not Path(data_path).exists():
        return {}
    return {
        str(rec["id"]): {"id": str(rec["id"]), "language": language, "test": rec["meta"]["test"]}
        for rec in io.iter_jsonl(data_path)
        if isinstance((rec.get("meta") or {}).get("test"), str)
    }


def load_levels(data_path: str | Path | None) -> dict[str, str]:
    """id -> CoderEval runnable level, from a task data file (inputs.level), if given."""
    if not data_path or not Path(data_path).exists():
        return {}
    levels = {}
    for rec in io.iter_jsonl(data_path):
        if (rec.get("meta") or {}).get("test_set"):  # HumanEval, ...: no CoderEval level
            continue
        level = (rec.get("inputs") or {}).get("level") or (rec.get("meta") or {}).get("level")
        levels[str(rec["id"])] = level or ""
    return levels


def load_all_ids(data_path: str | Path | None) -> list[str] | None:
    if not data_path or not Path(data_path).exists():
        return None
    return [str(rec["id"]) for rec in io.iter_jsonl(data_path)]


@dataclasses.dataclass
class Settings:
    language: str
    ks: tuple[int, ...] = (1,)
    threads: int = 1
    allow_untrusted_code: bool = False
    limits: sb.Limits = dataclasses.field(default_factory=sb.Limits)
    python: str | None = None
    java_home: str | None = None
    codereval: ce.CoderEvalConfig = dataclasses.field(default_factory=ce.CoderEvalConfig)
    environment_failures: str = DEFAULT_MODE  # fail | record (codepeft.failures)


def check_runtimes(samples: list[Sample], runtimes: Runtimes, mode: str) -> None:
    """An interpreter or JDK missing for samples that need it: `environment_failure` (raises
    under ``fail``; under ``record`` the harness writes those samples as not computed)."""
    languages = {s.language for s in samples}
    if "python" in languages and not runtimes.python:
        environment_failure(
            mode,
            "no python3 interpreter found",
            "install python3 (/usr/bin/python3) where the job runs, or set execution.python",
        )
    if "java" in languages and not runtimes.java_home:
        environment_failure(
            mode,
            "no JDK (javac) found",
            "install a JDK 17 where the job runs (apt-get install openjdk-17-jdk-headless; "
            "README, Requirements), or set execution.java_home or JAVA_HOME",
        )


def evaluate(
    predictions: dict[str, list[str]],
    tests: dict[str, dict],
    settings: Settings,
    *,
    all_ids: list[str] | None = None,
    levels: dict[str, str] | None = None,
) -> tuple[list[dict], list[str], dict, list[SampleResult]]:
    """Returns (rows, columns, summary, per-sample results)."""
    levels = levels or {}
    started = time.monotonic()
    per_sample: dict[str, list[SampleResult]] = {}
    if not settings.allow_untrusted_code:
        log.warning("execution not enabled: %s", NOT_ENABLED)
        for tid, codes in predictions.items():
            per_sample[tid] = [SampleResult(tid, j, "not_computed", NOT_ENABLED)
                               for j in range(max(1, len(codes)))]  # fmt: skip
        n_run = 0
    else:
        local = [
            Sample(tid, j, settings.language, code, tests[tid]["test"])
            for tid, codes in predictions.items()
            if tid in tests and tests[tid]["language"] == settings.language
            for j, code in enumerate(codes)
        ]
        remote = {tid: codes for tid, codes in predictions.items()
                  if not (tid in tests and tests[tid]["language"] == settings.language)}  # fmt: skip
        log.info("%d tasks: %d with a local test (%d samples), %d for the CoderEval image",
                 len(predictions), len(predictions) - len(remote), len(local), len(remote))  # fmt: skip
        runtimes = Runtimes.detect(settings.python, settings.java_home)
        check_runtimes(local, runtimes, settings.environment_failures)
        last = [0.0]

        def progress(done, total):
            if time.monotonic() - last[0] > 10 or done == total:
                last[0] = time.monotonic()
                log.info("executed %d/%d samples", done, total)

        for res in run_samples(local, limits=settings.limits, runtimes=runtimes,
                               threads=settings.threads, progress=progress):  # fmt: skip
            per_sample.setdefault(res.task_id, []).append(res)
        n_run = len(local)
        if remote:
            per_sample.update(
                ce.run_codereval(
                    remote, settings.language, settings.codereval, settings.environment_failures
                )
            )
            n_run += sum(len(c) for c in remote.values())
    wall = time.monotonic() - started

    rows = []
    pass1: dict[str, float | None] = {}
    for tid in predictions:
        results = sorted(per_sample[tid], key=lambda r: r.index)
        first = results[0]
        computed = [r for r in results if r.outcome != "not_computed"]
        n = len(computed)
        c = sum(r.outcome == "pass" for r in computed)
        row = {
            "id": tid,
            "outcome": first.outcome,
            "reason": first.reason,
            "n": n if n else None,
            "c": c if n else None,
            "outcomes": ";".join(
                f"{k}={v}" for k, v in sorted(Counter(r.outcome for r in results).items())
            ),
            "sandbox": first.mechanism or None,
            "status": "ok" if n else (first.reason or "not computed"),
        }
        if levels:
            row["level"] = levels.get(tid, "")
        for k in settings.ks:
            value = passk.pass_at_k(n, c, k) if n else None
            row[f"pass@{k}"] = None if value is None else round(value, 6)
            if not n:
                row[f"pass@{k}_status"] = row["status"]
            elif value is None:
                row[f"pass@{k}_status"] = f"not computed: n={n} < k={k}"
            else:
                row[f"pass@{k}_status"] = "ok"
        pass1[tid] = passk.pass_at_k(n, c, 1) if n else None
        rows.append(row)

    columns = ["id"] + (["level"] if levels else []) + ["outcome", "reason", "n", "c"]
    for k in settings.ks:
        columns += [f"pass@{k}", f"pass@{k}_status"]
    columns += ["outcomes", "sandbox", "status"]

    all_ids = list(dict.fromkeys(all_ids if all_ids is not None else predictions))
    missing = [i for i in all_ids if i not in predictions]
    computed_rows = [r for r in rows if r["n"]]
    not_computed = Counter(r["status"] for r in rows if not r["n"])
    summary = {
        "language": settings.language,
        "n_tasks": len(all_ids),
        "n_predicted": len(predictions),
        "n_missing": len(missing),
        "missing_ids": missing,
        "n_computed": len(computed_rows),
        "n_not_computed": sum(not_computed.values()),
        "not_computed_reasons": dict(not_computed),
        "complete": not not_computed and not missing,
        "passes": sum(1 for r in rows if r["outcome"] == "pass"),
        "pass@1_all_tasks": passk.pass_at_1_all_tasks(pass1, all_ids),
        "pass@1_all_tasks_note": (
            "sum of per-task pass@1 over ALL tasks of the set (missing and not computed "
            "tasks count as fails), as the paper reports pass@1 = passes / 190 (Python) or "
            "/ 184 (Java)"
        ),
        "pass@k_computed": {
            str(k): passk.mean_pass_at_k([(r["n"], r["c"]) for r in computed_rows], k)
            for k in settings.ks
        },
        "outcomes": dict(Counter(r["outcome"] for r in rows)),
        "sample_outcomes": dict(Counter(x.outcome for v in per_sample.values() for x in v)),
        "sandbox": sorted({r["sandbox"] for r in rows if r["sandbox"]}),
        "limits": dataclasses.asdict(settings.limits),
        "threads": settings.threads,
        "samples_run": n_run,
        "wall_s": round(wall, 3),
        "samples_per_s": round(n_run / wall, 3) if wall > 0 and n_run else None,
    }
    if levels:
        by_level: dict[str, dict] = {}
        for r in rows:
            entry = by_level.setdefault(r.get("level") or "unknown", {"tasks": 0, "passes": 0})
            entry["tasks"] += 1
            entry["passes"] += r["outcome"] == "pass"
        summary["by_level"] = by_level
    flat = [r for v in per_sample.values() for r in v]
    return rows, columns, summary, flat


def write_outputs(
    rows, columns, summary, out_tsv, summary_path=None, samples_path=None, samples=()
):
    io.write_tsv(out_tsv, rows, columns)
    summary_path = summary_path or str(out_tsv).removesuffix(".tsv") + ".summary.json"
    io.write_json(summary_path, summary)
    if samples_path:
        io.write_jsonl(samples_path, (dataclasses.asdict(s) for s in samples))
    return summary_path


def settings_from_config(
    options: dict, language: str, threads: int = 1, environment_failures: str = DEFAULT_MODE
) -> Settings:
    """Settings from the validated `execution` config section (and the top-level
    ``environment_failures``)."""
    limits = sb.Limits(
        mechanism=options.get("sandbox", "bwrap"),
        wall_s=float(options.get("timeout_s", 10)),
        cpu_s=int(options.get("cpu_s", 10)),
        memory_mb=int(options.get("memory_mb", 1024)),
        java_memory_mb=int(options.get("java_memory_mb", 4096)),
        java_heap_mb=int(options.get("java_heap_mb", 256)),
        max_processes=int(options.get("max_processes", 64)),
        java_max_processes=int(options.get("java_max_processes", 256)),
        max_file_mb=int(options.get("max_file_mb", 16)),
        max_output_kb=int(options.get("max_output_kb", 256)),
        scratch_mb=int(options.get("scratch_mb", 64)),
    )
    return Settings(
        language=language,
        ks=tuple(options.get("k") or (1,)),
        threads=max(1, threads),
        allow_untrusted_code=bool(options.get("allow_untrusted_code", False)),
        limits=limits,
        python=options.get("python"),
        java_home=options.get("java_home"),
        codereval=ce.CoderEvalConfig.from_dict(options.get("codereval")),
        environment_failures=environment_failures,
    )


def run_from_config(
    *,
    predictions,
    tests,
    data,
    language,
    options,
    threads,
    out_tsv,
    summary_path,
    meta=None,
    environment_failures: str = DEFAULT_MODE,
) -> dict:
    """The rule's entry point: evaluate one predictions file and write table + summary."""
    settings = settings_from_config(options, language, threads, environment_failures)
    log.info(
        "execution of %s (%s): allow_untrusted_code=%s, sandbox=%s, threads=%d, tests=%s",
        predictions, language, settings.allow_untrusted_code, settings.limits.mechanism,
        settings.threads, tests,
    )  # fmt: skip
    rows, columns, summary, _ = evaluate(
        load_predictions(predictions),
        {**load_tests(tests), **load_data_tests(data, language)},
        settings,
        all_ids=load_all_ids(data),
        levels=load_levels(data),
    )
    summary = {**(meta or {}), **summary}
    sampling = load_sampling(predictions)
    if sampling is not None:
        summary["sampling"] = sampling
    write_outputs(rows, columns, summary, out_tsv, summary_path)
    log.info(
        "pass@1 over all %d tasks: %.4f (%d passes, %d not computed, %d missing)",
        summary["n_tasks"], summary["pass@1_all_tasks"], summary["passes"],
        summary["n_not_computed"], summary["n_missing"],
    )  # fmt: skip
    return summary
