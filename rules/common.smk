# Helpers only: names, paths and target lists derived from the validated config. No rules here.
import json
import os
import re

from codepeft import study
from codepeft import vllm_backend
from codepeft.data import prepare as data_prepare
from codepeft.provenance import config_hash
from codepeft.study import canonical

# Params rule: every rule's params hold only what its job reads, through `canonical` (nested
# config as key-sorted JSON data): Snakemake compares params by repr(), in which a dict's key
# order shows, so a config with its keys in another order must plan nothing. No machine paths
# in params (interpreter, checkout): those reach jobs through the environment.

REFERENCE = "reference"  # pseudo model/method whose predictions are the references
SPLITS = ["train", "valid", "test"]


def task_langs(task=None):
    """(task, lang) pairs of the study, in config order."""
    return [
        (t, lang)
        for t, spec in config["tasks"].items()
        if task in (None, t)
        for lang in spec["languages"]
    ]


def prediction_combos(task=None, lang=None, include_reference=False):
    """Every (model, method, task, lang) the study generates predictions for."""
    combos = [
        dict(model=m, method=meth, task=t, lang=l)
        for m, meth, t, l in study.evaluated(config)
        if task in (None, t) and lang in (None, l)
    ]
    if include_reference:
        combos += [
            dict(model=REFERENCE, method=REFERENCE, task=t, lang=l)
            for t, l in task_langs(task)
            if lang in (None, l)
        ]
    return combos


def expand_combos(pattern, combos):
    return [pattern.format(**c) for c in combos]


_FINAL_TARGET_FUNCTIONS = []


def register_final_targets(function):
    """Stages call this with a no-argument function returning their final target paths."""
    _FINAL_TARGET_FUNCTIONS.append(function)
    return function


def get_final_output():
    targets = []
    for function in _FINAL_TARGET_FUNCTIONS:
        targets.extend(function())
    return list(dict.fromkeys(targets))


def alternatives(names):
    """A wildcard constraint matching exactly one of `names`."""
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


wildcard_constraints:
    model=alternatives(list(config["models"]) + [REFERENCE]),
    method=alternatives(list(config["methods"]) + [REFERENCE]),
    task=alternatives(config["tasks"]),
    lang=alternatives({l for _, l in task_langs()}),
    scope=alternatives(["multi"] + list(config["tasks"])),
    split=alternatives(SPLITS),
    mixture=alternatives(study.mixtures(config)) or "(?!)",


# --- data -------------------------------------------------------------------------------


def task_data(task, lang, split):
    return f"results/data/{task}/{lang}/{split}.jsonl"


def data_settings(splits):
    """Params of a data job: the `data` settings its splits read (codepeft.data.prepare)."""
    return lambda wc: canonical(
        data_prepare.job_settings(wc.task, wc.lang, splits, config["data"])
    )


# --- models -----------------------------------------------------------------------------


def base_model_source(model):
    return config["models"][model]["source"]


def base_model_input(model):
    """The base model as a rule input when the workflow builds it, else nothing (hub/local)."""
    spec = config["models"][model]
    return [spec["source"]] if spec.get("build") else []


def trained_model_dir(model, method, scope):
    return f"results/models/{model}/{method}/{scope}"


def checkpoint_dir(model, method, scope):
    # outside the rule's declared output: survives a failed or preempted job, for resume
    return f"results/checkpoints/{model}/{method}/{scope}"


def answering_model_dir(model, method, task):
    """The trained model that answers `task` for `method`, or None for the base model."""
    scope = study.scope_for(config, method, task)
    return None if scope is None else trained_model_dir(model, method, scope)


def finetune_kind(method):
    return config["methods"][method]["finetune"]


def training_params(wildcards):
    spec = study.training_spec(config, wildcards.method, wildcards.scope)
    spec["mixing"] = study.mixing_spec(spec.get("mixing", {}))
    return canonical(spec)


# Mixtures are keyed by what determines them (sources, mixing, seed): methods with the same
# content (e.g. mt_qlora and mt_fft) share one build_mixture job and one file.
MIXTURES = study.mixtures(config)


def mixture_dir(method, scope):
    return f"results/mixtures/{study.mixture_key(study.mixture_spec(config, method, scope))}"


def mixture_inputs(wildcards):
    sources = MIXTURES[wildcards.mixture]["sources"]
    return {
        split: [task_data(t, l, split) for t, l in sources]
        for split in ("train", "valid")
    }


def training_mixture(split):
    return lambda wc: f"{mixture_dir(wc.method, wc.scope)}/{split}.jsonl"


# --- generation ---------------------------------------------------------------------


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
                decoding=study.decoding_spec(config, c["task"], c["method"]),
            )
        )
    vllm_backend.check_jobs(jobs)
    # the interpreter (decoding.vllm.python) is a machine path: it reaches the job through
    # $CODEPEFT_VLLM_JOB_PYTHON (below), not through the plan, which is a rule param
    vllm = {
        k: v for k, v in config["decoding"].get("vllm", {}).items() if k != "python"
    }
    return canonical(
        dict(
            model=model,
            source=base_model_source(model),
            seed=config["seed"],
            vllm=vllm,
            jobs=sorted(jobs, key=lambda j: j["out"]),
        )
    )


# The vLLM jobs' interpreter, resolved when the workflow is parsed (locally, and again by each
# cluster job) and passed through the environment: moving the checkout or the venv must not
# change any rule param (that would rerun GPU generation).
if config["decoding"]["backend"] == "vllm":
    os.environ["CODEPEFT_VLLM_JOB_PYTHON"] = vllm_python()
    os.environ["CODEPEFT_VLLM_JOB_PYTHONPATH"] = workflow.basedir


def vllm_rule_name(model):
    safe = re.sub(r"\W", "_", model)
    return f"generate_vllm_{safe}"


# --- judge (rules/judge.smk) ---------------------------------------------------------


def judge_combos():
    if not JUDGE["enabled"] or "summarization" not in config["tasks"]:
        return []
    return prediction_combos(
        task="summarization", include_reference=JUDGE["include_reference"]
    )


def judge_inputs(wildcards):
    inputs = {
        "predictions": f"results/predictions/{wildcards.model}/{wildcards.method}/summarization/{wildcards.lang}.jsonl",
        "test": task_data("summarization", wildcards.lang, "test"),
    }
    if JUDGE["template"]:
        # a template edit re-judges (new prompts); `package` = the packaged package prompt
        from codepeft.judge.rubric import PACKAGED_TEMPLATES, packaged_template_path

        template = JUDGE["template"]
        inputs["template"] = (
            str(packaged_template_path(template))
            if template in PACKAGED_TEMPLATES
            else template
        )
    if JUDGE_LOCAL:
        # results/base/tiny is built by the workflow (rule build_tiny_model)
        inputs["judge_model"] = JUDGE["model"]
    return inputs


# --- statistics (rules/stats.smk) -----------------------------------------------------


def stats_plan():
    """(blocks to run, blocks skipped with the reason) of the configured comparisons."""
    if not config["stats"]["enabled"]:
        return [], []
    generated = {
        (c["model"], c["method"], c["task"], c["lang"]) for c in prediction_combos()
    }
    run, skipped = [], []
    for block in codepeft_stats.planned_tests(config):
        sides = [
            (block["a_model"], block["a_method"], block["task"], block["lang"]),
            (block["b_model"], block["b_method"], block["task"], block["lang"]),
        ]
        if not all(side in generated for side in sides):
            skipped.append((block, "not in the study's prediction matrix"))
        elif not all(block[t] in STATS_PRODUCED_TABLES for t in ("a_table", "b_table")):
            skipped.append((block, "metric table not produced (family disabled?)"))
        else:
            run.append(block)
    return run, skipped


def stats_blocks_in_order(blocks):
    """The blocks in an order that depends on the comparisons list (a list: its order is
    the user's) but not on the key order of models, tasks or measures."""
    position = {
        c["name"]: i for i, c in enumerate(config["stats"].get("comparisons", []))
    }
    return sorted(
        blocks,
        key=lambda b: (
            position.get(b["comparison"], len(position)),
            b["model"],
            b["task"],
            b["lang"],
            b["family"],
            json.dumps(canonical(b), sort_keys=True),
        ),
    )


def stats_comparisons():
    return list(dict.fromkeys(block["comparison"] for block in stats_plan()[0]))


def stats_input_tables(wildcards):
    """Every metric table the configured comparisons read (A and B sides)."""
    tables = []
    for block in stats_plan()[0]:
        tables += [block["a_table"], block["b_table"]]
    return list(dict.fromkeys(tables))


# --- report (rules/report.smk) ---------------------------------------------------------


def report_metric_inputs():
    """Metric tables (+ summaries) and stats files registered by the enabled stages."""
    tables, summaries, stats_files = [], [], []
    for path in get_final_output():
        if path.startswith("results/metrics/"):
            if path.endswith(".summary.json"):
                summaries.append(path)
            elif path.endswith(".tsv") and not path.endswith(".rules.tsv"):
                tables.append(path)
        elif path.startswith("results/stats/") and path.endswith(".tsv"):
            stats_files.append(path)
    return tables, summaries, stats_files


def report_model_dirs():
    return [
        trained_model_dir(m, meth, s)
        for m, meth, s in codepeft_study.trained_models(config)
    ]


def report_inputs(wildcards):
    tables, summaries, stats_files = report_metric_inputs()
    return {
        "tables": tables,
        "summaries": summaries,
        "stats": stats_files,
        "models": report_model_dirs(),
    }

# light (seconds, one core): runs on the submit host under a cluster profile
