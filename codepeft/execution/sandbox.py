"""Run one untrusted program under isolation and limits; report how it ended.

Mechanisms (``Limits.mechanism``), strongest first:

``bwrap`` (default, Debian package ``bubblewrap``)
    New user, pid, network, ipc, uts, mount and cgroup namespaces (``--unshare-all``); the
    sandbox sees only ``/usr`` (interpreters, JDK, system libraries), a few ``/etc`` entries
    the runtimes need, the interpreter's own prefix when it lives outside ``/usr``, the
    sample's files read-only at ``/code``, and a size-limited tmpfs at ``/tmp`` (its only
    writable place, also ``$HOME`` and the working directory). No network interface but
    loopback. ``--die-with-parent`` plus the pid namespace: when the sample's main process
    ends or is killed, every process it started is killed by the kernel. When the caller is
    root, the sandbox runs as an unprivileged uid (``sandbox_uid``), never as root.
    rlimits (CPU seconds, address space, processes, file size, open files, no core dumps) are
    applied inside the sandbox with util-linux ``prlimit`` so that the process limit counts
    the sample's own user namespace only (Linux >= 5.14 counts RLIMIT_NPROC per namespace).
``unshare`` (opt-in fallback, weaker)
    util-linux ``unshare`` with new network, pid (``--kill-child``), ipc, uts and mount
    namespaces, plus rlimits. The file system is NOT hidden: the sample can read what its uid
    may read. As root the sample runs as an unprivileged per-slot uid.
``rlimit_only`` (opt-in fallback, weakest)
    rlimits, a new session and a wall-clock kill of the process group only. Network and file
    system are NOT isolated. As root the sample runs as an unprivileged per-slot uid.

Whatever the mechanism, the wall-clock timeout kills the whole process group (and, with a pid
namespace, every process of the sample), captured output is capped, and the mechanism used is
recorded in every result so tables can say which one produced them.
"""

from __future__ import annotations

import dataclasses
import functools
import glob
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

MECHANISMS = ("bwrap", "unshare", "rlimit_only")

# /etc entries the runtimes need (dynamic loader, JDK configuration, time zone); nothing else
# of /etc is visible in the bwrap sandbox (no passwd, no ssh, no resolv.conf).
ETC_ENTRIES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "alternatives",
    "localtime",
    "timezone",
    "java-*-openjdk",
    "ssl/certs/java",
)


class SandboxUnavailable(RuntimeError):
    """The configured mechanism cannot run here; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """Per-sample limits. Every knob: higher = more tolerance for slow/big code, more cost."""

    mechanism: str = "bwrap"
    wall_s: float = 10.0  # wall-clock seconds before the whole sample is killed
    cpu_s: int = 10  # RLIMIT_CPU (seconds of CPU, all threads)
    memory_mb: int = 1024  # RLIMIT_AS (address space) for Python; Java gets java_memory_mb
    java_memory_mb: int = 4096  # the JVM reserves far more address space than it uses
    java_heap_mb: int = 256  # -Xmx for the test JVM
    max_processes: int = 64  # RLIMIT_NPROC (processes + threads of the sample)
    java_max_processes: int = 256  # the JVM itself starts ~20 threads
    max_file_mb: int = 16  # RLIMIT_FSIZE: largest file the sample may write
    max_open_files: int = 256  # RLIMIT_NOFILE
    max_output_kb: int = 256  # stdout+stderr captured; more kills the sample (violation)
    scratch_mb: int = 64  # size of the writable tmpfs (/tmp) inside the sandbox
    sandbox_uid: int = 65534  # uid the sample runs as when the caller is root (bwrap)
    fallback_uid_base: int = 61000  # per-slot uids for unshare/rlimit_only when root

    def __post_init__(self):
        if self.mechanism not in MECHANISMS:
            raise ValueError(f"unknown sandbox mechanism {self.mechanism!r}; one of {MECHANISMS}")


@dataclasses.dataclass
class RunResult:
    """How one sandboxed command ended."""

    returncode: int | None  # exit status; negative = killed by that signal
    stdout: str
    stderr: str
    wall_s: float
    timed_out: bool = False  # the wall clock ran out (we killed it)
    output_exceeded: bool = False  # stdout+stderr passed max_output_kb (we killed it)
    mechanism: str = ""

    @property
    def signal(self) -> int | None:
        return -self.returncode if self.returncode is not None and self.returncode < 0 else None


@functools.cache
def check_mechanism(mechanism: str) -> str:
    """Raise SandboxUnavailable with a clear message unless `mechanism` works here."""
    if mechanism == "bwrap":
        bwrap = shutil.which("bwrap")
        if not bwrap:
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed: run scripts/setup/sandbox.sh (or install "
                "your distribution's 'bubblewrap' package), or explicitly choose the weaker "
                "fallback execution.sandbox: unshare | rlimit_only (see docs/execution.md)"
            )
        if not shutil.which("prlimit"):
            raise SandboxUnavailable("util-linux 'prlimit' is missing (needed inside bwrap)")
        probe = _run_probe(["true"], Limits(mechanism="bwrap"))
        if probe.returncode != 0:
            raise SandboxUnavailable(
                "bwrap cannot create its namespaces here (unprivileged user namespaces "
                f"disabled?): {probe.stderr.strip()[:300]}"
            )
    elif mechanism == "unshare":
        if not shutil.which("unshare"):
            raise SandboxUnavailable("util-linux 'unshare' is not installed")
        probe = _run_probe(["true"], Limits(mechanism="unshare"))
        if probe.returncode != 0:
            raise SandboxUnavailable(
                f"'unshare' cannot create namespaces here: {probe.stderr.strip()[:300]}"
            )
    elif mechanism not in MECHANISMS:
        raise SandboxUnavailable(f"unknown sandbox mechanism {mechanism!r}")
    return mechanism


def _run_probe(argv, limits):
    with tempfile.TemporaryDirectory(prefix="codepeft-probe-") as code_dir:
        os.chmod(code_dir, 0o755)
        return run(argv, code_dir=code_dir, limits=limits, wall_s=15, check=False)


def _is_root() -> bool:
    return os.geteuid() == 0


@functools.cache
def _extra_ro_paths(executables: tuple[str, ...]) -> tuple[str, ...]:
    """Directories outside /usr that the given executables need (their real prefixes)."""
    paths = []
    for exe in executables:
        if not exe:
            continue
        for candidate in (exe, os.path.realpath(exe)):
            parts = Path(candidate).parts
            if len(parts) > 1 and parts[1] == "usr":
                continue
            # bind the interpreter's prefix: <prefix>/bin/<exe> -> <prefix>
            prefix = Path(candidate).parent.parent
            if str(prefix) not in ("/", ""):
                paths.append(str(prefix))
    return tuple(dict.fromkeys(paths))


def _bwrap_argv(argv, code_dir, limits, memory_mb, nproc, extra_ro, env, writable=()):
    cmd = ["bwrap", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            cmd += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.is_dir():
            cmd += ["--ro-bind", str(path), f"/{name}"]
    for pattern in ETC_ENTRIES:
        for path in sorted(glob.glob(f"/etc/{pattern}")):
            cmd += ["--ro-bind", path, path]
    for path in extra_ro:
        if os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    cmd += [
        "--dev", "/dev",
        "--proc", "/proc",
        "--size", str(limits.scratch_mb * 1024 * 1024), "--tmpfs", "/tmp",
        "--ro-bind", str(code_dir), "/code",
        *[arg for host, inside in writable for arg in ("--bind", str(host), inside)],
        "--remount-ro", "/",  # the sandbox's root tmpfs: nothing writable but /tmp
        "--chdir", "/tmp",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--hostname", "sandbox",
        "--clearenv",
    ]  # fmt: skip
    if _is_root():
        cmd += ["--cap-drop", "ALL"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    cmd += ["--", *_prlimit_prefix(limits, memory_mb, nproc), *argv]
    return cmd


def _prlimit_prefix(limits, memory_mb, nproc):
    mb = 1024 * 1024
    return [
        "prlimit",
        f"--cpu={limits.cpu_s}:{limits.cpu_s + 1}",  # SIGXCPU first, SIGKILL 1 s later
        f"--as={memory_mb * mb}",
        f"--nproc={nproc}",
        f"--fsize={limits.max_file_mb * mb}",
        f"--nofile={limits.max_open_files}",
        "--core=0",
        "--",
    ]


def _preexec(limits, memory_mb, nproc, uid):
    """rlimits (+ uid drop when root) applied in the child before exec (fallback mechanisms)."""

    def apply():
        mb = 1024 * 1024
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * mb, memory_mb * mb))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_file_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.max_open_files,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            # a fresh uid owns no other process: the limit counts this sample only
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        else:
            # not root: RLIMIT_NPROC counts all of this user's processes; allow headroom
            current = _count_user_processes(os.getuid())
            resource.setrlimit(resource.RLIMIT_NPROC, (current + nproc,) * 2)

    return apply


def _count_user_processes(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count


def _prepare_fallback_dirs(code_dir, uid):
    """A writable scratch dir for fallback mechanisms (no tmpfs there)."""
    scratch = tempfile.mkdtemp(prefix="codepeft-scratch-")
    if uid is not None:
        os.chown(scratch, uid, uid)
    return scratch


def run(
    argv: list[str],
    *,
    code_dir: str | os.PathLike,
    limits: Limits,
    wall_s: float | None = None,
    memory_mb: int | None = None,
    nproc: int | None = None,
    env: dict[str, str] | None = None,
    extra_ro: tuple[str, ...] = (),
    writable: tuple[tuple[str, str], ...] = (),
    slot: int = 0,
    check: bool = True,
) -> RunResult:
    """Run `argv` sandboxed. `code_dir` (host) is visible read-only at /code (bwrap) and is the
    working directory's source; argv must refer to files as /code/<name> under bwrap (use
    :func:`code_path`). `writable` pairs (host dir, path inside) are bound read-write (bwrap
    only; used for the compiler's output, never for samples). Returns a RunResult; never
    raises for anything the sample does."""
    if check:
        check_mechanism(limits.mechanism)
    wall_s = limits.wall_s if wall_s is None else wall_s
    memory_mb = memory_mb or limits.memory_mb
    nproc = nproc or limits.max_processes
    base_env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "TMPDIR": "/tmp",
    }
    base_env.update(env or {})
    preexec = None
    scratch = None
    user = None
    uid_to_reap = None
    info_r = info_w = None
    if limits.mechanism == "bwrap":
        cmd = _bwrap_argv(argv, code_dir, limits, memory_mb, nproc, extra_ro, base_env, writable)
        # --info-fd reports the pid of the sandbox's pid 1, so that a kill can wait until the
        # whole pid namespace is gone
        info_r, info_w = os.pipe()
        cmd[1:1] = ["--info-fd", str(info_w)]
        cwd = "/"
        if _is_root():
            user = limits.sandbox_uid
        popen_env = {"PATH": base_env["PATH"]}
    else:
        uid = limits.fallback_uid_base + slot if _is_root() else None
        uid_to_reap = uid
        scratch = _prepare_fallback_dirs(code_dir, uid)
        base_env["HOME"] = base_env["TMPDIR"] = scratch
        preexec = _preexec(limits, memory_mb, nproc, uid)
        cwd = scratch
        popen_env = base_env
        if limits.mechanism == "unshare":
            cmd = [
                "unshare", "--net", "--pid", "--fork", "--kill-child", "--mount-proc",
                "--ipc", "--uts", "--",
                *argv,
            ]  # fmt: skip
            # rlimits are applied inside (on unshare itself they break its --kill-child
            # signal handling); as root the sample also drops to its per-slot uid there
            preexec = None
            inner = [*_prlimit_prefix(limits, memory_mb, nproc), *argv]
            if uid is not None:
                inner = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *inner]
            else:
                cmd[1:1] = ["--user", "--map-root-user"]
            # a shell reports a signalled sample as exit 128+N (unshare's own signal
            # forwarding fails under --kill-child)
            cmd = cmd[: -len(argv)] + ["/bin/sh", "-c", '"$@"; exit $?', "sh", *inner]
        else:
            cmd = list(argv)
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=popen_env,
            start_new_session=True,
            preexec_fn=preexec,
            user=user,
            group=user,
            extra_groups=[] if user is not None else None,
            pass_fds=(info_w,) if info_w is not None else (),
        )
    except OSError as err:
        if info_r is not None:
            os.close(info_r)
            os.close(info_w)
        return RunResult(
            None, "", f"could not start sandbox: {err}", 0.0, mechanism=limits.mechanism
        )
    out, err_, timed_out, exceeded = _communicate(
        proc, started + wall_s, limits.max_output_kb * 1024
    )
    wall = time.monotonic() - started
    if info_r is not None:
        os.close(info_w)
        _reap_namespace(info_r)
    if uid_to_reap is not None:
        _kill_all_of_uid(uid_to_reap)
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    return RunResult(
        proc.returncode,
        out.decode("utf-8", "replace"),
        err_.decode("utf-8", "replace"),
        wall,
        timed_out=timed_out,
        output_exceeded=exceeded,
        mechanism=limits.mechanism,
    )


def _reap_namespace(info_r: int) -> None:
    """Kill the sandbox's pid 1 (the kernel then kills every process of its pid namespace) and
    wait until it is gone, so no process of the sample survives this call."""
    try:
        os.set_blocking(info_r, False)
        raw = os.read(info_r, 65536)
    except OSError:
        raw = b""
    finally:
        os.close(info_r)
    try:
        child = int(json.loads(raw.decode() or "{}").get("child-pid", 0))
    except (ValueError, AttributeError):
        child = 0
    if child <= 1:
        return
    try:
        os.kill(child, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{child}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state == "Z":  # exited (pid namespace emptied); its reaper will collect it
            return
        time.sleep(0.01)


def _kill_all_of_uid(uid: int) -> None:
    """Fallbacks without a pid namespace: kill every process of the sample's own uid (a
    background process that left the process group with setsid/double fork)."""
    pid = os.fork()
    if pid == 0:  # child: become the uid, then kill(-1) reaches exactly that uid's processes
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            for _ in range(3):
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def _communicate(proc, deadline, cap):
    """Read stdout/stderr until the process ends (and its pipes drain), the deadline, or `cap`
    bytes in total. A background process that inherited the pipes does not keep us waiting:
    once the main process has ended, reading stops at the next quiet moment."""
    buffers = {proc.stdout: bytearray(), proc.stderr: bytearray()}
    total = 0
    timed_out = exceeded = False
    ended_at = None
    with selectors.DefaultSelector() as sel:
        for stream in buffers:
            os.set_blocking(stream.fileno(), False)
            sel.register(stream, selectors.EVENT_READ)
        while sel.get_map():
            now = time.monotonic()
            if now >= deadline:
                timed_out = proc.poll() is None
                break
            if ended_at is None and proc.poll() is not None:
                ended_at = now
            events = sel.select(timeout=min(deadline - now, 0.05 if ended_at else 0.5))
            if not events and ended_at is not None:
                break  # main process gone and nothing more to read
            for key, _ in events:
                try:
                    chunk = os.read(key.fileobj.fileno(), 65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                buffers[key.fileobj] += chunk
                total += len(chunk)
            if total > cap:
                exceeded = True
                break
            if ended_at is not None and time.monotonic() - ended_at > 1.0:
                break
    if timed_out or exceeded:
        _kill(proc)
    else:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill(proc)
    proc.wait()
    # the process group may still hold members (fallbacks without a pid namespace)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for stream in buffers:
        stream.close()
    return bytes(buffers[proc.stdout]), bytes(buffers[proc.stderr]), timed_out, exceeded


def code_path(name: str, code_dir: str | os.PathLike, limits: Limits) -> str:
    """The path under which a file of `code_dir` is seen by the sandboxed program."""
    if limits.mechanism == "bwrap":
        return f"/code/{name}"
    return str(Path(code_dir) / name)
