"""The one logging setup of codepeft: every rule script and every CLI calls `setup_logging`.

- Rule scripts (`capture_stderr=True`, through `setup_rule_logging`): logging, library warnings
  and anything written to stderr go to the rule's log file (line-buffered, so users can follow
  it live), with the host and device line first.
- CLIs: logging to stderr, or to `log_file` (appended) when one is given; a CLI run inside
  another program (tests) keeps that program's handlers.
"""

from __future__ import annotations

import logging
import os
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(
    log_file: str | os.PathLike | None = None,
    level: int | str = logging.INFO,
    *,
    capture_stderr: bool = False,
) -> logging.Handler | None:
    """Configure logging once per process; return the file handler added for a CLI's
    `log_file` (the caller may remove and close it), else None.

    `capture_stderr`: `log_file` also receives the process's stderr (file descriptor 2), and
    the root logger is reset to write there (a rule job owns its process)."""
    level = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if capture_stderr:
        if log_file:
            os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
            handle = open(log_file, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives with the process
            os.dup2(handle.fileno(), sys.stderr.fileno())
            sys.stderr = handle
        logging.basicConfig(level=level, format=FORMAT, stream=sys.stderr, force=True)
        logging.getLogger("codepeft").info(
            "host %s, CUDA_VISIBLE_DEVICES=%s, SLURM_JOB_ID=%s",
            os.uname().nodename,
            os.environ.get("CUDA_VISIBLE_DEVICES", "unset"),
            os.environ.get("SLURM_JOB_ID", "none"),
        )
        return None
    if log_file:
        os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(level)
        return handler
    logging.basicConfig(level=level, format=FORMAT, stream=sys.stderr)
    return None


def setup_rule_logging(log_path: str | os.PathLike | None, level: int = logging.INFO) -> None:
    """Rule scripts: logging and stderr to the rule's log (`setup_logging(capture_stderr=True)`)."""
    setup_logging(log_path, level, capture_stderr=True)
