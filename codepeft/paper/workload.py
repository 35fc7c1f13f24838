"""The paper preset's workload (config/paper.yaml at the sizes PAPER.md reports), the input of
the cost extrapolation (`codepeft.cost.extrapolate`) that the report's cost section and
benchmarks/study_cost.py draw: 15 trainings and 72 generation sets.
"""

from __future__ import annotations

from codepeft.paper.numbers import SIZES
from codepeft.tasks import TASKS

# Workload of config/paper.yaml from PAPER.md: training rows per task/language (CodeXGLUE
# code-to-text train splits; the generation set is built from the same records; translation
# pairs used in both directions), test rows, max_new_tokens, 5 epochs.
PAPER_SIZES = SIZES  # the paper's model sizes
PAPER_TRAIN_ROWS = {
    ("summarization", "python"): 251_820,
    ("summarization", "java"): 164_923,
    ("generation", "python"): 251_820,
    ("generation", "java"): 164_923,
    ("translation", "java-cs"): 10_300,
    ("translation", "cs-java"): 10_300,
}
PAPER_TEST_ROWS = {
    ("summarization", "python"): 100,
    ("summarization", "java"): 99,
    ("generation", "python"): 190,
    ("generation", "java"): 184,
    ("translation", "java-cs"): 1_000,
    ("translation", "cs-java"): 1_000,
}
PAPER_MAX_NEW_TOKENS = {"summarization": 128, "generation": 512, "translation": 512}
PAPER_TASKS = TASKS  # the paper studies every task of the registry
# method -> (finetune kind, scopes); zero_shot trains nothing
PAPER_METHODS = {
    "zero_shot": (None, ()),
    "mt_qlora": ("qlora", ("multi",)),
    "st_qlora": ("qlora", PAPER_TASKS),
    "mt_fft": ("full", ("multi",)),
}


def paper_workload(tokens_per_record: float, epochs: float = 5) -> dict:
    """The paper preset's 15 trainings (tokens to train on) and 72 generation sets (new tokens,
    an upper bound: every output at max_new_tokens). `tokens_per_record`: mean tokens of one
    rendered training example (prompt + answer), an input of the estimate."""
    trainings, generation = [], []
    for size in PAPER_SIZES:
        for method, (kind, scopes) in PAPER_METHODS.items():
            for scope in scopes:
                rows = sum(
                    n for (task, _), n in PAPER_TRAIN_ROWS.items() if scope in ("multi", task)
                )
                trainings.append(
                    dict(
                        size=size,
                        method=method,
                        kind=kind,
                        scope=scope,
                        rows=rows,
                        tokens=rows * tokens_per_record * epochs,
                    )
                )
            for (task, lang), n in PAPER_TEST_ROWS.items():
                generation.append(
                    dict(
                        size=size,
                        method=method,
                        task=task,
                        lang=lang,
                        rows=n,
                        new_tokens=n * PAPER_MAX_NEW_TOKENS[task],
                    )
                )
    return {
        "tokens_per_record": tokens_per_record,
        "epochs": epochs,
        "trainings": trainings,
        "generation_sets": generation,
    }
