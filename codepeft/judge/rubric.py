"""The judge's rubric: prompt template, answer parsing and per-instance aggregation.

The rubric is the paper's (PAPER.md): *Content adequacy*, *Conciseness* and *Fluency*, each
scored 1-5 (very poor .. very good), answered as three ``Name: score`` lines given the function
and its comment. The prompt is a plain-text template file with the placeholders ``{code}``,
``{summary}`` and (optionally) ``{language}``; the default ships in
``codepeft/resources/judge/summary_rubric.txt`` and the config can point to another file.
Placeholders are replaced literally (no ``str.format``), so braces in the template or in the
code need no escaping.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DEFAULT_CRITERIA = ("Content adequacy", "Conciseness", "Fluency")
SCORE_MIN, SCORE_MAX = 1, 5
PLACEHOLDERS = ("{code}", "{summary}")


def default_template_path() -> Path:
    return Path(str(resources.files("codepeft") / "resources" / "judge" / "summary_rubric.txt"))


def criterion_key(name: str) -> str:
    """Column-name form of a criterion: 'Content adequacy' -> 'content_adequacy'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class Template:
    text: str
    source: str  # path it was read from (for provenance)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def render(self, code: str, summary: str, language: str = "") -> str:
        return (
            self.text.replace("{language}", language or "")
            .replace("{summary}", summary)
            .replace("{code}", code)
        )


def load_template(path: str | Path | None = None) -> Template:
    """Read a template file (default: the packaged rubric); it must contain {code} and {summary}."""
    path = Path(path) if path else default_template_path()
    text = path.read_text(encoding="utf-8")
    missing = [p for p in PLACEHOLDERS if p not in text]
    if missing:
        raise ValueError(f"judge template {path} lacks the placeholder(s) {', '.join(missing)}")
    return Template(text=text, source=str(path))


@dataclass(frozen=True)
class Parsed:
    scores: dict[str, int] | None  # criterion name -> score; None when the answer is unusable
    reason: str  # "ok" or why the answer could not be used


def _criterion_pattern(name: str) -> re.Pattern:
    words = r"[\s_-]+".join(re.escape(w) for w in name.split())
    # "Content adequacy: 4", "**Fluency**: 5/5", "- Conciseness = 3", "Fluency - 2 (good)"
    return re.compile(
        rf"^[\s>*#\-\d.)]*\**\s*{words}\s*\**\s*(?:\([^)]*\))?\s*[:=\-]\s*\**\s*(\d+(?:\.\d+)?)",
        re.IGNORECASE | re.MULTILINE,
    )


def parse_answer(text: str | None, criteria: tuple[str, ...] = DEFAULT_CRITERIA) -> Parsed:
    """Scores of one judge answer; usable only if every criterion has one integer score in 1..5.

    A criterion given twice with different scores, a non-integer, or a score outside 1..5 makes
    the answer unusable (the reason says which); the caller retries and finally records it as
    missing. Extra text around the three lines is tolerated.
    """
    if text is None or not text.strip():
        return Parsed(None, "empty answer")
    scores: dict[str, int] = {}
    problems: list[str] = []
    for name in criteria:
        found = {m.group(1) for m in _criterion_pattern(name).finditer(text)}
        if not found:
            problems.append(f"no score for {name}")
            continue
        if len(found) > 1:
            problems.append(f"conflicting scores for {name} ({', '.join(sorted(found))})")
            continue
        raw = found.pop()
        if not raw.isdigit():
            problems.append(f"non-integer score for {name} ({raw})")
            continue
        value = int(raw)
        if not SCORE_MIN <= value <= SCORE_MAX:
            problems.append(f"score out of range for {name} ({value})")
            continue
        scores[name] = value
    if problems:
        return Parsed(None, "unparsable answer: " + "; ".join(problems))
    return Parsed(scores, "ok")


def mode(values: list[int]) -> int | None:
    """Most frequent score; a tie goes to the lowest tied score (the conservative reading)."""
    if not values:
        return None
    counts = Counter(values)
    top = max(counts.values())
    return min(v for v, c in counts.items() if c == top)


def mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None
