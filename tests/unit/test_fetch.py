"""`codepeft fetch`: what a config needs from the hub (the ids the loaders read), downloads
(snapshot_download replaced, no network) and the offline check on planted HF caches."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest

from codepeft import config as study_config
from codepeft import fetch, study, tasks
from codepeft.data import hub, prepare
from codepeft.data.records import DataError
from tests.conftest import REPO

PAPER = ["config/paper.yaml"]
QWEN = "Qwen/Qwen2.5-Coder-0.5B-Instruct"
C2T = "google/code_x_glue_ct_code_to_text"
TRANS = "google/code_x_glue_cc_code_to_code_trans"


def paper(**overrides) -> dict:
    """The paper preset with `overrides` merged in key by key (as a second config file)."""
    config = study.deep_merge(study_config.load_study(PAPER, REPO), overrides)
    return study_config.validate(config)


@pytest.fixture
def hf_home(tmp_path, monkeypatch) -> Path:
    """An empty HF cache (HF_HOME) for this test and the offline child processes."""
    home = tmp_path / "hf"
    home.mkdir()
    monkeypatch.setenv("HF_HOME", str(home))
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_DATASETS_CACHE"):
        monkeypatch.delenv(var, raising=False)
    return home


# --- planted caches (the layouts huggingface_hub and datasets read offline) -------------------


def safetensors_bytes(values: int = 2) -> bytes:
    header = json.dumps({"w": {"dtype": "F32", "shape": [values], "data_offsets": [0, 4 * values]}})
    return struct.pack("<Q", len(header)) + header.encode() + b"\0" * (4 * values)


def plant_model(home: Path, repo_id: str, files: dict[str, bytes] | None = None) -> Path:
    """A snapshot in huggingface_hub's cache layout (refs/main -> snapshots/<commit>/)."""
    commit = "a" * 40
    root = home / "hub" / ("models--" + repo_id.replace("/", "--"))
    (root / "refs").mkdir(parents=True)
    (root / "refs" / "main").write_text(commit)
    snapshot = root / "snapshots" / commit
    snapshot.mkdir(parents=True)
    files = files or {
        "config.json": b"{}",
        "tokenizer.json": b"{}",
        "model.safetensors": safetensors_bytes(),
    }
    for name, data in files.items():
        (snapshot / name).write_bytes(data)
    return snapshot


def plant_dataset(home: Path, name: str, config: str | None, splits: list[str]) -> None:
    """The Arrow cache an online `load_dataset(name, config)` leaves in HF_HOME/datasets, which
    an offline load_dataset reads (built from local parquet files, then moved into place)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from datasets.packaged_modules.parquet.parquet import Parquet

    src = home / "src" / name / str(config)
    src.mkdir(parents=True)
    table = pa.table(
        {"id": [0, 1], "code_tokens": [["a"], ["b"]], "docstring_tokens": [["x"], ["y"]]}
    )
    for split in splits:
        pq.write_table(table, src / f"{split}.parquet")
    cache = home / "datasets"
    builder = Parquet(
        cache_dir=str(cache),
        dataset_name=name.split("/")[-1],
        config_name=config or "default",
        data_files={s: [str(src / f"{s}.parquet")] for s in splits},
        hash="0" * 16,
    )
    builder.download_and_prepare()
    built = Path(builder.cache_dir).parents[1]  # <cache>/<dataset>/<config-suffix>
    target = cache / name.replace("/", "___") / (config or "default")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(built), str(target))
    shutil.rmtree(cache / name.split("/")[-1], ignore_errors=True)


# --- what a config needs --------------------------------------------------------------------


def test_paper_preset_needs_its_datasets_models_and_bertscore():
    items = fetch.study_needs(paper())
    assert [(i.kind, i.repo_id, i.config, i.splits) for i in items] == [
        ("dataset", C2T, "python", ("train", "validation")),
        ("dataset", C2T, "java", ("train", "validation")),
        ("dataset", TRANS, None, ("train", "validation", "test")),
        ("model", "Qwen/Qwen2.5-Coder-0.5B-Instruct", None, ()),
        ("model", "Qwen/Qwen2.5-Coder-1.5B-Instruct", None, ()),
        ("model", "Qwen/Qwen2.5-Coder-3B-Instruct", None, ()),
        ("model", "bert-base-uncased", None, ()),
    ]
    assert items[-1].why == ("metrics.bertscore.model",)


def test_embedded_default_and_rehearsal_need_nothing_from_the_hub():
    assert fetch.study_needs(study_config.load_study(["config.yaml"], REPO)) == []
    rehearsal = study_config.load_study(PAPER + ["config/rehearsal.yaml"], REPO)
    assert fetch.study_needs(rehearsal) == []


def test_dataset_ids_are_exactly_what_the_data_loaders_read(monkeypatch):
    """Every hub call iter_split makes for the paper preset is listed by study_needs, and
    nothing else: the two come from the same functions."""
    embedded = {"local_dir": "embedded"}
    config = paper(data={"codereval": embedded, "summarization_eval": embedded})
    calls = set()

    def fake_load(name, cfg, hub_split):
        calls.add((name, cfg, hub_split))
        raise ConnectionError("no network in tests")

    monkeypatch.setattr(hub, "load_hub_dataset", fake_load)
    for task, spec in config["tasks"].items():
        for lang in spec["languages"]:
            for split in tasks.SPLITS:
                settings = prepare.split_settings(task, lang, split, config["data"])
                try:  # translation reads at once, code-to-text on the first record
                    records, _ = prepare.iter_split(task, lang, split, settings)
                    next(iter(records))
                except DataError:
                    pass
    needs = {(i.repo_id, i.config, s) for i in fetch.dataset_needs(config) for s in i.splits}
    assert calls == needs
    assert (TRANS, None, "test") in calls and (C2T, "python", "test") not in calls


def test_revision_hub_ids_and_local_directories(tmp_path):
    local = tmp_path / "model"
    local.mkdir()
    config = paper(
        models={
            "a": {"source": QWEN, "revision": "v1", "params_b": 0.5},
            "b": {"source": str(local), "params_b": 0.5},
        },
        metrics={"bertscore": {"model": None}, "side": {"checkpoint": "org/side"}},
        judge={"backend": "local", "model": "Qwen/Judge"},
    )
    items = [(i.repo_id, i.revision, i.why) for i in fetch.model_needs(config)]
    assert (QWEN, "v1", ("models.a.source",)) in items
    assert (QWEN, None, ("models.qwen2.5-coder-0.5b.source",)) in items
    assert ("org/side", None, ("metrics.side.checkpoint",)) in items
    assert not any(i[0] == "Qwen/Judge" for i in items)  # a local judge is a directory
    assert not any(str(local) in i[0] for i in items) and "bert-base-uncased" not in str(items)
    assert fetch.is_hub_id("bert-base-uncased") and not fetch.is_hub_id(str(local))
    assert not fetch.is_hub_id("./models/x") and not fetch.is_hub_id("a/b/c")


def test_ignore_patterns_skip_pickles_when_safetensors_exist():
    assert "*.bin" in fetch.ignore_patterns(["model.safetensors", "pytorch_model.bin"])
    assert "*.bin" not in fetch.ignore_patterns(["pytorch_model.bin", "config.json"])
    assert "tf_model*" in fetch.ignore_patterns([])


# --- the command -------------------------------------------------------------------------------


def test_fetch_asks_snapshot_download_for_the_exact_ids_then_detects_what_is_not_cached(
    hf_home, monkeypatch, capsys
):
    import huggingface_hub

    monkeypatch.chdir(REPO)
    snapshots, datasets_loaded = [], []

    def fake_snapshot(repo_id, revision=None, ignore_patterns=None, **kwargs):
        snapshots.append((repo_id, revision, tuple(ignore_patterns)))
        return "/nowhere"

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot)
    monkeypatch.setattr(
        huggingface_hub.HfApi, "list_repo_files", lambda *a, **k: ["model.safetensors"]
    )
    monkeypatch.setattr(
        hub, "load_hub_dataset", lambda n, c, s: datasets_loaded.append((n, c, s)) or []
    )

    assert fetch.main(["--configfile", *PAPER]) == 1  # nothing really cached: the check fails
    out = capsys.readouterr().out
    assert [s[0] for s in snapshots] == [
        "Qwen/Qwen2.5-Coder-0.5B-Instruct",
        "Qwen/Qwen2.5-Coder-1.5B-Instruct",
        "Qwen/Qwen2.5-Coder-3B-Instruct",
        "bert-base-uncased",
    ]
    assert all("*.bin" in s[2] for s in snapshots)
    assert (C2T, "python", "train") in datasets_loaded and (TRANS, None, "test") in datasets_loaded
    assert "[1/7] downloading dataset" in out
    assert out.count("FAILED") == 7
    assert "FAILED model Qwen/Qwen2.5-Coder-3B-Instruct: not in the HF cache" in out


def test_dry_run_downloads_nothing(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(fetch, "download", lambda item: pytest.fail("downloaded"))
    monkeypatch.setattr(fetch, "verify_offline", lambda items: pytest.fail("checked"))
    assert fetch.main(["--configfile", *PAPER, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "[7/7] model bert-base-uncased  <- metrics.bertscore.model" in out


def test_offline_check_passes_on_a_planted_cache_and_catches_each_fault(hf_home):
    snapshot = plant_model(hf_home, QWEN)
    plant_dataset(hf_home, C2T, "python", ["train", "validation"])
    items = [
        fetch.HubItem("model", QWEN),
        fetch.HubItem("dataset", C2T, "python", splits=("train", "validation")),
        fetch.HubItem("dataset", C2T, "java", splits=("train",)),  # not cached
        fetch.HubItem("model", "Qwen/Other"),  # not cached
    ]
    results = fetch.verify_offline(items)
    assert results[0][0] and "cached offline" in results[0][1]
    assert results[1] == (True, "loaded offline: train 2, validation 2 rows")
    assert not results[2][0] and "java" in results[2][1]
    assert not results[3][0] and "not in the HF cache" in results[3][1]
    # a download cut short: the shard is shorter than its header says
    (snapshot / "model.safetensors").write_bytes(safetensors_bytes()[:-3])
    ok, detail = fetch.verify_offline(items[:1])[0]
    assert not ok and "incomplete" in detail
    (snapshot / "model.safetensors").unlink()
    ok, detail = fetch.verify_offline(items[:1])[0]
    assert not ok and "no weights" in detail


def test_sharded_weights_are_checked_shard_by_shard(tmp_path):
    index = {"weight_map": {"a": "model-1.safetensors", "b": "model-2.safetensors"}}
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "vocab.txt").write_text("x")
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    (tmp_path / "model-1.safetensors").write_bytes(safetensors_bytes())
    assert "model-2.safetensors is missing" in fetch.model_dir_problem(tmp_path)
    (tmp_path / "model-2.safetensors").write_bytes(safetensors_bytes(3))
    assert fetch.model_dir_problem(tmp_path) is None
