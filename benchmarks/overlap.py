"""Time and peak memory of the overlap audit at the paper's scale (benchmarks/overlap.md).

The paper's multi-task mixture has ~854k training rows (code-to-text Python 251,820 and Java
164,923, each as a summarization and a generation row, plus Java<->C# translation 10,300 x 2).
This script writes a mixture of that shape from the rows of a real-data run's mixtures
(codepeft's own mixture files, `--run`): the Python summarization and generation rows repeated
to 2 x 251,820, translation rows repeated to stand in for the 2 x 164,923 Java rows (no Java
code-to-text rows exist on this machine), and the translation rows themselves; each copy gets
a new id. Then it audits one test set against it in a fresh process and reports the wall
time, CPU time and peak RSS (what rules/resources.smk sizes `overlap_audit` from).

    .venv/bin/python benchmarks/overlap.py --run /tmp/ovl/run --test translation/java-cs
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROWS = {"python": 2 * 251_820, "java_standin": 2 * 164_923, "translation": 2 * 10_300}


def _rows(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_mixture(run: Path, out: Path) -> int:
    mixtures = {
        Path(p).parent.name: p for p in glob.glob(str(run / "results/mixtures/*/train.jsonl"))
    }
    python = [r for name, p in mixtures.items() if name.startswith(("generation-", "summarization-"))
              for r in _rows(p)]  # fmt: skip
    translation = next(_rows(p) for name, p in mixtures.items() if name.startswith("translation-"))
    n = 0
    with open(out, "w", encoding="utf-8") as handle:
        for source, rows, target in (("py", python, ROWS["python"]),
                                     ("jv", translation, ROWS["java_standin"]),
                                     ("tr", translation, ROWS["translation"])):  # fmt: skip
            for k in range(target):
                row = dict(rows[k % len(rows)])
                row["id"] = f"{source}{k}-{row['id']}"
                handle.write(json.dumps(row) + "\n")
                n += 1
    return n


def measure(test: Path, mixture: Path) -> dict:
    code = (
        "import json, resource, sys, time\n"
        "from codepeft.overlap import audit\n"
        "t = time.perf_counter(); c = time.process_time()\n"
        f"rows, s = audit.audit({str(test)!r}, {str(mixture)!r}, None)\n"
        "print(json.dumps(dict(wall_s=round(time.perf_counter() - t, 1),"
        " cpu_s=round(time.process_time() - c, 1),"
        " peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),"
        " n_items=s['n_items'], n_flagged=s['n_flagged'], n_exact=s['n_exact'],"
        " n_train=s['n_train_examples'])))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", required=True, type=Path, help="a real-data run's working directory")
    p.add_argument("--test", action="append", default=[], help="task/lang (repeatable)")
    p.add_argument("--mixture", type=Path, default=Path("/tmp/overlap_paper_scale.jsonl"))
    args = p.parse_args()
    if not args.mixture.exists():
        t = time.perf_counter()
        n = write_mixture(args.run, args.mixture)
        print(f"wrote {args.mixture}: {n} rows, {args.mixture.stat().st_size / 1e6:.0f} MB "
              f"in {time.perf_counter() - t:.0f} s", flush=True)  # fmt: skip
    for test in args.test or ["translation/java-cs"]:
        path = args.run / "results/data" / test / "test.jsonl"
        print(test, json.dumps(measure(path, args.mixture)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
