"""The judge stage end to end: config -> backend, pairs -> per-instance table + summary.

`judge_predictions(predictions, test_data, out_tsv, summary_json, cfg)` joins
``results/predictions/{model}/{method}/summarization/{lang}.jsonl`` (``output``) with the test
data ``results/data/summarization/{lang}/test.jsonl`` (``inputs.code``) by ``id`` and writes
``results/metrics/judge/.../{lang}.tsv`` and ``{lang}.summary.json``. `judge_pairs_file` does
the same for any JSONL of ``{"id", "code", "summary"}`` (the CLI).

`cfg` is the validated ``judge`` config section (see workflow/schemas/judge.schema.yaml);
missing keys take the schema's defaults. ``environment_failures`` (the top-level option,
`codepeft.failures`): ``fail`` (default) raises `EnvironmentFailure` when a request still fails
after its retries; ``record`` writes those runs as missing. A local judge model that does not
load raises `EnvironmentFailure` in both modes (nothing could be judged). `check_api_key` is
the one API-key policy (CLI and rule): a backend that needs a key refuses to start without it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path

from codepeft.config import schema_defaults
from codepeft.failures import DEFAULT_MODE, EnvironmentFailure
from codepeft.io import read_jsonl, write_json, write_tsv

from .base import Backend
from .cache import DiskCache
from .local import LocalBackend
from .openai_compatible import OpenAICompatibleBackend
from .rubric import criterion_key, load_template
from .runner import Judge, Settings, columns

log = logging.getLogger(__name__)


class MissingAPIKey(ValueError):
    """The API key variable a remote judge needs is not set (the one key policy)."""


def with_defaults(cfg: dict | None) -> dict:
    """`cfg` over the schema's `judge` defaults (workflow/schemas/judge.schema.yaml, the one
    source of defaults); unknown keys are an error."""
    merged = schema_defaults("judge")
    unknown = sorted(set(cfg or {}) - set(merged))
    if unknown:
        raise ValueError(f"unknown judge setting(s): {', '.join(unknown)}")
    merged.update(cfg or {})
    return merged


def check_api_key(cfg: dict, environ: Mapping[str, str] | None = None) -> None:
    """The key policy of the CLI and the rule alike: a backend that needs a key (every one but
    `local`) whose `api_key_env` names an unset variable is refused before any request (a
    keyless run would only collect 401s). The key is read from the environment only, never
    from a file or a flag; `api_key_env: null` (CLI: --api-key-env '') is a server without
    authentication."""
    environ = os.environ if environ is None else environ
    key_env = cfg.get("api_key_env")
    if cfg["backend"] != "local" and key_env and not environ.get(key_env):
        raise MissingAPIKey(
            f"judge: the API key variable {key_env} is not set; export it (never put it in a "
            "file), or set judge.api_key_env: null (codepeft judge --api-key-env '') for a "
            "server without authentication"
        )


def build_backend(cfg: dict) -> Backend:
    cfg = with_defaults(cfg)
    check_api_key(cfg)
    if cfg["backend"] == "openai":
        return OpenAICompatibleBackend(
            base_url=cfg["base_url"],
            model=cfg["model"],
            endpoint=cfg["endpoint"],
            api_key_env=cfg["api_key_env"],
            temperature=cfg["temperature"],
            top_p=cfg["top_p"],
            max_tokens=cfg["max_tokens"],
            verbosity=cfg["verbosity"],
            extra_body=cfg["extra_body"],
            timeout_s=cfg["timeout_s"],
            max_connections=max(1, int(cfg["concurrency"])),
        )
    if cfg["backend"] == "local":
        try:
            return LocalBackend(
                model_path=cfg["model"],
                temperature=cfg["temperature"],
                top_p=cfg["top_p"],
                max_tokens=cfg["max_tokens"],
                device=cfg["device"],
            )
        except OSError as err:  # not there, or not loadable: the environment
            raise EnvironmentFailure(
                f"local judge model {cfg['model']} could not load ({type(err).__name__}: "
                f"{' '.join(str(err).split())[:300]})",
                "point judge.model at a model directory present where the job runs "
                "(`codepeft fetch` downloads a hub model where there is internet)",
            ) from err
    raise ValueError(f"judge backend must be 'openai' or 'local', not {cfg['backend']!r}")


def settings_from(cfg: dict) -> Settings:
    cfg = with_defaults(cfg)
    return Settings(
        runs=int(cfg["runs"]),
        parse_retries=int(cfg["parse_retries"]),
        min_valid_runs=int(cfg["min_valid_runs"]),
        concurrency=int(cfg["concurrency"]),
        max_requests=None if cfg["max_requests"] is None else int(cfg["max_requests"]),
        max_retries=int(cfg["max_retries"]),
        backoff_base_s=float(cfg["backoff_base_s"]),
        backoff_max_s=float(cfg["backoff_max_s"]),
        criteria=tuple(cfg["criteria"]),
        parse_rule=str(cfg["parse_rule"]),
        empty_retries=int(cfg["empty_retries"]),
        min_summary_chars=int(cfg["min_summary_chars"]),
        blank_answer=str(cfg["blank_answer"]),
    )


def pairs_from_predictions(predictions: str | os.PathLike, test_data: str | os.PathLike) -> list:
    """(id, code, summary, language) per prediction, in prediction order, joined on id."""
    tests = {r["id"]: r for r in read_jsonl(test_data)}
    pairs = []
    for pred in read_jsonl(predictions):
        record = tests.get(pred["id"])
        if record is None:
            raise ValueError(f"{predictions}: id {pred['id']!r} is not in {test_data}")
        pairs.append(
            {
                "id": pred["id"],
                "code": (record.get("inputs") or {}).get("code") or "",
                "summary": pred.get("output") or "",
                "language": pred.get("language") or record.get("language") or "",
            }
        )
    return pairs


def pairs_from_file(path: str | os.PathLike, language: str = "") -> list[dict]:
    pairs = []
    seen = set()
    for lineno, rec in enumerate(read_jsonl(path), 1):
        missing = [k for k in ("id", "code", "summary") if k not in rec]
        if missing:
            raise ValueError(f"{path}: record {lineno} lacks {', '.join(missing)}")
        if str(rec["id"]) in seen:
            raise ValueError(f"{path}: duplicate id {rec['id']!r}")
        seen.add(str(rec["id"]))
        pairs.append(
            {
                "id": str(rec["id"]),
                "code": rec["code"] or "",
                "summary": rec["summary"] or "",
                "language": rec.get("language") or language,
            }
        )
    return pairs


def run(
    pairs: list[dict],
    cfg: dict,
    out_tsv: str | os.PathLike,
    summary_json: str | os.PathLike | None = None,
    backend: Backend | None = None,
    environment_failures: str = DEFAULT_MODE,
) -> dict:
    """Judge `pairs`, write the table (and summary); return the summary dict. Under
    ``environment_failures: fail`` a request failing after its retries raises
    `EnvironmentFailure` before anything is written."""
    cfg = with_defaults(cfg)
    template = load_template(cfg["template"])
    settings = settings_from(cfg)
    own_backend = backend is None
    backend = backend or build_backend(cfg)
    started = time.monotonic()
    try:
        judge = Judge(
            backend, template, DiskCache(cfg["cache_dir"]), settings, environment_failures
        )
        rows = judge.judge(pairs)
    finally:
        if own_backend:
            backend.close()
    cols = columns(settings.criteria)
    write_tsv(out_tsv, rows, cols)
    ok_rows = [r for r in rows if r["status"] == "ok"]
    skipped = sum(1 for r in rows if r["status"].startswith("skipped:"))
    summary = {
        "backend": backend.describe(),
        "decoding": backend.decoding(),
        "template": {"source": template.source, "sha256": template.sha256},
        "criteria": list(settings.criteria),
        "runs": settings.runs,
        "parse_retries": settings.parse_retries,
        "parse_rule": settings.parse_rule,
        "empty_retries": settings.empty_retries,
        "min_summary_chars": settings.min_summary_chars,
        "blank_answer": settings.blank_answer,
        "min_valid_runs": settings.min_valid_runs,
        "concurrency": settings.concurrency,
        "cache_dir": str(cfg["cache_dir"]),
        "requests": judge.counters.as_dict(settings.max_requests),
        "instances": {
            "total": len(rows),
            "ok": len(ok_rows),
            "skipped_short_summary": skipped,
            "not_computed": len(rows) - len(ok_rows) - skipped,
        },
        "mean_over_ok_instances": {
            criterion_key(c): (
                round(sum(r[f"{criterion_key(c)}_mean"] for r in ok_rows) / len(ok_rows), 6)
                if ok_rows
                else None
            )
            for c in settings.criteria
        },
        # what the package reported: per criterion, the mean over every row with a value
        "mean_over_rows_with_a_value": {
            criterion_key(c): _mean_of(r[f"{criterion_key(c)}_mean"] for r in rows)
            for c in settings.criteria
        },
        "elapsed_s": round(time.monotonic() - started, 3),
    }
    if summary_json:
        write_json(summary_json, summary)
    req = summary["requests"]
    if skipped:
        log.info(
            "%d item(s) skipped: summary shorter than %d characters",
            skipped,
            settings.min_summary_chars,
        )
    log.info(
        "judge done: %d/%d instances ok; requests made %d, cached %d, failed %d%s",
        len(ok_rows),
        len(rows),
        req["made"],
        req["cached"],
        req["failed"],
        " (request cap reached)" if req["cap_reached"] else "",
    )
    return summary


def _mean_of(values) -> float | None:
    numbers = [v for v in values if isinstance(v, (int, float))]
    return round(sum(numbers) / len(numbers), 6) if numbers else None


def judge_predictions(
    predictions: str | os.PathLike,
    test_data: str | os.PathLike,
    out_tsv: str | os.PathLike,
    summary_json: str | os.PathLike,
    cfg: dict,
    environment_failures: str = DEFAULT_MODE,
) -> dict:
    pairs = pairs_from_predictions(predictions, test_data)
    log.info("%s: %d predictions joined with %s", predictions, len(pairs), Path(test_data))
    return run(pairs, cfg, out_tsv, summary_json, environment_failures=environment_failures)


def judge_pairs_file(
    pairs_path: str | os.PathLike,
    out_tsv: str | os.PathLike,
    cfg: dict,
    summary_json: str | os.PathLike | None = None,
    language: str = "",
    environment_failures: str = DEFAULT_MODE,
) -> dict:
    return run(
        pairs_from_file(pairs_path, language),
        cfg,
        out_tsv,
        summary_json,
        environment_failures=environment_failures,
    )
