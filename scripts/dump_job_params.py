"""Dump every job of a study's DAG (as a dry run plans it from scratch) with what decides a
rerun: rule, inputs and outputs (in order), params (repr, as Snakemake compares them), log,
threads and resources. Two dumps of the same config from two checkouts compare byte for byte
when a refactoring changes nothing a job sees.

    PYTHONPATH=$PWD .venv/bin/python scripts/dump_job_params.py . out.json [configfile|-] \\
        [key=yaml-value ...]
    # e.g. the paper preset with vLLM:
    #   ... out.json config/paper.yaml 'decoding={backend: vllm, qlora_base: merged}'
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import yaml


def main(argv: list[str]) -> int:
    repo = Path(argv[0]).resolve()
    out = argv[1]
    configfiles = [repo / argv[2]] if len(argv) > 2 and argv[2] != "-" else []
    overrides = {k: yaml.safe_load(v) for k, v in (a.split("=", 1) for a in argv[3:])}
    sys.path.insert(0, str(repo))
    os.chdir(repo)
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        DeploymentSettings,
        OutputSettings,
        ResourceSettings,
        StorageSettings,
        WorkflowSettings,
    )

    with SnakemakeApi(OutputSettings()) as api:
        workflow_api = api.workflow(
            resource_settings=ResourceSettings(),
            config_settings=ConfigSettings(configfiles=configfiles, config=overrides),
            storage_settings=StorageSettings(),
            workflow_settings=WorkflowSettings(),
            deployment_settings=DeploymentSettings(),
            snakefile=repo / "Snakefile",
            workdir=repo,
        )
        dag_api = workflow_api.dag(dag_settings=DAGSettings())
        # the DAG of a from-scratch run (every job), as `snakemake -n --forceall` plans it
        workflow = dag_api.workflow_api._workflow
        workflow.dag_settings = dag_api.dag_settings
        workflow._prepare_dag(
            forceall=True, ignore_incomplete=True, lock_warn_only=True, nolock=True
        )
        workflow._build_dag()
        dump = {}
        for job in workflow.dag.jobs:
            key = job.rule.name + " " + " ".join(sorted(map(str, job.output)))
            dump[key] = dict(
                rule=job.rule.name,
                params={name: repr(value) for name, value in job.params._allitems()},
                inputs=list(map(str, job.input)),
                outputs=list(map(str, job.output)),
                log=sorted(map(str, job.log)),
                threads=job.threads,
                resources={
                    k: repr(v)
                    for k, v in job.resources.items()
                    if k not in ("_cores", "_nodes", "tmpdir")
                },
            )
    Path(out).write_text(json.dumps(dump, indent=1, sort_keys=True))
    counts = Counter(v["rule"] for v in dump.values())
    print(f"{len(dump)} jobs: {dict(sorted(counts.items()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
