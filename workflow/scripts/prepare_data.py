import json
import logging

from codepeft.data.prepare import write_task_splits
from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])
counts = write_task_splits(
    snakemake.wildcards.task,
    snakemake.wildcards.lang,
    snakemake.params.data,
    {split: snakemake.output[split] for split in ("train", "valid", "test")},
    seed=snakemake.params.seed,
)
logging.getLogger("codepeft.data").info("counts: %s", json.dumps(counts))
