"""The embedded default datasets: loaded by the same loaders, expected counts, regenerated
byte-identically by scripts/make_embedded_data.py, and every generation task's reference
solution passes its own tests while a wrong solution fails (python3, javac/java)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from codepeft.data import codegen, codereval, codexglue, prepare
from codepeft.data.records import check_records
from codepeft.io import read_jsonl

EMB = prepare.EMBEDDED_DIR
CE = EMB / "codereval"
CODEXGLUE_FIELDS = set(codexglue.CODE_TO_TEXT_FIELDS)
EXPECTED = {
    ("summarization", "python"): {"train": 48, "valid": 12, "test": 12},
    ("summarization", "java"): {"train": 48, "valid": 12, "test": 12},
    ("generation", "python"): {"train": 48, "valid": 12, "test": 11},
    ("generation", "java"): {"train": 48, "valid": 12, "test": 10},
    ("translation", "java-cs"): {"train": 48, "valid": 12, "test": 12},
    ("translation", "cs-java"): {"train": 48, "valid": 12, "test": 12},
}


@pytest.mark.parametrize("task,lang", sorted(EXPECTED))
def test_embedded_counts_through_prepare(task, lang, tmp_path):
    outputs = {s: tmp_path / f"{s}.jsonl" for s in ("train", "valid", "test")}
    counts = prepare.write_task_splits(task, lang, {}, outputs)
    assert counts["rows"] == EXPECTED[(task, lang)]
    assert all(not v for v in counts["skipped"].values())  # every embedded row derives
    for split, path in outputs.items():
        recs = check_records(read_jsonl(path), task)
        assert {r["split"] for r in recs} == {split} and {r["language"] for r in recs} == {lang}


def test_embedded_code_to_text_fields_and_ids():
    for lang in ("python", "java"):
        for split in ("train", "valid", "test"):
            rows = read_jsonl(EMB / "code-to-text" / lang / f"{split}.jsonl")
            assert all(set(r) == CODEXGLUE_FIELDS for r in rows)
            assert all(r["partition"] == split and r["language"] == lang for r in rows)
            assert len({r["url"] for r in rows}) == len(rows)
            assert len({r["code"] for r in rows}) == len(rows)  # rows differ
    java = read_jsonl(EMB / "code-to-text" / "java" / "train.jsonl")
    assert "/**" not in java[0]["code"] and java[0]["code"].startswith("public static ")


def test_embedded_generation_derivation_matches_catalogue():
    rows = codexglue.read_code_to_text_rows("python", "train", EMB / "code-to-text")
    recs, skipped = codegen.derive_generation(rows, "python", "train")
    assert skipped == {} and len(recs) == 48
    for row, rec in zip(rows, recs, strict=True):
        assert rec["inputs"]["summary"] == row["docstring"].splitlines()[0]  # the one sentence
        assert '"""' not in rec["reference"]
        assert rec["inputs"]["signature"] == row["code"].splitlines()[0]


def test_embedded_codereval_discard_and_solutions():
    prompts = {
        lang: read_jsonl(CE / codereval.HUMANLABEL_FILES[lang]) for lang in ("python", "java")
    }
    assert {k: len(v) for k, v in prompts.items()} == {"python": 12, "java": 12}
    discard = json.loads((CE / "ids_to_discard.json").read_text())
    assert [len(v) for v in discard.values()] == [1, 2]
    for lang, n in (("python", 11), ("java", 10)):
        recs = codereval.load_codereval(lang, CE)
        assert len(recs) == n
        assert all(r["reference"] and r["inputs"]["level"] == "self_contained" for r in recs)
        assert not {r["id"] for r in recs} & codereval.discarded_ids(CE, lang)
    tests = read_jsonl(CE / "tests.jsonl")
    all_ids = {p["question_id"] for v in prompts.values() for p in v}
    assert {t["id"] for t in tests} == all_ids and len(tests) == 24


def test_embedded_summarization_eval_and_size():
    for lang in ("python", "java"):
        recs = codereval.load_summarization_eval(lang, EMB / "summarization-eval")
        assert len(recs) == 12 and len({r["id"] for r in recs}) == 12
    size = sum(p.stat().st_size for p in EMB.rglob("*") if p.is_file())
    assert size < 500_000, size


def test_generator_reproduces_committed_files(tmp_path, repo):
    out = tmp_path / "embedded"
    subprocess.run(
        [
            sys.executable,
            str(repo / "scripts" / "make_embedded_data.py"),
            "--out",
            str(out),
            "--no-check",
        ],
        check=True,
        capture_output=True,
    )
    generated = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(EMB) for p in EMB.rglob("*") if p.is_file() and p.name != "README.md"
    )
    assert generated == committed
    for rel in generated:
        assert (out / rel).read_bytes() == (EMB / rel).read_bytes(), rel


# ------------------------------------------------------------------ execution of the tasks

PY_DRIVER = r"""
import json, sys
results = {}
for task_id, program in json.load(sys.stdin).items():
    try:
        exec(compile(program, task_id, "exec"), {"__name__": "__main__"})
        results[task_id] = True
    except SystemExit as exc:
        results[task_id] = exc.code in (0, None)
    except BaseException:
        results[task_id] = False
print(json.dumps(results))
"""

BATCH_JAVAC = """
import javax.tools.*;
public class BatchJavac {
    public static void main(String[] args) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        for (String dir : args) {
            int rc = javac.run(null, null, null, "-nowarn", "-d", dir,
                dir + "/Solution.java", dir + "/TestMain.java");
            System.out.println(dir + "\\t" + rc);
        }
    }
}
"""

JAVA_DEFAULTS = {"int": "0", "double": "0.0", "boolean": "false", "String": '""'}


def _tasks(lang):
    solutions = {
        s["id"]: s["code"] for s in read_jsonl(CE / "solutions.jsonl") if s["language"] == lang
    }
    tests = {t["id"]: t["test"] for t in read_jsonl(CE / "tests.jsonl") if t["language"] == lang}
    assert set(solutions) == set(tests)
    return solutions, tests


def run_python(programs: dict[str, str]) -> dict[str, bool]:
    """One python3 process runs every program (each in a fresh namespace)."""
    proc = subprocess.run(
        [sys.executable, "-c", PY_DRIVER],
        input=json.dumps(programs),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def run_java(candidates: dict[str, str], tests: dict[str, str], work: Path) -> dict[str, bool]:
    """The harness of README.md: Solution.java + TestMain.java per task, compiled in one JVM."""
    dirs = {}
    for task_id, code in candidates.items():
        d = work / task_id
        d.mkdir(parents=True)
        (d / "Solution.java").write_text(
            "import java.util.*;\npublic class Solution {\n" + code + "\n}\n"
        )
        (d / "TestMain.java").write_text(tests[task_id])
        dirs[task_id] = d
    (work / "BatchJavac.java").write_text(BATCH_JAVAC)
    proc = subprocess.run(
        ["java", str(work / "BatchJavac.java"), *map(str, dirs.values())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    compiled = {
        Path(line.split("\t")[0]).name: line.endswith("\t0") for line in proc.stdout.splitlines()
    }
    assert len(compiled) == len(dirs), proc.stderr

    def run(task_id):
        if not compiled[task_id]:
            return task_id, False
        rc = subprocess.run(
            ["java", "-cp", str(dirs[task_id]), "TestMain"], capture_output=True, timeout=60
        )
        return task_id, rc.returncode == 0

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(run, dirs))


def test_python_solutions_pass_and_wrong_ones_fail():
    solutions, tests = _tasks("python")
    good = run_python({i: solutions[i] + "\n\n" + tests[i] for i in solutions})
    assert good == {i: True for i in solutions}
    wrong = {}
    for i, code in solutions.items():
        header, body = code.split("\n", 1)
        wrong[i] = header + "\n    return None\n" + body + "\n\n" + tests[i]
    assert run_python(wrong) == {i: False for i in solutions}


@pytest.mark.slow
@pytest.mark.skipif(
    not (shutil.which("javac") and shutil.which("java")), reason="javac/java not installed"
)
def test_java_solutions_pass_and_wrong_ones_fail(tmp_path):
    solutions, tests = _tasks("java")
    assert run_java(solutions, tests, tmp_path / "good") == {i: True for i in solutions}
    wrong = {}
    for i, code in solutions.items():
        signature = code.split("\n", 1)[0]
        ret = re.match(r"public static (\S+) ", signature).group(1)
        value = JAVA_DEFAULTS.get(ret, f"new {ret[:-2]}[0]")
        wrong[i] = f"{signature}\n    return {value};\n}}\n"
    assert run_java(wrong, tests, tmp_path / "wrong") == {i: False for i in solutions}
