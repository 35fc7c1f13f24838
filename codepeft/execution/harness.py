"""Harnesses: turn (candidate code, test) into sandboxed runs and classify each run's outcome.

Local tests file (JSONL, one line per task)::

    {"id": "<task id>", "language": "python" | "java", "test": "<code>"}

Python: the program is ``<candidate>\\n\\n<test>`` run with ``python3 -I``; it passes when it
exits 0 *and* runs to its end (the harness appends a line printing a random token after the
test, so a candidate that calls ``sys.exit(0)``/``os._exit(0)`` early does not pass). A test
therefore passes by running to its end and fails by raising (``assert``) or ``sys.exit(1)``;
it must not end with ``sys.exit(0)``.

Java: ``Solution.java`` = ``import java.util.*;\\npublic class Solution {\\n<candidate>\\n}`` and
``TestMain.java`` = the test (a complete ``public class TestMain`` whose ``main`` calls
``Solution.<method>``; it may start with imports). Each sample is put in its own package
(``package s<i>;`` is prepended to both files) so that many samples compile in ONE ``javac``
run; files with compile errors are taken out and the rest recompiled. Each sample then runs in
its own JVM through a small runner class that calls ``TestMain.main`` and prints a random token
when it returns: exit 0 + token = pass (``System.exit(0)`` from the candidate does not pass).

Outcomes: ``pass``, ``fail`` (test failed: assertion, exception, non-zero exit), ``timeout``
(wall clock or CPU limit), ``error`` (the candidate does not compile: SyntaxError, javac error),
``sandbox_violation`` (the sample hit a sandbox limit or wall: memory, processes, file size,
output size, network, read-only file system, permission). Every non-pass carries a reason.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from codepeft.execution import sandbox as sb

log = logging.getLogger(__name__)

OUTCOMES = ("pass", "fail", "timeout", "error", "sandbox_violation", "not_computed")


@dataclasses.dataclass(frozen=True)
class Sample:
    task_id: str
    index: int  # sample number within the task (0 = greedy / first)
    language: str
    code: str
    test: str


@dataclasses.dataclass
class SampleResult:
    task_id: str
    index: int
    outcome: str
    reason: str
    wall_s: float = 0.0
    mechanism: str = ""


@dataclasses.dataclass(frozen=True)
class Runtimes:
    """Interpreters used inside the sandbox (resolved on the host)."""

    python: str | None = None
    java_home: str | None = None

    @staticmethod
    def detect(python: str | None = None, java_home: str | None = None) -> Runtimes:
        return Runtimes(python=resolve_python(python), java_home=resolve_java_home(java_home))


def resolve_python(python: str | None = None) -> str | None:
    """The configured interpreter; default: the system /usr/bin/python3, else python3 on PATH
    (an interpreter outside /usr is bound read-only into the sandbox with its prefix)."""
    if python:
        return shutil.which(python) or (python if os.path.exists(python) else None)
    if os.path.exists("/usr/bin/python3"):
        return "/usr/bin/python3"
    found = shutil.which("python3")
    return os.path.realpath(found) if found else None


def resolve_java_home(java_home: str | None = None) -> str | None:
    if java_home:
        return java_home if os.path.exists(os.path.join(java_home, "bin", "javac")) else None
    if os.environ.get("JAVA_HOME") and os.path.exists(
        os.path.join(os.environ["JAVA_HOME"], "bin", "javac")
    ):
        return os.environ["JAVA_HOME"]
    javac = shutil.which("javac")
    if not javac:
        return None
    return str(Path(os.path.realpath(javac)).parent.parent)


def _python_extra_ro(python: str) -> tuple[str, ...]:
    """Prefix directories of an interpreter outside /usr (venv + its base installation)."""
    paths = list(sb._extra_ro_paths((python,)))
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        out = []
    for prefix in out:
        if not prefix.startswith("/usr/") and prefix != "/usr":
            paths.append(prefix)
    return tuple(dict.fromkeys(paths))


# ---------------------------------------------------------------------------------------------
# classification
# ---------------------------------------------------------------------------------------------

_VIOLATION_PATTERNS = [
    (
        re.compile(
            r"\bMemoryError\b|OutOfMemoryError(?!.*native thread)|Cannot allocate memory|"
            r"Could not reserve enough space|failed to map|mmap failed"
        ),
        "memory limit",
    ),  # fmt: skip
    (
        re.compile(
            r"unable to create native thread|Resource temporarily unavailable|"
            r"BlockingIOError|\[Errno 11\]|fork: retry"
        ),
        "process limit",
    ),  # fmt: skip
    (
        re.compile(
            r"Network is unreachable|\[Errno 101\]|Errno 99\]|Temporary failure in name|"
            r"Name or service not known|ConnectException|UnknownHostException|"
            r"SocketException|Connection refused|\[Errno 111\]|\[Errno -3\]|\[Errno -2\]"
        ),
        "network access",
    ),  # fmt: skip
    (
        re.compile(
            r"Read-only file system|\[Errno 30\]|PermissionError|Permission denied|"
            r"AccessDeniedException|\[Errno 13\]|\[Errno 1\] Operation not permitted"
        ),
        "file system write/permission",
    ),  # fmt: skip
    (
        re.compile(r"File too large|\[Errno 27\]|No space left on device|\[Errno 28\]"),
        "file size / scratch space limit",
    ),
]

_SIGNAL_REASONS = {
    signal.SIGXCPU: ("timeout", "CPU time limit exceeded (SIGXCPU)"),
    signal.SIGXFSZ: ("sandbox_violation", "file size limit exceeded (SIGXFSZ)"),
    signal.SIGSEGV: ("fail", "crashed (SIGSEGV)"),
    signal.SIGABRT: ("fail", "aborted (SIGABRT)"),
}


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    # Python traceback: last line is "ExcType: message"; Java: first "Exception in thread" line
    for line in lines:
        if line.startswith("Exception in thread") or line.startswith("Error: "):
            return line[:300]
    return lines[-1][:300]


def classify(result: sb.RunResult, token: str, language: str) -> tuple[str, str]:
    """(outcome, reason) of one finished run."""
    if result.output_exceeded:
        return "sandbox_violation", "output limit exceeded (stdout+stderr)"
    if result.timed_out:
        return "timeout", f"wall-clock timeout after {result.wall_s:.1f} s"
    if result.returncode is None:
        return "error", result.stderr.strip()[:300] or "could not start"
    stderr = result.stderr
    last = _last_error_line(stderr)
    if result.signal is not None:
        sig = result.signal
        if sig in _SIGNAL_REASONS:
            return _SIGNAL_REASONS[sig]
        if sig == signal.SIGKILL:
            # RLIMIT_CPU's hard limit ends in SIGKILL; so may the kernel's OOM killer
            return "timeout", "killed (SIGKILL: CPU limit or out of memory)"
        return "fail", f"killed by signal {signal.Signals(sig).name}"
    # exit status 128+N from a shell/prlimit wrapper of a signalled child
    if result.returncode > 128 and result.returncode - 128 in _SIGNAL_REASONS:
        return _SIGNAL_REASONS[result.returncode - 128]
    if result.returncode == 137:
        return "timeout", "killed (SIGKILL: CPU limit or out of memory)"
    if result.returncode == 0:
        if token in result.stdout:
            return "pass", ""
        return "fail", (
            "exited with status 0 before the test finished (early sys.exit/System.exit?)"
        )
    if language == "python" and re.match(r"(SyntaxError|IndentationError|TabError)\b", last):
        return "error", f"does not compile: {last}"
    for pattern, what in _VIOLATION_PATTERNS:
        if pattern.search(stderr):
            return "sandbox_violation", f"{what}: {last}"
    if language == "java" and "StackOverflowError" in stderr:
        return "fail", last
    return "fail", last or f"exit status {result.returncode}"


# ---------------------------------------------------------------------------------------------
# runners
# ---------------------------------------------------------------------------------------------


class _Slots:
    """Worker slot numbers (per-slot uids of the fallback mechanisms); thread-safe."""

    def __init__(self, n):
        self._queue: queue.Queue[int] = queue.Queue()
        for i in range(n):
            self._queue.put(i)

    @contextlib.contextmanager
    def take(self):
        slot = self._queue.get()
        try:
            yield slot
        finally:
            self._queue.put(slot)


def _new_dir(base: Path, name: str) -> Path:
    path = base / name
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o755)
    return path


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o644)


def run_samples(
    samples: Iterable[Sample],
    *,
    limits: sb.Limits,
    runtimes: Runtimes,
    threads: int = 1,
    progress: Callable[[int, int], None] | None = None,
    workdir: str | os.PathLike | None = None,
) -> list[SampleResult]:
    """Run every sample (Python and Java mixed) and return one result per sample, in order."""
    samples = list(samples)
    sb.check_mechanism(limits.mechanism)
    base = Path(tempfile.mkdtemp(prefix="codepeft-exec-", dir=workdir))
    os.chmod(base, 0o755)
    try:
        results: dict[int, SampleResult] = {}
        done = [0]
        lock = threading.Lock()

        def report(i, res):
            with lock:
                results[i] = res
                done[0] += 1
                if progress:
                    progress(done[0], len(samples))

        by_lang: dict[str, list[int]] = {}
        for i, s in enumerate(samples):
            by_lang.setdefault(s.language, []).append(i)
        for lang, idxs in by_lang.items():
            if lang == "python":
                _run_python(samples, idxs, limits, runtimes, threads, base, report)
            elif lang == "java":
                _run_java(samples, idxs, limits, runtimes, threads, base, report)
            else:
                for i in idxs:
                    s = samples[i]
                    report(i, SampleResult(s.task_id, s.index, "not_computed",
                                           f"not computed: no harness for language {lang!r}"))  # fmt: skip
        return [results[i] for i in range(len(samples))]
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _run_python(samples, idxs, limits, runtimes, threads, base, report):
    if not runtimes.python:
        for i in idxs:
            s = samples[i]
            report(i, SampleResult(s.task_id, s.index, "not_computed",
                                   "not computed: no python3 interpreter found"))  # fmt: skip
        return
    extra_ro = _python_extra_ro(runtimes.python) if limits.mechanism == "bwrap" else ()
    slots = _Slots(threads)

    def one(i):
        s = samples[i]
        d = _new_dir(base, f"py{i}")
        token = secrets.token_hex(16)
        program = f"{s.code}\n\n{s.test}\n\nprint({token!r}, flush=True)\n"
        _write(d / "main.py", program)
        with slots.take() as slot:
            res = sb.run(
                [runtimes.python, "-I", sb.code_path("main.py", d, limits)],
                code_dir=d, limits=limits, extra_ro=extra_ro, slot=slot, check=False,
            )  # fmt: skip
        outcome, reason = classify(res, token, "python")
        shutil.rmtree(d, ignore_errors=True)
        report(i, SampleResult(s.task_id, s.index, outcome, reason, res.wall_s, res.mechanism))

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for future in [pool.submit(one, i) for i in idxs]:
            future.result()


JAVA_RUN_FLAGS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xss1m")
_JAVAC_ERROR = re.compile(r"^(?:/code/src/|.*/src/)?(s\d+)/(\w+)\.java:(\d+): error: (.*)$", re.M)


def _java_sources(s: Sample, pkg: str, token: str) -> dict[str, str]:
    return {
        "Solution.java": f"package {pkg};\nimport java.util.*;\npublic class Solution {{\n{s.code}\n}}\n",
        "TestMain.java": f"package {pkg};\n{s.test}\n",
        "CodepeftRunner.java": (
            f"package {pkg};\npublic class CodepeftRunner {{\n"
            "  public static void main(String[] args) throws Throwable {\n"
            "    TestMain.main(args);\n    System.out.flush();\n"
            f'    System.out.println("{token}");\n    System.out.flush();\n  }}\n}}\n'
        ),
    }


def _javac(runtimes, limits, src_dir, out_dir, pkgs, wall_s):
    """One javac run over the packages `pkgs` of src_dir; returns (RunResult, {pkg: error})."""
    files = [
        sb.code_path(f"src/{pkg}/{name}", src_dir.parent, limits)
        for pkg in pkgs
        for name in ("Solution.java", "TestMain.java", "CodepeftRunner.java")
    ]
    out_inside = "/out" if limits.mechanism == "bwrap" else str(out_dir)
    argv = [
        os.path.join(runtimes.java_home, "bin", "javac"),
        "-J-Xmx1g", "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1",
        "-proc:none", "-nowarn", "-encoding", "UTF-8", "-Xmaxerrs", "100000",
        "-d", out_inside, *files,
    ]  # fmt: skip
    if limits.sandbox_uid is not None and os.geteuid() == 0:
        os.chown(out_dir, limits.sandbox_uid, limits.sandbox_uid)
    os.chmod(out_dir, 0o777 if os.geteuid() == 0 and limits.mechanism != "bwrap" else 0o755)
    res = sb.run(
        argv,
        code_dir=src_dir.parent,
        limits=dataclasses.replace(limits, max_output_kb=max(limits.max_output_kb, 16384),
                                   cpu_s=max(limits.cpu_s, int(wall_s)),
                                   max_file_mb=max(limits.max_file_mb, 64)),
        wall_s=wall_s,
        memory_mb=max(limits.java_memory_mb, 4096),
        nproc=limits.java_max_processes,
        writable=((str(out_dir), "/out"),) if limits.mechanism == "bwrap" else (),
        check=False,
    )  # fmt: skip
    errors: dict[str, str] = {}
    for match in _JAVAC_ERROR.finditer(res.stdout + "\n" + res.stderr):
        pkg, fname, line, msg = match.groups()
        errors.setdefault(pkg, f"{fname}.java:{line}: {msg.strip()}"[:300])
    return res, errors


def _run_java(samples, idxs, limits, runtimes, threads, base, report):
    if not runtimes.java_home:
        for i in idxs:
            s = samples[i]
            report(i, SampleResult(s.task_id, s.index, "not_computed",
                                   "not computed: no JDK (javac) found"))  # fmt: skip
        return
    java = os.path.join(runtimes.java_home, "bin", "java")
    extra_ro = sb._extra_ro_paths((java,)) if limits.mechanism == "bwrap" else ()
    tokens = {i: secrets.token_hex(16) for i in idxs}
    batch_size = 200
    compiled: dict[int, Path] = {}
    for start in range(0, len(idxs), batch_size):
        batch = idxs[start : start + batch_size]
        bdir = _new_dir(base, f"javabatch{start}")
        src = _new_dir(bdir, "src")
        out = _new_dir(base, f"javaout{start}")
        for i in batch:
            pdir = _new_dir(src, f"s{i}")
            for name, text in _java_sources(samples[i], f"s{i}", tokens[i]).items():
                _write(pdir / name, text)
        pending = [f"s{i}" for i in batch]
        compile_errors: dict[str, str] = {}
        compiled_ok = False
        for _round in range(4):
            t0 = time.monotonic()
            res, errors = _javac(runtimes, limits, src, out, pending, 60 + 0.5 * len(pending))
            log.info("javac: %d samples in %.1f s (exit %s, %d with errors)",
                     len(pending), time.monotonic() - t0, res.returncode, len(errors))  # fmt: skip
            if res.returncode == 0:
                compiled_ok = True
                break
            if not errors:  # killed / timed out / unparsable output
                break
            compile_errors.update(errors)
            pending = [p for p in pending if p not in errors]
            shutil.rmtree(out, ignore_errors=True)
            out = _new_dir(base, f"javaout{start}r{_round}")
            if not pending:
                compiled_ok = True
                break
        if not compiled_ok:  # compile the rest one by one, each with its own time limit
            for pkg in pending:
                r1, e1 = _javac(runtimes, limits, src, out, [pkg], 60)
                if r1.returncode != 0:
                    compile_errors[pkg] = (
                        e1.get(pkg)
                        or ("javac timed out" if r1.timed_out else _last_error_line(r1.stderr))
                        or "javac failed"
                    )
        for i in batch:
            s = samples[i]
            pkg = f"s{i}"
            if pkg in compile_errors:
                reason = f"does not compile: {compile_errors[pkg]}"
                report(i, SampleResult(s.task_id, s.index, "error", reason, 0.0, limits.mechanism))
            elif (out / pkg / "CodepeftRunner.class").exists():
                compiled[i] = out / pkg
            else:
                reason = "does not compile: javac produced no classes"
                report(i, SampleResult(s.task_id, s.index, "error", reason, 0.0, limits.mechanism))
    slots = _Slots(threads)

    def one(i):
        s = samples[i]
        d = _new_dir(base, f"jrun{i}")
        shutil.copytree(compiled[i], d / "classes" / f"s{i}")
        for root, dirs, files in os.walk(d):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)
        argv = [
            java, f"-Xmx{limits.java_heap_mb}m", *JAVA_RUN_FLAGS,
            "-cp", sb.code_path("classes", d, limits), f"s{i}.CodepeftRunner",
        ]  # fmt: skip
        with slots.take() as slot:
            res = sb.run(
                argv, code_dir=d, limits=limits, memory_mb=limits.java_memory_mb,
                nproc=limits.java_max_processes, extra_ro=extra_ro, slot=slot, check=False,
            )  # fmt: skip
        outcome, reason = classify(res, tokens[i], "java")
        shutil.rmtree(d, ignore_errors=True)
        report(i, SampleResult(s.task_id, s.index, outcome, reason, res.wall_s, res.mechanism))

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for future in [pool.submit(one, i) for i in compiled]:
            future.result()
