# Base models the workflow builds itself (the tiny demo model of the embedded default). Its
# tokenizer learns from training text only: the train splits (never valid or test), in a
# fixed order; an evaluation-side data change does not rebuild it.


# One rule per tiny architecture (codepeft.models.TINY_ARCHITECTURES), each for the models of
# its `build`: the Qwen2-shaped demo model's rule and params stay as they were.
rule build_tiny_model:
    input:
        corpus=lambda wc: sorted(task_data(t, l, "train") for t, l in task_langs()),
    output:
        directory(paths.BASE_MODEL),
    log:
        "logs/model/build_tiny_model/{model}.log",
    benchmark:
        "results/benchmarks/build_tiny_model/{model}.tsv"
    wildcard_constraints:
        model=alternatives(tiny_models("tiny")) or "(?!)",
    priority: 20
    conda:
        "../envs/core.yaml"
    # every training and generation waits for it: first, with both cores (torch pre-training)
    threads: 2
    resources:
        **cpu_resources("build_tiny_model"),
    params:
        seed=config["seed"],
    script:
        "../workflow/scripts/build_tiny_model.py"


rule build_tiny_llama_model:
    input:
        corpus=lambda wc: sorted(task_data(t, l, "train") for t, l in task_langs()),
    output:
        directory(paths.BASE_MODEL),
    log:
        "logs/model/build_tiny_llama_model/{model}.log",
    benchmark:
        "results/benchmarks/build_tiny_llama_model/{model}.tsv"
    wildcard_constraints:
        model=alternatives(tiny_models("tiny_llama")) or "(?!)",
    priority: 20
    conda:
        "../envs/core.yaml"
    threads: 2
    resources:
        **cpu_resources("build_tiny_model"),
    params:
        seed=config["seed"],
        build="tiny_llama",
    script:
        "../workflow/scripts/build_tiny_model.py"
