"""Retention (issue 26, item 5): off-task evaluation of fine-tuned models (`off_task_evaluation`,
pseudo methods `<method>@<scope>`), the stats plan's retention comparison over every test set
outside a model's training mixture, and the report's retention section."""

from __future__ import annotations

import copy

import pytest

from codepeft import config as study_config
from codepeft import study
from codepeft.plan import Plan
from codepeft.report import retention
from codepeft.stats import plan as stats_plan
from tests.conftest import REPO


@pytest.fixture(scope="module")
def embedded():
    return study_config.load(REPO / "config.yaml")


def test_off_task_evaluation_is_off_by_default_and_adds_each_models_other_tasks(embedded):
    cfg = copy.deepcopy(embedded)
    assert cfg["off_task_evaluation"] is False
    own = study.evaluated(cfg)
    assert not any(study.OFF_TASK in method for _, method, _, _, _ in own)
    cfg["off_task_evaluation"] = True
    extra = study.evaluated(cfg)[len(own) :]
    assert study.evaluated(cfg)[: len(own)] == own
    # st_qlora's three single-task models, each on the other tasks' (task, lang) test sets
    assert sorted(extra) == sorted(
        [
            ("tiny", "st_qlora@summarization", "42", "generation", "python"),
            ("tiny", "st_qlora@summarization", "42", "generation", "java"),
            ("tiny", "st_qlora@summarization", "42", "translation", "java-cs"),
            ("tiny", "st_qlora@generation", "42", "summarization", "python"),
            ("tiny", "st_qlora@generation", "42", "translation", "java-cs"),
            ("tiny", "st_qlora@translation", "42", "summarization", "python"),
            ("tiny", "st_qlora@translation", "42", "generation", "python"),
            ("tiny", "st_qlora@translation", "42", "generation", "java"),
        ]
    )
    plan = Plan(cfg)
    assert plan.answering_model_dir("tiny", "st_qlora@translation", "42", "summarization") == (
        "results/models/tiny/st_qlora/seed-42/translation"
    )
    assert plan.finetune_kind("st_qlora@translation") == "qlora"
    assert "st_qlora@generation" in plan.method_names
    # the Java prompt label of the answering model's scope (a single-task model's)
    cfg["prompts"]["java_generation_label"] = {"multi": "Method", "single": "Function"}
    label = study.decoding_spec(cfg, "generation", "st_qlora@summarization")
    assert label["java_generation_label"] == "Function"
    assert study.decoding_spec(cfg, "generation", "mt_qlora")["java_generation_label"] == "Method"


def test_retention_blocks_cover_test_sets_outside_the_training_mixture(embedded):
    cfg = copy.deepcopy(embedded)
    assert stats_plan.retention_blocks(cfg, study.evaluated(cfg)) == []  # nothing off-mixture
    cfg["off_task_evaluation"] = True
    blocks = stats_plan.retention_blocks(cfg, study.evaluated(cfg))
    sides = {(b["b_method"], b["task"], b["lang"], b["family"]) for b in blocks}
    assert ("st_qlora@translation", "generation", "python", "execution") in sides
    assert ("st_qlora@generation", "translation", "java-cs", "codebleu") in sides
    assert ("st_qlora@summarization", "translation", "java-cs", "codebleu") in sides
    assert all(b["a_method"] == "zero_shot" and b["comparison"] == "retention" for b in blocks)
    # the families of stats.measures that have tables there (execution: generation only)
    assert not any(b["family"] == "execution" and b["task"] != "generation" for b in blocks)
    block = next(b for b in blocks if b["b_method"] == "st_qlora@translation")
    assert block["b_table"] == (
        f"results/metrics/{block['family']}/tiny/st_qlora@translation/seed-42/{block['task']}/"
        f"{block['lang']}.tsv"
    )
    assert len(blocks) == 8  # one measures entry per off-task (task, lang) of the demo


def test_a_test_set_no_mixture_holds_joins_retention_without_off_task_evaluation(embedded):
    """As a HumanEval-like test set would: every method's predictions on it are outside every
    training mixture (here a multi-task model trained on summarization only, predicting
    translation)."""
    cfg = copy.deepcopy(embedded)
    cfg["methods"]["mt_qlora"]["tasks"] = ["summarization"]
    generated = study.evaluated(cfg) + [("tiny", "mt_qlora", "42", "translation", "java-cs")]
    blocks = stats_plan.retention_blocks(cfg, generated)
    assert [(b["a"], b["b"], b["task"], b["family"]) for b in blocks] == [
        ("tiny/zero_shot", "tiny/mt_qlora", "translation", "codebleu")
    ]
    run, skipped = stats_plan.runnable_blocks(
        cfg, generated, [blocks[0]["a_table"], blocks[0]["b_table"]]
    )
    assert blocks[0] in run
    cfg["stats"]["comparisons"].append({"name": "retention", "a": {"method": "zero_shot"}})
    with pytest.raises(ValueError, match="retention"):
        stats_plan.retention_blocks(cfg, generated)


def _stats_row(method, measure, mean_a, mean_b, p_adj, family="surface", test="wilcoxon"):
    return {
        "comparison": "retention",
        "a": "tiny/zero_shot",
        "b": f"tiny/{method}",
        "model": "tiny",
        "task": "summarization",
        "lang": "python",
        "family": family,
        "measure": measure,
        "test": test,
        "n_paired": "8",
        "mean_a": str(mean_a),
        "mean_b": str(mean_b),
        "p": str(p_adj),
        "p_adj": str(p_adj),
        "effect_name": "cliffs_delta",
        "effect": "-0.5",
        "note": "",
    }


def test_report_rows_say_whether_fine_tuning_hurt(embedded):
    cfg = copy.deepcopy(embedded)
    cfg["off_task_evaluation"] = True
    rows = retention.retention_rows(
        cfg,
        [
            _stats_row("st_qlora@translation", "chrf", 30.0, 20.0, 0.01),
            _stats_row("st_qlora@generation", "chrf", 30.0, 40.0, 0.01),
            _stats_row("st_qlora@generation", "bleu_sacre", 5.0, 4.0, 0.5),
            # the same test without the overlap audit's flagged items: not this study's subset
            {**_stats_row("st_qlora@generation", "chrf", 30.0, 40.0, 0.01), "subset": "no_overlap"},
        ],
    )
    assert [r["verdict"] for r in rows] == ["hurt", "improved", "no significant difference"]
    assert rows[0]["trained_on"] == "translation/java-cs"
    assert rows[0]["baseline"] == "zero_shot" and rows[0]["difference"] == -10.0
    page = retention.retention_html(rows, cfg)
    assert "hurt in 1, improved in 1" in page and "st_qlora@translation" in page
    empty = retention.retention_html([], embedded)
    assert "Not computed" in empty and "off_task_evaluation is off" in empty


def test_off_task_sides_have_no_overlap_audit(embedded):
    """The overlap audit pairs a mixture with its own test sets: an off-task side has none,
    the zero-shot side none either, so retention blocks read no audit table."""
    from codepeft.overlap import plan as overlap_plan

    cfg = copy.deepcopy(embedded)
    cfg["off_task_evaluation"] = True
    assert overlap_plan.side_tables(cfg, "st_qlora@translation", "summarization", "python") == []
    assert overlap_plan.side_tables(cfg, "st_qlora", "translation", "java-cs")  # its own task
    blocks = overlap_plan.with_audits(cfg, stats_plan.retention_blocks(cfg, study.evaluated(cfg)))
    assert blocks and all(b["a_overlap"] == [] == b["b_overlap"] for b in blocks)
