"""Training seeds as a study dimension (`training.seeds`): the plan (one training per seed,
shared mixtures, zero-shot once), the statistics per seed and over the seeds (per-instance
means, the spread between seeds against the gap between methods) and the report's rows."""

from __future__ import annotations

import copy
import csv
import math
from pathlib import Path

import numpy as np
import pytest

from codepeft import config as study_config
from codepeft import paths, study
from codepeft import stats as st
from codepeft.plan import Plan
from codepeft.report import tables as T
from codepeft.report.build import build_report
from codepeft.stats import intervals
from codepeft.stats.plan import OVER_SEEDS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def embedded():
    return study_config.load(REPO / "config.yaml")


def with_seeds(config: dict, seeds: list[int]) -> dict:
    cfg = copy.deepcopy(config)
    cfg["training"]["seeds"] = seeds
    return cfg


def test_one_seed_by_default_and_in_the_presets(embedded):
    paper = study_config.load(REPO / "config" / "paper.yaml")
    for cfg in (embedded, paper):
        assert cfg["training"]["seeds"] == []  # the schema's default: the study's seed
        assert study.training_seeds(cfg) == [cfg["seed"]] == [42]
        assert {seed for _, _, seed, _ in study.trained_models(cfg)} == {"42"}


def test_seeds_multiply_trainings_not_mixtures_nor_zero_shot(embedded):
    two = with_seeds(embedded, [7, 42])
    one_trained, two_trained = study.trained_models(embedded), study.trained_models(two)
    assert len(two_trained) == 2 * len(one_trained) == 10
    assert {s for _, _, s, _ in two_trained} == {"7", "42"}
    # the mixtures are keyed by what shuffles the data (the study's seed), not training seeds
    assert study.mixtures(two) == study.mixtures(embedded)
    assert study.mixture_spec(two, "mt_qlora", "multi")["seed"] == 42
    # zero-shot is made once (seed `none`); each trained method once per seed
    evaluated = study.evaluated(two)
    zero_shot = [e for e in evaluated if e[1] == "zero_shot"]
    assert {e[2] for e in zero_shot} == {study.NO_SEED} and len(zero_shot) == 4
    assert len(evaluated) == 4 + 2 * 12
    # a job's training params never hold the seeds: adding one changes no existing job's params
    for method, scope in (("mt_qlora", "multi"), ("st_qlora", "translation")):
        assert study.training_spec(two, method, scope) == study.training_spec(
            embedded, method, scope
        )
        assert "seeds" not in study.training_spec(two, method, scope)
    # the order of the list means nothing
    assert study.trained_models(with_seeds(embedded, [42, 7])) == two_trained


def test_plan_paths_carry_the_seed(embedded):
    plan = Plan(with_seeds(embedded, [42, 7]))
    assert plan.answering_model_dir("tiny", "mt_qlora", "7", "summarization") == (
        "results/models/tiny/mt_qlora/seed-7/multi"
    )
    assert plan.answering_model_dir("tiny", "zero_shot", study.NO_SEED, "summarization") is None
    outputs = {paths.fill(paths.PREDICTIONS, **c) for c in plan.prediction_combos()}
    assert "results/predictions/tiny/zero_shot/seed-none/translation/java-cs.jsonl" in outputs
    assert "results/predictions/tiny/st_qlora/seed-7/translation/java-cs.jsonl" in outputs
    references = plan.prediction_combos(include_reference=True)
    assert {c["seed"] for c in references if c["model"] == "reference"} == {study.NO_SEED}
    # the seed-42 files of the one-seed study keep their paths when a seed is added
    single = {paths.fill(paths.PREDICTIONS, **c) for c in Plan(embedded).prediction_combos()}
    assert single < outputs and len(outputs - single) == 12


def _stats_config(seeds: list[int]) -> dict:
    cfg = {
        "models": {"m": {"source": "someone/model"}},
        "methods": {
            "zero_shot": {"finetune": "none"},
            "lora": {"finetune": "qlora"},
            "fft": {"finetune": "full"},
        },
        "tasks": {"summarization": {"languages": ["python"]}},
        "training": {"seeds": seeds},
        "stats": {
            "measures": {
                "surface": {"continuous": ["chrf"], "binary": ["exact_match"]},
            },
            "comparisons": [
                {"name": "zs_vs_lora", "a": {"method": "zero_shot"}, "b": {"method": "lora"}},
                {"name": "lora_vs_fft", "a": {"method": "lora"}, "b": {"method": "fft"}},
            ],
        },
    }
    return study_config.validate(cfg)


N = 40
RNG = np.random.default_rng(3)
# per method and seed: chrF per instance; fft is clearly better than lora, whose two seeds differ
CHRF = {
    ("zero_shot", "none"): RNG.random(N) * 0.2,
    ("lora", "1"): 0.40 + RNG.random(N) * 0.1,
    ("lora", "2"): 0.45 + RNG.random(N) * 0.1,
    ("fft", "1"): 0.70 + RNG.random(N) * 0.1,
    ("fft", "2"): 0.72 + RNG.random(N) * 0.1,
}
EXACT = {key: (RNG.random(N) < (0.2 if key[0] == "zero_shot" else 0.5)).astype(int) for key in CHRF}


def _write_tables(root: Path, seeds: dict[str, str] | None = None) -> None:
    """The tables of CHRF and EXACT; `seeds` renames their seeds (those not named: left out)."""
    for (method, written), chrf in CHRF.items():
        exact = EXACT[(method, written)]
        seed = written
        if seeds is not None:
            if written not in seeds:
                continue
            seed = seeds[written]
        path = root / paths.fill(
            paths.METRIC_TABLE,
            family="surface",
            model="m",
            method=method,
            seed=seed,
            task="summarization",
            lang="python",
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        ids = [f"s{k}" for k in range(N)]
        order = range(N) if seed != "2" else reversed(range(N))  # pairing follows ids
        with open(path, "w", newline="") as handle:
            w = csv.writer(handle, delimiter="\t", lineterminator="\n")
            w.writerow(["id", "chrf", "exact_match", "status"])
            for k in order:
                missing = method == "lora" and seed == "2" and k == 5
                w.writerow([ids[k], "" if missing else chrf[k], exact[k], "ok"])


def test_blocks_per_seed_and_over_the_seeds():
    blocks = st.planned_tests(_stats_config([1, 2]))
    got = [(b["comparison"], b["seed"], b["a_seeds"], b["b_seeds"]) for b in blocks]
    assert got == [
        ("zs_vs_lora", "1", ["none"], ["1"]),
        ("zs_vs_lora", "2", ["none"], ["2"]),
        ("zs_vs_lora", OVER_SEEDS, ["none"], ["1", "2"]),
        ("lora_vs_fft", "1", ["1"], ["1"]),
        ("lora_vs_fft", "2", ["2"], ["2"]),
        ("lora_vs_fft", OVER_SEEDS, ["1", "2"], ["1", "2"]),
    ]
    over = blocks[2]
    assert over["a_tables"] == [
        "results/metrics/surface/m/zero_shot/seed-none/summarization/python.tsv"
    ]
    assert over["b_table"] == " + ".join(over["b_tables"]) and len(over["b_tables"]) == 2
    # the corpus tests (sacrebleu's paired bootstrap): one run each, so per seed only
    corpus = intervals.corpus_blocks(blocks)
    assert [(c["comparison"], c["seed"], c["a_seed"], c["b_seed"]) for c in corpus] == [
        ("zs_vs_lora", "1", "none", "1"),
        ("zs_vs_lora", "2", "none", "2"),
        ("lora_vs_fft", "1", "1", "1"),
        ("lora_vs_fft", "2", "2", "2"),
    ]
    # one seed: one block per comparison, as before seeds existed
    one = st.planned_tests(_stats_config([]))
    assert [(b["comparison"], b["seed"]) for b in one] == [
        ("zs_vs_lora", "42"),
        ("lora_vs_fft", "42"),
    ]


def test_rows_per_seed_and_over_the_seeds(tmp_path):
    _write_tables(tmp_path)
    cfg = _stats_config([1, 2])
    results = st.run_blocks(st.planned_tests(cfg), cfg["stats"], root=str(tmp_path))
    rows = {(r["seed"], r["measure"]): r for r in results["lora_vs_fft"]}
    assert set(rows) == {(s, m) for s in ("1", "2", OVER_SEEDS) for m in ("chrf", "exact_match")}
    # each seed's rows are the one-seed tests of that seed's tables
    seed2 = rows[("2", "chrf")]
    keep = np.arange(N) != 5  # lora seed 2 has no chrF for s5
    wil = st.wilcoxon_paired(CHRF[("lora", "2")][keep], CHRF[("fft", "2")][keep])
    assert seed2["test"] == "wilcoxon" and seed2["n_paired"] == N - 1
    assert seed2["p"] == pytest.approx(wil.p, rel=1e-9)
    assert rows[("1", "exact_match")]["test"] == "mcnemar"
    # over the seeds: per-instance means (complete cases: s5 lacks a lora seed), Wilcoxon
    over = rows[(OVER_SEEDS, "chrf")]
    a = (CHRF[("lora", "1")] + CHRF[("lora", "2")]) / 2
    b = (CHRF[("fft", "1")] + CHRF[("fft", "2")]) / 2
    assert over["n_paired"] == N - 1 and over["n_missing_a"] == 1
    assert over["mean_a"] == pytest.approx(a[keep].mean())
    assert over["p"] == pytest.approx(st.wilcoxon_paired(a[keep], b[keep]).p, rel=1e-9)
    # the spread: each side's score per seed over the ids every seed has (not s5), the gap
    lora = [CHRF[("lora", s)][keep].mean() for s in ("1", "2")]
    fft = [CHRF[("fft", s)][keep].mean() for s in ("1", "2")]
    assert (over["a_seed_min"], over["a_seed_max"]) == pytest.approx((min(lora), max(lora)))
    assert (over["b_seed_min"], over["b_seed_max"]) == pytest.approx((min(fft), max(fft)))
    assert over["seed_spread"] == pytest.approx(max(max(lora) - min(lora), max(fft) - min(fft)))
    assert over["seed_gap"] == pytest.approx(abs(over["mean_b"] - over["mean_a"]))
    assert over["n_seeds"] == 2 and over["gap_exceeds_spread"] == "yes"  # 0.3 apart vs 0.05
    # a binary measure over the seeds: the fraction of seeds at 1, tested with Wilcoxon
    exact = rows[(OVER_SEEDS, "exact_match")]
    assert exact["test"] == "wilcoxon"
    frac = (EXACT[("lora", "1")] + EXACT[("lora", "2")]) / 2
    assert exact["mean_a"] == pytest.approx(frac.mean()) and exact["n_paired"] == N
    # each seed's rows and the rows over the seeds are adjusted apart
    assert seed2["adjust_family"] != over["adjust_family"] and "seed=2" in seed2["adjust_family"]
    # zero-shot's one run is compared with each seed; its spread is 0
    zs = {r["seed"]: r for r in results["zs_vs_lora"] if r["measure"] == "chrf"}
    assert zs["1"]["a_table"] == zs["2"]["a_table"] and "seed-none" in zs["1"]["a_table"]
    assert zs[OVER_SEEDS]["a_seed_min"] == zs[OVER_SEEDS]["a_seed_max"]  # run once


def _table(values: dict[str, float]) -> st.Table:
    ids = list(values)
    return st.Table("t.tsv", "id", ids, {"id": ids, "s": [values[i] for i in ids]})


def test_gap_within_the_spread_is_flagged():
    a = [_table({"x": 0.3, "y": 0.5, "z": 0.9}), _table({"x": 0.5, "y": 0.7, "z": math.nan})]
    b = [_table({"x": 0.45, "y": 0.55, "z": 0.0})]  # run once (zero-shot): no spread
    out = st.run.seed_spread(a, b, "s")  # z lacks a value in one seed: x and y count
    assert out["n_seeds"] == 2
    assert (out["a_seed_min"], out["a_seed_max"]) == pytest.approx((0.4, 0.6))
    assert out["b_seed_min"] == out["b_seed_max"] == pytest.approx(0.5)
    assert out["seed_gap"] == pytest.approx(0.0) and out["seed_spread"] == pytest.approx(0.2)
    assert out["gap_exceeds_spread"] == "no"
    b = [_table({"x": 0.9, "y": 0.9, "z": 0.9})]
    assert st.run.seed_spread(a, b, "s")["gap_exceeds_spread"] == "yes"  # 0.4 > 0.2


def test_one_seed_rows_are_as_before(tmp_path):
    """One training seed: the rows of the single-seed study (no row over seeds, no spread)."""
    _write_tables(tmp_path, {"none": "none", "1": "42"})
    cfg = _stats_config([])
    rows = st.run_blocks(st.planned_tests(cfg), cfg["stats"], root=str(tmp_path))["lora_vs_fft"]
    assert {r["seed"] for r in rows} == {"42"}
    assert all("n_seeds" not in r and math.isnan(r["p_adj"]) is False for r in rows)
    assert all("seed=" not in r["adjust_family"] for r in rows)
    # and each seed's rows of a two-seed study are that one-seed study's (same families)
    two = tmp_path / "two"
    _write_tables(two)
    cfg2 = _stats_config([1, 2])
    rows2 = st.run_blocks(st.planned_tests(cfg2), cfg2["stats"], root=str(two))["lora_vs_fft"]
    seed1 = [r for r in rows2 if r["seed"] == "1"]
    keys = ("measure", "n_paired", "mean_a", "mean_b", "p", "p_adj", "effect", "family_size")
    assert [[r[k] for k in keys] for r in seed1] == [[r[k] for k in keys] for r in rows]


def test_report_shows_gap_against_spread(tmp_path):
    _write_tables(tmp_path)
    cfg = _stats_config([1, 2])
    results = st.run_blocks(st.planned_tests(cfg), cfg["stats"], root=str(tmp_path))
    for name, rows in results.items():
        st.write_rows(tmp_path / paths.fill(paths.STATS_TABLE, comparison=name), rows)
    res = build_report(cfg, tmp_path / "results/report", root=tmp_path)
    assert "seeds" in res["tables"]
    with open(tmp_path / "results/report/tables/seeds.tsv", newline="") as handle:
        seeds = list(csv.DictReader(handle, delimiter="\t"))
    assert {(r["comparison"], r["measure"]) for r in seeds} == {
        (c, m) for c in ("zs_vs_lora", "lora_vs_fft") for m in ("chrf", "exact_match")
    }
    chrf = next(r for r in seeds if (r["comparison"], r["measure"]) == ("lora_vs_fft", "chrf"))
    assert chrf["gap_exceeds_spread"] == "yes" and chrf["n_seeds"] == "2"
    page = (tmp_path / "results/report/index.html").read_text()
    assert "id='seeds'" in page and "gap vs seed spread" in page
    assert "exceeds the spread between seeds" in page
    assert "surface: chrf (seed 1)" in page and "surface: chrf (mean over seeds)" in page
    # the rq table keeps every row, with its seed; means per seed in the means table
    rq = (tmp_path / "results/report/tables/rq_lora_vs_fft.tsv").read_text().splitlines()
    assert rq[0].split("\t")[:6] == list(T.RQ_COLUMNS[:6]) and len(rq) == 1 + 6
    means = (tmp_path / "results/report/tables/means.tsv").read_text()
    assert "\tlora\t1\t" in means and "\tlora\t2\t" in means


def test_one_seed_report_has_no_seed_section(tmp_path):
    cfg = _stats_config([])
    for method, seed in (("zero_shot", "none"), ("lora", "42"), ("fft", "42")):
        path = tmp_path / paths.fill(
            paths.METRIC_TABLE, family="surface", model="m", method=method, seed=seed,
            task="summarization", lang="python",
        )  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("id\tchrf\texact_match\tstatus\n" + "".join(
            f"s{k}\t{RNG.random():.3f}\t{k % 2}\tok\n" for k in range(20)
        ))  # fmt: skip
    results = st.run_blocks(st.planned_tests(cfg), cfg["stats"], root=str(tmp_path))
    for name, rows in results.items():
        st.write_rows(tmp_path / paths.fill(paths.STATS_TABLE, comparison=name), rows)
    res = build_report(cfg, tmp_path / "results/report", root=tmp_path)
    assert "seeds" not in res["tables"]
    page = (tmp_path / "results/report/index.html").read_text()
    assert "id='seeds'" not in page and "gap vs seed spread" not in page
    rq = (tmp_path / "results/report/tables/rq_lora_vs_fft.tsv").read_text().splitlines()[0]
    assert "seed_spread" not in rq.split("\t")
