"""Rule `report`: build results/report/ (tables, plots, provenance, index.html) from the inputs."""

import logging
import os

from codepeft.cost import benchmark_files
from codepeft.logs import setup_rule_logging
from codepeft.report.build import build_report

setup_rule_logging(snakemake.log[0])


def named(key: str) -> list[str]:
    """The input files under `key` (none: []; Snakemake gives one file as a string)."""
    value = snakemake.input.get(key)
    return [] if value is None else [value] if isinstance(value, str) else list(value)


log = logging.getLogger("codepeft.report")
log.info(
    "inputs: %d metric tables, %d stats files, %d trained models",
    len(snakemake.input.tables),
    len(snakemake.input.stats),
    len(snakemake.input.models),
)
result = build_report(
    snakemake.config,
    os.path.dirname(snakemake.output.index),
    metric_tables=list(snakemake.input.tables),
    stats_tables=list(snakemake.input.stats),
    model_dirs=list(snakemake.input.models),
    cost_files=list(snakemake.input.costs),
    # read where present, never inputs (codepeft.cost.benchmark_files)
    benchmarks=[p for p in benchmark_files(snakemake.config) if os.path.exists(p)],
    intervals=(named("intervals") or [""])[0],
    corpus_paired=(named("corpus_paired") or [""])[0],
    overlap_summaries=named("overlap"),
)
log.info("tables: %s", ", ".join(result["tables"]))
log.info("plots: %s", ", ".join(result["plots"]))
