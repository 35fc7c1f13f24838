"""Cross-check codepeft.stats against R itself (mcnemar.test, wilcox.test, p.adjust) on random
data, in one Rscript call. Skips without Rscript (scripts/setup/r.sh installs r-base-core)."""

from __future__ import annotations

import csv
import math
import shutil
import subprocess

import numpy as np
import pytest

from codepeft import stats as st

RSCRIPT = shutil.which("Rscript")
pytestmark = pytest.mark.skipif(
    RSCRIPT is None, reason="Rscript not installed (scripts/setup/r.sh)"
)

R_CODE = r"""
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
out <- data.frame()
for (s in unique(d$set)) {
  x <- d$x[d$set == s]; y <- d$y[d$set == s]; kind <- d$kind[d$set == s][1]
  if (kind == "binary") {
    r <- mcnemar.test(table(factor(x, levels = c(0, 1)), factor(y, levels = c(0, 1))), correct = TRUE)
  } else {
    r <- wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = FALSE)
  }
  out <- rbind(out, data.frame(set = s, statistic = unname(r$statistic), p = r$p.value))
}
out$holm <- p.adjust(out$p, "holm")
out$bh <- p.adjust(out$p, "BH")
write.csv(out, args[2], row.names = FALSE)
"""


def _datasets():
    rng = np.random.default_rng(20260601)
    sets = []
    for _ in range(12):  # binary: varied discordance, including symmetric and |b-c| = 1 tables
        n = int(rng.integers(10, 200))
        x = rng.random(n) < rng.uniform(0.1, 0.6)
        flip = rng.random(n) < rng.uniform(0.0, 0.3)
        sets.append(("binary", x.astype(int), np.where(flip, ~x, x).astype(int)))
    sets.append(("binary", np.array([1, 0, 1, 0]), np.array([1, 0, 1, 0])))  # no discordant pair
    sets.append(("binary", np.array([1, 0, 1, 0, 1, 0]), np.array([0, 1, 0, 1, 1, 0])))  # b == c
    for k in range(14):  # continuous: ties (rounded scores), zeros, metric-like values
        n = int(rng.integers(8, 300))
        x = rng.normal(size=n)
        y = x + rng.normal(0.1 * (k % 3), 0.5, size=n)
        if k % 2:
            x, y = np.round(x, 1), np.round(y, 1)
        sets.append(("continuous", x, y))
    sets.append(("continuous", np.array([1.0, 2, 3]), np.array([1.0, 2, 3])))  # all zero
    return sets


def test_against_r(tmp_path):
    sets = _datasets()
    data = tmp_path / "data.csv"
    with open(data, "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["set", "kind", "x", "y"])
        for s, (kind, x, y) in enumerate(sets):
            for a, b in zip(x, y, strict=True):
                w.writerow([s, kind, repr(float(a)), repr(float(b))])
    script = tmp_path / "check.R"
    script.write_text(R_CODE)
    out = tmp_path / "out.csv"
    subprocess.run(
        [RSCRIPT, str(script), str(data), str(out)], check=True, capture_output=True, timeout=120
    )
    with open(out) as handle:
        r_rows = list(csv.DictReader(handle))
    assert len(r_rows) == len(sets)

    def num(v):
        return math.nan if v in ("NA", "NaN", "") else float(v)

    ours_p = []
    for (kind, x, y), r in zip(sets, r_rows, strict=True):
        res = st.mcnemar(x, y) if kind == "binary" else st.wilcoxon_paired(x, y)
        ours_p.append(res.p)
        for ours, theirs in ((res.statistic, num(r["statistic"])), (res.p, num(r["p"]))):
            if math.isnan(theirs):
                assert math.isnan(ours), (kind, r)
            else:
                assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-300), (kind, r)
    for method, col in (("holm", "holm"), ("bh", "bh")):
        adj = st.p_adjust(ours_p, method)
        for ours, r in zip(adj, r_rows, strict=True):
            theirs = num(r[col])
            assert (math.isnan(ours) and math.isnan(theirs)) or ours == pytest.approx(
                theirs, rel=1e-9
            )
