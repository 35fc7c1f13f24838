"""Unit tests of the judge: rubric parsing, aggregation, cache keys, backoff, request bodies,
the runner's bookkeeping (with a scripted in-process backend), the join by id."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from codepeft.io import read_tsv, write_jsonl
from codepeft.judge import pipeline
from codepeft.judge.base import Backend, BackendError, Completion
from codepeft.judge.cache import DiskCache, cache_key
from codepeft.judge.openai_compatible import (
    OpenAICompatibleBackend,
    extract_chat_text,
    extract_responses_text,
    parse_retry_after,
)
from codepeft.judge.rubric import (
    DEFAULT_CRITERIA,
    Template,
    criterion_key,
    load_template,
    mode,
    parse_answer,
)
from codepeft.judge.runner import CAP_REACHED, Judge, Settings, backoff_delay, columns

# --- rubric ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Content adequacy: 4\nConciseness: 5\nFluency: 3",
        "**Content adequacy:** 4\n**Conciseness:** 5\n**Fluency:** 3\n",
        "Here are my ratings.\n1. Content Adequacy: 4/5\n2. Conciseness: 5/5\n3. Fluency: 3/5",
        "- content adequacy = 4\n- conciseness = 5\n- fluency = 3 (fair)",
        "Content_adequacy: 4\nConciseness - 5\nFluency: 3",
    ],
)
def test_parse_answer_accepts_common_forms(text):
    parsed = parse_answer(text)
    assert parsed.reason == "ok"
    assert parsed.scores == {"Content adequacy": 4, "Conciseness": 5, "Fluency": 3}


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty answer"),
        (None, "empty answer"),
        ("Content adequacy: 4\nConciseness: 5", "no score for Fluency"),
        (
            "Content adequacy: 7\nConciseness: 5\nFluency: 3",
            "out of range for Content adequacy (7)",
        ),
        ("Content adequacy: 0\nConciseness: 5\nFluency: 3", "out of range"),
        ("Content adequacy: 3.5\nConciseness: 5\nFluency: 3", "non-integer score"),
        (
            "Content adequacy: 2\nConciseness: 5\nFluency: 3\nContent adequacy: 4",
            "conflicting scores for Content adequacy (2, 4)",
        ),
        ("Content adequacy: <score>\nConciseness: <score>\nFluency: <score>", "no score"),
        ("the the the sum of", "no score for Content adequacy"),
    ],
)
def test_parse_answer_rejects_with_reason(text, fragment):
    parsed = parse_answer(text)
    assert parsed.scores is None
    assert parsed.reason.startswith(("unparsable answer", "empty answer"))
    assert fragment in parsed.reason


def test_parse_answer_same_score_twice_is_fine_and_custom_criteria():
    assert parse_answer("Fluency: 3\nfluency: 3", ("Fluency",)).scores == {"Fluency": 3}
    assert parse_answer("Usefulness: 2", ("Usefulness",)).scores == {"Usefulness": 2}


def test_mode_tie_goes_to_lowest_and_criterion_keys():
    assert mode([4, 4, 2, 2, 5]) == 2
    assert mode([3, 5, 5]) == 5
    assert mode([]) is None
    assert [criterion_key(c) for c in DEFAULT_CRITERIA] == [
        "content_adequacy",
        "conciseness",
        "fluency",
    ]


def test_default_template_is_the_paper_rubric_and_renders_literally(tmp_path):
    template = load_template()
    for name in DEFAULT_CRITERIA:
        assert f"{name}: <score>" in template.text
    assert "very poor" in template.text and "very good" in template.text
    code = "def f(x):\n    return {'a': x}  # {summary}"
    prompt = template.render(code, "Returns a dict {x}.", "python")
    assert code in prompt and "Returns a dict {x}." in prompt and "```python" in prompt
    assert len(template.sha256) == 64
    bad = tmp_path / "bad.txt"
    bad.write_text("Rate this: {summary}")
    with pytest.raises(ValueError, match=r"\{code\}"):
        load_template(bad)


# --- cache ---------------------------------------------------------------------------


def test_cache_key_depends_on_every_component(tmp_path):
    base = dict(backend={"kind": "openai"}, model="m", prompt="p", run=0, attempt=0, decoding={})
    key = cache_key(**base)
    assert key == cache_key(**base)
    for change in [
        {"backend": {"kind": "local"}},
        {"model": "m2"},
        {"prompt": "p2"},
        {"run": 1},
        {"attempt": 1},
        {"decoding": {"temperature": 0.5}},
    ]:
        assert cache_key(**{**base, **change}) != key, change
    cache = DiskCache(tmp_path / "c")
    assert cache.get(key) is None
    cache.put(key, {"text": "Fluency: 3"})
    assert cache.get(key) == {"text": "Fluency: 3"}
    (tmp_path / "c" / key[:2] / f"{key}.json").write_text("{broken")
    assert cache.get(key) is None  # corrupt entry counts as absent


# --- backoff and HTTP details --------------------------------------------------------


def test_backoff_grows_exponentially_with_jitter_and_honours_retry_after():
    s = Settings(backoff_base_s=1.0, backoff_max_s=10.0)
    for retry, (lo, hi) in enumerate([(0.5, 1), (1, 2), (2, 4), (4, 8), (5, 10), (5, 10)]):
        delays = {backoff_delay(retry, s, None) for _ in range(50)}
        assert all(lo <= d <= hi for d in delays)
        assert len(delays) > 1  # jitter
    assert backoff_delay(0, s, 7.0) == 7.0
    assert backoff_delay(0, s, 999.0) == 10.0  # capped


def test_parse_retry_after_forms():
    assert parse_retry_after(httpx.Headers({"Retry-After": "3"})) == 3.0
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "250"})) == 0.25
    assert parse_retry_after(httpx.Headers({})) is None
    date = "Sun, 29 Nov 2026 08:00:10 GMT"
    now = time.mktime(time.strptime("2026-11-29 08:00:00", "%Y-%m-%d %H:%M:%S")) - time.timezone
    assert parse_retry_after(httpx.Headers({"Retry-After": date}), now=now) == pytest.approx(10)


def test_request_bodies_omit_nulls_and_map_max_tokens(monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    r = OpenAICompatibleBackend("http://x/v1", "gpt-5-mini", api_key_env="NO_SUCH_KEY_VAR")
    assert r.body("P") == {"model": "gpt-5-mini", "input": "P", "store": False}
    c = OpenAICompatibleBackend(
        "http://x/v1/",
        "m",
        endpoint="chat_completions",
        api_key_env=None,
        temperature=0.2,
        max_tokens=20,
        extra_body={"seed": 3},
    )
    assert c.url == "http://x/v1/chat/completions"
    assert c.body("P") == {
        "model": "m",
        "messages": [{"role": "user", "content": "P"}],
        "temperature": 0.2,
        "max_completion_tokens": 20,
        "seed": 3,
    }
    r2 = OpenAICompatibleBackend(
        "http://x/v1", "m", api_key_env=None, max_tokens=9, extra_body={"store": None}
    )
    assert r2.body("P") == {"model": "m", "input": "P", "max_output_tokens": 9}
    with pytest.raises(ValueError, match="endpoint"):
        OpenAICompatibleBackend("http://x/v1", "m", endpoint="completions")


def test_response_text_extraction():
    text, status = extract_responses_text(
        {
            "status": "incomplete",
            "incomplete_details": {"reason": "max_output_tokens"},
            "output": [
                {"type": "reasoning", "summary": []},
                {"type": "message", "content": [{"type": "output_text", "text": "Fluency: 2"}]},
            ],
        }
    )
    assert text == "Fluency: 2" and status == "incomplete: max_output_tokens"
    assert extract_responses_text({"output": [{"type": "reasoning"}]})[0] is None
    with pytest.raises(ValueError):
        extract_responses_text({"choices": []})
    assert extract_chat_text({"choices": [{"message": {"content": "x"}, "finish_reason": "stop"}]})
    with pytest.raises(ValueError):
        extract_chat_text({"output": []})


# --- runner with a scripted in-process backend ---------------------------------------


class Scripted(Backend):
    """Answers from a per-prompt script of texts / BackendErrors (last entry repeats)."""

    kind = "scripted"
    model = "scripted-model"

    def __init__(self, script):
        self.script = script
        self.calls: dict[str, int] = {}

    def identity(self):
        return {"kind": self.kind}

    def decoding(self):
        return {}

    def complete(self, prompt, seed):
        key = next(k for k in self.script if k in prompt)
        n = self.calls.get(key, 0)
        self.calls[key] = n + 1
        item = self.script[key][min(n, len(self.script[key]) - 1)]
        if isinstance(item, BaseException):
            raise item
        return Completion(text=item)


TEMPLATE = Template("Code: {code}\nComment: {summary}\n", "inline")


def answer(a, c, f):
    return f"Content adequacy: {a}\nConciseness: {c}\nFluency: {f}"


def test_runner_mean_mode_statuses_and_cache(tmp_path):
    backend = Scripted(
        {
            "AAA": [answer(4, 5, 3), answer(2, 5, 3), answer(4, 1, 3)],
            "BBB": ["no idea", answer(1, 1, 1), "nope"],
            "CCC": ["garbage"],
        }
    )
    pairs = [{"id": x, "code": "c", "summary": x} for x in ("AAA", "BBB", "CCC")]
    settings = Settings(runs=3, parse_retries=1, concurrency=1, min_valid_runs=1)
    judge = Judge(backend, TEMPLATE, DiskCache(tmp_path / "cache"), settings)
    rows = {r["id"]: r for r in judge.judge(pairs)}
    a = rows["AAA"]
    assert a["content_adequacy_mean"] == pytest.approx(10 / 3)
    assert a["content_adequacy_mode"] == 4
    assert a["conciseness_mode"] == 5 and a["fluency_mean"] == 3.0
    assert a["n_valid"] == 3 and a["status"] == "ok" and a["missing"] == ""
    b = rows["BBB"]  # run 0: "no idea" then 1/1/1 on the re-ask; runs 1, 2: "nope" twice
    assert b["n_valid"] == 1 and b["content_adequacy_mean"] == 1.0 and b["status"] == "ok"
    assert "run 1: unparsable answer" in b["missing"] and "(2 attempts)" in b["missing"]
    c = rows["CCC"]
    assert c["status"].startswith("not computed: 0/3 valid runs")
    assert c["content_adequacy_mean"] is None and c["fluency_mode"] is None
    made = judge.counters.made
    assert made == 3 + 6 + 6 and judge.counters.unparsable == 0 + 5 + 6
    # second judge over the same cache: no request at all, same rows
    again = Judge(
        Scripted({"AAA": ["x"], "BBB": ["x"], "CCC": ["x"]}),
        TEMPLATE,
        DiskCache(tmp_path / "cache"),
        settings,
    )
    rows2 = {r["id"]: r for r in again.judge(pairs)}
    assert again.counters.made == 0 and again.counters.cached == made
    assert rows2 == rows


def test_runner_min_valid_runs_cap_and_abort(tmp_path):
    backend = Scripted({"AAA": [answer(3, 3, 3), "x", "x"], "BBB": [answer(5, 5, 5)]})
    pairs = [
        {"id": "AAA", "code": "", "summary": "AAA"},
        {"id": "BBB", "code": "", "summary": "BBB"},
    ]
    judge = Judge(
        backend,
        TEMPLATE,
        DiskCache(tmp_path / "c1"),
        Settings(runs=3, parse_retries=0, min_valid_runs=2, concurrency=1),
    )
    rows = {r["id"]: r for r in judge.judge(pairs)}
    assert rows["AAA"]["status"].startswith("not computed: 1/3 valid runs (need 2)")
    assert rows["AAA"]["conciseness_mean"] is None and rows["BBB"]["status"] == "ok"

    capped = Judge(
        Scripted({"AAA": [answer(3, 3, 3)], "BBB": [answer(5, 5, 5)]}),
        TEMPLATE,
        DiskCache(tmp_path / "c2"),
        Settings(runs=2, max_requests=3, concurrency=2),
    )
    rows = capped.judge(pairs)
    assert capped.counters.made == 3 and capped.counters.cap_reached
    assert sum(r["n_valid"] for r in rows) == 3
    assert CAP_REACHED in " ".join(r["missing"] for r in rows)

    deny = BackendError("HTTP 401: bad key", abort_all=True)
    aborted = Judge(  # lenient: the rows say why (strict: test_environment_failures.py)
        Scripted({"AAA": [deny], "BBB": [deny]}),
        TEMPLATE,
        DiskCache(tmp_path / "c3"),
        Settings(runs=3, concurrency=1),
        environment_failures="record",
    )
    rows = aborted.judge(pairs)
    assert aborted.counters.made == 1 and aborted.counters.aborted == "HTTP 401: bad key"
    assert all(r["status"].startswith("not computed") and "HTTP 401" in r["status"] for r in rows)


def test_runner_retries_transport_errors_then_gives_up(tmp_path):
    flaky = BackendError("HTTP 500: boom", retryable=True)
    backend = Scripted({"AAA": [flaky, flaky, answer(2, 2, 2)], "BBB": [flaky]})
    pairs = [
        {"id": "AAA", "code": "", "summary": "AAA"},
        {"id": "BBB", "code": "", "summary": "BBB"},
    ]
    judge = Judge(
        backend,
        TEMPLATE,
        DiskCache(tmp_path / "c"),
        Settings(runs=1, max_retries=3, backoff_base_s=0.001, backoff_max_s=0.01),
        environment_failures="record",  # strict: test_environment_failures.py
    )
    rows = {r["id"]: r for r in judge.judge(pairs)}
    assert rows["AAA"]["status"] == "ok" and rows["AAA"]["fluency_mean"] == 2.0
    assert rows["BBB"]["missing"] == "run 0: HTTP 500: boom (after 4 tries)"
    assert backend.calls == {"AAA": 3, "BBB": 4}
    assert judge.counters.retried == 2 + 3 and judge.counters.failed == 2 + 4


def test_deterministic_backend_is_not_reasked(tmp_path):
    backend = Scripted({"AAA": ["nonsense"]})
    backend.deterministic = True
    judge = Judge(backend, TEMPLATE, DiskCache(tmp_path / "c"), Settings(runs=1, parse_retries=3))
    (row,) = judge.judge([{"id": "AAA", "code": "", "summary": "AAA"}])
    assert backend.calls == {"AAA": 1} and "(1 attempt)" in row["missing"]


# --- join by id and table shape --------------------------------------------------------


def test_pairs_join_by_id_and_table_columns(tmp_path):
    test = tmp_path / "test.jsonl"
    preds = tmp_path / "preds.jsonl"
    write_jsonl(
        test,
        [
            {
                "id": "a",
                "task": "summarization",
                "language": "python",
                "inputs": {"code": "def a(): pass"},
            },
            {
                "id": "b",
                "task": "summarization",
                "language": "python",
                "inputs": {"code": "def b(): pass"},
            },
        ],
    )
    write_jsonl(
        preds,
        [
            {"id": "b", "language": "python", "output": "Does b."},
            {"id": "a", "language": "python", "output": ""},
        ],
    )
    pairs = pipeline.pairs_from_predictions(preds, test)
    assert [p["id"] for p in pairs] == ["b", "a"]
    assert pairs[0]["code"] == "def b(): pass" and pairs[1]["summary"] == ""
    write_jsonl(preds, [{"id": "zzz", "output": "x"}])
    with pytest.raises(ValueError, match="zzz"):
        pipeline.pairs_from_predictions(preds, test)

    backend = Scripted({"def": [answer(3, 4, 5)]})
    out = tmp_path / "t.tsv"
    summary = pipeline.run(
        [{"id": "a", "code": "def a", "summary": ""}, {"id": "b", "code": "def b", "summary": "s"}],
        {"runs": 2, "cache_dir": str(tmp_path / "cache")},
        out,
        tmp_path / "t.summary.json",
        backend=backend,
    )
    rows = read_tsv(out)
    assert list(rows[0]) == columns() and [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["conciseness_mode"] == "4" and rows[0]["status"] == "ok"
    written = json.loads((tmp_path / "t.summary.json").read_text())
    assert written["requests"]["made"] == 4 and written["runs"] == 2
    assert written["template"]["sha256"] == load_template().sha256
    assert summary["mean_over_ok_instances"]["fluency"] == 5.0
    with pytest.raises(ValueError, match="unknown judge setting"):
        pipeline.with_defaults({"runz": 3})


def test_schema_defaults_match_the_package_defaults():
    from codepeft import config as study_config

    schema = study_config.load_schema()["properties"]["judge"]
    defaults = {k: v["default"] for k, v in schema["properties"].items()}
    # no second table: the pipeline and the runner read the schema's defaults
    assert not hasattr(pipeline, "DEFAULTS")
    assert pipeline.with_defaults({}) == defaults
    settings = pipeline.settings_from({})
    assert settings == Settings() and settings.runs == defaults["runs"] == 5
    assert settings.criteria == tuple(defaults["criteria"])
    assert all(v.get("description") for v in schema["properties"].values())


def test_one_api_key_policy_for_cli_and_rule(tmp_path, monkeypatch, capsys):
    """A backend that needs a key is refused before any request when its variable is unset,
    by `codepeft judge` as by the rule (both call pipeline.check_api_key)."""
    from codepeft.judge import cli

    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    cfg = pipeline.with_defaults({"backend": "openai", "api_key_env": "NO_SUCH_KEY_VAR"})
    with pytest.raises(pipeline.MissingAPIKey, match="NO_SUCH_KEY_VAR is not set"):
        pipeline.check_api_key(cfg)
    with pytest.raises(pipeline.MissingAPIKey):
        pipeline.build_backend(cfg)
    pipeline.check_api_key(cfg, environ={"NO_SUCH_KEY_VAR": "k"})
    pipeline.check_api_key({**cfg, "api_key_env": None})  # a server without authentication
    pipeline.check_api_key({**cfg, "backend": "local"})  # needs no key
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text('{"id": "a", "code": "def f(): pass", "summary": "does f"}\n')
    out = tmp_path / "t.tsv"
    argv = ["--pairs", str(pairs), "--out", str(out), "--backend", "openai"]
    argv += ["--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--api-key-env"]
    assert cli.main([*argv, "NO_SUCH_KEY_VAR", "--cache-dir", str(tmp_path / "c")]) == 2
    assert "NO_SUCH_KEY_VAR is not set" in capsys.readouterr().err and not out.exists()
    rule = (Path(__file__).parents[2] / "workflow" / "scripts" / "judge.py").read_text()
    assert "check_api_key(" in rule
