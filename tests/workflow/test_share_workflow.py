"""What the finished embedded study shares (the session's `embedded_run`, read-only): the tidy
tables hold every value of the per-instance tables exactly once, every trained model folder
holds its card without Snakemake planning a rerun, and Snakemake's report zip holds every plot
and table of the HTML report, each in its stage's category."""

import base64
import hashlib
import json
import math
import re
import zipfile
from collections import Counter

import pandas as pd

from codepeft import cards, measures, study
from codepeft import config as study_config
from codepeft.report import stages
from codepeft.report.build import discover
from codepeft.report.tables import parse_metric_path
from codepeft.tidy import read_text_table
from tests.conftest import snakemake

PATH_FIELDS = ("family", "model", "method", "task", "lang")


def test_tidy_results_hold_every_value_once(embedded_run):
    work, _ = embedded_run
    cfg = study_config.load(work / "config.yaml")
    tidy = pd.read_parquet(work / "results/tidy/results.parquet")
    csv = pd.read_csv(work / "results/tidy/results.csv")
    assert len(csv) == len(tidy) and list(csv.columns) == list(tidy.columns)
    assert set(tidy["study"]) == {cfg["study"]["name"]}
    # the training seed of a trained method's rows; none (NA) for what no training made
    untrained = tidy["method"].isin(["zero_shot", "reference"])
    assert tidy.loc[untrained, "seed"].isna().all()
    assert set(tidy.loc[~untrained, "seed"].astype(str)) == {str(cfg["seed"])}
    key = ["family", "model", "method", "task", "language", "id", "measure"]
    assert not tidy.duplicated(key).any()
    by_key = tidy.set_index(key)
    found = discover(work, cfg)
    expected = 0
    for path in found["metric_tables"]:
        names = parse_metric_path(path)
        family, model, method, task, lang = (names[k] for k in PATH_FIELDS)
        table = read_text_table(work / path)
        columns = [c for c in table.columns if measures.family(family).is_measure(c)]
        assert columns, path
        for column in columns:
            for ident, text in zip(table["id"], table[column], strict=True):
                row = by_key.loc[(family, model, method, task, lang, ident, column)]
                if text.strip() == "":
                    assert math.isnan(row["value"]) and row["status"] != "ok", (path, ident)
                else:
                    assert row["value"] == float(text), (path, ident, column)
        expected += len(table) * len(columns)
    # nothing else: every row is one of those values
    assert len(tidy) == expected
    assert set(tidy["family"]) == {p.split("/")[2] for p in found["metric_tables"]}
    # the statistics: every row of every stats file once, in the same spirit
    stats = pd.read_parquet(work / "results/tidy/stats.parquet")
    rows = [pd.read_csv(work / p, sep="\t") for p in found["stats_tables"]]
    assert len(stats) == sum(len(r) for r in rows) > 0
    assert Counter(stats["comparison"]) == Counter(c for r in rows for c in r["comparison"])
    assert {"study", "language", "measure", "p_adj"} <= set(stats.columns)


def test_every_trained_model_folder_holds_its_card(embedded_run):
    work, _ = embedded_run
    cfg = study_config.load(work / "config.yaml")
    trained = study.trained_models(cfg)
    assert trained
    for model, method, seed, scope in trained:
        job = cards.CardJob(model, method, seed, scope)
        card = (work / job.card).read_text()
        assert (work / job.model_dir / "README.md").read_text() == card
        meta = cards.front_matter(card)
        assert meta["license"] == "mit" and cards.CARD_TAG in meta["tags"]
        assert meta["library_name"] == ("transformers" if method == "mt_fft" else "peft")
        # the headline numbers: this model against zero-shot (the demo's comparisons zs_vs_*)
        assert "| verdict |" in card and f"# {model}/{method}/seed-{seed}/{scope}" in card
    # the cards inside the model folders plan nothing: no training or generation is stale
    dry = snakemake(["-n", "--quiet", "rules"], work, 300)
    assert "Nothing to be done" in dry.stdout + dry.stderr, dry.stdout[-2000:]


def _report_items(index_html: str, report_dir) -> dict[str, bytes]:
    """{name: bytes} of every plot (embedded as a PNG data URI, or linked) and every table
    (linked tables/*.tsv) of index.html."""
    items = {}
    for src in re.findall(r'<img src="([^"]+)"', index_html):
        if src.startswith("data:image/png;base64,"):
            data = base64.b64decode(src.split(",", 1)[1])
            items[f"png:{hashlib.sha256(data).hexdigest()}"] = data
        else:
            items[src] = (report_dir / src).read_bytes()
    for href in set(re.findall(r"href='(tables/[^']+\.tsv)'", index_html)):
        items[href] = (report_dir / href).read_bytes()
    return items


def test_snakemake_report_zip_has_every_item_by_stage(embedded_run, tmp_path):
    work, _ = embedded_run
    out = tmp_path / "report.zip"
    done = snakemake(["--report", out, "--directory", work], work, 600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "(WARNING/" not in done.stderr, done.stderr[-3000:]  # captions render cleanly
    report_dir = work / "results/report"
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        html = next(n for n in names if n.endswith("/report.html"))
        page = archive.read(html).decode()
        raw = {n: archive.read(n) for n in names if "/data/raw/" in n}
    # every plot and table of the study's HTML report is in the zip
    index = (report_dir / "index.html").read_text()
    items = _report_items(index, report_dir)
    plots = sorted((report_dir / "plots").glob("*.png"))
    assert len([k for k in items if k.startswith("png:")]) == len(plots) > 5
    assert len([k for k in items if k.startswith("tables/")]) >= 5
    zipped = set(raw.values())
    missing = [name for name, data in items.items() if data not in zipped]
    assert not missing, missing
    # the categories: one per stage, each item in its stage's category
    categories = json.loads(re.search(r"var categories = (\{.*?\});\n", page).group(1))
    expected = {
        stages.REPORT,
        stages.DATA,
        stages.TRAINING,
        stages.EXECUTION,
        stages.SURFACE,
        stages.STATIC,
        stages.MEASURES,
        stages.STATISTICS,
        stages.COST,
    }
    assert expected <= set(categories), sorted(categories)
    assert set(categories) <= set(stages.CATEGORIES)
    for category, subcategories in categories.items():
        for files in subcategories.values():
            for path in files:
                name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                if path.startswith("results/report/tables/"):
                    assert category == stages.category("table", name), path
                elif path.startswith("results/report/plots/"):
                    assert category == stages.category("plot", name), path
    cfg = study_config.load(work / "config.yaml")
    assert len(categories[stages.TRAINING]["Model cards"]) == len(study.trained_models(cfg))
    assert categories[stages.TRAINING]["Plots"] == ["results/report/plots/training_loss.png"]
    # each item's caption says what it shows (workflow/report/*.rst)
    for text in ("Execution: pass", "Static analysis:", "Training: loss curves.", "Data: a"):
        assert text in page, text
