"""`make run`: the study in this folder, resumable after an interruption, with a quiet console.

    .venv/bin/python scripts/run_study.py [--cores 2] [snakemake arguments...]

Run it again after Ctrl-C, a kill, a closed laptop or an out-of-memory kill, and it finishes the
study: Snakemake reruns the jobs whose outputs were left incomplete (`--rerun-incomplete`) and
keeps everything that was finished.

- A live run is never touched. This script holds `.snakemake/codepeft-run.lock` (flock) while it
  runs, and Snakemake runs in its own process group, recorded in `.snakemake/codepeft-run.json`:
  while that group has a Snakemake process (this script was killed, its Snakemake was not), or
  another Snakemake runs in this folder, it refuses and says which process to stop.
- A dead run's leftovers are cleared: its job processes still running (a training orphaned by a
  killed Snakemake would write the same checkpoints as the new run) are stopped with SIGTERM
  (a training saves a checkpoint and exits; SIGKILL after a minute), by this script as soon as
  its Snakemake dies, or by the next run if this script died too; its stale Snakemake lock
  (`.snakemake/locks`) is removed with `snakemake --unlock`, saying so.
- Ctrl-C (SIGINT), SIGTERM and SIGHUP are passed on to Snakemake's process group: Snakemake stops
  its jobs and marks their outputs incomplete, the next run redoes them.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

STATE_DIR = Path(".snakemake")
LOCK_FILE = STATE_DIR / "codepeft-run.lock"
GROUP_FILE = STATE_DIR / "codepeft-run.json"
HERE = Path(__file__).resolve().parent


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _is_snakemake(cmd: list[str]) -> bool:
    """A Snakemake main process, `snakemake ...` or `python -m snakemake ...` (not a job: jobs
    run python scripts or shells)."""
    return any(Path(part).name == "snakemake" for part in cmd[:3])


def _processes() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group `pgid`."""
    members = []
    for pid in _processes():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(pid)
    return members


def snakemakes_here(workdir: Path, exclude: set[int]) -> list[int]:
    """Snakemake processes (other than `exclude`) whose working directory is `workdir`."""
    found = []
    for pid in _processes():
        if pid in exclude or not _is_snakemake(_cmdline(pid)):
            continue
        try:
            if Path(os.readlink(f"/proc/{pid}/cwd")).resolve() == workdir.resolve():
                found.append(pid)
        except OSError:
            continue
    return found


def _stop_group(pgid: int, members: list[int]) -> None:
    print(
        f"stopping {len(members)} job process(es) left by an interrupted run "
        f"(process group {pgid}: {', '.join(' '.join(_cmdline(p))[:80] for p in members)})",
        file=sys.stderr,
    )
    for sig, wait_s in ((signal.SIGTERM, 60.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and group_members(pgid):
            time.sleep(0.2)
        if not group_members(pgid):
            return


def check_previous_run(workdir: Path) -> str | None:
    """None when no run is live here (after clearing a dead run's orphaned jobs), else why not."""
    if GROUP_FILE.exists():
        try:
            pgid = int(json.loads(GROUP_FILE.read_text())["pgid"])
        except (ValueError, KeyError, OSError):
            pgid = None
        members = group_members(pgid) if pgid else []
        live = [p for p in members if _is_snakemake(_cmdline(p))]
        if live:
            return (
                f"a run started by an earlier 'make run' is still running (Snakemake pid "
                f"{live[0]}, process group {pgid}); wait for it, or stop it with "
                f"'kill -INT -{pgid}', then run 'make run' again"
            )
        if members:
            _stop_group(pgid, members)
        GROUP_FILE.unlink(missing_ok=True)
    others = snakemakes_here(workdir, exclude={os.getpid()})
    if others:
        return (
            f"Snakemake is running in this folder (pid {others[0]}: "
            f"{' '.join(_cmdline(others[0]))[:120]}); wait for it or stop it first"
        )
    return None


def clear_stale_lock(snakemake: list[str]) -> None:
    locks = STATE_DIR / "locks"
    if locks.is_dir() and any(locks.iterdir()):
        print(
            "clearing the lock of an interrupted run (no run is live here): snakemake --unlock",
            file=sys.stderr,
        )
        subprocess.run([*snakemake, "--unlock", "--cores", "1"], check=True, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cores", default="2")
    parser.add_argument("--verbose", action="store_true", help="Snakemake's whole output")
    args, rest = parser.parse_known_args(argv)
    # Snakemake must stop on Ctrl-C even when this script was started with SIGINT ignored (a
    # background job, a test runner's worker): an ignored signal stays ignored across exec
    signal.signal(signal.SIGINT, signal.default_int_handler)
    workdir = Path.cwd()
    snakemake = [str(Path(sys.executable).with_name("snakemake"))]
    STATE_DIR.mkdir(exist_ok=True)
    lock = open(LOCK_FILE, "w")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("another 'make run' is running in this folder; wait for it", file=sys.stderr)
        return 1
    why = check_previous_run(workdir)
    if why:
        print(why, file=sys.stderr)
        return 1
    clear_stale_lock(snakemake)
    cmd = [*snakemake, "--cores", args.cores, "--rerun-incomplete", *rest]
    run = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    GROUP_FILE.write_text(json.dumps({"pgid": run.pid, "started": time.time()}) + "\n")

    def forward(signum, _frame):
        try:
            os.killpg(run.pid, signum)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    # the console ends with Snakemake's output, not on Ctrl-C (its own session)
    shown = ["cat"] if args.verbose else [sys.executable, str(HERE / "console.py")]
    console = subprocess.Popen(shown, stdin=run.stdout, start_new_session=True)
    run.stdout.close()
    rc = run.wait()
    leftover = group_members(run.pid)
    if leftover:  # Snakemake died (killed) and left its jobs running
        _stop_group(run.pid, leftover)
    try:
        console.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a writer of Snakemake's output outlived it
        console.kill()
    if not group_members(run.pid):
        GROUP_FILE.unlink(missing_ok=True)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
