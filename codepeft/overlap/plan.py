"""Which test sets the overlap audit meets with which training mixtures, and what the stats
rule reads of it. Pure and light (the workflow imports it to build its DAG): config in, paths
and dicts out.

A (mixture, task, lang) audit exists for every mixture a trained model of the study reads and
every test set that model is evaluated on (its scope's tasks x their languages); models that
share a mixture share its audits. A stats block's sides carry the audit tables of their own
mixture (`a_overlap`, `b_overlap`; none for an untrained side), so `stats.exclude_overlap`
leaves out the items flagged against either side's training data.
"""

from __future__ import annotations

from codepeft import paths, study
from codepeft.config import schema_defaults

STATS_DEFAULTS = schema_defaults("stats")
#: stats options added with the bootstrap and the audit: kept out of the stats rule's params
#: while they hold their schema default, so adding them changes no existing job's params
STATS_KEPT_OUT_AT_DEFAULT = {
    "bootstrap": STATS_DEFAULTS["bootstrap"],
    "exclude_overlap": STATS_DEFAULTS["exclude_overlap"],
}


def enabled(config: dict) -> bool:
    return bool(config.get("overlap", {}).get("enabled", True))


def audits(config: dict) -> list[dict]:
    """{mixture, task, lang} of every audit of the study (sorted; none when disabled)."""
    if not enabled(config):
        return []
    found = {}
    for _model, method, _seed, scope in study.trained_models(config):
        mixture = study.mixture_key(study.mixture_spec(config, method, scope))
        for task in study.scope_tasks(config, method, scope):
            for lang in config["tasks"][task]["languages"]:
                found[(mixture, task, lang)] = dict(mixture=mixture, task=task, lang=lang)
    return [found[k] for k in sorted(found)]


def audit_tables(config: dict) -> list[str]:
    return [paths.fill(paths.OVERLAP_TABLE, **a) for a in audits(config)]


def audit_summaries(config: dict) -> list[str]:
    return [paths.fill(paths.OVERLAP_SUMMARY, **a) for a in audits(config)]


def side_tables(config: dict, method: str, task: str, lang: str) -> list[str]:
    """The audit table of the mixture that trained the model answering `task` for `method`
    ([] for an untrained method, and for an off-task evaluation: `<method>@<scope>` on a task
    outside its mixture)."""
    scope = study.scope_for(config, method, task)
    base = study.method_and_scope(method)[0]  # an off-task pseudo method's own method
    if scope is None or task not in study.scope_tasks(config, base, scope):
        return []  # untrained, or a task its mixture never held (off-task: no audit)
    mixture = study.mixture_key(study.mixture_spec(config, base, scope))
    return [paths.fill(paths.OVERLAP_TABLE, mixture=mixture, task=task, lang=lang)]


def with_audits(config: dict, blocks: list[dict], targets=None) -> list[dict]:
    """The stats blocks with their sides' audit tables (`a_overlap`, `b_overlap`) when the
    audit runs and `stats.exclude_overlap` is not `keep`; else unchanged. `targets`: the
    workflow's final targets so far (rules/stats.smk): the audit runs where its tables are
    among them (a workflow without rules/overlap.smk has none); None: assume it runs."""
    mode = config.get("stats", {}).get("exclude_overlap", STATS_DEFAULTS["exclude_overlap"])
    if not enabled(config) or mode == "keep":
        return blocks
    produced = None if targets is None else set(targets)
    if produced is not None and not produced & set(audit_tables(config)):
        return blocks

    def tables(method, block):
        found = side_tables(config, method, block["task"], block["lang"])
        return [t for t in found if produced is None or t in produced]

    return [
        {**b, "a_overlap": tables(b["a_method"], b), "b_overlap": tables(b["b_method"], b)}
        for b in blocks
    ]


def block_tables(blocks: list[dict]) -> list[str]:
    """Every audit table the blocks read, in first-seen order."""
    return list(
        dict.fromkeys(p for b in blocks for p in (b.get("a_overlap", []) + b.get("b_overlap", [])))
    )


def stats_params(section: dict) -> dict:
    """The stats rule's `section` param: the section without the options of
    `STATS_KEPT_OUT_AT_DEFAULT` that hold their default (the job reads the default back from
    the schema)."""
    return {
        k: v
        for k, v in section.items()
        if k not in STATS_KEPT_OUT_AT_DEFAULT or v != STATS_KEPT_OUT_AT_DEFAULT[k]
    }
