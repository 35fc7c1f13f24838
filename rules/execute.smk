# Execution: run generated code against tests in a sandbox -> per-task outcomes + pass@k.
# One job per generation predictions file (every model x method x language). Nothing runs
# unless execution.allow_untrusted_code is true (tables then say "not computed").


rule execute:
    input:
        predictions="results/predictions/{model}/{method}/generation/{lang}.jsonl",
        data=task_data("generation", "{lang}", "test"),
        # the local tests file, when configured (a change reruns the tables)
        tests=lambda wc: (
            [config["execution"]["tests"]] if config["execution"]["tests"] else []
        ),
    output:
        table="results/metrics/execution/{model}/{method}/generation/{lang}.tsv",
        summary="results/metrics/execution/{model}/{method}/generation/{lang}.summary.json",
    log:
        "logs/metrics/execution/{model}/{method}/generation/{lang}.log",
    benchmark:
        "results/benchmarks/metrics/execution/{model}/{method}/generation/{lang}.tsv"
    wildcard_constraints:
        lang="python|java",
    conda:
        "../envs/execution.yaml"
    # samples run in parallel up to this many; each is one interpreter/JVM
    threads: 2
    resources:
        # per parallel sample: its address-space limit (JVM: heap + metaspace, ~1 GB real)
        mem_mb=lambda wc, threads: 1000 + threads * 1500,
        runtime=120,  # minutes; ~15 Python or ~6 Java samples/s on 2 cores + CoderEval image
    params:
        options=canonical(config["execution"]),
    script:
        "../workflow/scripts/execute.py"


register_final_targets(
    lambda: [
        f"results/metrics/execution/{c['model']}/{c['method']}/generation/{c['lang']}.{ext}"
        for c in prediction_combos(task="generation")
        for ext in ("tsv", "summary.json")
    ]
)
