"""Unit tests of codepeft.stats: each test against an independent implementation or a value
printed by R's documentation / effsize's test suite."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from codepeft import stats as st
from codepeft.stats import cli as stats_cli

# ----------------------------------------------------------------------------- McNemar


def test_mcnemar_r_documentation_table():
    # R 4.2.2: mcnemar.test(matrix(c(794, 86, 150, 570), nrow = 2)) prints
    # McNemar's chi-squared = 16.818, df = 1, p-value = 4.115e-05
    res = st.mcnemar_from_counts(794, 150, 86, 570)
    assert res.statistic == pytest.approx(16.818, abs=5e-4)
    assert res.p == pytest.approx(4.115e-05, rel=1e-3)
    assert res.odds_ratio == pytest.approx(150.5 / 86.5)


def test_mcnemar_continuity_correction_only_for_asymmetric_tables():
    # R: correct=TRUE applies (|b-c|-1)^2/(b+c) only when b != c; b == c gives statistic 0
    assert st.mcnemar_from_counts(22, 8, 8, 149).statistic == 0.0
    assert st.mcnemar_from_counts(22, 8, 8, 149).p == 1.0
    res = st.mcnemar_from_counts(0, 22, 10, 0)
    assert res.statistic == pytest.approx((12 - 1) ** 2 / 32)
    assert res.p == pytest.approx(sps.chi2.sf((12 - 1) ** 2 / 32, 1))
    # |b - c| = 1: corrected statistic 0
    assert st.mcnemar_from_counts(1, 5, 6, 1).p == 1.0


def test_mcnemar_no_discordant_pairs_is_nan_with_note():
    res = st.mcnemar_from_counts(10, 0, 0, 5)
    assert math.isnan(res.statistic) and math.isnan(res.p)
    assert "no discordant" in res.note
    assert res.odds_ratio == 1.0
    assert math.isnan(st.mcnemar_from_counts(10, 0, 0, 5, exact=True).p)


def test_mcnemar_exact_is_binomial_on_discordant_pairs():
    res = st.mcnemar_from_counts(3, 2, 9, 4, exact=True)
    assert res.p == pytest.approx(sps.binomtest(2, 11, 0.5).pvalue)
    assert res.test == "mcnemar_exact"


def test_mcnemar_from_vectors_counts_cells():
    a = [1, 1, 0, 0, 1, 0, 1]
    b = [1, 0, 1, 0, 0, 0, 1]
    res = st.mcnemar(a, b)
    assert (res.both, res.a_only, res.b_only, res.neither) == (2, 2, 1, 2)


# ----------------------------------------------------------------------------- Wilcoxon


@pytest.mark.parametrize("seed", range(6))
def test_wilcoxon_matches_scipy_with_ties_and_zeros(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 6, size=60).astype(float)  # many ties and zero differences
    y = rng.integers(0, 6, size=60).astype(float) + (seed % 2) * 0.5
    res = st.wilcoxon_paired(x, y)
    ref = sps.wilcoxon(x, y, zero_method="wilcox", correction=False, method="approx")
    assert res.p == pytest.approx(ref.pvalue, rel=1e-12)
    d = x - y
    assert res.n_zero == int(np.sum(d == 0)) and res.n == int(np.sum(d != 0))
    ranks = sps.rankdata(np.abs(d[d != 0]))
    assert res.statistic == pytest.approx(ranks[d[d != 0] > 0].sum())  # R's V


def test_wilcoxon_r_documentation_example():
    # ?wilcox.test depression data: V = 40 (sum of positive ranks); normal approximation by hand
    x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    res = st.wilcoxon_paired(x, y)
    assert res.statistic == 40
    z = (40 - 9 * 10 / 4) / math.sqrt(9 * 10 * 19 / 24)
    assert res.p == pytest.approx(2 * sps.norm.sf(z), rel=1e-12)


def test_wilcoxon_all_zero_differences_is_nan_with_note():
    res = st.wilcoxon_paired([1, 2, 3], [1, 2, 3])
    assert math.isnan(res.p) and res.statistic == 0 and res.n == 0 and res.n_zero == 3
    assert "all differences are zero" in res.note


def test_wilcoxon_refuses_missing_values():
    with pytest.raises(ValueError, match="missing"):
        st.wilcoxon_paired([1.0, np.nan], [2.0, 3.0])


# ----------------------------------------------------------------------------- Cliff's delta


def test_cliffs_delta_effsize_test_suite_values():
    # effsize's own tests: cliff.delta(treatment, control) -> -0.25 (small)
    treatment = [10, 10, 20, 20, 20, 30, 30, 30, 40, 50]
    control = [10, 20, 30, 40, 40, 50]
    res = st.cliffs_delta(treatment, control)
    assert res.estimate == pytest.approx(-0.25) and res.magnitude == "small"
    assert res.lower < -0.25 < res.upper


def test_cliffs_delta_estimate_is_dominance_mean():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=40), rng.normal(0.4, size=35)
    dom = np.sign(a[:, None] - b[None, :]).mean()
    for algorithm in ("effsize", "exact"):
        assert st.cliffs_delta(a, b, algorithm=algorithm).estimate == pytest.approx(dom)


def test_cliffs_delta_exact_equals_brute_force_dominance_matrix():
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 12, size=37).astype(float), rng.integers(0, 15, size=29).astype(float)
    dom = np.sign(a[:, None] - b[None, :])
    n1, n2 = dom.shape
    d = dom.mean()
    d_i, d_j = dom.mean(axis=1), dom.mean(axis=0)
    s_d = (
        n2**2 * ((d_i - d) ** 2).sum() + n1**2 * ((d_j - d) ** 2).sum() - ((dom - d) ** 2).sum()
    ) / (n1 * n2 * (n1 - 1) * (n2 - 1))
    z = sps.t.ppf(0.975, n1 + n2 - 2)
    half = z * math.sqrt(s_d) * math.sqrt((1 - d**2) ** 2 + z**2 * s_d)
    res = st.cliffs_delta(a, b, algorithm="exact")
    assert res.variance == pytest.approx(s_d, rel=1e-12)
    assert (res.lower, res.upper) == pytest.approx(
        ((d - d**3 - half) / (1 - d**2 + z**2 * s_d), (d - d**3 + half) / (1 - d**2 + z**2 * s_d)),
        rel=1e-12,
    )
    # this sample has B values above every A value: effsize's CI differs, its estimate does not
    eff = st.cliffs_delta(a, b)
    assert eff.estimate == pytest.approx(res.estimate) and eff.lower != pytest.approx(
        res.lower, rel=1e-9
    )


def test_cliffs_delta_effsize_equals_exact_without_b_above_all_a():
    # effsize's partition search differs from the dominance matrix only for values of b above
    # every value of a; without them the two CIs agree
    rng = np.random.default_rng(2)
    a = rng.integers(0, 20, size=50).astype(float)
    b = np.minimum(rng.integers(0, 20, size=45).astype(float), a.max())
    e, x = st.cliffs_delta(a, b, algorithm="effsize"), st.cliffs_delta(a, b, algorithm="exact")
    assert (e.lower, e.upper) == pytest.approx((x.lower, x.upper), rel=1e-12)


def test_cliffs_delta_identical_constant_samples():
    res = st.cliffs_delta([0] * 10, [0] * 10)
    assert (res.estimate, res.lower, res.upper, res.magnitude) == (0, 0, 0, "negligible")


def test_cliffs_delta_disjoint_samples():
    res = st.cliffs_delta([5, 6, 7], [1, 2, 3])
    assert res.estimate == 1 and res.upper == 1 and res.magnitude == "large"
    assert "disjoint" in res.note


@pytest.mark.parametrize(
    "delta,label",
    [
        (0.0, "negligible"),
        (0.1469, "negligible"),
        (0.147, "small"),
        (-0.3299, "small"),
        (0.33, "medium"),
        (0.4739, "medium"),
        (-0.474, "large"),
        (1.0, "large"),
    ],
)
def test_magnitude_thresholds(delta, label):
    assert st.magnitude(delta) == label


# ----------------------------------------------------------------------------- adjustment


@pytest.mark.parametrize("method,sm", [("holm", "holm"), ("bh", "fdr_bh")])
def test_p_adjust_matches_statsmodels(method, sm):
    rng = np.random.default_rng(3)
    p = rng.uniform(size=25) ** 3
    p[[3, 7]] = p[5]  # ties
    assert st.p_adjust(p, method) == pytest.approx(multipletests(p, method=sm)[1], rel=1e-12)


def test_p_adjust_leaves_nan_out_of_the_family():
    p = [0.01, np.nan, 0.04, 0.03]
    adj = st.p_adjust(p, "holm")
    assert math.isnan(adj[1])
    assert list(adj[[0, 2, 3]]) == pytest.approx(
        list(multipletests([0.01, 0.04, 0.03], method="holm")[1])
    )
    assert list(st.p_adjust(p, "none")[[0, 2, 3]]) == [0.01, 0.04, 0.03]
    with pytest.raises(ValueError):
        st.p_adjust(p, "bonferroni-ish")


def test_adjust_rows_families():
    rows = [
        {"test": "wilcoxon", "model": "m1", "p": 0.01},
        {"test": "wilcoxon", "model": "m1", "p": 0.02},
        {"test": "wilcoxon", "model": "m2", "p": 0.01},
        {"test": "mcnemar", "model": "m1", "p": 0.01},
    ]
    st.adjust_rows(rows, ["model"], "holm")
    assert [r["family_size"] for r in rows] == [2, 2, 1, 1]
    assert rows[0]["p_adj"] == pytest.approx(0.02) and rows[2]["p_adj"] == pytest.approx(0.01)
    assert rows[3]["adjust_family"].startswith("kind=binary")


# ----------------------------------------------------------------------------- pairing and tables


def test_pair_by_id_counts_one_sided_and_missing():
    p = st.pair_values(
        ["a", "b", "c", "d"], [1, 2, np.nan, 4], ["d", "c", "b", "e"], [40, 30, np.nan, 50]
    )
    assert p.n_a_only == 1 and p.n_b_only == 1  # 'a' and 'e'
    assert p.n_missing_a == 1 and p.n_missing_b == 1  # c on A, b on B
    assert p.ids == ["d"] and list(p.a) == [4] and list(p.b) == [40]


def test_pair_by_position():
    p = st.pair_values(["a", "b", "c"], [1, 2, 3], ["x", "y"], [5, 6], pair_by="position")
    assert p.n_paired == 2 and p.n_a_only == 1 and p.n_b_only == 0 and list(p.b) == [5, 6]


def test_pair_by_id_rejects_duplicate_ids():
    with pytest.raises(ValueError, match="duplicate"):
        st.pair_values(["a", "a"], [1, 2], ["a"], [1])


def test_read_table_formats_and_status_strings(tmp_path):
    (tmp_path / "a.tsv").write_text(
        "id\tbleu\tbleu_status\tpassed\nx\t0.5\tok\ttrue\ny\t\tnot computed: empty\tfalse\n"
    )
    (tmp_path / "b.csv").write_text("instance_id,bleu,passed\ny,0.25,1\nx,0.75,0\n")
    with open(tmp_path / "c.jsonl", "w") as handle:
        for rec in ({"Task ID": "x", "bleu": 0.1}, {"Task ID": "y", "bleu": None}):
            handle.write(json.dumps(rec) + "\n")
    a, b, c = (st.read_table(tmp_path / n) for n in ("a.tsv", "b.csv", "c.jsonl"))
    assert (a.id_column, b.id_column, c.id_column) == ("id", "instance_id", "Task ID")
    assert np.isnan(a.values("bleu")[1]) and list(a.values("passed")) == [1, 0]
    assert a.numeric_columns() == ["bleu", "passed"]
    assert np.isnan(c.values("bleu")[1])
    with pytest.raises(KeyError):
        a.values("meteor")
    row = st.compare_tables(a, b, "passed", test="mcnemar")
    assert (row["both"], row["a_only"], row["b_only"], row["neither"]) == (0, 1, 1, 0)
    row = st.compare_tables(a, b, "bleu")
    assert row["n_paired"] == 1 and row["n_missing_a"] == 1


def test_mcnemar_rejects_non_binary_values():
    p = st.pair_values(["a", "b"], [0.5, 1], ["a", "b"], [1, 0])
    with pytest.raises(ValueError, match="binary"):
        st.compare(p, test="mcnemar")


# ----------------------------------------------------------------------------- CLI


def test_cli_wilcoxon_text_and_tsv(tmp_path, capsys):
    rng = np.random.default_rng(4)
    ids = [f"i{k}" for k in range(30)]
    a = tmp_path / "a.csv"
    b = tmp_path / "b.jsonl"
    va, vb = rng.normal(size=30), rng.normal(0.5, size=30)
    a.write_text("Task ID,score\n" + "".join(f"{i},{v}\n" for i, v in zip(ids, va, strict=True)))
    with open(b, "w") as handle:
        for i, v in zip(reversed(ids), reversed(vb), strict=True):
            handle.write(json.dumps({"Task ID": i, "score": float(v)}) + "\n")
    assert stats_cli.main(["--a", str(a), "--b", str(b), "--measure", "score"]) == 0
    text = capsys.readouterr().out
    assert "score" in text and "wilcoxon" in text
    out = tmp_path / "r.tsv"
    assert (
        stats_cli.main(
            [
                "--a",
                str(a),
                "--b",
                str(b),
                "--measure",
                "score",
                "--format",
                "tsv",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    header, line = out.read_text().splitlines()
    row = dict(zip(header.split("\t"), line.split("\t"), strict=True))
    assert float(row["p"]) == pytest.approx(
        sps.wilcoxon(va, vb, correction=False, method="approx").pvalue
    )
    assert int(row["n_paired"]) == 30


def test_cli_errors_are_reported(tmp_path, capsys):
    a = tmp_path / "a.csv"
    a.write_text("id,x\n1,2\n")
    assert stats_cli.main(["--a", str(a), "--b", str(a), "--measure", "nope"]) == 1
    assert "no column" in capsys.readouterr().err


def _partition_step_by_step(x, a):
    """effsize's .bsearch.partition replayed literally (1-based, NA outside 1..n), as oracle."""
    n = len(a)

    def at(i):
        return np.array([a[k - 1] if 1 <= k <= n else np.nan for k in i])

    low, high = np.ones(len(x), int), np.full(len(x), n)
    while True:
        mid = (low + high) // 2
        left = x <= at(mid)
        high, low = np.where(left, mid, high), np.where(left, low, mid + 1)
        if np.all(high <= low):
            break
    high = low.copy()
    while (eq := at(high) == x).any():
        high[eq] += 1
    while (ab := at(low) >= x).any():
        low[ab] -= 1
    high[high == low] = low[high == low] + 1
    return low, np.minimum(high, n + 1)


def test_effsize_partition_equals_literal_replay():
    rng = np.random.default_rng(6)
    for _ in range(300):
        a = np.sort(
            rng.integers(0, int(rng.integers(1, 12)), int(rng.integers(1, 30))).astype(float)
        )
        x = rng.integers(-2, 14, int(rng.integers(1, 30))).astype(float)
        got = st._effsize_partition(x, a)
        want = _partition_step_by_step(x, a)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]), (x, a)


def test_no_complete_pairs_is_reported():
    p = st.pair_values(["a", "b"], [np.nan, 1], ["a", "b"], [0, np.nan])
    for test in ("mcnemar", "wilcoxon"):
        row = st.compare(p, test=test)
        assert row["n_paired"] == 0 and math.isnan(row["p"])
        assert row["note"].startswith(
            "no complete pairs: values missing (not computed) for 1 A and 1 B ids"
        )


# ----------------------------------------------------------------------------- options of the paper preset


def test_both_constant_na_is_the_package_guard():
    paired = st.pair_values(["1", "2", "3"], [0, 0, 0], ["1", "2", "3"], [1, 1, 1])
    tested = st.compare(paired, test="wilcoxon")
    guarded = st.compare(paired, test="wilcoxon", both_constant="na")
    assert tested["p"] < 0.1  # three differences of -1: R's wilcox.test gives a p-value
    assert math.isnan(guarded["p"]) and "both samples constant" in guarded["note"]
    varied = st.pair_values(["1", "2", "3"], [0, 1, 0], ["1", "2", "3"], [1, 1, 1])
    assert not math.isnan(st.compare(varied, both_constant="na")["p"])


def _row(**kw):
    base = dict(question="q", comparison="c", model="m", task="t", lang="l", family="f", group="g")
    return {**base, **kw}


def test_overrides_last_match_wins_and_kind_matches_the_test():
    section = {
        "adjust": "holm",
        "pair_by": "position",
        "overrides": [
            {"where": {"task": ["generation", "x"]}, "adjust": "bh"},
            {"where": {"task": "generation", "kind": "binary"}, "pair_by": "id"},
            {"where": {"measure": "m2"}, "adjust": "none"},
        ],
    }
    gen_bin = _row(task="generation", measure="pass@1", test="mcnemar")
    gen_cont = _row(task="generation", measure="m1", test="wilcoxon")
    assert st.resolve_option(section, gen_bin, "adjust", "holm") == "bh"
    assert st.resolve_option(section, gen_bin, "pair_by", "id") == "id"
    assert st.resolve_option(section, gen_cont, "pair_by", "id") == "position"
    assert (
        st.resolve_option(
            section, _row(task="generation", measure="m2", test="wilcoxon"), "adjust", ""
        )
        == "none"
    )
    assert st.resolve_option({}, gen_cont, "pair_by", "id") == "id"


def test_adjust_families_by_question_and_mixed_methods_refused():
    rows = [
        _row(comparison=c, question="rq3", measure="pass@1", test="mcnemar", p=p)
        for c, p in (("c1", 0.01), ("c1", 0.04), ("c2", 0.03), ("c2", 0.5))
    ]
    st.adjust_families(rows, {"adjust": "holm", "families": {"binary": ["question", "measure"]}})
    assert [r["family_size"] for r in rows] == [4] * 4
    assert rows[0]["p_adj"] == pytest.approx(0.04)
    st.adjust_families(rows, {"adjust": "holm", "families": {"binary": ["comparison", "measure"]}})
    assert [r["family_size"] for r in rows] == [2] * 4
    with pytest.raises(ValueError, match="mixes adjustment methods"):
        st.adjust_families(
            rows,
            {
                "families": {"binary": ["question", "measure"]},
                "overrides": [{"where": {"comparison": "c1"}, "adjust": "bh"}],
            },
        )


def test_planned_tests_only_on_shared_tasks_and_models():
    cfg = {
        "models": {"small": {}, "big": {}},
        "methods": {
            "mt": {"finetune": "qlora"},
            "two": {"finetune": "qlora", "tasks": ["generation"], "models": ["big"]},
        },
        "tasks": {
            "generation": {"languages": ["python"]},
            "summarization": {"languages": ["java"]},
        },
        "stats": {
            "comparisons": [
                {
                    "name": "rq3",
                    "a": {"method": "mt"},
                    "b": {"method": "two"},
                    "measures": ["surface"],
                }
            ],
            "measures": {
                "surface": {"continuous": ["bleu_sacre"]},
                "side": {"table": "surface", "continuous": ["side"]},
            },
        },
    }
    blocks = st.planned_tests(cfg)
    assert [(b["model"], b["task"], b["family"]) for b in blocks] == [
        ("big", "generation", "surface")
    ]
    cfg["stats"]["comparisons"][0]["measures"] = []
    blocks = st.planned_tests(cfg)
    assert [b["a_table"] for b in blocks] == [
        "results/metrics/surface/big/mt/seed-42/generation/python.tsv"
    ] * 2  # the `side` entry reads the surface table
    assert [(b["family"], b["entry"]) for b in blocks] == [
        ("surface", "surface"),
        ("surface", "side"),
    ]
    assert blocks[0]["question"] == "rq3"


def test_a_comparison_naming_an_absent_method_is_listed_as_skipped(repo):
    """docs/statistics.md: such a comparison is skipped with a line in the stats job's log
    (rules/stats.smk puts it in the `skipped` param, warned by the rule script) and in the
    report's research-questions section."""
    from codepeft import config as study_config
    from codepeft.report import page
    from codepeft.stats import plan as stats_plan

    default = study_config.load(repo / "config.yaml")
    assert stats_plan.skipped_comparisons(default) == []  # every method present
    cfg = study_config.load(repo / "config.yaml")
    del cfg["methods"]["st_qlora"]
    lines = stats_plan.skipped_comparisons(cfg)
    assert lines == [
        "comparison rq1_st_vs_mt skipped: method(s) st_qlora not in this study",
        "comparison zs_vs_st_qlora skipped: method(s) st_qlora not in this study",
    ]
    planned = {b["comparison"] for b in st.planned_tests(cfg)}
    assert not planned & {"rq1_st_vs_mt", "zs_vs_st_qlora"} and "rq2_mt_qlora_vs_fft" in planned
    html = "\n".join(page.rq_section({}, [], lines))
    assert "Not run: comparison rq1_st_vs_mt skipped: method(s) st_qlora" in html
    assert "Not run" not in "\n".join(page.rq_section({}, [], []))
    cfg["stats"]["enabled"] = False
    assert stats_plan.skipped_comparisons(cfg) == []


def test_statistics_quirks_in_force_in_the_preset_only(repo):
    from codepeft import config as study_config
    from codepeft.paper import quirks

    stats_quirks = [q for q in quirks.QUIRKS if q.key.startswith("stats.")]
    assert len(stats_quirks) >= 5 and all(q.source and q.what for q in stats_quirks)
    preset = study_config.load(repo / "config" / "paper.yaml")
    assert quirks.in_force(preset, stats_quirks) == stats_quirks
    default = study_config.load(repo / "config.yaml")
    assert quirks.in_force(default, stats_quirks) == []
    # '*' fans out over a list (stats.overrides): dropping the BH override drops the quirk
    preset["stats"]["overrides"] = [o for o in preset["stats"]["overrides"] if "adjust" not in o]
    assert "stats.overrides.*" not in {q.key for q in quirks.in_force(preset, stats_quirks)}


def test_cli_both_constant(tmp_path, capsys):
    for name, value in (("a", 0), ("b", 1)):
        (tmp_path / f"{name}.csv").write_text(
            "id,x\n" + "".join(f"{i},{value}\n" for i in range(5))
        )
    args = ["--a", str(tmp_path / "a.csv"), "--b", str(tmp_path / "b.csv"), "--measure", "x"]
    p = {}
    for mode in ("test", "na"):
        assert stats_cli.main(args + ["--both-constant", mode, "--format", "json"]) == 0
        p[mode] = json.loads(capsys.readouterr().out)[0]["p"]
    assert p["test"] < 0.05 and p["na"] is None
