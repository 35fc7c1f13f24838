"""Build results/report/: tables (TSV + HTML), plots (PNG), provenance, index.html.

`build_report(config, out_dir, metric_tables=..., stats_tables=..., model_dirs=...)` reads the
given files (paths relative to `root`), so the Snakemake rule passes exactly its inputs and the
command line can point at any results folder (`discover(root, config)` globs it).

Layout written under `out_dir`:

    index.html                 one self-contained page (images embedded as data URIs)
    provenance.json            package versions, git revision, config hash, seed, trained models
                               (finetune_used, lora_fallback), input files with sha256
    tables/pass1.tsv           pass@1 per model, method, language (+ paper's counts where mapped)
    tables/means.tsv           mean/median/sd of every measure of every metric table
    tables/not_computed.tsv    per table: ids not computed, by status string
    tables/rq_<comparison>.tsv one per results/stats/<comparison>.tsv, in the paper's shape
    tables/*.html              the same tables as HTML fragments
    plots/*.png                pass1_by_scale, dist_<task>_<lang>, nonfunctional_<family>,
                               training_loss
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import math
import os
import time
from pathlib import Path

import numpy as np

from codepeft import paths, study
from codepeft.io import write_json, write_tsv
from codepeft.provenance import provenance
from codepeft.stats import read_table

from . import cost as cost_mod
from . import headline as headline_mod
from . import html as html_mod
from . import plots, quirks_section
from . import tables as T

log = logging.getLogger("codepeft.report")

REFERENCE = "reference"
SURFACE_FAMILIES = ("surface", "codebleu", "judge")
FUNCTIONAL_FAMILIES = ("execution",)
DEFAULT_SECTION = {
    "enabled": True,
    "embed_images": True,
    "distributions": {
        "surface": ["bleu_sacre", "meteor", "rougeL", "chrf", "bertscore_f1", "side"],
        "codebleu": ["codebleu"],
        "judge": ["content_adequacy_mean", "conciseness_mean", "fluency_mean"],
    },
    "max_panels": 12,
    "exclude_columns": list(T.DEFAULT_EXCLUDE),
}
DEMO_NOTE = (
    "Demo run: numbers from a tiny demo model (random weights, trained for a few steps on "
    "small embedded data sets). They show that the workflow runs end to end; they say nothing "
    "about real models or about the paper's findings."
)


def section_of(config: dict) -> dict:
    return {**DEFAULT_SECTION, **(config.get("report") or {})}


def discover(root: str | os.PathLike, config: dict | None = None) -> dict[str, list[str]]:
    """Metric tables, stats tables and trained-model folders under `root` (relative paths)."""
    root = str(root)

    def rel(pattern):
        return sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, pattern)))

    metrics = [
        p
        for p in rel(paths.glob(paths.METRIC_TABLE))
        if not p.endswith(".rules.tsv") and T.parse_metric_path(p)
    ]
    if config is not None:
        wanted = {(m, meth) for m in config.get("models", {}) for meth in config.get("methods", {})}
        wanted.add((REFERENCE, REFERENCE))
        metrics = [
            p
            for p in metrics
            if (lambda d: (d["model"], d["method"]) in wanted)(T.parse_metric_path(p))
        ]
    models = [
        os.path.dirname(p) for p in rel(f"{paths.glob(paths.MODEL_DIR)}/{paths.TRAINING_RECORD}")
    ]
    return {
        "metric_tables": metrics,
        "stats_tables": rel(paths.glob(paths.STATS_TABLE)),
        "model_dirs": models,
    }


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_json(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, json.JSONDecodeError) as err:
        log.warning("cannot read %s: %s", path, err)
        return None


def load_metric_tables(
    paths: list[str], root: str = ".", unreadable: list | None = None
) -> tuple[list[T.MetricTable], dict]:
    """Read metric tables (ids, columns) and their summary JSON where present. A table that
    cannot be read is logged and, when `unreadable` is a list, appended to it as a
    not-computed row (the report shows it rather than failing on one bad file)."""
    out, summaries = [], {}
    for path in paths:
        names = T.parse_metric_path(path)
        if names is None:
            log.warning("not a metric table path, skipped: %s", path)
            continue
        try:
            table = read_table(os.path.join(root, path), id_column="id")
        except (OSError, KeyError, ValueError) as err:
            log.warning("cannot read %s: %s", path, err)
            if unreadable is not None:
                unreadable.append(
                    dict(
                        names,
                        n_ids=None,
                        n_ok=0,
                        count=1,
                        table=path,
                        status=T.short_reason(f"not computed: table unreadable: {err}"),
                    )
                )
            continue
        table.path = path
        out.append(T.MetricTable(table=table, **names))
        summary = os.path.join(root, path[: -len(".tsv")] + ".summary.json")
        if os.path.exists(summary):
            data = _read_json(summary)
            if data is not None:
                summaries[path] = data
    return out, summaries


def _model_order(config: dict) -> list[str]:
    models = list(config.get("models", {}))

    def key(m):
        p = T._f(config["models"][m].get("params_b"))
        return (p if not math.isnan(p) else 1e9, models.index(m))

    return sorted(models, key=key)


def _label(mt: T.MetricTable, multi_model: bool) -> str:
    if mt.model == REFERENCE:
        return "reference"
    return f"{mt.model}/{mt.method}" if multi_model else mt.method


def training_records(model_dirs: list[str], root: str = ".") -> list[dict]:
    out = []
    for d in model_dirs:
        path = os.path.join(root, d, "codepeft_training.json")
        data = _read_json(path) if os.path.exists(path) else None
        parts = Path(d).parts[-3:]
        rec = dict(
            zip(("model", "method", "scope"), parts, strict=False),
            path=os.path.join(d, "codepeft_training.json"),
        )
        if data is None:
            rec["status"] = "not computed: codepeft_training.json missing or unreadable"
            out.append(rec)
            continue
        rec.update(
            status="ok",
            finetune_requested=data.get("finetune_requested"),
            finetune_used=data.get("finetune_used"),
            lora_fallback=data.get("lora_fallback"),
            seed=data.get("seed"),
            global_step=data.get("global_step"),
            best_metric=data.get("best_metric"),
            resumed_from=data.get("resumed_from"),
            train_loss=(data.get("train_metrics") or {}).get("train_loss"),
            base_model=data.get("base_model"),
            provenance=data.get("provenance"),
            log_history=data.get("log_history") or [],
        )
        out.append(rec)
    return out


def build_report(
    config: dict,
    out_dir: str | os.PathLike,
    metric_tables: list[str] | None = None,
    stats_tables: list[str] | None = None,
    model_dirs: list[str] | None = None,
    root: str | os.PathLike = ".",
    cost_files: list[str] | None = None,
    benchmarks: list[str] | None = None,
) -> dict:
    """Write the report; returns {"index": path, "tables": [...], "plots": [...]}."""
    t0 = time.time()
    root = str(root)
    section = section_of(config)
    found = None
    if metric_tables is None or stats_tables is None or model_dirs is None:
        found = discover(root, config)
    metric_tables = found["metric_tables"] if metric_tables is None else list(metric_tables)
    stats_tables = found["stats_tables"] if stats_tables is None else list(stats_tables)
    model_dirs = found["model_dirs"] if model_dirs is None else list(model_dirs)
    out_dir = Path(out_dir)
    for sub, patterns in (("tables", ("*.tsv", "*.html")), ("plots", ("*.png",))):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
        for pattern in patterns:  # stale items of an earlier build (a plot no longer drawn)
            for old in (out_dir / sub).glob(pattern):
                old.unlink()
    exclude = tuple(section["exclude_columns"])

    unreadable: list[dict] = []
    tables, summaries = load_metric_tables(metric_tables, root, unreadable)
    log.info("read %d metric tables, %d summaries", len(tables), len(summaries))
    models = _model_order(config)
    methods = list(config.get("methods", {}))
    multi_model = len(models) > 1

    written_tables: dict[str, tuple[list[str], list[dict], str]] = {}

    def emit(name, columns, rows, title):
        columns = T.drop_empty_paper_columns(list(columns), rows)
        write_tsv(out_dir / "tables" / f"{name}.tsv", rows, columns)
        (out_dir / "tables" / f"{name}.html").write_text(
            html_mod.table_page(title, html_mod.table_html(columns, rows)), encoding="utf-8"
        )
        written_tables[name] = (columns, rows, title)

    # pass@1
    pass1 = pass1_sorted = T.pass1_rows(config, tables, summaries)
    order = {m: k for k, m in enumerate(models)}
    morder = {m: k for k, m in enumerate(methods)}
    pass1_sorted = sorted(
        pass1, key=lambda r: (r["lang"], order.get(r["model"], 99), morder.get(r["method"], 99))
    )
    emit("pass1", T.PASS1_COLUMNS, pass1_sorted, "pass@1 (CoderEval-style: passes / tasks)")

    # descriptive means and not-computed counts
    means = T.means_rows(tables, exclude)
    emit(
        "means", T.MEANS_COLUMNS, means, "Per-measure descriptive statistics of every metric table"
    )
    nc = unreadable + T.not_computed_rows(tables)
    emit("not_computed", T.NOT_COMPUTED_COLUMNS, nc, "Ids not computed, per table and reason")

    # research-question tables from the stats stage
    rq_names = []
    stats_by_name: dict[str, list[dict]] = {}
    for path in stats_tables:
        from codepeft.io import read_tsv

        name = Path(path).stem
        stats_by_name[name] = read_tsv(os.path.join(root, path))
        rows = T.rq_rows(stats_by_name[name], config)
        desc = next(
            (
                c.get("description")
                for c in config.get("stats", {}).get("comparisons", [])
                if c.get("name") == name
            ),
            "",
        )
        emit(f"rq_{name}", T.RQ_COLUMNS, rows, f"{name}: {desc}" if desc else name)
        rq_names.append(name)

    # the replication package's behaviours in force (section shown when non-empty)
    quirks = quirks_section.quirk_rows(config)
    if quirks:
        emit("quirks", quirks_section.QUIRK_COLUMNS, quirks, quirks_section.TITLE)

    # training
    training = training_records(model_dirs, root)

    # headline: each fine-tuned method vs the untrained baseline (codepeft.report.headline)
    headline_rows = headline_mod.headline_rows(config, stats_by_name)
    emit(
        "headline",
        headline_mod.HEADLINE_COLUMNS,
        headline_rows,
        "Headline: each fine-tuned method vs the untrained baseline",
    )

    # plots
    plot_paths: dict[str, str] = {}
    p = plots.plot_pass1(
        pass1,
        models,
        methods,
        out_dir / "plots" / "pass1_by_scale.png",
        title="pass@1 by scale and method",
    )
    if p:
        plot_paths["pass1_by_scale"] = p
    by_tl: dict[tuple, list[T.MetricTable]] = {}
    for mt in tables:
        if mt.family in section["distributions"] and mt.model != REFERENCE:
            by_tl.setdefault((mt.task, mt.lang), []).append(mt)
    for (task, lang), group in by_tl.items():
        series: dict[str, dict[str, np.ndarray]] = {}
        group.sort(key=lambda mt: (order.get(mt.model, 99), morder.get(mt.method, 99)))
        for mt in group:
            for measure in section["distributions"][mt.family]:
                if measure in mt.table.columns:
                    series.setdefault(f"{mt.family}: {measure}", {})[_label(mt, multi_model)] = (
                        mt.table.values(measure)
                    )
        series = dict(list(series.items())[: section["max_panels"]])
        p = plots.plot_distributions(
            series,
            out_dir / "plots" / f"dist_{task}_{lang}.png",
            title=f"{task} / {lang}: per-instance distributions",
        )
        if p:
            plot_paths[f"dist_{task}_{lang}"] = p
    nonfunc: dict[str, dict] = {}
    for r in means:
        if (
            r["family"] in SURFACE_FAMILIES
            or r["family"] in FUNCTIONAL_FAMILIES
            or r["mean"] is None
        ):
            continue
        label = (
            "reference"
            if r["model"] == REFERENCE
            else (f"{r['model']}/{r['method']}" if multi_model else r["method"])
        )
        nonfunc.setdefault(r["family"], {}).setdefault(r["measure"], {}).setdefault(
            f"{r['task'][:3]}/{r['lang']}", {}
        )[label] = r["mean"]
    for family, by_measure in nonfunc.items():
        by_measure = dict(list(by_measure.items())[: section["max_panels"]])
        p = plots.plot_means_by_method(
            by_measure,
            out_dir / "plots" / f"nonfunctional_{family}.png",
            title=f"{family}: mean per method (lower counts of issues are better)",
        )
        if p:
            plot_paths[f"nonfunctional_{family}"] = p
    histories = {
        f"{r['model']}/{r['method']}/{r['scope']}": r.get("log_history", [])
        for r in training
        if r.get("status") == "ok"
    }
    p = plots.plot_training(
        histories,
        out_dir / "plots" / "training_loss.png",
        title="Training loss (solid) and evaluation loss (dashed)",
    )
    if p:
        plot_paths["training_loss"] = p

    # cost (codepeft.report.cost): tables/cost.tsv, plots/quality_vs_cost.png, its section
    cost_html, cost_plots = cost_mod.build_section(
        config,
        out_dir,
        model_dirs,
        cost_files,
        benchmarks,
        root,
        pass1,
        means,
        models,
        emit,
        section["embed_images"],
    )
    plot_paths.update(cost_plots)

    # provenance
    inputs = []
    for path in list(metric_tables) + list(stats_tables) + [r["path"] for r in training]:
        full = os.path.join(root, path)
        if os.path.exists(full):
            inputs.append({"path": path, "sha256": _sha256(full), "bytes": os.path.getsize(full)})
    prov = provenance(config)
    prov.update(
        study=config.get("study", {}),
        generated_utc=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        trained_models=[{k: v for k, v in r.items() if k != "log_history"} for r in training],
        evaluated=[list(t) for t in study.evaluated(config)] if config.get("models") else [],
        inputs=inputs,
    )
    write_json(out_dir / "provenance.json", prov)

    index = out_dir / "index.html"
    page = html_mod.index_page(
        config=config,
        demo_note=DEMO_NOTE if config.get("study", {}).get("demo") else None,
        written_tables=written_tables,
        rq_names=rq_names,
        means=means,
        not_computed=nc,
        plot_paths=plot_paths,
        out_dir=out_dir,
        embed=section["embed_images"],
        provenance=prov,
        training=training,
        quirks_html=quirks_section.quirks_section_html(quirks),
        extra_sections=[("cost", "Cost", cost_html)],
        headline=headline_mod.headline_html(headline_rows, pass1, training),
    )
    tmp = index.with_name("index.html.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, index)
    log.info(
        "report written to %s in %.1f s (%d tables, %d plots)",
        index,
        time.time() - t0,
        len(written_tables),
        len(plot_paths),
    )
    return {"index": str(index), "tables": sorted(written_tables), "plots": sorted(plot_paths)}
