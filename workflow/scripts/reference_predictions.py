from codepeft.generate import reference_predictions
from codepeft.io import read_jsonl, write_jsonl
from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])
write_jsonl(snakemake.output[0], reference_predictions(read_jsonl(snakemake.input[0])))
