"""The study matrix derived from a validated config: which models are trained, on what, how.

Used by the Snakemake rules (rules/common.smk) and the tests; pure functions of the config.
"""

from __future__ import annotations

import copy
import hashlib
import json

from codepeft import tasks
from codepeft.config import deep_merge, schema_defaults
from codepeft.decoding import resolve
from codepeft.prompts import java_generation_label
from codepeft.tracking import normalize as normalize_report_to

MULTI = "multi"
#: joins a trained method and its model's scope in the pseudo method of an off-task evaluation
#: (`off_task_evaluation`): `st_qlora@translation` is the single-task translation model of
#: st_qlora answering another task. Method names cannot hold it (schema: [A-Za-z0-9_-]).
OFF_TASK = "@"


def off_task_method(method: str, scope: str) -> str:
    """The pseudo method of (method, scope)'s model evaluated on a task it was not trained on."""
    return f"{method}{OFF_TASK}{scope}"


def method_and_scope(name: str) -> tuple[str, str | None]:
    """(method, scope) of an off-task pseudo method, (name, None) of a configured method."""
    method, _, scope = name.partition(OFF_TASK)
    return method, scope or None


def method_tasks(config: dict, method: str) -> list[str]:
    """Tasks a method is trained on (and evaluated on): its `tasks`, else all study tasks."""
    return list(config["methods"][method].get("tasks") or config["tasks"])


def is_trained(config: dict, method: str) -> bool:
    return config["methods"][method_and_scope(method)[0]]["finetune"] != "none"


def scopes(config: dict, method: str) -> list[str]:
    """Model scopes of a method: ['multi'] or one per task; [] for zero-shot."""
    if not is_trained(config, method):
        return []
    if config["methods"][method].get("scope", MULTI) == MULTI:
        return [MULTI]
    return method_tasks(config, method)


def scope_tasks(config: dict, method: str, scope: str) -> list[str]:
    return method_tasks(config, method) if scope == MULTI else [scope]


def scope_for(config: dict, method: str, task: str) -> str | None:
    """The scope of the model that answers `task` for `method` (None: the base model); an
    off-task pseudo method names its scope."""
    base, scope = method_and_scope(method)
    if not is_trained(config, base):
        return None
    if scope:
        return scope
    return MULTI if config["methods"][base].get("scope", MULTI) == MULTI else task


def applies(config: dict, method: str, model: str) -> bool:
    """Whether `method` is run on base model `model` (a method may list its models)."""
    only = config["methods"][method].get("models")
    return not only or model in only


#: the `{seed}` of predictions made without training (zero-shot, the references): no training
#: seed determines them, so they are made once, whatever `training.seeds` lists
NO_SEED = "none"


def training_seeds(config: dict) -> list[int]:
    """The training seeds of the study, in ascending order (their order in the config means
    nothing): `training.seeds`, else (absent or empty) the study's `seed`. Each trained model
    is trained once per seed; mixtures do not depend on them."""
    return sorted(config.get("training", {}).get("seeds") or [config.get("seed", 42)])


def method_seeds(config: dict, method: str) -> list[str]:
    """The `{seed}` values of a method's models and predictions: every training seed (as a
    string) for a trained method, [NO_SEED] for one without training (made once)."""
    if not is_trained(config, method):
        return [NO_SEED]
    return [str(seed) for seed in training_seeds(config)]


def trained_models(config: dict) -> list[tuple[str, str, str, str]]:
    """(model, method, seed, scope) of every training job."""
    return [
        (m, meth, seed, s)
        for m in config["models"]
        for meth in config["methods"]
        if applies(config, meth, m)
        for seed in method_seeds(config, meth)
        for s in scopes(config, meth)
    ]


def test_sets(config: dict) -> list[tuple[str, str]]:
    """(task, name) of the study's evaluation-only test sets (`test_sets`), in config order."""
    return [(tasks.test_set_task(name), name) for name in config.get("test_sets") or {}]


def answers_test_set(config: dict, method: str, task: str) -> bool:
    """Whether `method` has a model that answers the test sets of `task`: zero-shot (the base
    model) and multi-task methods always (a multi-task model answers every prompt), a
    single-task method only when it trains a model for `task`."""
    if scope_for(config, method, task) == MULTI or not is_trained(config, method):
        return True
    return task in method_tasks(config, method)


def evaluated(config: dict) -> list[tuple[str, str, str, str, str]]:
    """(model, method, seed, task, lang) of every generation job: the study's tasks and
    languages, then its evaluation-only test sets (`lang` = the test set's name), then (with
    `off_task_evaluation`) each trained model on the study's tasks it was not trained on; a
    trained method once per training seed, a method without training once (seed NO_SEED)."""
    own = [
        (m, meth, seed, task, lang)
        for m in config["models"]
        for meth in config["methods"]
        if applies(config, meth, m)
        for seed in method_seeds(config, meth)
        for task in method_tasks(config, meth)
        for lang in config["tasks"][task]["languages"]
    ]
    extra = [
        (m, meth, seed, task, name)
        for m in config["models"]
        for meth in config["methods"]
        if applies(config, meth, m)
        for seed in method_seeds(config, meth)
        for task, name in test_sets(config)
        if answers_test_set(config, meth, task)
    ]
    return own + extra + off_task_evaluated(config)


def sampling_spec(config: dict, task: str, lang: str | None) -> dict | None:
    """How many answers one generation job draws per prompt: None for the default single
    greedy answer (then nothing enters the job's params, so adding sampling reran no job),
    else {n, temperature, top_p, seed}. A test set reads `test_sets.<name>.sampling`, the
    generation task `decoding.sampling`; other tasks are never sampled."""
    if lang is not None and tasks.is_test_set(lang):
        sampling = (config["test_sets"][lang] or {}).get("sampling")
    elif task == "generation":
        sampling = config.get("decoding", {}).get("sampling")
    else:
        sampling = None
    if not sampling or (sampling["n"] == 1 and sampling["temperature"] == 0):
        return None
    return {**sampling, "seed": config.get("seed", 42)}


def off_task_evaluated(config: dict) -> list[tuple[str, str, str, str, str]]:
    """(model, `<method>@<scope>`, seed, task, lang) of every trained model (each training
    seed) on each study task it was not trained on, when `off_task_evaluation` is on (else
    none)."""
    if not config.get("off_task_evaluation"):
        return []
    return [
        (m, off_task_method(meth, scope), seed, task, lang)
        for m, meth, seed, scope in trained_models(config)
        for task in config["tasks"]
        if task not in scope_tasks(config, meth, scope)
        for lang in config["tasks"][task]["languages"]
    ]


def method_names(config: dict) -> list[str]:
    """The configured methods and the off-task pseudo methods the study evaluates."""
    extra = dict.fromkeys(meth for _, meth, _, _, _ in off_task_evaluated(config))
    return list(config["methods"]) + list(extra)


def answering_sources(config: dict, method: str, task: str) -> list[list[str]] | None:
    """The (task, lang) sources of the training mixture of the model that answers `task` for
    `method` (an off-task pseudo method: its named scope); None: the base model answers."""
    scope = scope_for(config, method, task)
    if scope is None:
        return None
    return mixture_spec(config, method_and_scope(method)[0], scope)["sources"]


#: the `training` param's key for the model's named chat template (codepeft.train.TrainJob
#: takes it out before the TrainingSpec)
MODEL_CHAT_TEMPLATE = "model_chat_template"


def training_spec(config: dict, method: str, scope: str, model: str | None = None) -> dict:
    """`training` merged with the method's overrides, then its per-task ones (single scope);
    without the keys that are not the trainer's hyperparameters: `multi_gpu` (the launch's,
    a param of its own), `report_to` (where the training reports: read by the rule's
    script from the config, in no job's params, so switching it reruns nothing) and `seeds`
    (the training seeds: each job's own seed is its `{seed}`). With `model`, its own settings
    where it has them (left out while null, so a model without them trains with the params it
    always had): `target_modules` replaces `lora.target_modules`, `chat_template` is added as
    `model_chat_template`."""
    overrides = [config["methods"][method].get("training", {})]
    if scope != MULTI:
        overrides.append(config["methods"][method].get("task_training", {}).get(scope, {}))
    for key in ("report_to", "seeds"):
        if any(key in o for o in overrides):
            raise ValueError(
                f"methods.{method}: {key} is study-wide: set it in the top-level training section"
            )
    normalize_report_to(config.get("training", {}).get("report_to"))
    spec = copy.deepcopy(config.get("training", {}))
    for override in overrides:
        spec = deep_merge(spec, override)
    spec.pop("multi_gpu", None)
    spec.pop("report_to", None)
    spec.pop("seeds", None)  # the job's seed is its {seed} (a param of its own)
    if spec.get("train_max_rows") is None:  # the default (all rows) stays out of the params
        spec.pop("train_max_rows", None)
    entry = config["models"].get(model) or {} if model is not None else {}
    if entry.get("target_modules") is not None:
        spec["lora"] = {**spec.get("lora", {}), "target_modules": entry["target_modules"]}
    if entry.get("chat_template") is not None:
        spec[MODEL_CHAT_TEMPLATE] = entry["chat_template"]
    return spec


def decoding_spec(
    config: dict,
    task: str,
    method: str | None = None,
    lang: str | None = None,
    model: str | None = None,
) -> dict:
    """The decoding options one generation job reads: per-task options resolved to `task`,
    keys sorted; for generation the Java label of the answering model's training prompt; the
    sampling of (task, lang) when it is not one greedy answer (`sampling_spec`); with `model`,
    its named chat template (`model_chat_template`) when it has one. `method` may be an
    off-task pseudo method (its model's scope gives the label)."""
    spec = copy.deepcopy(config.get("decoding", {}))
    spec.pop("vllm", None)
    spec.pop("sampling", None)
    sampling = sampling_spec(config, task, lang)
    if sampling is not None:
        spec["sampling"] = sampling
    spec = resolve(spec, task)
    # options one task (or one kind of model) never reads stay out of its jobs' params
    for key, only in (
        ("generation_prompt", "generation"),
        ("keep_fence_language_tag", "translation"),
    ):
        if task != only:
            spec.pop(key, None)
    base = method_and_scope(method)[0] if method is not None else None
    if base is not None and config["methods"][base]["finetune"] != "qlora":
        for key in ("qlora_base", "qlora_dtype", "qlora_compute_dtype"):
            spec.pop(key, None)
    if task == "generation":
        scope = MULTI
        if method is not None:
            off_scope = method_and_scope(method)[1]
            if off_scope:
                scope = off_scope
            elif config["methods"][base].get("scope", MULTI) != MULTI:
                scope = task
        spec["java_generation_label"] = java_generation_label(config, scope)
    template = (config["models"].get(model) or {}).get("chat_template") if model else None
    if template is not None:
        spec[MODEL_CHAT_TEMPLATE] = template
    return dict(sorted(spec.items()))


#: judge options added after studies had run: left out of the judge jobs' params while they hold
#: this value (their schema default), so adding them reran no judge job
JUDGE_KEPT_OUT_AT_DEFAULT = {"blank_answer": "empty"}


def judge_spec(judge: dict) -> dict:
    """The judge options a judge job reads (the validated `judge` section; the job fills
    absent keys from the schema's defaults)."""
    return {
        key: value
        for key, value in judge.items()
        if key not in JUDGE_KEPT_OUT_AT_DEFAULT or value != JUDGE_KEPT_OUT_AT_DEFAULT[key]
    }


# --- canonical params and shared mixtures ----------------------------------------------------


def canonical(value):
    """`value` as plain JSON data with every mapping's keys sorted, at every level.

    Snakemake records a job's params as `repr(value)` and compares them with the last run's:
    a dict's repr follows its key order, so a config with the same values in another key order
    would rerun the job. Every rule param that holds config goes through this function.
    """
    return json.loads(json.dumps(value, sort_keys=True))


def mixing_spec(mixing: dict) -> dict:
    """The mixing settings that change a mixture (`training.mixing`, defaults filled): the
    temperature only for the `temperature` strategy."""
    given = {**schema_defaults("training", "mixing"), **mixing}
    spec = {
        "strategy": given["strategy"],
        "source_order": given["source_order"],
        "shuffler": given["shuffler"],
        "shuffle_valid_sources": bool(given["shuffle_valid_sources"]),
    }
    if spec["strategy"] == "temperature":
        spec["temperature"] = float(given["temperature"])
    return spec


def mixture_spec(config: dict, method: str, scope: str) -> dict:
    """What determines the training mixture of (method, scope): its (task, language) sources,
    the mixing settings, the study's `seed` (it shuffles the data; the training seeds of
    `training.seeds` do not enter: every seed of a method trains on one mixture) and (with Java
    generation rows) the Java prompt label. Equal specs = the same mixture.

    Source order (`source_order: config`): a method's `tasks` list in its order, else the
    study's tasks by name (the key order of a mapping never matters), each task's languages in
    their list order; `package` orders the sources itself, so they are sorted here.
    """
    mixing = mixing_spec(training_spec(config, method, scope).get("mixing", {}))
    listed = config["methods"][method].get("tasks")
    tasks = scope_tasks(config, method, scope)
    if not listed or scope != MULTI:
        tasks = sorted(tasks)
    sources = [[task, lang] for task in tasks for lang in config["tasks"][task]["languages"]]
    if mixing["source_order"] == "package":
        sources = sorted(sources)
    spec = {"sources": sources, "mixing": mixing, "seed": config.get("seed", 42)}
    if ["generation", "java"] in sources:
        spec["java_generation_label"] = java_generation_label(config, scope)
    return canonical(spec)


def mixture_key(spec: dict) -> str:
    """A readable, stable folder name for a mixture spec: its tasks + a short content hash,
    e.g. `generation+summarization+translation-1a2b3c4d`."""
    tasks = "+".join(sorted({task for task, _ in spec["sources"]}))
    digest = hashlib.sha256(json.dumps(canonical(spec), sort_keys=True).encode()).hexdigest()
    return f"{tasks}-{digest[:8]}"


def mixtures(config: dict) -> dict[str, dict]:
    """{mixture key: spec} of every mixture a training job of the study reads (shared by
    every (model, method, scope) whose mixture spec is the same)."""
    out = {}
    for _model, method, _seed, scope in trained_models(config):
        spec = mixture_spec(config, method, scope)
        out.setdefault(mixture_key(spec), spec)
    return dict(sorted(out.items()))
