"""chrF (sacreBLEU defaults: character 6-grams, beta 2, no word n-grams), in [0, 1].

Sentence level as the paper computed it (``sacrebleu.sentence_chrf(pred, [ref]).score / 100``)
and corpus level (sacreBLEU's corpus chrF, statistics summed over segments).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=1)
def _chrf():
    # lazy: sacrebleu takes ~0.1 s; preflight imports this package (via fetch)
    from sacrebleu.metrics import CHRF

    return CHRF()


def chrf(prediction: str, reference: str) -> float:
    return _chrf().sentence_score(prediction, [reference]).score / 100.0


def chrf_corpus(predictions: Sequence[str], references: Sequence[str]) -> float:
    # lazy: sacrebleu takes ~0.1 s; preflight imports this package (via fetch)
    from sacrebleu.metrics import CHRF

    if not predictions:
        return float("nan")
    return CHRF().corpus_score(list(predictions), [list(references)]).score / 100.0
