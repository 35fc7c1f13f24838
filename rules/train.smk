# Training mixtures and fine-tuning: one job per (model, method, training seed, scope).


# GPU sizing helpers (train_resources, generate_resources, training_multi_gpu); a second
# include of the same file (e.g. from the Snakefile) is ignored by Snakemake.
include: "resources.smk"


# the categories of Snakemake's report (snakemake --report): a manifest is a Data item
from codepeft.report import stages as report_stages


# One job per distinct mixture (codepeft.study.mixtures): results/mixtures/{mixture}/ with
# {mixture} = its tasks + a hash of (sources, mixing, seed); manifest.json says what it holds.
rule build_mixture:
    input:
        unpack(mixture_inputs),
    output:
        train=paths.fill(paths.MIXTURE_FILE, split="train"),
        valid=paths.fill(paths.MIXTURE_FILE, split="valid"),
        manifest=report(
            paths.MIXTURE_MANIFEST,
            caption="../workflow/report/data.rst",
            category=report_stages.DATA,
            subcategory="Training mixtures",
            labels={"mixture": "{mixture}"},
        ),
    log:
        "logs/mixtures/{mixture}.log",
    benchmark:
        "results/benchmarks/build_mixture/{mixture}.tsv"
    conda:
        "../envs/core.yaml"
    resources:
        **cpu_resources("build_mixture"),
    params:
        spec=lambda wc: MIXTURES[wc.mixture],
    script:
        "../workflow/scripts/build_mixture.py"


# One job per (model, method, training seed, scope): every seed reads the same mixture.
rule train:
    input:
        train=training_mixture("train"),
        valid=training_mixture("valid"),
        base=lambda wc: base_model_input(wc.model),
    output:
        directory(paths.MODEL_DIR),
    log:
        "logs/train/{model}/{method}/seed-{seed}/{scope}.log",
    benchmark:
        paths.BENCHMARK_TRAIN
    # trainings head the longest chains (generation, metrics, stats): started first when jobs
    # wait for cores or a cluster's queue
    priority: 10
    conda:
        "../envs/core.yaml"
    threads: train_threads
    resources:
        # cluster runs: GPUs (training.multi_gpu.gpus), memory and time by model size and
        # method (rules/resources.smk); ignored by local runs
        **train_resources(),
    params:
        source=lambda wc: base_model_source(wc.model),
        revision=lambda wc: config["models"][wc.model]["revision"],
        finetune=lambda wc: finetune_kind(wc.method),
        training=training_params,
        checkpoints=lambda wc: checkpoint_dir(wc.model, wc.method, wc.seed, wc.scope),
        # the training seed ({seed}: training.seeds, else the study's seed)
        seed=lambda wc: int(wc.seed),
        multi_gpu=lambda wc: canonical(training_multi_gpu(wc)),
    script:
        "../workflow/scripts/train.py"
