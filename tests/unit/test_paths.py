"""codepeft.paths (every file layout once), codepeft.tasks (the task registry) and
codepeft.plan (the workflow's plan, computed once per parse)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from codepeft import analyzers, paths, study, tasks
from codepeft import config as study_config
from codepeft.plan import REFERENCE, Plan, report_metric_inputs
from codepeft.stats import plan as stats_plan

REPO = Path(__file__).resolve().parents[2]


def test_fill_keeps_unfilled_fields_as_wildcards():
    assert (
        paths.fill(paths.METRIC_TABLE, family="surface")
        == "results/metrics/surface/{model}/{method}/seed-{seed}/{task}/{lang}.tsv"
    )
    full = paths.fill(
        paths.PREDICTIONS,
        model="tiny",
        method="mt_qlora",
        seed="42",
        task="translation",
        lang="java-cs",
    )
    assert full == "results/predictions/tiny/mt_qlora/seed-42/translation/java-cs.jsonl"
    assert paths.fields(paths.METRIC_TABLE) == [
        *("family", "model", "method", "seed", "task", "lang")
    ]


def test_glob_and_regex_follow_the_pattern():
    assert paths.glob(paths.METRIC_TABLE) == "results/metrics/*/*/*/seed-*/*/*.tsv"
    assert paths.glob(paths.COST) == "results/predictions/*/*/seed-*/*/*.cost.json"
    files = paths.metric_files("pmd", "m", "st_qlora", "7", "translation", "cs-java")
    found = paths.METRIC_TABLE_RE.search("/abs/dir/" + files["table"]).groupdict()
    assert found == dict(
        family="pmd", model="m", method="st_qlora", seed="7", task="translation", lang="cs-java"
    )
    assert paths.METRIC_TABLE_RE.search("xresults/metrics/a/b/c/seed-1/d/e.tsv") is None
    # the layout before training seeds (no seed segment) is not a metric table of this one
    assert paths.METRIC_TABLE_RE.search("results/metrics/a/b/c/d/e.tsv") is None
    assert paths.METRIC_TABLE_RE.search(files["summary"]) is None
    assert paths.is_metric_table(files["table"]) and not paths.is_metric_table(files["rules"])
    assert paths.is_metric_summary(files["summary"])
    assert paths.is_stats_table(paths.fill(paths.STATS_TABLE, comparison="rq1"))


def test_one_code_language_for_every_task_and_lang():
    expected = {
        ("summarization", "python"): None,
        ("summarization", "java"): None,
        ("generation", "python"): "python",
        ("generation", "java"): "java",
        ("translation", "java-cs"): "csharp",
        ("translation", "cs-java"): "java",
    }
    got = {
        (t, la): tasks.code_language(t, la) for t, ls in tasks.TASK_LANGUAGES.items() for la in ls
    }
    assert got == expected
    # the analyzers and CodeBLEU read the same registry
    assert analyzers.code_language is tasks.code_language
    from codepeft.metrics import compute

    assert compute.codebleu_language("translation", "java-cs") == "c_sharp"
    assert compute.codebleu_language("summarization", "java") is None


def test_directions_and_tasks_defined_once():
    from codepeft import prompts
    from codepeft.data import prepare, records

    assert prompts.DIRECTIONS is tasks.DIRECTIONS and prompts.TASKS is tasks.TASKS
    assert records.TASKS is tasks.TASKS
    assert records.TRANSLATION_DIRECTIONS == tuple(tasks.DIRECTIONS)
    assert prepare.TASK_LANGUAGES is tasks.TASK_LANGUAGES
    assert tasks.direction("java-cs") == ("java", "cs")
    with pytest.raises(ValueError, match="unknown translation direction"):
        tasks.direction("py-java")


def _string_constants(path: Path) -> list[str]:
    """String literals of a module that are not docstrings."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


SHARED = re.compile(r"results/(predictions|metrics|stats|models|mixtures|data|checkpoints)/")


def test_shared_layouts_only_in_paths():
    """No module or rule writes a predictions/metrics/stats/model/data layout of its own."""
    offenders = []
    for path in sorted((REPO / "codepeft").rglob("*.py")):
        if path.name == "paths.py" or path.name == "paper.py":  # paper.py: the paper's data
            continue
        # CLI help and examples mention paths in text; defaults a user can change are allowed
        offenders += [
            f"{path.relative_to(REPO)}: {s!r}"
            for s in _string_constants(path)
            if SHARED.search(s) and ("{" in s or "*" in s)
        ]
    for path in sorted((REPO / "rules").glob("*.smk")) + [REPO / "Snakefile"]:
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"[\"']" + SHARED.pattern, code):
                offenders.append(f"{path.relative_to(REPO)}:{lineno}: {line.strip()}")
    assert offenders == []


def _top_level_names(text: str) -> set[str]:
    """Names a Snakefile defines at top level (def, assignment, tuple assignment)."""
    names = set(re.findall(r"^def\s+(\w+)", text, re.M))
    for targets in re.findall(r"^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=(?!=)", text, re.M):
        names |= {t.strip() for t in targets.split(",")}
    return names


def test_common_smk_uses_nothing_defined_in_a_later_include():
    common = (REPO / "rules" / "common.smk").read_text()
    defined_here = _top_level_names(common)
    defined_here |= set(re.findall(r"^from \S+ import \S+ as (\w+)", common, re.M))
    later = set()
    for path in (REPO / "rules").glob("*.smk"):
        if path.name != "common.smk":
            text = path.read_text()
            later |= _top_level_names(text)
            later |= set(re.findall(r"^from \S+ import \S+ as (\w+)", text, re.M))
    code = "\n".join(line.split("#", 1)[0] for line in common.splitlines())
    used = set(re.findall(r"\b([A-Za-z_]\w*)\b", code))
    assert sorted((used & later) - defined_here) == []


@pytest.fixture(scope="module")
def paper_config():
    return study_config.load(REPO / "config" / "paper.yaml")


def test_plan_matrix_equals_the_study(paper_config):
    plan = Plan(paper_config)
    combos = plan.prediction_combos()
    assert [(c["model"], c["method"], c["seed"], c["task"], c["lang"]) for c in combos] == [
        tuple(e) for e in study.evaluated(paper_config)
    ]
    # the preset keeps its single seed: trained methods under seed-42, zero-shot under none
    assert {(c["method"] == "zero_shot", c["seed"]) for c in combos} == {
        (True, "none"),
        (False, "42"),
    }
    with_ref = plan.prediction_combos(task="generation", include_reference=True)
    assert {c["lang"] for c in with_ref if c["model"] == REFERENCE} == {"python", "java"}
    assert plan.analyzers == analyzers.plan(
        paper_config["analyzers"],
        plan.prediction_combos(include_reference=paper_config["analyzers"]["include_reference"]),
    )
    assert len(plan.trained_model_dirs()) == 18
    assert set(plan.mixtures) == set(study.mixtures(paper_config))


def test_plan_vllm_jobs_computed_once_per_model(paper_config, monkeypatch):
    cfg = {**paper_config, "decoding": {**paper_config["decoding"], "qlora_base": "merged"}}
    plan = Plan(cfg)
    calls = []
    original = study.decoding_spec
    monkeypatch.setattr(study, "decoding_spec", lambda *a: calls.append(a) or original(*a))
    model = next(iter(cfg["models"]))
    first = plan.vllm(model)
    n = len(calls)
    assert plan.vllm(model) is first and len(calls) == n  # cached
    assert len(first["jobs"]) == n and all(
        j["out"].startswith("results/predictions/") for j in first["jobs"]
    )
    assert [j["out"] for j in first["jobs"]] == sorted(j["out"] for j in first["jobs"])


def test_plan_stats_runs_only_produced_tables(paper_config):
    generated = Plan(paper_config).generated()
    run, skipped = stats_plan.workflow_blocks(paper_config, generated, [])
    assert run == [] and skipped and all("not produced" in why for _, why in skipped)
    tables = {t for b, _ in skipped for k in ("a_tables", "b_tables") for t in b[k]}
    targets = sorted(tables) + ["results/stats/x.tsv"]
    run, skipped = stats_plan.workflow_blocks(paper_config, generated, targets)
    assert run and not [why for _, why in skipped if "not produced" in why]


def test_report_metric_inputs_splits_targets():
    targets = [
        "results/metrics/pmd/m/a/seed-1/generation/java.tsv",
        "results/metrics/pmd/m/a/seed-1/generation/java.rules.tsv",
        "results/metrics/pmd/m/a/seed-1/generation/java.summary.json",
        "results/stats/rq1.tsv",
        "results/predictions/m/a/seed-1/generation/java.jsonl",
    ]
    assert report_metric_inputs(targets) == (
        [targets[0]],
        [targets[2]],
        [targets[3]],
    )
