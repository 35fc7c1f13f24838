"""complexipy 8.3.0 (Python cognitive complexity) as a library, in process.

Columns: `cognitive` (complexipy's file total), `cognitive_max` (highest function), `functions`.
Code complexipy cannot parse -> status `parse_error`, values empty.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from codepeft.analyzers.base import OK, PARSE_ERROR, AnalyzerResult

FAMILY = "complexipy"
LANGUAGES = ("python",)
COLUMNS = ("cognitive", "cognitive_max", "functions")
HAS_RULES = False


def unavailable(options: dict) -> str | None:
    try:
        import complexipy  # noqa: F401
    except ImportError:
        return "complexipy not found"
    return None


def measure(code: str) -> dict:
    # lazy: only when the tool runs; its absence is `unavailable()`'s environment failure
    from complexipy import code_complexity

    try:
        res = code_complexity(code)
    except (ValueError, SyntaxError):
        return {"status": PARSE_ERROR}
    funcs = [f.complexity for f in res.functions]
    return {
        "cognitive": res.complexity,
        "cognitive_max": max(funcs) if funcs else None,
        "functions": len(funcs),
        "status": OK,
    }


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    result = AnalyzerResult(tool_version=f"complexipy {version('complexipy')}")
    for unit in units:
        result.rows[unit.id] = measure(unit.code)
    return result
