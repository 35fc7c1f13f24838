# Statistics: paired tests (McNemar, Wilcoxon + Cliff's delta) and p-value adjustment over the
# comparisons of config["stats"], from the per-instance metric tables to results/stats/*.tsv.
# One job for every comparison: an adjustment family may span comparisons (config families).
# Included after the metric stages: it reads only the metric tables they register as targets,
# so families, analyzers or tasks disabled in config are left out (and logged by the rule).
from codepeft import stats as codepeft_stats

STATS_PRODUCED_TABLES = {
    path
    for path in get_final_output()
    if path.startswith("results/metrics/") and path.endswith(".tsv")
}


def stats_plan():
    """(blocks to run, blocks skipped with the reason) of the configured comparisons."""
    if not config["stats"]["enabled"]:
        return [], []
    generated = {
        (c["model"], c["method"], c["task"], c["lang"]) for c in prediction_combos()
    }
    run, skipped = [], []
    for block in codepeft_stats.planned_tests(config):
        sides = [
            (block["a_model"], block["a_method"], block["task"], block["lang"]),
            (block["b_model"], block["b_method"], block["task"], block["lang"]),
        ]
        if not all(side in generated for side in sides):
            skipped.append((block, "not in the study's prediction matrix"))
        elif not all(block[t] in STATS_PRODUCED_TABLES for t in ("a_table", "b_table")):
            skipped.append((block, "metric table not produced (family disabled?)"))
        else:
            run.append(block)
    return run, skipped


def stats_comparisons():
    return list(dict.fromkeys(block["comparison"] for block in stats_plan()[0]))


def stats_input_tables(wildcards):
    """Every metric table the configured comparisons read (A and B sides)."""
    tables = []
    for block in stats_plan()[0]:
        tables += [block["a_table"], block["b_table"]]
    return list(dict.fromkeys(tables))


rule stats:
    input:
        stats_input_tables,
    output:
        [f"results/stats/{name}.tsv" for name in stats_comparisons()],
    log:
        "logs/stats/stats.log",
    benchmark:
        "results/benchmarks/stats/stats.tsv"
    conda:
        "../envs/core.yaml"
    params:
        blocks=stats_plan()[0],
        skipped=[
            f"{b['comparison']} {b['a_table']} vs {b['b_table']}: {why}"
            for b, why in stats_plan()[1]
        ],
        section=config["stats"],
    script:
        "../workflow/scripts/stats.py"


register_final_targets(
    lambda: [f"results/stats/{name}.tsv" for name in stats_comparisons()]
)
