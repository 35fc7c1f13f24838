"""Live training dashboards: TensorBoard, MLflow (a local file store), Weights & Biases (offline).

`training.report_to` (`none`, or a list of `tensorboard`, `mlflow`, `wandb`) names the trackers
a training reports to, through the Hugging Face trainer's own integration callbacks
(`transformers.integrations`). One run per training, named by its job's wildcards
(`tiny/mt_qlora/multi`), with the trainer's arguments and the training's config (the
`TrainingSpec`, as `codepeft.*` parameters). Everything stays on disk under
`results/tracking/` (`paths.TRACKING_DIR`), nothing is sent anywhere:

    tensorboard/<model>/<method>/seed-<seed>/<scope>/   event files (tensorboard --logdir results/tracking/tensorboard)
    mlruns/                                 MLflow file store; experiment = study.name
    wandb/                                  offline runs (wandb sync results/tracking/wandb/offline-run-*)

The train rule's script reads the option from the config, never from its params: switching it
on or off reruns no job (and the report's config hash leaves it out, `NOT_RESULTS`).
A tracker that cannot start (not installed, cannot write) or fails during the training is
logged and switched off for that training; the training goes on (`guarded`). Only the main
process of a multi-GPU training reports.

Environment variables the user set take precedence: `MLFLOW_TRACKING_URI` (a server instead of
the file store), `WANDB_MODE`, `WANDB_DIR`, `WANDB_PROJECT`.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from codepeft import paths

log = logging.getLogger("codepeft.tracking")

TRACKERS = ("tensorboard", "mlflow", "wandb")
NONE = "none"
#: config keys that say where a training reports, never what it computes: out of every job's
#: params and of the report's config hash, so switching them reruns nothing
NOT_RESULTS = (("training", "report_to"),)


def normalize(report_to) -> tuple[str, ...]:
    """The trackers of a `training.report_to` value: `none`, a tracker, or a list of them
    (`none` alone or an empty list: no tracker)."""
    names = [report_to] if isinstance(report_to, str) else list(report_to or [])
    if NONE in names and len(names) > 1:
        raise ValueError(f"training.report_to: 'none' cannot be combined with {names}")
    unknown = sorted(set(names) - set(TRACKERS) - {NONE})
    if unknown:
        raise ValueError(f"training.report_to: unknown tracker(s) {unknown}; known: {TRACKERS}")
    return tuple(dict.fromkeys(n for n in names if n != NONE))


@dataclass(frozen=True)
class Tracking:
    """Where one training reports: the trackers, the tracking folder, the experiment (the
    study's name) and the run's name."""

    report_to: tuple[str, ...] = ()
    directory: str = paths.TRACKING_DIR
    experiment: str = "codepeft study"
    run_name: str = "training"

    @classmethod
    def from_config(cls, config: dict, run_name: str) -> Tracking:
        """The tracking of one training of a validated config (`training.report_to`,
        `study.name`)."""
        return cls(
            report_to=normalize(config["training"]["report_to"]),
            experiment=config["study"]["name"],
            run_name=run_name,
        )

    @classmethod
    def from_dict(cls, values: dict) -> Tracking:
        return cls(**{**values, "report_to": normalize(values.get("report_to", ()))})

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "report_to": list(self.report_to)}

    def record(self) -> dict:
        """What the training record says about its tracking."""
        return {
            "report_to": list(self.report_to),
            "run_name": self.run_name,
            "experiment": self.experiment,
        }


def flatten(params: dict, prefix: str = "") -> dict:
    """Nested parameters as one level, keys joined with '.', lists as JSON."""
    out = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list | tuple):
            out[name] = json.dumps(list(value))
        else:
            out[name] = value
    return out


def _main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def _integration(name: str):
    # lazy: transformers takes seconds; the DAG build imports this module
    from transformers.integrations import INTEGRATION_TO_CALLBACK

    return INTEGRATION_TO_CALLBACK[name]()


def _tensorboard(tracking: Tracking, params: dict):
    callback = _integration("tensorboard")
    callback.logging_dir = str(Path(tracking.directory) / "tensorboard" / tracking.run_name)

    def log_params():
        if callback.tb_writer is not None:
            text = json.dumps(params, indent=1, sort_keys=True, default=str)
            callback.tb_writer.add_text("codepeft/training", f"```\n{text}\n```")

    return callback, log_params, callback.logging_dir


def _mlflow_experiment(mlflow, experiment: str, store: Path | None) -> None:
    """Set (create if new) the experiment; trainings started together create it once (a lock
    file in the file store: the file store does not refuse a second experiment of one name)."""
    if store is None:
        mlflow.set_experiment(experiment)
        return
    store.mkdir(parents=True, exist_ok=True)
    with open(store / ".codepeft-experiment.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        mlflow.set_experiment(experiment)


def _mlflow(tracking: Tracking, params: dict):
    # lazy: an optional tracker (extra `tracking`), ~1 s to import
    import mlflow

    # MLflow 3 refuses its file store unless told; a local store is what works offline
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    store = None
    if not uri:
        store = (Path(tracking.directory) / "mlruns").resolve()
        uri = store.as_uri()
    mlflow.set_tracking_uri(uri)
    _mlflow_experiment(mlflow, tracking.experiment, store)
    callback = _integration("mlflow")

    def log_params():
        if mlflow.active_run() is not None:
            mlflow.log_params({f"codepeft.{k}": v for k, v in flatten(params).items()})

    return callback, log_params, f"{uri} (experiment {tracking.experiment!r})"


def _wandb(tracking: Tracking, params: dict):
    callback = _integration("wandb")  # fails here when wandb is not installed
    directory = Path(tracking.directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("WANDB_MODE", "offline")
    os.environ.setdefault("WANDB_DIR", str(directory))
    os.environ.setdefault("WANDB_PROJECT", re.sub(r"[/\\#?%:]", "-", tracking.experiment))

    def log_params():
        # lazy: an optional tracker, seconds to import
        import wandb

        if wandb.run is not None:
            wandb.config.update({"codepeft": params}, allow_val_change=True)

    return callback, log_params, f"{os.environ['WANDB_DIR']} ({os.environ['WANDB_MODE']})"


SETUP = {"tensorboard": _tensorboard, "mlflow": _mlflow, "wandb": _wandb}


def callbacks(tracking: Tracking, params: dict) -> list:
    """The trainer callbacks of `tracking` (none on ranks other than the main process): each
    tracker's integration callback, `guarded`, that also logs `params` (the training's
    config) when the training begins. A tracker that cannot start is logged and left out."""
    if not tracking.report_to or not _main_process():
        return []
    out = []
    for name in tracking.report_to:
        try:
            callback, log_params, where = SETUP[name](tracking, params)
        except Exception as err:  # noqa: BLE001 - a tracker never fails a training
            log.warning(
                "tracking: %s is off for this training, it could not start (%s: %s)",
                name,
                type(err).__name__,
                err,
            )
            continue
        log.info("tracking: %s run %r -> %s", name, tracking.run_name, where)
        out.append(guarded(name, callback, log_params))
    return out


def guarded(name: str, callback, after_begin=None):
    """`callback` (a TrainerCallback) behind a guard: an exception in any of its events is
    logged and switches it off for the rest of the training, which goes on. `after_begin()`
    runs after its `on_train_begin` on the main process. The guard never changes the
    trainer's control flow."""
    # lazy: transformers takes seconds; the DAG build imports this module
    from transformers import TrainerCallback

    class Guarded(TrainerCallback):
        def __init__(self):
            self.name, self.inner, self.active = name, callback, True

        def _event(self, event, args, state, control, **kwargs):
            if not self.active:
                return None
            try:
                getattr(self.inner, event)(args, state, control, **kwargs)
                if event == "on_train_begin" and after_begin and state.is_world_process_zero:
                    after_begin()
            except Exception as err:  # noqa: BLE001 - a tracker never fails a training
                self.active = False
                log.warning(
                    "tracking: %s failed in %s at step %d (%s: %s); it is off for the rest of "
                    "this training, which goes on",
                    self.name,
                    event,
                    state.global_step,
                    type(err).__name__,
                    err,
                )
                if event != "on_train_end":
                    self._close(args, state, control)
            return None

        def _close(self, args, state, control):
            """Let the tracker close its run (an MLflow run ends), if it still can."""
            try:
                self.inner.on_train_end(args, state, control)
            except Exception as err:  # noqa: BLE001 - already off
                log.debug("tracking: %s could not close its run: %s", self.name, err)

    for event in [n for n in vars(TrainerCallback) if n.startswith("on_")]:

        def handler(self, args, state, control, _event=event, **kwargs):
            return self._event(_event, args, state, control, **kwargs)

        setattr(Guarded, event, handler)
    return Guarded()
