"""BLEU in two explicitly named conventions.

``bleu_sacre``
    The paper's number: ``sacrebleu.sentence_bleu(pred, [ref]).score / 100`` (13a tokenizer,
    exponential smoothing, effective order), in [0, 1]. Corpus level: ``sacrebleu`` corpus BLEU.
``bleu_cxg``
    CodeXGLUE code-to-text's smoothed sentence BLEU-4 (the field's usual summarization number,
    after Lin & Och 2004 as shipped in CodeXGLUE's ``evaluator/bleu.py``), in [0, 1]:

    * tokens: lowercase, then runs of word characters and single punctuation characters
      (``splitPuncts``), then the NIST normalisation, whose only effect left after that split is
      to cut ``_`` out of identifiers (``get_value`` -> ``get _ value``);
    * n-gram precisions p_n = (matches_n + s_n) / (candidate n-grams_n + s_n), with s_1 = 0 and
      s_n = 1 for n >= 2 (clipped matches, as in BLEU);
    * brevity penalty exp(min(0, 1 - (r + 1) / (c + 1))) with r, c the reference and candidate
      token counts (+1 on both lengths);
    * score = BP * exp(mean_n log p_n) over n = 1..4.

    CodeXGLUE reports the mean of these sentence scores (x100); the summary does the same.
    This is the project's own implementation (unit-tested against hand-computed values).
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

# ---------------------------------------------------------------------------- sacreBLEU


@lru_cache(maxsize=1)
def _sacre_bleu():
    # lazy: sacrebleu takes ~0.1 s; preflight imports this package (via fetch)
    from sacrebleu.metrics import BLEU

    # Exactly sacrebleu.sentence_bleu's defaults (tokenize 13a, smooth exp, effective order).
    return BLEU(effective_order=True)


def bleu_sacre(prediction: str, reference: str) -> float:
    """``sacrebleu.sentence_bleu(prediction, [reference]).score / 100`` (the paper's BLEU)."""
    return _sacre_bleu().sentence_score(prediction, [reference]).score / 100.0


def bleu_sacre_corpus(predictions: Sequence[str], references: Sequence[str]) -> float:
    """sacreBLEU corpus BLEU (13a, one reference per segment), in [0, 1]."""
    # lazy: sacrebleu takes ~0.1 s; preflight imports this package (via fetch)
    from sacrebleu.metrics import BLEU

    if not predictions:
        return float("nan")
    # force=True only silences sacreBLEU's "tokenized period" hint; the score is the same
    bleu = BLEU(force=True)
    return bleu.corpus_score(list(predictions), [list(references)]).score / 100.0


# ---------------------------------------------------------------------------- CodeXGLUE BLEU-4

_CXG_TOKEN = re.compile(r"[^\W_]+|_|[^\s\w]")
_TINY = sys.float_info.min
MAX_ORDER = 4


def cxg_tokenize(text: str) -> list[str]:
    """CodeXGLUE's tokenisation: lowercase; word runs and single punctuation marks; ``_`` split."""
    return _CXG_TOKEN.findall(text.strip().lower())


def _ngram_counts(tokens: Sequence[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def bleu_cxg_tokens(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """Smoothed sentence BLEU-4 of two token lists (see module docstring)."""
    log_precision = 0.0
    for n in range(1, MAX_ORDER + 1):
        cand = _ngram_counts(candidate, n)
        ref = _ngram_counts(reference, n)
        guess = max(len(candidate) - n + 1, 0)
        correct = sum(min(count, ref[gram]) for gram, count in cand.items())
        smooth = 1 if n > 1 else 0
        log_precision += math.log(correct + smooth + _TINY) - math.log(guess + smooth + _TINY)
    log_precision /= MAX_ORDER
    brevity = min(0.0, 1.0 - (len(reference) + 1) / (len(candidate) + 1))
    return math.exp(log_precision + brevity)


def bleu_cxg(prediction: str, reference: str) -> float:
    """CodeXGLUE smoothed sentence BLEU-4 of two strings, in [0, 1]."""
    return bleu_cxg_tokens(cxg_tokenize(prediction), cxg_tokenize(reference))
