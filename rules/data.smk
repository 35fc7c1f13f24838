# Raw sources (hub, local files, the embedded default) -> one record schema per task/language.


rule prepare_data:
    output:
        train="results/data/{task}/{lang}/train.jsonl",
        valid="results/data/{task}/{lang}/valid.jsonl",
        test="results/data/{task}/{lang}/test.jsonl",
    params:
        data=lambda wc: config["data"],
        seed=config["seed"],
    conda:
        "../envs/core.yaml"
    log:
        "logs/data/{task}/{lang}.log",
    script:
        "../workflow/scripts/prepare_data.py"
