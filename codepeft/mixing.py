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

import random
from collections.abc import Sequence

from codepeft.io import read_jsonl
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


def shuffled(rows: list, seed: int, shuffler: str = "python") -> list:
    """A shuffled copy of `rows`: Python's `random` or the HF datasets permutation."""
    if shuffler == "python":
        out = list(rows)
        random.Random(seed).shuffle(out)
        return out
    if shuffler == "hf_datasets":
        import numpy as np

        return [rows[i] for i in np.random.default_rng(seed).permutation(len(rows))]
    raise ValueError(f"unknown shuffler {shuffler!r}; known: {SHUFFLERS}")


def order_sources(sources: Sequence[list[dict]], order: str = "config") -> list[list[dict]]:
    """Sources in the concatenation order: as given, or the package's (task, language) order
    (unknown pairs after the known ones, in their given order)."""
    if order == "config":
        return list(sources)
    if order != "package":
        raise ValueError(f"unknown source order {order!r}; known: {SOURCE_ORDERS}")

    def rank(source: list[dict]) -> int:
        if not source:
            return len(PACKAGE_ORDER)
        key = (source[0].get("task"), source[0].get("language"))
        return PACKAGE_ORDER.index(key) if key in PACKAGE_ORDER else len(PACKAGE_ORDER)

    return sorted(sources, key=rank)  # stable


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


def mix(
    sources: Sequence[list[dict]],
    strategy: str,
    seed: int,
    temperature: float = 2.0,
    shuffler: str = "python",
):
    rng = random.Random(seed)
    if strategy == "concat_shuffle":
        return shuffled([row for source in sources for row in source], seed, shuffler)
    if strategy == "proportional":
        # draws with replacement: each row's source is chosen with probability ~ its size
        pool = [row for source in sources for row in source]
        return rng.choices(pool, k=len(pool)) if pool else []
    rows = []
    for source, share in zip(
        sources, source_shares([len(s) for s in sources], strategy, temperature), strict=True
    ):
        if not source:
            continue
        repeats, remainder = divmod(share, len(source))
        rows.extend(source * repeats)
        rows.extend(rng.sample(source, remainder))
    rng.shuffle(rows)
    return rows


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
    sources = [
        [to_example(r, java_label) for r in read_jsonl(f) if r.get("reference") is not None]
        for f in files
    ]
    sources = order_sources(sources, source_order)
    if shuffle_sources_first:
        sources = [shuffled(source, seed, shuffler) for source in sources]
    return mix(sources, strategy, seed, temperature, shuffler)
