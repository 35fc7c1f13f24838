"""Energy of a training or generation job, from the machine's own counters where it has them.

- GPUs: NVML's total energy counter of each GPU the job sees (`CUDA_VISIBLE_DEVICES`, else
  every GPU), `nvmlDeviceGetTotalEnergyConsumption` (mJ since the driver loaded; Volta and
  later), read when the job starts and when it ends. Through `pynvml` (nvidia-ml-py).
- CPUs: RAPL's counters of the CPU packages (and their DRAM domains) under
  /sys/class/powercap/intel-rapl:* (`energy_uj`, also on AMD CPUs), where readable (root only
  on recent kernels). The counters wrap at `max_energy_range_uj` (minutes at full power), so
  they are read every `interval_s` seconds by a background thread. RAPL counts the whole
  package: on a node shared with other jobs it includes theirs.

A GPU job's energy is its GPUs' (plus its CPU packages' where RAPL is readable); a CPU job's is
its CPU packages'. Nothing is estimated: a job whose devices have no readable counter is
`not measured: <reason>` (no NVML, no readable RAPL, a GPU without the counter).

`EnergyMeter(gpus=...)` starts counting when it is made; `record()` stops and returns the
keys the cost records carry (codepeft.cost):

    {"energy_kwh": 0.0123 | None,
     "energy_status": "measured" | "not measured: <reason>",
     "energy_source": "nvml" | "rapl" | "nvml+rapl" | None,
     "energy_seconds": 12.3,
     "energy_devices": [{"device": "GPU 0 (NVIDIA H100 80GB HBM3)", "source": "nvml",
                         "joules": 44280.5}, ...]}

A meter never fails its job: any error while reading becomes the reason of `not measured`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("codepeft.energy")

POWERCAP = "/sys/class/powercap"
MEASURED = "measured"
NOT_MEASURED = "not measured"
JOULES_PER_KWH = 3.6e6
#: seconds between two readings of the wrapping RAPL counters (they wrap after ~262 kJ:
#: 20+ min at 200 W)
RAPL_INTERVAL_S = 60.0


@dataclass
class Counter:
    """One energy counter: `read()` in joules; `wrap` the joules at which it wraps (None:
    does not wrap)."""

    device: str
    source: str
    read: Any
    wrap: float | None = None


# --- RAPL -------------------------------------------------------------------------------


def _rapl_counter(domain: Path, label: str) -> Counter:
    energy = domain / "energy_uj"
    wrap = int((domain / "max_energy_range_uj").read_text()) / 1e6
    int(energy.read_text())  # readable now, or OSError (root only on recent kernels)

    def read() -> float:
        return int(energy.read_text()) / 1e6

    return Counter(device=label, source="rapl", read=read, wrap=wrap)


def rapl_counters(root: str | os.PathLike = POWERCAP) -> tuple[list[Counter], str | None]:
    """The CPU packages' RAPL counters (top-level `package-*` domains and their `dram`
    subdomains; not `psys`, which includes the packages), or ([], the reason)."""
    root = Path(root)
    if not root.is_dir():
        return [], f"no RAPL counters ({root} absent)"
    counters = []
    try:
        for domain in sorted(root.glob("intel-rapl:*")):
            depth = domain.name.count(":")
            name = (domain / "name").read_text().strip()
            if (depth == 1 and name.startswith("package")) or (depth == 2 and name == "dram"):
                counters.append(_rapl_counter(domain, f"{name} ({domain.name})"))
    except (OSError, ValueError) as err:
        return [], f"RAPL not readable ({getattr(err, 'filename', None) or root}: {err})"
    if not counters:
        return [], f"no RAPL package domain under {root}"
    return counters, None


# --- NVML -------------------------------------------------------------------------------


def _visible_gpus() -> list[str] | None:
    """The job's GPUs as CUDA_VISIBLE_DEVICES names them (indices or UUIDs), None: all."""
    value = os.environ.get("CUDA_VISIBLE_DEVICES")
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip() and v.strip() != "-1"]


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def nvml_counters() -> tuple[list[Counter], str | None, Any]:
    """The visible GPUs' NVML energy counters, or ([], the reason); and the NVML module to
    shut down when done (None if not initialised)."""
    try:
        # lazy: optional (nvidia-ml-py); only GPU jobs read it
        import pynvml
    except ImportError:
        return [], "pynvml (nvidia-ml-py) not installed", None
    try:
        pynvml.nvmlInit()
    except Exception as err:  # noqa: BLE001 - no driver, no library: not measured
        return [], f"NVML unavailable ({err})", None
    try:
        visible = _visible_gpus()
        if visible is None:
            visible = [str(i) for i in range(pynvml.nvmlDeviceGetCount())]
        if not visible:
            return [], "no GPU visible to the job", pynvml
        counters = []
        for key in visible:
            if key.isdigit():
                handle = pynvml.nvmlDeviceGetHandleByIndex(int(key))
            else:
                handle = pynvml.nvmlDeviceGetHandleByUUID(key)
            name = _text(pynvml.nvmlDeviceGetName(handle))
            try:
                pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
            except Exception as err:  # noqa: BLE001 - older GPUs lack the counter
                return [], f"GPU {key} ({name}) has no energy counter ({err})", pynvml

            def read(handle=handle) -> float:
                return pynvml.nvmlDeviceGetTotalEnergyConsumption(handle) / 1e3  # mJ -> J

            label = f"GPU {key}" if key.isdigit() else key
            counters.append(Counter(device=f"{label} ({name})", source="nvml", read=read))
        return counters, None, pynvml
    except Exception as err:  # noqa: BLE001 - any NVML failure: not measured
        return [], f"NVML error ({type(err).__name__}: {err})", pynvml


# --- the meter --------------------------------------------------------------------------


class EnergyMeter:
    """Counts the energy of the job's devices from now until `record()`.

    `gpus`: whether the job runs on GPUs (NVML needed; RAPL added where readable); else the
    CPU packages (RAPL). `powercap`: RAPL's folder (tests pass a fake tree)."""

    def __init__(
        self,
        gpus: bool,
        powercap: str | os.PathLike = POWERCAP,
        interval_s: float = RAPL_INTERVAL_S,
    ):
        self.started = time.monotonic()
        self.reason: str | None = None
        self._nvml = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done: dict | None = None
        counters: list[Counter] = []
        try:
            rapl, rapl_reason = rapl_counters(powercap)
            if gpus:
                nvml, nvml_reason, self._nvml = nvml_counters()
                counters = nvml + rapl
                self.reason = nvml_reason
            else:
                counters, self.reason = rapl, rapl_reason
            self.counters = [] if self.reason else counters
            self.last = [c.read() for c in self.counters]
        except Exception as err:  # noqa: BLE001 - a meter never fails its job
            self.counters, self.reason = [], f"{type(err).__name__}: {err}"
        self.joules = [0.0] * len(self.counters)
        if any(c.wrap for c in self.counters):
            self._thread = threading.Thread(
                target=self._poll_every, args=(interval_s,), name="energy-meter", daemon=True
            )
            self._thread.start()

    def _poll(self) -> None:
        with self._lock:
            for i, counter in enumerate(self.counters):
                value = counter.read()
                delta = value - self.last[i]
                if delta < 0 and counter.wrap:
                    delta += counter.wrap  # wrapped once since the last reading
                self.joules[i] += delta
                self.last[i] = value

    def _poll_every(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            try:
                self._poll()
            except Exception as err:  # noqa: BLE001 - reported by record()
                self.reason = self.reason or f"reading failed ({type(err).__name__}: {err})"
                return

    def record(self) -> dict:
        """Stop counting (once; later calls return the same) and return the energy keys."""
        if self._done is not None:
            return self._done
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if not self.reason and self.counters:
            try:
                self._poll()
            except Exception as err:  # noqa: BLE001 - a meter never fails its job
                self.reason = f"reading failed ({type(err).__name__}: {err})"
        if self._nvml is not None:
            try:
                self._nvml.nvmlShutdown()
            except Exception:  # noqa: BLE001 - nothing left to measure
                pass
        seconds = round(time.monotonic() - self.started, 3)
        if self.reason or not self.counters:
            self._done = {
                "energy_kwh": None,
                "energy_status": f"{NOT_MEASURED}: {self.reason or 'no counter'}",
                "energy_source": None,
                "energy_seconds": seconds,
                "energy_devices": [],
            }
        else:
            sources = sorted({c.source for c in self.counters}, key=["nvml", "rapl"].index)
            self._done = {
                "energy_kwh": sum(self.joules) / JOULES_PER_KWH,
                "energy_status": MEASURED,
                "energy_source": "+".join(sources),
                "energy_seconds": seconds,
                "energy_devices": [
                    {"device": c.device, "source": c.source, "joules": round(j, 3)}
                    for c, j in zip(self.counters, self.joules, strict=True)
                ],
            }
        return self._done


def is_measured(record: dict | None) -> bool:
    """Whether a cost record carries measured energy."""
    return (
        bool(record)
        and record.get("energy_status") == MEASURED
        and (record.get("energy_kwh") is not None)
    )
