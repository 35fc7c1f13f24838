"""radon 6.0.1 (Python) as a library, in process: maintainability index and raw sizes.

Columns: `mi` (maintainability index, 0-100, radon's multi-line-strings-as-comments variant,
``mi_visit(code, multi=True)``), `loc`, `lloc`, `sloc`, `comments`, `blank` (radon.raw),
`halstead_volume` (file total). Code radon cannot parse -> status `parse_error`, values empty.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from codepeft.analyzers.base import OK, PARSE_ERROR, AnalyzerResult

FAMILY = "radon"
LANGUAGES = ("python",)
COLUMNS = ("mi", "loc", "lloc", "sloc", "comments", "blank", "halstead_volume")
HAS_RULES = False


def unavailable(options: dict) -> str | None:
    try:
        import radon  # noqa: F401
    except ImportError:
        return "radon not found"
    return None


def measure(code: str) -> dict:
    # lazy: only when the tool runs; its absence is `unavailable()`'s environment failure
    from radon.metrics import h_visit, mi_visit
    from radon.raw import analyze

    try:
        mi = mi_visit(code, True)
        raw = analyze(code)
        volume = h_visit(code).total.volume
    except (SyntaxError, ValueError, TypeError, RecursionError):
        return {"status": PARSE_ERROR}
    return {
        "mi": round(mi, 4),
        "loc": raw.loc,
        "lloc": raw.lloc,
        "sloc": raw.sloc,
        "comments": raw.comments,
        "blank": raw.blank,
        "halstead_volume": round(volume, 4),
        "status": OK,
    }


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    result = AnalyzerResult(tool_version=f"radon {version('radon')}")
    for unit in units:
        result.rows[unit.id] = measure(unit.code)
    return result
