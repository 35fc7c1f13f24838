"""The overlap audit of one test set against one training mixture (rule `overlap_audit`).

Reads results/data/{task}/{lang}/test.jsonl and results/mixtures/{mixture}/train.jsonl and
writes, for every test id (each exactly once, in the test file's order),
results/overlap/{mixture}/{task}/{lang}.tsv (`COLUMNS`) and a summary beside it (counts,
settings, a few flagged examples, time). The index and its normalisation:
`codepeft.overlap.index`. What a test item's texts are: every string of its `inputs` but
`level`, and its reference; a training example's: its prompt's user messages and its
completion (what the model was trained on), its id `task/language/id` (an id alone repeats
across the summarization and generation rows of one function).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

from codepeft.config import schema_defaults
from codepeft.io import iter_jsonl, read_jsonl, read_tsv, write_json, write_tsv
from codepeft.overlap.index import OverlapIndex

log = logging.getLogger(__name__)

DEFAULTS = schema_defaults("overlap")
COLUMNS = ("id", "status", "n_units", "containment", "field", "exact", "flagged", "top_train_ids")
NOT_METADATA = ("level",)  # inputs keys that are no text of the item
OK = "ok"


def item_fields(record: dict) -> list[tuple[str, str]]:
    """(field, text) of a test record: its inputs' strings (not `level`) and its reference."""
    inputs = record.get("inputs") or {}
    fields = [
        (f"inputs.{k}", v)
        for k, v in inputs.items()
        if isinstance(v, str) and v.strip() and k not in NOT_METADATA
    ]
    if isinstance(record.get("reference"), str) and record["reference"].strip():
        fields.append(("reference", record["reference"]))
    return fields


def training_examples(path: str | Path) -> Iterator[tuple[str, list[str]]]:
    """(training id, texts) of every example of a mixture file (streamed)."""
    for row in iter_jsonl(path):
        texts = [
            m["content"]
            for m in list(row.get("prompt") or []) + list(row.get("completion") or [])
            if m.get("role") != "system" and isinstance(m.get("content"), str)
        ]
        yield f"{row.get('task')}/{row.get('language')}/{row['id']}", texts


def options(section: dict | None) -> dict:
    """The `overlap` settings the audit reads (the schema's defaults filled)."""
    given = {**DEFAULTS, **(section or {})}
    return {k: given[k] for k in ("n", "threshold", "top")}


def audit(test_path, train_path, settings: dict | None = None, batch: int = 2000) -> tuple:
    """(rows, summary) of one test set against one training mixture."""
    settings = options(settings)
    started = time.perf_counter()
    records = read_jsonl(test_path)
    index = OverlapIndex.build([item_fields(r) for r in records], settings["n"], settings["top"])
    log.info(
        "overlap: %d test items, %d units, %d distinct %d-grams",
        len(records), len(index.units), len(index.hashes), settings["n"],
    )  # fmt: skip
    n_train = index.add(training_examples(train_path), batch=batch)
    results = index.item_results(len(records))
    rows = []
    for record, res in zip(records, results, strict=True):
        computed = res["n_units"] > 0
        flagged = computed and (res["exact"] or res["containment"] >= settings["threshold"])
        rows.append(
            dict(
                id=str(record["id"]),
                status=OK
                if computed
                else f"not computed: no text of at least {settings['n']} tokens",
                n_units=res["n_units"],
                containment=round(res["containment"], 6) if computed else None,
                field=res["field"],
                exact=int(res["exact"]) if computed else None,
                flagged=int(flagged),
                top_train_ids=" ".join(f"{m.train_id}:{m.containment:.3f}" for m in res["matches"]),
            )
        )
    flagged_rows = [r for r in rows if r["flagged"]]
    summary = dict(
        test=str(test_path),
        train=str(train_path),
        **settings,
        normalisation="comments removed (/* */, //, #), lower case, word runs and single "
        "punctuation marks (codepeft.overlap.index)",
        n_items=len(rows),
        n_computed=sum(r["status"] == OK for r in rows),
        n_flagged=len(flagged_rows),
        n_exact=sum(bool(r["exact"]) for r in rows),
        n_train_examples=n_train,
        examples=[
            {k: r[k] for k in ("id", "containment", "field", "exact", "top_train_ids")}
            for r in sorted(flagged_rows, key=lambda r: -r["containment"])[:5]
        ],
        seconds=round(time.perf_counter() - started, 3),
    )
    log.info(
        "overlap: %d of %d test items flagged (%d verbatim) against %d training examples in %.1f s",
        summary["n_flagged"], len(rows), summary["n_exact"], n_train, summary["seconds"],
    )  # fmt: skip
    return rows, summary


def write(rows: list[dict], summary: dict, table: str | Path, summary_path: str | Path) -> None:
    write_tsv(table, rows, COLUMNS)
    write_json(summary_path, summary)


def flagged_ids(path: str | Path) -> frozenset[str]:
    """The ids an audit table flags."""
    return frozenset(r["id"] for r in read_tsv(path) if r.get("flagged") == "1")
