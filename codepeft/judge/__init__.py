"""LLM-as-a-judge for code summaries (the paper's rubric), any OpenAI-compatible API or a local
causal LM; repeated runs, a disk cache, bounded concurrency, retries and a request cap.

Entry points: `pipeline.judge_predictions` (the workflow), `pipeline.judge_pairs_file` and
`cli.main` (``codepeft judge``), `runner.Judge` (library use with any `base.Backend`).
"""

from .rubric import DEFAULT_CRITERIA, load_template, parse_answer

__all__ = ["DEFAULT_CRITERIA", "load_template", "parse_answer"]
