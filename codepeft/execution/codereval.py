"""Run CoderEval's own harness inside its published container image.

CoderEval's tests and projects exist only in its Docker image, which users fetch themselves
(``docker load``/``docker pull`` on a workstation; ``apptainer build codereval.sif
docker-archive://...`` on a cluster). Inside the image, CoderEval's harness scripts live under
``/home/travis/builds`` (Python: ``PythonExec.py`` with the projects under ``repos/``; Java:
``java/JavaExec.py``). They read a JSONL file of ``{"_id": ..., "generate_results": [code, ...]}``
and the number of samples per task, replace the original function in its project with each
sample, run the project's test entry point for that task, and write
``<input>_out.jsonl`` with ``generate_results: [{"generate_code", "is_pass", ...}]`` (the
same shape as CoderEval's published ``*_out.jsonl`` result files).

This runner writes that input, runs the harness command in the container with no network
(Docker ``--network none``; Apptainer ``--containall`` with a writable tmpfs, see
docs/execution.md for network isolation there), and maps ``is_pass`` back to per-sample
outcomes. The commands are configurable (``execution.codereval.python_command`` /
``java_command``) because the image's internals are not documented beyond this layout.
Without an image configured (``execution.codereval.image: null``, a config choice) every task
it would run is ``not computed: CoderEval image not available ...`` and the log says so
loudly. An image configured but not usable here (no container runtime, no such file or docker
image) or a harness that gives no result at all (a crash, a timeout) is an environment
failure (``environment_failures``, `codepeft.failures`): ``fail`` raises `EnvironmentFailure`,
``record`` writes those tasks as ``not computed``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from codepeft.execution.harness import SampleResult
from codepeft.failures import DEFAULT_MODE, environment_failure

log = logging.getLogger(__name__)

IO_MOUNT = "/codepeft_io"


@dataclasses.dataclass(frozen=True)
class CoderEvalConfig:
    image: str | None = None  # docker image name, or an Apptainer .sif path
    runtime: str = "auto"  # auto | docker | apptainer | singularity
    python_command: str = "cd /home/travis/builds && python3 PythonExec.py {input} {n}"
    java_command: str = "cd /home/travis/builds/java && python3 JavaExec.py {input} {n}"
    output_suffix: str = "_out.jsonl"
    timeout_s: int = 14400
    extra_args: tuple[str, ...] = ()

    @staticmethod
    def from_dict(d: dict | None) -> CoderEvalConfig:
        d = dict(d or {})
        if "extra_args" in d:
            d["extra_args"] = tuple(d["extra_args"] or ())
        known = {f.name for f in dataclasses.fields(CoderEvalConfig)}
        return CoderEvalConfig(**{k: v for k, v in d.items() if k in known and v is not None})


def resolve_runtime(cfg: CoderEvalConfig) -> tuple[str | None, str]:
    """(runtime executable, reason if unavailable)."""
    if not cfg.image:
        return None, "CoderEval image not available (execution.codereval.image is not set)"
    names = (
        [cfg.runtime]
        if cfg.runtime != "auto"
        else (["apptainer", "singularity", "docker"] if cfg.image.endswith(".sif") else
              ["docker", "apptainer", "singularity"])
    )  # fmt: skip
    for name in names:
        exe = shutil.which(name)
        if exe:
            if name == "docker":
                probe = subprocess.run([exe, "image", "inspect", cfg.image], capture_output=True)
                if probe.returncode != 0:
                    return (
                        None,
                        f"CoderEval image not available (docker has no image {cfg.image!r})",
                    )
            elif not os.path.exists(cfg.image):
                return None, f"CoderEval image not available (no file {cfg.image!r})"
            return exe, ""
    return None, f"CoderEval image not available (no container runtime among {names} on PATH)"


def _container_argv(exe: str, cfg: CoderEvalConfig, io_dir: str, shell_cmd: str) -> list[str]:
    name = os.path.basename(exe)
    if name == "docker" or name.startswith("docker"):
        return [
            exe, "run", "--rm", "--network", "none", "-v", f"{io_dir}:{IO_MOUNT}",
            *cfg.extra_args, cfg.image, "bash", "-c", shell_cmd,
        ]  # fmt: skip
    return [
        exe, "exec", "--containall", "--writable-tmpfs", "--no-home",
        "--bind", f"{io_dir}:{IO_MOUNT}", *cfg.extra_args, cfg.image, "bash", "-c", shell_cmd,
    ]  # fmt: skip


IMAGE_HINT = (
    "make execution.codereval.image usable where the job runs (an Apptainer .sif file, or a "
    "docker image present locally: docker load/pull) with its runtime on PATH "
    "(execution.codereval.runtime), or set execution.codereval.image: null"
)


def run_codereval(
    codes: dict[str, list[str]],
    language: str,
    cfg: CoderEvalConfig,
    environment_failures: str = DEFAULT_MODE,
) -> dict[str, list[SampleResult]]:
    """Run the tasks `codes` (id -> samples) in the image; id -> one result per sample."""
    exe, why = resolve_runtime(cfg)
    if exe is None and cfg.image:  # configured but not usable here: the environment
        environment_failure(environment_failures, why, IMAGE_HINT)
    if exe is None:
        log.warning("!!! %d CoderEval tasks NOT COMPUTED: %s", len(codes), why)
        return {
            tid: [SampleResult(tid, j, "not_computed", f"not computed: {why}")
                  for j in range(len(samples))]
            for tid, samples in codes.items()
        }  # fmt: skip
    n = max((len(s) for s in codes.values()), default=1)
    template = cfg.python_command if language == "python" else cfg.java_command
    with tempfile.TemporaryDirectory(prefix="codepeft-codereval-") as io_dir:
        os.chmod(io_dir, 0o777)
        input_path = Path(io_dir) / "codes.jsonl"
        with open(input_path, "w", encoding="utf-8") as handle:
            for tid, samples in codes.items():
                padded = list(samples) + [samples[-1] if samples else ""] * (n - len(samples))
                handle.write(json.dumps({"_id": tid, "generate_results": padded}) + "\n")
        os.chmod(input_path, 0o666)
        inside = f"{IO_MOUNT}/codes.jsonl"
        shell_cmd = template.format(input=inside, n=n)
        argv = _container_argv(exe, cfg, io_dir, shell_cmd)
        log.info("CoderEval: %d tasks x %d samples: %s", len(codes), n, " ".join(argv))
        started = time.monotonic()
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=cfg.timeout_s)
            rc, tail = proc.returncode, (proc.stdout[-2000:] + proc.stderr[-2000:])
        except subprocess.TimeoutExpired:
            rc, tail = None, f"timed out after {cfg.timeout_s} s"
        log.info("CoderEval harness exit %s after %.0f s; output tail:\n%s", rc,
                 time.monotonic() - started, tail)  # fmt: skip
        out_path = Path(io_dir) / ("codes.jsonl" + cfg.output_suffix)
        if not out_path.exists():  # the harness failed as a whole (a crash, a timeout)
            environment_failure(
                environment_failures,
                f"CoderEval harness gave no result (exit {rc})",
                "see the job's log for the harness's output; check the image and its "
                "commands (execution.codereval); if it timed out, raise "
                "execution.codereval.timeout_s",
            )
        found: dict[str, list[dict]] = {}
        if out_path.exists():
            for line in out_path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    found[str(rec.get("_id"))] = rec.get("generate_results") or []
    results: dict[str, list[SampleResult]] = {}
    missing = 0
    for tid, samples in codes.items():
        got = found.get(tid)
        rows = []
        for j in range(len(samples)):
            if got is None or j >= len(got):
                rows.append(SampleResult(tid, j, "not_computed",
                                         "not computed: CoderEval harness gave no result "
                                         f"(exit {rc})", mechanism="codereval"))  # fmt: skip
                continue
            item = got[j] if isinstance(got[j], dict) else {"is_pass": bool(got[j])}
            if item.get("is_pass"):
                rows.append(SampleResult(tid, j, "pass", "", mechanism="codereval"))
            else:
                reason = item.get("errormessage") or item.get("error_detail_message") or ""
                if not reason and "return_code" in item:
                    reason = f"CoderEval test failed (return code {item['return_code']})"
                rows.append(SampleResult(tid, j, "fail", str(reason)[:300] or
                                         "CoderEval test failed", mechanism="codereval"))  # fmt: skip
        missing += got is None
        results[tid] = rows
    if missing:
        log.warning("!!! CoderEval harness returned no result for %d of %d tasks", missing,
                    len(codes))  # fmt: skip
    return results
