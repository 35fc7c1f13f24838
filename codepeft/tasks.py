"""The task registry: the study's tasks, their languages or translation directions and the
language of the code each (task, lang) outputs. Every stage reads these (data preparation,
prompts, metrics, analyzers, execution, judge, the workflow's rules); nothing else defines
them. Which metric families apply to a task is the registry of measures' (`codepeft.measures`).

A *lang* is a language (``python``, ``java``) for summarization and generation, or a
translation direction ``<source>-<target>`` (``java-cs``: Java code in, C# code out).
"""

from __future__ import annotations

TASKS = ("summarization", "generation", "translation")
SPLITS = ("train", "valid", "test")

#: translation direction -> (source, target) language (prompts' short names: cs = C#)
DIRECTIONS = {"java-cs": ("java", "cs"), "cs-java": ("cs", "java")}
TRANSLATION_DIRECTIONS = tuple(DIRECTIONS)
#: languages of the summarization and generation tasks
LANGUAGES = ("python", "java")

#: the languages (or directions) each task has data for
TASK_LANGUAGES = {
    "summarization": LANGUAGES,
    "generation": LANGUAGES,
    "translation": TRANSLATION_DIRECTIONS,
}

#: tasks whose outputs are code (CodeBLEU, static analyzers); summaries are text
CODE_TASKS = ("translation", "generation")

#: short or alternative language names -> the canonical name `code_language` returns
_CANONICAL = {"cs": "csharp", "c#": "csharp", "c_sharp": "csharp", "py": "python"}


def code_language(task: str, lang: str) -> str | None:
    """The language of the code in the outputs of (task, lang): ``python``, ``java`` or
    ``csharp``, or None for summaries (text). Translation outputs are in the direction's
    target language (``java-cs`` -> ``csharp``)."""
    if task == "summarization":
        return None
    target = lang.split("-")[-1].lower() if task == "translation" else lang.lower()
    return _CANONICAL.get(target, target)


def direction(lang: str) -> tuple[str, str]:
    """(source, target) of a translation direction: ('java', 'cs') for 'java-cs'."""
    try:
        return DIRECTIONS[lang]
    except KeyError as err:
        raise ValueError(
            f"unknown translation direction {lang!r}; known: {sorted(DIRECTIONS)}"
        ) from err
