"""HTML pieces of the report: inline CSS, number formatting, plain tables, standalone pages per
table, images (data URIs or relative links) and the paper-shaped pivots (pass@1, means, research
questions). `codepeft.report.page` assembles index.html from them. No template engine, no
JavaScript."""

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
    if math.isinf(x):  # "inf", or a text that only parses as one (a hash such as 307262e10273)
        return str(value)
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
            # a text column shows its values as they are (a config hash is no number)
            text = str(v) if c in text_columns and isinstance(v, str) else fmt(v)
            cells.append(f'<td class="{" ".join(cls)}">{esc(text)}</td>')
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


def pass1_pivot(rows: list[dict], methods: list[str]) -> str:
    """Rows: language x model (scale); columns: ours per method, then the paper's per method."""
    several = T.several_seeds(rows)
    # a column per method, or per method and training seed when the study has several
    series = {T.seed_label(r["method"], r.get("seed"), several): r["method"] for r in rows}
    methods = sorted(
        (s for s in series if series[s] in methods), key=lambda s: methods.index(series[s])
    )
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
        group = {
            T.seed_label(r["method"], r.get("seed"), several): r
            for r in rows
            if r["lang"] == lang and r["model"] == model
        }
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


def means_pivot(means: list[dict], family: str, task: str) -> str:
    """Rows: model/method/lang; columns: measures (mean, with 'k n/c' when values are missing)."""
    rows = [r for r in means if r["family"] == family and r["task"] == task]
    if not rows:
        return ""
    measures = list(dict.fromkeys(r["measure"] for r in rows))
    several = T.several_seeds(rows)

    def key_of(r: dict) -> tuple:
        return (r["model"], T.seed_label(r["method"], r.get("seed"), several), r["lang"])

    keys = list(dict.fromkeys(key_of(r) for r in rows))
    head = (
        "<th class='t'>model</th><th class='t'>method</th><th class='t'>lang</th><th>ids</th>"
        + "".join(f"<th>{esc(m)}</th>" for m in measures)
    )
    body = []
    for key in keys:
        cells = "".join(f"<td class='t'>{esc(k)}</td>" for k in key)
        by = {r["measure"]: r for r in rows if key_of(r) == key}
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
    per = ["mean A / B", "n", "p adj", "effect"] + (
        ["paper: p adj", "paper: effect"] if has_paper else []
    )
    blocks = list(dict.fromkeys((r.get("task"), r.get("lang")) for r in rows))
    out = []
    for task, lang in blocks:
        sub = [r for r in rows if (r.get("task"), r.get("lang")) == (task, lang)]
        out.append(_rq_block(task, lang, sub, per, has_paper))
    return "\n".join(out)


def _rq_block(task, lang, sub: list[dict], per: list[str], has_paper: bool) -> str:
    """One task and language: the header (a column group per model) and a row per measure."""
    models = list(dict.fromkeys(r.get("model") for r in sub))
    seeds = T.several_seeds(sub)
    measures = list(
        dict.fromkeys(
            (r.get("family"), r.get("measure"), r.get("seed") if seeds else None) for r in sub
        )
    )
    if seeds:  # each seed's row, then the one over the seeds with its spread
        per = [*per, "gap vs seed spread"]
    head1 = "<th class='t' rowspan='2'>measure</th><th class='t' rowspan='2'>test</th>"
    head2 = ""
    for m in models:
        scale = next((r.get("scale") for r in sub if r.get("model") == m and r.get("scale")), None)
        label = f"{m} ({scale})" if scale else m
        head1 += f"<th colspan='{len(per)}'>{esc(label)}</th>"
        head2 += "".join(
            f"<th class='{'paper' if h.startswith('paper') else ''}'>{esc(h)}</th>" for h in per
        )
    body = []
    for family, measure, seed in measures:
        of_measure = [
            r
            for r in sub
            if (r.get("family"), r.get("measure")) == (family, measure)
            and (seed is None or r.get("seed") == seed)
        ]
        test = next((r.get("test") for r in of_measure), "")
        name = f"{family}: {measure}"
        if seed is not None:
            name += " (mean over seeds)" if seed == T.OVER_SEEDS else f" (seed {seed})"
        cells = f"<td class='t'>{esc(name)}</td><td class='t'>{esc(test)}</td>"
        for m in models:
            r = next((x for x in of_measure if x.get("model") == m), None)
            if r is None:
                cells += "<td></td>" * len(per)
                continue
            cells += _rq_cells(r, has_paper)
            if seeds:
                cells += f"<td>{esc(_gap_vs_spread(r))}</td>"
        body.append(f"<tr>{cells}</tr>")
    return (
        f"<h4>{esc(task)} / {esc(lang)}</h4><div class='scroll'><table class='rq'><thead><tr>{head1}</tr>"
        f"<tr>{head2}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _gap_vs_spread(r: dict) -> str:
    """A row over the seeds: 'gap G > spread S' (or <=), with each side's range over seeds."""
    verdict = r.get("gap_exceeds_spread")
    if verdict not in ("yes", "no"):
        return ""
    sign = ">" if verdict == "yes" else "<="
    return (
        f"gap {fmt(r.get('seed_gap'), 3)} {sign} spread {fmt(r.get('seed_spread'), 3)} "
        f"(A {fmt(r.get('a_seed_min'), 3)}-{fmt(r.get('a_seed_max'), 3)}, "
        f"B {fmt(r.get('b_seed_min'), 3)}-{fmt(r.get('b_seed_max'), 3)})"
    )


def _rq_cells(r: dict, has_paper: bool) -> str:
    """One model's cells of one measure: means, n (with the pairing counts), p adj, effect."""
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
    cells = (
        f"<td>{esc(fmt(r.get('mean_a')))} / {esc(fmt(r.get('mean_b')))}</td><td>{n_text}</td>"
        f"<td{sig}>{esc(fmt(r.get('p_adj'), 3))}</td><td{sig}>{esc(_effect_cell(r))}</td>"
    )
    if has_paper:
        cells += (
            f"<td class='paper'>{esc(fmt(r.get('paper_p_adj'), 3))}</td>"
            f"<td class='paper'>{esc(_effect_cell(r, paper=True))}</td>"
        )
    return cells
