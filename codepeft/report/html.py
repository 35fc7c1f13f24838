"""HTML rendering of the report: one self-contained page (inline CSS, images as data URIs or
relative links), plus small standalone pages per table. No template engine, no JavaScript."""

from __future__ import annotations

import base64
import html
import math
import os
from pathlib import Path

from . import tables as T

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5em auto;max-width:1400px;
color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:2px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.82em}
th,td{border:1px solid #ccc;padding:.2em .45em;text-align:right;vertical-align:top}
th{background:#f0f0f0;position:sticky;top:0}td.t,th.t{text-align:left}
tr:nth-child(even) td{background:#fafafa}
.banner{background:#fff3cd;border:2px solid #e0a800;padding:.8em 1em;font-size:1.1em;margin:1em 0}
.paper{background:#eef4ff!important}.nc{color:#b00}.sig{font-weight:bold}
.note{color:#555;font-size:.9em}img{max-width:100%;border:1px solid #ddd;margin:.4em 0}
figure{margin:.5em 0 1.2em}figcaption{font-size:.85em;color:#444}
nav a{margin-right:1em}details{margin:.5em 0}.scroll{overflow-x:auto;max-width:100%}
"""


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def fmt(value, digits: int = 4) -> str:
    """Numbers to short strings; None/NaN/empty -> ''."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return ""
    if x == int(x) and abs(x) < 1e9 and "." not in str(value) and "e" not in str(value).lower():
        return str(int(x))
    if x != 0 and abs(x) < 1e-3:
        return f"{x:.2e}"
    return f"{x:.{digits}g}"


def table_html(columns, rows, classes: dict | None = None, text_columns=()) -> str:
    """A plain <table>; paper_* columns get the 'paper' class and a labelled header."""
    classes = classes or {}
    head = []
    for c in columns:
        cls = "paper" if c.startswith("paper_") else ("t" if c in text_columns else "")
        label = c.replace("paper_", "paper: ") if c.startswith("paper_") else c
        head.append(f'<th class="{cls}">{esc(label)}</th>')
    body = []
    for r in rows:
        cells = []
        for c in columns:
            v = r.get(c)
            cls = ["paper"] if c.startswith("paper_") else []
            if isinstance(v, str) and not _is_number(v):
                cls.append("t")
            cls += classes.get(c, [])
            cells.append(f'<td class="{" ".join(cls)}">{esc(fmt(v))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<div class='scroll'><table>\n<thead><tr>"
        + "".join(head)
        + "</tr></thead>\n<tbody>\n"
        + "\n".join(body)
        + "\n</tbody></table></div>"
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def table_page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{esc(title)}</title>"
        f"<style>{CSS}</style></head><body><h1>{esc(title)}</h1>{body}</body></html>\n"
    )


def image_tag(path: str, out_dir: Path, embed: bool, alt: str) -> str:
    if embed:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        src = f"data:image/png;base64,{data}"
    else:
        src = os.path.relpath(path, out_dir)
    return f'<figure><img src="{src}" alt="{esc(alt)}"><figcaption>{esc(alt)}</figcaption></figure>'


def _pass1_pivot(rows: list[dict], methods: list[str]) -> str:
    """Rows: language x model (scale); columns: ours per method, then the paper's per method."""
    methods = [m for m in methods if any(r["method"] == m for r in rows)]
    has_paper = any(r.get("paper_passes") is not None for r in rows)
    keys = list(dict.fromkeys((r["lang"], r["model"]) for r in rows))
    head = "<th class='t'>language</th><th class='t'>model (scale)</th>" + "".join(
        f"<th>{esc(m)}</th>" for m in methods
    )
    if has_paper:
        head += "".join(f"<th class='paper'>paper: {esc(m)}</th>" for m in methods)
    head += "<th class='t'>counted as fails</th>"
    body = []
    for lang, model in keys:
        group = {r["method"]: r for r in rows if r["lang"] == lang and r["model"] == model}
        any_r = next(iter(group.values()))
        scale = f" ({any_r['scale']})" if any_r.get("scale") else ""
        cells = [f"<td class='t'>{esc(lang)}</td><td class='t'>{esc(model)}{esc(scale)}</td>"]
        for m in methods:
            r = group.get(m)
            cells.append(
                f"<td>{fmt(r['passes'])}/{fmt(r['n_tasks'])} ({100 * r['pass@1']:.1f}%)</td>"
                if r and r.get("pass@1") is not None
                else "<td></td>"
            )
        if has_paper:
            for m in methods:
                r = group.get(m)
                cells.append(
                    f"<td class='paper'>{r['paper_passes']}/{r['paper_n_tasks']} ({100 * r['paper_pass@1']:.1f}%)</td>"
                    if r and r.get("paper_passes") is not None
                    else "<td class='paper'></td>"
                )
        nc = []
        for m, r in group.items():
            parts = [
                f"{fmt(r.get(k))} {label}"
                for k, label in (
                    ("n_not_computed", "not computed"),
                    ("n_missing", "without prediction"),
                )
                if r.get(k)
            ]
            if parts:
                nc.append(f"{m}: " + ", ".join(parts))
        cells.append(f"<td class='t nc'>{esc('; '.join(nc))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _means_pivot(means: list[dict], family: str, task: str) -> str:
    """Rows: model/method/lang; columns: measures (mean, with 'k n/c' when values are missing)."""
    rows = [r for r in means if r["family"] == family and r["task"] == task]
    if not rows:
        return ""
    measures = list(dict.fromkeys(r["measure"] for r in rows))
    keys = list(dict.fromkeys((r["model"], r["method"], r["lang"]) for r in rows))
    head = (
        "<th class='t'>model</th><th class='t'>method</th><th class='t'>lang</th><th>ids</th>"
        + "".join(f"<th>{esc(m)}</th>" for m in measures)
    )
    body = []
    for key in keys:
        cells = "".join(f"<td class='t'>{esc(k)}</td>" for k in key)
        by = {r["measure"]: r for r in rows if (r["model"], r["method"], r["lang"]) == key}
        n_ids = max(r["n_ids"] for r in by.values())
        cells += f"<td>{n_ids}</td>"
        for m in measures:
            r = by.get(m)
            if not r:
                cells += "<td></td>"
                continue
            text = esc(fmt(r["mean"]))
            if r["n_not_computed"]:
                title = esc(r["not_computed_reasons"])
                text += f" <span class='nc' title='{title}'>({r['n_not_computed']} n/c)</span>"
            cells += f"<td>{text}</td>"
        body.append(f"<tr>{cells}</tr>")
    return f"<h4>{esc(family)} / {esc(task)}</h4><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _effect_cell(r: dict, paper: bool = False) -> str:
    key = "paper_effect" if paper else "effect"
    value = r.get(key)
    if value in (None, ""):
        return ""
    mag = r.get("paper_magnitude" if paper else "magnitude") or ""
    return fmt(value, 3) + (f" ({mag})" if mag else "")


def rq_pivot(rows: list[dict]) -> str:
    """The paper's layout: one block per task and language/direction; rows = measures; per
    model (scale): means A / B, adjusted p, effect (magnitude); the paper's adjusted p and effect
    beside, where they map. Bold: significant after adjustment."""
    has_paper = any(r.get("paper_p_adj") not in (None, "") for r in rows)
    out = []
    blocks = list(dict.fromkeys((r.get("task"), r.get("lang")) for r in rows))
    for task, lang in blocks:
        sub = [r for r in rows if (r.get("task"), r.get("lang")) == (task, lang)]
        models = list(dict.fromkeys(r.get("model") for r in sub))
        measures = list(dict.fromkeys((r.get("family"), r.get("measure")) for r in sub))
        head1 = "<th class='t' rowspan='2'>measure</th><th class='t' rowspan='2'>test</th>"
        head2 = ""
        per = ["mean A / B", "n", "p adj", "effect"] + (
            ["paper: p adj", "paper: effect"] if has_paper else []
        )
        for m in models:
            scale = next(
                (r.get("scale") for r in sub if r.get("model") == m and r.get("scale")), None
            )
            label = f"{m} ({scale})" if scale else m
            head1 += f"<th colspan='{len(per)}'>{esc(label)}</th>"
            head2 += "".join(
                f"<th class='{'paper' if h.startswith('paper') else ''}'>{esc(h)}</th>" for h in per
            )
        body = []
        for family, measure in measures:
            test = next(
                (
                    r.get("test")
                    for r in sub
                    if (r.get("family"), r.get("measure")) == (family, measure)
                ),
                "",
            )
            cells = (
                f"<td class='t'>{esc(family)}: {esc(measure)}</td><td class='t'>{esc(test)}</td>"
            )
            for m in models:
                r = next(
                    (
                        x
                        for x in sub
                        if x.get("model") == m
                        and (x.get("family"), x.get("measure")) == (family, measure)
                    ),
                    None,
                )
                if r is None:
                    cells += "<td></td>" * len(per)
                    continue
                sig = " class='sig'" if r.get("significant") == "yes" else ""
                extra = [
                    f"{label} {int(T.value(r, k))}"
                    for k, label in (
                        ("n_a_only", "A only"),
                        ("n_b_only", "B only"),
                        ("n_missing_a", "A n.c."),
                        ("n_missing_b", "B n.c."),
                    )
                    if not math.isnan(T.value(r, k)) and T.value(r, k) > 0
                ]
                n_text = esc(fmt(r.get("n_paired")))
                if extra:
                    n_text += f" <span class='nc'>({esc(', '.join(extra))})</span>"
                cells += (
                    f"<td>{esc(fmt(r.get('mean_a')))} / {esc(fmt(r.get('mean_b')))}</td><td>{n_text}</td>"
                    f"<td{sig}>{esc(fmt(r.get('p_adj'), 3))}</td><td{sig}>{esc(_effect_cell(r))}</td>"
                )
                if has_paper:
                    cells += (
                        f"<td class='paper'>{esc(fmt(r.get('paper_p_adj'), 3))}</td>"
                        f"<td class='paper'>{esc(_effect_cell(r, paper=True))}</td>"
                    )
            body.append(f"<tr>{cells}</tr>")
        out.append(
            f"<h4>{esc(task)} / {esc(lang)}</h4><div class='scroll'><table class='rq'><thead><tr>{head1}</tr>"
            f"<tr>{head2}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )
    return "\n".join(out)


# the stats row's columns shown in the folded "all columns" table: the comparison, its sides
# and the adjustment method are in the section's heading; the note comes last
RQ_SHOW = tuple(c for c in T.RQ_COLUMNS if c not in {"comparison", "a", "b", "adjust", "note"}) + (
    "note",
)


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
    """`extra_sections`: (anchor id, nav label, HTML) of sections built elsewhere (e.g. cost),
    placed before the provenance."""
    study = config.get("study", {})
    title = f"codepeft report: {study.get('name', 'study')}"
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
    ]
    parts.append(f"<style>{CSS}</style></head><body>")
    parts.append(f"<h1>{esc(title)}</h1>")
    if demo_note:
        parts.append(
            f"<div class='banner' id='demo-banner'><strong>Demo numbers.</strong> {esc(demo_note)}</div>"
        )
    if headline:
        parts.append(headline)
    parts.append(
        f"<p class='note'>Generated {esc(provenance.get('generated_utc'))}; git {esc(provenance.get('git_revision'))}; "
        f"config hash {esc(provenance.get('config_hash'))}; seed {esc(provenance.get('seed'))}. "
        "Every number below comes from the per-instance tables listed in <code>provenance.json</code> "
        "(with their sha256); the TSV of each table is in <code>tables/</code>. Columns labelled "
        f"<span class='paper'>paper: …</span> are the numbers reported by {esc(T.PAPER_LABEL)}, shown only "
        "where the model is one of the paper's scales.</p>"
    )
    parts.append(
        "<nav><a href='#rq'>Research questions</a><a href='#pass1'>pass@1</a><a href='#surface'>Summarization / "
        "translation metrics</a><a href='#nonfunctional'>Non-functional</a><a href='#notcomputed'>Not computed</a>"
        "<a href='#training'>Training</a>"
        + "".join(f"<a href='#{esc(a)}'>{esc(label)}</a>" for a, label, _ in extra_sections)
        + "<a href='#provenance'>Provenance</a></nav>"
    )

    def plot(name, alt):
        return image_tag(plot_paths[name], out_dir, embed, alt) if name in plot_paths else ""

    parts.append(quirks_html)  # replication-package behaviours in force ('' when none)

    # research questions
    parts.append("<h2 id='rq'>Research questions (paired tests)</h2>")
    if not rq_names:
        parts.append(
            "<p class='nc'>No comparison was run (stats disabled, or no configured comparison applies to this study's methods).</p>"
        )
    for name in rq_names:
        columns, rows, caption = written_tables[f"rq_{name}"]
        show = [c for c in RQ_SHOW if c in columns]
        a = rows[0].get("a") if rows else ""
        b = rows[0].get("b") if rows else ""
        parts.append(
            f"<h3>{esc(caption)}</h3><p class='note'>A = {esc(a)}, B = {esc(b)}. "
            "Binary measures: McNemar (effect = odds ratio, A only + 0.5 over B only + 0.5); continuous: "
            "Wilcoxon signed-rank (effect = Cliff's delta, positive = A larger, with its CI and magnitude). "
            "n_a_only / n_b_only: ids present on one side only; n_missing_*: paired ids whose value was not "
            f"computed. <a href='tables/rq_{esc(name)}.tsv'>TSV</a></p>"
        )
        if rows:
            parts.append(rq_pivot(rows))
            parts.append(
                "<details><summary>All columns (pairing counts, 2x2 tables, CIs, notes)</summary>"
            )
            parts.append(
                table_html(
                    show,
                    rows,
                    text_columns=(
                        "task",
                        "lang",
                        "model",
                        "scale",
                        "family",
                        "measure",
                        "test",
                        "note",
                    ),
                )
            )
            parts.append("</details>")
        else:
            parts.append("<p class='nc'>No rows.</p>")

    # pass@1
    parts.append("<h2 id='pass1'>Functional correctness: pass@1</h2>")
    columns, rows, _ = written_tables["pass1"]
    if rows:
        methods = list(config.get("methods", {}))
        parts.append(
            "<p class='note'>passes / tasks of the data set (a task not computed or without a prediction "
            "counts as a fail, as the paper counts; the last column says how many). "
            "<a href='tables/pass1.tsv'>TSV</a></p>"
        )
        parts.append(_pass1_pivot(rows, methods))
        parts.append(
            plot(
                "pass1_by_scale",
                "pass@1 by scale and method (diamonds: the paper's reported pass@1)",
            )
        )
    else:
        parts.append(
            "<p class='nc'>No execution table in this study (execution stage disabled?).</p>"
        )

    # surface metrics
    parts.append("<h2 id='surface'>Summarization and translation metrics (means)</h2>")
    parts.append(
        "<p class='note'>Means over the ids with a value; '(k n/c)' = k ids not computed (hover for why). "
        "<a href='tables/means.tsv'>TSV with median, sd, min, max</a></p>"
    )
    for task in config.get("tasks", {}):
        for family in ("surface", "codebleu", "judge"):
            parts.append(_means_pivot(means, family, task))
        for lang in config["tasks"][task].get("languages", []):
            parts.append(
                plot(
                    f"dist_{task}_{lang}",
                    f"{task} / {lang}: per-instance distributions per method (red dot: mean)",
                )
            )

    # non-functional
    parts.append(
        "<h2 id='nonfunctional'>Non-functional measures (static analysis; means per instance)</h2>"
    )
    families = list(
        dict.fromkeys(
            r["family"]
            for r in means
            if r["family"] not in ("surface", "codebleu", "judge", "execution")
        )
    )
    if not families:
        parts.append("<p class='nc'>No static-analysis table in this study.</p>")
    for family in families:
        for task in config.get("tasks", {}):
            parts.append(_means_pivot(means, family, task))
        parts.append(plot(f"nonfunctional_{family}", f"{family}: mean per method"))

    # not computed
    parts.append("<h2 id='notcomputed'>Not computed</h2>")
    bad = [r for r in not_computed if r["count"]]
    n_tables = len({r["table"] for r in not_computed})
    n_bad_tables = len({r["table"] for r in bad})
    total = sum(r["count"] for r in bad)
    parts.append(
        f"<p id='nc-summary'>{n_bad_tables} of {n_tables} metric tables have ids that were not computed "
        f"({total} ids in all); every one is listed with its reason. "
        "<a href='tables/not_computed.tsv'>TSV</a></p>"
    )
    if bad:
        cols = ["family", "model", "method", "task", "lang", "n_ids", "n_ok", "count", "status"]
        parts.append(
            table_html(
                cols, bad, text_columns=("family", "model", "method", "task", "lang", "status")
            )
        )

    # training
    parts.append("<h2 id='training'>Trained models</h2>")
    if training:
        cols = [
            "model",
            "method",
            "scope",
            "finetune_requested",
            "finetune_used",
            "lora_fallback",
            "seed",
            "global_step",
            "train_loss",
            "best_metric",
            "resumed_from",
            "status",
        ]
        parts.append(
            table_html(
                cols,
                training,
                text_columns=(
                    "model",
                    "method",
                    "scope",
                    "finetune_requested",
                    "finetune_used",
                    "status",
                ),
            )
        )
        if any(r.get("lora_fallback") for r in training):
            parts.append(
                "<p class='nc'>lora_fallback = true: 4-bit quantization was not available, so these "
                "'QLoRA' models were trained as plain LoRA on an unquantized base.</p>"
            )
        parts.append(
            plot(
                "training_loss",
                "Training loss (solid) and evaluation loss (dashed) per trained model",
            )
        )
    else:
        parts.append("<p>No trained model in this study.</p>")

    parts.extend(body for _, _, body in extra_sections)

    # provenance
    parts.append("<h2 id='provenance'>Provenance</h2>")
    pk = provenance.get("packages", {})
    parts.append(
        table_html(
            ["item", "value"],
            [
                {"item": "git revision", "value": provenance.get("git_revision")},
                {"item": "config hash (sha256/16)", "value": provenance.get("config_hash")},
                {"item": "seed", "value": str(provenance.get("seed"))},
                {"item": "python", "value": provenance.get("python")},
                {"item": "platform", "value": provenance.get("platform")},
                {"item": "accelerator", "value": provenance.get("accelerator")},
                {"item": "input files", "value": str(len(provenance.get("inputs", [])))},
            ],
            text_columns=("item", "value"),
        )
    )
    parts.append(
        table_html(
            ["package", "version"],
            [{"package": k, "version": v} for k, v in pk.items()],
            text_columns=("package", "version"),
        )
    )
    parts.append(
        "<p class='note'>Full record (input files with sha256, trained models' provenance): "
        "<a href='provenance.json'>provenance.json</a>.</p>"
    )
    parts.append("</body></html>\n")
    return "\n".join(p for p in parts if p)
