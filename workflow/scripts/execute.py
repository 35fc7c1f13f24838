"""Rule script of rules/execute.smk: one generation predictions file -> table + summary."""

from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])  # noqa: F821

from codepeft.execution import evaluate as ev  # noqa: E402

sm = snakemake  # noqa: F821
ev.run_from_config(
    predictions=sm.input.predictions,
    tests=(list(sm.input.tests) or [None])[0],
    data=sm.input.data,
    language=sm.wildcards.lang,
    options=sm.params.options,
    threads=int(sm.threads),
    out_tsv=sm.output.execution_table,
    summary_path=sm.output.execution_summary,
    meta={"model": sm.wildcards.model, "method": sm.wildcards.method},
    environment_failures=sm.params.environment_failures,
)
