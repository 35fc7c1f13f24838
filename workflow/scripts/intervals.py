"""Rule `intervals`: bootstrap intervals of the corpus-level numbers (codepeft.stats.intervals)."""

import logging

from codepeft.logs import setup_rule_logging
from codepeft.stats import bootstrap, intervals
from codepeft.stats.tables import read_table

setup_rule_logging(snakemake.log[0])
log = logging.getLogger("codepeft.stats")
settings = bootstrap.Bootstrap.from_section({"bootstrap": snakemake.params.bootstrap})
tables = {path: read_table(path, id_column="id") for path in snakemake.input.tables}
rows, paired = intervals.compute(
    tables, snakemake.params.blocks, settings, snakemake.params.strip, log_info=log.info
)
intervals.write(rows, paired, snakemake.output.intervals, snakemake.output.paired)
