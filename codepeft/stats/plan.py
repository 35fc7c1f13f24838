"""Study planning: the (comparison, model, task, lang, family) blocks the `stats` section of a
study config asks for (`planned_tests`), which of them the workflow can run (`runnable_blocks`:
both sides generated, both tables produced), and their order in the rule's params
(`blocks_in_order`). Pure: config in, plain dicts out."""

from __future__ import annotations

import json

from codepeft import measures as registry
from codepeft import paths, study
from codepeft.study import canonical

FAMILY_KEYS = ("question", "comparison", "model", "task", "lang", "family", "group", "measure")
TABLE_PATTERN = paths.METRIC_TABLE


def _listify(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _kind(test: str) -> str:
    return "binary" if str(test).startswith("mcnemar") else "continuous"


OVERRIDE_KEYS = (
    "question",
    "comparison",
    "model",
    "task",
    "lang",
    "family",
    "group",
    "measure",
    "kind",
)


def _matches(where: dict, row: dict) -> bool:
    """Whether `row` satisfies every condition of an override's `where` (a value or a list)."""
    for key, want in where.items():
        have = _kind(row.get("test", "")) if key == "kind" else row.get(key)
        allowed = [str(w) for w in _listify(want)]
        if str(have) not in allowed:
            return False
    return True


def resolve_option(section: dict, row: dict, option: str, default):
    """`option` for `row`: the section's value, replaced by every matching `overrides` entry in
    order (the last match wins)."""
    value = section.get(option, default)
    for rule in section.get("overrides", []) or []:
        if option in rule and _matches(rule.get("where", {}), row):
            value = rule[option]
    return value


def _missing_methods(config: dict, comp: dict) -> list[str]:
    """The methods a comparison names that the study does not have."""
    methods = config.get("methods", {})
    return sorted({comp[side]["method"] for side in ("a", "b")} - set(methods))


def skipped_comparisons(config: dict) -> list[str]:
    """One line per configured comparison that is skipped because it names a method the study
    does not have (the schema's default comparisons name the paper's methods, so a small study
    may keep them): for the stats job's log and the report. None when stats is disabled."""
    section = config.get("stats", {})
    if not section.get("enabled", True):
        return []
    return [
        f"comparison {comp['name']} skipped: method(s) {', '.join(missing)} not in this study"
        for comp in section.get("comparisons", [])
        if (missing := _missing_methods(config, comp))
    ]


def planned_tests(config: dict, pattern: str = TABLE_PATTERN, log=None) -> list[dict]:
    """Every (comparison, model, task, lang, family) block the `stats` section asks for.

    Each block names the A and B tables and its binary and continuous measures ('*' = every
    continuous measure of the family, `codepeft.measures`, with a value, not listed as
    binary). Every entry of `measures` is checked against the registry of measures first: an
    unknown family, a column that is not one of its measures, or a measure listed under a test
    its kind does not allow (binary: McNemar, continuous: Wilcoxon) is a ValueError naming the
    key. A comparison whose methods or models are not in the
    study is skipped (and logged): the embedded default can keep the paper's comparisons. A
    comparison runs only on the models both methods apply to (`methods.<m>.models`) and the
    tasks both are trained on (`methods.<m>.tasks`), e.g. RQ3's two-task models, and on the
    evaluation-only test sets (`test_sets`, `lang` = the test set) both methods answer
    (`codepeft.study.answers_test_set`)."""
    section = config.get("stats", {})
    for entry, spec in section.get("measures", {}).items():
        registry.check_stats_entry(entry, spec)
    models = [m for m in config.get("models", {})]
    task_langs = [
        (t, lang)
        for t, spec in config.get("tasks", {}).items()
        for lang in spec.get("languages", [])
    ]
    test_sets = study.test_sets(config) if config.get("models") else []
    blocks = []
    for comp in section.get("comparisons", []):
        name = comp["name"]
        sides = {"a": comp["a"], "b": comp["b"]}
        missing = _missing_methods(config, comp)
        if missing:
            if log:
                log(f"stats: comparison {name} skipped: method(s) {missing} not in this study")
            continue
        if config.get("tasks"):
            shared_tasks = set.intersection(
                *(set(study.method_tasks(config, s["method"])) for s in sides.values())
            )
        else:
            shared_tasks = set()
        answered = [
            (task, name)
            for task, name in test_sets
            if all(study.answers_test_set(config, s["method"], task) for s in sides.values())
        ]
        comp_models = _listify(comp.get("models")) or models
        comp_models = [m for m in comp_models if m in models]
        for model in comp_models:
            side_model = {k: s.get("model") or model for k, s in sides.items()}
            if any(m not in models for m in side_model.values()):
                continue
            if not all(study.applies(config, sides[k]["method"], side_model[k]) for k in sides):
                continue
            for task, lang in [(t, la) for t, la in task_langs if t in shared_tasks] + answered:
                if comp.get("tasks") and task not in comp["tasks"]:
                    continue
                if comp.get("langs") and lang not in comp["langs"]:
                    continue
                for family, spec in section.get("measures", {}).items():
                    if comp.get("measures") and family not in comp["measures"]:
                        continue
                    if not _family_applies(spec, task, lang):
                        continue
                    blocks.append(
                        _block(
                            config,
                            name,
                            comp.get("question") or name,
                            (side_model["a"], sides["a"]["method"]),
                            (side_model["b"], sides["b"]["method"]),
                            model,
                            task,
                            lang,
                            family,
                            spec,
                            pattern,
                        )
                    )
    return blocks


def _tests_of(config: dict, spec: dict, entry: str, task: str, lang: str) -> dict:
    """{binary, continuous} measures of one block: a `stats.measures` entry's lists, except that
    with n sampled answers per problem (`codepeft.study.sampling_spec`) a proportion measure
    (pass@k) is a per-problem pass rate, not 0/1: it gets the continuous test (Wilcoxon)."""
    binary, continuous = _listify(spec.get("binary")), _listify(spec.get("continuous"))
    if study.sampling_spec(config, task, lang) is None:
        return {"binary": binary, "continuous": continuous}
    family = registry.family(spec.get("table") or entry)
    rates = [c for c in binary if family.require(c).kind == registry.PROPORTION]
    binary = [c for c in binary if c not in rates]
    if "*" not in continuous:
        continuous += [c for c in rates if c not in continuous]
    return {"binary": binary, "continuous": continuous}


def _family_applies(spec: dict, task: str, lang: str) -> bool:
    """Whether a `measures` entry has tables for (task, lang) (its `tasks`, `langs`)."""
    if spec.get("tasks") and task not in spec["tasks"]:
        return False
    return not (spec.get("langs") and lang not in spec["langs"])


def _block(
    config: dict,
    name: str,
    question: str,
    a: tuple[str, str],
    b: tuple[str, str],
    model: str,
    task: str,
    lang: str,
    entry: str,
    spec: dict,
    pattern: str = TABLE_PATTERN,
) -> dict:
    """One block: comparison `name` of side a (model, method) with side b on (task, lang) for
    the `measures` entry `entry` (its `spec`)."""
    family = spec.get("table") or entry
    tables = {
        k: pattern.format(family=family, model=m, method=meth, task=task, lang=lang)
        for k, (m, meth) in (("a", a), ("b", b))
    }
    return dict(
        comparison=name,
        question=question,
        a=f"{a[0]}/{a[1]}",
        b=f"{b[0]}/{b[1]}",
        a_model=a[0],
        a_method=a[1],
        b_model=b[0],
        b_method=b[1],
        model=model,
        task=task,
        lang=lang,
        family=family,  # the metric table's family
        entry=entry,  # the `measures` entry
        **_tests_of(config, spec, entry, task, lang),
        exclude=_listify(spec.get("exclude")),
        group=spec.get("group", "metrics"),
        a_table=tables["a"],
        b_table=tables["b"],
    )


#: the comparison (results/stats/retention.tsv) of each fine-tuned model with its zero-shot
#: base on the test sets outside its training mixture; a configured comparison may not take it
RETENTION = "retention"


def zero_shot_method(config: dict, model: str, task: str, lang: str, generated) -> str | None:
    """The first configured untrained method (finetune none) with predictions of `model` on
    (task, lang), or None."""
    for method, spec in config.get("methods", {}).items():
        if spec["finetune"] == "none" and (model, method, task, lang) in generated:
            return method
    return None


def retention_blocks(config: dict, generated) -> list[dict]:
    """The retention comparison's blocks: for every generated predictions file of a fine-tuned
    model (a trained method, or an off-task pseudo method `<method>@<scope>`: codepeft.study)
    on a (task, lang) test set that is not among the sources of that model's training mixture
    (another task of a single-task model, a test set no mixture holds), the zero-shot base
    (A) against the fine-tuned model (B) for every `stats.measures` entry with tables there.
    The blocks follow the generated files' order; none when stats is off. `generated`:
    (model, method, task, lang) tuples (codepeft.plan.Plan.evaluated)."""
    section = config.get("stats", {})
    if not section.get("enabled", True):
        return []
    if any(c["name"] == RETENTION for c in section.get("comparisons", [])):
        raise ValueError(
            f"stats.comparisons: the name {RETENTION!r} is the retention comparison's "
            "(results/stats/retention.tsv); name yours otherwise"
        )
    generated = list(dict.fromkeys(tuple(g) for g in generated))
    present = set(generated)
    blocks = []
    for model, method, task, lang in generated:
        sources = study.answering_sources(config, method, task)
        if sources is None or [task, lang] in sources:
            continue
        base = zero_shot_method(config, model, task, lang, present)
        if base is None:
            continue
        for entry, spec in section.get("measures", {}).items():
            if _family_applies(spec, task, lang):
                blocks.append(
                    _block(
                        config,
                        RETENTION,
                        RETENTION,
                        (model, base),
                        (model, method),
                        model,
                        task,
                        lang,
                        entry,
                        spec,
                    )  # fmt: skip
                )
    return blocks


def runnable_blocks(
    config: dict, generated, produced_tables
) -> tuple[list[dict], list[tuple[dict, str]]]:
    """(blocks to run, (block, reason) skipped) of the configured comparisons and the
    retention comparison (`retention_blocks`) in a workflow: a block runs when both sides are
    generated predictions (`generated`: (model, method, task, lang) tuples) and both its
    tables are produced by an enabled stage (`produced_tables`: paths)."""
    if not config["stats"]["enabled"]:
        return [], []
    generated = list(generated)
    retention = retention_blocks(config, generated)
    generated = set(generated)
    produced = set(produced_tables)
    run, skipped = [], []
    for block in planned_tests(config) + retention:
        sides = [
            (block["a_model"], block["a_method"], block["task"], block["lang"]),
            (block["b_model"], block["b_method"], block["task"], block["lang"]),
        ]
        if not all(side in generated for side in sides):
            skipped.append((block, "not in the study's prediction matrix"))
        elif not all(block[t] in produced for t in ("a_table", "b_table")):
            skipped.append((block, "metric table not produced (family disabled?)"))
        else:
            run.append(block)
    return run, skipped


def workflow_blocks(config: dict, generated, targets) -> tuple[list[dict], list[tuple[dict, str]]]:
    """`runnable_blocks` given the workflow's final targets so far (rules/stats.smk): a block
    runs when the enabled stages produce both its metric tables (`targets` among
    results/metrics/**.tsv); `generated`: codepeft.plan.Plan.generated()."""
    produced = [p for p in targets if p.startswith(paths.METRICS_DIR + "/") and p.endswith(".tsv")]
    return runnable_blocks(config, generated, produced)


def blocks_in_order(blocks: list[dict], comparisons: list[dict]) -> list[dict]:
    """The blocks in an order that depends on the comparisons list (a list: its order is the
    user's) but not on the key order of models, tasks or measures."""
    position = {c["name"]: i for i, c in enumerate(comparisons)}
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


def comparison_names(blocks: list[dict]) -> list[str]:
    """The comparisons of `blocks`, in first-seen order (one results/stats file each)."""
    return list(dict.fromkeys(block["comparison"] for block in blocks))


def input_tables(blocks: list[dict]) -> list[str]:
    """Every metric table `blocks` read (A and B sides), in first-seen order."""
    tables = []
    for block in blocks:
        tables += [block["a_table"], block["b_table"]]
    return list(dict.fromkeys(tables))
