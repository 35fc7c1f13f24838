"""rules/judge.smk under Snakemake against the loopback OpenAI-compatible server: the rule runs
with the key declared through `envvars:`, writes the table for every prediction id, reruns from
the cache, refuses to run without the key (a dry run works without it), and no file in the work directory (Snakemake's own
logs and metadata included) holds the key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from codepeft.io import read_tsv, write_jsonl
from tests.conftest import snakemake
from tests.judge_servers import ScoringServer

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
KEY = "sk-wf-CODEPEFT-w0rkfl0w-5e6f7a8b9c"
KEY_ENV = "CODEPEFT_WF_JUDGE_KEY"

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.slow,
    pytest.mark.skipif(not SNAKEMAKE.exists(), reason=f"snakemake not installed at {SNAKEMAKE}"),
]

SNAKEFILE = f"""
from codepeft import config as study_config

configfile: "config.yaml"
study_config.validate(config)

include: "{REPO}/rules/common.smk"
include: "{REPO}/rules/judge.smk"

rule all:
    input: get_final_output()
"""


def run_snakemake(work: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return snakemake(["--cores", "1", "--snakefile", "Snakefile", *args], work, 120, env=env)


def test_judge_rule_end_to_end_without_leaking_the_key(tmp_path):
    server = ScoringServer(api_key=KEY)
    work = tmp_path / "wf"
    work.mkdir()
    (work / "Snakefile").write_text(SNAKEFILE)
    config = {
        "models": {"tiny": {"source": "unused"}},
        "methods": {"zero_shot": {"finetune": "none"}},
        "tasks": {"summarization": {"languages": ["python"]}},
        "judge": {
            "backend": "openai",
            "base_url": server.base_url,
            "endpoint": "chat_completions",
            "model": "judge-test-model",
            "api_key_env": KEY_ENV,
            "runs": 3,
            "backoff_base_s": 0.01,
        },
    }
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    ids = ["x1", "x2", "x3"]
    write_jsonl(
        work / "results/data/summarization/python/test.jsonl",
        [
            {"id": i, "task": "summarization", "language": "python", "split": "test",
             "inputs": {"code": f"def f_{i}(value):\n    return value"}, "reference": "r"}
            for i in ids
        ],
    )  # fmt: skip
    write_jsonl(
        work / "results/predictions/tiny/zero_shot/seed-none/summarization/python.jsonl",
        [{"id": i, "language": "python", "output": f"Returns value {i}."} for i in ids[::-1]],
    )
    env = {**os.environ, KEY_ENV: KEY}
    try:
        no_key = {k: v for k, v in env.items() if k != KEY_ENV}
        planned = run_snakemake(work, no_key, "-n")  # a dry run needs no key
        assert planned.returncode == 0, planned.stderr[-3000:]
        refused = run_snakemake(work, no_key)  # a real run refuses before any request
        assert refused.returncode != 0 and server.count == 0
        judge_log = work / "logs/judge/tiny/zero_shot/seed-none/summarization/python.log"
        assert KEY_ENV in judge_log.read_text()

        done = run_snakemake(work, env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert server.count == 9
        table = work / "results/metrics/judge/tiny/zero_shot/seed-none/summarization/python.tsv"
        rows = read_tsv(table)
        assert [r["id"] for r in rows] == ids[::-1]
        assert all(r["status"] == "ok" and r["n_valid"] == "3" for r in rows)
        summary = json.loads(table.with_suffix("").with_suffix(".summary.json").read_text())
        assert summary["requests"]["made"] == 9 and summary["backend"]["api_key_set"]

        table.unlink()  # the cache is no rule output: rebuilding the table sends nothing
        again = run_snakemake(work, env)
        assert again.returncode == 0, again.stderr[-3000:]
        assert server.count == 9 and read_tsv(table) == rows
    finally:
        server.close()
    assert all(r["auth"] == f"Bearer {KEY}" for r in server.requests)
    log = work / "logs/judge/tiny/zero_shot/seed-none/summarization/python.log"
    assert "requests made 0, cached 9" in log.read_text()
    files = [p for p in work.rglob("*") if p.is_file()]
    assert any(".snakemake" in p.parts for p in files)
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in done.stdout + done.stderr + again.stdout + again.stderr
