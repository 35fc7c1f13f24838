"""Data loaders on the real subsets in ../shared/data, the generation-set derivation, the
task-split writer, row caps and the `data` schema."""

from __future__ import annotations

import json

import pytest

from codepeft.config import ConfigError
from codepeft.data import cli, codegen, codereval, codexglue, prepare
from codepeft.data.records import DataError, check_records
from tests.conftest import shared_data_cfg


@pytest.fixture(scope="module")
def data(shared):
    return shared / "data"


def _ids_unique(records):
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    return ids


# ------------------------------------------------------------------ translation


@pytest.mark.parametrize("split,n", [("train", 10300), ("valid", 500), ("test", 1000)])
def test_translation_counts_both_directions(data, split, n):
    root = data / "codexglue" / "code-to-code-trans"
    forward = codexglue.load_translation("java-cs", split, root)
    backward = codexglue.load_translation("cs-java", split, root)
    assert len(forward) == len(backward) == n
    assert _ids_unique(forward) == _ids_unique(backward) == [str(i) for i in range(n)]
    check_records(forward, "translation")
    for f, b in zip(forward[:50], backward[:50], strict=True):
        assert f["inputs"]["code"] == b["reference"] and f["reference"] == b["inputs"]["code"]


def test_translation_exact_rows(data):
    root = data / "codexglue" / "code-to-code-trans"
    test = codexglue.load_translation("java-cs", "test", root)
    assert test[0]["inputs"]["code"] == (
        "public void serialize(LittleEndianOutput out) {out.writeShort(field_1_vcenter);}"
    )
    assert test[0]["reference"] == (
        "public override void Serialize(ILittleEndianOutput out1){out1.WriteShort(field_1_vcenter);}"
    )
    assert test[-1]["id"] == "999"
    assert test[-1]["inputs"]["code"].startswith(
        "public String getClassArg() {if (null != originalArgs)"
    )
    train = codexglue.load_translation("cs-java", "train", root)
    assert train[-1]["inputs"]["code"] == "public virtual bool markSupported(){return false;}"
    assert train[-1]["reference"] == "public boolean markSupported() {return false;}"
    assert train[-1]["language"] == "cs-java" and train[-1]["split"] == "train"


def test_translation_mismatched_files(tmp_path):
    (tmp_path / "test.java-cs.txt.java").write_text("a\nb\n")
    (tmp_path / "test.java-cs.txt.cs").write_text("a\n")
    with pytest.raises(DataError, match="2 lines but .* has 1"):
        codexglue.load_translation("java-cs", "test", tmp_path)


def test_translation_carriage_return_does_not_split_a_line(tmp_path):
    (tmp_path / "valid.java-cs.txt.java").write_bytes(b"x\ry;\nz;\n")
    (tmp_path / "valid.java-cs.txt.cs").write_bytes(b"X;\nZ;\n")
    recs = codexglue.load_translation("java-cs", "valid", tmp_path)
    assert [r["inputs"]["code"] for r in recs] == ["x\ry;", "z;"]


# ------------------------------------------------------------------ code-to-text


def test_code_to_text_python(data):
    root = data / "codexglue" / "code-to-text"
    test = codexglue.load_code_to_text("python", "test", root)
    valid = codexglue.load_code_to_text("python", "valid", root)
    assert len(test) == 130 and len(valid) == 120
    assert _ids_unique(test)[:2] == ["test-0", "test-1"]
    first = test[0]
    assert first["inputs"]["code"].startswith(
        "def sina_xml_to_url_list ( xml_data ) : rawurl = [ ]"
    )
    assert first["reference"] == "str - > list Convert XML to URL List . From Biligrab ."
    assert first["meta"]["func_name"] == "sina_xml_to_url_list"
    raw = codexglue.load_code_to_text("python", "test", root, mode="raw")
    assert raw[0]["inputs"]["code"].startswith(
        'def sina_xml_to_url_list(xml_data):\n    """str->list'
    )
    check_records(test, "summarization")


def test_code_to_text_gz_and_missing(tmp_path, data):
    import gzip

    src = data / "codexglue" / "code-to-text" / "python" / "valid.jsonl"
    (tmp_path / "python").mkdir()
    with gzip.open(tmp_path / "python" / "valid.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(src.read_text())
    recs = codexglue.load_code_to_text("python", "valid", tmp_path)
    assert len(recs) == 120 and recs[5]["id"] == "valid-5"
    with pytest.raises(DataError, match="test.jsonl"):
        codexglue.load_code_to_text("python", "test", tmp_path)


def test_hub_fails_fast_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(DataError, match="data.translation.local_dir"):
        codexglue.load_translation("java-cs", "test", None)


# ------------------------------------------------------------------ generation derivation


def test_derivation_on_real_python_rows(data):
    root = data / "codexglue" / "code-to-text"
    rows = codexglue.read_code_to_text_rows("python", "test", root)
    recs, skipped = codegen.derive_generation(rows, "python", "test")
    assert len(recs) + sum(skipped.values()) == len(rows)
    by_id = {r["id"]: r for r in recs}
    first = by_id["test-0"]
    assert first["inputs"] == {
        "summary": "str->list Convert XML to URL List.",
        "signature": "def sina_xml_to_url_list(xml_data):",
    }
    assert first["reference"] == (
        "def sina_xml_to_url_list(xml_data):\n    rawurl = []\n    dom = parseString(xml_data)\n"
        "    for node in dom.getElementsByTagName('durl'):\n"
        "        url = node.getElementsByTagName('url')[0]\n"
        "        rawurl.append(url.childNodes[0].data)\n    return rawurl"
    )
    # the outer docstring goes, an inner function's docstring stays
    restart = by_id["test-36"]["reference"]
    assert restart.startswith(
        "def restart_workers(gunicorn_master_proc, num_workers_expected, master_timeout):\n"
        '    def wait_until_true(fn, timeout=0):\n        """\n        Sleeps until fn is true'
    )
    assert "Runs forever" not in restart
    # string statements after the docstring are code, not docstring
    heartbeat = by_id["test-123"]["reference"]
    assert heartbeat.startswith(
        'def heartbeat(self):\n        finished_processors = {}\n        """:type'
    )
    for rec in recs:
        assert rec["reference"].startswith(rec["inputs"]["signature"])


def test_derivation_multiline_signature(data):
    rows = codexglue.read_code_to_text_rows("python", "valid", data / "codexglue" / "code-to-text")
    recs, _ = codegen.derive_generation(rows, "python", "valid")
    rec = {r["id"]: r for r in recs}["valid-3"]
    assert (
        rec["inputs"]["summary"]
        == "Create a wrapped, monitored SubprocVecEnv for Atari and MuJoCo."
    )
    assert rec["inputs"]["signature"] == (
        "def make_vec_env(env_id, env_type, num_env, seed,\n                 wrapper_kwargs=None,\n"
        "                 start_index=0,\n                 reward_scale=1.0,\n"
        "                 flatten_dict_observations=True,\n                 gamestate=None):"
    )
    assert rec["reference"].startswith(
        rec["inputs"]["signature"] + "\n    wrapper_kwargs = wrapper_kwargs or {}\n"
    )


def test_python_split_edge_cases():
    sig, ref = codegen.split_python_function(
        '@cached\ndef f(a: dict[str, int] = {"k": 1}, g=lambda x: x) -> int:\n'
        '    """Doc.\n\n    More."""\n\n    return a\n'
    )
    assert sig == 'def f(a: dict[str, int] = {"k": 1}, g=lambda x: x) -> int:'
    assert (
        ref == '@cached\ndef f(a: dict[str, int] = {"k": 1}, g=lambda x: x) -> int:\n    return a\n'
    )
    with pytest.raises(codegen.SkipRow, match="docstring_only"):
        codegen.split_python_function('def f():\n    """Only a docstring."""\n')
    assert codegen.split_python_function("def f(x):\n    return x\n") == (
        "def f(x):",
        "def f(x):\n    return x\n",
    )


def test_java_split():
    code = (
        "/**\n * Adds.\n * @param a x\n */\n@Override\npublic <T extends Comparable<T>> int add(int a,"
        ' String s) throws IOException {\n    String t = "{";\n    return a;\n}'
    )
    sig, ref = codegen.split_java_method(code)
    assert (
        sig
        == "@Override\npublic <T extends Comparable<T>> int add(int a, String s) throws IOException {"
    )
    assert ref.startswith("@Override\npublic <T") and "Adds." not in ref
    with pytest.raises(codegen.SkipRow, match="no_body"):
        codegen.split_java_method("public abstract int size();")


@pytest.mark.parametrize(
    "doc,expected",
    [
        ("Convert XML. From Biligrab.", "Convert XML."),
        ("Use e.g. this one. Then more.", "Use e.g. this one."),
        ("Returns the {@link Foo} of <b>x</b>\n@param x the x", "Returns the Foo of x"),
        (
            "\n    First line\n    continues here.\n\n    Second paragraph.",
            "First line continues here.",
        ),
        ("Summary line\n\nArgs:\n    x: y", "Summary line"),
        (":param x: only tags", ""),
    ],
)
def test_first_sentence(doc, expected):
    assert codegen.first_sentence(doc) == expected


def test_derivation_counts_skips():
    rows = [
        {"id": "a", "code": "def f():\n    return 1\n", "docstring": "Return one."},
        {"id": "b", "code": "def g():\n    return 2\n", "docstring": ""},
        {"id": "c", "code": 'def h():\n    """Doc."""\n', "docstring": "Doc."},
        {"id": "d", "code": "x = (\n", "docstring": "Broken."},
    ]
    recs, skipped = codegen.derive_generation(rows, "python", "train")
    assert [r["id"] for r in recs] == ["a"]
    assert skipped == {"docstring_only": 1, "no_summary": 1, "tokenize_error": 1}


# ------------------------------------------------------------------ CoderEval


def test_codereval_counts_and_discard(data):
    root = data / "codereval"
    py = codereval.load_codereval("python", root)
    java = codereval.load_codereval("java", root)
    assert len(py) == 190 and len(java) == 184
    assert len(codereval.load_codereval("python", root, discard=False)) == 230
    assert len(codereval.load_codereval("java", root, discard=False)) == 239
    for lang, recs in (("python", py), ("java", java)):
        assert not set(_ids_unique(recs)) & codereval.discarded_ids(root, lang)
        assert all(r["reference"] is None and r["split"] == "test" for r in recs)
        assert all(r["inputs"]["level"] for r in recs)
        check_records(recs, "generation")
    assert py[0]["id"] == "62e60f43d76274f8a4026e28"
    assert py[0]["inputs"]["signature"] == "def hydrate_time(nanoseconds, tz=None):"
    assert py[0]["inputs"]["summary"] == "Convert nanoseconds to a time in fixed format."
    assert py[0]["inputs"]["input"].startswith('def hydrate_time(nanoseconds, tz=None):\n\t"""')
    assert py[0]["inputs"]["level"] == "plib_runnable"
    assert py[-1]["id"] == "63060b1b73426c38ae68ad42"
    assert java[0]["id"] == "6367676d1a6d9265ec018229"
    assert (
        java[0]["inputs"]["signature"]
        == "public static String[] trimArrayElements(String[] array){"
    )
    assert java[-1]["id"] == "636766ae1a6d9265ec0175d8"


def test_summarization_eval(data):
    root = data / "codereval"
    py = codereval.load_summarization_eval("python", root)
    java = codereval.load_summarization_eval("java", root)
    assert len(py) == 100 and len(java) == 99
    _ids_unique(py), _ids_unique(java)
    assert java[0]["id"] == "6367676c1a6d9265ec018204"
    assert java[0]["reference"] == "Concatenate two string arrays into one."
    assert java[0]["inputs"]["code"].startswith("public static String[] concatenateStringArrays(")
    assert java[-1]["reference"] == "If the length of the array is 0, return EMPTY_DOUBLE_ARRAY. "
    assert py[0]["id"] == "62b45665d7d32e5b55cc8364"
    assert py[-1]["id"] == "630629e752e177c0ba46a0fb"
    assert py[-1]["reference"] == "Send a response containing data through the POST method."


# ------------------------------------------------------------------ prepare / config / CLI


def test_write_task_splits_generation_on_shared(data, tmp_path):
    cfg = shared_data_cfg(data)
    # ../shared holds no python code-to-text train split: write valid (derived) and test
    outputs = {"valid": tmp_path / "valid.jsonl", "test": tmp_path / "test.jsonl"}
    counts = prepare.write_task_splits("generation", "python", cfg, outputs)
    assert counts["rows"] == {"valid": 120, "test": 190}
    assert counts["skipped"]["valid"] == {}
    lines = (tmp_path / "test.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["id"] == "62e60f43d76274f8a4026e28"


def test_summarization_test_source_option(data, tmp_path):
    out = {"test": tmp_path / "t.jsonl"}
    counts = prepare.write_task_splits("summarization", "python", shared_data_cfg(data), out)
    assert counts["rows"]["test"] == 100
    cfg = shared_data_cfg(data, summarization_test="codexglue_test", code_input="raw")
    counts = prepare.write_task_splits("summarization", "python", cfg, out)
    assert counts["rows"]["test"] == 130
    first = json.loads((tmp_path / "t.jsonl").read_text().splitlines()[0])
    assert first["id"] == "test-0" and first["inputs"]["code"].startswith(
        "def sina_xml_to_url_list(xml_data):\n"
    )


def test_max_rows_cap_is_deterministic(data, tmp_path):
    cfg = shared_data_cfg(data, max_rows={"train": 100, "valid": 7, "test": 25})
    outs = [{s: tmp_path / f"{k}-{s}.jsonl" for s in ("valid", "test")} for k in range(3)]
    c0 = prepare.write_task_splits("translation", "java-cs", cfg, outs[0], seed=42)
    prepare.write_task_splits("translation", "cs-java", cfg, outs[1], seed=42)
    prepare.write_task_splits("translation", "java-cs", cfg, outs[2], seed=7)
    assert c0["rows"] == {"valid": 7, "test": 25} and c0["source_rows"] == {
        "valid": 500,
        "test": 1000,
    }

    def ids(path):
        return [json.loads(line)["id"] for line in path.read_text().splitlines()]

    assert ids(outs[0]["test"]) == ids(outs[1]["test"])  # same pairs in both directions
    assert ids(outs[0]["test"]) == sorted(ids(outs[0]["test"]), key=int)  # original order kept
    assert ids(outs[0]["test"]) != ids(outs[2]["test"])  # the seed matters
    recs = [{"id": str(i)} for i in range(10)]
    assert prepare.cap_rows(recs, None, 1) is recs and prepare.cap_rows(recs, 20, 1) is recs


def test_data_config_defaults_and_errors():
    cfg = prepare.data_config({})
    assert cfg["code_to_text"] == {
        "local_dir": "embedded",
        "hub": "google/code_x_glue_ct_code_to_text",
    }
    assert cfg["max_rows"] == {"train": None, "valid": None, "test": None}
    assert cfg["summarization_test"] == "codereval_eval" and cfg["code_input"] == "tokens"
    with pytest.raises(ConfigError, match="code_input"):
        prepare.data_config({"code_input": "bytes"})
    with pytest.raises(ConfigError, match="max_rows"):
        prepare.data_config({"max_rows": {"train": 0}})
    with pytest.raises(ConfigError, match="unknown config key 'data.codereval.localdir'"):
        prepare.data_config({"codereval": {"localdir": "x"}})


def test_schema_fragment_merges_into_study_config():
    from codepeft.config import load_schema

    schema = load_schema()
    assert "data" in schema["properties"]


def test_bad_local_dir_and_language(tmp_path):
    with pytest.raises(DataError, match="not a directory"):
        prepare.write_task_splits(
            "translation",
            "java-cs",
            {"translation": {"local_dir": str(tmp_path / "nope")}},
            {"test": tmp_path / "x"},
        )
    with pytest.raises(DataError, match="no language"):
        prepare.build_split("translation", "python", "test", {})


def test_cli_on_shared(data, tmp_path, capsys):
    rc = cli.main(
        [
            "--task", "translation", "--lang", "cs-java", "--out", str(tmp_path),
            "--translation-dir", str(data / "codexglue" / "code-to-code-trans"),
            "--max-rows-train", "30",
        ]
    )  # fmt: skip
    assert rc == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts[0]["rows"] == {"train": 30, "valid": 500, "test": 1000}
    assert (tmp_path / "translation" / "cs-java" / "test.jsonl").exists()
    assert cli.main(["--task", "translation"]) == 2


def test_hub_path_maps_splits_and_ids(monkeypatch):
    import datasets

    calls = []

    def fake_load_dataset(name, config, split):
        calls.append((name, config, split))
        if name == codexglue.TRANSLATION_HUB:
            return [{"id": 0, "java": "int a() {return 1;}", "cs": "int A(){return 1;}"}]
        row = {
            "id": 7,
            "code": "def f():\n    return 1",
            "code_tokens": ["def", "f"],
            "docstring": "F.",
        }
        return [dict(row, docstring_tokens=["F", "."], url="u")]

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    trans = codexglue.load_translation("cs-java", "valid", None)
    assert trans[0]["id"] == "0" and trans[0]["inputs"]["code"] == "int A(){return 1;}"
    summ = codexglue.load_code_to_text("python", "valid", None, hub="my/hub")
    assert summ[0]["id"] == "valid-7" and summ[0]["reference"] == "F ."
    assert calls == [
        (codexglue.TRANSLATION_HUB, None, "validation"),
        ("my/hub", "python", "validation"),
    ]
