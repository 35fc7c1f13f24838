"""Rule `overlap_audit`: one test set against one training mixture (codepeft.overlap.audit)."""

from codepeft.logs import setup_rule_logging
from codepeft.overlap import audit

setup_rule_logging(snakemake.log[0])
rows, summary = audit.audit(snakemake.input.test, snakemake.input.train, snakemake.params.overlap)
audit.write(rows, summary, snakemake.output.table, snakemake.output.summary)
