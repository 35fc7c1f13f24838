# The preflight (codepeft/preflight.py, also `codepeft preflight`): the workflow's first step.
# Right before the first job starts (never in a dry run, never inside a cluster job: those run
# with --no-hooks), it checks what the jobs about to run need: hub datasets and models in the
# local HF cache, local data files, analyzer tools, the SLURM partitions and placeholders of
# the jobs' resources, the judge's API endpoint, disk for checkpoints. Anything missing stops
# the run before any job, with one list of fixes (also in logs/preflight.txt).
# Why a hook and not a rule with a marker file: a marker that the data or GPU rules take as
# input either reruns them when it is rewritten (a failed preflight deletes it; ancient()
# does not help for a missing file) or, added to a finished study, changes every such job's
# recorded input set, which reruns the study. The hook adds no job and no input: a run that
# plans nothing does not run it, and the rerun table (README) is unchanged.
# Skip it with --no-hooks. Helpers: rules/common.smk (preflight_*).
PREFLIGHT_REPORT = "logs/preflight.txt"


onstart:
    if workflow.executor_plugin is None or workflow.executor_plugin.name != "touch":
        passed, text = study_preflight.workflow_check(
            config,
            [str(p) for p in workflow.config_settings.configfiles],
            preflight_running_jobs(),
            preflight_slurm_resources(),
            PREFLIGHT_REPORT,
        )
        if not passed:
            raise SystemExit(
                f"Error: the preflight found what this run is missing "
                f"(also in {PREFLIGHT_REPORT}); nothing was started:\n{text}"
            )
        print(text.splitlines()[-1], file=sys.stderr)
