# Train/test overlap audit: one job per (training mixture, test set) the study evaluates a model
# of that mixture on (codepeft.overlap.plan.audits). For every test id: its highest token n-gram
# containment in any training example, whether one of its texts occurs verbatim, the training
# ids it overlaps and a flag (the `overlap` section). The stats stage reads the flags
# (stats.exclude_overlap); the report shows the counts and examples.


# cpu_resources (rules/resources.smk); a second include of the same file is ignored.
include: "resources.smk"


OVERLAP_AUDITS = overlap_plan.audits(config)


rule overlap_audit:
    input:
        test=task_data("{task}", "{lang}", "test"),
        train=paths.fill(paths.MIXTURE_FILE, split="train"),
    output:
        table=paths.OVERLAP_TABLE,
        summary=paths.OVERLAP_SUMMARY,
    log:
        "logs/overlap/{mixture}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/overlap/{mixture}/{task}/{lang}.tsv"
    conda:
        "../envs/core.yaml"
    resources:
        **cpu_resources("overlap_audit"),
    params:
        overlap=canonical(
            {k: v for k, v in config["overlap"].items() if k != "enabled"}
        ),
    script:
        "../workflow/scripts/overlap_audit.py"


register_final_targets(
    lambda: overlap_plan.audit_tables(config) + overlap_plan.audit_summaries(config)
)
