"""Rule script of rules/surface.smk: one predictions file -> its surface (and codebleu) tables."""

from codepeft import measures
from codepeft.logs import setup_rule_logging
from codepeft.metrics.compute import SurfaceOptions, run_files

# torch (BERTScore, SIDE; never imported for code tasks) takes its threads from OMP_NUM_THREADS,
# which Snakemake sets to the rule's threads for every script job
setup_rule_logging(snakemake.log[0])  # noqa: F821

sm = snakemake  # noqa: F821
# the families this rule writes (codepeft.measures): surface, and codebleu for code tasks
outputs = {
    family: (sm.output[f"{family}_table"], sm.output[f"{family}_summary"])
    for family in measures.written_by(sm.rule)
}
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
