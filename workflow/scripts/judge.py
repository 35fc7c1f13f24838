"""Rule script of rules/judge.smk: one summarization predictions file -> judge table + summary."""

from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])  # noqa: F821

from codepeft.judge.pipeline import MissingAPIKey, check_api_key, judge_predictions  # noqa: E402

sm = snakemake  # noqa: F821
try:
    check_api_key(sm.params.judge)  # the one key policy (codepeft judge applies it too)
except MissingAPIKey as err:
    raise SystemExit(str(err)) from None
if sm.params.judge["backend"] == "local":
    import torch

    torch.set_num_threads(max(1, int(sm.threads)))
judge_predictions(
    sm.input.predictions,
    sm.input.test,
    sm.output.judge_table,
    sm.output.judge_summary,
    dict(sm.params.judge),
    environment_failures=sm.params.environment_failures,
)
