"""The report's retention section: does fine-tuning hurt the base model where it was not trained?

Built from the stats stage's `retention` comparison (results/stats/retention.tsv,
`codepeft.stats.plan.retention_blocks`): each fine-tuned model against its zero-shot base on
every test set outside its training mixture (another task of a single-task model with
`off_task_evaluation`, or a test set no mixture holds), every measure of `stats.measures`
there, with the stats stage's paired test (McNemar or Wilcoxon) and adjusted p-value. Nothing
is computed here: the section selects and phrases those rows.
"""

from __future__ import annotations

import math

from codepeft import study
from codepeft.stats.plan import RETENTION

from .headline import as_number, reported_subset, verdict
from .html import esc, fmt

TITLE = "Retention: fine-tuned vs zero-shot on test sets outside the training mixture"
RETENTION_COLUMNS = (
    "model",
    "method",
    "trained_on",
    "baseline",
    "task",
    "lang",
    "family",
    "measure",
    "n_paired",
    "mean_baseline",
    "mean_method",
    "difference",
    "test",
    "p_adj",
    "effect_name",
    "effect",
    "verdict",
)
#: the headline's verdicts (B vs A) as retention reads them
VERDICTS = {"better": "improved", "worse": "hurt"}


def trained_on(config: dict, method: str, task: str) -> str:
    """The training mixture's sources of the model answering `task` for `method`, as
    `task/lang` joined by '+' ('' for an untrained method or one unknown to the config)."""
    base = study.method_and_scope(method)[0]
    if base not in config.get("methods", {}):
        return ""
    sources = study.answering_sources(config, method, task) or []
    return "+".join(f"{t}/{lang}" for t, lang in sources)


def retention_rows(config: dict, stats_rows: list[dict]) -> list[dict]:
    """One row per stats row of the retention comparison (as read: strings) of the subset the
    report shows (`reported_subset`), in its order."""
    alpha = float(config.get("stats", {}).get("alpha", 0.05))
    subset = reported_subset(config)
    out = []
    for r in stats_rows:
        if (r.get("subset") or subset) != subset:
            continue
        base, method = (str(r.get(k, "")).split("/", 1)[-1] for k in ("a", "b"))
        judged = verdict(r, alpha)
        mean_a, mean_b = as_number(r.get("mean_a")), as_number(r.get("mean_b"))
        out.append(
            {
                "model": r.get("model"),
                "method": method,
                "trained_on": trained_on(config, method, r.get("task", "")),
                "baseline": base,
                "task": r.get("task"),
                "lang": r.get("lang"),
                "family": r.get("family"),
                "measure": r.get("measure"),
                "n_paired": r.get("n_paired"),
                "mean_baseline": mean_a,
                "mean_method": mean_b,
                "difference": mean_b - mean_a,
                "test": r.get("test"),
                "p_adj": as_number(r.get("p_adj")),
                "effect_name": r.get("effect_name"),
                "effect": as_number(r.get("effect")),
                "verdict": VERDICTS.get(judged, judged),
            }
        )
    return out


def summary(rows: list[dict]) -> str:
    """One sentence: how many of the paired tests say fine-tuning hurt, improved, or neither."""
    counts = {v: sum(r["verdict"] == v for r in rows) for v in ("hurt", "improved")}
    models = len({(r["model"], r["method"]) for r in rows})
    sets = len({(r["task"], r["lang"]) for r in rows})
    return (
        f"{len(rows)} paired tests of {models} fine-tuned model(s) on {sets} test set(s) outside "
        f"their training mixture: hurt in {counts['hurt']}, improved in {counts['improved']}, "
        f"no significant difference (or not computed) in "
        f"{len(rows) - counts['hurt'] - counts['improved']} (adjusted p < alpha)."
    )


def retention_html(rows: list[dict], config: dict) -> str:
    """The section of index.html (its anchor: `retention`)."""
    parts = [f"<section id='retention'><h2>{esc(TITLE)}</h2>"]
    if not rows:
        why = "no fine-tuned model has predictions on a test set outside its training mixture" + (
            ""
            if config.get("off_task_evaluation")
            else " (off_task_evaluation is off: each model is evaluated on its own tasks, "
            "and no test set of this study lies outside every mixture)"
        )
        parts.append(f"<p class='nc'>Not computed: {esc(why)}.</p></section>")
        return "".join(parts)
    parts.append(f"<p>{esc(summary(rows))}</p>")
    parts.append(
        "<table class='headline'><thead><tr><th>model</th><th>fine-tuned</th><th>trained on</th>"
        "<th>test set</th><th>measure</th><th>zero-shot mean</th><th>fine-tuned mean</th>"
        "<th>test</th><th>p (adjusted)</th><th>verdict</th></tr></thead><tbody>"
    )
    for r in rows:
        cls = {"improved": "win", "hurt": "loss"}.get(r["verdict"], "")
        p = "" if math.isnan(r["p_adj"]) else f"{r['p_adj']:.2g}"
        parts.append(
            f"<tr class='{cls}'><td>{esc(r['model'])}</td><td>{esc(r['method'])}</td>"
            f"<td>{esc(r['trained_on'])}</td><td>{esc(r['task'])}/{esc(r['lang'])}</td>"
            f"<td>{esc(r['measure'])}</td><td>{fmt(r['mean_baseline'], 3)}</td>"
            f"<td>{fmt(r['mean_method'], 3)}</td><td>{esc(r['test'])}</td><td>{p}</td>"
            f"<td>{esc(r['verdict'])}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(
        "<p class='note'>Each fine-tuned model (<code>method@scope</code>: a model evaluated "
        "off its own task) against the zero-shot base on the same test items, paired by id: "
        "McNemar for pass@1, Wilcoxon for continuous measures, p adjusted within the "
        f"<code>{RETENTION}</code> comparison's families (results/stats/{RETENTION}.tsv). "
        "<a href='tables/retention.tsv'>TSV</a></p></section>"
    )
    return "".join(parts)
