"""Energy records (codepeft.energy): RAPL on a fake powercap tree (wraparound, unreadable,
absent), NVML through a fake pynvml module, the records' labels, and the report's kWh and CO2e
columns (codepeft.report.cost)."""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path

import pytest

from codepeft import cost as C
from codepeft import energy as E
from codepeft.report import cost as RC

UJ = 1_000_000  # microjoules per joule


def _domain(root: Path, name: str, label: str, joules: float, wrap_joules: float) -> Path:
    d = root / name
    d.mkdir(parents=True)
    (d / "name").write_text(label + "\n")
    (d / "energy_uj").write_text(f"{int(joules * UJ)}\n")
    (d / "max_energy_range_uj").write_text(f"{int(wrap_joules * UJ)}\n")
    return d


def _set(domain: Path, joules: float) -> None:
    """Set a counter atomically, as sysfs reads are: the meter's thread may read it meanwhile
    (a plain write_text truncates first, and the thread would read an empty file)."""
    new = domain / "energy_uj.new"
    new.write_text(f"{int(joules * UJ)}\n")
    os.replace(new, domain / "energy_uj")


@pytest.fixture
def powercap(tmp_path) -> dict[str, Path]:
    """A powercap tree: package 0 (wraps at 1000 J), its core and dram subdomains, psys."""
    root = tmp_path / "powercap"
    return {
        "root": root,
        "package": _domain(root, "intel-rapl:0", "package-0", 900, 1000),
        "core": _domain(root, "intel-rapl:0:0", "core", 5, 1000),
        "dram": _domain(root, "intel-rapl:0:1", "dram", 10, 1000),
        "psys": _domain(root, "intel-rapl:1", "psys", 50, 1000),
    }


def test_rapl_counts_packages_and_dram_across_a_wraparound(powercap):
    meter = E.EnergyMeter(gpus=False, powercap=powercap["root"], interval_s=3600)
    assert [c.device for c in meter.counters] == [
        "package-0 (intel-rapl:0)",
        "dram (intel-rapl:0:1)",
    ]
    _set(powercap["package"], 100)  # 900 -> 1000 wraps to 0 -> 100: +200 J
    meter._poll()  # what the background thread does every interval_s
    _set(powercap["package"], 600)  # +500 J
    _set(powercap["dram"], 30)  # +20 J
    _set(powercap["core"], 999)  # inside the package: not counted
    _set(powercap["psys"], 999)  # includes the package: not counted
    record = meter.record()
    assert record["energy_status"] == "measured" and record["energy_source"] == "rapl"
    assert record["energy_kwh"] == pytest.approx(720 / 3.6e6)
    joules = {d["device"]: d["joules"] for d in record["energy_devices"]}
    assert joules == {"package-0 (intel-rapl:0)": 700.0, "dram (intel-rapl:0:1)": 20.0}
    assert meter.record() is record  # stopped once


def test_rapl_background_thread_reads_between_wraps(powercap):
    """Two wraps between start and end: only readings in between see both."""
    import time

    def thread_has_read(joules: float) -> None:  # however loaded the machine
        deadline = time.monotonic() + 30
        while meter.last[0] != joules and time.monotonic() < deadline:
            time.sleep(0.01)
        assert meter.last[0] == joules

    meter = E.EnergyMeter(gpus=False, powercap=powercap["root"], interval_s=0.05)
    _set(powercap["package"], 100)  # +200 (one wrap)
    thread_has_read(100)
    _set(powercap["package"], 50)  # +950 (a second wrap)
    thread_has_read(50)
    record = meter.record()
    assert record["energy_devices"][0]["joules"] == pytest.approx(1150)


def test_rapl_not_readable_or_absent_is_not_measured_with_its_reason(powercap, tmp_path):
    absent = E.EnergyMeter(gpus=False, powercap=tmp_path / "none").record()
    assert absent["energy_status"] == f"not measured: no RAPL counters ({tmp_path / 'none'} absent)"
    assert absent["energy_kwh"] is None and absent["energy_devices"] == []
    # unreadable (as for a non-root user on recent kernels): here a folder in the file's place
    energy_file = powercap["package"] / "energy_uj"
    energy_file.unlink()
    energy_file.mkdir()
    record = E.EnergyMeter(gpus=False, powercap=powercap["root"]).record()
    assert record["energy_status"].startswith("not measured: RAPL not readable (")
    assert "intel-rapl:0/energy_uj" in record["energy_status"]
    assert record["energy_kwh"] is None


class FakeNVML(types.ModuleType):
    """pynvml's API as the meter uses it: GPUs whose counters advance by `step_mj` per read."""

    class NVMLError(Exception):
        pass

    def __init__(self, names, step_mj=1000, supported=True, init_error=None):
        super().__init__("pynvml")
        self.names, self.step_mj, self.supported = names, step_mj, supported
        self.init_error, self.counts, self.shutdown = init_error, {}, 0

    def nvmlInit(self):
        if self.init_error:
            raise self.NVMLError(self.init_error)

    def nvmlShutdown(self):
        self.shutdown += 1

    def nvmlDeviceGetCount(self):
        return len(self.names)

    def nvmlDeviceGetHandleByIndex(self, i):
        return i

    def nvmlDeviceGetHandleByUUID(self, uuid):
        return int(uuid.rsplit("-", 1)[1])

    def nvmlDeviceGetName(self, handle):
        return self.names[handle].encode()

    def nvmlDeviceGetTotalEnergyConsumption(self, handle):
        if not self.supported:
            raise self.NVMLError("Not Supported")
        self.counts[handle] = self.counts.get(handle, 10_000_000) + self.step_mj
        return self.counts[handle]


def test_nvml_counts_the_visible_gpus(monkeypatch, tmp_path):
    fake = FakeNVML(["NVIDIA A100", "NVIDIA H100", "NVIDIA H100"], step_mj=250_000)
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1,GPU-2")
    meter = E.EnergyMeter(gpus=True, powercap=tmp_path / "no-rapl")
    record = meter.record()
    # each GPU read twice more after its probe: start and end, 250 J apart
    assert record["energy_status"] == "measured" and record["energy_source"] == "nvml"
    assert [d["device"] for d in record["energy_devices"]] == [
        "GPU 1 (NVIDIA H100)",
        "GPU-2 (NVIDIA H100)",
    ]
    assert [d["joules"] for d in record["energy_devices"]] == [250.0, 250.0]
    assert record["energy_kwh"] == pytest.approx(500 / 3.6e6)
    assert fake.shutdown == 1
    # all GPUs when CUDA_VISIBLE_DEVICES is unset; none when it is empty
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert len(E.EnergyMeter(gpus=True, powercap=tmp_path).record()["energy_devices"]) == 3
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    none = E.EnergyMeter(gpus=True, powercap=tmp_path).record()
    assert none["energy_status"] == "not measured: no GPU visible to the job"


def test_nvml_with_rapl_adds_the_cpu_packages(monkeypatch, powercap):
    monkeypatch.setitem(sys.modules, "pynvml", FakeNVML(["NVIDIA H100"], step_mj=1_000_000))
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    meter = E.EnergyMeter(gpus=True, powercap=powercap["root"], interval_s=3600)
    _set(powercap["package"], 950)  # +50 J
    record = meter.record()
    assert record["energy_source"] == "nvml+rapl"
    assert record["energy_kwh"] == pytest.approx((1000 + 50) / 3.6e6)


@pytest.mark.parametrize(
    ("fake", "reason"),
    [
        (None, "pynvml (nvidia-ml-py) not installed"),
        (FakeNVML([], init_error="Driver Not Loaded"), "NVML unavailable (Driver Not Loaded)"),
        (FakeNVML(["Tesla P100"], supported=False), "GPU 0 (Tesla P100) has no energy counter"),
    ],
)
def test_gpu_job_without_nvml_is_not_measured_even_with_rapl(monkeypatch, powercap, fake, reason):
    """A GPU job's CPU packages alone would pass for its energy: not measured."""
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    record = E.EnergyMeter(gpus=True, powercap=powercap["root"]).record()
    assert record["energy_status"].startswith(f"not measured: {reason}"), record
    assert record["energy_kwh"] is None and record["energy_source"] is None


def test_a_failing_counter_never_fails_the_job(powercap):
    meter = E.EnergyMeter(gpus=False, powercap=powercap["root"], interval_s=3600)
    (powercap["package"] / "energy_uj").write_text("garbage\n")
    record = meter.record()
    assert record["energy_status"].startswith("not measured: reading failed (ValueError")


def test_generation_record_takes_the_jobs_meter(tmp_path, monkeypatch):
    monkeypatch.setattr(C, "on_gpu", lambda: False)
    C.start_job_energy()
    C.start_job_energy()  # one meter per job: a second start keeps the first
    meter = C._job_energy
    path = C.write_generation_cost(tmp_path / "p.cost.json", [{"n_new_tokens": 1}], 1.0, 0.5)
    rec = json.loads(Path(path).read_text())
    assert rec["energy_status"] == meter.record()["energy_status"]
    assert C._job_energy is None  # taken: the next job starts its own
    plain = C.generation_cost([{"n_new_tokens": 1}], 1.0)
    assert "energy_status" not in plain


# --- the report's cost table --------------------------------------------------------------


def _job(kind, model, method, kwh=None, status=None, source="nvml"):
    record = {"device_type": "cuda", "device_count": 1, "device_name": "H100"}
    if kwh is not None:
        record.update(energy_kwh=kwh, energy_status="measured", energy_source=source)
    elif status:
        record.update(energy_kwh=None, energy_status=status, energy_source=None)
    return dict(kind=kind, model=model, method=method, record=record, hours=1.0, unit="GPU-hours")


def test_cost_table_sums_kwh_and_gives_co2e_at_the_grid_intensity():
    jobs = [
        _job("train", "m", "qlora", kwh=2.0),
        _job("generate", "m", "qlora", kwh=0.5, source="nvml+rapl"),
        _job("generate", "m", "zs", kwh=0.25),
        _job("train", "m", "fft", kwh=1.0),
        _job("generate", "m", "fft", status="not measured: NVML unavailable (x)"),
        _job("generate", "m", "old"),  # a record from before energy was measured
    ]
    rows = {
        (r["model"], r["method"]): r
        for r in RC.cost_rows(jobs, ["m"], ["zs", "qlora", "fft", "old"], grid_intensity=400)
    }
    assert rows["m", "qlora"]["energy_kwh"] == pytest.approx(2.5)
    assert rows["m", "qlora"]["co2e_kg"] == pytest.approx(1.0)  # 2.5 kWh x 400 g / 1000
    assert rows["m", "qlora"]["energy_status"] == "measured (nvml+rapl)"
    assert rows["m", "zs"]["co2e_kg"] == pytest.approx(0.1)
    # one job not measured: no kWh for the row (a partial sum would pass for the whole)
    assert rows["m", "fft"]["energy_kwh"] is None and rows["m", "fft"]["co2e_kg"] is None
    assert rows["m", "fft"]["energy_status"] == ("1 of 2 jobs not measured: NVML unavailable (x)")
    assert rows["m", "old"]["energy_status"] == "not measured: no energy record"
    assert rows["all", "all"]["energy_kwh"] is None
    # without a grid intensity: kWh, no CO2e
    plain = RC.cost_rows(jobs[:2], ["m"], ["qlora"])
    assert plain[0]["energy_kwh"] == pytest.approx(2.5) and plain[0]["co2e_kg"] is None
    assert {"energy_kwh", "co2e_kg", "energy_status"} <= set(RC.COST_COLUMNS)


def test_quality_vs_cost_plots_kwh_when_asked(tmp_path):
    rows = RC.cost_rows(
        [_job("train", "m", "a", kwh=2.0), _job("train", "m", "b", status="not measured: x")],
        ["m"],
        ["a", "b"],
    )
    quality = {"generation": {"measure": "pass@1", "points": {("m", "a"): 0.5, ("m", "b"): 0.4}}}
    quality["generation"]["paper"] = {}
    assert RC.plot_quality_vs_cost(quality, rows, tmp_path / "h.png", "hours")
    assert RC.plot_quality_vs_cost(quality, rows, tmp_path / "k.png", "kwh")
    # no measured energy at all: no kWh plot
    rows[0]["energy_kwh"] = None
    assert RC.plot_quality_vs_cost(quality, rows, tmp_path / "n.png", "kwh") is None
