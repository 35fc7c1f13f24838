# Report: tables in the paper's shape, plots, provenance and results/report/index.html, from the
# per-instance metric tables, results/stats/*.tsv and the trained models' records. Included
# last: its inputs are exactly the metric tables and stats files the enabled stages register
# as final targets, so families, stages or tasks disabled in config are left out.
# Every output is also an item of Snakemake's report (snakemake --report report.html).
from codepeft import study as codepeft_study


# the workflow description of `snakemake --report` (a global directive; works from this include)
report: "../workflow/report/workflow.rst"


def report_metric_inputs():
    """Metric tables (+ summaries) and stats files registered by the enabled stages."""
    tables, summaries, stats_files = [], [], []
    for path in get_final_output():
        if path.startswith("results/metrics/"):
            if path.endswith(".summary.json"):
                summaries.append(path)
            elif path.endswith(".tsv") and not path.endswith(".rules.tsv"):
                tables.append(path)
        elif path.startswith("results/stats/") and path.endswith(".tsv"):
            stats_files.append(path)
    return tables, summaries, stats_files


def report_model_dirs():
    return [
        trained_model_dir(m, meth, s)
        for m, meth, s in codepeft_study.trained_models(config)
    ]


def report_inputs(wildcards):
    tables, summaries, stats_files = report_metric_inputs()
    return {
        "tables": tables,
        "summaries": summaries,
        "stats": stats_files,
        "models": report_model_dirs(),
    }


# light (seconds, one core): runs on the submit host under a cluster profile
rule report:
    input:
        unpack(report_inputs),
    output:
        index=report(
            "results/report/index.html",
            caption="../workflow/report/index.rst",
            category="Report",
            subcategory="Overview",
            labels={"item": "index.html"},
        ),
        provenance=report(
            "results/report/provenance.json",
            caption="../workflow/report/provenance.rst",
            category="Report",
            subcategory="Provenance",
            labels={"item": "provenance.json"},
        ),
        tables=report(
            directory("results/report/tables"),
            patterns=["{name}.tsv"],
            caption="../workflow/report/tables.rst",
            category="Tables",
            subcategory="TSV",
            labels={"table": "{name}"},
        ),
        plots=report(
            directory("results/report/plots"),
            patterns=["{name}.png"],
            caption="../workflow/report/plots.rst",
            category="Plots",
            subcategory="PNG",
            labels={"plot": "{name}"},
        ),
    log:
        "logs/report/report.log",
    benchmark:
        "results/benchmarks/report/report.tsv"
    localrule: True
    conda:
        "../envs/core.yaml"
    script:
        "../workflow/scripts/report.py"


register_final_targets(
    lambda: ["results/report/index.html"] if config["report"]["enabled"] else []
)
