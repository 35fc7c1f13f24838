"""Pylint 4.1.4: one process over all Python units, default checks, `duplicate-code` disabled.

Pylint comes from its own venv (scripts/setup/pylint.sh) when present, so the analyzed code's
imports resolve the same way everywhere; ``-j1`` by default: on 2 cores, -j2 was slower for a
batch of 230 small files (worker start-up and per-process astroid caches).
Command: ``pylint --output-format=json2 --disable=duplicate-code --exit-zero --persistent=n
--rcfile=<empty file> -j <threads> <files>`` (an empty rcfile so no project config leaks in;
the paper ran Pylint with its default configuration).

Columns: message counts by category (`error`, `warning`, `convention`, `refactor`, `fatal`,
`info`) and `messages` (their sum); by-symbol counts go to the long table (`rule` = symbol,
`category` = category). Paper's columns: Error, Warning, Convention, Refactor.
A unit with `syntax-error` (E0001) gets status `parse_error`; its counts are kept as Pylint
reported them (the syntax error itself is one `error`), as in the paper.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from codepeft.analyzers.base import (
    OK,
    PARSE_ERROR,
    AnalyzerResult,
    ToolError,
    find_venv_tool,
    run_tool,
    tool_version,
)
from codepeft.analyzers.units import unit_finder
from codepeft.tools import tools_dir

FAMILY = "pylint"
LANGUAGES = ("python",)
CATEGORIES = ("error", "warning", "convention", "refactor", "fatal", "info")
COLUMNS = (*CATEGORIES, "messages")
HAS_RULES = True


def executable() -> str | None:
    """The side venv of scripts/setup/pylint.sh first (reproducible import resolution), then
    PATH (e.g. the conda env of envs/pylint.yaml), then the running interpreter's bin."""
    side = tools_dir() / "pylint-venv" / "bin" / "pylint"
    if side.exists() and os.access(side, os.X_OK):
        return str(side)
    return find_venv_tool("pylint")


def unavailable(options: dict) -> str | None:
    return None if executable() else "pylint not found"


def command(files: list[str], rcfile: str, threads: int = 1) -> list[str]:
    return [
        executable(),
        "--output-format=json2",
        "--disable=duplicate-code",
        "--exit-zero",
        "--persistent=n",
        f"--rcfile={rcfile}",
        f"-j{max(1, threads)}",
        *files,
    ]


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    options = options or {}
    rcfile = Path(workdir) / "empty.pylintrc"
    rcfile.write_text("")
    by_path = {str(u.path): u for u in units}
    unit_of = unit_finder(units)
    proc = run_tool(
        command([str(u.path) for u in units], str(rcfile), threads),
        cwd=workdir,
        timeout=options.get("timeout_s", 3600),
    )
    try:
        messages = json.loads(proc.stdout)["messages"]
    except (json.JSONDecodeError, KeyError) as err:
        raise ToolError(f"pylint printed no JSON report: {proc.stderr[-1000:]}") from err
    counts = {u.id: Counter() for u in units}
    symbols = {u.id: Counter() for u in units}
    parse_errors = set()
    for msg in messages:
        unit = (
            by_path.get(msg.get("absolutePath"))
            or by_path.get(msg.get("path"))
            or unit_of(msg.get("absolutePath") or msg.get("path"))
        )
        if unit is None:
            continue
        counts[unit.id][msg["type"]] += 1
        symbols[unit.id][(msg["symbol"], msg["type"])] += 1
        if msg["symbol"] == "syntax-error":
            parse_errors.add(unit.id)
    result = AnalyzerResult(tool_version=tool_version([executable(), "--version"]))
    for unit in units:
        row = {c: counts[unit.id][c] for c in CATEGORIES}
        row["messages"] = sum(counts[unit.id].values())
        row["status"] = PARSE_ERROR if unit.id in parse_errors else OK
        result.rows[unit.id] = row
        result.rules += [(unit.id, s, t, n) for (s, t), n in sorted(symbols[unit.id].items())]
    return result
