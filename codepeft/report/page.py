"""index.html, one builder per section of the page; `index_page` assembles them in order.

Each builder returns the section's HTML parts (a list of strings; empty ones are dropped and the
rest joined by newlines in `index_page`). The HTML pieces (tables, pivots, images, CSS) are
`codepeft.report.html`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from codepeft import measures
from codepeft.paper.numbers import PAPER_LABEL
from codepeft.stats.plan import skipped_comparisons

from . import tables as T
from .html import CSS, esc, fmt, image_tag, means_pivot, pass1_pivot, rq_pivot, table_html

# the stats row's columns shown in the folded "all columns" table: the comparison, its sides
# and the adjustment method are in the section's heading; the note comes last
RQ_SHOW = tuple(c for c in T.RQ_COLUMNS if c not in {"comparison", "a", "b", "adjust", "note"}) + (
    "note",
)
RQ_TEXT_COLUMNS = ("task", "lang", "model", "scale", "seed", "family", "measure", "test", "note")
SEEDS_TEXT_COLUMNS = (
    *("comparison", "model", "task", "lang", "family", "measure", "subset", "a", "b", "test"),
    *("gap_exceeds_spread", "significant"),
)
NOT_COMPUTED_SHOW = [
    "family",
    "model",
    "method",
    "task",
    "lang",
    "n_ids",
    "n_ok",
    "count",
    "status",
]
TRAINING_SHOW = [
    *("model", "method", "scope", "finetune_requested", "finetune_used", "lora_fallback"),
    *("seed", "global_step", "train_loss", "best_metric", "resumed_from", "status"),
]
TRAINING_TEXT_COLUMNS = (
    "model",
    "method",
    "scope",
    "finetune_requested",
    "finetune_used",
    "status",
)

Plot = Callable[[str, str], str]  # (plot name, caption) -> <figure> or ''


def plotter(plot_paths: dict[str, str], out_dir: Path, embed: bool) -> Plot:
    """A plot's <figure> by name ('' when the plot was not drawn)."""

    def plot(name: str, alt: str) -> str:
        return image_tag(plot_paths[name], out_dir, embed, alt) if name in plot_paths else ""

    return plot


def head(title: str) -> list[str]:
    return [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
    ]


def demo_banner(demo_note: str | None) -> list[str]:
    if not demo_note:
        return []
    return [
        f"<div class='banner' id='demo-banner'><strong>Demo numbers.</strong> {esc(demo_note)}</div>"
    ]


def generated_note(provenance: dict) -> list[str]:
    return [
        f"<p class='note'>Generated {esc(provenance.get('generated_utc'))}; git {esc(provenance.get('git_revision'))}; "
        f"config hash {esc(provenance.get('config_hash'))}; seed {esc(provenance.get('seed'))}. "
        "Every number below comes from the per-instance tables listed in <code>provenance.json</code> "
        "(with their sha256); the TSV of each table is in <code>tables/</code>. Columns labelled "
        f"<span class='paper'>paper: …</span> are the numbers reported by {esc(PAPER_LABEL)}, shown only "
        "where the model is one of the paper's scales.</p>"
    ]


def nav(extra_sections) -> list[str]:
    return [
        "<nav><a href='#rq'>Research questions</a><a href='#pass1'>pass@1</a><a href='#surface'>Summarization / "
        "translation metrics</a><a href='#nonfunctional'>Non-functional</a><a href='#notcomputed'>Not computed</a>"
        "<a href='#training'>Training</a>"
        + "".join(f"<a href='#{esc(a)}'>{esc(label)}</a>" for a, label, _ in extra_sections)
        + "<a href='#provenance'>Provenance</a></nav>"
    ]


def rq_section(written_tables: dict, rq_names: list[str], skipped: list[str] = ()) -> list[str]:
    """Research questions: per comparison, the paper-shaped pivot and every column folded;
    `skipped`: the configured comparisons not run (codepeft.stats.plan.skipped_comparisons)."""
    parts = ["<h2 id='rq'>Research questions (paired tests)</h2>"]
    if skipped:
        parts.append(
            "<p class='note'>Not run: "
            + "; ".join(esc(line) for line in skipped)
            + " (docs/statistics.md).</p>"
        )
    if not rq_names:
        parts.append(
            "<p class='nc'>No comparison was run (stats disabled, or no configured comparison applies to this study's methods).</p>"
        )
    for name in rq_names:
        parts += _rq_comparison(name, *written_tables[f"rq_{name}"])
    return parts


def _rq_comparison(name: str, columns: list[str], rows: list[dict], caption: str) -> list[str]:
    show = [c for c in RQ_SHOW if c in columns]
    a = rows[0].get("a") if rows else ""
    b = rows[0].get("b") if rows else ""
    parts = [
        f"<h3>{esc(caption)}</h3><p class='note'>A = {esc(a)}, B = {esc(b)}. "
        "Binary measures: McNemar (effect = odds ratio, A only + 0.5 over B only + 0.5); continuous: "
        "Wilcoxon signed-rank (effect = Cliff's delta, positive = A larger, with its CI and magnitude). "
        "n_a_only / n_b_only: ids present on one side only; n_missing_*: paired ids whose value was not "
        f"computed. <a href='tables/rq_{esc(name)}.tsv'>TSV</a></p>"
    ]
    if not rows:
        return parts + ["<p class='nc'>No rows.</p>"]
    return parts + [
        rq_pivot(rows),
        "<details><summary>All columns (pairing counts, 2x2 tables, CIs, notes)</summary>",
        table_html(show, rows, text_columns=RQ_TEXT_COLUMNS),
        "</details>",
    ]


def seeds_section(rows: list[dict]) -> str:
    """Seeds: per comparison, model, task, language and measure, the gap between the methods
    (their per-instance scores averaged over the training seeds) against the spread between
    seeds of one method; the verdict first, then the numbers (tables/seeds.tsv)."""
    verdicts = []
    for r in rows:
        exceeds = r.get("gap_exceeds_spread")
        if exceeds not in ("yes", "no"):
            continue
        word = "exceeds" if exceeds == "yes" else "does not exceed"
        subset = f", subset {r['subset']}" if r.get("subset") not in (None, "", "all") else ""
        verdicts.append(
            f"{r['comparison']} ({r['model']}, {r['task']}/{r['lang']}, {r['measure']}{subset}): "
            f"the gap between {r['a']} and {r['b']} ({fmt(r['seed_gap'], 3)}) {word} the "
            f"spread between seeds ({fmt(r['seed_spread'], 3)}) over {r['n_seeds']} seeds"
        )
    parts = [
        "<h2 id='seeds'>Seeds: gap between methods vs spread between seeds</h2>",
        "<p class='note'>Each method trained once per training seed (<code>training.seeds</code>). "
        "Per seed, a side's score is the mean of the measure over the paired ids (the stats row of "
        "that seed); mean = the side's per-instance values averaged over its seeds, then tested "
        "(Wilcoxon). Spread = the larger side's max - min over seeds; a gap within it may be "
        "seed noise. <a href='tables/seeds.tsv'>TSV</a></p>",
    ]
    if verdicts:
        parts.append("<ul>" + "".join(f"<li>{esc(v)}</li>" for v in verdicts) + "</ul>")
    parts.append(table_html(T.SEEDS_COLUMNS, rows, text_columns=SEEDS_TEXT_COLUMNS))
    return "\n".join(parts)


def pass1_section(config: dict, pass1_table: tuple, plot: Plot) -> list[str]:
    """pass@1: passes / tasks per language x model, one column per method (+ the paper's)."""
    _, rows, _ = pass1_table
    parts = ["<h2 id='pass1'>Functional correctness: pass@1</h2>"]
    if not rows:
        return parts + [
            "<p class='nc'>No execution table in this study (execution stage disabled?).</p>"
        ]
    return parts + [
        "<p class='note'>passes / tasks of the data set (a task not computed or without a prediction "
        "counts as a fail, as the paper counts; the last column says how many). "
        "<a href='tables/pass1.tsv'>TSV</a></p>",
        pass1_pivot(rows, list(config.get("methods", {}))),
        plot(
            "pass1_by_scale", "pass@1 by scale and method (diamonds: the paper's reported pass@1)"
        ),
    ]


def surface_section(config: dict, means: list[dict], plot: Plot) -> list[str]:
    """Summarization and translation metrics: means per task and family, distributions."""
    parts = [
        "<h2 id='surface'>Summarization and translation metrics (means)</h2>",
        "<p class='note'>Means over the ids with a value; '(k n/c)' = k ids not computed (hover for why). "
        "<a href='tables/means.tsv'>TSV with median, sd, min, max</a></p>",
    ]
    for task in config.get("tasks", {}):
        parts += [means_pivot(means, family, task) for family in measures.in_section("surface")]
        for lang in config["tasks"][task].get("languages", []):
            caption = f"{task} / {lang}: per-instance distributions per method (red dot: mean)"
            parts.append(plot(f"dist_{task}_{lang}", caption))
    return parts


def nonfunctional_section(config: dict, means: list[dict], plot: Plot) -> list[str]:
    """Static-analysis families: means per task, one figure per family."""
    parts = [
        "<h2 id='nonfunctional'>Non-functional measures (static analysis; means per instance)</h2>"
    ]
    families = [
        f
        for f in dict.fromkeys(r["family"] for r in means)
        if measures.section_of(f) == "nonfunctional"  # an unknown family: UnknownFamily
    ]
    if not families:
        parts.append("<p class='nc'>No static-analysis table in this study.</p>")
    for family in families:
        parts += [means_pivot(means, family, task) for task in config.get("tasks", {})]
        parts.append(plot(f"nonfunctional_{family}", f"{family}: mean per method"))
    return parts


def not_computed_section(not_computed: list[dict]) -> list[str]:
    """How many tables have ids not computed, and every such id count with its reason."""
    bad = [r for r in not_computed if r["count"]]
    n_tables = len({r["table"] for r in not_computed})
    n_bad_tables = len({r["table"] for r in bad})
    total = sum(r["count"] for r in bad)
    parts = [
        "<h2 id='notcomputed'>Not computed</h2>",
        f"<p id='nc-summary'>{n_bad_tables} of {n_tables} metric tables have ids that were not computed "
        f"({total} ids in all); every one is listed with its reason. "
        "<a href='tables/not_computed.tsv'>TSV</a></p>",
    ]
    if bad:
        text = ("family", "model", "method", "task", "lang", "status")
        parts.append(table_html(NOT_COMPUTED_SHOW, bad, text_columns=text))
    return parts


def training_section(training: list[dict], plot: Plot) -> list[str]:
    """Trained models (what was requested and used, LoRA fallback) and their loss curves."""
    parts = ["<h2 id='training'>Trained models</h2>"]
    if not training:
        return parts + ["<p>No trained model in this study.</p>"]
    parts.append(table_html(TRAINING_SHOW, training, text_columns=TRAINING_TEXT_COLUMNS))
    if any(r.get("lora_fallback") for r in training):
        parts.append(
            "<p class='nc'>lora_fallback = true: 4-bit quantization was not available, so these "
            "'QLoRA' models were trained as plain LoRA on an unquantized base.</p>"
        )
    caption = "Training loss (solid) and evaluation loss (dashed) per trained model"
    return parts + [plot("training_loss", caption)]


def provenance_section(provenance: dict) -> list[str]:
    """Revision, config hash, seed, platform, packages; the full record is provenance.json."""
    items = [
        ("git revision", provenance.get("git_revision")),
        ("config hash (sha256/16)", provenance.get("config_hash")),
        ("seed", str(provenance.get("seed"))),
        ("python", provenance.get("python")),
        ("platform", provenance.get("platform")),
        ("accelerator", provenance.get("accelerator")),
        ("input files", str(len(provenance.get("inputs", [])))),
    ]
    packages = provenance.get("packages", {}).items()
    return [
        "<h2 id='provenance'>Provenance</h2>",
        table_html(
            ["item", "value"],
            [{"item": k, "value": v} for k, v in items],
            text_columns=("item", "value"),
        ),
        table_html(
            ["package", "version"],
            [{"package": k, "version": v} for k, v in packages],
            text_columns=("package", "version"),
        ),
        "<p class='note'>Full record (input files with sha256, trained models' provenance): "
        "<a href='provenance.json'>provenance.json</a>.</p>",
    ]


def index_page(
    config: dict,
    demo_note: str | None,
    written_tables: dict,
    rq_names: list[str],
    means: list[dict],
    not_computed: list[dict],
    plot_paths: dict[str, str],
    out_dir: Path,
    embed: bool,
    provenance: dict,
    training: list[dict],
    quirks_html: str = "",
    extra_sections: list[tuple[str, str, str]] = (),
    headline: str | None = None,
) -> str:
    """The page, section by section. `extra_sections`: (anchor id, nav label, HTML) of sections
    built elsewhere (e.g. cost), placed before the provenance; `quirks_html` and `headline`
    likewise built elsewhere ('' or None: left out)."""
    title = f"codepeft report: {config.get('study', {}).get('name', 'study')}"
    plot = plotter(plot_paths, out_dir, embed)
    parts = [
        *head(title),
        *demo_banner(demo_note),
        headline or "",
        *generated_note(provenance),
        *nav(extra_sections),
        quirks_html,  # replication-package behaviours in force ('' when none)
        *rq_section(written_tables, rq_names, skipped_comparisons(config)),
        *pass1_section(config, written_tables["pass1"], plot),
        *surface_section(config, means, plot),
        *nonfunctional_section(config, means, plot),
        *not_computed_section(not_computed),
        *training_section(training, plot),
        *(body for _, _, body in extra_sections),
        *provenance_section(provenance),
        "</body></html>\n",
    ]
    return "\n".join(p for p in parts if p)
