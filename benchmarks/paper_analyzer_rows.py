"""How many of the paper's per-instance Lizard / PMD translation rows the analyzers reproduce.

Where the paper's translation scored CodeBLEU 1 against the reference (so the model output is
the reference up to whitespace), the analyzer run on the CodeXGLUE reference must give the
paper's row. Compared: the paper preset's options (the package's unit files, format_code,
Lizard no-function zeros, PMD parse-error zeros, PMD 7.6.0's rules) and the defaults.

    PYTHONPATH=. .venv/bin/python benchmarks/paper_analyzer_rows.py lizard   # ~1 min
    PYTHONPATH=. .venv/bin/python benchmarks/paper_analyzer_rows.py pmd      # ~20 min, 2 cores
    PYTHONPATH=. .venv/bin/python benchmarks/paper_analyzer_rows.py lizard-high-ccn  # seconds

Needs ../shared (CODEPEFT_SHARED) with reference/paper_per_instance and data/codexglue.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from pathlib import Path

from codepeft import analyzers

SHARED = Path(os.environ.get("CODEPEFT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
PAPER = SHARED / "reference" / "paper_per_instance"
PRESET = {
    "unit_files": "package",
    "format_translations": True,
    "lizard": {"no_functions": "zero", "functions_from": "text_report"},
    "pmd": {"parse_error": "zero", "rules_as_of": "7.6.0"},
}
SIZES = {"0_5": "0_5b", "1_5": "1_5b", "3": "3b"}
PMD_CATEGORIES = (
    "bestpractices",
    "codestyle",
    "design",
    "errorprone",
    "multithreading",
    "performance",
)
LIZARD_COLUMNS = ("Detection_Rate", "Cyclomatic_Complexity", "Lines_of_Code", "Token_Count")


def lines(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8").split("\n")
    if text and text[-1] == "":
        text.pop()
    return [line.rstrip("\r") for line in text]


def measured(tool: str, row: dict) -> tuple:
    if tool == "lizard":
        return (row.get("detected"), row.get("ccn_sum"), row.get("nloc"), row.get("tokens"))
    return tuple(row.get(c) for c in PMD_CATEGORIES)


def expected(tool: str, row: dict) -> tuple:
    return tuple(int(row[c]) for c in (LIZARD_COLUMNS if tool == "lizard" else PMD_CATEGORIES))


def main(tool: str) -> None:
    data = SHARED / "data" / "codexglue" / "code-to-code-trans"
    targets = {
        "java_cs": lines(data / "test.java-cs.txt.cs"),
        "cs_java": lines(data / "test.java-cs.txt.java"),
    }
    totals = {"n": 0, "preset": 0, "default": 0}
    print("| direction | paper file | rows with CodeBLEU 1 | preset agrees | default agrees |")
    print("|---|---|---|---|---|")
    for direction, target in targets.items():
        if tool == "pmd" and direction == "java_cs":
            continue  # PMD is Java only
        for codebleu in sorted(
            (PAPER / "codebleu" / "translation" / direction).glob("ct_qwen*.csv")
        ):
            m = re.match(r"ct_qwen(0_5|1_5|3)_(mt_qlora|st_qlora|mt[-_]fft)\.csv$", codebleu.name)
            if not m:
                continue  # RQ3 two-task files
            method = m.group(2).replace("_", "-")
            paper = (
                PAPER
                / tool
                / "translation"
                / direction
                / f"r-{tool}_ct_{SIZES[m.group(1)]}-{method}.csv"
            )
            want = {
                r["Task ID"].removeprefix("translation_"): r for r in csv.DictReader(open(paper))
            }
            exact = [
                r["instance_id"]
                for r in csv.DictReader(open(codebleu))
                if float(r["codebleu"]) >= 0.999999
            ]
            records = [{"id": i, "output": target[int(i)]} for i in exact if i in want]
            agree = {}
            for name, options in (("preset", PRESET), ("default", {})):
                rows, _ = analyzers.analyze(
                    tool,
                    records,
                    "translation",
                    direction.replace("_", "-"),
                    options=options,
                    threads=2,
                )
                agree[name] = sum(measured(tool, r) == expected(tool, want[r["id"]]) for r in rows)
                totals[name] += agree[name]
            totals["n"] += len(records)
            print(
                f"| {direction} | {paper.name} | {len(records)} | {agree['preset']} | {agree['default']} |"
            )
    print(f"| all | | {totals['n']} | {totals['preset']} | {totals['default']} |")


def high_ccn(threshold: int = 32) -> None:
    """The paper's Lizard rows with CCN >= `threshold`: how many have CCN, NLOC and tokens all
    even (a function over Lizard's CCN threshold 15 counted twice), and, for translation rows,
    the preset (functions_from: text_report) and each-function-once numbers on the reference."""
    targets = {
        "java_cs": lines(SHARED / "data/codexglue/code-to-code-trans/test.java-cs.txt.cs"),
        "cs_java": lines(SHARED / "data/codexglue/code-to-code-trans/test.java-cs.txt.java"),
    }
    once = {**PRESET, "lizard": {"no_functions": "zero"}}
    rows = []
    for path in sorted((PAPER / "lizard").rglob("*.csv")):
        rows += [
            (path, r)
            for r in csv.DictReader(open(path))
            if int(float(r["Cyclomatic_Complexity"])) >= threshold
        ]
    columns = ("Cyclomatic_Complexity", "Lines_of_Code", "Token_Count")
    even = sum(all(int(r[c]) % 2 == 0 for c in columns) for _, r in rows)
    print(f"{len(rows)} rows with CCN >= {threshold}; CCN, NLOC and tokens all even: {even}\n")
    print("| paper file | id | paper CCN/NLOC/tokens | preset on the reference | once |")
    print("|---|---|---|---|---|")
    for path, r in rows:
        preset = each = "-"
        rel = path.relative_to(PAPER / "lizard")
        if rel.parts[0] == "translation":
            direction = rel.parts[1]
            uid = r["Task ID"].removeprefix("translation_")
            rec = [{"id": uid, "output": targets[direction][int(uid)]}]
            got = []
            for options in (PRESET, once):
                (row,), _ = analyzers.analyze(
                    "lizard", rec, "translation", direction.replace("_", "-"), options=options
                )
                got.append(f"{row['ccn_sum']}/{row['nloc']}/{row['tokens']}")
            preset, each = got
        paper = "/".join(r[c] for c in columns)
        print(f"| {rel} | {r['Task ID']} | {paper} | {preset} | {each} |")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "lizard"
    if mode == "lizard-high-ccn":
        high_ccn()
    else:
        main(mode)
