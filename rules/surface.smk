# Surface metrics: one job per predictions file -> per-instance tables + corpus summaries.
# Families (architecture.md): `surface` (BLEU both ways, chrF, METEOR, ROUGE, exact match,
# BERTScore, SIDE) for every task, plus `codebleu` (CodeBLEU and its four components) for the
# code outputs of translation and generation, written by the same job (one read, one pass).


rule surface_metrics:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
        references=task_data("{task}", "{lang}", "test"),
    output:
        table="results/metrics/surface/{model}/{method}/{task}/{lang}.tsv",
        summary="results/metrics/surface/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/metrics/surface/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/metrics/surface/{model}/{method}/{task}/{lang}.tsv"
    wildcard_constraints:
        task="summarization",
    conda:
        "../envs/metrics.yaml"
    threads: 2  # torch (BERTScore, SIDE) uses both; the rest is single-threaded Python
    resources:
        mem_mb=4000,  # BERT-base (paper) on CPU + WordNet: ~2 GB peak; MiniLM: ~1 GB
        runtime=60,  # minutes; 1,000 pairs: ~4 s CPU + BERTScore (~25 ms/pair, MiniLM, CPU)
    params:
        # summarization: no CodeBLEU (its settings would rerun these tables for nothing)
        options=canonical(
            {k: v for k, v in config["metrics"].items() if k != "codebleu"}
        ),
    script:
        "../workflow/scripts/surface_metrics.py"


use rule surface_metrics as surface_codebleu_metrics with:
    output:
        table="results/metrics/surface/{model}/{method}/{task}/{lang}.tsv",
        summary="results/metrics/surface/{model}/{method}/{task}/{lang}.summary.json",
        codebleu_table="results/metrics/codebleu/{model}/{method}/{task}/{lang}.tsv",
        codebleu_summary="results/metrics/codebleu/{model}/{method}/{task}/{lang}.summary.json",
    wildcard_constraints:
        task="translation|generation",
    params:
        options=canonical(config["metrics"]),


# final targets: every prediction of the three tasks (generation rows whose reference is null,
# e.g. CoderEval prompts without solutions, get statuses, not numbers); codebleu for code tasks
register_final_targets(
    lambda: [
        f"results/metrics/{family}/{c['model']}/{c['method']}/{c['task']}/{c['lang']}.{ext}"
        for c in prediction_combos()
        for family in ("surface", "codebleu")
        if family == "surface" or c["task"] in ("translation", "generation")
        for ext in ("tsv", "summary.json")
    ]
)
