"""Checkstyle with Sun's checks (``sun_checks.xml``): one run over all Java units, XML output.

The configuration is the tool's own ``sun_checks.xml`` (Debian: /usr/share/checkstyle/, else
read from the Checkstyle jar) with one property added to the root ``Checker`` module,
``haltOnException=false``: without it Checkstyle aborts the whole batch at the first file it
cannot parse. With it, that file gets an error from ``com.puppycrawl.tools.checkstyle.Checker``
("Got an exception ..."), which becomes status `parse_error` (values empty).

Columns: `violations` and counts per check group (the Java package of the check:
javadoc, naming, imports, sizes, whitespace, modifier, blocks, coding, design, misc, regexp,
other). Long table: counts by check (rule = check name, category = group).
Debian 12 ships Checkstyle 8.36.1 (the paper used 10.21; sun_checks differs slightly).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

from codepeft.analyzers.base import (
    OK,
    PARSE_ERROR,
    AnalyzerResult,
    ToolError,
    run_tool,
    tool_version,
)
from codepeft.analyzers.units import unit_finder
from codepeft.tools import find_tool

FAMILY = "checkstyle"
LANGUAGES = ("java",)
GROUPS = (
    "javadoc",
    "naming",
    "imports",
    "sizes",
    "whitespace",
    "modifier",
    "blocks",
    "coding",
    "design",
    "misc",
    "regexp",
    "other",
)
COLUMNS = ("violations", *GROUPS)
HAS_RULES = True
SUN_CHECKS_PATHS = ("/usr/share/checkstyle/sun_checks.xml",)
JAR_PATHS = ("/usr/share/java/checkstyle.jar",)
CHECKER_SOURCE = "com.puppycrawl.tools.checkstyle.Checker"


def executable() -> str | None:
    return find_tool("checkstyle")


def unavailable(options: dict) -> str | None:
    if not executable():
        return "checkstyle not found (run scripts/setup/checkstyle.sh)"
    if sun_checks_text() is None:
        return "checkstyle's sun_checks.xml not found"
    return None


def sun_checks_text() -> str | None:
    for path in SUN_CHECKS_PATHS:
        if Path(path).is_file():
            return Path(path).read_text()
    for jar in JAR_PATHS:
        try:
            with zipfile.ZipFile(jar) as zf:
                return zf.read("sun_checks.xml").decode()
        except (OSError, KeyError, zipfile.BadZipFile):
            continue
    return None


def config_xml(text: str) -> str:
    """sun_checks.xml with `haltOnException=false` on the Checker module."""
    new, n = re.subn(
        r'(<module name="Checker">)',
        r'\1\n  <property name="haltOnException" value="false"/>',
        text,
        count=1,
    )
    if n != 1:
        raise ToolError("sun_checks.xml has no Checker module")
    return new


def group_of(source: str) -> tuple[str, str]:
    """(check name, group) of a Checkstyle error `source` class name."""
    parts = source.split(".")
    name = parts[-1].removesuffix("Check")
    group = "other"
    if "checks" in parts:
        rest = parts[parts.index("checks") + 1 : -1]
        group = rest[0] if rest else "misc"
    return name, group if group in GROUPS else "other"


def parse_report(xml_text: str, units) -> AnalyzerResult:
    unit_of = unit_finder(units)
    root = ET.fromstring(xml_text)
    counts = {u.id: Counter() for u in units}
    failed = set()
    for file_el in root.iter("file"):
        unit = unit_of(file_el.get("name", ""))
        if unit is None:
            continue
        for err in file_el.iter("error"):
            source = err.get("source", "")
            if source == CHECKER_SOURCE or source.endswith(".TreeWalker"):
                failed.add(unit.id)
                continue
            counts[unit.id][group_of(source)] += 1
    result = AnalyzerResult()
    for unit in units:
        if unit.id in failed:
            result.rows[unit.id] = {"status": PARSE_ERROR}
            continue
        c = counts[unit.id]
        row = {g: sum(n for (_, grp), n in c.items() if grp == g) for g in GROUPS}
        row["violations"] = sum(c.values())
        row["status"] = OK
        result.rows[unit.id] = row
        result.rules += [(unit.id, name, grp, n) for (name, grp), n in sorted(c.items())]
    return result


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    options = options or {}
    workdir = Path(workdir)
    config = workdir / "sun_checks.xml"
    config.write_text(config_xml(sun_checks_text()))
    report = workdir / "checkstyle.xml"
    cmd = [
        executable(),
        "-c",
        str(config),
        "-f",
        "xml",
        "-o",
        str(report),
        *(str(u.path) for u in units),
    ]
    # exit code = number of errors (capped by the OS at 255), so any code is fine if XML exists
    proc = run_tool(
        cmd, cwd=workdir, timeout=options.get("timeout_s", 3600), ok_codes=tuple(range(256))
    )
    try:
        text = report.read_text()
        result = parse_report(text, units)
    except (OSError, ET.ParseError) as err:
        raise ToolError(
            f"checkstyle wrote no XML report (exit {proc.returncode}): "
            f"{(proc.stderr or proc.stdout)[-1500:]}"
        ) from err
    result.tool_version = tool_version([executable(), "--version"])
    return result
