# LLM judge of generated summaries (codepeft/judge/, docs/judge.md): one job per
# summarization predictions file -> results/metrics/judge/{model}/{method}/seed-{seed}/summarization/{lang}.tsv
# (+ .summary.json). Answers are cached in config["judge"]["cache_dir"] (default
# results/judge_cache/), which is no rule's output, so Snakemake never deletes it and a rerun
# sends no request. A request still failing after its retries (endpoint unreachable, an error
# status) fails the job under environment_failures: fail (codepeft.failures); its retry, or a
# later run, asks only for the answers not yet cached.


# the site settings (SITE: the judge's partition) and sizing helpers; this file also stands
# alone beside common.smk (tests/workflow/test_judge_workflow.py); a second include of the
# same file is ignored by Snakemake
include: "resources.smk"


# The API key is read from this variable only (never from config or a file). Declared when set,
# so Snakemake passes it to remote jobs; unset, a dry run still works and the judge job stops
# before any request (workflow/scripts/judge.py: check_api_key), so nothing is paid.
if (
    JUDGE["enabled"]
    and not JUDGE_LOCAL
    and JUDGE["api_key_env"]
    and os.environ.get(JUDGE["api_key_env"])
):

    envvars:
        JUDGE["api_key_env"],


# threads of a local judge: 2 (its LM on the CPU beside the GPU), 1 when the judge is a tiny demo
# model the workflow builds (start-up bound: two jobs side by side); an API judge: 1 core of
# I/O-bound threads (judge.concurrency)
JUDGE_IS_TINY = any(
    is_tiny_model(m) and spec["source"] == JUDGE["model"]
    for m, spec in config["models"].items()
)
JUDGE_THREADS = 2 if JUDGE_LOCAL and not JUDGE_IS_TINY else 1


rule judge_summaries:
    input:
        unpack(judge_inputs),
    output:
        **metric_outputs(measures.written_by("judge_summaries"), task="summarization"),
    log:
        "logs/judge/{model}/{method}/seed-{seed}/summarization/{lang}.log",
    benchmark:
        "results/benchmarks/judge/{model}/{method}/seed-{seed}/summarization/{lang}.tsv"
    conda:
        "../envs/core.yaml"
    threads: JUDGE_THREADS
    resources:
        # site settings: a local judge model on a GPU goes to the GPU partition, an API
        # judge to the CPU one (rules/resources.smk)
        **SITE.judge(on_gpu=JUDGE_LOCAL and config["judge"]["device"] != "cpu"),
        # local backend: a GPU job on clusters (the judge LM runs on the accelerator; the
        # SLURM profile maps gpu=1 to a GPU request). openai backend: CPU only, network-bound.
        gpu=1 if JUDGE_LOCAL and config["judge"]["device"] != "cpu" else 0,
        mem_mb=16000 if JUDGE_LOCAL else 1000,
        # minutes. API: 1,000 instances x 5 runs at ~1 request/s with 4 in flight ~ 25 min;
        # a local judge model: its generation on one GPU, like a generation job
        runtime=240 if JUDGE_LOCAL else 60,
        # every job sends up to judge.concurrency requests at once: cap the total with
        # `--resources judge_api=1` (one judge job at a time) against a rate-limited API
        judge_api=0 if JUDGE_LOCAL else 1,
    params:
        judge=canonical(study.judge_spec(JUDGE)),
        environment_failures=config["environment_failures"],
    script:
        "../workflow/scripts/judge.py"


# final targets: every summarization predictions file the judge rates (judge.enabled; the
# references too under judge.include_reference), from the registry (codepeft.measures)
register_final_targets(lambda: PLAN.family_targets("judge"))
