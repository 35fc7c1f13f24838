# Execution: run generated code against tests in a sandbox -> per-task outcomes + pass@k.
# One job per generation predictions file (every model x method x language). Nothing runs
# unless execution.allow_untrusted_code is true (tables then say "not computed").


rule execute:
    input:
        predictions=paths.fill(paths.PREDICTIONS, task="generation"),
        data=task_data("generation", "{lang}", "test"),
        # the local tests file, when configured (a change reruns the tables)
        tests=lambda wc: (
            [config["execution"]["tests"]] if config["execution"]["tests"] else []
        ),
    output:
        **metric_outputs(measures.written_by("execute"), task="generation"),
    log:
        "logs/metrics/execution/{model}/{method}/generation/{lang}.log",
    benchmark:
        "results/benchmarks/metrics/execution/{model}/{method}/generation/{lang}.tsv"
    wildcard_constraints:
        lang=alternatives(tasks.LANGUAGES),
    conda:
        "../envs/execution.yaml"
    # samples run in parallel up to this many; each is one interpreter/JVM
    threads: model_threads
    resources:
        **SITE.cpu(),
        # per parallel sample: its address-space limit (JVM: heap + metaspace, ~1 GB real)
        mem_mb=lambda wc, threads: 1000 + threads * 1500,
        # minutes; ~15 Python or ~6 Java samples/s on 2 cores (230 CoderEval tasks per
        # language: under a minute) + the CoderEval image's projects; with execution off
        # (execution.allow_untrusted_code false) the job only writes "not run" rows (0.3 s)
        runtime=30 if config["execution"]["allow_untrusted_code"] else 5,
    params:
        options=canonical(config["execution"]),
        environment_failures=config["environment_failures"],
    script:
        "../workflow/scripts/execute.py"


# final targets: every generation predictions file (the registry's execution family)
register_final_targets(lambda: PLAN.family_targets("execution"))
