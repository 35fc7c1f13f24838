"""The evaluation quirks of the replication package (codepeft.quirks, section "evaluation")
are in force in the paper preset and in none of them in the embedded default study."""

from __future__ import annotations

from pathlib import Path

from codepeft import config as config_mod
from codepeft.quirks import QUIRKS, in_force

ROOT = Path(__file__).resolve().parents[2]
EVALUATION_KEYS = {
    "analyzers.unit_files",
    "analyzers.format_translations",
    "analyzers.lizard.no_functions",
    "analyzers.pmd.parse_error",
    "analyzers.pmd.rules_as_of",
    "judge.template",
    "judge.parse_rule",
    "judge.verbosity",
    "judge.empty_retries",
    "judge.min_summary_chars",
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
