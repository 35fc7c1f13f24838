"""training.report_to under Snakemake: a small study's training reports to TensorBoard and an
MLflow file store under results/tracking/ (the rule script reads the option from the config),
carries its energy record, and switching the trackers off or to others plans nothing."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.conftest import copy_checkout, snakemake

MODEL_DIR = "results/models/tiny/mt/seed-42/multi"


def _config(tiny_model, report_to) -> dict:
    return {
        "study": {"name": "tracked study"},
        "models": {"tiny": {"source": str(tiny_model), "params_b": 0.002}},
        "methods": {"mt": {"finetune": "lora", "scope": "multi"}},
        "tasks": {"translation": {"languages": ["java-cs"]}},
        "data": {"translation": {"local_dir": "embedded"}},
        "training": {
            "max_steps": 3,
            "warmup_steps": 0,
            "per_device_batch_size": 4,
            "gradient_accumulation_steps": 1,
            "max_length": 128,
            "logging_steps": 1,
            "eval_steps": 100000,
            "save_steps": 100000,
            "eval_max_rows": 4,
            "report_to": report_to,
        },
    }


def test_trackers_report_and_switching_them_reruns_nothing(tmp_path, tiny_model, monkeypatch):
    from mlflow.tracking import MlflowClient
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    work = copy_checkout(tmp_path / "repo")
    for name, report_to in (
        ("on.yaml", ["tensorboard", "mlflow"]),
        ("off.yaml", "none"),
        ("other.yaml", ["wandb"]),
    ):
        (work / name).write_text(yaml.safe_dump(_config(tiny_model, report_to)))
    run = snakemake([MODEL_DIR, "--cores", "2", "--configfile", "on.yaml"], work, 900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    record = json.loads((work / MODEL_DIR / "codepeft_training.json").read_text())
    assert record["tracking"] == {
        "report_to": ["tensorboard", "mlflow"],
        "run_name": "tiny/mt/seed-42/multi",
        "experiment": "tracked study",
    }
    loss = [e["loss"] for e in record["log_history"] if "loss" in e]
    events = EventAccumulator(str(work / "results/tracking/tensorboard/tiny/mt/seed-42/multi"))
    events.Reload()
    assert len(loss) == 3
    assert [e.value for e in events.Scalars("train/loss")] == pytest.approx(loss, rel=1e-6)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 reads its file store so
    client = MlflowClient((work / "results/tracking/mlruns").as_uri())
    (mlrun,) = client.search_runs([client.get_experiment_by_name("tracked study").experiment_id])
    assert mlrun.info.run_name == "tiny/mt/seed-42/multi"
    history = [m.value for m in client.get_metric_history(mlrun.info.run_id, "loss")]
    assert history == pytest.approx(loss, rel=1e-6)
    # the training's energy: measured where the machine has counters, else the reason
    cost = record["cost"]
    assert cost["energy_status"] == "measured" or cost["energy_status"].startswith("not measured: ")

    for name in ("off.yaml", "other.yaml"):
        dry = snakemake([MODEL_DIR, "-n", "--configfile", name], work, 300)
        assert dry.returncode == 0, dry.stderr[-3000:]
        assert "Nothing to be done" in dry.stdout + dry.stderr, (name, dry.stdout[-3000:])
