"""codepeft.measures, the registry of what the study measures: each family declared once, and
what is derived from it (the plan's metric targets, the stats checks, the report's sections and
directions) agreeing with the modules that compute the tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from codepeft import analyzers, measures, paths
from codepeft import config as study_config
from codepeft import stats as st
from codepeft.judge.rubric import DEFAULT_CRITERIA
from codepeft.judge.runner import columns as judge_columns
from codepeft.metrics import compute
from codepeft.plan import REFERENCE, Plan
from codepeft.report import figures, headline
from codepeft.report import tables as T

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def embedded_config():
    return study_config.load(REPO / "config.yaml")


@pytest.fixture(scope="module")
def paper_config():
    return study_config.load(REPO / "config" / "paper.yaml")


def test_families_by_task_and_language():
    non_analyzers = [n for n, f in measures.FAMILIES.items() if not f.analyzer]
    assert non_analyzers == ["surface", "codebleu", "execution", "judge"]
    by_task = {
        t: tuple(f for f in measures.families_for(t) if f in non_analyzers)
        for t in ("summarization", "generation", "translation")
    }
    assert by_task == {
        "summarization": ("surface", "judge"),
        "generation": ("surface", "codebleu", "execution"),
        "translation": ("surface", "codebleu"),
    }
    # analyzers apply by the outputs' code language (java-cs: C# code)
    assert "roslyn" in measures.families_for("translation", "java-cs")
    assert "roslyn" not in measures.families_for("translation", "cs-java")
    assert "pylint" in measures.families_for("generation", "python")
    assert not any(measures.family(f).analyzer for f in measures.families_for("summarization"))


def test_unknown_family_or_measure_is_an_error():
    with pytest.raises(
        measures.UnknownFamily, match="unknown metric family 'energy'.*known: surface"
    ):
        measures.family("energy")
    with pytest.raises(ValueError, match="'bleu' is not a measure of metric family 'surface'"):
        measures.better("surface", "bleu")
    with pytest.raises(ValueError, match="unknown report section"):
        measures.in_section("other")
    with pytest.raises(ValueError, match="kind 'count'"):
        measures.Measure("x", "count", measures.LOWER, "")


def test_exact_match_is_a_binary_surface_measure():
    found = measures.family("surface").measure("exact_match")
    assert found.kind == measures.BINARY and found.better == measures.HIGHER
    assert "whitespace" in found.description


def test_every_measure_is_described_with_a_kind_and_a_direction():
    for family in measures.FAMILIES.values():
        assert family.measures, family.name
        assert family.section in measures.SECTIONS
        for m in family.measures:
            assert m.kind in measures.KINDS and m.better in measures.DIRECTIONS
            assert m.description, (family.name, m.name)


def test_surface_registry_matches_the_tables_compute_writes():
    """The registry's surface and codebleu measures are exactly the measure columns of the
    tables `codepeft.metrics.compute` lays out (its bookkeeping columns are not measures)."""
    assert set(compute.FAMILIES) == set(measures.written_by("surface_codebleu_metrics"))
    for name in compute.FAMILIES:
        family = measures.family(name)
        layout = compute.FAMILY_COLUMNS[name]
        assert [c for c in layout if family.is_measure(c)] == list(family.columns)
        assert {c for c in compute.NUMERIC if c in layout} == set(family.columns)
    surface = measures.family("surface")
    for column in ("id", "status", "empty_prediction", "bertscore_num_layers", "meteor_status"):
        assert not surface.is_measure(column)


def test_analyzer_families_take_columns_languages_and_files_from_their_modules():
    analyzer_families = [n for n, f in measures.FAMILIES.items() if f.analyzer]
    assert analyzer_families == list(analyzers.ANALYZERS)
    for name in analyzer_families:
        module, family = analyzers.module(name), measures.family(name)
        assert family.columns == tuple(module.COLUMNS)
        assert family.languages == tuple(module.LANGUAGES)
        assert family.has_rules == module.HAS_RULES
        assert family.section == "nonfunctional" and family.targets == ("table",)
        assert family.written_by == (f"analyze_{name}",)
        assert not family.is_measure("wrapped")
    assert measures.better("radon", "mi") == measures.HIGHER
    assert measures.better("radon", "loc") == measures.NEITHER
    assert measures.better("pylint", "error") == measures.LOWER
    assert measures.family("treesitter").measure("parses").kind == measures.BINARY


def test_patterned_measures_of_execution_and_judge():
    execution = measures.family("execution")
    assert execution.is_measure("pass@1") and execution.is_measure("pass@10")
    for column in ("pass@1_status", "n", "c", "level", "outcome"):
        assert not execution.is_measure(column), column
    judge = measures.family("judge")
    cols = judge_columns(DEFAULT_CRITERIA)
    assert [c for c in cols if judge.is_measure(c) and c.endswith("_mean")] == [
        "content_adequacy_mean",
        "conciseness_mean",
        "fluency_mean",
    ]
    for column in ("id", "n_valid", "n_runs", "status", "missing"):
        assert not judge.is_measure(column), column


def test_plan_targets_follow_the_registry(embedded_config):
    plan = Plan(embedded_config)
    targets = plan.family_targets("surface", "codebleu")
    combos = plan.prediction_combos()
    code = [c for c in combos if c["task"] in ("generation", "translation")]
    assert len(targets) == 2 * (len(combos) + len(code))
    first = paths.metric_files("surface", **combos[0])
    assert targets[:2] == [first["table"], first["summary"]]
    execution = plan.family_targets("execution")
    assert execution and all("/execution/" in t and "/generation/" in t for t in execution)
    judge = plan.family_targets("judge")
    assert judge and all("/summarization/" in t for t in judge)
    # judge.enabled off: no judge tables; include_reference: the references' too
    off = {**embedded_config, "judge": {**embedded_config["judge"], "enabled": False}}
    assert Plan(off).family_targets("judge") == []
    with_ref = {**embedded_config, "judge": {**embedded_config["judge"], "include_reference": True}}
    assert any(f"/{REFERENCE}/{REFERENCE}/" in t for t in Plan(with_ref).family_targets("judge"))
    # analyzers: enabled by name; tables only are final targets
    pylint = plan.family_targets("pylint")
    assert pylint and all(t.endswith(".tsv") for t in pylint)
    assert set(pylint) == {j.table for j in plan.analyzers.get("pylint", [])}
    with pytest.raises(measures.UnknownFamily):
        plan.family_targets("energy")


def test_shipped_stats_measures_pass_the_registry(embedded_config, paper_config):
    for cfg in (embedded_config, paper_config):
        for entry, spec in cfg["stats"]["measures"].items():
            measures.check_stats_entry(entry, spec)
        assert st.planned_tests(cfg)


def test_stats_measures_checked_against_the_registry(paper_config):
    def plan_with(entry, spec):
        cfg = {**paper_config, "stats": {**paper_config["stats"], "measures": {entry: spec}}}
        return st.planned_tests(cfg)

    with pytest.raises(ValueError, match="stats.measures.energy: unknown metric family"):
        plan_with("energy", {"continuous": ["joules"]})
    with pytest.raises(ValueError, match=r"stats.measures.surface.continuous: 'bleu' is not"):
        plan_with("surface", {"continuous": ["bleu"]})
    with pytest.raises(ValueError, match="'exact_match' is a binary measure.*under `binary`"):
        plan_with("surface", {"continuous": ["exact_match"]})
    with pytest.raises(ValueError, match="stats.measures.mi: unknown metric family 'mi'"):
        plan_with("mi", {"continuous": ["mi"]})  # the table defaults to the entry's key
    assert plan_with("mi", {"table": "radon", "continuous": ["mi"], "tasks": ["generation"]})
    # pass@k: binary with one sample, a fraction with several: either test
    assert plan_with("execution", {"continuous": ["pass@1"], "tasks": ["generation"]})
    assert plan_with("em", {"table": "surface", "binary": ["exact_match"]})


def test_star_stands_for_the_familys_continuous_measures(tmp_path):
    header = "id\tstatus\tempty_prediction\tbleu_sacre\texact_match\tbertscore_num_layers\tside"
    rows = [f"{i}\tok\t0\t0.{i}\t{i % 2}\t6\t" for i in range(1, 7)]
    for side in ("a", "b"):
        (tmp_path / f"{side}.tsv").write_text("\n".join([header, *rows]) + "\n")
    block = dict(
        comparison="c",
        a="m/a",
        b="m/b",
        model="m",
        task="summarization",
        lang="python",
        family="surface",
        binary=[],
        continuous=["*"],
        exclude=[],
        a_table="a.tsv",
        b_table="b.tsv",
    )
    rows = st.run_blocks([block], {"adjust": "none"}, root=str(tmp_path))["c"]
    # not empty_prediction or bertscore_num_layers (bookkeeping), not exact_match (binary),
    # not side (no value)
    assert [r["measure"] for r in rows] == ["bleu_sacre"]


def test_report_sections_and_unknown_families():
    assert measures.in_section("surface") == ("surface", "codebleu", "judge")
    assert measures.in_section("functional") == ("execution",)
    assert set(measures.in_section("nonfunctional")) == set(analyzers.ANALYZERS)
    table = st.Table("x.tsv", "id", ["1"], {"id": ["1"], "joules": ["3"]})
    with pytest.raises(measures.UnknownFamily, match="'energy'"):
        T.MetricTable("energy", "m", "a", "42", "generation", "python", table)


def test_report_measures_come_from_the_registry():
    table = st.Table(
        "x.tsv",
        "id",
        ["1", "2"],
        {
            "id": ["1", "2"],
            "status": ["ok", "ok"],
            "wrapped": ["1", "0"],
            "mi": ["80", "60"],
            "loc": ["3", "4"],
            "extra": ["1", "2"],  # a numeric column the registry does not know: no measure
        },
    )
    assert T.measure_columns(table, "radon") == ["mi", "loc"]
    assert figures.panel_title("radon", "mi") == "mi (higher is better)"
    assert figures.panel_title("radon", "loc") == "loc"
    assert figures.panel_title("pylint", "error") == "error (lower is better)"


def test_headline_verdict_follows_the_measures_direction():
    row = dict(family="surface", measure="chrf", p_adj="0.01", mean_a="0.2", mean_b="0.3")
    assert headline.verdict(row, 0.05) == "better"
    lower = {**row, "family": "pylint", "measure": "error"}
    assert headline.verdict(lower, 0.05) == "worse"
