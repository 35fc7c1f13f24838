# Generation. decoding.backend hf: one job per (model, method, task, language);
# vllm: one job per base model (codepeft.vllm_backend). References as pseudo predictions.
import os

from codepeft import vllm_backend


def generation_inputs(wildcards):
    inputs = {
        "data": task_data(wildcards.task, wildcards.lang, "test"),
        "base": base_model_input(wildcards.model),
    }
    trained = answering_model_dir(wildcards.model, wildcards.method, wildcards.task)
    if trained:
        inputs["trained"] = trained
    return inputs


def vllm_python():
    """The vLLM environment's python: decoding.vllm.python, else $CODEPEFT_VLLM_PYTHON, else
    ${CODEPEFT_VLLM_VENV:-<repo>/.venv-vllm}/bin/python (made by scripts/setup/vllm.sh),
    else `python` on PATH (the conda env of envs/vllm.yaml with --sdm conda).
    """
    chosen = config["decoding"].get("vllm", {}).get("python") or os.environ.get(
        "CODEPEFT_VLLM_PYTHON"
    )
    if chosen:
        return chosen
    venv = os.environ.get("CODEPEFT_VLLM_VENV") or os.path.join(
        workflow.basedir, ".venv-vllm"
    )
    local = os.path.join(venv, "bin", "python")
    return local if os.path.exists(local) else "python"


def vllm_plan(model):
    """Every generation job of base model `model` for codepeft.vllm_backend (one engine run)."""
    jobs = []
    for c in prediction_combos():
        if c["model"] != model:
            continue
        trained = answering_model_dir(model, c["method"], c["task"])
        jobs.append(
            dict(
                method=c["method"],
                task=c["task"],
                lang=c["lang"],
                finetune=finetune_kind(c["method"]),
                trained=trained,
                data=task_data(c["task"], c["lang"], "test"),
                out=expand_combos(
                    "results/predictions/{model}/{method}/{task}/{lang}.jsonl", [c]
                )[0],
                decoding=study.decoding_spec(config, c["task"]),
            )
        )
    vllm_backend.check_jobs(jobs)
    return dict(
        model=model,
        source=base_model_source(model),
        seed=config["seed"],
        vllm=config["decoding"].get("vllm", {}),
        jobs=jobs,
    )


def vllm_rule_name(model):
    return "generate_vllm_" + re.sub(r"\W", "_", model)


if config["decoding"]["backend"] == "vllm":

    # One job per base model: the base is loaded once with LoRA enabled and serves zero-shot
    # and every adapter (LoRARequest); fully fine-tuned models follow in the same job.
    for vllm_model in config["models"]:
        vllm_jobs = vllm_plan(vllm_model)["jobs"]
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
            log:
                f"logs/generate/vllm/{vllm_model}.log",
            benchmark:
                f"results/benchmarks/generate/vllm/{vllm_model}.tsv"
            conda:
                "../envs/vllm.yaml"
            threads: 2
            resources:
                gpu=1,
            params:
                python=vllm_python(),
                repo=workflow.basedir,
                plan=json.dumps(vllm_plan(vllm_model)),
            shell:
                "PYTHONPATH={params.repo:q} {params.python} -m codepeft.vllm_backend --plan-json {params.plan:q} > {log} 2>&1"

else:

    rule generate:
        input:
            unpack(generation_inputs),
        output:
            "results/predictions/{model}/{method}/{task}/{lang}.jsonl",
        log:
            "logs/generate/{model}/{method}/{task}/{lang}.log",
        benchmark:
            "results/benchmarks/generate/{model}/{method}/{task}/{lang}.tsv"
        wildcard_constraints:
            model=alternatives(config["models"]),
            method=alternatives(config["methods"]),
        threads: 2
        params:
            source=lambda wc: base_model_source(wc.model),
            finetune=lambda wc: finetune_kind(wc.method),
            decoding=lambda wc: study.decoding_spec(config, wc.task),
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
