import time

from codepeft import cost
from codepeft.generate import DecodingSpec, generate_records, make_backend
from codepeft.io import read_jsonl, write_jsonl
from codepeft.logs import setup_rule_logging

setup_rule_logging(snakemake.log[0])
spec = DecodingSpec.from_dict(snakemake.params.decoding)
trained = snakemake.input.get("trained")
finetune = snakemake.params.finetune
started = time.time()
backend = make_backend(
    snakemake.params.source,
    adapter=trained if finetune in ("qlora", "lora", "dora") else None,
    full=trained if finetune == "full" else None,
    spec=spec,
    finetune=finetune,
)
loaded = time.time()
rows = generate_records(backend, read_jsonl(snakemake.input.data), spec)
write_jsonl(snakemake.output[0], rows)
cost.write_generation_cost(snakemake.output.cost, rows, time.time() - loaded, loaded - started)
