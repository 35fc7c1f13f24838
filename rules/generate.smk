# Generation. decoding.backend hf: one job per (model, method, task, language);
# vllm: one job per base model (codepeft.vllm_backend). References as pseudo predictions.
from codepeft import cost as codepeft_cost

if config["decoding"]["backend"] == "vllm":

    # One job per base model: the base is loaded once with LoRA enabled and serves zero-shot
    # and every adapter (LoRARequest); fully fine-tuned models follow in the same job.
    for vllm_model in config["models"]:
        vllm_jobs = PLAN.vllm(vllm_model)["jobs"]
        if not vllm_jobs:
            continue

        rule:
            name:
                vllm_rule_name(vllm_model)
            input:
                data=sorted({j["data"] for j in vllm_jobs}),
                trained=sorted({j["trained"] for j in vllm_jobs if j["trained"]}),
                base=base_model_input(vllm_model),
            output:
                [j["out"] for j in vllm_jobs],
                # cost records (codepeft.cost): tokens generated, tokens/s per file
                [codepeft_cost.cost_path(j["out"]) for j in vllm_jobs],
            log:
                f"logs/generate/vllm/{vllm_model}.log",
            benchmark:
                paths.fill(paths.BENCHMARK_GENERATE_VLLM, model=vllm_model)
            conda:
                "../envs/vllm.yaml"
            threads: VLLM_CPUS
            resources:
                **vllm_generate_resources(vllm_model),
            params:
                # key-sorted JSON (canonical); the interpreter and the checkout (its only
                # PYTHONPATH entry) come from the environment (rules/common.smk)
                plan=json.dumps(PLAN.vllm(vllm_model), sort_keys=True),
            shell:
                'PYTHONPATH="$CODEPEFT_VLLM_JOB_PYTHONPATH" "$CODEPEFT_VLLM_JOB_PYTHON" -m codepeft.vllm_backend --plan-json {params.plan:q} > {log} 2>&1'

else:

    rule generate:
        input:
            unpack(generation_inputs),
        output:
            paths.PREDICTIONS,
            # cost record (codepeft.cost): tokens generated, tokens/s, device
            cost=paths.COST,
        log:
            "logs/generate/{model}/{method}/seed-{seed}/{task}/{lang}.log",
        benchmark:
            paths.BENCHMARK_GENERATE
        wildcard_constraints:
            model=alternatives(config["models"]),
            method=alternatives(PLAN.method_names),
        conda:
            "../envs/core.yaml"
        threads: model_threads
        resources:
            **generate_resources(),
        params:
            source=lambda wc: base_model_source(wc.model),
            finetune=lambda wc: finetune_kind(wc.method),
            decoding=lambda wc: canonical(
                study.decoding_spec(config, wc.task, wc.method, wc.lang, wc.model)
            ),
        script:
            "../workflow/scripts/generate.py"


rule codereval_form:
    input:
        paths.fill(paths.PREDICTIONS, task="generation"),
    output:
        paths.CODEREVAL,
    log:
        "logs/generate/{model}/{method}/seed-{seed}/generation/{lang}.codereval.log",
    benchmark:
        "results/benchmarks/codereval_form/{model}/{method}/seed-{seed}/{lang}.tsv"
    wildcard_constraints:
        lang=alternatives(tasks.LANGUAGES),
    conda:
        "../envs/core.yaml"
    resources:
        **cpu_resources("codereval_form"),
    script:
        "../workflow/scripts/codereval_form.py"


rule reference_predictions:
    input:
        task_data("{task}", "{lang}", "test"),
    output:
        paths.fill(
            paths.PREDICTIONS, model=REFERENCE, method=REFERENCE, seed=study.NO_SEED
        ),
    log:
        "logs/generate/reference/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/reference_predictions/{task}/{lang}.tsv"
    conda:
        "../envs/core.yaml"
    resources:
        **cpu_resources("reference_predictions"),
    script:
        "../workflow/scripts/reference_predictions.py"


# CoderEval's form for CoderEval's languages only (not for a test set such as humaneval)
register_final_targets(
    lambda: expand_combos(paths.PREDICTIONS, prediction_combos())
    + expand_combos(
        paths.CODEREVAL,
        [
            c
            for c in prediction_combos(task="generation")
            if not tasks.is_test_set(c["lang"])
        ],
    )
)
