# Surface metrics: one job per predictions file -> per-instance tables + corpus summaries.
# Families (architecture.md): `surface` (BLEU both ways, chrF, METEOR, ROUGE, exact match,
# BERTScore, SIDE) for every task, plus `codebleu` (CodeBLEU and its four components) for the
# code outputs of translation and generation, written by the same job (one read, one pass).
# A measure the machine cannot compute (WordNet, a BERTScore model or SIDE checkpoint that does
# not load) fails the job under environment_failures: fail (codepeft.failures).


rule surface_metrics:
    input:
        predictions=paths.PREDICTIONS,
        references=task_data("{task}", "{lang}", "test"),
    output:
        table=paths.fill(paths.METRIC_TABLE, family="surface"),
        summary=paths.fill(paths.METRIC_SUMMARY, family="surface"),
    log:
        "logs/metrics/surface/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/metrics/surface/{model}/{method}/{task}/{lang}.tsv"
    wildcard_constraints:
        task=alternatives(set(tasks.TASKS) - set(tasks.CODE_TASKS)),
    conda:
        "../envs/metrics.yaml"
    threads: model_threads  # torch (BERTScore, SIDE) uses 2; the rest is single-threaded Python
    resources:
        **site_cpu_resources(),
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
        table=paths.fill(paths.METRIC_TABLE, family="surface"),
        summary=paths.fill(paths.METRIC_SUMMARY, family="surface"),
        codebleu_table=paths.fill(paths.METRIC_TABLE, family="codebleu"),
        codebleu_summary=paths.fill(paths.METRIC_SUMMARY, family="codebleu"),
    wildcard_constraints:
        task=alternatives(tasks.CODE_TASKS),
    params:
        options=canonical(config["metrics"]),
        environment_failures=config["environment_failures"],


# final targets: every prediction of the three tasks (generation rows whose reference is null,
# e.g. CoderEval prompts without solutions, get statuses, not numbers); codebleu for code tasks
register_final_targets(
    lambda: [
        paths.fill(pattern, family=family, **c)
        for c in prediction_combos()
        for family in ("surface", "codebleu")
        if family in tasks.metric_families(c["task"])
        for pattern in (paths.METRIC_TABLE, paths.METRIC_SUMMARY)
    ]
)
