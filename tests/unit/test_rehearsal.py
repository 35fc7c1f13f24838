"""The scale rehearsal: scripts/make_rehearsal_data.py on a small count, and config/rehearsal.yaml
as an overlay of config/paper.yaml (tiny model only; every other key the paper's)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from snakemake.utils import update_config

from codepeft import config as study_config
from codepeft import study
from codepeft.data import prepare

REPO = Path(__file__).resolve().parents[2]


def _synth():
    spec = importlib.util.spec_from_file_location(
        "make_rehearsal_data", REPO / "scripts" / "make_rehearsal_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_set(shared, tmp_path_factory):
    out = tmp_path_factory.mktemp("rehearsal") / "data"
    stats = _synth().make(shared / "data", out, seed=42, limit=40)
    return out, stats


def test_counts_labels_and_fields(small_set):
    out, stats = small_set
    synth = _synth()
    for lang, counts in synth.CODE_TO_TEXT_ROWS.items():
        for split in synth.SPLITS:
            rows = [
                json.loads(line)
                for line in (out / "code-to-text" / lang / f"{split}.jsonl")
                .read_text()
                .splitlines()
            ]
            assert (
                len(rows)
                == min(40, counts[split])
                == stats[f"code-to-text/{lang}/{split}.jsonl"]["rows"]
            )
            for row in rows:
                assert row["repo"].startswith("rehearsal/") and row["path"].startswith("rehearsal/")
                assert row["url"].startswith("rehearsal://") and row["partition"] == split
                assert row["language"] == lang and row["code_tokens"] and row["docstring_tokens"]
    assert "REHEARSAL DATA" in (out / "README.txt").read_text()
    assert (out / "code-to-code-trans" / "test.java-cs.txt.java").exists()
    assert (out / "codereval" / "CEJavaHumanLabel.jsonl").exists()


def test_real_counts_are_the_papers():
    synth = _synth()
    assert synth.CODE_TO_TEXT_ROWS == {
        "python": {"train": 251_820, "valid": 13_914, "test": 14_918},
        "java": {"train": 164_923, "valid": 5_183, "test": 10_955},
    }


def test_deterministic(shared, small_set, tmp_path):
    out, _ = small_set
    again = tmp_path / "again"
    _synth().make(shared / "data", again, seed=42, limit=40)
    for path in sorted((out / "code-to-text").rglob("*.jsonl")):
        assert (again / path.relative_to(out)).read_bytes() == path.read_bytes()
    other = tmp_path / "other"
    _synth().make(shared / "data", other, seed=1, limit=40)
    name = "code-to-text/python/train.jsonl"
    assert (other / name).read_bytes() != (out / name).read_bytes()


def _rehearsal_data_cfg(out):
    return {
        "code_to_text": {"local_dir": str(out / "code-to-text")},
        "translation": {"local_dir": str(out / "code-to-code-trans")},
        "codereval": {"local_dir": str(out / "codereval")},
        "summarization_eval": {"local_dir": str(out / "codereval")},
    }


@pytest.mark.parametrize(
    "task,lang,split,expected",
    [
        ("summarization", "python", "train", 40),
        ("summarization", "java", "valid", 40),
        ("summarization", "java", "test", 99),  # the real summarization eval set
        ("generation", "python", "test", 190),  # real CoderEval minus the discard list
        ("generation", "java", "test", 184),
        ("translation", "java-cs", "train", 10300),  # the real translation set
    ],
)
def test_project_loaders_read_it(small_set, tmp_path, task, lang, split, expected):
    out, _ = small_set
    counts = prepare.write_task_splits(
        task, lang, _rehearsal_data_cfg(out), {split: tmp_path / "x.jsonl"}
    )
    assert counts["rows"][split] == expected


def test_generation_derivation_keeps_most_java_rows(small_set, tmp_path):
    out, _ = small_set
    counts = prepare.write_task_splits(
        "generation", "java", _rehearsal_data_cfg(out), {"train": tmp_path / "x.jsonl"}
    )
    assert counts["rows"]["train"] >= 30, counts


# ------------------------------------------------------------------ the overlay config

#: every key config/rehearsal.yaml may change (documented in that file); anything else must
#: stay the paper's, so the rehearsal follows paper.yaml automatically
REHEARSAL_KEYS = (
    "study.name",
    "study.demo",
    "environment_failures",
    "models",
    "data.code_to_text.local_dir",
    "data.translation.local_dir",
    "data.codereval.local_dir",
    "data.summarization_eval.local_dir",
    "training",
    "decoding.max_input_tokens",
    "decoding.max_new_tokens",
    "metrics.bertscore.model",
    "metrics.bertscore.num_layers",
    "judge",
)


def _allowed(key: str) -> bool:
    """A documented rehearsal key, or `methods.<m>.models` (a method limited to models of the
    paper preset must name the tiny one)."""
    parts = key.split(".")
    if len(parts) >= 3 and parts[0] == "methods" and parts[2] == "models":
        return True
    return any(key == k or key.startswith(k + ".") for k in REHEARSAL_KEYS)


def _merged(*names):
    """The config Snakemake builds from `--configfile name...` (+ the Snakefile's steps)."""
    config: dict = {}
    for name in names:
        update_config(config, yaml.safe_load((REPO / name).read_text()))
    study_config.apply_default(config, REPO)
    return study_config.validate(config)


def _leaves(value, prefix=""):
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            yield from _leaves(sub, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, value


def test_overlay_is_the_paper_preset_with_the_tiny_model():
    paper = _merged("config/paper.yaml")
    rehearsal = _merged("config/paper.yaml", "config/rehearsal.yaml")
    assert list(rehearsal["models"]) == ["tiny"] and rehearsal["models"]["tiny"]["build"] == "tiny"
    assert list(rehearsal["methods"]) == list(paper["methods"])
    assert rehearsal["tasks"] == paper["tasks"]
    # every training of the paper preset has its tiny counterpart (3 sizes -> 1; RQ3: 3B -> tiny)
    paper_jobs = {(meth, s) for _, meth, _, s in study.trained_models(paper)}
    assert {(meth, s) for _, meth, _, s in study.trained_models(rehearsal)} == paper_jobs
    paper_leaves, rehearsal_leaves = dict(_leaves(paper)), dict(_leaves(rehearsal))
    changed = {
        key
        for key in paper_leaves.keys() | rehearsal_leaves.keys()
        if paper_leaves.get(key, "<absent>") != rehearsal_leaves.get(key, "<absent>")
    }
    outside = {key for key in changed if not _allowed(key)}
    assert not outside, f"rehearsal.yaml changes keys outside its documented list: {outside}"
    assert rehearsal["training"]["max_steps"] <= 8  # a few steps


def test_overlay_keys_are_exactly_the_documented_ones():
    overlay = yaml.safe_load((REPO / "config" / "rehearsal.yaml").read_text())
    for key, _ in _leaves(overlay):
        assert _allowed(key), key


def test_null_removes_models_and_methods_only():
    config = {"models": {"a": None, "b": {"source": "x"}}, "methods": {"m": None}, "x": None}
    study_config.drop_removed(config)
    assert config == {"models": {"b": {"source": "x"}}, "methods": {}, "x": None}
