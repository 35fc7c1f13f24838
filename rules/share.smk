# Results to share: the tidy tables for notebooks (results/tidy/, codepeft.tidy) and the
# trained models' cards (results/cards/ and a copy in each model folder, codepeft.cards).
# Included after the stats and report stages: the tidy tables read exactly the metric tables
# and stats files the enabled stages register as final targets; the cards read the stats.
from codepeft.report import stages as report_stages

TIDY_OUTPUTS = {
    "results": paths.TIDY_RESULTS,
    "results_csv": paths.TIDY_RESULTS_CSV,
    "stats": paths.TIDY_STATS,
    "stats_csv": paths.TIDY_STATS_CSV,
}


rule tidy_results:
    input:
        unpack(tidy_inputs),
    output:
        **TIDY_OUTPUTS,
    log:
        "logs/share/tidy_results.log",
    benchmark:
        "results/benchmarks/share/tidy_results.tsv"
    localrule: True
    conda:
        "../envs/core.yaml"
    params:
        study=config["study"]["name"],
    script:
        "../workflow/scripts/tidy_results.py"


register_final_targets(lambda: list(TIDY_OUTPUTS.values()))

# one job writes every card (a card is milliseconds of work; a job per card would cost a
# process start each)
CARD_JOBS = codepeft_cards.card_jobs(config)


if CARD_JOBS:

    rule model_cards:
        input:
            unpack(model_card_inputs),
        output:
            [
                report(
                    job.card,
                    caption="../workflow/report/model_card.rst",
                    category=report_stages.TRAINING,
                    subcategory="Model cards",
                    labels={
                        "model": f"{job.model}/{job.method}/seed-{job.seed}/{job.scope}"
                    },
                )
                for job in CARD_JOBS
            ],
        log:
            "logs/share/model_cards.log",
        localrule: True
        conda:
            "../envs/core.yaml"
        params:
            # the config sections the cards read (codepeft.cards.CARD_SECTIONS)
            settings=canonical(codepeft_cards.card_settings(config)),
        script:
            "../workflow/scripts/model_cards.py"

    register_final_targets(lambda: [job.card for job in CARD_JOBS])
