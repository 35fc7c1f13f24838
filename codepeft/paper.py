"""The paper's reported numbers, as data for the report's "paper" column.

Sources (read-only, outside the repo): ``shared/PAPER.md`` (pass@1 counts) and
``shared/reference/paper_stats`` (the R output of the paper's replication package). The
embedded tables below were extracted from those files with `build_wilcoxon_table` /
`build_mcnemar_table`; ``tests/unit/test_stats_paper.py`` re-extracts them from the shared files and
checks they are equal, so every number here is traceable to the paper's own output.

Paper sizes map to the hub ids ``Qwen/Qwen2.5-Coder-{0.5B,1.5B,3B}-Instruct``; paper methods
``ST-QLoRA``, ``MT-QLoRA``, ``MT-FFT`` to the method keys ``st_qlora``, ``mt_qlora``, ``mt_fft``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

SIZES = ("0.5B", "1.5B", "3B")
HUB_IDS = {s: f"Qwen/Qwen2.5-Coder-{s}-Instruct" for s in SIZES}
METHODS = {"ST-QLoRA": "st_qlora", "MT-QLoRA": "mt_qlora", "MT-FFT": "mt_fft"}

# pass@1 (CoderEval, greedy n=1): number of passing tasks; Python of 190, Java of 184 (PAPER.md)
PASS1_TOTALS = {"python": 190, "java": 184}
PASS1_COUNTS = {
    # (size, method): {lang: passes}
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


def pass1(size: str, method: str, lang: str) -> float:
    """The paper's pass@1 (fraction) for a size, method key and language (python/java)."""
    return PASS1_COUNTS[(size, method)][lang] / PASS1_TOTALS[lang]


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


# Extracted by build_mcnemar_table(shared/reference/paper_stats); checked by tests/unit/test_stats_paper.py
MCNEMAR_TSV = """comparison	lang	size	both	a_only	b_only	neither	p	p_adj	odds_ratio	adjust
rq1_st_vs_mt	python	0.5B	22	8	8	149	1.000000	1.000000	1.0000	holm
rq1_st_vs_mt	python	1.5B	27	5	9	149	0.422678	1.000000	0.5789	holm
rq1_st_vs_mt	python	3B	34	5	6	144	1.000000	1.000000	0.8462	holm
rq1_st_vs_mt	java	0.5B	23	17	14	130	0.719438	1.000000	1.2069	holm
rq1_st_vs_mt	java	1.5B	25	22	10	127	0.051830	0.310980	2.1429	holm
rq1_st_vs_mt	java	3B	46	9	13	116	0.522431	1.000000	0.7037	holm
rq2_mt_qlora_vs_fft	python	0.5B	5	25	23	135	0.885234	1.000000	1.0851	holm
rq2_mt_qlora_vs_fft	python	1.5B	10	26	20	133	0.460995	1.000000	1.2927	holm
rq2_mt_qlora_vs_fft	python	3B	32	8	1	148	0.045500	0.273002	5.6667	holm
rq2_mt_qlora_vs_fft	java	0.5B	25	12	10	137	0.831170	1.000000	1.1905	holm
rq2_mt_qlora_vs_fft	java	1.5B	20	15	17	132	0.859684	1.000000	0.8857	holm
rq2_mt_qlora_vs_fft	java	3B	41	18	8	117	0.077556	0.387781	2.1765	holm
"""

# Extracted by build_wilcoxon_table(shared/reference/paper_stats); checked by tests/unit/test_stats_paper.py
WILCOXON_TSV = """comparison	task	lang	source	size	metric	p_adj	cliffs_delta	adjust
rq1_st_vs_mt	generation	java	metrics	0.5B	Lizard_LoC	0.2144	-0.0963	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	Lizard_ToK	1.0000	-0.0026	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	Lizard_DR	1.0000	0.0000	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	Lizard_CyC	1.0000	-0.0264	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	PMD_BestPrac	1.0000	-0.0087	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	PMD_CS	1.0000	0.0573	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	PMD_Design	1.0000	-0.0194	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	PMD_EP	1.0000	-0.0059	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	PMD_MT	1.0000	0.0001	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	PMD_Perf	1.0000	0.0122	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	Sonar_Sec		0.0000	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	Sonar_Rel	1.0000	-0.0054	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	Sonar_Main	1.0000	-0.0049	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	Sonar_CyC	1.0000	0.0001	holm
rq1_st_vs_mt	generation	java	metrics	0.5B	Sonar_CoC	1.0000	-0.0151	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	Lizard_LoC	0.7918	0.0967	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	Lizard_ToK	0.7918	0.1005	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	Lizard_DR	1.0000	0.0054	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	Lizard_CyC	0.7918	0.1180	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	PMD_BestPrac	1.0000	0.0274	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	PMD_CS	1.0000	0.0544	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	PMD_Design	1.0000	-0.0165	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	PMD_EP	1.0000	0.0222	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	PMD_MT	1.0000	-0.0054	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	PMD_Perf	1.0000	0.0051	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	Sonar_Sec		0.0000	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	Sonar_Rel	1.0000	-0.0000	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	Sonar_Main	1.0000	0.0209	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	Sonar_CyC	1.0000	0.1008	holm
rq1_st_vs_mt	generation	java	metrics	1.5B	Sonar_CoC	1.0000	0.1111	holm
rq1_st_vs_mt	generation	java	metrics	3B	Lizard_LoC	1.0000	-0.0156	holm
rq1_st_vs_mt	generation	java	metrics	3B	Lizard_ToK	1.0000	0.0194	holm
rq1_st_vs_mt	generation	java	metrics	3B	Lizard_DR	1.0000	0.0054	holm
rq1_st_vs_mt	generation	java	metrics	3B	Lizard_CyC	1.0000	0.0489	holm
rq1_st_vs_mt	generation	java	metrics	3B	PMD_BestPrac	1.0000	-0.0089	holm
rq1_st_vs_mt	generation	java	metrics	3B	PMD_CS	1.0000	-0.0041	holm
rq1_st_vs_mt	generation	java	metrics	3B	PMD_Design	1.0000	0.0061	holm
rq1_st_vs_mt	generation	java	metrics	3B	PMD_EP	1.0000	-0.0131	holm
rq1_st_vs_mt	generation	java	metrics	3B	PMD_MT	1.0000	-0.0054	holm
rq1_st_vs_mt	generation	java	metrics	3B	PMD_Perf	1.0000	0.0217	holm
rq1_st_vs_mt	generation	java	metrics	3B	Sonar_Sec		0.0000	holm
rq1_st_vs_mt	generation	java	metrics	3B	Sonar_Rel	1.0000	-0.0000	holm
rq1_st_vs_mt	generation	java	metrics	3B	Sonar_Main	1.0000	0.0344	holm
rq1_st_vs_mt	generation	java	metrics	3B	Sonar_CyC	1.0000	0.0499	holm
rq1_st_vs_mt	generation	java	metrics	3B	Sonar_CoC	1.0000	0.0304	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Lizard_LoC	1.0000	0.0029	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Lizard_ToK	1.0000	-0.0161	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Lizard_DR		0.0000	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Lizard_CyC	1.0000	-0.0090	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Pylint_Err	0.5355	-0.0473	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Pylint_War	1.0000	-0.0048	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Pylint_Conv	1.0000	-0.0003	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Pylint_Ref	1.0000	-0.0038	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Sonar_SecHot		0.0000	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Sonar_Rel	0.5005	-0.0209	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Sonar_Main	1.0000	-0.0392	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Sonar_CyC	1.0000	-0.0166	holm
rq1_st_vs_mt	generation	python	metrics	0.5B	Sonar_CoC	1.0000	-0.0044	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Lizard_LoC	1.0000	-0.0330	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Lizard_ToK	1.0000	-0.0058	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Lizard_DR		0.0000	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Lizard_CyC	1.0000	-0.0294	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Pylint_Err	1.0000	-0.0082	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Pylint_War	1.0000	-0.0453	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Pylint_Conv	1.0000	-0.0202	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Pylint_Ref	1.0000	-0.0151	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Sonar_SecHot		0.0000	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Sonar_Rel	1.0000	0.0000	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Sonar_Main	0.1561	-0.0744	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Sonar_CyC	1.0000	-0.0172	holm
rq1_st_vs_mt	generation	python	metrics	1.5B	Sonar_CoC	0.9356	-0.0509	holm
rq1_st_vs_mt	generation	python	metrics	3B	Lizard_LoC	1.0000	0.0308	holm
rq1_st_vs_mt	generation	python	metrics	3B	Lizard_ToK	1.0000	-0.0148	holm
rq1_st_vs_mt	generation	python	metrics	3B	Lizard_DR		0.0000	holm
rq1_st_vs_mt	generation	python	metrics	3B	Lizard_CyC	1.0000	-0.0071	holm
rq1_st_vs_mt	generation	python	metrics	3B	Pylint_Err	0.1594	-0.0614	holm
rq1_st_vs_mt	generation	python	metrics	3B	Pylint_War	1.0000	0.0428	holm
rq1_st_vs_mt	generation	python	metrics	3B	Pylint_Conv	1.0000	-0.0356	holm
rq1_st_vs_mt	generation	python	metrics	3B	Pylint_Ref	1.0000	-0.0196	holm
rq1_st_vs_mt	generation	python	metrics	3B	Sonar_SecHot		0.0000	holm
rq1_st_vs_mt	generation	python	metrics	3B	Sonar_Rel	0.2535	-0.0263	holm
rq1_st_vs_mt	generation	python	metrics	3B	Sonar_Main	1.0000	0.0281	holm
rq1_st_vs_mt	generation	python	metrics	3B	Sonar_CyC	1.0000	0.0118	holm
rq1_st_vs_mt	generation	python	metrics	3B	Sonar_CoC	1.0000	0.0275	holm
rq1_st_vs_mt	summarization	java	llm_judge	0.5B	CA	1.0000	0.0062	bh
rq1_st_vs_mt	summarization	java	llm_judge	0.5B	Conciseness	1.0000	0.0012	bh
rq1_st_vs_mt	summarization	java	llm_judge	0.5B	Fluency	1.0000	-0.0142	bh
rq1_st_vs_mt	summarization	java	llm_judge	1.5B	CA	0.2051	0.0921	bh
rq1_st_vs_mt	summarization	java	llm_judge	1.5B	Conciseness	0.9354	-0.0002	bh
rq1_st_vs_mt	summarization	java	llm_judge	1.5B	Fluency	0.8430	0.0406	bh
rq1_st_vs_mt	summarization	java	llm_judge	3B	CA	1.0000	0.0031	bh
rq1_st_vs_mt	summarization	java	llm_judge	3B	Conciseness	1.0000	0.0108	bh
rq1_st_vs_mt	summarization	java	llm_judge	3B	Fluency	1.0000	-0.0032	bh
rq1_st_vs_mt	summarization	java	metrics	0.5B	BLEU	1.0000	0.0106	holm
rq1_st_vs_mt	summarization	java	metrics	0.5B	METEOR	1.0000	-0.0098	holm
rq1_st_vs_mt	summarization	java	metrics	0.5B	Rouge-L	1.0000	-0.0613	holm
rq1_st_vs_mt	summarization	java	metrics	0.5B	chrF	1.0000	0.0264	holm
rq1_st_vs_mt	summarization	java	metrics	0.5B	BERTScore	1.0000	0.0020	holm
rq1_st_vs_mt	summarization	java	metrics	0.5B	SIDE	1.0000	0.0447	holm
rq1_st_vs_mt	summarization	java	metrics	1.5B	BLEU	0.3348	0.0247	holm
rq1_st_vs_mt	summarization	java	metrics	1.5B	METEOR	0.3348	0.0468	holm
rq1_st_vs_mt	summarization	java	metrics	1.5B	Rouge-L	0.3348	0.0712	holm
rq1_st_vs_mt	summarization	java	metrics	1.5B	chrF	0.3348	0.0490	holm
rq1_st_vs_mt	summarization	java	metrics	1.5B	BERTScore	0.3348	0.0535	holm
rq1_st_vs_mt	summarization	java	metrics	1.5B	SIDE	0.5093	-0.0061	holm
rq1_st_vs_mt	summarization	java	metrics	3B	BLEU	0.1602	0.0611	holm
rq1_st_vs_mt	summarization	java	metrics	3B	METEOR	0.5019	0.0370	holm
rq1_st_vs_mt	summarization	java	metrics	3B	Rouge-L	0.5019	0.0297	holm
rq1_st_vs_mt	summarization	java	metrics	3B	chrF	0.1993	0.0330	holm
rq1_st_vs_mt	summarization	java	metrics	3B	BERTScore	0.5019	0.0301	holm
rq1_st_vs_mt	summarization	java	metrics	3B	SIDE	0.5019	0.0348	holm
rq1_st_vs_mt	summarization	python	llm_judge	0.5B	CA	0.0993	0.0886	bh
rq1_st_vs_mt	summarization	python	llm_judge	0.5B	Conciseness	0.4547	0.0129	bh
rq1_st_vs_mt	summarization	python	llm_judge	0.5B	Fluency	0.2043	0.0704	bh
rq1_st_vs_mt	summarization	python	llm_judge	1.5B	CA	0.6659	0.0117	bh
rq1_st_vs_mt	summarization	python	llm_judge	1.5B	Conciseness	0.6058	-0.0466	bh
rq1_st_vs_mt	summarization	python	llm_judge	1.5B	Fluency	0.9419	0.0038	bh
rq1_st_vs_mt	summarization	python	llm_judge	3B	CA	0.3925	-0.0987	bh
rq1_st_vs_mt	summarization	python	llm_judge	3B	Conciseness	1.0000	0.0539	bh
rq1_st_vs_mt	summarization	python	llm_judge	3B	Fluency	1.0000	-0.0118	bh
rq1_st_vs_mt	summarization	python	metrics	0.5B	BLEU	0.0844	-0.0762	holm
rq1_st_vs_mt	summarization	python	metrics	0.5B	METEOR	0.0844	-0.0548	holm
rq1_st_vs_mt	summarization	python	metrics	0.5B	Rouge-L	0.0384	-0.1138	holm
rq1_st_vs_mt	summarization	python	metrics	0.5B	chrF	0.0644	-0.0989	holm
rq1_st_vs_mt	summarization	python	metrics	0.5B	BERTScore	0.0644	-0.1031	holm
rq1_st_vs_mt	summarization	python	metrics	1.5B	BLEU	0.0006	-0.0930	holm
rq1_st_vs_mt	summarization	python	metrics	1.5B	METEOR	0.0001	-0.1059	holm
rq1_st_vs_mt	summarization	python	metrics	1.5B	Rouge-L	0.0002	-0.1081	holm
rq1_st_vs_mt	summarization	python	metrics	1.5B	chrF	0.0002	-0.1045	holm
rq1_st_vs_mt	summarization	python	metrics	1.5B	BERTScore	0.0001	-0.1290	holm
rq1_st_vs_mt	summarization	python	metrics	3B	BLEU	0.0001	-0.1955	holm
rq1_st_vs_mt	summarization	python	metrics	3B	METEOR	0.0000	-0.1943	holm
rq1_st_vs_mt	summarization	python	metrics	3B	Rouge-L	0.0001	-0.1876	holm
rq1_st_vs_mt	summarization	python	metrics	3B	chrF	0.0001	-0.1925	holm
rq1_st_vs_mt	summarization	python	metrics	3B	BERTScore	0.0001	-0.1697	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	CodeBLEU	0.0000	0.1321	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	Lizard_LoC	1.0000	-0.0266	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	Lizard_ToK	1.0000	-0.0237	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	Lizard_DR	1.0000	0.0000	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	Lizard_CyC	1.0000	-0.0026	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	PMD_BestPrac	1.0000	-0.0087	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	PMD_CS	1.0000	0.0573	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	PMD_Design	1.0000	-0.0194	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	PMD_EP	1.0000	-0.0059	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	PMD_MT	1.0000	0.0001	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	PMD_Perf	1.0000	0.0122	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	Sonar_Sec		0.0000	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	Sonar_Rel	1.0000	0.0069	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	Sonar_Main	1.0000	0.0232	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	Sonar_CyC	1.0000	0.0223	holm
rq1_st_vs_mt	translation	cs-java	metrics	0.5B	Sonar_CoC	1.0000	-0.0020	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	CodeBLEU	1.0000	-0.0133	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	Lizard_LoC	1.0000	0.0005	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	Lizard_ToK	0.7720	0.0047	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	Lizard_DR	0.0058	-0.0180	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	Lizard_CyC	0.7720	0.0096	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	PMD_BestPrac	1.0000	0.0274	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	PMD_CS	1.0000	0.0544	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	PMD_Design	1.0000	-0.0165	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	PMD_EP	1.0000	0.0222	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	PMD_MT	1.0000	-0.0054	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	PMD_Perf	1.0000	0.0051	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	Sonar_Sec		0.0000	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	Sonar_Rel	0.4615	-0.0040	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	Sonar_Main	0.0001	-0.0519	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	Sonar_CyC	0.0392	-0.0441	holm
rq1_st_vs_mt	translation	cs-java	metrics	1.5B	Sonar_CoC	1.0000	0.0000	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	CodeBLEU	0.0613	-0.0411	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	Lizard_LoC	1.0000	-0.0074	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	Lizard_ToK	1.0000	-0.0044	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	Lizard_DR	1.0000	-0.0010	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	Lizard_CyC	1.0000	-0.0064	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	PMD_BestPrac	1.0000	-0.0089	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	PMD_CS	1.0000	-0.0041	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	PMD_Design	1.0000	0.0061	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	PMD_EP	1.0000	-0.0131	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	PMD_MT	1.0000	-0.0054	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	PMD_Perf	1.0000	0.0217	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	Sonar_Sec		0.0000	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	Sonar_Rel	1.0000	-0.0010	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	Sonar_Main	0.0001	0.0340	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	Sonar_CyC	0.7915	0.0259	holm
rq1_st_vs_mt	translation	cs-java	metrics	3B	Sonar_CoC	1.0000	0.0160	holm
rq1_st_vs_mt	translation	java-cs	metrics	0.5B	CodeBLEU	0.0000	0.1236	holm
rq1_st_vs_mt	translation	java-cs	metrics	0.5B	Lizard_LoC	1.0000	0.0076	holm
rq1_st_vs_mt	translation	java-cs	metrics	0.5B	Lizard_ToK	0.3810	0.0154	holm
rq1_st_vs_mt	translation	java-cs	metrics	0.5B	Lizard_DR	1.0000	0.0040	holm
rq1_st_vs_mt	translation	java-cs	metrics	0.5B	Lizard_CyC	1.0000	0.0032	holm
rq1_st_vs_mt	translation	java-cs	metrics	0.5B	Roslyn_SynErr	0.0127	0.0245	holm
rq1_st_vs_mt	translation	java-cs	metrics	0.5B	Roslyn_Main	1.0000	-0.0041	holm
rq1_st_vs_mt	translation	java-cs	metrics	1.5B	CodeBLEU	0.0078	0.0451	holm
rq1_st_vs_mt	translation	java-cs	metrics	1.5B	Lizard_LoC	1.0000	0.0049	holm
rq1_st_vs_mt	translation	java-cs	metrics	1.5B	Lizard_ToK	1.0000	0.0099	holm
rq1_st_vs_mt	translation	java-cs	metrics	1.5B	Lizard_DR	0.0005	-0.0300	holm
rq1_st_vs_mt	translation	java-cs	metrics	1.5B	Lizard_CyC	1.0000	-0.0079	holm
rq1_st_vs_mt	translation	java-cs	metrics	1.5B	Roslyn_SynErr	1.0000	-0.0102	holm
rq1_st_vs_mt	translation	java-cs	metrics	1.5B	Roslyn_Main	0.0000	0.0335	holm
rq1_st_vs_mt	translation	java-cs	metrics	3B	CodeBLEU	0.0266	0.0536	holm
rq1_st_vs_mt	translation	java-cs	metrics	3B	Lizard_LoC	0.0010	0.0398	holm
rq1_st_vs_mt	translation	java-cs	metrics	3B	Lizard_ToK	0.0046	0.0461	holm
rq1_st_vs_mt	translation	java-cs	metrics	3B	Lizard_DR	0.0000	0.0410	holm
rq1_st_vs_mt	translation	java-cs	metrics	3B	Lizard_CyC	0.0158	0.0404	holm
rq1_st_vs_mt	translation	java-cs	metrics	3B	Roslyn_SynErr	0.0004	-0.0479	holm
rq1_st_vs_mt	translation	java-cs	metrics	3B	Roslyn_Main	0.0000	-0.1805	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	Lizard_LoC	0.0040	-0.1672	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	Lizard_ToK	0.0991	-0.1163	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	Lizard_DR	1.0000	-0.0163	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	Lizard_CyC	1.0000	-0.0870	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	PMD_BestPrac	0.5434	-0.0545	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	PMD_CS	0.5217	-0.0623	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	PMD_Design	1.0000	0.0239	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	PMD_EP	1.0000	-0.0316	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	PMD_MT	1.0000	-0.0054	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	PMD_Perf	1.0000	-0.0165	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	Sonar_Sec		0.0000	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	Sonar_Rel	1.0000	-0.0001	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	Sonar_Main	0.4220	-0.1039	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	Sonar_CyC	0.6477	-0.1112	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	0.5B	Sonar_CoC	0.0297	-0.1543	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	Lizard_LoC	0.0001	-0.2501	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	Lizard_ToK	0.0002	-0.2568	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	Lizard_DR	0.5735	-0.0272	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	Lizard_CyC	0.0033	-0.2321	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	PMD_BestPrac	0.1669	-0.0748	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	PMD_CS	0.1535	-0.1028	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	PMD_Design	1.0000	-0.0138	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	PMD_EP	1.0000	-0.0412	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	PMD_MT	0.7813	-0.0165	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	PMD_Perf	0.7813	-0.0377	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	Sonar_Sec		0.0000	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	Sonar_Rel	1.0000	-0.0055	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	Sonar_Main	0.3111	-0.1175	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	Sonar_CyC	0.0007	-0.2524	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	1.5B	Sonar_CoC	0.0063	-0.2076	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	Lizard_LoC	0.3622	-0.0939	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	Lizard_ToK	0.8851	-0.0979	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	Lizard_DR	1.0000	-0.0109	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	Lizard_CyC	1.0000	-0.0430	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	PMD_BestPrac	1.0000	0.0132	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	PMD_CS	1.0000	-0.0126	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	PMD_Design	1.0000	-0.0457	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	PMD_EP	1.0000	-0.0073	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	PMD_MT	1.0000	0.0054	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	PMD_Perf	0.0573	-0.0552	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	Sonar_Sec		0.0000	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	Sonar_Rel	1.0000	0.0054	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	Sonar_Main	1.0000	-0.0655	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	Sonar_CyC	1.0000	-0.0211	holm
rq2_mt_qlora_vs_fft	generation	java	metrics	3B	Sonar_CoC	1.0000	-0.0177	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Lizard_LoC	0.3887	-0.0532	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Lizard_ToK	0.3887	-0.0669	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Lizard_DR	0.7494	0.0158	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Lizard_CyC	1.0000	0.0150	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Pylint_Err	1.0000	-0.0398	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Pylint_War	1.0000	0.0038	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Pylint_Conv	1.0000	-0.0130	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Pylint_Ref	1.0000	-0.0498	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Sonar_SecHot		0.0000	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Sonar_Rel	1.0000	-0.0056	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Sonar_Main	1.0000	-0.0139	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Sonar_CyC	0.2304	0.1402	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	0.5B	Sonar_CoC	1.0000	0.0691	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Lizard_LoC	1.0000	-0.0519	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Lizard_ToK	1.0000	-0.0643	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Lizard_DR		0.0000	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Lizard_CyC	1.0000	-0.0542	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Pylint_Err	1.0000	-0.0418	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Pylint_War	0.4381	0.0753	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Pylint_Conv	1.0000	0.0700	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Pylint_Ref	1.0000	0.0342	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Sonar_SecHot		0.0000	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Sonar_Rel	1.0000	-0.0052	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Sonar_Main	0.5359	0.0674	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Sonar_CyC	1.0000	0.0347	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	1.5B	Sonar_CoC	1.0000	-0.0035	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Lizard_LoC	0.0008	-0.1369	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Lizard_ToK	0.0002	-0.1345	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Lizard_DR		0.0000	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Lizard_CyC	0.0128	-0.0770	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Pylint_Err	0.8000	-0.0407	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Pylint_War	0.9097	-0.0004	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Pylint_Conv	0.0066	0.1418	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Pylint_Ref	0.2757	-0.0550	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Sonar_SecHot		0.0000	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Sonar_Rel	0.1774	0.0263	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Sonar_Main	0.2761	-0.0551	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Sonar_CyC	0.9097	0.0320	holm
rq2_mt_qlora_vs_fft	generation	python	metrics	3B	Sonar_CoC	0.9081	-0.0019	holm
rq2_mt_qlora_vs_fft	summarization	java	llm_judge	0.5B	CA	1.0000	0.0009	bh
rq2_mt_qlora_vs_fft	summarization	java	llm_judge	0.5B	Conciseness	1.0000	0.0084	bh
rq2_mt_qlora_vs_fft	summarization	java	llm_judge	0.5B	Fluency	1.0000	0.0357	bh
rq2_mt_qlora_vs_fft	summarization	java	llm_judge	1.5B	CA	0.7076	0.0455	bh
rq2_mt_qlora_vs_fft	summarization	java	llm_judge	1.5B	Conciseness	0.3967	0.0608	bh
rq2_mt_qlora_vs_fft	summarization	java	llm_judge	1.5B	Fluency	0.3967	0.0874	bh
rq2_mt_qlora_vs_fft	summarization	java	llm_judge	3B	CA	0.2475	0.0842	bh
rq2_mt_qlora_vs_fft	summarization	java	llm_judge	3B	Conciseness	0.2475	0.0335	bh
rq2_mt_qlora_vs_fft	summarization	java	llm_judge	3B	Fluency	0.0549	0.1859	bh
rq2_mt_qlora_vs_fft	summarization	java	metrics	0.5B	BLEU	1.0000	-0.0113	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	0.5B	METEOR	0.6219	0.0349	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	0.5B	Rouge-L	0.0139	0.1029	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	0.5B	chrF	1.0000	-0.0185	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	0.5B	BERTScore	1.0000	0.0094	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	0.5B	SIDE	0.1228	0.0969	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	1.5B	BLEU	1.0000	0.0081	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	1.5B	METEOR	1.0000	0.0299	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	1.5B	Rouge-L	1.0000	0.0167	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	1.5B	chrF	1.0000	0.0408	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	1.5B	BERTScore	1.0000	0.0258	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	1.5B	SIDE	0.0501	0.0857	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	3B	BLEU	1.0000	-0.0546	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	3B	METEOR	1.0000	0.0260	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	3B	Rouge-L	0.5607	0.0359	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	3B	chrF	1.0000	0.0179	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	3B	BERTScore	1.0000	0.0084	holm
rq2_mt_qlora_vs_fft	summarization	java	metrics	3B	SIDE	1.0000	0.0255	holm
rq2_mt_qlora_vs_fft	summarization	python	llm_judge	0.5B	CA	1.0000	0.0092	bh
rq2_mt_qlora_vs_fft	summarization	python	llm_judge	0.5B	Conciseness	1.0000	0.0049	bh
rq2_mt_qlora_vs_fft	summarization	python	llm_judge	0.5B	Fluency	1.0000	-0.0074	bh
rq2_mt_qlora_vs_fft	summarization	python	llm_judge	1.5B	CA	0.3077	-0.0142	bh
rq2_mt_qlora_vs_fft	summarization	python	llm_judge	1.5B	Conciseness	0.0873	0.0768	bh
rq2_mt_qlora_vs_fft	summarization	python	llm_judge	1.5B	Fluency	0.4956	-0.0613	bh
rq2_mt_qlora_vs_fft	summarization	python	llm_judge	3B	CA	1.0000	0.0423	bh
rq2_mt_qlora_vs_fft	summarization	python	llm_judge	3B	Conciseness	1.0000	-0.0260	bh
rq2_mt_qlora_vs_fft	summarization	python	llm_judge	3B	Fluency	1.0000	-0.0034	bh
rq2_mt_qlora_vs_fft	summarization	python	metrics	0.5B	BLEU	0.0000	0.1712	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	0.5B	METEOR	0.0005	0.1746	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	0.5B	Rouge-L	0.0000	0.2284	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	0.5B	chrF	0.0000	0.2231	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	0.5B	BERTScore	0.0000	0.2224	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	1.5B	BLEU	0.0000	0.1249	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	1.5B	METEOR	0.0000	0.1389	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	1.5B	Rouge-L	0.0000	0.1940	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	1.5B	chrF	0.0000	0.1564	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	1.5B	BERTScore	0.0000	0.1924	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	3B	BLEU	0.0000	0.1890	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	3B	METEOR	0.0000	0.1943	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	3B	Rouge-L	0.0000	0.2151	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	3B	chrF	0.0002	0.1845	holm
rq2_mt_qlora_vs_fft	summarization	python	metrics	3B	BERTScore	0.0002	0.1698	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	CodeBLEU	0.0000	-0.1043	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	Lizard_LoC	0.0002	0.0534	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	Lizard_ToK	0.0054	0.0466	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	Lizard_DR	0.1366	0.0100	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	Lizard_CyC	0.0909	0.0291	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	PMD_BestPrac	0.5434	-0.0545	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	PMD_CS	0.5217	-0.0623	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	PMD_Design	1.0000	0.0239	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	PMD_EP	1.0000	-0.0316	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	PMD_MT	1.0000	-0.0054	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	PMD_Perf	1.0000	-0.0165	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	Sonar_Sec		0.0000	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	Sonar_Rel	1.0000	-0.0059	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	Sonar_Main	1.0000	-0.0133	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	Sonar_CyC	1.0000	0.0006	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	0.5B	Sonar_CoC	0.8247	0.0189	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	CodeBLEU	1.0000	-0.0133	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	Lizard_LoC	0.3308	0.0110	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	Lizard_ToK	0.0750	0.0122	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	Lizard_DR	0.4698	0.0070	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	Lizard_CyC	1.0000	-0.0084	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	PMD_BestPrac	0.2295	-0.0748	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	PMD_CS	0.2217	-0.1028	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	PMD_Design	1.0000	-0.0138	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	PMD_EP	1.0000	-0.0412	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	PMD_MT	1.0000	-0.0165	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	PMD_Perf	1.0000	-0.0377	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	Sonar_Sec		0.0000	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	Sonar_Rel	0.1537	0.0051	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	Sonar_Main	0.2217	0.0277	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	Sonar_CyC	1.0000	0.0214	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	1.5B	Sonar_CoC	0.4989	0.0059	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	CodeBLEU	0.0000	-0.3138	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	Lizard_LoC	1.0000	-0.0176	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	Lizard_ToK	0.0706	-0.0187	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	Lizard_DR	0.0074	0.0170	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	Lizard_CyC	1.0000	-0.0000	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	PMD_BestPrac	1.0000	0.0132	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	PMD_CS	1.0000	-0.0126	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	PMD_Design	1.0000	-0.0457	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	PMD_EP	1.0000	-0.0073	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	PMD_MT	1.0000	0.0054	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	PMD_Perf	0.0409	-0.0552	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	Sonar_Sec		0.0000	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	Sonar_Rel	0.8979	-0.0060	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	Sonar_Main	0.0000	-0.4351	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	Sonar_CyC	0.0000	-0.4636	holm
rq2_mt_qlora_vs_fft	translation	cs-java	metrics	3B	Sonar_CoC	0.0000	-0.1457	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	0.5B	CodeBLEU	0.0000	-0.1080	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	0.5B	Lizard_LoC	1.0000	0.0159	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	0.5B	Lizard_ToK	1.0000	0.0001	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	0.5B	Lizard_DR	1.0000	-0.0040	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	0.5B	Lizard_CyC	0.6039	0.0095	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	0.5B	Roslyn_SynErr	1.0000	0.0030	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	0.5B	Roslyn_Main	1.0000	0.0071	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	1.5B	CodeBLEU	0.0000	-0.1384	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	1.5B	Lizard_LoC	0.0015	-0.0336	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	1.5B	Lizard_ToK	0.0002	-0.0349	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	1.5B	Lizard_DR	0.1836	-0.0080	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	1.5B	Lizard_CyC	0.0053	-0.0282	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	1.5B	Roslyn_SynErr	0.2383	0.0088	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	1.5B	Roslyn_Main	0.1836	0.0123	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	3B	CodeBLEU	0.0000	-0.1308	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	3B	Lizard_LoC	1.0000	-0.0045	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	3B	Lizard_ToK	1.0000	-0.0112	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	3B	Lizard_DR	0.7049	0.0150	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	3B	Lizard_CyC	1.0000	-0.0052	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	3B	Roslyn_SynErr	0.0000	-0.1067	holm
rq2_mt_qlora_vs_fft	translation	java-cs	metrics	3B	Roslyn_Main	0.0000	0.2829	holm
"""
