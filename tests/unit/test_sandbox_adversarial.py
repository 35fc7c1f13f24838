"""Hostile samples through the same entry point as real ones (`evaluate.evaluate`): each must
end as a failed sample with a reason, the host must be untouched, every process the sample
started must be gone, the other samples must still run, and the whole suite is time-bounded."""

from __future__ import annotations

import os
import shutil
import socket
import textwrap
import threading
import time
from pathlib import Path

import pytest

from codepeft.execution import evaluate as ev
from codepeft.execution import sandbox as sb

pytestmark = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="bubblewrap missing: run scripts/setup/sandbox.sh"
)

LIMITS = sb.Limits(
    wall_s=4.0,
    cpu_s=2,
    memory_mb=512,
    max_processes=32,
    java_max_processes=64,
    java_memory_mb=3072,
    max_output_kb=64,
    max_file_mb=4,
    scratch_mb=8,
)
MARK = "987.654"  # unique sleep duration: lets the test find escaped processes on the host


def _processes_with(marker: str) -> list[str]:
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmd and "pytest" not in cmd:
            found.append(f"{entry.name}: {cmd}")
    return found


@pytest.fixture()
def host_files(tmp_path):
    """Files outside the sandbox: a secret in tmp_path and in $HOME, a victim to delete."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TMP")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    home = Path(os.path.expanduser("~"))
    home_secret = home / f".codepeft_test_secret_{os.getpid()}"
    home_secret.write_text("TOP-SECRET-HOME")
    os.chmod(tmp_path, 0o755)
    for f in (secret, victim):
        os.chmod(f, 0o644)
    yield {"secret": secret, "victim": victim, "home_secret": home_secret, "dir": tmp_path}
    home_secret.unlink(missing_ok=True)


def _python_cases(files, port):
    repo_file = Path(__file__).resolve().parents[2] / "pyproject.toml"
    written = files["dir"] / "written_by_sample.txt"
    home_written = Path(os.path.expanduser("~")) / f".codepeft_written_{os.getpid()}"
    cases = {
        "ok": ("def f():\n    return 1", "assert f() == 1"),
        "infinite_loop": ("def f():\n    while True:\n        pass", "f()"),
        "sleep_past_timeout": ("import time\ndef f():\n    time.sleep(60)", "f()"),
        "ignore_sigterm": (
            "import signal, time\ndef f():\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "    while True:\n        time.sleep(0.05)",
            "f()",
        ),
        "memory_bomb": (
            "def f():\n    x = []\n    while True:\n        x.append(bytearray(50_000_000))",
            "f()",
        ),
        "huge_output": ("def f():\n    while True:\n        print('x' * 10000)", "f()"),
        "disk_fill": (
            "def f():\n    with open('/tmp/fill', 'wb') as h:\n        while True:\n"
            "            h.write(b'0' * 1_000_000)",
            "f()",
        ),
        "network_internet": (
            "import socket\ndef f():\n    socket.create_connection(('1.1.1.1', 80), timeout=2)",
            "f()",
        ),
        "network_host_loopback": (
            f"import socket\ndef f():\n    socket.create_connection(('127.0.0.1', {port}), "
            "timeout=2).sendall(b'hello')",
            "f()",
        ),
        "read_secret_tmp": (
            f"def f():\n    return open({str(files['secret'])!r}).read()",
            "assert f() == 'TOP-SECRET-TMP'",
        ),
        "read_secret_home": (
            f"def f():\n    return open({str(files['home_secret'])!r}).read()",
            "assert f() == 'TOP-SECRET-HOME'",
        ),
        "read_repository": (
            f"def f():\n    return open({str(repo_file)!r}).read()",
            "assert 'codepeft' in f()",
        ),
        "write_outside": (
            f"def f():\n    open({str(written)!r}, 'w').write('pwned')\n"
            f"    open({str(home_written)!r}, 'w').write('pwned')",
            f"f()\nimport os\nassert os.path.exists({str(written)!r})",
        ),
        "delete_outside": (
            f"import os\ndef f():\n    os.remove({str(files['victim'])!r})",
            f"f()\nimport os\nassert not os.path.exists({str(files['victim'])!r})",
        ),
        "background_then_exit": (
            "import os, subprocess\ndef f():\n"
            f"    subprocess.Popen(['sleep', '{MARK}'], start_new_session=True)\n"
            f"    os.system('nohup sleep {MARK}1 >/dev/null 2>&1 &')\n"
            "    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
            f"            os.execvp('sleep', ['sleep', '{MARK}2'])\n        os._exit(0)\n"
            "    return False",
            "assert f()",
        ),
        "background_then_hang": (
            "import os, subprocess, time\ndef f():\n"
            f"    subprocess.Popen(['sleep', '{MARK}3'], start_new_session=True)\n"
            "    time.sleep(60)",
            "f()",
        ),
        "early_exit_zero": ("import sys\ndef f():\n    sys.exit(0)", "f()\nassert False"),
        "kill_parent": (
            "import os\ndef f():\n    os.kill(os.getppid(), 9)\n    os.kill(1, 9)",
            "f()\nassert False, 'still here'",
        ),
        # last, so that its CPU storm (each child has its own RLIMIT_CPU) does not starve the
        # memory bomb into a timeout; a normal sample after it must still pass
        "fork_bomb": (
            "import os\ndef f():\n    while True:\n        os.fork()",
            "f()",
        ),
        "ok_after_fork_bomb": ("def f():\n    return 2", "assert f() == 2"),
    }
    return cases, [written, home_written]


EXPECTED = {
    "ok": {"pass"},
    "infinite_loop": {"timeout"},
    "sleep_past_timeout": {"timeout"},
    "ignore_sigterm": {"timeout"},
    "fork_bomb": {"sandbox_violation", "timeout"},
    "memory_bomb": {"sandbox_violation"},
    "huge_output": {"sandbox_violation"},
    "disk_fill": {"sandbox_violation"},
    "network_internet": {"sandbox_violation"},
    "network_host_loopback": {"sandbox_violation"},
    "read_secret_tmp": {"fail"},  # not even visible: FileNotFoundError
    "read_secret_home": {"fail"},
    "read_repository": {"fail"},
    "write_outside": {"fail", "sandbox_violation"},
    "delete_outside": {"fail", "sandbox_violation"},
    "background_then_exit": {"fail"},
    "background_then_hang": {"timeout"},
    "early_exit_zero": {"fail"},
    "kill_parent": {"fail"},
    "ok_after_fork_bomb": {"pass"},
}


def _listen():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    got = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                got.append(conn.recv(100))
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    return server, got, stop


@pytest.mark.slow
def test_python_adversarial_samples(host_files):
    server, received, stop = _listen()
    port = server.getsockname()[1]
    try:
        cases, written = _python_cases(host_files, port)
        preds = {name: [code] for name, (code, _) in cases.items()}
        tests = {
            name: {"id": name, "language": "python", "test": t} for name, (_, t) in cases.items()
        }
        settings = ev.Settings(
            language="python", threads=2, allow_untrusted_code=True, limits=LIMITS
        )
        started = time.monotonic()
        rows, _, summary, _ = ev.evaluate(preds, tests, settings)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        server.close()
    by_id = {r["id"]: r for r in rows}
    assert set(by_id) == set(cases)
    problems = []
    for name, allowed in EXPECTED.items():
        row = by_id[name]
        if row["outcome"] not in allowed:
            problems.append(f"{name}: {row['outcome']} ({row['reason']}), expected {allowed}")
        if row["outcome"] != "pass" and not row["reason"]:
            problems.append(f"{name}: no reason")
        assert row["sandbox"] == "bwrap"
    assert not problems, "\n".join(problems)
    # the host is untouched
    assert host_files["secret"].read_text() == "TOP-SECRET-TMP"
    assert host_files["victim"].read_text() == "keep me"
    for path in written:
        assert not path.exists(), f"sample wrote {path}"
    assert received == [], "a sample reached a server on the host's loopback"
    assert not _processes_with(MARK), "a background process outlived its sample"
    assert summary["passes"] == 2
    assert elapsed < 60, f"adversarial suite took {elapsed:.0f} s"


JAVA_TEST = "public class TestMain { public static void main(String[] a) { Solution.f(); } }"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK")
def test_java_adversarial_samples(host_files):
    cases = {
        "ok": ("public static int f() { return 1; }", JAVA_TEST),
        "system_exit_zero": (
            "public static void f() { System.exit(0); }",
            "public class TestMain { public static void main(String[] a) { Solution.f(); "
            'throw new AssertionError("unreachable"); } }',
        ),
        "system_exit_one": ("public static void f() { System.exit(1); }", JAVA_TEST),
        "runaway_threads": (
            "public static void f() { for (int i = 0; i < 4; i++) { new Thread(() -> "
            "{ while (true) { } }).start(); } }",
            JAVA_TEST,
        ),
        "thread_bomb": (
            "public static void f() { while (true) { new Thread(() -> { try { "
            "Thread.sleep(100000); } catch (Exception e) { } }).start(); } }",
            JAVA_TEST,
        ),
        "infinite_loop": ("public static void f() { while (true) { } }", JAVA_TEST),
        "memory_bomb": (
            "public static void f() { List<long[]> x = new ArrayList<>(); "
            "while (true) { x.add(new long[10_000_000]); } }",
            JAVA_TEST,
        ),
        "read_secret": (
            "public static void f() throws Exception { String s = new String("
            f'java.nio.file.Files.readAllBytes(java.nio.file.Path.of("{host_files["secret"]}"))); '
            'if (!s.equals("TOP-SECRET-TMP")) throw new RuntimeException(); }',
            "public class TestMain { public static void main(String[] a) throws Exception "
            "{ Solution.f(); } }",
        ),
        "delete_outside": (
            "public static void f() throws Exception { java.nio.file.Files.delete("
            f'java.nio.file.Path.of("{host_files["victim"]}")); }}',
            "public class TestMain { public static void main(String[] a) throws Exception "
            "{ Solution.f(); } }",
        ),
        "background_process": (
            'public static void f() throws Exception { new ProcessBuilder("setsid", '
            f'"sleep", "{MARK}4").start(); }}',
            "public class TestMain { public static void main(String[] a) throws Exception "
            '{ Solution.f(); throw new AssertionError("x"); } }',
        ),
        "compile_error": ("public static int f() { return 1 }", JAVA_TEST),
    }
    expected = {
        "ok": {"pass"},
        "system_exit_zero": {"fail"},
        "system_exit_one": {"fail"},
        "runaway_threads": {"timeout"},
        "thread_bomb": {"sandbox_violation", "timeout", "fail"},
        "infinite_loop": {"timeout"},
        "memory_bomb": {"sandbox_violation"},
        "read_secret": {"fail"},
        "delete_outside": {"fail", "sandbox_violation"},
        "background_process": {"fail"},
        "compile_error": {"error"},
    }
    preds = {name: [code] for name, (code, _) in cases.items()}
    tests = {name: {"id": name, "language": "java", "test": t} for name, (_, t) in cases.items()}
    settings = ev.Settings(language="java", threads=2, allow_untrusted_code=True, limits=LIMITS)
    started = time.monotonic()
    rows, _, summary, _ = ev.evaluate(preds, tests, settings)
    elapsed = time.monotonic() - started
    by_id = {r["id"]: r for r in rows}
    problems = [
        f"{name}: {by_id[name]['outcome']} ({by_id[name]['reason']}), expected {allowed}"
        for name, allowed in expected.items()
        if by_id[name]["outcome"] not in allowed
        or (by_id[name]["outcome"] != "pass" and not by_id[name]["reason"])
    ]
    assert not problems, "\n".join(problems)
    assert host_files["victim"].read_text() == "keep me"
    assert not _processes_with(MARK), "a background process outlived its sample"
    assert elapsed < 60, f"java adversarial suite took {elapsed:.0f} s"


@pytest.mark.parametrize("mechanism", ["unshare", "rlimit_only"])
def test_fallback_mechanisms_still_bound_time_and_processes(mechanism, tmp_path):
    if os.geteuid() != 0 and mechanism == "unshare":
        pytest.skip("unshare fallback needs root here")
    limits = sb.Limits(mechanism=mechanism, wall_s=3.0, cpu_s=2, max_processes=16)
    cases = {
        "ok": ("def f():\n    return 1", "assert f() == 1"),
        "loop": ("def f():\n    while True:\n        pass", "f()"),
        "background": (
            "import os, subprocess\ndef f():\n"
            f"    subprocess.Popen(['sleep', '{MARK}5'], start_new_session=True)\n"
            "    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
            f"            os.execvp('sleep', ['sleep', '{MARK}6'])\n        os._exit(0)\n",
            "f()\nassert False",
        ),
    }
    preds = {name: [code] for name, (code, _) in cases.items()}
    tests = {name: {"id": name, "language": "python", "test": t} for name, (_, t) in cases.items()}
    settings = ev.Settings(language="python", threads=2, allow_untrusted_code=True, limits=limits)
    rows, _, summary, _ = ev.evaluate(preds, tests, settings)
    by_id = {r["id"]: r for r in rows}
    assert by_id["ok"]["outcome"] == "pass"
    assert by_id["loop"]["outcome"] == "timeout"
    assert by_id["background"]["outcome"] == "fail"
    assert {r["sandbox"] for r in rows} == {mechanism}
    # killed processes leave the process table within moments; a survivor sleeps 5-6 s from
    # its sample's start, and evaluate returns after the looping sample's 2-3 s: a second's
    # wait still finds one
    deadline = time.monotonic() + 1
    while _processes_with(MARK) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_with(MARK), "a background process outlived its sample"


def test_missing_bwrap_fails_with_clear_message(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(sb.shutil, "which", lambda n: None if n == "bwrap" else real_which(n))
    sb.check_mechanism.cache_clear()
    try:
        with pytest.raises(sb.SandboxUnavailable, match="bubblewrap"):
            ev.evaluate(
                {"a": ["x = 1"]},
                {"a": {"id": "a", "language": "python", "test": "pass"}},
                ev.Settings(language="python", allow_untrusted_code=True),
            )
    finally:
        sb.check_mechanism.cache_clear()


def test_scratch_is_the_only_writable_place():
    code = textwrap.dedent(
        """
        import os
        def f():
            open('/tmp/ok.txt', 'w').write('fine')
            assert open('/tmp/ok.txt').read() == 'fine'
            for path in ('/usr/x', '/code/x', '/etc/x', '/x'):
                try:
                    open(path, 'w').write('no')
                except OSError:
                    continue
                raise SystemExit('wrote ' + path)
        """
    )
    rows, _, _, _ = ev.evaluate(
        {"w": [code]},
        {"w": {"id": "w", "language": "python", "test": "f()"}},
        ev.Settings(language="python", allow_untrusted_code=True, limits=LIMITS),
    )
    assert rows[0]["outcome"] == "pass", rows[0]
