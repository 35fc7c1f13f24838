"""The registry of what the study measures: one `Family` per metric family (one folder of
results/metrics/), each with its `Measure` columns. Declared here once; derived from it:

* the metric rules' outputs and final targets (rules/surface.smk, execute.smk, judge.smk via
  `codepeft.plan.Plan.family_targets`; the analyzers' through `codepeft.analyzers.planning`),
* which columns a paired test may name (`check_stats_entry`: a binary measure gets McNemar, a
  continuous one Wilcoxon + Cliff's delta; `codepeft.stats.plan`),
* the report's sections and the direction of each measure (`codepeft.report`: means, figures,
  the headline's better/worse).

An unknown family is an error (`family` raises `UnknownFamily`), never a silent default.

A family's table is ``results/metrics/{family}/{model}/{method}/{task}/{lang}.tsv`` (id + one
column per measure, plus status and bookkeeping columns that are not measures), beside it
``{lang}.summary.json`` and, for analyzers with rules, ``{lang}.rules.tsv``. The module that
computes a family lays out its table; the registry says which of its columns are measures and
what they mean. For an analyzer the column list and order are its module's ``COLUMNS``
(`codepeft.analyzers.<tool>`), checked against its entry here when this module loads.

Adding a metric: compute it in its module (a column of its table), add its `Measure` to its
family here (a new family: a `Family` entry, and the rule that writes it), a test, and the docs
(docs/architecture.md, "Measures").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codepeft import tasks
from codepeft.analyzers import checkstyle, pmd
from codepeft.analyzers import registry as analyzer_registry

#: kinds of measure: which paired test applies (codepeft.stats)
BINARY = "binary"  # 0/1 per instance: McNemar
CONTINUOUS = "continuous"  # Wilcoxon signed-rank + Cliff's delta
PROPORTION = "proportion"  # 0/1 with one sample, a fraction with several: either test
KINDS = (BINARY, CONTINUOUS, PROPORTION)
#: which way is better
HIGHER, LOWER, NEITHER = "higher", "lower", "neither"
DIRECTIONS = (HIGHER, LOWER, NEITHER)

#: the report's sections (anchor -> heading), in page order
SECTIONS = {
    "functional": "Functional correctness",
    "surface": "Summarization and translation metrics",
    "nonfunctional": "Non-functional measures (static analysis)",
}
#: the files of a family, per predictions file (codepeft.paths.metric_files)
FILES = ("table", "summary", "rules")


class UnknownFamily(ValueError):
    """A metric family (or a measure of one) that the registry does not declare."""


@dataclass(frozen=True)
class Measure:
    """One measure column of a family's table.

    ``name`` is the column, or, with ``pattern`` (a regular expression matching the whole
    column name), the name of a set of columns whose names depend on the config (``pass@k``:
    ``pass@1``, ``pass@10``; the judge's ``<criterion>_mean``)."""

    name: str
    kind: str
    better: str
    description: str
    pattern: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"measure {self.name}: kind {self.kind!r} not in {KINDS}")
        if self.better not in DIRECTIONS:
            raise ValueError(f"measure {self.name}: better {self.better!r} not in {DIRECTIONS}")

    def matches(self, column: str) -> bool:
        if self.pattern is None:
            return column == self.name
        return re.fullmatch(self.pattern, column) is not None

    def allows(self, test_kind: str) -> bool:
        """Whether a test of `test_kind` (binary or continuous) applies to this measure."""
        return self.kind == PROPORTION or self.kind == test_kind


@dataclass(frozen=True)
class Family:
    """One metric family: its tables, its measures, where it applies, who writes it."""

    name: str
    description: str
    #: the report section it appears in (a key of SECTIONS)
    section: str
    #: the rule(s) that write its files (rules/<stage>.smk)
    written_by: tuple[str, ...]
    #: the tasks it has a table for
    tasks: tuple[str, ...]
    measures: tuple[Measure, ...]
    #: code languages it handles (`codepeft.tasks.code_language` of a task/lang), or None:
    #: every language of its tasks
    languages: tuple[str, ...] | None = None
    #: files per predictions file (FILES); the rule writes them all
    files: tuple[str, ...] = ("table", "summary")
    #: the files that are final targets (what the report reads)
    targets: tuple[str, ...] = ("table", "summary")
    #: the config section that switches it (its `enabled`: a bool, or a list of analyzer
    #: names) and says whether the references are measured too (its `include_reference`);
    #: None: always on, generated predictions only
    config_section: str | None = None
    analyzer: bool = False

    def __post_init__(self):
        if self.section not in SECTIONS:
            raise ValueError(f"family {self.name}: section {self.section!r} not in {SECTIONS}")
        unknown = set(self.files) - set(FILES) or set(self.targets) - set(self.files)
        if unknown:
            raise ValueError(f"family {self.name}: unknown files {sorted(unknown)}")

    @property
    def columns(self) -> tuple[str, ...]:
        """The measures' names (a patterned measure by its name, e.g. ``pass@k``)."""
        return tuple(m.name for m in self.measures)

    @property
    def has_rules(self) -> bool:
        return "rules" in self.files

    def measure(self, column: str) -> Measure | None:
        """The measure a table column is, or None (id, status, bookkeeping columns)."""
        if column == "status" or column.endswith("_status"):
            return None
        return next((m for m in self.measures if m.matches(column)), None)

    def is_measure(self, column: str) -> bool:
        return self.measure(column) is not None

    def better(self, column: str) -> str:
        """higher, lower or neither: which way `column` is better (UnknownFamily if it is
        not a measure of this family)."""
        return self.require(column).better

    def require(self, column: str) -> Measure:
        found = self.measure(column)
        if found is None:
            raise UnknownFamily(
                f"{column!r} is not a measure of metric family {self.name!r} "
                f"(its measures: {', '.join(self.columns)}; codepeft.measures)"
            )
        return found

    def applies(self, task: str, lang: str) -> bool:
        """Whether the predictions of (task, lang) get a table of this family."""
        if task not in self.tasks:
            return False
        return self.languages is None or tasks.code_language(task, lang) in self.languages

    def enabled(self, config: dict) -> bool:
        """Whether the study's config switches this family on."""
        if self.config_section is None:
            return True
        switch = config[self.config_section]["enabled"]
        return self.name in switch if isinstance(switch, (list, tuple)) else bool(switch)

    def include_reference(self, config: dict) -> bool:
        """Whether the references (reference/reference) get tables of this family too."""
        if self.config_section is None:
            return False
        return bool(config[self.config_section].get("include_reference", False))


def _m(name, kind, better, description, pattern=None) -> Measure:
    return Measure(name, kind, better, description, pattern)


C, B, P = CONTINUOUS, BINARY, PROPORTION
H, L, N = HIGHER, LOWER, NEITHER

SURFACE = Family(
    name="surface",
    description="reference-based text similarity of every task's outputs "
    "(codepeft.metrics.compute)",
    section="surface",
    written_by=("surface_metrics", "surface_codebleu_metrics"),
    tasks=tasks.TASKS,
    measures=(
        _m("bleu_sacre", C, H, "sentence BLEU (sacrebleu, /100; the paper's BLEU)"),
        _m("bleu_cxg", C, H, "CodeXGLUE's smoothed sentence BLEU-4"),
        _m("chrf", C, H, "chrF (character n-gram F-score, /100)"),
        _m("meteor", C, H, "METEOR (NLTK, WordNet)"),
        _m("rouge1", C, H, "ROUGE-1 F (stemmed)"),
        _m("rouge2", C, H, "ROUGE-2 F (stemmed)"),
        _m("rougeL", C, H, "ROUGE-L F (stemmed)"),
        _m("exact_match", B, H, "1 when prediction and reference are equal up to whitespace"),
        _m("bertscore_p", C, H, "BERTScore precision"),
        _m("bertscore_r", C, H, "BERTScore recall"),
        _m("bertscore_f1", C, H, "BERTScore F1"),
        _m("side", C, H, "SIDE summary-code coherence, a cosine in [-1, 1] (Java summaries)"),
    ),
)
CODEBLEU = Family(
    name="codebleu",
    description="CodeBLEU of code outputs, written by the surface job (codepeft.metrics)",
    section="surface",
    written_by=("surface_codebleu_metrics",),
    tasks=tasks.CODE_TASKS,
    measures=(
        _m("codebleu", C, H, "CodeBLEU under metrics.codebleu.dataflow_policy"),
        _m("codebleu_library", C, H, "CodeBLEU as the library (and the paper) combine it"),
        _m("codebleu_ngram", C, H, "CodeBLEU's n-gram match component"),
        _m("codebleu_weighted_ngram", C, H, "CodeBLEU's weighted n-gram match component"),
        _m("codebleu_syntax", C, H, "CodeBLEU's syntax (AST) match component"),
        _m("codebleu_dataflow", C, H, "CodeBLEU's data-flow match component"),
    ),
)
EXECUTION = Family(
    name="execution",
    description="generated code run against its tests in a sandbox (codepeft.execution)",
    section="functional",
    written_by=("execute",),
    tasks=("generation",),
    measures=(
        _m(
            "pass@k",
            P,
            H,
            "1 when the task's tests pass (one sample); with n samples per task, the "
            "unbiased pass@k estimator",
            pattern=r"pass@\d+",
        ),
    ),
)
JUDGE = Family(
    name="judge",
    description="LLM-judge ratings of generated summaries (codepeft.judge)",
    section="surface",
    written_by=("judge_summaries",),
    tasks=("summarization",),
    measures=(
        _m(
            "<criterion>_mean",
            C,
            H,
            "a rubric criterion's mean score (1-5) over the valid runs",
            pattern=r"\w+_mean",
        ),
        _m(
            "<criterion>_mode",
            C,
            H,
            "a rubric criterion's most frequent score (1-5) over the valid runs",
            pattern=r"\w+_mode",
        ),
    ),
    config_section="judge",
)

_ISSUES = "issues found (fewer is better)"
#: the analyzers' measures: {analyzer: {column of its module's COLUMNS: (kind, better,
#: description)}}; the columns and their order are the module's
ANALYZER_MEASURES: dict[str, dict[str, tuple[str, str, str]]] = {
    "pylint": {
        **{
            c: (C, L, f"Pylint messages of category {c}")
            for c in ("error", "warning", "convention", "refactor", "fatal", "info")
        },
        "messages": (C, L, "all Pylint messages"),
    },
    "flake8": {
        "E": (C, L, "pycodestyle errors (E)"),
        "W": (C, L, "pycodestyle warnings (W)"),
        "F": (C, L, "pyflakes messages (F)"),
        "C": (C, L, "mccabe complexity messages (C)"),
        "violations": (C, L, "all Flake8 messages"),
    },
    "pmd": {
        **{c: (C, L, f"PMD violations of category {c}") for c in pmd.CATEGORIES},
        "violations": (C, L, "all PMD violations"),
        "methods": (C, N, "methods and constructors PMD saw"),
        "cognitive_sum": (C, L, "cognitive complexity summed over methods"),
        "cognitive_max": (C, L, "highest cognitive complexity of a method"),
        "cyclomatic_sum": (C, L, "cyclomatic complexity summed over methods"),
        "cyclomatic_max": (C, L, "highest cyclomatic complexity of a method"),
        "ncss_sum": (C, N, "non-commenting source statements summed over methods"),
        "ncss_max": (C, N, "most non-commenting source statements of a method"),
    },
    "checkstyle": {
        "violations": (C, L, "all Checkstyle (sun_checks) violations"),
        **{c: (C, L, f"Checkstyle violations of check group {c}") for c in checkstyle.GROUPS},
    },
    "lizard": {
        "detected": (C, H, "1 when Lizard finds at least one function (detection rate)"),
        "functions": (C, N, "functions found"),
        "nloc": (C, N, "lines of code (without comments), summed over functions"),
        "tokens": (C, N, "tokens, summed over functions"),
        "ccn_sum": (C, L, "cyclomatic complexity summed over functions"),
        "ccn_max": (C, L, "highest cyclomatic complexity of a function"),
        "ccn_avg": (C, L, "mean cyclomatic complexity of the functions"),
        "params_max": (C, N, "most parameters of a function"),
        "cognitive_sum": (C, L, "cognitive complexity summed over functions"),
        "cognitive_max": (C, L, "highest cognitive complexity of a function"),
    },
    "complexipy": {
        "cognitive": (C, L, "cognitive complexity of the file"),
        "cognitive_max": (C, L, "highest cognitive complexity of a function"),
        "functions": (C, N, "functions found"),
    },
    "radon": {
        "mi": (C, H, "maintainability index (0-100)"),
        "loc": (C, N, "lines"),
        "lloc": (C, N, "logical lines"),
        "sloc": (C, N, "source lines"),
        "comments": (C, N, "comment lines"),
        "blank": (C, N, "blank lines"),
        "halstead_volume": (C, L, "Halstead volume of the file"),
    },
    "semgrep": {
        "findings": (C, L, "all findings of the project's semgrep rules"),
        **{
            c: (C, L, f"semgrep findings of rule category {c}")
            for c in ("reliability", "maintainability", "security")
        },
    },
    "treesitter": {
        "parses": (B, H, "1 when the tree-sitter parse has no ERROR or MISSING node"),
        "error_nodes": (C, L, "ERROR nodes of the parse"),
        "missing_nodes": (C, L, "MISSING nodes of the parse"),
    },
    "roslyn": {
        "syntax_errors": (C, L, "Roslyn diagnostics with id CS01xx (the paper's definition)"),
        "maintainability": (C, L, "the other Roslyn diagnostics"),
        "diagnostics": (C, L, "all Roslyn parse diagnostics"),
        "parser_errors": (C, L, "Roslyn diagnostics of severity Error"),
    },
    "sonar": {
        "loc": (C, N, "lines of code (Sonar ncloc)"),
        "cyclomatic": (C, L, "cyclomatic complexity (Sonar)"),
        "cognitive": (C, L, "cognitive complexity (Sonar)"),
        "reliability": (C, L, "open BUG issues (Sonar)"),
        "maintainability": (C, L, "open CODE_SMELL issues (Sonar)"),
        "security_hotspots": (C, L, "security hotspots (Sonar)"),
    },
}


def _analyzer_family(name: str) -> Family:
    """An analyzer's family: languages, columns and by-rule table from its module
    (`codepeft.analyzers.<name>`), each column described by ANALYZER_MEASURES[name]."""
    module = analyzer_registry.module(name)
    described = ANALYZER_MEASURES.get(name)
    if described is None:
        raise UnknownFamily(
            f"analyzer {name!r} has no entry in codepeft.measures.ANALYZER_MEASURES"
        )
    if set(described) != set(module.COLUMNS):
        raise UnknownFamily(
            f"codepeft.analyzers.{name}.COLUMNS {list(module.COLUMNS)} and its "
            f"codepeft.measures.ANALYZER_MEASURES entry {list(described)} differ"
        )
    files = ("table", "summary", "rules") if module.HAS_RULES else ("table", "summary")
    return Family(
        name=module.FAMILY,
        description=f"static analysis with {name} (codepeft.analyzers.{name})",
        section="nonfunctional",
        written_by=(f"analyze_{name}",),
        tasks=tasks.CODE_TASKS,
        measures=tuple(_m(c, *described[c]) for c in module.COLUMNS),
        languages=tuple(module.LANGUAGES),
        files=files,
        # the report reads the tables; summaries and by-rule tables are outputs only
        targets=("table",),
        config_section="analyzers",
        analyzer=True,
    )


#: every family, in the report's order within each section
FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        SURFACE,
        CODEBLEU,
        EXECUTION,
        JUDGE,
        *(_analyzer_family(n) for n in analyzer_registry.ANALYZERS),
    )
}
if set(ANALYZER_MEASURES) - set(analyzer_registry.ANALYZERS):
    raise UnknownFamily(
        "codepeft.measures.ANALYZER_MEASURES names analyzers that codepeft.analyzers.registry "
        f"does not: {sorted(set(ANALYZER_MEASURES) - set(analyzer_registry.ANALYZERS))}"
    )


def family(name: str) -> Family:
    """The registered family `name`; UnknownFamily (a ValueError) for any other."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise UnknownFamily(
            f"unknown metric family {name!r}: not in the registry of measures "
            f"(codepeft.measures); known: {', '.join(FAMILIES)}"
        ) from None


def families_for(task: str, lang: str | None = None, rule: str | None = None) -> tuple[str, ...]:
    """The families with a table for `task` (and `lang`, when given), optionally only those
    `rule` writes, in registry order."""
    return tuple(
        f.name
        for f in FAMILIES.values()
        if task in f.tasks
        and (lang is None or f.applies(task, lang))
        and (rule is None or rule in f.written_by)
    )


def written_by(*rules: str) -> tuple[str, ...]:
    """The families any of `rules` writes, in registry order."""
    return tuple(n for n, f in FAMILIES.items() if set(rules) & set(f.written_by))


def in_section(section: str) -> tuple[str, ...]:
    """The families of a report section, in registry order."""
    if section not in SECTIONS:
        raise ValueError(f"unknown report section {section!r}; known: {', '.join(SECTIONS)}")
    return tuple(n for n, f in FAMILIES.items() if f.section == section)


def section_of(name: str) -> str:
    return family(name).section


def better(family_name: str, column: str) -> str:
    """higher, lower or neither: which way a family's measure is better."""
    return family(family_name).better(column)


def check_stats_entry(entry: str, spec: dict) -> None:
    """Check one `stats.measures` entry against the registry: its table is a family, every
    column it names is one of that family's measures, listed under a test its kind allows
    (binary: McNemar; continuous: Wilcoxon). Raises ValueError naming the key."""
    where = f"stats.measures.{entry}"
    table = spec.get("table") or entry
    try:
        fam = family(table)
    except UnknownFamily as err:
        raise UnknownFamily(f"{where}: {err}") from None
    for test_kind in (BINARY, CONTINUOUS):
        for column in spec.get(test_kind) or []:
            if column == "*" and test_kind == CONTINUOUS:
                continue
            found = fam.measure(column)
            if found is None:
                raise UnknownFamily(
                    f"{where}.{test_kind}: {column!r} is not a measure of family {fam.name!r} "
                    f"(its measures: {', '.join(fam.columns)}; codepeft.measures)"
                )
            if not found.allows(test_kind):
                raise ValueError(
                    f"{where}.{test_kind}: {column!r} is a {found.kind} measure of family "
                    f"{fam.name!r}; list it under `{found.kind}`"
                )


def continuous_measures(family_name: str, columns) -> list[str]:
    """The columns (in their order) that are measures of a family a continuous test applies
    to: what a `stats.measures` entry's '*' stands for."""
    fam = family(family_name)
    return [c for c in columns if (m := fam.measure(c)) is not None and m.allows(CONTINUOUS)]
