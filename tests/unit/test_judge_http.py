"""The judge against real HTTP servers on 127.0.0.1 (see tests/judge_servers.py): both endpoints,
retries on 429/500/timeouts/malformed bodies, unparsable answers, the request cap, a rerun that
makes zero requests, and an API key that never reaches a file or a log."""

from __future__ import annotations

import json
import logging

import pytest

from codepeft.failures import EnvironmentFailure
from codepeft.io import read_tsv, write_jsonl
from codepeft.judge import cli, pipeline
from codepeft.judge.rubric import load_template
from codepeft.judge.runner import CAP_REACHED
from tests.judge_servers import FaultServer, ScoringServer, expected_scores, prompt_of

FAKE_KEY = "sk-test-CODEPEFT-d1st1nct1v3-7f3a9c0e5b"
KEY_ENV = "CODEPEFT_TEST_JUDGE_KEY"

PAIRS = [
    {"id": "p1", "code": "def add(a, b):\n    return a + b", "summary": "Add two numbers a and b."},
    {
        "id": "p2",
        "code": "public int size() { return items.size(); }",
        "summary": "returns the number of items in this list and also some more words here "
        "that make it long and wordy and not concise at all really",
    },
    {"id": "p3", "code": "def noop():\n    pass", "summary": ""},
    {"id": "p4", "code": "x = {'a': 1}  # braces {code}", "summary": "Build a dict {a: 1}."},
]


@pytest.fixture
def scoring_server():
    server = ScoringServer(api_key=FAKE_KEY)
    yield server
    server.close()


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
    return KEY_ENV


def cfg_for(server, tmp_path, **extra):
    cfg = {
        "backend": "openai",
        "base_url": server.base_url,
        "model": "judge-test-model",
        "api_key_env": KEY_ENV,
        "runs": 2,
        "concurrency": 3,
        "timeout_s": 0.5,
        "max_retries": 4,
        "backoff_base_s": 0.01,
        "backoff_max_s": 2.0,
        "cache_dir": str(tmp_path / "cache"),
    }
    cfg.update(extra)
    return cfg


@pytest.mark.parametrize("endpoint", ["responses", "chat_completions"])
def test_both_endpoints_score_and_rerun_costs_nothing(scoring_server, key_env, tmp_path, endpoint):
    cfg = cfg_for(scoring_server, tmp_path, endpoint=endpoint)
    out = tmp_path / "t.tsv"
    first = pipeline.run(PAIRS, cfg, out, tmp_path / "t.summary.json")
    assert first["requests"]["made"] == len(PAIRS) * 2 == scoring_server.count
    path = "/v1/responses" if endpoint == "responses" else "/v1/chat/completions"
    assert {r["path"] for r in scoring_server.requests} == {path}
    rows = read_tsv(out)
    assert [r["id"] for r in rows] == [p["id"] for p in PAIRS]
    for pair, row in zip(PAIRS, rows, strict=True):
        a, c, f = expected_scores(pair["code"], pair["summary"])
        assert row["status"] == "ok" and row["n_valid"] == "2"
        assert float(row["content_adequacy_mean"]) == a and int(row["content_adequacy_mode"]) == a
        assert float(row["conciseness_mean"]) == c and float(row["fluency_mean"]) == f
    assert len({r["conciseness_mean"] for r in rows}) > 1  # the rule differentiates
    body = scoring_server.bodies[0]
    assert body["model"] == "judge-test-model" and "temperature" not in body
    rendered = load_template().render(PAIRS[0]["code"], PAIRS[0]["summary"], "")
    assert rendered in {prompt_of(b) for b in scoring_server.bodies}

    before = scoring_server.count
    second = pipeline.run(PAIRS, cfg, tmp_path / "t2.tsv", tmp_path / "t2.summary.json")
    assert scoring_server.count == before  # zero requests
    assert second["requests"]["made"] == 0 and second["requests"]["cached"] == len(PAIRS) * 2
    assert (tmp_path / "t2.tsv").read_text() == out.read_text()
    # a change of decoding parameters is a different cache key: it asks again
    third = pipeline.run(PAIRS[:1], {**cfg, "temperature": 0.3}, tmp_path / "t3.tsv")
    assert third["requests"]["made"] == 2 and scoring_server.count == before + 2


def test_retries_on_429_500_timeout_and_malformed_body_then_succeed(key_env, tmp_path):
    server = FaultServer(["429", "500", "hang", "malformed", "503"], api_key=FAKE_KEY)
    server.hang_s = 1.5
    try:
        cfg = cfg_for(server, tmp_path, runs=1, max_retries=5, concurrency=2)
        summary = pipeline.run(PAIRS[:2], cfg, tmp_path / "t.tsv", tmp_path / "t.summary.json")
    finally:
        server.close()
    rows = read_tsv(tmp_path / "t.tsv")
    assert [r["status"] for r in rows] == ["ok", "ok"]
    for pair, row in zip(PAIRS[:2], rows, strict=True):
        assert float(row["fluency_mean"]) == expected_scores(pair["code"], pair["summary"])[2]
    req = summary["requests"]
    assert req["made"] == 12 and req["failed"] == 10 and req["retried"] == 10
    assert server.count == 12
    # Retry-After: 1 was honoured (backoff alone would have waited ~0.01 s)
    ordered = sorted(server.requests, key=lambda r: r["time"])
    gaps = [b["time"] - a["time"] for a, b in zip(ordered, ordered[1:], strict=False)]
    assert max(gaps) >= 0.9


def test_retries_exhausted_are_missing_with_reason(key_env, tmp_path):
    server = FaultServer(["500"] * 10, api_key=FAKE_KEY)
    try:
        cfg = cfg_for(server, tmp_path, runs=1, max_retries=2, concurrency=1)
        # lenient mode (strict: test_environment_failures.py)
        summary = pipeline.run(PAIRS[:1], cfg, tmp_path / "t.tsv", environment_failures="record")
    finally:
        server.close()
    (row,) = read_tsv(tmp_path / "t.tsv")
    assert row["status"].startswith("not computed: 0/1 valid runs")
    assert "HTTP 500: internal error (after 3 tries)" in row["missing"]
    assert row["content_adequacy_mean"] == "" and server.count == 3
    assert summary["requests"]["failed"] == 3
    # failures are not cached: a rerun (server healthy now) asks again and succeeds
    healthy = ScoringServer(api_key=FAKE_KEY)
    try:
        again = pipeline.run(PAIRS[:1], {**cfg, "base_url": healthy.base_url}, tmp_path / "u.tsv")
    finally:
        healthy.close()
    assert again["requests"]["made"] == 1 and read_tsv(tmp_path / "u.tsv")[0]["status"] == "ok"


def test_malformed_answers_are_reasked_then_recorded_missing(key_env, tmp_path):
    server = FaultServer(["garbage", "garbage"], api_key=FAKE_KEY)
    try:
        ok = pipeline.run(
            PAIRS[:1], cfg_for(server, tmp_path, runs=1, parse_retries=2), tmp_path / "a.tsv"
        )
        assert read_tsv(tmp_path / "a.tsv")[0]["status"] == "ok"  # third attempt parsed
        assert ok["requests"]["made"] == 3 and ok["requests"]["unparsable_answers"] == 2

        server.per_prompt.clear()
        bad = pipeline.run(
            PAIRS[:1],
            cfg_for(server, tmp_path, runs=1, parse_retries=1, cache_dir=str(tmp_path / "c2")),
            tmp_path / "b.tsv",
        )
    finally:
        server.close()
    (row,) = read_tsv(tmp_path / "b.tsv")
    assert bad["requests"]["made"] == 2
    assert row["status"].startswith("not computed")
    assert "unparsable answer: no score for Content adequacy" in row["missing"]
    assert "(2 attempts)" in row["missing"]


def test_request_cap_holds_and_rest_is_recorded_missing(scoring_server, key_env, tmp_path):
    cfg = cfg_for(scoring_server, tmp_path, runs=2, concurrency=3, max_requests=5)
    summary = pipeline.run(PAIRS, cfg, tmp_path / "t.tsv", tmp_path / "t.summary.json")
    assert scoring_server.count == 5
    assert summary["requests"]["made"] == 5 and summary["requests"]["cap_reached"]
    rows = read_tsv(tmp_path / "t.tsv")
    assert len(rows) == len(PAIRS)
    assert sum(int(r["n_valid"]) for r in rows) == 5
    assert sum(r["missing"].count(CAP_REACHED) for r in rows) == 3
    # a second capped invocation pays only for what is still missing
    again = pipeline.run(PAIRS, cfg, tmp_path / "t2.tsv")
    assert again["requests"]["cached"] == 5 and again["requests"]["made"] == 3
    assert scoring_server.count == 8 and not again["requests"]["cap_reached"]
    assert all(r["status"] == "ok" and r["n_valid"] == "2" for r in read_tsv(tmp_path / "t2.tsv"))


def test_bad_key_stops_everything(monkeypatch, scoring_server, tmp_path):
    monkeypatch.setenv(KEY_ENV, "sk-wrong")
    summary = pipeline.run(  # lenient mode (strict: test_environment_failures.py)
        PAIRS,
        cfg_for(scoring_server, tmp_path, runs=3, concurrency=1),
        tmp_path / "t.tsv",
        environment_failures="record",
    )
    assert scoring_server.count == 1 and summary["requests"]["aborted"].startswith("HTTP 401")
    assert all("HTTP 401" in r["status"] for r in read_tsv(tmp_path / "t.tsv"))


def test_api_key_is_in_no_file_and_no_log(key_env, tmp_path, capsys, caplog, monkeypatch):
    """The CLI end to end (faults included, so error paths are logged): the server must see
    the key (else this test proves nothing), and no byte of it may land anywhere we wrote."""
    caplog.set_level(logging.DEBUG)
    server = FaultServer(["429", "500", "garbage", "hang"], api_key=FAKE_KEY)
    server.retry_after = "0"
    server.hang_s = 1.0
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    write_jsonl(work / "pairs.jsonl", PAIRS)
    argv = [
        "--pairs",
        "pairs.jsonl",
        "--out",
        "out/table.tsv",
        "--backend",
        "openai",
        "--base-url",
        server.base_url,
        "--model",
        "judge-test-model",
        "--api-key-env",
        KEY_ENV,
        "--runs",
        "2",
        "--timeout",
        "0.5",
        "--backoff-base",
        "0.01",
        "--cache-dir",
        "cache",
        "--log",
        "judge.log",
    ]
    try:
        assert cli.main(argv) == 0
        assert cli.main(argv) == 0  # the rerun (all cached) logs too
        # an aborted run logs its 401 reason, and fails (an environment failure) without
        # the key in its message
        monkeypatch.setenv(KEY_ENV, FAKE_KEY + "-revoked")
        revoked = [*argv[:-4], "--cache-dir", "cache2", "--log", "judge2.log"]
        revoked[revoked.index("out/table.tsv")] = "out/revoked.tsv"
        with pytest.raises(EnvironmentFailure, match="HTTP 401") as failure:
            cli.main(revoked)
        assert FAKE_KEY not in str(failure.value)
        assert "HTTP 401" in (work / "judge2.log").read_text()
    finally:
        server.close()
    assert server.count > 2 * len(PAIRS)
    assert any(r["auth"] == f"Bearer {FAKE_KEY}" for r in server.requests)
    rows = read_tsv(work / "out" / "table.tsv")
    assert [r["status"] for r in rows] == ["ok"] * len(PAIRS)
    written = [p for p in work.rglob("*") if p.is_file()]
    assert len(written) > 10  # table, summary, logs, cache entries
    assert (work / "judge.log").read_text().count("retry") >= 2
    secret = FAKE_KEY.encode()
    for path in written:
        assert secret not in path.read_bytes(), path
        assert b"d1st1nct1v3" not in path.read_bytes(), path
    captured = capsys.readouterr()
    assert FAKE_KEY not in captured.out + captured.err
    assert all("d1st1nct1v3" not in r.getMessage() for r in caplog.records)
    summary = json.loads((work / "out" / "table.summary.json").read_text())
    assert summary["backend"]["api_key_env"] == KEY_ENV and summary["backend"]["api_key_set"]
