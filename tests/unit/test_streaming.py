"""Streamed data preparation and mixtures write the same bytes as the in-memory versions
(codepeft.data.prepare.write_capped / write_task_splits, codepeft.mixing.write_mixture)."""

from __future__ import annotations

import json
import random

import pytest

from codepeft import mixing
from codepeft.data import codexglue, prepare
from codepeft.data.records import DataError, check_records
from codepeft.io import read_jsonl, write_jsonl
from tests.conftest import shared_data_cfg


def _in_memory_task_split(task, lang, split, data_cfg, path, seed):
    """write_task_splits as it was before streaming: every record in a list, then capped."""
    settings = prepare.split_settings(task, lang, split, data_cfg)
    records, _ = prepare.build_split(task, lang, split, settings)
    records = check_records(records, task)
    records = prepare.cap_rows(records, settings["max_rows"], seed)
    write_jsonl(path, records)


@pytest.mark.parametrize(
    "task,lang,split",
    [
        ("summarization", "python", "valid"),
        ("generation", "python", "valid"),
        ("translation", "cs-java", "train"),
        ("generation", "java", "test"),
    ],
)
@pytest.mark.parametrize("max_rows", [None, 37])
def test_write_task_splits_matches_in_memory(shared, tmp_path, task, lang, split, max_rows):
    cfg = shared_data_cfg(shared / "data", max_rows={split: max_rows})
    streamed, reference = tmp_path / "streamed.jsonl", tmp_path / "reference.jsonl"
    counts = prepare.write_task_splits(task, lang, cfg, {split: streamed}, seed=7)
    _in_memory_task_split(task, lang, split, cfg, reference, seed=7)
    assert streamed.read_bytes() == reference.read_bytes()
    n = len(streamed.read_bytes().splitlines())
    assert counts["rows"][split] == n and (max_rows is None or n == max_rows)
    assert not list(tmp_path.glob("*.tmp"))


def test_write_task_splits_embedded_generation_skips(tmp_path):
    out = tmp_path / "train.jsonl"
    counts = prepare.write_task_splits("generation", "python", {}, {"train": out})
    settings = prepare.split_settings("generation", "python", "train", {})
    records, skipped = prepare.build_split("generation", "python", "train", settings)
    assert counts["skipped"]["train"] == skipped
    assert read_jsonl(out) == records


def test_write_capped_empty_and_failure_leave_nothing(tmp_path):
    path = tmp_path / "x.jsonl"
    assert prepare.write_capped(path, iter([]), None, 1) == (0, 0)
    assert not list(tmp_path.iterdir())

    def broken():
        yield {"id": "a"}
        raise DataError("bad row")

    with pytest.raises(DataError, match="bad row"):
        prepare.write_capped(path, broken(), 1, 1)
    assert not list(tmp_path.iterdir())


def test_code_to_text_iterator_checks_the_source_at_once(tmp_path):
    with pytest.raises(DataError, match="neither"):
        codexglue.iter_code_to_text_rows("python", "train", tmp_path)


def _record(task, lang, i, reference="r"):
    return {
        "id": f"{lang}-{i}",
        "task": task,
        "language": lang,
        "split": "train",
        "inputs": {"code": f"def f{i}(): pass", "summary": "s", "signature": "def f():"},
        "reference": None if reference is None else f"{reference}{i}",
        "meta": {},
    }


@pytest.mark.parametrize(
    "strategy,options",
    [(s, {}) for s in mixing.STRATEGIES]
    + [
        ("concat_shuffle", {"source_order": "package", "shuffler": "hf_datasets"}),
        ("concat_shuffle", {"shuffle_sources_first": True, "java_label": "Function"}),
        ("equal", {"source_order": "package", "shuffle_sources_first": True}),
    ],
)
def test_write_mixture_matches_in_memory(tmp_path, strategy, options):
    rng = random.Random(0)
    files = []
    for k, (task, lang, n) in enumerate(
        [("summarization", "python", 53), ("translation", "java-cs", 9), ("generation", "java", 0)]
    ):
        path = tmp_path / f"src{k}.jsonl"
        rows = [_record(task, lang, i, None if rng.random() < 0.1 else "é") for i in range(n)]
        write_jsonl(path, rows)
        files.append(str(path))
    streamed, reference = tmp_path / "streamed.jsonl", tmp_path / "reference.jsonl"
    n = mixing.write_mixture(files, streamed, strategy, seed=3, temperature=1.5, **options)
    rows = mixing.build_mixture(files, strategy, seed=3, temperature=1.5, **options)
    write_jsonl(reference, rows)
    assert streamed.read_bytes() == reference.read_bytes()
    assert n == len(read_jsonl(streamed)) > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*(f"src{k}.jsonl" for k in range(3)), "streamed.jsonl", "reference.jsonl"]
    )


def test_mix_order_is_mix_of_indices():
    sources = [[{"id": f"a{i}"} for i in range(30)], [{"id": f"b{i}"} for i in range(4)]]
    for strategy in mixing.STRATEGIES:
        order = mixing.mix_order([30, 4], strategy, seed=5)
        pool = sources[0] + sources[1]
        assert [pool[i] for i in order] == mixing.mix(sources, strategy, seed=5)
    assert json.dumps(mixing.mix_order([], "concat_shuffle", 1)) == "[]"
