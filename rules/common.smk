# Helpers only: names, paths and target lists derived from the validated config. No rules here.
import json
import re

from codepeft import study

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


# --- data -------------------------------------------------------------------------------


def task_data(task, lang, split):
    return f"results/data/{task}/{lang}/{split}.jsonl"


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
    return study.training_spec(config, wildcards.method, wildcards.scope)


def mixture_inputs(wildcards):
    tasks = study.scope_tasks(config, wildcards.method, wildcards.scope)
    return {
        split: [
            task_data(t, l, split)
            for t in tasks
            for l in config["tasks"][t]["languages"]
        ]
        for split in ("train", "valid")
    }
