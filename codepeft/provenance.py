"""Provenance carried by results: package versions, git revision, config hash, seed, machine."""

from __future__ import annotations

import copy
import hashlib
import json
import platform
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from codepeft.tracking import NOT_RESULTS

PACKAGES = (
    "codepeft",
    "torch",
    "transformers",
    "peft",
    "trl",
    "datasets",
    "accelerate",
    "bitsandbytes",
    "tokenizers",
    "snakemake",
    "sacrebleu",
    "codebleu",
    "nltk",
    "rouge-score",
    "bert-score",
    "scipy",
    "statsmodels",
    "pylint",
    "lizard",
    "vllm",
)
REPO = Path(__file__).resolve().parent.parent


def package_versions(packages=PACKAGES) -> dict[str, str]:
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


@lru_cache(maxsize=1)
def git_revision() -> str | None:
    try:
        rev = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return (rev + ("-dirty" if dirty else "")) or None
    except (OSError, subprocess.SubprocessError):
        return None


def config_hash(config: dict) -> str:
    """A short hash of the config, without the keys that change no result
    (`codepeft.tracking.NOT_RESULTS`: where trainings report), so switching those rebuilds
    nothing, the report included."""
    config = copy.deepcopy(config)
    for section, key in NOT_RESULTS:
        (config.get(section) or {}).pop(key, None)
    blob = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def provenance(config: dict | None = None) -> dict:
    info = {
        "git_revision": git_revision(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
    }
    try:
        # lazy: torch is optional here (a job's env may lack it) and takes ~1 s
        import torch

        info["accelerator"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    except ImportError:
        pass
    if config is not None:
        info["config_hash"] = config_hash(config)
        info["seed"] = config.get("seed")
    return info
