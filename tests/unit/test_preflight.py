"""`codepeft preflight`: planted faults, each caught with its fix named, and a clean, fast pass on
the embedded default. Nothing here touches the network (the judge's endpoint is a loopback
port)."""

from __future__ import annotations

import shutil
import socket
import stat
import sys
import time
from collections import namedtuple
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest

from codepeft import config as study_config
from codepeft import preflight, slurm_site, study
from tests.conftest import REPO
from tests.unit.test_fetch import hf_home, plant_model  # noqa: F401 - fixture

QWEN = "Qwen/Qwen2.5-Coder-0.5B-Instruct"


def embedded(**overrides) -> dict:
    """The embedded default with `overrides` merged in key by key."""
    config = study.deep_merge(study_config.load_study(["config.yaml"], REPO), overrides)
    return study_config.validate(config)


def missing(findings) -> list[preflight.Finding]:
    return [f for f in findings if f.status == preflight.MISSING]


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    """Run from an empty folder (results/ and the disk check live there)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def in_repo(monkeypatch) -> Path:
    """Run from the checkout, as the workflow does (the configs' relative paths); read only."""
    monkeypatch.chdir(REPO)
    return REPO


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def http_server():
    """A loopback server answering 401 to everything (an API without our key)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


# --- a clean pass ------------------------------------------------------------------------------


def test_embedded_default_passes_in_well_under_a_second(in_repo, capsys):
    start = time.perf_counter()
    findings = preflight.run_checks(embedded())
    assert time.perf_counter() - start < 3
    assert not missing(findings), preflight.render(findings, 0)
    checks = {f.check for f in findings if f.status == preflight.OK}
    assert {"input", "tool", "disk"} <= checks
    assert preflight.main([]) == 0  # the command, from the checkout
    assert "codepeft preflight: nothing missing" in capsys.readouterr().out


def test_preflight_does_not_import_torch_or_transformers():
    import subprocess

    code = "import sys, codepeft.preflight, codepeft.fetch; print(sorted(m for m in ('torch', 'transformers', 'datasets') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert out.stdout.strip() == "[]"


# --- planted faults ----------------------------------------------------------------------------


def test_missing_hub_dataset_in_an_empty_cache(hf_home, in_tmp):  # noqa: F811
    config = embedded(data={"code_to_text": {"local_dir": None}})
    found = missing(preflight.hub_findings(config, ["config.yaml", "hub.yaml"]))
    assert [f.what.split(" (")[0] for f in found] == [
        "hub dataset google/code_x_glue_ct_code_to_text",
        "hub dataset google/code_x_glue_ct_code_to_text",
    ]
    assert "(python, train/validation)" in found[0].what
    assert (
        found[0].fix == "codepeft fetch --configfile config.yaml hub.yaml (where there is internet)"
    )
    assert "OfflineModeIsEnabled" in found[0].detail or "cache" in found[0].detail


def test_missing_base_model_and_a_cached_one(hf_home, in_tmp):  # noqa: F811
    config = embedded(
        models={"qwen": {"source": QWEN, "params_b": 0.5}, "qwen3b": {"source": "Qwen/X-3B"}}
    )
    plant_model(hf_home, QWEN)
    findings = [f for f in preflight.hub_findings(config, None) if f.check == "input"]
    assert [(f.status, f.what.split(" (")[0]) for f in findings] == [
        (preflight.OK, f"hub model {QWEN}"),
        (preflight.MISSING, "hub model Qwen/X-3B"),
    ]
    assert findings[1].fix == "codepeft fetch (where there is internet)"
    assert "models.qwen3b.source" in findings[1].what


def test_missing_codereval_file(in_repo, tmp_path):
    local = tmp_path / "codereval"
    local.mkdir()
    shutil.copy(REPO / "codepeft/resources/embedded/codereval/CEPythonHumanLabel.jsonl", local)
    shutil.copy(REPO / "codepeft/resources/embedded/codereval/CEJavaHumanLabel.jsonl", local)
    found = missing(
        preflight.local_findings(embedded(data={"codereval": {"local_dir": str(local)}}))
    )
    assert len(found) == 1
    assert found[0].what == f"data.codereval.local_dir: {local}/ids_to_discard.json"
    assert f"put ids_to_discard.json into {local}" in found[0].fix
    # a directory that is not there at all: one finding, not one per file
    gone = missing(preflight.local_findings(embedded(data={"codereval": {"local_dir": "nowhere"}})))
    assert [(f.what, f.detail) for f in gone] == [
        ("data.codereval.local_dir: nowhere", "no such directory")
    ]


def test_missing_analyzer_tool(in_tmp, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("CODEPEFT_TOOLS", str(in_tmp / "no-tools"))
    real = embedded(analyzers={"enabled": ["semgrep", "lizard"]})  # environment_failures: fail
    found = missing(preflight.tool_findings(real))
    assert [(f.what, f.detail) for f in found] == [
        ("analyzer semgrep", "semgrep not found (run scripts/setup/semgrep.sh)")
    ]
    assert found[0].fix.startswith("bash scripts/setup/semgrep.sh")
    # environment_failures: record says so, and goes on (its table says "not computed")
    lenient = embedded(environment_failures="record", analyzers={"enabled": ["semgrep"]})
    assert [f.status for f in preflight.tool_findings(lenient)] == [preflight.NOTE]


def test_local_judge_must_be_a_complete_directory(in_repo, tmp_path):
    found = missing(preflight.local_findings(embedded(judge={"model": "Qwen/Judge-7B"})))
    assert [(f.what, f.detail) for f in found] == [
        ("judge.model: Qwen/Judge-7B", "Qwen/Judge-7B is not a directory")
    ]
    assert "hf download Qwen/Judge-7B --local-dir models/Judge-7B" in found[0].fix
    (tmp_path / "config.json").write_text("{}")
    found = missing(preflight.local_findings(embedded(judge={"model": str(tmp_path)})))
    assert [f.detail for f in found] == [
        f"no tokenizer files (tokenizer.json, tokenizer_config.json, vocab.txt, ...) in {tmp_path}"
    ]


def test_unreplaced_profile_placeholder(tmp_path):
    # the project's profiles hold no site value at all (slurm-site.yaml does)
    ours = preflight.profile_resources(preflight.load_profiles([str(REPO / "profiles/slurm")]))
    assert not missing(preflight.slurm_findings(ours, "x"))
    # a site's own profile, read after ours, with a value nobody filled in
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "config.yaml").write_text("default-resources:\n  slurm_account: your_account\n")
    resources = preflight.profile_resources(
        preflight.load_profiles([str(REPO / "profiles/slurm"), str(mine)])
    )
    found = missing(preflight.slurm_findings(resources, "my profile"))
    assert [(f.check, f.what, f.detail) for f in found] == [
        ("profile", "slurm_account (default-resources)", "still the placeholder 'your_account'")
    ]
    assert found[0].fix == "set slurm_account in my profile to your site's value"


def test_site_settings_reach_the_checked_resources(tmp_path):
    site = slurm_site.SlurmSite(account="lab", cpu_partition="cpu", gpu_partition="gpu")
    api_judge = embedded(judge={"backend": "openai"})
    merged = preflight.with_site({"default-resources": {"mem_mb": 1}}, site, api_judge)
    assert merged["default-resources"] == {
        "mem_mb": 1,
        "slurm_account": "lab",
        "slurm_partition": "cpu",
    }
    assert merged["train"]["slurm_partition"] == "gpu"
    assert merged["judge_summaries"]["slurm_partition"] == "cpu"  # an API judge: no GPU
    notes = preflight.site_findings(slurm_site.SlurmSite())
    assert [(f.status, f.what) for f in notes[1:]] == [
        (preflight.NOTE, "account"),
        (preflight.NOTE, "gpu_partition"),
    ]


def test_unknown_partition_with_a_fake_sinfo(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    executable(bin_dir / "sinfo", "#!/bin/sh\nprintf 'debug\\ngpu\\ngpu\\n'\n")
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    resources = {
        "default-resources": {"slurm_account": "lab", "slurm_partition": "cpu"},
        "train": {"slurm_partition": "gpu"},
    }
    findings = preflight.slurm_findings(resources, "site.yaml")
    assert [(f.status, f.what) for f in findings] == [
        (preflight.MISSING, "slurm_partition 'cpu' (default-resources)"),
        (preflight.OK, "gpu"),
    ]
    assert findings[0].detail == "unknown to sinfo, which knows debug, gpu"
    assert findings[0].fix == "set slurm_partition in site.yaml to one of them"
    # no sinfo: said, not failed
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    notes = preflight.slurm_findings(resources, "site.yaml")
    assert [(f.status, f.detail) for f in notes] == [
        (preflight.NOTE, "no sinfo here: partitions not checked")
    ]


def test_too_little_disk(in_tmp, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(preflight.shutil, "disk_usage", lambda path: usage(10**12, 0, 10**9))
    config = study_config.load_study(["config/paper.yaml"], REPO)
    found = missing(preflight.disk_findings(config))
    assert len(found) == 1 and found[0].check == "disk"
    assert "by 18 training(s), 1.0 GB free" in found[0].detail
    assert found[0].fix.startswith("free ") and "results/checkpoints" in found[0].fix
    monkeypatch.setattr(preflight.shutil, "disk_usage", lambda path: usage(10**13, 0, 10**12))
    assert not missing(preflight.disk_findings(config))


def test_disk_estimate_of_the_paper_trainings():
    config = study_config.load_study(["config/paper.yaml"], REPO)
    final, peak = preflight.training_disk(config, "qwen2.5-coder-3b", "mt_fft", "multi")
    assert final == pytest.approx(3e9 * 2)  # bf16 weights
    assert peak == pytest.approx(4 * 3e9 * 6)  # (save_total_limit 3 + 1) x (weights + 2 moments)
    final, peak = preflight.training_disk(config, "qwen2.5-coder-3b", "mt_qlora", "multi")
    adapter = 3e9 * 8 * 1.2e-3  # r = 8, all 7 projections
    assert final == pytest.approx(adapter * 4) and peak == pytest.approx(4 * adapter * 12)


def test_judge_endpoint_unreachable_and_reachable(in_tmp, monkeypatch, http_server):
    port = closed_port()
    config = embedded(
        judge={
            "backend": "openai",
            "base_url": f"http://127.0.0.1:{port}/v1",
            "api_key_env": "CODEPEFT_TEST_KEY",
            "model": "m",
        }
    )
    monkeypatch.delenv("CODEPEFT_TEST_KEY", raising=False)
    found = missing(preflight.judge_findings(config))
    assert [f.what for f in found] == [
        "API key variable CODEPEFT_TEST_KEY",
        f"endpoint http://127.0.0.1:{port}/v1/models (from here)",
    ]
    assert found[0].fix.startswith("export CODEPEFT_TEST_KEY=")
    assert "Connection refused" in found[1].detail and f"127.0.0.1:{port}/v1" in found[1].fix
    monkeypatch.setenv("CODEPEFT_TEST_KEY", "k")
    config["judge"]["base_url"] = http_server
    findings = preflight.judge_findings(config)
    assert [(f.status, f.detail) for f in findings] == [
        (preflight.OK, "set"),
        (preflight.OK, "HTTP 401"),
    ]


def test_probe_job_command_and_its_verdicts(tmp_path, monkeypatch, http_server):
    cmd = preflight.probe_command("http://h/v1/models", "cpu", "lab", python="/py", wait_s=60)
    assert cmd[:8] == [
        "srun",
        "--job-name=codepeft-preflight-probe",
        "--ntasks=1",
        "--cpus-per-task=1",
        "--mem=500M",
        "--time=2",
        "--immediate=60",
        "--partition=cpu",
    ]
    assert (
        cmd[8] == "--account=lab" and cmd[9:11] == ["/py", "-c"] and cmd[-1] == "http://h/v1/models"
    )
    assert preflight.judge_slurm(
        {
            "default-resources": {"slurm_partition": "gpu", "slurm_account": "lab"},
            "judge_summaries": {"slurm_partition": "cpu"},
        }
    ) == ("cpu", "lab")
    # a fake srun that runs the command after its options on this machine
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    executable(
        bin_dir / "srun", '#!/bin/sh\nwhile [ "${1#--}" != "$1" ]; do shift; done\nexec "$@"\n'
    )
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    url = http_server + "/models"
    assert preflight.run_probe(preflight.probe_command(url, "cpu"), 60) == (
        True,
        "from a compute node: reachable: HTTP 401",
    )
    closed = f"http://127.0.0.1:{closed_port()}/v1/models"
    verdict, detail = preflight.run_probe(preflight.probe_command(closed, "cpu"), 60)
    assert verdict is False and "unreachable: URLError" in detail
    executable(
        bin_dir / "srun",
        "#!/bin/sh\necho 'srun: error: Unable to allocate resources' >&2\nexit 1\n",
    )
    verdict, detail = preflight.run_probe(preflight.probe_command(url, "cpu"), 60)
    assert verdict is None and "Unable to allocate resources" in detail


# --- the list, the command and the workflow's scope -------------------------------------------


def test_one_list_with_fixes_and_a_failing_exit(in_repo, tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: {codereval: {local_dir: nowhere}}\n")
    monkeypatch.setattr(preflight, "sinfo_partitions", lambda: None)  # partitions only noted
    # the site settings from the environment, the account never filled in
    monkeypatch.setenv("CODEPEFT_SLURM_ACCOUNT", "your_account")
    monkeypatch.setenv("CODEPEFT_SLURM_GPU_PARTITION", "gpu")
    rc = preflight.main(
        ["--configfile", "config.yaml", str(bad), "--profile", str(REPO / "profiles/slurm")]
    )
    out = capsys.readouterr().out
    assert rc == 1
    assert out.startswith("MISSING (2): fix these before the run\n")
    assert "  1. [input] data.codereval.local_dir: nowhere: no such directory" in out
    assert "  2. [profile] slurm_account (default-resources; set-resources: generate;" in out
    assert "still the placeholder 'your_account'" in out
    assert "fix: set slurm_account in slurm-site.yaml (or CODEPEFT_SLURM_* variables" in out
    assert out.count("     fix: ") == 2
    assert "codepeft preflight: 2 missing;" in out.splitlines()[-1]


def test_the_workflow_checks_only_what_its_jobs_need(in_tmp):
    config = embedded(data={"codereval": {"local_dir": "nowhere"}})
    only_translation = {("prepare_test_data", (("lang", "java-cs"), ("task", "translation")))}
    passed, text = preflight.workflow_check(config, None, only_translation, None, "logs/pre.txt")
    assert passed and (in_tmp / "logs/pre.txt").read_text().startswith(
        "codepeft preflight: nothing"
    )
    generation = {("prepare_test_data", (("lang", "python"), ("task", "generation")))}
    passed, text = preflight.workflow_check(config, None, generation, None, None)
    assert not passed and "data.codereval.local_dir: nowhere" in text
