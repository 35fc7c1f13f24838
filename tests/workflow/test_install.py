"""`pip install .` (not editable) gives a working package: the CLI runs and the workflow's
config validation finds its JSON schemas and the embedded data as package data, without the
repository's `codepeft/` folder anywhere on the path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tests.conftest import copy_checkout, job_counts


def _run(cmd, cwd, timeout=600):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", PYTHONNOUSERSITE="1")
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout
    )
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv with codepeft installed from a copy of the checkout (pip install ., no
    editable mode). Dependencies, pip and setuptools come from the project venv through a .pth
    path entry (before the base interpreter's site-packages), so nothing is downloaded; the project venv's editable codepeft finder is not loaded (a
    path entry does not process that folder's own .pth files)."""
    root = tmp_path_factory.mktemp("install")
    src = copy_checkout(root / "src", link_tools=False)
    venv = root / "venv"
    # --without-pip: pip and setuptools (the build backend) come from the project venv too
    made = _run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], root
    )
    assert made.returncode == 0, made.stderr[-3000:]
    python = venv / "bin" / "python"
    site = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root
    ).stdout.strip()
    (Path(site) / "_codepeft_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = _run(
        [python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", src],
        root,
    )
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    shutil.rmtree(src)  # nothing of the checkout remains importable
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    return root, venv, Path(site), elsewhere


@pytest.mark.slow
def test_installed_package_has_its_data_and_cli(installed):
    root, venv, site, elsewhere = installed
    probe = _run(
        [
            venv / "bin" / "python",
            "-c",
            "import codepeft, codepeft.config as c, codepeft.data.prepare as p; "
            "print(codepeft.__file__); print(len(c.load_schema()['properties'])); "
            "print(p.EMBEDDED_DIR); print(p.data_config({})['codereval']['local_dir']); "
            "import codepeft.paper.numbers as pp; print(len(pp.wilcoxon_rows()), len(pp.PASS1_COUNTS))",
        ],
        elsewhere,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    module, n_sections, embedded, local_dir, paper_rows = probe.stdout.split("\n")[:5]
    assert Path(module).is_relative_to(site), module  # the installed copy, not the checkout
    assert int(n_sections) >= 10  # main schema + every stage's fragment
    assert Path(embedded).is_relative_to(site) and (Path(embedded) / "codereval").is_dir()
    assert local_dir == "embedded"
    assert paper_rows == "408 9"  # the paper's numbers (codepeft/paper/data/*.tsv)
    assert not (site / "codepeft" / "schemas").is_symlink()  # a copy of the files
    cli = _run([venv / "bin" / "codepeft", "--help"], elsewhere)
    assert cli.returncode == 0 and "subcommands:" in cli.stdout, cli.stderr[-2000:]


@pytest.mark.slow
def test_installed_package_runs_the_workflow_dry(installed):
    """The workflow files (Snakefile, rules, scripts, config.yaml) without the repository's
    codepeft/ folder: every import, the schema validation included, is the installed package."""
    root, venv, site, _ = installed
    workflow = copy_checkout(root / "workflow", skip={"codepeft"}, link_tools=False)
    python = venv / "bin" / "python"
    where = _run([python, "-c", "import codepeft; print(codepeft.__file__)"], workflow)
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout + where.stderr
    # the embedded study names its tests file by a checkout path; point it at the package
    tests = site / "codepeft" / "resources" / "embedded" / "codereval" / "tests.jsonl"
    (workflow / "installed.yaml").write_text(yaml.safe_dump({"execution": {"tests": str(tests)}}))
    args = ["-n", "--quiet", "rules", "--cores", "1", "--configfile", "config.yaml"]
    dry = _run([python, "-m", "snakemake", *args, "installed.yaml"], workflow)
    assert dry.returncode == 0, dry.stdout[-3000:] + dry.stderr[-3000:]
    counts = job_counts(dry.stdout)
    # the demo's 4 task/language pairs (config.yaml), each with its test data
    assert counts["train"] == 5 and counts["prepare_test_data"] == 4, counts
    # validation ran against the installed schemas: a wrong key is named
    (workflow / "bad.yaml").write_text(yaml.safe_dump({"decoding": {"batch_sise": 4}}))
    bad = _run([python, "-m", "snakemake", *args, "installed.yaml", "bad.yaml"], workflow)
    assert bad.returncode != 0
    assert "unknown config key 'decoding.batch_sise'" in bad.stdout + bad.stderr
