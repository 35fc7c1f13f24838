# codepeft: a fine-tuning study of code LLMs, from raw data to a report with statistics.
# The embedded default (config.yaml) runs offline on a CPU; the paper's protocol:
#   snakemake --configfile config/paper.yaml --profile profiles/slurm
from codepeft import config as study_config
from codepeft.tools import put_on_pythonpath

# every job (local, conda env, SLURM) imports codepeft from this checkout
put_on_pythonpath(workflow.basedir)


# config.yaml is the default study. A given config (the --configfile files merged in order, then
# --config key=value) that names `models:` is a study of its own and replaces config.yaml as a
# whole (no merging of two studies' model lists); one without `models:` (e.g. a file with a few
# decoding keys) is merged over config.yaml key by key (codepeft.config.apply_default).
study_config.apply_default(config, workflow.basedir)
study_config.validate(config)


include: "rules/common.smk"
include: "rules/resources.smk"
include: "rules/preflight.smk"
include: "rules/data.smk"
include: "rules/model.smk"
include: "rules/train.smk"
include: "rules/generate.smk"
include: "rules/surface.smk"
include: "rules/analyze.smk"
include: "rules/execute.smk"
include: "rules/judge.smk"
include: "rules/overlap.smk"
include: "rules/stats.smk"
include: "rules/uncertainty.smk"
include: "rules/report.smk"
include: "rules/share.smk"


rule all:
    default_target: True
    input:
        get_final_output(),
