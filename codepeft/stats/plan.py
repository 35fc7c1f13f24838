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
#: the `seed` of a block (and its rows) over every training seed of the study: per-instance
#: values averaged over the seeds (docs/statistics.md, "Seeds")
OVER_SEEDS = "mean"
#: the columns of a stats row over the seeds (codepeft.stats.run.seed_spread; empty with one
#: seed): each side's lowest and highest seed, the gap between the sides, the spread between seeds
SEED_SPREAD_COLUMNS = (
    "n_seeds",
    "a_seed_min",
    "a_seed_max",
    "b_seed_min",
    "b_seed_max",
    "seed_gap",
    "seed_spread",
    "gap_exceeds_spread",
)


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
    "seed",
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


def side_seeds(config: dict, methods: list[str]) -> list[tuple[str, list[str]]]:
    """(block seed, [each side's {seed}]) of a comparison of `methods` (its A and B): one per
    training seed, a side without training taking `none` (its one run is compared with every
    seed of the other); with several seeds, then (OVER_SEEDS, [...]) where each side's `{seed}`
    is the list of its seeds (their per-instance values are averaged)."""
    per_side = [study.method_seeds(config, m) for m in methods]
    trained = [seeds for seeds in per_side if seeds != [study.NO_SEED]]
    run = list(dict.fromkeys(s for seeds in trained for s in seeds)) or [study.NO_SEED]
    out = [(seed, [seed if seed in seeds else seeds[0] for seeds in per_side]) for seed in run]
    if len(run) > 1:
        out.append((OVER_SEEDS, per_side))
    return out


def planned_tests(config: dict, pattern: str = TABLE_PATTERN, log=None) -> list[dict]:
    """Every (comparison, model, task, lang, family, seed) block the `stats` section asks for.

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
    (`codepeft.study.answers_test_set`).

    Seeds (`training.seeds`): one block per training seed (`seed`; a side without training
    reads its one `none` table in each), and with several seeds one more (`seed`: OVER_SEEDS)
    whose sides list every seed's table (`a_tables`, `b_tables`; `a_table`/`b_table` join them
    with " + "): `run_blocks` averages their per-instance values. One seed: one block, as
    before seeds existed."""
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
                    seeds = side_seeds(config, [sides["a"]["method"], sides["b"]["method"]])
                    for seed, (a_seeds, b_seeds) in seeds:
                        blocks.append(
                            _block(
                                config,
                                name,
                                comp.get("question") or name,
                                (side_model["a"], sides["a"]["method"], a_seeds),
                                (side_model["b"], sides["b"]["method"], b_seeds),
                                model,
                                task,
                                lang,
                                family,
                                spec,
                                seed,
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
    a: tuple[str, str, str | list[str]],
    b: tuple[str, str, str | list[str]],
    model: str,
    task: str,
    lang: str,
    entry: str,
    spec: dict,
    seed: str,
    pattern: str = TABLE_PATTERN,
) -> dict:
    """One block: comparison `name` of side a (model, method, its `{seed}` or, over the seeds,
    the list of them) with side b on (task, lang) for the `measures` entry `entry` (its
    `spec`); `seed`: the block's training seed (or OVER_SEEDS)."""
    family = spec.get("table") or entry
    tables = {
        k: [
            pattern.format(
                family=family, model=m, method=meth, seed=side_seed, task=task, lang=lang
            )
            for side_seed in _listify(seeds)
        ]
        for k, (m, meth, seeds) in (("a", a), ("b", b))
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
        seed=seed,
        a_seeds=_listify(a[2]),
        b_seeds=_listify(b[2]),
        a_tables=tables["a"],
        b_tables=tables["b"],
        a_table=" + ".join(tables["a"]),
        b_table=" + ".join(tables["b"]),
    )


#: the comparison (results/stats/retention.tsv) of each fine-tuned model with its zero-shot
#: base on the test sets outside its training mixture; a configured comparison may not take it
RETENTION = "retention"


def zero_shot_method(config: dict, model: str, task: str, lang: str, generated) -> str | None:
    """The first configured untrained method (finetune none) with predictions of `model` on
    (task, lang) (made once: seed NO_SEED), or None."""
    for method, spec in config.get("methods", {}).items():
        if spec["finetune"] == "none" and (model, method, study.NO_SEED, task, lang) in generated:
            return method
    return None


def retention_blocks(config: dict, generated) -> list[dict]:
    """The retention comparison's blocks: for every generated predictions file of a fine-tuned
    model (a trained method, or an off-task pseudo method `<method>@<scope>`: codepeft.study)
    on a (task, lang) test set that is not among the sources of that model's training mixture
    (another task of a single-task model, a test set no mixture holds), the zero-shot base
    (A) against the fine-tuned model (B) for every `stats.measures` entry with tables there.
    The blocks follow the generated files' order, one per training seed of the fine-tuned
    model (no block over the seeds); none when stats is off. `generated`: (model, method,
    seed, task, lang) tuples (codepeft.plan.Plan.evaluated)."""
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
    for model, method, seed, task, lang in generated:
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
                        (model, base, study.NO_SEED),
                        (model, method, seed),
                        model,
                        task,
                        lang,
                        entry,
                        spec,
                        seed,
                    )  # fmt: skip
                )
    return blocks


def runnable_blocks(
    config: dict, generated, produced_tables
) -> tuple[list[dict], list[tuple[dict, str]]]:
    """(blocks to run, (block, reason) skipped) of the configured comparisons and the
    retention comparison (`retention_blocks`) in a workflow: a block runs when both sides are
    generated predictions for each of its seeds (`generated`: (model, method, seed, task,
    lang) tuples) and all its tables are produced by an enabled stage (`produced_tables`:
    paths)."""
    if not config["stats"]["enabled"]:
        return [], []
    generated = list(generated)
    retention = retention_blocks(config, generated)
    generated = set(generated)
    produced = set(produced_tables)
    run, skipped = [], []
    for block in planned_tests(config) + retention:
        sides = [
            (block[f"{k}_model"], block[f"{k}_method"], seed, block["task"], block["lang"])
            for k in ("a", "b")
            for seed in block[f"{k}_seeds"]
        ]
        if not all(side in generated for side in sides):
            skipped.append((block, "not in the study's prediction matrix"))
        elif not all(t in produced for t in block["a_tables"] + block["b_tables"]):
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
            b["seed"] == OVER_SEEDS,  # each training seed's block, then the one over them
            json.dumps(canonical(b), sort_keys=True),
        ),
    )


def comparison_names(blocks: list[dict]) -> list[str]:
    """The comparisons of `blocks`, in first-seen order (one results/stats file each)."""
    return list(dict.fromkeys(block["comparison"] for block in blocks))


def input_tables(blocks: list[dict]) -> list[str]:
    """Every metric table `blocks` read (A and B sides, every seed), in first-seen order."""
    tables = []
    for block in blocks:
        tables += block["a_tables"] + block["b_tables"]
    return list(dict.fromkeys(tables))
