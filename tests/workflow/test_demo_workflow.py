"""The embedded demo shows a real result (issue 14): on its own test sets the fine-tuned tiny
models beat zero-shot (paired Wilcoxon, adjusted p < 0.05) and some method passes some generation
tasks. A regression in training (labels, loss mask), adapter loading or generation fails here.
Runs on the session's one embedded study (the `embedded_run` fixture)."""

from __future__ import annotations

import yaml

from codepeft.io import read_tsv
from tests.conftest import REPO

#: the comparisons of config.yaml whose B must beat zero-shot (A) on every key measure
MUST_BEAT_ZERO_SHOT = ("zs_vs_mt_qlora", "zs_vs_mt_fft")
#: the key measures per task: summaries (chrF, BLEU) and translations (CodeBLEU)
KEY_MEASURES = {"summarization": ("chrf", "bleu_sacre"), "translation": ("codebleu",)}


def key_checks() -> list[tuple[str, str, str, str]]:
    """(comparison, task, language, measure) for every language the demo config runs."""
    tasks = yaml.safe_load((REPO / "config.yaml").read_text())["tasks"]
    return [
        (comp, task, lang, measure)
        for comp in MUST_BEAT_ZERO_SHOT
        for task, measures in KEY_MEASURES.items()
        for lang in tasks[task]["languages"]
        for measure in measures
    ]


def test_key_checks_cover_the_demo():
    checks = key_checks()
    assert {(t, lang) for _, t, lang, _ in checks} >= {
        ("summarization", "python"),
        ("translation", "java-cs"),
    }
    assert len(checks) >= 6


def test_demo_fine_tuning_beats_zero_shot(embedded_run):
    work, _ = embedded_run
    failures, seen = [], []
    for comp, task, lang, measure in key_checks():
        rows = [
            r
            for r in read_tsv(work / "results" / "stats" / f"{comp}.tsv")
            if (r["task"], r["lang"], r["measure"]) == (task, lang, measure)
            and r.get("subset", "all") == "all"  # every test item (not the overlap-free subset)
        ]
        assert len(rows) == 1, f"{comp} {task}/{lang} {measure}: expected one row, got {rows}"
        r = rows[0]
        n, a, b = int(r["n_paired"]), float(r["mean_a"]), float(r["mean_b"])
        p = float(r["p_adj"] or "nan")  # the paired Wilcoxon test after the stats' adjustment
        seen.append(f"{comp} {task}/{lang} {measure}: n={n} A={a:.4f} B={b:.4f} p_adj={p:.2g}")
        if not (r["test"] == "wilcoxon" and n >= 30 and b > a and p < 0.05):
            failures.append(seen[-1])
    assert not failures, "fine-tuned does not beat zero-shot:\n" + "\n".join(failures)


def test_demo_some_method_passes_generation_tasks(embedded_run):
    work, _ = embedded_run
    passes = {}
    for path in sorted(
        (work / "results" / "metrics" / "execution" / "tiny").glob("*/*/generation/*.tsv")
    ):
        values = [float(r["pass@1"]) for r in read_tsv(path) if r.get("pass@1") not in ("", None)]
        passes[f"{path.parents[2].name}/{path.stem}"] = sum(values)
    assert passes, "no execution tables for the tiny model"
    assert any(v > 0 for k, v in passes.items() if not k.startswith("zero_shot")), passes


def test_demo_report_headline(embedded_run):
    work, _ = embedded_run
    page = (work / "results" / "report" / "index.html").read_text()
    assert "id='headline'" in page and "id='demo-banner'" in page
    assert page.index("id='demo-banner'") < page.index("id='headline'")
    head = read_tsv(work / "results" / "report" / "tables" / "headline.tsv")
    assert {r["method"] for r in head} == {"mt_qlora", "st_qlora", "mt_fft"}
