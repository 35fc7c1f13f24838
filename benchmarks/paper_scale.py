"""Per-rule peak memory and wall time of a finished run (Snakemake benchmark files) beside what
each rule requests on a cluster at paper scale.

    # 1. measurements of a finished rehearsal run -> the committed measurement file
    .venv/bin/python benchmarks/paper_scale.py collect --results results \
        --label "local rehearsal, 2 shared cores" --out benchmarks/paper_scale_measurements.json
    # 2. the table of benchmarks/paper_scale.md (requests from a dry run of the paper preset
    #    with the profile's default resources; no cluster needed)
    .venv/bin/python benchmarks/paper_scale.py table --measurements benchmarks/paper_scale_measurements.json

Benchmark files live under results/benchmarks/<rule or stage>/...; `rule_of` maps a path to its
rule. The measurement file holds, per rule: jobs measured, max peak RSS (MB), max and total
wall (s), and `paper_factor`: how much larger one job of the rule is at paper scale than in the
rehearsal (1 where the rehearsal's rows are the paper's; >1 where a job's input grows with the
number of base models, e.g. analyzers: one job over every predictions file).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: first path component under results/benchmarks -> rule (where they differ)
_STAGE_RULES = {"stats": "stats", "report": "report", "judge": "judge_summaries", "train": "train"}

#: one paper-scale job of these rules reads this many times what a rehearsal job reads:
#: the rehearsal has 1 base model, the paper 3, and these jobs take every model's files
#: (analyzers: (3 x 4 methods + reference) / (1 x 4 + reference) predictions files per language;
#: stats and report: 3x the tables). Other rules' jobs are per file or per data split: same size.
MODEL_COUNT_FACTORS = {"analyze_*": round((3 * 4 + 1) / (1 * 4 + 1), 2), "stats": 3, "report": 3}
#: per-file metric jobs whose cost grows with the outputs' length: the tiny model writes at most
#: 24/48 new tokens (rehearsal decoding), Qwen up to 128/512 (paper): x4; summaries also get
#: BERTScore with BERT-base (paper) instead of MiniLM-L6 (offline rehearsal, ~5x cheaper): x10
OUTPUT_LENGTH_FACTORS = {"surface_metrics": 10, "surface_codebleu_metrics": 4}

#: GPU rules: their rehearsal figures are the tiny model's, not the paper's (see paper_scale.md)
GPU_RULES = ("train", "generate", "judge_summaries")


def rule_of(rel: Path) -> str:
    parts = rel.parts
    stage = parts[0]
    if stage == "analyze":
        return f"analyze_{rel.stem}"
    if stage == "generate":
        return "generate_vllm" if parts[1] == "vllm" else "generate"
    if stage == "metrics":
        if parts[1] == "execution":
            return "execute"
        if parts[1] == "surface":
            return "surface_metrics" if parts[4] == "summarization" else "surface_codebleu_metrics"
    return _STAGE_RULES.get(stage, stage)


def paper_factor(rule: str) -> float:
    if rule.startswith("analyze_"):
        return MODEL_COUNT_FACTORS["analyze_*"]
    return float(MODEL_COUNT_FACTORS.get(rule, OUTPUT_LENGTH_FACTORS.get(rule, 1)))


def collect(*results: Path) -> dict:
    """Per-rule maxima over the benchmark files of one or more finished runs."""
    rules: dict = {}
    paths = [
        (r / "benchmarks", p) for r in results for p in sorted((r / "benchmarks").rglob("*.tsv"))
    ]
    for root, path in paths:
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if not rows:
            continue
        row = rows[-1]
        rss = float(row["max_rss"]) if row["max_rss"] not in ("", "NA", "-") else 0.0
        wall = float(row["s"])
        cpu = float(row.get("cpu_time") or 0.0)
        rule = rule_of(path.relative_to(root))
        entry = rules.setdefault(
            rule,
            {
                "jobs": 0,
                "max_rss_mb": 0.0,
                "max_wall_s": 0.0,
                "total_wall_s": 0.0,
                "max_cpu_s": 0.0,
            },
        )
        entry["jobs"] += 1
        entry["max_rss_mb"] = round(max(entry["max_rss_mb"], rss), 1)
        entry["max_wall_s"] = round(max(entry["max_wall_s"], wall), 1)
        entry["total_wall_s"] = round(entry["total_wall_s"] + wall, 1)
        entry["max_cpu_s"] = round(max(entry["max_cpu_s"], cpu), 1)  # wall/cpu: the load
    for rule, entry in rules.items():
        entry["paper_factor"] = paper_factor(rule)
        entry["gpu_rule"] = rule in GPU_RULES
    return dict(sorted(rules.items()))


def keep_unmeasured(rules: dict, previous: dict) -> dict:
    """`rules` plus the rules of an earlier measurement file (`previous`) that `rules` lacks,
    each labelled with the earlier run (`run`), so one table covers runs that stopped early."""
    merged = dict(rules)
    for rule, entry in previous["rules"].items():
        if rule not in merged:
            merged[rule] = {**entry, "run": entry.get("run", previous["label"])}
    return dict(sorted(merged.items()))


# --------------------------------------------------------------------------- requests


def dry_run_requests(configfiles: list[str], profile: str = "profiles/slurm") -> dict:
    """{rule: {"jobs": n, "mem_mb": max, "runtime": max, "cpus": max}} of a dry run with the
    profile's default-resources and set-resources (local executor: no cluster contacted)."""
    import yaml

    prof = yaml.safe_load((REPO / profile / "config.yaml").read_text())
    defaults = {
        k: v for k, v in prof.get("default-resources", {}).items() if k in ("mem_mb", "runtime")
    }
    cmd = [str(Path(sys.executable).with_name("snakemake")), "-n", "--configfile", *configfiles]
    cmd += ["--default-resources", *(f"{k}={v}" for k, v in defaults.items())]
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env, timeout=900)
    if proc.returncode:
        raise SystemExit(proc.stdout[-3000:] + proc.stderr[-3000:])
    requests: dict = {}
    rule = None
    for line in proc.stdout.splitlines():
        match = re.match(r"^(?:local)?rule (\S+):$", line.strip())
        if match:
            rule = match.group(1)
            entry = requests.setdefault(rule, {"jobs": 0, "mem_mb": 0, "runtime": 0, "cpus": 0})
            entry["jobs"] += 1
            continue
        match = re.match(r"^\s+(threads|resources): (.*)$", line)
        if rule and match:
            entry = requests[rule]
            if match.group(1) == "threads":
                entry["cpus"] = max(entry["cpus"], int(match.group(2)))
                continue
            values = dict(kv.split("=", 1) for kv in match.group(2).split(", ") if "=" in kv)
            for key, name in (("mem_mb", "mem_mb"), ("runtime", "runtime")):
                if key in values and values[key].isdigit():
                    entry[name] = max(entry[name], int(values[key]))
            if "cpus_per_task" in values and values["cpus_per_task"].isdigit():
                entry["cpus"] = max(entry["cpus"], int(values["cpus_per_task"]))
    requests.pop("all", None)
    return requests


def table(measurements: dict, requests: dict) -> str:
    lines = [
        "| rule | jobs (measured / paper) | peak RSS MB | max wall s (CPU s) | paper factor "
        "| requested mem MB / runtime min / cpus_per_task | mem ratio | time ratio |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for rule in sorted(set(measurements) | set(requests)):
        m = measurements.get(rule)
        r = requests.get(rule)
        need_mem = m["max_rss_mb"] if m else None
        need_s = m["max_wall_s"] * m["paper_factor"] if m else None
        mem_ratio = f"{r['mem_mb'] / need_mem:.1f}" if m and r and need_mem and r["mem_mb"] else "-"
        time_ratio = f"{r['runtime'] * 60 / need_s:.1f}" if m and r and need_s else "-"
        gpu = " (GPU, tiny model)" if m and m.get("gpu_rule") else ""
        gpu += " (earlier run)" if m and m.get("run") else ""
        wall = f"{m['max_wall_s']} ({m.get('max_cpu_s', '-')})" if m else "-"
        lines.append(
            f"| {rule}{gpu} | {m['jobs'] if m else 0} / {r['jobs'] if r else 0} "
            f"| {m['max_rss_mb'] if m else '-'} | {wall} "
            f"| {m['paper_factor'] if m else '-'} "
            f"| {r['mem_mb'] if r else '-'} / {r['runtime'] if r else '-'} / "
            f"{r['cpus'] if r and r['cpus'] else '-'} | {mem_ratio} | {time_ratio} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--results", nargs="+", default=["results"], help="results folders of runs")
    c.add_argument("--label", required=True, help="what run this is (machine, load, command)")
    c.add_argument("--out", default="benchmarks/paper_scale_measurements.json")
    c.add_argument(
        "--keep-from",
        help="an earlier measurement file: its rules that these runs did not measure are kept, "
        "labelled with that file's run",
    )
    t = sub.add_parser("table")
    t.add_argument("--measurements", default="benchmarks/paper_scale_measurements.json")
    t.add_argument("--configfile", nargs="+", default=["config/paper.yaml"])
    args = parser.parse_args(argv)
    if args.cmd == "collect":
        data = {
            "label": args.label,
            "date": datetime.date.today().isoformat(),
            "machine": f"{platform.platform()}, {os.cpu_count()} cores",
            "results": args.results,
            "rules": collect(*map(Path, args.results)),
        }
        if args.keep_from:
            data["rules"] = keep_unmeasured(
                data["rules"], json.loads(Path(args.keep_from).read_text())
            )
        Path(args.out).write_text(json.dumps(data, indent=1) + "\n")
        print(json.dumps(data["rules"], indent=1))
        return 0
    measurements = json.loads(Path(args.measurements).read_text())["rules"]
    print(table(measurements, dry_run_requests(args.configfile)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
