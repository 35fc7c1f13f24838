"""Packing of training and validation text as TRL 0.9.6's `ConstantLengthDataset` did it.

The replication package trained with `SFTTrainer(packing=True, max_seq_length=512)` under TRL
0.9.6 (PACKAGE.md section 2). Its packer (`trl/trainer/utils.py:533-584` in 0.9.6):

1. fills a buffer with rendered texts until their *characters* reach
   `seq_length * chars_per_token * num_of_sequences` (512 x 3.6 x 1024); the text that crosses
   the limit is still in the buffer;
2. tokenizes each text of the buffer without truncation and appends the eos token
   (`<|im_end|>` for Qwen2.5-Instruct) after each one;
3. concatenates them and cuts the stream into `seq_length`-token chunks, keeping only full
   chunks: the tail of every buffer is dropped, and an example longer than `seq_length` is split
   across chunks, never truncated;
4. shuffles the chunks of the buffer (the package used the global `random` state; here a
   `random.Random(seed)`, so the chunk order is reproducible but not the package's own).

Labels equal input ids (loss on the whole sequence). Tokenization is separated from grouping:
a text's tokens do not depend on its buffer, so texts can be tokenized in parallel
(`datasets.map(num_proc=...)`) and grouped here with identical results.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence

CHARS_PER_TOKEN = 3.6  # TRL 0.9.6 ConstantLengthDataset default
NUM_OF_SEQUENCES = 1024  # TRL 0.9.6 ConstantLengthDataset default


def buffers(
    char_lengths: Sequence[int],
    seq_length: int,
    chars_per_token: float = CHARS_PER_TOKEN,
    num_of_sequences: int = NUM_OF_SEQUENCES,
) -> Iterator[range]:
    """Index ranges of the texts that share one buffer (TRL 0.9.6's character-count rule)."""
    limit = seq_length * chars_per_token * num_of_sequences
    start = 0
    while start < len(char_lengths):
        end, filled = start, 0
        while filled < limit and end < len(char_lengths):
            filled += char_lengths[end]
            end += 1
        yield range(start, end)
        start = end


def chunk_buffer(token_ids: Iterable[list[int]], eos_id: int, seq_length: int) -> list[list[int]]:
    """The full `seq_length` chunks of one buffer: each text + eos, concatenated, tail dropped."""
    stream: list[int] = []
    for ids in token_ids:
        stream.extend(list(ids) + [eos_id])
    return [stream[i : i + seq_length] for i in range(0, len(stream) - seq_length + 1, seq_length)]


def constant_length_chunks(
    texts: Sequence[str],
    token_ids: Sequence[list[int]],
    eos_id: int,
    seq_length: int,
    seed: int = 42,
    chars_per_token: float = CHARS_PER_TOKEN,
    num_of_sequences: int = NUM_OF_SEQUENCES,
) -> list[list[int]]:
    """All chunks of `texts` (already tokenized as `token_ids`), buffer by buffer, each buffer's
    chunks shuffled."""
    if len(texts) != len(token_ids):
        raise ValueError("texts and token_ids differ in length")
    rng = random.Random(seed)
    chunks: list[list[int]] = []
    for span in buffers([len(t) for t in texts], seq_length, chars_per_token, num_of_sequences):
        examples = chunk_buffer((token_ids[i] for i in span), eos_id, seq_length)
        rng.shuffle(examples)
        chunks.extend(examples)
    return chunks


def render_text(tokenizer, example: dict) -> str:
    """The training text of a prompt/completion example: the chat template over all its messages,
    no generation prompt (the package's `apply_chat_template(..., add_generation_prompt=False)`)."""
    return tokenizer.apply_chat_template(
        list(example["prompt"]) + list(example["completion"]),
        tokenize=False,
        add_generation_prompt=False,
    )


def pack_dataset(dataset, tokenizer, seq_length: int, seed: int = 42, num_proc: int | None = None):
    """A `datasets.Dataset` of prompt/completion examples -> one of packed `input_ids`/`labels`
    chunks (labels == input ids), rendered and tokenized with `num_proc` processes."""
    # lazy: datasets takes ~0.6 s; only packing a training set needs it
    from datasets import Dataset

    def render_and_tokenize(batch):
        rows = [
            dict(zip(batch, values, strict=True)) for values in zip(*batch.values(), strict=True)
        ]
        texts = [render_text(tokenizer, row) for row in rows]
        # TRL 0.9.6: tokenizer(buffer, add_special_tokens=True, truncation=False)
        ids = tokenizer(texts, add_special_tokens=True, truncation=False)["input_ids"]
        return {"text": texts, "ids": ids}

    tokenized = dataset.map(
        render_and_tokenize,
        batched=True,
        num_proc=num_proc if num_proc and num_proc > 1 else None,
        remove_columns=dataset.column_names,
        desc="Rendering and tokenizing",
    )
    chunks = constant_length_chunks(
        tokenized["text"], tokenized["ids"], tokenizer.eos_token_id, seq_length, seed=seed
    )
    return Dataset.from_dict({"input_ids": chunks, "labels": [list(c) for c in chunks]})
