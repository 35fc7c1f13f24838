"""Training seeds (`training.seeds`) through the whole DAG: a small study (the embedded default
cut to one task, summarization, with zero-shot, MT-QLoRA and MT-FFT, a few records and training
steps, no analyzers or judge) trained with two seeds, then a third seed added (dry run)."""

from __future__ import annotations

import csv
import json

import yaml

from codepeft import paths
from tests.conftest import REPO, copy_checkout, job_counts, snakemake

SEEDS = [42, 7]


def small_config(seeds: list[int]) -> dict:
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["tasks"] = {"summarization": {"languages": ["python"]}}
    cfg["methods"] = {m: cfg["methods"][m] for m in ("zero_shot", "mt_qlora", "mt_fft")}
    cfg["methods"]["mt_fft"]["training"] = {"learning_rate": 0.004}
    cfg["training"].update(max_steps=6, warmup_steps=2, logging_steps=1, seeds=seeds)
    cfg["data"]["max_rows"] = {"train": 48, "valid": 8, "test": 16}
    cfg["decoding"]["max_new_tokens"] = {"summarization": 12}
    cfg["metrics"]["bertscore"]["enabled"] = False
    cfg["analyzers"]["enabled"] = []
    cfg["judge"]["enabled"] = False
    cfg["stats"]["measures"] = {
        "surface": {"continuous": ["chrf", "bleu_sacre"], "tasks": ["summarization"]}
    }
    return cfg


def _tsv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_two_seeds_through_the_dag_and_adding_a_third(tmp_path):
    work = copy_checkout(tmp_path / "repo")
    (work / "config.yaml").write_text(yaml.safe_dump(small_config(SEEDS)))
    proc = snakemake(["--cores", "2"], work, 900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]

    # one mixture for both seeds and both multi-task methods; zero-shot made once
    assert len(list((work / "results/mixtures").iterdir())) == 1
    assert [p.name for p in (work / "results/predictions/tiny/zero_shot").iterdir()] == [
        "seed-none"
    ]
    # each seed trained its own model: same data, other initialisation and order
    losses = {}
    for method in ("mt_qlora", "mt_fft"):
        for seed in SEEDS:
            model_dir = paths.fill(
                paths.MODEL_DIR, model="tiny", method=method, seed=seed, scope="multi"
            )
            info = json.loads((work / model_dir / paths.TRAINING_RECORD).read_text())
            assert info["seed"] == seed and info["global_step"] == 6
            losses[method, seed] = [e["loss"] for e in info["log_history"] if "loss" in e]
        assert len(losses[method, 42]) == 6 and losses[method, 42] != losses[method, 7], losses

    # statistics per seed and over the seeds, with the spread between seeds
    rows = _tsv(work / "results/stats/rq2_mt_qlora_vs_fft.tsv")
    assert {r["seed"] for r in rows} == {"42", "7", "mean"}
    over = [r for r in rows if r["seed"] == "mean"]
    assert {r["measure"] for r in over} == {"chrf", "bleu_sacre"}
    for r in over:
        assert r["n_seeds"] == "2" and r["gap_exceeds_spread"] in ("yes", "no")
        assert float(r["a_seed_min"]) <= float(r["mean_a"]) <= float(r["a_seed_max"])
        assert len(r["a_table"].split(" + ")) == 2
        exceeds = float(r["seed_gap"]) > float(r["seed_spread"])
        assert r["gap_exceeds_spread"] == ("yes" if exceeds else "no")
    zero_shot = _tsv(work / "results/stats/zs_vs_mt_qlora.tsv")
    assert {r["seed"] for r in zero_shot} == {"42", "7", "mean"}
    assert all("zero_shot/seed-none/" in r["a_table"] for r in zero_shot)

    # the report: a seeds table and the gap-vs-spread verdict of every comparison
    seeds = _tsv(work / "results/report/tables/seeds.tsv")
    assert {r["comparison"] for r in seeds} == {
        "rq2_mt_qlora_vs_fft",
        "zs_vs_mt_qlora",
        "zs_vs_mt_fft",
    }
    page = (work / "results/report/index.html").read_text()
    assert "id='seeds'" in page and "the spread between seeds" in page
    assert "gap vs seed spread" in page and "(mean over seeds)" in page
    # what the report shows for one comparison (benchmarks/seeds.md)
    shown = ("seed", "measure", "mean_a", "mean_b", "p", "p_adj", "seed_gap", "seed_spread")
    for r in _tsv(work / "results/report/tables/rq_rq2_mt_qlora_vs_fft.tsv"):
        print("rq2 row:", {k: r.get(k) for k in (*shown, "gap_exceeds_spread")})

    # adding a seed: that seed's training, generations and metrics, then stats and report
    (work / "config.yaml").write_text(yaml.safe_dump(small_config([*SEEDS, 3])))
    added = snakemake(["-n", "--quiet", "rules"], work, 300)
    assert added.returncode == 0, added.stderr[-3000:]
    counts = job_counts(added.stdout)
    print("adding seed 3 plans:", dict(sorted(counts.items())))
    assert counts == {
        "train": 2,
        "generate": 2,
        "surface_metrics": 2,
        # what reads every table or every model: the stats, the intervals, the tidy tables,
        # the model cards (one job for all), the report
        "stats": 1,
        "intervals": 1,
        "tidy_results": 1,
        "model_cards": 1,
        "report": 1,
        "all": 1,
    }
    planned = snakemake(["-n"], work, 300)
    assert "seed=3" in planned.stdout and "seed=42" not in planned.stdout.replace("seed-42", ""), (
        planned.stdout[-3000:]
    )
    # the seeds in another order: the same study (only the report, which records the config)
    (work / "config.yaml").write_text(yaml.safe_dump(small_config(SEEDS[::-1])))
    reordered = snakemake(["-n", "--quiet", "rules"], work, 300)
    assert set(job_counts(reordered.stdout)) <= {"report", "all"}, reordered.stdout[-2000:]
