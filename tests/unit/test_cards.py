"""codepeft.cards (model cards) and codepeft.push (`codepeft push`, dry runs only: never the
network): the card's front matter and body, the base's license, a trained tiny adapter that
loads as it is with its card installed, and what a push would upload."""

import json
import os

import pytest
import yaml

from codepeft import cards, config, mixing, push, train
from codepeft.io import write_jsonl
from tests.conftest import REPO, tiny_records

HEADLINE = [
    {
        "comparison": "zs_vs_mt_qlora",
        "model": "tiny",
        "baseline": "zero_shot",
        "method": "mt_qlora",
        "task": "translation",
        "lang": "java-cs",
        "measure": "codebleu",
        "n_paired": "36",
        "mean_baseline": 0.0,
        "mean_method": 0.2643,
        "test": "wilcoxon",
        "p": 1.6e-7,
        "p_adj": 1.6e-7,
        "verdict": "better",
    }
]
MANIFEST = {
    "mixture": "summarization+translation-1a2b3c4d",
    "sources": [["summarization", "python"], ["translation", "java-cs"]],
    "rows": {"train": 96, "valid": 12},
    "seed": 42,
    "mixing": {"strategy": "concat_shuffle"},
}
RECORD = {
    "finetune_requested": "qlora",
    "finetune_used": "qlora",
    "lora_fallback": False,
    "seed": 42,
    "global_step": 18,
    "train_rows": 96,
    "training": {"learning_rate": 0.005, "lora": {"r": 64}},
    "log_history": [{"loss": 2.5, "step": 1}, {"loss": 1.25, "step": 18}],
    "cost": {"trainable_params": 688128},
}


@pytest.fixture(scope="module")
def demo_config():
    return config.load(REPO / "config.yaml")


def hub_config(demo_config, **model):
    cfg = json.loads(json.dumps(demo_config))
    cfg["models"] = {"coder": {"source": "Qwen/Qwen2.5-Coder-0.5B-Instruct", **model}}
    cfg["data"]["translation"]["local_dir"] = None
    cfg["data"]["code_to_text"]["local_dir"] = None
    return cfg


def test_card_front_matter_and_body(demo_config):
    cfg = hub_config(demo_config, license="apache-2.0")
    job = cards.CardJob("coder", "mt_qlora", "42", "multi")
    text = cards.card_text(cfg, job, RECORD, MANIFEST, HEADLINE)
    meta = cards.front_matter(text)
    assert meta == {
        "base_model": "Qwen/Qwen2.5-Coder-0.5B-Instruct",
        "library_name": "peft",
        "license": "apache-2.0",
        "pipeline_tag": "text-generation",
        "tags": ["codepeft", "qlora", "code", "summarization", "translation"],
        "datasets": [
            "google/code_x_glue_ct_code_to_text",
            "google/code_x_glue_cc_code_to_code_trans",
        ],
    }
    body = text.split("\n---\n", 1)[1]
    assert "# coder/mt_qlora/seed-42/multi" in body
    assert "96 training and 12 validation examples" in body and "- translation / java-cs" in body
    assert "first / last training loss: 2.5 / 1.25" in body and "learning_rate: 0.005" in body
    assert (
        "| translation | java-cs | codebleu | 36 | 0 | 0.2643 | wilcoxon | 1.6e-07 | better |"
        in body
    )
    assert "AutoPeftModelForCausalLM" in body and "Demo model" in body  # config.yaml: demo
    # a full fine-tune is a transformers model
    full = cards.card_text(cfg, job, dict(RECORD, finetune_used="full"), MANIFEST, [])
    assert cards.front_matter(full)["library_name"] == "transformers"
    assert "AutoModelForCausalLM.from_pretrained" in full
    assert "No comparison with a zero-shot baseline" in full


def test_the_huggingface_hub_reads_the_card(demo_config):
    from huggingface_hub import ModelCard

    cfg = hub_config(demo_config, license="apache-2.0")
    text = cards.card_text(
        cfg, cards.CardJob("coder", "mt_qlora", "42", "multi"), RECORD, MANIFEST, []
    )
    data = ModelCard(text).data
    assert data.base_model == "Qwen/Qwen2.5-Coder-0.5B-Instruct" and data.license == "apache-2.0"
    assert data.library_name == "peft" and "codepeft" in data.tags


def test_base_license(demo_config, tmp_path):
    # the tiny demo model is the project's own: its license (pyproject, LICENSE: MIT)
    assert cards.base_license(demo_config, "tiny")[0] == "mit"
    cfg = hub_config(demo_config)
    assert cards.base_license(cfg, "coder")[0] == "unknown"
    assert cards.base_license(hub_config(demo_config, license="other"), "coder")[0] == "other"
    local = tmp_path / "base"
    local.mkdir()
    (local / "README.md").write_text("---\nlicense: bsd-3-clause\n---\n# a base\n")
    cfg["models"]["coder"]["source"] = str(local)
    assert cards.base_license(cfg, "coder") == (
        "bsd-3-clause",
        f"the base model's README ({local})",
    )


def test_install_keeps_the_folder_times(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "adapter_config.json").write_text("{}")
    os.utime(folder, ns=(1_000_000_000, 2_000_000_000))
    cards.install("---\ntags: [codepeft]\n---\n", folder)
    assert folder.stat().st_mtime_ns == 2_000_000_000
    assert push.is_card(folder / "README.md")


FAST = {
    "max_steps": 2,
    "warmup_steps": 1,
    "per_device_batch_size": 4,
    "max_length": 128,
    "eval_steps": 2,
    "save_steps": 2,
    "logging_steps": 1,
    "eval_max_rows": 4,
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_model, demo_config):
    """A tiny QLoRA adapter in a study layout (results/models/tiny/mt_qlora/seed-42/multi), its
    mixture manifest, and its card written by `write_cards`."""
    root = tmp_path_factory.mktemp("card_study")
    data = root / "data.jsonl"
    write_jsonl(
        data, tiny_records("translation", 12, prefix="r") + tiny_records("summarization", 12)
    )
    write_jsonl(root / "mix.jsonl", mixing.build_mixture([str(data)]))
    job = cards.CardJob("tiny", "mt_qlora", "42", "multi")
    out = root / job.model_dir
    train.train(
        str(tiny_model),
        "qlora",
        str(root / "mix.jsonl"),
        None,
        str(out),
        str(root / "ck"),
        train.TrainingSpec.from_dict(FAST),
    )
    (out / ".snakemake_timestamp").write_text("")
    manifest = root / job.manifest(demo_config)
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps(MANIFEST))
    written = cards.write_cards(demo_config, [], root=root, jobs=[job])
    assert written == [job.card]
    return root, job


@pytest.mark.slow  # a QLoRA training of the tiny model, then loading it back
def test_a_folder_with_its_card_loads_as_it_is(trained, tiny_model):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    root, job = trained
    folder = root / job.model_dir
    card = (folder / "README.md").read_text()
    assert card == (root / job.card).read_text()
    meta = cards.front_matter(card)
    assert meta["library_name"] == "peft" and meta["license"] == "mit"
    assert "base_model" not in meta  # the tiny base is no Hub model
    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    model = PeftModel.from_pretrained(base, folder)
    assert model.peft_config["default"].r == train.TrainingSpec.from_dict(FAST).lora["r"]


@pytest.mark.slow  # uses the trained adapter
def test_push_dry_run_lists_the_files_and_the_card(trained, capsys, monkeypatch):
    root, job = trained
    folder = root / job.model_dir
    monkeypatch.delenv("HF_TOKEN", raising=False)
    assert push.main(["--model", str(folder), "--repo-id", "me/tiny", "--dry-run"]) == 0
    shown = capsys.readouterr().out
    listed = [line.split()[0] for line in shown.split("\n--- model card")[0].splitlines()[1:]]
    assert listed[0] == "README.md" and listed.count("README.md") == 1
    assert {"adapter_model.safetensors", "adapter_config.json", "codepeft_training.json"} <= set(
        listed
    )
    assert ".snakemake_timestamp" not in listed
    assert "# tiny/mt_qlora/seed-42/multi" in shown and "https://huggingface.co/me/tiny" in shown
    # a real push needs HF_TOKEN: without it nothing is sent
    assert push.main(["--model", str(folder), "--repo-id", "me/tiny"]) == 2
    assert "HF_TOKEN" in capsys.readouterr().err


def test_push_takes_the_card_from_results_cards(tmp_path):
    folder = tmp_path / "results/models/tiny/mt_fft/seed-42/multi"
    folder.mkdir(parents=True)
    (folder / "codepeft_training.json").write_text("{}")
    (folder / "README.md").write_text("---\nlibrary_name: peft\n---\n# PEFT's template\n")
    with pytest.raises(push.PushError, match="no model card"):
        push.plan_upload(folder, "me/x")
    card = tmp_path / "results/cards/tiny/mt_fft/seed-42/multi/README.md"
    card.parent.mkdir(parents=True)
    card.write_text(yaml.safe_dump({"tags": ["codepeft"]}).join(["---\n", "---\n# card\n"]))
    upload = push.plan_upload(folder, "me/x")
    assert upload.card == card
    assert [p for p, _ in upload.files] == ["README.md", "codepeft_training.json"]


def test_push_needs_one_repo_per_model(tmp_path):
    with pytest.raises(SystemExit):
        push.main(["--model", str(tmp_path), "--repo-id", "a/b", "--repo-id", "c/d", "--dry-run"])
