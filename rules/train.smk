# Training mixtures and fine-tuning: one job per (model, method, scope).


# GPU sizing helpers (train_resources, generate_resources, training_multi_gpu); a second
# include of the same file (e.g. from the Snakefile) is ignored by Snakemake.
include: "resources.smk"


rule build_mixture:
    input:
        unpack(mixture_inputs),
    output:
        train="results/mixtures/{method}/{scope}/train.jsonl",
        valid="results/mixtures/{method}/{scope}/valid.jsonl",
    log:
        "logs/mixtures/{method}/{scope}.log",
    benchmark:
        "results/benchmarks/build_mixture/{method}/{scope}.tsv"
    conda:
        "../envs/core.yaml"
    resources:
        **cpu_resources("build_mixture"),
    params:
        mixing=lambda wc: study.training_spec(config, wc.method, wc.scope)["mixing"],
        seed=config["seed"],
    script:
        "../workflow/scripts/build_mixture.py"


rule train:
    input:
        train="results/mixtures/{method}/{scope}/train.jsonl",
        valid="results/mixtures/{method}/{scope}/valid.jsonl",
        base=lambda wc: base_model_input(wc.model),
    output:
        directory("results/models/{model}/{method}/{scope}"),
    log:
        "logs/train/{model}/{method}/{scope}.log",
    benchmark:
        "results/benchmarks/train/{model}/{method}/{scope}.tsv"
    conda:
        "../envs/core.yaml"
    threads: model_threads
    resources:
        # cluster runs: GPUs (training.multi_gpu.gpus), memory and time by model size and
        # method (rules/resources.smk); ignored by local runs
        **train_resources(),
    params:
        source=lambda wc: base_model_source(wc.model),
        revision=lambda wc: config["models"][wc.model]["revision"],
        finetune=lambda wc: finetune_kind(wc.method),
        training=training_params,
        checkpoints=lambda wc: checkpoint_dir(wc.model, wc.method, wc.scope),
        seed=config["seed"],
        multi_gpu=training_multi_gpu,
    script:
        "../workflow/scripts/train.py"
