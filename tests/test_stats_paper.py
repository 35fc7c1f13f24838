"""Reproduce the paper's R statistics (../shared/reference/paper_stats) from its per-instance
results (../shared/reference/paper_per_instance) with codepeft.stats and the CLI.

Tolerances are the printed precision: McNemar p-values and odds ratios printed with 6 / 4
decimals; Cliff's deltas and CIs with R's 7 significant digits; the code-generation files print
Holm/BH-adjusted Wilcoxon p-values with 7 digits; the summary (CLEAN) tables print 4 decimals.
"""

from __future__ import annotations

import glob
import math
import re

import pytest

from codepeft import stats as st
from codepeft import stats_cli

SIZES = {"0.5B": ("0_5", "0[._]5b"), "1.5B": ("1_5", "1[._]5b"), "3B": ("3", "3b")}


@pytest.fixture(scope="module")
def ref(shared):
    root = shared / "reference"
    if not (root / "paper_stats").is_dir():
        pytest.skip("paper reference results missing")
    return root


def one(ref, pattern: str) -> str:
    found = glob.glob(str(ref / "paper_per_instance" / pattern))
    assert len(found) == 1, (pattern, found)
    return found[0]


# ----------------------------------------------------------------------------- parsers of R output


def parse_mcnemar(text: str) -> list[dict]:
    """Contingency counts, raw and adjusted p, odds ratio, in print order (RQ1 and RQ2 layouts)."""
    out = []
    pat = re.compile(
        r"both_pass= (\d+) , \w+= (\d+) , \w+= (\d+) , both_fail= (\d+)\s*"
        r"(?:\n\s*Original P-value: |, p= )(\S+) , (?:Adjusted P-value: |adj_p= )(\S+) , "
        r"(?:Odds Ratio: |OR= )(\S+)"
    )
    for m in pat.finditer(text):
        out.append(
            dict(
                counts=tuple(int(m.group(k)) for k in range(1, 5)),
                p=float(m.group(5)),
                p_adj=float(m.group(6)),
                odds=float(m.group(7)),
            )
        )
    return out


CLIFF_RE = re.compile(
    r'\[1\] "(.+?) - .+? \((\S+)\)"\s*\n\s*\nCliff\'s Delta\s*\n\s*\ndelta estimate: (\S+) '
    r"\((\w+)\)\s*\n95 percent confidence interval:\s*\n\s*lower\s+upper\s*\n\s*(\S+)\s+(\S+)"
)


def parse_cliff(text: str) -> dict[tuple[str, str], dict]:
    return {
        (m.group(2), m.group(1)): dict(
            d=float(m.group(3)), magnitude=m.group(4), lo=float(m.group(5)), hi=float(m.group(6))
        )
        for m in CLIFF_RE.finditer(text)
    }


def parse_adjusted(text: str) -> dict[str, list[float]]:
    out = {}
    pat = re.compile(
        r'Qwen (\S+) Results \(Adjusted P-values\):"\s*\n\s*Wilcoxon.p\s*\n((?:\d+\s+\S+\s*\n?)+)'
    )
    for m in pat.finditer(text):
        out[m.group(1)] = [
            math.nan if v == "NA" else float(v)
            for v in re.findall(r"^\d+\s+(\S+)", m.group(2), re.M)
        ]
    return out


def parse_clean(text: str) -> dict[tuple[str, str], tuple[float, float]]:
    """(size, metric) -> (p, cliff) from a *_CLEAN.txt Wilcoxon summary."""
    out, size = {}, None
    for line in text.splitlines():
        m = re.match(r"QWEN (\S+):", line)
        if m:
            size = m.group(1)
            continue
        m = re.match(r"(\S+)\s+(\S+)\s+(-?\d\.\d{4})\s+(Yes|No|NA)\s*$", line)
        if m and size:
            p = math.nan if m.group(2) == "NA" else float(m.group(2))
            out[(size, m.group(1))] = (p, float(m.group(3)))
    return out


def sig7(x: float, y: float) -> bool:
    """Equal to R's 7 significant digits (print default)."""
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return abs(x - y) <= 6e-7 * max(abs(y), 1e-300) or abs(x - y) < 1e-12


# ----------------------------------------------------------------------------- McNemar (pass@1)


def _pass1_rows(ref, a_method, b_method, adjust, pair_by="id"):
    a = [
        one(ref, f"pass1/{lang}/r-pass1_cg_qwen{SIZES[s][0]}_{a_method}.csv")
        for lang in ("py", "java")
        for s in SIZES
    ]
    b = [
        one(ref, f"pass1/{lang}/r-pass1_cg_qwen{SIZES[s][0]}_{b_method}.csv")
        for lang in ("py", "java")
        for s in SIZES
    ]
    rows = []
    for pa, pb in zip(a, b, strict=True):
        rows.append(
            st.compare_tables(
                st.read_table(pa, "Task ID"),
                st.read_table(pb, "Task ID"),
                "pass@1",
                test="mcnemar",
                pair_by=pair_by,
            )
        )
    st.adjust_rows(rows, [], adjust)
    return rows


@pytest.mark.parametrize(
    "fname,a_method,b_method,adjust,pair_by",
    [
        ("rq1_pass1_mcnemar_holm_RAW.txt", "st_qlora", "mt_qlora", "holm", "id"),
        ("rq1_pass1_mcnemar_BH_RAW.txt", "st_qlora", "mt_qlora", "bh", "id"),
        # RQ2's R script aligned the rows by position (see test_rq2_pass1_position_quirk)
        ("rq2_pass1_mcnemar_RAW.txt", "mt_qlora", "mt_fft", "holm", "position"),
    ],
)
def test_pass1_mcnemar_reproduces_paper(ref, fname, a_method, b_method, adjust, pair_by):
    expected = parse_mcnemar((ref / "paper_stats" / fname).read_text())
    assert len(expected) == 6
    rows = _pass1_rows(ref, a_method, b_method, adjust, pair_by)
    for row, exp in zip(rows, expected, strict=True):
        assert (row["both"], row["a_only"], row["b_only"], row["neither"]) == exp["counts"]
        assert row["p"] == pytest.approx(exp["p"], abs=5.1e-7)
        assert row["p_adj"] == pytest.approx(exp["p_adj"], abs=5.1e-7)
        assert row["effect"] == pytest.approx(exp["odds"], abs=5.1e-5)
        assert row["family_size"] == 6


def test_rq2_pass1_position_quirk(ref):
    """The paper's RQ2 McNemar paired rows by position. Where both files hold the same ids in
    the same order (Python 3B, all Java) that equals pairing by id; Python 0.5B (188 vs 189
    rows) and 1.5B (190 vs 189) have different id sets, so the printed tables differ from the
    id-paired truth: e.g. Python 0.5B both-pass is 5 by position but 22 by id."""
    by_id = _pass1_rows(ref, "mt_qlora", "mt_fft", "holm", "id")
    by_pos = _pass1_rows(ref, "mt_qlora", "mt_fft", "holm", "position")
    cells = lambda r: (r["both"], r["a_only"], r["b_only"], r["neither"])  # noqa: E731
    assert cells(by_pos[0]) == (5, 25, 23, 135) and cells(by_id[0]) == (22, 8, 6, 152)
    assert (by_id[0]["n_a_only"], by_id[0]["n_b_only"]) == (0, 1)
    assert cells(by_pos[1]) != cells(by_id[1])
    assert [cells(r) for r in by_pos[2:]] == [cells(r) for r in by_id[2:]]
    # the marginals (pass counts) agree either way: the quirk only moves the discordant cells
    assert by_pos[0]["both"] + by_pos[0]["a_only"] == by_id[0]["both"] + by_id[0]["a_only"] == 30


def test_pass1_one_sided_ids_are_counted(ref):
    rows = _pass1_rows(ref, "st_qlora", "mt_qlora", "holm")
    first = rows[0]  # Python 0.5B: 189 ST rows, 188 MT rows, 187 shared ids
    assert (first["n_paired"], first["n_a_only"], first["n_b_only"]) == (187, 2, 1)
    assert "one-sided ids" in first["note"]


def test_cli_mcnemar_over_six_files(ref, capsys):
    a = [
        one(ref, f"pass1/{lang}/r-pass1_cg_qwen{SIZES[s][0]}_st_qlora.csv")
        for lang in ("py", "java")
        for s in SIZES
    ]
    b = [
        one(ref, f"pass1/{lang}/r-pass1_cg_qwen{SIZES[s][0]}_mt_qlora.csv")
        for lang in ("py", "java")
        for s in SIZES
    ]
    rc = stats_cli.main(
        [
            "--a",
            *a,
            "--b",
            *b,
            "--measure",
            "pass@1",
            "--test",
            "mcnemar",
            "--family",
            "all",
            "--format",
            "json",
        ]
    )
    assert rc == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    expected = parse_mcnemar((ref / "paper_stats" / "rq1_pass1_mcnemar_holm_RAW.txt").read_text())
    assert [(r["both"], r["a_only"], r["b_only"], r["neither"]) for r in rows] == [
        e["counts"] for e in expected
    ]
    assert [round(r["p_adj"], 6) for r in rows] == [e["p_adj"] for e in expected]


# ----------------------------------------------------------------------------- code generation (13/15 metrics)

CG_PY = [
    ("lizard", "Lines_of_Code"),
    ("lizard", "Token_Count"),
    ("lizard", "Detection_Rate"),
    ("lizard", "Cyclomatic_Complexity"),
    ("pylint", "Error"),
    ("pylint", "Warning"),
    ("pylint", "Convention"),
    ("pylint", "Refactor"),
    ("sonar", "Security_Hotspots"),
    ("sonar", "Reliability"),
    ("sonar", "Maintainability"),
    ("sonar", "CyC"),
    ("sonar", "CoC"),
]


def _cg_python_files(ref, size, method):
    q, b = SIZES[size]
    dashed = method.replace("_", "-")
    return {
        "lizard": one(ref, f"lizard/generation/python/r-lizard_cg_{b}-{dashed}.csv"),
        "pylint": one(ref, f"pylint/generation/r-pylint_cg_{b}-{dashed}.csv"),
        "sonar": one(ref, f"sonarcloud/generation/py/r-sonarcloud_cg_qwen{q}_{method}.csv"),
    }


@pytest.mark.parametrize("adjust,suffix", [("holm", "holm"), ("bh", "BH")])
def test_codegen_python_wilcoxon_cliff_reproduce_paper(ref, adjust, suffix):
    raw = (ref / "paper_stats" / f"rq1_cg_python_st_vs_mt_wilcoxon_{suffix}_RAW.txt").read_text()
    cliffs, adjusted = parse_cliff(raw), parse_adjusted(raw)
    assert len(cliffs) == 39 and set(adjusted) == set(SIZES)
    for size in SIZES:
        fa, fb = _cg_python_files(ref, size, "st_qlora"), _cg_python_files(ref, size, "mt_qlora")
        rows = [st.compare_tables(st.read_table(fa[f]), st.read_table(fb[f]), m) for f, m in CG_PY]
        st.adjust_rows(rows, [], adjust)
        for (_, measure), row, p_exp in zip(CG_PY, rows, adjusted[size], strict=True):
            exp = cliffs[(size, measure)]
            assert sig7(row["p_adj"], p_exp), (size, measure, row["p_adj"], p_exp)
            assert sig7(row["effect"], exp["d"]) and row["magnitude"] == exp["magnitude"]
            assert sig7(row["ci_low"], exp["lo"]) and sig7(row["ci_high"], exp["hi"]), (
                size,
                measure,
                row,
                exp,
            )
        # R's p.adjust leaves the two all-zero-difference metrics (NA) out of the family
        assert rows[2]["family_size"] == 11 and math.isnan(rows[2]["p"])
        assert "all differences are zero" in rows[2]["note"]


# ----------------------------------------------------------------------------- summarization (position pairing)

SUMM_METRICS = ["BLEU", "METEOR", "Rouge-L", "chrF", "BERTScore"]


@pytest.mark.parametrize(
    "fname,lang,a_method,b_method",
    [
        ("rq1_cs_python_st_vs_mt_wilcoxon", "py", "st_qlora", "mt_qlora"),
        ("rq1_cs_java_st_vs_mt_wilcoxon", "java", "st_qlora", "mt_qlora"),
        ("rq2_cs_python_mt_qlora_vs_fft_wilcoxon", "py", "mt_qlora", "mt_fft"),
        ("rq2_cs_java_mt_qlora_vs_fft_wilcoxon", "java", "mt_qlora", "mt_fft"),
    ],
)
def test_summarization_reproduces_paper_via_cli(ref, tmp_path, fname, lang, a_method, b_method):
    cliffs = parse_cliff((ref / "paper_stats" / f"{fname}_RAW.txt").read_text())
    clean = parse_clean((ref / "paper_stats" / f"{fname}_CLEAN.txt").read_text())
    metrics = SUMM_METRICS + (["SIDE"] if lang == "java" else [])
    for size, (q, _) in SIZES.items():
        base = "bleu_meteor_rouge_chrf_bertscore_side/summarization"
        a = one(ref, f"{base}/{lang}/cs_qwen{q}_{a_method}.csv")
        b = one(ref, f"{base}/{lang}/cs_qwen{q}_{b_method}.csv")
        out = tmp_path / f"{size}.tsv"
        assert (
            stats_cli.main(
                [
                    "--a",
                    a,
                    "--b",
                    b,
                    "--measure",
                    "all",
                    "--pair-by",
                    "position",
                    "--format",
                    "tsv",
                    "--out",
                    str(out),
                ]
            )
            == 0
        )
        rows = {r["measure"]: r for r in _read_tsv(out)}
        assert list(rows) == metrics
        for measure in metrics:
            row, exp = rows[measure], cliffs[(size, measure)]
            assert sig7(float(row["effect"]), exp["d"]) and row["magnitude"] == exp["magnitude"]
            assert sig7(float(row["ci_low"]), exp["lo"]) and sig7(float(row["ci_high"]), exp["hi"])
            p_exp, d_exp = clean[(size, measure)]
            assert abs(float(row["p_adj"]) - p_exp) <= 5e-5 + 1e-12, (
                size,
                measure,
                row["p_adj"],
                p_exp,
            )
            assert abs(float(row["effect"]) - d_exp) <= 5e-5 + 1e-12


def _read_tsv(path):
    import csv

    with open(path, newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


# ----------------------------------------------------------------------------- translation (CodeBLEU + Lizard + Roslyn)

CT_METRICS = [
    ("CodeBLEU", "codebleu", "codebleu"),
    ("Lizard_LoC", "lizard", "Lines_of_Code"),
    ("Lizard_ToK", "lizard", "Token_Count"),
    ("Lizard_DR", "lizard", "Detection_Rate"),
    ("Lizard_CyC", "lizard", "Cyclomatic_Complexity"),
    ("Roslyn_SynErr", "roslyn", "Syntax_Errors"),
    ("Roslyn_Main", "roslyn", "Maintainability"),
]


def _ct_files(ref, size, method):
    q, b = SIZES[size]
    us, dashed = method, method.replace("_", "-")
    return {
        "codebleu": one(ref, f"codebleu/translation/java_cs/ct_qwen{q}_{us}.csv"),
        "lizard": one(ref, f"lizard/translation/java_cs/r-lizard_ct_{b}-{dashed}.csv"),
        "roslyn": one(ref, f"roslyn/java_cs/r-roslyn_ct_{b}-{dashed}.csv"),
    }


@pytest.mark.parametrize(
    "fname,a_method,b_method",
    [
        ("rq1_ct_java_cs_st_vs_mt_wilcoxon", "st_qlora", "mt_qlora"),
        ("rq2_ct_java_cs_mt_qlora_vs_fft_wilcoxon", "mt_qlora", "mt_fft"),
    ],
)
def test_translation_codebleu_reproduces_paper(ref, fname, a_method, b_method):
    raw = (ref / "paper_stats" / f"{fname}_RAW.txt").read_text()
    cliffs = parse_cliff(raw)
    clean = parse_clean((ref / "paper_stats" / f"{fname}_CLEAN.txt").read_text())
    raw_names = {
        "CodeBLEU": "CodeBLEU",
        "Lizard_LoC": "Lines_of_Code",
        "Lizard_ToK": "Token_Count",
        "Lizard_DR": "Detection_Rate",
        "Lizard_CyC": "Cyclomatic_Complexity",
        "Roslyn_SynErr": "Syntax_Errors",
        "Roslyn_Main": "Maintainability",
    }
    for size in SIZES:
        fa, fb = _ct_files(ref, size, a_method), _ct_files(ref, size, b_method)
        rows = [
            st.compare_tables(st.read_table(fa[f]), st.read_table(fb[f]), col)
            for _, f, col in CT_METRICS
        ]
        st.adjust_rows(rows, [], "holm")
        for (label, _, _), row in zip(CT_METRICS, rows, strict=True):
            assert row["n_paired"] == 1000 and row["n_a_only"] == row["n_b_only"] == 0
            exp = cliffs[(size, raw_names[label])]
            assert sig7(row["effect"], exp["d"]) and row["magnitude"] == exp["magnitude"]
            assert sig7(row["ci_low"], exp["lo"]) and sig7(row["ci_high"], exp["hi"]), (size, label)
            p_exp, _ = clean[(size, label)]
            assert abs(row["p_adj"] - p_exp) <= 5e-5 + 1e-12, (size, label, row["p_adj"], p_exp)


# ----------------------------------------------------------------------------- embedded paper numbers


def test_embedded_paper_tables_equal_the_reference_files(ref):
    from codepeft import paper

    assert paper.build_mcnemar_table(ref / "paper_stats") == paper.MCNEMAR_TSV
    assert paper.build_wilcoxon_table(ref / "paper_stats") == paper.WILCOXON_TSV
    rows = paper.mcnemar_rows()
    assert len(rows) == 12 and rows[4]["p_adj"] == pytest.approx(0.31098)
    # the McNemar marginals agree with PAPER.md's pass@1 counts (A side = ST for RQ1)
    for row in rows:
        a_method = "st_qlora" if row["comparison"] == "rq1_st_vs_mt" else "mt_qlora"
        assert (
            row["both"] + row["a_only"] == paper.PASS1_COUNTS[(row["size"], a_method)][row["lang"]]
        )
    wil = paper.wilcoxon_rows()
    assert len(wil) == 408 and {r["adjust"] for r in wil} == {"holm", "bh"}


def test_paper_pass1_counts_match_per_instance_files(ref):
    from codepeft import paper

    for (size, method), counts in paper.PASS1_COUNTS.items():
        for lang, folder in (("python", "py"), ("java", "java")):
            table = st.read_table(
                one(ref, f"pass1/{folder}/r-pass1_cg_qwen{SIZES[size][0]}_{method}.csv")
            )
            assert int(sum(table.values("pass@1"))) == counts[lang], (size, method, lang)
    assert paper.pass1("3B", "mt_qlora", "java") == pytest.approx(59 / 184)
