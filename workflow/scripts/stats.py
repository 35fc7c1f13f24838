"""Rule `stats`: run the planned comparisons and write one TSV per comparison."""

import logging
from pathlib import Path

from codepeft import stats
from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])
log = logging.getLogger("codepeft.stats")
for line in snakemake.params.skipped:
    log.warning("skipped: %s", line)
results = stats.run_blocks(snakemake.params.blocks, snakemake.params.section, log=log.info)
for path in snakemake.output:
    name = Path(path).stem
    rows = results.get(name, [])
    stats.write_rows(path, rows)
    log.info("wrote %s (%d rows)", path, len(rows))
