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
from codepeft.stats import cli as stats_cli

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
    from codepeft.paper import numbers as paper

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
    from codepeft.paper import numbers as paper

    for (size, method), counts in paper.PASS1_COUNTS.items():
        for lang, folder in (("python", "py"), ("java", "java")):
            table = st.read_table(
                one(ref, f"pass1/{folder}/r-pass1_cg_qwen{SIZES[size][0]}_{method}.csv")
            )
            assert int(sum(table.values("pass@1"))) == counts[lang], (size, method, lang)
    assert paper.pass1("3B", "mt_qlora", "java") == pytest.approx(59 / 184)


# ----------------------------------------------------------------------------- the preset, end to end
#
# config/paper.yaml's `stats` section planned and run on the shipped per-instance CSVs: the
# loader below maps each planned table (results/metrics/<table>/<model>/<method>/<task>/<lang>.tsv)
# to the package's file and renames the package's columns to the preset's measure names.
# Families, adjustments (BH for RQ1 code generation), pairing (by position; RQ1 pass@1 by id)
# and the both-constant rule all come from the preset; every printed number is checked within
# its printed precision.

PRESET_SIZE = {"qwen2.5-coder-0.5b": "0.5B", "qwen2.5-coder-1.5b": "1.5B", "qwen2.5-coder-3b": "3B"}
RQ3_METHODS = {  # as ftrain defines them in config/paper.yaml (added here while absent)
    "mt_qlora_cg_cs": ["generation", "summarization"],
    "mt_qlora_cg_ct": ["generation", "translation"],
    "mt_qlora_cs_ct": ["summarization", "translation"],
}
PACKAGE_COLUMNS = {  # preset table family -> {package column: preset measure}
    "surface": {
        "BLEU": "bleu_sacre",
        "METEOR": "meteor",
        "Rouge-L": "rougeL",
        "chrF": "chrf",
        "BERTScore": "bertscore_f1",
        "SIDE": "side",
    },
    "judge": {
        "CA": "content_adequacy_mean",
        "Conciseness": "conciseness_mean",
        "Fluency": "fluency_mean",
    },
    "execution": {"pass@1": "pass@1"},
    "codebleu": {"codebleu": "codebleu"},
    "lizard": {
        "Lines_of_Code": "nloc",
        "Token_Count": "tokens",
        "Detection_Rate": "detected",
        "Cyclomatic_Complexity": "ccn_sum",
    },
    "pylint": {
        "Error": "error",
        "Warning": "warning",
        "Convention": "convention",
        "Refactor": "refactor",
    },
    "pmd": {
        c: c
        for c in (
            "bestpractices",
            "codestyle",
            "design",
            "errorprone",
            "multithreading",
            "performance",
        )
    },
    "roslyn": {"Syntax_Errors": "syntax_errors", "Maintainability": "maintainability"},
    "sonar": {
        "Security_Hotspots": "security_hotspots",
        "Reliability": "reliability",
        "Maintainability": "maintainability",
        "CyC": "cyclomatic",
        "CoC": "cognitive",
    },
}
# the labels the R scripts print for each preset measure
R_LABEL = {m: c for cols in PACKAGE_COLUMNS.values() for c, m in cols.items()}
R_LABEL["codebleu"] = "CodeBLEU"


def package_file(
    ref, table: str, model: str, method: str, task: str, lang: str, pmd_swap: bool = True
) -> str | None:
    """The package's per-instance CSV for one planned table (None: not shipped).

    pmd_swap: the shipped C#->Java PMD statistics (RQ1 and RQ2 RAW/CLEAN, all three sizes) were
    computed on the code-generation Java PMD tables, although the scripts name
    pmd/translation/cs_java (rq1_ct_cs_java…R:27-32): every printed number matches the
    generation files and none the translation files (test_cs_java_pmd_outputs_used_generation_files).
    """
    if pmd_swap and table == "pmd" and task == "translation":
        task, lang = "generation", "java"
    q = {"0.5B": "0_5", "1.5B": "1_5", "3B": "3"}[PRESET_SIZE[model]]
    b = {"0.5B": "0[._]5b", "1.5B": "1[._]5b", "3B": "3b"}[PRESET_SIZE[model]]
    pair = {"mt_qlora_cg_cs": "cg_cs", "mt_qlora_cg_ct": "cg_ct", "mt_qlora_cs_ct": "cs_ct"}
    base = "mt_qlora" if method in pair else method
    if method == "mt_qlora_cs_ct" and table == "pmd":
        extra = "cg_cs"  # rq3_ct_cs_java…R:29 reads the CS+CT PMD file under a cg_cs name
    else:
        extra = pair.get(method)
    us = (f"{extra}_" if extra else "") + base.replace("_", "[-_]")  # cs_qwen3_cg_cs_mt_qlora
    dashed = (f"_{extra}" if extra else "") + "-" + base.replace("_", "-")  # 3b_cg_ct-mt-qlora
    short = {"python": "py", "java": "java"}.get(lang)
    direction = {"java-cs": "java_cs", "cs-java": "cs_java"}.get(lang)
    pattern = {
        (
            "surface",
            "summarization",
        ): f"bleu_meteor_rouge_chrf_bertscore_side/summarization/{short}/cs_qwen{q}_{us}.csv",
        ("judge", "summarization"): f"llm_judge/{short}/qwen{q}_{us}.csv",
        ("execution", "generation"): f"pass1/{short}/r-pass1_cg_qwen{q}_{us}.csv",
        ("codebleu", "translation"): f"codebleu/translation/{direction}/ct_qwen{q}_{us}.csv",
        ("lizard", "generation"): f"lizard/generation/{lang}/r-lizard_cg_{b}{dashed}.csv",
        ("lizard", "translation"): f"lizard/translation/{direction}/r-lizard_ct_{b}{dashed}.csv",
        ("pylint", "generation"): f"pylint/generation/r-pylint_cg_{b}{dashed}.csv",
        ("pmd", "generation"): f"pmd/generation/r-pmd_cg_{b}{dashed}.csv",
        ("pmd", "translation"): f"pmd/translation/{direction}/r-pmd_ct_{b}{dashed}.csv",
        ("roslyn", "translation"): f"roslyn/{direction}/r-roslyn_ct_{b}{dashed}.csv",
        ("sonar", "generation"): f"sonarcloud/generation/{short}/r-sonarcloud_cg_qwen{q}_{us}.csv",
        (
            "sonar",
            "translation",
        ): f"sonarcloud/translation/{direction}/r-sonarcloud_ct_qwen{q}_{us}.csv",
    }[(table, task)]
    found = glob.glob(str(ref / "paper_per_instance" / pattern))
    assert len(found) <= 1, (pattern, found)
    return found[0] if found else None


def preset_config(repo, overrides=None):
    from codepeft import config as study_config

    cfg = study_config.load(repo / "config" / "paper.yaml")
    for name, tasks in RQ3_METHODS.items():
        cfg["methods"].setdefault(
            name,
            {"finetune": "qlora", "scope": "multi", "tasks": tasks, "models": ["qwen2.5-coder-3b"]},
        )
    if overrides is not None:
        cfg["stats"]["overrides"] = overrides
    return cfg


def run_preset(ref, cfg, pmd_swap: bool = True):
    """Plan the preset's stats and run every block whose two package files exist.
    Returns (rows, missing blocks)."""
    from codepeft.stats import TABLE_PATTERN

    keys = re.compile(
        TABLE_PATTERN.replace("{", "(?P<").replace("}", ">[^/]+)").replace(".tsv", r"\.tsv")
    )
    located: dict[str, str | None] = {}

    def locate(path: str) -> str | None:
        if path not in located:
            m = keys.fullmatch(path).groupdict()
            located[path] = package_file(
                ref, m["family"], m["model"], m["method"], m["task"], m["lang"], pmd_swap
            )
        return located[path]

    def load(path: str) -> st.Table:
        table = st.read_table(locate(path))
        family = keys.fullmatch(path).group("family")
        rename = {table.id_column: "id", **PACKAGE_COLUMNS[family]}
        columns = {rename.get(k, k): v for k, v in table.columns.items()}
        return st.Table(path, "id", table.ids, columns)

    blocks = st.planned_tests(cfg)
    ok = [b for b in blocks if locate(b["a_table"]) and locate(b["b_table"])]
    missing = [b for b in blocks if b not in ok]
    results = st.run_blocks(ok, cfg["stats"], load=load)
    return [r for rows in results.values() for r in rows], missing


def half_ulp(text: str) -> float:
    """Half a unit in the last printed place of `text` (fixed or scientific notation)."""
    mant, _, exp = text.lower().partition("e")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 0.5 * 10 ** (int(exp or 0) - decimals)


def printed_diff(value: float, text: str, significant: bool = False) -> float:
    """|value - printed| in units of the print's precision (<= 1 + rounding slack: equal).
    significant=True: R's single-value print (7 significant digits, trailing zeros dropped)."""
    if text == "NA":
        return 0.0 if math.isnan(value) else math.inf
    x = float(text)
    tol = half_ulp(text)
    if significant and x != 0:
        tol = min(tol, 0.5 * 10 ** (math.floor(math.log10(abs(x))) - 6))
    return abs(value - x) / (tol * (1 + 1e-9) + 1e-15)


def two_task_label(line: str) -> str | None:
    found = re.search(r"\((CG\+CS|CG\+CT|CS\+CT)\)", line)
    return found.group(1) if found else None


def parse_raw_sections(text: str) -> dict[tuple, dict]:
    """RAW Wilcoxon output -> {(size, two-task label or None): {labels, cliff, p_adj}}."""
    sections: dict[tuple, dict] = {}
    order: list[tuple] = []
    current = None
    lines = text.splitlines()
    for k, line in enumerate(lines):
        head = re.match(r'\[1\] "\*+ QWEN (\S+): ', line)
        if head:
            current = (head.group(1), two_task_label(line))
            sections[current] = {"labels": [], "cliff": [], "p_adj": None}
            order.append(current)
            continue
        label = re.match(r'\[1\] "(\S+) - .+ \(\S+\)"$', line)
        if label and current and "Results" not in line:
            block = "\n".join(lines[k : k + 8])
            m = re.search(
                r"delta estimate: (\S+) \((\w+)\)\s*\n95 percent confidence interval:\s*\n"
                r"\s*lower\s+upper\s*\n\s*(\S+)\s+(\S+)",
                block,
            )
            sections[current]["labels"].append(label.group(1))
            sections[current]["cliff"].append(m.groups())
    adjusted = re.findall(
        r'Results \((?:\w+ )?Adjusted P-values\):"\s*\n\s*Wilcoxon.p\s*\n((?:\s*\d+\s+\S+\s*\n?)+)',
        text,
    )
    assert len(adjusted) == len(order), (len(adjusted), order)
    for key, block in zip(order, adjusted, strict=True):
        sections[key]["p_adj"] = re.findall(r"^\s*\d+\s+(\S+)", block, re.M)
        assert len(sections[key]["p_adj"]) == len(sections[key]["labels"]), key
    return sections


def parse_clean_sections(text: str) -> dict[tuple, list[tuple[str, str, str]]]:
    """CLEAN Wilcoxon summary -> {(size, two-task label or None): [(p, d, significant)]}."""
    out: dict[tuple, list] = {}
    current = None
    for line in text.splitlines():
        head = re.match(r"QWEN (\S+): ", line)
        if head:
            current = (head.group(1), two_task_label(line))
            out[current] = []
            continue
        m = re.match(r"(\S+)\s+(\S+)\s+(-?\d+\.\d{4})\s+(Yes|No|NA)\s*$", line)
        if m and current:
            out[current].append(m.group(2, 3, 4))
    return out


RQ_FILE = {"rq1": "st_vs_mt", "rq2": "mt_qlora_vs_fft", "rq3": "3task_vs_2task"}
TWO_TASK = {"mt_qlora_cg_cs": "CG+CS", "mt_qlora_cg_ct": "CG+CT", "mt_qlora_cs_ct": "CS+CT"}


def wilcoxon_file(row: dict, rq1_adjust: str) -> str:
    task = {"summarization": "cs", "generation": "cg", "translation": "ct"}[row["task"]]
    lang = {"java-cs": "java_cs", "cs-java": "cs_java"}.get(row["lang"], row["lang"])
    judge = "_llm_judge" if row["group"] == "judge" else ""
    suffix = ""
    if row["question"] == "rq1" and task == "cg":
        suffix = "_" + {"bh": "BH", "holm": "holm"}[rq1_adjust]
    return f"{row['question']}_{task}_{lang}{judge}_{RQ_FILE[row['question']]}_wilcoxon{suffix}"


def check_preset_wilcoxon(ref, rows, missing, rq1_adjust):
    """Compare every continuous row with the RAW and CLEAN outputs; returns the tally."""
    incomplete = {(b["comparison"], b["model"], b["task"], b["lang"], b["group"]) for b in missing}
    raw_cache, clean_cache = {}, {}
    tally = {
        "rows": 0,
        "p_adj_rows": 0,
        "files": set(),
        "max_abs": {"cliff": 0.0, "p_adj": 0.0, "clean": 0.0},
    }
    for row in rows:
        if row["test"] != "wilcoxon":
            continue
        name = wilcoxon_file(row, rq1_adjust)
        if name not in raw_cache:
            raw_cache[name] = parse_raw_sections(
                (ref / "paper_stats" / f"{name}_RAW.txt").read_text()
            )
            clean_cache[name] = parse_clean_sections(
                (ref / "paper_stats" / f"{name}_CLEAN.txt").read_text()
            )
        section_key = (PRESET_SIZE[row["model"]], TWO_TASK.get(row["b"].split("/")[1]))
        section = raw_cache[name][section_key]
        k = section["labels"].index(R_LABEL[row["measure"]])
        d, mag, lo, hi = section["cliff"][k]
        where = (name, section_key, row["measure"])
        for value, text in ((row["effect"], d), (row["ci_low"], lo), (row["ci_high"], hi)):
            assert printed_diff(value, text, significant=True) <= 1, (where, value, text)
            tally["max_abs"]["cliff"] = max(tally["max_abs"]["cliff"], abs(value - float(text)))
        assert row["magnitude"] == mag, where
        p_clean, d_clean, sig = clean_cache[name][section_key][k]
        assert printed_diff(row["effect"], d_clean) <= 1, (where, row["effect"], d_clean)
        tally["max_abs"]["clean"] = max(
            tally["max_abs"]["clean"], abs(row["effect"] - float(d_clean))
        )
        family = (row["comparison"], row["model"], row["task"], row["lang"], row["group"])
        if family not in incomplete:  # an adjusted p needs its whole family
            p_text = section["p_adj"][k]
            assert printed_diff(row["p_adj"], p_text, significant=False) <= 1, (
                where,
                row["p_adj"],
                p_text,
            )
            assert printed_diff(row["p_adj"], p_clean) <= 1, (where, row["p_adj"], p_clean)
            assert row["significant"] == {"Yes": "yes", "No": "no", "NA": ""}[sig], where
            assert row["family_size"] == sum(t != "NA" for t in section["p_adj"]), where
            if p_text != "NA":
                tally["max_abs"]["p_adj"] = max(
                    tally["max_abs"]["p_adj"], abs(row["p_adj"] - float(p_text))
                )
            tally["p_adj_rows"] += 1
        tally["rows"] += 1
        tally["files"].add(name)
    return tally


@pytest.fixture(scope="module")
def preset_run(ref, repo):
    cfg = preset_config(repo)
    rows, missing = run_preset(ref, cfg)
    return cfg, rows, missing


def test_preset_plan_has_the_package_families(preset_run):
    cfg, rows, missing = preset_run
    sizes: dict[tuple, set] = {}
    for r in rows + [dict(b, measure=m, test="wilcoxon") for b in missing for m in b["continuous"]]:
        if r["test"] == "wilcoxon":
            sizes.setdefault((r["question"], r["task"], r["lang"], r["group"]), set()).add(
                r["measure"]
            )
    count = {k: len(v) for k, v in sizes.items()}
    for q in ("rq1", "rq2"):
        assert count[(q, "summarization", "java", "metrics")] == 6  # SIDE in Java's family
        assert count[(q, "summarization", "python", "metrics")] == 5
        assert count[(q, "summarization", "java", "judge")] == 3
        assert count[(q, "generation", "java", "metrics")] == 15
        assert count[(q, "generation", "python", "metrics")] == 13
        assert count[(q, "translation", "cs-java", "metrics")] == 16
        assert count[(q, "translation", "java-cs", "metrics")] == 7
    # RQ3: each comparison only on the tasks both models have, no judge
    rq3 = {(b["comparison"], b["task"]) for b in missing} | {
        (r["comparison"], r["task"]) for r in rows if r["question"] == "rq3"
    }
    assert rq3 == {
        ("rq3_3task_vs_cg_cs", "generation"),
        ("rq3_3task_vs_cg_cs", "summarization"),
        ("rq3_3task_vs_cg_ct", "generation"),
        ("rq3_3task_vs_cg_ct", "translation"),
        ("rq3_3task_vs_cs_ct", "summarization"),
        ("rq3_3task_vs_cs_ct", "translation"),
    }
    assert not any(b["group"] == "judge" and b["question"] == "rq3" for b in missing)
    # adjustments and pairing as the package: BH only for RQ1 code generation
    for r in rows:
        rq1_cg = r["question"] == "rq1" and r["task"] == "generation"
        assert r["adjust"] == ("bh" if rq1_cg else "holm"), r
        rq1_pass1 = r["question"] == "rq1" and r["test"] == "mcnemar"
        assert r["pair_by"] == ("id" if rq1_pass1 else "position"), r


def test_preset_reproduces_every_wilcoxon_output(ref, preset_run):
    _, rows, missing = preset_run
    tally = check_preset_wilcoxon(ref, rows, missing, rq1_adjust="bh")
    shipped = {
        p.name[: -len("_RAW.txt")]
        for p in (ref / "paper_stats").glob("*wilcoxon*RAW.txt")
        if "_holm_RAW" not in p.name or "_cg_" not in p.name
    }
    # every RQ1/RQ2 Wilcoxon output is fully reproduced; RQ3 where its inputs are shipped
    assert {f for f in shipped if not f.startswith("rq3")} <= tally["files"]
    # RQ1 and RQ2: 2 x 3 sizes x (6+5 summarization, 3+3 judge, 15+13 generation, 16+7
    # translation) = 408 rows, every number checked; RQ3: the 24 rows whose two inputs are
    # shipped (CodeBLEU both directions and Sonar C#->Java vs CG+CT and CS+CT, Sonar Python
    # generation vs CG+CS and CG+CT), Cliff's delta only (their families are incomplete)
    assert tally["p_adj_rows"] == 408 and tally["rows"] == 408 + 24, tally
    print(
        "preset Wilcoxon:",
        tally["rows"],
        "rows,",
        tally["p_adj_rows"],
        "with p_adj;",
        tally["max_abs"],
    )


def test_preset_without_bh_reproduces_the_holm_outputs(ref, repo):
    """The `_holm_` RQ1 code-generation outputs: the same preset without its BH override."""
    cfg = preset_config(
        repo, overrides=[o for o in preset_config(repo)["stats"]["overrides"] if "adjust" not in o]
    )
    rows, missing = run_preset(ref, cfg)
    rows = [r for r in rows if r["question"] == "rq1" and r["task"] == "generation"]
    tally = check_preset_wilcoxon(ref, rows, missing, rq1_adjust="holm")
    assert tally["files"] == {
        "rq1_cg_java_st_vs_mt_wilcoxon_holm",
        "rq1_cg_python_st_vs_mt_wilcoxon_holm",
    }
    assert tally["rows"] == tally["p_adj_rows"] == 3 * (15 + 13)


def test_preset_reproduces_pass1_mcnemar(ref, preset_run):
    _, rows, _ = preset_run
    for question, fname in (
        ("rq1", "rq1_pass1_mcnemar_BH_RAW.txt"),
        ("rq2", "rq2_pass1_mcnemar_RAW.txt"),
    ):
        expected = parse_mcnemar((ref / "paper_stats" / fname).read_text())
        keys = [(lang, size) for lang in ("python", "java") for size in SIZES]
        got = {
            (r["lang"], PRESET_SIZE[r["model"]]): r
            for r in rows
            if r["question"] == question and r["test"] == "mcnemar"
        }
        assert set(got) == set(keys)
        for key, exp in zip(keys, expected, strict=True):
            row = got[key]
            assert (row["both"], row["a_only"], row["b_only"], row["neither"]) == exp["counts"], key
            assert printed_diff(row["p"], f"{exp['p']:.6f}") <= 1
            assert printed_diff(row["p_adj"], f"{exp['p_adj']:.6f}") <= 1
            assert printed_diff(row["effect"], f"{exp['odds']:.4f}") <= 1
            assert row["family_size"] == 6


def test_rq3_pass1_from_the_printed_counts(ref, preset_run):
    """RQ3's two-task pass@1 files are not in the package: its McNemar tests, odds ratios and
    Holm over the 4 comparisons are recomputed from the printed tables, and the 3-task side's
    pass counts checked against the shipped 3B MT-QLoRA file."""
    _, _, missing = preset_run
    expected = parse_mcnemar((ref / "paper_stats" / "rq3_pass1_mcnemar_RAW.txt").read_text())
    assert len(expected) == 4
    tests = [st.mcnemar_from_counts(*e["counts"]) for e in expected]
    adj = st.p_adjust([t.p for t in tests], "holm")
    for t, a, e in zip(tests, adj, expected, strict=True):
        assert printed_diff(t.p, f"{e['p']:.6f}") <= 1 and printed_diff(a, f"{e['p_adj']:.6f}") <= 1
        assert printed_diff(t.odds_ratio, f"{e['odds']:.4f}") <= 1
    # the preset plans exactly these 4 tests (inputs not shipped: not run), and its families
    # and adjustment put them in one Holm family: the printed adjusted p-values follow
    cfg, _, _ = preset_run
    pass1 = {
        (b["lang"], b["comparison"]): b
        for b in missing
        if b["question"] == "rq3" and b["family"] == "execution"
    }
    order = [
        ("python", "rq3_3task_vs_cg_cs"),
        ("python", "rq3_3task_vs_cg_ct"),
        ("java", "rq3_3task_vs_cg_cs"),
        ("java", "rq3_3task_vs_cg_ct"),
    ]
    assert sorted(pass1) == sorted(order)
    rows = [
        dict(pass1[k], measure="pass@1", test="mcnemar", p=t.p)
        for k, t in zip(order, tests, strict=True)
    ]
    st.adjust_families(rows, cfg["stats"])
    for row, e in zip(rows, expected, strict=True):
        assert row["family_size"] == 4 and row["adjust"] == "holm"
        assert printed_diff(row["p_adj"], f"{e['p_adj']:.6f}") <= 1
    three_task = {
        lang: int(
            sum(
                st.read_table(one(ref, f"pass1/{folder}/r-pass1_cg_qwen3_mt_qlora.csv")).values(
                    "pass@1"
                )
            )
        )
        for lang, folder in (("python", "py"), ("java", "java"))
    }
    assert [e["counts"][0] + e["counts"][1] for e in expected] == [three_task["python"]] * 2 + [
        three_task["java"]
    ] * 2


def test_cs_java_pmd_outputs_used_generation_files(ref, repo):
    """A finding, not a preset option: the shipped C#->Java PMD statistics are those of the
    code-generation Java PMD tables. With the translation tables none of the 36 PMD rows
    (RQ1 + RQ2, 3 sizes x 6 categories) matches; the rest of their families does."""
    cfg = preset_config(repo)
    cfg["stats"]["comparisons"] = cfg["stats"]["comparisons"][:2]
    cfg["stats"]["comparisons"] = [
        dict(c, tasks=["translation"], langs=["cs-java"]) for c in cfg["stats"]["comparisons"]
    ]
    rows, _ = run_preset(ref, cfg, pmd_swap=False)
    assert len(rows) == 2 * 3 * 16
    mismatched = set()
    for row in rows:
        name = wilcoxon_file(row, "bh")
        section = parse_raw_sections((ref / "paper_stats" / f"{name}_RAW.txt").read_text())[
            (PRESET_SIZE[row["model"]], None)
        ]
        k = section["labels"].index(R_LABEL[row["measure"]])
        if printed_diff(row["effect"], section["cliff"][k][0], significant=True) > 1:
            mismatched.add((row["question"], row["model"], row["measure"]))
    assert len(mismatched) == 36 and {m for _, _, m in mismatched} == set(
        PACKAGE_COLUMNS["pmd"].values()
    )
