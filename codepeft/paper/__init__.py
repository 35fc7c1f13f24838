"""The paper's room: what exists only to reproduce Haque et al.'s study and its replication
package (alvi75/MultiTask-QLoRA-NFAnalysis), apart from the engine.

* `codepeft.paper.quirks`    the package's behaviours that change reported numbers, each as the
  config option (and value) that reproduces it, with what the package did and where (file:line),
  and `DIFFERENCES`: where codepeft deliberately does not do what the package did.
* `codepeft.paper.numbers`   the paper's reported numbers (pass@1 counts, the McNemar and
  Wilcoxon tables, data files in `codepeft/paper/data/`) and how our measures map to them.
* `codepeft.paper.workload`  the paper preset's workload (rows, sizes, methods), the input of
  the cost extrapolation.
* `codepeft.paper.section`   the report section listing the quirks in force and the differences.

The engine (data, training, generation, metrics, analyzers, execution, judge, stats) imports
nothing from here: its defaults are the schema's (workflow/schemas/*.yaml), and the options that
reproduce the package are ordinary config keys that config/paper.yaml sets. The report reads
this room for its "paper" columns, its quirks section and its cost extrapolation.
"""
