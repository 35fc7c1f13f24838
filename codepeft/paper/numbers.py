"""The paper's reported numbers, as data for the report's "paper" column
(codepeft.report.tables), and where each of our measures appears in them (`PAPER_METRICS`).

Sources (read-only, outside the repo): ``shared/PAPER.md`` (pass@1 counts) and
``shared/reference/paper_stats`` (the R output of the paper's replication package). The
numbers are data files under ``codepeft/paper/data/`` (one TSV per table; its README.md says
where each comes from); the McNemar and Wilcoxon tables were extracted from the R output with
`build_mcnemar_table` / `build_wilcoxon_table`, and ``tests/unit/test_stats_paper.py`` re-extracts
them from the shared files and checks they are equal, so every number is traceable to the
paper's own output.

Paper sizes map to the hub ids ``Qwen/Qwen2.5-Coder-{0.5B,1.5B,3B}-Instruct``; paper methods
``ST-QLoRA``, ``MT-QLoRA``, ``MT-FFT`` to the method keys ``st_qlora``, ``mt_qlora``, ``mt_fft``.
"""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from pathlib import Path

SIZES = ("0.5B", "1.5B", "3B")
HUB_IDS = {s: f"Qwen/Qwen2.5-Coder-{s}-Instruct" for s in SIZES}
METHODS = {"ST-QLoRA": "st_qlora", "MT-QLoRA": "mt_qlora", "MT-FFT": "mt_fft"}

# the numbers themselves are data files, one per table (their README says where each comes from)
DATA_DIR = resources.files("codepeft.paper").joinpath("data")


def _data(name: str) -> str:
    """The text of one data file of codepeft/paper/data/ (package data)."""
    return DATA_DIR.joinpath(name).read_text(encoding="utf-8")


def _tsv(name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_data(name)), delimiter="\t"))


# pass@1 (CoderEval, greedy n=1): number of passing tasks; Python of 190, Java of 184 (PAPER.md)
PASS1_TOTALS = {r["lang"]: int(r["n_tasks"]) for r in _tsv("pass1_totals.tsv")}
PASS1_COUNTS = {  # (size, method): {lang: passes}
    (r["size"], r["method"]): {lang: int(r[lang]) for lang in PASS1_TOTALS}
    for r in _tsv("pass1_counts.tsv")
}
# extracted by build_mcnemar_table / build_wilcoxon_table(shared/reference/paper_stats);
# checked by tests/unit/test_stats_paper.py
MCNEMAR_TSV = _data("mcnemar.tsv")
WILCOXON_TSV = _data("wilcoxon.tsv")


def pass1(size: str, method: str, lang: str) -> float:
    """The paper's pass@1 (fraction) for a size, method key and language (python/java)."""
    return PASS1_COUNTS[(size, method)][lang] / PASS1_TOTALS[lang]


# (family, our column) -> the paper's metric name in its Wilcoxon tables (`wilcoxon_rows`)
PAPER_METRICS = {
    ("surface", "bleu_sacre"): "BLEU",
    ("surface", "meteor"): "METEOR",
    ("surface", "rougeL"): "Rouge-L",
    ("surface", "chrf"): "chrF",
    ("surface", "bertscore_f1"): "BERTScore",
    ("surface", "side"): "SIDE",
    ("codebleu", "codebleu"): "CodeBLEU",
    ("judge", "content_adequacy_mean"): "CA",
    ("judge", "conciseness_mean"): "Conciseness",
    ("judge", "fluency_mean"): "Fluency",
    ("lizard", "detected"): "Lizard_DR",
    ("lizard", "ccn_sum"): "Lizard_CyC",
    ("lizard", "nloc"): "Lizard_LoC",
    ("lizard", "tokens"): "Lizard_ToK",
    ("pmd", "bestpractices"): "PMD_BestPrac",
    ("pmd", "codestyle"): "PMD_CS",
    ("pmd", "design"): "PMD_Design",
    ("pmd", "errorprone"): "PMD_EP",
    ("pmd", "multithreading"): "PMD_MT",
    ("pmd", "performance"): "PMD_Perf",
    ("pylint", "convention"): "Pylint_Conv",
    ("pylint", "error"): "Pylint_Err",
    ("pylint", "refactor"): "Pylint_Ref",
    ("pylint", "warning"): "Pylint_War",
    ("sonar", "cyclomatic"): "Sonar_CyC",
    ("sonar", "cognitive"): "Sonar_CoC",
    ("sonar", "reliability"): "Sonar_Rel",
    ("sonar", "maintainability"): "Sonar_Main",
    ("sonar", "security_hotspots"): "Sonar_SecHot",
    ("roslyn", "syntax_errors"): "Roslyn_SynErr",
    ("roslyn", "maintainability"): "Roslyn_Main",
}
# how the report names these numbers (its "paper: ..." columns)
PAPER_LABEL = "paper (Haque et al. 2026, reported)"

# comparison keys of the paper -> the `stats.comparisons` names of the presets
COMPARISONS = {"st_vs_mt": "rq1_st_vs_mt", "mt_qlora_vs_fft": "rq2_mt_qlora_vs_fft"}
_LANGS = {"python": "python", "java": "java", "java_cs": "java-cs", "cs_java": "cs-java"}
_TASKS = {"cg": "generation", "cs": "summarization", "ct": "translation"}
WILCOXON_COLUMNS = (
    "comparison",
    "task",
    "lang",
    "source",
    "size",
    "metric",
    "p_adj",
    "cliffs_delta",
    "adjust",
)
MCNEMAR_COLUMNS = (
    "comparison",
    "lang",
    "size",
    "both",
    "a_only",
    "b_only",
    "neither",
    "p",
    "p_adj",
    "odds_ratio",
    "adjust",
)

_FILE_RE = re.compile(
    r"^rq\d_(cg|cs|ct)_(python|java|java_cs|cs_java)(_llm_judge)?_(st_vs_mt|mt_qlora_vs_fft)"
    r"_wilcoxon(?:_(holm|BH))?_CLEAN\.txt$"
)


def _adjust_of(text: str) -> str:
    note = next(
        (line for line in text.splitlines() if line.lower().startswith("note: p-values")), ""
    )
    return "holm" if "Holm" in note else "bh" if ("BH" in note or "Benjamini" in note) else ""


def parse_wilcoxon_clean(text: str) -> list[dict]:
    """Rows (size, metric, p_adj, cliffs_delta) of one *_wilcoxon*_CLEAN.txt summary."""
    rows, size = [], None
    for line in text.splitlines():
        m = re.match(r"QWEN (\S+):", line)
        if m:
            size = m.group(1)
            continue
        m = re.match(r"(\S+)\s+(\S+)\s+(-?\d+\.\d{4})\s+(Yes|No|NA)\s*$", line)
        if m and size:
            rows.append(
                dict(
                    size=size,
                    metric=m.group(1),
                    p_adj=None if m.group(2) == "NA" else float(m.group(2)),
                    cliffs_delta=float(m.group(3)),
                )
            )
    return rows


def build_wilcoxon_table(paper_stats: str | Path) -> str:
    """TSV of every RQ1/RQ2 Wilcoxon summary (the Holm file where Holm and BH both exist)."""
    out = io.StringIO()
    w = csv.writer(out, delimiter="\t", lineterminator="\n")
    w.writerow(WILCOXON_COLUMNS)
    for path in sorted(Path(paper_stats).glob("rq*_CLEAN.txt")):
        m = _FILE_RE.match(path.name)
        if not m or m.group(5) == "BH":
            continue
        text = path.read_text()
        source = "llm_judge" if m.group(3) else "metrics"
        for row in parse_wilcoxon_clean(text):
            w.writerow(
                [
                    COMPARISONS[m.group(4)],
                    _TASKS[m.group(1)],
                    _LANGS[m.group(2)],
                    source,
                    row["size"],
                    row["metric"],
                    "" if row["p_adj"] is None else f"{row['p_adj']:.4f}",
                    f"{row['cliffs_delta']:.4f}",
                    _adjust_of(text),
                ]
            )
    return out.getvalue()


_MCNEMAR_RE = re.compile(
    r"(?:(Python|Java) (\S+) ST-QLoRA vs MT-QLoRA\s*\n\s*Contingency: |Qwen (\S+): )"
    r"both_pass= (\d+) , \w+= (\d+) , \w+= (\d+) , both_fail= (\d+)\s*"
    r"(?:\n\s*Original P-value: |, p= )(\S+) , (?:Adjusted P-value: |adj_p= )(\S+) , (?:Odds Ratio: |OR= )(\S+)"
)


def build_mcnemar_table(paper_stats: str | Path) -> str:
    """TSV of the RQ1 (Holm) and RQ2 pass@1 McNemar tables."""
    out = io.StringIO()
    w = csv.writer(out, delimiter="\t", lineterminator="\n")
    w.writerow(MCNEMAR_COLUMNS)
    for name, comparison in (
        ("rq1_pass1_mcnemar_holm_RAW.txt", "rq1_st_vs_mt"),
        ("rq2_pass1_mcnemar_RAW.txt", "rq2_mt_qlora_vs_fft"),
    ):
        text = (Path(paper_stats) / name).read_text()
        section_lang = None
        pos = 0
        for m in _MCNEMAR_RE.finditer(text):
            head = text[pos : m.start()]
            for hm in re.finditer(r"\((a|b)\) (Python|Java)", head):
                section_lang = hm.group(2)
            pos = m.end()
            lang = (m.group(1) or section_lang).lower()
            size = m.group(2) or m.group(3)
            w.writerow([comparison, lang, size, *m.group(4, 5, 6, 7, 8, 9, 10), "holm"])
    return out.getvalue()


def _table(text: str) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    for row in rows:
        for key, value in row.items():
            if key in ("p", "p_adj", "cliffs_delta", "odds_ratio"):
                row[key] = float(value) if value != "" else None
            elif key in ("both", "a_only", "b_only", "neither"):
                row[key] = int(value)
    return rows


def wilcoxon_rows() -> list[dict]:
    """The paper's Wilcoxon summary rows (adjusted p to 4 decimals, Cliff's delta)."""
    return _table(WILCOXON_TSV)


def mcnemar_rows() -> list[dict]:
    """The paper's pass@1 McNemar rows (counts, p, adjusted p, odds ratio)."""
    return _table(MCNEMAR_TSV)
