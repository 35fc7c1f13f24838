"""The replication package's behaviours that change reported numbers, as named config options.

Each entry says which config key reproduces the package (the value the paper preset sets),
what the package did, where (file:line in alvi75/MultiTask-QLoRA-NFAnalysis, see
docs/paper-protocol.md) and whether it is a defect kept only for fidelity. The report lists the
entries in force for a study (`in_force`), so nobody compares numbers without knowing them,
and beside them `DIFFERENCES`: where codepeft deliberately does not do what the package did
(the report section: codepeft.paper.section).

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
    Quirk(
        "decoding.qlora_base",
        "nf4_unmerged",
        "QLoRA adapters applied unmerged (PeftModel.from_pretrained, LoRA weights float32) on a "
        "4-bit NF4 double-quant base with bf16 compute; no script merges adapters",
        "generation/codereval/infer_generation_qlora.py:89-111; "
        "summarization/codereval/infer_summarization_qlora.py:113-148; "
        "translation/infer_translation_qlora.py:74-90",
    ),
    Quirk(
        "decoding.qlora_dtype.summarization",
        "float16",
        "summarization QLoRA inference passes no torch_dtype, so transformers holds the "
        "embeddings, lm_head, norms and biases in fp16 (generation passes bf16)",
        "summarization/codereval/infer_summarization_qlora.py:121-126",
        defect=True,
    ),
    Quirk(
        "decoding.qlora_dtype.translation",
        "float16",
        "translation QLoRA inference passes no torch_dtype: non-quantized weights in fp16",
        "translation/infer_translation_qlora.py:74-87",
        defect=True,
    ),
    Quirk(
        "decoding.generation_config",
        "model",
        "each model's generation_config.json stays in force (Qwen2.5-Coder-Instruct's "
        "repetition_penalty applies to greedy decoding); only max_new_tokens and eos/pad set",
        "generation/codereval/infer_generation_qlora.py:48-55; "
        "summarization/codereval/infer_summarization_qlora.py:59-65; "
        "translation/infer_translation_qlora.py:182-189",
    ),
    Quirk(
        "decoding.eos",
        "tokenizer",
        "eos_token_id=tokenizer.eos_token_id: one stop id (<|im_end|>) overriding the "
        "generation config's eos list, so <|endoftext|> does not stop decoding",
        "generation/codereval/infer_generation_qlora.py:54",
    ),
    Quirk(
        "decoding.generation_prompt",
        "codereval_input",
        "code generation feeds CoderEval's `input` verbatim as the user turn (an empty one "
        "too), not the training format (summary + signature)",
        "generation/codereval/infer_generation_qlora.py:21-37,132 (user turn = task['input'])",
    ),
    Quirk(
        "decoding.chat_template.translation",
        "human_assistant",
        "translation inference overrides the chat template with Human/Assistant "
        "('{system}\\n\\nHuman: ...\\n\\nAssistant: ') although training used ChatML",
        "translation/infer_translation_qlora.py:110",
        defect=True,
    ),
    Quirk(
        "decoding.truncation.summarization",
        "prompt_right",
        "summarization prompts are tokenized with truncation=True, max_length=512 (right side): "
        "an over-long prompt loses its end, the assistant header included",
        "summarization/codereval/infer_summarization_qlora.py:52",
        defect=True,
    ),
    Quirk(
        "decoding.truncation.generation",
        "none",
        "code generation prompts are not truncated",
        "generation/codereval/infer_generation_qlora.py:42",
    ),
    Quirk(
        "decoding.truncation.translation",
        "none",
        "translation prompts are not truncated (truncation=False)",
        "translation/infer_translation_qlora.py:174-179",
    ),
    Quirk(
        "decoding.batch_size.generation",
        1,
        "code generation calls generate once per task (batch 1, no padding)",
        "generation/codereval/infer_generation_qlora.py:42-55",
    ),
    Quirk(
        "decoding.sort_by_length",
        False,
        "batches of 8 in file order (padding, and so bf16 numerics, as in the package)",
        "summarization/README.md:72,84 (batch 8, the script's batch loop over the file); "
        "translation/infer_translation_qlora.py:16 and its batch loop",
    ),
    Quirk(
        "decoding.postprocess.summarization",
        "last_marker",
        "summaries: stripped, text after the last 'SUMMARY:', cut at the first 'DONE'",
        "summarization/codereval/infer_summarization_qlora.py:71-80",
    ),
    Quirk(
        "decoding.postprocess.generation",
        "chat_cut",
        "generated code: stripped, cut before the first 'Human:', a leading 'Assistant:' "
        "dropped; code fences kept",
        "generation/codereval/infer_generation_qlora.py:68-74",
    ),
    Quirk(
        "decoding.postprocess.translation",
        "last_assistant",
        "translations: prompt and output decoded together, the text after the last "
        "'Assistant:' kept, then clean_generated_code's fence rule",
        "translation/infer_translation_qlora.py:47-58, :192-198",
    ),
    Quirk(
        "decoding.keep_fence_language_tag",
        True,
        "a ```csharp/```cs/bare fence yields the text between the first two fence markers, so "
        "a 'csharp' tag line stays in the translation scored and analyzed",
        "translation/infer_translation_qlora.py:47-58",
        defect=True,
    ),
    Quirk(
        "prompts.java_generation_label.single",
        "Function",
        "single-task generation training says 'Function to implement:' for Java too (the "
        "multi-task script says 'Method to implement:')",
        "generation/qlora_train.py:34; multitask/qlora_train.py:56",
    ),
    # --- training: numerics, packing, model selection ------------------------------------
    *TRAINING_QUIRKS,
    # --- evaluation: metrics, analyzers, judge ---------------------------------------------
    Quirk(
        "analyzers.unit_files",
        "package",
        "Analyzers read the package's files: generation outputs raw as <_id>.py / <_id>.java "
        "(no final newline: Pylint adds missing-final-newline and invalid-name for the module "
        "name), Java wrapped as Generated_<_id> / Translation<i> with only the first code line "
        "indented, C# translations unwrapped, empty outputs analyzed",
        "generation/codereval/extract_code_from_jsonl.py:25,31; "
        "generation/codereval/add_java_wrappers_cg.py:11-17,33; "
        "translation/wrap_java_methods.py:11-17,32",
    ),
    Quirk(
        "analyzers.unit_files",
        "package",
        "Java unit files (generation and translation) were read back in text mode before "
        "wrapping, so a generated '\\r\\n' or lone '\\r' became '\\n' in the file the "
        "analyzers read (Python and C# files were written as generated)",
        "generation/codereval/add_java_wrappers_cg.py:30; translation/wrap_java_methods.py:29",
    ),
    Quirk(
        "analyzers.format_translations",
        True,
        "Translation outputs are reformatted with format_code (newline after every ; { } even "
        "inside string literals and for headers, re-indented) before PMD, Lizard and Roslyn; "
        "CodeBLEU uses the unformatted text",
        "translation/infer_translation_qlora.py:21-45,204-213",
        defect=True,  # splitting string literals can create parse errors the model did not make
    ),
    Quirk(
        "analyzers.lizard.no_functions",
        "zero",
        "A file in which Lizard finds no function gets 0 in every column (Detection_Rate, CCN, "
        "NLOC, Token_Count), so it enters means and tests as zeros",
        "non_functional_analysis/lizard_analysis.py:57,65-72",
        defect=True,  # 'not measurable' becomes a measured 0
    ),
    Quirk(
        "analyzers.lizard.functions_from",
        "text_report",
        "Lizard's numbers are the sums over the lines of the `lizard <file>` text report that "
        "look like function rows (stripped, a leading digit, an '@', four integers); a function "
        "over a warning threshold (CCN > 15, length > 1000, parameters > 100) is listed again "
        "in the warnings block, so its CCN, NLOC and tokens count twice",
        "non_functional_analysis/lizard_analysis.py:57,63-81",
        defect=True,  # the most complex functions weigh double in every Lizard sum
    ),
    Quirk(
        "analyzers.pmd.parse_error",
        "zero",
        "A file PMD cannot parse counts 0 violations in every category (violations were the "
        "text report's lines containing ':\\t')",
        "non_functional_analysis/analysis_PMD_checkstyle.py:28-45,173-178",
        defect=True,  # unparsable code looks like clean code
    ),
    Quirk(
        "analyzers.pmd.rules_as_of",
        "7.6.0",
        "PMD 7.6.0's rule set, run once per file and category (rules added in later PMD "
        "releases, e.g. OnDemandImport and TypeNameMismatch, are not run)",
        "non_functional_analysis/analysis_PMD_checkstyle.py:140,145,173-178",
    ),
    Quirk(
        "judge.template",
        "package",
        "The judge prompt is the package's template (rating and rationale per criterion, "
        "{lang} = language.capitalize())",
        "summarization/codereval/evaluate_summarization_llm_judge.py:35-61",
    ),
    Quirk(
        "judge.parse_rule",
        "package",
        "Judge answers are read per line, case-insensitively, criteria checked in order with "
        "elif; the score is the line's first digit 1-5 ('10' reads 1) and later lines "
        "overwrite; a run still missing a criterion after 5 calls keeps its partial scores",
        "summarization/codereval/evaluate_summarization_llm_judge.py:105-157",
    ),
    Quirk(
        "judge.verbosity",
        "low",
        "The judge call is responses.create(model, input=prompt, text={'verbosity': 'low'}, "
        "max_output_tokens=1024) with no temperature, reasoning effort or system message",
        "summarization/codereval/evaluate_summarization_llm_judge.py:69-74",
    ),
    Quirk(
        "judge.empty_retries",
        2,
        "An empty judge answer is asked again up to 3 times per call (and the call repeated "
        "up to 5 times until all three scores parse: parse_retries 4)",
        "summarization/codereval/evaluate_summarization_llm_judge.py:65-103,140-157",
    ),
    Quirk(
        "judge.blank_answer",
        "answer",
        "A judge answer of whitespace only is an answer (call_gpt5 returns it: `if "
        "output_text:`), not an empty one: it is parsed, gives no score and uses one of the 5 "
        "calls instead of being asked again within the call",
        "summarization/codereval/evaluate_summarization_llm_judge.py:89,105-107,140-146",
    ),
    Quirk(
        "judge.min_summary_chars",
        3,
        "Summaries shorter than 3 characters after strip are not judged and absent from the "
        "judge's table (the paper's files have none)",
        "summarization/codereval/evaluate_summarization_llm_judge.py:175-177",
        defect=True,  # a model that outputs nothing escapes a low judge score
    ),
    Quirk(
        "metrics.bertscore.empty_prediction",
        "exclude",
        "BERTScore is computed only over pairs whose prediction and reference are non-empty: "
        "empty predictions are left out of the mean, not scored 0 (the other measures score "
        "them 0)",
        "summarization/codereval/evaluate_summarization_metrics.py:201",
        defect=True,  # a model that outputs nothing is spared on BERTScore only
    ),
    Quirk(
        "metrics.side.empty_prediction",
        "score",
        "SIDE is computed for every row, empty summaries included (not zeroed)",
        "summarization/codereval/evaluate_summarization_metrics.py:49-61",
    ),
    Quirk(
        "metrics.bertscore.model",
        "bert-base-uncased",
        "BERTScore uses bert-base-uncased at layer 12, no idf, no baseline rescaling",
        "summarization/codereval/evaluate_summarization_metrics.py:212-220",
    ),
    Quirk(
        "metrics.codebleu.dataflow_policy",
        "library",
        "CodeBLEU is codebleu 0.7.0's combination, which counts a missing data-flow match as 1 "
        "(an unparsable output scores 0.25)",
        "translation/infer_translation_qlora.py:221-225",
        defect=True,
    ),
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


@dataclass(frozen=True)
class Difference:
    """A place where codepeft, the paper preset included, deliberately does not do what the
    replication package did (listed beside the quirks in force, docs/paper-protocol.md)."""

    topic: str
    package: str  # what the package did
    codepeft: str  # what codepeft does instead
    effect: str  # on the numbers
    source: str  # package file:line


DIFFERENCES: list[Difference] = [
    Difference(
        "judge request body",
        "responses.create(model, input, text={'verbosity': 'low'}, max_output_tokens=1024): the "
        "provider's default store (true) kept every request and answer",
        'adds "store": false, so the judged code and summaries are not kept by the provider '
        "(judge.extra_body: {store: null} sends the package's body exactly)",
        "none: storage does not change an answer",
        "summarization/codereval/evaluate_summarization_llm_judge.py:69-74",
    ),
    Difference(
        "judge answer with a non-decimal digit",
        "a line naming a criterion whose first digit-like character is one int() cannot read "
        "(a superscript '²', a circled '①') raised ValueError: the evaluation stopped",
        "that line gives no score; a run missing the criterion is asked again (parse_retries)",
        "none on answers the package could read (it never read a score past such a character)",
        "summarization/codereval/evaluate_summarization_llm_judge.py:119-132",
    ),
    Difference(
        "CodeBLEU data-flow order",
        "calc_codebleu (codebleu 0.7.0) lists a variable's data-flow parents in set order, which "
        "follows the process's string hash seed: the data-flow score, hence CodeBLEU, changes "
        "from run to run on the same files",
        "the parents are sorted before normalisation (codepeft.metrics.codebleu_metric, "
        "deterministic=True), so a rerun gives the same tables",
        "a corpus score within the package's own run-to-run spread (e.g. 0.1043-0.1059 on 200 "
        "Java->C# pairs); per-instance scores likewise",
        "translation/infer_translation_qlora.py:221-225",
    ),
    Difference(
        "packing chunk order",
        "TRL 0.9.6's ConstantLengthDataset shuffled chunks with the global `random` module",
        "a seeded generator: the same chunks, a reproducible order (not the package's own)",
        "training batches differ in order only",
        "multitask/qlora_train.py:539-549; trl 0.9.6 utils.py:533-584",
    ),
    Difference(
        "RQ3 CS+CT PMD input",
        "the script reads r-pmd_ct_3b_cg_cs-mt-qlora.csv (a file-name error)",
        "the CS+CT model's own PMD table",
        "that comparison's PMD rows differ from the shipped ones",
        "statistical_tests/R-scripts/rq3_ct_cs_java…R:29",
    ),
    Difference(
        "shipped C#->Java PMD results",
        "computed on the code-generation PMD tables (every printed number matches those)",
        "computed on the translations",
        "our C#->Java PMD rows differ from the paper's",
        "statistical_tests/R-scripts/rq1_ct_cs_java…R:27-32",
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
