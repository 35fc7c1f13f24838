"""The paper's numbers are package data (codepeft/paper/data/*.tsv) loaded by
codepeft/paper/numbers.py: the loaded tables equal what the module's embedded strings gave before the
move (values computed once from those strings: shapes, column names, spot checks and sha256 of
the table texts), and every data file is named in the folder's README."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest

from codepeft.paper import numbers as paper

# computed from the embedded TSV strings of the numbers module before they moved to files
MCNEMAR_SHA256 = "e9f24f975816d30470965d5689cf88cc2c93e88be59072545425cd00cff642a5"
WILCOXON_SHA256 = "0cd6341ce4a92962d80776988cb4188035fc71e488d9724c44b13596c2355bcc"
ROWS_SHA256 = "b94f5b57377ccbc48d262842019907b01861bcfe8475d2b92e638676aab4a2de"
PASS1_COUNTS = {
    ("0.5B", "mt_qlora"): {"python": 30, "java": 37},
    ("0.5B", "st_qlora"): {"python": 30, "java": 40},
    ("0.5B", "mt_fft"): {"python": 28, "java": 35},
    ("1.5B", "mt_qlora"): {"python": 36, "java": 35},
    ("1.5B", "st_qlora"): {"python": 32, "java": 47},
    ("1.5B", "mt_fft"): {"python": 30, "java": 37},
    ("3B", "mt_qlora"): {"python": 40, "java": 59},
    ("3B", "st_qlora"): {"python": 39, "java": 55},
    ("3B", "mt_fft"): {"python": 33, "java": 49},
}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_pass1_counts_and_totals_as_before():
    assert paper.PASS1_TOTALS == {"python": 190, "java": 184}
    assert list(paper.PASS1_TOTALS) == ["python", "java"]
    assert paper.PASS1_COUNTS == PASS1_COUNTS and list(paper.PASS1_COUNTS) == list(PASS1_COUNTS)
    assert paper.pass1("1.5B", "st_qlora", "java") == pytest.approx(47 / 184)


def test_mcnemar_table_as_before():
    assert _sha(paper.MCNEMAR_TSV) == MCNEMAR_SHA256
    rows = paper.mcnemar_rows()
    assert len(rows) == 12 and tuple(rows[0]) == paper.MCNEMAR_COLUMNS
    assert rows[0] == {
        **dict(comparison="rq1_st_vs_mt", lang="python", size="0.5B"),
        **dict(both=22, a_only=8, b_only=8, neither=149),
        **dict(p=1.0, p_adj=1.0, odds_ratio=1.0, adjust="holm"),
    }
    assert rows[-1]["comparison"] == "rq2_mt_qlora_vs_fft" and rows[-1]["odds_ratio"] == 2.1765
    assert rows[8]["p"] == 0.0455 and rows[8]["p_adj"] == 0.273002


def test_wilcoxon_table_as_before():
    assert _sha(paper.WILCOXON_TSV) == WILCOXON_SHA256
    rows = paper.wilcoxon_rows()
    assert len(rows) == 408 and tuple(rows[0]) == paper.WILCOXON_COLUMNS
    assert rows[0] == dict(
        comparison="rq1_st_vs_mt",
        task="generation",
        lang="java",
        source="metrics",
        size="0.5B",
        metric="Lizard_LoC",
        p_adj=0.2144,
        cliffs_delta=-0.0963,
        adjust="holm",
    )
    assert rows[-1]["metric"] == "Roslyn_Main" and rows[-1]["cliffs_delta"] == 0.2829
    assert sum(r["p_adj"] is None for r in rows) == 23  # NA in the R output
    everything = json.dumps([rows, paper.mcnemar_rows()], sort_keys=True)
    assert _sha(everything) == ROWS_SHA256


def test_every_data_file_is_described_in_the_readme():
    folder = resources.files("codepeft.paper").joinpath("data")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".tsv"))
    assert names == ["mcnemar.tsv", "pass1_counts.tsv", "pass1_totals.tsv", "wilcoxon.tsv"]
    readme = folder.joinpath("README.md").read_text()
    assert all(f"`{name}`" in readme for name in names)
