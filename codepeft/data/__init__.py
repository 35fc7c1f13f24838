"""Raw datasets -> task records of one schema (`results/data/{task}/{lang}/{split}.jsonl`).

Modules:
- `records`   the record schema ({id, task, language, split, inputs, reference, meta}), checks
- `codexglue` CodeXGLUE code-to-text and Java<->C# translation (local original files or hub)
- `codegen`   the code-generation training set derived from code-to-text rows
- `codereval` CoderEval HumanLabel prompts (discard list applied) and the summarization eval set
- `prepare`   which source feeds which task/split, `max_rows` caps, `write_task_splits`
- `cli`       `codepeft data ...`

Deviations from the paper, by necessity:
- Code-generation TRAINING data: the paper's (summary, signature, code) set is unpublished. It
  is derived here from CodeXGLUE code-to-text rows of the same language: summary = first
  sentence of the docstring, signature = the declaration (Python `def ...:` header; Java up to
  and including the opening brace), reference = the function without its docstring/Javadoc.
  Rows where this fails are skipped and counted by reason (returned by `write_task_splits`).
- CoderEval ground-truth code and tests live in CoderEval's Docker image: on real data the
  generation test records have `reference: null` (correctness comes from execution).
- The embedded default datasets (`codepeft/resources/embedded/`) are of this project's own
  making (scripts/make_embedded_data.py), in the same formats, so the same loaders read them.
"""

from codepeft.data.prepare import data_config, write_task_splits
from codepeft.data.records import DataError, make_record

__all__ = ["DataError", "data_config", "make_record", "write_task_splits"]
