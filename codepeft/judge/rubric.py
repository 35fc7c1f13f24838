"""The judge's rubric: prompt template, answer parsing and per-instance aggregation.

The rubric is the paper's (PAPER.md): *Content adequacy*, *Conciseness* and *Fluency*, each
scored 1-5 (very poor .. very good), answered as three ``Name: score`` lines given the function
and its comment. The prompt is a plain-text template file with the placeholders ``{code}``,
``{summary}`` and optionally ``{language}`` (as given) and ``{lang}`` (``language.capitalize()``,
as the replication package filled it); the default ships in
``codepeft/resources/judge/summary_rubric.txt``, the replication package's own prompt in
``codepeft/resources/judge/package_prompt.txt`` (config ``template: package``; its source is
named in ``package_prompt.source.md``), and the config can point to another file.
Placeholders are replaced in one pass (no ``str.format``), so braces in the template or in the
code need no escaping and a summary containing ``{code}`` stays as written.

Two answer parsers (config ``parse_rule``): `parse_answer` (``strict``, the default) and
`parse_answer_package` (``package``, the replication package's line rule).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from codepeft.config import schema_defaults

DEFAULT_CRITERIA = tuple(schema_defaults("judge")["criteria"])  # the schema's
SCORE_MIN, SCORE_MAX = 1, 5
PLACEHOLDERS = ("{code}", "{summary}")


#: template names that select a packaged file (config `judge.template`)
PACKAGED_TEMPLATES = {"package": "package_prompt.txt"}
PARSE_RULES = ("strict", "package")
_PLACEHOLDER = re.compile(r"\{(lang|language|code|summary)\}")


def default_template_path() -> Path:
    return Path(str(resources.files("codepeft") / "resources" / "judge" / "summary_rubric.txt"))


def packaged_template_path(name: str) -> Path:
    return Path(str(resources.files("codepeft") / "resources" / "judge" / PACKAGED_TEMPLATES[name]))


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
        values = {
            "lang": (language or "").capitalize(),
            "language": language or "",
            "code": code,
            "summary": summary,
        }
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.text)


def load_template(path: str | Path | None = None) -> Template:
    """Read a template file (default: the packaged rubric; ``package``: the replication
    package's prompt); it must contain {code} and {summary}."""
    if path in PACKAGED_TEMPLATES:
        path = packaged_template_path(str(path))
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


def _first_score(line: str) -> int | None:
    """The first character of `line` that is a digit from 1 to 5 (the package's rule: other
    decimal digits such as a full-width '４' count, as ``int`` reads them).

    A character that is a digit to ``str.isdigit`` but that ``int`` cannot read (a superscript
    '²', a circled '①') ends the search with no score for the line: there the package's
    ``int(char)`` raised ValueError and its whole evaluation stopped (``:119-132``), so it
    never read a score past one. codepeft does not stop: the criterion stays unscored by this
    line, and a run missing it is asked again (``parse_retries``) as any incomplete answer.
    """
    for char in line:
        if char.isdigit():
            try:
                value = int(char)
            except ValueError:  # the package raised here (module doc: stated difference)
                return None
            if SCORE_MIN <= value <= SCORE_MAX:
                return value
    return None


def parse_answer_package(text: str | None, criteria: tuple[str, ...] = DEFAULT_CRITERIA) -> Parsed:
    """The replication package's parser (``evaluate_summarization_llm_judge.py:105-138``).

    Per line of the answer, case-insensitively, the criteria are checked in order with an
    elif: the first criterion name the line contains claims the line, and its score is the
    first character of the line that is a digit 1-5 (a line without one leaves the score as it
    was); a later line overwrites an earlier score. ``scores`` holds every criterion that got a
    score (a partial dict when some did not: the package kept those); the answer is usable
    (reason ``ok``) only when all of them did.
    """
    if text is None or not text.strip():
        return Parsed(None, "empty answer")
    scores: dict[str, int] = {}
    names = [(name, name.lower()) for name in criteria]
    for line in text.split("\n"):
        lower = line.lower()
        for name, needle in names:
            if needle in lower:
                value = _first_score(line)
                if value is not None:
                    scores[name] = value
                break
    missing = [name for name in criteria if name not in scores]
    if missing:
        return Parsed(scores or None, "unparsable answer: no score for " + ", ".join(missing))
    return Parsed(scores, "ok")


def parser(rule: str):
    """The answer parser of config `parse_rule`."""
    if rule not in PARSE_RULES:
        raise ValueError(f"parse_rule must be one of {PARSE_RULES}, not {rule!r}")
    return parse_answer_package if rule == "package" else parse_answer


def mode(values: list[int]) -> int | None:
    """Most frequent score; a tie goes to the lowest tied score (the conservative reading)."""
    if not values:
        return None
    counts = Counter(values)
    top = max(counts.values())
    return min(v for v, c in counts.items() if c == top)


def mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None
