# Base models the workflow builds itself (the tiny demo model of the embedded default). Its
# tokenizer learns from training text only: the train splits (never valid or test), in a
# fixed order; an evaluation-side data change does not rebuild it.


rule build_tiny_model:
    input:
        corpus=lambda wc: sorted(task_data(t, l, "train") for t, l in task_langs()),
    output:
        directory(paths.BASE_MODEL),
    log:
        "logs/model/build_tiny_model/{model}.log",
    benchmark:
        "results/benchmarks/build_tiny_model/{model}.tsv"
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
