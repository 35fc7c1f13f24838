# Helpers only: names, paths and target lists derived from the validated config. No rules here.
# Depends on nothing defined in a later include: the stages use these names, never the reverse.
# Planning lives in the package (codepeft.plan.Plan, built once here); file layouts in
# codepeft.paths; the task registry in codepeft.tasks.
import json
import os
import re
import sys

from codepeft import cards as codepeft_cards
from codepeft import measures
from codepeft import paths
from codepeft import preflight as study_preflight
from codepeft import study
from codepeft import tasks
from codepeft.data import prepare as data_prepare
from codepeft.judge.rubric import PACKAGED_TEMPLATES, packaged_template_path
from codepeft.overlap import plan as overlap_plan
from codepeft.plan import REFERENCE, Plan, report_metric_inputs
from codepeft.provenance import config_hash
from codepeft.stats import intervals as stats_intervals
from codepeft.study import canonical

# Params rule: every rule's params hold only what its job reads, through `canonical` (nested
# config as key-sorted JSON data): Snakemake compares params by repr(), in which a dict's key
# order shows, so a config with its keys in another order must plan nothing. No machine paths
# in params (interpreter, checkout): those reach jobs through the environment.

# the study's plan, computed once per parse from the validated config
PLAN = Plan(config)
SPLITS = list(tasks.SPLITS)


def task_langs(task=None):
    """(task, lang) pairs of the study, in config order."""
    return PLAN.task_langs(task)


def prediction_combos(task=None, lang=None, include_reference=False):
    """Every (model, method, seed, task, lang) the study generates predictions for."""
    return PLAN.prediction_combos(task, lang, include_reference)


def expand_combos(pattern, combos):
    return [paths.fill(pattern, **c) for c in combos]


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
    method=alternatives(PLAN.method_names + [REFERENCE]),
    seed=alternatives({c["seed"] for c in prediction_combos(include_reference=True)}),
    task=alternatives(config["tasks"]),
    lang=alternatives({l for _, l in task_langs() + PLAN.test_set_langs()}),
    scope=alternatives(["multi"] + list(config["tasks"])),
    split=alternatives(SPLITS),
    mixture=alternatives(PLAN.mixtures) or "(?!)",


# --- data -------------------------------------------------------------------------------


def task_data(task, lang, split):
    return paths.fill(paths.DATA, task=task, lang=lang, split=split)


def data_settings(splits):
    """Params of a data job: the `data` settings its splits read (codepeft.data.prepare)."""
    return lambda wc: canonical(
        data_prepare.job_settings(wc.task, wc.lang, splits, config["data"])
    )


# --- models -----------------------------------------------------------------------------


def base_model_source(model):
    return config["models"][model]["source"]


def is_tiny_model(model):
    """A tiny demo model built by the workflow (the embedded default): its jobs are seconds of
    work after a process start-up, single-threaded, so they get one thread each and two run side
    by side on a 2-core machine (the start-up is single-threaded Python imports)."""
    spec = config["models"].get(model) or {}
    return bool(spec.get("build"))


def tiny_models(build):
    """The models the workflow builds as tiny model `build` (tiny, tiny_llama)."""
    return [m for m, spec in config["models"].items() if spec.get("build") == build]


def base_model_input(model):
    """The base model as a rule input when the workflow builds it, else nothing (hub/local)."""
    spec = config["models"][model]
    return [spec["source"]] if spec.get("build") else []


def checkpoint_dir(model, method, seed, scope):
    # outside the rule's declared output: survives a failed or preempted job, for resume
    return paths.fill(
        paths.CHECKPOINT_DIR, model=model, method=method, seed=seed, scope=scope
    )


def answering_model_dir(model, method, seed, task):
    """The trained model (training seed `seed`) that answers `task` for `method`, or None
    for the base model."""
    return PLAN.answering_model_dir(model, method, seed, task)


def finetune_kind(method):
    return PLAN.finetune_kind(method)


def training_params(wildcards):
    spec = study.training_spec(
        config, wildcards.method, wildcards.scope, wildcards.model
    )
    spec["mixing"] = study.mixing_spec(spec.get("mixing", {}))
    return canonical(spec)


# Mixtures are keyed by what determines them (sources, mixing, the study's seed): methods with
# the same content (e.g. mt_qlora and mt_fft) and every training seed share one build_mixture
# job and one file.
MIXTURES = PLAN.mixtures


def mixture_dir(method, scope):
    return PLAN.mixture_dir(method, scope)


def mixture_inputs(wildcards):
    sources = MIXTURES[wildcards.mixture]["sources"]
    return {
        split: [task_data(t, l, split) for t, l in sources]
        for split in ("train", "valid")
    }


def training_mixture(split):
    return lambda wc: paths.fill(
        paths.MIXTURE_FILE, mixture=PLAN.mixture_key(wc.method, wc.scope), split=split
    )


# --- generation ---------------------------------------------------------------------


def generation_inputs(wildcards):
    inputs = {
        "data": task_data(wildcards.task, wildcards.lang, "test"),
        "base": base_model_input(wildcards.model),
    }
    trained = answering_model_dir(
        wildcards.model, wildcards.method, wildcards.seed, wildcards.task
    )
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
    """Every generation job of base model `model` for codepeft.vllm_backend (one engine run;
    codepeft.plan.Plan.vllm, computed once per model)."""
    return PLAN.vllm(model)


# The vLLM jobs' interpreter, resolved when the workflow is parsed (locally, and again by each
# cluster job) and passed through the environment: moving the checkout or the venv must not
# change any rule param (that would rerun GPU generation).
if config["decoding"]["backend"] == "vllm":
    # set here (not read from the user's environment: no envvars directive needed)
    os.environ.update(
        CODEPEFT_VLLM_JOB_PYTHON=vllm_python(),
        CODEPEFT_VLLM_JOB_PYTHONPATH=workflow.basedir,
    )


def vllm_rule_name(model):
    safe = re.sub(r"\W", "_", model)
    return f"generate_vllm_{safe}"


# --- metric families (codepeft.measures) ----------------------------------------------------


def metric_outputs(families, task="{task}"):
    """Named outputs of a job that writes metric `families` for one predictions file (wildcards
    model, method, seed, lang and, unless given, task kept): `<family>_<file>` for each file of
    each family's registry entry (table, summary)."""
    return {
        f"{family}_{kind}": paths.metric_files(
            family, "{model}", "{method}", "{seed}", task, "{lang}"
        )[kind]
        for family in families
        for kind in measures.family(family).files
    }


# --- execution (rules/execute.smk) ---------------------------------------------------


def execution_tests(wildcards):
    """The local tests file of CoderEval's languages, when configured (a change reruns their
    tables); nothing for a test set, whose tests are in its data."""
    if tasks.is_test_set(wildcards.lang) or not config["execution"]["tests"]:
        return []
    return [config["execution"]["tests"]]


# --- judge (rules/judge.smk) ---------------------------------------------------------

JUDGE = config["judge"]
JUDGE_LOCAL = JUDGE["backend"] == "local"


def judge_inputs(wildcards):
    inputs = {
        "predictions": paths.fill(
            paths.PREDICTIONS,
            model=wildcards.model,
            method=wildcards.method,
            seed=wildcards.seed,
            task="summarization",
            lang=wildcards.lang,
        ),
        "test": task_data("summarization", wildcards.lang, "test"),
    }
    if JUDGE["template"]:
        # a template edit re-judges (new prompts); `package` = the packaged package prompt
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


# --- report (rules/report.smk) ---------------------------------------------------------


def report_inputs(wildcards):
    """Metric tables (+ summaries) and stats files registered by the enabled stages, and the
    trained models' folders."""
    tables, summaries, stats_files = report_metric_inputs(get_final_output())
    return {
        "tables": tables,
        "summaries": summaries,
        "stats": stats_files,
        "models": PLAN.trained_model_dirs(),
    }


def uncertainty_report_inputs(wildcards):
    """The bootstrap intervals (rule intervals) and the overlap audit's summaries, where the
    study has them (codepeft.report.uncertainty)."""
    targets = set(get_final_output())
    found = {
        name: [path]
        for name, path in (
            ("intervals", paths.INTERVALS),
            ("corpus_paired", paths.CORPUS_PAIRED),
        )
        if path in targets
    }
    found["overlap"] = [p for p in overlap_plan.audit_summaries(config) if p in targets]
    return found


# --- intervals (rules/uncertainty.smk) ------------------------------------------------


def intervals_inputs(wildcards):
    """Every metric table the report reads, and the predictions and test data of the surface
    tables (corpus BLEU/chrF)."""
    tables, _, _ = report_metric_inputs(get_final_output())
    texts = []
    for path in tables:
        names = paths.METRIC_TABLE_RE.search(path).groupdict()
        if names["family"] == "surface":
            texts.append(
                stats_intervals.predictions_path(
                    names["model"],
                    names["method"],
                    names["seed"],
                    names["task"],
                    names["lang"],
                )
            )
            texts.append(task_data(names["task"], names["lang"], "test"))
    return {"tables": tables, "texts": list(dict.fromkeys(texts))}


# --- shared results (rules/share.smk) --------------------------------------------------


def tidy_inputs(wildcards):
    """The metric tables and stats files the enabled stages register (as the report reads)."""
    tables, _summaries, stats_files = report_metric_inputs(get_final_output())
    return {"tables": tables, "stats": stats_files}


def model_card_inputs(wildcards):
    """The trained models' folders, their mixtures' manifests and the stats files."""
    jobs = codepeft_cards.card_jobs(config)
    return {
        "models": [job.model_dir for job in jobs],
        "manifests": sorted({job.manifest(config) for job in jobs}),
        "stats": report_metric_inputs(get_final_output())[2],
    }


# --- preflight (rules/preflight.smk) --------------------------------------------------


def preflight_running_jobs():
    """(rule, ((wildcard, value), ...)) of every job this run is about to run."""
    return {
        (job.rule.name, tuple(sorted(job.wildcards_dict.items())))
        for job in workflow.dag.needrun_jobs()
    }


def preflight_slurm_resources():
    """{rule: string resources} of the jobs about to run when they go to SLURM, else None."""
    plugin = workflow.executor_plugin
    if plugin is None or plugin.name != "slurm":
        return None
    resources = {}
    for job in workflow.dag.needrun_jobs():
        if workflow.is_local(job.rule):
            continue
        values = {k: v for k, v in job.resources.items() if isinstance(v, str)}
        resources.setdefault(job.rule.name, {}).update(values)
    return resources
