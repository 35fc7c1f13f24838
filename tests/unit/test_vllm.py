"""vLLM backend: the job plan, the DAG of both backends, and greedy equality with the HF backend.

The equality test runs vLLM (CPU build) in its own venv, `.venv-vllm` (scripts/setup/vllm.sh),
through a subprocess; it skips when that venv is missing.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from codepeft import generate, mixing, models, train, vllm_backend
from codepeft.io import read_jsonl, write_jsonl

REPO = Path(__file__).resolve().parents[2]
VLLM_PYTHON = Path(
    os.environ.get("CODEPEFT_VLLM_PYTHON")
    or Path(os.environ.get("CODEPEFT_VLLM_VENV") or REPO / ".venv-vllm") / "bin" / "python"
)


def _job(method, finetune, trained=None, task="summarization", lang="python", **decoding):
    return {
        "method": method,
        "task": task,
        "lang": lang,
        "finetune": finetune,
        "trained": trained,
        "data": f"d/{task}/{lang}.jsonl",
        "out": f"p/{method}/{task}/{lang}.jsonl",
        "decoding": {"max_input_tokens": 384, "max_new_tokens": 24, **decoding},
    }


def test_engine_groups_put_base_first_and_one_engine_per_full_model():
    jobs = [
        _job("mt_fft", "full", "m/mt_fft/multi"),
        _job("zero_shot", "none"),
        _job("mt_qlora", "qlora", "m/mt_qlora/multi"),
        _job("st_fft", "full", "m/st_fft/summarization"),
        _job("st_qlora", "qlora", "m/st_qlora/summarization"),
        _job("mt_fft", "full", "m/mt_fft/multi", task="translation", lang="java-cs"),
    ]
    groups = vllm_backend.engine_groups(jobs)
    assert [g[0] for g in groups] == [None, "m/mt_fft/multi", "m/st_fft/summarization"]
    assert [j["method"] for j in groups[0][1]] == ["zero_shot", "mt_qlora", "st_qlora"]
    assert len(groups[1][1]) == 2 and len(groups[2][1]) == 1
    assert sum(len(g[1]) for g in groups) == len(jobs)


def test_unservable_jobs_fail_early():
    with pytest.raises(ValueError, match="DoRA"):
        vllm_backend.check_jobs([_job("mt_dora", "dora", "m/x")])
    with pytest.raises(ValueError, match="trained model dir"):
        vllm_backend.check_jobs([_job("mt_qlora", "qlora", None)])


def test_package_qlora_numerics_are_refused_before_any_gpu_job():
    nf4 = {"qlora_base": "nf4_unmerged", "qlora_dtype": "float16"}
    with pytest.raises(ValueError, match="nf4_unmerged") as err:
        vllm_backend.check_jobs([_job("mt_qlora", "qlora", "m/mt_qlora/multi", **nf4)])
    message = str(err.value)
    assert "vLLM cannot reproduce" in message and "decoding.backend: hf" in message
    assert "float16" in message and "mt_qlora" in message
    # what vLLM can serve: merged-style adapters, zero-shot and full models under that option
    vllm_backend.check_jobs(
        [
            _job("mt_qlora", "qlora", "m/mt_qlora/multi", qlora_base="merged"),
            _job("zero_shot", "none", **nf4),
            _job("mt_fft", "full", "m/mt_fft/multi", **nf4),
        ]
    )
    # one engine, one dtype
    with pytest.raises(ValueError, match="one engine has one dtype"):
        vllm_backend.engine_groups(
            [_job("zero_shot", "none", dtype="float16"), _job("zero_shot", "none", dtype="auto")]
        )


def test_paper_preset_with_vllm_is_refused_at_plan_time(repo):
    from codepeft import config as study_config
    from codepeft import study

    paper = study_config.load(repo / "config" / "paper.yaml")
    jobs = [
        _job(
            "mt_qlora",
            "qlora",
            "m/x",
            task=task,
            lang="python",
            **study.decoding_spec(paper, task, "mt_qlora"),
        )
        for task in ("summarization", "generation")
    ]
    with pytest.raises(ValueError, match="replication package's QLoRA inference numerics"):
        vllm_backend.check_jobs(jobs)


def test_engine_options(tmp_path):
    for name, rank in (("a", 8), ("b", 24)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "adapter_config.json").write_text(json.dumps({"r": rank}))
    jobs = [
        _job("zero_shot", "none"),
        _job("a", "qlora", str(tmp_path / "a")),
        _job("b", "lora", str(tmp_path / "b"), task="generation", max_new_tokens=512),
    ]
    options = vllm_backend.engine_options(
        "base", jobs, {"enforce_eager": True, "python": "x"}, 7, has_gpu=False
    )
    assert options["enable_lora"] and options["max_loras"] == 2 and options["max_lora_rank"] == 32
    assert options["max_model_len"] == 384 + 512 and options["dtype"] == "float32"
    assert options["enforce_eager"] and "python" not in options and options["seed"] == 7
    assert vllm_backend.engine_options("base", jobs[:1], {}, 7, has_gpu=True)["dtype"] == "bfloat16"
    assert "enable_lora" not in vllm_backend.engine_options("base", jobs[:1], {}, 7, has_gpu=False)
    assert (
        vllm_backend.engine_options("b", jobs[:1], {"max_model_len": 99}, 7, False)["max_model_len"]
        == 99
    )
    with pytest.raises(ValueError, match="exceeds"):
        vllm_backend.lora_rank_limit([1024])


def _dry_run(tmp_path, *config):
    if not (tmp_path / "codepeft").exists():  # package resources named relative to the workdir
        (tmp_path / "codepeft").symlink_to(REPO / "codepeft")
    cmd = [
        str(REPO / ".venv" / "bin" / "snakemake"),
        "-n",
        "--quiet",
        "rules",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(tmp_path),
        "--cores",
        "1",
    ]
    if config:
        cmd += ["--config", *config]
    if not Path(cmd[0]).exists():
        cmd[0:1] = [sys.executable, "-m", "snakemake"]
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, env=dict(os.environ, HF_HUB_OFFLINE="1")
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(re.findall(r"^(\w+)\s+(\d+)$", done.stdout, flags=re.M))


@pytest.mark.slow
def test_dag_chooses_the_backend(tmp_path):
    hf = _dry_run(tmp_path)
    vllm = _dry_run(tmp_path, 'decoding={"backend": "vllm"}')
    assert "generate" in hf and not any(k.startswith("generate_vllm") for k in hf)
    # the embedded study: one base model -> one vLLM job for all its predictions files
    assert vllm.get("generate_vllm_tiny") == "1" and "generate" not in vllm
    assert int(hf["generate"]) > 1
    # everything downstream is the same DAG
    assert {k: v for k, v in hf.items() if k not in ("generate", "total")} == {
        k: v for k, v in vllm.items() if not k.startswith("generate_vllm") and k != "total"
    }


# --- greedy equality with the HF backend (needs .venv-vllm) ---------------------------------


def records(n, split):
    out = []
    for i in range(n):
        code = f"public int add{i}(int a, int b) {{ return a * b + {i}; }}"
        out.append(
            {
                "id": f"t{split}{i}",
                "task": "translation",
                "language": "java-cs",
                "split": split,
                "inputs": {"code": code},
                "reference": code.replace("public int", "public static int"),
                "meta": {},
            }
        )
        out.append(
            {
                "id": f"s{split}{i}",
                "task": "summarization",
                "language": "python",
                "split": split,
                "inputs": {"code": f"def g{i} ( x , y ) : return x - y * {i}"},
                "reference": f"Subtract y times {i} from x .",
                "meta": {},
            }
        )
    return out


FAST = {
    "max_steps": 6,
    "warmup_steps": 1,
    "per_device_batch_size": 4,
    "gradient_accumulation_steps": 1,
    "max_length": 128,
    "eval_steps": 100,
    "save_steps": 100,
    "logging_steps": 2,
    "learning_rate": 5e-3,
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("vllm")
    write_jsonl(d / "train.jsonl", records(24, "train"))
    write_jsonl(d / "mix.jsonl", mixing.build_mixture([str(d / "train.jsonl")]))
    # the demo's base, which has memorized its corpus: zero-shot answers <|endoftext|> first.
    # With eos "tokenizer" both backends must go on past it (HF does; vLLM stopped at the
    # generation config's eos ids until `ignore_eos`)
    models.build_tiny_model(d / "tiny", [d / "train.jsonl"])
    spec = train.TrainingSpec.from_dict(FAST)
    train.train(
        str(d / "tiny"),
        "lora",
        str(d / "mix.jsonl"),
        None,
        str(d / "lora"),
        str(d / "ck_lora"),
        spec,
    )
    train.train(
        str(d / "tiny"),
        "full",
        str(d / "mix.jsonl"),
        None,
        str(d / "full"),
        str(d / "ck_full"),
        spec,
    )
    test = records(6, "test")
    test[2]["inputs"]["code"] = "int x = 1; " * 300  # longer than the prompt budget: truncated
    for task in ("translation", "summarization"):
        write_jsonl(d / f"{task}.jsonl", [r for r in test if r["task"] == task])
    return d


@pytest.mark.slow
def test_vllm_greedy_outputs_equal_hf(trained):
    if not VLLM_PYTHON.exists():
        pytest.skip(f"no vLLM venv at {VLLM_PYTHON}: run scripts/setup/vllm.sh")
    d = trained
    base = {"batch_size": 4, "max_input_tokens": 300, "max_new_tokens": 16, "dtype": "float32"}
    decoding = {
        "summarization": base,  # the defaults for new studies
        # the replication package's translation inference (config/paper.yaml)
        "translation": dict(
            base,
            chat_template="human_assistant",
            postprocess="last_assistant",
            keep_fence_language_tag=True,
            eos="tokenizer",
            generation_config="model",
            sort_by_length=False,
        ),
    }
    jobs = []
    for method, finetune, model_dir in (
        ("zero_shot", "none", None),
        ("mt_lora", "lora", d / "lora"),
        ("mt_fft", "full", d / "full"),
    ):
        for task, lang in (("summarization", "python"), ("translation", "java-cs")):
            jobs.append(
                {
                    "method": method,
                    "task": task,
                    "lang": lang,
                    "finetune": finetune,
                    "trained": str(model_dir) if model_dir else None,
                    "data": str(d / f"{task}.jsonl"),
                    "out": str(d / "vllm" / method / f"{task}.jsonl"),
                    "decoding": decoding[task],
                }
            )
    plan = {
        "model": "tiny",
        "source": str(d / "tiny"),
        "seed": 42,
        "vllm": {"enforce_eager": True, "distributed_executor_backend": "uni"},
        "jobs": jobs,
    }
    (d / "plan.json").write_text(json.dumps(plan))
    env = dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(REPO),
        VLLM_CPU_KVCACHE_SPACE="1",
        VLLM_ENABLE_V1_MULTIPROCESSING="0",
    )  # one process: engine start 5-10 s instead of ~40 s
    done = subprocess.run(
        [str(VLLM_PYTHON), "-m", "codepeft.vllm_backend", "--plan", str(d / "plan.json")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    new_tokens = rows = 0
    for method in ("zero_shot", "mt_lora", "mt_fft"):
        for job in (j for j in jobs if j["method"] == method):
            spec = generate.DecodingSpec.from_dict(job["decoding"])
            backend = generate.make_backend(
                str(d / "tiny"),
                job["trained"] if job["finetune"] == "lora" else None,
                job["trained"] if job["finetune"] == "full" else None,
                spec,
                finetune=job["finetune"],
            )
            hf_rows = generate.generate_records(backend, read_jsonl(job["data"]), spec)
            vllm_rows = read_jsonl(job["out"])
            assert [r["id"] for r in vllm_rows] == [r["id"] for r in hf_rows]
            if job["task"] == "translation":  # the long record, and only it, is shortened
                assert [r["truncated"] for r in hf_rows] == [i == 1 for i in range(len(hf_rows))]
            for hf_row, vllm_row in zip(hf_rows, vllm_rows, strict=True):
                assert vllm_row == hf_row, (method, job["task"], hf_row["id"])
            new_tokens += sum(r["n_new_tokens"] for r in hf_rows)
            rows += len(hf_rows)
    # not only instant stops (the pre-trained tiny base, zero-shot, writes one token and stops)
    assert new_tokens > rows
