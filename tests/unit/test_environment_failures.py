"""`environment_failures` (codepeft.failures): a value the machine cannot compute fails its job
with the fix under `fail` (the default and the presets), and is a "not computed" row under
`record`; reasons of the data or the config are rows in both modes. Each environment path is
made real here (an empty NLTK data folder, a model that is not cached, a tool not on PATH, a
closed port), and the CLI exits non-zero (status 3) so that a caller (Snakemake) retries."""

from __future__ import annotations

import os
import socket
import stat
import sys
from pathlib import Path

import pytest
import yaml

from codepeft import analyzers
from codepeft import cli as codepeft_cli
from codepeft import config as study_config
from codepeft.analyzers import pmd
from codepeft.execution import codereval as ce
from codepeft.execution import evaluate as ev
from codepeft.failures import DEFAULT_MODE, EnvironmentFailure, environment_failure
from codepeft.io import read_tsv, write_jsonl
from codepeft.judge import pipeline
from codepeft.judge.base import BackendError
from codepeft.judge.cache import DiskCache
from codepeft.judge.runner import Judge, Settings
from codepeft.metrics import meteor
from codepeft.metrics.compute import SurfaceOptions, compute_surface, join
from tests.judge_servers import ScoringServer
from tests.unit.test_judge import TEMPLATE, Scripted, answer

REPO = Path(__file__).resolve().parents[2]
NO_MODELS = SurfaceOptions(bertscore_enabled=False)
PAIR = join(
    [{"id": "1", "output": "adds two numbers"}], [{"id": "1", "reference": "adds two ints"}]
)
JAVA = "public int add(int a, int b) { return a + b; }"


# ----------------------------------------------------------------------- the option itself


def test_strict_by_default_and_in_every_preset_but_the_rehearsal():
    assert DEFAULT_MODE == "fail"
    embedded = study_config.load(REPO / "config.yaml")
    assert embedded["environment_failures"] == "fail"
    # the embedded default enables no analyzer that make setup cannot install (.NET: Roslyn)
    assert "roslyn" not in embedded["analyzers"]["enabled"]
    for preset in ("config/paper.yaml",):
        raw = yaml.safe_load((REPO / preset).read_text())
        assert raw["environment_failures"] == "fail", preset
    rehearsal = yaml.safe_load((REPO / "config/rehearsal.yaml").read_text())
    assert rehearsal["environment_failures"] == "record"  # a machine without the paper's tools
    with pytest.raises(study_config.ConfigError, match="environment_failures"):
        study_config.validate({**yaml.safe_load((REPO / "config.yaml").read_text()),
                               "environment_failures": "ignore"})  # fmt: skip


def test_the_policy_raises_with_the_fix_or_returns_the_status():
    with pytest.raises(EnvironmentFailure) as err:
        environment_failure("fail", "tool x not found", "run setup-x.sh")
    assert err.value.reason == "tool x not found" and err.value.fix == "run setup-x.sh"
    assert "tool x not found. Fix: run setup-x.sh" in str(err.value)
    assert "environment_failures: record" in str(err.value)
    assert (
        environment_failure("record", "tool x not found", "run") == "not computed: tool x not found"
    )
    with pytest.raises(ValueError, match="environment_failures"):
        environment_failure("lenient", "r", "f")


# ----------------------------------------------------------------------- surface metrics


@pytest.fixture
def no_wordnet(tmp_path, monkeypatch):
    """NLTK's data path and the project's tools folder point at empty folders."""
    import nltk

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("CODEPEFT_TOOLS", str(empty))
    monkeypatch.setenv("NLTK_DATA", str(empty / "nltk_data"))
    monkeypatch.setattr(nltk.data, "path", [str(empty)])
    meteor.ensure_wordnet.cache_clear()
    meteor._matchers.cache_clear()
    yield empty
    meteor.ensure_wordnet.cache_clear()
    meteor._matchers.cache_clear()


def test_meteor_without_wordnet(no_wordnet):
    with pytest.raises(EnvironmentFailure, match="WordNet not found.*scripts/setup/wordnet.sh"):
        compute_surface(PAIR, "summarization", "python", NO_MODELS)
    result = compute_surface(
        PAIR, "summarization", "python", NO_MODELS, environment_failures="record"
    )
    (row,) = result.rows
    assert row["meteor"] is None and row["meteor_status"].startswith("not computed: WordNet")
    assert row["bleu_sacre"] is not None and row["status"] == "ok"  # the rest is computed


@pytest.mark.slow  # loads torch and transformers
def test_bertscore_hub_model_not_cached_offline(tmp_path, monkeypatch):
    """A hub id that is not in the cache, with the hub offline (as on a compute node)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    options = SurfaceOptions(
        bertscore_model="codepeft-tests/no-such-cached-model", bertscore_num_layers=2
    )
    with pytest.raises(EnvironmentFailure) as err:
        compute_surface(PAIR, "summarization", "python", options)
    assert "BERTScore model could not run" in err.value.reason
    assert "`codepeft fetch`" in err.value.fix and "metrics.bertscore.model" in err.value.fix
    (row,) = compute_surface(
        PAIR, "summarization", "python", options, environment_failures="record"
    ).rows
    assert row["bertscore_f1"] is None
    assert row["bertscore_status"].startswith("not computed: BERTScore model could not run")


def test_config_and_data_reasons_are_rows_in_the_strict_mode():
    refs = [{"id": "1", "reference": "r", "inputs": {"code": JAVA}}, {"id": "2", "reference": None}]
    preds = [{"id": "1", "output": ""}, {"id": "2", "output": "x"}, {"id": "3", "output": "y"}]
    options = SurfaceOptions(bertscore_enabled=False, side_checkpoint=None)
    rows = {r["id"]: r for r in compute_surface(join(preds, refs), "summarization", "java",
                                                 options, environment_failures="fail").rows}  # fmt: skip
    assert rows["1"]["status"] == "empty_prediction"
    assert rows["2"]["status"] == "not computed: no reference"
    assert rows["3"]["status"] == "not computed: id not in references"
    assert rows["1"]["bertscore_status"].startswith("not computed: BERTScore disabled")
    assert rows["1"]["side_status"] == "not computed: no SIDE checkpoint"
    python = compute_surface(join(preds, refs), "summarization", "python", options).rows
    assert python[0]["side_status"].startswith("not computed: SIDE not configured for python")


def test_bertscore_config_error_is_an_error_in_every_mode():
    options = SurfaceOptions(bertscore_model="/some/unknown/model")  # no num_layers known
    for mode in ("fail", "record"):
        with pytest.raises(ValueError, match="num_layers"):
            compute_surface(PAIR, "summarization", "python", options, environment_failures=mode)


# ----------------------------------------------------------------------- analyzers


@pytest.fixture
def empty_path(tmp_path, monkeypatch):
    """No tool on PATH and an empty project tools folder."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("CODEPEFT_TOOLS", str(tmp_path / "tools"))
    return empty


@pytest.mark.parametrize(
    ("name", "lang", "fix"),
    [
        ("pmd", "java", "scripts/setup/pmd.sh"),
        ("checkstyle", "java", "scripts/setup/checkstyle.sh"),
        ("semgrep", "python", "scripts/setup/semgrep.sh"),
    ],
)
def test_analyzer_tool_not_on_path(empty_path, name, lang, fix):
    code = JAVA if lang == "java" else "def f():\n    return 1\n"
    records = [{"id": "a", "output": code}, {"id": "b", "output": ""}]
    with pytest.raises(EnvironmentFailure, match=f"{name} not found") as err:
        analyzers.analyze(name, records, "generation", lang)
    assert fix in err.value.fix
    rows, _ = analyzers.analyze(name, records, "generation", lang, environment_failures="record")
    assert rows[0]["status"].startswith(f"not computed: {name} not found")
    assert rows[1]["status"] == "empty_prediction"
    # nothing to analyze (every output empty): nothing missing, no failure
    rows, _ = analyzers.analyze(name, records[1:], "generation", lang)
    assert rows[0]["status"] == "empty_prediction"


def test_analyzer_timeout_names_the_setting(tmp_path, monkeypatch):
    slow = tmp_path / "slowpmd"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(pmd, "executable", lambda: str(slow))
    records = [{"id": "a", "output": JAVA}]
    with pytest.raises(EnvironmentFailure, match="timed out") as err:
        analyzers.analyze("pmd", records, "generation", "java", options={"timeout_s": 0.2})
    assert "analyzers.timeout_s" in err.value.fix


def test_analyze_files_writes_nothing_when_it_fails(empty_path, tmp_path):
    preds = tmp_path / "p.jsonl"
    write_jsonl(preds, [{"id": "a", "output": JAVA}])
    table = tmp_path / "out" / "t.tsv"
    with pytest.raises(EnvironmentFailure):
        analyzers.analyze_files("pmd", [(str(preds), "generation", "java", str(table), None, None)])
    assert not table.exists()


# ----------------------------------------------------------------------- execution


def test_execution_without_a_jdk(tmp_path):
    settings = ev.Settings(
        language="java", allow_untrusted_code=True, java_home=str(tmp_path / "no-jdk")
    )
    tests = {"t": {"id": "t", "language": "java", "test": "assert true;"}}
    with pytest.raises(EnvironmentFailure, match="no JDK") as err:
        ev.evaluate({"t": [JAVA]}, tests, settings)
    assert "JAVA_HOME" in err.value.fix
    # python tasks only: a missing JDK is no failure (nothing needs it); not enabled: a config row
    off = ev.Settings(language="java", java_home=str(tmp_path / "no-jdk"))
    rows, _, _, _ = ev.evaluate({"t": [JAVA]}, tests, off)
    assert rows[0]["status"].startswith("not computed: execution not enabled")


@pytest.mark.skipif(not Path("/usr/bin/bwrap").exists(), reason="no bubblewrap")
def test_execution_without_a_jdk_recorded(tmp_path):
    settings = ev.Settings(
        language="java",
        allow_untrusted_code=True,
        java_home=str(tmp_path / "no-jdk"),
        environment_failures="record",
    )
    tests = {"t": {"id": "t", "language": "java", "test": "assert true;"}}
    rows, _, _, _ = ev.evaluate({"t": [JAVA]}, tests, settings)
    assert rows[0]["status"] == "not computed: no JDK (javac) found"


def test_codereval_harness_without_any_result(tmp_path, monkeypatch):
    """The image's runtime runs but the harness writes nothing (a crash): environment."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    docker = bindir / "docker"
    docker.write_text("#!/bin/sh\nexit 0\n")  # `image inspect` succeeds; the run writes nothing
    docker.chmod(docker.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    cfg = ce.CoderEvalConfig(image="codereval:test", runtime="docker")
    with pytest.raises(EnvironmentFailure, match="CoderEval harness gave no result"):
        ce.run_codereval({"x": ["a"]}, "python", cfg)
    recorded = ce.run_codereval({"x": ["a"]}, "python", cfg, environment_failures="record")
    assert recorded["x"][0].reason.startswith("not computed: CoderEval harness gave no result")
    # no image configured: a config choice, a row in the strict mode too
    unset = ce.run_codereval({"x": ["a"]}, "python", ce.CoderEvalConfig())
    assert "execution.codereval.image is not set" in unset["x"][0].reason


# ----------------------------------------------------------------------- judge


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens there any more: connection refused


PAIRS = [
    {"id": "p1", "code": "def add(a, b):\n    return a + b", "summary": "Add two numbers."},
    {"id": "p2", "code": "def sub(a, b):\n    return a - b", "summary": "Subtract b from a."},
]


def judge_cfg(base_url, tmp_path, **extra):
    return {
        "backend": "openai",
        "base_url": base_url,
        "endpoint": "chat_completions",
        "model": "judge-test-model",
        "api_key_env": None,
        "runs": 2,
        "concurrency": 2,
        "timeout_s": 2,
        "max_retries": 2,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        "cache_dir": str(tmp_path / "cache"),
        **extra,
    }


def test_judge_endpoint_unreachable(tmp_path):
    url = _closed_port_url()
    cfg = judge_cfg(url, tmp_path)
    with pytest.raises(EnvironmentFailure) as err:
        pipeline.run(PAIRS, cfg, tmp_path / "t.tsv")
    assert "transport error" in err.value.reason and "(after 3 tries)" in err.value.reason
    assert url in err.value.fix and "cached" in err.value.fix
    assert not (tmp_path / "t.tsv").exists()
    summary = pipeline.run(PAIRS, cfg, tmp_path / "r.tsv", environment_failures="record")
    rows = read_tsv(tmp_path / "r.tsv")
    assert all(r["status"].startswith("not computed: 0/2 valid runs") for r in rows)
    assert "transport error" in rows[0]["status"]
    assert summary["requests"]["failed"] == 2 * 2 * 3  # 2 pairs x 2 runs x 3 tries


def test_judge_bad_key_fails_after_one_request(tmp_path, monkeypatch):
    server = ScoringServer(api_key="sk-right")
    monkeypatch.setenv("CODEPEFT_ENVFAIL_KEY", "sk-wrong")
    try:
        cfg = judge_cfg(server.base_url, tmp_path, api_key_env="CODEPEFT_ENVFAIL_KEY",
                        concurrency=1)  # fmt: skip
        with pytest.raises(EnvironmentFailure, match="HTTP 401") as err:
            pipeline.run(PAIRS, cfg, tmp_path / "t.tsv")
        assert server.count == 1 and "$CODEPEFT_ENVFAIL_KEY" in err.value.fix
        assert "sk-wrong" not in str(err.value)
    finally:
        server.close()


def test_judge_answers_obtained_before_a_failure_are_cached_for_the_retry(tmp_path):
    """The cache is written answer by answer: after a failed job, its retry asks only for
    what is still missing."""
    down = BackendError("transport error: ConnectError: refused", retryable=True)
    pairs = [{"id": x, "code": "", "summary": x} for x in ("AAA", "BBB")]
    settings = Settings(runs=2, concurrency=1, max_retries=1, backoff_base_s=0.001)
    failing = Scripted({"AAA": [answer(4, 4, 4)], "BBB": [down]})
    judge = Judge(failing, TEMPLATE, DiskCache(tmp_path / "c"), settings)
    with pytest.raises(EnvironmentFailure, match="ConnectError"):
        judge.judge(pairs)
    assert failing.calls["AAA"] == 2  # both runs of AAA answered (and cached) before BBB failed
    healthy = Scripted({"AAA": [answer(1, 1, 1)], "BBB": [answer(5, 5, 5)]})
    again = Judge(healthy, TEMPLATE, DiskCache(tmp_path / "c"), settings)
    rows = {r["id"]: r for r in again.judge(pairs)}
    assert healthy.calls == {"BBB": 2} and again.counters.cached == 2
    assert rows["AAA"]["fluency_mean"] == 4.0 and rows["BBB"]["fluency_mean"] == 5.0


def test_judge_data_and_config_reasons_are_rows_in_the_strict_mode(tmp_path):
    too_long = BackendError("prompt too long for the local model", environment=False)
    backend = Scripted({"AAA": ["no score here"], "BBB": [too_long], "CCC": [answer(3, 3, 3)]})
    pairs = [{"id": x, "code": "", "summary": x} for x in ("AAA", "BBB", "CCC")]
    judge = Judge(
        backend,
        TEMPLATE,
        DiskCache(tmp_path / "c"),
        Settings(runs=1, parse_retries=0, concurrency=1, max_requests=2),
        environment_failures="fail",
    )
    rows = {r["id"]: r for r in judge.judge(pairs)}
    assert "unparsable answer" in rows["AAA"]["status"]  # the answer: data
    assert "prompt too long" in rows["BBB"]["status"]  # the item: data
    assert "request cap reached" in rows["CCC"]["status"]  # max_requests: config


def test_local_judge_model_missing_fails_in_both_modes(tmp_path):
    cfg = {"backend": "local", "model": str(tmp_path / "no-model"), "cache_dir": str(tmp_path)}
    for mode in ("fail", "record"):
        with pytest.raises(EnvironmentFailure, match="local judge model .* could not load"):
            pipeline.run(PAIRS, cfg, tmp_path / "t.tsv", environment_failures=mode)


# ----------------------------------------------------------------------- exit status


def test_cli_exits_3_on_an_environment_failure_and_0_when_recorded(tmp_path, capsys, empty_path):
    preds = tmp_path / "p.jsonl"
    write_jsonl(preds, [{"id": "a", "output": JAVA}])
    analyze = ["analyze", "pmd", str(preds), "--task", "generation", "--lang", "java"]
    assert codepeft_cli.main([*analyze, "--out", str(tmp_path / "a.tsv")]) == 3
    assert "pmd not found" in capsys.readouterr().err and not (tmp_path / "a.tsv").exists()
    assert codepeft_cli.main([*analyze, "--out", str(tmp_path / "b.tsv"),
                              "--environment-failures", "record"]) == 0  # fmt: skip
    assert read_tsv(tmp_path / "b.tsv")[0]["status"].startswith("not computed: pmd not found")

    refs = tmp_path / "r.jsonl"
    write_jsonl(refs, [{"id": "a", "reference": "adds"}])
    write_jsonl(preds, [{"id": "a", "output": "adds two"}])
    metrics = ["metrics", "--predictions", str(preds), "--references", str(refs), "--task",
               "summarization", "--lang", "python", "--families", "surface",
               "--bertscore-model", str(tmp_path / "no-model"), "--bertscore-num-layers", "2"]  # fmt: skip
    assert codepeft_cli.main([*metrics, "--out", str(tmp_path / "m.tsv")]) == 3
    assert "BERTScore model could not run" in capsys.readouterr().err

    write_jsonl(tmp_path / "pairs.jsonl", PAIRS)
    judge = ["judge", "--pairs", str(tmp_path / "pairs.jsonl"), "--out", str(tmp_path / "j.tsv"),
             "--backend", "openai", "--base-url", _closed_port_url(), "--api-key-env", "",
             "--runs", "1", "--max-retries", "0", "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    assert codepeft_cli.main(judge) == 3
    assert "judge request failed" in capsys.readouterr().err
    assert codepeft_cli.main([*judge, "--environment-failures", "record"]) == 0


def test_a_judge_config_file_carries_the_mode(tmp_path):
    """`codepeft judge --config <study config>` takes the study's environment_failures."""
    study = {"environment_failures": "record", "judge": judge_cfg(_closed_port_url(), tmp_path)}
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(study))
    write_jsonl(tmp_path / "pairs.jsonl", PAIRS)
    argv = ["judge", "--config", str(tmp_path / "study.yaml"), "--pairs",
            str(tmp_path / "pairs.jsonl"), "--out", str(tmp_path / "j.tsv")]  # fmt: skip
    assert codepeft_cli.main(argv) == 0
    assert codepeft_cli.main([*argv, "--environment-failures", "fail"]) == 3


@pytest.mark.slow  # loads torch and transformers
def test_the_python_process_exits_non_zero(tmp_path):
    """What Snakemake sees of a rule script: the process's exit status."""
    import subprocess

    preds, refs = tmp_path / "p.jsonl", tmp_path / "r.jsonl"
    write_jsonl(preds, [{"id": "a", "output": "adds two"}])
    write_jsonl(refs, [{"id": "a", "reference": "adds"}])
    argv = [sys.executable, "-m", "codepeft.cli", "metrics", "--predictions", str(preds),
            "--references", str(refs), "--task", "summarization", "--lang", "python",
            "--families", "surface", "--out", str(tmp_path / "m.tsv"),
            "--bertscore-model", str(tmp_path / "no-model"), "--bertscore-num-layers", "2"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "environment failure: BERTScore model could not run" in proc.stderr
    assert "codepeft fetch" in proc.stderr and not (tmp_path / "m.tsv").exists()
