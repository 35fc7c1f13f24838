# Report: tables in the paper's shape, plots, provenance and results/report/index.html, from the
# per-instance metric tables, results/stats/*.tsv and the trained models' records. Included
# last: its inputs are exactly the metric tables and stats files the enabled stages register
# as final targets, so families, stages or tasks disabled in config are left out.
# Every output is also an item of Snakemake's report (snakemake --report report.html).
# the cost section's inputs: generation cost records, training/generation benchmark files
from codepeft import cost as codepeft_cost
from codepeft.report import stages as report_stages


# the workflow description of `snakemake --report` (a global directive; works from this include)
report: "../workflow/report/workflow.rst"


rule report:
    input:
        unpack(report_inputs),
        unpack(lambda wc: codepeft_cost.workflow_inputs(config)),
        unpack(uncertainty_report_inputs),
    output:
        index=report(
            paths.REPORT_INDEX,
            caption="../workflow/report/index.rst",
            category=report_stages.REPORT,
            subcategory="Overview",
            labels={"item": "index.html"},
        ),
        provenance=report(
            paths.REPORT_PROVENANCE,
            caption="../workflow/report/provenance.rst",
            category=report_stages.REPORT,
            subcategory="Provenance",
            labels={"item": "provenance.json"},
        ),
        # each table and plot in the category of its stage (codepeft.report.stages)
        tables=report(
            directory(paths.REPORT_TABLES),
            patterns=["{name}.tsv"],
            caption="../workflow/report/tables.rst",
            category=lambda wc: report_stages.category("table", wc.name),
            subcategory="Tables",
            labels={"table": "{name}"},
        ),
        plots=report(
            directory(paths.REPORT_PLOTS),
            patterns=["{name}.png"],
            caption="../workflow/report/plots.rst",
            category=lambda wc: report_stages.category("plot", wc.name),
            subcategory="Plots",
            labels={"plot": "{name}"},
        ),
    log:
        "logs/report/report.log",
    benchmark:
        "results/benchmarks/report/report.tsv"
    localrule: True
    conda:
        "../envs/core.yaml"
    params:
        # the report's own settings and the study's name/demo flag; the provenance it writes
        # records the hash of the whole config, so any config change rebuilds it (seconds)
        report=canonical(config["report"]),
        study=canonical(config["study"]),
        config_hash=config_hash(config),
    script:
        "../workflow/scripts/report.py"


register_final_targets(
    lambda: [paths.REPORT_INDEX] if config["report"]["enabled"] else []
)
