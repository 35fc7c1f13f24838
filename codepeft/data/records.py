"""The one record schema of `results/data/{task}/{lang}/{split}.jsonl` (docs/architecture.md).

{"id": str, "task": "summarization"|"generation"|"translation", "language": str,
 "split": "train"|"valid"|"test", "inputs": {...}, "reference": str | None, "meta": {...}}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from codepeft.tasks import LANGUAGES as CODE_LANGUAGES  # noqa: F401 - the task registry
from codepeft.tasks import SPLITS, TASKS, TRANSLATION_DIRECTIONS  # noqa: F401

#: keys of `inputs` each task must carry (CoderEval test rows add input, docstring, level)
REQUIRED_INPUTS = {
    "summarization": ("code",),
    "generation": ("summary", "signature"),
    "translation": ("code",),
}


class DataError(ValueError):
    """A data source is missing, malformed or inconsistent; the message says which and where."""


def make_record(
    id: str,
    task: str,
    language: str,
    split: str,
    inputs: dict,
    reference: str | None,
    meta: dict | None = None,
) -> dict:
    """One record of the common schema (key order fixed, so files diff cleanly)."""
    return {
        "id": str(id),
        "task": task,
        "language": language,
        "split": split,
        "inputs": inputs,
        "reference": reference,
        "meta": meta or {},
    }


def check_records(records: Iterable[dict], task: str | None = None) -> list[dict]:
    """Validate records against the schema and id uniqueness; return them as a list."""
    return list(iter_checked(records, task))


def iter_checked(records: Iterable[dict], task: str | None = None) -> Iterator[dict]:
    """check_records one record at a time (only the ids seen are kept in memory)."""
    seen: set[str] = set()
    for rec in records:
        missing = {"id", "task", "language", "split", "inputs", "reference", "meta"} - set(rec)
        if missing:
            raise DataError(f"record {rec.get('id')!r} lacks keys {sorted(missing)}")
        if task is not None and rec["task"] != task:
            raise DataError(f"record {rec['id']!r} has task {rec['task']!r}, expected {task!r}")
        if rec["task"] not in TASKS or rec["split"] not in SPLITS:
            raise DataError(f"record {rec['id']!r}: bad task/split {rec['task']}/{rec['split']}")
        for key in REQUIRED_INPUTS[rec["task"]]:
            if not isinstance(rec["inputs"].get(key), str):
                raise DataError(f"record {rec['id']!r}: inputs.{key} missing or not a string")
        if rec["reference"] is not None and not isinstance(rec["reference"], str):
            raise DataError(f"record {rec['id']!r}: reference must be a string or null")
        if rec["id"] in seen:
            raise DataError(f"duplicate id {rec['id']!r}")
        seen.add(rec["id"])
        yield rec
