# Execution: run generated code against tests in a sandbox -> per-task outcomes + pass@k.
# One job per generation predictions file (every model x method x language or test set).
# Nothing runs unless execution.allow_untrusted_code is true (tables then say "not computed").
# CoderEval's tests: execution.tests (local) or its image; a test set's (humaneval, ...) come
# with its data records (meta.test, codepeft.data.testsets).


rule execute:
    input:
        predictions=paths.fill(paths.PREDICTIONS, task="generation"),
        data=task_data("generation", "{lang}", "test"),
        tests=execution_tests,
    output:
        **metric_outputs(measures.written_by("execute"), task="generation"),
    log:
        "logs/metrics/execution/{model}/{method}/seed-{seed}/generation/{lang}.log",
    benchmark:
        "results/benchmarks/metrics/execution/{model}/{method}/seed-{seed}/generation/{lang}.tsv"
    wildcard_constraints:
        lang=alternatives(list(tasks.LANGUAGES) + list(tasks.TEST_SETS)),
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
