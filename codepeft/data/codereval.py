"""CoderEval loaders: HumanLabel generation prompts (test) and the summarization eval set.

Local directory layout (CoderEval's release plus the study's files):
- `CEPythonHumanLabel.jsonl`, `CEJavaHumanLabel.jsonl`: question_id, input, signature, docstring
- `ids_to_discard.json`: {"CoderEval Python Ids with Unreliable Tests": [...],
  "CoderEval Java Ids with Unreliable Tests": [...]} (dropped, as in the study)
- `levels_by_id.json`: {"python": {id: level}, "java": {id: level}} (runnable level)
- optional `solutions.jsonl`: {"id", "language", "code"} reference solutions (the embedded set
  has them; CoderEval's ground truth lives in its Docker image, so on real data reference=null)
- `cs_codereval_eval_dataset_{java,py}_v2.jsonl`: id, code, reference_summary (summarization)
"""

from __future__ import annotations

import json
from pathlib import Path

from codepeft.data.records import DataError, make_record
from codepeft.io import read_jsonl

HUMANLABEL_FILES = {"python": "CEPythonHumanLabel.jsonl", "java": "CEJavaHumanLabel.jsonl"}
DISCARD_KEYS = {
    "python": "CoderEval Python Ids with Unreliable Tests",
    "java": "CoderEval Java Ids with Unreliable Tests",
}
SUMMARIZATION_EVAL_FILES = {
    "python": "cs_codereval_eval_dataset_py_v2.jsonl",
    "java": "cs_codereval_eval_dataset_java_v2.jsonl",
}


def _require(path: Path) -> Path:
    if not path.exists():
        raise DataError(f"CoderEval: {path} does not exist")
    return path


def _check_lang(lang: str) -> None:
    if lang not in HUMANLABEL_FILES:
        raise DataError(f"CoderEval language must be python or java, not {lang!r}")


def discarded_ids(local_dir: str | Path, lang: str) -> set[str]:
    """The study's 'unreliable tests' ids for `lang` (empty if the file has no entry for it)."""
    data = json.loads(_require(Path(local_dir) / "ids_to_discard.json").read_text())
    return set(data.get(DISCARD_KEYS[lang], []))


def load_solutions(local_dir: str | Path, lang: str) -> dict[str, str]:
    """{id: code} from the optional `solutions.jsonl` (empty when absent)."""
    path = Path(local_dir) / "solutions.jsonl"
    if not path.exists():
        return {}
    return {row["id"]: row["code"] for row in read_jsonl(path) if row["language"] == lang}


def load_codereval(lang: str, local_dir: str | Path, discard: bool = True) -> list[dict]:
    """Generation TEST records from CoderEval HumanLabel, minus the discard list.

    id = question_id; inputs = {summary: docstring, signature, input, docstring, level};
    reference = the solution from `solutions.jsonl` if present, else null.
    """
    _check_lang(lang)
    base = Path(local_dir)
    rows = read_jsonl(_require(base / HUMANLABEL_FILES[lang]))
    drop = discarded_ids(base, lang) if discard else set()
    levels_path = base / "levels_by_id.json"
    levels = json.loads(levels_path.read_text()).get(lang, {}) if levels_path.exists() else {}
    solutions = load_solutions(base, lang)
    records = []
    for row in rows:
        qid = row["question_id"]
        if qid in drop:
            continue
        records.append(
            make_record(
                qid,
                "generation",
                lang,
                "test",
                {
                    "summary": row["docstring"],
                    "signature": row["signature"],
                    "input": row["input"],
                    "docstring": row["docstring"],
                    "level": levels.get(qid),
                },
                solutions.get(qid),
                {"source": "codereval-humanlabel"},
            )
        )
    return records


def load_summarization_eval(lang: str, local_dir: str | Path) -> list[dict]:
    """Summarization TEST records from the study's CoderEval-based eval set (raw code input)."""
    _check_lang(lang)
    path = _require(Path(local_dir) / SUMMARIZATION_EVAL_FILES[lang])
    return [
        make_record(
            row["id"],
            "summarization",
            lang,
            "test",
            {"code": row["code"]},
            row["reference_summary"],
            {"source": "codereval-summarization-eval", "code_input": "raw"},
        )
        for row in read_jsonl(path)
    ]
