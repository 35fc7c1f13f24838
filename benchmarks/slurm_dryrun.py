"""Number of SLURM submissions of a study with profiles/slurm, from a dry run.

    .venv/bin/python benchmarks/slurm_dryrun.py                       # paper preset
    .venv/bin/python benchmarks/slurm_dryrun.py --configfile config.yaml

Runs `snakemake -n --configfile <preset> --profile profiles/slurm` in a temporary copy of the
working tree and counts what would be submitted: one sbatch job per group job (the profile's
`groups:`/`group-components:`) plus one per job of an ungrouped rule (GPU rules: train,
generate, judge_summaries). `all` has no action and is never submitted. The paper preset's
default judge model is results/base/tiny, which only the embedded default builds: an empty
folder stands in for it in the copy so the DAG (judge jobs included) can be built.
Needs the slurm executor plugin; a running Slurm is not needed (sinfo/scontrol may time out).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
NOT_SUBMITTED = {"all"}


def copy_tree(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        if name.startswith(("results/", "logs/", ".snakemake/")):
            continue
        if (REPO / name).is_symlink():  # e.g. codepeft/schemas -> ../workflow/schemas
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).symlink_to(os.readlink(REPO / name))
        elif (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)


def job_stats(output: str) -> dict[str, int]:
    block = output.split("Job stats:", 1)[1]
    counts = {}
    for line in block.splitlines()[3:]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        counts[parts[0]] = int(parts[1])
    return counts


def count(configfile: str, profile: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="codepeft-dryrun-") as tmp:
        work = Path(tmp)
        copy_tree(work)
        (work / "results" / "base" / "tiny").mkdir(parents=True)
        cmd = [
            str(Path(sys.executable).with_name("snakemake")),
            "-n",
            "--configfile",
            configfile,
            "--profile",
            profile,
        ]
        started = time.time()
        proc = subprocess.run(
            ["timeout", "-k", "10", "600", *cmd], cwd=work, capture_output=True, text=True
        )
        output = proc.stdout + proc.stderr
        if proc.returncode != 0:
            raise SystemExit(f"dry run failed:\n{output[-4000:]}")
        seconds = time.time() - started
    groups_of = yaml.safe_load((REPO / profile / "config.yaml").read_text()).get("groups", {})
    stats = job_stats(output)
    group_jobs = collections.Counter(re.findall(r"Group job (\S+) \(jobs", output))
    ungrouped = {
        rule: n for rule, n in stats.items() if rule not in groups_of and rule not in NOT_SUBMITTED
    }
    return {
        "command": " ".join(["snakemake", *cmd[1:]]),
        "seconds": seconds,
        "jobs": sum(n for r, n in stats.items() if r not in NOT_SUBMITTED),
        "stats": stats,
        "group_jobs": dict(group_jobs),
        "ungrouped": ungrouped,
        "submissions": sum(group_jobs.values()) + sum(ungrouped.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--configfile", default="config/paper.yaml")
    parser.add_argument("--profile", default="profiles/slurm")
    args = parser.parse_args(argv)
    result = count(args.configfile, args.profile)
    print(f"command: {result['command']}  ({result['seconds']:.0f} s)")
    print(f"jobs in the DAG (without `all`): {result['jobs']}")
    print("| submitted as | sbatch jobs | Snakemake jobs inside |")
    print("|---|---:|---:|")
    groups_of = yaml.safe_load((REPO / args.profile / "config.yaml").read_text()).get("groups", {})
    for group, n in sorted(result["group_jobs"].items()):
        inside = sum(c for r, c in result["stats"].items() if groups_of.get(r) == group)
        print(f"| group `{group}` | {n} | {inside} |")
    for rule, n in sorted(result["ungrouped"].items()):
        print(f"| rule `{rule}` | {n} | {n} |")
    print(f"| **total** | **{result['submissions']}** | {result['jobs']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
