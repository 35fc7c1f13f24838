"""Bootstrap intervals of corpus-level numbers and paired-bootstrap p-values.

One implementation of our own (numpy, vectorised) for every statistic that is a function of
per-instance sums: a mean (METEOR, ROUGE-L, CodeBLEU, judge scores, a sentence-BLEU mean), a
proportion (pass@1), and any corpus score computed from summed sufficient statistics. It has
sacrebleu's seed semantics (`sacrebleu.significance`, version 2.x), so that where both apply the
numbers are the same, not merely close:

* the resampled instance indices are `numpy.random.default_rng(seed).choice(n, (R, n))`, drawn
  once and shared by both sides of a paired comparison (sacrebleu draws them per system with
  the same seed: the same indices);
* the interval is the percentile interval of the R resampled statistics: the sorted values at
  positions k and R - k - 1, k = floor(R * (1 - confidence) / 2) (sacrebleu's `estimate_ci`,
  95%: k = R // 40); sacrebleu prints it as the resamples' mean +- half its width;
* the paired p-value is sacrebleu's `_paired_bs_test`: with d* = |stat_B* - stat_A*| over the
  resamples and d = |stat_B - stat_A| on the data, p = (#{d* - mean(d*) > d} + 1) / (R + 1);
  one departure: d = 0 gives p = 1 (sacrebleu's formula gives 1 / (R + 1) to two identical
  systems, which would mark as significant a comparison with no difference at all).

BLEU and chrF corpus scores use sacrebleu itself (`sacrebleu_intervals`, `sacrebleu_paired`):
its sufficient statistics, its resampling and its score function, with the seed passed as
sacrebleu reads it (SACREBLEU_SEED). tests/unit/test_bootstrap.py checks both against
sacrebleu's command line (`sacrebleu REF -i A B --paired-bs`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from codepeft.config import schema_defaults

#: the stats.bootstrap keys and their schema defaults (workflow/schemas/stats.schema.yaml)
DEFAULTS = schema_defaults("stats", "bootstrap")
#: sacrebleu's corpus metrics whose intervals and paired tests come from sacrebleu, by the
#: name of the per-instance measure they correspond to in the surface table
SACREBLEU_METRICS = {"bleu_sacre": "BLEU", "chrf": "chrF"}


@dataclass(frozen=True)
class Bootstrap:
    """How to resample: `resamples` (R), the RNG `seed`, the interval's `confidence`."""

    resamples: int = DEFAULTS["resamples"]
    seed: int = DEFAULTS["seed"]
    confidence: float = DEFAULTS["confidence"]

    @classmethod
    def from_section(cls, stats_section: Mapping | None) -> Bootstrap:
        """The settings of a `stats` section (keys it lacks: the schema's defaults)."""
        given = {**DEFAULTS, **((stats_section or {}).get("bootstrap") or {})}
        return cls(int(given["resamples"]), int(given["seed"]), float(given["confidence"]))

    def describe(self) -> str:
        return f"{self.resamples} resamples, seed {self.seed}, {self.confidence:g} interval"


@dataclass(frozen=True)
class Interval:
    """A statistic on the data (`estimate`), its bootstrap interval [low, high] and the mean of
    the resampled statistics (`boot_mean`, sacrebleu's mu); `n` instances."""

    estimate: float
    low: float
    high: float
    boot_mean: float
    n: int

    @property
    def half_width(self) -> float:
        """sacrebleu's `± CI`: half the width of the percentile interval."""
        return 0.5 * (self.high - self.low)


NAN_INTERVAL = Interval(math.nan, math.nan, math.nan, math.nan, 0)


def resample_indices(n: int, settings: Bootstrap) -> np.ndarray:
    """(R, n) instance indices, drawn as sacrebleu draws them."""
    rng = np.random.default_rng(settings.seed)
    return rng.choice(n, size=(settings.resamples, n), replace=True)


@lru_cache(maxsize=16)
def resample_counts(n: int, settings: Bootstrap) -> np.ndarray:
    """(R, n): how often each instance is drawn in each resample (the same indices as
    `resample_indices`; counts @ per-instance statistics = the resamples' sums). Cached: every
    table of n instances is resampled with the same indices, as sacrebleu does."""
    idx = resample_indices(n, settings)
    offsets = np.arange(settings.resamples)[:, None] * n
    counts = np.bincount((idx + offsets).ravel(), minlength=settings.resamples * n)
    counts = counts.reshape(settings.resamples, n).astype(np.float64)
    counts.setflags(write=False)
    return counts


def bounds(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    """The percentile interval of resampled statistics (sacrebleu's `estimate_ci` positions)."""
    ordered = np.sort(np.asarray(samples, dtype=float))
    k = int(math.floor(len(ordered) * (1.0 - confidence) / 2.0 + 1e-9))
    return float(ordered[k]), float(ordered[len(ordered) - k - 1])


def resampled(stats: np.ndarray, statistic: Callable, settings: Bootstrap) -> np.ndarray:
    """`statistic` of the summed per-instance `stats` ((n, k) -> sums (R, k)) per resample."""
    stats = np.asarray(stats, dtype=np.float64)
    return np.asarray(statistic(resample_counts(stats.shape[0], settings) @ stats), dtype=float)


def interval(stats: np.ndarray, statistic: Callable, settings: Bootstrap) -> Interval:
    """The bootstrap interval of a corpus statistic computed from summed per-instance
    statistics: `stats` (n, k), `statistic` maps sums (m, k) to m values (vectorised)."""
    stats = np.asarray(stats, dtype=np.float64)
    if stats.shape[0] == 0:
        return NAN_INTERVAL
    estimate = float(np.asarray(statistic(stats.sum(axis=0)[None, :]), dtype=float)[0])
    samples = resampled(stats, statistic, settings)
    low, high = bounds(samples, settings.confidence)
    return Interval(estimate, low, high, float(np.mean(samples)), int(stats.shape[0]))


def mean_stats(values) -> np.ndarray:
    """(n, 2) per-instance statistics of a mean over the values present: (value or 0, 1 if
    present). A missing value (NaN) leaves the mean's numerator and denominator alike."""
    values = np.asarray(values, dtype=float)
    present = ~np.isnan(values)
    return np.column_stack([np.where(present, values, 0.0), present.astype(float)])


def ratio(sums: np.ndarray) -> np.ndarray:
    """sums[:, 0] / sums[:, 1] (NaN where a resample drew no value)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums[:, 0] / sums[:, 1]


def mean_interval(values, settings: Bootstrap) -> Interval:
    """The mean of the values present and its bootstrap interval (a proportion for 0/1)."""
    values = np.asarray(values, dtype=float)
    if not np.any(~np.isnan(values)):
        return Interval(math.nan, math.nan, math.nan, math.nan, int(values.size))
    samples = ratio(resampled(mean_stats(values), lambda s: s, settings))
    samples = samples[~np.isnan(samples)]  # a resample without a value has no mean
    low, high = bounds(samples, settings.confidence)
    return Interval(float(np.nanmean(values)), low, high, float(np.mean(samples)), int(values.size))


def p_value(samples_a: np.ndarray, samples_b: np.ndarray, observed: float) -> float:
    """sacrebleu's paired-bootstrap p-value from the two sides' resampled statistics and the
    observed |B - A|; except that no observed difference gives p = 1 (sacrebleu's strict `>`
    gives 1 / (R + 1), "significant", for two identical systems)."""
    if observed == 0:
        return 1.0
    diffs = np.abs(np.asarray(samples_b, dtype=float) - np.asarray(samples_a, dtype=float))
    centred = diffs - diffs.mean()
    return float((np.sum(centred > observed) + 1) / (len(diffs) + 1))


def paired_mean_test(a, b, settings: Bootstrap) -> dict:
    """Paired bootstrap of two aligned vectors (complete pairs): each side's mean interval
    and the p-value of the difference of the means (the same resampled indices for both)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.size == 0:
        return bootstrap_columns(NAN_INTERVAL, NAN_INTERVAL, math.nan)
    both = np.column_stack([a, b])
    sums = resample_counts(a.size, settings) @ both
    samples_a, samples_b = sums[:, 0] / a.size, sums[:, 1] / a.size
    ia = Interval(float(a.mean()), *bounds(samples_a, settings.confidence),
                  float(samples_a.mean()), int(a.size))  # fmt: skip
    ib = Interval(float(b.mean()), *bounds(samples_b, settings.confidence),
                  float(samples_b.mean()), int(b.size))  # fmt: skip
    p = p_value(samples_a, samples_b, abs(ib.estimate - ia.estimate))
    return bootstrap_columns(ia, ib, p)


#: the columns the bootstrap adds to a stats row (codepeft.stats.run.ROW_COLUMNS)
ROW_COLUMNS = ("ci_a_low", "ci_a_high", "ci_b_low", "ci_b_high", "p_boot")


def bootstrap_columns(ia: Interval, ib: Interval, p: float) -> dict:
    return dict(ci_a_low=ia.low, ci_a_high=ia.high, ci_b_low=ib.low, ci_b_high=ib.high, p_boot=p)


# --- sacrebleu's own implementation (BLEU, chrF) -----------------------------------------


@contextmanager
def sacrebleu_seed(seed: int):
    """sacrebleu reads its bootstrap seed from SACREBLEU_SEED: set it for the block."""
    before = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = str(seed)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SACREBLEU_SEED", None)
        else:
            os.environ["SACREBLEU_SEED"] = before


def sacrebleu_metric(name: str):
    """A fresh sacrebleu metric as the surface stage computes its corpus score
    (codepeft.metrics.bleu.bleu_sacre_corpus, codepeft.metrics.chrf.chrf_corpus)."""
    # lazy: sacrebleu takes ~0.1 s and only the intervals job needs it
    from sacrebleu.metrics import BLEU, CHRF

    if name == "BLEU":
        return BLEU(force=True)
    if name == "chrF":
        return CHRF()
    raise ValueError(f"no sacrebleu metric {name!r} (known: BLEU, chrF)")


def sacrebleu_intervals(
    hypotheses: Sequence[str],
    references: Sequence[str],
    settings: Bootstrap,
    metrics=("BLEU", "chrF"),
) -> dict[str, Interval]:
    """Corpus BLEU / chrF (in [0, 1]) with sacrebleu's bootstrap: its statistics, its
    resampling (`_bootstrap_resample`) and our `bounds` at the configured confidence (at 0.95
    the values sacrebleu's `estimate_ci` takes)."""
    # lazy: sacrebleu takes ~0.1 s and only the intervals job needs it
    from sacrebleu.significance import _bootstrap_resample

    out = {}
    for name in metrics:
        metric = sacrebleu_metric(name)
        if not hypotheses:
            out[name] = NAN_INTERVAL
            continue
        stats = metric._extract_corpus_statistics(list(hypotheses), [list(references)])
        score = metric._aggregate_and_compute(stats).score
        with sacrebleu_seed(settings.seed):
            _, scores = _bootstrap_resample(stats, metric, settings.resamples)
        samples = np.array([s.score for s in scores], dtype=float)
        low, high = bounds(samples, settings.confidence)
        out[name] = Interval(
            score / 100, low / 100, high / 100, float(samples.mean()) / 100, len(hypotheses)
        )
    return out


def sacrebleu_paired(
    hypotheses_a: Sequence[str],
    hypotheses_b: Sequence[str],
    references: Sequence[str],
    settings: Bootstrap,
    metrics=("BLEU", "chrF"),
) -> dict[str, dict]:
    """sacrebleu's paired bootstrap (`PairedTest(test_type="bs")`, A the baseline): per metric
    the two corpus scores (in [0, 1]) and the p-value."""
    # lazy: sacrebleu takes ~0.1 s and only the intervals job needs it
    from sacrebleu.significance import PairedTest

    out = {}
    if not references:
        return {name: dict(score_a=math.nan, score_b=math.nan, p=math.nan) for name in metrics}
    with sacrebleu_seed(settings.seed):
        test = PairedTest(
            [("a", list(hypotheses_a)), ("b", list(hypotheses_b))],
            {name: sacrebleu_metric(name) for name in metrics},
            references=[list(references)],
            test_type="bs",
            n_samples=settings.resamples,
        )
        _, scores = test()
    for key, (base, system) in ((k, v) for k, v in scores.items() if k != "System"):
        name = next(m for m in metrics if key.startswith(m))
        out[name] = dict(score_a=base.score / 100, score_b=system.score / 100, p=system.p_value)
    return out
