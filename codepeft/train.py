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
  does not delete them when a job fails); a rerun resumes from the last one. On SIGTERM
  (scancel, time limit, preemption) the trainer saves a checkpoint and exits with status 143,
  so the retried or requeued job resumes. Checkpoints are removed once the model is final.
- If 4-bit is unavailable, the job fails with a clear message unless
  `allow_lora_fallback: true`, in which case plain LoRA is trained and recorded as such in
  `codepeft_training.json` beside the adapter.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from codepeft.cost import CostRecorder
from codepeft.logs import setup_logging
from codepeft.provenance import provenance

log = logging.getLogger("codepeft.train")

FINETUNE_KINDS = ("qlora", "lora", "dora", "full")
EXIT_PREEMPTED = 143


class FourBitUnavailable(RuntimeError):
    pass


@dataclass
class TrainingSpec:
    """Resolved hyperparameters of one training job (the config's `training` section, merged
    with the method's overrides). Defaults are the paper's values."""

    epochs: float = 5
    max_steps: int = -1
    learning_rate: float = 1e-4
    lr_scheduler: str = "cosine"
    warmup_steps: int = 1000
    per_device_batch_size: int = 2
    gradient_accumulation_steps: int = 16
    max_length: int = 512
    packing: str = "wrapped"  # wrapped | bfd | none | constant_length (TRL 0.9.6, the package)
    loss_on: str = "full_sequence"  # full_sequence | completion
    optimizer: str = "auto"  # auto: adamw_bnb_8bit for (q)lora on GPU, adamw_torch otherwise
    gradient_checkpointing: str | bool = "auto"  # auto: on for full fine-tuning only
    precision: str = "auto"  # auto: bf16 on GPU, fp32 on CPU
    # dtype of the loaded (non-quantized) weights; auto: the compute dtype (bf16 GPU, fp32 CPU).
    # The package loaded its 4-bit base without torch_dtype: fp16 embeddings, norms, lm_head.
    weights_dtype: str = "auto"  # auto | bf16 | fp16 | fp32
    adapter_dtype: str = "fp32"  # fp32 (peft's, the package's) | bf16 (TRL >= 1's QLoRA cast)
    eval_batch_size: int | None = None  # None: per_device_batch_size
    eval_steps: int = 5000
    save_steps: int = 5000
    train_max_rows: int | None = None
    eval_max_rows: int | None = 625
    early_stopping_patience: int | None = 3
    early_stopping_threshold: float = 0.001
    save_total_limit: int = 3
    logging_steps: int = 10
    allow_lora_fallback: bool = False
    lora: dict = field(
        default_factory=lambda: {
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
    )
    quantization: dict = field(
        default_factory=lambda: {"quant_type": "nf4", "double_quant": True, "compute_dtype": "auto"}
    )
    mixing: dict = field(default_factory=lambda: {"strategy": "concat_shuffle", "temperature": 2.0})
    selection: dict = field(
        default_factory=lambda: {"metric": "eval_loss", "shift_predictions": True}
    )

    @classmethod
    def from_dict(cls, values: dict) -> TrainingSpec:
        known = set(cls.__dataclass_fields__)
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown training keys: {sorted(unknown)}")
        return cls(**values)


def probe_4bit() -> str | None:
    """None if bitsandbytes 4-bit layers run forward+backward here, else the reason."""
    try:
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


def _make_callbacks(stop_flag: dict):
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

    return [Progress(), StopOnSignal()]


def _any_rank(flag: bool) -> bool:
    """`flag` OR-ed over the ranks of a multi-GPU run (codepeft.launch), so that every rank
    stops and saves at the same step; the flag itself in a single process."""
    try:
        import torch.distributed as dist
    except ImportError:  # pragma: no cover - torch is a dependency
        return flag
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() < 2:
        return flag
    import torch

    device = "cuda" if dist.get_backend() == "nccl" else "cpu"
    value = torch.tensor([1 if flag else 0], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def _precision(spec: TrainingSpec) -> dict:
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
    import torch

    from codepeft.models import default_dtype

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
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    from codepeft.models import default_dtype

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
            compute = spec.quantization.get("compute_dtype", "auto")
            compute_dtype = default_dtype() if compute == "auto" else getattr(torch, compute)
            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type=spec.quantization.get("quant_type", "nf4"),
                bnb_4bit_use_double_quant=spec.quantization.get("double_quant", True),
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
        from peft import LoraConfig

        model.enable_input_require_grads()
        peft_config = LoraConfig(
            r=spec.lora["r"],
            lora_alpha=spec.lora["alpha"],
            lora_dropout=spec.lora["dropout"],
            target_modules=list(spec.lora["target_modules"]),
            use_dora=used == "dora",
            task_type="CAUSAL_LM",
        )
    return model, peft_config, used


def _optimizer(spec: TrainingSpec, used: str) -> str:
    import torch

    if spec.optimizer != "auto":
        return spec.optimizer
    # the paper: 8-bit AdamW for QLoRA (bitsandbytes' 8-bit optimizers need a GPU)
    if used in ("qlora", "lora", "dora") and torch.cuda.is_available():
        return "adamw_bnb_8bit"
    return "adamw_torch"


def last_checkpoint(checkpoint_dir: Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    if not checkpoint_dir.is_dir():
        return None
    return get_last_checkpoint(str(checkpoint_dir))


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


def _datasets(train_file, valid_file, spec: TrainingSpec, tokenizer, seed: int, num_proc):
    """Train and eval datasets as the trainer takes them (eval: first `eval_max_rows` raw rows,
    then packed like the training data), and the tasks of the eval rows."""
    from datasets import load_dataset

    from codepeft import packing

    columns = ["prompt", "completion"]
    train_ds = load_dataset("json", data_files=train_file, split="train")
    if spec.train_max_rows and spec.train_max_rows < len(train_ds):
        log.info("training.train_max_rows: %d of %d rows", spec.train_max_rows, len(train_ds))
        train_ds = train_ds.select(range(spec.train_max_rows))
    eval_ds = None
    if valid_file and os.path.getsize(valid_file) > 0:
        eval_ds = load_dataset("json", data_files=valid_file, split="train")
        if spec.eval_max_rows:
            eval_ds = eval_ds.select(range(min(spec.eval_max_rows, len(eval_ds))))
    tasks = sorted(set(train_ds["task"])) if "task" in train_ds.column_names else []
    train_rows = len(train_ds)
    train_ds = train_ds.select_columns(columns)
    eval_ds = eval_ds.select_columns(columns) if eval_ds is not None else None
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
    from codepeft import selection

    chosen = {"metric": "eval_loss", "shift_predictions": True, **(spec.selection or {})}
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
) -> Setup:
    """Load the model and data and build the trainer (no step taken)."""
    from transformers import EarlyStoppingCallback, set_seed
    from trl import SFTConfig, SFTTrainer

    from codepeft.models import load_tokenizer

    if finetune not in FINETUNE_KINDS:
        raise ValueError(f"unknown finetune kind {finetune!r}; known: {FINETUNE_KINDS}")
    set_seed(seed)
    num_proc = threads if threads and threads > 1 else None
    tokenizer = load_tokenizer(model_source, revision)
    model, peft_config, used = _load_model(model_source, finetune, spec, revision)
    train_ds, eval_ds, train_rows, tasks = _datasets(
        train_file, valid_file, spec, tokenizer, seed, num_proc
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
        save_total_limit=spec.save_total_limit,
        load_best_model_at_end=use_eval,
        logging_steps=spec.logging_steps,
        logging_first_step=True,
        disable_tqdm=True,
        report_to=[],
        dataset_num_proc=num_proc,  # tokenization/packing on the job's threads
        **selection["args"],
        **precision,
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
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # our Progress callback prints one line per log
    return Setup(
        trainer=trainer,
        tokenizer=tokenizer,
        used=used,
        args=args,
        grad_ckpt=bool(grad_ckpt),
        precision=precision,
        train_rows=train_rows,
        selection=selection.get("record", {}),
    )


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
) -> dict:
    """Train and save the final adapter (or full model) with its tokenizer to `out_dir`."""
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
        callbacks=_make_callbacks(stop_flag) + [cost.callback()],
    )
    trainer, tokenizer, used, args = setup.trainer, setup.tokenizer, setup.used, setup.args
    grad_ckpt, precision = setup.grad_ckpt, setup.precision
    resume = last_checkpoint(ckpt)
    if resume:
        log.info("resuming from %s", resume)
    started = time.time()
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

    tmp = out.with_name(out.name + ".partial")
    main_process = trainer.is_world_process_zero()  # True unless multi-GPU rank > 0
    if main_process:
        shutil.rmtree(tmp, ignore_errors=True)
    trainer.accelerator.wait_for_everyone()
    trainer.save_model(str(tmp))  # every rank takes part (FSDP gathers the full weights)
    if not main_process:
        return {}
    tokenizer.save_pretrained(str(tmp))
    info = {
        "finetune_requested": finetune,
        "finetune_used": used,
        "lora_fallback": used != finetune,
        "base_model": model_source,
        "revision": revision,
        "seed": seed,
        "training": spec.__dict__,
        "optimizer": args.optim,
        "gradient_checkpointing": bool(grad_ckpt),
        "precision": precision,
        "global_step": trainer.state.global_step,
        "resumed_from": resume,
        "train_metrics": result.metrics,
        "best_checkpoint": trainer.state.best_model_checkpoint,
        "best_metric": trainer.state.best_metric,
        "log_history": trainer.state.log_history,
        "train_rows": setup.train_rows,
        "selection": setup.selection,
        "wall_seconds_this_run": round(time.time() - started, 2),
        "cost": cost.record(trainer),
        "provenance": provenance(),
    }
    (tmp / "codepeft_training.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    shutil.rmtree(ckpt, ignore_errors=True)
    log.info("saved %s model to %s after %d steps", used, out, trainer.state.global_step)
    return info


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
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--threads", type=int, default=None, help="processes for tokenization and packing"
    )
    args = parser.parse_args(argv)
    setup_logging()
    spec = TrainingSpec.from_dict(json.loads(args.training_json))
    try:
        train(
            args.model,
            args.finetune,
            args.train,
            args.valid,
            args.out,
            args.checkpoints,
            spec,
            seed=args.seed,
            revision=args.revision,
            threads=args.threads,
        )
    except FourBitUnavailable as err:
        log.error("%s", err)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
