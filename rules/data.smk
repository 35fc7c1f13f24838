# Raw sources (hub, local files, the embedded default) -> one record schema per task/language.


rule prepare_data:
    output:
        train="results/data/{task}/{lang}/train.jsonl",
        valid="results/data/{task}/{lang}/valid.jsonl",
        test="results/data/{task}/{lang}/test.jsonl",
    log:
        "logs/data/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/prepare_data/{task}/{lang}.tsv"
    conda:
        "../envs/core.yaml"
    resources:
        **cpu_resources("prepare_data"),
    params:
        data=lambda wc: config["data"],
        seed=config["seed"],
    script:
        "../workflow/scripts/prepare_data.py"
