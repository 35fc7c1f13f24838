"""Site settings of a SLURM cluster, apart from the tracked files: account, partitions, the
time-limit signal and per-model GPU constraints, from a site file and the environment.

    # slurm-site.yaml (git-ignored; or any path in $CODEPEFT_SLURM_SITE)
    account: my_lab
    cpu_partition: cpu
    gpu_partition: gpu
    judge_partition: null        # default: gpu_partition for a local judge, cpu for an API one
    signal_lead_s: 600           # SIGTERM this many seconds before a training's time limit
    gpu:                         # per model (the key under `models:` in the study's config)
      qwen2.5-coder-3b: {constraint: a100_80g}
      qwen2.5-coder-0.5b: {gpu_model: a100}
    qos: null
    slurm_extra: ""              # extra sbatch flags for every job (e.g. --mail-type=FAIL)

The environment wins over the file, key by key: CODEPEFT_SLURM_ACCOUNT,
CODEPEFT_SLURM_CPU_PARTITION, CODEPEFT_SLURM_GPU_PARTITION, CODEPEFT_SLURM_JUDGE_PARTITION,
CODEPEFT_SLURM_QOS, CODEPEFT_SLURM_SIGNAL_LEAD_S.

The rules read these through `rules/resources.smk` and ask for them as resources
(`slurm_account`, `slurm_partition`, `constraint`, `gpu_model`, `slurm_extra`), so the profile
(`profiles/slurm`) holds no site value and a command-line `--set-resources` or
`--default-resources` cannot drop a GPU request or the signal: they live in the rules. Local
runs ignore every one of them. Resources are not parameters: changing a site value reruns
nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SITE_FILE_ENV = "CODEPEFT_SLURM_SITE"
DEFAULT_SITE_FILE = "slurm-site.yaml"
#: environment variable -> site key
ENV_KEYS = {
    "CODEPEFT_SLURM_ACCOUNT": "account",
    "CODEPEFT_SLURM_CPU_PARTITION": "cpu_partition",
    "CODEPEFT_SLURM_GPU_PARTITION": "gpu_partition",
    "CODEPEFT_SLURM_JUDGE_PARTITION": "judge_partition",
    "CODEPEFT_SLURM_QOS": "qos",
    "CODEPEFT_SLURM_SIGNAL_LEAD_S": "signal_lead_s",
}
#: SIGTERM this long before a training's time limit: the trainer saves a checkpoint (an 18.5 GB
#: save of 3B full fine-tuning takes minutes on a shared filesystem) and exits for the retry
DEFAULT_SIGNAL_LEAD_S = 600
_GPU_KEYS = {"constraint", "gpu_model"}
_WORD = re.compile(r"^[A-Za-z0-9_.,:|&*\[\]-]+$")


class SiteError(ValueError):
    pass


@dataclass(frozen=True)
class SlurmSite:
    """Where jobs go on this cluster. Every field may be unset (None): SLURM's defaults apply."""

    account: str | None = None
    cpu_partition: str | None = None
    gpu_partition: str | None = None
    judge_partition: str | None = None
    qos: str | None = None
    signal_lead_s: int = DEFAULT_SIGNAL_LEAD_S
    gpu: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    slurm_extra: str = ""
    source: str = "defaults"  # where the settings came from (for the preflight's message)

    def _common(self, partition: str | None) -> dict:
        res = {}
        if self.account:
            res["slurm_account"] = self.account
        if partition:
            res["slurm_partition"] = partition
        if self.qos:
            res["qos"] = self.qos
        return res

    def cpu(self) -> dict:
        """Resources of a CPU job (data, mixtures, metrics, analyzers, statistics)."""
        res = self._common(self.cpu_partition)
        if self.slurm_extra:
            res["slurm_extra"] = self.slurm_extra
        return res

    def gpu_job(self, model: str, signal: bool = False) -> dict:
        """Resources of a GPU job on `model` (its constraint / GPU type); with `signal`, the
        time-limit warning that lets a training save before SLURM kills it."""
        res = self._common(self.gpu_partition)
        res.update(self.gpu.get(model, {}))
        extra = [self.slurm_extra] if self.slurm_extra else []
        if signal:
            # SIGTERM, not SIGUSR1: the step's inner snakemake treats SIGTERM as "finish the
            # running job, then stop", the trainer saves and exits 143 (codepeft.train)
            extra.append(f"--signal=TERM@{self.signal_lead_s}")
        if extra:
            res["slurm_extra"] = " ".join(extra)
        return res

    def judge(self, on_gpu: bool) -> dict:
        """The judge: the GPU partition with a local model on a GPU, the CPU one with an API
        backend (no GPU asked for, network-bound); `judge_partition` wins over both."""
        default = self.gpu_partition if on_gpu else self.cpu_partition
        res = self._common(self.judge_partition or default)
        if self.slurm_extra:
            res["slurm_extra"] = self.slurm_extra
        return res

    def partitions(self) -> dict[str, str]:
        """The partitions named, by role (for the preflight's sinfo check)."""
        roles = {
            "cpu_partition": self.cpu_partition,
            "gpu_partition": self.gpu_partition,
            "judge_partition": self.judge_partition,
        }
        return {k: v for k, v in roles.items() if v}


def site_file(basedir: str | os.PathLike, environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    given = environ.get(SITE_FILE_ENV)
    return Path(given) if given else Path(basedir) / DEFAULT_SITE_FILE


def _check(settings: dict, where: str) -> dict:
    known = {f for f in SlurmSite.__dataclass_fields__ if f != "source"}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise SiteError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {sorted(known)}")
    for key in ("account", "cpu_partition", "gpu_partition", "judge_partition", "qos"):
        value = settings.get(key)
        if value is not None and not _WORD.match(str(value)):
            raise SiteError(f"{where}: {key}={value!r} is not a SLURM name")
    if "signal_lead_s" in settings:
        try:
            settings["signal_lead_s"] = int(settings["signal_lead_s"])
        except (TypeError, ValueError):
            raise SiteError(f"{where}: signal_lead_s must be seconds (an integer)") from None
        if settings["signal_lead_s"] < 60:
            # SLURM sends the signal up to a minute late (its periodic timer)
            raise SiteError(f"{where}: signal_lead_s must be >= 60 (SLURM may send it late)")
    gpu = settings.get("gpu") or {}
    if not isinstance(gpu, Mapping):
        raise SiteError(f"{where}: gpu must map a model name to {{constraint, gpu_model}}")
    for model, spec in gpu.items():
        bad = set(spec or {}) - _GPU_KEYS
        if bad:
            raise SiteError(f"{where}: gpu.{model}: unknown key(s) {sorted(bad)}")
        for value in (spec or {}).values():
            if not _WORD.match(str(value)):
                raise SiteError(f"{where}: gpu.{model}: {value!r} is not a SLURM name")
    settings["gpu"] = {m: {k: str(v) for k, v in (s or {}).items()} for m, s in gpu.items()}
    return settings


def load(basedir: str | os.PathLike, environ: Mapping[str, str] | None = None) -> SlurmSite:
    """The site settings: the site file (if any), then the environment's overrides."""
    environ = os.environ if environ is None else environ
    path = site_file(basedir, environ)
    settings: dict = {}
    sources = []
    if path.is_file():
        loaded = yaml.safe_load(path.read_text()) or {}
        if not isinstance(loaded, dict):
            raise SiteError(f"{path}: expected a mapping of site settings")
        settings.update(loaded)
        sources.append(str(path))
    elif environ.get(SITE_FILE_ENV):
        raise SiteError(f"{SITE_FILE_ENV}={path} does not exist")
    for var, key in ENV_KEYS.items():
        if environ.get(var):
            settings[key] = environ[var]
            sources.append(var)
    settings = _check(settings, ", ".join(sources) or "site settings")
    return SlurmSite(**settings, source=", ".join(sources) or "defaults")
