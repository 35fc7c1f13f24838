"""tree-sitter parse check (Python, Java, C#), in process: does the unit parse?

Grammars: tree-sitter-python 0.21.0, tree-sitter-java 0.21.0, tree-sitter-c-sharp 0.21.3 (the
pins CodeBLEU needs). Columns: `parses` (1 when the tree has no ERROR or MISSING node),
`error_nodes`, `missing_nodes`. Status `ok` whenever the parser ran (the parse result is the
measure). For C# this is the local stand-in for Roslyn's syntax diagnostics (not the same
grammar: tree-sitter is error-tolerant and may accept or reject code Roslyn would not).
"""

from __future__ import annotations

import importlib
from importlib.metadata import version
from pathlib import Path

from codepeft.analyzers.base import OK, AnalyzerResult

FAMILY = "treesitter"
LANGUAGES = ("python", "java", "csharp")
COLUMNS = ("parses", "error_nodes", "missing_nodes")
HAS_RULES = False
_MODULES = {
    "python": "tree_sitter_python",
    "java": "tree_sitter_java",
    "csharp": "tree_sitter_c_sharp",
}


def unavailable(options: dict) -> str | None:
    try:
        import tree_sitter  # noqa: F401
    except ImportError:
        return "tree_sitter not found"
    return None


def parser_for(language: str):
    # lazy: only when the tool runs; its absence is `unavailable()`'s environment failure
    import tree_sitter

    grammar = importlib.import_module(_MODULES[language])
    return tree_sitter.Parser(tree_sitter.Language(grammar.language()))


def count_errors(tree) -> tuple[int, int]:
    errors = missing = 0
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_missing:
            missing += 1
        elif node.type == "ERROR":
            errors += 1
        if node.has_error:
            stack.extend(node.children)
    return errors, missing


def measure(parser, code: str) -> dict:
    tree = parser.parse(code.encode("utf-8"))
    errors, missing = count_errors(tree)
    return {
        "parses": int(errors == 0 and missing == 0),
        "error_nodes": errors,
        "missing_nodes": missing,
        "status": OK,
    }


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    result = AnalyzerResult()
    parsers = {}
    for unit in units:
        if unit.language not in parsers:
            parsers[unit.language] = parser_for(unit.language)
        result.rows[unit.id] = measure(parsers[unit.language], unit.code)
    langs = sorted(parsers)
    result.tool_version = (
        "tree-sitter "
        + version("tree-sitter")
        + "; "
        + ", ".join(
            f"{_MODULES[lang].replace('_', '-')} {version(_MODULES[lang].replace('_', '-'))}"
            for lang in langs
        )
    )
    return result
