"""Shared fixtures. `../shared` (real dataset subsets, paper reference results) sits beside the
checkout in CI and on developer machines; tests that need it skip loudly elsewhere."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CODEPEFT_SHARED", REPO.parent / "shared"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"../shared not found at {SHARED} (set CODEPEFT_SHARED)")
    return SHARED


# --- running Snakemake on a copy of the checkout ----------------------------------------
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
# data/: user data and the scale-rehearsal set (scripts/make_rehearsal_data.py, ~1.3 GB)
SKIP = {".venv", ".tools", "results", "logs", ".snakemake", ".git", ".pytest_cache", ".ruff_cache"}
SKIP |= {"data"}


def job_counts(output: str) -> Counter:
    """The 'Job stats' table of a (dry) run as {rule: count}."""
    counts: Counter = Counter()
    table = output.split("Job stats:", 1)[1] if "Job stats:" in output else ""
    for line in table.splitlines()[3:]:
        match = re.match(r"^(\S+)\s+(\d+)$", line.strip())
        if not match:
            if counts:
                break
            continue
        if match.group(1) != "total":
            counts[match.group(1)] = int(match.group(2))
    return counts


def overrides(work: Path, name: str, values: dict) -> list[str]:
    """Arguments applying `values` on top of the default study (a second config file: Snakemake
    merges config files key by key; `--config k=v` would turn nested numbers into strings)."""
    (work / name).write_text(yaml.safe_dump(values))
    return ["--configfile", "config.yaml", name]


def snakemake(args, cwd, timeout):
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    cmd = ["timeout", "-k", "10", str(timeout), *SNAKEMAKE, *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)


@pytest.fixture(scope="session")
def embedded_run(tmp_path_factory):
    """A copy of the checkout with the embedded default run through rule all (once per test
    session: every test module that needs a finished embedded study shares this one)."""
    work = tmp_path_factory.mktemp("wf") / "repo"
    shutil.copytree(
        REPO, work, ignore=lambda d, names: [n for n in names if Path(d) == REPO and n in SKIP]
    )
    for shared in (".venv", ".tools"):
        if (REPO / shared).exists():
            (work / shared).symlink_to(REPO / shared)
    proc = snakemake(["--cores", "2"], work, 1500)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-6000:]
    return work, proc
