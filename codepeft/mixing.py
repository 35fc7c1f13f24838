"""Training mixtures: task data files -> one prompt/completion JSONL per trained model.

Strategies (`training.mixing.strategy`):
- `concat_shuffle` (paper): every row of every source once, shuffled with the seed.
- `proportional`: the same total, drawn with replacement, so a source's expected share is
  proportional to its size.
- `equal`: the same total, an equal share per source (small sources repeat rows).
- `temperature`: shares proportional to size^(1/T) (T=1: proportional; large T: equal).
Sources are the (task, language) data files of the model's scope.

Order and shuffle (`training.mixing.*`; the replication package: `source_order: package`,
`shuffler: hf_datasets`, `shuffle_valid_sources: true`):
- `source_order`: `config` keeps the order of the files given (the config's task and language
  order); `package` concatenates sum-java, sum-py, gen-java, gen-py, trans Java->C#,
  trans C#->Java (`multitask/qlora_train.py:425-437`) before shuffling.
- `shuffler`: `python` (`random.Random(seed).shuffle`) or `hf_datasets` (the permutation
  `datasets.Dataset.shuffle(seed=seed)` applies: `numpy.random.default_rng(seed)`), which
  gives the package's row order when the source rows are in the hub splits' order.
- `shuffle_valid_sources`: for the validation split, shuffle each source with the seed before
  concatenating (`build_mixture(shuffle_sources_first=True)`; the package's validation pools,
  PACKAGE.md section 9, before the first `eval_max_rows` rows are taken).
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
SOURCE_ORDERS = ("config", "package")
SHUFFLERS = ("python", "hf_datasets")
# the package's concatenation order of the multi-task mix
PACKAGE_ORDER = (
    ("summarization", "java"),
    ("summarization", "python"),
    ("generation", "java"),
    ("generation", "python"),
    ("translation", "java-cs"),
    ("translation", "cs-java"),
)


def shuffled_order(n: int, seed: int, shuffler: str = "python") -> list[int]:
    """The permutation `shuffled` applies to n rows (it depends only on n and the seed)."""
    if shuffler == "python":
        out = list(range(n))
        random.Random(seed).shuffle(out)
        return out
    if shuffler == "hf_datasets":
        # lazy: numpy (0.1 s) is needed only by the hf_datasets shuffler
        import numpy as np

        return [int(i) for i in np.random.default_rng(seed).permutation(n)]
    raise ValueError(f"unknown shuffler {shuffler!r}; known: {SHUFFLERS}")


def shuffled(rows: list, seed: int, shuffler: str = "python") -> list:
    """A shuffled copy of `rows`: Python's `random` or the HF datasets permutation."""
    return [rows[i] for i in shuffled_order(len(rows), seed, shuffler)]


def _source_rank(key: tuple | None) -> int:
    return PACKAGE_ORDER.index(key) if key in PACKAGE_ORDER else len(PACKAGE_ORDER)


def source_permutation(keys: Sequence[tuple | None], order: str = "config") -> list[int]:
    """Positions of the sources in the concatenation order, from each source's (task,
    language) (None: empty source): as given, or the package's order (stable)."""
    if order == "config":
        return list(range(len(keys)))
    if order != "package":
        raise ValueError(f"unknown source order {order!r}; known: {SOURCE_ORDERS}")
    return sorted(range(len(keys)), key=lambda i: _source_rank(keys[i]))


def order_sources(sources: Sequence[list[dict]], order: str = "config") -> list[list[dict]]:
    """Sources in the concatenation order: as given, or the package's (task, language) order
    (unknown pairs after the known ones, in their given order)."""
    keys = [(s[0].get("task"), s[0].get("language")) if s else None for s in sources]
    return [sources[i] for i in source_permutation(keys, order)]


def to_example(record: dict, java_label: str = "Method") -> dict:
    """A prompt/completion conversational example (TRL's format), keeping id, task, language.
    `java_label`: the Java generation prompt's "Method"/"Function" (prompts.java_generation_label)."""
    return {
        "id": record["id"],
        "task": record["task"],
        "language": record["language"],
        "prompt": build_messages(record, java_label=java_label),
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
    sizes: Sequence[int],
    strategy: str,
    seed: int,
    temperature: float = 2.0,
    shuffler: str = "python",
) -> list[int]:
    """The mixture as indices into the concatenation of the sources (sizes in order).

    The random draws depend only on the sizes, so mixing indices and then looking the rows up
    gives exactly what mixing the rows themselves gives (mix(), write_mixture())."""
    rng = random.Random(seed)
    total = sum(sizes)
    if strategy == "concat_shuffle":
        return shuffled_order(total, seed, shuffler)
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


def mix(
    sources: Sequence[list[dict]],
    strategy: str,
    seed: int,
    temperature: float = 2.0,
    shuffler: str = "python",
):
    pool = [row for source in sources for row in source]
    sizes = [len(s) for s in sources]
    return [pool[i] for i in mix_order(sizes, strategy, seed, temperature, shuffler)]


def build_mixture(
    files: Sequence[str],
    strategy: str = "concat_shuffle",
    seed: int = 42,
    temperature: float = 2.0,
    source_order: str = "config",
    shuffler: str = "python",
    shuffle_sources_first: bool = False,
    java_label: str = "Method",
) -> list[dict]:
    """Read task data files, format them as examples, and mix them (options: module doc)."""
    sources = [list(_examples(f, java_label)) for f in files]
    sources = order_sources(sources, source_order)
    if shuffle_sources_first:
        sources = [shuffled(source, seed, shuffler) for source in sources]
    return mix(sources, strategy, seed, temperature, shuffler)


def _examples(path: str, java_label: str = "Method") -> Iterator[dict]:
    return (to_example(r, java_label) for r in iter_jsonl(path) if r.get("reference") is not None)


def write_mixture(
    files: Sequence[str],
    out: str | os.PathLike,
    strategy: str = "concat_shuffle",
    seed: int = 42,
    temperature: float = 2.0,
    source_order: str = "config",
    shuffler: str = "python",
    shuffle_sources_first: bool = False,
    java_label: str = "Method",
) -> int:
    """build_mixture written to `out` as JSONL without holding the rows in memory; returns the
    number of lines. Byte-identical to write_jsonl(out, build_mixture(...)) (same options).

    Pass 1 streams every example, serialized, into a spool file beside `out` and keeps only
    its byte offset and its source's (task, language); pass 2 orders the sources, shuffles
    them (shuffle_sources_first) and mixes as indices (mix_order), then copies the spooled
    lines in that order. Memory: ~16 bytes per example plus the order (the paper preset's
    ~840k examples: tens of MB)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    spool = out.with_name(out.name + ".spool")
    tmp = out.with_name(out.name + ".tmp")
    offsets = array("q", [0])
    sizes, keys = [], []
    try:
        with open(spool, "wb") as handle:
            for path in files:
                size, key = 0, None
                for example in _examples(path, java_label):
                    line = (json.dumps(example, ensure_ascii=False) + "\n").encode("utf-8")
                    handle.write(line)
                    offsets.append(offsets[-1] + len(line))
                    if key is None:
                        key = (example.get("task"), example.get("language"))
                    size += 1
                sizes.append(size)
                keys.append(key)
        starts = [sum(sizes[:k]) for k in range(len(sizes))]
        pool: list[int] = []
        for k in source_permutation(keys, source_order):
            indices = list(range(starts[k], starts[k] + sizes[k]))
            if shuffle_sources_first:
                indices = [indices[i] for i in shuffled_order(sizes[k], seed, shuffler)]
            pool.extend(indices)
        ordered_sizes = [sizes[k] for k in source_permutation(keys, source_order)]
        order = [pool[i] for i in mix_order(ordered_sizes, strategy, seed, temperature, shuffler)]
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
