"""Any causal LM (issue 26, item 4): LoRA target modules found for an architecture, named chat
templates for tokenizers without one (and the error when neither), the tiny Llama-shaped demo
model, and the model settings in the jobs' params (left out while null)."""

from __future__ import annotations

import copy

import pytest

from codepeft import config as study_config
from codepeft import generate, models, prompts, study
from codepeft.io import write_jsonl
from tests.conftest import REPO, tiny_records

SMALL = dict(
    vocab_size=64,
    hidden_size=16,
    intermediate_size=32,
    num_hidden_layers=2,
    num_attention_heads=2,
    num_key_value_heads=1,
)
LLAMA_QWEN_PROJECTIONS = [
    "down_proj",
    "gate_proj",
    "k_proj",
    "o_proj",
    "q_proj",
    "up_proj",
    "v_proj",
]
MESSAGES = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]


def _qwen2():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    return Qwen2ForCausalLM(Qwen2Config(**SMALL))


def _llama():
    from transformers import LlamaConfig, LlamaForCausalLM

    return LlamaForCausalLM(LlamaConfig(**SMALL))


def _gpt2():
    from transformers import GPT2Config, GPT2LMHeadModel

    return GPT2LMHeadModel(GPT2Config(vocab_size=64, n_embd=16, n_layer=2, n_head=2))


@pytest.mark.parametrize(
    "build, expected",
    [
        (_qwen2, LLAMA_QWEN_PROJECTIONS),
        (_llama, LLAMA_QWEN_PROJECTIONS),
        (_gpt2, ["c_attn", "c_fc", "c_proj"]),  # Conv1D, not nn.Linear
    ],
)
def test_lora_target_modules_are_the_decoder_blocks_projections(build, expected):
    model = build()
    found = models.lora_target_modules(model)
    assert found == expected
    assert "lm_head" not in found and "embed_tokens" not in found
    assert models.resolve_target_modules(model, "auto") == expected


def test_a_target_list_the_model_lacks_names_its_projections():
    with pytest.raises(ValueError, match=r"c_attn.*target_modules: auto"):
        models.resolve_target_modules(_gpt2(), ["q_proj", "v_proj"])
    assert models.resolve_target_modules(_llama(), ["q_proj", "v_proj"]) == ["q_proj", "v_proj"]


def test_peft_adapts_exactly_the_discovered_modules():
    from peft import LoraConfig, get_peft_model

    model = _gpt2()
    targets = models.resolve_target_modules(model, "auto")
    peft_model = get_peft_model(model, LoraConfig(r=2, target_modules=targets))
    adapted = {
        n.split(".lora_A")[0].split(".")[-1]
        for n, _ in peft_model.named_parameters()
        if "lora_A" in n
    }
    assert adapted == {"c_attn", "c_proj", "c_fc"}


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_llama")
    write_jsonl(root / "corpus.jsonl", tiny_records("summarization", 12))
    return models.build_tiny_model(
        root / "llama", [root / "corpus.jsonl"], pretrain_epochs=0, build="tiny_llama"
    )


def test_tiny_llama_is_llama_shaped_without_a_chat_template(tiny_llama):
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(tiny_llama)
    assert config.model_type == "llama" and not config.tie_word_embeddings
    with pytest.raises(prompts.MissingChatTemplate, match="models.<name>.chat_template"):
        models.load_tokenizer(str(tiny_llama))
    tokenizer = models.load_tokenizer(str(tiny_llama), chat_template="llama3")
    assert tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True) == (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )
    vocab = tokenizer.get_vocab()
    # generation stops at Llama's end of turn and end of text, never at a ChatML token
    assert generate.stop_ids(tokenizer, "chat") == [vocab["<|eot_id|>"], vocab["<|end_of_text|>"]]
    assert generate.stop_ids(tokenizer, "tokenizer") == [vocab["<|eot_id|>"]]
    decoded = tokenizer.decode(tokenizer("<|eot_id|>x")["input_ids"], skip_special_tokens=True)
    assert decoded == "x"


def test_named_templates_render_each_format(tiny_model):
    tokenizer = models.load_tokenizer(str(tiny_model))  # the tiny Qwen: its own (Qwen2.5's)
    own = tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    chatml = (
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"
    )
    assert own == chatml
    rendered = {}
    for name in prompts.NAMED_CHAT_TEMPLATES:
        prompts.set_chat_template(tokenizer, name)
        rendered[name] = tokenizer.apply_chat_template(
            MESSAGES + [{"role": "assistant", "content": "A"}], tokenize=False
        )
        prompt = tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
        assert rendered[name].startswith(prompt)  # completion-only loss needs the prefix
    assert rendered["chatml"] == chatml + "A<|im_end|>\n"
    assert rendered["plain"] == "System: S\n\nUser: U\n\nAssistant: A\n\n<|im_end|>"
    assert rendered["llama3"].endswith(
        "<|start_header_id|>assistant<|end_header_id|>\n\nA<|eot_id|>"
    )
    with pytest.raises(ValueError, match="unknown chat template 'vicuna'"):
        prompts.set_chat_template(tokenizer, "vicuna")
    tokenizer.chat_template = None
    with pytest.raises(prompts.MissingChatTemplate, match="chatml, llama3, plain"):
        prompts.set_chat_template(tokenizer, None, "some/model")


def test_qwen_stop_ids_unchanged(tiny_model):
    tokenizer = models.load_tokenizer(str(tiny_model))
    vocab = tokenizer.get_vocab()
    assert generate.stop_ids(tokenizer, "chat") == [vocab["<|im_end|>"], vocab["<|endoftext|>"]]


# --- the config: model settings in the jobs' params, left out while null ---------------------


@pytest.fixture(scope="module")
def embedded():
    return study_config.load(REPO / "config.yaml")


def test_model_settings_stay_out_of_params_while_null(embedded):
    cfg = copy.deepcopy(embedded)
    assert cfg["models"]["tiny"]["chat_template"] is None
    assert cfg["models"]["tiny"]["target_modules"] is None
    plain = study.training_spec(cfg, "mt_qlora", "multi")
    assert study.training_spec(cfg, "mt_qlora", "multi", "tiny") == plain
    assert study.decoding_spec(cfg, "generation", "mt_qlora", model="tiny") == study.decoding_spec(
        cfg, "generation", "mt_qlora"
    )
    cfg["models"]["tiny"].update(chat_template="plain", target_modules="auto")
    spec = study.training_spec(cfg, "mt_qlora", "multi", "tiny")
    assert spec["lora"]["target_modules"] == "auto" and spec["lora"]["r"] == plain["lora"]["r"]
    assert spec[study.MODEL_CHAT_TEMPLATE] == "plain"
    decoding = study.decoding_spec(cfg, "summarization", "zero_shot", model="tiny")
    assert decoding["model_chat_template"] == "plain"
    assert generate.DecodingSpec.from_dict(decoding).model_chat_template == "plain"


def test_model_settings_are_validated():
    base = {
        "models": {"m": {"source": "org/m", "chat_template": "llama3", "target_modules": "auto"}},
        "methods": {"zero_shot": {"finetune": "none"}},
        "tasks": {"summarization": {"languages": ["python"]}},
    }
    study_config.validate(copy.deepcopy(base))
    for bad in ({"chat_template": "vicuna"}, {"target_modules": "all"}, {"target_modules": []}):
        cfg = copy.deepcopy(base)
        cfg["models"]["m"].update(bad)
        with pytest.raises(study_config.ConfigError, match="models.m"):
            study_config.validate(cfg)
    cfg = copy.deepcopy(base)
    cfg["models"]["m"] = {"source": "elsewhere", "build": "tiny_llama"}
    with pytest.raises(study_config.ConfigError, match="results/base/m"):
        study_config.validate(cfg)


def test_train_job_takes_the_chat_template_out_of_the_training_param():
    from types import SimpleNamespace

    from codepeft.train import TrainJob

    params = SimpleNamespace(
        source="results/base/llama",
        finetune="qlora",
        training={"epochs": 1, study.MODEL_CHAT_TEMPLATE: "llama3"},
        checkpoints="ck",
        seed=1,
        revision=None,
        get=lambda key, default=None: default,
    )
    sm = SimpleNamespace(
        params=params,
        input=SimpleNamespace(train="t.jsonl", valid="v.jsonl"),
        output=["out"],
        threads=1,
        config={"study": {"name": "t"}, "training": {"report_to": "none"}},
        wildcards={"model": "llama", "method": "mt_qlora", "seed": "1", "scope": "multi"},
    )
    job = TrainJob.from_snakemake(sm)
    assert job.chat_template == "llama3" and job.training == {"epochs": 1}
    assert job.spec().epochs == 1
    assert job.argv()[-2:] == ["--chat-template", "llama3"]
