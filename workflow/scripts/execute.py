"""Rule script of rules/execute.smk: one generation predictions file -> table + summary."""

from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])  # noqa: F821

from codepeft import tasks  # noqa: E402
from codepeft.execution import evaluate as ev  # noqa: E402

sm = snakemake  # noqa: F821
meta = {"model": sm.wildcards.model, "method": sm.wildcards.method}
if tasks.is_test_set(sm.wildcards.lang):
    meta["test_set"] = sm.wildcards.lang
ev.run_from_config(
    predictions=sm.input.predictions,
    tests=(list(sm.input.tests) or [None])[0],
    data=sm.input.data,
    language=tasks.code_language("generation", sm.wildcards.lang),
    options=sm.params.options,
    threads=int(sm.threads),
    out_tsv=sm.output.execution_table,
    summary_path=sm.output.execution_summary,
    meta=meta,
    environment_failures=sm.params.environment_failures,
)
