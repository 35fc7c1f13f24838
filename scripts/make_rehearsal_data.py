"""Write the scale-rehearsal data set: every source of the paper preset at its real row count,
in its original release format, so the project's loaders read it unchanged.

REHEARSAL DATA, NOT A BENCHMARK. Only what is missing on this machine is synthesized, and every
synthesized row says so in its `repo`, `path` and `url` fields (prefix `rehearsal`):

| source                                | rows (train / valid / test) | how                           |
|---------------------------------------|-----------------------------|-------------------------------|
| CodeXGLUE code-to-text Python         | 251,820 / 13,914 / 14,918   | real rows of the shared subset (valid+test, 250 rows) resampled with replacement: the real length distribution of that subset |
| CodeXGLUE code-to-text Java           | 164,923 / 5,183 / 10,955    | built in the same fields: code = a real Java method (a line of CodeXGLUE's Java<->C# translation set), docstring = a real CoderEval Java HumanLabel description of ANOTHER method (unrelated to the code) |
| CodeXGLUE Java<->C# translation       | 10,300 / 500 / 1,000        | the real set, linked as is    |
| CoderEval HumanLabel, discard list    | 190 / 184 after discards    | real, linked as is            |
| summarization evaluation set          | 100 / 99                    | real, linked as is            |

Layout written under OUT (default data/rehearsal, git-ignored):
    code-to-text/{python,java}/{train,valid,test}.jsonl   (synthesized, see README.txt)
    code-to-code-trans  -> SHARED/codexglue/code-to-code-trans  (symlink)
    codereval           -> SHARED/codereval                     (symlink)
    README.txt

Deterministic: the same SHARED and --seed give byte-identical files. Usage:
    .venv/bin/python scripts/make_rehearsal_data.py                 # ../shared/data -> data/rehearsal
    .venv/bin/python scripts/make_rehearsal_data.py --limit 50 --out /tmp/reh   # small, for tests
Then: snakemake --configfile config/paper.yaml config/rehearsal.yaml
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import statistics
import sys
from pathlib import Path

#: CodeXGLUE code-to-text row counts of the release (the paper's splits)
CODE_TO_TEXT_ROWS = {
    "python": {"train": 251_820, "valid": 13_914, "test": 14_918},
    "java": {"train": 164_923, "valid": 5_183, "test": 10_955},
}
SPLITS = ("train", "valid", "test")
LABEL = "rehearsal"
TRANSLATION_DIR = Path("codexglue") / "code-to-code-trans"
CODE_TO_TEXT_DIR = Path("codexglue") / "code-to-text"
CODEREVAL_DIR = Path("codereval")
_JAVA_TOKEN = re.compile(
    r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|[A-Za-z_$][\w$]*|\d[\w.]*|==|!=|<=|>=|&&|\|\||'
    r"\+\+|--|->|::|\S"
)
_WORD = re.compile(r"\w+|[^\w\s]")


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _lines(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def python_pool(shared: Path) -> list[dict]:
    """Real CodeXGLUE Python rows of the shared subset (every split it has), in file order."""
    base = shared / CODE_TO_TEXT_DIR / "python"
    rows = []
    for split in SPLITS:
        path = base / f"{split}.jsonl"
        if path.exists():
            rows.extend(_read_jsonl(path))
    if not rows:
        raise SystemExit(f"no CodeXGLUE Python rows under {base}")
    return rows


def java_pool(shared: Path) -> tuple[list[str], list[str]]:
    """(real Java methods, real Java descriptions): the translation set's Java lines (every
    split) and CoderEval Java HumanLabel docstrings."""
    methods = []
    for split in SPLITS:
        methods.extend(_lines(shared / TRANSLATION_DIR / f"{split}.java-cs.txt.java"))
    docs = [
        row["docstring"].strip()
        for row in _read_jsonl(shared / CODEREVAL_DIR / "CEJavaHumanLabel.jsonl")
        if row.get("docstring", "").strip()
    ]
    methods = [m for m in methods if "(" in m and "{" in m]
    if not methods or not docs:
        raise SystemExit("no Java methods or descriptions in the shared data")
    return methods, docs


def python_row(source: dict, split: str, index: int) -> dict:
    """A real Python row, relabelled: repo/path/url say `rehearsal`, partition = split."""
    row = dict(source)
    row["repo"] = f"{LABEL}/{source.get('repo', '')}"
    row["path"] = f"{LABEL}/{source.get('path', '')}"
    row["url"] = f"{LABEL}://codexglue-python/{split}/{index}#from={source.get('url', '')}"
    row["partition"] = split
    return row


def java_row(code: str, docstring: str, split: str, index: int) -> dict:
    """A Java row in CodeXGLUE's fields from a real method and an unrelated real description."""
    name = re.search(r"([A-Za-z_$][\w$]*)\s*\(", code)
    func = name.group(1) if name else "method"
    first_paragraph = docstring.split("\n\n")[0]
    return {
        "repo": f"{LABEL}/codexglue-translation-java",
        "path": f"{LABEL}/java/{split}/{index}.java",
        "func_name": f"Rehearsal.{func}",
        "original_string": code,
        "language": "java",
        "code": code,
        "code_tokens": _JAVA_TOKEN.findall(code),
        "docstring": docstring,
        "docstring_tokens": _WORD.findall(first_paragraph),
        "sha": hashlib.sha1(code.encode("utf-8")).hexdigest(),
        "url": f"{LABEL}://codexglue-java/{split}/{index}",
        "partition": split,
    }


def _write(path: Path, rows) -> tuple[int, list[int]]:
    """Write rows as JSONL (atomically); returns (count, code lengths)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    lengths = []
    with open(tmp, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            lengths.append(len(row["code_tokens"]))
    os.replace(tmp, path)
    return len(lengths), lengths


def _link(target: Path, link: Path) -> None:
    if link.is_symlink() or link.exists():
        if link.is_symlink() and Path(os.readlink(link)) == target:
            return
        if link.is_symlink():
            link.unlink()
        else:
            raise SystemExit(f"{link} exists and is not a symlink; remove it first")
    link.symlink_to(target, target_is_directory=True)


def make(shared: Path, out: Path, seed: int = 42, limit: int | None = None) -> dict:
    """Write the rehearsal set; returns {file: {"rows", "code_tokens_mean", ...}} (for README)."""
    shared = shared.resolve()
    out.mkdir(parents=True, exist_ok=True)
    stats: dict = {}
    py_rows = python_pool(shared)
    methods, docs = java_pool(shared)
    for lang, counts in CODE_TO_TEXT_ROWS.items():
        for split in SPLITS:
            n = counts[split] if limit is None else min(limit, counts[split])
            rng = random.Random(f"{seed}/{lang}/{split}")  # str seeds are stable across runs
            if lang == "python":
                rows = (python_row(rng.choice(py_rows), split, i) for i in range(n))
            else:
                rows = (java_row(rng.choice(methods), rng.choice(docs), split, i) for i in range(n))
            path = out / "code-to-text" / lang / f"{split}.jsonl"
            count, lengths = _write(path, rows)
            stats[f"code-to-text/{lang}/{split}.jsonl"] = {
                "rows": count,
                "bytes": path.stat().st_size,
                "code_tokens_mean": round(statistics.fmean(lengths), 1),
                "code_tokens_median": statistics.median(lengths),
            }
    _link(shared / TRANSLATION_DIR, out / "code-to-code-trans")
    _link(shared / CODEREVAL_DIR, out / "codereval")
    _write_readme(out, shared, seed, limit, stats, len(py_rows), len(methods), len(docs))
    return stats


def _write_readme(out, shared, seed, limit, stats, n_py, n_methods, n_docs) -> None:
    lines = [
        "REHEARSAL DATA - NOT THE REAL DATASETS, NOT FOR ANY RESULT.",
        "",
        "Written by scripts/make_rehearsal_data.py for the scale rehearsal of the paper preset",
        "(config/rehearsal.yaml): every source at its real row count, in its original format,",
        "so the workflow's jobs see paper-scale data. Numbers computed on it mean nothing.",
        "",
        f"shared data: {shared}   seed: {seed}   limit: {limit if limit else 'none (real counts)'}",
        "",
        "code-to-text/python/*.jsonl  SYNTHESIZED: real CodeXGLUE Python rows of the shared",
        f"  subset ({n_py} rows) resampled with replacement; repo/path/url start with 'rehearsal'.",
        "code-to-text/java/*.jsonl    SYNTHESIZED: code = a real Java method (CodeXGLUE",
        f"  translation set, {n_methods} methods), docstring = a real CoderEval Java description",
        f"  ({n_docs}) of an UNRELATED method; repo/path/url start with 'rehearsal'. Java methods",
        "  of the translation set are shorter than CodeXGLUE code-to-text Java methods.",
        "code-to-code-trans           the real CodeXGLUE Java<->C# set (symlink, unchanged).",
        "codereval                    the real CoderEval files and the summarization eval set",
        "                             (symlink, unchanged).",
        "",
        "file | rows | bytes | code tokens mean | median",
    ]
    for name, s in stats.items():
        lines.append(
            f"{name} | {s['rows']} | {s['bytes']} | {s['code_tokens_mean']} | "
            f"{s['code_tokens_median']}"
        )
    (out / "README.txt").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shared", nargs="?", default="../shared/data", help="real-data folder")
    parser.add_argument("--out", default="data/rehearsal", help="output folder (git-ignored)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--limit", type=int, default=None, help="at most this many rows per code-to-text split"
    )
    args = parser.parse_args(argv)
    stats = make(Path(args.shared), Path(args.out), seed=args.seed, limit=args.limit)
    for name, s in stats.items():
        print(f"{name}: {s['rows']} rows, {s['bytes'] / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
