"""Time the report build (codepeft.report.build.build_report) on a results folder.

    .venv/bin/python benchmarks/report.py --config config.yaml --root . --out /tmp/report_bench

Prints the wall and CPU seconds of the whole build (imports included: the rule pays them too),
and the number of tables read, tables and plots written.
"""

from __future__ import annotations

import argparse
import time

t_start = time.perf_counter()
c_start = time.process_time()


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--config", default="config.yaml")
    p.add_argument("--root", default=".")
    p.add_argument("--out", default="/tmp/report_bench")
    args = p.parse_args()
    from codepeft import config as study_config
    from codepeft.report.build import build_report, discover

    config = study_config.load(args.config)
    found = discover(args.root, config)
    t0, c0 = time.perf_counter(), time.process_time()
    result = build_report(config, args.out, root=args.root, **found)
    t1, c1 = time.perf_counter(), time.process_time()
    print(
        f"inputs: {len(found['metric_tables'])} metric tables, {len(found['stats_tables'])} stats files, "
        f"{len(found['model_dirs'])} trained models; wrote {len(result['tables'])} tables, {len(result['plots'])} plots"
    )
    print(f"build_report: {t1 - t0:.1f} s wall, {c1 - c0:.1f} s CPU")
    print(f"whole process (imports included): {t1 - t_start:.1f} s wall, {c1 - c_start:.1f} s CPU")


if __name__ == "__main__":
    main()
