"""Chat prompts of the study (PAPER.md, "Prompts"), one place for every task.

`build_messages(record)` gives the system + user messages for a task record (the schema of
docs/architecture.md); `target_text(record)` the assistant answer used for training;
`render_chat(tokenizer, messages, template)` the prompt text at inference, with the model's
own chat template or the replication package's Human/Assistant override.

A model's own chat template is its tokenizer's `chat_template`, or for a tokenizer without one
(a base model), a named template of `NAMED_CHAT_TEMPLATES` (`models.<m>.chat_template`:
`chatml`, `llama3`, `plain`), set on the tokenizer by `set_chat_template` when it is loaded
for training or generation; neither is an error naming both fixes (`MissingChatTemplate`).

The word before "to implement:" in a Java generation prompt depends on the trained model's
scope in the replication package: its multi-task script says "Method", its single-task
generation script "Function" (Python is "Function" everywhere). `prompts.java_generation_label`
in the config chooses it per scope (`java_generation_label(config, scope)`).
"""

from __future__ import annotations

from codepeft.postprocess import defines_function
from codepeft.tasks import DIRECTIONS, TASKS, direction  # noqa: F401 - the task registry

LANGUAGE_NAMES = {"python": "Python", "java": "Java", "cs": "C#"}

SUMMARIZATION_SYSTEM = (
    "You are an expert {lang} developer. Provide clear and concise summarization for {lang} "
    "code segments."
)
SUMMARIZATION_USER = "Summarize this {lang} code:\n{code}"
GENERATION_SYSTEM = (
    "You are an expert {lang} developer. Generate complete and efficient {lang} code based on "
    "the given specifications."
)
GENERATION_USER = "{summary}\n\n{kind} to implement:\n{signature}"
JAVA_GENERATION_LABELS = ("Method", "Function")
TEMPLATES = ("model", "human_assistant")
#: evaluation-only test sets (codepeft.data.testsets): a record whose `inputs` has a `prompt`.
#: A prompt that defines its entry point (HumanEval: signature + docstring) is completed; one
#: that does not (MBPP: the task in words) asks for the function. Not among `template_texts`:
#: the tiny demo tokenizer learns the study's own prompts, and adding a test set changes no job.
TEST_SET_COMPLETE_USER = "Complete the following {lang} function:\n{prompt}"
TEST_SET_WRITE_USER = "Write the {lang} function `{entry_point}` for this task:\n{prompt}"
TRANSLATION_SYSTEM = (
    "You are an expert code translator. Translate code from the source language to the target "
    "language. Preserve semantics, be idiomatic in the target language, and output only the "
    "translated code\u2014no explanations."
)
TRANSLATION_USER = "Translate from {source} to {target}:\n{code}"


# Named chat templates (`models.<m>.chat_template`) for tokenizers that ship none. Each renders
# system/user/assistant turns and, with add_generation_prompt, the assistant header; no default
# system prompt (the study's prompts always have one).
CHATML_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
# Llama 3's header/end-of-turn format (the instruct models' template without its date preamble)
LLAMA3_TEMPLATE = (
    "{{- bos_token }}"
    "{%- for message in messages %}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
    " + message['content'] | trim + '<|eot_id|>' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}"
    "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"
    "{%- endif %}"
)
# No special tokens: "System: ...", "User: ...", "Assistant: ..." paragraphs, the answer ended by
# the tokenizer's eos (for models without any chat format, e.g. GPT-2-style base models)
PLAIN_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- message['role'] | capitalize + ': ' + message['content'] + '\\n\\n' }}"
    "{%- if message['role'] == 'assistant' %}{{- eos_token }}{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- 'Assistant: ' }}{%- endif %}"
)
NAMED_CHAT_TEMPLATES = {
    "chatml": CHATML_TEMPLATE,
    "llama3": LLAMA3_TEMPLATE,
    "plain": PLAIN_TEMPLATE,
}
# the tokens that end an assistant turn under each named template (besides the tokenizer's eos)
END_OF_TURN_TOKENS = {"chatml": ("<|im_end|>",), "llama3": ("<|eot_id|>",), "plain": ()}


class MissingChatTemplate(ValueError):
    """A model's tokenizer has no chat template and the config names none."""


def set_chat_template(tokenizer, name: str | None, source: str = "the model"):
    """`tokenizer` with its chat template in force: `name` (a key of `NAMED_CHAT_TEMPLATES`)
    replaces whatever the tokenizer has; None keeps the tokenizer's own, and a tokenizer without
    one is an error naming the fixes. Returns the tokenizer (changed in place)."""
    if name is not None:
        if name not in NAMED_CHAT_TEMPLATES:
            raise ValueError(
                f"unknown chat template {name!r}; known: {sorted(NAMED_CHAT_TEMPLATES)}"
            )
        tokenizer.chat_template = NAMED_CHAT_TEMPLATES[name]
    elif not getattr(tokenizer, "chat_template", None):
        raise MissingChatTemplate(
            f"the tokenizer of {source} has no chat template: name one in the config "
            f"(models.<name>.chat_template: one of {', '.join(sorted(NAMED_CHAT_TEMPLATES))}), "
            "or use a model whose tokenizer_config.json has a chat_template"
        )
    return tokenizer


def language_name(lang: str) -> str:
    try:
        return LANGUAGE_NAMES[lang]
    except KeyError as err:
        raise ValueError(f"unknown language {lang!r}; known: {sorted(LANGUAGE_NAMES)}") from err


def template_texts() -> list[str]:
    """Every fixed text of the prompts (system and user templates, each language name filled in,
    the payload placeholders left out): the tiny demo tokenizer learns their words as tokens, as
    a real model's tokenizer knows English, so a prompt is not spelled out in sub-word pieces."""
    names = list(LANGUAGE_NAMES.values())
    texts = [TRANSLATION_SYSTEM]
    for name in names:
        texts += [
            SUMMARIZATION_SYSTEM.format(lang=name),
            SUMMARIZATION_USER.format(lang=name, code=""),
            GENERATION_SYSTEM.format(lang=name),
        ]
        texts += [TRANSLATION_USER.format(source=name, target=other, code="") for other in names]
    texts += [
        GENERATION_USER.format(summary="", kind=k, signature="") for k in JAVA_GENERATION_LABELS
    ]
    return texts


def output_language(task: str, lang: str) -> str:
    """The programming language of a task's output code ('cs' for java-cs)."""
    return direction(lang)[1] if task == "translation" else lang


def java_generation_label(config: dict, scope: str) -> str:
    """The Java generation label ("Method" or "Function") of a model of `scope` ('multi' or a
    task name for a single-task model) under `config["prompts"]["java_generation_label"]`."""
    labels = (config.get("prompts") or {}).get("java_generation_label") or {}
    label = labels.get("multi" if scope == "multi" else "single", "Method")
    if label not in JAVA_GENERATION_LABELS:
        raise ValueError(
            f"unknown java generation label {label!r}; known: {JAVA_GENERATION_LABELS}"
        )
    return label


def uses_codereval_input(inputs: dict, generation_prompt: str) -> bool:
    """Whether a generation record's user turn is CoderEval's `input` (verbatim, empty or not):
    under 'codereval_input', for every record that has the field."""
    return generation_prompt == "codereval_input" and inputs.get("input") is not None


def build_messages(
    record: dict, generation_prompt: str = "training", java_label: str = "Method"
) -> list[dict]:
    """System and user messages for a record.

    generation_prompt: 'training' (summary + signature, the training format) or
    'codereval_input' (CoderEval's `input` verbatim, as the paper's inference script did, even
    when it is empty: `infer_generation_qlora.py:31,132`; only a record without an `input`
    field, i.e. not from CoderEval, gets the training format).
    java_label: the word before "to implement:" for Java generation ("Method" or "Function").
    """
    task, lang, inputs = record["task"], record["language"], record["inputs"]
    if task == "summarization":
        name = language_name(lang)
        system = SUMMARIZATION_SYSTEM.format(lang=name)
        user = SUMMARIZATION_USER.format(lang=name, code=inputs["code"])
    elif task == "generation":
        name = language_name(lang)
        system = GENERATION_SYSTEM.format(lang=name)
        if inputs.get("prompt") is not None:  # an evaluation-only test set's problem
            user = test_set_user(inputs, name)
        elif uses_codereval_input(inputs, generation_prompt):
            user = inputs["input"]
        elif generation_prompt in ("training", "codereval_input"):
            if java_label not in JAVA_GENERATION_LABELS:
                raise ValueError(
                    f"unknown java generation label {java_label!r}; known: {JAVA_GENERATION_LABELS}"
                )
            kind = "Function" if lang == "python" else java_label
            user = GENERATION_USER.format(
                summary=inputs["summary"], kind=kind, signature=inputs["signature"]
            )
        else:
            raise ValueError(f"unknown generation_prompt {generation_prompt!r}")
    elif task == "translation":
        source, target = (language_name(x) for x in direction(lang))
        system = TRANSLATION_SYSTEM
        user = TRANSLATION_USER.format(source=source, target=target, code=inputs["code"])
    else:
        raise ValueError(f"unknown task {task!r}; known: {TASKS}")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def test_set_user(inputs: dict, language: str) -> str:
    """The user turn of a test set's problem (`TEST_SET_COMPLETE_USER` or `_WRITE_USER`)."""
    prompt, entry_point = inputs["prompt"], inputs["entry_point"]
    if defines_function(prompt, entry_point):
        return TEST_SET_COMPLETE_USER.format(lang=language, prompt=prompt)
    return TEST_SET_WRITE_USER.format(lang=language, entry_point=entry_point, prompt=prompt)


def target_text(record: dict) -> str:
    """The assistant answer the model is trained to produce."""
    reference = record.get("reference")
    if reference is None:
        raise ValueError(f"record {record.get('id')!r} has no reference to train on")
    if record["task"] == "summarization":
        return f"SUMMARY: {reference} DONE"
    return reference


def payload_key(task: str, inputs: dict | None = None) -> str:
    """The input field that may be shortened to fit the prompt budget (a test set's problem:
    its prompt)."""
    if inputs is not None and inputs.get("prompt") is not None:
        return "prompt"
    return "summary" if task == "generation" else "code"


def render_human_assistant(messages: list[dict], add_generation_prompt: bool = True) -> str:
    """The replication package's Human/Assistant chat template (its translation inference
    override, `infer_translation_qlora.py:110`), rendered in Python: a first system message
    followed by one newline, each user turn as "\nHuman: ...\n\n", each assistant turn as
    "Assistant: ...\n\n", and "Assistant: " as the generation prompt. For a system + user pair:
    `{system}\n\nHuman: {user}\n\nAssistant: `. No special tokens."""
    parts = []
    for i, message in enumerate(messages):
        role, content = message["role"], message["content"]
        if role == "system":
            if i == 0:
                parts.append(content + "\n")
        elif role == "user":
            parts.append("\nHuman: " + content + "\n\n")
        elif role == "assistant":
            parts.append("Assistant: " + content + "\n\n")
    if add_generation_prompt:
        parts.append("Assistant: ")
    return "".join(parts)


def render_chat(tokenizer, messages: list[dict], template: str = "model") -> str:
    """The inference prompt text: `model` = the tokenizer's own chat template with the
    generation prompt (ChatML for Qwen2.5), `human_assistant` = `render_human_assistant`."""
    if template == "model":
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    if template == "human_assistant":
        return render_human_assistant(messages)
    raise ValueError(f"unknown chat template {template!r}; known: {TEMPLATES}")
