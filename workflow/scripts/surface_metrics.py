"""Rule script of rules/surface.smk: one predictions file -> its surface (and codebleu) tables."""

import os

from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])  # noqa: F821
# torch (BERTScore, SIDE) reads this when it is first imported: code tasks never import it
os.environ["OMP_NUM_THREADS"] = str(max(1, int(snakemake.threads)))  # noqa: F821

from codepeft.metrics.compute import SurfaceOptions, run_files  # noqa: E402

sm = snakemake  # noqa: F821
outputs = {"surface": (sm.output.table, sm.output.summary)}
if "codebleu_table" in sm.output.keys():
    outputs["codebleu"] = (sm.output.codebleu_table, sm.output.codebleu_summary)
run_files(
    sm.input.predictions,
    sm.input.references,
    sm.wildcards.task,
    sm.wildcards.lang,
    options=SurfaceOptions.from_config(sm.params.options),
    meta={"model": sm.wildcards.model, "method": sm.wildcards.method},
    family_outputs=outputs,
)
