"""The intervals job (codepeft.stats.intervals) on a synthetic results folder, and the report
reading its output and the overlap audit's summaries (codepeft.report.uncertainty)."""

from __future__ import annotations

import json
import math

import pytest

from codepeft import config as study_config
from codepeft.io import read_tsv, write_json, write_jsonl, write_tsv
from codepeft.metrics.bleu import bleu_sacre_corpus
from codepeft.report.build import build_report
from codepeft.stats import bootstrap as bs
from codepeft.stats import intervals, planned_tests
from codepeft.stats.tables import read_table

WORDS = "return the value of a node in the list sorted by key and name".split()


def _folder(root):
    refs = [" ".join(WORDS[k % 5 : k % 5 + 6]) for k in range(30)]
    data = [{"id": f"s{k}", "inputs": {"code": "def f(): pass"}, "reference": r}
            for k, r in enumerate(refs)]  # fmt: skip
    write_jsonl(root / "results/data/summarization/python/test.jsonl", data)
    for method, keep in (("st_qlora", 4), ("mt_qlora", 5)):
        preds = [{"id": d["id"], "output": " ".join(d["reference"].split()[:keep])} for d in data]
        preds[0]["output"] = ""  # an empty prediction: "" in the corpus, as the surface stage
        write_jsonl(
            root / f"results/predictions/m/{method}/seed-42/summarization/python.jsonl", preds
        )
        rows = [{"id": p["id"], "status": "ok", "bleu_sacre": 0.1 * (k % 7), "meteor": 0.5}
                for k, p in enumerate(preds)]  # fmt: skip
        rows[1]["meteor"] = None  # not computed: left out of the mean, as means.tsv
        write_tsv(root / f"results/metrics/surface/m/{method}/seed-42/summarization/python.tsv", rows,
                  ["id", "status", "bleu_sacre", "meteor"])  # fmt: skip
        passes = [{"id": f"g{k}", "pass@1": (k % 3 == 0) if k < 9 else None} for k in range(10)]
        write_tsv(root / f"results/metrics/execution/m/{method}/seed-42/generation/python.tsv", passes,
                  ["id", "pass@1"])  # fmt: skip
    return refs


@pytest.fixture
def cfg():
    return study_config.validate({
        "models": {"m": {"source": "x", "params_b": 1}},
        "methods": {"st_qlora": {"finetune": "qlora", "scope": "single"},
                    "mt_qlora": {"finetune": "qlora", "scope": "multi"}},
        "tasks": {"generation": {"languages": ["python"]},
                  "summarization": {"languages": ["python"]}},
        "stats": {"measures": {"surface": {"continuous": ["bleu_sacre"],
                                           "tasks": ["summarization"]}},
                  "comparisons": [{"name": "c", "a": {"method": "st_qlora"},
                                   "b": {"method": "mt_qlora"}}],
                  "bootstrap": {"resamples": 300}},
    })  # fmt: skip


@pytest.mark.slow
def test_intervals_compute_and_the_report_shows_them(tmp_path, cfg, monkeypatch):
    refs = _folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    paths_ = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob("results/metrics/**/*.tsv"))
    tables = {p: read_table(p, id_column="id") for p in paths_}
    settings = bs.Bootstrap.from_section(cfg["stats"])
    rows, paired = intervals.compute(
        tables, intervals.corpus_blocks(planned_tests(cfg)), settings, strip=True
    )
    by = {(r["method"], r["measure"], r["statistic"]): r for r in rows}
    # corpus BLEU: the surface stage's number, with an interval around it
    hyps = [" ".join(r.split()[:5]) for r in refs]
    hyps[0] = ""
    corpus = by[("mt_qlora", "bleu_sacre", "corpus")]
    assert corpus["estimate"] == pytest.approx(bleu_sacre_corpus(hyps, refs))
    assert corpus["ci_low"] <= corpus["estimate"] <= corpus["ci_high"]
    assert corpus["implementation"] == intervals.SACREBLEU and corpus["resamples"] == 300
    # a mean over the values present; pass@1 a proportion with the missing task a fail
    assert by[("st_qlora", "meteor", "mean")]["estimate"] == 0.5
    assert by[("st_qlora", "meteor", "mean")]["ci_low"] == 0.5  # a constant
    assert by[("st_qlora", "pass@1", "proportion")]["estimate"] == pytest.approx(3 / 10)
    # sacrebleu's paired test of the block: B keeps one word more of each reference
    (bleu, chrf) = paired
    assert (bleu["measure"], chrf["measure"]) == ("bleu_sacre", "chrf")
    assert bleu["corpus_b"] > bleu["corpus_a"] and bleu["p_boot"] < 0.05 and bleu["n"] == 30
    intervals.write(rows, paired, "results/uncertainty/intervals.tsv",
                    "results/uncertainty/corpus_paired.tsv")  # fmt: skip
    write_json("results/overlap/mix-1/summarization/python.summary.json", dict(
        n=13, threshold=0.5, n_items=30, n_computed=28, n_flagged=2, n_exact=1,
        n_train_examples=100, examples=[dict(id="s3", containment=1.0, field="inputs.code",
                                             exact=1, top_train_ids="summarization/python/9:1.000")]))  # fmt: skip
    res = build_report(cfg, "results/report", root=".")
    assert {"corpus", "corpus_paired", "overlap"} <= set(res["tables"])
    means = read_tsv("results/report/tables/means.tsv")
    bleu_mean = next(r for r in means if r["method"] == "mt_qlora" and r["measure"] == "bleu_sacre")
    assert float(bleu_mean["ci_low"]) <= float(bleu_mean["mean"]) <= float(bleu_mean["ci_high"])
    pass1 = read_tsv("results/report/tables/pass1.tsv")
    assert all(not math.isnan(float(r["ci_high"])) for r in pass1)
    (audit,) = read_tsv("results/report/tables/overlap.tsv")
    assert (audit["task"], audit["n_flagged"], audit["share_flagged"]) == (
        "summarization",
        "2",
        "0.06666666666666667",
    )
    assert "s3 (inputs.code, 1.00, verbatim) ~ summarization/python/9" in audit["examples"]
    page = open("results/report/index.html").read()
    assert "Train/test overlap audit" in page and "id='uncertainty'" in page
    assert json.loads(open("results/report/provenance.json").read())
