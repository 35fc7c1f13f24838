"""ROUGE-1, ROUGE-2 and ROUGE-L F-measures with Porter stemming (Google's ``rouge-score``).

Same tokenizer as ``RougeScorer(..., use_stemmer=True)`` (rouge-score's own ``tokenize``),
with the Porter stemmer memoised: stemming dominates the cost and is a pure function.
"""

from __future__ import annotations

from functools import lru_cache

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


class _MemoStemmer:
    def __init__(self, stemmer):
        self.stem = lru_cache(maxsize=200_000)(stemmer.stem)


class _StemmingTokenizer:
    """rouge-score's DefaultTokenizer(use_stemmer=True), with a memoised stemmer."""

    def __init__(self):
        # lazy: nltk takes ~1 s; only ROUGE needs it
        from nltk.stem import porter

        self._stemmer = _MemoStemmer(porter.PorterStemmer())

    def tokenize(self, text):
        # lazy: rouge_score takes ~1 s (nltk); only ROUGE needs it
        from rouge_score import tokenize

        return tokenize.tokenize(text, self._stemmer)


@lru_cache(maxsize=1)
def _scorer():
    # lazy: rouge_score takes ~1 s (nltk); only ROUGE needs it
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=_StemmingTokenizer())


def rouge(prediction: str, reference: str) -> dict[str, float]:
    """``{"rouge1": F, "rouge2": F, "rougeL": F}`` (rouge-score's ``score(target, prediction)``)."""
    scores = _scorer().score(reference, prediction)
    return {name: scores[name].fmeasure for name in ROUGE_TYPES}
