# Cluster sizing of the GPU rules (helpers only, no rules): GPUs, host memory, wall time and
# CPUs scaled by the base model's size (config models.<m>.params_b, billions of parameters) and
# the fine-tuning kind. Included right after common.smk. Rules use them as
#     resources: **train_resources()
# Local runs ignore them (no --resources limits); profiles/slurm turns them into sbatch flags
# (gpu -> --gpus, mem_mb -> --mem, runtime -> -t, cpus_per_task -> --cpus-per-task).
# A profile's set-resources wins over these values (profiles/slurm-test does that for a 2-core
# test node). Figures are estimates for A100/H100-class GPUs; see docs/slurm.md.

from codepeft import slurm_site

# Site settings (account, partitions, qos, the time-limit signal, per-model GPU constraint):
# slurm-site.yaml beside the Snakefile or $CODEPEFT_SLURM_SITE, overridden by CODEPEFT_SLURM_*
# variables (codepeft/slurm_site.py, docs/slurm.md). Resources, not params: a change reruns
# nothing; local runs ignore them.
SITE = slurm_site.load(workflow.basedir)


def site_gpu_resources(signal=False):
    """Account, GPU partition, qos and (with `signal`) the time-limit signal of a GPU job on
    the model of its wildcards; a model's constraint / GPU type from the site's `gpu:` map
    (the other models get '', i.e. no constraint)."""
    res = SITE.gpu_job(None, signal=signal)
    for key in sorted({k for spec in SITE.gpu.values() for k in spec}):
        res[key] = lambda wildcards, key=key: SITE.gpu.get(wildcards.model, {}).get(
            key, ""
        )
    return res


# Longest wall time asked for (minutes). Clusters commonly cap jobs at 48 h; a training that
# needs longer is stopped at the limit (SIGUSR1 10 min before it, profiles/slurm), saves a
# checkpoint and the retried job resumes (restart-times).
GPU_MAX_RUNTIME_MIN = 2880

# Host memory (MB): a base for Python/CUDA/tokenized data plus a per-billion-parameter term.
# Loading a checkpoint goes through host memory (fp32/bf16 weights), and full fine-tuning also
# saves full-size checkpoints from host memory; QLoRA keeps only 4-bit weights plus adapters.
_TRAIN_MEM_MB = {
    "full": (16000, 12000),
    "lora": (16000, 6000),
    "dora": (16000, 6000),
    "qlora": (12000, 4000),
}
# Wall time (minutes) for the paper's 5 epochs with early stopping, per job.
_TRAIN_RUNTIME_MIN = {
    "full": (600, 960),
    "lora": (360, 480),
    "dora": (420, 560),
    # qlora: 12 % MFU (4-bit dequantization), 5 epochs: benchmarks/paper_scale.md
    "qlora": (480, 1200),
}
# CPUs per GPU of a training: its tokenization and packing run on this many processes
# (`dataset_num_proc`), and it asks for exactly these (threads = cpus_per_task).
CPUS_PER_GPU = 8
# CPUs of a generation job: tokenization and the decoding loop's host side; asks for what
# it uses (threads = cpus_per_task)
GENERATE_CPUS = 2


def params_b(model):
    """Billions of parameters of a base model (params_b; 1 if the config leaves it out)."""
    spec = config["models"].get(model) or {}
    return float(spec.get("params_b") or 1.0)


def training_multi_gpu(wildcards):
    """training.multi_gpu with the method's overrides (gpus, strategy), defaults filled."""
    merged = study.deep_merge(
        config.get("training", {}),
        config["methods"][wildcards.method].get("training", {}) or {},
    )
    multi = dict(merged.get("multi_gpu") or {})
    multi.setdefault("gpus", 1)
    multi.setdefault("strategy", "ddp")
    return multi


def _train_gpus(wildcards):
    return int(training_multi_gpu(wildcards)["gpus"])


def _train_mem_mb(wildcards, attempt):
    base, per_b = _TRAIN_MEM_MB.get(
        finetune_kind(wildcards.method), _TRAIN_MEM_MB["full"]
    )
    # every process of a multi-GPU run holds its own copy while loading
    mem = base + per_b * params_b(wildcards.model) * _train_gpus(wildcards)
    # a retry after an out-of-memory kill asks for 50 % more each time
    return int(mem * (1 + 0.5 * (attempt - 1)))


def _train_runtime(wildcards):
    base, per_b = _TRAIN_RUNTIME_MIN.get(
        finetune_kind(wildcards.method), _TRAIN_RUNTIME_MIN["full"]
    )
    minutes = (base + per_b * params_b(wildcards.model)) / _train_gpus(wildcards)
    return int(min(GPU_MAX_RUNTIME_MIN, max(60, minutes)))


def _generate_mem_mb(wildcards, attempt):
    return int((8000 + 4000 * params_b(wildcards.model)) * (1 + 0.5 * (attempt - 1)))


def _generate_runtime(wildcards):
    # up to ~15k test rows per file at batch 8 (summarization); code tasks are smaller
    return int(min(GPU_MAX_RUNTIME_MIN, 120 + 120 * params_b(wildcards.model)))


def train_threads(wildcards):
    """CPUs of a training: CPUS_PER_GPU per GPU (tokenization and packing processes); 1 for
    the tiny demo model (start-up bound: two jobs then run side by side)."""
    if is_tiny_model(wildcards.model):
        return 1
    return CPUS_PER_GPU * _train_gpus(wildcards)


def train_resources():
    """Resources of the train rule; GPUs = training.multi_gpu.gpus; memory/time by size & kind;
    CPUs = the rule's threads; the site's GPU partition and the time-limit signal."""
    return dict(
        gpu=_train_gpus,
        mem_mb=_train_mem_mb,
        runtime=_train_runtime,
        cpus_per_task=lambda wildcards, threads: threads,
        **site_gpu_resources(signal=True),
    )


def generate_resources():
    """Resources of the generate rule; one GPU, memory/time by size, CPUs = the rule's
    threads, the site's GPU partition."""
    return dict(
        gpu=1,
        mem_mb=_generate_mem_mb,
        runtime=_generate_runtime,
        cpus_per_task=lambda wildcards, threads: threads,
        **site_gpu_resources(),
    )


# CPUs of a vLLM job (its threads): the engine's scheduler and tokenization
VLLM_CPUS = 2


def vllm_generate_resources(model):
    """Resources of the per-base-model vLLM generation job (decoding.backend: vllm): one GPU
    serves the base model and every adapter for all test files of that model."""
    size = params_b(model)
    return dict(
        gpu=1,
        mem_mb=int(16000 + 8000 * size),
        runtime=int(min(GPU_MAX_RUNTIME_MIN, 120 + 240 * size)),
        cpus_per_task=VLLM_CPUS,
        **SITE.gpu_job(model),
    )


def model_threads(wildcards):
    """CPU threads of a job on one model's files (training, generation, surface metrics,
    execution): 2 (data loading beside the GPU; BERTScore's torch; two sandboxed samples at
    once), 1 for the tiny demo model (start-up bound: two jobs then run side by side).
    """
    return 1 if is_tiny_model(wildcards.model) else GENERATE_CPUS


# --- CPU rules -------------------------------------------------------------------------
# Host memory (MB) and wall time (minutes) of the CPU rules at paper scale, each at least 1.5x
# the peak RSS and wall time measured on the scale rehearsal (config/rehearsal.yaml: the
# paper's row counts; benchmarks/paper_scale.md, benchmarks/paper_scale_measurements.json,
# checked by tests/unit/test_slurm_resources.py). Without an entry a rule gets the profile's
# default-resources (2000 MB, 15 min). Memory grows by 50 % per retry, like the GPU rules'.
CPU_RESOURCES = {
    # streamed (codepeft.data): only ids are held; the hub path (paper preset) memory-maps the
    # Arrow table (~1.1 GB for Python code-to-text train) and converts it once on download
    "prepare_train_data": dict(mem_mb=4000, runtime=60),
    # the test splits: <= 15k rows (code-to-text test only with summarization_test: codexglue_test)
    "prepare_test_data": dict(mem_mb=2000, runtime=30),
    # streamed (codepeft.mixing.write_mixture): offsets + order of ~840k examples (tens of MB)
    "build_mixture": dict(mem_mb=2000, runtime=60),
    # the tiny demo model only (embedded default, rehearsal): a BPE tokenizer on the train text
    "build_tiny_model": dict(mem_mb=12000, runtime=120),
    "reference_predictions": dict(mem_mb=1000, runtime=15),
    "codereval_form": dict(mem_mb=1000, runtime=15),
    # 104 MB and 1.4 s on the rehearsal (x3 for the paper's 15 models): 1.5x is 470 MB, 7 s
    "stats": dict(mem_mb=1000, runtime=15),
    # streamed (codepeft.overlap): the test set's n-grams + one batch of 2000 training rows;
    # a 854k-row mixture of the paper's shape vs the 1000-item translation test: 83 MB peak,
    # 74 s CPU, 233 s wall on a loaded 2-core machine (benchmarks/overlap.md); room for the
    # 15k-item code-to-text test set and a slow node
    "overlap_audit": dict(mem_mb=1000, runtime=20),
    # every metric table once; sacrebleu's BLEU + chrF bootstrap ~2.5 s per 1000-item file
    # and ~4 s per paired test (benchmarks/bootstrap.md): ~5 min for the paper's files
    "intervals": dict(mem_mb=2000, runtime=30),
    # `report` runs beside Snakemake on the submit host (a localrule), so it asks for nothing
}


def cpu_resources(rule):
    """mem_mb (+50 % per retry) and runtime of a CPU rule, from CPU_RESOURCES."""
    spec = CPU_RESOURCES[rule]
    return dict(
        mem_mb=lambda wildcards, attempt: int(
            spec["mem_mb"] * (1 + 0.5 * (attempt - 1))
        ),
        runtime=spec["runtime"],
        **SITE.cpu(),
    )
