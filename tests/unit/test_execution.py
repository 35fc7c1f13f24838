"""Execution stage: pass@k, loaders, opt-in, harnesses, CoderEval runner plumbing, CLI."""

from __future__ import annotations

import json
import math
import os
import shutil
import stat
from pathlib import Path

import pytest

from codepeft import io
from codepeft.execution import cli, passk
from codepeft.execution import codereval as ce
from codepeft.execution import evaluate as ev
from codepeft.execution import sandbox as sb
from codepeft.failures import EnvironmentFailure

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="bubblewrap missing: run scripts/setup/sandbox.sh"
)
needs_java = pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK")
FAST = sb.Limits(wall_s=5.0, cpu_s=4)


# ----------------------------------------------------------------------------- pass@k


@pytest.mark.parametrize("n", [1, 2, 5, 10, 20])
def test_pass_at_k_matches_the_combinatorial_definition(n):
    for c in range(n + 1):
        for k in range(1, n + 1):
            expected = 1 - math.comb(n - c, k) / math.comb(n, k)
            assert passk.pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_edges_and_stability():
    assert passk.pass_at_k(1, 1, 1) == 1.0
    assert passk.pass_at_k(1, 0, 1) == 0.0
    assert passk.pass_at_k(3, 0, 2) == 0.0
    assert passk.pass_at_k(1, 1, 10) is None  # not estimable
    assert passk.pass_at_k(200, 1, 1) == pytest.approx(1 / 200)
    # large n: the product form stays finite where binomials would overflow floats
    assert 0 < passk.pass_at_k(2000, 3, 100) < 1
    with pytest.raises(ValueError):
        passk.pass_at_k(3, 4, 1)


def test_pass_at_1_over_all_tasks_counts_missing_as_fail():
    per_task = {"a": 1.0, "b": 0.0, "c": None}
    assert passk.pass_at_1_all_tasks(per_task, ["a", "b", "c", "d"]) == 0.25
    assert passk.mean_pass_at_k([(1, 1), (1, 0)], 1) == 0.5
    assert passk.mean_pass_at_k([(1, 1)], 2) is None


# ----------------------------------------------------------------------------- loaders


def test_load_predictions_both_forms(tmp_path):
    ours = tmp_path / "p.jsonl"
    io.write_jsonl(ours, [{"id": "a", "output": "x = 1"}, {"id": "b", "output": None}])
    assert ev.load_predictions(ours) == {"a": ["x = 1"], "b": [""]}
    theirs = tmp_path / "c.jsonl"
    io.write_jsonl(
        theirs,
        [
            {"_id": "t1", "generate_results": ["a", "b"]},
            {"_id": "t2", "generate_results": [{"generate_code": "c", "is_pass": True}]},
        ],
    )
    assert ev.load_predictions(theirs) == {"t1": ["a", "b"], "t2": ["c"]}
    io.write_jsonl(ours, [{"id": "a", "output": "1"}, {"id": "a", "output": "2"}])
    with pytest.raises(ValueError, match="duplicate"):
        ev.load_predictions(ours)


def test_load_tests_validates(tmp_path):
    path = tmp_path / "t.jsonl"
    io.write_jsonl(path, [{"id": "a", "language": "python"}])
    with pytest.raises(ValueError, match="missing"):
        ev.load_tests(path)
    io.write_jsonl(path, [{"id": "a", "language": "rust", "test": ""}])
    with pytest.raises(ValueError, match="python or java"):
        ev.load_tests(path)


def test_shared_codereval_generations_load(shared):
    path = shared / "data/codereval/generations/python_chatgpt_humanlabel_out.jsonl"
    preds = ev.load_predictions(path)
    assert len(preds) == 230
    assert sum(len(v) == 10 for v in preds.values()) >= 229  # one task has 9 samples


# ----------------------------------------------------------------------------- opt-in


def test_not_enabled_writes_explicit_statuses():
    rows, columns, summary, _ = ev.evaluate(
        {"a": ["def f(): pass"], "b": ["x"]},
        {"a": {"id": "a", "language": "python", "test": "f()"}},
        ev.Settings(language="python", ks=(1, 10)),
    )
    assert [r["id"] for r in rows] == ["a", "b"]
    for r in rows:
        assert r["outcome"] == "not_computed"
        assert r["status"] == ev.NOT_ENABLED
        assert r["pass@1"] is None and r["n"] is None
        assert r["pass@10_status"] == ev.NOT_ENABLED
    assert "execution.allow_untrusted_code" in ev.NOT_ENABLED
    assert summary["n_not_computed"] == 2 and summary["complete"] is False
    assert summary["pass@1_all_tasks"] == 0.0
    assert columns[0] == "id"


# ----------------------------------------------------------------------------- harnesses


@needs_bwrap
def test_python_samples_and_pass_at_k():
    preds = {
        "add": ["def add(a, b):\n    return a + b", "def add(a, b):\n    return a - b",
                "def add(a, b):\n    return b + a"],
        "bad": ["def add(a, b) return 1"],
        "notest": ["def g(): pass"],
    }  # fmt: skip
    tests = {
        "add": {"id": "add", "language": "python", "test": "assert add(2, 3) == 5"},
        "bad": {"id": "bad", "language": "python", "test": "assert add(2, 3) == 5"},
    }
    settings = ev.Settings(
        language="python", ks=(1, 2), threads=2, allow_untrusted_code=True, limits=FAST
    )
    rows, _, summary, samples = ev.evaluate(preds, tests, settings, all_ids=[*preds, "missing"])
    by = {r["id"]: r for r in rows}
    assert by["add"]["n"] == 3 and by["add"]["c"] == 2
    assert by["add"]["pass@1"] == pytest.approx(2 / 3, abs=1e-6)
    assert by["add"]["pass@2"] == 1.0
    assert by["add"]["outcomes"] == "fail=1;pass=2"
    assert by["bad"]["outcome"] == "error" and "SyntaxError" in by["bad"]["reason"]
    assert by["bad"]["pass@2"] is None and by["bad"]["pass@2_status"].startswith("not computed")
    assert by["notest"]["outcome"] == "not_computed"
    assert "CoderEval image not available" in by["notest"]["status"]
    assert summary["n_tasks"] == 4 and summary["missing_ids"] == ["missing"]
    # paper's pass@1: (2/3 + 0 + 0 + 0) / 4
    assert summary["pass@1_all_tasks"] == pytest.approx(2 / 3 / 4)
    assert len(samples) == 5


@needs_bwrap
@needs_java
def test_java_batch_compile_and_run():
    test = (
        "public class TestMain { public static void main(String[] a) {\n"
        '  if (Solution.twice(List.of(1, 2)).size() != 4) throw new AssertionError("size");\n'
        "} }"
    )
    test = "import java.util.*;\n" + test
    preds = {
        "t1": [
            "public static List<Integer> twice(List<Integer> x) { List<Integer> r = new "
            "ArrayList<>(x); r.addAll(x); return r; }",
            "public static List<Integer> twice(List<Integer> x) { return x; }",
            "public static List<Integer> twice(List<Integer> x) { return x }",
            "public static int twice(int x) { return x; }",
        ]
    }
    tests = {"t1": {"id": "t1", "language": "java", "test": test}}
    settings = ev.Settings(
        language="java", ks=(1, 4), threads=2, allow_untrusted_code=True, limits=FAST
    )
    rows, _, summary, samples = ev.evaluate(preds, tests, settings)
    outcomes = [s.outcome for s in sorted(samples, key=lambda s: s.index)]
    assert outcomes == ["pass", "fail", "error", "error"]
    assert "AssertionError" in samples[1].reason or "size" in [s.reason for s in samples][1]
    assert rows[0]["c"] == 1 and rows[0]["pass@4"] == 1.0
    assert rows[0]["pass@1"] == 0.25


# ----------------------------------------------------------------------------- CoderEval


FAKE_RUNTIME = r"""#!/usr/bin/env python3
# A stand-in for `docker`: checks the call the runner makes, then plays CoderEval's harness
# (writes <input>_out.jsonl with is_pass per sample: pass iff the code adds).
import json, sys
args = sys.argv[1:]
if args[:2] == ["image", "inspect"]:
    sys.exit(0 if args[2] == "codereval:test" else 1)
assert args[0] == "run" and "--rm" in args, args
assert args[args.index("--network") + 1] == "none", args
host, inside = args[args.index("-v") + 1].split(":")
cmd = args[-1]
assert "PythonExec.py" in cmd or "JavaExec.py" in cmd, cmd
inp = cmd.split()[-2].replace(inside, host)
with open(inp) as f, open(inp + "_out.jsonl", "w") as out:
    for line in f:
        rec = json.loads(line)
        if rec["_id"] == "lost":
            continue
        res = [{"generate_code": c, "is_pass": "a + b" in c} for c in rec["generate_results"]]
        out.write(json.dumps({"_id": rec["_id"], "generate_results": res}) + "\n")
"""


def test_codereval_runner_plumbing_with_a_stand_in_runtime(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "docker"
    fake.write_text(FAKE_RUNTIME)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    cfg = ce.CoderEvalConfig(image="codereval:test", runtime="docker")
    results = ce.run_codereval(
        {"x": ["return a + b", "return a - b"], "lost": ["return a + b"]}, "python", cfg
    )
    assert [r.outcome for r in results["x"]] == ["pass", "fail"]
    assert results["lost"][0].outcome == "not_computed"
    assert results["x"][0].mechanism == "codereval"
    # an image configured but not here (an environment failure): the job fails with the fix
    # (strict, the default), or the tasks are not computed, with the reason (record)
    nope = ce.CoderEvalConfig(image="nope")
    with pytest.raises(EnvironmentFailure, match="docker has no image 'nope'.*codereval.image"):
        ce.run_codereval({"x": ["a"]}, "python", nope)
    missing = ce.run_codereval({"x": ["a"]}, "python", nope, environment_failures="record")
    assert missing["x"][0].outcome == "not_computed"
    assert "CoderEval image not available" in missing["x"][0].reason


def test_codereval_without_image_is_loudly_not_computed(caplog):
    results = ce.run_codereval({"x": ["a", "b"]}, "java", ce.CoderEvalConfig())
    assert [r.outcome for r in results["x"]] == ["not_computed"] * 2
    assert "CoderEval image not available" in results["x"][0].reason
    assert "NOT COMPUTED" in caplog.text


def test_codereval_apptainer_command_shape():
    argv = ce._container_argv("/usr/bin/apptainer", ce.CoderEvalConfig(image="c.sif"), "/io", "x")
    assert argv[:2] == ["/usr/bin/apptainer", "exec"]
    assert (
        "--containall" in argv and "/io:/codepeft_io" in argv and argv[-3:] == ["bash", "-c", "x"]
    )


# ----------------------------------------------------------------------------- CLI


@needs_bwrap
def test_cli_end_to_end(tmp_path):
    preds = tmp_path / "p.jsonl"
    io.write_jsonl(
        preds,
        [
            {"id": "a", "output": "def inc(x):\n    return x + 1"},
            {"id": "b", "output": "def inc(x):\n    return x"},
        ],
    )
    tests = tmp_path / "t.jsonl"
    io.write_jsonl(
        tests,
        [
            {"id": "a", "language": "python", "test": "assert inc(1) == 2"},
            {"id": "b", "language": "python", "test": "assert inc(1) == 2"},
        ],
    )
    out = tmp_path / "o" / "python.tsv"
    samples = tmp_path / "o" / "samples.jsonl"
    rc = cli.main(
        ["--predictions", str(preds), "--tests", str(tests), "--language", "python",
         "--out", str(out), "--k", "1", "--threads", "2", "--allow-untrusted-code",
         "--samples-out", str(samples)]
    )  # fmt: skip
    assert rc == 0
    rows = io.read_tsv(out)
    assert [r["id"] for r in rows] == ["a", "b"]
    assert [r["outcome"] for r in rows] == ["pass", "fail"]
    summary = json.loads((tmp_path / "o" / "python.summary.json").read_text())
    assert summary["pass@1_all_tasks"] == 0.5 and summary["sandbox"] == ["bwrap"]
    assert summary["samples_per_s"] > 0
    assert len(io.read_jsonl(samples)) == 2


def test_cli_without_opt_in_runs_nothing(tmp_path):
    preds = tmp_path / "p.jsonl"
    io.write_jsonl(preds, [{"id": "a", "output": "raise SystemExit(0)"}])
    out = tmp_path / "t.tsv"
    assert cli.main(["--predictions", str(preds), "--language", "python", "--out", str(out)]) == 0
    (row,) = io.read_tsv(out)
    assert row["outcome"] == "not_computed" and row["pass@1"] == ""
    assert row["status"] == ev.NOT_ENABLED


def test_dispatcher_knows_execute():
    from codepeft import cli as top

    assert top.SUBCOMMANDS["execute"][0] == "codepeft.execution.cli"
    assert Path(cli.__file__).name == "cli.py"


@needs_bwrap
@pytest.mark.parametrize("language", ["python", "java"])
def test_embedded_reference_solutions_pass_the_embedded_tests(repo, language):
    """The embedded tests (codepeft/resources/embedded/codereval) accept their solutions, and
    a wrong solution is caught: the harness and the tests agree end to end."""
    if language == "java" and shutil.which("javac") is None:
        pytest.skip("no JDK")
    base = repo / "codepeft/resources/embedded/codereval"
    if not (base / "tests.jsonl").exists():
        pytest.skip("embedded CoderEval tests not present")
    tests = ev.load_tests(base / "tests.jsonl")
    solutions = [r for r in io.read_jsonl(base / "solutions.jsonl") if r["language"] == language]
    preds = {r["id"]: [r["code"]] for r in solutions}
    first = solutions[0]["id"]
    preds[first].append("pass" if language == "python" else "public static void nothing() {}")
    settings = ev.Settings(language=language, threads=2, allow_untrusted_code=True, limits=FAST)
    rows, _, summary, samples = ev.evaluate(preds, tests, settings)
    assert all(r["c"] >= 1 for r in rows), [r for r in rows if not r["c"]]
    wrong = [s for s in samples if s.task_id == first and s.index == 1][0]
    assert wrong.outcome in {"fail", "error"}
    assert summary["pass@1_all_tasks"] == pytest.approx((len(rows) - 0.5) / len(rows))
