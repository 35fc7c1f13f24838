import sys

from codepeft.logs import setup_rule_logging
from codepeft.train import FourBitUnavailable, TrainingSpec, train

setup_rule_logging(snakemake.log[0])
threads = getattr(snakemake, "threads", None)  # tokenization/packing processes (issue 12)
multi_gpu = snakemake.params.get("multi_gpu") or {}
if int(multi_gpu.get("gpus", 1)) > 1:
    # training.multi_gpu: check the visible GPUs, then one process per GPU (codepeft.launch)
    from codepeft import launch

    gpus = launch.check_devices(int(multi_gpu["gpus"]))
    cmd = launch.launch_command(
        gpus,
        multi_gpu.get("strategy", "ddp"),
        snakemake.params.finetune,
        launch.train_argv(
            model_source=snakemake.params.source,
            finetune=snakemake.params.finetune,
            train_file=snakemake.input.train,
            valid_file=snakemake.input.valid,
            out_dir=snakemake.output[0],
            checkpoint_dir=snakemake.params.checkpoints,
            training=dict(snakemake.params.training),
            seed=snakemake.params.seed,
            revision=snakemake.params.revision,
            threads=threads,
        ),
        main_process_port=launch.free_port(),
    )
    raise SystemExit(launch.run_launch(cmd))
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
        threads=threads,
    )
except FourBitUnavailable as err:
    print(f"ERROR: {err}", file=sys.stderr)
    raise SystemExit(2) from None
