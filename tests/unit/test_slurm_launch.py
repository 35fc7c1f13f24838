"""Multi-GPU launch (codepeft.launch): device checks and the accelerate command line. No GPU
needed: the device counts are injected, and the command is parsed by accelerate's own parser."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from codepeft import launch, tracking
from codepeft.train import TrainingSpec, TrainJob

REPO = Path(__file__).resolve().parents[2]
TRAIN_ARGS = [
    "--model",
    "m",
    "--finetune",
    "full",
    "--train",
    "t.jsonl",
    "--out",
    "o",
    "--checkpoints",
    "c",
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", []),
        ("NoDevFiles", []),
        ("0", ["0"]),
        ("0,1", ["0", "1"]),
        ("2, 3", ["2", "3"]),
    ],
)
def test_cuda_visible_devices(value, expected):
    env = {} if value is None else {"CUDA_VISIBLE_DEVICES": value}
    assert launch.cuda_visible_devices(env) == expected


def test_check_devices_accepts_a_match():
    assert launch.check_devices(2, env={"CUDA_VISIBLE_DEVICES": "0,1"}, torch_count=2) == 2
    # no CUDA_VISIBLE_DEVICES (e.g. a workstation): torch's count decides
    assert launch.check_devices(4, env={}, torch_count=4) == 4


def test_check_devices_rejects_fewer_listed_devices():
    with pytest.raises(
        launch.DeviceMismatch, match=r"gpus=2 but CUDA_VISIBLE_DEVICES=0 lists 1 device"
    ):
        launch.check_devices(2, env={"CUDA_VISIBLE_DEVICES": "0"}, torch_count=1)


def test_check_devices_rejects_more_listed_devices():
    with pytest.raises(launch.DeviceMismatch, match=r"lists 4 device"):
        launch.check_devices(2, env={"CUDA_VISIBLE_DEVICES": "0,1,2,3"}, torch_count=4)


def test_check_devices_rejects_what_torch_cannot_use():
    # Slurm granted 2 GPUs but torch sees none (CPU build of torch, broken driver, fake gres)
    with pytest.raises(
        launch.DeviceMismatch, match=r"torch sees 0 CUDA device\(s\) \(CUDA_VISIBLE_DEVICES=0,1\)"
    ):
        launch.check_devices(2, env={"CUDA_VISIBLE_DEVICES": "0,1"}, torch_count=0)


def test_check_devices_with_the_real_torch_here():
    # this machine has no GPU: a 2-GPU request must fail with the clear message
    pytest.importorskip("torch")
    if launch.torch_device_count() >= 2:
        pytest.skip("this machine has GPUs")
    with pytest.raises(launch.DeviceMismatch, match="training.multi_gpu.gpus=2"):
        launch.check_devices(2, env={"CUDA_VISIBLE_DEVICES": "0,1"})


def test_check_devices_rejects_zero():
    with pytest.raises(ValueError, match=">= 1"):
        launch.check_devices(0, env={}, torch_count=0)


def _parse(cmd):
    from accelerate.commands.launch import launch_command_parser

    assert cmd[:3] == [sys.executable, "-m", "accelerate.commands.launch"]
    return launch_command_parser().parse_args(cmd[3:])


def test_ddp_command_for_adapters():
    cmd = launch.launch_command(2, "ddp", "qlora", TRAIN_ARGS, main_process_port=29601)
    args = _parse(cmd)
    assert args.num_processes == 2
    assert args.num_machines == 1
    assert args.multi_gpu and not args.use_fsdp
    assert args.main_process_port == 29601
    assert args.module and args.training_script == "codepeft.train"
    assert args.training_script_args == TRAIN_ARGS
    assert args.mixed_precision == "bf16"


def test_fsdp_command_for_full_fine_tuning():
    cmd = launch.launch_command(4, "fsdp", "full", TRAIN_ARGS)
    args = _parse(cmd)
    assert args.num_processes == 4
    assert args.use_fsdp and not args.multi_gpu
    assert args.fsdp_sharding_strategy == "FULL_SHARD"
    assert args.fsdp_auto_wrap_policy == "TRANSFORMER_BASED_WRAP"
    assert args.fsdp_state_dict_type == "FULL_STATE_DICT"
    assert str(args.fsdp_version) == "1"
    assert args.training_script_args == TRAIN_ARGS


def test_fsdp_request_for_adapters_runs_ddp():
    assert launch.effective_strategy("fsdp", "qlora") == "ddp"
    assert launch.effective_strategy("fsdp", "full") == "fsdp"
    args = _parse(launch.launch_command(2, "fsdp", "lora", TRAIN_ARGS))
    assert args.multi_gpu and not args.use_fsdp


def test_launch_command_rejects_bad_requests():
    with pytest.raises(ValueError, match="gpus >= 2"):
        launch.launch_command(1, "ddp", "full", TRAIN_ARGS)
    with pytest.raises(ValueError, match="strategy"):
        launch.launch_command(2, "zero3", "full", TRAIN_ARGS)


def test_train_argv_round_trips_into_codepeft_train(monkeypatch):
    training = {
        "epochs": 1,
        "max_steps": 8,
        "lora": {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj"]},
    }
    job = TrainJob(
        model_source="results/base/tiny",
        finetune="qlora",
        train_file="t.jsonl",
        valid_file="v.jsonl",
        out_dir="o",
        checkpoint_dir="c",
        training=training,
        seed=7,
        revision=None,
        threads=3,
    )
    argv = job.argv()
    spec = json.loads(argv[argv.index("--training-json") + 1])
    assert TrainingSpec.from_dict(spec).max_steps == 8
    assert argv[argv.index("--seed") + 1] == "7"
    assert argv[argv.index("--valid") + 1] == "v.jsonl"
    assert "--revision" not in argv
    # `codepeft train <argv>` (what each launched process runs) rebuilds the same job and
    # trains in its own process
    import codepeft.train

    calls = []
    monkeypatch.setattr(codepeft.train, "train", lambda *a, **kw: calls.append((a, kw)) or {})
    assert codepeft.train.main(argv) == 0
    ((args, kwargs),) = calls
    assert args[:6] == ("results/base/tiny", "qlora", "t.jsonl", "v.jsonl", "o", "c")
    assert args[6] == TrainingSpec.from_dict(training)
    assert kwargs == {
        "seed": 7,
        "revision": None,
        "threads": 3,
        "chat_template": None,
        "track": tracking.Tracking(),
    }


def test_cli_check_only_fails_clearly_without_gpus():
    if launch.torch_device_count() >= 2:
        pytest.skip("this machine has GPUs")
    proc = subprocess.run(
        [sys.executable, "-m", "codepeft.launch", "--check-only", "--gpus", "2"],
        env={"CUDA_VISIBLE_DEVICES": "0,1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "training.multi_gpu.gpus=2 but torch sees 0 CUDA device(s)" in proc.stderr


def test_cli_print_only_prints_the_command():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "codepeft.launch",
            "--print-only",
            "--gpus",
            "2",
            "--strategy",
            "fsdp",
            "--finetune",
            "full",
            "--",
            *TRAIN_ARGS,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--use_fsdp" in proc.stdout and "--num_processes 2" in proc.stdout
    assert proc.stdout.strip().endswith("--checkpoints c")


def _run_train_rule_script(monkeypatch, tmp_path, multi_gpu, finetune="full"):
    """Run workflow/scripts/train.py as Snakemake would, with a fake `snakemake` object."""
    from snakemake.iocontainers import Namedlist

    import codepeft.logs

    monkeypatch.setattr(codepeft.logs, "setup_rule_logging", lambda path: None)
    calls = []
    monkeypatch.setattr(launch, "run_launch", lambda cmd: calls.append(cmd) or 0)
    fake = SimpleNamespace(
        input=Namedlist(fromdict={"train": "m/train.jsonl", "valid": "m/valid.jsonl", "base": []}),
        output=Namedlist(["results/models/tiny/mt_fft/seed-42/multi"]),
        log=Namedlist([str(tmp_path / "train.log")]),
        params=Namedlist(
            fromdict={
                "source": "results/base/tiny",
                "revision": None,
                "finetune": finetune,
                "training": {"max_steps": 8},
                "checkpoints": "results/checkpoints/tiny/mt_fft/seed-42/multi",
                "seed": 42,
                "multi_gpu": multi_gpu,
            }
        ),
        config={"study": {"name": "t"}, "training": {"report_to": "none"}},
        wildcards=Namedlist(
            fromdict={"model": "tiny", "method": "mt_fft", "seed": "42", "scope": "multi"}
        ),
    )
    script = REPO / "workflow" / "scripts" / "train.py"
    with pytest.raises(SystemExit) as exit_info:
        exec(
            compile(script.read_text(), str(script), "exec"),
            {"snakemake": fake, "__name__": "__main__"},
        )
    return exit_info.value.code, calls


def test_train_rule_launches_one_process_per_gpu(monkeypatch, tmp_path):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    monkeypatch.setattr(launch, "torch_device_count", lambda: 2)
    code, calls = _run_train_rule_script(monkeypatch, tmp_path, {"gpus": 2, "strategy": "fsdp"})
    assert code == 0 and len(calls) == 1
    args = _parse(calls[0])
    assert args.num_processes == 2 and args.use_fsdp
    train_args = args.training_script_args
    assert train_args[train_args.index("--out") + 1] == "results/models/tiny/mt_fft/seed-42/multi"
    assert (
        train_args[train_args.index("--checkpoints") + 1]
        == "results/checkpoints/tiny/mt_fft/seed-42/multi"
    )
    assert json.loads(train_args[train_args.index("--training-json") + 1]) == {"max_steps": 8}


def test_train_rule_refuses_a_device_mismatch(monkeypatch, tmp_path):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    monkeypatch.setattr(launch, "torch_device_count", lambda: 1)
    with pytest.raises(launch.DeviceMismatch, match="gpus=4 but CUDA_VISIBLE_DEVICES=0 lists 1"):
        _run_train_rule_script(monkeypatch, tmp_path, {"gpus": 4, "strategy": "ddp"})


def test_train_rule_trains_in_process_on_one_gpu(monkeypatch, tmp_path):
    """gpus 1: the rule script trains in its own process, with the job's arguments (the same
    TrainJob the launch path turns into `codepeft train` arguments)."""
    import codepeft.train

    calls = []
    monkeypatch.setattr(codepeft.train, "train", lambda *a, **kw: calls.append((a, kw)) or {})
    code, launched = _run_train_rule_script(monkeypatch, tmp_path, {"gpus": 1, "strategy": "ddp"})
    assert code == 0 and launched == [] and len(calls) == 1
    args, kwargs = calls[0]
    assert args[4:6] == (
        "results/models/tiny/mt_fft/seed-42/multi",
        "results/checkpoints/tiny/mt_fft/seed-42/multi",
    )
    assert args[6] == TrainingSpec.from_dict({"max_steps": 8}) and kwargs["seed"] == 42


def test_train_rule_reports_missing_4bit_with_status_2(monkeypatch, tmp_path):
    import codepeft.train

    def no_4bit(*args, **kwargs):
        raise codepeft.train.FourBitUnavailable("no bitsandbytes here")

    monkeypatch.setattr(codepeft.train, "train", no_4bit)
    code, _ = _run_train_rule_script(monkeypatch, tmp_path, {"gpus": 1}, finetune="qlora")
    assert code == 2
