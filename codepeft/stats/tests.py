"""Paired tests, effect sizes and multiple-comparison correction, equal to the R calls of the paper.

Every function here is pure (arrays in, plain dataclasses out) and documented with the R call it
reproduces; `docs/statistics.md` explains the choices. Summary:

* `mcnemar(a, b)`           == R ``mcnemar.test(table(a, b), correct=TRUE)`` (continuity
  correction applied only when the discordant counts differ, as R does); ``exact=True`` gives
  the exact binomial (two-sided) test on the discordant pairs, == ``binom.test(b, b + c)``.
  Odds ratio = (A_only + 0.5) / (B_only + 0.5), as the paper.
* `wilcoxon_paired(x, y)`   == R ``wilcox.test(x, y, paired=TRUE, exact=FALSE, correct=FALSE)``:
  zero differences dropped, mid-ranks for ties, normal approximation with tie correction, no
  continuity correction; V = sum of ranks of positive differences (x - y > 0).
* `cliffs_delta(a, b)`      == R ``effsize::cliff.delta(a, b)`` (two independent groups,
  unbiased variance, Student-t CI with n1+n2-2 df, Feng & Cliff asymmetric interval).
  ``algorithm="effsize"`` (default) reproduces effsize's row-partitioning computation
  bit-for-bit, including how it treats values of ``b`` above every value of ``a`` (which
  changes the CI, never the estimate); ``algorithm="exact"`` computes the full dominance
  matrix's statistics (from counts, in O(n log n)).
* `p_adjust(p, method)`     == R ``p.adjust(p, "holm" | "BH" | "none")``; NaN p-values are left
  out of the family (the family size is the number of non-missing p-values), as R does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np

MAGNITUDE_THRESHOLDS = (0.147, 0.33, 0.474)  # Hess & Kromrey (2004), as effsize
MAGNITUDE_LABELS = ("negligible", "small", "medium", "large")


def _sps():
    """scipy.stats, imported on first use."""
    # lazy: scipy.stats takes ~1 s; the DAG build imports this package (via stats.plan)
    from scipy import stats

    return stats


# ----------------------------------------------------------------------------- McNemar


@dataclass
class McNemarResult:
    both: int  # A and B true
    a_only: int  # A true, B false
    b_only: int  # A false, B true
    neither: int
    statistic: float  # chi-squared (NaN for the exact test)
    p: float
    odds_ratio: float  # (a_only + 0.5) / (b_only + 0.5)
    test: str
    note: str = ""

    def asdict(self) -> dict:
        return asdict(self)


def contingency(a: Sequence, b: Sequence) -> tuple[int, int, int, int]:
    """(both, a_only, b_only, neither) of two paired boolean vectors."""
    a = np.asarray(a, dtype=bool)
    b = np.asarray(b, dtype=bool)
    if a.shape != b.shape:
        raise ValueError(f"paired vectors differ in length: {a.shape} vs {b.shape}")
    return (
        int(np.sum(a & b)),
        int(np.sum(a & ~b)),
        int(np.sum(~a & b)),
        int(np.sum(~a & ~b)),
    )


def mcnemar_from_counts(
    both: int, a_only: int, b_only: int, neither: int, exact: bool = False
) -> McNemarResult:
    """McNemar's test on a 2x2 table (see module docstring for the R equivalents).

    R's ``mcnemar.test(correct=TRUE)`` applies the continuity correction only when the table is
    not symmetric (``a_only != b_only``): with ``a_only == b_only > 0`` the statistic is 0 and
    p = 1. With no discordant pair (``a_only + b_only == 0``) R returns NaN (0/0); so do we,
    with a note.
    """
    odds = (a_only + 0.5) / (b_only + 0.5)
    n_disc = a_only + b_only
    if exact:
        if n_disc == 0:
            return McNemarResult(
                both,
                a_only,
                b_only,
                neither,
                math.nan,
                math.nan,
                odds,
                "mcnemar_exact",
                "no discordant pairs: test undefined",
            )
        p = float(_sps().binomtest(a_only, n_disc, 0.5, alternative="two-sided").pvalue)
        return McNemarResult(both, a_only, b_only, neither, math.nan, p, odds, "mcnemar_exact")
    if n_disc == 0:
        return McNemarResult(
            both,
            a_only,
            b_only,
            neither,
            math.nan,
            math.nan,
            odds,
            "mcnemar",
            "no discordant pairs: statistic 0/0 (R: NaN)",
        )
    diff = abs(a_only - b_only)
    if diff != 0:
        diff -= 1  # continuity correction (R applies it only to an asymmetric table)
    statistic = diff * diff / n_disc
    p = float(_sps().chi2.sf(statistic, 1))
    return McNemarResult(both, a_only, b_only, neither, float(statistic), p, odds, "mcnemar")


def mcnemar(a: Sequence, b: Sequence, exact: bool = False) -> McNemarResult:
    """McNemar's test on two paired binary vectors (truthy = success)."""
    return mcnemar_from_counts(*contingency(a, b), exact=exact)


# ----------------------------------------------------------------------------- Wilcoxon


@dataclass
class WilcoxonResult:
    statistic: float  # R's V: sum of the ranks of the positive differences x - y
    p: float
    n: int  # pairs used (non-zero differences)
    n_zero: int  # zero differences dropped
    z: float
    test: str = "wilcoxon"
    note: str = ""

    def asdict(self) -> dict:
        return asdict(self)


def wilcoxon_paired(x: Sequence[float], y: Sequence[float]) -> WilcoxonResult:
    """Paired Wilcoxon signed-rank test, normal approximation, as R's
    ``wilcox.test(x, y, paired=TRUE, exact=FALSE, correct=FALSE)``.

    Pairs with a missing value must be removed by the caller (R removes them too).
    All differences zero: R's statistic is V = 0 and its z is 0/0, so p is NaN; we return NaN
    with a note, and `p_adjust` leaves such a p-value out of its family (as R's p.adjust does).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired vectors differ in length: {x.shape} vs {y.shape}")
    if np.isnan(x).any() or np.isnan(y).any():
        raise ValueError("missing values: drop incomplete pairs before the test")
    d = x - y
    n_zero = int(np.sum(d == 0))
    d = d[d != 0]
    n = int(d.size)
    if n == 0:
        return WilcoxonResult(
            0.0,
            math.nan,
            0,
            n_zero,
            math.nan,
            note="all differences are zero: p undefined (R: NaN)",
        )
    ranks = _sps().rankdata(np.abs(d), method="average")
    v = float(np.sum(ranks[d > 0]))
    _, tie_counts = np.unique(np.abs(d), return_counts=True)
    tie_counts = tie_counts.astype(float)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24.0 - np.sum(tie_counts**3 - tie_counts) / 48.0)
    z_num = v - n * (n + 1) / 4.0
    if sigma == 0:
        return WilcoxonResult(
            v, math.nan, n, n_zero, math.nan, note="zero variance: p undefined (R: NaN)"
        )
    z = z_num / sigma
    p = float(2.0 * min(_sps().norm.cdf(z), _sps().norm.sf(z)))
    return WilcoxonResult(v, min(p, 1.0), n, n_zero, float(z))


# ----------------------------------------------------------------------------- Cliff's delta


@dataclass
class CliffResult:
    estimate: float
    lower: float
    upper: float
    variance: float
    magnitude: str
    conf_level: float
    algorithm: str
    note: str = ""

    def asdict(self) -> dict:
        return asdict(self)


def magnitude(delta: float) -> str:
    """negligible < 0.147 <= small < 0.33 <= medium < 0.474 <= large (effsize's findInterval)."""
    if delta is None or math.isnan(delta):
        return ""
    return MAGNITUDE_LABELS[int(np.searchsorted(MAGNITUDE_THRESHOLDS, abs(delta), side="right"))]


def _effsize_partition(x: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each x, (position of the last a < x, position of the first a > x), 1-based, in `a`
    sorted ascending, as effsize's vectorised binary search finds them.

    The search moves every element at every step until all have converged; an element above
    every value of `a` that converged early is pushed one step past the end (to n + 1). effsize
    repairs that for its first call (`a` = control) but not for its second (`a` = treatment), and
    the CI of the package depends on it; we reproduce the search step by step.
    """
    n = a.size
    padded = np.concatenate(([np.nan], a, [np.nan, np.nan]))  # 1-based; 0 and n+1.. are NA

    def at(idx: np.ndarray) -> np.ndarray:
        return padded[np.clip(idx, 0, n + 2)]

    low = np.ones(x.size, dtype=np.int64)
    high = np.full(x.size, n, dtype=np.int64)
    while True:
        mid = (low + high) // 2
        go_left = x <= at(mid)
        high = np.where(go_left, mid, high)
        low = np.where(go_left, low, mid + 1)
        if np.all(high <= low):
            break
    # effsize then walks through runs of equal values one step at a time; on sorted `a` the
    # walks end where searchsorted says, so we jump there (same result, no O(n^2) on ties)
    inside = (low >= 1) & (low <= n)
    value_at_low = at(low)
    high = np.where(inside & (value_at_low == x), np.searchsorted(a, x, side="right") + 1, low)
    low = np.where(inside & (value_at_low >= x), np.searchsorted(a, x, side="left"), low)
    same = high == low
    high[same] = low[same] + 1
    high = np.minimum(high, n + 1)
    return low, high


def cliffs_delta(
    a: Sequence[float],
    b: Sequence[float],
    conf_level: float = 0.95,
    algorithm: Literal["effsize", "exact"] = "effsize",
) -> CliffResult:
    """Cliff's delta of `a` against `b` (positive: `a` tends to be larger), with its CI.

    Equal to R ``effsize::cliff.delta(a, b, conf.level=conf_level)`` (defaults
    ``use.unbiased=TRUE, use.normal=FALSE``): the two vectors are treated as independent
    groups, which is what the paper did with its paired vectors. Missing values are dropped
    from each vector separately (R's ``sort`` drops them).
    """
    if not 0.5 <= conf_level <= 0.9999:
        raise ValueError("conf_level must be within 0.5 and 0.9999")
    t = np.sort(np.asarray(a, dtype=float))
    c = np.sort(np.asarray(b, dtype=float))
    t = t[~np.isnan(t)]
    c = c[~np.isnan(c)]
    n1, n2 = t.size, c.size
    if n1 + n2 < 3 or n1 < 2 or n2 < 2:
        return CliffResult(
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            "",
            conf_level,
            algorithm,
            "too few values for Cliff's delta and its CI",
        )
    cells = float(n1) * n2
    rescale = (cells - 1) / cells
    if algorithm == "exact":
        # the full dominance matrix's row/column means and squared deviations, from counts
        # (O(n log n) time, O(n) memory)
        c_less = np.searchsorted(c, t, side="left")  # per A value: B values below it
        c_greater = n2 - np.searchsorted(c, t, side="right")
        d_i = (c_less - c_greater) / n2
        t_less = np.searchsorted(t, c, side="left")
        t_greater = n1 - np.searchsorted(t, c, side="right")
        d_j = (t_greater - t_less) / n1
        d = float(d_i.mean())
        d_ = d * rescale if abs(d) == 1 else d
        n_pos, n_neg = float(c_less.sum()), float(c_greater.sum())
        ssr = n_pos * (1 - d_) ** 2 + (cells - n_pos - n_neg) * d_**2 + n_neg * (1 + d_) ** 2
    elif algorithm == "effsize":
        below, first_above = _effsize_partition(t, c)
        n_above = n2 - first_above + 1
        below = np.where(below > n2, n2, below)
        d_i = (below - n_above) / n2
        d = float(d_i.mean())
        d_ = d * rescale if abs(d) == 1 else d
        pb = float(below.sum())
        pa = float(n_above.sum())
        below2, first_above2 = _effsize_partition(c, t)
        n_above2 = n1 - first_above2 + 1
        n_above2 = np.where(below2 > n1, n1, n_above2)  # effsize repairs the wrong column here
        d_j = (n_above2 - below2) / n1
        ssr = pb * (1 - d_) ** 2 + (cells - pa - pb) * d_**2 + pa * (1 + d_) ** 2
    else:
        raise ValueError(f"unknown Cliff's delta algorithm {algorithm!r}")
    s_d = (n2**2 * np.sum((d_i - d_) ** 2) + n1**2 * np.sum((d_j - d_) ** 2) - ssr) / (
        cells * (n1 - 1) * (n2 - 1)
    )
    s_d = float(s_d)
    z = float(-_sps().t.ppf((1 - conf_level) / 2, n1 + n2 - 2))
    note = ""
    if s_d < 0:  # rounding on identical samples; R would give NaN from sqrt of a negative
        note = "negative variance estimate (R: NaN CI)"
        lower = upper = math.nan
    else:
        half = z * math.sqrt(s_d) * math.sqrt((1 - d_**2) ** 2 + z**2 * s_d)
        denom = 1 - d_**2 + z**2 * s_d
        lower = (d_ - d_**3 - half) / denom
        upper = (d_ - d_**3 + half) / denom
    if d == 1:
        upper = 1.0
    if d == -1:
        lower = -1.0
    if abs(d) == 1:
        note = "samples fully disjoint: approximate CI (effsize warns)"
    return CliffResult(
        d, float(lower), float(upper), s_d, magnitude(d), conf_level, algorithm, note
    )


# ----------------------------------------------------------------------------- adjustment

ADJUST_METHODS = ("holm", "bh", "none")


def p_adjust(p: Sequence[float], method: str = "holm") -> np.ndarray:
    """R's ``p.adjust``: 'holm', 'bh' (Benjamini-Hochberg, R's "BH"/"fdr") or 'none'.

    NaN entries stay NaN and do not count in the family size (R's ``p.adjust`` drops NAs)."""
    method = method.lower()
    if method == "fdr":
        method = "bh"
    if method not in ADJUST_METHODS:
        raise ValueError(f"unknown adjustment {method!r}; choose one of {ADJUST_METHODS}")
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if m == 0:
        return out
    if method == "none":
        adj = q.copy()
    elif method == "holm":
        order = np.argsort(q, kind="stable")
        scaled = (m - np.arange(m)) * q[order]
        adj_sorted = np.minimum(1.0, np.maximum.accumulate(scaled))
        adj = np.empty(m)
        adj[order] = adj_sorted
    else:  # bh
        order = np.argsort(q, kind="stable")[::-1]  # decreasing
        ranks = np.arange(m, 0, -1)
        scaled = m / ranks * q[order]
        adj_sorted = np.minimum(1.0, np.minimum.accumulate(scaled))
        adj = np.empty(m)
        adj[order] = adj_sorted
    out[ok] = adj
    return out


# ----------------------------------------------------------------------------- pairing


@dataclass
class Paired:
    """Two value vectors aligned for a paired test, with the bookkeeping of what was left out."""

    ids: list[str]
    a: np.ndarray
    b: np.ndarray
    n_a_only: int = 0  # ids (or rows) present on side A only
    n_b_only: int = 0
    n_missing_a: int = 0  # paired ids whose A value is missing / not computed
    n_missing_b: int = 0
    a_all: np.ndarray = field(default_factory=lambda: np.array([]))  # every non-missing A value
    b_all: np.ndarray = field(default_factory=lambda: np.array([]))

    @property
    def n_paired(self) -> int:
        return int(self.a.size)


def pair_values(
    a_ids: Sequence[str],
    a_values: Sequence[float],
    b_ids: Sequence[str],
    b_values: Sequence[float],
    pair_by: Literal["id", "position"] = "id",
) -> Paired:
    """Align two per-instance vectors. Missing values are NaN.

    ``pair_by="id"``: join on id (ids must be unique on each side); ``"position"``: row i with
    row i (the paper's summarization quirk); surplus rows count as one-sided. Pairs where
    either value is missing are excluded and counted.
    """
    a_vals = np.asarray(a_values, dtype=float)
    b_vals = np.asarray(b_values, dtype=float)
    a_ids = [str(i) for i in a_ids]
    b_ids = [str(i) for i in b_ids]
    if pair_by == "id":
        for side, ids in (("A", a_ids), ("B", b_ids)):
            if len(set(ids)) != len(ids):
                dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
                raise ValueError(f"side {side}: duplicate ids {dup}; pair by id needs unique ids")
        b_index = {i: k for k, i in enumerate(b_ids)}
        common = [(ka, b_index[i]) for ka, i in enumerate(a_ids) if i in b_index]
        ids = [a_ids[ka] for ka, _ in common]
        a_sel = a_vals[[ka for ka, _ in common]] if common else np.array([])
        b_sel = b_vals[[kb for _, kb in common]] if common else np.array([])
        n_a_only = len(a_ids) - len(common)
        n_b_only = len(b_ids) - len(common)
    elif pair_by == "position":
        n = min(len(a_ids), len(b_ids))
        ids = [a_ids[k] if a_ids[k] == b_ids[k] else f"{a_ids[k]}|{b_ids[k]}" for k in range(n)]
        a_sel, b_sel = a_vals[:n], b_vals[:n]
        n_a_only, n_b_only = len(a_ids) - n, len(b_ids) - n
    else:
        raise ValueError(f"pair_by must be 'id' or 'position', not {pair_by!r}")
    miss_a = np.isnan(a_sel)
    miss_b = np.isnan(b_sel)
    keep = ~(miss_a | miss_b)
    return Paired(
        ids=[i for i, k in zip(ids, keep, strict=True) if k],
        a=a_sel[keep],
        b=b_sel[keep],
        n_a_only=n_a_only,
        n_b_only=n_b_only,
        n_missing_a=int(miss_a.sum()),
        n_missing_b=int(miss_b.sum()),
        a_all=a_vals[~np.isnan(a_vals)],
        b_all=b_vals[~np.isnan(b_vals)],
    )


# ----------------------------------------------------------------------------- one comparison

TESTS = ("wilcoxon", "mcnemar", "mcnemar_exact")


def compare(
    paired: Paired,
    test: str = "wilcoxon",
    conf_level: float = 0.95,
    cliff_algorithm: str = "effsize",
    cliff_on: Literal["paired", "all"] = "paired",
    both_constant: Literal["test", "na"] = "test",
) -> dict:
    """Run one paired test on aligned values and return one flat result row (no adjustment).

    ``cliff_on="all"`` computes Cliff's delta on every non-missing value of each side (what R
    does when it is handed the raw columns); "paired" (default) on the paired values only.
    ``both_constant="na"``: when each side's paired values are constant, the Wilcoxon p-value
    is NA without running the test (the package's ``is_constant(x) & is_constant(y)`` guard,
    e.g. ``rq1_cs_java_st_vs_mt_wilcoxon.R:34-43``), so the row leaves its adjustment family;
    "test" (default) runs the test, which gives NA only when every difference is zero and a
    p-value when the two constants differ.
    """
    if both_constant not in ("test", "na"):
        raise ValueError(f"both_constant must be 'test' or 'na', not {both_constant!r}")
    row: dict = {
        "test": test,
        "n_paired": paired.n_paired,
        "n_a_only": paired.n_a_only,
        "n_b_only": paired.n_b_only,
        "n_missing_a": paired.n_missing_a,
        "n_missing_b": paired.n_missing_b,
        "mean_a": float(np.mean(paired.a)) if paired.n_paired else math.nan,
        "mean_b": float(np.mean(paired.b)) if paired.n_paired else math.nan,
    }
    notes = []
    if test in ("mcnemar", "mcnemar_exact"):
        bad = ~np.isin(paired.a, (0.0, 1.0)) | ~np.isin(paired.b, (0.0, 1.0))
        if bad.any():
            raise ValueError("McNemar needs binary (0/1) values")
        res = mcnemar(paired.a.astype(bool), paired.b.astype(bool), exact=test == "mcnemar_exact")
        row.update(
            both=res.both,
            a_only=res.a_only,
            b_only=res.b_only,
            neither=res.neither,
            statistic=res.statistic,
            p=res.p,
            effect=res.odds_ratio,
            effect_name="odds_ratio",
            ci_low=math.nan,
            ci_high=math.nan,
            magnitude="",
        )
        if res.note and paired.n_paired:
            notes.append(res.note)
    elif test == "wilcoxon":
        if paired.n_paired == 0:
            res = WilcoxonResult(math.nan, math.nan, 0, 0, math.nan)
        else:
            res = wilcoxon_paired(paired.a, paired.b)
            if (
                both_constant == "na"
                and np.unique(paired.a).size == 1
                and np.unique(paired.b).size == 1
                and not math.isnan(res.p)
            ):
                res.p, res.z = math.nan, math.nan
                res.note = "both samples constant: p = NA (stats.both_constant: na)"
        a_eff, b_eff = (paired.a_all, paired.b_all) if cliff_on == "all" else (paired.a, paired.b)
        cl = cliffs_delta(a_eff, b_eff, conf_level=conf_level, algorithm=cliff_algorithm)
        row.update(
            both=None,
            a_only=None,
            b_only=None,
            neither=None,
            n_zero_diff=res.n_zero,
            statistic=res.statistic,
            p=res.p,
            effect=cl.estimate,
            effect_name="cliffs_delta",
            ci_low=cl.lower,
            ci_high=cl.upper,
            magnitude=cl.magnitude,
        )
        notes += [n for n in (res.note, cl.note if paired.n_paired else "") if n]
    else:
        raise ValueError(f"unknown test {test!r}; choose one of {TESTS}")
    if not paired.n_paired:
        notes.insert(
            0,
            f"no complete pairs: values missing (not computed) for {paired.n_missing_a} A and "
            f"{paired.n_missing_b} B ids",
        )
    if paired.n_a_only or paired.n_b_only:
        notes.append(f"one-sided ids: {paired.n_a_only} A only, {paired.n_b_only} B only")
    row["note"] = "; ".join(notes)
    return row


def adjust_rows(rows: list[dict], group_keys: Sequence[str], method: str) -> None:
    """Set ``p_adj`` (and ``adjust``, ``adjust_family``, ``family_size``) on rows in place:
    rows sharing the values of `group_keys` (and the same test kind) form one family."""
    families: dict[tuple, list[int]] = {}
    for k, row in enumerate(rows):
        kind = "binary" if str(row.get("test", "")).startswith("mcnemar") else "continuous"
        key = (kind,) + tuple(str(row.get(g, "")) for g in group_keys)
        families.setdefault(key, []).append(k)
    for key, members in families.items():
        adj = p_adjust([rows[k]["p"] for k in members], method)
        size = int(sum(not math.isnan(rows[k]["p"]) for k in members))
        label = "/".join(
            f"{g}={v}" for g, v in zip(("kind",) + tuple(group_keys), key, strict=True)
        )
        for k, value in zip(members, adj, strict=True):
            rows[k]["p_adj"] = float(value)
            rows[k]["adjust"] = method
            rows[k]["adjust_family"] = label
            rows[k]["family_size"] = size
