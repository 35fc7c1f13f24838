"""SonarQube / SonarCloud analysis, only when a token and a server are configured.

Configured when a host is given (``analyzers.sonar.host_url`` or ``SONAR_HOST_URL``); without
one every unit gets ``not computed: Sonar not configured ...`` (`not_configured`: a config
choice, a row in every mode). Configured, it runs when the environment variable ``SONAR_TOKEN``
is set (Snakemake: declared with ``envvars:`` in rules/analyze.smk) and ``sonar-scanner`` (or
``pysonar``, envs/sonar.yaml) is on PATH; either missing (`unavailable`), or the server failing,
is an environment failure (``environment_failures``: the job fails, or ``record`` rows).
No Sonar engine is obtainable offline: the scanner downloads its engine from the server.

The token is read from the environment only, handed to the scanner through its own
``SONAR_TOKEN`` environment variable and to the Web API as an ``Authorization`` header; it is
never put on a command line, in a file or in a log.

One scan per batch: all units of the batch form one Sonar project (key
``<project_key>_<label>``; the workflow's batch is every predictions file of one code language,
label ``study_<language>``, see `analyze_files`); the scanner uploads, the server computes,
then the Web API gives per-file values, mapped back to each predictions file's ids:
`loc` (ncloc) [paper: LoC], `cyclomatic` (complexity) [CyC], `cognitive`
(cognitive_complexity) [CoC], `reliability` (open BUG issues) [Reliability],
`maintainability` (open CODE_SMELL issues) [Maintainability], `security_hotspots`
[Security_Hotspots]. Only these columns are Sonar's; the local stand-ins (Lizard/PMD/complexipy
complexity, semgrep findings) stay in their own families.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from pathlib import Path

from codepeft.analyzers.base import OK, AnalyzerResult, ToolError, log, run_tool, tool_version
from codepeft.analyzers.units import unit_finder
from codepeft.tools import find_tool

FAMILY = "sonar"
LANGUAGES = ("python", "java", "csharp")
COLUMNS = ("loc", "cyclomatic", "cognitive", "reliability", "maintainability", "security_hotspots")
HAS_RULES = True
TOKEN_ENV = "SONAR_TOKEN"
HOST_ENV = "SONAR_HOST_URL"
METRICS = {"ncloc": "loc", "complexity": "cyclomatic", "cognitive_complexity": "cognitive"}


def host_url(options: dict) -> str:
    return (options.get("sonar", {}).get("host_url") or os.environ.get(HOST_ENV, "")).rstrip("/")


def not_configured(options: dict) -> str | None:
    """Why Sonar is not configured (no host: a config choice), or None."""
    if not host_url(options):
        return f"Sonar not configured (no analyzers.sonar.host_url or {HOST_ENV})"
    return None


def unavailable(options: dict) -> str | None:
    """What a configured Sonar lacks here (the token, the scanner), or None (also when it is
    not configured: `not_configured` says so)."""
    if not_configured(options):
        return None
    if not os.environ.get(TOKEN_ENV):
        return f"{TOKEN_ENV} not set (Sonar host {host_url(options)} configured)"
    if not scanner():
        return "sonar-scanner not found"
    return None


def scanner() -> str | None:
    """The SonarScanner CLI, else pysonar (the scanner packaged for Python; same -D options)."""
    return find_tool("sonar-scanner") or find_tool("pysonar")


def project_key(options: dict) -> str:
    base = options.get("sonar", {}).get("project_key") or "codepeft"
    label = options.get("label") or "units"
    return re.sub(r"[^A-Za-z0-9_.:-]", "_", f"{base}_{label}")


def _get_all(client, url: str, params: dict, key: str) -> list[dict]:
    items, page = [], 1
    while True:
        resp = client.get(url, params={**params, "ps": 500, "p": page})
        resp.raise_for_status()
        data = resp.json()
        items += data.get(key, [])
        total = data.get("paging", {}).get("total", data.get("total", len(items)))
        if len(items) >= total or not data.get(key):
            return items
        page += 1


def fetch_results(client, key: str, units) -> AnalyzerResult:
    """Per-file measures, issues and hotspots of project `key` via the Web API."""
    find = unit_finder(units)

    def unit_of(component: str):
        return find(component.split(":", 1)[-1])

    rows = {u.id: {} for u in units}
    comps = _get_all(
        client,
        "/api/measures/component_tree",
        {"component": key, "metricKeys": ",".join(METRICS), "qualifiers": "FIL"},
        "components",
    )
    for comp in comps:
        unit = unit_of(comp.get("key", comp.get("path", "")))
        if unit is None:
            continue
        for m in comp.get("measures", []):
            if m["metric"] in METRICS:
                rows[unit.id][METRICS[m["metric"]]] = float(m["value"])
    issues = _get_all(
        client,
        "/api/issues/search",
        {"componentKeys": key, "types": "BUG,CODE_SMELL", "resolved": "false"},
        "issues",
    )
    hotspots = _get_all(client, "/api/hotspots/search", {"projectKey": key}, "hotspots")
    per_rule = {u.id: Counter() for u in units}
    for issue in issues:
        unit = unit_of(issue.get("component", ""))
        if unit is not None:
            kind = "reliability" if issue.get("type") == "BUG" else "maintainability"
            per_rule[unit.id][(issue.get("rule", "?"), kind)] += 1
    for spot in hotspots:
        unit = unit_of(spot.get("component", ""))
        if unit is not None:
            per_rule[unit.id][(spot.get("ruleKey", "hotspot"), "security_hotspots")] += 1
    result = AnalyzerResult(tool_version="SonarQube/SonarCloud Web API")
    for unit in units:
        c = per_rule[unit.id]
        row = dict(rows[unit.id])
        for kind in ("reliability", "maintainability", "security_hotspots"):
            row[kind] = sum(n for (_, k), n in c.items() if k == kind)
        row["status"] = OK if "loc" in row else "not computed: file not in Sonar's results"
        result.rows[unit.id] = row
        result.rules += [(unit.id, r, k, n) for (r, k), n in sorted(c.items())]
    return result


def wait_for_task(client, workdir: Path, timeout: float) -> None:
    report = Path(workdir) / ".scannerwork" / "report-task.txt"
    props = dict(line.split("=", 1) for line in report.read_text().splitlines() if "=" in line)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        resp = client.get("/api/ce/task", params={"id": props["ceTaskId"]})
        resp.raise_for_status()
        status = resp.json()["task"]["status"]
        if status == "SUCCESS":
            return
        if status in {"FAILED", "CANCELED"}:
            raise ToolError(f"Sonar background task {status}")
        time.sleep(3)
    raise ToolError("Sonar background task did not finish in time")


def run(units, workdir: Path, threads: int = 1, options: dict | None = None) -> AnalyzerResult:
    # lazy: httpx (0.1 s) is needed only with a SonarQube server
    import httpx

    options = options or {}
    workdir = Path(workdir)
    key, host = project_key(options), host_url(options)
    binaries = workdir / "empty-binaries"
    binaries.mkdir(exist_ok=True)
    args = [
        find_tool("sonar-scanner"),
        f"-Dsonar.projectKey={key}",
        f"-Dsonar.host.url={host}",
        "-Dsonar.sources=.",
        "-Dsonar.scm.disabled=true",
        f"-Dsonar.java.binaries={binaries}",
        "-Dsonar.inclusions=**/*.py,**/*.java,**/*.cs",
    ]
    org = options.get("sonar", {}).get("organization")
    if org:
        args.append(f"-Dsonar.organization={org}")
    log.info("sonar: scanning %d units as project %s on %s", len(units), key, host)
    run_tool(args, cwd=workdir, timeout=options.get("timeout_s", 3600))  # token via env only
    headers = {"Authorization": f"Bearer {os.environ[TOKEN_ENV]}"}
    try:
        with httpx.Client(base_url=host, headers=headers, timeout=60) as client:
            wait_for_task(client, workdir, options.get("timeout_s", 3600))
            result = fetch_results(client, key, units)
    except httpx.HTTPError as err:  # the server: a failure of the batch, never of one file
        raise ToolError(f"Sonar Web API: {type(err).__name__}: {err}") from None
    result.tool_version = "sonar-scanner " + tool_version([args[0], "--version"])
    return result
