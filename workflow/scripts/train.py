import sys

from codepeft.logs import setup_rule_logging
from codepeft.train import FourBitUnavailable, TrainingSpec, train

setup_rule_logging(snakemake.log[0])
try:
    train(
        model_source=snakemake.params.source,
        finetune=snakemake.params.finetune,
        train_file=snakemake.input.train,
        valid_file=snakemake.input.valid,
        out_dir=snakemake.output[0],
        checkpoint_dir=snakemake.params.checkpoints,
        spec=TrainingSpec.from_dict(snakemake.params.training),
        seed=snakemake.params.seed,
        revision=snakemake.params.revision,
    )
except FourBitUnavailable as err:
    print(f"ERROR: {err}", file=sys.stderr)
    raise SystemExit(2) from None
