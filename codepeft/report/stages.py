"""The study's stages as categories of Snakemake's report (``snakemake --report report.zip``).

Every table (``results/report/tables/<name>.tsv``) and plot (``results/report/plots/<name>.png``)
the report writes belongs to the stage whose results it shows; `category` gives its category
(rules/report.smk passes it to ``report(..., category=...)``), the captions
(workflow/report/tables.rst, plots.rst) say what each shows. The other items of Snakemake's
report: the report's own page and provenance (`REPORT`), the training mixtures' manifests
(`DATA`, rule build_mixture) and the model cards (`TRAINING`, rule model_cards).

A name no stage claims is an error (`UnknownReportItem`), never a silent "other" category: a
new table or plot of the report gets its stage here and its caption.
"""

from __future__ import annotations

import re

# categories, in the order of the study's stages
REPORT = "Report"
DATA = "Data"
TRAINING = "Training"
EXECUTION = "Execution (pass@k)"
SURFACE = "Surface metrics and LLM judge"
STATIC = "Static analysis"
MEASURES = "All measures"
STATISTICS = "Statistical tests"
COST = "Cost"
PROTOCOL = "Replication package"
CATEGORIES = (REPORT, DATA, TRAINING, EXECUTION, SURFACE, STATIC, MEASURES, STATISTICS, COST)
CATEGORIES += (PROTOCOL,)

#: (kind, regular expression of the name, category): tables and plots of the report
ITEMS = (
    ("table", r"headline|rq_.+|seeds|retention", STATISTICS),
    ("table", r"pass1", EXECUTION),
    ("table", r"means|not_computed|corpus", MEASURES),
    ("table", r"corpus_paired", STATISTICS),
    ("table", r"overlap", DATA),
    ("table", r"cost", COST),
    ("table", r"quirks|package_differences", PROTOCOL),
    ("plot", r"pass1_by_scale", EXECUTION),
    ("plot", r"dist_.+", SURFACE),
    ("plot", r"nonfunctional_.+", STATIC),
    ("plot", r"training_loss", TRAINING),
    ("plot", r"quality_vs_cost", COST),
)
KINDS = ("table", "plot")


class UnknownReportItem(ValueError):
    """A report table or plot that no stage claims (codepeft.report.stages.ITEMS)."""


def category(kind: str, name: str) -> str:
    """The category (stage) of report table or plot `name` (its file name without suffix)."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} not in {KINDS}")
    for item_kind, pattern, found in ITEMS:
        if item_kind == kind and re.fullmatch(pattern, name):
            return found
    raise UnknownReportItem(
        f"report {kind} {name!r} belongs to no stage: add it to codepeft.report.stages.ITEMS "
        f"and its caption to workflow/report/{kind}s.rst"
    )
