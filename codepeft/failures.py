"""Environment failures vs "not computed": the one policy of the metric, analyzer, execution
and judge stages (config key ``environment_failures``, docs/architecture.md).

A value that cannot be computed because of the machine the job runs on (a model not cached, a
tool not installed, the judge's API unreachable, WordNet missing) is an *environment failure*:

* ``fail`` (the schema's default, the presets): `environment_failure` raises
  `EnvironmentFailure`, whose message names what is missing and how to fix it. The job fails,
  Snakemake retries it (the profiles set retries) and a later run computes the value.
* ``record``: `environment_failure` returns ``not computed: <reason>``, the status the caller
  writes in place of the value (the job succeeds; a later run does not redo it).

A value undefined for reasons of the data or of the config (no reference, an empty
prediction, a measure not configured for a task or language, an unparsable judge answer) is a
``not computed`` row in both modes: callers write those statuses themselves.
"""

from __future__ import annotations

import logging

from codepeft.config import schema_defaults

log = logging.getLogger(__name__)

MODES = ("fail", "record")
#: the schema's default (workflow/schemas/config.schema.yaml): strict
DEFAULT_MODE = schema_defaults()["environment_failures"]
OPTION = "environment_failures"


class EnvironmentFailure(RuntimeError):
    """A value could not be computed because of the environment (not the data): the job fails
    so that a retry or a later run computes it. `reason` says what failed, `fix` what to do."""

    def __init__(self, reason: str, fix: str):
        self.reason = reason
        self.fix = fix
        super().__init__(
            f"environment failure: {reason}. Fix: {fix}. (The job fails so that a retry or a "
            f"later run computes it; {OPTION}: record would write 'not computed' rows instead.)"
        )


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"{OPTION} must be one of {MODES}, not {mode!r}")
    return mode


def environment_failure(mode: str, reason: str, fix: str) -> str:
    """Under ``fail``: raise `EnvironmentFailure(reason, fix)`. Under ``record``: log it and
    return the status ``not computed: <reason>`` for the caller to write."""
    if check_mode(mode) == "fail":
        raise EnvironmentFailure(reason, fix)
    log.warning("not computed (%s: record): %s; fix: %s", OPTION, reason, fix)
    return f"not computed: {reason}"
