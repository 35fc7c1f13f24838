"""Where project-local external tools live (npm packages, WordNet data, side venvs)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def tools_dir() -> Path:
    """`$CODEPEFT_TOOLS`, else `<repo>/.tools` (filled by scripts/setup/*.sh)."""
    return Path(os.environ.get("CODEPEFT_TOOLS", REPO_ROOT / ".tools")).resolve()


def find_tool(name: str, *candidates: str | os.PathLike) -> str | None:
    """First of: an executable `name` on PATH, then each candidate path (relative to tools_dir)."""
    found = shutil.which(name)
    if found:
        return found
    for candidate in candidates:
        path = tools_dir() / candidate
        if path.exists() and os.access(path, os.X_OK):
            return str(path)
    return None


def put_on_pythonpath(directory: str | os.PathLike) -> None:
    """Prepend `directory` to PYTHONPATH for every subprocess (rule jobs, conda envs, SLURM)."""
    current = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(directory), current) if p)
