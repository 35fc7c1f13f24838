"""The prepared GPU benchmark script: FLOP counts and a CPU smoke run of its training part."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _load(name):
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


gpu = _load("gpu_throughput")


@pytest.mark.parametrize(
    "name, published", [("qwen2.5-coder-0.5b", 0.494e9), ("qwen2.5-coder-1.5b", 1.544e9)]
)
def test_shapes_match_the_published_parameter_counts(name, published):
    # tied embeddings: every parameter but the norms sits in a matmul (the LM head is the embedding)
    n = gpu.matmul_params(gpu.SHAPES[name])
    assert abs(n - published) / published < 0.01


def test_matmul_params_count_a_real_model():
    torch = pytest.importorskip("torch")
    model = gpu.random_model(gpu.SMOKE_SHAPE["tiny"], "cpu", torch.float32)
    norms = sum(p.numel() for n, p in model.named_parameters() if "norm" in n)
    biases = sum(p.numel() for n, p in model.named_parameters() if n.endswith(".bias"))
    total = sum(p.numel() for p in model.parameters())
    assert gpu.matmul_params(gpu.SMOKE_SHAPE["tiny"]) == total - norms - biases


def test_flops_per_token():
    shape = gpu.SHAPES["qwen2.5-coder-0.5b"]
    n, attn = gpu.matmul_params(shape), 24 * 896 * 1024
    assert gpu.flops_per_token(shape, 1024, "full") == 6 * n + 12 * attn
    assert gpu.flops_per_token(shape, 1024, "lora") == 4 * n + 8 * attn


@pytest.mark.slow
def test_smoke_training_run_writes_results(tmp_path):
    assert (
        gpu.main(
            ["--smoke", "--only", "train", "--methods", "full", "lora", "--out", str(tmp_path)]
        )
        == 0
    )
    record = json.loads((tmp_path / "gpu_throughput.json").read_text())
    for method in ("full", "lora"):
        result = record["train"]["tiny"][method]
        assert result["status"] == "ok" and result["tokens_per_s"] > 0 and result["mfu"] >= 0
    assert (
        record["train"]["tiny"]["lora"]["trainable_params"]
        < record["train"]["tiny"]["full"]["trainable_params"]
    )
    assert "| tiny | lora |" in (tmp_path / "gpu_throughput.md").read_text()
