"""The analyzer stage of a study, planned at parse time (rules/analyze.smk): which analyzer
runs on which predictions files (`plan`), each rule's outputs (`plan_targets`), per-file
mapping (`plan_params`) and options (`rule_options`). Pure."""

from __future__ import annotations

from dataclasses import asdict

from codepeft import paths
from codepeft.analyzers.registry import module
from codepeft.analyzers.runner import Job
from codepeft.tasks import code_language


def plan(section: dict, combos: list[dict]) -> dict[str, list[Job]]:
    """The analyzer stage of a study: {enabled analyzer: its Jobs}, from the validated
    `analyzers` config section and the prediction combos (dicts with model, method, seed,
    task, lang; reference/reference included when wanted). A combo is a job of an analyzer when
    its predictions are code in a language the analyzer handles; analyzers with no job are
    left out (no rule). Pure: used by rules/analyze.smk at parse time."""
    out = {}
    for name in section["enabled"]:
        mod = module(name)
        jobs = []
        for c in combos:
            if code_language(c["task"], c["lang"]) not in mod.LANGUAGES:
                continue
            files = paths.metric_files(
                name, c["model"], c["method"], c["seed"], c["task"], c["lang"]
            )
            jobs.append(
                Job(
                    predictions=paths.fill(paths.PREDICTIONS, **c),
                    task=c["task"],
                    lang=c["lang"],
                    table=files["table"],
                    rules=files["rules"] if mod.HAS_RULES else None,
                    summary=files["summary"],
                )
            )
        if jobs:
            out[name] = jobs
    return out


#: config sections read by one analyzer only (passed to that analyzer's rule alone)
TOOL_SECTIONS = ("lizard", "pmd", "sonar")
#: tool options added after studies had run: left out of the rule's params while they hold
#: this value (their schema default), so adding them reran no job of an existing study
KEPT_OUT_AT_DEFAULT = {"lizard": {"functions_from": "list"}}


def rule_options(section: dict, name: str) -> dict:
    """The options one analyzer rule reads from the validated `analyzers` section, in a
    canonical form (sorted keys; another tool's settings left out, so changing them does not
    rerun this one)."""
    options = {
        "timeout_s": section["timeout_s"],
        "label": "study",
        "unit_files": section.get("unit_files", "codepeft"),
        "format_translations": bool(section.get("format_translations", False)),
    }
    if name in TOOL_SECTIONS:
        quiet = KEPT_OUT_AT_DEFAULT.get(name, {})
        options[name] = {
            key: value
            for key, value in sorted((section.get(name) or {}).items())
            if key not in quiet or value != quiet[key]
        }
    return dict(sorted(options.items()))


def plan_targets(jobs: list[Job], kind: str) -> list[str]:
    """One output list of an analyzer rule: kind = predictions, table, rules or summary."""
    return [getattr(j, kind) for j in jobs if getattr(j, kind) is not None]


def plan_params(jobs: list[Job]) -> list[dict]:
    """The jobs as plain dicts (rule params: the per-output task/lang mapping)."""
    return [asdict(j) for j in jobs]
