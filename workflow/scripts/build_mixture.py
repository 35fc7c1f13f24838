"""Rule build_mixture: one training mixture (train + valid) from its spec
(codepeft.study.mixture_spec: sources, mixing, seed, Java prompt label), and a manifest saying
what it holds. Shared by every training job whose mixture spec is the same."""

import json
import logging

from codepeft.logs import setup_rule_logging
from codepeft.mixing import write_mixture

setup_rule_logging(snakemake.log[0])
log = logging.getLogger("codepeft.mixing")
spec = snakemake.params.spec
mixing = spec["mixing"]
manifest = {"mixture": snakemake.wildcards.mixture, **spec, "files": {}, "rows": {}}
for split in ("train", "valid"):
    files = list(snakemake.input[split])  # in the spec's source order
    # streamed (rows are not held in memory): paper-scale mixtures have ~840k examples
    n = write_mixture(
        files,
        snakemake.output[split],
        mixing["strategy"],
        seed=spec["seed"],
        temperature=mixing.get("temperature", 2.0),
        source_order=mixing["source_order"],
        shuffler=mixing["shuffler"],
        shuffle_sources_first=split == "valid" and mixing["shuffle_valid_sources"],
        java_label=spec.get("java_generation_label", "Method"),
    )
    manifest["files"][split] = files
    manifest["rows"][split] = n
    log.info("%s: %d examples from %s (%s)", split, n, ", ".join(files), mixing)
with open(snakemake.output.manifest, "w") as handle:
    json.dump(manifest, handle, indent=2, sort_keys=True)
    handle.write("\n")
