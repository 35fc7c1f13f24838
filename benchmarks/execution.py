"""Throughput of the execution stage (samples per second) on real LLM output.

Samples: CoderEval's published ChatGPT generations (10 per task) of the self-contained tasks,
from ../shared/data/codereval/generations (set CODEPEFT_SHARED). CoderEval's own tests live only
in its image, so the tests here are synthetic but real programs: Python `assert callable(<name>)`
after the candidate (the candidate is compiled and its module body executed); Java a TestMain
that finds the method by reflection (every sample is compiled with javac and run in a JVM).
This measures the harness (sandbox + interpreter/JVM start-up + batch javac), not the tests.

    .venv/bin/python benchmarks/execution.py --python-tasks 30 --java-tasks 10 --threads 1 2

Also times javac once per sample vs one batch run, to justify the batch compile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codepeft.execution import evaluate as ev  # noqa: E402
from codepeft.execution import harness  # noqa: E402
from codepeft.execution import sandbox as sb  # noqa: E402

SHARED = Path(os.environ.get("CODEPEFT_SHARED", REPO.parent / "shared"))


def load(language: str, n_tasks: int):
    base = SHARED / "data/codereval"
    levels = json.loads((base / "levels_by_id.json").read_text())[language]
    name = "python" if language == "python" else "java"
    records = [
        json.loads(line)
        for line in open(
            base / f"generations/{name}_chatgpt_humanlabel_out.jsonl", encoding="utf-8"
        )
    ]
    records = [r for r in records if levels.get(r["_id"]) == "self_contained"][:n_tasks]
    preds, tests = {}, {}
    for r in records:
        codes = [g["generate_code"] if isinstance(g, dict) else g for g in r["generate_results"]]
        preds[r["_id"]] = codes
        if language == "python":
            test = f"assert callable({r['name']})\n"
        else:
            test = (
                "public class TestMain { public static void main(String[] a) {\n"
                "  for (java.lang.reflect.Method m : Solution.class.getDeclaredMethods())\n"
                f'    if (m.getName().equals("{r["method_name"]}")) return;\n'
                "  System.exit(1);\n} }\n"
            )
        tests[r["_id"]] = {"id": r["_id"], "language": language, "test": test}
    return preds, tests


def run(language, preds, tests, threads):
    settings = ev.Settings(
        language=language, threads=threads, allow_untrusted_code=True, limits=sb.Limits()
    )
    started = time.monotonic()
    rows, _, summary, samples = ev.evaluate(preds, tests, settings)
    wall = time.monotonic() - started
    outcomes = {}
    for s in samples:
        outcomes[s.outcome] = outcomes.get(s.outcome, 0) + 1
    return {
        "language": language,
        "threads": threads,
        "tasks": len(preds),
        "samples": len(samples),
        "wall_s": round(wall, 2),
        "samples_per_s": round(len(samples) / wall, 2),
        "outcomes": outcomes,
    }


def javac_per_sample_vs_batch(preds, n=20):
    """Seconds for n samples: one javac per sample vs one javac for all (both sandboxed)."""
    rt = harness.Runtimes.detect()
    limits = sb.Limits()
    samples = [
        harness.Sample(
            tid, j, "java", code, "public class TestMain { public static void main(String[] a) {} }"
        )
        for tid, codes in preds.items()
        for j, code in enumerate(codes)
    ][:n]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        os.chmod(base, 0o755)
        src = harness._new_dir(base / "b", "src")
        os.chmod(base / "b", 0o755)
        for i, s in enumerate(samples):
            d = harness._new_dir(src, f"s{i}")
            for name, text in harness._java_sources(s, f"s{i}", "t").items():
                harness._write(d / name, text)
        pkgs = [f"s{i}" for i in range(len(samples))]
        t0 = time.monotonic()
        harness._javac(rt, limits, src, harness._new_dir(base, "out1"), pkgs, 600)
        batch = time.monotonic() - t0
        t0 = time.monotonic()
        for p in pkgs:
            harness._javac(rt, limits, src, harness._new_dir(base, f"o{p}"), [p], 600)
        single = time.monotonic() - t0
    return {
        "samples": len(samples),
        "one_javac_s": round(batch, 2),
        "javac_per_sample_s": round(single, 2),
    }


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--python-tasks", type=int, default=30)
    p.add_argument("--java-tasks", type=int, default=10)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--out", help="write the figures as JSON here")
    args = p.parse_args()
    figures = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.node()} {os.cpu_count()} cores, {platform.platform()}",
        "sandbox": "bwrap "
        + subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.strip(),
        "runs": [],
    }
    for language, n in (("python", args.python_tasks), ("java", args.java_tasks)):
        if not n:
            continue
        preds, tests = load(language, n)
        for threads in args.threads:
            result = run(language, preds, tests, threads)
            figures["runs"].append(result)
            print(json.dumps(result), flush=True)
        if language == "java":
            figures["javac"] = javac_per_sample_vs_batch(preds)
            print(json.dumps(figures["javac"]), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
