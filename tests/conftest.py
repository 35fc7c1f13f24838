"""Shared fixtures and helpers. `../shared` (real dataset subsets, paper reference results) sits
beside the checkout in CI and on developer machines; tests that need it skip loudly elsewhere.

Layout: `tests/unit` (fast, `make test-fast`), `tests/workflow` (runs Snakemake; marked
`workflow` by its conftest), `tests/slurm` (a real one-node Slurm; marked `slurm`: run by `make
test-slurm`, not `make test`). Every test that uses `embedded_run` is marked `workflow` wherever
it lives. Helpers for all three folders live here: `snakemake` (the one runner),
`copy_checkout` (the one copy of the checkout), `tiny_records` (the tiny training records) and
`tiny_model` (a tiny model built once per session); the built embedded study is `embedded_run`
(read-only) and `built_study` (a copy to change and rerun, with `rerun_study`)."""

from __future__ import annotations

import fcntl
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from codepeft import models
from codepeft.io import write_jsonl

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHARED = Path(os.environ.get("CODEPEFT_SHARED", REPO.parent / "shared"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


# `make test` and `make test-fast` run the tests in 2 pytest-xdist workers (--dist loadgroup);
# in a worker, torch computes on one thread: two workers with 2 threads each on 2 cores spend
# their time waiting for each other (a tiny training step ~5x slower). Snakemake's jobs set
# their own (OMP_NUM_THREADS = the rule's threads).
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
# torch's OpenMP threads wait for work by sleeping, not spinning: the tests run studies side by
# side, and a 2-thread job (the tiny base's pre-training) spinning while the other core is busy
# took 145 s and 182 CPU-s instead of 89 s and 84 CPU-s (benchmarks/tests.md). Alone, spinning
# is ~10% faster: `make run` keeps OpenMP's default.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Snakemake's Slurm executor plugin runs `scontrol show config` whenever Snakemake starts (for
# a help text: snakemake_executor_plugin_slurm 2.8.0, job_status_query.get_min_job_age). Where
# Slurm is installed and its controller is down (this machine before and after the Slurm
# tests), that call takes 9 s to fail, in every snakemake process: a test of 20 dry runs waited
# 3 minutes. Tests that do not use Slurm find an `scontrol` that fails at once first in PATH;
# tests/slurm takes it out (`path_without_scontrol_shim`).
NO_SCONTROL = Path(tempfile.gettempdir()) / f"codepeft-tests-no-scontrol-{os.getuid()}"


def _put_scontrol_shim_first_in_path() -> None:
    NO_SCONTROL.mkdir(exist_ok=True)
    shim = NO_SCONTROL / "scontrol"
    if not shim.exists():  # written whole, then renamed: workers start side by side
        part = NO_SCONTROL / f".scontrol.{os.getpid()}"
        part.write_text(
            "#!/bin/sh\necho 'scontrol: not available in the non-Slurm tests"
            " (tests/conftest.py)' >&2\nexit 1\n"
        )
        part.chmod(0o755)
        os.replace(part, shim)
    os.environ["PATH"] = f"{NO_SCONTROL}{os.pathsep}{path_without_scontrol_shim()}"


def path_without_scontrol_shim(path: str | None = None) -> str:
    """PATH (default: this process's) without the tests' failing `scontrol`."""
    parts = (os.environ.get("PATH", "") if path is None else path).split(os.pathsep)
    return os.pathsep.join(p for p in parts if p and p != str(NO_SCONTROL))


_put_scontrol_shim_first_in_path()

# The work units of a distributed run (`--dist loadgroup`), longest first, so that the critical
# path starts at once, the short units fill the end and no worker waits while there is work:
# first the embedded study's build with the demo's checks (one unit, EMBEDDED_BUILD: its first
# test builds the study), the Slurm tests when they run (`make test-all`: they wait on the queue
# as much as on the CPU), the workflow modules that build studies of their own (beside the
# build), then the other tests that read the built study (the resume test's retraining first),
# one unit per module, then the slow modules, the fast ones last. The study is built once per
# session for both workers (`_build_embedded_study`: a worker that needs it while the other
# builds waits on its lock). xdist's own loadgroup marks a group in the test's node id, which
# pytest 9 no longer takes; here each worker writes its collection's units to GROUPS_ENV's
# folder and the scheduler (`pytest_xdist_make_scheduler`) reads them.
EMBEDDED_BUILD, SLURM_GROUP = "embedded_study", "slurm"
EMBEDDED_BUILD_MODULE = "test_demo_workflow.py"
GROUPS_ENV = "CODEPEFT_TEST_UNITS"
# modules that share one built fixture across module boundaries: the same unit
SHARED_GROUPS = {
    "test_report_workflow.py": "report_workflow",
    "test_report_browser.py": "report_workflow",
}


def _reads_embedded_study(item) -> bool:
    return "embedded_run" in getattr(item, "fixturenames", ())


def work_unit(item) -> str:
    """The work unit of `item` in a distributed run (see above)."""
    module = str(item.path.relative_to(TESTS))
    if _reads_embedded_study(item):
        return EMBEDDED_BUILD if item.path.name == EMBEDDED_BUILD_MODULE else f"study:{module}"
    if TESTS / "slurm" in item.path.parents:
        return SLURM_GROUP
    return SHARED_GROUPS.get(item.path.name, module)


#: the study's readers that take minutes (a retraining and its chain), ahead of the others
LONG_READERS = ("test_resume_workflow.py",)


def _unit_rank(item) -> int:
    unit = work_unit(item)
    if unit in (EMBEDDED_BUILD, SLURM_GROUP):
        return 0 if unit == EMBEDDED_BUILD else 1
    if _reads_embedded_study(item):
        return 3 if item.path.name in LONG_READERS else 4
    if TESTS / "workflow" in item.path.parents:
        return 2
    return 5 if item.get_closest_marker("slow") else 6


def _distributed(config) -> bool:
    """A `--dist loadgroup` run: in the controller `dist`, in a worker `loadgroup`."""
    return getattr(config.option, "dist", "no") == "loadgroup" or bool(
        getattr(config.option, "loadgroup", False)
    )


def pytest_configure(config):
    if _distributed(config) and not os.environ.get("PYTEST_XDIST_WORKER"):
        # a fresh folder per run, read by the scheduler once every worker has collected
        os.environ[GROUPS_ENV] = tempfile.mkdtemp(prefix="codepeft-test-units-")


def pytest_unconfigure(config):
    if not os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get(GROUPS_ENV):
        shutil.rmtree(os.environ.pop(GROUPS_ENV), ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if _reads_embedded_study(item):
            item.add_marker(pytest.mark.workflow)
    worker, folder = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get(GROUPS_ENV)
    if not (_distributed(config) and worker and folder):
        return
    ranks: dict[str, int] = {}
    for item in items:
        ranks[work_unit(item)] = min(ranks.get(work_unit(item), 9), _unit_rank(item))
    items.sort(key=lambda item: ranks[work_unit(item)])  # stable: file order within a rank
    units = {item.nodeid: work_unit(item) for item in items}
    (Path(folder) / f"{worker}.json").write_text(json.dumps(units))


# CODEPEFT_TEST_TIMELINE=<file>: one JSON line per test (worker, test, start, end; set-up and
# tear-down included), to see what each worker did when (benchmarks/timeline.py reads it)
TIMELINE_ENV = "CODEPEFT_TEST_TIMELINE"


def _cpu_seconds() -> float:
    """CPU (user + sys) of this process and its finished children: a test's subprocesses
    (snakemake, its jobs) are counted once waited for; Slurm jobs (run by slurmd) are not."""
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start, cpu = time.time(), _cpu_seconds()
    yield
    timeline = os.environ.get(TIMELINE_ENV)
    if timeline:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        line = {"worker": worker, "test": item.nodeid, "start": start, "end": time.time()}
        line["cpu"] = round(_cpu_seconds() - cpu, 2)
        with open(timeline, "a") as out:
            out.write(json.dumps(line) + "\n")


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # (a hook of pytest-xdist)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup`: one work unit per `work_unit`, in the workers' (sorted) order."""
    folder = os.environ.get(GROUPS_ENV)
    if config.getvalue("dist") != "loadgroup" or not folder:
        return None
    from xdist.scheduler import LoadScopeScheduling  # only when xdist runs this hook

    class WorkUnits(LoadScopeScheduling):
        units: dict[str, str] = {}

        def _split_scope(self, nodeid: str) -> str:
            if not self.units:
                for path in sorted(Path(folder).glob("*.json")):
                    self.units.update(json.loads(path.read_text()))
            return self.units.get(nodeid, nodeid.split("::", 1)[0])

        def _reschedule(self, node) -> None:
            # xdist hands a worker its next unit while 2 of its tests are pending, so a unit
            # can queue behind a long test (the Slurm time limit's 6 minutes) while the other
            # worker idles. A worker runs a test once it knows the next one (its teardown
            # depends on it): hand out the next unit only at the last pending test.
            if self.workqueue and self._pending_of(self.assigned_work[node]) > 1:
                return
            super()._reschedule(node)  # (which also shuts a worker down at the queue's end)

    return WorkUnits(config, log)


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


# --- the built embedded study -------------------------------------------------------------
# Built once per test session (`embedded_run`, ~7 min on 2 cores: the longest single item of
# `make test`) and shared read-only; a test that changes a built study takes `built_study`, a
# private copy it may reconfigure and rerun (Snakemake then runs only the dependent jobs).
# CODEPEFT_TEST_STUDY=<folder> (for a developer iterating on workflow tests, never in CI):
# keep the built study in that folder across pytest runs; each session brings it up to date
# (`snakemake` there: nothing runs when nothing changed). Snakemake sees changed rules, params,
# inputs and rule scripts, not the package's own modules: after changing codepeft/, delete the
# folder (or leave the variable unset).
STUDY_ENV = "CODEPEFT_TEST_STUDY"


def study_fingerprint(work: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (size, mtime in ns) of every file under `work`'s results/ and of its
    config.yaml: what a test that only reads a built study must leave as it found it."""
    files = [work / "config.yaml", *(p for p in (work / "results").rglob("*") if p.is_file())]
    return {str(p.relative_to(work)): (p.stat().st_size, p.stat().st_mtime_ns) for p in files}


def fingerprint_changes(before: dict, after: dict) -> list[str]:
    """The paths added, removed or changed between two `study_fingerprint`s (sorted)."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _session_root(tmp_path_factory) -> Path:
    """The folder of this pytest session that every xdist worker sees (a worker's own basetemp
    is `<session root>/popen-gwN`)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _build_embedded_study(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """Build the embedded study once per session, whichever worker asks first: the others wait
    on the lock and read the same study (and the same finished process, from its record)."""
    root = _session_root(tmp_path_factory)
    record = root / "embedded-study.json"
    with open(root / "embedded-study.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not record.exists():
            kept = os.environ.get(STUDY_ENV)
            if kept:
                work = Path(kept).resolve()
                if not (work / "Snakefile").is_file():
                    shutil.rmtree(work, ignore_errors=True)
                    work.parent.mkdir(parents=True, exist_ok=True)
                    copy_checkout(work)
            else:
                work = copy_checkout(root / "embedded-study")
            proc = snakemake(["--cores", "2"], work, 1500)
            fields = {"work": str(work), "returncode": proc.returncode}
            fields.update(args=proc.args, stdout=proc.stdout, stderr=proc.stderr)
            record.write_text(json.dumps(fields))
    fields = json.loads(record.read_text())
    work = Path(fields.pop("work"))
    proc = subprocess.CompletedProcess(**fields)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-6000:]
    return work, proc


@pytest.fixture(scope="session")
def embedded_run(tmp_path_factory):
    """(work, finished process): a copy of the checkout with the embedded default run through
    rule all, made once per test session and shared by every test that needs a finished
    embedded study. Read-only: at the end of the session its results/ and config.yaml must be
    as built (a test that wrote there fails this fixture's teardown); to change a built study,
    take `built_study`."""
    work, proc = _build_embedded_study(tmp_path_factory)
    before = study_fingerprint(work)
    yield work, proc
    changed = fingerprint_changes(before, study_fingerprint(work))
    assert not changed, (
        f"a test changed the shared embedded study (take built_study): {changed[:20]}"
    )


def copy_study(reference: Path, dest: Path) -> Path:
    """A copy of the built study `reference` at `dest` (links stay links; Snakemake's locks are
    left out). A plain copy: the built embedded study is a few tens of MB, copied in seconds,
    and a rerun in the copy can never write through to the reference (hard links could)."""
    shutil.copytree(reference, dest, symlinks=True, ignore=shutil.ignore_patterns("locks"))
    return dest


@pytest.fixture
def built_study(embedded_run, tmp_path) -> Path:
    """A private copy of the session's built embedded study (`tmp_path/study`), for tests that
    update a built study: change its config (`overrides`) or its files, then rerun
    (`rerun_study`): Snakemake runs only what depends on the change. Nothing to be done there
    at the start (a copy plans what the original plans: no machine path in any params)."""
    reference, _ = embedded_run
    return copy_study(reference, tmp_path / "study")


def rerun_study(
    work: Path, values: dict | None = None, *args: str, timeout: int = 1200
) -> subprocess.CompletedProcess:
    """Run Snakemake on 2 cores in the built study `work` (after merging `values` over its
    config.yaml, when given, through an override file): it reruns the jobs that depend on what
    changed, and nothing else. `args`: further Snakemake arguments (targets, -n, ...)."""
    config = overrides(work, "update.yaml", values) if values else []
    return snakemake(["--cores", "2", *config, *args], work, timeout)


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


# --- a tiny model ------------------------------------------------------------------------
@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A tiny Qwen2-shaped model and its tokenizer (`codepeft.models.build_tiny_model`), built
    once per session from `tiny_records` (24 translation records `r*`, 24 summarization), not
    pre-trained: its weights are random, which is all that tests of loading, saving, dtypes,
    training steps, resuming and decoding paths need (the pre-training takes most of a build:
    ~10 s on a quiet core, ~1 min under load). Shared: read it, never write into it (a test
    that changes it copies it first). Tests that need a base that has learned its corpus (the
    demo's: tests/unit/test_vllm.py) build their own."""
    root = tmp_path_factory.mktemp("tiny_model")
    corpus = tiny_records("translation", 24, prefix="r") + tiny_records("summarization", 24)
    write_jsonl(root / "corpus.jsonl", corpus)
    return models.build_tiny_model(root / "tiny", [root / "corpus.jsonl"], pretrain_epochs=0)
