"""The evaluation quirks of the replication package (codepeft.paper.quirks, section "evaluation")
are in force in the paper preset and in none of them in the embedded default study."""

from __future__ import annotations

from pathlib import Path

from codepeft import config as config_mod
from codepeft import study
from codepeft.analyzers import rule_options
from codepeft.paper.quirks import DIFFERENCES, QUIRKS, in_force

ROOT = Path(__file__).resolve().parents[2]
EVALUATION_KEYS = {
    "analyzers.unit_files",
    "analyzers.format_translations",
    "analyzers.lizard.no_functions",
    "analyzers.lizard.functions_from",
    "analyzers.pmd.parse_error",
    "analyzers.pmd.rules_as_of",
    "judge.template",
    "judge.parse_rule",
    "judge.verbosity",
    "judge.empty_retries",
    "judge.min_summary_chars",
    "judge.blank_answer",
    "metrics.bertscore.empty_prediction",
    "metrics.side.empty_prediction",
    "metrics.bertscore.model",
    "metrics.codebleu.dataflow_policy",
}


def test_evaluation_quirks_are_registered_with_sources():
    registered = {
        q.key: q for q in QUIRKS if q.key.split(".")[0] in {"analyzers", "judge", "metrics"}
    }
    assert EVALUATION_KEYS <= set(registered)
    for key in EVALUATION_KEYS:
        assert ".py:" in registered[key].source, key


def test_paper_preset_has_every_evaluation_quirk_in_force():
    paper = config_mod.load(ROOT / "config" / "paper.yaml")
    assert EVALUATION_KEYS <= {q.key for q in in_force(paper)}
    assert paper["judge"]["parse_retries"] == 4 and paper["judge"]["max_tokens"] == 1024
    assert paper["metrics"]["bertscore"]["num_layers"] == 12 and paper["metrics"]["strip"]


def test_default_study_has_no_evaluation_quirk_in_force():
    default = config_mod.load(ROOT / "config.yaml")
    assert not EVALUATION_KEYS & {q.key for q in in_force(default)}


def test_unit_file_newlines_are_a_registered_behaviour_of_the_package_layout():
    entries = [q for q in QUIRKS if q.key == "analyzers.unit_files"]
    assert len(entries) == 2 and all(q.value == "package" for q in entries)
    assert any("text mode" in q.what and "add_java_wrappers_cg.py:30" in q.source for q in entries)


def test_stated_differences_name_their_source():
    """Where codepeft deliberately does not follow the package (shown beside the quirks)."""
    topics = {d.topic: d for d in DIFFERENCES}
    for topic in (
        "judge request body",
        "judge answer with a non-decimal digit",
        "CodeBLEU data-flow order",
    ):
        assert ".py:" in topics[topic].source and topics[topic].effect, topic
    assert "store" in topics["judge request body"].codepeft


def test_new_options_stay_out_of_the_default_studys_params():
    """judge.blank_answer and analyzers.lizard.functions_from were added after studies had
    run: at their schema defaults they are not in the jobs' params (nothing reruns); the paper
    preset's values are."""
    default = config_mod.load(ROOT / "config.yaml")
    paper = config_mod.load(ROOT / "config" / "paper.yaml")
    assert default["judge"]["blank_answer"] == "empty"
    assert "blank_answer" not in study.judge_spec(default["judge"])
    assert study.judge_spec(paper["judge"])["blank_answer"] == "answer"
    assert default["analyzers"]["lizard"]["functions_from"] == "list"
    assert "functions_from" not in rule_options(default["analyzers"], "lizard")["lizard"]
    assert rule_options(paper["analyzers"], "lizard")["lizard"]["functions_from"] == "text_report"
