"""Roslyn parse diagnostics for C# (the paper's C# analysis), via the project's small C# tool.

Tool: ``codepeft/resources/analyzers/roslyn/`` (RoslynParse.csproj + Program.cs, net8.0,
Microsoft.CodeAnalysis.CSharp 4.14.0). It parses every file given (``@file-list``) with
``CSharpSyntaxTree.ParseText`` (latest language version) and prints JSON Lines
``{"file", "diagnostics": [{"id", "severity", "line", "message"}]}``.

Where ``dotnet`` exists (``conda env create -f envs/roslyn.yaml``, or a .NET 8 SDK on PATH) the
first run builds the tool once into ``<tools>/roslyn-parse/`` (``dotnet build -c Release``; needs
NuGet access that one time), then every batch is one ``dotnet RoslynParse.dll @list`` call.
Without a .NET SDK (this project's CI machine: none is installable; the embedded default leaves
Roslyn out) the job fails with the fix, or every unit gets ``not computed: no .NET SDK`` under
``environment_failures: record``.

Columns (paper's names in brackets): `syntax_errors` [Syntax_Errors] = diagnostics with id
``CS01xx`` (the paper's definition, taken literally), `maintainability` [Maintainability] = the
other diagnostics, `diagnostics` = all, `parser_errors` = diagnostics of severity Error (Roslyn's
parser errors are mostly ``CS1xxx``, e.g. CS1002 "; expected": the paper's "CS01xx" may have
meant those; this column lets the report use either reading).
Status `parse_error` when Roslyn reports any Error-severity diagnostic (counts kept: they are
the measure). Long table: diagnostics by id.
"""

from __future__ import annotations

import json
import re
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
from codepeft.tools import find_tool, tools_dir

FAMILY = "roslyn"
LANGUAGES = ("csharp",)
COLUMNS = ("syntax_errors", "maintainability", "diagnostics", "parser_errors")
HAS_RULES = True
PROJECT = Path(__file__).resolve().parent.parent / "resources" / "analyzers" / "roslyn"
SYNTAX_ID = re.compile(r"^CS01\d\d$")


def dotnet() -> str | None:
    return find_tool("dotnet")


def unavailable(options: dict) -> str | None:
    return None if dotnet() else "no .NET SDK"


def tool_dll() -> Path:
    return tools_dir() / "roslyn-parse" / "RoslynParse.dll"


def build(timeout: float = 1800) -> Path:
    """Build the C# tool once into the tools dir (idempotent)."""
    dll = tool_dll()
    if not dll.exists():
        run_tool(
            [
                dotnet(),
                "build",
                str(PROJECT / "RoslynParse.csproj"),
                "-c",
                "Release",
                "-o",
                str(dll.parent),
                "--nologo",
            ],
            timeout=timeout,
        )
    if not dll.exists():
        raise ToolError(f"dotnet build did not produce {dll}")
    return dll


def is_syntax_error(diagnostic_id: str) -> bool:
    return bool(SYNTAX_ID.match(diagnostic_id))


def parse_output(stdout: str, units) -> AnalyzerResult:
    unit_of = unit_finder(units)
    ids = {u.id: Counter() for u in units}
    errors = Counter()
    seen = set()
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        unit = unit_of(record["file"])
        if unit is None:
            continue
        seen.add(unit.id)
        for diag in record.get("diagnostics", []):
            ids[unit.id][diag["id"]] += 1
            errors[unit.id] += diag.get("severity") == "Error"
    result = AnalyzerResult()
    for unit in units:
        if unit.id not in seen:
            result.rows[unit.id] = {"status": "not computed: no output from RoslynParse"}
            continue
        c = ids[unit.id]
        syntax = sum(n for i, n in c.items() if is_syntax_error(i))
        row = {
            "syntax_errors": syntax,
            "maintainability": sum(c.values()) - syntax,
            "diagnostics": sum(c.values()),
            "parser_errors": errors[unit.id],
            "status": PARSE_ERROR if errors[unit.id] or syntax else OK,
        }
        result.rows[unit.id] = row
        result.rules += [
            (unit.id, i, "syntax" if is_syntax_error(i) else "maintainability", n)
            for i, n in sorted(c.items())
        ]
    return result


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    options = options or {}
    dll = build()
    file_list = Path(workdir) / "roslyn-files.txt"
    file_list.write_text("\n".join(str(u.path) for u in units) + "\n")
    proc = run_tool(
        [dotnet(), str(dll), f"@{file_list}"], cwd=workdir, timeout=options.get("timeout_s", 3600)
    )
    result = parse_output(proc.stdout, units)
    result.tool_version = (
        "RoslynParse (Microsoft.CodeAnalysis.CSharp 4.14.0) on dotnet "
        + tool_version([dotnet(), "--version"])
    )
    return result
