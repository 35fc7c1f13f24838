"""Static analyzers: unit files, per-tool parsing, statuses, batching (tools skip when missing)."""

from __future__ import annotations

import json
import logging

import pytest

from codepeft import analyzers
from codepeft.analyzers import checkstyle, pmd, pylint, roslyn, semgrep, sonar, units
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
    assert units.code_language("translation", "java-cs") == "csharp"
    assert units.code_language("translation", "cs-java") == "java"
    assert units.code_language("summarization", "python") is None


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
    rows, _ = analyzers.analyze("flake8", records("import os\n", PY_BROKEN), "generation", "python")
    if rows[0]["status"].startswith("not computed"):
        pytest.skip(rows[0]["status"])
    assert rows[0]["F"] == 1 and rows[0]["status"] == "ok"
    assert rows[1]["status"] == "parse_error"


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


def test_roslyn_without_dotnet_is_not_computed(monkeypatch):
    monkeypatch.setattr(roslyn, "dotnet", lambda: None)
    rows, _ = analyzers.analyze("roslyn", records(CS_METHOD, None), "translation", "java-cs")
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


def test_missing_tool_gives_not_computed_rows(monkeypatch, caplog):
    monkeypatch.setattr(pmd, "executable", lambda: None)
    with caplog.at_level(logging.ERROR):
        rows, _ = analyzers.analyze("pmd", records(JAVA_METHOD, JAVA_CLASS), "generation", "java")
    assert {r["status"] for r in rows} == {"not computed: pmd not found (run scripts/setup/pmd.sh)"}
    assert "NOT COMPUTED" in caplog.text


def test_sonar_not_configured(monkeypatch):
    monkeypatch.delenv("SONAR_TOKEN", raising=False)
    monkeypatch.delenv("SONAR_HOST_URL", raising=False)
    rows, _ = analyzers.analyze(
        "sonar",
        records(PY_OK),
        "generation",
        "python",
        options={"sonar": {"host_url": "https://h"}},
    )
    assert rows[0]["status"] == "not computed: no SONAR_TOKEN/host configured"
    monkeypatch.setenv("SONAR_TOKEN", "secret-token-value")
    assert sonar.unavailable({"sonar": {"host_url": ""}}) == "no SONAR_TOKEN/host configured"


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


def test_tool_failing_as_a_whole_is_not_computed_not_a_crash(monkeypatch):
    monkeypatch.setattr(pmd, "executable", lambda: "/bin/false")
    rows, _ = analyzers.analyze("pmd", records(JAVA_METHOD, None), "generation", "java")
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
