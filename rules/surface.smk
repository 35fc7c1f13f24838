# Surface metrics: one job per predictions file and metric family -> per-instance table +
# corpus summary. Families: `surface` (BLEU both ways, chrF, METEOR, ROUGE, exact match,
# BERTScore, SIDE) for every task, and `codebleu` (CodeBLEU + components) for code outputs.


SURFACE_TASKS = ["summarization", "translation", "generation"]


def surface_combos():
    """Predictions compared with references. Generation rows whose reference is null
    (CoderEval prompts without solutions) get statuses, not numbers."""
    return [c for c in prediction_combos() if c["task"] in SURFACE_TASKS]


def codebleu_combos():
    """Code outputs in a CodeBLEU language (translation targets, generation languages)."""
    from codepeft.metrics.compute import SurfaceOptions, codebleu_applies

    options = SurfaceOptions.from_config(config["metrics"])
    return [
        c
        for c in surface_combos()
        if c["task"] != "summarization"
        and codebleu_applies(c["task"], c["lang"], options)
    ]


rule surface_metrics:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
        references=task_data("{task}", "{lang}", "test"),
    output:
        table="results/metrics/{family}/{model}/{method}/{task}/{lang}.tsv",
        summary="results/metrics/{family}/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/metrics/{family}/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/metrics/{family}/{model}/{method}/{task}/{lang}.tsv"
    wildcard_constraints:
        family="surface|codebleu",
    conda:
        "../envs/metrics.yaml"
    # torch (BERTScore, SIDE) uses both threads; the rest is single-threaded Python
    threads: lambda wc: 2 if wc.family == "surface" else 1
    resources:
        mem_mb=lambda wc: 4000 if wc.family == "surface" else 1000,  # BERT-base + WordNet
        runtime=60,  # minutes; 1,000 pairs take ~10 s without BERTScore on 2 cores
    params:
        options=config["metrics"],
    script:
        "../workflow/scripts/surface_metrics.py"


register_final_targets(
    lambda: [
        f"results/metrics/{family}/{c['model']}/{c['method']}/{c['task']}/{c['lang']}.{ext}"
        for family, combos in (
            ("surface", surface_combos()),
            ("codebleu", codebleu_combos()),
        )
        for c in combos
        for ext in ("tsv", "summary.json")
    ]
)
