"""Training dashboards (codepeft.tracking, training.report_to): the option's values, that it is
in no job's params nor the report's config hash, that a failing tracker never fails a training,
and the tiny model trained with TensorBoard and an MLflow file store, its loss read back."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
from snakemake.iocontainers import Namedlist

from codepeft import config as study_config
from codepeft import mixing, study, tracking, train
from codepeft.io import write_jsonl
from codepeft.provenance import config_hash
from tests.conftest import REPO, tiny_records

FAST = {
    "max_steps": 4,
    "warmup_steps": 0,
    "per_device_batch_size": 2,
    "gradient_accumulation_steps": 1,
    "max_length": 64,
    "logging_steps": 1,
}


@pytest.fixture(autouse=True)
def _tracker_environment(monkeypatch):
    """The trackers' environment variables as this test found them, whatever it sets."""
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_ALLOW_FILE_STORE", "RANK"):
        monkeypatch.delenv(name, raising=False)
    for name in ("WANDB_MODE", "WANDB_DIR", "WANDB_PROJECT"):
        monkeypatch.delenv(name, raising=False)


def test_report_to_values():
    assert tracking.normalize("none") == tracking.normalize(["none"]) == ()
    assert tracking.normalize([]) == tracking.normalize(None) == ()
    assert tracking.normalize("mlflow") == ("mlflow",)
    assert tracking.normalize(["tensorboard", "mlflow", "wandb"]) == tracking.TRACKERS
    with pytest.raises(ValueError, match="unknown tracker"):
        tracking.normalize(["comet_ml"])
    with pytest.raises(ValueError, match="'none' cannot be combined"):
        tracking.normalize(["none", "mlflow"])
    cfg = study_config.load(REPO / "config.yaml")
    cfg["training"]["report_to"] = ["tensorboard", "wandb"]
    study_config.validate(cfg)
    cfg["training"]["report_to"] = "neptune"
    with pytest.raises(study_config.ConfigError, match="report_to"):
        study_config.validate(cfg)


def test_report_to_is_in_no_params_and_not_in_the_config_hash():
    """Switching the trackers reruns nothing: no training's params hold it (the rest of the
    DAG never reads `training`), and the report's config hash leaves it out
    (tests/workflow/test_workflow.py's rerun matrix checks it on a built study)."""
    off = study_config.load(REPO / "config.yaml")
    on = study_config.load(REPO / "config.yaml")
    on["training"]["report_to"] = ["tensorboard", "mlflow"]
    study_config.validate(on)
    for _model, method, _seed, scope in study.trained_models(off):
        spec = study.training_spec(on, method, scope)
        assert "report_to" not in spec
        assert spec == study.training_spec(off, method, scope)
    assert config_hash(on) == config_hash(off)
    on["training"]["learning_rate"] = 0.5  # any other key still changes it
    assert config_hash(on) != config_hash(off)
    # study-wide: a method's own report_to is refused, not silently ignored
    on["methods"]["mt_fft"]["training"]["report_to"] = "wandb"
    with pytest.raises(ValueError, match="study-wide"):
        study.training_spec(on, "mt_fft", "multi")


def test_tracking_reaches_the_rule_and_the_launched_ranks():
    class Params(dict):
        __getattr__ = dict.__getitem__

    cfg = study_config.load(REPO / "config.yaml")
    cfg["training"]["report_to"] = "mlflow"
    cfg["study"]["name"] = "my study"
    sm = type(
        "SM",
        (),
        {
            "params": Params(
                source="base",
                finetune="qlora",
                training={},
                checkpoints="ck",
                seed=1,
                revision=None,
                multi_gpu={},
            ),
            "input": type("I", (), {"train": "t.jsonl", "valid": "v.jsonl"})(),
            "output": ["out"],
            "config": cfg,
            "wildcards": Namedlist(
                fromdict={"model": "tiny", "method": "mt_qlora", "seed": "42", "scope": "multi"}
            ),
            "threads": 2,
        },
    )()
    job = train.TrainJob.from_snakemake(sm)
    assert job.tracking == tracking.Tracking(
        ("mlflow",), "results/tracking", "my study", "tiny/mt_qlora/seed-42/multi"
    )
    argv = job.argv()
    i = argv.index("--tracking-json")
    assert tracking.Tracking.from_dict(json.loads(argv[i + 1])) == job.tracking
    assert "--tracking-json" not in train.TrainJob("m", "qlora", "t", None, "o", "c").argv()


def test_a_failing_tracker_is_logged_and_switched_off(caplog):
    calls = []

    class Broken:
        def on_train_begin(self, args, state, control, **kwargs):
            calls.append("begin")

        def on_log(self, args, state, control, **kwargs):
            calls.append("log")
            raise OSError("No space left on device")

        def __getattr__(self, name):
            return lambda *a, **k: calls.append(name)

    state = type("State", (), {"global_step": 3, "is_world_process_zero": True})()
    guarded = tracking.guarded("mlflow", Broken(), after_begin=lambda: calls.append("params"))
    with caplog.at_level(logging.WARNING, logger="codepeft.tracking"):
        assert guarded.on_train_begin(None, state, "control") is None
        assert guarded.on_log(None, state, "control", logs={"loss": 1.0}) is None
        assert guarded.on_log(None, state, "control", logs={"loss": 0.5}) is None
        guarded.on_train_end(None, state, "control")
    # closed (an MLflow run ends) and off after its failure
    assert calls == ["begin", "params", "log", "on_train_end"]
    assert "mlflow failed in on_log at step 3 (OSError: No space left on device)" in caplog.text


def test_a_tracker_that_cannot_start_is_left_out(monkeypatch, tmp_path, caplog):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # not installed
    monkeypatch.setitem(sys.modules, "wandb", None)
    track = tracking.Tracking(("mlflow", "wandb"), str(tmp_path), "s", "m/x/multi")
    with caplog.at_level(logging.WARNING, logger="codepeft.tracking"):
        assert tracking.callbacks(track, {"epochs": 1}) == []
    assert "mlflow is off for this training, it could not start (ModuleNotFoundError" in caplog.text
    assert "wandb is off for this training, it could not start" in caplog.text
    monkeypatch.setenv("RANK", "1")  # only the main process of a multi-GPU training reports
    assert tracking.callbacks(tracking.Tracking(("tensorboard",)), {}) == []


@pytest.fixture(scope="module")
def mixture(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("tracked")
    write_jsonl(d / "data.jsonl", tiny_records("summarization", 16))
    write_jsonl(d / "mix.jsonl", mixing.build_mixture([str(d / "data.jsonl")]))
    return d / "mix.jsonl"


def _train(tiny_model, mixture, tmp_path, track):
    return train.train(
        str(tiny_model),
        "lora",
        str(mixture),
        None,
        str(tmp_path / "out"),
        str(tmp_path / "ckpt"),
        train.TrainingSpec.from_dict(FAST),
        track=track,
    )


@pytest.mark.slow  # a tiny training
def test_tensorboard_and_mlflow_runs_read_back(tiny_model, mixture, tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    track = tracking.Tracking(
        ("tensorboard", "mlflow"), str(tmp_path / "tracking"), "demo study", "tiny/mt_qlora/multi"
    )
    info = _train(tiny_model, mixture, tmp_path, track)
    logged = [e["loss"] for e in info["log_history"] if "loss" in e]
    assert len(logged) == 4 and info["tracking"]["report_to"] == ["tensorboard", "mlflow"]

    events = EventAccumulator(str(tmp_path / "tracking" / "tensorboard" / "tiny/mt_qlora/multi"))
    events.Reload()
    loss = [(e.step, e.value) for e in events.Scalars("train/loss")]
    assert [s for s, _ in loss] == [1, 2, 3, 4]
    assert [v for _, v in loss] == pytest.approx(logged, rel=1e-6)
    config_text = events.Tensors("codepeft/training/text_summary")[0].tensor_proto.string_val[0]
    config_text = config_text.decode()
    assert '"learning_rate"' in config_text and '"lora"' in config_text

    client = MlflowClient((tmp_path / "tracking" / "mlruns").resolve().as_uri())
    experiment = client.get_experiment_by_name("demo study")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.run_name == "tiny/mt_qlora/multi" and run.info.status == "FINISHED"
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [m.step for m in history] == [1, 2, 3, 4]
    assert [m.value for m in history] == pytest.approx(logged, rel=1e-6)
    params = run.data.params
    assert params["codepeft.lora.r"] == "8" and params["codepeft.max_steps"] == "4"
    assert params["codepeft.lora.target_modules"].startswith('["q_proj"')
    assert params["run_name"] == "tiny/mt_qlora/multi"


@pytest.mark.slow  # a tiny training
def test_tracker_errors_never_fail_a_training(tiny_model, mixture, tmp_path, monkeypatch, caplog):
    """mlflow fails to write in the middle of the training, wandb is not installed: both are
    logged, the training saves its model, TensorBoard still has every step."""
    import mlflow

    monkeypatch.setitem(sys.modules, "wandb", None)

    def full_disk(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(mlflow, "log_metrics", full_disk)
    track = tracking.Tracking(
        tracking.TRACKERS, str(tmp_path / "tracking"), "s", "tiny/st/translation"
    )
    with caplog.at_level(logging.WARNING, logger="codepeft.tracking"):
        info = _train(tiny_model, mixture, tmp_path, track)
    assert info["global_step"] == 4 and (tmp_path / "out" / "adapter_model.safetensors").is_file()
    assert "mlflow failed in on_log at step 1 (OSError: No space left on device)" in caplog.text
    assert "wandb is off for this training, it could not start" in caplog.text
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tmp_path / "tracking" / "tensorboard" / "tiny/st/translation"))
    events.Reload()
    assert [e.step for e in events.Scalars("train/loss")] == [1, 2, 3, 4]
