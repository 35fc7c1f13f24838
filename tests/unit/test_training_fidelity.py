"""The paper preset trains as the replication package did (PACKAGE.md sections 2, 9, 10):
numerics after training setup, TRL 0.9.6 packing, the mix order, checkpoint selection scores."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from codepeft import config as study_config
from codepeft import mixing, packing, selection, study, train
from codepeft.io import write_jsonl
from codepeft.paper import quirks
from tests.conftest import tiny_records

REPO = Path(__file__).resolve().parents[2]


# --- packing -------------------------------------------------------------------------------


def trl096_reference(texts, tokenize, eos_id, seq_length, chars_per_token, num_of_sequences, rng):
    """TRL 0.9.6 `ConstantLengthDataset.__iter__` (infinite=False, shuffle=True), written as the
    library wrote it, with `random.shuffle` on an injected generator."""
    max_buffer_size = seq_length * chars_per_token * num_of_sequences
    iterator = iter(texts)
    more_examples = True
    out = []
    while more_examples:
        buffer, buffer_len = [], 0
        while True:
            if buffer_len >= max_buffer_size:
                break
            try:
                buffer.append(next(iterator))
                buffer_len += len(buffer[-1])
            except StopIteration:
                more_examples = False
                break
        tokenized_inputs = [tokenize(t) for t in buffer]
        all_token_ids = []
        for tokenized_input in tokenized_inputs:
            all_token_ids.extend(tokenized_input + [eos_id])
        examples = []
        for i in range(0, len(all_token_ids), seq_length):
            input_ids = all_token_ids[i : i + seq_length]
            if len(input_ids) == seq_length:
                examples.append(input_ids)
        rng.shuffle(examples)
        out.extend(examples)
    return out


def char_ids(text):
    return [ord(c) for c in text]


def test_chunks_match_trl096_reference_on_fixture():
    rng = random.Random(7)
    texts = ["".join(rng.choice("abcdefgh") for _ in range(rng.randint(1, 30))) for _ in range(60)]
    # a text longer than a chunk (45 chars in a 32-char buffer after "ab"): split across
    # chunks, not truncated
    texts = ["ab", "x" * 45, *texts]
    args = {"seq_length": 8, "chars_per_token": 1.0, "num_of_sequences": 4}  # 32-char buffers
    expected = trl096_reference(texts, char_ids, 0, rng=random.Random(42), **args)
    got = packing.constant_length_chunks(texts, [char_ids(t) for t in texts], 0, seed=42, **args)
    assert got == expected
    assert all(len(c) == 8 for c in got)
    # the tail of each buffer is dropped: fewer tokens than texts + one eos each
    assert len(got) * 8 < sum(len(t) + 1 for t in texts)
    # the long text survives whole across consecutive chunks (unshuffled order)
    unshuffled = [
        c
        for span in packing.buffers([len(t) for t in texts], 8, 1.0, 4)
        for c in packing.chunk_buffer((char_ids(texts[i]) for i in span), 0, 8)
    ]
    stream = [t for c in unshuffled for t in c]
    assert any(stream[i : i + 45] == [ord("x")] * 45 for i in range(len(stream)))


def test_buffer_boundaries_follow_character_counts():
    # limit 10 chars: the text crossing the limit stays in the buffer
    assert [list(r) for r in packing.buffers([4, 4, 4, 4, 20, 1], 10, 1.0, 1)] == [
        [0, 1, 2],
        [3, 4],
        [5],
    ]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, tiny_model):
    """The session's tiny Qwen2-shaped model (`tiny`) and mixtures of two tasks."""
    d = tmp_path_factory.mktemp("fidelity")
    translation = tiny_records(
        "translation", 12, reference=lambda code: code.replace("int", "long")
    )
    rows = [
        row
        for pair in zip(translation, tiny_records("summarization", 12), strict=True)
        for row in pair
    ]
    write_jsonl(d / "data.jsonl", rows)
    write_jsonl(d / "mix.jsonl", mixing.build_mixture([str(d / "data.jsonl")]))
    (d / "tiny").symlink_to(tiny_model, target_is_directory=True)
    return d


@pytest.mark.slow
def test_pack_dataset_renders_text_plus_eos_and_labels_equal_ids(tiny):
    from datasets import load_dataset
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    from codepeft.models import load_tokenizer

    tok = load_tokenizer(str(tiny / "tiny"))
    ds = load_dataset("json", data_files=str(tiny / "mix.jsonl"), split="train")
    packed = packing.pack_dataset(ds.select_columns(["prompt", "completion"]), tok, 32, seed=42)
    texts = [packing.render_text(tok, row) for row in ds]
    assert texts[0].endswith("<|im_end|>\n") and "<|im_start|>assistant\n" in texts[0]
    ids = [tok(t)["input_ids"] for t in texts]
    assert packed["input_ids"] == packing.constant_length_chunks(
        texts, ids, tok.convert_tokens_to_ids("<|im_end|>"), 32, seed=42
    )
    collator = DataCollatorForLanguageModeling(pad_token_id=tok.pad_token_id)
    batch = collator([packed[i] for i in range(4)])
    assert batch["input_ids"].shape == (4, 32)
    assert (batch["labels"] == batch["input_ids"]).all()  # loss on the whole sequence


# --- numerics after training setup ---------------------------------------------------------

SETUP = {
    "max_steps": 1,
    "warmup_steps": 0,
    "per_device_batch_size": 2,
    "gradient_accumulation_steps": 1,
    "max_length": 32,
    "eval_steps": 1,
    "save_steps": 1,
    "eval_max_rows": 2,
    "packing": "constant_length",
    "eval_batch_size": 1,
}


@pytest.mark.slow
def test_qlora_setup_has_package_dtypes_and_whole_sequence_labels(tiny):
    """After setup (TRL has cast LoRA weights of 4-bit models to bf16), the adapter weights are
    fp32 again and the unquantized weights fp16; the collated batch's labels are its ids.
    CPU: bitsandbytes NF4 works here but the preset's bf16 autocast is a GPU setting, so the
    setup state is what is pinned; one fp32-compute step and one evaluation then run to show the
    dtypes survive a step and the selection score is computed."""
    import torch

    spec = train.TrainingSpec.from_dict(
        dict(
            SETUP,
            weights_dtype="fp16",
            adapter_dtype="fp32",
            selection={"metric": "chunk_bleu_codebleu", "shift_predictions": False},
        )
    )
    setup = train.setup_trainer(
        str(tiny / "tiny"),
        "qlora",
        str(tiny / "mix.jsonl"),
        str(tiny / "mix.jsonl"),
        str(tiny / "ck_q"),
        spec,
        threads=2,
    )
    model = setup.trainer.model
    params = dict(model.named_parameters())
    lora = {n: p for n, p in params.items() if "lora_" in n}
    assert lora and all(p.dtype == torch.float32 and p.requires_grad for p in lora.values())
    frozen = {n: p for n, p in params.items() if "lora_" not in n}
    quantized = [n for n, p in frozen.items() if p.dtype == torch.uint8]
    assert quantized, "4-bit base"
    others = {n: p.dtype for n, p in frozen.items() if p.dtype != torch.uint8}
    assert any("embed_tokens" in n for n in others) and any("norm" in n for n in others)
    assert set(others.values()) == {torch.float16}, others
    assert not any(p.requires_grad for p in frozen.values())
    assert model.base_model.model.config.use_cache is False
    assert model.get_input_embeddings()._forward_hooks  # enable_input_require_grads()
    assert setup.args.dataset_num_proc == 2
    assert setup.args.metric_for_best_model == "eval_combined_score"  # two tasks: MT scorer
    assert setup.args.greater_is_better is True and setup.args.per_device_eval_batch_size == 1
    assert setup.selection == {
        "metric": "chunk_bleu_codebleu",
        "scorer": "mt",
        "shift_predictions": False,
    }
    batch = next(iter(setup.trainer.get_train_dataloader()))
    assert batch["input_ids"].shape[1] == 32
    assert (batch["labels"] == batch["input_ids"]).all()
    # one step (fp32 compute on CPU) and one evaluation with the package's selection score
    setup.trainer.train()
    assert all(p.dtype == torch.float32 for p in lora.values())
    assert set(others.values()) == {torch.float16}
    evals = [h for h in setup.trainer.state.log_history if "eval_combined_score" in h]
    assert evals and 0.0 <= evals[0]["eval_combined_score"] <= 100.0
    # TRL's own behaviour, for contrast: adapter_dtype bf16 leaves its cast in place
    train.keep_adapter_dtype(model, train.TrainingSpec(adapter_dtype="bf16"))
    assert all(p.dtype == torch.bfloat16 for p in lora.values())


@pytest.mark.slow
def test_full_finetuning_setup_is_pure_bf16(tiny):
    import torch

    spec = train.TrainingSpec.from_dict(
        dict(SETUP, weights_dtype="bf16", optimizer="adamw_torch", gradient_checkpointing=True)
    )
    setup = train.setup_trainer(
        str(tiny / "tiny"), "full", str(tiny / "mix.jsonl"), None, str(tiny / "ck_f"), spec
    )
    dtypes = {p.dtype for p in setup.trainer.model.parameters()}
    assert dtypes == {torch.bfloat16}  # no fp32 master copy
    assert setup.args.optim == "adamw_torch" and setup.args.gradient_checkpointing
    assert setup.args.dataset_num_proc is None  # one thread: no worker processes


# --- checkpoint selection ------------------------------------------------------------------


def test_guessed_languages_follow_the_package_order():
    assert selection.guess_language_mt("public class A {}") == "java"
    assert selection.guess_language_mt("using System; public class A {}") == "java"  # java first
    assert selection.guess_language_mt("using System; class A {}") == "c_sharp"
    assert selection.guess_language_mt("def f(): pass") == "python"
    assert selection.guess_language_mt("x = 1") == "java"
    assert selection.guess_language_generation("x = __name__") == "python"
    assert selection.guess_language_generation("int f() { class_ }") == "java"
    assert selection.guess_language_translation("namespace N { }") == "c_sharp"


def test_summary_chunks_score_sentence_bleu_of_last_summary():
    label = "user\nSummarize this Python code:\nx\nassistant\nSUMMARY: a b c d e DONE rest"
    pred = "junk SUMMARY: zz DONE SUMMARY: a b c d DONE more"
    # all n-gram precisions 1, brevity penalty exp(1 - 5/4)
    assert selection.chunk_score("mt", pred, label) == pytest.approx(100 * math.exp(-0.25))
    assert selection.summary_part(pred) == "a b c d"


def test_code_chunks_score_codebleu_x100_and_pool():
    code = "public int add(int a, int b) { return a + b; }"
    assert selection.chunk_score("mt", code, code) == pytest.approx(100.0)
    summary = "SUMMARY: a b c d e DONE"
    pooled = selection.score_texts("mt", [code, "SUMMARY: a b c d DONE"], [code, summary])
    assert pooled == pytest.approx((100.0 + 100 * math.exp(-0.25)) / 2)
    assert selection.chunk_score("translation", "", code) == pytest.approx(
        selection.codebleu_100("", code, "java")
    )


def test_a_failing_chunk_scores_zero(monkeypatch):
    def boom(*_args):
        raise RuntimeError("parser")

    monkeypatch.setattr(selection, "codebleu_100", boom)
    assert selection.chunk_score("generation", "x", "y") == 0.0


class CharTokenizer:
    """Decodes ids as characters; 0 is the pad/special id (skipped)."""

    pad_token_id = 0

    def batch_decode(self, rows, skip_special_tokens=True):
        assert skip_special_tokens
        return ["".join(chr(t) for t in row if t != 0) for row in rows]


def test_unshifted_predictions_are_compared_off_by_one():
    from transformers import EvalPrediction

    text = "SUMMARY: returns the sum of the two numbers DONE"
    labels = [[ord(c) for c in text]]
    perfect = [labels[0][1:] + [0]]  # a model predicting every next token right
    pred = EvalPrediction(predictions=perfect, label_ids=labels)
    shifted = selection.make_compute_metrics(CharTokenizer(), "summarization", True)(pred)
    unshifted = selection.make_compute_metrics(CharTokenizer(), "summarization", False)(pred)
    assert shifted == {"sacrebleu": pytest.approx(100.0)}
    # unshifted: the prediction is the label moved one character left ("UMMARY: ..." has no
    # "SUMMARY: " marker, so the whole text is scored against the label's summary)
    assert unshifted["sacrebleu"] < 100.0
    assert unshifted["sacrebleu"] == pytest.approx(
        selection.sentence_bleu(
            selection.summary_part(text[1:], "SUMMARY: "), selection.summary_part(text, "SUMMARY: ")
        )
    )
    # labels padded with -100 decode without them
    padded = EvalPrediction(predictions=[perfect[0] + [0]], label_ids=[labels[0] + [-100]])
    assert selection.make_compute_metrics(CharTokenizer(), "summarization", True)(padded) == shifted


def test_scorer_for_scopes():
    assert selection.scorer_for(["summarization", "translation"]) == "mt"
    assert selection.scorer_for(["translation"]) == "translation"


# --- mix order -----------------------------------------------------------------------------


def _source(task, lang, n=3):
    return [{"id": f"{task}-{lang}-{i}", "task": task, "language": lang} for i in range(n)]


def test_package_source_order_and_hf_datasets_shuffle():
    import numpy as np

    given = [
        _source(t, lang)
        for t, lang in [
            ("summarization", "python"),
            ("summarization", "java"),
            ("generation", "python"),
            ("generation", "java"),
            ("translation", "java-cs"),
            ("translation", "cs-java"),
        ]
    ]
    ordered = mixing.order_sources(given, "package")
    assert [(s[0]["task"], s[0]["language"]) for s in ordered] == list(mixing.PACKAGE_ORDER)
    assert mixing.order_sources(given, "config") == given
    rows = [r for s in ordered for r in s]
    expected = [rows[i] for i in np.random.default_rng(42).permutation(len(rows))]
    assert mixing.mix(ordered, "concat_shuffle", 42, shuffler="hf_datasets") == expected
    assert mixing.mix(given, "concat_shuffle", 42, shuffler="hf_datasets") != expected


def test_hf_datasets_shuffler_equals_dataset_shuffle():
    from datasets import Dataset

    rows = [{"id": str(i)} for i in range(50)]
    assert mixing.shuffled(rows, 42, "hf_datasets") == list(
        Dataset.from_list(rows).shuffle(seed=42)
    )


def test_valid_sources_shuffled_first(tmp_path):
    files = []
    for task, lang in [("summarization", "python"), ("summarization", "java")]:
        path = tmp_path / f"{task}-{lang}.jsonl"
        write_jsonl(
            path,
            [
                {
                    "id": f"{lang}{i}",
                    "task": task,
                    "language": lang,
                    "inputs": {"code": "x"},
                    "reference": "y",
                    "meta": {},
                }
                for i in range(5)
            ],
        )
        files.append(str(path))
    kwargs = {"source_order": "package", "shuffler": "hf_datasets"}
    first = mixing.build_mixture(files, seed=42, shuffle_sources_first=True, **kwargs)
    plain = mixing.build_mixture(files, seed=42, **kwargs)
    java = mixing.shuffled([f"java{i}" for i in range(5)], 42, "hf_datasets")
    python = mixing.shuffled([f"python{i}" for i in range(5)], 42, "hf_datasets")
    assert [r["id"] for r in first] == mixing.shuffled(java + python, 42, "hf_datasets")
    assert sorted(r["id"] for r in first) == sorted(r["id"] for r in plain)


# --- the paper preset ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def paper():
    return study_config.load(REPO / "config" / "paper.yaml")


def test_paper_preset_has_every_training_quirk_in_force(paper):
    assert quirks.in_force(paper, quirks.TRAINING_QUIRKS) == quirks.TRAINING_QUIRKS
    assert all(q in quirks.QUIRKS for q in quirks.TRAINING_QUIRKS)


def test_paper_preset_training_specs(paper):
    mt = study.training_spec(paper, "mt_qlora", "multi")
    assert mt["eval_max_rows"] == 400 and mt["eval_steps"] == 5000 and mt["warmup_steps"] == 1000
    assert mt["selection"] == {"metric": "chunk_bleu_codebleu", "shift_predictions": False}
    assert mt["early_stopping_patience"] == 3 and mt["early_stopping_threshold"] == 0.001
    assert mt["save_total_limit"] == 3 and mt["eval_batch_size"] == 1
    st_sum = study.training_spec(paper, "st_qlora", "summarization")
    assert st_sum["eval_max_rows"] == 500 and st_sum["per_device_batch_size"] == 2
    st_tr = study.training_spec(paper, "st_qlora", "translation")
    assert (st_tr["eval_max_rows"], st_tr["eval_steps"], st_tr["save_steps"]) == (625, 625, 625)
    assert (st_tr["per_device_batch_size"], st_tr["gradient_accumulation_steps"]) == (4, 8)
    assert st_tr["warmup_steps"] == 100
    fft = study.training_spec(paper, "mt_fft", "multi")
    assert fft["weights_dtype"] == "bf16" and fft["optimizer"] == "adamw_torch"
    assert fft["gradient_checkpointing"] is True
    train.TrainingSpec.from_dict(fft)  # every key known to the trainer


def test_paper_preset_rq3_models(paper):
    rq3 = {
        "mt_qlora_cg_cs": ["generation", "summarization"],
        "mt_qlora_cg_ct": ["generation", "translation"],
        "mt_qlora_cs_ct": ["summarization", "translation"],
    }
    trained = study.trained_models(paper)
    for method, tasks in rq3.items():
        assert [t for t in trained if t[1] == method] == [
            ("qwen2.5-coder-3b", method, "42", "multi")
        ]
        assert study.scope_tasks(paper, method, "multi") == tasks
        evaluated = {(m, task) for m, meth, _, task, _ in study.evaluated(paper) if meth == method}
        assert evaluated == {("qwen2.5-coder-3b", t) for t in tasks}


def test_threads_reach_the_multi_gpu_command_line():
    common = {
        "model_source": "m",
        "finetune": "qlora",
        "train_file": "t.jsonl",
        "valid_file": None,
        "out_dir": "o",
        "checkpoint_dir": "c",
        "training": {},
        "seed": 42,
        "revision": None,
    }
    argv = train.TrainJob(**common, threads=4).argv()
    assert argv[argv.index("--threads") + 1] == "4"
    assert "--threads" not in train.TrainJob(**common).argv()


def test_constant_length_packing_refuses_completion_only_loss(tmp_path):
    write_jsonl(tmp_path / "t.jsonl", [{"prompt": [], "completion": [], "task": "generation"}])
    spec = train.TrainingSpec(packing="constant_length", loss_on="completion")
    with pytest.raises(ValueError, match="whole sequence"):
        train._datasets(str(tmp_path / "t.jsonl"), None, spec, None, 42, None)


def test_train_max_rows_takes_the_first_rows(tmp_path):
    import json

    from codepeft import train

    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "task": "translation"} for i in range(10)]
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = train.TrainingSpec(train_max_rows=3)
    ds, _, n_rows, tasks = train._datasets(str(path), None, spec, None, 0, None)
    assert ds["prompt"] == ["p0", "p1", "p2"] and n_rows == 3 and tasks == ["translation"]
    ds, _, n_rows, _ = train._datasets(str(path), None, train.TrainingSpec(), None, 0, None)
    assert n_rows == 10


def test_training_datasets_are_cached_beside_the_checkpoints_and_need_prompt_and_completion(
    tmp_path,
):
    """Arrow copies go to the training's own folder (`datasets_cache`, removed after saving),
    not to the Hugging Face cache in $HOME, where they stayed: GBs per paper-scale training."""
    import json

    from codepeft import train

    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps({"prompt": "p", "completion": "c", "task": "generation"}) + "\n")
    cache = train.datasets_cache(tmp_path / "ckpt")
    assert cache == tmp_path / "ckpt.datasets"
    ds, eval_ds, _, tasks = train._datasets(
        str(path), str(path), train.TrainingSpec(), None, 0, None, str(cache)
    )
    assert tasks == ["generation"] and ds.column_names == ["prompt", "completion"]
    files = [f["filename"] for f in ds.cache_files + eval_ds.cache_files]
    assert files and all(f.startswith(str(cache)) for f in files)
    path.write_text(json.dumps({"prompt": "p"}) + "\n")
    with pytest.raises(ValueError, match="no 'completion' column"):
        train._datasets(str(path), None, train.TrainingSpec(), None, 0, None, str(cache))
