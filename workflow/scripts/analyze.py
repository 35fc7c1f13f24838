"""Rule script of every analyzer rule in rules/analyze.smk: one analyzer, all its predictions
files (params.jobs), the tool run once per code language over all of them."""

import sys
from pathlib import Path

# Under `--sdm conda` the analyzer envs (envs/<tool>.yaml) hold the tool, not this package:
# import it from the checkout (the analyzers need only the standard library + the tool).
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1]))  # noqa: F821

from codepeft.analyzers import analyze_files  # noqa: E402
from codepeft.logs import setup_rule_logging  # noqa: E402

setup_rule_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
analyze_files(
    sm.params.analyzer,
    sm.params.jobs,
    threads=sm.threads,
    options=sm.params.options,
    environment_failures=sm.params.environment_failures,
)
