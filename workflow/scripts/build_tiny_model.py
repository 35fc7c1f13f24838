from codepeft.logs import setup_rule_logging
from codepeft.models import build_tiny_model

setup_rule_logging(snakemake.log[0])
build_tiny_model(snakemake.output[0], snakemake.input.corpus, seed=snakemake.params.seed)
