"""One place for each thing (issue 16): the schema is the only source of defaults, one logging
setup, one training entry point. Fast: no model is loaded."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from codepeft import generate, postprocess, train
from codepeft.config import schema_defaults
from codepeft.judge import cache, pipeline, rubric, runner
from codepeft.metrics import codebleu_metric
from codepeft.metrics.compute import SurfaceOptions

REPO = Path(__file__).resolve().parents[2]


def test_training_spec_is_the_schema_training_section():
    schema = schema_defaults("training")
    launch_only = set(train.NOT_SPEC_KEYS)
    assert {f.name for f in dataclasses.fields(train.TrainingSpec)} == set(schema) - launch_only
    spec = train.TrainingSpec()
    for name in set(schema) - launch_only:
        assert getattr(spec, name) == schema[name], name
    assert train.TrainJob("m", "qlora", "t", None, "o", "c").multi_gpu == schema["multi_gpu"]
    assert train.TrainJob("m", "qlora", "t", None, "o", "c").seed == schema_defaults()["seed"]


def test_training_spec_fills_partial_mappings_and_refuses_unknown_keys():
    spec = train.TrainingSpec.from_dict({"lora": {"r": 4}, "selection": {"metric": "eval_loss"}})
    assert spec.lora == {**schema_defaults("training", "lora"), "r": 4}
    assert spec.selection["shift_predictions"] is True
    # mixing is recorded as given (study.mixing_spec normalised it; the trainer does not read it)
    assert train.TrainingSpec.from_dict({"mixing": {"strategy": "equal"}}).mixing == {
        "strategy": "equal"
    }
    with pytest.raises(ValueError, match="multi_gpu"):
        train.TrainingSpec.from_dict({"multi_gpu": {"gpus": 2}})


def test_decoding_spec_defaults_are_the_schema_decoding_section():
    schema = schema_defaults("decoding")
    fields = {f.name: f for f in dataclasses.fields(generate.DecodingSpec)}
    # the Java label (the `prompts` section) and the model's named chat template (its `models`
    # entry) come from other sections
    own = set(fields) - {"extra", "java_generation_label", "model_chat_template"}
    assert own == set(schema) - {"vllm"}
    assert generate.DecodingSpec().model_chat_template is None
    spec = generate.DecodingSpec()
    for name in own:
        if isinstance(schema[name], dict):  # per task: the task's value, through from_dict
            continue
        assert getattr(spec, name) == schema[name], name
    label = schema_defaults("prompts", "java_generation_label")["multi"]
    assert spec.java_generation_label == label
    assert spec.max_new_tokens == max(schema["max_new_tokens"].values())
    assert postprocess.DEFAULT_MODES == schema["postprocess"]
    for task in ("summarization", "generation", "translation"):
        resolved = generate.DecodingSpec.from_dict({}, task)
        assert resolved.max_new_tokens == schema["max_new_tokens"][task]
        assert resolved.postprocess == schema["postprocess"][task]
        assert resolved.extra == {}


def test_surface_options_defaults_are_the_schema_metrics_section():
    schema = schema_defaults("metrics")
    assert SurfaceOptions() == SurfaceOptions.from_config({}) == SurfaceOptions.from_config(schema)
    assert SurfaceOptions().codebleu_weights == tuple(schema["codebleu"]["weights"])
    assert codebleu_metric.DEFAULT_WEIGHTS == tuple(schema["codebleu"]["weights"])
    # every option comes from one schema key: changing the key changes that option only
    changed = {
        ("codebleu", "dataflow_policy"): "library",
        ("bertscore", "batch_size"): 3,
        ("bertscore", "empty_prediction"): "exclude",
        ("side", "languages"): ["java", "python"],
        ("side", "empty_prediction"): "score",
    }
    for (section, key), value in changed.items():
        options = SurfaceOptions.from_config({section: {key: value}})
        diff = {
            f.name
            for f in dataclasses.fields(SurfaceOptions)
            if getattr(options, f.name) != getattr(SurfaceOptions(), f.name)
        }
        assert diff == {f"{section}_{key}"}, (section, key)
    assert SurfaceOptions.from_config({"strip": False}).strip is False


def test_judge_defaults_are_the_schema_judge_section():
    schema = schema_defaults("judge")
    assert pipeline.with_defaults({}) == schema
    assert pipeline.settings_from({}) == runner.Settings()
    assert runner.Settings().criteria == rubric.DEFAULT_CRITERIA == tuple(schema["criteria"])
    assert cache.DEFAULT_CACHE_DIR == schema["cache_dir"]


def test_data_section_is_validated_by_the_schema():
    from codepeft.data import prepare

    assert prepare.data_config({}) == schema_defaults("data")


def test_no_second_table_of_defaults():
    """No `DEFAULTS = {...}` table beside the schema in the modules that read config sections
    (report/build.py's DEFAULT_SECTION is the report's own, issue 16's other part)."""
    owned = [
        "codepeft/train.py",
        "codepeft/launch.py",
        "codepeft/generate.py",
        "codepeft/data/prepare.py",
        *sorted(str(p.relative_to(REPO)) for p in (REPO / "codepeft/judge").glob("*.py")),
        *sorted(str(p.relative_to(REPO)) for p in (REPO / "codepeft/metrics").glob("*.py")),
    ]
    for path in owned:
        text = (REPO / path).read_text()
        assert not re.search(r"^DEFAULTS\b.*=\s*\{", text, re.M), path
        # config mappings are read with [key] after validation, not .get(key, default)
        assert not re.search(r"spec\.\w+\.get\(", text), path


def test_one_logging_setup():
    """Only codepeft/logs.py configures logging; every rule script goes through it."""
    for path in sorted((REPO / "codepeft").rglob("*.py")):
        if path.name == "logs.py":
            continue
        text = path.read_text()
        for needle in ("logging.basicConfig", "logging.FileHandler", "os.dup2(handle"):
            assert needle not in text, f"{path.relative_to(REPO)}: {needle}"
    for script in sorted((REPO / "workflow" / "scripts").glob("*.py")):
        text = script.read_text()
        assert "setup_rule_logging(snakemake.log[0])" in text, script.name
        assert "logging.basicConfig" not in text, script.name


def test_cli_logging_goes_to_a_file_and_can_be_removed(tmp_path):
    import logging

    from codepeft.logs import setup_logging

    handler = setup_logging(tmp_path / "sub" / "cli.log")
    try:
        logging.getLogger("codepeft.test").info("hello from the CLI")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert "INFO codepeft.test: hello from the CLI" in (tmp_path / "sub" / "cli.log").read_text()


def test_one_training_entry_point():
    """The nine `train` arguments are written out once (TrainJob): the rule script and the
    launch use the job, not a list of their own."""
    script = (REPO / "workflow" / "scripts" / "train.py").read_text()
    assert "TrainJob.from_snakemake(snakemake).run()" in script
    assert "model_source=" not in script and "checkpoint_dir=" not in script
    launch_src = (REPO / "codepeft" / "launch.py").read_text()
    assert "def train_argv" not in launch_src and "checkpoint_dir" not in launch_src


def test_every_cli_sets_up_logging_through_codepeft_logs():
    import importlib.util

    from codepeft.cli import SUBCOMMANDS

    for name, (module, _) in SUBCOMMANDS.items():
        source = Path(importlib.util.find_spec(module).origin).read_text()
        assert "setup_logging(" in source, f"codepeft {name} ({module})"
