"""What each pytest-xdist worker did when: reads the timeline that tests/conftest.py writes
under CODEPEFT_TEST_TIMELINE and prints, per worker, its busy time and its longest tests, the
time each worker idled before the last one finished, the session's wall time, and the CPU
seconds each test used (its worker and the subprocesses it waited for; not Slurm's jobs).

    CODEPEFT_TEST_TIMELINE=/tmp/timeline.jsonl make test
    .venv/bin/python benchmarks/timeline.py /tmp/timeline.jsonl
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict


def summary(lines: list[dict], top: int = 8) -> str:
    start = min(line["start"] for line in lines)
    end = max(line["end"] for line in lines)
    by_worker: dict[str, list[dict]] = defaultdict(list)
    for line in lines:
        by_worker[line["worker"]].append(line)
    out = [f"wall {end - start:.0f} s (first test start to last test end), {len(lines)} tests"]
    if all("cpu" in line for line in lines):
        out.append(f"CPU {sum(line['cpu'] for line in lines):.0f} s in all")
    for worker, tests in sorted(by_worker.items()):
        busy = sum(t["end"] - t["start"] for t in tests)
        last = max(t["end"] for t in tests)
        cpu = (
            f", CPU {sum(t['cpu'] for t in tests):.0f} s" if all("cpu" in t for t in tests) else ""
        )
        out.append(
            f"{worker}: {len(tests)} tests, busy {busy:.0f} s{cpu}, done at {last - start:.0f} s"
            f" (idle {end - last:.0f} s at the end)"
        )
        for t in sorted(tests, key=lambda t: t["start"] - t["end"])[:top]:
            used = f"  CPU {t['cpu']:6.1f} s" if "cpu" in t else ""
            out.append(
                f"  {t['end'] - t['start']:7.1f} s{used}  from {t['start'] - start:6.0f} s  {t['test']}"
            )
    return "\n".join(out)


if __name__ == "__main__":
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    print(summary(rows))
