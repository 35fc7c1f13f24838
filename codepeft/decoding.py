"""The `decoding` section's per-task options: which options take a {task: value} object
(`PER_TASK`), the schema's defaults of one task (`task_defaults`) and a section resolved to one
task (`resolve`). Pure functions of config data, read by the study matrix
(`codepeft.study.decoding_spec`, the generation jobs' params) and by the generation backends
(`codepeft.generate.DecodingSpec`); no model library is imported here.
"""

from __future__ import annotations

from codepeft.config import schema_defaults

# options that take a {task: value} object; `resolve` picks the task's value
PER_TASK = (
    "batch_size",
    "max_new_tokens",
    "truncation",
    "chat_template",
    "postprocess",
    "dtype",
    "qlora_dtype",
)


def task_defaults(task: str) -> dict:
    """The schema's `decoding` defaults of `task` (per-task objects resolved; no `vllm`,
    which is the vLLM backend's and not a decoding option)."""
    defaults = schema_defaults("decoding")
    defaults.pop("vllm", None)
    for key in PER_TASK:
        if isinstance(defaults.get(key), dict):
            defaults[key] = defaults[key].get(task)
    return {k: v for k, v in defaults.items() if v is not None}


def resolve(values: dict, task: str) -> dict:
    """`values` with every per-task option ({task: value}) replaced by `task`'s value (an
    object without the task falls back to the schema's default for the task)."""
    defaults = task_defaults(task)
    out = dict(values)
    for key in PER_TASK:
        if isinstance(out.get(key), dict):
            value = out[key].get(task)
            if value is None:
                out.pop(key)
                if key in defaults:
                    out[key] = defaults[key]
            else:
                out[key] = value
    return out
