# Statistics: paired tests (McNemar, Wilcoxon + Cliff's delta) and p-value adjustment over the
# comparisons of config["stats"], from the per-instance metric tables to results/stats/*.tsv.
# One job for every comparison: an adjustment family may span comparisons (config families).
# Included after the metric stages: it reads only the metric tables they register as targets,
# so families, analyzers or tasks disabled in config are left out (and logged by the rule).


# cpu_resources (rules/resources.smk); a second include of the same file is ignored.
include: "resources.smk"


from codepeft.stats import plan as stats_plan

# planned once: the comparisons' blocks whose tables the stages included before this file
# register as targets (tables of disabled families are skipped, with the reason logged); each
# block with its sides' overlap-audit tables (stats.exclude_overlap; codepeft.overlap.plan)
STATS_RUN, STATS_SKIPPED = stats_plan.workflow_blocks(
    config, PLAN.generated(), get_final_output()
)
STATS_RUN = overlap_plan.with_audits(config, STATS_RUN, get_final_output())
STATS_OUTPUTS = [
    paths.fill(paths.STATS_TABLE, comparison=name)
    for name in stats_plan.comparison_names(STATS_RUN)
]


rule stats:
    input:
        stats_plan.input_tables(STATS_RUN),
        overlap_plan.block_tables(STATS_RUN),
    output:
        STATS_OUTPUTS,
    log:
        "logs/stats/stats.log",
    benchmark:
        "results/benchmarks/stats/stats.tsv"
    conda:
        "../envs/core.yaml"
    resources:
        **cpu_resources("stats"),
    params:
        blocks=canonical(
            stats_plan.blocks_in_order(
                STATS_RUN, config["stats"].get("comparisons", [])
            )
        ),
        # each line is a warning in the job's log; a comparison naming a method the study
        # does not have is skipped as a whole (also listed by the report)
        skipped=sorted(
            [
                f"{b['comparison']} {b['a_table']} vs {b['b_table']}: {why}"
                for b, why in STATS_SKIPPED
            ]
            + stats_plan.skipped_comparisons(config)
        ),
        # bootstrap and exclude_overlap only where they differ from their defaults
        section=canonical(overlap_plan.stats_params(config["stats"])),
    script:
        "../workflow/scripts/stats.py"


register_final_targets(lambda: STATS_OUTPUTS)
