"""Rule script of rules/train.smk: one training job (codepeft.train.TrainJob), in this process
or one process per GPU (training.multi_gpu)."""

from codepeft.logs import setup_rule_logging
from codepeft.train import TrainJob

setup_rule_logging(snakemake.log[0])  # noqa: F821
raise SystemExit(TrainJob.from_snakemake(snakemake).run())  # noqa: F821
