"""Lizard 1.24.3 (Python, Java, C#) as a library, one in-process pass over all units.

Extension ``cognitive`` (the library form of ``lizard -Ecognitive``) adds each function's
``cognitive_complexity`` (SonarSource's definition; agrees with PMD and complexipy).
Measures are over the functions Lizard finds (so the Java/C# class wrapper adds nothing):
`functions`, `detected` (1 if at least one function), `nloc` and `tokens` (sums over functions),
`ccn_sum`, `ccn_max`, `ccn_avg` (cyclomatic), `params_max`, `cognitive_sum`, `cognitive_max`.
Paper's columns: Detection_Rate = detected, Cyclomatic_Complexity = ccn_sum,
Lines_of_Code = nloc, Token_Count = tokens.
Lizard never reports a parse error: broken code yields no functions. Such a unit (or one with
no function at all) gets, under option ``lizard.no_functions`` (config ``analyzers.lizard``):
``status`` (default): status `no_functions`, detected = functions = 0, the other values empty;
``zero`` (the paper preset): status `no_functions` and 0 in every column, as the replication
package's per-instance CSVs have it (``non_functional_analysis/lizard_analysis.py:57,65-72``;
e.g. 6 such rows in ``lizard/generation/java/r-lizard_cg_0_5b-mt-qlora.csv``), so those rows
enter the means and tests as zeros.
"""

from __future__ import annotations

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


def unavailable(options: dict) -> str | None:
    try:
        import lizard  # noqa: F401
        from lizard_ext import lizardcognitive  # noqa: F401
    except ImportError as err:
        return f"lizard not found ({err})"
    return None


def measure(path: str, code: str, extensions, no_functions: str = "status") -> dict:
    import lizard

    if no_functions not in NO_FUNCTIONS_POLICIES:
        raise ValueError(f"lizard.no_functions must be one of {NO_FUNCTIONS_POLICIES}")
    info = lizard.FileAnalyzer(extensions).analyze_source_code(path, code)
    funcs = info.function_list
    if not funcs:
        if no_functions == "zero":
            return {**dict.fromkeys(COLUMNS, 0), "status": NO_FUNCTIONS}
        return {"detected": 0, "functions": 0, "status": NO_FUNCTIONS}
    ccn = [f.cyclomatic_complexity for f in funcs]
    cog = [getattr(f, "cognitive_complexity", 0) for f in funcs]
    return {
        "detected": 1,
        "functions": len(funcs),
        "nloc": sum(f.nloc for f in funcs),
        "tokens": sum(f.token_count for f in funcs),
        "ccn_sum": sum(ccn),
        "ccn_max": max(ccn),
        "ccn_avg": round(sum(ccn) / len(ccn), 4),
        "params_max": max(f.parameter_count for f in funcs),
        "cognitive_sum": sum(cog),
        "cognitive_max": max(cog),
        "status": OK,
    }


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    import lizard
    from lizard_ext.version import version

    no_functions = ((options or {}).get("lizard") or {}).get("no_functions", "status")
    extensions = lizard.get_extensions(["cognitive"])
    result = AnalyzerResult(tool_version=f"lizard {version}")
    for n, unit in enumerate(units, 1):
        result.rows[unit.id] = measure(str(unit.path), unit.code, extensions, no_functions)
        if n % 500 == 0:
            log.info("lizard: %d/%d units", n, len(units))
    return result
