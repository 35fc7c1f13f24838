"""Report table builders on small synthetic tables: pairing by id, not-computed counting, the
paper column present only where the model maps to one of the paper's scales; and one
build_report end to end on a synthetic results folder."""

from __future__ import annotations

import base64
import csv
import json
import math
import re
from pathlib import Path

import pytest

from codepeft import config as study_config
from codepeft import stats as st
from codepeft.paper import numbers as paper
from codepeft.report import html
from codepeft.report import tables as T
from codepeft.report.build import DEMO_NOTE, build_report
from codepeft.report.html import rq_pivot
from codepeft.stats import Table

PAPER_MODELS = {
    "qwen2.5-coder-0.5b": {"source": "Qwen/Qwen2.5-Coder-0.5B-Instruct", "params_b": 0.5},
    "mine": {"source": "someone/other-model", "params_b": 0.5},
}


def _table(path, columns: dict) -> Table:
    return Table(path=path, id_column="id", ids=list(columns["id"]), columns=columns)


def _mt(family, model, method, task, lang, columns) -> T.MetricTable:
    path = f"results/metrics/{family}/{model}/{method}/seed-42/{task}/{lang}.tsv"
    return T.MetricTable(family, model, method, "42", task, lang, _table(path, columns))


def _write(path: Path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        w = csv.writer(handle, delimiter="\t", lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def test_parse_metric_path_and_paper_size():
    assert T.parse_metric_path("results/metrics/pmd/m/mt_qlora/seed-7/generation/java.tsv") == dict(
        family="pmd", model="m", method="mt_qlora", seed="7", task="generation", lang="java"
    )
    assert (
        T.parse_metric_path("/x/results/metrics/a/b/c/seed-none/d/cs-java.tsv")["lang"] == "cs-java"
    )
    assert T.parse_metric_path("results/stats/rq1.tsv") is None
    cfg = {"models": {**PAPER_MODELS, "tiny": {"source": "results/base/tiny"}}}
    assert T.paper_size(cfg, "qwen2.5-coder-0.5b") == "0.5B"
    assert T.paper_size(cfg, "mine") is None and T.paper_size(cfg, "tiny") is None


def test_not_computed_counted_per_table_and_reason():
    mt = _mt(
        "lizard",
        "tiny",
        "mt_qlora",
        "generation",
        "python",
        {
            "id": ["a", "b", "c", "d", "e"],
            "status": [
                "ok",
                "not computed: no tool",
                "not computed: no tool",
                "empty_prediction",
                "ok",
            ],
            "nloc": ["3", "", "", "", "5"],
        },
    )
    ok = _mt(
        "lizard",
        "tiny",
        "st_qlora",
        "generation",
        "python",
        {"id": ["a"], "status": ["ok"], "nloc": ["1"]},
    )
    rows = T.not_computed_rows([mt, ok])
    bad = {r["status"]: r["count"] for r in rows if r["table"] == mt.path}
    assert bad == {"not computed: no tool": 2, "empty_prediction": 1}
    assert all(r["n_ids"] == 5 and r["n_ok"] == 2 for r in rows if r["table"] == mt.path)
    # a table with every id ok still appears (count 0), so nothing is silently missing
    assert [(r["status"], r["count"]) for r in rows if r["table"] == ok.path] == [("(all ok)", 0)]


def test_means_count_missing_values_with_measure_status():
    mt = _mt(
        "surface",
        "tiny",
        "mt_qlora",
        "summarization",
        "python",
        {
            "id": ["a", "b", "c", "d"],
            "status": ["ok", "ok", "ok", "empty_prediction"],
            "empty_prediction": ["0", "0", "0", "1"],
            "bleu_sacre": ["0.5", "0.25", "0.0", "0.0"],
            "meteor": ["0.2", "", "0.4", ""],
            "meteor_status": ["ok", "not computed: no WordNet", "ok", ""],
            "bertscore_f1": ["", "", "", ""],
            "bertscore_status": ["not computed: no model"] * 4,
        },
    )
    rows = {r["measure"]: r for r in T.means_rows([mt])}
    assert "empty_prediction" not in rows  # a flag, not a measure
    assert (
        rows["bleu_sacre"]["mean"] == pytest.approx(0.1875)
        and rows["bleu_sacre"]["n_not_computed"] == 0
    )
    m = rows["meteor"]
    assert (m["n_ids"], m["n_values"], m["n_not_computed"]) == (4, 2, 2)
    assert m["mean"] == pytest.approx(0.3)
    assert "1 x not computed: no WordNet" in m["not_computed_reasons"]
    assert "1 x empty_prediction" in m["not_computed_reasons"]
    # no value at all: still a row (mean empty) with every id counted as not computed
    assert rows["bertscore_f1"]["mean"] is None and rows["bertscore_f1"]["n_not_computed"] == 4


def _exec_table(model, method, lang, passed):
    ids = [f"t{k}" for k in range(len(passed))]
    return _mt(
        "execution",
        model,
        method,
        "generation",
        lang,
        {
            "id": ids,
            "pass@1": ["" if p is None else str(p) for p in passed],
            "status": ["not computed: no image" if p is None else "ok" for p in passed],
            "n": ["1"] * len(passed),
            "c": ["" if p is None else str(p) for p in passed],
        },
    )


def test_pass1_paper_column_only_where_model_maps():
    cfg = {"models": PAPER_MODELS}
    tables = [
        _exec_table("qwen2.5-coder-0.5b", "st_qlora", "python", [1, 0, None, 1]),
        _exec_table("mine", "st_qlora", "python", [1, 1, 1, 0]),
    ]
    summaries = {
        tables[0].path: {"passes": 2, "n_tasks": 190, "n_not_computed": 1, "n_missing": 186}
    }
    rows = {r["model"]: r for r in T.pass1_rows(cfg, tables, summaries)}
    q = rows["qwen2.5-coder-0.5b"]
    assert (q["passes"], q["n_tasks"], q["source"]) == (2, 190, "summary")
    assert q["pass@1"] == pytest.approx(2 / 190)
    assert (q["paper_passes"], q["paper_n_tasks"]) == (
        30,
        190,
    )  # PAPER.md: 0.5B ST-QLoRA Python 30/190
    mine = rows["mine"]
    assert (mine["passes"], mine["n_tasks"], mine["source"]) == (3, 4, "table")
    assert "paper_passes" not in mine
    cols = T.drop_empty_optional_columns(T.PASS1_COLUMNS, [mine])
    assert not [c for c in cols if c.startswith("paper_")]
    assert "paper_pass@1" in T.drop_empty_optional_columns(T.PASS1_COLUMNS, list(rows.values()))


def test_pass1_not_computed_counts_as_fail_from_table():
    (row,) = T.pass1_rows(
        {"models": {"tiny": {"source": "x"}}},
        [_exec_table("tiny", "mt_fft", "java", [None, 1, None])],
    )
    assert (row["passes"], row["n_tasks"], row["n_not_computed"], row["complete"]) == (
        1,
        3,
        2,
        False,
    )


def _stats_config(models: dict) -> dict:
    cfg = {
        "models": models,
        "methods": {
            "st_qlora": {"finetune": "qlora", "scope": "single"},
            "mt_qlora": {"finetune": "qlora", "scope": "multi"},
        },
        "tasks": {
            "generation": {"languages": ["python"]},
            "summarization": {"languages": ["python"]},
        },
        "stats": {
            "measures": {
                "execution": {"binary": ["pass@1"], "tasks": ["generation"]},
                "surface": {"continuous": ["bleu_sacre", "meteor"], "tasks": ["summarization"]},
            },
            "comparisons": [
                {"name": "rq1_st_vs_mt", "a": {"method": "st_qlora"}, "b": {"method": "mt_qlora"}}
            ],
        },
    }
    return study_config.validate(cfg)


def _write_pairing_tables(root: Path, model: str):
    # A (ST) in one order with an extra id; B (MT) reversed: pairing must follow ids, not rows
    a_pass = {f"t{k}": int(k % 3 == 0) for k in range(12)}
    b_pass = {f"t{k}": int(k % 2 == 0) for k in range(12)}
    base = root / "results/metrics"
    _write(
        base / f"execution/{model}/st_qlora/seed-42/generation/python.tsv",
        ["id", "pass@1", "status"],
        [[i, v, "ok"] for i, v in a_pass.items()] + [["only_a", 1, "ok"]],
    )
    _write(
        base / f"execution/{model}/mt_qlora/seed-42/generation/python.tsv",
        ["id", "pass@1", "status"],
        [[i, b_pass[i], "ok"] for i in reversed(list(b_pass))],
    )
    for method, shift in (("st_qlora", 0.0), ("mt_qlora", 0.1)):
        rows = [[f"s{k}", 0.05 * k + shift, "" if k == 2 else 0.3, "ok"] for k in range(10)]
        if method == "mt_qlora":
            rows = rows[::-1]
        _write(
            base / f"surface/{model}/{method}/seed-42/summarization/python.tsv",
            ["id", "bleu_sacre", "meteor", "status"],
            rows,
        )
    return a_pass, b_pass


@pytest.mark.parametrize("model,maps", [("qwen2.5-coder-0.5b", True), ("mine", False)])
def test_rq_rows_pair_by_id_and_paper_columns(tmp_path, model, maps):
    cfg = _stats_config({model: PAPER_MODELS[model]})
    a_pass, b_pass = _write_pairing_tables(tmp_path, model)
    results = st.run_blocks(st.planned_tests(cfg), cfg["stats"], root=str(tmp_path))
    stats_path = tmp_path / "results/stats/rq1_st_vs_mt.tsv"
    st.write_rows(stats_path, results["rq1_st_vs_mt"])
    with open(stats_path, newline="") as handle:
        rows = T.rq_rows(list(csv.DictReader(handle, delimiter="\t")), cfg)
    # paper order: generation before summarization; binary first
    assert [r["measure"] for r in rows] == ["pass@1", "bleu_sacre", "meteor"]
    mc = rows[0]
    both = sum(a_pass[i] and b_pass[i] for i in a_pass)
    a_only = sum(a_pass[i] and not b_pass[i] for i in a_pass)
    b_only = sum(b_pass[i] and not a_pass[i] for i in a_pass)
    assert (int(mc["both"]), int(mc["a_only"]), int(mc["b_only"])) == (both, a_only, b_only)
    assert (mc["n_paired"], mc["n_a_only"], mc["n_b_only"]) == ("12", "1", "0")
    meteor = rows[2]
    assert (meteor["n_paired"], meteor["n_missing_a"], meteor["n_missing_b"]) == ("9", "1", "1")
    page = rq_pivot(rows)
    assert ("paper: p adj" in page) == maps and "A only 1" in page and "A n.c. 1" in page
    # every B bleu is A's + 0.1 by id (rows reversed on disk): Cliff's delta on pairs < 0
    assert float(rows[1]["mean_b"]) - float(rows[1]["mean_a"]) == pytest.approx(0.1)
    if maps:
        ref = next(
            r
            for r in paper.mcnemar_rows()
            if (r["comparison"], r["lang"], r["size"]) == ("rq1_st_vs_mt", "python", "0.5B")
        )
        assert (mc["paper_both"], mc["paper_a_only"], mc["paper_b_only"]) == (
            ref["both"],
            ref["a_only"],
            ref["b_only"],
        )
        assert mc["paper_p_adj"] == ref["p_adj"] and mc["scale"] == "0.5B"
        bleu = next(
            r
            for r in paper.wilcoxon_rows()
            if (r["comparison"], r["task"], r["lang"], r["size"], r["metric"])
            == ("rq1_st_vs_mt", "summarization", "python", "0.5B", "BLEU")
        )
        assert rows[1]["paper_metric"] == "BLEU" and rows[1]["paper_effect"] == bleu["cliffs_delta"]
        assert "paper_p_adj" in T.drop_empty_optional_columns(T.RQ_COLUMNS, rows)
    else:
        assert not any(k.startswith("paper_") for r in rows for k in r)
        assert not [
            c for c in T.drop_empty_optional_columns(T.RQ_COLUMNS, rows) if c.startswith("paper_")
        ]


def _training_json(path: Path, finetune_used="qlora", fallback=False):
    path.mkdir(parents=True, exist_ok=True)
    history = [{"loss": 7.3 - 0.1 * s, "step": s} for s in (1, 2, 3, 4)] + [
        {"eval_loss": 7.1, "step": 4}
    ]
    (path / "codepeft_training.json").write_text(
        json.dumps(
            {
                "finetune_requested": "qlora",
                "finetune_used": finetune_used,
                "lora_fallback": fallback,
                "seed": 42,
                "global_step": 4,
                "train_metrics": {"train_loss": 7.2},
                "log_history": history,
            }
        )
    )


def test_build_report_end_to_end(tmp_path):
    cfg = _stats_config({"mine": PAPER_MODELS["mine"]})
    cfg["study"] = {"name": "synthetic", "demo": True}
    _write_pairing_tables(tmp_path, "mine")
    _write(
        tmp_path / "results/metrics/pylint/mine/st_qlora/seed-42/generation/python.tsv",
        ["id", "status", "wrapped", "error", "warning"],
        [["t0", "ok", "0", "1", "2"], ["t1", "not computed: pylint missing", "0", "", ""]],
    )
    results = st.run_blocks(st.planned_tests(cfg), cfg["stats"], root=str(tmp_path))
    st.write_rows(tmp_path / "results/stats/rq1_st_vs_mt.tsv", results["rq1_st_vs_mt"])
    broken = tmp_path / "results/metrics/radon/mine/st_qlora/seed-42/generation/python.tsv"
    broken.parent.mkdir(parents=True)
    broken.write_text("")  # an empty file: shown as unreadable, not a crash
    _training_json(tmp_path / "results/models/mine/mt_qlora/seed-42/multi", "lora", True)
    out = tmp_path / "results/report"
    res = build_report(cfg, out, root=tmp_path)
    assert set(res["tables"]) == {
        *("pass1", "means", "not_computed", "rq_rq1_st_vs_mt", "cost", "quirks", "headline"),
        *("package_differences", "retention"),
    }
    assert {
        "pass1_by_scale",
        "dist_summarization_python",
        "nonfunctional_pylint",
        "training_loss",
    } <= set(res["plots"])
    page = (out / "index.html").read_text()
    assert "id='demo-banner'" in page and "they say nothing about real models" in DEMO_NOTE
    assert DEMO_NOTE.split(".")[0] in page
    assert "not computed: pylint missing" in page
    assert "not computed: table unreadable" in page
    # no test set outside a training mixture here: the retention section says so
    assert "id='retention'" in page and "off_task_evaluation is off" in page
    assert page.count("<table>") >= 6
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == len(res["plots"])
    assert all(base64.b64decode(b)[:8] == b"\x89PNG\r\n\x1a\n" for b in images)
    assert "paper:" not in page.split("<nav>")[1]  # no paper column: the model is not a paper scale
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["seed"] == 42 and prov["config_hash"] and "packages" in prov
    (trained,) = prov["trained_models"]
    assert (trained["finetune_used"], trained["lora_fallback"]) == ("lora", True)
    assert any(
        i["path"].endswith("pylint/mine/st_qlora/seed-42/generation/python.tsv")
        and len(i["sha256"]) == 64
        for i in prov["inputs"]
    )
    with open(out / "tables/not_computed.tsv", newline="") as handle:
        nc = list(csv.DictReader(handle, delimiter="\t"))
    assert any(r["status"] == "not computed: pylint missing" and r["count"] == "1" for r in nc)
    # no demo banner when the study is not a demo
    cfg["study"]["demo"] = False
    build_report(cfg, tmp_path / "r2", root=tmp_path)
    assert "demo-banner" not in (tmp_path / "r2/index.html").read_text()


def test_value_helper():
    assert math.isnan(T.value({"p": ""}, "p")) and T.value({"p": "0.5"}, "p") == 0.5


def test_paper_per_instance_pass1_matches_paper_column(shared, tmp_path):
    """The paper's own per-instance pass@1 files, laid out as our execution tables under the
    paper preset's model names: our passes equal the paper column on all 18 rows, and the RQ
    tables carry the paper's McNemar numbers beside ours (Java: every task on both sides, so
    the 2x2 counts agree too)."""
    src = shared / "reference/paper_per_instance/pass1"
    sizes = {"0_5": "0.5B", "1_5": "1.5B", "3": "3B"}
    models = {
        f"qwen2.5-coder-{s.lower()}": {"source": paper.HUB_IDS[s], "params_b": float(s[:-1])}
        for s in sizes.values()
    }
    cfg = study_config.validate(
        {
            "models": models,
            "methods": {
                "mt_qlora": {"finetune": "qlora", "scope": "multi"},
                "st_qlora": {"finetune": "qlora", "scope": "single"},
                "mt_fft": {"finetune": "full", "scope": "multi"},
            },
            "tasks": {"generation": {"languages": ["python", "java"]}},
            "stats": {"measures": {"execution": {"binary": ["pass@1"], "tasks": ["generation"]}}},
        }
    )
    metric_paths = []
    for lang, folder in (("python", "py"), ("java", "java")):
        for path in sorted((src / folder).glob("r-pass1_cg_qwen*_*.csv")):
            m = re.match(r"r-pass1_cg_qwen(0_5|1_5|3)_(mt_fft|mt_qlora|st_qlora)\.csv", path.name)
            model = f"qwen2.5-coder-{sizes[m.group(1)].lower()}"
            with open(path, newline="") as handle:
                rows = [(r["Task ID"], r["pass@1"]) for r in csv.DictReader(handle)]
            rel = f"results/metrics/execution/{model}/{m.group(2)}/seed-42/generation/{lang}.tsv"
            _write(tmp_path / rel, ["id", "pass@1", "status"], [[i, v, "ok"] for i, v in rows])
            total = paper.PASS1_TOTALS[lang]  # the data set's size, as the execution summary has it
            passes = sum(int(v) for _, v in rows)
            (tmp_path / rel.replace(".tsv", ".summary.json")).write_text(
                json.dumps(
                    {
                        "passes": passes,
                        "n_tasks": total,
                        "n_missing": total - len(rows),
                        "n_not_computed": 0,
                    }
                )
            )
            metric_paths.append(rel)
    tables = [
        T.MetricTable(table=st.read_table(tmp_path / p), **T.parse_metric_path(p))
        for p in metric_paths
    ]
    summaries = {
        t.path: json.loads(Path(t.path.replace(".tsv", ".summary.json")).read_text())
        for t in tables
    }
    rows = T.pass1_rows(cfg, tables, summaries)
    assert len(rows) == 18
    for r in rows:
        assert (r["passes"], r["n_tasks"]) == (r["paper_passes"], r["paper_n_tasks"]), r
    results = st.run_blocks(st.planned_tests(cfg), cfg["stats"], root=str(tmp_path))
    for name in ("rq1_st_vs_mt", "rq2_mt_qlora_vs_fft"):
        rq = T.rq_rows([st.format_row(r) for r in results[name]], cfg)
        assert len(rq) == 6 and all(r["paper_metric"] == "pass@1" for r in rq)
        for r in rq:
            if r["lang"] == "java":
                assert (int(r["both"]), int(r["a_only"]), int(r["b_only"]), int(r["neither"])) == (
                    r["paper_both"],
                    r["paper_a_only"],
                    r["paper_b_only"],
                    r["paper_neither"],
                ), r


def test_quirks_section_lists_the_behaviours_in_force(tmp_path, monkeypatch):
    from codepeft.paper import quirks
    from codepeft.paper import section as quirks_section

    fixture = [
        quirks.Quirk("stats.pair_by", "position", "rows paired <by position>", "a.R:1", True),
        quirks.Quirk("stats.overrides.*", {"adjust": "bh"}, "BH for RQ1", "b.R:2"),
        quirks.Quirk("decoding.other", 1, "not set here", "c.py:3"),
    ]
    cfg = _stats_config({"mine": PAPER_MODELS["mine"]})
    cfg["stats"]["pair_by"] = "position"
    cfg["stats"]["overrides"] = [
        {"where": {"task": "generation"}, "adjust": "none"},
        {"adjust": "bh"},
    ]
    rows = quirks_section.quirk_rows(cfg, fixture)
    assert [(r["key"], r["value"], r["defect"]) for r in rows] == [
        ("stats.pair_by", "position", "yes"),
        ("stats.overrides.*", '{"adjust": "bh"}', "no"),
    ]
    html = quirks_section.quirks_section_html(rows)
    assert "Replication-package behaviours in force" in html and "&lt;by position&gt;" in html
    assert quirks_section.quirks_section_html([]) == ""
    # through the report: its own table and section, absent when nothing is in force
    _write_pairing_tables(tmp_path, "mine")
    monkeypatch.setattr(quirks, "QUIRKS", fixture)
    res = build_report(cfg, tmp_path / "r1", root=tmp_path)
    page = (tmp_path / "r1/index.html").read_text()
    assert "quirks" in res["tables"] and "id='quirks'" in page and "a.R:1" in page
    assert page.index("id='quirks'") < page.index("id='rq'")
    # beside them, the stated differences (codepeft.paper.quirks.DIFFERENCES), table and section
    assert "Where codepeft deliberately does not do what the package did" in page
    assert "CodeBLEU data-flow order" in page and "package_differences" in res["tables"]
    with open(tmp_path / "r1/tables/package_differences.tsv", newline="") as handle:
        topics = [r["topic"] for r in csv.DictReader(handle, delimiter="\t")]
    assert topics == [d.topic for d in quirks.DIFFERENCES]
    with open(tmp_path / "r1/tables/quirks.tsv", newline="") as handle:
        assert [r["key"] for r in csv.DictReader(handle, delimiter="\t")] == [
            "stats.pair_by",
            "stats.overrides.*",
        ]
    cfg["stats"]["pair_by"] = "id"
    cfg["stats"]["overrides"] = []
    res = build_report(cfg, tmp_path / "r2", root=tmp_path)
    assert "quirks" not in res["tables"] and "package_differences" not in res["tables"]
    assert "id='quirks'" not in (tmp_path / "r2/index.html").read_text()


def test_side_entry_keeps_the_surface_family_for_the_paper_column():
    row = {
        "comparison": "rq1_st_vs_mt",
        "task": "summarization",
        "lang": "java",
        "family": "surface",
        "measure": "side",
        "test": "wilcoxon",
    }
    assert T.paper_match(row, "3B")["paper_metric"] == "SIDE"
    cfg = study_config.load(Path(__file__).resolve().parents[2] / "config" / "paper.yaml")
    blocks = [b for b in st.planned_tests(cfg) if b["entry"] == "side"]
    assert blocks and {b["family"] for b in blocks} == {"surface"}


def test_report_defaults_come_from_the_schema():
    from codepeft.config import schema_defaults
    from codepeft.report import build

    assert not hasattr(build, "DEFAULT_SECTION")  # the schema is the one source of defaults
    assert build.section_of({}) == schema_defaults("report")
    assert T.DEFAULT_EXCLUDE == tuple(schema_defaults("report")["exclude_columns"])
    section = build.section_of({"report": {"max_panels": 3}})
    assert section["max_panels"] == 3 and section["embed_images"] is True
    assert section["distributions"]["codebleu"] == ["codebleu"]


def test_index_page_is_its_sections_in_order(tmp_path):
    """Each section builder alone (its empty state), and index_page = the sections in order."""
    from codepeft.report import page

    cfg = {"study": {"name": "s<1>"}, "methods": {"st_qlora": {}}, "tasks": {}}
    prov = {"generated_utc": "t", "git_revision": "g", "seed": 7, "packages": {"numpy": "2"}}
    plot = page.plotter({}, tmp_path, True)
    assert plot("pass1_by_scale", "caption") == ""  # not drawn: no figure
    assert page.demo_banner(None) == [] and "id='demo-banner'" in page.demo_banner("x")[0]
    assert "No comparison was run" in page.rq_section({}, [])[-1]
    assert "No execution table" in page.pass1_section(cfg, ([], [], ""), plot)[-1]
    assert "No static-analysis table" in page.nonfunctional_section(cfg, [], plot)[-1]
    assert "No trained model" in page.training_section([], plot)[-1]
    nc = [
        {"table": "a.tsv", "count": 2, "status": "not computed: x"},
        {"table": "a.tsv", "count": 0, "status": "ok"},
        {"table": "b.tsv", "count": 0, "status": "ok"},
    ]
    summary = page.not_computed_section(nc)[1]
    assert "1 of 2 metric tables" in summary and "(2 ids in all)" in summary
    assert '<td class="t">numpy</td>' in page.provenance_section(prov)[2]
    html = page.index_page(
        config=cfg,
        demo_note="demo",
        written_tables={"pass1": ([], [], "")},
        rq_names=[],
        means=[],
        not_computed=nc,
        plot_paths={},
        out_dir=tmp_path,
        embed=True,
        provenance=prov,
        training=[],
        quirks_html="<h2 id='quirks'>q</h2>",
        extra_sections=[("cost", "Cost", "<h2 id='cost'>Cost</h2>")],
        headline="<div id='headline'></div>",
    )
    assert html.startswith("<!DOCTYPE html>") and html.endswith("</body></html>\n")
    assert "<title>codepeft report: s&lt;1&gt;</title>" in html
    ids = ["demo-banner", "headline", "quirks", "rq", "pass1", "surface", "nonfunctional"]
    ids += ["notcomputed", "training", "cost", "provenance"]
    positions = [html.index(f"id='{i}'") for i in ids]
    assert positions == sorted(positions)
    assert "\n\n" not in html  # empty parts are left out


def test_nonfunctional_figures_say_which_way_is_better(monkeypatch, tmp_path):
    """The radon figure shows the maintainability index, where higher is better: its `mi` panel
    says so, a size (`loc`) claims no direction, an issue count says lower is better (the
    directions come from the registry of measures)."""
    from types import SimpleNamespace

    from codepeft.report import figures

    drawn = {}

    def fake_plot(means, path, title=""):
        drawn[title] = sorted(means)
        return None

    monkeypatch.setattr(figures.plots, "plot_means_by_method", fake_plot)
    run = SimpleNamespace(multi_model=False, section={"max_panels": 8}, out_dir=tmp_path)
    base = dict(model="m", method="mt_qlora", task="generation", lang="python")
    means = [
        dict(base, family="radon", measure="mi", mean=61.0),
        dict(base, family="radon", measure="loc", mean=7.0),
        dict(base, family="pylint", measure="error", mean=1.0),
    ]
    figures.nonfunctional_figures(run, means)
    assert drawn == {
        "radon: mean per method": ["loc", "mi (higher is better)"],
        "pylint: mean per method": ["error (lower is better)"],
    }


def test_text_cells_stay_text_and_infinity_does_not_crash():
    """A config hash such as 307262e102731819 parses as a float (infinity): in a text column
    it is shown as it is, and `fmt` of an infinite value is its text (it raised OverflowError)."""
    assert html.fmt("307262e102731819") == "307262e102731819"
    assert html.fmt(float("inf")) == "inf"
    page = html.table_html(
        ["item", "value"],
        [{"item": "config hash", "value": "307262e102731819"}, {"item": "python", "value": "3.10"}],
        text_columns=("item", "value"),
    )
    assert ">307262e102731819</td>" in page and ">3.10</td>" in page
