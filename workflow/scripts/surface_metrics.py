"""Rule script of rules/surface.smk: one predictions file -> its surface (and codebleu) tables."""

from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])  # noqa: F821

import torch  # noqa: E402

from codepeft.metrics.compute import SurfaceOptions, run_files  # noqa: E402

sm = snakemake  # noqa: F821
torch.set_num_threads(max(1, int(sm.threads)))
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
