"""Prompts follow the paper word for word; post-processing extracts what metrics read."""

from codepeft import postprocess, prompts


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
