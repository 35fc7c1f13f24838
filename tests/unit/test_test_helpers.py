"""The tests' own helpers (tests/conftest.py), where a mistake costs CI time or disk."""

from __future__ import annotations

from tests import conftest


def test_copy_checkout_links_every_environment_and_copies_only_the_project(tmp_path, monkeypatch):
    """Environments (.venv, .tools, .venv-* such as the 3 GB .venv-vllm) are linked, never copied:
    each workflow test copies the checkout, and copied side venvs once filled CI's disk."""
    repo = tmp_path / "checkout"
    for name in (".venv", ".venv-vllm", ".tools", "results", "logs", "codepeft/__pycache__"):
        (repo / name).mkdir(parents=True)
        (repo / name / "big.bin").write_text("x")
    (repo / "codepeft" / "study.py").write_text("pass\n")
    (repo / "Snakefile").write_text("")
    monkeypatch.setattr(conftest, "REPO", repo)

    linked = conftest.copy_checkout(tmp_path / "copy")
    assert sorted(p.name for p in linked.iterdir()) == sorted(
        [".tools", ".venv", ".venv-vllm", "Snakefile", "codepeft"]
    )
    for name in (".venv", ".venv-vllm", ".tools"):
        assert (linked / name).is_symlink() and (linked / name).resolve() == repo / name
    assert [p.name for p in (linked / "codepeft").iterdir()] == ["study.py"]

    bare = conftest.copy_checkout(tmp_path / "bare", link_tools=False)
    assert sorted(p.name for p in bare.iterdir()) == ["Snakefile", "codepeft"]


class _Item:
    """What `work_unit` and `_unit_rank` read of a collected test."""

    def __init__(self, relative: str, fixtures=(), slow=False):
        self.path = conftest.TESTS / relative
        self.fixturenames = list(fixtures)
        self.slow = slow

    def get_closest_marker(self, name):
        return name if name == "slow" and self.slow else None


def test_work_units_run_longest_first_from_the_study_build_to_the_fast_modules():
    build = _Item("workflow/test_demo_workflow.py", ["embedded_run"])
    resume = _Item("workflow/test_resume_workflow.py", ["built_study", "embedded_run"])
    reader = _Item("workflow/test_workflow.py", ["built_study", "embedded_run"])
    same_module = _Item("workflow/test_resume_workflow.py", ["tmp_path"])
    own_study = _Item("workflow/test_seeds_workflow.py", ["tmp_path"])
    slurm = _Item("slurm/test_slurm.py", ["slurm_copy"])
    slow, fast = _Item("unit/test_cost.py", slow=True), _Item("unit/test_io.py")
    items = (build, resume, reader, same_module, own_study, slurm, slow, fast)
    units = {i: conftest.work_unit(i) for i in items}
    assert units[build] == conftest.EMBEDDED_BUILD
    assert units[resume] == "study:workflow/test_resume_workflow.py"
    assert units[same_module] == "workflow/test_resume_workflow.py"
    assert units[slurm] == conftest.SLURM_GROUP
    # the build, the Slurm tests, the workflow modules' own studies (beside the build), the
    # resume test's retraining, the other readers of the study, the slow modules, the fast ones
    order = (build, slurm, own_study, resume, reader, slow, fast)
    ranks = [conftest._unit_rank(i) for i in order]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks), ranks
    assert conftest._unit_rank(same_module) == conftest._unit_rank(own_study)


def test_embedded_study_is_built_once_for_every_worker(tmp_path, monkeypatch):
    """Two xdist workers ask for the study at once: one builds it, the other waits on the lock
    and gets the same folder and the same finished process."""
    import subprocess
    import threading
    import time

    builds = []

    def fake_snakemake(args, cwd, timeout=600, env=None):
        builds.append(cwd)
        time.sleep(0.3)  # the other worker asks meanwhile
        return subprocess.CompletedProcess(["snakemake", *args], 0, "built", "")

    class Factory:
        def __init__(self, worker):
            self.base = tmp_path / "session" / f"popen-{worker}"
            self.base.mkdir(parents=True)

        def getbasetemp(self):
            return self.base

    monkeypatch.setattr(conftest, "snakemake", fake_snakemake)
    monkeypatch.setattr(conftest, "copy_checkout", lambda dest, **kw: dest)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    monkeypatch.delenv(conftest.STUDY_ENV, raising=False)
    results = {}

    def ask(worker):
        results[worker] = conftest._build_embedded_study(Factory(worker))

    threads = [threading.Thread(target=ask, args=(w,)) for w in ("gw0", "gw1")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [tmp_path / "session" / "embedded-study"]
    (work0, proc0), (work1, proc1) = results["gw0"], results["gw1"]
    assert work0 == work1 == builds[0]
    assert proc0.stdout == proc1.stdout == "built" and proc0.returncode == proc1.returncode == 0
