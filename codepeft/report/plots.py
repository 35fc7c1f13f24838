"""Report plots (matplotlib, Agg backend, PNG): what people would rather look at than read.

* `plot_pass1`          pass@1 by scale (models ordered by params_b) and method, one panel per
  language; the paper's reported pass@1 as black outlined markers where the model maps to it.
* `plot_distributions`  per-instance distributions of the measures of one task/language, one
  panel per measure, one box (with the mean as a dot) per model/method.
* `plot_means_by_method` non-functional measures: mean per method, one panel per measure.
* `plot_training`       training (and evaluation) loss against step for every trained model.

Each function writes one PNG and returns its path, or None when there is nothing to draw.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DPI = 90
COLORS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def _save(fig, path) -> str:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    tmp = f"{path}.tmp.png"
    fig.savefig(tmp, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)
    return str(path)


def _grid(n: int, ncols: int = 3, size=(4.2, 3.2)):
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(size[0] * ncols, size[1] * nrows),
        squeeze=False,
        layout="constrained",
    )
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def plot_pass1(
    rows: list[dict], models: list[str], methods: list[str], path, title=""
) -> str | None:
    """Grouped bars: x = model (scale), bars = methods; one panel per language."""
    rows = [r for r in rows if r.get("pass@1") is not None]
    if not rows:
        return None
    langs = list(dict.fromkeys(r["lang"] for r in rows))
    models = [m for m in models if any(r["model"] == m for r in rows)]
    methods = [m for m in methods if any(r["method"] == m for r in rows)]
    fig, axes = _grid(
        len(langs), ncols=2, size=(1.2 + 1.3 * len(models) * max(1, len(methods)) / 2, 3.4)
    )
    width = 0.8 / max(1, len(methods))
    for ax, lang in zip(axes, langs, strict=True):
        paper_drawn = False
        for j, method in enumerate(methods):
            xs, ys, pxs, pys = [], [], [], []
            for i, model in enumerate(models):
                match = [
                    r
                    for r in rows
                    if r["lang"] == lang and r["model"] == model and r["method"] == method
                ]
                if not match:
                    continue
                r = match[0]
                x = i + (j - (len(methods) - 1) / 2) * width
                xs.append(x)
                ys.append(100 * r["pass@1"])
                if r.get("paper_pass@1") is not None:
                    pxs.append(x)
                    pys.append(100 * r["paper_pass@1"])
            ax.bar(xs, ys, width=width * 0.95, color=COLORS[j % len(COLORS)], label=method)
            if pxs:
                ax.scatter(
                    pxs,
                    pys,
                    marker="D",
                    facecolors="none",
                    edgecolors="black",
                    zorder=3,
                    label=None if paper_drawn else "paper (reported)",
                )
                paper_drawn = True
        labels = []
        for model in models:
            scale = next(
                (r.get("scale") for r in rows if r["model"] == model and r.get("scale")), None
            )
            labels.append(f"{model}\n({scale})" if scale else model)
        ax.set_xticks(range(len(models)), labels, fontsize=8)
        ax.set_ylabel("pass@1 (%)")
        ax.set_title(f"generation / {lang}")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_distributions(
    series: dict[str, dict[str, np.ndarray]], path, title: str = "", ncols: int = 3
) -> str | None:
    """`series`: measure -> {label (model/method): per-instance values}; one box plot panel per
    measure. Empty series are drawn as an empty slot labelled 'no values'."""
    measures = [m for m, by in series.items() if by]
    if not measures:
        return None
    fig, axes = _grid(len(measures), ncols=ncols, size=(4.4, 3.2))
    for ax, measure in zip(axes, measures, strict=True):
        labels = list(series[measure])
        data = [np.asarray(series[measure][k], dtype=float) for k in labels]
        data = [d[~np.isnan(d)] for d in data]
        shown = [d if d.size else np.array([np.nan]) for d in data]
        ax.boxplot(shown, showfliers=True, widths=0.6)
        means = [d.mean() if d.size else np.nan for d in data]
        ax.scatter(range(1, len(labels) + 1), means, marker="o", color="tab:red", s=14, zorder=3)
        ax.set_xticks(
            range(1, len(labels) + 1),
            [
                f"{k}\n(n={d.size})" if d.size else f"{k}\n(no values)"
                for k, d in zip(labels, data, strict=True)
            ],
            fontsize=7,
            rotation=20,
        )
        ax.set_title(measure, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        if not any(d.size for d in data):
            ax.text(
                0.5, 0.5, "no value computed", transform=ax.transAxes, ha="center", color="#b00"
            )
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_means_by_method(
    means: dict[str, dict[str, dict[str, float]]], path, title: str = "", ncols: int = 4
) -> str | None:
    """`means`: measure -> {group (task/lang): {method: mean}}; grouped bars per panel. Measures
    whose means are all zero (or missing) have nothing to show and get no panel (the tables
    list them)."""
    measures = [
        m
        for m, by in means.items()
        if any(v not in (None, 0) and not math.isnan(v) for g in by.values() for v in g.values())
    ]
    if not measures:
        return None
    fig, axes = _grid(len(measures), ncols=ncols, size=(3.6, 2.9))
    for ax, measure in zip(axes, measures, strict=True):
        groups = list(means[measure])
        methods = list(dict.fromkeys(m for g in groups for m in means[measure][g]))
        width = 0.8 / max(1, len(methods))
        for j, method in enumerate(methods):
            xs = [i + (j - (len(methods) - 1) / 2) * width for i in range(len(groups))]
            ys = [means[measure][g].get(method, np.nan) for g in groups]
            ax.bar(xs, ys, width=width * 0.95, color=COLORS[j % len(COLORS)], label=method)
        ax.set_xticks(range(len(groups)), groups, fontsize=7)
        ax.set_title(measure, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=6)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_training(histories: dict[str, list[dict]], path, title: str = "") -> str | None:
    """`histories`: label -> the Trainer's log_history; loss and eval_loss against step."""
    histories = {
        k: h for k, h in histories.items() if any("loss" in e or "eval_loss" in e for e in h)
    }
    if not histories:
        return None
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for k, (label, history) in enumerate(histories.items()):
        color = COLORS[k % len(COLORS)]
        train = [(e["step"], e["loss"]) for e in history if "loss" in e and "step" in e]
        evals = [(e["step"], e["eval_loss"]) for e in history if "eval_loss" in e and "step" in e]
        if train:
            ax.plot(*zip(*train, strict=True), color=color, label=f"{label} (train)")
        if evals:
            ax.plot(
                *zip(*evals, strict=True),
                color=color,
                linestyle="--",
                marker="o",
                ms=3,
                label=f"{label} (eval)",
            )
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncols=2)
    ax.set_title(title or "training loss")
    return _save(fig, path)
