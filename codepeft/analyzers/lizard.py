"""Lizard 1.24.3 (Python, Java, C#) as a library, one in-process pass over all units.

Extension ``cognitive`` (the library form of ``lizard -Ecognitive``) adds each function's
``cognitive_complexity`` (SonarSource's definition; agrees with PMD and complexipy).
Measures are over the functions Lizard finds (so the Java/C# class wrapper adds nothing):
`functions`, `detected` (1 if at least one function), `nloc` and `tokens` (sums over functions),
`ccn_sum`, `ccn_max`, `ccn_avg` (cyclomatic), `params_max`, `cognitive_sum`, `cognitive_max`.
Paper's columns: Detection_Rate = detected, Cyclomatic_Complexity = ccn_sum,
Lines_of_Code = nloc, Token_Count = tokens.

Where the functions come from, option ``lizard.functions_from`` (config ``analyzers.lizard``):

``list`` (default)
    Lizard's function list of the unit's text: each function counted once.
``text_report`` (the paper preset)
    What the replication package did (``non_functional_analysis/lizard_analysis.py:57-81``): it
    ran ``lizard <file>`` and took every line of the text report that, stripped, starts with a
    digit, contains ``@`` and begins with four integers for a function (NLOC, CCN, token,
    PARAM). Lizard prints a function that exceeds a warning threshold (CCN > 15, length > 1000
    lines, more than 100 parameters, NLOC > 1,000,000) a second time in its
    ``!!!! Warnings`` block, so such a function counts twice: its CCN, NLOC and tokens enter
    the sums twice and `functions` counts it twice (the paper's rows with CCN >= 32 are
    almost all even). Here the report is printed in process by Lizard's own CLI printer
    (``lizard_core.text_output.print_result``, the CLI's default options and extensions, an
    empty whitelist) from the file as the CLI reads it (``auto_read``: text mode, so ``\\r\\n``
    and a lone ``\\r`` are line ends, a UTF-8 BOM dropped), and parsed with the package's line
    rule (`package_function_rows`). `cognitive_sum` / `cognitive_max` (not in the text report)
    stay over the function list, each function once.

Lizard never reports a parse error: broken code yields no functions. Such a unit (or one with
no function at all) gets, under option ``lizard.no_functions``:
``status`` (default): status `no_functions`, detected = functions = 0, the other values empty;
``zero`` (the paper preset): status `no_functions` and 0 in every column, as the replication
package's per-instance CSVs have it (``non_functional_analysis/lizard_analysis.py:57,65-72``;
e.g. 6 such rows in ``lizard/generation/java/r-lizard_cg_0_5b-mt-qlora.csv``), so those rows
enter the means and tests as zeros.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from codepeft.analyzers.base import OK, AnalyzerResult, log

FAMILY = "lizard"
LANGUAGES = ("python", "java", "csharp")
COLUMNS = (
    "detected",
    "functions",
    "nloc",
    "tokens",
    "ccn_sum",
    "ccn_max",
    "ccn_avg",
    "params_max",
    "cognitive_sum",
    "cognitive_max",
)
HAS_RULES = False
NO_FUNCTIONS = "no_functions"
NO_FUNCTIONS_POLICIES = ("status", "zero")
FUNCTIONS_FROM = ("list", "text_report")
#: an empty whitelist file for the text report (the CLI reads ./whitelizard.txt if present)
_WHITELIST = "codepeft-empty-whitelizard.txt"


def unavailable(options: dict) -> str | None:
    try:
        import lizard  # noqa: F401
        from lizard_ext import lizardcognitive  # noqa: F401
    except ImportError as err:
        return f"lizard not found ({err})"
    return None


def package_function_rows(report: str) -> list[tuple[int, int, int, int]]:
    """(NLOC, CCN, token, PARAM) of every line of a Lizard text report that the replication
    package's parser counted as a function (``lizard_analysis.py:63-81``): the line, stripped,
    contains ``@``, starts with a digit and has at least four fields, the first four integers.
    The function table and the warnings block both match, so a function listed in both counts
    twice; the file and total summary lines do not (no ``@``, or a decimal average)."""
    rows = []
    for line in report.split("\n"):
        line = line.strip()
        if "@" in line and line and line[0].isdigit():
            parts = line.split()
            if len(parts) >= 4:
                try:
                    rows.append((int(parts[0]), int(parts[1]), int(parts[2]), int(parts[3])))
                except ValueError:
                    continue
    return rows


def cli_options(workdir: Path):
    """The options of a plain ``lizard <file>`` call (default thresholds and extensions), with
    an empty whitelist so that no ./whitelizard.txt of the working directory applies."""
    # lazy: only when the tool runs; its absence is `unavailable()`'s environment failure
    from lizard_core.options import parse_args

    option = parse_args(["lizard"])
    whitelist = Path(workdir) / _WHITELIST
    whitelist.write_text("", encoding="utf-8")
    option.whitelist = str(whitelist)
    return option


def text_report(info, option) -> str:
    """Lizard's default text report of one analyzed file: what ``lizard <file>`` prints."""
    # lazy: only when the tool runs; its absence is `unavailable()`'s environment failure
    from lizard_core.function_info import AllResult
    from lizard_core.output_scheme import OutputScheme
    from lizard_core.text_output import print_result

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print_result([info] if info else [], option, OutputScheme(option.extensions), AllResult)
    return out.getvalue()


def _no_functions(no_functions: str) -> dict:
    if no_functions == "zero":
        return {**dict.fromkeys(COLUMNS, 0), "status": NO_FUNCTIONS}
    return {"detected": 0, "functions": 0, "status": NO_FUNCTIONS}


def _row(rows: list[tuple[int, int, int, int]], funcs) -> dict:
    """Measures of (NLOC, CCN, token, PARAM) rows; cognitive complexity over `funcs`."""
    ccn = [r[1] for r in rows]
    cog = [getattr(f, "cognitive_complexity", 0) for f in funcs] or [0]
    return {
        "detected": 1,
        "functions": len(rows),
        "nloc": sum(r[0] for r in rows),
        "tokens": sum(r[2] for r in rows),
        "ccn_sum": sum(ccn),
        "ccn_max": max(ccn),
        "ccn_avg": round(sum(ccn) / len(ccn), 4),
        "params_max": max(r[3] for r in rows),
        "cognitive_sum": sum(cog),
        "cognitive_max": max(cog),
        "status": OK,
    }


def _function_rows(funcs) -> list[tuple[int, int, int, int]]:
    return [(f.nloc, f.cyclomatic_complexity, f.token_count, f.parameter_count) for f in funcs]


def measure(path: str, code: str, extensions, no_functions: str = "status") -> dict:
    """Measures of one unit's text from Lizard's function list (each function once)."""
    # lazy: only when the tool runs; its absence is `unavailable()`'s environment failure
    import lizard

    if no_functions not in NO_FUNCTIONS_POLICIES:
        raise ValueError(f"lizard.no_functions must be one of {NO_FUNCTIONS_POLICIES}")
    funcs = lizard.FileAnalyzer(extensions).analyze_source_code(path, code).function_list
    if not funcs:
        return _no_functions(no_functions)
    return _row(_function_rows(funcs), funcs)


def measure_text_report(path: str, extensions, option, no_functions: str = "status") -> dict:
    """Measures of one unit file as the package read them: the file read as the CLI reads it,
    its text report parsed with `package_function_rows` (module doc)."""
    # lazy: only when the tool runs; its absence is `unavailable()`'s environment failure
    import lizard

    if no_functions not in NO_FUNCTIONS_POLICIES:
        raise ValueError(f"lizard.no_functions must be one of {NO_FUNCTIONS_POLICIES}")
    info = lizard.FileAnalyzer(extensions)(path)  # auto_read, as `lizard <file>`
    rows = package_function_rows(text_report(info, option))
    if not rows:
        return _no_functions(no_functions)
    return _row(rows, info.function_list if info else [])


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    # lazy: only when the tool runs; its absence is `unavailable()`'s environment failure
    import lizard
    from lizard_ext.version import version

    settings = (options or {}).get("lizard") or {}
    no_functions = settings.get("no_functions", "status")
    functions_from = settings.get("functions_from", "list")
    if functions_from not in FUNCTIONS_FROM:
        raise ValueError(f"lizard.functions_from must be one of {FUNCTIONS_FROM}")
    extensions = lizard.get_extensions(["cognitive"])
    option = cli_options(workdir) if functions_from == "text_report" else None
    result = AnalyzerResult(tool_version=f"lizard {version}")
    for n, unit in enumerate(units, 1):
        if option is not None:
            row = measure_text_report(str(unit.path), extensions, option, no_functions)
        else:
            row = measure(str(unit.path), unit.code, extensions, no_functions)
        result.rows[unit.id] = row
        if n % 500 == 0:
            log.info("lizard: %d/%d units", n, len(units))
    return result
