# Helpers only: names, paths and target lists derived from the validated config. No rules here.
import json
import re
import os
import sys
from pathlib import Path

from codepeft import config as study_config

REFERENCE = "reference"  # pseudo model/method whose predictions are the references


def task_langs(task=None):
    """(task, lang) pairs of the study, in config order."""
    return [
        (t, lang)
        for t, spec in config["tasks"].items()
        if task in (None, t)
        for lang in spec["languages"]
    ]


def methods_for_generation():
    return list(config["methods"])


def prediction_combos(task=None, lang=None, include_reference=False):
    """Every (model, method, task, lang) the study generates predictions for."""
    combos = [
        dict(model=m, method=meth, task=t, lang=l)
        for m in config["models"]
        for meth in config["methods"]
        for t, l in task_langs(task)
        if lang in (None, l)
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


def wildcard_regex(names):
    return "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
