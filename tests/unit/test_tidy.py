"""codepeft.tidy: per-instance tables and stats files -> long tables (Parquet + CSV)."""

import math
import shutil
import subprocess

import pandas as pd
import pytest

from codepeft import tidy

SURFACE = (
    "id\tstatus\tempty_prediction\tbleu_sacre\tmeteor\tmeteor_status\tbertscore_f1"
    "\tbertscore_num_layers\tbertscore_status\n"
    "a\tok\t0\t0.5\t0.25\tok\t\t\tnot computed: BERTScore not configured for task generation\n"
    "b\tempty_prediction\t1\t\t\tok\t\t\tnot computed: BERTScore not configured for task generation\n"
    "c\tok\t0\t1e-3\t\tnot computed: WordNet missing\t\t\tnot computed: BERTScore not configured for task generation\n"
)
EXECUTION = (
    "id\tlevel\toutcome\treason\tn\tc\tpass@1\tpass@1_status\toutcomes\tsandbox\tstatus\n"
    "t1\tself\tpassed\t\t1\t1\t1.0\tok\t[]\tbwrap\tok\n"
    "t2\tself\tfailed\t\t1\t0\t0.0\tok\t[]\tbwrap\tok\n"
)
JUDGE = (
    "id\tfluency_mean\tfluency_mode\tn_valid\tn_runs\tstatus\tmissing\n"
    "s1\t4.0\t4\t1\t1\tok\t\n"
    "s2\t\t\t0\t1\tnot computed: unparsable answer\t\n"
)
STATS = (
    "comparison\tmodel\ttask\tlang\tfamily\tmeasure\tn_paired\tp\tp_adj\tsignificant\n"
    "zs_vs_mt\ttiny\tgeneration\tpython\texecution\tpass@1\t19\t0.5\t\tno\n"
)


@pytest.fixture
def results(tmp_path):
    files = {
        "results/metrics/surface/tiny/mt_qlora/seed-42/generation/python.tsv": SURFACE,
        "results/metrics/execution/tiny/mt_qlora/seed-42/generation/python.tsv": EXECUTION,
        "results/metrics/judge/tiny/zero_shot/seed-none/summarization/python.tsv": JUDGE,
        "results/stats/zs_vs_mt.tsv": STATS,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path, [p for p in files if "/metrics/" in p], ["results/stats/zs_vs_mt.tsv"]


def _row(frame, **where):
    hit = frame
    for key, value in where.items():
        hit = hit[hit[key] == value]
    assert len(hit) == 1, where
    return hit.iloc[0]


def test_every_measure_cell_is_one_row_with_its_status(results):
    root, tables, _ = results
    rows = tidy.tidy_results(tables, "demo", root)
    assert list(rows.columns) == list(tidy.RESULT_COLUMNS)
    # the registry's measures only: surface 3 ids x (bleu_sacre, meteor, bertscore_f1);
    # execution 2 x pass@1; judge 2 x (fluency_mean, fluency_mode); never id, status,
    # empty_prediction, bertscore_num_layers, n, c, n_valid, ...
    assert len(rows) == 9 + 2 + 4
    assert set(rows["measure"]) == {
        "bleu_sacre",
        "meteor",
        "bertscore_f1",
        "pass@1",
        "fluency_mean",
        "fluency_mode",
    }
    assert _row(rows, id="a", measure="bleu_sacre")["value"] == 0.5
    assert _row(rows, id="c", measure="bleu_sacre")["value"] == 1e-3
    # an empty value keeps its reason: the measure's own status, else the row's status
    b = _row(rows, id="b", measure="bleu_sacre")
    assert math.isnan(b["value"]) and b["status"] == "empty_prediction"
    assert _row(rows, id="c", measure="meteor")["status"] == "not computed: WordNet missing"
    assert _row(rows, id="a", measure="meteor")["status"] == "ok"
    assert _row(rows, id="a", measure="bertscore_f1")["status"].startswith("not computed: BERT")
    assert (
        _row(rows, id="s2", measure="fluency_mean")["status"] == "not computed: unparsable answer"
    )
    t1 = _row(rows, id="t1", measure="pass@1")
    assert (t1["family"], t1["model"], t1["method"], t1["task"], t1["language"]) == (
        "execution",
        "tiny",
        "mt_qlora",
        "generation",
        "python",
    )
    assert t1["study"] == "demo" and t1["value"] == 1.0 and t1["seed"] == 42
    # zero-shot (seed-none): no training seed
    assert pd.isna(_row(rows, id="s2", measure="fluency_mean")["seed"])


def test_a_text_in_a_measure_column_is_an_error(tmp_path):
    rel = "results/metrics/execution/tiny/m/seed-42/generation/python.tsv"
    (tmp_path / rel).parent.mkdir(parents=True)
    (tmp_path / rel).write_text("id\tpass@1\tstatus\nt1\tyes\tok\n")
    with pytest.raises(ValueError, match="not a number.*'yes'"):
        tidy.tidy_results([rel], "demo", tmp_path)


def test_seed_from_the_path():
    assert tidy.seed_of({"model": "tiny"}) is None
    assert tidy.seed_of({"seed": "none"}) is None  # zero-shot, the references
    assert tidy.seed_of({"seed": "7"}) == 7 and tidy.seed_of({"seed": "seed42"}) == 42
    with pytest.raises(ValueError):
        tidy.seed_of({"seed": "abc"})


def test_stats_rows_with_study_and_language(results):
    root, _, stats = results
    rows = tidy.tidy_stats(stats, "demo", root)
    assert list(rows.columns[:3]) == ["study", "comparison", "model"]
    assert "language" in rows.columns and "lang" not in rows.columns
    assert rows.loc[0, "p"] == 0.5 and pd.isna(rows.loc[0, "p_adj"])


def test_parquet_and_csv_load_with_the_documented_one_liners(results, tmp_path):
    root, tables, stats = results
    out = tmp_path / "out"
    outputs = {
        "results": out / "results.parquet",
        "results_csv": out / "results.csv",
        "stats": out / "stats.parquet",
        "stats_csv": out / "stats.csv",
    }
    counts = tidy.write_tidy(tables, stats, "demo", outputs, root)
    assert counts == {"results": 15, "stats": 1}
    written = tidy.tidy_results(tables, "demo", root)
    # docs/results.md: the pandas one-liners
    parquet = pd.read_parquet(out / "results.parquet")
    csv = pd.read_csv(out / "results.csv")
    pd.testing.assert_frame_equal(parquet, written)
    assert len(csv) == 15 and list(csv.columns) == list(tidy.RESULT_COLUMNS)
    assert csv["value"].isna().sum() == written["value"].isna().sum()
    assert pd.read_parquet(out / "stats.parquet").loc[0, "n_paired"] == 19
    assert not list(out.glob("*.partial"))


def test_r_reads_the_csv(results, tmp_path):
    """docs/results.md's R one-liner (read.csv; arrow::read_parquet where arrow is installed)."""
    if not shutil.which("Rscript"):
        pytest.skip("Rscript not installed")
    root, tables, stats = results
    out = tmp_path / "out"
    tidy.write_tidy(
        tables,
        stats,
        "demo",
        {k: out / f"{k}.x" for k in ("results", "stats")}
        | {"results_csv": out / "results.csv", "stats_csv": out / "stats.csv"},
        root,
    )
    script = f'd <- read.csv("{out / "results.csv"}"); cat(nrow(d), sum(is.na(d$value)))'
    done = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["15", "8"]


def test_cli_writes_both_tables(results, tmp_path, repo, capsys):
    root, _, _ = results
    assert tidy.main(["--config", str(repo / "config.yaml"), "--root", str(root)]) == 0
    assert "results.parquet (15 rows)" in capsys.readouterr().out
    assert len(pd.read_parquet(root / "results/tidy/results.parquet")) == 15
