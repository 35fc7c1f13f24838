"""ROUGE-1, ROUGE-2 and ROUGE-L F-measures with Porter stemming (Google's ``rouge-score``)."""

from __future__ import annotations

from functools import lru_cache

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


@lru_cache(maxsize=1)
def _scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)


def rouge(prediction: str, reference: str) -> dict[str, float]:
    """``{"rouge1": F, "rouge2": F, "rougeL": F}`` (rouge-score's ``score(target, prediction)``)."""
    scores = _scorer().score(reference, prediction)
    return {name: scores[name].fmeasure for name in ROUGE_TYPES}
