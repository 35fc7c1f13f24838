"""Statistics of the study, in four modules (every name is also importable from here, e.g.
``from codepeft import stats; stats.wilcoxon_paired(...)``):

* `codepeft.stats.tests`: the paired tests, effect sizes and p-value adjustment, each equal to
  the R call of the paper it reproduces (pure: arrays in, plain dataclasses out).
* `codepeft.stats.tables`: reading per-instance metric tables (CSV, TSV, JSONL) and pairing two.
* `codepeft.stats.plan`: the blocks a study's `stats` section asks for and which the workflow
  runs (pure: config in, dicts out).
* `codepeft.stats.run`: running the planned blocks, adjusting over families, writing TSVs.

`codepeft.stats.cli` is `codepeft stats`. docs/statistics.md explains the choices.
"""

from codepeft.stats.plan import (
    FAMILY_KEYS,
    OVERRIDE_KEYS,
    TABLE_PATTERN,
    _kind,
    _listify,
    _matches,
    blocks_in_order,
    comparison_names,
    input_tables,
    planned_tests,
    resolve_option,
    runnable_blocks,
)
from codepeft.stats.run import (
    ROW_COLUMNS,
    _default_loader,
    adjust_families,
    format_row,
    run_blocks,
    write_rows,
)
from codepeft.stats.tables import (
    _FALSE,
    _TRUE,
    ID_CANDIDATES,
    Table,
    _to_number,
    compare_tables,
    read_table,
)
from codepeft.stats.tests import (
    ADJUST_METHODS,
    MAGNITUDE_LABELS,
    MAGNITUDE_THRESHOLDS,
    TESTS,
    CliffResult,
    McNemarResult,
    Paired,
    WilcoxonResult,
    _effsize_partition,
    adjust_rows,
    cliffs_delta,
    compare,
    contingency,
    magnitude,
    mcnemar,
    mcnemar_from_counts,
    p_adjust,
    pair_values,
    wilcoxon_paired,
)

__all__ = [
    "ADJUST_METHODS",
    "FAMILY_KEYS",
    "ID_CANDIDATES",
    "MAGNITUDE_LABELS",
    "MAGNITUDE_THRESHOLDS",
    "OVERRIDE_KEYS",
    "ROW_COLUMNS",
    "TABLE_PATTERN",
    "TESTS",
    "CliffResult",
    "McNemarResult",
    "Paired",
    "Table",
    "WilcoxonResult",
    "_FALSE",
    "_TRUE",
    "_default_loader",
    "_effsize_partition",
    "_kind",
    "_listify",
    "_matches",
    "_to_number",
    "adjust_families",
    "adjust_rows",
    "blocks_in_order",
    "cliffs_delta",
    "compare",
    "compare_tables",
    "comparison_names",
    "contingency",
    "format_row",
    "input_tables",
    "magnitude",
    "mcnemar",
    "mcnemar_from_counts",
    "p_adjust",
    "pair_values",
    "planned_tests",
    "read_table",
    "resolve_option",
    "run_blocks",
    "runnable_blocks",
    "wilcoxon_paired",
    "write_rows",
]
