from codepeft.logs import setup_rule_logging
from codepeft.models import build_tiny_model

# torch's threads: Snakemake sets OMP_NUM_THREADS to the rule's threads (2: pre-training)
setup_rule_logging(snakemake.log[0])  # noqa: F821
build_tiny_model(
    snakemake.output[0],  # noqa: F821
    snakemake.input.corpus,  # noqa: F821
    seed=snakemake.params.seed,  # noqa: F821
    build=snakemake.params.get("build", "tiny"),  # noqa: F821
)
