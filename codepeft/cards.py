"""Model cards of the trained models: a Hugging Face ``README.md`` for every model folder.

A card says what the folder holds and how it was made: YAML front matter the Hub reads
(``base_model`` where the base is a hub model, ``library_name`` peft or transformers, the
base's ``license``, ``tags``, ``datasets``) and a body with the method, the training data (the
mixture's manifest), the training settings and outcome (``codepeft_training.json``), the
study's headline numbers for this model (its rows of the stats stage's tests against the
zero-shot baseline: `codepeft.report.headline.headline_rows`) and how to load it.

Rule ``model_cards`` (rules/share.smk) writes every card after the stats stage to
``results/cards/{model}/{method}/seed-{seed}/{scope}/README.md`` (its tracked output) and installs a copy
as ``README.md`` in the model folder (replacing the generic template PEFT writes there), leaving
the folder's own times as they were: Snakemake dates a directory output by its
``.snakemake_timestamp`` (else the folder's mtime), so neither the training nor the generations
that read the folder are rerun (docs/results.md). ``codepeft push`` uploads a folder with its
card (`codepeft.push`).
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from codepeft import paths, study
from codepeft.data import codexglue
from codepeft.fetch import is_hub_id
from codepeft.io import read_tsv
from codepeft.report.headline import headline_rows, loss_span

log = logging.getLogger("codepeft.cards")

#: the tag every codepeft card carries (`codepeft.push` checks a folder's README for it)
CARD_TAG = "codepeft"
#: the data section whose hub dataset a task's training split comes from
TRAIN_SOURCE = {
    "summarization": ("code_to_text", codexglue.CODE_TO_TEXT_HUB),
    "generation": ("code_to_text", codexglue.CODE_TO_TEXT_HUB),
    "translation": ("translation", codexglue.TRANSLATION_HUB),
}
FINETUNE_WORDS = {
    "qlora": "QLoRA fine-tune (LoRA adapters trained on a 4-bit NF4-quantized base)",
    "lora": "LoRA fine-tune (adapters trained on a full-precision base)",
    "dora": "DoRA fine-tune (weight-decomposed LoRA adapters)",
    "full": "full fine-tune (every weight trained)",
}


@dataclass(frozen=True)
class CardJob:
    """One trained model of the study and the files its card is made from and written to."""

    model: str
    method: str
    seed: str
    scope: str

    @property
    def names(self) -> dict:
        return dict(model=self.model, method=self.method, seed=self.seed, scope=self.scope)

    @property
    def model_dir(self) -> str:
        return paths.fill(paths.MODEL_DIR, **self.names)

    @property
    def card(self) -> str:
        return paths.fill(paths.MODEL_CARD, **self.names)

    def manifest(self, config: dict) -> str:
        key = study.mixture_key(study.mixture_spec(config, self.method, self.scope))
        return paths.fill(paths.MIXTURE_MANIFEST, mixture=key)


def card_jobs(config: dict) -> list[CardJob]:
    """A card for every trained model of the study (`codepeft.study.trained_models`)."""
    return [CardJob(*t) for t in study.trained_models(config)]


#: the config sections a card reads (rule model_cards' params): the study's name and demo
#: flag, the base models (source, build, license), the methods and tasks (which models answer
#: which task), the comparisons and alpha (the headline rows), the data sources (datasets)
CARD_SECTIONS = ("study", "models", "methods", "tasks", "stats", "data")


#: `models.<m>` keys added after studies had run (issue 26): left out of the cards' params while
#: null, so adding them reran no model_cards job
MODEL_KEYS_KEPT_OUT_AT_NULL = ("chat_template", "target_modules")


def card_settings(config: dict) -> dict:
    """What the cards read from the config (rule model_cards' params, via canonical)."""
    settings = {key: config[key] for key in CARD_SECTIONS}
    settings["models"] = {
        name: {
            k: v for k, v in spec.items() if not (k in MODEL_KEYS_KEPT_OUT_AT_NULL and v is None)
        }
        for name, spec in config["models"].items()
    }
    return settings


def project_license() -> str:
    """codepeft's own license (its package metadata; LICENSE), as a Hub license id."""
    meta = importlib.metadata.metadata("codepeft")
    return str(meta.get("License-Expression") or meta.get("License") or "unknown").lower()


def front_matter(text: str) -> dict:
    """The YAML front matter of a README.md (a model card), {} when it has none."""
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    try:
        data = yaml.safe_load(text[3:end]) if end > 0 else None
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def base_license(config: dict, model: str, root: str | os.PathLike = ".") -> tuple[str, str]:
    """(Hub license id, where it comes from) of base model `model`: its ``models:`` entry's
    ``license``; for a model the workflow builds (``build: tiny``) the project's own; for a
    local base folder the ``license`` of its README's front matter; else ``unknown``."""
    spec = config["models"][model]
    if spec.get("license"):
        return str(spec["license"]), f"models.{model}.license in the study's config"
    if spec.get("build"):
        return project_license(), "the project's own demo model (codepeft's license)"
    readme = Path(root) / spec["source"] / "README.md"
    if not is_hub_id(spec["source"]) and readme.is_file():
        found = front_matter(readme.read_text(encoding="utf-8")).get("license")
        if found:
            return str(found), f"the base model's README ({spec['source']})"
    return "unknown", f"not given: set models.{model}.license to the base model's license"


def hub_datasets(config: dict, sources) -> list[str]:
    """The hub datasets the training sources (task, lang) come from (none for local data)."""
    out = []
    for task, _lang in sources:
        section, default = TRAIN_SOURCE[task]
        settings = config["data"][section]
        if settings.get("local_dir") is None:
            out.append(settings.get("hub") or default)
    return list(dict.fromkeys(out))


def _fmt(value) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.4g}"
    return "n/a" if value is None or value == "" else str(value)


def _table(columns, rows) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in columns) + " |" for r in rows]
    return lines


def card_text(
    config: dict,
    job: CardJob,
    record: dict,
    manifest: dict,
    headline: list[dict],
    root: str | os.PathLike = ".",
) -> str:
    """The README.md of one trained model (front matter + body)."""
    spec = config["models"][job.model]
    source = spec["source"]
    used = record.get("finetune_used") or config["methods"][job.method]["finetune"]
    adapter = used != "full"
    license_id, license_from = base_license(config, job.model, root)
    tasks = [t for t, _ in manifest.get("sources", [])]
    meta = {}
    if is_hub_id(source) and not spec.get("build"):
        meta["base_model"] = source
    meta["library_name"] = "peft" if adapter else "transformers"
    meta["license"] = license_id
    meta["pipeline_tag"] = "text-generation"
    meta["tags"] = list(
        dict.fromkeys([CARD_TAG, used if adapter else "full-fine-tuning", "code", *tasks])
    )
    datasets = hub_datasets(config, manifest.get("sources", []))
    if datasets:
        meta["datasets"] = datasets
    name = f"{job.model}/{job.method}/seed-{job.seed}/{job.scope}"
    study_section = config.get("study", {})
    lines = ["---", yaml.safe_dump(meta, sort_keys=False).strip(), "---", ""]
    lines += [f"# {name}", ""]
    lines += [
        f"A {FINETUNE_WORDS.get(used, used)} of `{source}` on "
        f"{', '.join(dict.fromkeys(tasks)) or 'its tasks'}, trained by the codepeft study "
        f"*{study_section.get('name', '')}* (method `{job.method}`, training seed {job.seed}, scope `{job.scope}`).",
        "",
    ]
    if study_section.get("demo"):
        lines += [
            "**Demo model: a tiny model trained for CPU minutes on small embedded data sets. "
            "Its numbers say nothing about real models.**",
            "",
        ]
    if not meta.get("base_model"):
        lines += [
            f"The base model `{source}` is not a Hub model"
            + (" (built by the study's rule `build_tiny_model`)" if spec.get("build") else "")
            + (": load the adapter on top of that folder." if adapter else "."),
            "",
        ]
    if record.get("lora_fallback"):
        lines += [
            f"Requested `{record.get('finetune_requested')}`, trained as `{used}` (the "
            "machine could not run the requested kind; `training.allow_lora_fallback`).",
            "",
        ]
    lines += ["## Training data", ""]
    rows = manifest.get("rows", {})
    lines += [
        f"Mixture `{manifest.get('mixture', '')}`: {rows.get('train', 'n/a')} training and "
        f"{rows.get('valid', 'n/a')} validation examples (seed {manifest.get('seed', 'n/a')}, "
        f"mixing `{manifest.get('mixing', {}).get('strategy', 'n/a')}`), from:",
        "",
    ]
    lines += [f"- {task} / {lang}" for task, lang in manifest.get("sources", [])]
    lines += [
        "",
        "Hub datasets: " + (", ".join(f"`{d}`" for d in datasets) or "none (local data)") + ".",
        "",
    ]
    lines += ["## Training", ""]
    first, last = loss_span(record.get("log_history") or [])
    cost = record.get("cost") or {}
    outcome = {
        "finetune": used,
        "steps": record.get("global_step"),
        "training rows": record.get("train_rows"),
        "first / last training loss": f"{_fmt(first)} / {_fmt(last)}",
        "best eval loss": record.get("best_metric"),
        "precision": record.get("precision"),
        "optimizer": record.get("optimizer"),
        "seed": record.get("seed"),
        "trainable parameters": cost.get("trainable_params"),
        "device": cost.get("device_name"),
        "train seconds": cost.get("train_seconds"),
    }
    lines += [f"- {k}: {_fmt(v)}" for k, v in outcome.items()]
    lines += ["", "Settings (`codepeft_training.json`, `training`):", "", "```yaml"]
    lines += [yaml.safe_dump(record.get("training") or {}, sort_keys=True).strip(), "```", ""]
    lines += ["## Results in the study", ""]
    if headline:
        lines += [
            "Each row: this model against the zero-shot baseline on the task's key measure "
            "(paired test over the same test items, adjusted p; the study's report has the rest).",
            "",
        ]
        lines += _table(
            (
                "task",
                "lang",
                "measure",
                "n_paired",
                "mean_baseline",
                "mean_method",
                "test",
                "p_adj",
                "verdict",
            ),
            headline,
        )
    else:
        lines += ["No comparison with a zero-shot baseline is configured for this model."]
    lines += ["", "## Use", "", "```python"]
    where = "path/to/this/folder or <user>/<repo>"
    if adapter:
        lines += [
            "from peft import AutoPeftModelForCausalLM",
            "from transformers import AutoTokenizer",
            "",
            f'model = AutoPeftModelForCausalLM.from_pretrained("{where}")',
        ]
    else:
        lines += [
            "from transformers import AutoModelForCausalLM, AutoTokenizer",
            "",
            f'model = AutoModelForCausalLM.from_pretrained("{where}")',
        ]
    lines += [f'tokenizer = AutoTokenizer.from_pretrained("{where}")', "```", ""]
    lines += ["## License", "", f"`{license_id}`: {license_from}.", ""]
    return "\n".join(lines)


def _read_json(path: str | os.PathLike) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def install(card: str, model_dir: str | os.PathLike) -> Path:
    """Write `card` as the model folder's README.md, leaving the folder's access and
    modification times as they were (Snakemake dates a folder without a timestamp file by
    its mtime: a new README must not look like a new model)."""
    folder = Path(model_dir)
    before = folder.stat()
    target = folder / paths.MODEL_CARD_NAME
    target.write_text(card, encoding="utf-8")
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
    return target


def write_cards(
    config: dict, stats_files, root: str | os.PathLike = ".", jobs: list[CardJob] | None = None
) -> list[str]:
    """Write the card of every trained model (`jobs`, default all) under results/cards and
    install it in its model folder. Returns the cards' paths."""
    root = Path(root)
    stats_by_name = {Path(p).stem: read_tsv(root / p) for p in stats_files}
    rows = headline_rows(config, stats_by_name)
    written = []
    for job in card_jobs(config) if jobs is None else jobs:
        record = _read_json(root / job.model_dir / paths.TRAINING_RECORD)
        manifest = _read_json(root / job.manifest(config))
        mine = [
            r
            for r in rows
            if r["model"] == job.model
            and r["method"] == job.method
            and study.scope_for(config, job.method, r["task"]) == job.scope
        ]
        text = card_text(config, job, record, manifest, mine, root)
        card = root / job.card
        card.parent.mkdir(parents=True, exist_ok=True)
        card.write_text(text, encoding="utf-8")
        install(text, root / job.model_dir)
        log.info("card %s (%d headline rows), installed in %s", job.card, len(mine), job.model_dir)
        written.append(job.card)
    return written
