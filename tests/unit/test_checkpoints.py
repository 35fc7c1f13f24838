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
