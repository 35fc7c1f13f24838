"""The workflow on a real one-node Slurm (scripts/slurm/cluster.sh: Debian slurmctld + slurmd +
munge, 2 fake GPUs as gres backed by /dev/null links), through profiles/slurm with the
profiles/slurm-test override.

- test_slurm_run_equals_local_run: a subset of the embedded default (a training, three
  generation jobs, references, a CoderEval form and a metric) runs locally and through Slurm
  in two copies of the repo; every job ran inside a Slurm job (its log names the SLURM_JOB_ID
  that sbatch returned, and squeue lists it COMPLETED), GPU jobs saw CUDA_VISIBLE_DEVICES, and
  the outputs are byte-identical (CPU training and greedy decoding are deterministic).
- test_cancelled_training_resumes: a training is scancel-ed mid-run; it saves a checkpoint on
  SIGTERM, Snakemake retries it (restart-times) and the retry resumes from the checkpoint.
- test_time_limit_signal_saves_and_resumes: a running training's time limit is brought to
  within the rules' signal lead (`scontrol update TimeLimit`); SLURM's `--signal=TERM@<lead>`
  goes through sbatch -> srun -> snakemake -> python, the training saves at that step and exits;
  a checkpoint cut off mid-save is planted before the retry, which drops it and resumes from
  the step saved at the signal.

Root only (apt-get install of slurm, daemons); skipped elsewhere. Every snakemake call is
wrapped in `timeout -k` (a hung status check would otherwise wait forever).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import copy_checkout, path_without_scontrol_shim, snakemake

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CLUSTER = REPO / "scripts" / "slurm" / "cluster.sh"
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
PROFILES = ["--profile", "profiles/slurm", "--profile", "profiles/slurm-test"]
SITE = REPO / "profiles" / "slurm-test" / "site.yaml"

# one training (multi-task QLoRA: answers every task), three generation jobs (two from the
# trained model, one zero-shot) on the 2 fake GPUs, and grouped CPU jobs (data, mixtures, the
# tiny base model, references; a CoderEval form and surface metrics)
GPU_TARGETS = [
    "results/predictions/tiny/mt_qlora/seed-42/summarization/python.jsonl",
    "results/predictions/tiny/mt_qlora/seed-42/generation/java.jsonl",
    "results/predictions/tiny/zero_shot/seed-none/translation/java-cs.jsonl",
]
CPU_TARGETS = [
    "results/predictions/reference/reference/seed-none/summarization/python.jsonl",
    "results/predictions/tiny/mt_qlora/seed-42/generation/java.codereval.jsonl",
    "results/metrics/surface/tiny/mt_qlora/seed-42/summarization/python.tsv",
]
# short runs: a few steps, no evaluation passes, short outputs, 3 test rows per file
FAST_TRAINING = {"max_steps": 4, "eval_steps": 1000, "save_steps": 1000, "logging_steps": 1}
FAST_DECODING = {"summarization": 12, "generation": 16, "translation": 16}

# what one test measured for a later one in this module (the step rate of a full fine-tuning of
# the tiny model at batch 1 on this machine, under this load)
MEASURED: dict[str, float] = {}


def time_limit_max_steps(rate: float | None, window_s: float = 90, floor: int = 1000) -> int:
    """Steps for the time-limit test's training: more than its first attempt can do before the
    signal, so that the signal, not the end of training, stops it, and not many more, since the
    retry runs the rest. The signal comes at SLURM's next time-limit check after the limit is
    brought forward (every 30 s), which the test does at the training's first progress line;
    `window_s` covers that three times over (a machine faster during the test than when the
    rate was measured). Without a measured rate: 2000 steps (~100 s at 20 steps/s)."""
    if not rate:
        return 2000
    return max(floor, round(rate * window_s))


def _env() -> dict:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    # both copies use the checkout's tools (WordNet, ...): same tables, same status strings
    env.setdefault("CODEPEFT_TOOLS", str(REPO / ".tools"))
    # the test cluster's account and partitions (the site settings, codepeft.slurm_site)
    env["CODEPEFT_SLURM_SITE"] = str(SITE)
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"
    return env


def _cluster(action: str, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(CLUSTER), action], capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module", autouse=True)
def real_scontrol():
    """The real `scontrol` in PATH for this module's processes and the jobs they submit (the
    other tests find one that fails at once: tests/conftest.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", path_without_scontrol_shim())
        yield


@pytest.fixture(scope="module")
def slurm_cluster(real_scontrol):
    if os.geteuid() != 0:
        pytest.skip("needs root (apt-get install slurm, start slurmctld/slurmd/munged)")
    if shutil.which("sbatch") is None and shutil.which("apt-get") is None:
        pytest.skip("no Slurm and no apt-get to install it")
    was_up = _cluster("status", 60).returncode == 0
    started = _cluster("start", 900)
    if started.returncode != 0:
        if shutil.which("sbatch") is None:
            pytest.skip(f"apt could not install Slurm: {started.stderr[-2000:]}")
        pytest.fail(f"scripts/slurm/cluster.sh start failed:\n{started.stderr[-4000:]}")
    yield
    if not was_up:
        _cluster("stop", 300)


@pytest.fixture(scope="module")
def slurm_copy(slurm_cluster, tmp_path_factory):
    """The repo copy the cluster runs in, shared by the tests of this module: the second one
    reuses the data, mixtures and base model of the first (fewer, shorter jobs)."""
    return _copy_repo(tmp_path_factory.mktemp("slurm") / "repo", FAST_TRAINING)


# rows per split: few test rows (short generations) and few training rows, so the tiny base
# model's pre-training (20 epochs over the train splits, built once per copy) takes seconds
MAX_ROWS = {"train": 16, "valid": 8, "test": 3}


def _copy_repo(dest: Path, training: dict) -> Path:
    """A copy of the checkout (no results) with smaller data splits, so that both runs stay
    quick."""
    copy_checkout(dest, link_tools=False)
    config = yaml.safe_load((dest / "config.yaml").read_text())
    config["data"]["max_rows"] = dict(MAX_ROWS)
    config["training"].update(training)
    config["decoding"]["max_new_tokens"] = FAST_DECODING
    (dest / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return dest


def _snakemake(workdir: Path, args: list[str], timeout: int) -> subprocess.CompletedProcess:
    proc = snakemake(args, workdir, timeout, env=_env())
    (workdir / "snakemake.out").write_text(proc.stdout + proc.stderr)
    return proc


def _tail(proc: subprocess.CompletedProcess, n: int = 6000) -> str:
    return (proc.stdout + proc.stderr)[-n:]


def _submitted(output: str) -> dict[str, str]:
    """SLURM job id -> the log folder the plugin named after the rule or group."""
    pattern = r"submitted with SLURM jobid (\d+) \(log: \S*/slurm_logs/([^/]+)/"
    return dict(re.findall(pattern, output))


def _squeue_states(ids) -> dict[str, str]:
    out = subprocess.run(
        ["timeout", "10", "squeue", "--states=all", "-h", "-o", "%i|%T", "-j", ",".join(ids)],
        capture_output=True,
        text=True,
    ).stdout
    return dict(line.split("|", 1) for line in out.split())


def test_slurm_run_equals_local_run(slurm_copy, tmp_path):
    targets = GPU_TARGETS + CPU_TARGETS
    local = _copy_repo(tmp_path / "local", FAST_TRAINING)
    cluster = slurm_copy

    started = time.time()
    proc = _snakemake(local, ["-c2", *targets], timeout=900)
    assert proc.returncode == 0, _tail(proc)
    local_s = time.time() - started

    started = time.time()
    proc = _snakemake(cluster, [*targets, *PROFILES], timeout=1200)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, _tail(proc)
    print(f"local run {local_s:.0f} s, slurm run {time.time() - started:.0f} s")

    # every job was submitted with sbatch: no job ran in the main process
    assert "localrule" not in output, "a job ran outside Slurm"
    submitted = _submitted(output)
    assert submitted, output[-3000:]
    folders = set(submitted.values())
    assert "rule_train" in folders and "rule_generate" in folders, folders
    assert any(f.startswith("group_prep") for f in folders), folders  # grouped CPU jobs
    assert any(f.startswith("group_eval") for f in folders), folders
    # one job per GPU step, one per group: 1 training + 3 generations + 2 groups
    assert list(submitted.values()).count("rule_train") == 1
    assert list(submitted.values()).count("rule_generate") == 3
    assert len(submitted) == 6, submitted
    states = _squeue_states(submitted)
    assert set(states.values()) == {"COMPLETED"}, states

    # each rule's own log names the Slurm job it ran in (codepeft.logs): all of them were jobs
    # that this run submitted; locally none were
    logs = sorted((cluster / "logs").rglob("*.log"))
    assert len(logs) >= 14, logs
    for log in logs:
        text = log.read_text()
        job = re.search(r"SLURM_JOB_ID=(\S+)", text)
        assert job and job.group(1) in submitted, f"{log}: {text[:500]}"
    for log in (local / "logs").rglob("*.log"):
        assert "SLURM_JOB_ID=none" in log.read_text(), log

    # GPU jobs saw the fake GPU Slurm gave them; the CPU jobs did not ask for one
    gpu_logs = list((cluster / "logs" / "train").rglob("*.log"))
    gpu_logs += list((cluster / "logs" / "generate" / "tiny").rglob("*.log"))
    gpu_logs = [p for p in gpu_logs if not p.name.endswith(".codereval.log")]
    assert len(gpu_logs) == 4, gpu_logs
    for log in gpu_logs:
        assert re.search(r"CUDA_VISIBLE_DEVICES=[01]\b", log.read_text()), log
    for log in (cluster / "logs" / "data").rglob("*.log"):
        assert not re.search(r"CUDA_VISIBLE_DEVICES=[01]\b", log.read_text()), log

    # the slurm logs of the jobs are kept (slurm-keep-successful-logs) with the sbatch options
    assert list((cluster / ".snakemake" / "slurm_logs" / "rule_train").rglob("*.log"))

    # same results as the local run, byte for byte
    for target in targets:
        assert (cluster / target).read_bytes() == (local / target).read_bytes(), target


def test_cancelled_training_resumes(slurm_copy):
    # full fine-tuning of the tiny model (no 4-bit kernels: steps are cheap), long enough that
    # the cancel lands mid-run; no evaluation or periodic checkpoints: the only checkpoint is
    # the one written on SIGTERM
    training = {
        "max_steps": 300,
        "per_device_batch_size": 1,
        "max_length": 64,
        "logging_steps": 1,
        "save_steps": 1000,
        "eval_steps": 1000,
    }
    repo = slurm_copy
    config = yaml.safe_load((repo / "config.yaml").read_text())
    config["training"].update(training)  # data and decoding unchanged: their jobs are reused
    (repo / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    target = "results/predictions/tiny/mt_fft/seed-42/summarization/python.jsonl"
    log = repo / "logs" / "train" / "tiny" / "mt_fft" / "seed-42" / "multi.log"
    out = open(repo / "snakemake.out", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        ["timeout", "-k", "10", "1200", SNAKEMAKE, target, *PROFILES],
        cwd=repo,
        env=_env(),
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        # wait until the trainer runs (its SIGTERM handler is installed), then cancel the job
        deadline = time.time() + 900
        job = None
        while time.time() < deadline and proc.poll() is None:
            text = log.read_text() if log.exists() else ""
            if re.search(r"step \d+/300", text):
                job = re.search(r"SLURM_JOB_ID=(\d+)", text).group(1)
                break
            time.sleep(0.2)
        assert job, f"training never started: {(repo / 'snakemake.out').read_text()[-3000:]}"
        subprocess.run(["scancel", job], check=True, timeout=30)
        rc = proc.wait(timeout=1200)
    finally:
        if proc.poll() is None:
            proc.kill()
        out.close()
    output = (repo / "snakemake.out").read_text()
    assert rc == 0, output[-5000:]
    # the cancelled job's training got SIGTERM, saved a checkpoint and exited 143 (its Slurm
    # log keeps the jobstep's report; Snakemake replaces the rule log when it retries)
    cancelled_log = next((repo / ".snakemake" / "slurm_logs" / "rule_train").rglob(f"{job}.log"))
    assert "returned non-zero exit status 143" in cancelled_log.read_text()
    # the retry resumed from that checkpoint: no periodic checkpoint exists (save_steps 1000),
    # so checkpoint-N (0 < N < max_steps) can only be the one written on SIGTERM
    text = log.read_text()
    resumed = re.search(
        r"resuming from results/checkpoints/tiny/mt_fft/seed-42/multi/checkpoint-(\d+)", text
    )
    assert resumed, text[-3000:]
    assert 0 < int(resumed.group(1)) < training["max_steps"]
    assert f"starting at step {resumed.group(1)}" in text
    # the retry was a second Slurm job of the same rule; the model and its predictions exist
    train_jobs = [j for j, folder in _submitted(output).items() if folder == "rule_train"]
    assert len(train_jobs) == 2 and job in train_jobs, output[-3000:]
    assert _squeue_states([job])[job] == "CANCELLED"
    assert re.findall(r"SLURM_JOB_ID=(\d+)", text)[-1] != job
    assert (repo / "results/models/tiny/mt_fft/seed-42/multi/codepeft_training.json").is_file()
    assert not (repo / "results/checkpoints/tiny/mt_fft/seed-42/multi").exists()
    assert (repo / target).stat().st_size > 0
    # the time-limit test trains the same shape of model: its step count follows this rate
    rates = re.findall(r"\| ([\d.]+) steps/s", text)
    if rates:
        MEASURED["fft_steps_per_s"] = float(rates[-1])


def _scontrol_job(job: str) -> str:
    return subprocess.run(
        ["timeout", "10", "scontrol", "show", "job", job], capture_output=True, text=True
    ).stdout


def _run_time_s(details: str) -> int:
    """The RunTime of `scontrol show job` in seconds ([days-]hh:mm:ss)."""
    value = re.search(r"RunTime=(\S+)", details).group(1)
    days, _, clock = value.rpartition("-")
    h, m, sec = (int(x) for x in clock.split(":"))
    return ((int(days or 0) * 24 + h) * 60 + m) * 60 + sec


def test_run_time_s_reads_scontrol():
    assert _run_time_s("JobState=RUNNING RunTime=00:01:05 TimeLimit=00:30:00") == 65
    assert _run_time_s("RunTime=1-02:00:00") == 26 * 3600


def test_time_limit_signal_saves_and_resumes(slurm_copy):
    # the training runs with the test profile's 30-minute limit; once it logs its first steps,
    # the test brings the limit forward (`scontrol update TimeLimit`, as an admin or a
    # `scontrol update` of the user may) to the next whole minute that leaves at least a minute
    # to run: the rules' SIGTERM `signal_lead_s` (120 s, profiles/slurm-test/site.yaml) before
    # it is then due, and SLURM sends it at its next time-limit check, to the job step (srun ->
    # the inner snakemake -> the rule's python). The same path as a limit reached in the
    # course of a run, without waiting minutes for it (SLURM's limits are whole minutes). The
    # retry keeps the 30 minutes. No periodic checkpoints: the only complete one is the one
    # saved at the signal.
    training = {
        "max_steps": time_limit_max_steps(MEASURED.get("fft_steps_per_s")),
        "per_device_batch_size": 1,
        "max_length": 64,
        "logging_steps": 10,
        "save_steps": 100000,
        "eval_steps": 100000,
    }
    print(f"time-limit training: {training['max_steps']} steps ({MEASURED})")
    repo = slurm_copy
    config = yaml.safe_load((repo / "config.yaml").read_text())
    config["training"].update(training)
    (repo / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    target = "results/models/tiny/mt_fft/seed-42/multi"
    ckpt = repo / "results" / "checkpoints" / "tiny" / "mt_fft" / "seed-42" / "multi"
    log = repo / "logs" / "train" / "tiny" / "mt_fft" / "seed-42" / "multi.log"
    out = open(repo / "snakemake.out", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        ["timeout", "-k", "10", "1200", SNAKEMAKE, target, *PROFILES],
        cwd=repo,
        env=_env(),
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    limited, limit_min = None, None
    planted = None
    try:
        # bring the first attempt's limit forward once it trains; wait for it to stop at the
        # signal, then leave what a kill during a later save leaves: a higher checkpoint
        # folder, half written, without the marker
        deadline = time.time() + 900
        while time.time() < deadline and proc.poll() is None:
            text = log.read_text() if log.exists() else ""
            if limited is None and re.search(rf"step \d+/{training['max_steps']}", text):
                limited = re.search(r"SLURM_JOB_ID=(\d+)", text).group(1)
                limit_min = _run_time_s(_scontrol_job(limited)) // 60 + 2
                subprocess.run(
                    ["scontrol", "update", f"JobId={limited}", f"TimeLimit={limit_min}"],
                    check=True,
                    timeout=30,
                )
            stopped = re.search(r"stopped by (SIG\w+) at step (\d+)", text)
            if stopped:
                saved = int(stopped.group(2))
                planted = ckpt / f"checkpoint-{saved + 7}"
                planted.mkdir()
                (planted / "model.safetensors").write_bytes(b"\0" * 100)
                break
            time.sleep(0.2)
        rc = proc.wait(timeout=1200)
    finally:
        if proc.poll() is None:
            proc.kill()
        out.close()
    output = (repo / "snakemake.out").read_text()
    assert planted is not None, f"no stop at the signal: {output[-4000:]}"
    assert rc == 0, output[-5000:]
    assert stopped.group(1) == "SIGTERM", stopped.group(0)
    train_jobs = [j for j, folder in _submitted(output).items() if folder == "rule_train"]
    assert len(train_jobs) == 2, output[-3000:]
    first, retry = sorted(train_jobs, key=int)
    # the first job was ended by its signal, well before SLURM's kill at the limit: the
    # training's exit status 143 (saved, stopping), not a TIMEOUT
    assert _squeue_states([first])[first] == "FAILED", _squeue_states([first])
    first_log = next((repo / ".snakemake" / "slurm_logs" / "rule_train").rglob(f"{first}.log"))
    assert "returned non-zero exit status 143" in first_log.read_text()
    details = _scontrol_job(first)
    assert "Partition=gpu" in details and "Account=codepeft-test" in details, details
    assert first == limited and f"TimeLimit=00:{limit_min:02d}:00" in details, details
    assert "TimeLimit=00:30:00" in _scontrol_job(retry)
    # the retry dropped the cut-off checkpoint and resumed at the step saved at the signal
    text = log.read_text()
    assert f"removing incomplete checkpoint {planted.relative_to(repo)}" in text, text[-3000:]
    assert f"resuming from {(ckpt / f'checkpoint-{saved}').relative_to(repo)}" in text
    assert f"starting at step {saved}" in text
    assert 0 < saved < training["max_steps"]
    assert re.findall(r"SLURM_JOB_ID=(\d+)", text)[-1] == retry
    record = json.loads((repo / target / "codepeft_training.json").read_text())
    assert record["global_step"] == training["max_steps"]
    assert record["resumed_from"].endswith(f"checkpoint-{saved}")
    assert not ckpt.exists()
