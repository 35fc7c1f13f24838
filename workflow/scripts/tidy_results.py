"""Rule `tidy_results`: every per-instance value and every comparison row of the study in
long tables (results/tidy/{results,stats}.{parquet,csv}; codepeft.tidy)."""

from codepeft.logs import setup_rule_logging
from codepeft.tidy import write_tidy

setup_rule_logging(snakemake.log[0])
write_tidy(
    list(snakemake.input.tables),
    list(snakemake.input.stats),
    snakemake.params.study,
    dict(snakemake.output.items()),
)
