"""The replication package's behaviours that change reported numbers, as named config options.

Each entry says which config key reproduces the package (the value the paper preset sets),
what the package did, where (file:line in alvi75/MultiTask-QLoRA-NFAnalysis, see
docs/paper-protocol.md) and whether it is a defect kept only for fidelity. The report lists the
entries in force for a study (`in_force`), so nobody compares numbers without knowing them.

Keys are dotted config paths; `*` matches every key at that level (e.g. `methods.*.training.x`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quirk:
    key: str  # dotted config path of the option
    value: object  # the option value that reproduces the package
    what: str  # one sentence: what the package did
    source: str  # package file:line
    defect: bool = False  # True: a defect of the package, kept for fidelity only


QUIRKS: list[Quirk] = [
    # --- inference: prompts, truncation, decoding, post-processing, numerics ---------------
    # --- training: numerics, packing, model selection ------------------------------------
    # --- evaluation: metrics, analyzers, judge ---------------------------------------------
    # --- statistics: families, adjustments, pairing ---------------------------------------
]


def _values(config, parts: list[str]):
    """Every value at the dotted path `parts` ('*' fans out over a dict's keys)."""
    if not parts:
        yield config
        return
    head, rest = parts[0], parts[1:]
    if not isinstance(config, dict):
        return
    keys = list(config) if head == "*" else [head] if head in config else []
    for key in keys:
        yield from _values(config[key], rest)


def in_force(config: dict, quirks: list[Quirk] | None = None) -> list[Quirk]:
    """The quirks whose option holds the package's value somewhere in `config`."""
    return [
        q
        for q in (QUIRKS if quirks is None else quirks)
        if any(v == q.value for v in _values(config, q.key.split(".")))
    ]
