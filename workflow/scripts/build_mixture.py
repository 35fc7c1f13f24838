import logging

from codepeft.io import write_jsonl
from codepeft.logs import setup_rule_logging
from codepeft.mixing import build_mixture

setup_rule_logging(snakemake.log[0])
log = logging.getLogger("codepeft.mixing")
mixing = snakemake.params.mixing
for split in ("train", "valid"):
    files = snakemake.input[split]
    rows = build_mixture(
        files,
        mixing["strategy"],
        seed=snakemake.params.seed,
        temperature=mixing["temperature"],
        source_order=mixing.get("source_order", "config"),
        shuffler=mixing.get("shuffler", "python"),
        shuffle_sources_first=split == "valid" and mixing.get("shuffle_valid_sources", False),
        java_label=snakemake.params.java_generation_label,
    )
    write_jsonl(snakemake.output[split], rows)
    log.info("%s: %d examples from %s (%s)", split, len(rows), ", ".join(files), mixing["strategy"])
