"""METEOR as the paper computed it: ``nltk meteor_score([ref.split()], pred.split())``.

NLTK needs WordNet 3.0, which ``nltk.download`` cannot fetch offline; ``scripts/setup/
wordnet.sh`` installs it into ``$CODEPEFT_TOOLS/nltk_data``. ``ensure_wordnet()`` points NLTK
there (it sets ``NLTK_DATA`` when unset and adds the folder to ``nltk.data.path``) and raises
``WordNetMissing`` with the installer's name when the corpus is absent.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from codepeft.tools import tools_dir


class WordNetMissing(RuntimeError):
    """WordNet is not installed where NLTK looks; run scripts/setup/wordnet.sh."""


def nltk_data_dir() -> Path:
    return tools_dir() / "nltk_data"


@lru_cache(maxsize=1)
def ensure_wordnet():
    """Make NLTK find the project's WordNet; returns the loaded ``wordnet`` corpus reader."""
    data_dir = str(nltk_data_dir())
    os.environ.setdefault("NLTK_DATA", data_dir)
    import nltk

    for path in (os.environ["NLTK_DATA"], data_dir):
        if path not in nltk.data.path:
            nltk.data.path.insert(0, path)
    from nltk.corpus import wordnet

    try:
        wordnet.ensure_loaded()
    except LookupError as err:
        raise WordNetMissing(
            f"WordNet not found under {data_dir} (or NLTK_DATA); run scripts/setup/wordnet.sh"
        ) from err
    return wordnet


def wordnet_available() -> bool:
    try:
        ensure_wordnet()
    except WordNetMissing:
        ensure_wordnet.cache_clear()
        return False
    return True


def meteor(prediction: str, reference: str) -> float:
    """NLTK METEOR (alpha 0.9, beta 3, gamma 0.5; exact, Porter-stem and WordNet matches)."""
    from nltk.translate.meteor_score import meteor_score

    wordnet = ensure_wordnet()
    return float(meteor_score([reference.split()], prediction.split(), wordnet=wordnet))
