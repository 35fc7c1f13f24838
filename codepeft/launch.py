"""Multi-GPU training launch: device checks and the `accelerate launch` command line.

Config (workflow/schemas/config.schema.yaml, section `training.multi_gpu`):

    training:
      multi_gpu: {gpus: 4, strategy: fsdp}   # 4 processes, one per GPU

- `gpus: 1` (default): the rule script trains in-process, as before (no launcher).
- `gpus: N > 1`: the rule script checks that exactly N GPUs are visible, then runs
  `accelerate launch --num_processes N ... -m codepeft.train ...` (one process per GPU).
- `strategy: ddp`: data parallel, each GPU holds the whole model (adapters: QLoRA/LoRA/DoRA).
- `strategy: fsdp`: FULL_SHARD FSDP for full fine-tuning (the paper's MT-FFT at 3B does not fit
  one 40 GB GPU with AdamW states in fp32; sharded over 4 it does). Adapter methods requested
  with fsdp run as DDP (logged): the base is frozen (and 4-bit for QLoRA), so sharding buys
  little and 4-bit FSDP needs a matching quant storage dtype.

Examples (`codepeft launch ...` once the CLI lists it):

    python -m codepeft.launch --gpus 2 --strategy fsdp --finetune full -- \
        --model Qwen/Qwen2.5-Coder-3B-Instruct --finetune full --train t.jsonl --valid v.jsonl \
        --out results/models/m/mt_fft/multi --checkpoints results/checkpoints/m/mt_fft/multi
    python -m codepeft.launch --check-only --gpus 2      # exit 1 with the reason if 2 GPUs are not visible
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence

from codepeft.logs import setup_logging

log = logging.getLogger("codepeft.launch")

STRATEGIES = ("ddp", "fsdp")


class DeviceMismatch(RuntimeError):
    """The number of visible GPUs differs from `training.multi_gpu.gpus`."""


def cuda_visible_devices(env: Mapping[str, str] | None = None) -> list[str] | None:
    """The devices listed in CUDA_VISIBLE_DEVICES, or None when the variable is unset."""
    env = os.environ if env is None else env
    value = env.get("CUDA_VISIBLE_DEVICES")
    if value is None:
        return None
    value = value.strip()
    if value in ("", "NoDevFiles"):  # Slurm writes NoDevFiles when a gres has no device file
        return []
    return [d.strip() for d in value.split(",") if d.strip()]


def torch_device_count() -> int:
    # lazy: torch takes ~1 s; only the device check needs it
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def check_devices(
    requested: int,
    env: Mapping[str, str] | None = None,
    torch_count: int | None = None,
) -> int:
    """Return `requested` if exactly that many GPUs are visible, else raise DeviceMismatch.

    Both views must agree with the request: the scheduler's (CUDA_VISIBLE_DEVICES, set by Slurm
    from `--gpus`) and torch's (`torch.cuda.device_count()`, what the processes can use).
    `torch_count` is for tests; by default torch is asked.
    """
    if requested < 1:
        raise ValueError(f"training.multi_gpu.gpus must be >= 1, not {requested}")
    listed = cuda_visible_devices(env)
    if torch_count is None:
        torch_count = torch_device_count()
    shown = "unset" if listed is None else ",".join(listed) or "empty"
    hint = (
        "Ask the scheduler for as many GPUs as training.multi_gpu.gpus (the train rule's `gpu` "
        "resource follows it; check set-resources in your profile), or change the config."
    )
    if listed is not None and len(listed) != requested:
        raise DeviceMismatch(
            f"training.multi_gpu.gpus={requested} but CUDA_VISIBLE_DEVICES={shown} lists "
            f"{len(listed)} device(s). {hint}"
        )
    if torch_count != requested:
        raise DeviceMismatch(
            f"training.multi_gpu.gpus={requested} but torch sees {torch_count} CUDA device(s) "
            f"(CUDA_VISIBLE_DEVICES={shown}). {hint}"
        )
    return requested


def effective_strategy(strategy: str, finetune: str) -> str:
    """FSDP shards full fine-tuning; adapter methods run data-parallel (see module doc)."""
    if strategy not in STRATEGIES:
        raise ValueError(
            f"training.multi_gpu.strategy must be one of {STRATEGIES}, not {strategy!r}"
        )
    if strategy == "fsdp" and finetune != "full":
        return "ddp"
    return strategy


def fsdp_options() -> dict[str, str]:
    """accelerate FSDP (v1) options for full fine-tuning of a decoder LM.

    FULL_SHARD shards weights, gradients and optimizer states; transformer-based wrapping uses
    the model's own `_no_split_modules` (Qwen2DecoderLayer), so no class is hard-coded;
    FULL_STATE_DICT lets Trainer.save_model write an ordinary checkpoint for generation.
    """
    return {
        "fsdp_version": "1",
        "fsdp_sharding_strategy": "FULL_SHARD",
        "fsdp_auto_wrap_policy": "TRANSFORMER_BASED_WRAP",
        "fsdp_backward_prefetch": "BACKWARD_PRE",
        "fsdp_state_dict_type": "FULL_STATE_DICT",
        "fsdp_use_orig_params": "true",
        "fsdp_cpu_ram_efficient_loading": "true",
        "fsdp_sync_module_states": "true",
        "fsdp_offload_params": "false",
        # activation checkpointing stays the Trainer's (training.gradient_checkpointing, on for
        # full fine-tuning): transformers refuses both at once
        "fsdp_activation_checkpointing": "false",
    }


def launch_command(
    gpus: int,
    strategy: str,
    finetune: str,
    train_args: Sequence[str],
    *,
    main_process_port: int | None = None,
    mixed_precision: str = "bf16",
    python: str | None = None,
) -> list[str]:
    """The `accelerate launch` argv that runs `python -m codepeft.train <train_args>` on
    `gpus` processes (one per GPU) with the given strategy."""
    if gpus < 2:
        raise ValueError("launch_command is for gpus >= 2; one GPU trains in-process")
    strategy = effective_strategy(strategy, finetune)
    cmd = [
        python or sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--num_processes",
        str(gpus),
        "--num_machines",
        "1",
        "--machine_rank",
        "0",
        "--mixed_precision",
        mixed_precision,
        "--dynamo_backend",
        "no",
    ]
    if main_process_port is not None:
        cmd += ["--main_process_port", str(main_process_port)]
    if strategy == "fsdp":
        cmd.append("--use_fsdp")
        for key, value in fsdp_options().items():
            cmd += [f"--{key}", value]
    else:
        cmd.append("--multi_gpu")
    cmd += ["-m", "codepeft.train", *train_args]
    return cmd


def free_port() -> int:
    """A free TCP port for the rendezvous (two jobs on one node must not share 29500)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_launch(cmd: Sequence[str]) -> int:
    """Run the launcher; its output goes to our stderr (the rule's log). Returns its status."""
    log.info("launching: %s", shlex.join(cmd))
    env = dict(os.environ)
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return subprocess.call(list(cmd), stdout=sys.stderr, stderr=sys.stderr, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="codepeft launch",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--gpus", type=int, required=True)
    parser.add_argument("--strategy", choices=STRATEGIES, default="ddp")
    parser.add_argument("--finetune", default="full", help="full | qlora | lora | dora")
    parser.add_argument("--check-only", action="store_true", help="only check visible devices")
    parser.add_argument("--print-only", action="store_true", help="print the command, run nothing")
    parser.add_argument(
        "train_args", nargs=argparse.REMAINDER, help="after --: codepeft train arguments"
    )
    args = parser.parse_args(argv)
    setup_logging()
    train_args = args.train_args[1:] if args.train_args[:1] == ["--"] else args.train_args
    if not args.print_only:
        try:
            check_devices(args.gpus)
        except DeviceMismatch as err:
            log.error("%s", err)
            return 1
    if args.check_only:
        return 0
    cmd = launch_command(
        args.gpus, args.strategy, args.finetune, train_args, main_process_port=free_port()
    )
    if args.print_only:
        print(shlex.join(cmd))
        return 0
    return run_launch(cmd)


if __name__ == "__main__":
    raise SystemExit(main())
