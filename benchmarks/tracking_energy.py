"""What tracking (training.report_to) and energy records cost: the energy meter's start and
stop, the tracker setup with `report_to: none`, and tiny trainings with each tracker.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/tracking_energy.py [--repeats 3] [--out /tmp/te]

Prints one line per measurement and, per training setting, the median CPU seconds of the
whole `train()` call (all threads: model load, data, training, tracker setup and writes, save;
steadier than wall time on a loaded machine), the median wall seconds of the job
(`cost.wall_seconds`), and the energy record of the last training.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

TRAINING = {
    "max_steps": 20,
    "warmup_steps": 0,
    "per_device_batch_size": 4,
    "gradient_accumulation_steps": 1,
    "max_length": 128,
    "logging_steps": 1,
}


def _per_call(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def _fake_rapl(root: Path) -> Path:
    for name, label in (("intel-rapl:0", "package-0"), ("intel-rapl:0:0", "dram")):
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "name").write_text(label)
        (d / "energy_uj").write_text("1000")
        (d / "max_energy_range_uj").write_text("262143328850")
    return root


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--repeats", type=int, default=3, help="tiny trainings per setting (0: none)")
    p.add_argument("--out", default=None, help="scratch folder (default: a temporary one)")
    args = p.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="tracking_energy_"))
    out.mkdir(parents=True, exist_ok=True)

    from codepeft import energy, mixing, models, tracking, train
    from codepeft.io import write_jsonl
    from tests.conftest import tiny_records

    # 1. the meter alone: what every training and generation job now pays
    cpu = _per_call(lambda: energy.EnergyMeter(gpus=False).record(), 200)
    gpu = _per_call(lambda: energy.EnergyMeter(gpus=True).record(), 20)
    rapl_root = _fake_rapl(out / "powercap")
    rapl = _per_call(lambda: energy.EnergyMeter(gpus=False, powercap=rapl_root).record(), 200)
    print(f"EnergyMeter start+record, CPU job (this machine): {cpu * 1e3:.3f} ms")
    print(f"EnergyMeter start+record, GPU job (this machine, no NVML): {gpu * 1e3:.3f} ms")
    print(f"EnergyMeter start+record, RAPL tree of 2 counters + its thread: {rapl * 1e3:.3f} ms")
    none = _per_call(lambda: tracking.callbacks(tracking.Tracking(), {}), 10000)
    print(f"tracking.callbacks with report_to none: {none * 1e6:.2f} us (adds no callback)")
    import transformers.integrations  # noqa: F401 - a training imports it anyway

    for name in tracking.TRACKERS:  # first setup in this process: the tracker's imports
        track = tracking.Tracking((name,), str(out / "setup"), "bench", "setup")
        start, cpu_start = time.perf_counter(), time.process_time()
        made = tracking.callbacks(track, {})
        print(
            f"tracker setup {name}: {time.perf_counter() - start:.2f} s wall, "
            f"{time.process_time() - cpu_start:.2f} s CPU ({'ok' if made else 'left out'})"
        )
    if not args.repeats:
        return

    # 2. tiny trainings (the session's tiny model recipe, not pre-trained)
    corpus = tiny_records("translation", 24, prefix="r") + tiny_records("summarization", 24)
    write_jsonl(out / "corpus.jsonl", corpus)
    base = out / "tiny"
    if not base.is_dir():
        models.build_tiny_model(base, [out / "corpus.jsonl"], pretrain_epochs=0)
    write_jsonl(out / "mix.jsonl", mixing.build_mixture([str(out / "corpus.jsonl")]))
    spec = train.TrainingSpec.from_dict(TRAINING)
    results = {}
    settings = [(), ("tensorboard",), ("mlflow",), ("tensorboard", "mlflow")]
    for repeat in range(args.repeats):
        for report_to in settings:  # interleaved: the machine's load hits every setting alike
            name = "+".join(report_to) or "none"
            run = out / f"{name}-{repeat}"
            track = tracking.Tracking(report_to, str(out / "tracking"), "bench", f"{name}/{repeat}")
            cpu_start = time.process_time()
            info = train.train(
                str(base),
                "lora",
                str(out / "mix.jsonl"),
                None,
                str(run / "model"),
                str(run / "ckpt"),
                spec,
                track=track,
            )
            cpu = time.process_time() - cpu_start
            cost = info["cost"]
            results.setdefault(name, []).append((cpu, cost["wall_seconds"]))
            print(f"{name} #{repeat}: CPU {cpu:.2f} s, wall {cost['wall_seconds']:.2f} s")
    for name, runs in results.items():
        cpus, walls = zip(*runs, strict=True)
        print(
            f"{name}: median CPU {statistics.median(cpus):.2f} s, "
            f"median wall {statistics.median(walls):.2f} s ({len(runs)} runs, "
            f"{TRAINING['max_steps']} steps)"
        )
    energy_keys = {k: v for k, v in cost.items() if k.startswith("energy_")}
    print("energy record of the last training:", json.dumps(energy_keys))


if __name__ == "__main__":
    main()
