"""Rules prepare_train_data (train + valid) and prepare_test_data (test): the splits named by
the rule's outputs, from the settings in params (only what those splits read)."""

import json
import logging

from codepeft.data.prepare import write_splits
from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])
outputs = {split: path for split, path in snakemake.output.items()}
counts = write_splits(
    snakemake.wildcards.task,
    snakemake.wildcards.lang,
    snakemake.params.settings,
    outputs,
    seed=snakemake.params.seed,
)
logging.getLogger("codepeft.data").info("counts: %s", json.dumps(counts))
