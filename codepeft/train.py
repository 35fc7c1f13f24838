"""Fine-tune a causal LM on a training mixture: one entry point for every method.

    codepeft train --model Qwen/Qwen2.5-Coder-0.5B-Instruct --finetune qlora \
        --train results/mixtures/mt_qlora/multi/train.jsonl \
        --valid results/mixtures/mt_qlora/multi/valid.jsonl \
        --out results/models/qwen0.5b/mt_qlora/multi \
        --checkpoints results/checkpoints/qwen0.5b/mt_qlora/multi \
        --training-json '{"epochs": 5, "learning_rate": 1e-4}'

Features and their trade-offs:
- `qlora`: base weights in 4-bit NF4 with double quantization (bitsandbytes), LoRA adapters
  trained on top. Least memory; the 4-bit matmuls are slower than bf16 ones.
- `lora` / `dora`: adapters on a bf16 (GPU) or fp32 (CPU) base: more memory, faster steps.
- `full`: every weight trained (the paper's MT-FFT), with gradient checkpointing by default.
- Loss on the whole sequence (the paper: prompt + answer) or on the answer only
  (`loss_on: completion`).
- Resume: checkpoints go to `--checkpoints` (outside the rule's declared output, so Snakemake
  does not delete them when a job fails); a rerun of the same training (same arguments,
  settings and data files: `codepeft_run.json` in that folder) resumes from the last one, a
  changed one discards them. On SIGTERM
  (scancel, time limit, preemption) the trainer saves a checkpoint and exits with status 143,
  so the retried or requeued job resumes. Checkpoints are removed once the model is final.
- If 4-bit is unavailable, the job fails with a clear message unless
  `allow_lora_fallback: true`, in which case plain LoRA is trained and recorded as such in
  `codepeft_training.json` beside the adapter.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import functools
import json
import logging
import os
import re
import shutil
import signal
import time
from dataclasses import dataclass, field, make_dataclass
from pathlib import Path
from typing import Any

from codepeft import launch, packing, paths, selection, tracking
from codepeft.config import schema_defaults
from codepeft.cost import CostRecorder
from codepeft.logs import setup_logging
from codepeft.models import default_dtype, load_tokenizer, resolve_target_modules
from codepeft.prompts import NAMED_CHAT_TEMPLATES
from codepeft.provenance import provenance
from codepeft.study import MODEL_CHAT_TEMPLATE

log = logging.getLogger("codepeft.train")

FINETUNE_KINDS = ("qlora", "lora", "dora", "full")
EXIT_PREEMPTED = 143


class FourBitUnavailable(RuntimeError):
    pass


#: nested `training` mappings the trainer reads, filled with the schema's defaults when given
#: in part (`mixing` is not: the mixture is built already; it is recorded as given)
FILLED_MAPPINGS = ("lora", "quantization", "selection")
#: `training` keys of the launch, not of the trainer (TrainJob.multi_gpu)
LAUNCH_KEYS = ("multi_gpu",)
#: `training` keys of where the training reports (TrainJob.tracking, codepeft.tracking), not of
#: what it computes: the rule script reads them from the config, never from the job's params
TRACKING_KEYS = ("report_to",)
#: `training` keys that are not the trainer's hyperparameters (not in TrainingSpec)
NOT_SPEC_KEYS = LAUNCH_KEYS + TRACKING_KEYS


def _from_dict(cls, values: dict):
    """The spec of `values` (a `training` section, merged with the method's overrides): keys
    not given take the schema's defaults; unknown keys are an error."""
    unknown = set(values) - set(cls.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown training keys: {sorted(unknown)}")
    given = dict(values)
    for key in FILLED_MAPPINGS:
        if isinstance(given.get(key), dict):
            defaults = cls.__dataclass_fields__[key].default_factory()
            given[key] = {
                **given[key],
                **{k: v for k, v in defaults.items() if k not in given[key]},
            }
    return cls(**given)


def _spec_fields() -> list[tuple]:
    defaults = schema_defaults("training")
    for key in NOT_SPEC_KEYS:
        defaults.pop(key)
    return [
        (name, Any, field(default_factory=functools.partial(copy.deepcopy, value)))
        for name, value in defaults.items()
    ]


#: Resolved hyperparameters of one training job (the config's `training` section merged with
#: the method's overrides): one attribute per key of the schema's `training` section
#: (workflow/schemas/config.schema.yaml), with its default; the schema is the one source.
TrainingSpec = make_dataclass(
    "TrainingSpec",
    _spec_fields(),
    namespace={"from_dict": classmethod(_from_dict), "__module__": __name__},
)
TrainingSpec.__doc__ = (
    "Hyperparameters of one training job: the schema's `training` keys and defaults "
    "(workflow/schemas/config.schema.yaml), without multi_gpu (the launch's) and report_to "
    "(the tracking's)."
)


def probe_4bit() -> str | None:
    """None if bitsandbytes 4-bit layers run forward+backward here, else the reason."""
    try:
        # lazy: bitsandbytes/torch take seconds; TrainingSpec and the multi-GPU parent do without
        import bitsandbytes as bnb
        import torch

        layer = bnb.nn.Linear4bit(16, 16, bias=False, compute_dtype=torch.float32, quant_type="nf4")
        device = "cuda" if torch.cuda.is_available() else "cpu"
        layer = layer.to(device)
        x = torch.randn(2, 16, device=device, requires_grad=True)
        layer(x).sum().backward()
        return None
    except Exception as err:  # noqa: BLE001 - any failure means "not available"
        return f"{type(err).__name__}: {err}"


def _make_callbacks(stop_flag: dict, save_total_limit: int | None):
    # lazy: transformers takes seconds; TrainingSpec and the multi-GPU parent do without
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            self.start = time.time()
            self.first_step = state.global_step
            log.info(
                "training: %d steps in total, starting at step %d",
                state.max_steps,
                state.global_step,
            )

        def on_log(self, args, state, control, logs=None, **kwargs):
            done = state.global_step - self.first_step
            elapsed = time.time() - self.start
            rate = done / elapsed if elapsed > 0 else 0.0
            eta = (state.max_steps - state.global_step) / rate if rate > 0 else float("nan")
            shown = {k: round(v, 5) if isinstance(v, float) else v for k, v in (logs or {}).items()}
            log.info(
                "step %d/%d (%.0f%%) %s | %.2f steps/s, eta %.0fs",
                state.global_step,
                state.max_steps,
                100.0 * state.global_step / max(state.max_steps, 1),
                shown,
                rate,
                eta,
            )

    class MarkCheckpointComplete(TrainerCallback):
        # on_save runs after the trainer has written the whole checkpoint folder; the older
        # ones go only once the new one is marked (the trainer's own rotation is off: it ran
        # before this, so a kill in between left no complete checkpoint to resume from)
        def on_save(self, args, state, control, **kwargs):
            if args.should_save:
                folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
                if folder.is_dir():
                    mark_complete(folder, state.global_step)
                    rotate_checkpoints(
                        args.output_dir, save_total_limit, state.best_model_checkpoint
                    )
            return control

    class StopOnSignal(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if _any_rank(bool(stop_flag["signal"])):
                stop_flag["signal"] = stop_flag["signal"] or "SIGTERM (another rank)"
                log.warning(
                    "signal %s received: saving a checkpoint at step %d and stopping",
                    stop_flag["signal"],
                    state.global_step,
                )
                control.should_save = True
                control.should_training_stop = True
            return control

    return [Progress(), MarkCheckpointComplete(), StopOnSignal()]


def _any_rank(flag: bool) -> bool:
    """`flag` OR-ed over the ranks of a multi-GPU run (codepeft.launch), so that every rank
    stops and saves at the same step; the flag itself in a single process."""
    try:
        # lazy: torch takes seconds; TrainingSpec and the multi-GPU parent do without
        import torch.distributed as dist
    except ImportError:  # pragma: no cover - torch is a dependency
        return flag
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() < 2:
        return flag
    # lazy: torch takes seconds; TrainingSpec and the multi-GPU parent do without
    import torch

    device = "cuda" if dist.get_backend() == "nccl" else "cpu"
    value = torch.tensor([1 if flag else 0], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def _precision(spec: TrainingSpec) -> dict:
    # lazy: torch takes seconds; TrainingSpec and the multi-GPU parent do without
    import torch

    if spec.precision == "auto":
        on_gpu = torch.cuda.is_available()
        bf16 = on_gpu and torch.cuda.is_bf16_supported()
        return {"bf16": bf16, "fp16": False, "use_cpu": not on_gpu}
    if spec.precision in ("bf16", "fp16", "fp32"):
        return {
            "bf16": spec.precision == "bf16",
            "fp16": spec.precision == "fp16",
            "use_cpu": not torch.cuda.is_available(),
        }
    raise ValueError(f"training.precision must be auto|bf16|fp16|fp32, not {spec.precision!r}")


DTYPES = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}


def weights_dtype(spec: TrainingSpec, compute_dtype=None):
    """The dtype the model's weights are loaded in (for 4-bit models: the weights that are not
    quantized: embeddings, norms, lm_head, biases). `auto`: the compute dtype."""
    # lazy: torch takes seconds; TrainingSpec and the multi-GPU parent do without
    import torch

    if spec.weights_dtype == "auto":
        return compute_dtype or default_dtype()
    if spec.weights_dtype not in DTYPES:
        raise ValueError(f"training.weights_dtype must be auto|{'|'.join(DTYPES)}")
    return getattr(torch, DTYPES[spec.weights_dtype])


def keep_adapter_dtype(model, spec: TrainingSpec) -> None:
    """Set the trainable adapter weights to `training.adapter_dtype`. TRL >= 1 casts LoRA weights
    of 4-bit models to bf16 in `SFTTrainer.__init__` (trl/trainer/sft_trainer.py, "When using
    QLoRA, the PEFT adapter weights are converted to bf16"); TRL 0.9.6 and peft kept them fp32,
    which is what the package trained. Called after the trainer is built, before any step."""
    # lazy: torch takes seconds; TrainingSpec and the multi-GPU parent do without
    import torch

    if spec.adapter_dtype not in ("fp32", "bf16"):
        raise ValueError("training.adapter_dtype must be fp32|bf16")
    dtype = getattr(torch, DTYPES[spec.adapter_dtype])
    for name, param in model.named_parameters():
        if param.requires_grad and "lora_" in name and param.dtype != dtype:
            param.data = param.data.to(dtype)


def _load_model(source: str, finetune: str, spec: TrainingSpec, revision: str | None):
    """The model ready for the trainer, and what was actually used ('qlora' may become 'lora').
    `prepare_model_for_kbit_training` is not called (the package did not call it either): the
    non-quantized weights keep `weights_dtype`, and no layer is upcast to fp32."""
    # lazy: torch/transformers take seconds; TrainingSpec and the multi-GPU parent do without
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    used = finetune
    kwargs: dict = {"revision": revision, "dtype": weights_dtype(spec)}
    if finetune == "qlora":
        reason = probe_4bit()
        if reason is not None:
            if not spec.allow_lora_fallback:
                raise FourBitUnavailable(
                    f"4-bit quantization (bitsandbytes) is unavailable here: {reason}. "
                    "Install a bitsandbytes build for this machine, or set "
                    "training.allow_lora_fallback: true to train plain LoRA instead (recorded)."
                )
            log.warning("4-bit unavailable (%s): falling back to plain LoRA, as configured", reason)
            used = "lora"
        else:
            compute = spec.quantization["compute_dtype"]
            compute_dtype = default_dtype() if compute == "auto" else getattr(torch, compute)
            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type=spec.quantization["quant_type"],
                bnb_4bit_use_double_quant=spec.quantization["double_quant"],
                bnb_4bit_compute_dtype=compute_dtype,
            )
            kwargs["dtype"] = weights_dtype(spec, compute_dtype)
            if os.environ.get("LOCAL_RANK") is not None and torch.cuda.is_available():
                # multi-GPU (codepeft.launch): each process keeps its 4-bit copy on its own GPU
                kwargs["device_map"] = {"": int(os.environ["LOCAL_RANK"])}
    model = AutoModelForCausalLM.from_pretrained(source, **kwargs)
    model.config.use_cache = False
    peft_config = None
    if used in ("qlora", "lora", "dora"):
        # lazy: peft takes seconds; TrainingSpec and the multi-GPU parent do without
        from peft import LoraConfig

        model.enable_input_require_grads()
        targets = resolve_target_modules(model, spec.lora["target_modules"])
        log.info("LoRA target modules: %s", targets)
        peft_config = LoraConfig(
            r=spec.lora["r"],
            lora_alpha=spec.lora["alpha"],
            lora_dropout=spec.lora["dropout"],
            target_modules=targets,
            use_dora=used == "dora",
            task_type="CAUSAL_LM",
        )
    return model, peft_config, used


def _optimizer(spec: TrainingSpec, used: str) -> str:
    # lazy: torch takes seconds; TrainingSpec and the multi-GPU parent do without
    import torch

    if spec.optimizer != "auto":
        return spec.optimizer
    # the paper: 8-bit AdamW for QLoRA (bitsandbytes' 8-bit optimizers need a GPU)
    if used in ("qlora", "lora", "dora") and torch.cuda.is_available():
        return "adamw_bnb_8bit"
    return "adamw_torch"


#: written into a checkpoint folder once the trainer has saved all of it (weights, optimizer,
#: scheduler, RNG and trainer state): a folder without it was cut off mid-save
COMPLETE_MARKER = "codepeft_complete.json"
_CHECKPOINT_NAME = re.compile(r"^checkpoint-(\d+)$")


def mark_complete(checkpoint: Path, step: int) -> None:
    """Mark a checkpoint folder as completely saved (written aside, then renamed, so the marker
    itself is never half-written)."""
    tmp = checkpoint / (COMPLETE_MARKER + ".tmp")
    tmp.write_text(json.dumps({"global_step": step}) + "\n")
    tmp.rename(checkpoint / COMPLETE_MARKER)


def _checkpoint_folders(checkpoint_dir: Path) -> list[tuple[int, Path, bool]]:
    """The `checkpoint-N` folders in `checkpoint_dir` as (N, folder, complete), by N."""
    checkpoint_dir = Path(checkpoint_dir)
    if not checkpoint_dir.is_dir():
        return []
    return sorted(
        (int(match.group(1)), path, (path / COMPLETE_MARKER).is_file())
        for path in checkpoint_dir.iterdir()
        if (match := _CHECKPOINT_NAME.match(path.name)) and path.is_dir()
    )


def last_checkpoint(checkpoint_dir: Path) -> str | None:
    """The newest complete `checkpoint-N` folder in `checkpoint_dir`, or None. Folders without
    the completion marker were being written when the job was killed (a time limit's SIGKILL
    during an 18 GB save): they are removed, never resumed from, so a retry does not fail the
    same way each time."""
    newest = None
    for _, path, complete in _checkpoint_folders(checkpoint_dir):
        if complete:
            newest = path
        else:
            log.warning(
                "removing incomplete checkpoint %s (no %s: cut off mid-save)", path, COMPLETE_MARKER
            )
            shutil.rmtree(path, ignore_errors=True)
    return str(newest) if newest else None


def rotate_checkpoints(checkpoint_dir, keep: int | None, best: str | None = None) -> list[str]:
    """Remove the oldest complete checkpoints until `keep` remain (None or 0: keep all), never
    the newest (to resume from) nor `best` (for load-best-at-end); as the trainer's
    `save_total_limit` does, but run once the newest is marked complete. Returns what it
    removed."""
    if not keep or keep <= 0:
        return []
    complete = [path for _, path, done in _checkpoint_folders(checkpoint_dir) if done]
    protected = {complete[-1].name} if complete else set()
    if best:
        protected.add(Path(best).name)
    removed, remaining = [], len(complete)
    for path in complete:
        if remaining <= max(keep, len(protected)):
            break
        if path.name not in protected:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(str(path))
            remaining -= 1
    return removed


@dataclass
class Setup:
    """A trainer ready to train, with what `train` records beside the model."""

    trainer: object
    tokenizer: object
    used: str
    args: object
    grad_ckpt: bool
    precision: dict
    train_rows: int
    selection: dict
    lora_target_modules: list[str] | None = None


def datasets_cache(checkpoint_dir) -> Path:
    """Where a training's Arrow copies live: beside its checkpoints, removed when it has saved
    its model. Not the Hugging Face cache in $HOME, where `load_dataset` and the trainer's
    tokenization would leave GBs per paper-scale training on what is often a small quota.
    The same path in every process of a multi-GPU run, so they share one copy."""
    ckpt = Path(checkpoint_dir)
    return ckpt.with_name(ckpt.name + ".datasets")


def _load_examples(path, max_rows: int | None, cache_dir: str | None):
    """The first `max_rows` (all if None/0) prompt/completion rows of a JSONL file as a
    memory-mapped `datasets.Dataset` cached in `cache_dir` (None: the Hugging Face cache), the
    sorted tasks of those rows and the file's row count. Memory-mapped, not read into memory:
    the paper's 854k-row multi-task mixture takes 0.34 GB of RSS mapped, 4.8 GB in memory."""
    # lazy: datasets takes seconds; TrainingSpec and the multi-GPU parent do without
    from datasets import load_dataset

    dataset = load_dataset("json", data_files=str(path), split="train", cache_dir=cache_dir)
    missing = [c for c in ("prompt", "completion") if c not in dataset.column_names]
    if missing:
        raise ValueError(f"{path}: no {' or '.join(repr(c) for c in missing)} column")
    total = len(dataset)
    if max_rows and max_rows < total:
        dataset = dataset.select(range(max_rows))
    tasks = sorted(dataset.unique("task")) if "task" in dataset.column_names else []
    return dataset.select_columns(["prompt", "completion"]), tasks, total


def _datasets(
    train_file,
    valid_file,
    spec: TrainingSpec,
    tokenizer,
    seed: int,
    num_proc,
    cache_dir: str | None = None,
):
    """Train and eval datasets as the trainer takes them (eval: first `eval_max_rows` raw rows,
    then packed like the training data), and the tasks of the training rows; Arrow copies in
    `cache_dir` (`datasets_cache`; None: the Hugging Face cache)."""
    train_ds, tasks, total = _load_examples(train_file, spec.train_max_rows, cache_dir)
    if len(train_ds) < total:
        log.info("training.train_max_rows: %d of %d rows", len(train_ds), total)
    eval_ds = None
    if valid_file and os.path.getsize(valid_file) > 0:
        eval_ds, _, _ = _load_examples(valid_file, spec.eval_max_rows, cache_dir)
    train_rows = len(train_ds)
    if spec.packing == "constant_length":
        if spec.loss_on != "full_sequence":
            raise ValueError(
                "training.packing: constant_length trains on the whole sequence; "
                "it cannot be combined with loss_on: completion"
            )
        train_ds = packing.pack_dataset(train_ds, tokenizer, spec.max_length, seed, num_proc)
        if eval_ds is not None:
            eval_ds = packing.pack_dataset(eval_ds, tokenizer, spec.max_length, seed, num_proc)
        log.info(
            "constant_length packing: %d train chunks, %d eval chunks of %d tokens",
            len(train_ds),
            len(eval_ds) if eval_ds is not None else 0,
            spec.max_length,
        )
    return train_ds, eval_ds, train_rows, tasks


def _selection(spec: TrainingSpec, tasks, tokenizer, use_eval: bool) -> dict:
    """Trainer arguments of checkpoint selection (`training.selection`)."""
    chosen = spec.selection
    if chosen["metric"] not in selection.METRICS:
        raise ValueError(f"training.selection.metric must be one of {selection.METRICS}")
    if not use_eval:
        return {"args": {"metric_for_best_model": None, "greater_is_better": None}, "trainer": {}}
    if chosen["metric"] == "eval_loss":
        return {
            "args": {"metric_for_best_model": "eval_loss", "greater_is_better": False},
            "trainer": {},
            "record": {"metric": "eval_loss"},
        }
    scorer = selection.scorer_for(tasks)
    shift = bool(chosen["shift_predictions"])
    return {
        "args": {
            "metric_for_best_model": "eval_" + selection.SCORE_NAMES[scorer],
            "greater_is_better": True,
            "eval_accumulation_steps": 1,
        },
        "trainer": {
            "compute_metrics": selection.make_compute_metrics(tokenizer, scorer, shift),
            "preprocess_logits_for_metrics": selection.argmax_logits,
        },
        "record": {"metric": chosen["metric"], "scorer": scorer, "shift_predictions": shift},
    }


def _training_args(
    spec: TrainingSpec,
    used: str,
    checkpoint_dir: str,
    seed: int,
    use_eval: bool,
    selection: dict,
    num_proc: int | None,
    run_name: str | None = None,
):
    """The trainer phase's SFTConfig, whether gradient checkpointing is on, and the precision.
    `run_name`: the trackers' name of the run (codepeft.tracking); they are added as callbacks,
    not through `report_to`, so that a failing one never fails the training."""
    # lazy: trl takes seconds; TrainingSpec and the multi-GPU parent do without
    from trl import SFTConfig

    grad_ckpt = spec.gradient_checkpointing
    if grad_ckpt == "auto":
        grad_ckpt = used == "full"
    precision = _precision(spec)
    trl_packing = spec.packing not in ("none", "constant_length")  # constant_length: pre-packed
    args = SFTConfig(
        output_dir=str(checkpoint_dir),
        seed=seed,
        data_seed=seed,
        num_train_epochs=spec.epochs,
        max_steps=spec.max_steps,
        learning_rate=spec.learning_rate,
        lr_scheduler_type=spec.lr_scheduler,
        warmup_steps=spec.warmup_steps,
        per_device_train_batch_size=spec.per_device_batch_size,
        per_device_eval_batch_size=spec.eval_batch_size or spec.per_device_batch_size,
        gradient_accumulation_steps=spec.gradient_accumulation_steps,
        max_length=spec.max_length,
        packing=trl_packing,
        packing_strategy=spec.packing if trl_packing else "bfd",
        completion_only_loss=spec.loss_on == "completion",
        optim=_optimizer(spec, used),
        gradient_checkpointing=bool(grad_ckpt),
        eval_strategy="steps" if use_eval else "no",
        eval_steps=spec.eval_steps,
        save_strategy="steps",
        save_steps=spec.save_steps,
        save_total_limit=None,  # rotate_checkpoints, once the new checkpoint is complete
        load_best_model_at_end=use_eval,
        logging_steps=spec.logging_steps,
        logging_first_step=True,
        disable_tqdm=True,
        report_to=[],
        run_name=run_name,
        dataset_num_proc=num_proc,  # tokenization/packing on the job's threads
        **selection["args"],
        **precision,
    )
    return args, bool(grad_ckpt), precision


def setup_trainer(
    model_source: str,
    finetune: str,
    train_file: str,
    valid_file: str | None,
    checkpoint_dir: str,
    spec: TrainingSpec,
    seed: int = 42,
    revision: str | None = None,
    threads: int | None = None,
    callbacks: list | None = None,
    chat_template: str | None = None,
    run_name: str | None = None,
) -> Setup:
    """Load the model (`_load_model`) and the data (`_datasets`), then build the trainer
    (`_training_args`); no step taken."""
    # lazy: transformers/trl take seconds; TrainingSpec and the multi-GPU parent do without
    from transformers import EarlyStoppingCallback, set_seed
    from transformers.trainer_callback import PrinterCallback
    from trl import SFTTrainer

    if finetune not in FINETUNE_KINDS:
        raise ValueError(f"unknown finetune kind {finetune!r}; known: {FINETUNE_KINDS}")
    set_seed(seed)
    num_proc = threads if threads and threads > 1 else None
    tokenizer = load_tokenizer(model_source, revision, chat_template=chat_template)
    model, peft_config, used = _load_model(model_source, finetune, spec, revision)
    train_ds, eval_ds, train_rows, tasks = _datasets(
        train_file, valid_file, spec, tokenizer, seed, num_proc, str(datasets_cache(checkpoint_dir))
    )
    use_eval = eval_ds is not None and len(eval_ds) > 0
    if eval_ds is not None and not use_eval:
        log.warning("no validation rows (or too few tokens for one packed chunk): no evaluation")
    log.info(
        "finetune=%s (requested %s) model=%s train=%d rows eval=%d %s",
        used,
        finetune,
        model_source,
        train_rows,
        len(eval_ds) if use_eval else 0,
        "chunks" if spec.packing == "constant_length" else "rows",
    )
    selection = _selection(spec, tasks, tokenizer, use_eval)
    args, grad_ckpt, precision = _training_args(
        spec, used, checkpoint_dir, seed, use_eval, selection, num_proc, run_name
    )
    callbacks = list(callbacks or [])
    if use_eval and spec.early_stopping_patience:
        callbacks.append(
            EarlyStoppingCallback(spec.early_stopping_patience, spec.early_stopping_threshold)
        )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds if use_eval else None,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=callbacks,
        **selection["trainer"],
    )
    if peft_config is not None:
        keep_adapter_dtype(trainer.model, spec)
    trainer.remove_callback(PrinterCallback)  # our Progress callback prints one line per log
    return Setup(
        trainer=trainer,
        tokenizer=tokenizer,
        used=used,
        args=args,
        grad_ckpt=grad_ckpt,
        precision=precision,
        train_rows=train_rows,
        selection=selection.get("record", {}),
        lora_target_modules=sorted(peft_config.target_modules) if peft_config else None,
    )


RUN_KEY_FILE = "codepeft_run.json"


def run_key(**what) -> dict:
    """What determines a training's checkpoints: the arguments (spec as a dict) and, for each
    data file, its size and modification time (a rebuilt mixture is another file)."""
    key = {}
    for name, value in sorted(what.items()):
        if name.endswith("_file"):
            stat = os.stat(value) if value and os.path.exists(value) else None
            value = [str(value), stat.st_size, stat.st_mtime_ns] if stat else None
        elif dataclasses.is_dataclass(value):
            value = dataclasses.asdict(value)
        key[name] = value
    return json.loads(json.dumps(key, sort_keys=True, default=str))


def claim_checkpoints(ckpt: Path, key: dict) -> None:
    """Keep `ckpt`'s checkpoints only if they were written by this training (same `run_key`):
    a changed config reruns the job, and resuming from the old settings' checkpoints would
    train a mix of both. Stale or unlabelled checkpoints are removed (logged); then the key
    is written."""
    marker = ckpt / RUN_KEY_FILE
    if ckpt.is_dir() and any(ckpt.iterdir()):
        old = json.loads(marker.read_text()) if marker.exists() else None
        if old != key:
            changed = sorted(k for k in key if (old or {}).get(k) != key[k]) if old else []
            log.warning(
                "removing checkpoints in %s: written by another training (%s)",
                ckpt,
                "differs in " + ", ".join(changed) if changed else "no run key",
            )
            shutil.rmtree(ckpt)
    ckpt.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(key, indent=1) + "\n")


def _run_training(setup: Setup, ckpt: Path, stop_flag: dict, previous: dict, key: dict):
    """Train from the last checkpoint of this training (`claim_checkpoints`) if any; on a caught
    signal exit with EXIT_PREEMPTED (the checkpoint is saved). Returns the trainer's result and
    the checkpoint resumed from."""
    trainer = setup.trainer
    if trainer.is_world_process_zero():
        claim_checkpoints(ckpt, key)
    trainer.accelerator.wait_for_everyone()
    resume = last_checkpoint(ckpt)
    if resume:
        log.info("resuming from %s", resume)
    result = trainer.train(resume_from_checkpoint=resume)
    for sig, handler in previous.items():
        signal.signal(sig, handler)
    if stop_flag["signal"]:
        log.warning(
            "stopped by %s at step %d; checkpoint saved in %s; rerun to resume",
            stop_flag["signal"],
            trainer.state.global_step,
            ckpt,
        )
        raise SystemExit(EXIT_PREEMPTED)
    return result, resume


def _save(setup: Setup, out: Path, ckpt: Path, record) -> dict:
    """Save the model and tokenizer with `codepeft_training.json` (`record()`'s dict) to
    `out` (written beside it, then renamed), then remove the checkpoints. Every rank takes part
    in saving (FSDP gathers the full weights); only the main process writes; {} elsewhere."""
    trainer = setup.trainer
    tmp = out.with_name(out.name + ".partial")
    main_process = trainer.is_world_process_zero()  # True unless multi-GPU rank > 0
    if main_process:
        shutil.rmtree(tmp, ignore_errors=True)
    trainer.accelerator.wait_for_everyone()
    trainer.save_model(str(tmp))
    if not main_process:
        return {}
    setup.tokenizer.save_pretrained(str(tmp))
    info = record()
    (tmp / "codepeft_training.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    shutil.rmtree(ckpt, ignore_errors=True)
    log.info("saved %s model to %s after %d steps", setup.used, out, trainer.state.global_step)
    return info


def train(
    model_source: str,
    finetune: str,
    train_file: str,
    valid_file: str | None,
    out_dir: str,
    checkpoint_dir: str,
    spec: TrainingSpec,
    seed: int = 42,
    revision: str | None = None,
    threads: int | None = None,
    chat_template: str | None = None,
    track: tracking.Tracking | None = None,
) -> dict:
    """Train and save the final adapter (or full model) with its tokenizer (its chat template
    in force: `chat_template`, a named one, else its own) to `out_dir`: setup (model, data,
    trainer), training (resumable), save. `track`: the trackers it reports to
    (codepeft.tracking; default none)."""
    track = track or tracking.Tracking()
    out, ckpt = Path(out_dir), Path(checkpoint_dir)
    stop_flag = {"signal": None}
    cost = CostRecorder()  # cost record: wall clock and peak memory from here

    def on_signal(signum, _frame):
        stop_flag["signal"] = signal.Signals(signum).name

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGUSR1)}
    setup = setup_trainer(
        model_source,
        finetune,
        train_file,
        valid_file,
        str(ckpt),
        spec,
        seed=seed,
        revision=revision,
        threads=threads,
        callbacks=_make_callbacks(stop_flag, spec.save_total_limit)
        + [cost.callback()]
        + tracking.callbacks(track, dataclasses.asdict(spec)),
        chat_template=chat_template,
        run_name=track.run_name,
    )
    started = time.time()
    key = run_key(
        model_source=model_source,
        revision=revision,
        finetune=finetune,
        train_file=train_file,
        valid_file=valid_file,
        spec=spec,
        seed=seed,
        **({"chat_template": chat_template} if chat_template else {}),
    )
    result, resume = _run_training(setup, ckpt, stop_flag, previous, key)
    state = setup.trainer.state

    def record() -> dict:
        return {
            "finetune_requested": finetune,
            "finetune_used": setup.used,
            "lora_fallback": setup.used != finetune,
            "base_model": model_source,
            "revision": revision,
            "seed": seed,
            "training": spec.__dict__,
            "chat_template": chat_template or "tokenizer",
            "lora_target_modules": setup.lora_target_modules,
            "optimizer": setup.args.optim,
            "gradient_checkpointing": setup.grad_ckpt,
            "precision": setup.precision,
            "global_step": state.global_step,
            "resumed_from": resume,
            "train_metrics": result.metrics,
            "best_checkpoint": state.best_model_checkpoint,
            "best_metric": state.best_metric,
            "log_history": state.log_history,
            "train_rows": setup.train_rows,
            "selection": setup.selection,
            "wall_seconds_this_run": round(time.time() - started, 2),
            "cost": cost.record(setup.trainer),
            "tracking": track.record(),
            "provenance": provenance(),
        }

    info = _save(setup, out, ckpt, record)
    if setup.trainer.is_world_process_zero():
        shutil.rmtree(datasets_cache(ckpt), ignore_errors=True)
    return info


@dataclass
class TrainJob:
    """One training job: the arguments of `train`, built once (from a rule's `snakemake`
    object or from the command line) and used by both ways of running it: in this process
    (one GPU or CPU) or through `codepeft.launch` (one process per GPU, each running
    `codepeft train` with `argv()`)."""

    model_source: str
    finetune: str
    train_file: str
    valid_file: str | None
    out_dir: str
    checkpoint_dir: str
    training: dict = field(default_factory=dict)  # the `training` section (TrainingSpec)
    seed: int = field(default_factory=lambda: schema_defaults()["seed"])
    revision: str | None = None
    threads: int | None = None  # tokenization/packing processes
    multi_gpu: dict = field(default_factory=lambda: schema_defaults("training", "multi_gpu"))
    chat_template: str | None = None  # models.<m>.chat_template (None: the tokenizer's own)
    tracking: tracking.Tracking = field(default_factory=tracking.Tracking)

    @classmethod
    def from_snakemake(cls, sm) -> TrainJob:
        """The job of a `train` rule (rules/train.smk) from its `snakemake` object. The
        `training` param carries the model's named chat template as `model_chat_template`
        when the config names one (codepeft.study.training_spec). Its tracking comes from the
        config, not the params: switching it reruns nothing."""
        training = dict(sm.params.training)
        chat_template = training.pop(MODEL_CHAT_TEMPLATE, None)
        return cls(
            model_source=sm.params.source,
            finetune=sm.params.finetune,
            train_file=sm.input.train,
            valid_file=sm.input.valid,
            out_dir=sm.output[0],
            checkpoint_dir=sm.params.checkpoints,
            training=training,
            chat_template=chat_template,
            seed=sm.params.seed,
            revision=sm.params.revision,
            threads=getattr(sm, "threads", None),
            multi_gpu={
                **schema_defaults("training", "multi_gpu"),
                **(sm.params.get("multi_gpu") or {}),
            },
            tracking=tracking.Tracking.from_config(
                sm.config, paths.fill(paths.TRACKING_RUN, **dict(sm.wildcards.items()))
            ),
        )

    def argv(self) -> list[str]:
        """The `codepeft train` arguments of this job (the launch runs them on every GPU)."""
        argv = ["--model", self.model_source, "--finetune", self.finetune]
        argv += ["--train", self.train_file, "--out", self.out_dir]
        argv += ["--checkpoints", self.checkpoint_dir]
        argv += ["--training-json", json.dumps(self.training, sort_keys=True)]
        argv += ["--seed", str(self.seed)]
        if self.valid_file:
            argv += ["--valid", self.valid_file]
        if self.revision:
            argv += ["--revision", self.revision]
        if self.threads:
            argv += ["--threads", str(self.threads)]
        if self.chat_template:
            argv += ["--chat-template", self.chat_template]
        if self.tracking.report_to:
            argv += ["--tracking-json", json.dumps(self.tracking.to_dict(), sort_keys=True)]
        return argv

    def spec(self) -> TrainingSpec:
        return TrainingSpec.from_dict(self.training)

    def run(self) -> int:
        """Train: in this process when `multi_gpu.gpus` is 1, else check the visible GPUs
        and launch one process per GPU. Returns the exit status (2: 4-bit unavailable)."""
        gpus = int(self.multi_gpu["gpus"])
        if gpus > 1:
            cmd = launch.launch_command(
                launch.check_devices(gpus),
                self.multi_gpu["strategy"],
                self.finetune,
                self.argv(),
                main_process_port=launch.free_port(),
            )
            return launch.run_launch(cmd)
        try:
            train(
                self.model_source,
                self.finetune,
                self.train_file,
                self.valid_file,
                self.out_dir,
                self.checkpoint_dir,
                self.spec(),
                seed=self.seed,
                revision=self.revision,
                threads=self.threads,
                chat_template=self.chat_template,
                track=self.tracking,
            )
        except FourBitUnavailable as err:
            log.error("%s", err)
            return 2
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="codepeft train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", required=True, help="hub id or local model directory")
    parser.add_argument("--revision", default=None)
    parser.add_argument("--finetune", choices=FINETUNE_KINDS, required=True)
    parser.add_argument("--train", required=True, help="mixture JSONL (prompt/completion)")
    parser.add_argument("--valid", default=None)
    parser.add_argument("--out", required=True)
    parser.add_argument("--checkpoints", required=True)
    parser.add_argument("--training-json", default="{}", help="training hyperparameters as JSON")
    parser.add_argument("--seed", type=int, default=schema_defaults()["seed"])
    parser.add_argument(
        "--threads", type=int, default=None, help="processes for tokenization and packing"
    )
    parser.add_argument(
        "--chat-template",
        choices=sorted(NAMED_CHAT_TEMPLATES),
        default=None,
        help="a named chat template for a tokenizer without one (default: the tokenizer's)",
    )
    parser.add_argument(
        "--tracking-json",
        default=None,
        help="where the training reports (codepeft.tracking.Tracking as JSON; default none)",
    )
    args = parser.parse_args(argv)
    setup_logging()
    job = TrainJob(
        model_source=args.model,
        finetune=args.finetune,
        train_file=args.train,
        valid_file=args.valid,
        out_dir=args.out,
        checkpoint_dir=args.checkpoints,
        training=json.loads(args.training_json),
        seed=args.seed,
        revision=args.revision,
        threads=args.threads,
        chat_template=args.chat_template,
        tracking=tracking.Tracking.from_dict(json.loads(args.tracking_json))
        if args.tracking_json
        else tracking.Tracking(),
    )
    return job.run()  # one process (a launched rank runs this too, multi_gpu.gpus 1)


if __name__ == "__main__":
    raise SystemExit(main())
