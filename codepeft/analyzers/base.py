"""What every analyzer module shares: the result type, tool lookup and one batched tool call.

An analyzer module defines ``FAMILY`` (the metric family = output folder name), ``LANGUAGES``,
``COLUMNS`` (numeric measures), ``HAS_RULES`` (whether it writes a long by-rule table),
``unavailable(options) -> str | None`` (what it lacks here, or None: an environment failure),
optionally ``not_configured(options) -> str | None`` (the config does not set it up: a
``not computed`` row in every mode; Sonar without a host) and
``run(units, workdir, threads, options) -> AnalyzerResult`` which analyzes *all* given units in
one batch (one external process, or one in-process pass of a library).
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from codepeft.tools import find_tool

log = logging.getLogger("codepeft.analyzers")

OK = "ok"
PARSE_ERROR = "parse_error"
EMPTY = "empty_prediction"


def not_computed(reason: str) -> str:
    return f"not computed: {reason}"


@dataclass
class AnalyzerResult:
    """rows: unit id -> {measure: value, "status": ...}; rules: long rows
    (id, rule, category, count); tool_version: free text for the summary."""

    rows: dict[str, dict] = field(default_factory=dict)
    rules: list[tuple[str, str, str, int]] = field(default_factory=list)
    tool_version: str = ""


class ToolError(RuntimeError):
    """The external tool failed as a whole (not one file): an environment failure (the job
    fails, or every unit gets a not-computed status under ``environment_failures: record``)."""


def run_tool(
    cmd: list[str],
    *,
    cwd: str | Path | None = None,
    timeout: float = 3600,
    ok_codes: tuple[int, ...] = (0,),
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """Run one batched tool call; raise ToolError with stderr's tail on an unexpected exit code."""
    shown = " ".join(shlex.quote(c) for c in cmd[:6]) + (" ..." if len(cmd) > 6 else "")
    log.info("running: %s (%d args)", shown, len(cmd))
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired as err:
        raise ToolError(f"{Path(cmd[0]).name} timed out after {timeout:.0f} s") from err
    except OSError as err:
        raise ToolError(f"{Path(cmd[0]).name} could not start: {err}") from err
    log.info(
        "%s exited %d in %.1f s", Path(cmd[0]).name, proc.returncode, time.perf_counter() - start
    )
    if proc.returncode not in ok_codes:
        tail = (proc.stderr or proc.stdout or "").strip()[-2000:]
        raise ToolError(f"{Path(cmd[0]).name} exited {proc.returncode}: {tail}")
    return proc


def tool_version(cmd: list[str], timeout: float = 120) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (proc.stdout or proc.stderr or "").strip().splitlines()
    return text[0] if text else ""


def find_venv_tool(name: str) -> str | None:
    """A console script on PATH, else beside the running interpreter (the project venv's bin,
    which is not on PATH when the venv is used without activation)."""
    found = find_tool(name)
    if found:
        return found
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() and os.access(candidate, os.X_OK) else None
