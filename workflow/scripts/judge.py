"""Rule script of rules/judge.smk: one summarization predictions file -> judge table + summary."""

import os

from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])  # noqa: F821

from codepeft.judge.pipeline import judge_predictions  # noqa: E402

sm = snakemake  # noqa: F821
key_env = sm.params.judge.get("api_key_env")
if sm.params.judge["backend"] != "local" and key_env and not os.environ.get(key_env):
    # refuse before any request: a keyless run would only collect 401s
    raise SystemExit(
        f"judge: the API key variable {key_env} is not set; export it (never put it in a file), "
        "or set judge.api_key_env: null for a server without authentication"
    )
if sm.params.judge["backend"] == "local":
    import torch

    torch.set_num_threads(max(1, int(sm.threads)))
judge_predictions(
    sm.input.predictions,
    sm.input.test,
    sm.output.table,
    sm.output.summary,
    dict(sm.params.judge),
)
