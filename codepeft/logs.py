"""Logging for rule scripts: everything (our logs, library warnings, stderr) goes to the rule's log."""

from __future__ import annotations

import logging
import os
import sys


def setup_rule_logging(log_path: str | os.PathLike | None, level: int = logging.INFO) -> None:
    """Send logging and stderr to `log_path` (line-buffered, so users can follow it live)."""
    if log_path:
        os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
        handle = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives with the process
        os.dup2(handle.fileno(), sys.stderr.fileno())
        sys.stderr = handle
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.getLogger("codepeft").info(
        "host %s, CUDA_VISIBLE_DEVICES=%s, SLURM_JOB_ID=%s",
        os.uname().nodename,
        os.environ.get("CUDA_VISIBLE_DEVICES", "unset"),
        os.environ.get("SLURM_JOB_ID", "none"),
    )
