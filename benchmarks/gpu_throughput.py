"""GPU figures for the study's cost: training throughput and MFU of what the study runs, HF
vs vLLM generation. One command on a GPU node (< 8 minutes on one H100/H200; partial results
are written after every case, so a killed run keeps what it measured):

    python benchmarks/gpu_throughput.py --out results/gpu_throughput
    python benchmarks/gpu_throughput.py --out results/gpu_throughput --vllm-python .venv-vllm/bin/python
    python benchmarks/gpu_throughput.py --smoke --out /tmp/gpu     # CPU check, tiny shape
    # on a Slurm cluster (one GPU, 15 minutes):
    sbatch --gres=gpu:1 --time=15 --wrap "python benchmarks/gpu_throughput.py --out results/gpu_throughput"

Models: randomly initialised Qwen2 models of the Qwen2.5-Coder-0.5B, -1.5B and -3B shapes
(configs written below from the published config.json files; nothing is downloaded), saved to
a temporary folder with a small byte-level tokenizer (token ids only index the embedding: the
compute is that of the real model).

Training runs the study's own code: `codepeft.train.train` (TrainingSpec defaults = the paper's
values: QLoRA = NF4 double-quantised base with bf16 compute and LoRA r=8/alpha=16 on q,k,v,o,
gate,up,down via `codepeft.train._load_model`, no `prepare_model_for_kbit_training` since the
study does not call it; LoRA on a bf16 base; full fine-tuning with gradient checkpointing
("auto": on for full only); optimizer "auto" = adamw_bnb_8bit for (Q)LoRA on a GPU,
adamw_torch for full; TRL's SFTTrainer with wrapped packing at 512 tokens, micro-batch 2 x 512,
gradient accumulation 16) on a mixture of random-word summarization records. A callback added
to train.py's own callbacks times the optimizer steps after `--warmup` steps and stops the run
after `--steps` timed ones (nothing is saved). Peak memory is reset before each case (the
saved model is built beforehand and freed). Reported: tokens/s, model FLOPs per token, model
TFLOP/s and MFU = model FLOP/s / --peak-tflops (default 989.4, the H100/H200 SXM dense bf16
peak), also against a measured 8192^3 bf16 matmul.

Model FLOPs per token (`flops_per_token`; PaLM appendix B, attention not halved for
causality, recomputation of gradient checkpointing not counted): N = parameters of every
matmul (attention and MLP projections, the LM head), L layers, d hidden, T sequence length,
P = LoRA parameters (r x (d_in + d_out) per adapted projection):
- full:       6N + 12 L d T              (forward 2N, backward 4N: activation + weight grads)
- LoRA/QLoRA: 4N + 12 L d T + 6P         (frozen base: activation gradients only; attention
                                           has no weights, so its backward costs the full 8 L d T)
tests/unit/test_vllm_benchmarks.py checks both against torch.utils.flop_counter on a tiny model.

Generation (greedy, random prompt ids 64-512 tokens long, `--gen-new` new tokens each with EOS
ignored): the paper's way (HF generate, batch 8, file order), the HF backend (length-sorted,
batch `--hf-batch`), vLLM (all prompts at once) and vLLM serving 4 random rank-8 adapters
through LoRARequest (the study's generate_vllm job). Each generation case runs in its own
process group with a timeout; a failure or timeout is recorded ("not computed: ...") and its
whole group is killed (no orphaned engine keeps GPU memory). vLLM rows say "not available on
this machine" where `--vllm-python` cannot import vllm.

bitsandbytes (QLoRA, 8-bit AdamW) missing on the GPU machine: bring its wheel and pass it,

    pip download bitsandbytes==0.50.2 --no-deps --only-binary=:all: \
        --platform manylinux_2_24_x86_64 --python-version 3.11 -d wheels/
    python benchmarks/gpu_throughput.py --bnb-wheel wheels/bitsandbytes-0.50.2-*.whl --out ...

(installed with `pip install --no-deps --target <out>/_bnb`, put first on sys.path).

Writes gpu_throughput.json and gpu_throughput.md to --out (default $OUT, else ./gpu_throughput).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Qwen2.5-Coder-{0.5B,1.5B,3B}(-Instruct) config.json, the fields that set the shape.
_COMMON = dict(
    vocab_size=151936,
    tie_word_embeddings=True,
    max_position_embeddings=32768,
    rope_theta=1000000.0,
    rms_norm_eps=1e-6,
)
SHAPES = {
    "qwen2.5-coder-0.5b": dict(
        hidden_size=896,
        intermediate_size=4864,
        num_hidden_layers=24,
        num_attention_heads=14,
        num_key_value_heads=2,
        **_COMMON,
    ),
    "qwen2.5-coder-1.5b": dict(
        hidden_size=1536,
        intermediate_size=8960,
        num_hidden_layers=28,
        num_attention_heads=12,
        num_key_value_heads=2,
        **_COMMON,
    ),
    "qwen2.5-coder-3b": dict(
        hidden_size=2048,
        intermediate_size=11008,
        num_hidden_layers=36,
        num_attention_heads=16,
        num_key_value_heads=2,
        **_COMMON,
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
NOT_AVAILABLE = "not available on this machine"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- model FLOPs -------------------------------------------------------------------------------


def projections(shape: dict) -> dict[str, tuple[int, int]]:
    """(d_in, d_out) of each projection of one decoder layer."""
    d, f = shape["hidden_size"], shape["intermediate_size"]
    kv = d // shape["num_attention_heads"] * shape["num_key_value_heads"]
    return {
        "q_proj": (d, d),
        "k_proj": (d, kv),
        "v_proj": (d, kv),
        "o_proj": (d, d),
        "gate_proj": (d, f),
        "up_proj": (d, f),
        "down_proj": (f, d),
    }


def matmul_params(shape: dict) -> int:
    per_layer = sum(a * b for a, b in projections(shape).values())
    return shape["num_hidden_layers"] * per_layer + shape["vocab_size"] * shape["hidden_size"]


def lora_params(shape: dict, r: int = 8, targets=TARGETS) -> int:
    per_layer = sum(r * (a + b) for name, (a, b) in projections(shape).items() if name in targets)
    return shape["num_hidden_layers"] * per_layer


def flops_per_token(shape: dict, seq: int, method: str, r: int = 8, targets=TARGETS) -> float:
    """Model FLOPs per trained token (see the module docstring)."""
    n = matmul_params(shape)
    attn = 12 * shape["num_hidden_layers"] * shape["hidden_size"] * seq
    if method == "full":
        return 6 * n + attn
    return 4 * n + attn + 6 * lora_params(shape, r, targets)


# --- models on disk --------------------------------------------------------------------------


def qwen2_config(shape: dict, eos: int | None = None, pad: int | None = None):
    from transformers import Qwen2Config

    return Qwen2Config(
        **shape,
        bos_token_id=None,
        eos_token_id=shape["vocab_size"] - 1 if eos is None else eos,
        pad_token_id=shape["vocab_size"] - 2 if pad is None else pad,
    )


def random_model(shape: dict, device: str, dtype, attn_implementation: str | None = None):
    import torch
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    kwargs = {"attn_implementation": attn_implementation} if attn_implementation else {}
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(qwen2_config(shape), dtype=dtype, **kwargs)
    return model


WORDS = [f"w{i}" for i in range(600)]


def small_tokenizer():
    """A byte-level BPE tokenizer (the study's builder) over the benchmark's random words."""
    from codepeft.models import build_tokenizer

    rng = random.Random(0)
    corpus = [" ".join(rng.choice(WORDS) for _ in range(64)) for _ in range(400)]
    return build_tokenizer(corpus, vocab_size=1024)


def saved_random_model(shape: dict, name: str, root: Path, dtype, device: str) -> Path:
    """A random model + tokenizer on disk (training loads it through from_pretrained, vLLM too).
    Built on `device` and freed again before any measured case starts."""
    import torch

    path = root / name
    if (path / "config.json").exists():
        return path
    tokenizer = small_tokenizer()
    eos, pad = tokenizer.convert_tokens_to_ids(["<|im_end|>", "<|endoftext|>"])
    torch.manual_seed(0)
    from transformers import AutoModelForCausalLM

    with torch.device(device):
        model = AutoModelForCausalLM.from_config(qwen2_config(shape, eos, pad), dtype=dtype)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    del model
    _free()
    return path


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _free() -> None:
    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


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
    result = 2 * 8192**3 * 10 / (time.perf_counter() - start) / 1e12
    del a, b
    _free()
    return result


# --- training: the study's own code path ---------------------------------------------------


def mixture_rows(n_rows: int, words_per_row: int, seed: int = 0) -> list[dict]:
    """Conversational prompt/completion rows (codepeft.mixing's form) of random words."""
    from codepeft.mixing import to_example

    rng = random.Random(seed)
    rows = []
    for i in range(n_rows):
        code = " ".join(rng.choice(WORDS) for _ in range(words_per_row))
        record = {
            "id": f"b{i}",
            "task": "summarization",
            "language": "python",
            "split": "train",
            "inputs": {"code": code},
            "reference": " ".join(rng.choice(WORDS) for _ in range(12)),
            "meta": {},
        }
        rows.append(to_example(record))
    return rows


class _Done(Exception):
    """Raised by the timing callback after the last timed step: the run stops, nothing saved."""


def train_case(shape: dict, name: str, method: str, args, root: Path) -> dict:
    """One training case through codepeft.train.train (the study's path); see the docstring."""
    import torch
    from transformers import TrainerCallback

    from codepeft import train as train_mod
    from codepeft.io import write_jsonl

    device = "cuda" if _cuda() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model_dir = saved_random_model(shape, name, root, dtype, device)
    mix = root / f"mix-{args.seq}.jsonl"
    if not mix.exists():
        tokens = (args.warmup + args.steps + 1) * args.accum * args.batch * args.seq
        words = max(32, args.seq)  # about 2 tokens per word: rows longer than a packed block
        write_jsonl(mix, mixture_rows(max(8, tokens // words + 8), words))
    spec = train_mod.TrainingSpec(
        max_steps=args.warmup + args.steps + 1,
        warmup_steps=0,
        per_device_batch_size=args.batch,
        gradient_accumulation_steps=args.accum,
        max_length=args.seq,
        eval_steps=10**6,
        save_steps=10**6,
        logging_steps=10**6,
        early_stopping_patience=None,
    )
    probe: dict = {"step_ends": []}

    class Timing(TrainerCallback):
        def on_train_begin(self, args_, state, control, model=None, **kwargs):
            from codepeft.cost import parameter_counts

            probe["trainable"], probe["total"] = parameter_counts(model)
            dtypes: dict[str, int] = {}
            for p in model.parameters():
                key = str(p.dtype).replace("torch.", "")
                dtypes[key] = dtypes.get(key, 0) + p.numel()
            probe["param_dtypes"] = dtypes
            probe["optimizer"] = str(getattr(args_.optim, "value", args_.optim))
            probe["gradient_checkpointing"] = bool(args_.gradient_checkpointing)
            probe["precision"] = "bf16" if args_.bf16 else ("fp16" if args_.fp16 else "fp32")
            _sync()
            probe["step_ends"].append(time.perf_counter())

        def on_step_end(self, args_, state, control, **kwargs):
            _sync()
            probe["step_ends"].append(time.perf_counter())
            if state.global_step >= args.warmup + args.steps:
                raise _Done()

    made = train_mod._make_callbacks
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGUSR1)}
    train_mod._make_callbacks = lambda *a: made(*a) + [Timing()]
    _free()  # the peak of this case starts here
    at_start = torch.cuda.memory_allocated() / 2**30 if device == "cuda" else None
    try:
        train_mod.train(
            str(model_dir),
            "qlora" if method == "qlora" else ("full" if method == "full" else "lora"),
            str(mix),
            None,
            str(root / f"out-{name}-{method}"),
            str(root / f"ckpt-{name}-{method}"),
            spec,
        )
        return {"status": "not computed: training ended before the timed steps"}
    except _Done:
        pass
    except train_mod.FourBitUnavailable as exc:
        return {"status": f"not computed: {str(exc)[:200]}"}
    finally:
        train_mod._make_callbacks = made
        for sig, handler in handlers.items():  # train() installs its own; put ours back
            signal.signal(sig, handler)
    ends = probe["step_ends"]
    timed = [b - a for a, b in zip(ends, ends[1:], strict=False)][args.warmup :]
    tokens = args.batch * args.seq * args.accum
    per_step = sum(timed) / len(timed)
    peak = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else None
    flops = flops_per_token(shape, args.seq, "full" if method == "full" else "lora")
    achieved = flops * tokens / per_step / 1e12
    result = {
        "status": "ok",
        "tokens_per_s": round(tokens / per_step, 1),
        "step_s": round(per_step, 4),
        "timed_steps": len(timed),
        "micro_batch": f"{args.batch}x{args.seq}",
        "accumulation": args.accum,
        "trainable_params": probe.get("trainable"),
        "total_params": probe.get("total"),
        "param_dtypes": probe.get("param_dtypes"),
        "optimizer": probe.get("optimizer"),
        "gradient_checkpointing": probe.get("gradient_checkpointing"),
        "precision": probe.get("precision"),
        "flops_per_token": flops,
        "model_tflops": round(achieved, 2),
        "mfu": round(achieved / args.peak_tflops, 4),
        "peak_memory_gib": round(peak, 2) if peak is not None else None,
        # what an earlier case left allocated (counted in the peak): 0 when nothing leaked
        "allocated_at_start_gib": round(at_start, 3) if at_start is not None else None,
    }
    _free()
    return result


# --- generation: each case in its own process group ----------------------------------------


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
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    start, tokens = time.perf_counter(), 0
    for b in range(0, len(order), batch):
        tokens += run(order[b : b + batch])
    _sync()
    seconds = time.perf_counter() - start
    return {
        "status": "ok",
        "new_tokens": tokens,
        "seconds": round(seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1),
        "batch": batch,
        "sorted": sort,
        "prompts": len(prompts),
        "peak_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2)
        if device == "cuda"
        else None,
    }


def hf_child(cfg: dict) -> None:
    """Child process: the HF generation configurations of one shape, one RESULT line each."""
    shape, prompts = cfg["shape"], cfg["prompts"]
    for label, n, batch, sort in cfg["configs"]:
        try:
            result = hf_generate(shape, prompts[:n], batch, sort, cfg["new"])
        except Exception as exc:  # noqa: BLE001 - recorded, the next configuration runs
            result = {"status": f"not computed: {type(exc).__name__}: {str(exc)[:300]}"}
        print("RESULT " + json.dumps({"label": label, **result}), flush=True)
        _free()


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
    print("RESULT " + json.dumps({"label": "engine", "status": "ok",
                                  "engine_start_s": round(time.perf_counter() - start, 1)}), flush=True)
    for label, loras in (("vllm base", None), ("vllm multi_lora", adapters)):
        if loras is not None and not loras:
            print("RESULT " + json.dumps({"label": label, "status": "not computed: no adapters (peft missing)"}), flush=True)
            continue
        try:
            reqs = None if not loras else [LoRARequest(f"a{i % len(loras)}", i % len(loras) + 1, loras[i % len(loras)])
                                           for i in range(len(prompts))]
            llm.generate(prompts[:8], params, lora_request=reqs[:8] if reqs else None, use_tqdm=False)  # warm-up
            start = time.perf_counter()
            res = llm.generate(prompts, params, lora_request=reqs, use_tqdm=False)
            seconds = time.perf_counter() - start
            tokens = sum(len(r.outputs[0].token_ids) for r in res)
            out = {"status": "ok", "new_tokens": tokens, "seconds": round(seconds, 2),
                   "tokens_per_s": round(tokens / seconds, 1), "prompts": len(prompts),
                   "adapters": len(loras or [])}
        except Exception as exc:
            out = {"status": f"not computed: {type(exc).__name__}: {str(exc)[:300]}"}
        print("RESULT " + json.dumps({"label": label, **out}), flush=True)
if __name__ == "__main__":
    main()
"""


def run_group(cmd: list[str], timeout: float, log_path: Path, env=None) -> tuple[list[dict], str]:
    """Run `cmd` in its own process group; kill the whole group on timeout or when done.
    Returns the RESULT lines it printed and a status ('ok' or 'not computed: ...')."""
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=log_file, text=True, env=env, start_new_session=True
        )
        status = "ok"
        try:
            out, _ = proc.communicate(timeout=max(1.0, timeout))
        except subprocess.TimeoutExpired:
            status = f"not computed: timed out after {timeout:.0f} s (process group killed)"
            out = ""
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the child and anything it started
            except (ProcessLookupError, PermissionError):
                pass
            if proc.poll() is None:
                out = (out or "") + (proc.communicate()[0] or "")
        log_file.write("\n--- stdout ---\n" + (out or ""))
    if status == "ok" and proc.returncode:
        status = f"not computed: exited with status {proc.returncode} (see {log_path.name})"
    results = [
        json.loads(line[len("RESULT ") :])
        for line in (out or "").splitlines()
        if line.startswith("RESULT ")
    ]
    return results, status


def random_adapters(shape: dict, base: Path, path: Path, n: int) -> list[str]:
    """n rank-8 LoRA adapters with random weights on the saved base model."""
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
    _free()
    return out


def vllm_available(python: str) -> str | None:
    """The vLLM version importable with `python`, or None."""
    try:
        probe = subprocess.run(
            [python, "-c", "import vllm; print(vllm.__version__)"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return probe.stdout.strip() if probe.returncode == 0 else None


def vllm_generate(shape, name, prompts, args, root: Path, timeout: float) -> dict[str, dict]:
    python = args.vllm_python or sys.executable
    version = vllm_available(python)
    if version is None:
        status = f"{NOT_AVAILABLE} (vllm not importable with {python})"
        return {"vllm base": {"status": status}, "vllm multi_lora": {"status": status}}
    import torch

    dtype = torch.bfloat16 if _cuda() else torch.float32
    path = saved_random_model(shape, name, root, dtype, "cuda" if _cuda() else "cpu")
    try:
        adapters = random_adapters(shape, path, root / f"{name}-adapters", 4)
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
    if not _cuda():  # vLLM's CPU build reserves 92% of RAM by default: a fixed KV cache
        env.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    results, status = run_group(
        [python, str(script), json.dumps(cfg)], timeout, args.log_dir / f"vllm-{name}.log", env
    )
    by = {r.pop("label"): r for r in results}
    engine = by.pop("engine", {})
    out = {}
    for label in ("vllm base", "vllm multi_lora"):
        r = by.get(label) or {"status": status if status != "ok" else "not computed: no result"}
        r.update(version=version, engine_start_s=engine.get("engine_start_s"))
        out[label] = r
    return out


# --- driver ---------------------------------------------------------------------------------


def install_bnb_wheel(wheel: str, out: Path) -> str:
    """Install a bitsandbytes wheel into <out>/_bnb (no dependencies) and import from there."""
    target = out / "_bnb"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), wheel],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        return f"not computed: pip install {wheel} failed: {done.stderr.strip()[-200:]}"
    sys.path.insert(0, str(target))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(target)] + [p for p in [os.environ.get("PYTHONPATH")] if p]
    )
    return "ok"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=os.environ.get("OUT") or "gpu_throughput")
    parser.add_argument("--smoke", action="store_true", help="tiny shape, few steps (CPU check)")
    parser.add_argument("--only", choices=["train", "generate"], default=None)
    parser.add_argument("--shapes", nargs="*", default=None, help=f"subset of {list(SHAPES)}")
    parser.add_argument("--methods", nargs="*", default=["qlora", "lora", "full"])
    parser.add_argument("--batch", type=int, default=2, help="micro-batch (the study's: 2)")
    parser.add_argument("--seq", type=int, default=512, help="packed length (the study's: 512)")
    parser.add_argument("--accum", type=int, default=16, help="gradient accumulation (study: 16)")
    parser.add_argument("--warmup", type=int, default=1, help="optimizer steps not timed")
    parser.add_argument("--steps", type=int, default=2, help="optimizer steps timed")
    parser.add_argument("--peak-tflops", type=float, default=H100_H200_BF16_DENSE_TFLOPS)
    parser.add_argument("--gen-prompts", type=int, default=256)
    parser.add_argument("--gen-new", type=int, default=128)
    parser.add_argument("--hf-batch", type=int, default=64)
    parser.add_argument(
        "--paper-prompts",
        type=int,
        default=32,
        help="the paper's way (batch 8) runs on the first N prompts only (it is slow)",
    )
    parser.add_argument("--vllm-python", default=None)
    parser.add_argument("--vllm-options", default='{"gpu_memory_utilization": 0.5}')
    parser.add_argument("--vllm-timeout", type=int, default=240)
    parser.add_argument("--hf-timeout", type=int, default=180)
    parser.add_argument(
        "--budget-s", type=int, default=460, help="stop starting cases after this many seconds"
    )
    parser.add_argument("--bnb-wheel", default=None, help="bitsandbytes wheel, if not installed")
    parser.add_argument("--child", choices=["hf"], default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-config", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "hf":
        hf_child(json.loads(Path(args.child_config).read_text()))
        return 0
    if args.smoke:
        args.batch, args.seq, args.accum, args.warmup, args.steps = 2, 64, 1, 1, 2
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
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    bnb_status = None
    if args.bnb_wheel:
        try:
            import bitsandbytes  # noqa: F401

            bnb_status = "installed already; wheel not used"
        except ImportError:
            bnb_status = install_bnb_wheel(args.bnb_wheel, out)
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
        "settings": {k: v for k, v in vars(args).items() if k not in ("out", "log_dir", "child")},
        "bitsandbytes_wheel": bnb_status,
        "matmul_8192_bf16_tflops": None,
        "train": {},
        "generate": {},
    }
    for package in ("transformers", "trl", "peft", "bitsandbytes"):
        try:
            record[package] = __import__(package).__version__
        except Exception:  # noqa: BLE001 - a missing package is recorded as missing
            record[package] = None
    start_all = time.perf_counter()

    def left() -> float:
        return args.budget_s - (time.perf_counter() - start_all)

    def save():
        record["total_s"] = round(time.perf_counter() - start_all, 1)
        (out / "gpu_throughput.json").write_text(json.dumps(record, indent=2) + "\n")
        (out / "gpu_throughput.md").write_text(markdown(record))

    record["matmul_8192_bf16_tflops"] = round(matmul_tflops() or 0, 1) or None
    save()
    with tempfile.TemporaryDirectory(prefix="gpu_throughput_") as tmp:
        root = Path(tmp)
        if args.only != "generate":
            for name, shape in shapes.items():
                for method in args.methods:
                    if left() <= 0:
                        result = {"status": "not computed: time budget (--budget-s) spent"}
                    else:
                        log(f"train {name} {method}")
                        try:
                            result = train_case(shape, name, method, args, root)
                        except Exception as exc:  # noqa: BLE001 - one failing case must not lose the others
                            result = {
                                "status": f"not computed: {type(exc).__name__}: {str(exc)[:300]}"
                            }
                            _free()
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
                configs = [
                    ("paper", args.paper_prompts, 8, False),
                    ("hf_sorted", args.paper_prompts, args.hf_batch, True),
                    ("hf_sorted_all", len(prompts), args.hf_batch, True),
                ]
                if left() <= 0:
                    for label, *_ in configs:
                        gen[label] = {"status": "not computed: time budget (--budget-s) spent"}
                else:
                    log(f"generate {name} hf")
                    cfg_path = root / f"hf-{name}.json"
                    cfg_path.write_text(
                        json.dumps(
                            {
                                "shape": shape,
                                "prompts": prompts,
                                "new": args.gen_new,
                                "configs": configs,
                            }
                        )
                    )
                    results, status = run_group(
                        [
                            sys.executable,
                            __file__,
                            "--child",
                            "hf",
                            "--child-config",
                            str(cfg_path),
                        ],
                        min(args.hf_timeout, left()),
                        out / f"hf-{name}.log",
                    )
                    by = {r.pop("label"): r for r in results}
                    for label, *_ in configs:
                        gen[label] = by.get(label) or {"status": status}
                for label, *_ in configs:
                    log(f"  {label}: {json.dumps(gen[label])}")
                save()
                if left() <= 0:
                    for label in ("vllm base", "vllm multi_lora"):
                        gen[label] = {"status": "not computed: time budget (--budget-s) spent"}
                else:
                    log(f"generate {name} vllm")
                    gen.update(
                        vllm_generate(
                            shape, name, prompts, args, root, min(args.vllm_timeout, left())
                        )
                    )
                log(f"  vllm: {json.dumps({k: v for k, v in gen.items() if k.startswith('vllm')})}")
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
        f"Command: `{record['command']}`; torch {record['torch']}, transformers "
        f"{record.get('transformers')}, trl {record.get('trl')}, peft {record.get('peft')}, "
        f"bitsandbytes {record.get('bitsandbytes')}; peak {record['peak_tflops_bf16_dense']} "
        f"TFLOP/s bf16 dense; measured 8192^3 bf16 matmul: {record['matmul_8192_bf16_tflops']} "
        f"TFLOP/s; {record.get('total_s')} s in all.",
        "",
        "## Training (codepeft.train: micro-batch x packed length, accumulation, optimizer)",
        "",
        "| shape | method | tokens/s | model TFLOP/s | MFU | MFU vs matmul | peak GiB | "
        "trainable | optimizer | grad ckpt | status |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, methods in record["train"].items():
        for method, r in methods.items():
            lines.append(
                f"| {name} | {method} | {r.get('tokens_per_s', '')} | {r.get('model_tflops', '')} | "
                f"{r.get('mfu', '')} | {r.get('mfu_vs_matmul', '')} | {r.get('peak_memory_gib') or ''} | "
                f"{r.get('trainable_params', '')} | {r.get('optimizer', '')} | "
                f"{r.get('gradient_checkpointing', '')} | {_cell(r['status'])} |"
            )
    lines += [
        "",
        "## Generation (new tokens/s)",
        "",
        "| shape | config | prompts | tokens/s | seconds | peak GiB | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, configs in record["generate"].items():
        for label, r in configs.items():
            status = _cell(r.get("status", ""))
            if r.get("engine_start_s") is not None and r.get("status") == "ok":
                status += f" (engine start {r['engine_start_s']} s)"
            lines.append(
                f"| {name} | {label} | {r.get('prompts', '')} | {r.get('tokens_per_s', '')} | "
                f"{r.get('seconds', '')} | {r.get('peak_memory_gib', '') or ''} | {status} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
