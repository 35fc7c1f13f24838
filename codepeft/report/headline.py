"""The report's headline: does each fine-tuned method beat the zero-shot baseline?

Built from the stats stage's rows (results/stats/*.tsv, as read: strings) of every configured
comparison whose side A is a method without training (`finetune: none`) and side B a trained
method, on the key measures of each task (`KEY_MEASURES`), plus pass@1 per method and the first
and last logged training loss of every trained model. Nothing is computed here that the stats
stage did not compute: the headline only selects and phrases its rows.
"""

from __future__ import annotations

import math

from codepeft import measures
from codepeft.stats.plan import OVER_SEEDS

from .html import esc, fmt

#: (family, measure) shown per task: what the paper reports first for each task
KEY_MEASURES = {
    "summarization": (("surface", "chrf"), ("surface", "bleu_sacre")),
    "translation": (("codebleu", "codebleu"),),
    "generation": (("execution", "pass@1"),),
}
HEADLINE_COLUMNS = (
    "comparison",
    "model",
    "baseline",
    "method",
    "task",
    "lang",
    "measure",
    "n_paired",
    "mean_baseline",
    "ci_baseline_low",
    "ci_baseline_high",
    "mean_method",
    "ci_method_low",
    "ci_method_high",
    "test",
    "p",
    "p_adj",
    "p_boot",
    "verdict",
)


def as_number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def baseline_comparisons(config: dict) -> list[dict]:
    """Configured comparisons of an untrained method (A) with a trained one (B)."""
    methods = config.get("methods", {})

    def untrained(name):
        return methods.get(name, {}).get("finetune") == "none"

    return [
        c
        for c in config.get("stats", {}).get("comparisons", [])
        if c["a"]["method"] in methods
        and c["b"]["method"] in methods
        and untrained(c["a"]["method"])
        and not untrained(c["b"]["method"])
    ]


def verdict(row: dict, alpha: float) -> str:
    """'better' / 'worse' (B vs the baseline A, adjusted p < alpha), 'no significant difference',
    or 'not computed: <why>' when the test has no p-value."""
    p = as_number(row.get("p_adj"))
    if math.isnan(p):
        p = as_number(row.get("p"))
    if math.isnan(p):
        note = row.get("note") or "no p-value"
        return f"not computed: {note}"
    a, b = as_number(row.get("mean_a")), as_number(row.get("mean_b"))
    if p < alpha and not (math.isnan(a) or math.isnan(b)) and a != b:
        # the measure's direction (codepeft.measures); the key measures are higher-is-better
        lower = measures.better(row["family"], row["measure"]) == measures.LOWER
        return "better" if (b < a if lower else b > a) else "worse"
    return "no significant difference"


def reported_subset(config: dict) -> str:
    """The stats rows' subset the report shows, one per test: every item (`all`), or without
    the overlap audit's flagged items when the study excludes them (stats.exclude_overlap);
    rows of before have no subset (read as this one)."""
    exclude = config.get("stats", {}).get("exclude_overlap") == "exclude"
    return "no_overlap" if exclude else "all"


def headline_rows(config: dict, stats_by_name: dict[str, list[dict]]) -> list[dict]:
    """One row per (baseline comparison, model, task, lang, key measure) found in the stats
    (with several training seeds, the row over the seeds)."""
    alpha = float(config.get("stats", {}).get("alpha", 0.05))
    tasks = config.get("tasks", {})
    subset = reported_subset(config)
    out = []
    for comp in baseline_comparisons(config):
        rows = stats_by_name.get(comp["name"], [])
        # several training seeds: the rows over the seeds (per-instance means), not each seed's
        if any(r.get("seed") == OVER_SEEDS for r in rows):
            rows = [r for r in rows if r.get("seed") == OVER_SEEDS]
        for task in tasks:
            for family, measure in KEY_MEASURES.get(task, ()):
                for lang in tasks[task].get("languages", []):
                    for r in rows:
                        if (r.get("subset") or subset) != subset:
                            continue
                        if (r.get("task"), r.get("lang"), r.get("family"), r.get("measure")) != (
                            task,
                            lang,
                            family,
                            measure,
                        ):
                            continue
                        out.append(
                            {
                                "comparison": comp["name"],
                                "model": r.get("model"),
                                "baseline": comp["a"]["method"],
                                "method": comp["b"]["method"],
                                "task": task,
                                "lang": lang,
                                "measure": measure,
                                "n_paired": r.get("n_paired"),
                                "mean_baseline": as_number(r.get("mean_a")),
                                # 95% bootstrap intervals of the means (stats.bootstrap)
                                "ci_baseline_low": as_number(r.get("ci_a_low")),
                                "ci_baseline_high": as_number(r.get("ci_a_high")),
                                "mean_method": as_number(r.get("mean_b")),
                                "ci_method_low": as_number(r.get("ci_b_low")),
                                "ci_method_high": as_number(r.get("ci_b_high")),
                                "test": r.get("test"),
                                "p": as_number(r.get("p")),
                                "p_adj": as_number(r.get("p_adj")),
                                "p_boot": as_number(r.get("p_boot")),
                                "verdict": verdict(r, alpha),
                            }
                        )
    return out


def loss_span(log_history: list[dict]) -> tuple[float, float]:
    """First and last logged training loss (NaN when none was logged)."""
    losses = [e["loss"] for e in log_history if isinstance(e.get("loss"), (int, float))]
    return (float(losses[0]), float(losses[-1])) if losses else (math.nan, math.nan)


def summary_sentences(rows: list[dict], pass1: list[dict], training: list[dict]) -> list[str]:
    """Plain sentences: per method, how many key tests it wins; best pass@1; loss span."""
    out = []
    by_method: dict[str, list[dict]] = {}
    for r in rows:
        if r["measure"] != "pass@1":
            by_method.setdefault(r["method"], []).append(r)
    for method, rs in by_method.items():
        won = sum(r["verdict"] == "better" for r in rs)
        lost = sum(r["verdict"] == "worse" for r in rs)
        base = rs[0]["baseline"]
        out.append(
            f"{method} beats {base} on {won} of {len(rs)} summarization/translation tests"
            + (f" and loses {lost}" if lost else "")
            + " (paired Wilcoxon, adjusted p < alpha)."
        )
    passing = [r for r in pass1 if as_number(r.get("passes")) > 0]
    if pass1:
        if passing:
            best = max(passing, key=lambda r: as_number(r.get("pass@1")))
            out.append(
                f"pass@1 > 0 for {len({(r['model'], r['method']) for r in passing})} "
                f"model/method(s); best {best['method']} on {best['lang']}: "
                f"{fmt(best.get('passes'), 0)} of {best.get('n_tasks')} tasks."
            )
        else:
            out.append("No method passes any generation task (pass@1 = 0 everywhere).")
    spans = []
    several = len({str(t.get("seed")) for t in training}) > 1
    for t in training:
        if t.get("status") != "ok":
            continue
        first, last = loss_span(t.get("log_history") or [])
        if not math.isnan(first):
            seed = f" seed {t['seed']}" if several else ""
            spans.append(f"{t['method']}/{t['scope']}{seed} {first:.2f} \u2192 {last:.2f}")
    if spans:
        out.append("Training loss (first \u2192 last logged): " + "; ".join(spans) + ".")
    return out


def headline_html(rows: list[dict], pass1: list[dict], training: list[dict]) -> str:
    """The block at the top of index.html (after the demo banner)."""
    parts = ["<section id='headline'><h2>Headline: fine-tuned vs zero-shot</h2>"]
    if not rows and not pass1:
        parts.append(
            "<p class='nc'>No comparison with an untrained baseline in this study's "
            "<code>stats.comparisons</code>.</p></section>"
        )
        return "".join(parts)
    parts.append("<ul>")
    parts += [f"<li>{esc(s)}</li>" for s in summary_sentences(rows, pass1, training)]
    parts.append("</ul>")
    if rows:
        parts.append(
            "<table class='headline'><thead><tr><th>method</th><th>task</th><th>lang</th>"
            "<th>measure</th><th>baseline mean</th><th>method mean</th><th>p (adjusted)</th>"
            "<th>verdict</th></tr></thead><tbody>"
        )
        for r in rows:
            cls = {"better": "win", "worse": "loss"}.get(r["verdict"], "")
            p = r["p_adj"] if not math.isnan(r["p_adj"]) else r["p"]
            parts.append(
                f"<tr class='{cls}'><td>{esc(r['method'])}</td><td>{esc(r['task'])}</td>"
                f"<td>{esc(r['lang'])}</td><td>{esc(r['measure'])}</td>"
                f"<td>{fmt(r['mean_baseline'], 3)}</td><td>{fmt(r['mean_method'], 3)}</td>"
                f"<td>{'' if math.isnan(p) else f'{p:.2g}'}</td><td>{esc(r['verdict'])}</td></tr>"
            )
        parts.append("</tbody></table>")
        parts.append(
            "<p class='note'>Baseline = the untrained method (A) of each configured comparison; "
            "p = the stats stage's p-value after its adjustment (Wilcoxon for continuous "
            "measures, McNemar for pass@1). <a href='tables/headline.tsv'>TSV</a></p>"
        )
    parts.append("</section>")
    return "".join(parts)
