"""METEOR as the paper computed it: ``nltk meteor_score([ref.split()], pred.split())``.

NLTK needs WordNet 3.0, which ``nltk.download`` cannot fetch offline; ``scripts/setup/
wordnet.sh`` installs it into ``$CODEPEFT_TOOLS/nltk_data``. ``ensure_wordnet()`` points NLTK
there (it sets ``NLTK_DATA`` when unset and adds the folder to ``nltk.data.path``) and raises
``WordNetMissing`` with the installer's name when the corpus is absent.
"""

from __future__ import annotations

import os
import warnings
from functools import lru_cache
from pathlib import Path

from codepeft.tools import tools_dir


class WordNetMissing(RuntimeError):
    """WordNet is not installed where NLTK looks; run scripts/setup/wordnet.sh."""


def nltk_data_dir() -> Path:
    return tools_dir() / "nltk_data"


@lru_cache(maxsize=1)
def ensure_wordnet():
    """Make NLTK find the project's WordNet; returns a loaded WordNet 3.0 corpus reader."""
    data_dir = str(nltk_data_dir())
    os.environ.setdefault("NLTK_DATA", data_dir)
    # lazy: nltk takes ~1 s; only METEOR needs it
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    for path in (os.environ["NLTK_DATA"], data_dir):
        if path not in nltk.data.path:
            nltk.data.path.insert(0, path)

    class WordNet30(WordNetCorpusReader):
        """NLTK's reader minus its OMW version mapping: nltk 3.10 compares the version "3.0"
        with the name "wordnet", so it always re-reads index.sense twice (~2 s) to map
        synsets for multilingual look-ups, which METEOR never makes."""

        def map_wn(self, version="wordnet"):
            return None

    try:
        root = nltk.data.find("corpora/wordnet")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "multilingual functions are not available"
            return WordNet30(root, None)
    except (LookupError, OSError) as err:
        raise WordNetMissing(
            f"WordNet not found under {data_dir} (or NLTK_DATA); run scripts/setup/wordnet.sh"
        ) from err


def wordnet_available() -> bool:
    try:
        ensure_wordnet()
    except WordNetMissing:
        ensure_wordnet.cache_clear()
        return False
    return True


class _MemoWordNet:
    """The two pure look-ups METEOR makes, memoised (same results, far fewer WordNet calls)."""

    def __init__(self, wordnet):
        self.synsets = lru_cache(maxsize=100_000)(wordnet.synsets)


class _MemoStemmer:
    def __init__(self, stemmer):
        self.stem = lru_cache(maxsize=200_000)(stemmer.stem)


@lru_cache(maxsize=1)
def _matchers():
    # lazy: nltk takes ~1 s; only METEOR needs it
    from nltk.stem.porter import PorterStemmer

    return _MemoStemmer(PorterStemmer()), _MemoWordNet(ensure_wordnet())


def meteor(prediction: str, reference: str) -> float:
    """NLTK METEOR (alpha 0.9, beta 3, gamma 0.5; exact, Porter-stem and WordNet matches)."""
    # lazy: nltk takes ~1 s; only METEOR needs it
    from nltk.translate.meteor_score import meteor_score

    stemmer, wordnet = _matchers()
    return float(
        meteor_score([reference.split()], prediction.split(), stemmer=stemmer, wordnet=wordnet)
    )
