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
    tables/retention.tsv       each fine-tuned model vs zero-shot off its training mixture
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
from dataclasses import dataclass, field
from pathlib import Path

from codepeft import paths, study
from codepeft.config import schema_defaults
from codepeft.io import read_tsv, write_json, write_tsv
from codepeft.paper import section as quirks_section
from codepeft.provenance import provenance
from codepeft.stats import read_table
from codepeft.stats.plan import RETENTION

from . import cost as cost_mod
from . import figures, uncertainty
from . import headline as headline_mod
from . import html as html_mod
from . import page as page_mod
from . import retention as retention_mod
from . import tables as T

log = logging.getLogger("codepeft.report")

REFERENCE = T.REFERENCE
DEMO_NOTE = (
    "Demo run: numbers from a tiny demo model (1.6M parameters, pre-trained and fine-tuned for "
    "CPU minutes on small embedded data sets). They show that the workflow runs end to end; they say nothing "
    "about real models or about the paper's findings."
)


def section_of(config: dict) -> dict:
    """The config's `report` section over the schema's defaults (the one source of defaults)."""
    return {**schema_defaults("report"), **(config.get("report") or {})}


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
        methods = study.method_names(config) if config.get("tasks") else config.get("methods", {})
        wanted = {(m, meth) for m in config.get("models", {}) for meth in methods}
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


def training_records(model_dirs: list[str], root: str = ".") -> list[dict]:
    out = []
    for d in model_dirs:
        path = os.path.join(root, d, "codepeft_training.json")
        data = _read_json(path) if os.path.exists(path) else None
        found = paths.MODEL_DIR_RE.search(Path(d).as_posix())
        names = found.groupdict() if found else {}
        rec = dict(
            model=names.get("model"),
            method=names.get("method"),
            seed=names.get("seed"),
            scope=names.get("scope"),
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


@dataclass
class ReportBuild:
    """One build's state: where it writes, the report section (schema defaults + config), the
    study's model and method order, and the tables written so far (for index.html)."""

    config: dict
    out_dir: Path
    root: str
    section: dict
    models: list[str]
    methods: list[str]
    written_tables: dict[str, tuple[list[str], list[dict], str]] = field(default_factory=dict)

    @classmethod
    def start(cls, config: dict, out_dir: str | os.PathLike, root: str) -> ReportBuild:
        """The state of a new build; `out_dir`'s tables/ and plots/ made and cleared of items
        an earlier build wrote (a plot no longer drawn)."""
        out_dir = Path(out_dir)
        for sub, patterns in (("tables", ("*.tsv", "*.html")), ("plots", ("*.png",))):
            (out_dir / sub).mkdir(parents=True, exist_ok=True)
            for pattern in patterns:
                for old in (out_dir / sub).glob(pattern):
                    old.unlink()
        methods = list(config.get("methods", {}))
        return cls(config, out_dir, root, section_of(config), _model_order(config), methods)

    @property
    def multi_model(self) -> bool:
        return len(self.models) > 1

    def order_key(self, model: str, method: str) -> tuple[int, int]:
        """The study's order: models by scale, methods as configured (unknown ones last)."""
        order = {m: k for k, m in enumerate(self.models)}
        morder = {m: k for k, m in enumerate(self.methods)}
        return order.get(model, 99), morder.get(method, 99)

    def emit(self, name: str, columns, rows: list[dict], title: str) -> None:
        """Write tables/<name>.tsv and tables/<name>.html (paper columns without a value
        dropped) and keep them for index.html."""
        columns = T.drop_empty_optional_columns(list(columns), rows)
        write_tsv(self.out_dir / "tables" / f"{name}.tsv", rows, columns)
        (self.out_dir / "tables" / f"{name}.html").write_text(
            html_mod.table_page(title, html_mod.table_html(columns, rows)), encoding="utf-8"
        )
        self.written_tables[name] = (columns, rows, title)


def _inputs(root: str, config: dict, metric_tables, stats_tables, model_dirs) -> dict:
    """The given input lists; the ones not given found under `root` (`discover`)."""
    given = {"metric_tables": metric_tables, "stats_tables": stats_tables, "model_dirs": model_dirs}
    found = discover(root, config) if any(v is None for v in given.values()) else {}
    return {k: found[k] if v is None else list(v) for k, v in given.items()}


def pass1_table(
    run: ReportBuild, tables: list[T.MetricTable], summaries: dict, intervals=()
) -> list[dict]:
    """tables/pass1: pass@1 per model, method, language (sorted by language, then the study's
    order), with the bootstrap interval of the proportion where the intervals rule ran;
    returns the rows in the builders' order (for plots, cost and headline)."""
    pass1 = T.pass1_rows(run.config, tables, summaries)
    uncertainty.add_pass1_intervals(pass1, list(intervals))
    rows = sorted(pass1, key=lambda r: (r["lang"], *run.order_key(r["model"], r["method"])))
    columns = T.PASS1_COLUMNS + uncertainty.CI_COLUMNS
    run.emit("pass1", columns, rows, "pass@1 (CoderEval-style: passes / tasks)")
    return pass1


def means_table(run: ReportBuild, tables: list[T.MetricTable], intervals=()) -> list[dict]:
    """tables/means: descriptive statistics of every measure of every metric table, with the
    bootstrap interval of each mean where the intervals rule ran."""
    means = T.means_rows(tables, tuple(run.section["exclude_columns"]))
    uncertainty.add_mean_intervals(means, list(intervals))
    title = "Per-measure descriptive statistics of every metric table"
    run.emit("means", T.MEANS_COLUMNS + uncertainty.CI_COLUMNS, means, title)
    return means


def uncertainty_section(
    run: ReportBuild, intervals: list[dict], paired: list[dict], overlap: dict[str, dict]
) -> str:
    """tables/corpus (corpus BLEU/chrF with intervals), tables/corpus_paired and
    tables/overlap (the audit per mixture, task, language); returns the page's section."""
    corpus = uncertainty.corpus_rows(intervals)
    audit = uncertainty.overlap_rows(overlap)
    if corpus:
        run.emit("corpus", uncertainty.CORPUS_COLUMNS, corpus, "Corpus BLEU and chrF")
    if paired:
        run.emit("corpus_paired", list(paired[0]), paired, "Corpus BLEU/chrF paired bootstrap")
    if audit:
        run.emit("overlap", uncertainty.OVERLAP_COLUMNS, audit, "Train/test overlap audit")
    return uncertainty.section_html(corpus, paired, audit, run.config)


def read_uncertainty(root: str, intervals: str | None, paired: str | None, overlap) -> tuple:
    """(interval rows, corpus paired rows, {audit summary path: summary}); a path None: the
    default layout under `root` where present; "" or []: none."""
    intervals = paths.INTERVALS if intervals is None else intervals
    paired = paths.CORPUS_PAIRED if paired is None else paired
    if overlap is None:
        overlap = [
            os.path.relpath(p, root)
            for p in sorted(glob.glob(os.path.join(root, paths.glob(paths.OVERLAP_SUMMARY))))
        ]

    def rows(path):
        full = os.path.join(root, path)
        return read_tsv(full) if path and os.path.isfile(full) else []

    summaries = {p: s for p in overlap if (s := _read_json(os.path.join(root, p))) is not None}
    return rows(intervals), rows(paired), summaries


def not_computed_table(run: ReportBuild, tables, unreadable: list[dict]) -> list[dict]:
    """tables/not_computed: per table, ids not computed by reason (unreadable tables first)."""
    nc = unreadable + T.not_computed_rows(tables)
    run.emit("not_computed", T.NOT_COMPUTED_COLUMNS, nc, "Ids not computed, per table and reason")
    return nc


def rq_tables(run: ReportBuild, stats_tables: list[str]) -> dict[str, list[dict]]:
    """tables/rq_<comparison>: one per results/stats/<comparison>.tsv, in the paper's shape;
    returns the stats rows by comparison name (in the order written)."""
    descriptions = {
        c.get("name"): c.get("description")
        for c in reversed(run.config.get("stats", {}).get("comparisons", []))
    }
    stats_by_name: dict[str, list[dict]] = {}
    for path in stats_tables:
        name = Path(path).stem
        stats_by_name[name] = read_tsv(os.path.join(run.root, path))
        rows = T.rq_rows(stats_by_name[name], run.config)
        desc = descriptions.get(name) or ""
        run.emit(f"rq_{name}", T.RQ_COLUMNS, rows, f"{name}: {desc}" if desc else name)
    return stats_by_name


def quirks_table(run: ReportBuild) -> list[dict]:
    """tables/quirks: the replication package's behaviours in force, and
    tables/package_differences: codepeft's deliberate differences (both only when any quirk is
    in force)."""
    quirks = quirks_section.quirk_rows(run.config)
    if quirks:
        run.emit("quirks", quirks_section.QUIRK_COLUMNS, quirks, quirks_section.TITLE)
        run.emit(
            "package_differences",
            quirks_section.DIFFERENCE_COLUMNS,
            quirks_section.difference_rows(),
            quirks_section.DIFFERENCES_TITLE,
        )
    return quirks


def seeds_table(run: ReportBuild, stats_by_name: dict[str, list[dict]]) -> list[dict]:
    """tables/seeds: per comparison and measure, the gap between the methods against the
    spread between training seeds (only with several seeds: the stats rows over the seeds)."""
    rows = T.seeds_rows(stats_by_name)
    if rows:
        title = "Seeds: the gap between methods against the spread between training seeds"
        run.emit("seeds", T.SEEDS_COLUMNS, rows, title)
    return rows


def headline_table(run: ReportBuild, stats_by_name: dict[str, list[dict]]) -> list[dict]:
    """tables/headline: each fine-tuned method vs the untrained baseline (report.headline)."""
    rows = headline_mod.headline_rows(run.config, stats_by_name)
    title = "Headline: each fine-tuned method vs the untrained baseline"
    run.emit("headline", headline_mod.HEADLINE_COLUMNS, rows, title)
    return rows


def retention_table(run: ReportBuild, stats_by_name: dict[str, list[dict]]) -> list[dict]:
    """tables/retention: the retention comparison's rows (report.retention)."""
    rows = retention_mod.retention_rows(run.config, stats_by_name.get(RETENTION, []))
    run.emit("retention", retention_mod.RETENTION_COLUMNS, rows, retention_mod.TITLE)
    return rows


def write_provenance(run: ReportBuild, inputs: dict, training: list[dict]) -> dict:
    """provenance.json: versions, revision, config hash, trained models, input files (sha256)."""
    files = []
    paths = inputs["metric_tables"] + inputs["stats_tables"] + [r["path"] for r in training]
    for path in paths:
        full = os.path.join(run.root, path)
        if os.path.exists(full):
            files.append({"path": path, "sha256": _sha256(full), "bytes": os.path.getsize(full)})
    config = run.config
    prov = provenance(config)
    prov.update(
        study=config.get("study", {}),
        generated_utc=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        trained_models=[{k: v for k, v in r.items() if k != "log_history"} for r in training],
        evaluated=[list(t) for t in study.evaluated(config)] if config.get("models") else [],
        inputs=files,
    )
    write_json(run.out_dir / "provenance.json", prov)
    return prov


def write_index(run: ReportBuild, page: str) -> Path:
    """index.html, replaced in one step (a reader never sees half a page)."""
    index = run.out_dir / "index.html"
    tmp = index.with_name("index.html.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, index)
    return index


def build_report(
    config: dict,
    out_dir: str | os.PathLike,
    metric_tables: list[str] | None = None,
    stats_tables: list[str] | None = None,
    model_dirs: list[str] | None = None,
    root: str | os.PathLike = ".",
    cost_files: list[str] | None = None,
    benchmarks: list[str] | None = None,
    intervals: str | None = None,
    corpus_paired: str | None = None,
    overlap_summaries: list[str] | None = None,
) -> dict:
    """Write the report; returns {"index": path, "tables": [...], "plots": [...]}."""
    t0, root = time.time(), str(root)
    inputs = _inputs(root, config, metric_tables, stats_tables, model_dirs)
    run = ReportBuild.start(config, out_dir, root)
    unreadable: list[dict] = []
    tables, summaries = load_metric_tables(inputs["metric_tables"], root, unreadable)
    log.info("read %d metric tables, %d summaries", len(tables), len(summaries))
    interval_rows, paired_rows, overlap = read_uncertainty(
        root, intervals, corpus_paired, overlap_summaries
    )
    pass1 = pass1_table(run, tables, summaries, interval_rows)
    means = means_table(run, tables, interval_rows)
    not_computed = not_computed_table(run, tables, unreadable)
    stats_by_name = rq_tables(run, inputs["stats_tables"])
    quirks = quirks_table(run)
    training = training_records(inputs["model_dirs"], root)
    headline_rows = headline_table(run, stats_by_name)
    retention_rows = retention_table(run, stats_by_name)
    uncertainty_html = uncertainty_section(run, interval_rows, paired_rows, overlap)
    seeds = seeds_table(run, stats_by_name)
    plot_paths = {
        **figures.pass1_figure(run, pass1),
        **figures.distribution_figures(run, tables),
        **figures.nonfunctional_figures(run, means),
        **figures.training_figure(run, training),
    }
    embed = run.section["embed_images"]
    cost_html, cost_plots = cost_mod.build_section(  # tables/cost, plots/quality_vs_cost
        config, run.out_dir, inputs["model_dirs"], cost_files, benchmarks, root,
        pass1, means, run.models, run.emit, embed, run.section,
    )  # fmt: skip
    plot_paths.update(cost_plots)
    prov = write_provenance(run, inputs, training)
    page = page_mod.index_page(
        config=config,
        demo_note=DEMO_NOTE if config.get("study", {}).get("demo") else None,
        written_tables=run.written_tables,
        rq_names=[Path(path).stem for path in inputs["stats_tables"]],
        means=means,
        not_computed=not_computed,
        plot_paths=plot_paths,
        out_dir=run.out_dir,
        embed=embed,
        provenance=prov,
        training=training,
        quirks_html=quirks_section.quirks_section_html(quirks),
        extra_sections=[
            ("retention", "Retention", retention_mod.retention_html(retention_rows, config)),
            ("cost", "Cost", cost_html),
            ("uncertainty", "Uncertainty and overlap", uncertainty_html),
        ]
        + ([("seeds", "Seeds", page_mod.seeds_section(seeds))] if seeds else []),
        headline=headline_mod.headline_html(headline_rows, pass1, training),
    )
    index = write_index(run, page)
    n_tables, n_plots = len(run.written_tables), len(plot_paths)
    message = "report written to %s in %.1f s (%d tables, %d plots)"
    log.info(message, index, time.time() - t0, n_tables, n_plots)
    return {"index": str(index), "tables": sorted(run.written_tables), "plots": sorted(plot_paths)}
