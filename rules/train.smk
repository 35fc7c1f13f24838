# Training mixtures and fine-tuning: one job per (model, method, scope).


rule build_mixture:
    input:
        unpack(mixture_inputs),
    output:
        train="results/mixtures/{method}/{scope}/train.jsonl",
        valid="results/mixtures/{method}/{scope}/valid.jsonl",
    params:
        mixing=lambda wc: study.training_spec(config, wc.method, wc.scope)["mixing"],
        seed=config["seed"],
    conda:
        "../envs/core.yaml"
    log:
        "logs/mixtures/{method}/{scope}.log",
    script:
        "../workflow/scripts/build_mixture.py"


rule train:
    input:
        train="results/mixtures/{method}/{scope}/train.jsonl",
        valid="results/mixtures/{method}/{scope}/valid.jsonl",
        base=lambda wc: base_model_input(wc.model),
    output:
        directory("results/models/{model}/{method}/{scope}"),
    params:
        source=lambda wc: base_model_source(wc.model),
        revision=lambda wc: config["models"][wc.model]["revision"],
        finetune=lambda wc: finetune_kind(wc.method),
        training=training_params,
        checkpoints=lambda wc: checkpoint_dir(wc.model, wc.method, wc.scope),
        seed=config["seed"],
    conda:
        "../envs/core.yaml"
    log:
        "logs/train/{model}/{method}/{scope}.log",
    benchmark:
        "results/benchmarks/train/{model}/{method}/{scope}.tsv"
    threads: 2
    script:
        "../workflow/scripts/train.py"
