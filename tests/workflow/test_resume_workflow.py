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

from tests.conftest import REPO, job_counts, rerun_study, snakemake

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


def test_interrupted_run_resumes_with_make_run(embedded_run, built_study):
    # the finished study without one training's model and the predictions made from it (as a
    # run stopped before that training leaves it; the model alone is not enough: Snakemake does
    # not remake a missing intermediate whose consumers are up to date): `make run` trains it
    # again, then generates, evaluates and reports what depends on it (13 jobs). Single-task
    # QLoRA on translation: its training (18 steps, ~11 s after its first step's line on a
    # quiet machine) outlasts the kill below, so an orphan is left for the next run to stop
    # (within a second); MT-FFT's (114 steps) would too, with a chain of 30 jobs.
    reference, work = embedded_run[0], built_study
    trained = Path("tiny") / "st_qlora" / "seed-42" / "translation"
    shutil.rmtree(work / "results" / "models" / trained)
    shutil.rmtree(work / "results" / "predictions" / trained)
    planned = snakemake(["-n", "--quiet", "rules"], work, 300)
    assert job_counts(planned.stdout)["train"] == 1, planned.stdout[-3000:]
    for log in (work / "logs").rglob("*.log"):
        log.unlink()  # the conditions below watch the logs of this run

    # 1. `make run` and its Snakemake killed (SIGKILL: a closed laptop, an out-of-memory kill)
    #    while a training runs: the lock stays, the training is orphaned and keeps running
    #    (had only Snakemake died, `make run` would have stopped it at once)
    first = _start(work, "run1.out")
    _wait_for(lambda: _training_running(work), first, "a training step", work)
    pgid = json.loads((work / ".snakemake" / "codepeft-run.json").read_text())["pgid"]
    first.kill()
    first.wait(timeout=60)
    os.kill(pgid, signal.SIGKILL)
    assert any((work / ".snakemake" / "locks").iterdir()), "a killed run leaves its lock"

    # 2. `make run` again: stops the orphan (SIGTERM: the training saves a checkpoint), clears
    #    the dead run's lock, resumes the training from that checkpoint; then Ctrl-C during
    #    evaluation
    second = _start(work, "run2.out")
    _wait_for(lambda: _evaluating(work), second, "an evaluation job", work, timeout=1200)
    second.send_signal(signal.SIGINT)
    assert second.wait(timeout=300) != 0
    said = (work / "run2.out").read_text()
    assert "stopping 1 job process(es) left by an interrupted run" in said, said[-3000:]
    assert "clearing the lock of an interrupted run" in said, said[-3000:]
    training = (work / "logs" / "train" / trained.with_suffix(".log")).read_text()
    assert f"resuming from results/checkpoints/{trained}/checkpoint-" in training

    # 3. `make run` once more finishes the study
    third = subprocess.run(RUN, cwd=work, env=_env(), capture_output=True, text=True, timeout=1500)
    assert third.returncode == 0, (third.stdout + third.stderr)[-4000:]
    done = snakemake(["-n"], work, 300)
    assert "Nothing to be done" in done.stdout + done.stderr

    # the tables equal the uninterrupted run's (metrics, statistics, predictions): the
    # interrupted training, stopped by SIGTERM once orphaned, resumed from its checkpoint
    # (compared as one results/ tree: compare_runs masks the run folder, a machine path that
    # some tables record, e.g. the judge's rubric file; a table the rerun left alone is the
    # reference's own copy, its bytes equal, though it names the reference's folder)
    diff = compare_runs.compare(reference / "results", work / "results")
    parts = ("predictions/", "metrics/", "stats/")
    assert {p.split("/")[0] + "/" for p in diff["common"]} >= set(parts)

    def rewritten(path: str) -> bool:
        return (reference / "results" / path).read_bytes() != (work / "results" / path).read_bytes()

    problems = {
        "only_a": [p for p in diff["only_a"] if p.startswith(parts)],
        "only_b": [p for p in diff["only_b"] if p.startswith(parts)],
        "differ": [p for p in diff["differ"] if p.startswith(parts) and rewritten(p)],
    }
    assert not any(problems.values()), problems


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


def test_missing_benchmark_file_plans_no_training(built_study):
    # results/benchmarks are measurements, not results: the report reads those present
    work = built_study
    for bench in (work / "results" / "benchmarks" / "train").rglob("*.tsv"):
        bench.unlink()
    proc = rerun_study(work, {"stats": {"alpha": 0.01}}, "-n", "--quiet", "rules", timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    planned = set(job_counts(proc.stdout + proc.stderr))
    assert planned == {"stats", "report", "tidy_results", "model_cards", "all"}
