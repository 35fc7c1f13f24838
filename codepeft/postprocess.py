"""Turn a model's raw output into what metrics read (PAPER.md, "Inference"; PACKAGE.md section 4).

One rule per task, chosen by `decoding.postprocess.<task>`:

| task | default | the replication package's rule |
|---|---|---|
| summarization | `first_marker`: text after the first `SUMMARY:` up to `DONE`, whitespace collapsed | `last_marker`: stripped, text after the LAST `SUMMARY:`, cut at the first `DONE` |
| generation | `first_fence`: the code of the first fenced block, else the whole output | `chat_cut`: stripped, cut before the first `Human:`, a leading `Assistant:` dropped, fences kept |
| translation | `first_fence` | `last_assistant`: text after the last `Assistant:` of prompt + output, then the fence rule below |

Evaluation-only test sets (`codepeft.data.testsets`: HumanEval, MBPP, ...) run a whole program:
`complete_program` takes the code of the first fenced block of the post-processed output (so a
fence kept by `chat_cut` does not break it) and puts the record's prompt before it: an answer that
defines the entry-point function replaces the prompt's (its helpers and imports stay), any other
answer continues the prompt (a function body).

The package's translation fence rule (`fence_between_markers`): a ```` ```java ```` fence yields
its content; any other fence (```` ```csharp ````, ```` ```cs ````, bare) yields the text between
the first two fence markers, so a language tag stays in the output (`csharp\\n<code>`).
`decoding.keep_fence_language_tag: true` keeps that defect; false drops the tag line.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_#+.-]*)[ \t]*\n(.*?)(?:```|\Z)", re.S)
_TAG_LINE = re.compile(r"[ \t]*[A-Za-z0-9_#+.-]*[ \t]*\n")
_CHAT_LEFTOVERS = ("<|im_end|>", "<|endoftext|>", "<|im_start|>")

MODES = {
    "summarization": ("first_marker", "last_marker"),
    "generation": ("first_fence", "chat_cut"),
    "translation": ("first_fence", "last_assistant"),
}
DEFAULT_MODES = {task: modes[0] for task, modes in MODES.items()}


def strip_special(text: str) -> str:
    for token in _CHAT_LEFTOVERS:
        text = text.split(token)[0] if token != "<|im_start|>" else text.replace(token, "")
    return text


def clean_summary(raw: str) -> str:
    """Text after `SUMMARY:` cut at `DONE`; without the marker, the text up to `DONE`."""
    text = strip_special(raw)
    if "SUMMARY:" in text:
        text = text.split("SUMMARY:", 1)[1]
    text = text.split("DONE", 1)[0]
    return " ".join(text.split())


def clean_summary_last_marker(raw: str) -> str:
    """The package's rule: stripped; after the last `SUMMARY:` (stripped); before the first
    `DONE` (stripped). Without `SUMMARY:` the whole stripped output is kept (up to `DONE`)."""
    text = raw.strip()
    if "SUMMARY:" in text:
        text = text.rsplit("SUMMARY:", 1)[1].strip()
    if "DONE" in text:
        text = text.split("DONE", 1)[0].strip()
    return text


def clean_code(raw: str) -> str:
    """Code of the first fenced block if there is one (an unclosed fence runs to the end),
    else the whole output; surrounding blank lines removed."""
    text = strip_special(raw)
    match = _FENCE.search(text)
    if match:
        text = match.group(2)
    return text.strip("\n").rstrip()


def clean_generation_chat_cut(raw: str) -> str:
    """The package's generation rule: stripped, cut before the first `Human:`, a leading
    `Assistant:` removed. Code fences are kept."""
    code = raw.strip()
    if "Human:" in code:
        code = code.split("Human:", 1)[0].strip()
    if code.startswith("Assistant:"):
        code = code[len("Assistant:") :].strip()
    return code


def fence_between_markers(code: str, keep_fence_language_tag: bool = False) -> str:
    """The package's translation fence rule. A ```java fence: its content. Any other fence:
    the text between the first two ``` markers, whose first line is a language tag when the
    fence had one; kept with `keep_fence_language_tag` (the package), else dropped."""
    if "```java" in code:
        code = code.split("```java", 1)[1].split("```", 1)[0]
    elif "```" in code:
        code = code.split("```")[1]
        if not keep_fence_language_tag:
            tag = _TAG_LINE.match(code)
            if tag:
                code = code[tag.end() :]
    return code.strip()


def clean_translation_last_assistant(
    raw: str, prompt_text: str = "", keep_fence_language_tag: bool = False
) -> str:
    """The package's translation rule: prompt and output decoded together (`prompt_text` is
    the prompt decoded without special tokens), the text after the last `Assistant:` kept
    (without one, the output), then `fence_between_markers`."""
    decoded = prompt_text + raw
    text = decoded.rsplit("Assistant:", 1)[1] if "Assistant:" in decoded else raw
    return fence_between_markers(text.strip(), keep_fence_language_tag)


def clean(
    task: str,
    raw: str,
    mode: str | None = None,
    prompt_text: str = "",
    keep_fence_language_tag: bool = False,
) -> str:
    """The metric-ready output of `raw` under the task's post-processing `mode`."""
    mode = mode or DEFAULT_MODES.get(task, "first_fence")
    if mode not in MODES.get(task, ()):
        raise ValueError(f"unknown post-processing {mode!r} for {task}; known: {MODES.get(task)}")
    if mode == "first_marker":
        return clean_summary(raw)
    if mode == "last_marker":
        return clean_summary_last_marker(raw)
    if mode == "chat_cut":
        return clean_generation_chat_cut(raw)
    if mode == "last_assistant":
        return clean_translation_last_assistant(raw, prompt_text, keep_fence_language_tag)
    return clean_code(raw)


def defines_function(code: str, name: str) -> bool:
    """Whether `code` defines function `name` at the top level (``def name(``)."""
    return re.search(rf"^def {re.escape(name)}\s*\(", code, re.M) is not None


def complete_program(output: str, prompt: str, entry_point: str) -> str:
    """The program a test set's tests run (module doc): the prompt, then the answer's code (its
    first fenced block, else all of it). A whole function (``def <entry_point>(``) follows the
    prompt on a new line and replaces the prompt's definition; a body continues the prompt."""
    code = clean_code(output)
    if defines_function(code, entry_point):
        return prompt.rstrip("\n") + "\n\n\n" + code + "\n"
    return prompt + code + "\n"
