"""Static analyzers: one family per tool, each run once per batch of units.

* `codepeft.analyzers.registry`: the analyzers (`ANALYZERS`) and their modules (`module`).
* `codepeft.analyzers.runner`: the batch runner. `analyze_files(name, jobs)` is the one path
  from predictions files to the per-instance table `results/metrics/<family>/.../<lang>.tsv`,
  the by-rule long table `<lang>.rules.tsv` (families with rules) and `<lang>.summary.json`,
  for the workflow (one job per analyzer over every predictions file) and the CLI (one file,
  `analyze_file`); the tool runs once per code language over the union of all files' units.
  `analyze(name, records, task, lang)` is the in-memory form of one record set.
* `codepeft.analyzers.planning`: `plan(config["analyzers"], combos)` lists those jobs per
  analyzer (rules/analyze.smk), with each rule's targets, params and options.

Statuses: `ok`; `empty_prediction` (no code); `parse_error` (the tool could not parse the unit,
see each module for which values are kept); `no_functions` (Lizard found none);
`not computed: <reason>` (not configured, e.g. Sonar without a host; or, under
`environment_failures: record`, the tool missing or failed as a whole: under `fail`, the
default, those raise `EnvironmentFailure`). Never a dropped id.
Every name above is importable from `codepeft.analyzers`.
"""

from __future__ import annotations

from codepeft.analyzers.planning import (
    TOOL_SECTIONS,
    plan,
    plan_params,
    plan_targets,
    rule_options,
)
from codepeft.analyzers.registry import ANALYZERS, analyzers_for, module
from codepeft.analyzers.runner import (
    MAX_UNITS_PER_RUN,
    Job,
    analyze,
    analyze_file,
    analyze_files,
    analyze_records,
    setup_logging,
    write_outputs,
)
from codepeft.tasks import code_language

__all__ = [
    "ANALYZERS",
    "MAX_UNITS_PER_RUN",
    "TOOL_SECTIONS",
    "Job",
    "analyze",
    "analyze_file",
    "analyze_files",
    "analyze_records",
    "analyzers_for",
    "code_language",
    "module",
    "plan",
    "plan_params",
    "plan_targets",
    "rule_options",
    "setup_logging",
    "write_outputs",
]
