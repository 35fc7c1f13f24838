# light (seconds, one core): runs on the submit host under a cluster profile
# Raw sources (hub, local files, the embedded default) -> one record schema per task/language.
# Two jobs per task/language: train + valid (what training reads) and test (what evaluation
# reads). Each gets exactly the `data` settings its splits read (codepeft.data.prepare
# .job_settings), so an evaluation-side change (CoderEval discard list, summarization eval
# set, ...) reruns only the test split and what evaluates on it, never a mixture or training.


rule prepare_train_data:
    output:
        train=paths.fill(paths.DATA, split="train"),
        valid=paths.fill(paths.DATA, split="valid"),
    log:
        "logs/data/{task}/{lang}.train.log",
    benchmark:
        "results/benchmarks/prepare_train_data/{task}/{lang}.tsv"
    conda:
        "../envs/core.yaml"
    resources:
        **cpu_resources("prepare_train_data"),
    params:
        settings=data_settings(["train", "valid"]),
        seed=config["seed"],
    script:
        "../workflow/scripts/prepare_data.py"


rule prepare_test_data:
    output:
        test=paths.fill(paths.DATA, split="test"),
    log:
        "logs/data/{task}/{lang}.test.log",
    benchmark:
        "results/benchmarks/prepare_test_data/{task}/{lang}.tsv"
    conda:
        "../envs/core.yaml"
    resources:
        **cpu_resources("prepare_test_data"),
    params:
        settings=data_settings(["test"]),
        seed=config["seed"],
    script:
        "../workflow/scripts/prepare_data.py"
