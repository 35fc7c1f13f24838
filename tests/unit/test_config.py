"""Config validation and the study matrix (embedded default and paper preset)."""

import copy
from pathlib import Path

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
    assert embedded["decoding"]["max_new_tokens"]["summarization"] == 32
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
    assert sum(scope == "multi" for *_, scope in trained) == 9
    assert sum(scope != "multi" for *_, scope in trained) == 9
    assert {seed for _, _, seed, _ in trained} == {"42"}  # the preset keeps its single seed
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
    assert ("qwen2.5-coder-3b", "rq3", "42", "multi") in study.trained_models(cfg)
    assert len(study.trained_models(cfg)) == 19
    assert len(study.evaluated(cfg)) == 84 + 4


def test_apply_default_keeps_overrides(repo):
    cfg = {"seed": 7}
    study_config.apply_default(cfg, repo)
    assert cfg["seed"] == 7 and "tiny" in cfg["models"]
    given = {"models": {"m": {"source": "x"}}}
    study_config.apply_default(given, repo)
    assert list(given) == ["models"]


def test_a_config_without_models_merges_over_config_yaml_key_by_key(repo):
    """What the Snakefile's comment says: a --configfile without `models:` is merged over
    config.yaml mapping by mapping (its other decoding keys stay), not a replacement."""
    default = study_config.load(Path(repo) / "config.yaml")
    cfg = {"decoding": {"batch_size": 2}}
    study_config.apply_default(cfg, repo)
    study_config.validate(cfg)
    assert cfg["decoding"]["batch_size"] == 2 != default["decoding"]["batch_size"]
    assert cfg["decoding"]["max_new_tokens"] == default["decoding"]["max_new_tokens"]
    assert cfg["models"] == default["models"] and cfg["methods"] == default["methods"]


# --- canonical params, data settings per split, shared mixtures ----------------------------


def reordered(value):
    """`value` with the keys of every mapping in reverse order (lists kept as they are)."""
    if isinstance(value, dict):
        return {k: reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(v) for v in value]
    return value


def test_canonical_ignores_key_order_only(paper):
    again = reordered(paper)
    assert list(again) != list(paper)
    # Snakemake compares params by repr(): equal after canonical, not before
    assert repr(study.canonical(again)) == repr(study.canonical(paper))
    assert repr(again["training"]) != repr(paper["training"])
    changed = copy.deepcopy(paper)
    changed["tasks"]["summarization"]["languages"].reverse()  # a list: its order is data
    assert repr(study.canonical(changed)) != repr(study.canonical(paper))


def test_mixtures_are_shared_by_content(paper):
    mixtures = study.mixtures(paper)
    # mt_qlora and mt_fft train on the same mixture; st_qlora has one per task, the RQ3
    # two-task methods one per pair
    assert len(mixtures) == 7
    keys = {
        (meth, scope): study.mixture_key(study.mixture_spec(paper, meth, scope))
        for _, meth, _, scope in study.trained_models(paper)
    }
    assert keys[("mt_qlora", "multi")] == keys[("mt_fft", "multi")]
    assert keys[("mt_qlora", "multi")].startswith("generation+summarization+translation-")
    assert keys[("st_qlora", "translation")].startswith("translation-")
    assert len(set(keys.values())) == 7
    # reordered config: same keys; a changed seed, source or strategy: another key
    assert study.mixtures(reordered(paper)) == mixtures
    other = copy.deepcopy(paper)
    other["methods"]["mt_fft"]["training"]["mixing"] = {"strategy": "equal", "temperature": 2.0}
    assert keys[("mt_qlora", "multi")] != study.mixture_key(
        study.mixture_spec(other, "mt_fft", "multi")
    )
    other["seed"] = 7
    assert not set(study.mixtures(other)) & set(mixtures)
    # the temperature only matters to the temperature strategy
    other = copy.deepcopy(paper)
    other["training"]["mixing"]["temperature"] = 5.0
    assert study.mixtures(other) == mixtures


def test_data_settings_split_training_from_evaluation(paper):
    from codepeft.data import prepare

    data = paper["data"]
    for task, langs in prepare.TASK_LANGUAGES.items():
        for lang in langs:
            train = prepare.job_settings(task, lang, ("train", "valid"), data)
            test = prepare.job_settings(task, lang, ("test",), data)
            assert set(train) == {"train", "valid"} and set(test) == {"test"}
            # evaluation-side sources never reach the training-side job
            for split in train.values():
                assert not {"codereval", "summarization_eval", "summarization_test"} & set(split)
    gen_test = prepare.split_settings("generation", "python", "test", data)
    assert gen_test["codereval"]["discard_unreliable"] is True
    assert "code_to_text" not in gen_test
    summ_test = prepare.split_settings("summarization", "java", "test", data)
    assert set(summ_test) == {"max_rows", "summarization_test", "summarization_eval"}
    # the hub name only where the source is read from the hub
    assert prepare.split_settings("translation", "java-cs", "train", data)["translation"] == {
        "local_dir": None,
        "hub": "google/code_x_glue_cc_code_to_code_trans",
    }
    embedded = prepare.split_settings("translation", "java-cs", "train", {})
    assert embedded["translation"] == {"local_dir": "embedded"}


def test_write_splits_reads_only_its_settings(tmp_path):
    """The settings of one split are enough to build it (nothing else of `data` is read)."""
    from codepeft.data import prepare
    from codepeft.io import read_jsonl

    settings = prepare.job_settings("generation", "python", ("test",), {})
    out = {"test": str(tmp_path / "test.jsonl")}
    counts = prepare.write_splits("generation", "python", settings, out)
    assert counts["rows"]["test"] == len(read_jsonl(out["test"]))
    with pytest.raises(prepare.DataError, match="no settings"):
        prepare.write_splits("generation", "python", settings, {"train": str(tmp_path / "t")})


def test_train_max_rows_stays_out_of_params_while_null(paper):
    spec = study.training_spec(paper, "mt_qlora", "multi")
    assert "train_max_rows" not in spec  # the schema default (all rows) reruns nothing
    capped = copy.deepcopy(paper)
    capped["training"]["train_max_rows"] = 100
    assert study.training_spec(capped, "mt_qlora", "multi")["train_max_rows"] == 100
    # the mixture is the same: only what the training reads of it changes
    assert study.mixtures(capped) == study.mixtures(paper)


def test_schema_defaults_fill_nested_mappings():
    training = study_config.schema_defaults("training")
    assert training["lora"]["r"] == 8 and training["mixing"]["strategy"] == "concat_shuffle"
    assert training["train_max_rows"] is None
    training["lora"]["r"] = 64  # a fresh copy each call
    assert study_config.schema_defaults("training")["lora"]["r"] == 8
    with pytest.raises(KeyError, match="training.nope"):
        study_config.schema_defaults("training", "nope")
