"""An interrupted `make run` resumes with the README's command (scripts/run_study.py), with the
same tables as an uninterrupted run (the session's `embedded_run`); and a missing benchmark
file never plans a training."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO, job_counts, overrides, snakemake

_spec = importlib.util.spec_from_file_location("compare_runs", REPO / "scripts/compare_runs.py")
compare_runs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare_runs)

RUN = [sys.executable, "scripts/run_study.py", "--cores", "2"]


def _env() -> dict:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"
    return env


def _start(work: Path, name: str) -> subprocess.Popen:
    out = open(work / name, "w")  # noqa: SIM115 - the process owns it
    return subprocess.Popen(RUN, cwd=work, env=_env(), stdout=out, stderr=subprocess.STDOUT)


def _wait_for(condition, proc, what: str, work: Path, timeout: float = 900) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before {what}: {_outputs(work)}")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _outputs(work: Path) -> str:
    return "\n".join(f"{p.name}: {p.read_text()[-2000:]}" for p in sorted(work.glob("run*.out")))


def _training_running(work: Path) -> bool:
    return any("step " in p.read_text() for p in (work / "logs" / "train").rglob("*.log"))


def _evaluating(work: Path) -> bool:
    return any((work / "logs" / "metrics").rglob("*.log"))


def test_interrupted_run_resumes_with_make_run(embedded_run, tmp_path):
    # the finished study without one training's model and predictions (Snakemake does not
    # remake a missing intermediate file whose consumers are up to date; the predictions
    # need it): `make run` trains it again, then generates, evaluates and reports what
    # depends on it (27 jobs, a few minutes, not the whole study)
    reference, _ = embedded_run
    work = tmp_path / "study"
    shutil.copytree(reference, work, symlinks=True, ignore=shutil.ignore_patterns("locks"))
    shutil.rmtree(work / "results" / "models" / "tiny" / "mt_fft" / "multi")
    shutil.rmtree(work / "results" / "predictions" / "tiny" / "mt_fft")
    for log in (work / "logs").rglob("*.log"):
        log.unlink()  # the conditions below watch the logs of this run

    # 1. Snakemake killed (SIGKILL: an out-of-memory kill) while a training runs: its lock
    #    stays; `make run` stops the job it orphaned (SIGTERM: the training saves a checkpoint)
    first = _start(work, "run1.out")
    _wait_for(lambda: _training_running(work), first, "a training step", work)
    pgid = json.loads((work / ".snakemake" / "codepeft-run.json").read_text())["pgid"]
    os.kill(pgid, signal.SIGKILL)
    first.wait(timeout=180)
    assert any((work / ".snakemake" / "locks").iterdir()), "a killed run leaves its lock"
    said = (work / "run1.out").read_text()
    assert "stopping 1 job process(es) left by an interrupted run" in said, said[-3000:]

    # 2. `make run` again: clears the dead run's lock, the training resumes from the
    #    checkpoint it saved; then Ctrl-C during evaluation
    second = _start(work, "run2.out")
    _wait_for(lambda: _evaluating(work), second, "an evaluation job", work, timeout=1200)
    second.send_signal(signal.SIGINT)
    assert second.wait(timeout=300) != 0
    said = (work / "run2.out").read_text()
    assert "clearing the lock of an interrupted run" in said, said[-3000:]
    training = (work / "logs" / "train" / "tiny" / "mt_fft" / "multi.log").read_text()
    assert "resuming from results/checkpoints/tiny/mt_fft/multi/checkpoint-" in training

    # 3. `make run` once more finishes the study
    third = subprocess.run(RUN, cwd=work, env=_env(), capture_output=True, text=True, timeout=1500)
    assert third.returncode == 0, (third.stdout + third.stderr)[-4000:]
    done = snakemake(["-n"], work, 300)
    assert "Nothing to be done" in done.stdout + done.stderr

    # the tables equal the uninterrupted run's (metrics, statistics, predictions): the
    # interrupted training, stopped by SIGTERM once orphaned, resumed from its checkpoint
    # (compare_runs masks each study's folder, drops times and throughput)
    diff = compare_runs.compare(reference / "results", work / "results")
    tables = ("predictions/", "metrics/", "stats/")
    assert sum(p.startswith(tables) for p in diff["common"]) > 300
    for kind in ("only_a", "only_b", "differ"):
        assert not [p for p in diff[kind] if p.startswith(tables)], (kind, diff[kind][:10])


def test_a_live_run_is_never_touched(tmp_path):
    # a Snakemake process running in the folder (here: a stand-in named snakemake) makes
    # `make run` refuse, and leaves its lock alone
    work = tmp_path / "study"
    (work / ".snakemake" / "locks").mkdir(parents=True)
    (work / ".snakemake" / "locks" / "0.input.lock").write_text("x")
    fake = tmp_path / "bin" / "snakemake"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nsleep 60\n")
    fake.chmod(0o755)
    live = subprocess.Popen([str(fake)], cwd=work)
    try:
        time.sleep(0.5)
        proc = subprocess.run(
            [sys.executable, str(REPO / "scripts" / "run_study.py")],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        live.kill()
    assert proc.returncode == 1
    assert f"Snakemake is running in this folder (pid {live.pid}" in proc.stderr
    assert (work / ".snakemake" / "locks" / "0.input.lock").exists()


def test_missing_benchmark_file_plans_no_training(embedded_run, tmp_path):
    # results/benchmarks are measurements, not results: the report reads those present
    reference, _ = embedded_run
    work = tmp_path / "study"
    shutil.copytree(reference, work, symlinks=True)
    for bench in (work / "results" / "benchmarks" / "train").rglob("*.tsv"):
        bench.unlink()
    args = overrides(work, "alpha.yaml", {"stats": {"alpha": 0.01}})
    proc = snakemake(["-n", "--quiet", "rules", *args], work, 300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert set(job_counts(proc.stdout + proc.stderr)) == {"stats", "report", "all"}
