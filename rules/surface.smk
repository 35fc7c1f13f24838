# Surface metrics: one job per predictions file -> per-instance tables + corpus summaries.
# Families (codepeft.measures, the registry of measures): `surface` (BLEU both ways, chrF,
# METEOR, ROUGE, exact match, BERTScore, SIDE) for every task, plus `codebleu` (CodeBLEU and its
# four components) for the code outputs of translation and generation, written by the same job
# (one read, one pass). Outputs, wildcard constraints and final targets come from the registry.
# A measure the machine cannot compute (WordNet, a BERTScore model or SIDE checkpoint that does
# not load) fails the job under environment_failures: fail (codepeft.failures).


rule surface_metrics:
    input:
        predictions=paths.PREDICTIONS,
        references=task_data("{task}", "{lang}", "test"),
    output:
        **metric_outputs(measures.written_by("surface_metrics")),
    log:
        "logs/metrics/surface/{model}/{method}/seed-{seed}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/metrics/surface/{model}/{method}/seed-{seed}/{task}/{lang}.tsv"
    wildcard_constraints:
        task=alternatives(set(tasks.TASKS) - set(measures.family("codebleu").tasks)),
    conda:
        "../envs/metrics.yaml"
    threads: model_threads  # torch (BERTScore, SIDE) uses 2; the rest is single-threaded Python
    resources:
        **SITE.cpu(),
        mem_mb=4000,  # BERT-base (paper) on CPU + WordNet: ~2 GB peak; MiniLM: ~1 GB
        # minutes: the rehearsal's longest job took 17 s (x10 for the paper's BERT-base on
        # the CPU: 168 s); 1.5x is 5 min, 20 leaves room for a slow shared node
        runtime=20,
    params:
        # summarization: no CodeBLEU (its settings would rerun these tables for nothing)
        options=canonical(
            {k: v for k, v in config["metrics"].items() if k != "codebleu"}
        ),
        environment_failures=config["environment_failures"],
    script:
        "../workflow/scripts/surface_metrics.py"


use rule surface_metrics as surface_codebleu_metrics with:
    output:
        **metric_outputs(measures.written_by("surface_codebleu_metrics")),
    wildcard_constraints:
        task=alternatives(measures.family("codebleu").tasks),
    params:
        options=canonical(config["metrics"]),
        environment_failures=config["environment_failures"],


# final targets: every prediction of the three tasks (generation rows whose reference is null,
# e.g. CoderEval prompts without solutions, get statuses, not numbers); codebleu for code tasks
register_final_targets(
    lambda: PLAN.family_targets(
        *measures.written_by("surface_metrics", "surface_codebleu_metrics")
    )
)
