# Statistics: paired tests (McNemar, Wilcoxon + Cliff's delta) and p-value adjustment over the
# comparisons of config["stats"], from the per-instance metric tables to results/stats/*.tsv.
# One job for every comparison: an adjustment family may span comparisons (config families).
from codepeft import stats as codepeft_stats


def stats_blocks():
    """Planned (comparison, model, task, lang, family) blocks whose two sides the study generates."""
    if not config["stats"]["enabled"]:
        return []
    generated = {
        (c["model"], c["method"], c["task"], c["lang"]) for c in prediction_combos()
    }
    return [
        block
        for block in codepeft_stats.planned_tests(config)
        if (block["a_model"], block["a_method"], block["task"], block["lang"])
        in generated
        and (block["b_model"], block["b_method"], block["task"], block["lang"])
        in generated
    ]


def stats_comparisons():
    return list(dict.fromkeys(block["comparison"] for block in stats_blocks()))


def stats_input_tables(wildcards):
    """Every metric table the configured comparisons read (A and B sides)."""
    tables = []
    for block in stats_blocks():
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
    params:
        blocks=stats_blocks(),
        section=config["stats"],
    script:
        "../workflow/scripts/stats.py"


register_final_targets(
    lambda: [f"results/stats/{name}.tsv" for name in stats_comparisons()]
)
