"""An n-gram index of test texts, and a stream of training examples matched against it.

Normalisation (the same for every text, test or training, code or natural language):
comments removed (`/* ... */`, `// ...` and `# ...` to the end of the line: C#, Java and
Python comments; a `//` or `#` inside a string literal goes too, on both sides alike), then
lower case, then tokens = runs of word characters and single punctuation marks (so whitespace
and line breaks never matter).

A test item's *units* are its text fields (inputs' strings and the reference) with at least n
tokens; a shorter field is not audited (a 10-token signature or a one-line docstring matches
too much by chance). For every unit the index keeps its distinct token n-grams, each as a
64-bit hash (Python's hash of each token, combined by a polynomial over n tokens modulo 2^64:
a false match is about 1e-15 per lookup). The training side is streamed, never indexed: each
batch of training examples is tokenised, its n-gram hashes computed with numpy and looked up
in the sorted test hashes, so memory is the test set's plus one batch's, whatever the training
set's size (the paper's ~850k rows: benchmarks/overlap.md).

Per unit and training example: containment = |unit n-grams also in the example| / |unit
n-grams|; `exact` = the unit's whole normalised token sequence occurs verbatim in one text of
the example (checked only where containment is 1). A test item's overlap is the highest over
its units, with the `top` training examples that reach it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*|#[^\n]*", re.DOTALL)
TOKEN = re.compile(r"\w+|[^\w\s]")
_P = np.uint64(0x100000001B3)  # FNV-64 prime: the polynomial's base


def tokens(text: str) -> list[str]:
    """The normalised tokens of a text (module docstring)."""
    return TOKEN.findall(COMMENTS.sub(" ", text).lower())


def token_hashes(toks: Sequence[str]) -> np.ndarray:
    return np.fromiter((hash(t) for t in toks), dtype=np.int64, count=len(toks)).view(np.uint64)


def window_hashes(hashes: np.ndarray, n: int) -> np.ndarray:
    """The hash of every window of n consecutive token hashes (len - n + 1 values)."""
    m = len(hashes) - n + 1
    if m <= 0:
        return np.empty(0, dtype=np.uint64)
    out = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(n):
            out = out * _P + hashes[i : i + m]
    return out


@dataclass
class Unit:
    item: int  # index of the test item
    field: str
    text: str  # normalised tokens joined by one space (the exact check)
    n_ngrams: int


@dataclass
class Match:
    containment: float
    train_id: str
    exact: bool


@dataclass
class OverlapIndex:
    """The test set's units and their n-gram hashes (sorted, with the units of each hash)."""

    n: int
    top: int
    units: list[Unit]
    hashes: np.ndarray  # sorted distinct n-gram hashes
    starts: np.ndarray  # hashes[k]'s units are unit_of[starts[k]:starts[k + 1]]
    unit_of: np.ndarray
    best: list[list[Match]] = field(default_factory=list)  # per unit, the top matches

    @property
    def sizes(self) -> np.ndarray:
        """Each unit's number of distinct n-grams."""
        if getattr(self, "_sizes", None) is None or len(self._sizes) != len(self.units):
            self._sizes = np.array([u.n_ngrams for u in self.units], dtype=float)
        return self._sizes

    @classmethod
    def build(cls, items: Sequence[Sequence[tuple[str, str]]], n: int, top: int) -> OverlapIndex:
        """`items`: per test item its (field, text) pairs."""
        units, all_hashes, all_units = [], [], []
        for k, fields in enumerate(items):
            for name, text in fields:
                toks = tokens(text)
                grams = np.unique(window_hashes(token_hashes(toks), n))
                if grams.size == 0:
                    continue
                all_hashes.append(grams)
                all_units.append(np.full(grams.size, len(units), dtype=np.int64))
                units.append(Unit(k, name, " ".join(toks), int(grams.size)))
        if units:
            flat = np.concatenate(all_hashes)
            owner = np.concatenate(all_units)
            order = np.argsort(flat, kind="stable")
            flat, owner = flat[order], owner[order]
            hashes, starts = np.unique(flat, return_index=True)
        else:
            hashes, starts, owner = (np.empty(0, np.uint64), np.empty(0, np.int64),
                                     np.empty(0, np.int64))  # fmt: skip
        starts = np.append(starts, len(owner)).astype(np.int64)
        return cls(n, top, units, hashes, starts, owner, [[] for _ in units])

    def add_batch(self, examples: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Match a batch of training examples ((training id, its texts)) against every unit."""
        if not self.units or not examples:
            return
        seg_hashes, seg_example = [], []
        toks_of: dict[int, list[list[str]]] = {}
        for e, (_, texts) in enumerate(examples):
            for text in texts:
                toks = tokens(text)
                grams = window_hashes(token_hashes(toks), self.n)
                if grams.size:
                    seg_hashes.append(grams)
                    seg_example.append(np.full(grams.size, e, dtype=np.int64))
                    toks_of.setdefault(e, []).append(toks)
        if not seg_hashes:
            return
        grams = np.concatenate(seg_hashes)
        example = np.concatenate(seg_example)
        pos = np.searchsorted(self.hashes, grams)
        pos[pos == len(self.hashes)] = 0
        hit = self.hashes[pos] == grams
        if not hit.any():
            return
        # distinct (example, test hash) pairs, then their units (a hash may belong to several)
        pairs = np.unique(example[hit] * len(self.hashes) + pos[hit])
        ex, h = pairs // len(self.hashes), pairs % len(self.hashes)
        lengths = self.starts[h + 1] - self.starts[h]
        ex = np.repeat(ex, lengths)
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        unit = self.unit_of[np.repeat(self.starts[h], lengths) + offsets]
        keys, counts = np.unique(unit * len(examples) + ex, return_counts=True)
        unit, ex = keys // len(examples), keys % len(examples)
        containment = counts / self.sizes[unit]

        def verbatim(u: int, e: int) -> bool:
            unit_text = " " + self.units[u].text + " "
            return any(unit_text in " " + " ".join(t) + " " for t in toks_of[e])

        for u in np.unique(unit):
            sel = np.flatnonzero(unit == u)
            sel = sel[np.argsort(-containment[sel], kind="stable")][: self.top]
            found = [
                Match(
                    float(containment[s]),
                    examples[ex[s]][0],
                    bool(containment[s] >= 1.0 and verbatim(int(u), int(ex[s]))),
                )
                for s in sel
            ]
            merged = sorted(self.best[u] + found, key=lambda m: (-m.exact, -m.containment))
            self.best[u] = merged[: self.top]

    def add(self, examples: Iterable[tuple[str, Sequence[str]]], batch: int = 2000) -> int:
        """Stream training examples in batches; returns how many were read."""
        chunk, count = [], 0
        for example in examples:
            chunk.append(example)
            if len(chunk) == batch:
                self.add_batch(chunk)
                count += len(chunk)
                chunk = []
        self.add_batch(chunk)
        return count + len(chunk)

    def item_results(self, n_items: int) -> list[dict]:
        """Per test item: its highest containment (and the field reaching it), whether a field
        occurs verbatim in a training example, and the top training ids (id:containment)."""
        out = [
            dict(n_units=0, containment=0.0, field="", exact=False, matches=[])
            for _ in range(n_items)
        ]
        for u, unit in enumerate(self.units):
            row = out[unit.item]
            row["n_units"] += 1
            best = self.best[u]
            if best and (best[0].containment > row["containment"] or not row["field"]):
                row["containment"], row["field"] = best[0].containment, unit.field
            row["exact"] = row["exact"] or any(m.exact for m in best)
            row["matches"] += best
        for row in out:
            seen: dict[str, Match] = {}
            for m in sorted(row["matches"], key=lambda m: (-m.exact, -m.containment)):
                seen.setdefault(m.train_id, m)
            row["matches"] = list(seen.values())[: self.top]
        return out
