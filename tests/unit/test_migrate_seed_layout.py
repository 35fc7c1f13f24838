"""scripts/migrate_seed_layout.py: a study from before training seeds moves into the seed layout
(trained methods under seed-<seed>, zero-shot and the references under seed-none), once."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from codepeft import config as study_config

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "migrate_seed_layout", REPO / "scripts" / "migrate_seed_layout.py"
)
migrate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(migrate)

OLD = [
    "results/models/tiny/mt_qlora/multi/adapter_model.safetensors",
    "results/models/tiny/st_qlora/translation/.snakemake_timestamp",
    "results/predictions/tiny/zero_shot/summarization/python.jsonl",
    "results/predictions/tiny/mt_fft/generation/java.codereval.jsonl",
    "results/predictions/reference/reference/translation/java-cs.jsonl",
    "results/metrics/pylint/reference/reference/generation/python.tsv",
    "results/metrics/surface/tiny/mt_qlora/summarization/python.summary.json",
    "results/benchmarks/train/tiny/mt_fft/multi.tsv",
    "logs/generate/tiny/zero_shot/generation/python.log",
    "results/base/tiny/config.json",  # no method folder: stays
    "results/mixtures/translation-71c83006/train.jsonl",  # stays
]
NEW = [
    "results/models/tiny/mt_qlora/seed-42/multi/adapter_model.safetensors",
    "results/models/tiny/st_qlora/seed-42/translation/.snakemake_timestamp",
    "results/predictions/tiny/zero_shot/seed-none/summarization/python.jsonl",
    "results/predictions/tiny/mt_fft/seed-42/generation/java.codereval.jsonl",
    "results/predictions/reference/reference/seed-none/translation/java-cs.jsonl",
    "results/metrics/pylint/reference/reference/seed-none/generation/python.tsv",
    "results/metrics/surface/tiny/mt_qlora/seed-42/summarization/python.summary.json",
    "results/benchmarks/train/tiny/mt_fft/seed-42/multi.tsv",
    "logs/generate/tiny/zero_shot/seed-none/generation/python.log",
    "results/base/tiny/config.json",
    "results/mixtures/translation-71c83006/train.jsonl",
]


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_old_layout_moves_into_seed_folders_keeping_times(tmp_path):
    for i, rel in enumerate(OLD):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel)
        os.utime(path, ns=(10**18 + i, 10**18 + i))
    (tmp_path / "config.yaml").write_text((REPO / "config.yaml").read_text())
    assert migrate.main(["--study", str(tmp_path)]) == 0  # a dry run moves nothing
    assert _files(tmp_path) == sorted(OLD + ["config.yaml"])
    assert migrate.main(["--study", str(tmp_path), "--apply"]) == 0
    assert _files(tmp_path) == sorted(NEW + ["config.yaml"])
    for i, (old, new) in enumerate(zip(OLD, NEW, strict=True)):
        assert (tmp_path / new).read_text() == old
        assert (tmp_path / new).stat().st_mtime_ns == 10**18 + i  # Snakemake's view unchanged
    # once: a migrated (or new) study has nothing left to move
    config = study_config.load(tmp_path / "config.yaml")
    assert migrate.planned_moves(tmp_path, config) == []


def test_several_training_seeds_cannot_be_an_old_study():
    config = study_config.load(REPO / "config.yaml")
    config["training"]["seeds"] = [42, 7]
    with pytest.raises(ValueError, match="seeds"):
        migrate.method_seeds(config)
