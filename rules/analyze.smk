# Static analyzers: one rule (one job) per analyzer over EVERY predictions file of the study it
# applies to (all models/methods, incl. reference/reference, every task/lang whose code it
# handles); inside the job the tool runs once per code language over the union of all files'
# units (codepeft.analyzers.analyze_files), so JVM/interpreter start-up is paid once per
# analyzer, not once per file, and a cluster gets one job per analyzer.
# Inputs: results/predictions/{model}/{method}/seed-{seed}/{task}/{lang}.jsonl (generation: python/java;
# translation: java-cs = C# code, cs-java = Java code).
# Outputs, one set per predictions file: results/metrics/<analyzer>/{model}/{method}/seed-{seed}/{task}/
# {lang}.tsv (+ .rules.tsv, a long by-rule table, where the tool has rules) and
# {lang}.summary.json. A tool missing at run time, or failing as a whole, fails the job with the
# setup step to run (environment_failures: fail, the default; codepeft.failures), so a retry or
# a later run computes it; environment_failures: record writes "not computed: <reason>" rows.
# Rules exist only for enabled analyzers with at least one predictions file; their names are
# analyze_<analyzer> (profiles/slurm refers to them). Each has its pinned conda env
# (envs/<tool>.yaml) for --sdm conda; without it the tools are found on PATH, in the project
# venv or in $CODEPEFT_TOOLS (scripts/setup/*.sh).
from codepeft import analyzers as _analyzers

# per analyzer: (threads, mem_mb). PMD and semgrep use 2 threads; Pylint/Flake8 -j1 was faster
# on 2 cores (benchmarks/analyzers.md). Memory: the JVM tools and semgrep hold the whole batch.
ANALYZER_RESOURCES = {
    "pylint": (1, 3000),
    "flake8": (1, 1000),
    "pmd": (2, 4000),
    "checkstyle": (1, 3000),
    "lizard": (1, 1000),
    "complexipy": (1, 1000),
    "radon": (1, 1000),
    "semgrep": (2, 4000),
    "treesitter": (1, 1000),
    "roslyn": (1, 3000),
    "sonar": (1, 2000),
}
ANALYZE_PLAN = PLAN.analyzers  # {analyzer: its jobs} (codepeft.analyzers.planning)

register_final_targets(
    lambda: [
        t
        for jobs in ANALYZE_PLAN.values()
        for t in _analyzers.plan_targets(jobs, "table")
    ]
)

# The Sonar token comes only from the environment. `envvars:` makes Snakemake require it and
# pass it on to remote jobs (cluster/cloud executors); it is declared only when set. Sonar
# without a host is not configured ("not computed: Sonar not configured ..." tables, in every
# mode); with a host but no token, the job fails (an environment failure).
if os.environ.get("SONAR_TOKEN"):

    envvars:
        "SONAR_TOKEN",


for _name, _jobs in ANALYZE_PLAN.items():

    rule:
        name:
            f"analyze_{_name}"
        input:
            predictions=_analyzers.plan_targets(_jobs, "predictions"),
        output:
            tables=_analyzers.plan_targets(_jobs, "table"),
            rules=_analyzers.plan_targets(_jobs, "rules"),
            summaries=_analyzers.plan_targets(_jobs, "summary"),
        log:
            f"logs/analyze/{_name}.log",
        benchmark:
            f"results/benchmarks/analyze/{_name}.tsv"
        conda:
            f"../envs/{_name}.yaml"
        threads: ANALYZER_RESOURCES[_name][0]
        resources:
            **SITE.cpu(),
            mem_mb=ANALYZER_RESOURCES[_name][1],
            # minutes, for one batched run over all predictions files: the rehearsal's slowest
            # (PMD, 30 files at the paper's row counts x 2.6) took 4 min; 10 + 1 per 4 files
            # is >= 4x that for the paper preset, and a group job adds these up
            runtime=10 + len(_jobs) // 4,
        params:
            analyzer=_name,
            # (predictions, task, lang, table, rules, summary) per predictions file
            jobs=canonical(
                sorted(_analyzers.plan_params(_jobs), key=lambda j: j["predictions"])
            ),
            options=canonical(_analyzers.rule_options(config["analyzers"], _name)),
            environment_failures=config["environment_failures"],
        script:
            "../workflow/scripts/analyze.py"
