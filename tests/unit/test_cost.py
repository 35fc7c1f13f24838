"""Cost records (codepeft.cost), the report's cost section and the study-cost extrapolation."""

import json
from pathlib import Path

import pytest

from codepeft import cost as C
from codepeft.io import write_jsonl
from codepeft.paper.workload import paper_workload
from codepeft.report import cost as RC
from tests.conftest import tiny_records

BENCH_HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def _bench(path: Path, seconds: float, cpu: float):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BENCH_HEADER + f"{seconds}\t0:00:00\t100\t1\t1\t1\t0\t0\t50\t{cpu}\n")


def test_cost_path_and_generation_record(tmp_path):
    assert C.cost_path("results/predictions/m/x/summarization/python.jsonl") == (
        "results/predictions/m/x/summarization/python.cost.json"
    )
    rows = [{"n_new_tokens": 10, "n_prompt_tokens": 5}, {"n_new_tokens": 30, "n_prompt_tokens": 7}]
    path = C.write_generation_cost(tmp_path / "p.cost.json", rows, seconds=2.0, load_seconds=1.5)
    rec = json.loads(Path(path).read_text())
    assert rec["new_tokens"] == 40 and rec["prompt_tokens"] == 12 and rec["records"] == 2
    assert rec["new_tokens_per_s"] == 20.0 and rec["load_seconds"] == 1.5
    assert rec["device_type"] == "cpu" and rec["peak_memory_kind"] == "cpu_rss"
    assert rec["peak_memory_gib"] > 0


def test_job_hours_gpu_wall_times_devices_cpu_from_cpu_time(tmp_path):
    _bench(tmp_path / "b.tsv", seconds=1800, cpu=7200)
    bench = C.read_benchmark(tmp_path / "b.tsv")
    assert bench["s"] == 1800 and bench["cpu_time"] == 7200
    assert C.job_hours(bench, {"device_type": "cuda", "device_count": 4}) == (2.0, "GPU-hours")
    assert C.job_hours(bench, {"device_type": "cpu"}) == (2.0, "CPU-hours")
    # no benchmark file: the record's own wall time
    assert C.job_hours(None, {"device_type": "cuda", "device_count": 1, "wall_seconds": 360}) == (
        0.1,
        "GPU-hours",
    )
    assert C.read_benchmark(tmp_path / "missing.tsv") is None


def test_parameter_counts_lora_and_packed_4bit():
    torch = pytest.importorskip("torch")
    peft = pytest.importorskip("peft")
    model = torch.nn.Sequential(torch.nn.Linear(16, 16, bias=False), torch.nn.Linear(16, 4))
    assert C.parameter_counts(model) == (256 + 68, 256 + 68)
    lora = peft.get_peft_model(
        model, peft.LoraConfig(r=2, target_modules=["0"], lora_dropout=0.0, lora_alpha=4)
    )
    trainable, total = C.parameter_counts(lora)
    assert trainable == 2 * 16 + 16 * 2  # A and B of the one adapted layer
    assert total == 256 + 68 + trainable

    class Packed(torch.nn.Parameter):
        pass

    packed = Packed(torch.zeros(8, 1), requires_grad=False)  # 4-bit: 2 values per byte
    packed.quant_state = type("QS", (), {"shape": torch.Size([4, 4])})()
    holder = torch.nn.Module()
    holder.w = packed
    assert C.parameter_counts(holder) == (0, 16)


@pytest.mark.slow
def test_training_writes_its_cost_record(tmp_path, tiny_model):
    from codepeft import mixing, train

    records = tiny_records("summarization", 16)
    write_jsonl(tmp_path / "data.jsonl", records)
    write_jsonl(tmp_path / "mix.jsonl", mixing.build_mixture([str(tmp_path / "data.jsonl")]))
    spec = train.TrainingSpec.from_dict(
        {
            "max_steps": 2,
            "warmup_steps": 0,
            "per_device_batch_size": 2,
            "gradient_accumulation_steps": 1,
            "max_length": 64,
            "logging_steps": 1,
        }
    )
    info = train.train(
        str(tiny_model),
        "lora",
        str(tmp_path / "mix.jsonl"),
        None,
        str(tmp_path / "out"),
        str(tmp_path / "ckpt"),
        spec,
    )
    rec = json.loads((tmp_path / "out" / "codepeft_training.json").read_text())["cost"]
    # the training's Arrow copies (ckpt.datasets) go with its checkpoints once it has saved
    assert not (tmp_path / "ckpt").exists() and not train.datasets_cache(tmp_path / "ckpt").exists()
    assert rec == json.loads(json.dumps(info["cost"]))
    assert 0 < rec["trainable_params"] < rec["total_params"]
    assert 0 < rec["trainable_pct"] < 100
    # packing 'wrapped' fills every row: 2 steps x 2 rows x 64 tokens
    assert rec["tokens_seen"] == 2 * 2 * 64
    assert rec["tokens_per_s"] > 0 and rec["train_seconds"] > 0
    assert rec["wall_seconds"] >= rec["train_seconds"]
    assert rec["device_type"] == "cpu" and rec["device_count"] == 1
    assert rec["peak_memory_kind"] == "cpu_rss" and rec["peak_memory_gib"] > 0
    _assert_energy_labelled(rec)
    # `codepeft generate` writes its cost record beside the predictions
    from codepeft import generate
    from codepeft.io import read_jsonl

    write_jsonl(tmp_path / "test.jsonl", records[:3])
    preds = tmp_path / "preds" / "python.jsonl"
    argv = ["--model", str(tiny_model), "--adapter", str(tmp_path / "out")]
    argv += ["--data", str(tmp_path / "test.jsonl"), "--out", str(preds)]
    assert generate.main(argv + ["--decoding-json", '{"max_new_tokens": 4}']) == 0
    gen = json.loads((tmp_path / "preds" / "python.cost.json").read_text())
    assert gen["records"] == 3 and gen["backend"] == "hf"
    assert gen["new_tokens"] == sum(r["n_new_tokens"] for r in read_jsonl(preds)) > 0
    _assert_energy_labelled(gen)


def _assert_energy_labelled(record: dict) -> None:
    """A job's energy: measured (kWh > 0, per device) or `not measured: <reason>`, whichever
    this machine allows (codepeft.energy)."""
    assert record["energy_seconds"] > 0
    if record["energy_status"] == "measured":
        assert record["energy_kwh"] > 0 and record["energy_devices"]
        assert record["energy_source"] in ("rapl", "nvml", "nvml+rapl")
    else:
        assert record["energy_status"].startswith("not measured: "), record["energy_status"]
        assert record["energy_kwh"] is None and record["energy_source"] is None


# --- the report's cost section ------------------------------------------------------------


def _train_record(model_dir: Path, trainable, total, tokens, seconds, device="cpu", gpus=1):
    model_dir.mkdir(parents=True, exist_ok=True)
    rec = {
        "trainable_params": trainable,
        "total_params": total,
        "trainable_pct": round(100 * trainable / total, 4),
        "peak_memory_gib": 1.5,
        "peak_memory_kind": "cpu_rss" if device == "cpu" else "accelerator",
        "tokens_seen": tokens,
        "train_seconds": seconds,
        "wall_seconds": seconds + 5,
        "tokens_per_s": tokens / seconds,
        "device_type": device,
        "device_name": "CPU (2 cores)" if device == "cpu" else "NVIDIA H200",
        "device_count": gpus,
    }
    finetune = "full" if "fft" in str(model_dir) else "qlora"
    info = {"finetune_used": finetune, "cost": rec, "train_rows": 36}
    info["train_metrics"] = {"epoch": 1.0}  # 3600 tokens seen over 36 rows: 100 per row
    (model_dir / "codepeft_training.json").write_text(json.dumps(info))


def _gen_record(path: Path, new, seconds, device="cpu"):
    path.parent.mkdir(parents=True, exist_ok=True)
    rec = C.generation_cost([{"n_new_tokens": new, "n_prompt_tokens": 1}], seconds, 1.0)
    rec.update(device_type=device, device_count=1, device_name=device)
    path.write_text(json.dumps(rec))


def _fixture_study(root: Path, device="cpu"):
    """2 models x (mt_qlora, mt_fft), one training each, one generation set each."""
    model_dirs, costs = [], []
    for model in ("small", "big"):
        for method, trainable in (("mt_qlora", 100), ("mt_fft", 1000)):
            d = f"results/models/{model}/{method}/seed-42/multi"
            _train_record(root / d, trainable, 1000, tokens=3600, seconds=36, device=device)
            _bench(root / f"results/benchmarks/train/{model}/{method}/seed-42/multi.tsv", 360, 720)
            model_dirs.append(d)
            c = f"results/predictions/{model}/{method}/seed-42/generation/python.cost.json"
            _gen_record(root / c, new=500, seconds=5, device=device)
            bench = f"results/benchmarks/generate/{model}/{method}/seed-42/generation/python.tsv"
            _bench(root / bench, 36, 72)
            costs.append(c)
    return model_dirs, costs, RC.discover(root)["benchmarks"]


def test_cost_table_from_fixture_records(tmp_path):
    model_dirs, costs, benches = _fixture_study(tmp_path)
    assert len(benches) == 8
    jobs = RC.collect_jobs(model_dirs, costs, benches, str(tmp_path))
    rows = RC.cost_rows(jobs, ["small", "big"], ["zero_shot", "mt_qlora", "mt_fft"])
    assert [(r["model"], r["method"]) for r in rows] == [
        ("small", "mt_qlora"),
        ("small", "mt_fft"),
        ("big", "mt_qlora"),
        ("big", "mt_fft"),
        ("all", "all"),
    ]
    r = rows[0]
    assert r["trainable_pct"] == 10.0 and r["hours_unit"] == "CPU-hours"
    assert r["train_hours"] == pytest.approx(0.2)  # cpu_time 720 s
    assert r["generate_hours"] == pytest.approx(0.02)
    assert r["total_hours"] == pytest.approx(0.22)
    assert r["train_tokens_per_s"] == 100.0 and r["new_tokens_per_s"] == 100.0
    assert r["status"] == "ok"
    total = rows[-1]
    assert total["total_hours"] == pytest.approx(4 * 0.22)
    assert total["trainings"] == 4 and total["generation_sets"] == 4
    # on GPUs: wall time x devices, GPU-hours
    gpu_root = tmp_path / "gpu"
    model_dirs, costs, benches = _fixture_study(gpu_root, device="cuda")
    rows = RC.cost_rows(
        RC.collect_jobs(model_dirs, costs, benches, str(gpu_root)), ["small", "big"], ["mt_qlora"]
    )
    assert rows[0]["hours_unit"] == "GPU-hours"
    assert rows[0]["train_hours"] == pytest.approx(0.1)


def test_missing_record_is_reported_not_zero(tmp_path):
    model_dirs, costs, benches = _fixture_study(tmp_path)
    (tmp_path / costs[0]).unlink()
    jobs = RC.collect_jobs(model_dirs, costs, benches, str(tmp_path))
    rows = RC.cost_rows(jobs, ["small", "big"], ["mt_qlora", "mt_fft"])
    assert "1 generation set(s) without a cost record" in rows[0]["status"]
    # the benchmark file still gives that job's hours
    assert rows[0]["generate_hours"] == pytest.approx(0.02)


def test_quality_plot_has_one_point_per_model_and_method(tmp_path, monkeypatch):
    import matplotlib.axes

    model_dirs, costs, benches = _fixture_study(tmp_path)
    jobs = RC.collect_jobs(model_dirs, costs, benches, str(tmp_path))
    rows = RC.cost_rows(jobs, ["small", "big"], ["mt_qlora", "mt_fft"])
    config = {"tasks": {"generation": {}, "summarization": {}}, "models": {}}
    pass1 = [
        dict(model=m, method=meth, lang=lang, passes=k, n_tasks=10, **{"pass@1": k / 10})
        for k, (m, meth) in enumerate(
            [("small", "mt_qlora"), ("small", "mt_fft"), ("big", "mt_qlora"), ("big", "mt_fft")]
        )
        for lang in ("python", "java")
    ]
    means = [
        dict(
            family="surface",
            measure="bleu_sacre",
            task="summarization",
            lang="python",
            model=m,
            method=meth,
            mean=1.0,
        )
        for m in ("small", "big")
        for meth in ("mt_qlora", "mt_fft")
    ]
    quality = RC.quality_points(config, pass1, means)
    assert set(quality) == {"generation", "summarization"}
    assert quality["generation"]["points"][("big", "mt_qlora")] == pytest.approx(0.2)
    drawn = []
    original = matplotlib.axes.Axes.scatter

    def spy(self, x, y, *args, **kwargs):
        drawn.append((self.get_title(), kwargs.get("marker", "o"), len(x)))
        return original(self, x, y, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "scatter", spy)
    path = RC.plot_quality_vs_cost(quality, rows, tmp_path / "q.png")
    assert Path(path).stat().st_size > 1000
    # titles are set after the points: count per panel by order (generation first)
    points = [d for d in drawn if d[1] == "o"]
    assert len(points) == 2 * 4 and all(n == 1 for _, _, n in points)


def test_build_report_shows_the_cost_section(tmp_path):
    from codepeft.report.build import build_report

    model_dirs, costs, benches = _fixture_study(tmp_path)
    config = {
        "study": {"name": "t", "demo": True},
        "models": {"small": {"params_b": 0.1}, "big": {"params_b": 1}},
        "methods": {"mt_qlora": {"finetune": "qlora"}, "mt_fft": {"finetune": "full"}},
        "tasks": {"generation": {"languages": ["python"]}},
    }
    result = build_report(
        config,
        tmp_path / "report",
        metric_tables=[],
        stats_tables=[],
        model_dirs=model_dirs,
        root=tmp_path,
        cost_files=costs,
        benchmarks=benches,
    )
    assert "cost" in result["tables"]
    page = Path(result["index"]).read_text()
    assert "id='cost'" in page and "id='cost-cpu'" in page and "CPU-hours" in page
    assert "not computed: this study has no GPU throughput" in page
    tsv = (tmp_path / "report" / "tables" / "cost.tsv").read_text().splitlines()
    assert len(tsv) == 1 + 5


# --- extrapolation ----------------------------------------------------------------------------


def test_paper_workload_has_15_trainings_and_72_generation_sets():
    w = paper_workload(tokens_per_record=100, epochs=5)
    assert len(w["trainings"]) == 15 and len(w["generation_sets"]) == 72
    mt = next(t for t in w["trainings"] if t["method"] == "mt_qlora" and t["size"] == "3B")
    assert mt["rows"] == 2 * (251_820 + 164_923) + 2 * 10_300
    st = [t for t in w["trainings"] if t["method"] == "st_qlora" and t["size"] == "3B"]
    assert sum(t["rows"] for t in st) == mt["rows"] and mt["tokens"] == mt["rows"] * 500


def test_extrapolation_from_fixture_throughput():
    w = {
        "trainings": [
            dict(size="0.5B", kind="qlora", tokens=3600 * 1000),
            dict(size="0.5B", kind="full", tokens=3600 * 500),
        ],
        "generation_sets": [dict(size="0.5B", new_tokens=3600 * 10)] * 3,
    }
    out = C.extrapolate(w, {("0.5B", "qlora"): 1000, ("0.5B", "full"): 250}, {"0.5B": 30}, 4.0)
    row = out["rows"][0]
    assert row["train_h"] == pytest.approx(1 + 2) and row["gen_h"] == pytest.approx(1)
    assert out["total_h"] == pytest.approx(4) and out["meets_goal"] is True
    missing = C.extrapolate(w, {("0.5B", "qlora"): 1000}, {"0.5B": 30})
    assert missing["total_h"] is None and missing["missing"] == ["training 0.5B full"]


def _study_cost_script():
    import importlib.util
    import sys

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "study_cost.py"
    spec = importlib.util.spec_from_file_location("study_cost", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["study_cost"] = module
    spec.loader.exec_module(module)
    return module


def test_study_cost_script_on_fixture_throughput(tmp_path, capsys):
    sc = _study_cost_script()
    # fixture figures in gpu_throughput.json's shape (not measurements)
    record = {
        "device": "fixture",
        "date": "-",
        "train": {
            shape: {
                "qlora": {"status": "ok", "tokens_per_s": 10_000.0},
                "full": {"status": "ok", "tokens_per_s": 20_000.0},
                "lora": {"status": "ok", "tokens_per_s": 1.0},
            }
            for shape in sc.SHAPE_SIZES
        },
        "generate": {
            "qwen2.5-coder-0.5b": {"hf_sorted_all": {"status": "ok", "tokens_per_s": 1000.0}},
            "qwen2.5-coder-1.5b": {"hf_sorted_all": {"status": "not computed: x"}},
        },
    }
    train, gen = sc.throughput_from_record(record)
    assert train[("3B", "qlora")] == 10_000.0 and ("3B", "lora") not in train
    assert gen == {"0.5B": 1000.0}
    (tmp_path / "t.json").write_text(json.dumps(record))
    assert (
        sc.main(
            [
                "--throughput",
                str(tmp_path / "t.json"),
                "--tokens-per-record",
                "100",
                "--json",
                str(tmp_path / "r.json"),
            ]
        )
        == 0
    )
    out = json.loads((tmp_path / "r.json").read_text())["result"]
    small = next(r for r in out["rows"] if r["size"] == "0.5B")
    rows = 2 * (251_820 + 164_923) + 2 * 10_300
    # 4 QLoRA trainings (MT + 3 ST) = 2 x the rows; 1 full; 5 epochs of 100 tokens each
    expected = (2 * rows * 500 / 10_000 + rows * 500 / 20_000) / 3600
    assert small["train_h"] == pytest.approx(expected)
    new = 4 * (100 * 128 + 99 * 128 + 190 * 512 + 184 * 512 + 2 * 1000 * 512)
    assert small["gen_h"] == pytest.approx(new / 1000 / 3600)
    assert out["total_h"] is None and out["missing"] == ["generation 1.5B", "generation 3B"]
    assert "not computed" in capsys.readouterr().out


def test_workflow_inputs_name_every_cost_record_but_no_benchmark(repo):
    # benchmark files are read where present, never inputs: a missing one would plan its
    # training again (a stats.alpha change planned every training of the paper preset)
    from codepeft import config as study_config
    from codepeft import study

    config = study_config.load(repo / "config.yaml")
    inputs = C.workflow_inputs(config)
    evaluated, trained = study.evaluated(config), study.trained_models(config)
    assert set(inputs) == {"costs"}
    assert len(inputs["costs"]) == len(evaluated) and len(set(inputs["costs"])) == len(evaluated)
    assert all(p.endswith(".cost.json") for p in inputs["costs"])
    benches = C.benchmark_files(config)
    assert len(benches) == len(trained) + len(evaluated)
    assert "results/benchmarks/train/tiny/mt_qlora/seed-42/multi.tsv" in benches
    config["decoding"]["backend"] = "vllm"
    vllm = C.benchmark_files(config)
    assert vllm[len(trained) :] == ["results/benchmarks/generate/vllm/tiny.tsv"]


def test_report_extrapolates_the_paper_study_from_gpu_records(tmp_path):
    model_dirs, costs, benches = _fixture_study(tmp_path, device="cuda")
    jobs = RC.collect_jobs(model_dirs, costs, benches, str(tmp_path))
    assert (
        RC.extrapolation({"models": {"small": {"source": "mine"}}}, jobs) is None
    )  # no paper size
    config = {"models": {"small": {"source": "Qwen/Qwen2.5-Coder-0.5B-Instruct"}}}
    out = RC.extrapolation(config, jobs)
    assert out["tokens_per_record"] == 100.0
    small = next(r for r in out["rows"] if r["size"] == "0.5B")
    rows = 2 * (251_820 + 164_923) + 2 * 10_300
    # 100 tokens/s for QLoRA and full alike (fixture records), 5 epochs of 100 tokens per row
    assert small["train_h"] == pytest.approx(3 * rows * 500 / 100 / 3600)
    assert out["total_h"] is None and "training 3B qlora" in out["missing"]
    rows = RC.cost_rows(jobs, ["small", "big"], ["mt_qlora", "mt_fft"])
    html = RC.section_html(rows, "", out, demo=False)
    assert "measured 100 tokens per training example" in html and "GPU-hours" in html
    # CPU records: not computed
    cpu_dirs, cpu_costs, cpu_benches = _fixture_study(tmp_path / "cpu")
    cpu_jobs = RC.collect_jobs(cpu_dirs, cpu_costs, cpu_benches, str(tmp_path / "cpu"))
    assert RC.extrapolation(config, cpu_jobs) is None
