"""Checkpoints are resumed only by the training that wrote them (codepeft.train.claim_checkpoints)."""

import json

from codepeft import train


def _key(tmp_path, lr=1e-4):
    data = tmp_path / "train.jsonl"
    if not data.exists():
        data.write_text('{"prompt": "a", "completion": "b"}\n')
    spec = train.TrainingSpec.from_dict({"learning_rate": lr})
    return train.run_key(
        model_source="m", finetune="qlora", train_file=str(data), spec=spec, seed=1
    )


def _checkpoint(ckpt):
    (ckpt / "checkpoint-2").mkdir(parents=True)
    (ckpt / "checkpoint-2" / "trainer_state.json").write_text("{}")


def test_same_training_keeps_its_checkpoints(tmp_path):
    ckpt = tmp_path / "ckpt"
    train.claim_checkpoints(ckpt, _key(tmp_path))
    _checkpoint(ckpt)
    train.claim_checkpoints(ckpt, _key(tmp_path))
    assert (ckpt / "checkpoint-2").is_dir()


def test_changed_settings_or_data_discard_old_checkpoints(tmp_path, caplog):
    ckpt = tmp_path / "ckpt"
    train.claim_checkpoints(ckpt, _key(tmp_path))
    _checkpoint(ckpt)
    train.claim_checkpoints(ckpt, _key(tmp_path, lr=3e-3))
    assert not (ckpt / "checkpoint-2").exists()
    assert "differs in spec" in caplog.text
    assert json.loads((ckpt / train.RUN_KEY_FILE).read_text())["spec"]["learning_rate"] == 3e-3
    _checkpoint(ckpt)
    (tmp_path / "train.jsonl").write_text('{"prompt": "rebuilt", "completion": "b"}\n')
    train.claim_checkpoints(ckpt, _key(tmp_path, lr=3e-3))
    assert not (ckpt / "checkpoint-2").exists() and "differs in train_file" in caplog.text


def test_unlabelled_checkpoints_are_not_resumed(tmp_path, caplog):
    ckpt = tmp_path / "ckpt"
    _checkpoint(ckpt)  # e.g. written before run keys existed
    train.claim_checkpoints(ckpt, _key(tmp_path))
    assert not (ckpt / "checkpoint-2").exists() and "no run key" in caplog.text


def _saved(ckpt, step, complete=True):
    folder = ckpt / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"\0" * 16)
    if complete:
        train.mark_complete(folder, step)
    return folder


def test_resume_takes_the_newest_complete_checkpoint_and_drops_cut_off_ones(tmp_path, caplog):
    # a kill during the save of checkpoint-30 left it without the completion marker (and a
    # half-written marker is never taken for one): the retry resumes from checkpoint-20 and
    # removes the cut-off folder, so the next retry does not trip on it again
    ckpt = tmp_path / "ckpt"
    _saved(ckpt, 10)
    _saved(ckpt, 20)
    cut_off = _saved(ckpt, 30, complete=False)
    (cut_off / (train.COMPLETE_MARKER + ".tmp")).write_text('{"global_st')
    assert train.last_checkpoint(ckpt) == str(ckpt / "checkpoint-20")
    assert not cut_off.exists()
    assert "removing incomplete checkpoint" in caplog.text
    assert json.loads((ckpt / "checkpoint-20" / train.COMPLETE_MARKER).read_text()) == {
        "global_step": 20
    }


def test_no_complete_checkpoint_means_a_fresh_start(tmp_path):
    ckpt = tmp_path / "ckpt"
    assert train.last_checkpoint(ckpt) is None
    _saved(ckpt, 5, complete=False)
    (ckpt / "checkpoint-notes").mkdir()  # not a checkpoint folder: left alone
    assert train.last_checkpoint(ckpt) is None
    assert (ckpt / "checkpoint-notes").is_dir()


def test_rotation_keeps_the_newest_complete_checkpoints_and_the_best(tmp_path):
    ckpt = tmp_path / "ckpt"
    for step in (2, 4, 6, 8):
        _saved(ckpt, step)
    assert train.rotate_checkpoints(ckpt, None) == [] and train.rotate_checkpoints(ckpt, 0) == []
    removed = train.rotate_checkpoints(ckpt, 2, best=str(ckpt / "checkpoint-2"))
    # the best (2) and the newest (8) stay, and they are already two
    assert removed == [str(ckpt / "checkpoint-4"), str(ckpt / "checkpoint-6")]
    assert sorted(p.name for p in ckpt.iterdir()) == ["checkpoint-2", "checkpoint-8"]
    _saved(ckpt, 10)
    assert train.rotate_checkpoints(ckpt, 1) == [
        str(ckpt / "checkpoint-2"),
        str(ckpt / "checkpoint-8"),
    ]
    assert train.last_checkpoint(ckpt) == str(ckpt / "checkpoint-10")


def test_rotation_never_counts_or_removes_a_folder_being_written(tmp_path):
    ckpt = tmp_path / "ckpt"
    _saved(ckpt, 2)
    writing = _saved(ckpt, 4, complete=False)
    assert train.rotate_checkpoints(ckpt, 1) == []
    assert writing.is_dir() and (ckpt / "checkpoint-2").is_dir()
