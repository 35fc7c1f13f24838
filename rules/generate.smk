# Generation: one job per (model, method, task, language); references as pseudo predictions.


def generation_inputs(wildcards):
    inputs = {
        "data": task_data(wildcards.task, wildcards.lang, "test"),
        "base": base_model_input(wildcards.model),
    }
    trained = answering_model_dir(wildcards.model, wildcards.method, wildcards.task)
    if trained:
        inputs["trained"] = trained
    return inputs


rule generate:
    wildcard_constraints:
        model=alternatives(config["models"]),
        method=alternatives(config["methods"]),
    input:
        unpack(generation_inputs),
    output:
        "results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    params:
        source=lambda wc: base_model_source(wc.model),
        finetune=lambda wc: finetune_kind(wc.method),
        decoding=lambda wc: study.decoding_spec(config, wc.task),
    log:
        "logs/generate/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/generate/{model}/{method}/{task}/{lang}.tsv"
    threads: 2
    script:
        "../workflow/scripts/generate.py"


rule codereval_form:
    input:
        "results/predictions/{model}/{method}/generation/{lang}.jsonl",
    output:
        "results/predictions/{model}/{method}/generation/{lang}.codereval.jsonl",
    log:
        "logs/generate/{model}/{method}/generation/{lang}.codereval.log",
    script:
        "../workflow/scripts/codereval_form.py"


rule reference_predictions:
    input:
        task_data("{task}", "{lang}", "test"),
    output:
        "results/predictions/reference/reference/{task}/{lang}.jsonl",
    log:
        "logs/generate/reference/{task}/{lang}.log",
    script:
        "../workflow/scripts/reference_predictions.py"


register_final_targets(
    lambda: expand_combos(
        "results/predictions/{model}/{method}/{task}/{lang}.jsonl", prediction_combos()
    )
    + expand_combos(
        "results/predictions/{model}/{method}/generation/{lang}.codereval.jsonl",
        prediction_combos(task="generation"),
    )
)
