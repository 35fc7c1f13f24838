"""Config validation and the study matrix (embedded default and paper preset)."""

import copy

import pytest
import yaml

from codepeft import config as study_config
from codepeft import study


@pytest.fixture(scope="module")
def embedded(repo):
    return study_config.load(repo / "config.yaml")


@pytest.fixture(scope="module")
def paper(repo):
    return study_config.load(repo / "config" / "paper.yaml")


def raw(repo):
    return yaml.safe_load((repo / "config.yaml").read_text())


def test_defaults_are_filled(embedded):
    assert embedded["training"]["lora"] == {
        "r": 8,
        "alpha": 16,
        "dropout": 0.1,
        "target_modules": [
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ],
    }
    assert embedded["decoding"]["max_new_tokens"]["summarization"] == 24
    assert embedded["training"]["mixing"]["strategy"] == "concat_shuffle"


def test_unknown_key_is_named(repo):
    cfg = raw(repo)
    cfg["training"]["learning_rat"] = 1e-4
    with pytest.raises(study_config.ConfigError, match="training.learning_rat"):
        study_config.validate(cfg)


def test_wrong_value_is_named(repo):
    cfg = raw(repo)
    cfg["methods"]["mt_qlora"]["finetune"] = "qlora4"
    with pytest.raises(study_config.ConfigError, match="methods.mt_qlora.finetune"):
        study_config.validate(cfg)


def test_unknown_task_language_is_named(repo):
    cfg = raw(repo)
    cfg["tasks"]["translation"]["languages"] = ["java-python"]
    with pytest.raises(study_config.ConfigError, match="tasks.translation.languages.0"):
        study_config.validate(cfg)


def test_method_task_must_exist(repo):
    cfg = raw(repo)
    cfg["methods"]["mt_qlora"]["tasks"] = ["generation", "repair"]
    with pytest.raises(study_config.ConfigError, match="methods.mt_qlora.tasks"):
        study_config.validate(cfg)


def test_paper_matrix(paper):
    trained = study.trained_models(paper)
    assert len(trained) == 18  # 15 + RQ3's three 2-task 3B models
    assert sum(scope == "multi" for _, _, scope in trained) == 9
    assert sum(scope != "multi" for _, _, scope in trained) == 9
    # 3 models x (zero-shot + 3 methods) x 6 task/language pairs + RQ3: 3 x 4 pairs
    assert len(study.evaluated(paper)) == 84
    assert paper["training"]["warmup_steps"] == 1000
    assert (
        paper["training"]["gradient_accumulation_steps"]
        * paper["training"]["per_device_batch_size"]
        == 32
    )
    st_translation = study.training_spec(paper, "st_qlora", "translation")
    assert st_translation["warmup_steps"] == 100 and st_translation["eval_steps"] == 625
    assert study.training_spec(paper, "st_qlora", "generation")["warmup_steps"] == 1000
    assert study.training_spec(paper, "mt_fft", "multi")["optimizer"] == "adamw_torch"


def test_answering_model_scope(embedded):
    assert study.scope_for(embedded, "mt_qlora", "translation") == "multi"
    assert study.scope_for(embedded, "st_qlora", "translation") == "translation"
    assert study.scope_for(embedded, "zero_shot", "translation") is None


def test_method_restricted_to_models_and_tasks(paper):
    cfg = copy.deepcopy(paper)
    cfg["methods"]["rq3"] = {
        "finetune": "qlora",
        "tasks": ["generation", "summarization"],
        "models": ["qwen2.5-coder-3b"],
    }
    study_config.validate(cfg)
    assert ("qwen2.5-coder-3b", "rq3", "multi") in study.trained_models(cfg)
    assert len(study.trained_models(cfg)) == 19
    assert len(study.evaluated(cfg)) == 84 + 4


def test_apply_default_keeps_overrides(repo):
    cfg = {"seed": 7}
    study_config.apply_default(cfg, repo)
    assert cfg["seed"] == 7 and "tiny" in cfg["models"]
    given = {"models": {"m": {"source": "x"}}}
    study_config.apply_default(given, repo)
    assert list(given) == ["models"]
