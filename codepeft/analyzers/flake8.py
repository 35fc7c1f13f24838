"""Flake8 7.5 (pycodestyle E/W, pyflakes F, mccabe C90 off): one process over all Python units.

Output parsed from ``--format=%(path)s<TAB>%(row)d<TAB>%(col)d<TAB>%(code)s`` (flake8 has no
built-in JSON formatter). Columns: counts by code class `E`, `W`, `F`, `C`, and `violations`;
by-code counts in the long table. `E999` (syntax error) -> status `parse_error` (counts kept).
Default configuration (``--isolated``: no project config files).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from codepeft.analyzers.base import (
    OK,
    PARSE_ERROR,
    AnalyzerResult,
    find_venv_tool,
    run_tool,
    tool_version,
)
from codepeft.analyzers.units import unit_finder
from codepeft.tools import tools_dir

FAMILY = "flake8"
LANGUAGES = ("python",)
CLASSES = ("E", "W", "F", "C")
COLUMNS = (*CLASSES, "violations")
HAS_RULES = True
FORMAT = "%(path)s\t%(row)d\t%(col)d\t%(code)s"


def executable() -> str | None:
    """The side venv of scripts/setup/pylint.sh first (reproducible import resolution), then
    PATH (e.g. the conda env of envs/flake8.yaml), then the running interpreter's bin."""
    side = tools_dir() / "pylint-venv" / "bin" / "flake8"
    if side.exists() and os.access(side, os.X_OK):
        return str(side)
    return find_venv_tool("flake8")


def unavailable(options: dict) -> str | None:
    return None if executable() else "flake8 not found"


def command(files: list[str], threads: int = 1) -> list[str]:
    return [
        executable(),
        "--isolated",
        "--exit-zero",
        f"--jobs={max(1, threads)}",
        f"--format={FORMAT}",
        *files,
    ]


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    options = options or {}
    by_path = {str(u.path): u for u in units}
    unit_of = unit_finder(units)
    proc = run_tool(
        command([str(u.path) for u in units], threads),
        cwd=workdir,
        timeout=options.get("timeout_s", 3600),
    )
    codes = {u.id: Counter() for u in units}
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        unit = by_path.get(parts[0]) or unit_of(parts[0])
        if unit is not None:
            codes[unit.id][parts[3]] += 1
    result = AnalyzerResult(tool_version="flake8 " + tool_version([executable(), "--version"]))
    for unit in units:
        c = codes[unit.id]
        row = {k: sum(n for code, n in c.items() if code.startswith(k)) for k in CLASSES}
        row["violations"] = sum(c.values())
        row["status"] = PARSE_ERROR if c.get("E999") else OK
        result.rows[unit.id] = row
        result.rules += [(unit.id, code, code[:1], n) for code, n in sorted(c.items())]
    return result
