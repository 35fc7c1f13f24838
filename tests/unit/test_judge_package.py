"""The judge as the replication package ran it (paper preset; PACKAGE.md section 6): its prompt
byte for byte, the Responses call, its parsing rule, empty-answer retries, skipped short
summaries and the mean over runs with NaN skipped. HTTP tests use the loopback servers of
tests/judge_servers.py."""

from __future__ import annotations

import pytest

from codepeft.io import read_tsv
from codepeft.judge import pipeline
from codepeft.judge.rubric import load_template, packaged_template_path, parse_answer_package
from codepeft.judge.runner import Judge, RunResult, Settings, answered
from tests.judge_servers import FaultServer, ScoringServer, expected_scores, prompt_of

FAKE_KEY = "sk-test-CODEPEFT-package-judge-0c4e"
KEY_ENV = "CODEPEFT_TEST_JUDGE_KEY"

# The package's prompt (summarization/codereval/evaluate_summarization_llm_judge.py:35-61),
# typed here once more so that a changed resource file fails this test.
PACKAGE_PROMPT = (
    'You will be provided with a {lang} function ("Function") and a textual summary of it '
    '("Comment"). The goal of the Comment is to document the functionality implemented in the '
    "Function. Your role is to evaluate the Comment across three criteria, providing as output "
    "for each of them a rating and a rationale as described in the following.\n"
    "\n"
    "# Evaluation Criteria\n"
    "* Content adequacy: the extent to which the comment summarizes all information that can "
    "be inferred from the source code.\n"
    "\n"
    "* Conciseness: the extent to which the comment contains unnecessary information.\n"
    "\n"
    "* Fluency: the extent to which the comment is easy to understand.\n"
    "\n"
    "For each criterion, provide a score on a scale from 1 to 5:\n"
    "\n"
    "1. Very poor\n"
    "2. Poor\n"
    "3. Fair\n"
    "4. Good\n"
    "5. Very good\n"
    "\n"
    "# Function\n"
    "{code}\n"
    "\n"
    "# Comment\n"
    "{summary}\n"
    "\n"
    "Please provide your ratings in this exact format:\n"
    "Content adequacy: [score]\n"
    "Conciseness: [score]\n"
    "Fluency: [score]"
)

PACKAGE_CFG = {
    "template": "package",
    "parse_rule": "package",
    "verbosity": "low",
    "max_tokens": 1024,
    "runs": 5,
    "parse_retries": 4,
    "empty_retries": 2,
    "min_summary_chars": 3,
    "blank_answer": "answer",
}


def fill(code, summary, language):
    """What the package's f-string gives (one pass: braces in code/summary stay as written)."""
    return PACKAGE_PROMPT.format(lang=language.capitalize(), code=code, summary=summary)


# ------------------------------------------------------------------ the prompt
def test_package_prompt_resource_is_the_template_byte_for_byte():
    path = packaged_template_path("package")
    assert path.read_bytes() == PACKAGE_PROMPT.encode("utf-8")  # no trailing newline
    source = path.with_name("package_prompt.source.md").read_text()
    assert "summarization/codereval/evaluate_summarization_llm_judge.py:35-61" in source
    assert "alvi75/MultiTask-QLoRA-NFAnalysis" in source


@pytest.mark.parametrize("language", ["java", "python"])
def test_rendered_prompt_equals_the_packages(language):
    code = "def f(x):\n    return {'a': x}  # {summary} stays"
    summary = "Return a dict {code} with x."
    rendered = load_template("package").render(code, summary, language)
    assert rendered == fill(code, summary, language)
    assert rendered.startswith(f"You will be provided with a {language.capitalize()} function")
    assert rendered.endswith("Fluency: [score]")


# ------------------------------------------------------------------ the parsing rule
@pytest.mark.parametrize(
    ("answer", "scores"),
    [
        ("Content adequacy: 4\nConciseness: 3\nFluency: 5", (4, 3, 5)),
        # case-insensitive; the first digit 1-5 of the line; 0 and 6-9 are skipped
        ("CONTENT ADEQUACY - 10/5\nconciseness: 0 then 2\nFluency (1-5): 4", (1, 2, 1)),
        # a later matching line overwrites; a matching line without a digit changes nothing
        (
            "Content adequacy: 4\nConciseness: 3\nFluency: 5\n"
            "Rationale for content adequacy: covers it, 2 details missing\nFluency: fine",
            (2, 3, 5),
        ),
        # elif: a line naming several criteria feeds the first in the order CA, conc., fluency
        (
            "Content adequacy: 4\nFluency and conciseness: 2\nConciseness: 3\nFluency: 5",
            (4, 3, 5),
        ),
        ("**Content adequacy**: 4\n**Conciseness**: 3\n**Fluency**: 5", (4, 3, 5)),
    ],
)
def test_package_parsing_rule(answer, scores):
    parsed = parse_answer_package(answer)
    assert parsed.reason == "ok"
    assert tuple(parsed.scores[c] for c in ("Content adequacy", "Conciseness", "Fluency")) == (
        scores
    )


def test_package_parsing_keeps_partial_scores_and_says_what_is_missing():
    parsed = parse_answer_package("Content adequacy: 4\nConciseness: 3\nFluency: great")
    assert parsed.scores == {"Content adequacy": 4, "Conciseness": 3}
    assert parsed.reason == "unparsable answer: no score for Fluency"
    assert parse_answer_package("").scores is None
    assert parse_answer_package("no scores here").scores is None


def test_a_digit_int_cannot_read_ends_the_line_without_a_score():
    """The package's `1 <= int(char) <= 5` raised ValueError on a superscript (its evaluation
    stopped, :119-132), so it never read a score past one: the line gives no score here (the
    run is asked again), not the next digit. Decimal digits of other scripts count, as int()
    reads them."""
    parsed = parse_answer_package("Content adequacy: \u00b2 (4 facts)\nConciseness: 3\nFluency: 5")
    assert parsed.scores == {"Conciseness": 3, "Fluency": 5}
    assert parsed.reason == "unparsable answer: no score for Content adequacy"
    # a circled digit likewise; 0 and 6-9 before it are skipped as the package skipped them
    parsed = parse_answer_package("Content adequacy: 7 \u2462 4\nConciseness: 3\nFluency: 5")
    assert "Content adequacy" not in parsed.scores
    # full-width and Arabic-Indic digits are read (int('\uff14') == 4), as by the package
    parsed = parse_answer_package("Content adequacy: \uff14\nConciseness: \u0663\nFluency: 5")
    assert parsed.reason == "ok" and parsed.scores == {
        "Content adequacy": 4,
        "Conciseness": 3,
        "Fluency": 5,
    }


def test_blank_answer_rule():
    assert not answered(None) and not answered("") and not answered("", "answer")
    assert not answered(" \n ") and answered(" \n ", "answer")
    assert answered("Fluency: 4") and answered("Fluency: 4", "answer")
    with pytest.raises(ValueError, match="blank_answer"):
        answered("x", "retry")


# ------------------------------------------------------------------ aggregation
def test_mean_over_runs_skips_missing_scores_per_criterion():
    judge = Judge.__new__(Judge)
    judge.settings = Settings(runs=5, parse_rule="package")
    runs = [
        RunResult({"Content adequacy": 4, "Conciseness": 3, "Fluency": 5}, "ok"),
        RunResult({"Content adequacy": 5, "Conciseness": 3}, "unparsable (5 attempts)"),
        RunResult(None, "HTTP 500 (after 3 tries)"),
        RunResult({"Content adequacy": 5, "Conciseness": 4, "Fluency": 5}, "ok"),
        RunResult({"Content adequacy": 4, "Conciseness": 1, "Fluency": 4}, "ok"),
    ]
    row = judge._row({"id": "x"}, runs)
    assert row["content_adequacy_mean"] == 4.5  # 4 runs scored it
    assert row["conciseness_mean"] == 2.75
    assert row["fluency_mean"] == round(14 / 3, 6)  # 3 runs
    assert row["status"] == "ok" and row["n_valid"] == 3
    row = Judge._row(judge, {"id": "y"}, [RunResult({"Content adequacy": 2}, "partial")] * 5)
    assert row["content_adequacy_mean"] == 2 and row["fluency_mean"] is None
    assert "too few scores for Conciseness 0/5, Fluency 0/5" in row["status"]


# ------------------------------------------------------------------ over HTTP
@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
    return KEY_ENV


def cfg_for(server, tmp_path, **extra):
    return {
        "backend": "openai",
        "base_url": server.base_url,
        "endpoint": "responses",
        "model": "gpt-5-mini",
        "api_key_env": KEY_ENV,
        "concurrency": 2,
        "timeout_s": 2,
        "backoff_base_s": 0.01,
        "cache_dir": str(tmp_path / "cache"),
        **PACKAGE_CFG,
        **extra,
    }


PAIRS = [
    {
        "id": "j1",
        "code": "public int size() { return items.size(); }",
        "summary": "Returns the size of items.",
        "language": "java",
    },
    {"id": "j2", "code": "void f() {}", "summary": " ab ", "language": "java"},
    {"id": "j3", "code": "void g() {}", "summary": "", "language": "java"},
]


def test_responses_call_and_table_as_the_package(key_env, tmp_path):
    server = ScoringServer(api_key=FAKE_KEY)
    try:
        out = tmp_path / "t.tsv"
        summary = pipeline.run(PAIRS, cfg_for(server, tmp_path), out, tmp_path / "s.json")
    finally:
        server.close()
    # only j1 is judged (5 runs); j2/j3 are under 3 characters after strip: no request
    assert server.count == 5 and {r["path"] for r in server.requests} == {"/v1/responses"}
    body = server.bodies[0]
    assert body == {
        "model": "gpt-5-mini",
        "input": fill(PAIRS[0]["code"], PAIRS[0]["summary"], "java"),
        "text": {"verbosity": "low"},
        "max_output_tokens": 1024,
        "store": False,  # codepeft's only addition: the answer is not kept server-side
    }
    assert server.requests[0]["auth"] == f"Bearer {FAKE_KEY}"
    rows = {r["id"]: r for r in read_tsv(out)}
    a, c, f = expected_scores(PAIRS[0]["code"], PAIRS[0]["summary"])
    assert rows["j1"]["status"] == "ok"
    assert float(rows["j1"]["content_adequacy_mean"]) == a
    assert (float(rows["j1"]["conciseness_mean"]), float(rows["j1"]["fluency_mean"])) == (c, f)
    for skipped in ("j2", "j3"):
        assert rows[skipped]["status"] == "skipped: summary shorter than 3 characters"
        assert rows[skipped]["content_adequacy_mean"] == ""
    assert summary["instances"] == {
        "total": 3,
        "ok": 1,
        "skipped_short_summary": 2,
        "not_computed": 0,
    }
    assert prompt_of(body) == body["input"]


def test_empty_answers_are_retried_within_a_call(key_env, tmp_path):
    server = FaultServer(["empty", "empty"], api_key=FAKE_KEY)
    try:
        cfg = cfg_for(server, tmp_path, runs=1, concurrency=1)
        summary = pipeline.run(PAIRS[:1], cfg, tmp_path / "t.tsv")
        rows = read_tsv(tmp_path / "t.tsv")
        assert server.count == 3 and rows[0]["status"] == "ok"
        assert summary["requests"]["unparsable_answers"] == 0
        # without empty retries the two empty answers are two unparsable attempts
        server.per_prompt.clear()
        cfg = cfg_for(server, tmp_path, runs=1, concurrency=1, empty_retries=0)
        cfg["cache_dir"] = str(tmp_path / "cache2")
        summary = pipeline.run(PAIRS[:1], cfg, tmp_path / "t2.tsv")
        assert summary["requests"]["unparsable_answers"] == 2
    finally:
        server.close()


def test_whitespace_answers_use_up_the_packages_calls(key_env, tmp_path):
    """blank_answer: answer (paper preset): a whitespace-only answer is parsed like any other
    (the package's `if output_text:`), so 5 of them use all 5 calls and the run has no score;
    blank_answer: empty re-asks them within a call (empty_retries 2) and the run gets its
    scores from the 6th request."""
    server = FaultServer(["blank"] * 5, api_key=FAKE_KEY)
    try:
        cfg = cfg_for(server, tmp_path, runs=1, concurrency=1)
        summary = pipeline.run(PAIRS[:1], cfg, tmp_path / "t.tsv")
        (row,) = read_tsv(tmp_path / "t.tsv")
        assert server.count == 5 and summary["requests"]["unparsable_answers"] == 5
        assert row["status"].startswith("not computed: 0/1 valid runs")
        assert row["content_adequacy_mean"] == "" and summary["blank_answer"] == "answer"
        server.per_prompt.clear()
        cfg = cfg_for(server, tmp_path, runs=1, concurrency=1, blank_answer="empty")
        cfg["cache_dir"] = str(tmp_path / "cache2")
        summary = pipeline.run(PAIRS[:1], cfg, tmp_path / "t2.tsv")
        (row,) = read_tsv(tmp_path / "t2.tsv")
        assert server.count == 5 + 6 and summary["requests"]["unparsable_answers"] == 1
        assert row["status"] == "ok"
    finally:
        server.close()


def test_store_null_sends_the_packages_body_exactly(key_env, tmp_path):
    """codepeft adds "store": false to the Responses body (a stated difference: the judged
    code stays off the provider's storage; scores unaffected); extra_body {store: null} removes
    it, leaving the package's four fields (:69-74)."""
    server = ScoringServer(api_key=FAKE_KEY)
    try:
        cfg = cfg_for(server, tmp_path, runs=1, extra_body={"store": None})
        pipeline.run(PAIRS[:1], cfg, tmp_path / "t.tsv")
    finally:
        server.close()
    assert server.bodies[0] == {
        "model": "gpt-5-mini",
        "input": fill(PAIRS[0]["code"], PAIRS[0]["summary"], "java"),
        "text": {"verbosity": "low"},
        "max_output_tokens": 1024,
    }


def test_calls_repeat_until_all_three_parse_then_keep_partial_scores(key_env, tmp_path):
    server = FaultServer(["partial"] * 20, api_key=FAKE_KEY)
    try:
        cfg = cfg_for(server, tmp_path, runs=1, concurrency=1)
        pipeline.run(PAIRS[:1], cfg, tmp_path / "t.tsv")
    finally:
        server.close()
    assert server.count == 5  # the package's 5 calls
    (row,) = read_tsv(tmp_path / "t.tsv")
    a, c, _ = expected_scores(PAIRS[0]["code"], PAIRS[0]["summary"])
    assert float(row["content_adequacy_mean"]) == a and float(row["conciseness_mean"]) == c
    assert row["fluency_mean"] == "" and row["status"].startswith("not computed: 0/1 valid runs")


def test_strict_default_is_unchanged_by_the_package_options(key_env, tmp_path):
    """The default for new studies: codepeft's rubric and strict parser, no verbosity sent."""
    server = ScoringServer(api_key=FAKE_KEY)
    try:
        cfg = {
            k: v
            for k, v in cfg_for(server, tmp_path, runs=1).items()
            if k not in PACKAGE_CFG or k == "runs"
        }
        pipeline.run(PAIRS[:1], cfg, tmp_path / "t.tsv")
    finally:
        server.close()
    body = server.bodies[0]
    assert "text" not in body and "max_output_tokens" not in body
    assert body["input"] == load_template().render(PAIRS[0]["code"], PAIRS[0]["summary"], "java")
