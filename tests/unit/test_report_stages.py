"""codepeft.report.stages: every table and plot of the report in the category of its stage."""

import pytest

from codepeft.report import stages


@pytest.mark.parametrize(
    "kind, name, category",
    [
        ("table", "headline", stages.STATISTICS),
        ("table", "rq_rq1_st_vs_mt", stages.STATISTICS),
        ("table", "pass1", stages.EXECUTION),
        ("table", "means", stages.MEASURES),
        ("table", "not_computed", stages.MEASURES),
        ("table", "cost", stages.COST),
        ("table", "quirks", stages.PROTOCOL),
        ("table", "package_differences", stages.PROTOCOL),
        ("plot", "pass1_by_scale", stages.EXECUTION),
        ("plot", "dist_translation_java-cs", stages.SURFACE),
        ("plot", "nonfunctional_pylint", stages.STATIC),
        ("plot", "training_loss", stages.TRAINING),
        ("plot", "quality_vs_cost", stages.COST),
    ],
)
def test_each_item_in_its_stage(kind, name, category):
    assert stages.category(kind, name) == category


def test_an_item_of_no_stage_is_an_error():
    with pytest.raises(stages.UnknownReportItem, match="codepeft.report.stages.ITEMS"):
        stages.category("table", "surprise")
    with pytest.raises(stages.UnknownReportItem):
        stages.category("plot", "pass1")  # a table's name is no plot
    with pytest.raises(ValueError):
        stages.category("figure", "pass1")


def test_no_category_is_one_snakemake_reserves():
    # snakemake --report links "Workflow" and "Statistics" to its own panels
    assert not {"Workflow", "Statistics"} & set(stages.CATEGORIES)
    assert {c for _, _, c in stages.ITEMS} <= set(stages.CATEGORIES)


def test_every_table_the_report_emits_has_a_stage_and_a_caption():
    """A table a branch adds to the report (run.emit("<name>", ...)) must be claimed by a stage
    and captioned, or `snakemake --report` stops: found from the report's source, so a new
    table cannot slip past (the retention and seeds tables once did)."""
    import re
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    source = "\n".join(p.read_text() for p in (repo / "codepeft" / "report").glob("*.py"))
    names = set(re.findall(r'\.emit\(\s*"([a-z_0-9]+)"', source))
    assert {"headline", "retention", "seeds", "corpus", "overlap"} <= names, names
    captions = (repo / "workflow" / "report" / "tables.rst").read_text()
    for name in sorted(names):
        assert stages.category("table", name)
        assert f'"{name}"' in captions, f"no caption for table {name!r} in tables.rst"
