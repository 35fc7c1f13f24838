"""Prompts follow the paper word for word; post-processing extracts what metrics read.

The paper preset's inference options (prompts and templates per task and scope, truncation,
post-processing) are pinned on fixtures against the replication package's behaviour
(PACKAGE.md sections 3, 4 and 10), byte for byte.
"""

import pytest

from codepeft import config as study_config
from codepeft import generate, mixing, models, postprocess, prompts, study
from codepeft.paper import quirks


def rec(task, lang, inputs, reference="ref"):
    return {"id": "1", "task": task, "language": lang, "inputs": inputs, "reference": reference}


def test_summarization_prompt():
    msgs = prompts.build_messages(rec("summarization", "java", {"code": "int f ( ) { }"}))
    assert msgs[0]["content"] == (
        "You are an expert Java developer. Provide clear and concise summarization for Java code segments."
    )
    assert msgs[1]["content"] == "Summarize this Java code:\nint f ( ) { }"
    assert (
        prompts.target_text(rec("summarization", "java", {}, "adds two"))
        == "SUMMARY: adds two DONE"
    )


def test_generation_prompt_both_formats():
    r = rec(
        "generation",
        "python",
        {"summary": "Add.", "signature": "def add(a, b):", "input": 'def add(a, b):\n\t"""Add."""'},
    )
    msgs = prompts.build_messages(r)
    assert msgs[0]["content"].startswith(
        "You are an expert Python developer. Generate complete and efficient Python code"
    )
    assert msgs[1]["content"] == "Add.\n\nFunction to implement:\ndef add(a, b):"
    java = rec("generation", "java", {"summary": "Add.", "signature": "int add(int a, int b)"})
    assert "Method to implement:" in prompts.build_messages(java)[1]["content"]
    assert prompts.build_messages(r, "codereval_input")[1]["content"] == r["inputs"]["input"]


def test_codereval_input_is_the_user_turn_even_when_empty():
    """The package's user turn is task['input'] whatever it holds (infer_generation_qlora.py:
    31,132): an empty input gives an empty user turn, not the training format; only a record
    without the field (not from CoderEval) falls back to summary + signature."""
    inputs = {"summary": "Add.", "signature": "def add(a, b):", "input": ""}
    r = rec("generation", "python", inputs)
    assert prompts.build_messages(r, "codereval_input")[1]["content"] == ""
    assert (
        prompts.build_messages(r)[1]["content"] == "Add.\n\nFunction to implement:\ndef add(a, b):"
    )
    no_field = rec("generation", "python", {"summary": "Add.", "signature": "def add(a, b):"})
    assert prompts.build_messages(no_field, "codereval_input")[1]["content"] == (
        "Add.\n\nFunction to implement:\ndef add(a, b):"
    )


def test_translation_prompt():
    msgs = prompts.build_messages(rec("translation", "cs-java", {"code": "x"}))
    assert msgs[1]["content"] == "Translate from C# to Java:\nx"
    assert "output only the translated code\u2014no explanations." in msgs[0]["content"]
    assert prompts.output_language("translation", "java-cs") == "cs"


def test_clean_summary():
    assert (
        postprocess.clean_summary("SUMMARY: Returns the sum. DONE trailing") == "Returns the sum."
    )
    assert postprocess.clean_summary("noise SUMMARY:  a\n b  DONE") == "a b"
    assert postprocess.clean_summary("no marker at all") == "no marker at all"
    assert postprocess.clean_summary("") == ""


def test_clean_code():
    assert postprocess.clean_code("Here:\n```java\nint x = 1;\n```\nbye") == "int x = 1;"
    assert postprocess.clean_code("```\nint y;\n") == "int y;"
    assert postprocess.clean_code("\n\nreturn 1;  \n") == "return 1;"
    assert postprocess.clean_code("a<|im_end|>b") == "a"


# --- the replication package's prompts, templates, truncation and post-processing ----------

SUM_SYSTEM_PY = (
    "You are an expert Python developer. Provide clear and concise summarization for Python "
    "code segments."
)
GEN_SYSTEM_JAVA = (
    "You are an expert Java developer. Generate complete and efficient Java code based on the "
    "given specifications."
)
TRANS_SYSTEM = (
    "You are an expert code translator. Translate code from the source language to the target "
    "language. Preserve semantics, be idiomatic in the target language, and output only the "
    "translated code\u2014no explanations."
)


@pytest.fixture(scope="module")
def tokenizer():
    """A small byte-level BPE tokenizer with the Qwen2.5 chat template (the tiny model's)."""
    corpus = ["def f(x):\n    return x", "public int add(int a, int b) { return a + b; }"] * 20
    return models.build_tokenizer(corpus, vocab_size=400)


@pytest.fixture(scope="module")
def paper(repo):
    return study_config.load(repo / "config" / "paper.yaml")


@pytest.fixture(scope="module")
def embedded(repo):
    return study_config.load(repo / "config.yaml")


def spec_for(config, task, method="mt_qlora", **override):
    return generate.DecodingSpec.from_dict(
        dict(study.decoding_spec(config, task, method), **override)
    )


def test_summarization_prompt_rendered_with_chatml(tokenizer, paper):
    r = rec("summarization", "python", {"code": "def f(x):\n    return x"})
    text, ids, truncated = generate.prepare_prompt(tokenizer, r, spec_for(paper, "summarization"))
    assert text == (
        f"<|im_start|>system\n{SUM_SYSTEM_PY}<|im_end|>\n"
        "<|im_start|>user\nSummarize this Python code:\ndef f(x):\n    return x<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    assert not truncated and tokenizer.decode(ids) == text


def test_generation_prompt_is_codereval_input_verbatim(tokenizer, paper):
    codereval = "public int add(int a, int b) {\n    /** Adds. */\n"
    r = rec(
        "generation", "java", {"summary": "Adds.", "signature": "int add()", "input": codereval}
    )
    text, _, _ = generate.prepare_prompt(tokenizer, r, spec_for(paper, "generation"))
    assert text == (
        f"<|im_start|>system\n{GEN_SYSTEM_JAVA}<|im_end|>\n"
        f"<|im_start|>user\n{codereval}<|im_end|>\n<|im_start|>assistant\n"
    )
    # an empty input stays the (empty) user turn, as the package's task['input']
    r["inputs"]["input"] = ""
    text, _, _ = generate.prepare_prompt(tokenizer, r, spec_for(paper, "generation"))
    assert text == (
        f"<|im_start|>system\n{GEN_SYSTEM_JAVA}<|im_end|>\n"
        "<|im_start|>user\n<|im_end|>\n<|im_start|>assistant\n"
    )


def test_translation_prompt_human_assistant_template(tokenizer, paper, embedded):
    source = "public int add(int a, int b) { return a + b; }"
    r = rec("translation", "java-cs", {"code": source})
    text, ids, truncated = generate.prepare_prompt(tokenizer, r, spec_for(paper, "translation"))
    assert text == f"{TRANS_SYSTEM}\n\nHuman: Translate from Java to C#:\n{source}\n\nAssistant: "
    assert not truncated and "<|im_start|>" not in text
    # the default for new studies: the model's own (ChatML) template, as in training
    default, _, _ = generate.prepare_prompt(tokenizer, r, spec_for(embedded, "translation"))
    assert default.startswith("<|im_start|>system\n") and default.endswith("assistant\n")


def test_human_assistant_template_turns():
    msgs = [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "U"},
        {"role": "assistant", "content": "A"},
        {"role": "system", "content": "ignored: not first"},
    ]
    assert prompts.render_human_assistant(msgs) == "S\n\nHuman: U\n\nAssistant: A\n\nAssistant: "
    assert (
        prompts.render_human_assistant(msgs[:2], add_generation_prompt=False) == "S\n\nHuman: U\n\n"
    )


def test_training_prompt_label_by_scope(paper, embedded):
    java = rec("generation", "java", {"summary": "Adds two.", "signature": "int add(int a, int b)"})
    py = rec("generation", "python", {"summary": "Adds two.", "signature": "def add(a, b):"})
    # the package: MT "Method to implement:", ST generation "Function to implement:" for Java
    assert study.java_generation_label(paper, "multi") == "Method"
    assert study.java_generation_label(paper, "generation") == "Function"
    for scope, label in (("multi", "Method"), ("generation", "Function")):
        example = mixing.to_example(java, study.java_generation_label(paper, scope))
        assert example["prompt"][1]["content"] == (
            f"Adds two.\n\n{label} to implement:\nint add(int a, int b)"
        )
        assert (
            mixing.to_example(py, study.java_generation_label(paper, scope))["prompt"][1]["content"]
            == "Adds two.\n\nFunction to implement:\ndef add(a, b):"
        )
    # new studies: one prompt for both scopes
    assert study.java_generation_label(embedded, "generation") == "Method"
    # inference with the training format follows the answering model's scope
    assert (
        study.decoding_spec(paper, "generation", "st_qlora")["java_generation_label"] == "Function"
    )
    assert study.decoding_spec(paper, "generation", "mt_qlora")["java_generation_label"] == "Method"
    with pytest.raises(ValueError, match="java generation label"):
        prompts.build_messages(java, java_label="Procedure")


def long_summarization_record(n=300):
    return rec("summarization", "python", {"code": "def f(x):\n    return x\n" * n})


def test_summarization_truncates_whole_prompt_from_the_right(tokenizer, paper):
    spec = spec_for(paper, "summarization", max_input_tokens=256)
    assert spec.truncation == "prompt_right"
    text, ids, truncated = generate.prepare_prompt(tokenizer, long_summarization_record(), spec)
    full = tokenizer.apply_chat_template(
        prompts.build_messages(long_summarization_record()),
        tokenize=False,
        add_generation_prompt=True,
    )
    full_ids = tokenizer(full, add_special_tokens=False)["input_ids"]
    assert truncated and ids == full_ids[:256] and text == tokenizer.decode(full_ids[:256])
    assert not text.endswith("<|im_start|>assistant\n"), "the assistant header is cut off"
    # a short prompt is left alone
    short = rec("summarization", "python", {"code": "def f(x): return x"})
    assert not generate.prepare_prompt(tokenizer, short, spec)[2]


def test_generation_and_translation_are_not_truncated(tokenizer, paper):
    code = "int x = 1; " * 200
    for task, lang, inputs in (
        ("translation", "java-cs", {"code": code}),
        ("generation", "python", {"summary": "s", "signature": "def f():", "input": code}),
    ):
        spec = spec_for(paper, task, max_input_tokens=256)
        assert spec.truncation == "none"
        text, ids, truncated = generate.prepare_prompt(tokenizer, rec(task, lang, inputs), spec)
        assert not truncated and len(ids) > 256 and code in text


def test_default_truncation_shortens_the_payload_only(tokenizer, embedded):
    spec = spec_for(embedded, "summarization", max_input_tokens=256)
    assert spec.truncation == "payload"
    text, ids, truncated = generate.prepare_prompt(tokenizer, long_summarization_record(), spec)
    assert truncated and len(ids) <= 256
    assert text.startswith("<|im_start|>system\n") and text.endswith("<|im_start|>assistant\n")


def test_per_task_batching_and_options(paper, embedded):
    got = {t: study.decoding_spec(paper, t, "mt_qlora") for t in prompts.TASKS}
    assert {t: s["batch_size"] for t, s in got.items()} == {
        "summarization": 8,
        "generation": 1,
        "translation": 8,
    }
    assert all(s["sort_by_length"] is False for s in got.values())
    assert got["summarization"]["qlora_dtype"] == "float16"
    assert got["generation"]["qlora_dtype"] == "bfloat16"
    assert got["translation"]["qlora_dtype"] == "float16"
    # a job receives only what it reads (a change elsewhere does not rerun it)
    assert "keep_fence_language_tag" not in got["summarization"]
    assert "generation_prompt" not in got["translation"]
    assert "qlora_base" not in study.decoding_spec(paper, "translation", "mt_fft")
    assert list(got["generation"]) == sorted(got["generation"])
    # defaults for new studies: one batch size, length-sorted
    default = study.decoding_spec(embedded, "generation", "mt_qlora")
    assert default["batch_size"] == 8 and default["sort_by_length"] is True
    with pytest.raises(ValueError, match="per task"):
        generate.DecodingSpec.from_dict({"batch_size": {"generation": 1}})
    assert (
        generate.DecodingSpec.from_dict({"batch_size": {"generation": 1}}, "generation").batch_size
        == 1
    )
    assert (
        generate.DecodingSpec.from_dict({"batch_size": {"generation": 1}}, "translation").batch_size
        == 8
    )


def test_package_summary_postprocessing():
    last = postprocess.clean_summary_last_marker
    assert last("  SUMMARY: first DONE SUMMARY:  second one DONE tail DONE ") == "second one"
    assert last("no marker, DONE cut") == "no marker,"
    assert last("  no marker at all\n") == "no marker at all"
    assert last("SUMMARY: a\n  b DONE") == "a\n  b", "whitespace inside is kept"
    # the default takes the first marker and collapses whitespace
    assert postprocess.clean("summarization", "SUMMARY: first DONE SUMMARY: second DONE") == "first"
    assert postprocess.clean("summarization", "x SUMMARY: b DONE", "last_marker") == "b"


def test_package_generation_postprocessing():
    chat_cut = postprocess.clean_generation_chat_cut
    fenced = "```python\ndef f():\n    return 1\n```"
    assert chat_cut(f"\n {fenced}\nHuman: more\nAssistant: x") == fenced, "fences kept"
    assert chat_cut("Assistant:  def f(): pass \n") == "def f(): pass"
    assert chat_cut("  Human: only") == ""
    assert postprocess.clean("generation", fenced) == "def f():\n    return 1"
    assert postprocess.clean("generation", fenced, "chat_cut") == fenced


@pytest.mark.parametrize(
    "raw,keep,expected",
    [
        (
            "```csharp\npublic int A() { return 1; }\n```",
            True,
            "csharp\npublic int A() { return 1; }",
        ),
        ("```csharp\npublic int A() { return 1; }\n```", False, "public int A() { return 1; }"),
        ("```cs\nint a;\n```\ntext", True, "cs\nint a;"),
        ("```\nint a;\n```", True, "int a;"),
        ("Here:\n```java\nint a;\n```\n```java\nint b;\n```", True, "int a;"),
        ("plain code;", True, "plain code;"),
        ("x Assistant: y Assistant:  ```csharp\nz\n```", True, "csharp\nz"),
    ],
)
def test_package_translation_postprocessing(raw, keep, expected):
    prompt = f"{TRANS_SYSTEM}\n\nHuman: Translate from Java to C#:\nint a;\n\nAssistant: "
    assert postprocess.clean("translation", raw, "last_assistant", prompt, keep) == expected


def test_translation_last_assistant_reads_prompt_and_output_together():
    # the prompt's trailing "Assistant: " is the last one unless the output has its own
    assert (
        postprocess.clean_translation_last_assistant(" int a; ", "S\n\nHuman: U\n\nAssistant: ")
        == "int a;"
    )
    assert postprocess.clean_translation_last_assistant("a Assistant: b", "Assistant: ") == "b"
    with pytest.raises(ValueError, match="post-processing"):
        postprocess.clean("translation", "x", "chat_cut")


INFERENCE_KEYS = ("decoding.", "prompts.")


def test_paper_preset_has_the_inference_quirks_in_force(paper, embedded):
    mine = [q for q in quirks.QUIRKS if q.key.startswith(INFERENCE_KEYS)]
    assert len(mine) >= 15
    assert {q.key for q in quirks.in_force(paper, mine)} == {q.key for q in mine}
    # the embedded default (and the schema defaults for new studies) follow none of them
    assert quirks.in_force(embedded, mine) == []
    assert all(q.source and q.what for q in mine)
    assert {q.key for q in mine if q.defect} >= {
        "decoding.keep_fence_language_tag",
        "decoding.truncation.summarization",
    }


def test_payload_truncation_shortens_codereval_input(tokenizer, embedded):
    spec = spec_for(
        embedded, "generation", generation_prompt="codereval_input", max_input_tokens=256
    )
    long_input = "def f(x):\n    return x\n" * 200
    r = rec("generation", "python", {"summary": "s", "signature": "def f(x):", "input": long_input})
    text, ids, truncated = generate.prepare_prompt(tokenizer, r, spec)
    assert truncated and len(ids) <= 256 and text.endswith("<|im_start|>assistant\n")
    assert "<|im_start|>user\ndef f(x):\n    return x\n" in text
