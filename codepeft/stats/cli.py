"""`codepeft stats`: paired tests and effect sizes on per-instance tables from anywhere.

Tables are CSV, TSV or JSONL with an id column (auto-detected among id, instance_id, "Task ID",
TaskID, task_id, target_id; or --id-column). Tests and their R equivalents: see
docs/statistics.md.

Examples (the paper's per-instance results, as shipped in ../shared/reference):

    # Wilcoxon + Cliff's delta on one measure, two files paired by id
    codepeft stats --a st.csv --b mt.csv --measure codebleu --test wilcoxon

    # every shared numeric column, Holm over them, paired by row position (the paper's
    # summarization quirk), TSV result
    codepeft stats --a ../shared/reference/paper_per_instance/bleu_meteor_rouge_chrf_bertscore_side/summarization/py/cs_qwen3_st_qlora.csv \
        --b ../shared/reference/paper_per_instance/bleu_meteor_rouge_chrf_bertscore_side/summarization/py/cs_qwen3_mt_qlora.csv \
        --measure all --pair-by position --adjust holm --format tsv --out cs_py_3b.tsv

    # McNemar on pass@1, six file pairs, Holm across all of them (the paper's RQ1 family)
    codepeft stats --test mcnemar --measure pass@1 --id-column "Task ID" --family all \
        --a py/r-pass1_cg_qwen0_5_st_qlora.csv java/r-pass1_cg_qwen0_5_st_qlora.csv \
        --b py/r-pass1_cg_qwen0_5_mt_qlora.csv java/r-pass1_cg_qwen0_5_mt_qlora.csv

    # the comparisons declared in a study config (and the retention comparison), on
    # results/metrics, one TSV per comparison
    codepeft stats --config config.yaml --root . --out-dir results/stats
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from codepeft import config as study_config
from codepeft import paths, study
from codepeft import stats as st
from codepeft.logs import setup_logging
from codepeft.stats import plan as stats_plan

TEXT_COLUMNS = (
    ("pair", 18),
    ("measure", 14),
    ("test", 13),
    ("n_paired", 8),
    ("n_a_only", 8),
    ("n_b_only", 8),
    ("mean_a", 9),
    ("mean_b", 9),
    ("statistic", 11),
    ("p", 11),
    ("p_adj", 11),
    ("effect", 9),
    ("ci_low", 9),
    ("ci_high", 9),
    ("magnitude", 10),
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="codepeft stats",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--a", nargs="+", default=[], help="table(s) of side A (paired in order with --b)"
    )
    p.add_argument("--b", nargs="+", default=[], help="table(s) of side B")
    p.add_argument(
        "--measure",
        action="append",
        default=[],
        help="column to compare (repeatable); 'all' = every numeric column the two tables share",
    )
    p.add_argument(
        "--measure-b", default=None, help="B's column name when it differs from A's (one --measure)"
    )
    p.add_argument("--test", default="wilcoxon", choices=["wilcoxon", "mcnemar", "mcnemar-exact"])
    p.add_argument(
        "--id-column", default=None, help="id column of both tables (default: auto-detect)"
    )
    p.add_argument("--id-column-b", default=None, help="B's id column when it differs")
    p.add_argument("--pair-by", default="id", choices=["id", "position"])
    p.add_argument("--adjust", default="holm", choices=list(st.ADJUST_METHODS))
    p.add_argument(
        "--family",
        default="pair",
        choices=["pair", "measure", "all"],
        help="adjustment family: the measures of one file pair (pair), one measure across "
        "pairs (measure), or every test of this call (all)",
    )
    p.add_argument("--cliff-algorithm", default="effsize", choices=["effsize", "exact"])
    p.add_argument(
        "--cliff-on",
        default="paired",
        choices=["paired", "all"],
        help="Cliff's delta on the paired values (default) or every non-missing value",
    )
    p.add_argument(
        "--both-constant",
        default="test",
        choices=["test", "na"],
        help="Wilcoxon when each side is constant: run the test, or NA (the paper's R scripts)",
    )
    p.add_argument("--conf-level", type=float, default=0.95)
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--format", default="text", choices=["text", "tsv", "json"])
    p.add_argument("--out", default=None, help="write the result here (default: stdout)")
    p.add_argument("--config", default=None, help="study config: run its stats.comparisons")
    p.add_argument("--root", default=".", help="with --config: folder holding results/metrics")
    p.add_argument(
        "--out-dir", default=paths.STATS_DIR, help="with --config: one TSV per comparison"
    )
    return p


def _render(rows: list[dict], fmt: str) -> str:
    if fmt == "json":
        clean = [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in rows
        ]
        return json.dumps(clean, indent=2) + "\n"
    if fmt == "tsv":
        cols = ("pair",) + st.ROW_COLUMNS
        lines = ["\t".join(cols)]
        for r in rows:
            f = st.format_row(r)
            lines.append("\t".join([str(r.get("pair", ""))] + [f[c] for c in st.ROW_COLUMNS]))
        return "\n".join(lines) + "\n"

    def cell(value, width):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            text = "NA"
        elif isinstance(value, float):
            text = f"{value:.6g}"
        else:
            text = str(value)
        return text.rjust(width)

    out = [" ".join(name.rjust(w) for name, w in TEXT_COLUMNS)]
    for r in rows:
        out.append(" ".join(cell(r.get(name), w) for name, w in TEXT_COLUMNS))
        if r.get("both") is not None:
            out.append(
                f"    2x2: both={r['both']} a_only={r['a_only']} b_only={r['b_only']} neither={r['neither']}"
                f"  odds_ratio=(a_only+0.5)/(b_only+0.5)"
            )
        if r.get("note"):
            out.append(f"    note: {r['note']}")
    out.append(
        f"adjustment: {rows[0]['adjust'] if rows else ''}; families: {sorted({r.get('adjust_family', '') for r in rows})}"
    )
    return "\n".join(out) + "\n"


def run_files(args) -> list[dict]:
    if len(args.a) != len(args.b):
        raise SystemExit("codepeft stats: give as many --b tables as --a tables")
    if not args.measure:
        raise SystemExit("codepeft stats: give --measure NAME (or --measure all)")
    test = args.test.replace("-", "_")
    rows = []
    for pa, pb in zip(args.a, args.b, strict=True):
        ta = st.read_table(pa, args.id_column)
        tb = st.read_table(pb, args.id_column_b or args.id_column)
        measures = []
        for m in args.measure:
            if m == "all":
                measures += [
                    c for c in ta.numeric_columns() if c in tb.columns and c not in measures
                ]
            elif m not in measures:
                measures.append(m)
        pair = f"{Path(pa).stem}|{Path(pb).stem}"
        for m in measures:
            row = st.compare_tables(
                ta,
                tb,
                m,
                test=test,
                pair_by=args.pair_by,
                measure_b=args.measure_b,
                conf_level=args.conf_level,
                cliff_algorithm=args.cliff_algorithm,
                cliff_on=args.cliff_on,
                both_constant=args.both_constant,
            )
            rows.append({"pair": pair, "measure": m, "a_table": pa, "b_table": pb, **row})
    keys = {"pair": ["pair"], "measure": ["measure"], "all": []}[args.family]
    st.adjust_rows(rows, keys, args.adjust)
    for r in rows:
        r["significant"] = (
            "" if math.isnan(r["p_adj"]) else ("yes" if r["p_adj"] < args.alpha else "no")
        )
    return rows


def run_config(args) -> int:
    cfg = study_config.load(args.config)
    blocks = st.planned_tests(cfg, log=lambda m: print(m, file=sys.stderr))
    blocks += stats_plan.retention_blocks(cfg, study.evaluated(cfg))
    results = st.run_blocks(
        blocks, cfg.get("stats", {}), root=args.root, log=lambda m: print(m, file=sys.stderr)
    )
    names = [c["name"] for c in cfg.get("stats", {}).get("comparisons", [])]
    for name in [*names, stats_plan.RETENTION]:
        if name in results or any(b["comparison"] == name for b in blocks):
            path = Path(args.out_dir) / f"{name}.tsv"
            st.write_rows(path, results.get(name, []))
            print(f"wrote {path} ({len(results.get(name, []))} rows)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    setup_logging()
    if args.config:
        return run_config(args)
    if not args.a:
        _parser().print_help()
        return 2
    try:
        rows = run_files(args)
    except (KeyError, ValueError, FileNotFoundError) as err:
        print(f"codepeft stats: {err}", file=sys.stderr)
        return 1
    text = _render(rows, args.format)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
