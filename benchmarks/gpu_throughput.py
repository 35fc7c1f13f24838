"""GPU figures for the study's cost: training throughput and MFU, HF vs vLLM generation.

    python3 benchmarks/gpu_throughput.py --out "$OUT"              # H100/H200, < 10 minutes
    python3 benchmarks/gpu_throughput.py --smoke --out /tmp/gpu     # CPU check, tiny shape, ~1 min
    python3 benchmarks/gpu_throughput.py --out "$OUT" --only train  # skip generation

Models: randomly initialised Qwen2 models of the Qwen2.5-Coder-0.5B and -1.5B shapes (the
configs are written below, from the published config.json files; nothing is downloaded).

Training (one optimizer step = one micro-batch of `--batch` x `--seq` random tokens, bf16
weights, AdamW; no gradient checkpointing): full fine-tuning, LoRA (r=8, alpha=16, the study's
seven target projections) and QLoRA (the same LoRA on an NF4 double-quantised base,
bitsandbytes). Reported: tokens/s (mean over the timed steps after warm-up steps) and model
FLOPs utilisation, MFU = model FLOPs per second / the card's dense bf16 peak. Model FLOPs per
token (PaLM appendix B, attention counted without causal halving):
- full:        6 N + 12 L d T   (forward 2N, backward 4N: activation and weight gradients)
- LoRA/QLoRA:  4 N + 8 L d T    (frozen base: no weight gradients; LoRA's own FLOPs < 1%)
with N = parameters of every matmul (attention and MLP projections, and the LM head),
L layers, d = hidden size, T = sequence length. QLoRA's dequantisation is not model FLOPs, so
its MFU shows what 4-bit costs. Peak: --peak-tflops, default 989.4 (H100/H200 SXM dense bf16,
NVIDIA's datasheet figure without sparsity); the script also times an 8192^3 bf16 matmul and
reports MFU against that achievable figure.

Generation (greedy, `--gen-prompts` prompts of random token ids with lengths spread over
[64, 512], `--gen-new` new tokens each, EOS ignored so every configuration makes the same
number of tokens): the paper's way (HF generate, batch 8, file order), the HF backend
(length-sorted, batch `--hf-batch`, left padding), and vLLM (all prompts at once; and the
study's case, the same prompts spread over 4 random LoRA adapters through LoRARequest).
vLLM runs in a subprocess with `--vllm-python` (default: this python); where vLLM, peft or
bitsandbytes are missing, that figure is recorded as "not computed: <reason>".

Writes gpu_throughput.json and gpu_throughput.md to --out (default $OUT, else ./gpu_throughput).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# Qwen2.5-Coder-{0.5B,1.5B}(-Instruct) config.json, the fields that set the shape.
SHAPES = {
    "qwen2.5-coder-0.5b": dict(
        hidden_size=896,
        intermediate_size=4864,
        num_hidden_layers=24,
        num_attention_heads=14,
        num_key_value_heads=2,
        vocab_size=151936,
        tie_word_embeddings=True,
        max_position_embeddings=32768,
        rope_theta=1000000.0,
        rms_norm_eps=1e-6,
    ),
    "qwen2.5-coder-1.5b": dict(
        hidden_size=1536,
        intermediate_size=8960,
        num_hidden_layers=28,
        num_attention_heads=12,
        num_key_value_heads=2,
        vocab_size=151936,
        tie_word_embeddings=True,
        max_position_embeddings=32768,
        rope_theta=1000000.0,
        rms_norm_eps=1e-6,
    ),
}
# head_dim 32: vLLM's CPU attention has no kernel for head_dim 16
SMOKE_SHAPE = {
    "tiny": dict(
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=1024,
        tie_word_embeddings=True,
        max_position_embeddings=2048,
        rope_theta=1000000.0,
        rms_norm_eps=1e-6,
    )
}
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
H100_H200_BF16_DENSE_TFLOPS = 989.4


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def matmul_params(shape: dict) -> int:
    d, f, layers = shape["hidden_size"], shape["intermediate_size"], shape["num_hidden_layers"]
    kv = d // shape["num_attention_heads"] * shape["num_key_value_heads"]
    per_layer = d * d * 2 + d * kv * 2 + 3 * d * f
    return layers * per_layer + shape["vocab_size"] * d


def flops_per_token(shape: dict, seq: int, method: str) -> float:
    n = matmul_params(shape)
    attn = shape["num_hidden_layers"] * shape["hidden_size"] * seq
    return 6 * n + 12 * attn if method == "full" else 4 * n + 8 * attn


def qwen2_config(shape: dict):
    from transformers import Qwen2Config

    return Qwen2Config(
        **shape,
        bos_token_id=None,
        eos_token_id=shape["vocab_size"] - 1,
        pad_token_id=shape["vocab_size"] - 2,
    )


def random_model(shape: dict, device: str, dtype):
    import torch
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(qwen2_config(shape), dtype=dtype)
    return model


def saved_random_model(shape: dict, name: str, root: Path, dtype) -> Path:
    """A random model on disk (for 4-bit loading and for vLLM)."""
    path = root / name
    if not (path / "config.json").exists():
        model = random_model(shape, "cuda" if _cuda() else "cpu", dtype)
        model.save_pretrained(path)
        del model
        gc.collect()
    return path


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def matmul_tflops() -> float | None:
    import torch

    if not torch.cuda.is_available():
        return None
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    _sync()
    start = time.perf_counter()
    for _ in range(10):
        a @ b
    _sync()
    return 2 * 8192**3 * 10 / (time.perf_counter() - start) / 1e12


def train_case(shape: dict, name: str, method: str, args, root: Path) -> dict:
    import torch

    device = "cuda" if _cuda() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    if method == "qlora":
        try:
            import bitsandbytes  # noqa: F401
            from transformers import AutoModelForCausalLM, BitsAndBytesConfig
        except ImportError as exc:
            return {"status": f"not computed: bitsandbytes missing ({exc})"}
        path = saved_random_model(shape, name, root, dtype)
        quant = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
        )
        model = AutoModelForCausalLM.from_pretrained(
            path,
            quantization_config=quant,
            dtype=dtype,
            device_map={"": device} if device == "cuda" else None,
        )
    else:
        model = random_model(shape, device, dtype)
    if method in ("lora", "qlora"):
        try:
            from peft import LoraConfig, get_peft_model
        except ImportError as exc:
            return {"status": f"not computed: peft missing ({exc})"}
        if method == "qlora":
            from peft import prepare_model_for_kbit_training

            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
        model = get_peft_model(
            model,
            LoraConfig(
                r=8, lora_alpha=16, lora_dropout=0.0, target_modules=TARGETS, task_type="CAUSAL_LM"
            ),
        )
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=1e-5, fused=device == "cuda")
    gen = torch.Generator(device=device).manual_seed(0)
    batch = torch.randint(
        0, shape["vocab_size"] - 2, (args.batch, args.seq), device=device, generator=gen
    )
    times = []
    for step in range(args.warmup + args.steps):
        _sync()
        start = time.perf_counter()
        loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        optim.step()
        optim.zero_grad(set_to_none=True)
        _sync()
        if step >= args.warmup:
            times.append(time.perf_counter() - start)
    tokens = args.batch * args.seq
    per_step = sum(times) / len(times)
    result = {
        "status": "ok",
        "tokens_per_s": round(tokens / per_step, 1),
        "step_s": round(per_step, 4),
        "trainable_params": sum(p.numel() for p in params),
        "loss": round(float(loss), 4),
        "flops_per_token": flops_per_token(shape, args.seq, "full" if method == "full" else "lora"),
        "peak_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2)
        if device == "cuda"
        else None,
    }
    achieved = result["flops_per_token"] * tokens / per_step / 1e12
    result["model_tflops"] = round(achieved, 1)
    result["mfu"] = round(achieved / args.peak_tflops, 4)
    del model, optim, params, loss
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    return result


def prompts_for(shape: dict, n: int, seed: int = 0) -> list[list[int]]:
    rng = random.Random(seed)
    return [
        [rng.randrange(0, shape["vocab_size"] - 2) for _ in range(rng.randint(64, 512))]
        for _ in range(n)
    ]


def hf_generate(shape: dict, prompts: list[list[int]], batch: int, sort: bool, new: int) -> dict:
    import torch

    device = "cuda" if _cuda() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = random_model(shape, device, dtype).eval()
    pad = shape["vocab_size"] - 2
    order = (
        sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
        if sort
        else list(range(len(prompts)))
    )

    def run(idx):
        width = max(len(prompts[i]) for i in idx)
        ids = torch.tensor(
            [[pad] * (width - len(prompts[i])) + prompts[i] for i in idx], device=device
        )
        mask = (
            torch.arange(width, device=device)[None, :]
            >= torch.tensor([width - len(prompts[i]) for i in idx], device=device)[:, None]
        ).long()
        with torch.inference_mode():
            out = model.generate(
                input_ids=ids,
                attention_mask=mask,
                do_sample=False,
                max_new_tokens=new,
                min_new_tokens=new,
                pad_token_id=pad,
            )
        return (out.shape[1] - width) * len(idx)

    run(order[: min(batch, len(order))])  # warm-up
    _sync()
    start, tokens = time.perf_counter(), 0
    for b in range(0, len(order), batch):
        tokens += run(order[b : b + batch])
    _sync()
    seconds = time.perf_counter() - start
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
    return {
        "status": "ok",
        "new_tokens": tokens,
        "seconds": round(seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1),
        "batch": batch,
        "sorted": sort,
    }


VLLM_CHILD = r"""
import json, sys, time
def main():
    from vllm import LLM, SamplingParams, TokensPrompt
    from vllm.lora.request import LoRARequest
    cfg = json.loads(sys.argv[1])
    prompts = [TokensPrompt(prompt_token_ids=p) for p in cfg["prompts"]]
    params = SamplingParams(temperature=0.0, max_tokens=cfg["new"], ignore_eos=True, detokenize=False)
    adapters = cfg["adapters"]
    opts = dict(model=cfg["model"], skip_tokenizer_init=True, dtype=cfg["dtype"], seed=0,
                max_model_len=512 + cfg["new"], **cfg["options"])
    if adapters:
        opts.update(enable_lora=True, max_loras=len(adapters), max_lora_rank=8)
    start = time.perf_counter()
    llm = LLM(**opts)
    ready = time.perf_counter() - start
    out = {"engine_start_s": round(ready, 1)}
    for label, loras in (("base", None), ("multi_lora", adapters)):
        if label == "multi_lora" and not adapters:
            continue
        reqs = None if not loras else [LoRARequest(f"a{i % len(loras)}", i % len(loras) + 1, loras[i % len(loras)])
                                       for i in range(len(prompts))]
        llm.generate(prompts[:8], params, lora_request=reqs[:8] if reqs else None, use_tqdm=False)  # warm-up
        start = time.perf_counter()
        res = llm.generate(prompts, params, lora_request=reqs, use_tqdm=False)
        seconds = time.perf_counter() - start
        tokens = sum(len(r.outputs[0].token_ids) for r in res)
        out[label] = {"status": "ok", "new_tokens": tokens, "seconds": round(seconds, 2),
                      "tokens_per_s": round(tokens / seconds, 1)}
    print("VLLM_RESULT " + json.dumps(out), flush=True)
if __name__ == "__main__":
    main()
"""


def random_adapters(shape: dict, path: Path, n: int) -> list[str]:
    """n rank-8 LoRA adapters with random weights (one base model, LoRA weights redrawn)."""
    import torch
    from peft import LoraConfig, get_peft_model

    device = "cuda" if _cuda() else "cpu"
    model = random_model(shape, device, torch.bfloat16 if device == "cuda" else torch.float32)
    config = LoraConfig(r=8, lora_alpha=16, target_modules=TARGETS, task_type="CAUSAL_LM")
    peft = get_peft_model(model, config)
    out = []
    with torch.no_grad():
        for i in range(n):
            torch.manual_seed(100 + i)
            for name, param in peft.named_parameters():
                if "lora_" in name:
                    param.normal_(0.0, 0.02)
            target = path / f"adapter{i}"
            peft.save_pretrained(target)
            out.append(str(target))
    del model, peft
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
    return out


def vllm_generate(shape: dict, name: str, prompts, args, root: Path) -> dict:
    python = args.vllm_python or sys.executable
    probe = subprocess.run(
        [python, "-c", "import vllm; print(vllm.__version__)"], capture_output=True, text=True
    )
    if probe.returncode:
        return {"status": f"not computed: vllm not importable with {python}"}
    import torch

    path = saved_random_model(shape, name, root, torch.bfloat16 if _cuda() else torch.float32)
    try:
        adapters = random_adapters(shape, root / f"{name}-adapters", 4)
    except ImportError:
        adapters = []
    cfg = {
        "model": str(path),
        "prompts": prompts,
        "new": args.gen_new,
        "adapters": adapters,
        "dtype": "bfloat16" if _cuda() else "float32",
        "options": json.loads(args.vllm_options),
    }
    script = root / "vllm_child.py"
    script.write_text(VLLM_CHILD)
    env = dict(os.environ)
    # vLLM's CPU build reserves 92% of RAM by default; a fixed KV-cache size instead
    if not _cuda():
        env.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    done = subprocess.run(
        [python, str(script), json.dumps(cfg)],
        capture_output=True,
        text=True,
        timeout=args.vllm_timeout,
        env=env,
    )
    (args.log_dir / f"vllm-{name}.log").write_text(done.stdout + done.stderr)
    for line in done.stdout.splitlines():
        if line.startswith("VLLM_RESULT "):
            result = json.loads(line[len("VLLM_RESULT ") :])
            result["version"] = probe.stdout.strip()
            return result
    return {
        "status": f"not computed: vLLM run failed (rc {done.returncode}): {done.stderr.strip()[-300:]}"
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=os.environ.get("OUT") or "gpu_throughput")
    parser.add_argument("--smoke", action="store_true", help="tiny shape, few steps (CPU check)")
    parser.add_argument("--only", choices=["train", "generate"], default=None)
    parser.add_argument("--shapes", nargs="*", default=None, help=f"subset of {list(SHAPES)}")
    parser.add_argument("--methods", nargs="*", default=["full", "lora", "qlora"])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seq", type=int, default=1024)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--peak-tflops", type=float, default=H100_H200_BF16_DENSE_TFLOPS)
    parser.add_argument("--gen-prompts", type=int, default=256)
    parser.add_argument("--gen-new", type=int, default=128)
    parser.add_argument("--hf-batch", type=int, default=64)
    parser.add_argument(
        "--paper-prompts",
        type=int,
        default=64,
        help="the paper's way (batch 8) runs on the first N prompts only (it is slow)",
    )
    parser.add_argument("--vllm-python", default=None)
    parser.add_argument("--vllm-options", default='{"gpu_memory_utilization": 0.5}')
    parser.add_argument("--vllm-timeout", type=int, default=240)
    args = parser.parse_args(argv)
    if args.smoke:
        args.batch, args.seq, args.warmup, args.steps = 2, 64, 1, 2
        args.gen_prompts, args.gen_new, args.hf_batch, args.paper_prompts = 12, 8, 8, 8
        if args.vllm_options == parser.get_default("vllm_options"):
            args.vllm_options = '{"enforce_eager": true}'
    shapes = (
        SMOKE_SHAPE
        if args.smoke
        else {k: v for k, v in SHAPES.items() if not args.shapes or k in args.shapes}
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    args.log_dir = out
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    device = (
        torch.cuda.get_device_name(0)
        if torch.cuda.is_available()
        else f"CPU ({os.cpu_count()} cores)"
    )
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "device": device,
        "host": platform.node(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "torch": torch.__version__,
        "peak_tflops_bf16_dense": args.peak_tflops,
        "settings": {k: v for k, v in vars(args).items() if k not in ("out", "log_dir")},
        "matmul_8192_bf16_tflops": None,
        "train": {},
        "generate": {},
    }
    try:
        import transformers

        record["transformers"] = transformers.__version__
    except ImportError:
        pass
    start_all = time.perf_counter()
    record["matmul_8192_bf16_tflops"] = round(matmul_tflops() or 0, 1) or None

    def save():
        record["total_s"] = round(time.perf_counter() - start_all, 1)
        (out / "gpu_throughput.json").write_text(json.dumps(record, indent=2) + "\n")
        (out / "gpu_throughput.md").write_text(markdown(record))

    with tempfile.TemporaryDirectory(prefix="gpu_throughput_") as tmp:
        root = Path(tmp)
        if args.only != "generate":
            for name, shape in shapes.items():
                for method in args.methods:
                    log(f"train {name} {method}")
                    try:
                        result = train_case(shape, name, method, args, root)
                    except Exception as exc:  # noqa: BLE001 -- one failing case must not lose the others
                        result = {"status": f"not computed: {type(exc).__name__}: {str(exc)[:300]}"}
                    if result.get("mfu") is not None and record["matmul_8192_bf16_tflops"]:
                        result["mfu_vs_matmul"] = round(
                            result["model_tflops"] / record["matmul_8192_bf16_tflops"], 4
                        )
                    record["train"].setdefault(name, {})[method] = result
                    log(f"  {json.dumps(result)}")
                    save()
        if args.only != "train":
            for name, shape in shapes.items():
                prompts = prompts_for(shape, args.gen_prompts)
                gen = record["generate"].setdefault(name, {})
                for label, subset, batch, sort in (
                    ("paper", prompts[: args.paper_prompts], 8, False),
                    ("hf_sorted", prompts[: args.paper_prompts], args.hf_batch, True),
                    ("hf_sorted_all", prompts, args.hf_batch, True),
                ):
                    log(f"generate {name} {label}")
                    try:
                        gen[label] = dict(
                            hf_generate(shape, subset, batch, sort, args.gen_new),
                            prompts=len(subset),
                        )
                    except Exception as exc:  # noqa: BLE001
                        gen[label] = {
                            "status": f"not computed: {type(exc).__name__}: {str(exc)[:300]}"
                        }
                    log(f"  {json.dumps(gen[label])}")
                    save()
                log(f"generate {name} vllm")
                gen["vllm"] = dict(
                    vllm_generate(shape, name, prompts, args, root), prompts=len(prompts)
                )
                log(f"  {json.dumps(gen['vllm'])}")
                save()
    save()
    print(markdown(record))
    return 0


def _cell(value) -> str:
    return " ".join(str(value).split()).replace("|", "/")


def markdown(record: dict) -> str:
    lines = [
        f"# GPU throughput ({record['device']}, {record['date']})",
        "",
        f"Command: `{record['command']}`; torch {record['torch']}; peak {record['peak_tflops_bf16_dense']} "
        f"TFLOP/s bf16 dense; measured 8192^3 bf16 matmul: {record['matmul_8192_bf16_tflops']} TFLOP/s.",
        "",
        "## Training",
        "",
        "| shape | method | tokens/s | model TFLOP/s | MFU | MFU vs matmul | peak GiB | status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, methods in record["train"].items():
        for method, r in methods.items():
            lines.append(
                f"| {name} | {method} | {r.get('tokens_per_s', '')} | {r.get('model_tflops', '')} | "
                f"{r.get('mfu', '')} | {r.get('mfu_vs_matmul', '')} | {r.get('peak_memory_gib', '')} | "
                f"{_cell(r['status'])} |"
            )
    lines += [
        "",
        "## Generation (new tokens/s)",
        "",
        "| shape | config | prompts | tokens/s | seconds | status |",
        "|---|---|---|---|---|---|",
    ]
    for name, configs in record["generate"].items():
        for label, r in configs.items():
            if label == "vllm" and r.get("status", "ok") == "ok" or "base" in r:
                for sub in ("base", "multi_lora"):
                    if sub in r:
                        s = r[sub]
                        lines.append(
                            f"| {name} | vllm {sub} | {r.get('prompts')} | {s['tokens_per_s']} | "
                            f"{s['seconds']} | ok (engine start {r.get('engine_start_s')} s) |"
                        )
            else:
                lines.append(
                    f"| {name} | {label} | {r.get('prompts', '')} | {r.get('tokens_per_s', '')} | "
                    f"{r.get('seconds', '')} | {_cell(r.get('status', 'ok'))} |"
                )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
