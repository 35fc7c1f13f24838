"""Rule `report`: build results/report/ (tables, plots, provenance, index.html) from the inputs."""

import logging
import os

from codepeft.cost import benchmark_files
from codepeft.logs import setup_rule_logging
from codepeft.report.build import build_report

setup_rule_logging(snakemake.log[0])
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
)
log.info("tables: %s", ", ".join(result["tables"]))
log.info("plots: %s", ", ".join(result["plots"]))
