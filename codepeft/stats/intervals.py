"""Bootstrap intervals of every corpus-level number the report prints (rule `intervals`):

* the mean of every measure of every metric table (METEOR, ROUGE-L, sentence BLEU and chrF,
  CodeBLEU, BERTScore, the judge's criteria, the analyzers' measures): `statistic` = mean,
  over the rows with a value (the report's means.tsv);
* pass@k of the execution tables: `statistic` = proportion, a task without a value counted as
  a fail (the report's pass1.tsv);
* corpus BLEU and chrF of every predictions file with references, by sacrebleu (`statistic` =
  corpus, the surface summary's `corpus` numbers);

written to results/uncertainty/intervals.tsv (`INTERVAL_COLUMNS`); and for every stats block
on surface tables, sacrebleu's paired bootstrap of corpus BLEU and chrF (A the baseline) in
results/uncertainty/corpus_paired.tsv (`PAIRED_COLUMNS`). Resampling: codepeft.stats.bootstrap.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np

from codepeft import measures, paths
from codepeft.io import read_jsonl, write_tsv
from codepeft.metrics.compute import join, stripped
from codepeft.stats import bootstrap as bs
from codepeft.stats.plan import OVER_SEEDS
from codepeft.stats.tables import Table

log = logging.getLogger(__name__)

INTERVAL_COLUMNS = (
    "family",
    "model",
    "method",
    "seed",
    "task",
    "lang",
    "measure",
    "statistic",
    "n",
    "estimate",
    "ci_low",
    "ci_high",
    "boot_mean",
    "confidence",
    "resamples",
    "implementation",
)
PAIRED_COLUMNS = (
    "comparison",
    "model",
    "seed",
    "a",
    "b",
    "task",
    "lang",
    "measure",
    "n",
    "corpus_a",
    "corpus_b",
    "p_boot",
    "resamples",
)
NUMPY = "codepeft.stats.bootstrap (numpy)"
SACREBLEU = "sacrebleu.significance"


def _row(names: dict, measure: str, statistic: str, iv: bs.Interval, settings, impl) -> dict:
    return dict(
        names,
        measure=measure,
        statistic=statistic,
        n=iv.n,
        estimate=iv.estimate,
        ci_low=iv.low,
        ci_high=iv.high,
        boot_mean=iv.boot_mean,
        confidence=settings.confidence,
        resamples=settings.resamples,
        implementation=impl,
    )


def table_intervals(names: dict, table: Table, settings: bs.Bootstrap) -> list[dict]:
    """One row per measure of a metric table (`names`: family, model, method, seed, task,
    lang)."""
    family = measures.family(names["family"])
    rows = []
    for column in table.numeric_columns():
        if not family.is_measure(column):
            continue
        values = table.values(column)
        proportion = names["family"] == "execution" and column.startswith("pass@")
        if proportion:  # pass1.tsv's counting: a task without a value is a fail
            values = np.nan_to_num(values, nan=0.0)
        iv = bs.mean_interval(values, settings)
        statistic = "proportion" if proportion else "mean"
        rows.append(_row(names, column, statistic, iv, settings, NUMPY))
    return rows


def corpus_texts(predictions: list[dict], references: list[dict], strip: bool) -> dict:
    """{id: (hypothesis, reference)} of every reference id with a reference, as the surface
    stage's corpus scores see them (a missing or empty prediction is ""; `metrics.strip`)."""
    instances = [i for i in join(predictions, references) if i.in_references]
    instances = [i for i in instances if i.reference is not None]
    if strip:
        instances = stripped(instances)
    return {i.id: (i.prediction or "", i.reference) for i in instances}


def corpus_intervals(names: dict, texts: dict, settings: bs.Bootstrap) -> list[dict]:
    """Corpus BLEU and chrF (sacrebleu) with their intervals, as rows of the surface family."""
    hyps = [h for h, _ in texts.values()]
    refs = [r for _, r in texts.values()]
    found = bs.sacrebleu_intervals(hyps, refs, settings)
    return [
        _row(names, measure, "corpus", found[metric], settings, SACREBLEU)
        for measure, metric in bs.SACREBLEU_METRICS.items()
    ]


def paired_rows(block: dict, texts_a: dict, texts_b: dict, settings: bs.Bootstrap) -> list[dict]:
    """sacrebleu's paired bootstrap of corpus BLEU and chrF for one stats block, over the ids
    both sides have (the references' order)."""
    ids = [i for i in texts_a if i in texts_b]
    result = bs.sacrebleu_paired(
        [texts_a[i][0] for i in ids],
        [texts_b[i][0] for i in ids],
        [texts_a[i][1] for i in ids],
        settings,
    )
    base = {k: block[k] for k in ("comparison", "model", "seed", "a", "b", "task", "lang")}
    return [
        dict(
            base,
            measure=measure,
            n=len(ids),
            corpus_a=result[metric]["score_a"],
            corpus_b=result[metric]["score_b"],
            p_boot=result[metric]["p"],
            resamples=settings.resamples,
        )
        for measure, metric in bs.SACREBLEU_METRICS.items()
    ]


def corpus_blocks(blocks: list[dict]) -> list[dict]:
    """The stats blocks on surface tables that compare corpus BLEU or chrF measures, one per
    (comparison, sides, training seed, task, lang); not the blocks over the seeds (a corpus
    score is one run's: each seed's block has its own test)."""
    out = {}
    for b in blocks:
        if b["family"] != "surface" or b.get("seed") == OVER_SEEDS:
            continue
        wanted = set(b.get("continuous", [])) | set(b.get("binary", []))
        if "*" not in wanted and not wanted & set(bs.SACREBLEU_METRICS):
            continue
        key = (b["comparison"], b["a"], b["b"], b["seed"], b["task"], b["lang"])
        out.setdefault(
            key,
            {
                k: b[k]
                for k in (
                    "comparison",
                    "model",
                    "seed",
                    "a",
                    "b",
                    "a_model",
                    "a_method",
                    "b_model",
                    "b_method",
                    "task",
                    "lang",
                )
            }
            | {  # fmt: skip
                "a_seed": b["a_seeds"][0],
                "b_seed": b["b_seeds"][0],
            },
        )
    return list(out.values())


def predictions_path(model: str, method: str, seed: str, task: str, lang: str) -> str:
    return paths.fill(
        paths.PREDICTIONS, model=model, method=method, seed=seed, task=task, lang=lang
    )


def compute(
    tables: dict[str, Table],
    blocks: list[dict],
    settings: bs.Bootstrap,
    strip: bool,
    read=read_jsonl,
    log_info=log.info,
) -> tuple[list[dict], list[dict]]:
    """(interval rows, corpus paired rows). `tables`: metric table path -> Table; `blocks`:
    the corpus blocks to test (`corpus_blocks` of the stats blocks: the rule's param);
    predictions and test data are read with `read(path)` by their layout (codepeft.paths)."""
    started = time.perf_counter()
    rows: list[dict] = []
    texts_cache: dict[tuple, dict] = {}

    def texts(model, method, seed, task, lang):
        key = (model, method, seed, task, lang)
        if key not in texts_cache:
            data = paths.fill(paths.DATA, task=task, lang=lang, split="test")
            texts_cache[key] = corpus_texts(read(predictions_path(*key)), read(data), strip)
        return texts_cache[key]

    for path, table in tables.items():
        names = paths.METRIC_TABLE_RE.search(path).groupdict()
        rows += table_intervals(names, table, settings)
        if names["family"] == "surface":
            key = (names["model"], names["method"], names["seed"], names["task"], names["lang"])
            rows += corpus_intervals(names, texts(*key), settings)
    log_info(f"intervals: {len(rows)} rows from {len(tables)} tables in "
             f"{time.perf_counter() - started:.1f} s ({settings.describe()})")  # fmt: skip
    paired = []
    for block in blocks:
        paired += paired_rows(
            block,
            texts(
                block["a_model"], block["a_method"], block["a_seed"], block["task"], block["lang"]
            ),
            texts(
                block["b_model"], block["b_method"], block["b_seed"], block["task"], block["lang"]
            ),
            settings,
        )
    log_info(f"intervals: {len(paired)} paired corpus tests; total "
             f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    return rows, paired


def write(rows: list[dict], paired: list[dict], intervals_path, paired_path) -> None:
    def clean(row):
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}

    write_tsv(intervals_path, [clean(r) for r in rows], INTERVAL_COLUMNS)
    write_tsv(paired_path, [clean(r) for r in paired], PAIRED_COLUMNS)
