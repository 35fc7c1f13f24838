from codepeft.generate import codereval_form
from codepeft.io import read_jsonl, write_jsonl
from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])
write_jsonl(snakemake.output[0], codereval_form(read_jsonl(snakemake.input[0])))
