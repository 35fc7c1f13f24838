"""The package's training behaviours on the tiny demo model (CPU): what constant-length packing
drops, and how far the unshifted selection score (the package's defect) is from the shifted one.

The tiny model has random weights and tied embeddings, so its argmax tends to repeat the input
token: the unshifted comparison (prediction at t against label t) rewards exactly that. The
numbers show the direction and size of the defect on a model that has learnt nothing; they are
not the paper's.

Run: PYTHONPATH=$PWD .venv/bin/python benchmarks/training_fidelity.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from codepeft import mixing, models, selection, train
from codepeft.io import write_jsonl


def corpus(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        code = f"public int add{i}(int a, int b) {{ int c = a + b; return c * {i}; }}"
        rows.append(
            {
                "id": f"t{i}",
                "task": "translation",
                "language": "java-cs",
                "split": "train",
                "inputs": {"code": code},
                "reference": code.replace("int", "long"),
                "meta": {},
            }
        )
        rows.append(
            {
                "id": f"s{i}",
                "task": "summarization",
                "language": "python",
                "split": "train",
                "inputs": {"code": f"def f{i}(x):\n    return x * {i}\n"},
                "reference": f"Multiply x by {i}.",
                "meta": {},
            }
        )
    return rows


def main() -> None:
    d = Path(tempfile.mkdtemp())
    write_jsonl(d / "data.jsonl", corpus(60))
    write_jsonl(d / "mix.jsonl", mixing.build_mixture([str(d / "data.jsonl")]))
    models.build_tiny_model(d / "tiny", [d / "data.jsonl"])
    spec = train.TrainingSpec.from_dict(
        {
            "max_steps": 1,
            "max_length": 64,
            "eval_max_rows": 20,
            "packing": "constant_length",
            "eval_batch_size": 1,
            "weights_dtype": "fp16",
            "selection": {"metric": "chunk_bleu_codebleu", "shift_predictions": False},
        }
    )
    setup = train.setup_trainer(
        str(d / "tiny"), "qlora", str(d / "mix.jsonl"), str(d / "mix.jsonl"), str(d / "ck"), spec
    )
    trainer, tok = setup.trainer, setup.tokenizer
    texts = [
        tok.apply_chat_template(
            r["prompt"] + r["completion"], tokenize=False, add_generation_prompt=False
        )
        for r in mixing.build_mixture([str(d / "data.jsonl")])
    ]
    tokens = sum(len(tok(t)["input_ids"]) + 1 for t in texts)
    kept = len(trainer.train_dataset) * 64
    print(
        f"packing (constant_length, 64-token chunks): {len(texts)} texts, {tokens} tokens "
        f"with eos, {len(trainer.train_dataset)} chunks, {tokens - kept} tokens dropped "
        f"({100 * (tokens - kept) / tokens:.1f}%, one buffer: the tail only)"
    )
    for shift in (False, True):
        trainer.compute_metrics = selection.make_compute_metrics(tok, "mt", shift)
        t0 = time.perf_counter()
        metrics = trainer.evaluate()
        print(
            f"shift_predictions={shift}: eval_combined_score "
            f"{metrics['eval_combined_score']:.2f} on {len(trainer.eval_dataset)} chunks "
            f"({time.perf_counter() - t0:.1f} s)"
        )


if __name__ == "__main__":
    main()
