# Statistics: paired tests (McNemar, Wilcoxon + Cliff's delta) and p-value adjustment over the
# comparisons of config["stats"], from the per-instance metric tables to results/stats/*.tsv.
# One job for every comparison: an adjustment family may span comparisons (config families).
# Included after the metric stages: it reads only the metric tables they register as targets,
# so families, analyzers or tasks disabled in config are left out (and logged by the rule).


# cpu_resources (rules/resources.smk); a second include of the same file is ignored.
include: "resources.smk"


from codepeft import stats as codepeft_stats

STATS_PRODUCED_TABLES = {
    path
    for path in get_final_output()
    if path.startswith("results/metrics/") and path.endswith(".tsv")
}


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
    resources:
        **cpu_resources("stats"),
    params:
        blocks=canonical(stats_blocks_in_order(stats_plan()[0])),
        skipped=sorted(
            f"{b['comparison']} {b['a_table']} vs {b['b_table']}: {why}"
            for b, why in stats_plan()[1]
        ),
        section=canonical(config["stats"]),
    script:
        "../workflow/scripts/stats.py"


register_final_targets(
    lambda: [f"results/stats/{name}.tsv" for name in stats_comparisons()]
)
