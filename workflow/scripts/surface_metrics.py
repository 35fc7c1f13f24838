"""Rule script of rules/surface.smk: one predictions file -> its surface (and codebleu) tables."""

from codepeft.logs import setup_rule_logging
from codepeft.metrics.compute import SurfaceOptions, run_files

# torch (BERTScore, SIDE; never imported for code tasks) takes its threads from OMP_NUM_THREADS,
# which Snakemake sets to the rule's threads for every script job
setup_rule_logging(snakemake.log[0])  # noqa: F821

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
    environment_failures=sm.params.environment_failures,
)
