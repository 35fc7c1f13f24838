"""Bootstrap intervals and paired-bootstrap p-values (codepeft.stats.bootstrap) against
sacrebleu's own command line (`sacrebleu REF -i A B --paired-bs`) on the same files."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from codepeft.stats import bootstrap as bs

SACREBLEU = Path(sys.executable).with_name("sacrebleu")
WORDS = (
    "the a of to in and is for on that with as by it this be are from or an get set return "
    "value list file name path node key item index count size data user error type"
).split()


def _corpus(n: int = 150, seed: int = 3):
    """A reference corpus and two systems close enough for a non-trivial p-value."""
    rng = random.Random(seed)
    refs, a, b = [], [], []
    for _ in range(n):
        ref = [rng.choice(WORDS) for _ in range(rng.randint(4, 14))]
        refs.append(" ".join(ref))
        a.append(" ".join(w if rng.random() < 0.64 else rng.choice(WORDS) for w in ref))
        b.append(" ".join(w if rng.random() < 0.65 else rng.choice(WORDS) for w in ref))
    return refs, a, b


def _cli(tmp_path: Path, refs, a, b, resamples: int, seed: int) -> dict:
    """sacrebleu's CLI on files: {(system, metric): (score, mu, ci, p)} (latex table, 4 digits)."""
    for name, lines in (("ref", refs), ("a", a), ("b", b)):
        (tmp_path / f"{name}.txt").write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        [str(SACREBLEU), "ref.txt", "-i", "a.txt", "b.txt", "-m", "bleu", "chrf", "--paired-bs",
         "--paired-bs-n", str(resamples), "-f", "latex", "-w", "4"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
        env={"SACREBLEU_SEED": str(seed), "PATH": "/usr/bin:/bin"},
    ).stdout  # fmt: skip
    cell = re.compile(r"([\d.]+) \(([\d.]+) ± ([\d.]+)\)(?: \(p = ([\d.]+)\))?")
    found = {}
    for line in out.splitlines():
        if "&" not in line or "System" in line:
            continue
        system = "a" if "Baseline" in line else "b"
        for metric, text in zip(("BLEU", "chrF"), line.split("&")[1:], strict=True):
            m = cell.search(text)
            found[(system, metric)] = tuple(None if g is None else float(g) for g in m.groups())
    assert len(found) == 4, out
    return found


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    refs, a, b = _corpus()
    settings = bs.Bootstrap(resamples=1000, seed=2024, confidence=0.95)
    return refs, a, b, settings, _cli(tmp_path_factory.mktemp("sb"), refs, a, b, 1000, 2024)


def test_sacrebleu_wrappers_equal_the_cli(cli_run):
    """Corpus BLEU/chrF, their intervals (mu +- half width) and the paired p: the CLI's digits."""
    refs, a, b, settings, cli = cli_run
    paired = bs.sacrebleu_paired(a, b, refs, settings)
    for system, hyps in (("a", a), ("b", b)):
        ours = bs.sacrebleu_intervals(hyps, refs, settings)
        for metric in ("BLEU", "chrF"):
            score, mu, ci, p = cli[(system, metric)]
            got = ours[metric]
            assert round(got.estimate * 100, 4) == pytest.approx(score, abs=1e-4)
            assert round(got.boot_mean * 100, 4) == pytest.approx(mu, abs=1e-4)
            assert round(got.half_width * 100, 4) == pytest.approx(ci, abs=1e-4)
            if system == "b":
                assert round(paired[metric]["p"], 4) == pytest.approx(p, abs=1e-4)
                assert paired[metric]["score_b"] == pytest.approx(got.estimate)
    # the systems are close: the p-value is neither 0.001 nor 1, so it tests the formula
    assert 0.01 < cli[("b", "BLEU")][3] < 0.9


def _bleu_statistic(metric):
    def score(sums):
        sums = np.asarray(sums, dtype=np.float32)  # sacrebleu sums its float32 statistics
        return np.array([metric._compute_score_from_stats(s).score for s in sums])

    return score


def test_own_implementation_has_sacrebleus_seed_semantics(cli_run):
    """Our numpy bootstrap, fed sacrebleu's sufficient statistics and score function, gives
    the CLI's interval and p-value exactly: the same indices, interval positions and p."""
    refs, a, b, settings, cli = cli_run
    metric = bs.sacrebleu_metric("BLEU")
    stats_a = np.array(metric._extract_corpus_statistics(a, [refs]), dtype=float)
    stats_b = np.array(metric._extract_corpus_statistics(b, [refs]), dtype=float)
    statistic = _bleu_statistic(metric)
    ia = bs.interval(stats_a, statistic, settings)
    ib = bs.interval(stats_b, statistic, settings)
    for system, got in (("a", ia), ("b", ib)):
        score, mu, ci, _ = cli[(system, "BLEU")]
        assert round(got.estimate, 4) == pytest.approx(score, abs=1e-4)
        assert round(got.boot_mean, 4) == pytest.approx(mu, abs=1e-4)
        assert round(got.half_width, 4) == pytest.approx(ci, abs=1e-4)
    samples_a = bs.resampled(stats_a, statistic, settings)
    samples_b = bs.resampled(stats_b, statistic, settings)
    p = bs.p_value(samples_a, samples_b, abs(ib.estimate - ia.estimate))
    assert round(p, 4) == pytest.approx(cli[("b", "BLEU")][3], abs=1e-4)


def test_counts_are_the_resampled_indices():
    settings = bs.Bootstrap(resamples=50, seed=7, confidence=0.95)
    idx = bs.resample_indices(13, settings)
    counts = bs.resample_counts(13, settings)
    assert counts.shape == (50, 13) and (counts.sum(axis=1) == 13).all()
    values = np.random.default_rng(0).random(13)
    np.testing.assert_allclose(counts @ values, values[idx].sum(axis=1))


def test_mean_interval_covers_and_narrows():
    """A 0/1 proportion: the interval holds the estimate, is within [0, 1], and shrinks with n
    (about 1/sqrt(n)); a constant has a zero-width interval; NaNs are left out."""
    settings = bs.Bootstrap()
    rng = np.random.default_rng(1)
    small = bs.mean_interval((rng.random(100) < 0.3).astype(float), settings)
    large = bs.mean_interval((rng.random(1600) < 0.3).astype(float), settings)
    for iv in (small, large):
        assert 0 <= iv.low <= iv.estimate <= iv.high <= 1
    ratio = (small.high - small.low) / (large.high - large.low)
    assert 3 < ratio < 5.5  # sqrt(16) = 4
    const = bs.mean_interval(np.full(20, 0.5), settings)
    assert const.low == const.high == const.estimate == 0.5
    with_nan = bs.mean_interval([1.0, np.nan, 0.0, 1.0], settings)
    assert with_nan.estimate == pytest.approx(2 / 3) and with_nan.n == 4
    assert np.isnan(bs.mean_interval([np.nan, np.nan], settings).estimate)


def test_paired_mean_test_detects_a_shift():
    settings = bs.Bootstrap()
    rng = np.random.default_rng(2)
    a = rng.random(200)
    shifted = bs.paired_mean_test(a, a + 0.1, settings)
    same = bs.paired_mean_test(a, a.copy(), settings)
    assert shifted["p_boot"] < 0.01
    assert same["p_boot"] == 1.0  # no difference: p = 1 (sacrebleu: 1 / (R + 1))
    assert shifted["ci_b_low"] > shifted["ci_a_low"]
    assert shifted["ci_a_low"] <= a.mean() <= shifted["ci_a_high"]
    assert np.isnan(bs.paired_mean_test([], [], settings)["p_boot"])


def test_settings_from_section_fill_the_schemas_defaults():
    settings = bs.Bootstrap.from_section({"bootstrap": {"resamples": 200}})
    assert settings == bs.Bootstrap(200, bs.DEFAULTS["seed"], bs.DEFAULTS["confidence"])
    assert bs.Bootstrap.from_section(None) == bs.Bootstrap()
