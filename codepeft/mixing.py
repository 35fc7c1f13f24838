"""Training mixtures: task data files -> one prompt/completion JSONL per trained model.

Strategies (`training.mixing.strategy`):
- `concat_shuffle` (paper): every row of every source once, shuffled with the seed.
- `proportional`: the same total, drawn with replacement, so a source's expected share is
  proportional to its size.
- `equal`: the same total, an equal share per source (small sources repeat rows).
- `temperature`: shares proportional to size^(1/T) (T=1: proportional; large T: equal).
Sources are the (task, language) data files of the model's scope.
"""

from __future__ import annotations

import json
import os
import random
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path

from codepeft.io import iter_jsonl
from codepeft.prompts import build_messages, target_text

STRATEGIES = ("concat_shuffle", "proportional", "equal", "temperature")


def to_example(record: dict) -> dict:
    """A prompt/completion conversational example (TRL's format), keeping id, task, language."""
    return {
        "id": record["id"],
        "task": record["task"],
        "language": record["language"],
        "prompt": build_messages(record),
        "completion": [{"role": "assistant", "content": target_text(record)}],
    }


def source_shares(sizes: Sequence[int], strategy: str, temperature: float = 2.0) -> list[int]:
    """How many rows each source contributes; the total equals sum(sizes)."""
    total = sum(sizes)
    if strategy in ("concat_shuffle", "proportional"):
        weights = [float(n) for n in sizes]
    elif strategy == "equal":
        weights = [1.0 if n else 0.0 for n in sizes]
    elif strategy == "temperature":
        if temperature <= 0:
            raise ValueError("training.mixing.temperature must be > 0")
        weights = [n ** (1.0 / temperature) for n in sizes]
    else:
        raise ValueError(f"unknown mixing strategy {strategy!r}; known: {STRATEGIES}")
    norm = sum(weights) or 1.0
    raw = [total * w / norm for w in weights]
    shares = [int(x) for x in raw]
    # largest remainders get the rows lost to rounding, so the total is exact
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True):
        if sum(shares) >= total:
            break
        shares[i] += 1
    return shares


def mix_order(
    sizes: Sequence[int], strategy: str, seed: int, temperature: float = 2.0
) -> list[int]:
    """The mixture as indices into the concatenation of the sources (sizes in order).

    The random draws depend only on the sizes, so mixing indices and then looking the rows up
    gives exactly what mixing the rows themselves gives (mix(), write_mixture())."""
    rng = random.Random(seed)
    total = sum(sizes)
    if strategy == "concat_shuffle":
        order = list(range(total))
        rng.shuffle(order)
        return order
    if strategy == "proportional":
        # draws with replacement: each row's source is chosen with probability ~ its size
        return rng.choices(range(total), k=total) if total else []
    order: list[int] = []
    start = 0
    for size, share in zip(sizes, source_shares(sizes, strategy, temperature), strict=True):
        if size:
            indices = range(start, start + size)
            repeats, remainder = divmod(share, size)
            order.extend(list(indices) * repeats)
            order.extend(rng.sample(indices, remainder))
        start += size
    rng.shuffle(order)
    return order


def mix(sources: Sequence[list[dict]], strategy: str, seed: int, temperature: float = 2.0):
    pool = [row for source in sources for row in source]
    return [pool[i] for i in mix_order([len(s) for s in sources], strategy, seed, temperature)]


def _examples(path: str) -> Iterator[dict]:
    return (to_example(r) for r in iter_jsonl(path) if r.get("reference") is not None)


def build_mixture(
    files: Sequence[str], strategy: str = "concat_shuffle", seed: int = 42, temperature: float = 2.0
) -> list[dict]:
    """Read task data files, format them as examples, and mix them (all in memory)."""
    return mix([list(_examples(f)) for f in files], strategy, seed, temperature)


def write_mixture(
    files: Sequence[str],
    out: str | os.PathLike,
    strategy: str = "concat_shuffle",
    seed: int = 42,
    temperature: float = 2.0,
) -> int:
    """Write the mixture of `files` to `out` as JSONL without holding the rows in memory;
    returns the number of lines. Byte-identical to write_jsonl(out, build_mixture(...)).

    Pass 1 streams every example, serialized, into a spool file beside `out` and keeps only
    its offset; pass 2 copies the spooled lines in mix_order(). Memory: ~16 bytes per example
    plus the order (~840k examples for the paper preset: tens of MB)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    spool = out.with_name(out.name + ".spool")
    tmp = out.with_name(out.name + ".tmp")
    offsets = array("q", [0])
    sizes = []
    try:
        with open(spool, "wb") as handle:
            for path in files:
                size = 0
                for example in _examples(path):
                    line = (json.dumps(example, ensure_ascii=False) + "\n").encode("utf-8")
                    handle.write(line)
                    offsets.append(offsets[-1] + len(line))
                    size += 1
                sizes.append(size)
        order = mix_order(sizes, strategy, seed, temperature)
        fd = os.open(spool, os.O_RDONLY)
        try:
            with open(tmp, "wb") as handle:
                for i in order:
                    handle.write(os.pread(fd, offsets[i + 1] - offsets[i], offsets[i]))
        finally:
            os.close(fd)
        os.replace(tmp, out)
    finally:
        spool.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
    return len(order)
