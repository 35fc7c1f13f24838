# codepeft: a fine-tuning study of code LLMs, from raw data to a report with statistics.
# Edit config.yaml (or pass --configfile config/paper.yaml); see README.md.
from codepeft import config as study_config


configfile: "config.yaml"


study_config.validate(config)


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/model.smk"
include: "rules/train.smk"
include: "rules/generate.smk"
include: "rules/surface.smk"
include: "rules/analyze.smk"
include: "rules/execute.smk"
include: "rules/judge.smk"
include: "rules/stats.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        get_final_output(),
