"""The replication package's behaviours that change reported numbers, as named config options.

Each entry says which config key reproduces the package (the value the paper preset sets),
what the package did, where (file:line in alvi75/MultiTask-QLoRA-NFAnalysis, see
docs/paper-protocol.md) and whether it is a defect kept only for fidelity. The report lists the
entries in force for a study (`in_force`), so nobody compares numbers without knowing them.

Keys are dotted config paths; `*` matches every key at that level (e.g. `methods.*.training.x`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quirk:
    key: str  # dotted config path of the option
    value: object  # the option value that reproduces the package
    what: str  # one sentence: what the package did
    source: str  # package file:line
    defect: bool = False  # True: a defect of the package, kept for fidelity only


# Training: numerics, packing, data order, model selection (codepeft/train.py, packing.py,
# selection.py, mixing.py). Sources: PACKAGE.md sections 2, 9, 10.
TRAINING_QUIRKS: list[Quirk] = [
    Quirk(
        "training.weights_dtype",
        "fp16",
        "QLoRA bases were loaded in 4-bit without torch_dtype, so the unquantized weights "
        "(embeddings, norms, lm_head, biases) were fp16 under bf16 autocast; "
        "prepare_model_for_kbit_training was never called",
        "multitask/qlora_train.py:396-413",
    ),
    Quirk(
        "training.adapter_dtype",
        "fp32",
        "LoRA A/B weights were trained in fp32 (TRL 0.9.6 skipped its cast for a PeftModel; "
        "TRL >= 1 would cast them to bf16)",
        "summarization/qlora_train.py:253; trl 0.9.6 sft_trainer.py:214-272",
    ),
    Quirk(
        "methods.*.training.weights_dtype",
        "bf16",
        "full fine-tuning loaded the weights in bf16 and trained them in pure bf16 (adamw_torch, "
        "no fp32 master copy) with gradient checkpointing",
        "multitask/fft_train.py:384,485,499",
    ),
    Quirk(
        "training.packing",
        "constant_length",
        "TRL 0.9.6 packing: text + eos concatenated per character buffer, only full 512-token "
        "chunks kept (each buffer's tail dropped), chunks shuffled; validation packed too",
        "multitask/qlora_train.py:539-549; trl 0.9.6 utils.py:533-584",
    ),
    Quirk(
        "training.selection.metric",
        "chunk_bleu_codebleu",
        "checkpoints chosen by sentence BLEU / whole-chunk CodeBLEU of teacher-forced argmax "
        "decodes of packed validation chunks (pooled mean for MT), not by validation loss",
        "multitask/qlora_train.py:284-344; summarization/qlora_train.py:69-78,231; "
        "generation/qlora_train.py:97-105; translation/qlora_train.py:72-84",
    ),
    Quirk(
        "training.selection.shift_predictions",
        False,
        "the argmax predictions were compared with the labels unshifted (off by one token)",
        "multitask/qlora_train.py:284-291",
        defect=True,
    ),
    Quirk(
        "training.eval_max_rows",
        400,
        "multi-task validation used the first 400 raw rows (then packed)",
        "README.md:80,93",
    ),
    Quirk(
        "methods.*.training.eval_max_rows",
        500,
        "single-task summarization/generation validation used the first 500 raw rows",
        "summarization/README.md:49; generation/README.md:50",
    ),
    Quirk(
        "methods.*.task_training.translation.eval_max_rows",
        625,
        "single-task translation validation used 625 of its 1,000 direction-rows",
        "translation/README.md:40",
    ),
    Quirk(
        "methods.*.task_training.translation.per_device_batch_size",
        4,
        "single-task translation trained with batch 4 x 8 (not 2 x 16), eval/save every 625 "
        "steps, warmup 100, eval batch 8",
        "translation/README.md:23-24,36-37; translation/qlora_train.py:214-239",
    ),
    Quirk(
        "training.eval_batch_size",
        1,
        "validation ran with batch 1",
        "multitask/qlora_train.py:502-505",
    ),
    Quirk(
        "training.mixing.source_order",
        "package",
        "the mix was concatenated as sum-java, sum-py, gen-java, gen-py, trans Java->C#, "
        "trans C#->Java before the seed-42 shuffle",
        "multitask/qlora_train.py:425-437",
    ),
    Quirk(
        "training.mixing.shuffler",
        "hf_datasets",
        "shuffles were datasets.Dataset.shuffle(seed=42) permutations",
        "multitask/qlora_train.py:437",
    ),
    Quirk(
        "training.mixing.shuffle_valid_sources",
        True,
        "each validation split was shuffled (seed 42) per language/direction, then the "
        "concatenation shuffled again, before the first N rows were taken",
        "multitask/qlora_train.py:95,108,165,178,231,437,545",
    ),
]

QUIRKS: list[Quirk] = [
    # --- inference: prompts, truncation, decoding, post-processing, numerics ---------------
    # --- training: numerics, packing, model selection ------------------------------------
    *TRAINING_QUIRKS,
    # --- evaluation: metrics, analyzers, judge ---------------------------------------------
    # --- statistics: families, adjustments, pairing ---------------------------------------
    Quirk(
        key="stats.pair_by",
        value="position",
        what="Wilcoxon rows are paired by row position after truncating both files to the "
        "shorter (summarization, judge, generation, translation; RQ1-RQ3); equal to pairing "
        "by id only while both files hold the same ids in the same order, as the shipped "
        "CSVs do.",
        source="statistical_tests/R-scripts/rq1_cs_java_st_vs_mt_wilcoxon.R:24-31 (every "
        "*_wilcoxon.R)",
        defect=True,
    ),
    Quirk(
        key="stats.pair_by",
        value="position",
        what="RQ2 and RQ3 pass@1 McNemar tables pair rows by position (align_data, min_len); "
        "the RQ2 Python 0.5B/1.5B files hold different task sets, so 169/188 and 167/189 rows "
        "are misaligned and the published discordant counts 25/23 and 26/20 are 8/6 and 14/8 "
        "by id.",
        source="statistical_tests/R-scripts/rq2_pass1_mcnemar.R:39-52 (align_data); "
        "rq3_pass1_mcnemar.R:38-57",
        defect=True,
    ),
    Quirk(
        key="stats.overrides.*",
        value={"where": {"question": "rq1", "task": "generation"}, "adjust": "bh"},
        what="RQ1 code generation is adjusted with Benjamini-Hochberg (pass@1 over the 6 "
        "language x size tests; the static-analysis family per size), RQ2/RQ3 and every other "
        "RQ1 family with Holm.",
        source="statistical_tests/R-scripts/rq1_cg_java_st_vs_mt_wilcoxon.R:285-295, "
        "rq1_cg_python_st_vs_mt_wilcoxon.R:252-262, rq1_pass1_mcnemar.R:104",
    ),
    Quirk(
        key="stats.both_constant",
        value="na",
        what="Wilcoxon p is NA, without a test, when each side is constant (is_constant(x) & "
        "is_constant(y)), and p.adjust drops it from the family's n; differs from running the "
        "test only when the two constants differ.",
        source="statistical_tests/R-scripts/rq1_cs_java_st_vs_mt_wilcoxon.R:34-43 (every "
        "*_wilcoxon.R)",
        defect=True,
    ),
    Quirk(
        key="stats.measures.judge.group",
        value="judge",
        what="The LLM-judge scores are their own Holm family {content adequacy, conciseness, "
        "fluency} per model size (the package's CLEAN outputs wrongly say Benjamini-Hochberg).",
        source="statistical_tests/R-scripts/rq1_cs_java_llm_judge_st_vs_mt_wilcoxon.R:90,94,98",
    ),
]


def _values(config, parts: list[str]):
    """Every value at the dotted path `parts` ('*' fans out over a dict's keys)."""
    if not parts:
        yield config
        return
    head, rest = parts[0], parts[1:]
    if isinstance(config, list) and head == "*":  # '*' also fans out over a list's items
        for item in config:
            yield from _values(item, rest)
        return
    if not isinstance(config, dict):
        return
    keys = list(config) if head == "*" else [head] if head in config else []
    for key in keys:
        yield from _values(config[key], rest)


def in_force(config: dict, quirks: list[Quirk] | None = None) -> list[Quirk]:
    """The quirks whose option holds the package's value somewhere in `config`."""
    return [
        q
        for q in (QUIRKS if quirks is None else quirks)
        if any(v == q.value for v in _values(config, q.key.split(".")))
    ]
