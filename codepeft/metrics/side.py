"""SIDE: a reference-free summary score (Mastropaolo et al., "Evaluating Code Summarization
Techniques: A New Metric and an Empirical Characterization", ICSE 2024).

score(code, summary) = cosine(e(code), e(summary)), where e(x) is the mean of the encoder's last
hidden states over non-padding tokens, L2-normalised. The encoder is the SIDE checkpoint (an
MPNet fine-tuned contrastively on Java methods and their comments); point ``checkpoint`` at a
local copy of it (a Hugging Face model directory). Without one the metric is not computed
(the caller writes ``not computed: no SIDE checkpoint``); there is no fallback encoder, because
any other model would give a number that is not SIDE.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

NO_CHECKPOINT = "not computed: no SIDE checkpoint"


@lru_cache(maxsize=2)
def _load(checkpoint: str):
    # lazy: transformers takes seconds; only SIDE needs it
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModel.from_pretrained(checkpoint)
    model.eval()
    return tokenizer, model


def _embed(texts: list[str], tokenizer, model, max_length: int | None):
    # lazy: torch takes seconds; only SIDE needs it
    import torch

    encoded = tokenizer(
        texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )
    with torch.no_grad():
        hidden = model(**encoded)[0]
    mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1)


def side_scores(
    codes: Sequence[str],
    summaries: Sequence[str],
    checkpoint: str,
    batch_size: int = 16,
    max_length: int | None = None,
) -> list[float]:
    """SIDE score of each (code, summary) pair, in [-1, 1]."""
    if len(codes) != len(summaries):
        raise ValueError("codes and summaries differ in length")
    tokenizer, model = _load(str(checkpoint))
    if max_length is None:
        max_length = min(int(getattr(tokenizer, "model_max_length", 512) or 512), 512)
    scores: list[float] = []
    for start in range(0, len(codes), batch_size):
        code_emb = _embed(list(codes[start : start + batch_size]), tokenizer, model, max_length)
        text_emb = _embed(list(summaries[start : start + batch_size]), tokenizer, model, max_length)
        scores.extend((code_emb * text_emb).sum(1).tolist())
    return scores
