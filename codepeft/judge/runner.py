"""Run the judge over (id, code, summary) pairs: N runs each, cached, bounded, fault-tolerant.

Per instance and run index r (0..runs-1) a *run* asks the backend for one answer:
1. The cache is consulted under the key (backend identity, model, prompt, r, attempt, decoding);
   a hit costs no request.
2. Otherwise the request is sent, counted against the per-invocation cap (`max_requests`, every
   HTTP attempt counts, retries included). A retryable failure (429, 408/409, 5xx, timeout,
   connection error, malformed body) is retried up to `max_retries` times after an exponential
   backoff with jitter: ``d = min(backoff_max_s, backoff_base_s * 2**k)``, sleep uniform in
   [d/2, d]; a ``Retry-After`` is honoured (sleep at least that long, at most backoff_max_s).
   401/403/404 stop the whole invocation (the same failure would repeat for every request).
   A request that still has no answer after its retries (or a 4xx) is an environment failure
   (``environment_failures``, `codepeft.failures`): under ``fail`` (default) the runner stops
   sending and `Judge.judge` raises `EnvironmentFailure` (answers already obtained are in the
   cache, so the retry of the job asks only for the rest); under ``record`` the run is missing
   with the reason. A failure caused by the item itself (a prompt longer than a local model's
   context) and the request cap (``max_requests``, a config choice) are rows in both modes.
3. An answer that does not parse (see `rubric.parse_answer`) is re-asked as attempt 1, 2, ...
   up to `parse_retries` times (each attempt has its own cache entry), then the run is missing
   with the reason.

Per instance and criterion the table gives the mean and the mode over the runs that scored
that criterion (NaN skipped, as the package's ``aggregate_llm_judge_scores.py:63`` averaged
them); the row's `status` is ``ok`` when every criterion has at least `min_valid_runs` scores,
else ``not computed: <reasons>`` and the criteria short of runs are empty. With the strict
parser a run scores all criteria or none; with ``parse_rule: package`` a run whose last
attempt still lacked a criterion keeps the scores it got (the package kept them).
`missing` lists each incomplete run's reason.

Package options (the paper preset): ``empty_retries`` re-asks an empty answer within one
attempt (the package's ``call_gpt5`` tried 3 times, ``:65-103``) before the attempt counts as
unparsable; ``parse_retries: 4`` gives the package's 5 calls until all three scores parse
(``:140-157``); ``min_summary_chars: 3`` skips items whose summary is shorter than 3
characters after stripping (``:175-177``): no request, values empty, status
``skipped: summary shorter than 3 characters``, counted in the summary; ``blank_answer:
answer`` takes an answer of whitespace only as an answer, not as an empty one (the package's
``if output_text:``, ``:89``): parsed (no score), it uses up one of the calls at once.
Work runs on a thread pool of `concurrency` workers (a local model serialises its own calls).
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from codepeft.config import schema_defaults
from codepeft.failures import DEFAULT_MODE, EnvironmentFailure, check_mode

from .base import Backend, BackendError
from .cache import DiskCache, cache_key
from .rubric import DEFAULT_CRITERIA, Template, criterion_key, mean, mode, parser

log = logging.getLogger(__name__)

CAP_REACHED = "request cap reached"


#: the schema's `judge` defaults (workflow/schemas/judge.schema.yaml): the one source
_DEFAULTS = schema_defaults("judge")


@dataclass
class Settings:
    """How the judge asks (the `judge` section's request settings; defaults: the schema's)."""

    runs: int = _DEFAULTS["runs"]  # independent runs per instance (paper: 5); cost scales linearly
    parse_retries: int = _DEFAULTS["parse_retries"]  # extra asks when an answer does not parse
    min_valid_runs: int = _DEFAULTS["min_valid_runs"]  # fewer valid runs: "not computed"
    concurrency: int = _DEFAULTS["concurrency"]  # requests in flight at once
    max_requests: int | None = _DEFAULTS["max_requests"]  # cap per invocation (None: no cap)
    max_retries: int = _DEFAULTS["max_retries"]  # transport retries (429/5xx/timeouts)
    backoff_base_s: float = _DEFAULTS["backoff_base_s"]
    backoff_max_s: float = _DEFAULTS["backoff_max_s"]
    criteria: tuple[str, ...] = tuple(_DEFAULTS["criteria"])
    parse_rule: str = _DEFAULTS["parse_rule"]  # "package": the replication package's line rule
    empty_retries: int = _DEFAULTS["empty_retries"]  # re-asks of an empty answer (package: 2)
    min_summary_chars: int = _DEFAULTS["min_summary_chars"]  # shorter: skipped (package: 3)
    blank_answer: str = _DEFAULTS["blank_answer"]  # whitespace: "empty" or an "answer" (package)


@dataclass
class Counters:
    made: int = 0  # requests sent (successful or not)
    cached: int = 0  # answers served from the cache
    failed: int = 0  # requests that produced no answer (error status, timeout, bad body)
    retried: int = 0  # requests re-sent after a retryable failure
    unparsable: int = 0  # answers (fresh or cached) that did not parse
    cap_reached: bool = False
    aborted: str | None = None
    environment_failure: str | None = None  # the first, under environment_failures: fail
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + n)

    def as_dict(self, cap: int | None) -> dict:
        return {
            "made": self.made,
            "cached": self.cached,
            "failed": self.failed,
            "retried": self.retried,
            "unparsable_answers": self.unparsable,
            "cap": cap,
            "cap_reached": self.cap_reached,
            "aborted": self.aborted,
        }


@dataclass
class RunResult:
    scores: dict[str, int] | None  # may be partial (package parser) when reason != "ok"
    reason: str  # "ok" or why the run is missing or incomplete


class _Budget:
    def __init__(self, cap: int | None):
        self.cap = cap
        self.used = 0
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.cap is not None and self.used >= self.cap:
                return False
            self.used += 1
            return True


BLANK_ANSWERS = ("empty", "answer")


def answered(text: str | None, blank_answer: str = "empty") -> bool:
    """Whether an attempt got an answer rather than an empty one (which `empty_retries` asks
    again): text that is not only whitespace; with ``blank_answer: answer`` any text at all, as
    the package's ``call_gpt5`` returned it (``if output_text:``, ``:89``)."""
    if blank_answer not in BLANK_ANSWERS:
        raise ValueError(f"blank_answer must be one of {BLANK_ANSWERS}, not {blank_answer!r}")
    if not text:
        return False
    return blank_answer == "answer" or bool(text.strip())


def backoff_delay(retry: int, settings: Settings, retry_after: float | None) -> float:
    ceiling = min(settings.backoff_max_s, settings.backoff_base_s * (2**retry))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.backoff_max_s))
    return delay


class Judge:
    def __init__(
        self,
        backend: Backend,
        template: Template,
        cache: DiskCache,
        settings: Settings | None = None,
        environment_failures: str = DEFAULT_MODE,
    ):
        self.backend = backend
        self.template = template
        self.cache = cache
        self.settings = settings or Settings()
        self.environment_failures = check_mode(environment_failures)
        self.counters = Counters()
        self._budget = _Budget(self.settings.max_requests)
        self._stop = threading.Event()
        self._identity = backend.identity()
        self._decoding = backend.decoding()
        self.skipped = 0  # items skipped by min_summary_chars in the last `judge` call

    # --- one request, with transport retries -------------------------------------------
    def _redact(self, text: str) -> str:
        redact = getattr(self.backend, "redact", None)
        return redact(text) if redact else text

    def _request(self, prompt: str, seed: int) -> tuple[str | None, str | None]:
        """(answer text, None) or (None, reason the request failed)."""
        s = self.settings
        for retry in range(s.max_retries + 1):
            if self._stop.is_set():
                return None, f"not sent: {self.counters.aborted}"
            if not self._budget.take():
                self.counters.cap_reached = True
                return None, CAP_REACHED
            self.counters.add("made")
            if retry:
                self.counters.add("retried")
            try:
                completion = self.backend.complete(prompt, seed)
                return (completion.text or ""), None
            except BackendError as err:
                self.counters.add("failed")
                reason = self._redact(err.reason)
                final = err.abort_all or not err.retryable or retry == s.max_retries
                if final and err.environment and self.environment_failures == "fail":
                    reason = reason if err.abort_all else f"{reason} (after {retry + 1} tries)"
                    return None, self._fail(reason)
                if err.abort_all:
                    with self.counters.lock:
                        if self.counters.aborted is None:
                            self.counters.aborted = reason
                    self._stop.set()
                    log.error("stopping: %s", reason)
                    return None, reason
                if not err.retryable or retry == s.max_retries:
                    return None, f"{reason} (after {retry + 1} tries)"
                delay = backoff_delay(retry, s, err.retry_after)
                log.warning("retry %d in %.2f s: %s", retry + 1, delay, reason)
                if self._stop.wait(delay):
                    return None, f"not sent: {self.counters.aborted}"
        raise AssertionError("unreachable")

    def _fail(self, reason: str) -> str:
        """Stop sending (environment_failures: fail): `judge` raises once in-flight work ends."""
        with self.counters.lock:
            first = self.counters.environment_failure is None
            if first:
                self.counters.environment_failure = reason
                self.counters.aborted = f"stopped after an environment failure: {reason}"
        self._stop.set()
        if first:
            log.error("environment failure, stopping: %s", reason)
        return reason

    def _environment_fix(self) -> str:
        identity = self._identity
        if identity.get("kind") == "local":
            return (
                "check the local judge's device and memory (judge.device, the job's resources) "
                "and rerun; answers already obtained are cached and not asked again"
            )
        where = identity.get("base_url", "the judge endpoint")
        key = getattr(self.backend, "api_key_env", None)
        return (
            f"make {where} reachable from where the job runs (compute nodes need outbound "
            "HTTPS; docs/slurm.md) and check that it accepts the requests"
            + (f" (the key in ${key}, " if key else " (")
            + "judge.model, judge.endpoint, judge.extra_body), or raise judge.max_retries / "
            "judge.timeout_s for a flaky service; then rerun: answers already obtained are "
            "cached and not requested again"
        )

    # --- one run of one instance ---------------------------------------------------------
    def _answer(self, prompt: str, run: int, attempt: int) -> tuple[str | None, str | None]:
        """One attempt's answer (cached or requested): (text, None) or (None, failure)."""
        key = cache_key(self._identity, self.backend.model, prompt, run, attempt, self._decoding)
        entry = self.cache.get(key)
        if entry is not None:
            self.counters.add("cached")
            return entry.get("text"), None
        text, failure = self._request(prompt, seed=int(key[:8], 16))
        if failure is not None:
            return None, failure
        self.cache.put(
            key,
            {
                "backend": self._identity,
                "model": self.backend.model,
                "run": run,
                "attempt": attempt,
                "decoding": self._decoding,
                "prompt_sha256": key_of_text(prompt),
                "text": text,
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
        )
        return text, None

    def judge_run(self, prompt: str, run: int) -> RunResult:
        s = self.settings
        parse = parser(s.parse_rule)
        reason = ""
        last = None
        # greedy decoding repeats itself: re-asking an unparsable answer would waste a request
        deterministic = getattr(self.backend, "deterministic", False)
        attempts = 1 if deterministic else s.parse_retries + 1
        tries = 1 if deterministic else s.empty_retries + 1  # per attempt, for empty answers
        for attempt in range(attempts):
            for empty_try in range(tries):
                # cache slot: attempt * tries + empty_try (= attempt without empty retries)
                text, failure = self._answer(prompt, run, attempt * tries + empty_try)
                if failure is not None:  # as the package: the last call's scores count
                    return RunResult(None, failure)
                if answered(text, s.blank_answer):
                    break
            parsed = parse(text, s.criteria)
            if parsed.reason == "ok":
                return RunResult(parsed.scores, "ok")
            self.counters.add("unparsable")
            reason = parsed.reason
            last = parsed.scores  # the package kept the last call's partial scores
        return RunResult(last, f"{reason} ({attempts} attempt{'s' if attempts > 1 else ''})")

    # --- many instances ------------------------------------------------------------------
    def judge(self, pairs: list[dict]) -> list[dict]:
        """One row per pair (same order): see module docstring for the columns."""
        s = self.settings
        skipped = {
            i
            for i, p in enumerate(pairs)
            if len((p.get("summary") or "").strip()) < s.min_summary_chars
        }
        self.skipped = len(skipped)
        if skipped:
            log.info(
                "skipping %d item(s) whose summary is shorter than %d characters",
                len(skipped),
                s.min_summary_chars,
            )
        jobs = [(i, run) for i in range(len(pairs)) if i not in skipped for run in range(s.runs)]
        prompts = [
            self.template.render(p.get("code") or "", p.get("summary") or "", p.get("language", ""))
            for p in pairs
        ]
        results: dict[tuple[int, int], RunResult] = {}
        workers = max(1, s.concurrency)
        if self.backend.max_parallel:
            workers = min(workers, self.backend.max_parallel)
        step = max(1, len(jobs) // 20)
        started = time.monotonic()
        done = 0
        log.info(
            "judging %d instances x %d runs with %s (%d workers, cap %s)",
            len(pairs),
            s.runs,
            self.backend.model,
            workers,
            s.max_requests,
        )
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(self.judge_run, prompts[i], run): (i, run) for i, run in jobs}
            for future, job in futures.items():
                results[job] = future.result()
                done += 1
                if done % step == 0 or done == len(jobs):
                    c = self.counters
                    log.info(
                        "%d/%d runs done in %.1f s (requests made %d, cached %d, failed %d)",
                        done,
                        len(jobs),
                        time.monotonic() - started,
                        c.made,
                        c.cached,
                        c.failed,
                    )
        failure = self.counters.environment_failure
        if failure is not None:
            c = self.counters
            log.error(
                "judge stopped: requests made %d, cached %d, failed %d (answers obtained are "
                "cached for the rerun)",
                c.made,
                c.cached,
                c.failed,
            )
            raise EnvironmentFailure(f"judge request failed: {failure}", self._environment_fix())
        return [
            self._skipped_row(pair)
            if i in skipped
            else self._row(pair, [results[(i, r)] for r in range(s.runs)])
            for i, pair in enumerate(pairs)
        ]

    def _skipped_row(self, pair: dict) -> dict:
        s = self.settings
        row = {"id": pair["id"], "n_runs": 0, "n_valid": 0, "missing": ""}
        for name in s.criteria:
            key = criterion_key(name)
            row[f"{key}_mean"] = row[f"{key}_mode"] = None
        row["status"] = f"skipped: summary shorter than {s.min_summary_chars} characters"
        return row

    def _row(self, pair: dict, runs: list[RunResult]) -> dict:
        s = self.settings
        need = max(1, s.min_valid_runs)
        valid = [r.scores for r in runs if r.reason == "ok"]
        missing = [f"run {k}: {r.reason}" for k, r in enumerate(runs) if r.reason != "ok"]
        row = {"id": pair["id"], "n_runs": s.runs, "n_valid": len(valid)}
        short = []
        for name in s.criteria:
            key = criterion_key(name)
            # every run that scored this criterion (NaN skipped), complete or not
            values = [r.scores[name] for r in runs if r.scores and r.scores.get(name) is not None]
            enough = len(values) >= need
            if not enough:
                short.append(f"{name} {len(values)}/{s.runs}")
            row[f"{key}_mean"] = round(mean(values), 6) if enough else None
            row[f"{key}_mode"] = mode(values) if enough else None
        if not short:
            row["status"] = "ok"
        else:
            counts = Counter(r.reason for r in runs if r.reason != "ok")
            why = "; ".join(f"{reason} x{n}" for reason, n in counts.most_common())
            partial = (
                f", too few scores for {', '.join(short)}" if len(short) < len(s.criteria) else ""
            )
            row["status"] = _clean(
                f"not computed: {len(valid)}/{s.runs} valid runs (need {need}){partial}: {why}"
            )
        row["missing"] = _clean("; ".join(missing))
        return row


def columns(criteria: tuple[str, ...] = DEFAULT_CRITERIA) -> list[str]:
    cols = ["id"]
    for name in criteria:
        key = criterion_key(name)
        cols += [f"{key}_mean", f"{key}_mode"]
    return cols + ["n_valid", "n_runs", "status", "missing"]


def key_of_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _clean(text: str, limit: int = 1000) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
