"""Against the paper's per-instance results (shared/reference/paper_per_instance).

The paper's predictions are not published, so per-instance values can be reproduced only where
the prediction is derivable: rows whose sentence BLEU is 1 (the summary equals the reference
of the study's CoderEval summarization set), and CodeBLEU rows of 1.0 (the translation equals
the CodeXGLUE test reference). On those rows sacreBLEU, chrF, ROUGE-L and the library CodeBLEU
are reproduced exactly. The paper's METEOR on such rows is mostly 0.72-0.94, not the
1 - 0.5/m^3 that NLTK gives identical m-token texts, so its METEOR column was computed on other
strings (not reproducible from the published data); one row is checked where it does agree.
"""

from __future__ import annotations

import csv
import json
import logging

import pytest

from codepeft.metrics import bleu, chrf, codebleu_metric, meteor, rouge

SUMMARIZATION = "reference/paper_per_instance/bleu_meteor_rouge_chrf_bertscore_side/summarization"
CODEBLEU = "reference/paper_per_instance/codebleu/translation"
TRANSLATION = "data/codexglue/code-to-code-trans/test.java-cs.txt"


def _summaries(shared, lang):
    path = shared / f"data/codereval/cs_codereval_eval_dataset_{lang}_v2.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {row["id"]: row["reference_summary"] for row in rows}


def _exact_rows(shared, lang):
    summaries = _summaries(shared, lang)
    out = []
    for path in sorted((shared / SUMMARIZATION / lang).glob("*.csv")):
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                if float(row["BLEU"]) > 0.99:
                    out.append((path.name, row, summaries[row["Task ID"]]))
    return out


@pytest.mark.parametrize("lang", ["py", "java"])
def test_sentence_bleu_chrf_rouge_reproduce_paper_rows(shared, lang):
    rows = _exact_rows(shared, lang)
    if lang == "java" and not rows:
        pytest.skip("no Java summarization row with BLEU 1 in the paper's results")
    assert len(rows) >= 10
    for name, row, summary in rows:
        # prediction == reference: the paper's value is sacreBLEU's 100.00000000000004 / 100
        assert bleu.bleu_sacre(summary, summary) == float(row["BLEU"]), (name, row["Task ID"])
        assert chrf.chrf(summary, summary) == pytest.approx(float(row["chrF"]), abs=1e-12)
        assert rouge.rouge(summary, summary)["rougeL"] == pytest.approx(float(row["Rouge-L"]))


def test_meteor_reproduces_the_paper_row_that_is_consistent(shared):
    if not meteor.wordnet_available():
        pytest.skip("WordNet missing: run scripts/setup/wordnet.sh")
    rows = {(n, r["Task ID"]): (r, s) for n, r, s in _exact_rows(shared, "py")}
    row, summary = rows[("cs_qwen3_mt_qlora.csv", "62b8b559eb7e40a82d2d11f6")]
    assert meteor.meteor(summary, summary) == pytest.approx(float(row["METEOR"]), abs=1e-12)


@pytest.mark.parametrize(
    ("direction", "target", "lang"), [("java_cs", "cs", "c_sharp"), ("cs_java", "java", "java")]
)
def test_codebleu_library_policy_reproduces_paper_rows(shared, direction, target, lang):
    references = (shared / f"{TRANSLATION}.{target}").read_text().split("\n")
    path = sorted((shared / CODEBLEU / direction).glob("*st_qlora.csv"))[0]
    with open(path, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if float(r["codebleu"]) == 1.0][:60]
    assert rows
    ids = [int(r["instance_id"]) for r in rows]
    logging.disable(logging.WARNING)
    try:
        scores, _ = codebleu_metric.codebleu_batch(
            [references[i] for i in ids], [references[i] for i in ids], lang, "library"
        )
    finally:
        logging.disable(logging.NOTSET)
    assert [s.codebleu for s in scores] == [float(r["codebleu"]) for r in rows]
    # several of these references have no data-flow: the library (and the paper) count it as 1,
    # the project's default renormalises over the three defined components: the same 1.0 here
    undefined = [s for s in scores if s.dataflow is None]
    assert all(s.codebleu_library == 1.0 for s in undefined)


def test_paper_quarter_scores_are_the_dataflow_bug(shared):
    """Most rows of the paper's garbage-emitting model score exactly 0.25: the library's value for
    an output with no n-gram, syntax or data-flow match."""
    path = shared / CODEBLEU / "java_cs" / "ct_qwen3_cs_ct_mt_qlora.csv"
    with open(path, newline="") as handle:
        values = [float(r["codebleu"]) for r in csv.DictReader(handle)]
    assert sum(v == 0.25 for v in values) > 700
    reference = (shared / f"{TRANSLATION}.cs").read_text().split("\n")[0]
    (score,), _ = codebleu_metric.codebleu_batch(["SUMMARY: x DONE"], [reference], "c_sharp")
    assert score.codebleu_library == 0.25 and score.codebleu == 0.0
