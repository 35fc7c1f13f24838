# Static analyzers: one rule per analyzer, each running its tool ONCE over all samples of a
# predictions file (batched: JVM/interpreter start-up would otherwise dominate).
# Inputs: results/predictions/{model}/{method}/{task}/{lang}.jsonl (generation: python/java;
# translation: java-cs = C# code, cs-java = Java code), incl. reference/reference.
# Outputs: results/metrics/<analyzer>/{model}/{method}/{task}/{lang}.tsv (+ .rules.tsv, a long
# by-rule table, where the tool has rules) and {lang}.summary.json. A tool missing at run time
# -> every row "not computed: <tool> not found" (logged as an ERROR), so the DAG completes.
# Each rule has its pinned conda env (envs/<tool>.yaml) for --sdm conda; without it the tools
# are found on PATH, in the project venv or in $CODEPEFT_TOOLS (scripts/setup/*.sh).

ANALYZER_LANGUAGES = {
    "pylint": ("python",),
    "flake8": ("python",),
    "pmd": ("java",),
    "checkstyle": ("java",),
    "lizard": ("python", "java", "csharp"),
    "complexipy": ("python",),
    "radon": ("python",),
    "semgrep": ("python", "java", "csharp"),
    "treesitter": ("python", "java", "csharp"),
    "roslyn": ("csharp",),
    "sonar": ("python", "java", "csharp"),
}
CODE_LANGUAGE = {
    ("generation", "python"): "python",
    ("generation", "java"): "java",
    ("translation", "java-cs"): "csharp",
    ("translation", "cs-java"): "java",
}


def analyzer_options(wildcards):
    """Options handed to codepeft.analyzers (no secrets: the Sonar token stays in the env)."""
    section = config["analyzers"]
    return {
        "timeout_s": section["timeout_s"],
        "sonar": dict(section["sonar"]),
        "label": f"{wildcards.model}_{wildcards.method}_{wildcards.task}_{wildcards.lang}",
    }


def analyzer_targets():
    """Every analyzer table of the study: enabled analyzers x code-producing combos."""
    section = config["analyzers"]
    combos = prediction_combos(include_reference=section["include_reference"])
    targets = []
    for name in section["enabled"]:
        for c in combos:
            language = CODE_LANGUAGE.get((c["task"], c["lang"]))
            if language in ANALYZER_LANGUAGES[name]:
                targets.append(
                    "results/metrics/{a}/{model}/{method}/{task}/{lang}.tsv".format(
                        a=name, **c
                    )
                )
    return targets


register_final_targets(analyzer_targets)

# The Sonar token comes only from the environment. `envvars:` makes Snakemake require it and
# pass it on to remote jobs (cluster/cloud executors); it is declared only when set, so a run
# without Sonar still completes, with "not computed: no SONAR_TOKEN/host configured" tables.
if os.environ.get("SONAR_TOKEN"):

    envvars:
        "SONAR_TOKEN",


# Pylint: one process over all files, duplicate-code disabled, JSON output.
rule analyze_pylint:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/pylint/{model}/{method}/{task}/{lang}.tsv",
        rules="results/metrics/pylint/{model}/{method}/{task}/{lang}.rules.tsv",
        summary="results/metrics/pylint/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/pylint/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/pylint/{model}/{method}/{task}/{lang}.tsv"
    wildcard_constraints:
        task="generation",
        lang="python",
    conda:
        "../envs/pylint.yaml"
    threads: 1
    params:
        analyzer="pylint",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"


# Flake8: one process over all files (pycodestyle + pyflakes).
rule analyze_flake8:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/flake8/{model}/{method}/{task}/{lang}.tsv",
        rules="results/metrics/flake8/{model}/{method}/{task}/{lang}.rules.tsv",
        summary="results/metrics/flake8/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/flake8/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/flake8/{model}/{method}/{task}/{lang}.tsv"
    wildcard_constraints:
        task="generation",
        lang="python",
    conda:
        "../envs/flake8.yaml"
    threads: 1
    params:
        analyzer="flake8",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"


# PMD 7: one JVM over all files; 8 categories + per-method cognitive/cyclomatic/NCSS.
rule analyze_pmd:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/pmd/{model}/{method}/{task}/{lang}.tsv",
        rules="results/metrics/pmd/{model}/{method}/{task}/{lang}.rules.tsv",
        summary="results/metrics/pmd/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/pmd/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/pmd/{model}/{method}/{task}/{lang}.tsv"
    wildcard_constraints:
        task="generation|translation",
        lang="java|cs-java",
    conda:
        "../envs/pmd.yaml"
    threads: 2
    params:
        analyzer="pmd",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"


# Checkstyle sun_checks: one JVM over all files, XML output.
rule analyze_checkstyle:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/checkstyle/{model}/{method}/{task}/{lang}.tsv",
        rules="results/metrics/checkstyle/{model}/{method}/{task}/{lang}.rules.tsv",
        summary="results/metrics/checkstyle/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/checkstyle/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/checkstyle/{model}/{method}/{task}/{lang}.tsv"
    wildcard_constraints:
        task="generation|translation",
        lang="java|cs-java",
    conda:
        "../envs/checkstyle.yaml"
    threads: 1
    params:
        analyzer="checkstyle",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"


# Lizard (library): NLOC, CCN, tokens, parameters, cognitive complexity.
rule analyze_lizard:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/lizard/{model}/{method}/{task}/{lang}.tsv",
        summary="results/metrics/lizard/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/lizard/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/lizard/{model}/{method}/{task}/{lang}.tsv"
    conda:
        "../envs/lizard.yaml"
    threads: 1
    params:
        analyzer="lizard",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"


# complexipy (library): Python cognitive complexity.
rule analyze_complexipy:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/complexipy/{model}/{method}/{task}/{lang}.tsv",
        summary="results/metrics/complexipy/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/complexipy/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/complexipy/{model}/{method}/{task}/{lang}.tsv"
    wildcard_constraints:
        task="generation",
        lang="python",
    conda:
        "../envs/complexipy.yaml"
    threads: 1
    params:
        analyzer="complexipy",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"


# radon (library): maintainability index and raw sizes.
rule analyze_radon:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/radon/{model}/{method}/{task}/{lang}.tsv",
        summary="results/metrics/radon/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/radon/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/radon/{model}/{method}/{task}/{lang}.tsv"
    wildcard_constraints:
        task="generation",
        lang="python",
    conda:
        "../envs/radon.yaml"
    threads: 1
    params:
        analyzer="radon",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"


# semgrep (own venv): the project's rule set, one offline run.
rule analyze_semgrep:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/semgrep/{model}/{method}/{task}/{lang}.tsv",
        rules="results/metrics/semgrep/{model}/{method}/{task}/{lang}.rules.tsv",
        summary="results/metrics/semgrep/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/semgrep/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/semgrep/{model}/{method}/{task}/{lang}.tsv"
    conda:
        "../envs/semgrep.yaml"
    threads: 2
    params:
        analyzer="semgrep",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"


# tree-sitter: parse errors (ERROR/MISSING nodes) per unit.
rule analyze_treesitter:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/treesitter/{model}/{method}/{task}/{lang}.tsv",
        summary="results/metrics/treesitter/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/treesitter/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/treesitter/{model}/{method}/{task}/{lang}.tsv"
    conda:
        "../envs/treesitter.yaml"
    threads: 1
    params:
        analyzer="treesitter",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"


# Roslyn parse diagnostics (C# tool, needs a .NET SDK; otherwise 'not computed').
rule analyze_roslyn:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/roslyn/{model}/{method}/{task}/{lang}.tsv",
        rules="results/metrics/roslyn/{model}/{method}/{task}/{lang}.rules.tsv",
        summary="results/metrics/roslyn/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/roslyn/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/roslyn/{model}/{method}/{task}/{lang}.tsv"
    wildcard_constraints:
        task="translation",
        lang="java-cs",
    conda:
        "../envs/roslyn.yaml"
    threads: 1
    params:
        analyzer="roslyn",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"


# Sonar scanner + Web API, only with SONAR_TOKEN and a host; otherwise 'not computed'.
rule analyze_sonar:
    input:
        predictions="results/predictions/{model}/{method}/{task}/{lang}.jsonl",
    output:
        table="results/metrics/sonar/{model}/{method}/{task}/{lang}.tsv",
        rules="results/metrics/sonar/{model}/{method}/{task}/{lang}.rules.tsv",
        summary="results/metrics/sonar/{model}/{method}/{task}/{lang}.summary.json",
    log:
        "logs/analyze/sonar/{model}/{method}/{task}/{lang}.log",
    benchmark:
        "results/benchmarks/analyze/sonar/{model}/{method}/{task}/{lang}.tsv"
    conda:
        "../envs/sonar.yaml"
    threads: 1
    params:
        analyzer="sonar",
        options=analyzer_options,
    script:
        "../workflow/scripts/analyze.py"
