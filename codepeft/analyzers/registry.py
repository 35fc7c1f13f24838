"""The analyzers: their names (`ANALYZERS`, the config's `analyzers.enabled` values) and their
modules (`module(name)`: FAMILY, LANGUAGES, COLUMNS, HAS_RULES, unavailable(), run())."""

from __future__ import annotations

import importlib

ANALYZERS = (
    "pylint",
    "flake8",
    "pmd",
    "checkstyle",
    "lizard",
    "complexipy",
    "radon",
    "semgrep",
    "treesitter",
    "roslyn",
    "sonar",
)


def module(name: str):
    if name not in ANALYZERS:
        raise ValueError(f"unknown analyzer {name!r}; choose from {', '.join(ANALYZERS)}")
    return importlib.import_module(f"codepeft.analyzers.{name}")


def analyzers_for(language: str) -> list[str]:
    """Analyzer names that handle `language` (python, java, csharp)."""
    return [n for n in ANALYZERS if language in module(n).LANGUAGES]
