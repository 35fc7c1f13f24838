"""The report's figures, one builder per figure (plots/*.png): each takes the build's state
(`codepeft.report.build.ReportBuild`: out_dir, section, model and method order) and the rows it
draws, and returns {plot name: path} of what it wrote (empty when there is nothing to draw).
The drawing itself is `codepeft.report.plots`."""

from __future__ import annotations

import numpy as np

from codepeft import measures

from . import plots
from . import tables as T


def label(model: str, method: str, multi_model: bool, seed=None, several_seeds=False) -> str:
    """A series' label: the method, or model/method when the study has several models; with
    several training seeds, a trained method's seed beside it."""
    if model == T.REFERENCE:
        return "reference"
    method = T.seed_label(method, seed, several_seeds)
    return f"{model}/{method}" if multi_model else method


def _written(name: str, path: str | None) -> dict[str, str]:
    return {name: path} if path else {}


def pass1_figure(run, pass1: list[dict]) -> dict[str, str]:
    p = plots.plot_pass1(
        pass1,
        run.models,
        run.methods,
        run.out_dir / "plots" / "pass1_by_scale.png",
        title="pass@1 by scale and method",
    )
    return _written("pass1_by_scale", p)


def distribution_figures(run, tables: list[T.MetricTable]) -> dict[str, str]:
    """One figure per task/language: the per-instance distributions of the configured measures
    (report.distributions), one box per method."""
    section = run.section
    by_tl: dict[tuple, list[T.MetricTable]] = {}
    for mt in tables:
        if mt.family in section["distributions"] and mt.model != T.REFERENCE:
            by_tl.setdefault((mt.task, mt.lang), []).append(mt)
    written: dict[str, str] = {}
    several = T.several_seeds([{"seed": mt.seed} for mt in tables])
    for (task, lang), group in by_tl.items():
        series: dict[str, dict[str, np.ndarray]] = {}
        group.sort(key=lambda mt: (run.order_key(mt.model, mt.method), mt.seed))
        for mt in group:
            for measure in section["distributions"][mt.family]:
                if measure in mt.table.columns:
                    key = label(mt.model, mt.method, run.multi_model, mt.seed, several)
                    series.setdefault(f"{mt.family}: {measure}", {})[key] = mt.table.values(measure)
        series = dict(list(series.items())[: section["max_panels"]])
        p = plots.plot_distributions(
            series,
            run.out_dir / "plots" / f"dist_{task}_{lang}.png",
            title=f"{task} / {lang}: per-instance distributions",
        )
        written.update(_written(f"dist_{task}_{lang}", p))
    return written


def panel_title(family: str, measure: str) -> str:
    """A measure's panel title with the way it is better (`codepeft.measures`): the
    maintainability index higher, issue counts lower, sizes neither."""
    better = measures.better(family, measure)
    return measure if better == measures.NEITHER else f"{measure} ({better} is better)"


def nonfunctional_figures(run, means: list[dict]) -> dict[str, str]:
    """One figure per static-analysis family: the mean of each measure per method, each panel
    titled with the way its measure is better."""
    nonfunc: dict[str, dict] = {}
    several = T.several_seeds(means)
    for r in means:
        if measures.section_of(r["family"]) != "nonfunctional" or r["mean"] is None:
            continue
        key = label(r["model"], r["method"], run.multi_model, r.get("seed"), several)
        panel = r["measure"]
        nonfunc.setdefault(r["family"], {}).setdefault(panel, {}).setdefault(
            f"{r['task'][:3]}/{r['lang']}", {}
        )[key] = r["mean"]
    written: dict[str, str] = {}
    for family, by_measure in nonfunc.items():
        by_measure = {
            panel_title(family, m): v
            for m, v in list(by_measure.items())[: run.section["max_panels"]]
        }
        p = plots.plot_means_by_method(
            by_measure,
            run.out_dir / "plots" / f"nonfunctional_{family}.png",
            title=f"{family}: mean per method",
        )
        written.update(_written(f"nonfunctional_{family}", p))
    return written


def training_figure(run, training: list[dict]) -> dict[str, str]:
    several = T.several_seeds([{"seed": r.get("seed")} for r in training])
    histories = {
        f"{r['model']}/{T.seed_label(r['method'], r.get('seed'), several)}/{r['scope']}": r.get(
            "log_history", []
        )
        for r in training
        if r.get("status") == "ok"
    }
    p = plots.plot_training(
        histories,
        run.out_dir / "plots" / "training_loss.png",
        title="Training loss (solid) and evaluation loss (dashed)",
    )
    return _written("training_loss", p)
