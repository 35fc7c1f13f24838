"""Static analyzers: unit files, per-tool parsing, statuses, batching (tools skip when missing)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from codepeft import analyzers, tasks
from codepeft.analyzers import checkstyle, pmd, pylint, roslyn, semgrep, sonar, units
from codepeft.failures import EnvironmentFailure
from codepeft.io import read_tsv, write_jsonl

JAVA_METHOD = """public int f(int x) {
    if (x > 1) {
        for (int i = 0; i < x; i++) {
            if (i == 2) {
                return 1;
            }
        }
    }
    return 0;
}"""
JAVA_CLASS = "import java.util.List;\n\npublic class Foo {\n    int g() { return 1; }\n}\n"
JAVA_BROKEN = "public int f(int x) { if (x > 1 { return 0; }"
PY_OK = "def f(x):\n    if x:\n        for i in x:\n            if i:\n                return 1\n    return 0\n"
PY_BROKEN = "def f(:\n    pass\n"
CS_METHOD = "public int Add(int a, int b) { if (a > b && b > 0) { return a; } return a + b; }"


def records(*outputs):
    return [{"id": f"id{i}", "output": out} for i, out in enumerate(outputs)]


def need(mod):
    reason = mod.unavailable({})
    if reason:
        pytest.skip(f"{mod.FAMILY}: {reason} (CI installs it with scripts/setup/*.sh)")


# ------------------------------------------------------------------ units
def test_java_method_is_wrapped_like_the_paper():
    text, wrapped = units.unit_source(
        "import java.io.File;\npackage a.b;\n" + JAVA_METHOD, "java", 7
    )
    assert wrapped
    assert text.startswith("import java.util.*;\nimport java.io.File;\npublic class Unit00007 {\n")
    assert "package" not in text and text.rstrip().endswith("}")
    assert JAVA_METHOD in text


def test_full_java_class_is_not_wrapped_again():
    text, wrapped = units.unit_source(JAVA_CLASS, "java", 1)
    assert not wrapped and text == JAVA_CLASS
    # a method that declares a local class is still a method
    local = "void f() { class Local {} }"
    assert units.unit_source(local, "java", 1)[1]
    # 'class' inside a string or a comment before the body does not count
    assert units.unit_source(
        '// the class Foo helper\nString f() { return "class X"; }', "java", 1
    )[1]


def test_csharp_wrapping_and_languages(tmp_path):
    text, wrapped = units.unit_source("using System;\n" + CS_METHOD, "csharp", 3)
    assert wrapped and text.startswith("using System;\npublic class Unit00003 {\n")
    assert not units.unit_source("namespace N { class C {} }", "csharp", 1)[1]
    assert tasks.code_language("translation", "java-cs") == "csharp"
    assert tasks.code_language("translation", "cs-java") == "java"
    assert tasks.code_language("summarization", "python") is None


def test_build_units_statuses_and_duplicates(tmp_path):
    built = units.build_units(records(PY_OK, None, "   "), "python", tmp_path)
    assert [u.status for u in built] == ["ok", "empty_prediction", "empty_prediction"]
    assert built[0].path.name == "unit_00001.py" and built[0].path.parent.name == "00001"
    with pytest.raises(ValueError, match="duplicate id"):
        units.build_units(
            [{"id": "a", "output": "x"}, {"id": "a", "output": "y"}], "python", tmp_path / "d"
        )


# ------------------------------------------------------------------ in-process analyzers
def test_lizard_measures_and_no_functions():
    rows, _ = analyzers.analyze(
        "lizard", records(JAVA_METHOD, JAVA_BROKEN, None), "generation", "java"
    )
    ok, broken, empty = rows
    assert ok["status"] == "ok" and ok["wrapped"] == 1
    assert ok["functions"] == 1 and ok["ccn_sum"] == 4 and ok["params_max"] == 1
    assert ok["cognitive_sum"] == 6  # if(+1) for(+2, nested) if(+3, nested twice)
    assert ok["nloc"] == 10
    assert broken["status"] in {"no_functions", "ok"}
    assert empty["status"] == "empty_prediction" and "ccn_sum" not in empty


def test_lizard_csharp():
    rows, _ = analyzers.analyze("lizard", records(CS_METHOD), "translation", "java-cs")
    assert rows[0]["ccn_sum"] == 3 and rows[0]["cognitive_sum"] == 2


def test_complexipy_and_radon_parse_errors_are_statuses():
    rows, _ = analyzers.analyze("complexipy", records(PY_OK, PY_BROKEN), "generation", "python")
    assert rows[0]["cognitive"] == 6 and rows[0]["status"] == "ok"
    assert rows[1]["status"] == "parse_error" and rows[1].get("cognitive") is None
    rows, _ = analyzers.analyze("radon", records(PY_OK, PY_BROKEN), "generation", "python")
    assert 0 < rows[0]["mi"] <= 100 and rows[0]["lloc"] > 0
    assert rows[1]["status"] == "parse_error" and rows[1].get("mi") is None


def test_treesitter_counts_errors_per_language():
    rows, _ = analyzers.analyze(
        "treesitter", records(JAVA_METHOD, JAVA_BROKEN), "generation", "java"
    )
    assert rows[0]["parses"] == 1 and rows[0]["error_nodes"] == 0
    assert rows[1]["parses"] == 0 and rows[1]["error_nodes"] + rows[1]["missing_nodes"] > 0
    rows, _ = analyzers.analyze(
        "treesitter", records(CS_METHOD, "public int F( { return"), "translation", "java-cs"
    )
    assert [r["parses"] for r in rows] == [1, 0]


# ------------------------------------------------------------------ external tools
def test_pylint_batch(tmp_path):
    need(pylint)
    rows, result = analyzers.analyze(
        "pylint", records(PY_OK, PY_BROKEN, "import os\n", ""), "generation", "python"
    )
    assert [r["id"] for r in rows] == ["id0", "id1", "id2", "id3"]
    assert rows[0]["status"] == "ok" and rows[0]["convention"] >= 2  # module + function docstring
    assert rows[1]["status"] == "parse_error" and rows[1]["error"] == 1
    assert rows[2]["warning"] == 1  # unused-import
    assert rows[3]["status"] == "empty_prediction"
    assert ("id2", "unused-import", "warning", 1) in result.rules
    assert not any(r[1] == "duplicate-code" for r in result.rules)


def test_flake8_batch():
    if analyzers.module("flake8").unavailable({}):
        pytest.skip(analyzers.module("flake8").unavailable({}))
    rows, _ = analyzers.analyze("flake8", records("import os\n", PY_BROKEN), "generation", "python")
    assert rows[0]["F"] == 1 and rows[0]["status"] == "ok"
    assert rows[1]["status"] == "parse_error"


@pytest.mark.slow  # PMD on the JVM
def test_pmd_batch_metrics_and_parse_errors():
    need(pmd)
    rows, result = analyzers.analyze(
        "pmd", records(JAVA_METHOD, JAVA_BROKEN, JAVA_CLASS), "generation", "java"
    )
    ok, broken, cls = rows
    assert ok["status"] == "ok" and ok["methods"] == 1
    assert (ok["cognitive_max"], ok["cyclomatic_max"]) == (6, 4)
    assert ok["ncss_max"] >= 6 and ok["violations"] == sum(ok[c] for c in pmd.CATEGORIES)
    # report-level-1 measurements below PMD's default thresholds are not violations
    assert not any(r[1] in pmd.METRIC_RULES for r in result.rules)
    assert broken["status"] == "parse_error" and broken.get("violations") is None
    assert cls["status"] == "ok" and cls["wrapped"] == 0 and cls["methods"] == 1


def test_pmd_threshold_logic():
    unit = units.Unit("a", 1, "java", "", units.Path("/x/Unit00001.java"), True, "ok")
    report = {
        "files": [
            {
                "filename": "/x/Unit00001.java",
                "violations": [
                    {
                        "rule": "CognitiveComplexity",
                        "ruleset": "Design",
                        "description": "The method 'f()' has a cognitive complexity of 20, current threshold is 1",
                    },
                    {
                        "rule": "CyclomaticComplexity",
                        "ruleset": "Design",
                        "description": "The method 'f()' has a cyclomatic complexity of 3.",
                    },
                    {
                        "rule": "CyclomaticComplexity",
                        "ruleset": "Design",
                        "description": "The constructor 'A()' has a cyclomatic complexity of 1.",
                    },
                    {
                        "rule": "UnusedLocalVariable",
                        "ruleset": "Best Practices",
                        "description": "x",
                    },
                ],
            }
        ],
        "processingErrors": [],
    }
    row = pmd.parse_report(report, [unit]).rows["a"]
    assert row["design"] == 1 and row["bestpractices"] == 1  # cognitive 20 >= 15 counts
    assert row["methods"] == 2 and row["cognitive_sum"] == 20 and row["cyclomatic_sum"] == 4


def test_checkstyle_survives_parse_errors():
    need(checkstyle)
    rows, result = analyzers.analyze(
        "checkstyle", records(JAVA_METHOD, JAVA_BROKEN, JAVA_CLASS), "generation", "java"
    )
    assert rows[0]["status"] == "ok" and rows[0]["violations"] > 0 and rows[0]["javadoc"] > 0
    assert rows[1]["status"] == "parse_error" and rows[1].get("violations") is None
    assert rows[2]["status"] == "ok"
    assert all(r[2] in checkstyle.GROUPS for r in result.rules)


SEMGREP_CASES = [
    (
        "generation",
        "java",
        'void f(String s){ try { g(); } catch (Exception e) { } if (s == "a") { System.exit(1); } }',
        {
            "java-empty-catch",
            "java-catch-generic-exception",
            "java-string-reference-equality",
            "java-system-exit",
        },
    ),
    (
        "generation",
        "java",
        'void f(String s){ try { g(); } catch (IOException e) { log(e); } if (s.equals("a")) {} }',
        set(),
    ),
    (
        "translation",
        "java-cs",
        "void F(){ try { G(); } catch (Exception ex) { throw ex; } GC.Collect(); }",
        {"csharp-catch-generic-exception", "csharp-rethrow-resets-stack", "csharp-gc-collect"},
    ),
    (
        "generation",
        "python",
        "def f(a, b=[]):\n    try:\n        eval(a)\n    except:\n        pass\n    return a == None\n",
        {
            "python-mutable-default-argument",
            "python-bare-except",
            "python-except-pass",
            "python-eval-exec",
            "python-compare-none-with-equality",
        },
    ),
    (
        "generation",
        "python",
        "def f(a, b=None):\n    try:\n        return int(a)\n    except ValueError:\n        return b is None\n",
        set(),
    ),
]


@pytest.mark.slow
def test_semgrep_rules_fire_exactly_where_expected():
    need(semgrep)
    for task, lang, code, expected in SEMGREP_CASES:
        rows, result = analyzers.analyze("semgrep", records(code), task, lang)
        assert rows[0]["status"] == "ok", rows[0]
        assert {r[1] for r in result.rules} == expected, code
        assert rows[0]["findings"] == sum(r[3] for r in result.rules)


def test_roslyn_without_dotnet_fails_or_is_not_computed(monkeypatch):
    monkeypatch.setattr(roslyn, "dotnet", lambda: None)
    with pytest.raises(EnvironmentFailure, match=r"no \.NET SDK.*Fix: install a \.NET 8 SDK"):
        analyzers.analyze("roslyn", records(CS_METHOD, None), "translation", "java-cs")
    rows, _ = analyzers.analyze(
        "roslyn",
        records(CS_METHOD, None),
        "translation",
        "java-cs",
        environment_failures="record",
    )
    assert [r["status"] for r in rows] == ["not computed: no .NET SDK", "empty_prediction"]
    assert rows[0].get("syntax_errors") is None


def test_roslyn_output_parsing():
    us = [
        units.Unit(f"i{k}", k, "csharp", "", units.Path(f"/u/Unit0000{k}.cs"), True, "ok")
        for k in (1, 2)
    ]
    out = "\n".join(
        [
            json.dumps(
                {
                    "file": "/u/Unit00001.cs",
                    "diagnostics": [
                        {"id": "CS1002", "severity": "Error"},
                        {"id": "CS0116", "severity": "Error"},
                        {"id": "CS0106", "severity": "Error"},
                    ],
                }
            ),
            json.dumps(
                {
                    "file": "/u/Unit00002.cs",
                    "diagnostics": [{"id": "CS1591", "severity": "Warning"}],
                }
            ),
        ]
    )
    rows = roslyn.parse_output(out, us).rows
    # CS01xx (paper's syntax errors): CS0116, CS0106; CS1002 is a parser error but not CS01xx
    assert rows["i1"] == {
        "syntax_errors": 2,
        "maintainability": 1,
        "diagnostics": 3,
        "parser_errors": 3,
        "status": "parse_error",
    }
    assert (
        rows["i2"]["syntax_errors"] == 0
        and rows["i2"]["maintainability"] == 1
        and rows["i2"]["status"] == "ok"
    )
    assert roslyn.is_syntax_error("CS0116") and not roslyn.is_syntax_error("CS1002")


def test_missing_tool_fails_or_gives_not_computed_rows(monkeypatch, caplog):
    monkeypatch.setattr(pmd, "executable", lambda: None)
    with pytest.raises(EnvironmentFailure, match="pmd not found.*Fix: run scripts/setup/pmd.sh"):
        analyzers.analyze("pmd", records(JAVA_METHOD, JAVA_CLASS), "generation", "java")
    with caplog.at_level(logging.ERROR):
        rows, _ = analyzers.analyze(
            "pmd",
            records(JAVA_METHOD, JAVA_CLASS),
            "generation",
            "java",
            environment_failures="record",
        )
    assert {r["status"] for r in rows} == {"not computed: pmd not found (run scripts/setup/pmd.sh)"}
    assert "NOT COMPUTED" in caplog.text


def test_sonar_not_configured_is_a_row_a_missing_token_an_environment_failure(monkeypatch):
    monkeypatch.delenv("SONAR_TOKEN", raising=False)
    monkeypatch.delenv("SONAR_HOST_URL", raising=False)
    # no host: not configured (a config choice), rows in the strict mode too
    rows, _ = analyzers.analyze("sonar", records(PY_OK), "generation", "python")
    assert rows[0]["status"] == (
        "not computed: Sonar not configured (no analyzers.sonar.host_url or SONAR_HOST_URL)"
    )
    # a host but no token: the environment lacks the secret
    configured = {"sonar": {"host_url": "https://h"}}
    with pytest.raises(EnvironmentFailure, match="SONAR_TOKEN not set.*export SONAR_TOKEN"):
        analyzers.analyze("sonar", records(PY_OK), "generation", "python", options=configured)
    rows, _ = analyzers.analyze(
        "sonar",
        records(PY_OK),
        "generation",
        "python",
        options=configured,
        environment_failures="record",
    )
    assert (
        rows[0]["status"] == "not computed: SONAR_TOKEN not set (Sonar host https://h configured)"
    )
    monkeypatch.setenv("SONAR_TOKEN", "secret-token-value")
    assert sonar.not_configured({"sonar": {"host_url": ""}}).startswith("Sonar not configured")
    assert sonar.not_configured(configured) is None
    assert sonar.unavailable({"sonar": {"host_url": ""}}) is None  # not configured: not missing


def test_sonar_web_api_parsing():
    httpx = pytest.importorskip("httpx")
    us = [
        units.Unit("a", 1, "python", "", units.Path("/w/units/00001/unit_00001.py"), False, "ok"),
        units.Unit("b", 2, "python", "", units.Path("/w/units/00002/unit_00002.py"), False, "ok"),
    ]

    def handler(request):
        assert request.headers["Authorization"] == "Bearer tok"
        path = request.url.path
        if path.endswith("component_tree"):
            return httpx.Response(
                200,
                json={
                    "paging": {"total": 1},
                    "components": [
                        {
                            "key": "k:units/00001/unit_00001.py",
                            "measures": [
                                {"metric": "ncloc", "value": "6"},
                                {"metric": "complexity", "value": "4"},
                                {"metric": "cognitive_complexity", "value": "6"},
                            ],
                        }
                    ],
                },
            )
        if path.endswith("issues/search"):
            return httpx.Response(
                200,
                json={
                    "paging": {"total": 2},
                    "issues": [
                        {
                            "component": "k:units/00001/unit_00001.py",
                            "type": "CODE_SMELL",
                            "rule": "python:S3776",
                        },
                        {
                            "component": "k:units/00001/unit_00001.py",
                            "type": "BUG",
                            "rule": "python:S5644",
                        },
                    ],
                },
            )
        return httpx.Response(200, json={"paging": {"total": 0}, "hotspots": []})

    client = httpx.Client(
        base_url="https://h",
        transport=httpx.MockTransport(handler),
        headers={"Authorization": "Bearer tok"},
    )
    rows = sonar.fetch_results(client, "k", us).rows
    assert rows["a"] == {
        "loc": 6.0,
        "cyclomatic": 4.0,
        "cognitive": 6.0,
        "reliability": 1,
        "maintainability": 1,
        "security_hotspots": 0,
        "status": "ok",
    }
    assert rows["b"]["status"].startswith("not computed")


def test_analyze_file_writes_every_id(tmp_path):
    preds = tmp_path / "p.jsonl"
    write_jsonl(preds, records(PY_OK, PY_BROKEN, None))
    out = tmp_path / "m" / "python.tsv"
    analyzers.analyze_file(
        "radon", preds, "generation", "python", out, summary_json=tmp_path / "s.json"
    )
    table = read_tsv(out)
    assert [r["id"] for r in table] == ["id0", "id1", "id2"]
    assert list(table[0])[:3] == ["id", "status", "wrapped"]
    assert [r["status"] for r in table] == ["ok", "parse_error", "empty_prediction"]
    assert table[1]["mi"] == ""  # never a silent zero
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["n"] == 3 and summary["statuses"] == {
        "ok": 1,
        "parse_error": 1,
        "empty_prediction": 1,
    }


def test_cli_list(capsys):
    from codepeft.analyzers.cli import main

    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "roslyn" in out and "lizard" in out


def test_schema_defaults():
    from codepeft import config

    schema = config.load_schema()
    section = schema["properties"]["analyzers"]
    import jsonschema

    cfg = {"analyzers": {}}
    jsonschema.validate(cfg, {"type": "object", "properties": {"analyzers": section}})
    assert set(section["properties"]["enabled"]["default"]) == set(analyzers.ANALYZERS)


@pytest.mark.slow
def test_real_generations_every_id_present(shared, tmp_path):
    """All 230 CoderEval Java generations: every id present once, with a known status."""
    path = shared / "data" / "codereval" / "generations" / "java_chatgpt_humanlabel_out.jsonl"
    recs = [json.loads(line) for line in path.open()]
    preds = [{"id": r["_id"], "output": r["generate_results"][0]["generate_code"]} for r in recs]
    for name in ("lizard", "treesitter"):
        rows, _ = analyzers.analyze(name, preds, "generation", "java")
        assert [r["id"] for r in rows] == [p["id"] for p in preds]
        assert {r["status"] for r in rows} <= {"ok", "no_functions", "empty_prediction"}


def test_tool_failing_as_a_whole_fails_or_is_not_computed(monkeypatch):
    monkeypatch.setattr(pmd, "executable", lambda: "/bin/false")
    with pytest.raises(EnvironmentFailure, match="pmd failed: false exited 1.*job's log"):
        analyzers.analyze("pmd", records(JAVA_METHOD, None), "generation", "java")
    rows, _ = analyzers.analyze(
        "pmd", records(JAVA_METHOD, None), "generation", "java", environment_failures="record"
    )
    assert rows[0]["status"].startswith("not computed: pmd failed: false exited 1")
    assert rows[1]["status"] == "empty_prediction"


def test_wrapper_edge_cases():
    annotated = "@Override\npublic String toString() { return Foo.class.getName(); }"
    assert units.unit_source(annotated, "java", 1)[1]
    javadoc = "/** Returns the class name. */\npublic String f(Record record) { return null; }"
    text, wrapped = units.unit_source(javadoc, "java", 1)
    assert wrapped and text.index("/**") > text.index("public class Unit00001")
    assert not units.unit_source("@Deprecated\nfinal class A { }", "java", 1)[1]
    assert not units.unit_source("public enum Color { RED }", "java", 1)[1]


# ------------------------------------------------------------------ batched over many files
# Record sets per code language, sharing ids ("a", "b", "c") across sets with different code,
# so a mix-up between files would show. (task, lang) gives the code language.
PY_IMPORT = "import os\n\n\ndef g(y):\n    return y\n"
JAVA_OTHER = 'public String h(String s) {\n    return s == null ? "" : s.trim();\n}'
CS_OTHER = 'public string H(string s) { return s == null ? "" : s.Trim(); }'
BATCH_SETS = {
    "python": [
        ("generation", "python", [PY_OK, PY_BROKEN, None]),
        ("generation", "python", [PY_IMPORT, PY_OK, PY_BROKEN]),
        ("generation", "python", [None, "", " "]),  # nothing to run: no tool version either
    ],
    "java": [
        ("generation", "java", [JAVA_METHOD, JAVA_BROKEN, JAVA_CLASS]),
        ("translation", "cs-java", [JAVA_OTHER, JAVA_METHOD, "  "]),
        ("generation", "java", [None, None, ""]),
    ],
    "csharp": [
        ("translation", "java-cs", [CS_METHOD, CS_OTHER, "public int Broken( {"]),
    ],
}
BATCH_TOOLS = [
    "pylint",
    "flake8",
    pytest.param("pmd", marks=pytest.mark.slow),
    pytest.param("checkstyle", marks=pytest.mark.slow),
    "lizard",
    pytest.param("semgrep", marks=pytest.mark.slow),
    "treesitter",
    "complexipy",
    "radon",
]


def batch_inputs(name, languages=None):
    mod = analyzers.module(name)
    return [
        ([{"id": i, "output": o} for i, o in zip("abc", outputs, strict=True)], task, lang)
        for language, sets in BATCH_SETS.items()
        if language in mod.LANGUAGES and language in (languages or mod.LANGUAGES)
        for task, lang, outputs in sets
    ]


@pytest.mark.parametrize("name", BATCH_TOOLS)
def test_batched_files_give_the_per_file_rows(name):
    """analyze_records over all sets (one tool call per language) == analyze per set."""
    need(analyzers.module(name))
    # semgrep: one language (each per-file call costs seconds; the batching code is shared)
    inputs = batch_inputs(name, ("java",) if name == "semgrep" else None)
    batched = analyzers.analyze_records(name, inputs, threads=1)
    assert len(batched) == len(inputs)
    for (records_, task, lang), (rows, rules, version) in zip(inputs, batched, strict=True):
        alone, result = analyzers.analyze(name, records_, task, lang)
        assert rows == alone, (task, lang)
        assert sorted(rules) == sorted(result.rules), (task, lang)
        assert version == result.tool_version
        assert [r["id"] for r in rows] == ["a", "b", "c"]
        assert not any(r["status"].startswith("not computed") for r in rows), rows
    # the same ids in different files keep their own results
    by_set = [{r["id"]: r for r in rows} for rows, _, _ in batched]
    assert any(s1 != s2 for s1 in by_set for s2 in by_set if s1 is not s2)


def test_batched_tool_runs_once_per_language(monkeypatch):
    """One `run` call per code language over the union of every file's units."""
    from codepeft.analyzers import lizard

    calls = []
    real_run = lizard.run

    def counting_run(units_, workdir, threads=1, options=None):
        calls.append((units_[0].language, len(units_), options.get("label")))
        return real_run(units_, workdir, threads=threads, options=options)

    monkeypatch.setattr(lizard, "run", counting_run)
    inputs = batch_inputs("lizard")
    analyzers.analyze_records("lizard", inputs, options={"label": "study"})
    # non-empty units: python 2 + 3, java 3 + 2, csharp 3
    assert sorted(calls) == [
        ("csharp", 3, "study_csharp"),
        ("java", 5, "study_java"),
        ("python", 5, "study_python"),
    ]
    # runs are split at max_units, with the same rows
    calls.clear()
    small = analyzers.analyze_records("lizard", inputs, max_units=2)
    assert [c[1] for c in calls if c[0] == "java"] == [2, 2, 1]
    assert small == analyzers.analyze_records("lizard", inputs)


def test_batched_whole_tool_failure_and_duplicates(monkeypatch):
    monkeypatch.setattr(pmd, "executable", lambda: "/bin/false")
    inputs = batch_inputs("pmd")
    with pytest.raises(EnvironmentFailure, match="pmd failed"):
        analyzers.analyze_records("pmd", inputs)
    out = analyzers.analyze_records("pmd", inputs, environment_failures="record")
    for rows, rules, _ in out:
        assert len(rows) == 3 and rules == []
        assert {r["status"].split(":")[0] for r in rows} <= {"not computed", "empty_prediction"}
    assert all(
        any(r["status"].startswith("not computed: pmd failed") for r in rows)
        for rows, _, _ in out[:2]
    )
    dup = [([{"id": "x", "output": PY_OK}, {"id": "x", "output": PY_OK}], "generation", "python")]
    with pytest.raises(ValueError, match="duplicate id 'x'"):
        analyzers.analyze_records("radon", dup)
    with pytest.raises(ValueError, match="does not analyze"):
        analyzers.analyze_records("pylint", [([], "generation", "java")])


def test_analyze_files_writes_what_analyze_file_writes(tmp_path):
    jobs = []
    for k, (records_, task, lang) in enumerate(batch_inputs("lizard")):
        preds = tmp_path / f"p{k}.jsonl"
        write_jsonl(preds, records_)
        # tuples: (predictions, task, lang, table, rules, summary)
        jobs.append(
            (str(preds), task, lang, f"{tmp_path}/b/{k}.tsv", None, f"{tmp_path}/b/{k}.json")
        )
    out = analyzers.analyze_files("lizard", jobs)
    assert list(out) == [j[3] for j in jobs]
    for k, (preds, task, lang, table, _, summary) in enumerate(jobs):
        single, single_summary = tmp_path / "s" / f"{k}.tsv", tmp_path / "s" / f"{k}.json"
        analyzers.analyze_file("lizard", preds, task, lang, single, summary_json=single_summary)
        assert Path(table).read_text() == single.read_text()
        assert Path(summary).read_text() == single_summary.read_text()
        assert [r["id"] for r in read_tsv(table)] == ["a", "b", "c"]


def test_analyze_files_rules_tables(tmp_path):
    need(pylint)
    jobs = []
    for k, (records_, task, lang) in enumerate(batch_inputs("pylint")):
        preds = tmp_path / f"p{k}.jsonl"
        write_jsonl(preds, records_)
        jobs.append(
            {
                "predictions": str(preds),
                "task": task,
                "lang": lang,
                "table": str(tmp_path / f"{k}.tsv"),
                "rules": str(tmp_path / f"{k}.rules.tsv"),
                "summary": str(tmp_path / f"{k}.summary.json"),
            }
        )
    analyzers.analyze_files("pylint", jobs)
    rules1 = read_tsv(tmp_path / "1.rules.tsv")
    # file 1's "a" is PY_IMPORT (unused import); file 0's "a" is PY_OK (none)
    assert {"id": "a", "rule": "unused-import", "category": "warning", "count": "1"} in rules1
    assert not any(
        r["rule"] == "unused-import" and r["id"] == "a" for r in read_tsv(tmp_path / "0.rules.tsv")
    )
    assert json.loads((tmp_path / "0.summary.json").read_text())["n"] == 3


COMBOS = [
    {"model": m, "method": meth, "seed": "none", "task": t, "lang": lang}
    for m, meth in (("tiny", "zero_shot"), ("reference", "reference"))
    for t, langs in (
        ("summarization", ("python", "java")),
        ("generation", ("python", "java")),
        ("translation", ("java-cs", "cs-java")),
    )
    for lang in langs
]


def test_plan_one_job_list_per_enabled_analyzer():
    section = {"enabled": ["pylint", "pmd", "lizard", "roslyn"]}
    plan = analyzers.plan(section, COMBOS)
    assert list(plan) == ["pylint", "pmd", "lizard", "roslyn"]
    assert [(j.task, j.lang) for j in plan["pylint"]] == [("generation", "python")] * 2
    assert {(j.task, j.lang) for j in plan["pmd"]} == {
        ("generation", "java"),
        ("translation", "cs-java"),
    }
    assert len(plan["lizard"]) == 8  # 2 model/methods x 4 code-producing (task, lang)
    assert {j.lang for j in plan["roslyn"]} == {"java-cs"}
    job = plan["pylint"][1]
    assert (
        job.predictions
        == "results/predictions/reference/reference/seed-none/generation/python.jsonl"
    )
    assert job.table == "results/metrics/pylint/reference/reference/seed-none/generation/python.tsv"
    assert (
        job.rules
        == "results/metrics/pylint/reference/reference/seed-none/generation/python.rules.tsv"
    )
    assert job.summary.endswith("python.summary.json")
    assert plan["lizard"][0].rules is None  # no by-rule table for lizard
    assert analyzers.plan_targets(plan["lizard"], "rules") == []
    assert len(analyzers.plan_targets(plan["pmd"], "table")) == 4
    assert analyzers.plan_params(plan["roslyn"])[0]["lang"] == "java-cs"
    # no code-producing combo for an analyzer -> no entry (no rule)
    only_summaries = [c for c in COMBOS if c["task"] == "summarization"]
    assert analyzers.plan(section, only_summaries) == {}


# ------------------------------------------------------------------ the package's unit files
# (issue 13: what the analyzers see; PACKAGE.md section 5)
TRANSLATION_OUT = 'public int f(int x){ for(int i=0;i<x;i++){ s += "a;b"; }  \n\n return 0;}'
TRANSLATION_FORMATTED = (
    "public int f(int x){\n"
    "    for(int i=0;\n"
    "    i<x;\n"
    "    i++){\n"
    '        s += "a;\n'
    '        b";\n'
    "    }\n"
    "    return 0;\n"
    "}"
)
PACKAGE_OPTIONS = {"unit_files": "package", "format_translations": True}


def test_format_code_is_the_packages_reformatting():
    assert units.format_code(TRANSLATION_OUT) == TRANSLATION_FORMATTED
    # `}` at the start dedents (never below 0); `} else {` splits after the brace
    assert units.format_code("} x; if(a){b();}else{c();}") == (
        "}\nx;\nif(a){\n    b();\n}\nelse{\n    c();\n}"
    )
    assert units.format_code("   ") == ""


def test_format_or_keep_falls_back_to_the_unformatted_text(monkeypatch):
    def boom(code):
        raise RuntimeError("x")

    monkeypatch.setattr(units, "format_code", boom)
    assert units.format_or_keep("a;b") == "a;b"


def _seen_by(monkeypatch, name):
    """Run `name` through analyze_files; return {(file name): text} of the units it read."""
    mod = analyzers.module(name)
    seen = {}
    real_run = mod.run

    def spy(units_, workdir, threads=1, options=None):
        for u in units_:
            seen[(u.id, u.path.name)] = u.path.read_text(encoding="utf-8")
        return real_run(units_, workdir, threads=threads, options=options)

    monkeypatch.setattr(mod, "run", spy)
    return seen


def test_analyzer_input_is_the_formatted_wrapped_text(monkeypatch, tmp_path):
    """Paper preset: translation outputs reach the analyzer formatted with the package's
    format_code and wrapped with its template (only the first line indented); generation files
    are raw, named by id, Java with class Generated_<id>."""
    seen = _seen_by(monkeypatch, "lizard")
    py_raw = 'def f(x):\n    """Doc."""\n    return x'
    java_raw = "int g() {\n  return 1;\n}"
    sets = [
        ("translation", "cs-java", [{"id": "7", "output": TRANSLATION_OUT}]),
        ("translation", "java-cs", [{"id": "7", "output": TRANSLATION_OUT}]),
        ("generation", "python", [{"id": "62b438a266fea644fe22cc2d", "output": py_raw}]),
        ("generation", "java", [{"id": "636766f91a6d9265ec01776e", "output": java_raw}]),
    ]
    jobs = []
    for task, lang, recs in sets:
        preds = tmp_path / f"{task}-{lang}.jsonl"
        write_jsonl(preds, recs)
        stem = tmp_path / f"{task}-{lang}"
        jobs.append((str(preds), task, lang, f"{stem}.tsv", None, f"{stem}.summary.json"))
    analyzers.analyze_files("lizard", jobs, options=PACKAGE_OPTIONS)
    summary = json.loads((tmp_path / "translation-cs-java.summary.json").read_text())
    assert summary["inputs"] == {"unit_files": "package", "format_translations": True}
    texts = {name: text for (_, name), text in seen.items()}
    assert texts["translation_7.java"] == (
        "import java.util.*;\n\npublic class Translation7 {\n    " + TRANSLATION_FORMATTED + "\n}"
    )
    assert texts["translation_7.cs"] == TRANSLATION_FORMATTED
    assert texts["62b438a266fea644fe22cc2d.py"] == py_raw
    assert texts["636766f91a6d9265ec01776e.java"] == (
        "import java.util.*;\n\npublic class Generated_636766f91a6d9265ec01776e {\n"
        "    int g() {\n  return 1;\n}\n}"
    )
    # the default layout: unformatted output, codepeft names and wrapper
    seen.clear()
    analyzers.analyze_files("lizard", jobs[:1])
    (((_, name), text),) = seen.items()
    assert name == "Unit00001.java" and "for(int i=0;i<x;i++)" in text


def test_package_layout_analyzes_empty_outputs_and_keeps_null_ones_out():
    rows, _ = analyzers.analyze(
        "lizard",
        [{"id": "1", "output": ""}, {"id": "2", "output": None}],
        "translation",
        "cs-java",
        options={**PACKAGE_OPTIONS, "lizard": {"no_functions": "zero"}},
    )
    assert rows[0]["status"] == "no_functions" and rows[0]["nloc"] == 0
    assert rows[1]["status"] == "empty_prediction"


def test_lizard_no_functions_zero_fills_every_column():
    rows, _ = analyzers.analyze(
        "lizard",
        records("int x = 1;", JAVA_METHOD),
        "generation",
        "java",
        options={"lizard": {"no_functions": "zero"}},
    )
    assert rows[0]["status"] == "no_functions"
    assert all(rows[0][c] == 0 for c in analyzers.module("lizard").COLUMNS)
    assert rows[1]["detected"] == 1 and rows[1]["ccn_sum"] == 4
    default, _ = analyzers.analyze("lizard", records("int x = 1;"), "generation", "java")
    assert default[0]["detected"] == 0 and default[0].get("ccn_sum") is None


# a function over Lizard's CCN threshold (15): CCN 17, so the text report warns about it
PY_OVER_THRESHOLD = (
    "def small(a):\n    return a\n\n\ndef grade(x):\n"
    + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(16))
    + "    return -1\n"
)
TEXT_REPORT = {"lizard": {"functions_from": "text_report"}}


def test_lizard_text_report_counts_a_function_over_the_thresholds_twice():
    """functions_from: text_report (paper preset) parses `lizard <file>`'s text report as the
    package did (lizard_analysis.py:63-81): the function over CCN 15 is listed again in the
    warnings block, so its CCN, NLOC and tokens count twice; list (default) counts it once."""
    once, _ = analyzers.analyze("lizard", records(PY_OVER_THRESHOLD), "generation", "python")
    twice, _ = analyzers.analyze(
        "lizard", records(PY_OVER_THRESHOLD), "generation", "python", options=TEXT_REPORT
    )
    assert (once[0]["functions"], once[0]["ccn_sum"], once[0]["ccn_max"]) == (2, 18, 17)
    assert (twice[0]["functions"], twice[0]["ccn_sum"], twice[0]["ccn_max"]) == (3, 35, 17)
    small_nloc, small_tokens = 2, 7  # Lizard's numbers for `small`
    assert twice[0]["nloc"] == 2 * once[0]["nloc"] - small_nloc
    assert twice[0]["tokens"] == 2 * once[0]["tokens"] - small_tokens
    # cognitive complexity is not in the text report: over the function list, each once
    assert twice[0]["cognitive_sum"] == once[0]["cognitive_sum"]
    # Java, through the package's wrapper: one method over the threshold, all numbers doubled
    java = "int grade(int x) {\n" + "".join(f"  if (x == {i}) return {i};\n" for i in range(16))
    java += "  return -1;\n}"
    opts = {**PACKAGE_OPTIONS, "lizard": {"functions_from": "text_report", "no_functions": "zero"}}
    j_once, _ = analyzers.analyze(
        "lizard", records(java), "generation", "java", options=PACKAGE_OPTIONS
    )
    j_twice, _ = analyzers.analyze("lizard", records(java), "generation", "java", options=opts)
    for column in ("functions", "ccn_sum", "nloc", "tokens"):
        assert j_twice[0][column] == 2 * j_once[0][column], column
    # under the thresholds both ways agree, and no function stays no_functions
    plain, _ = analyzers.analyze("lizard", records(PY_OK, "x = 1\n"), "generation", "python")
    text, _ = analyzers.analyze(
        "lizard", records(PY_OK, "x = 1\n"), "generation", "python", options=TEXT_REPORT
    )
    assert text == plain and text[1]["status"] == "no_functions"


def test_lizard_text_report_is_lizards_own_report_parsed_with_the_package_rule(tmp_path):
    """The report is what the CLI prints (function table, file table, warnings block, total);
    the package's rule takes the function rows of the table and of the warnings block only."""
    import lizard as lizard_lib

    from codepeft.analyzers import lizard

    path = tmp_path / "big.py"
    path.write_text(PY_OVER_THRESHOLD, encoding="utf-8")
    option = lizard.cli_options(tmp_path)
    info = lizard_lib.FileAnalyzer(lizard_lib.get_extensions([]))(str(path))
    report = lizard.text_report(info, option)
    assert "!!!! Warnings (cyclomatic_complexity > 15 or length > 1000" in report
    assert "1 file analyzed." in report and "Total nloc" in report
    rows = lizard.package_function_rows(report)
    assert [r[1] for r in rows] == [1, 17, 17]  # small, grade, grade again (warnings block)
    # summary lines start with a digit but have no '@' (or a decimal average): not functions
    assert lizard.package_function_rows("     36      18.0     9.0  63.5   2     a@b.py\n") == []
    assert lizard.package_function_rows("  2  1  7  1  2 f@1-2@x.py\n  x@ 1 2 3\n") == [
        (2, 1, 7, 1)
    ]


def test_lizard_text_report_reads_the_file_as_the_cli_does():
    """`lizard <file>` reads in text mode: a lone carriage return ends a line. Lizard on the
    in-memory text (list) finds no function in a Python file with lone \\r line ends."""
    code = "def f(x):\r    if x:\r        return 1\r    return 2\r"
    opts = {**PACKAGE_OPTIONS, "lizard": {"no_functions": "zero"}}
    plain, _ = analyzers.analyze("lizard", records(code), "generation", "python", options=opts)
    opts["lizard"]["functions_from"] = "text_report"
    text, _ = analyzers.analyze("lizard", records(code), "generation", "python", options=opts)
    assert plain[0]["status"] == "no_functions"
    assert (text[0]["functions"], text[0]["ccn_sum"], text[0]["nloc"]) == (1, 2, 4)


def test_lizard_text_report_gives_the_papers_doubled_row(shared):
    """CodeXGLUE test pair 794 (C#->Java) holds one method with CCN 16. The paper's 3B
    MT-QLoRA and ST-QLoRA rows for it read CCN 32, NLOC 18, tokens 298: the preset's text
    report on the reference gives exactly that; each function once gives half."""
    import csv

    java = _translation_lines(shared / "data/codexglue/code-to-code-trans/test.java-cs.txt.java")
    paper = shared / "reference/paper_per_instance/lizard/translation/cs_java"
    want = set()
    for name in ("r-lizard_ct_3b-mt-qlora.csv", "r-lizard_ct_3b-st-qlora.csv"):
        with open(paper / name) as f:
            (row,) = [r for r in csv.DictReader(f) if r["Task ID"] == "translation_794"]
        want.add(
            tuple(int(row[c]) for c in ("Cyclomatic_Complexity", "Lines_of_Code", "Token_Count"))
        )
    assert want == {(32, 18, 298)}
    recs = [{"id": "794", "output": java[794]}]
    preset = {
        **PACKAGE_OPTIONS,
        "lizard": {"no_functions": "zero", "functions_from": "text_report"},
    }
    rows = {}
    for name, options in (("preset", preset), ("once", PACKAGE_OPTIONS)):
        (r,), _ = analyzers.analyze("lizard", recs, "translation", "cs-java", options=options)
        rows[name] = (r["ccn_sum"], r["nloc"], r["tokens"])
    assert rows == {"preset": (32, 18, 298), "once": (16, 9, 149)}


def test_package_java_files_read_carriage_returns_as_newlines(tmp_path):
    """The package read its Java outputs back in text mode before wrapping them
    (add_java_wrappers_cg.py:30, wrap_java_methods.py:29): '\\r\\n' and a lone '\\r' are
    '\\n' in the file; Python and C# files, written once, keep them."""
    java = "int f(int x) {\r\n  if (x > 0) {\r    return 1;\r\n  }\r  return 2;\r\n}"
    (unit,) = units.build_units(
        [{"id": "636766f91a6d9265ec01776e", "output": java}],
        "java",
        tmp_path / "g",
        task="generation",
        unit_files="package",
    )
    body = "int f(int x) {\n  if (x > 0) {\n    return 1;\n  }\n  return 2;\n}"
    assert unit.path.read_bytes().decode() == (
        "import java.util.*;\n\npublic class Generated_636766f91a6d9265ec01776e {\n    "
        + body
        + "\n}"
    )
    (unit,) = units.build_units(
        [{"id": "3", "output": java}],
        "java",
        tmp_path / "t",
        task="translation",
        unit_files="package",
    )
    assert "\r" not in unit.path.read_bytes().decode() and body in unit.code
    for language, task in (("python", "generation"), ("csharp", "translation")):
        (unit,) = units.build_units(
            [{"id": "4", "output": "x\r\ny\r"}],
            language,
            tmp_path / language,
            task=task,
            unit_files="package",
        )
        assert unit.path.read_bytes() == b"x\r\ny\r"
    # the default layout's wrapper rebuilds the lines itself (no carriage return either)
    (unit,) = units.build_units([{"id": "5", "output": java}], "java", tmp_path / "d")
    assert "\r" not in unit.path.read_bytes().decode()


def test_pmd_parse_error_zero_policy(tmp_path):
    path = tmp_path / "00001" / "translation_3.java"
    unit = units.Unit("a", 1, "java", "x", path, True, "ok")
    report = {"files": [], "processingErrors": [{"filename": str(path), "message": "boom"}]}
    assert pmd.parse_report(report, [unit]).rows["a"] == {"status": "parse_error"}
    row = pmd.parse_report(report, [unit], "zero").rows["a"]
    assert row["status"] == "parse_error"
    assert all(row[c] == 0 for c in (*pmd.CATEGORIES, "violations"))
    assert "cognitive_sum" not in row


def test_pylint_on_package_files_counts_module_name_and_final_newline():
    """The package wrote `<_id>.py` raw: Pylint adds invalid-name (module name) and
    missing-final-newline to every file (3 conventions for a documented function, the
    minimum of the paper's Pylint CSVs for files without a syntax error)."""
    need(pylint)
    recs = [{"id": "62b438a266fea644fe22cc2d", "output": 'def f(x):\n    """Doc."""\n    return x'}]
    package, _ = analyzers.analyze("pylint", recs, "generation", "python", options=PACKAGE_OPTIONS)
    default, _ = analyzers.analyze("pylint", recs, "generation", "python")
    assert package[0]["convention"] == 3 and default[0]["convention"] == 1


@pytest.mark.parametrize("name", ["lizard", "pylint"])
def test_package_files_batched_equal_per_file(name):
    """Package-style files repeat names across predictions files (same ids): the batched run
    maps every report line back to its own unit."""
    need(analyzers.module(name))
    inputs = [
        (
            [{"id": i, "output": o} for i, o in zip("ab", outs, strict=True)],
            "generation",
            "python",
        )
        for outs in (["def f(x):\n    return x\n", PY_BROKEN], [PY_OK, "import os\nx = 1"])
    ]
    batched = analyzers.analyze_records(name, inputs, options=PACKAGE_OPTIONS)
    for (recs, task, lang), (rows, rules, _) in zip(inputs, batched, strict=True):
        alone, result = analyzers.analyze(name, recs, task, lang, options=PACKAGE_OPTIONS)
        assert rows == alone and sorted(rules) == sorted(result.rules)
    assert batched[0][0] != batched[1][0]


def test_rule_options_are_canonical_and_per_tool():
    section = {
        "timeout_s": 10,
        "unit_files": "package",
        "format_translations": True,
        "lizard": {"no_functions": "zero"},
        "pmd": {"parse_error": "zero"},
        "sonar": {"project_key": "k", "host_url": ""},
    }
    lizard_opts = analyzers.rule_options(section, "lizard")
    assert lizard_opts == {
        "format_translations": True,
        "label": "study",
        "lizard": {"no_functions": "zero"},
        "timeout_s": 10,
        "unit_files": "package",
    }
    assert list(lizard_opts) == sorted(lizard_opts)
    assert "lizard" not in analyzers.rule_options(section, "pmd")
    # functions_from, added later, stays out of the params at its default (no rerun)
    section["lizard"]["functions_from"] = "list"
    assert analyzers.rule_options(section, "lizard") == lizard_opts
    section["lizard"]["functions_from"] = "text_report"
    assert analyzers.rule_options(section, "lizard")["lizard"] == {
        "functions_from": "text_report",
        "no_functions": "zero",
    }
    assert list(analyzers.rule_options(section, "sonar")["sonar"]) == ["host_url", "project_key"]


def _translation_lines(path):
    text = path.read_bytes().decode("utf-8").split("\n")
    if text and text[-1] == "":
        text.pop()
    return [line.rstrip("\r") for line in text]


@pytest.mark.parametrize(
    ("direction", "target_file", "codebleu_csv", "lizard_csv"),
    [
        (
            "java-cs",
            "test.java-cs.txt.cs",
            "java_cs/ct_qwen0_5_mt_qlora.csv",
            "java_cs/r-lizard_ct_0_5b-mt-qlora.csv",
        ),
        (
            "cs-java",
            "test.java-cs.txt.java",
            "cs_java/ct_qwen0_5_mt_qlora.csv",
            "cs_java/r-lizard_ct_0_5b-mt-qlora.csv",
        ),
    ],
)
def test_package_layout_reproduces_the_papers_lizard_rows(
    shared, direction, target_file, codebleu_csv, lizard_csv
):
    """Where the paper's translation equals the reference (CodeBLEU 1), Lizard on the reference
    under the paper preset's layout (format_code, the package's wrapper) gives the paper's
    per-instance row; with the default layout (unformatted one-line code) no row agrees."""
    import csv

    paper = shared / "reference" / "paper_per_instance"
    target = _translation_lines(shared / "data" / "codexglue" / "code-to-code-trans" / target_file)
    with open(paper / "codebleu" / "translation" / codebleu_csv) as f:
        exact = [r["instance_id"] for r in csv.DictReader(f) if float(r["codebleu"]) >= 0.999999]
    with open(paper / "lizard" / "translation" / lizard_csv) as f:
        want = {r["Task ID"].removeprefix("translation_"): r for r in csv.DictReader(f)}
    recs = [{"id": i, "output": target[int(i)]} for i in exact[:150]]  # 393 / 438 in all
    assert len(recs) == 150

    def agree(options):
        rows, _ = analyzers.analyze("lizard", recs, "translation", direction, options=options)
        columns = ("Detection_Rate", "Cyclomatic_Complexity", "Lines_of_Code", "Token_Count")
        return sum(
            (r["detected"], r["ccn_sum"], r["nloc"], r["tokens"])
            == tuple(int(want[r["id"]][c]) for c in columns)
            for r in rows
        )

    assert agree({**PACKAGE_OPTIONS, "lizard": {"no_functions": "zero"}}) == len(recs)
    assert agree({}) == 0


def test_pmd_rules_as_of_excludes_later_rules_and_revives_deprecated_ones():
    catalog = [
        pmd.RuleInfo("bestpractices", "OnDemandImport", "7.28.0", False),
        pmd.RuleInfo("bestpractices", "UnusedLocalVariable", "3.5", False),
        pmd.RuleInfo("codestyle", "GenericsNaming", "4.2.6", True),
        pmd.RuleInfo("errorprone", "UselessPureMethodCall", "7.17.0", True),
        pmd.RuleInfo("design", "ProtectedMemberInFinalClass", "7.27.0", False),
        pmd.RuleInfo("design", "GodClass", "5.0", False),
    ]
    later, revived = pmd.rules_as_of(catalog, "7.6.0")
    assert later == {"bestpractices": ["OnDemandImport"], "design": ["ProtectedMemberInFinalClass"]}
    assert revived == {"codestyle": ["GenericsNaming"]}
    xml = pmd.ruleset_xml((later, revived))
    assert (
        '<rule ref="category/java/bestpractices.xml"><exclude name="OnDemandImport"/></rule>' in xml
    )
    assert '<exclude name="ProtectedMemberInFinalClass"/>' in xml
    assert '<exclude name="NcssCount"/>' in xml  # the metric rules stay re-declared
    assert '<rule ref="category/java/codestyle.xml/GenericsNaming"/>' in xml
    assert pmd.ruleset_xml() == pmd.ruleset_xml(({}, {}))


def test_pmd_catalog_of_the_installed_jar():
    need(pmd)
    jar = pmd.java_jar()
    assert jar is not None
    catalog = pmd.rule_catalog(jar)
    names = {r.name for r in catalog}
    assert {"UnusedLocalVariable", "CommentRequired", "GodClass"} <= names
    later, _ = pmd.rules_as_of(catalog, "7.6.0")
    assert all(
        pmd._version(r.since) > (7, 6, 0) for r in catalog if r.name in sum(later.values(), [])
    )


@pytest.mark.slow
def test_package_layout_and_pmd_7_6_reproduce_the_papers_pmd_rows(shared):
    """Where the paper's C#->Java translation equals the reference (CodeBLEU 1), PMD on the
    reference with the paper preset's options gives the paper's six category counts."""
    import csv

    need(pmd)
    paper = shared / "reference" / "paper_per_instance"
    java = _translation_lines(
        shared / "data" / "codexglue" / "code-to-code-trans" / "test.java-cs.txt.java"
    )
    with open(paper / "codebleu" / "translation" / "cs_java" / "ct_qwen0_5_mt_qlora.csv") as f:
        exact = [r["instance_id"] for r in csv.DictReader(f) if float(r["codebleu"]) >= 0.999999]
    with open(paper / "pmd" / "translation" / "cs_java" / "r-pmd_ct_0_5b-mt-qlora.csv") as f:
        want = {r["Task ID"].removeprefix("translation_"): r for r in csv.DictReader(f)}
    recs = [{"id": i, "output": java[int(i)]} for i in exact[:60]]
    cats = ("bestpractices", "codestyle", "design", "errorprone", "multithreading", "performance")
    options = {**PACKAGE_OPTIONS, "pmd": {"parse_error": "zero", "rules_as_of": "7.6.0"}}
    rows, _ = analyzers.analyze("pmd", recs, "translation", "cs-java", options=options, threads=2)
    agree = sum(
        tuple(r[c] for c in cats) == tuple(int(want[r["id"]][c]) for c in cats) for r in rows
    )
    assert agree == len(recs)
