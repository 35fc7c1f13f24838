"""A quiet console for `make run`: Snakemake's output in, one line per finished job out.

    snakemake --cores 2 2>&1 | python scripts/console.py

Each finished job prints `[elapsed] done/total rule wildcards`; errors (Snakemake's error blocks,
tracebacks, the workflow's messages) pass through, with long file lists cut; the path of the full
log (`.snakemake/log/...`) is printed at the end. Exit status: the caller's pipe decides
(`set -o pipefail`). Reads stdin line by line, so it adds no delay.
"""

from __future__ import annotations

import re
import sys
import time

RULE = re.compile(r"^(?:local)?(?:checkpoint|rule) (\S+):$")
FINISHED = re.compile(r"^Finished jobid: (\d+) \(Rule: ([^)]+)\)")
STEPS = re.compile(r"^(\d+) of (\d+) steps \((\S+)\) done")
ERROR = re.compile(
    r"^(Error|.*Error:|.*Exception|Traceback|Exiting because|MissingInputException|"
    r"Shutting down|WorkflowError|IncompleteFilesException|LockException)"
)
ALWAYS = ("Complete log:", "Nothing to be done", "Job stats:", "Will exit after finishing")
CUT = 240


def _elapsed(start: float) -> str:
    s = int(time.monotonic() - start)
    return f"{s // 60:02d}:{s % 60:02d}"


def run(lines, out=sys.stdout, start: float | None = None) -> int:
    """Filter `lines` to `out`; return the number of lines printed."""
    start = time.monotonic() if start is None else start
    printed = 0
    wildcards: dict[str, str] = {}
    block_rule = block_jobid = None
    in_error = False
    pending: tuple[str, str] | None = None

    def emit(text: str) -> None:
        nonlocal printed
        out.write(text + "\n")
        out.flush()
        printed += 1

    for raw in lines:
        line = raw.rstrip("\n")
        stripped = line.strip()
        if in_error:
            if stripped.startswith(("input:", "output:")) and len(line) > CUT:
                line = line[:CUT] + " ..."
            if stripped:
                emit(line)
            continue
        if ERROR.match(line):
            in_error = True
            emit(line)
            continue
        if line.startswith(ALWAYS):
            if line.startswith("Job stats:"):
                continue
            emit(line)
            continue
        match = RULE.match(line)
        if match:
            block_rule, block_jobid = match.group(1), None
            continue
        if block_rule and stripped.startswith("jobid:"):
            block_jobid = stripped.split(":", 1)[1].strip()
            continue
        if block_rule and block_jobid and stripped.startswith("wildcards:"):
            values = [v.split("=", 1)[-1] for v in stripped.split(":", 1)[1].split(", ")]
            wildcards[block_jobid] = "/".join(v.strip() for v in values)
            continue
        match = FINISHED.match(line)
        if match:
            pending = (match.group(2), wildcards.pop(match.group(1), ""))
            continue
        match = STEPS.match(line)
        if match and pending:
            done, total, _ = match.groups()
            rule, wc = pending
            emit(f"[{_elapsed(start)}] {done:>3}/{total} {rule} {wc}".rstrip())
            pending = None
            continue
        if line.startswith(("Provided cores", "Building DAG")) and printed == 0:
            emit(f"[{_elapsed(start)}] snakemake: {line}")
    emit(f"[{_elapsed(start)}] snakemake finished")
    return printed


if __name__ == "__main__":
    run(sys.stdin)
