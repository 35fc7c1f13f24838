# Bootstrap intervals of every corpus-level number the report prints (one job): the mean of
# every measure of every metric table, pass@k as a proportion, corpus BLEU and chrF of every
# predictions file (sacrebleu), and sacrebleu's paired bootstrap of corpus BLEU/chrF for each
# stats block on surface tables (codepeft.stats.intervals; settings: stats.bootstrap).
# Included after stats: it reads the metric tables the enabled stages register and the blocks
# the stats rule runs.


# cpu_resources (rules/resources.smk); a second include of the same file is ignored.
include: "resources.smk"


rule intervals:
    input:
        unpack(intervals_inputs),
    output:
        intervals=paths.INTERVALS,
        paired=paths.CORPUS_PAIRED,
    log:
        "logs/stats/intervals.log",
    benchmark:
        "results/benchmarks/stats/intervals.tsv"
    conda:
        "../envs/core.yaml"
    resources:
        **cpu_resources("intervals"),
    params:
        bootstrap=canonical(config["stats"]["bootstrap"]),
        strip=config["metrics"]["strip"],
        blocks=canonical(stats_intervals.corpus_blocks(STATS_RUN)),
    script:
        "../workflow/scripts/intervals.py"


register_final_targets(
    lambda: (
        [paths.INTERVALS, paths.CORPUS_PAIRED] if config["stats"]["enabled"] else []
    )
)
