import logging

from codepeft.logs import setup_rule_logging
from codepeft.mixing import write_mixture

setup_rule_logging(snakemake.log[0])
log = logging.getLogger("codepeft.mixing")
mixing = snakemake.params.mixing
for split in ("train", "valid"):
    files = snakemake.input[split]
    # streamed (rows are not held in memory): paper-scale mixtures have ~840k examples
    n = write_mixture(
        files,
        snakemake.output[split],
        mixing["strategy"],
        seed=snakemake.params.seed,
        temperature=mixing["temperature"],
    )
    log.info("%s: %d examples from %s (%s)", split, n, ", ".join(files), mixing["strategy"])
