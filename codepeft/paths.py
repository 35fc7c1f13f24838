"""Every file layout of the study, defined once (docs/architecture.md, "Files").

The patterns are `str.format` templates whose fields are the workflow's wildcards, so the
rules use them as they are (``output: paths.PREDICTIONS``) or with some fields filled
(``paths.fill(paths.METRIC_TABLE, family="surface")`` keeps ``{model}`` etc. as wildcards),
and the package formats them fully (``paths.fill(paths.PREDICTIONS, **combo)``). Paths are
relative to the working directory of the study (where Snakemake runs).
"""

from __future__ import annotations

import re

RESULTS = "results"

# The `{seed}` segment (`seed-<seed>`) is the training seed of a trained model and of everything
# downstream of it (`training.seeds`); predictions made without training (zero-shot, the
# references) carry `seed-none` (`codepeft.study.NO_SEED`): one layout for every predictions
# file, and adding a seed never moves an existing file.

# --- inputs and models ----------------------------------------------------------------
DATA = "results/data/{task}/{lang}/{split}.jsonl"
BASE_MODEL = "results/base/{model}"
MIXTURE_DIR = "results/mixtures/{mixture}"
MIXTURE_FILE = "results/mixtures/{mixture}/{split}.jsonl"
MIXTURE_MANIFEST = "results/mixtures/{mixture}/manifest.json"
MODEL_DIR = "results/models/{model}/{method}/seed-{seed}/{scope}"
# outside the train rule's declared output: survives a failed or preempted job, for resume
CHECKPOINT_DIR = "results/checkpoints/{model}/{method}/seed-{seed}/{scope}"
TRAINING_RECORD = "codepeft_training.json"  # inside MODEL_DIR
# live training dashboards (training.report_to; codepeft.tracking): no rule's output
TRACKING_DIR = "results/tracking"
TRACKING_RUN = "{model}/{method}/seed-{seed}/{scope}"  # a training's run name in the trackers

# --- predictions ------------------------------------------------------------------------
PREDICTIONS = "results/predictions/{model}/{method}/seed-{seed}/{task}/{lang}.jsonl"
COST = "results/predictions/{model}/{method}/seed-{seed}/{task}/{lang}.cost.json"
CODEREVAL = "results/predictions/{model}/{method}/seed-{seed}/generation/{lang}.codereval.jsonl"

# --- metric tables (one family per tool) ------------------------------------------------
METRICS_DIR = "results/metrics"
METRIC_TABLE = "results/metrics/{family}/{model}/{method}/seed-{seed}/{task}/{lang}.tsv"
METRIC_SUMMARY = "results/metrics/{family}/{model}/{method}/seed-{seed}/{task}/{lang}.summary.json"
METRIC_RULES = "results/metrics/{family}/{model}/{method}/seed-{seed}/{task}/{lang}.rules.tsv"

# --- train/test overlap audit and bootstrap intervals ---------------------------------------
OVERLAP_TABLE = "results/overlap/{mixture}/{task}/{lang}.tsv"
OVERLAP_SUMMARY = "results/overlap/{mixture}/{task}/{lang}.summary.json"
INTERVALS = "results/uncertainty/intervals.tsv"
CORPUS_PAIRED = "results/uncertainty/corpus_paired.tsv"

# --- statistics and report ----------------------------------------------------------------
STATS_DIR = "results/stats"
STATS_TABLE = "results/stats/{comparison}.tsv"
REPORT_DIR = "results/report"
REPORT_INDEX = "results/report/index.html"
REPORT_PROVENANCE = "results/report/provenance.json"
REPORT_TABLES = "results/report/tables"
REPORT_PLOTS = "results/report/plots"

# --- shared results: tidy tables for notebooks, model cards (rules/share.smk) -------------
TIDY_RESULTS = "results/tidy/results.parquet"  # every per-instance value, long format
TIDY_RESULTS_CSV = "results/tidy/results.csv"
TIDY_STATS = "results/tidy/stats.parquet"  # every comparison row of results/stats/*.tsv
TIDY_STATS_CSV = "results/tidy/stats.csv"
MODEL_CARD = "results/cards/{model}/{method}/seed-{seed}/{scope}/README.md"
MODEL_CARD_NAME = "README.md"  # the copy inside MODEL_DIR (what the Hub shows)

# --- benchmark records read back by the report's cost section ----------------------------
BENCHMARK_TRAIN = "results/benchmarks/train/{model}/{method}/seed-{seed}/{scope}.tsv"
BENCHMARK_GENERATE = "results/benchmarks/generate/{model}/{method}/seed-{seed}/{task}/{lang}.tsv"
BENCHMARK_GENERATE_VLLM = "results/benchmarks/generate/vllm/{model}.tsv"

_FIELD = re.compile(r"\{(\w+)\}")


class _Keep(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def fill(pattern: str, **values) -> str:
    """`pattern` with the given fields filled; the others stay ``{field}`` (wildcards)."""
    return pattern.format_map(_Keep(values))


def fields(pattern: str) -> list[str]:
    """The fields of a pattern, in order."""
    return _FIELD.findall(pattern)


def glob(pattern: str) -> str:
    """The pattern as a glob: every field is one path component (``*``)."""
    return _FIELD.sub("*", pattern)


def regex(pattern: str, start: str = r"(?:^|/)") -> re.Pattern:
    """A regex matching paths of `pattern` (anywhere under a folder, or from `start`), one
    named group per field, each one path component."""
    parts = _FIELD.split(pattern)
    out = [start]
    for k, part in enumerate(parts):
        out.append(re.escape(part) if k % 2 == 0 else f"(?P<{part}>[^/]+)")
    return re.compile("".join(out) + "$")


METRIC_TABLE_RE = regex(METRIC_TABLE)
MODEL_DIR_RE = regex(MODEL_DIR)


def metric_files(
    family: str, model: str, method: str, seed: str, task: str, lang: str
) -> dict[str, str]:
    """{table, summary, rules} of one metric family's outputs for one predictions file."""
    values = dict(family=family, model=model, method=method, seed=seed, task=task, lang=lang)
    return {
        "table": fill(METRIC_TABLE, **values),
        "summary": fill(METRIC_SUMMARY, **values),
        "rules": fill(METRIC_RULES, **values),
    }


def is_metric_table(path: str) -> bool:
    """A per-instance metric table (not a by-rule table, not a summary)."""
    return (
        path.startswith(METRICS_DIR + "/")
        and path.endswith(".tsv")
        and not path.endswith(".rules.tsv")
    )


def is_metric_summary(path: str) -> bool:
    return path.startswith(METRICS_DIR + "/") and path.endswith(".summary.json")


def is_stats_table(path: str) -> bool:
    return path.startswith(STATS_DIR + "/") and path.endswith(".tsv")
