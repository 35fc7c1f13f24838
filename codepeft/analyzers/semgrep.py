"""semgrep 1.185.0 (own venv in the tools dir) with the project's rule set, one offline run.

Rules: ``codepeft/resources/analyzers/semgrep/rules.yaml`` (14 rules: Java, C#, Python; empty
catch, catching generic exceptions, string reference equality, rethrow that resets the stack,
bare except, mutable default arguments, eval/exec, ...). Command: ``semgrep scan --config
<rules> --json --metrics=off --disable-version-check --quiet -j <threads> <files>``.

Columns: `findings`, and findings by the rule's metadata category (`reliability`,
`maintainability`, `security`). These are semgrep's findings with our rules, *not* Sonar's
issue categories. Long table: findings by rule. A file semgrep reports a syntax error for ->
status `parse_error` (counts kept: semgrep analyzes what it could parse).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from codepeft.analyzers.base import (
    OK,
    PARSE_ERROR,
    AnalyzerResult,
    ToolError,
    run_tool,
    tool_version,
)
from codepeft.analyzers.units import unit_finder
from codepeft.tools import find_tool

FAMILY = "semgrep"
LANGUAGES = ("python", "java", "csharp")
CATEGORIES = ("reliability", "maintainability", "security")
COLUMNS = ("findings", *CATEGORIES)
HAS_RULES = True
RULES = (
    Path(__file__).resolve().parent.parent / "resources" / "analyzers" / "semgrep" / "rules.yaml"
)


def executable() -> str | None:
    return find_tool("semgrep", "semgrep-venv/bin/semgrep")


def unavailable(options: dict) -> str | None:
    return None if executable() else "semgrep not found (run scripts/setup/semgrep.sh)"


def command(files: list[str], rules: str, threads: int = 1) -> list[str]:
    return [
        executable(),
        "scan",
        "--config",
        rules,
        "--json",
        "--metrics=off",
        "--disable-version-check",
        "--quiet",
        "-j",
        str(max(1, threads)),
        *files,
    ]


def parse_report(data: dict, units) -> AnalyzerResult:
    unit_of = unit_finder(units)
    per_rule = {u.id: Counter() for u in units}
    failed = set()
    for err in data.get("errors", []):
        unit = unit_of(err.get("path"))
        if unit is not None and "syntax" in str(err.get("type", "")).lower():
            failed.add(unit.id)
    for res in data.get("results", []):
        unit = unit_of(res["path"])
        if unit is None:
            continue
        rule = res["check_id"].rsplit(".", 1)[-1]
        category = (res.get("extra", {}).get("metadata") or {}).get("category", "other")
        per_rule[unit.id][(rule, category)] += 1
    result = AnalyzerResult()
    for unit in units:
        c = per_rule[unit.id]
        row = {cat: sum(n for (_, k), n in c.items() if k == cat) for cat in CATEGORIES}
        row["findings"] = sum(c.values())
        row["status"] = PARSE_ERROR if unit.id in failed else OK
        result.rows[unit.id] = row
        result.rules += [(unit.id, r, k, n) for (r, k), n in sorted(c.items())]
    return result


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    options = options or {}
    rules = options.get("semgrep_rules") or str(RULES)
    env = {
        **__import__("os").environ,
        "SEMGREP_SEND_METRICS": "off",
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
    }
    proc = run_tool(
        command([str(u.path) for u in units], rules, threads),
        cwd=workdir,
        timeout=options.get("timeout_s", 3600),
        ok_codes=(0, 1),
        env=env,
    )
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError as err:
        raise ToolError(f"semgrep printed no JSON: {proc.stderr[-1500:]}") from err
    result = parse_report(data, units)
    result.tool_version = (
        f"semgrep {data.get('version') or tool_version([executable(), '--version'])}"
    )
    return result
