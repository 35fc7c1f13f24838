# Report: tables in the paper's shape, plots, provenance and results/report/index.html, from the
# per-instance metric tables, results/stats/*.tsv and the trained models' records. Included
# last: its inputs are exactly the metric tables and stats files the enabled stages register
# as final targets, so families, stages or tasks disabled in config are left out.
# Every output is also an item of Snakemake's report (snakemake --report report.html).
from codepeft import study as codepeft_study
from codepeft import cost as codepeft_cost


def report_cost_inputs(wildcards):
    """The cost section's inputs: generation cost records and the training and generation
    jobs' benchmark files (codepeft.report.cost)."""
    preds = expand_combos(
        "results/predictions/{model}/{method}/{task}/{lang}.jsonl", prediction_combos()
    )
    trained = codepeft_study.trained_models(config)
    if config["decoding"]["backend"] == "vllm":
        gen_bench = [
            f"results/benchmarks/generate/vllm/{m}.tsv"
            for m in config["models"]
            if vllm_plan(m)["jobs"]
        ]
    else:
        gen_bench = [
            p.replace("results/predictions/", "results/benchmarks/generate/", 1)[
                : -len(".jsonl")
            ]
            + ".tsv"
            for p in preds
        ]
    return {
        "costs": [codepeft_cost.cost_path(p) for p in preds],
        "benchmarks": [
            f"results/benchmarks/train/{m}/{meth}/{s}.tsv" for m, meth, s in trained
        ]
        + gen_bench,
    }


# the workflow description of `snakemake --report` (a global directive; works from this include)
report: "../workflow/report/workflow.rst"


rule report:
    input:
        unpack(report_inputs),
        unpack(report_cost_inputs),
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
