"""Checkpoint selection scores: how the replication package chose its best checkpoint.

`training.selection.metric`:
- `eval_loss` (default for new studies): the validation loss, lower is better.
- `chunk_bleu_codebleu` (the package, PACKAGE.md section 2 "How model selection is scored"):
  teacher-forced argmax decodes of the *packed* 512-token validation chunks, each chunk decoded
  with `skip_special_tokens=True` (role words such as "system"/"user" stay in the text) and
  scored against its label chunk; higher is better. Per model scope:
  - multi-task (`mt`, `multitask/qlora_train.py:297-344`): a chunk whose label text contains
    "Summarize this" or "SUMMARY:" scores sentence sacreBLEU (0-100) of the text after the last
    "SUMMARY:" up to "DONE"; any other chunk scores single-pair CodeBLEU x 100 of the whole
    chunk, language guessed from keywords; the score is the mean over all chunks pooled
    (`eval_combined_score`);
  - single-task summarization (`summarization/qlora_train.py:69-78`): sentence BLEU of the text
    after the last "SUMMARY: " up to "DONE" (`eval_sacrebleu`);
  - single-task generation / translation (`generation/qlora_train.py:97-105`,
    `translation/qlora_train.py:72-84`): whole-chunk CodeBLEU x 100 with their own keyword
    guesses (`eval_codebleu`).
  A chunk whose scoring raises scores 0.

`training.selection.shift_predictions`: the logits at position t predict token t+1, so a
correct comparison shifts predictions one token against labels (`true`, default). The package
did not shift (a defect: every predicted token is compared with the label token it was
predicting *from*); the paper preset sets `false` to reproduce it.

The argmax is taken on the device in `preprocess_logits_for_metrics`, so only token ids, not
vocabulary-sized logits, are accumulated: the same numbers with bounded memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

METRICS = ("eval_loss", "chunk_bleu_codebleu")
SCORERS = ("mt", "summarization", "generation", "translation")
# the name each scorer reports (the package's metric_for_best_model without "eval_")
SCORE_NAMES = {
    "mt": "combined_score",
    "summarization": "sacrebleu",
    "generation": "codebleu",
    "translation": "codebleu",
}


def guess_language_mt(text: str) -> str:
    """`multitask/qlora_train.py`: public/private -> java, def/import -> python,
    namespace/using System -> c_sharp, else java (checked in this order)."""
    if "public" in text or "private" in text:
        return "java"
    if "def " in text or "import " in text:
        return "python"
    if "namespace" in text or "using System" in text:
        return "c_sharp"
    return "java"


def guess_language_generation(text: str) -> str:
    """`generation/qlora_train.py:97-105`: java if public/private or "class" in the first 50
    characters, python if def/import/__, else java."""
    if "public" in text or "private" in text or "class" in text[:50]:
        return "java"
    if "def " in text or "import " in text or "__" in text:
        return "python"
    return "java"


def guess_language_translation(text: str) -> str:
    """`translation/qlora_train.py:72-84`: a java/c_sharp keyword guess (namespace/using System
    -> c_sharp, else java)."""
    if "namespace" in text or "using System" in text:
        return "c_sharp"
    return "java"


def summary_part(text: str, marker: str = "SUMMARY:") -> str:
    """The text after the last `marker`, up to the first "DONE" after it, stripped."""
    return text.split(marker)[-1].split("DONE")[0].strip()


def sentence_bleu(prediction: str, reference: str) -> float:
    # lazy: sacrebleu is needed only by the chunk_bleu_codebleu selection metric
    import sacrebleu

    return float(sacrebleu.sentence_bleu(prediction, [reference]).score)


def codebleu_100(prediction: str, reference: str, lang: str) -> float:
    """Single-pair `calc_codebleu` (the library's own combination) x 100."""
    # lazy: codebleu is needed only by the chunk_bleu_codebleu selection metric
    from codebleu import calc_codebleu

    return 100.0 * float(calc_codebleu([reference], [prediction], lang=lang)["codebleu"])


def _safe(score: Callable[[], float]) -> float:
    try:
        return score()
    except Exception as err:  # noqa: BLE001 - the package scored a failing chunk 0
        log.debug("selection score failed on a chunk (scored 0): %s", err)
        return 0.0


def chunk_score(scorer: str, prediction: str, label: str) -> float:
    """The score of one decoded chunk under `scorer` (see the module docstring)."""
    if scorer == "mt":
        if "Summarize this" in label or "SUMMARY:" in label:
            return _safe(lambda: sentence_bleu(summary_part(prediction), summary_part(label)))
        return _safe(lambda: codebleu_100(prediction, label, guess_language_mt(label)))
    if scorer == "summarization":
        return _safe(
            lambda: sentence_bleu(
                summary_part(prediction, "SUMMARY: "), summary_part(label, "SUMMARY: ")
            )
        )
    if scorer == "generation":
        return _safe(lambda: codebleu_100(prediction, label, guess_language_generation(label)))
    if scorer == "translation":
        return _safe(lambda: codebleu_100(prediction, label, guess_language_translation(label)))
    raise ValueError(f"unknown selection scorer {scorer!r}; known: {SCORERS}")


def score_texts(scorer: str, predictions: Sequence[str], labels: Sequence[str]) -> float:
    """The pooled mean of the chunk scores (0 for no chunks)."""
    scores = [chunk_score(scorer, p, r) for p, r in zip(predictions, labels, strict=True)]
    return sum(scores) / len(scores) if scores else 0.0


def align(predictions, labels, shift: bool):
    """Token-id rows to compare: with `shift`, predictions[:, :-1] against labels[:, 1:]."""
    preds = [list(p) for p in predictions]
    labs = [list(x) for x in labels]
    if shift:
        preds = [p[:-1] for p in preds]
        labs = [x[1:] for x in labs]
    return preds, labs


def scorer_for(tasks: Sequence[str]) -> str:
    """The scorer of a model trained on `tasks`: `mt` for several, the task's own for one."""
    tasks = sorted(set(tasks))
    if len(tasks) != 1:
        return "mt"
    if tasks[0] not in SCORERS:
        raise ValueError(f"no selection scorer for task {tasks[0]!r}")
    return tasks[0]


def argmax_logits(logits, labels):
    """`preprocess_logits_for_metrics`: keep the argmax ids, not the logits."""
    if isinstance(logits, tuple):
        logits = logits[0]
    return logits.argmax(dim=-1)


def make_compute_metrics(tokenizer, scorer: str, shift: bool):
    """A `compute_metrics` for the trainer: decode (skip_special_tokens) and score."""
    name = SCORE_NAMES[scorer]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0

    def decode(rows):
        return tokenizer.batch_decode(
            [[pad if t < 0 else int(t) for t in row] for row in rows], skip_special_tokens=True
        )

    def compute_metrics(eval_pred) -> dict:
        predictions, labels = eval_pred.predictions, eval_pred.label_ids
        if (
            isinstance(predictions, (list, tuple))
            and predictions
            and hasattr(predictions[0], "ndim")
        ):
            # eval_do_concat_batches=False: one array per batch
            predictions = [row for batch in predictions for row in batch]
            labels = [row for batch in labels for row in batch]
        preds, labs = align(predictions, labels, shift)
        return {name: score_texts(scorer, decode(preds), decode(labs))}

    return compute_metrics
