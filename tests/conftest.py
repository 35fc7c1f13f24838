"""Shared fixtures and helpers. `../shared` (real dataset subsets, paper reference results) sits
beside the checkout in CI and on developer machines; tests that need it skip loudly elsewhere.

Layout: `tests/unit` (fast, `make test-fast`), `tests/workflow` (runs Snakemake; marked
`workflow` by its conftest), `tests/slurm` (a real one-node Slurm; marked `slurm`). Every test
that uses `embedded_run` is marked `workflow` wherever it lives. Helpers for all three folders
live here: `snakemake` (the one runner), `copy_checkout` (the one copy of the checkout) and
`tiny_records` (the tiny training records)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHARED = Path(os.environ.get("CODEPEFT_SHARED", REPO.parent / "shared"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def pytest_collection_modifyitems(items):
    for item in items:
        if "embedded_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.workflow)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"../shared not found at {SHARED} (set CODEPEFT_SHARED)")
    return SHARED


def shared_data_cfg(data: Path, **extra) -> dict:
    """The `data` config section reading every dataset from `data` (../shared/data), plus
    `extra` keys."""
    return {
        "code_to_text": {"local_dir": str(data / "codexglue" / "code-to-text")},
        "translation": {"local_dir": str(data / "codexglue" / "code-to-code-trans")},
        "codereval": {"local_dir": str(data / "codereval")},
        "summarization_eval": {"local_dir": str(data / "codereval")},
        **extra,
    }


# --- a copy of the checkout --------------------------------------------------------------
# not copied from the checkout's root: the environments (.venv, .tools and every .venv-*, such
# as the 3 GB .venv-vllm; linked back instead), what runs write, caches, build output, and
# data/ (user data and the scale-rehearsal set, ~1.3 GB)
SKIP = {".venv", ".tools", "results", "logs", ".snakemake", ".git", ".pytest_cache", ".ruff_cache"}
SKIP |= {"data", "build", "tmp", ".whl", "node_modules"}


def _environment(name: str) -> bool:
    return name in (".venv", ".tools") or name.startswith(".venv-")


def copy_checkout(dest: Path, *, skip: set[str] = frozenset(), link_tools: bool = True) -> Path:
    """Copy the checkout to `dest`: links stay links (codepeft/schemas -> ../workflow/schemas),
    the root's SKIP and `skip` are left out, as are __pycache__ and *.egg-info anywhere;
    `link_tools`: the environments (.venv, .tools, .venv-*) become links to the checkout's."""
    top = SKIP | set(skip)

    def ignore(directory, names):
        at_top = Path(directory) == REPO
        return [
            n
            for n in names
            if (at_top and (n in top or _environment(n)))
            or n == "__pycache__"
            or n.endswith(".egg-info")
        ]

    shutil.copytree(REPO, dest, symlinks=True, ignore=ignore)
    if link_tools:
        for path in REPO.iterdir():
            if _environment(path.name):
                (dest / path.name).symlink_to(path)
    return dest


# --- running Snakemake -------------------------------------------------------------------
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def snakemake(
    args, cwd, timeout: int = 600, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run this interpreter's Snakemake with `args` in `cwd` (offline: HF_*_OFFLINE, no
    tokenizer threads) on `env` (default: this process's) and return the finished process,
    output captured as text; past `timeout` seconds it is stopped (returncode 124)."""
    run_env = dict(os.environ if env is None else env)
    run_env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    cmd = ["timeout", "-k", "10", str(timeout), *SNAKEMAKE, *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=run_env)


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


@pytest.fixture(scope="session")
def embedded_run(tmp_path_factory):
    """A copy of the checkout with the embedded default run through rule all (once per test
    session: every test module that needs a finished embedded study shares this one)."""
    work = copy_checkout(tmp_path_factory.mktemp("wf") / "repo")
    proc = snakemake(["--cores", "2"], work, 1500)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-6000:]
    return work, proc


# --- tiny training records ---------------------------------------------------------------
def tiny_records(
    task: str, n: int, prefix: str | None = None, reference: Callable[[str], str] | None = None
) -> list[dict]:
    """`n` training records of one task, ids `{prefix}{i}` (default: the task's first letter):
    "translation" (java-cs) a Java method each, its reference the method made static (or
    `reference(code)`); "summarization" (python) a one-line Python function and its summary."""
    rows = []
    for i in range(n):
        if task == "translation":
            code = f"public int add{i}(int a, int b) {{ return a + b + {i}; }}"
            language, target = "java-cs", code.replace("public int", "public static int")
        elif task == "summarization":
            code = f"def f{i} ( x ) : return x * {i}"
            language, target = "python", f"Multiply x by {i} ."
        else:
            raise ValueError(f"no tiny records for task {task!r}")
        rows.append(
            {
                "id": f"{prefix or task[0]}{i}",
                "task": task,
                "language": language,
                "split": "train",
                "inputs": {"code": code},
                "reference": reference(code) if reference else target,
                "meta": {},
            }
        )
    return rows
