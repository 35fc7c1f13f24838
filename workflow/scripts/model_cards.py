"""Rule `model_cards`: the model card of every trained model, under results/cards and
installed as README.md in its model folder (codepeft.cards)."""

from codepeft.cards import write_cards
from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])
write_cards(snakemake.config, list(snakemake.input.stats))
