"""Turn a model's raw output into what metrics read (PAPER.md, "Inference")."""

from __future__ import annotations

import re

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_#+.-]*)[ \t]*\n(.*?)(?:```|\Z)", re.S)
_CHAT_LEFTOVERS = ("<|im_end|>", "<|endoftext|>", "<|im_start|>")


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


def clean_code(raw: str) -> str:
    """Code of the first fenced block if there is one (an unclosed fence runs to the end),
    else the whole output; surrounding blank lines removed."""
    text = strip_special(raw)
    match = _FENCE.search(text)
    if match:
        text = match.group(2)
    return text.strip("\n").rstrip()


def clean(task: str, raw: str) -> str:
    return clean_summary(raw) if task == "summarization" else clean_code(raw)
