"""The report's uncertainty and overlap: bootstrap intervals beside the means and pass@1
(results/uncertainty/intervals.tsv, rule `intervals`), corpus BLEU/chrF with their intervals
and sacrebleu's paired p-values (corpus_paired.tsv), and the overlap audit's counts and
examples per task and language (results/overlap/**.summary.json, rule `overlap_audit`).
Pure functions on rows already read, plus `section_html`; `codepeft.report.build` reads the
files and writes the tables."""

from __future__ import annotations

import math

from .html import esc, table_html

CI_COLUMNS = ("ci_low", "ci_high")
CORPUS_COLUMNS = (
    "model", "method", "seed", "task", "lang", "measure", "n", "estimate", "ci_low", "ci_high",
    "boot_mean", "implementation",
)  # fmt: skip
OVERLAP_COLUMNS = (
    "mixture", "task", "lang", "n_items", "n_computed", "n_flagged", "share_flagged", "n_exact",
    "n_train_examples", "n", "threshold", "examples",
)  # fmt: skip


def _key(row: dict, statistic: str) -> tuple:
    return (row.get("family"), row.get("model"), row.get("method"), str(row.get("seed")),
            row.get("task"), row.get("lang"), row.get("measure"), statistic)  # fmt: skip


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def add_mean_intervals(means: list[dict], intervals: list[dict]) -> None:
    """Each means.tsv row gets the bootstrap interval of its mean (in place; empty without)."""
    index = {_key(r, r.get("statistic")): r for r in intervals}
    for row in means:
        found = index.get(_key(row, "mean")) or index.get(_key(row, "proportion")) or {}
        for column in CI_COLUMNS:
            row[column] = _num(found.get(column)) if found else None


def add_pass1_intervals(pass1: list[dict], intervals: list[dict]) -> None:
    """Each pass1.tsv row gets the interval of the execution table's pass@1 proportion."""
    index = {
        (r.get("model"), r.get("method"), str(r.get("seed")), r.get("lang")): r
        for r in intervals
        if r.get("family") == "execution" and r.get("measure") == "pass@1"
    }
    for row in pass1:
        key = (row.get("model"), row.get("method"), str(row.get("seed")), row.get("lang"))
        found = index.get(key) or {}
        for column in CI_COLUMNS:
            row[column] = _num(found.get(column)) if found else None


def corpus_rows(intervals: list[dict]) -> list[dict]:
    """The corpus scores (sacrebleu BLEU and chrF) with their intervals."""
    return [
        {c: r.get(c) for c in CORPUS_COLUMNS}
        for r in intervals
        if r.get("statistic") == "corpus" and r.get("estimate") not in (None, "")
    ]


def overlap_rows(summaries: dict[str, dict]) -> list[dict]:
    """One row per audit (mixture, task, lang) from its summary, with up to 3 examples."""
    rows = []
    for path, s in sorted(summaries.items()):
        parts = path.replace("\\", "/").split("/")
        mixture, task, lang = parts[-3], parts[-2], parts[-1].split(".")[0]
        examples = "; ".join(
            f"{e['id']} ({e['field']}, {float(e['containment']):.2f}"
            + (", verbatim" if e.get("exact") else "")
            + f") ~ {e['top_train_ids'].split(' ')[0].rsplit(':', 1)[0]}"
            for e in s.get("examples", [])[:3]
        )
        n = s.get("n_items") or 0
        rows.append(
            dict(
                mixture=mixture,
                task=task,
                lang=lang,
                n_items=n,
                n_computed=s.get("n_computed"),
                n_flagged=s.get("n_flagged"),
                share_flagged=(s.get("n_flagged", 0) / n) if n else None,
                n_exact=s.get("n_exact"),
                n_train_examples=s.get("n_train_examples"),
                n=s.get("n"),
                threshold=s.get("threshold"),
                examples=examples,
            )
        )
    return rows


def section_html(corpus: list[dict], paired: list[dict], overlap: list[dict], config: dict) -> str:
    """The page's section: how intervals and p_boot are made, corpus scores, paired corpus
    tests, the overlap audit per task and language."""
    boot = config.get("stats", {}).get("bootstrap", {})
    mode = config.get("stats", {}).get("exclude_overlap", "both")
    parts = [
        "<h2 id='uncertainty'>Uncertainty and train/test overlap</h2>",
        "<p class='note'>Intervals: percentile bootstrap over test items "
        f"({esc(boot.get('resamples', ''))} resamples, seed {esc(boot.get('seed', ''))}, "
        f"{esc(boot.get('confidence', ''))}; codepeft.stats.bootstrap, sacrebleu's seed "
        "semantics), shown as <code>ci_low</code>/<code>ci_high</code> beside every mean and "
        "pass@1 (tables means, pass1). Each stats row adds a paired-bootstrap p-value "
        "<code>p_boot</code> beside its Wilcoxon/McNemar p. "
        f"Overlap: <code>stats.exclude_overlap: {esc(mode)}</code> (subset <code>all</code> "
        "and/or <code>no_overlap</code> in the research-question tables).</p>",
    ]
    if corpus:
        parts.append("<h3>Corpus BLEU and chrF (sacrebleu) with bootstrap intervals</h3>")
        parts.append(table_html(CORPUS_COLUMNS, corpus))
    if paired:
        parts.append("<h3>Corpus BLEU and chrF: sacrebleu's paired bootstrap (A baseline)</h3>")
        parts.append(table_html(list(paired[0].keys()), paired))
    parts.append("<h3>Train/test overlap audit</h3>")
    if overlap:
        parts.append(
            "<p class='note'>Per training mixture and test set: test items with a text "
            "contained in a training example at or above the threshold (token n-gram "
            "containment), or verbatim after normalisation (codepeft.overlap).</p>"
        )
        parts.append(table_html(OVERLAP_COLUMNS, overlap, text_columns=("examples",)))
    else:
        parts.append("<p class='nc'>No overlap audit in this study (overlap.enabled).</p>")
    return "".join(parts)
