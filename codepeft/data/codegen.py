"""The code-generation TRAINING set, derived from CodeXGLUE code-to-text rows.

Deviation from the paper (documented): the paper trained code generation on an unpublished
set of (summary, signature, code) triples. This module builds the substitute from
code-to-text records of the same languages:

- summary   = the first sentence of the docstring (first paragraph, Javadoc tags and inline
              `{@link X}`/`{@code X}` markup reduced to their text, HTML tags removed);
- signature = the declaration: Python the `def ...:` header up to its closing colon (possibly
              several lines, decorators excluded); Java everything before the body up to and
              including the opening brace (annotations and modifiers included), the form of
              CoderEval's Java signatures;
- reference = the function's code without its docstring (Python: the docstring statement's
              lines removed) or leading Javadoc/block comment (Java).

Rows where this cannot be done are skipped and counted by reason (`no_summary`,
`no_signature`, `no_body`, `docstring_only`, `tokenize_error`, ...): `derive_generation`
returns (records, skipped_counts); nothing is dropped silently. Ids are the code-to-text ids.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from collections.abc import Iterable, Iterator

from codepeft.data.records import make_record

_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.", "incl.")


class SkipRow(Exception):
    """This row cannot yield a generation example; `args[0]` is the reason key."""


# --------------------------------------------------------------------------- summary


def _clean_javadoc(text: str) -> str:
    text = re.sub(r"\{@(?:link|linkplain|code|literal|value)\s+([^}]*)\}", r"\1", text)
    text = re.sub(r"</?[a-zA-Z][^>]*>", " ", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def first_sentence(docstring: str) -> str:
    """First sentence of the first paragraph of a docstring ('' if there is no prose).

    Lines starting a tag block (`@param`, `:param`, `Args:`, `Returns:`, ...) end the
    paragraph. The sentence ends at the first '.', '!' or '?' followed by whitespace or the
    end (common abbreviations like 'e.g.' excepted); without one, the paragraph is the summary.
    """
    lines = []
    for raw in _clean_javadoc(docstring).strip().splitlines():
        line = raw.strip().lstrip("*").strip()
        if not line:
            if lines:
                break
            continue
        if re.match(
            r"^(@\w+|:\w+|(Args|Arguments|Returns?|Raises|Parameters|Yields|Example|Examples|Note)\s*:)",
            line,
        ):
            break
        lines.append(line)
    paragraph = re.sub(r"\s+", " ", " ".join(lines)).strip()
    for match in re.finditer(r"[.!?](?=\s|$)", paragraph):
        end = match.end()
        head = paragraph[:end]
        if any(head.lower().endswith(abbr) for abbr in _ABBREVIATIONS):
            continue
        return head.strip()
    return paragraph


# --------------------------------------------------------------------------- python


def _python_tokens(code: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as err:
        raise SkipRow("tokenize_error") from err


def split_python_function(code: str) -> tuple[str, str]:
    """(signature, code without docstring) of one Python function's source.

    The signature runs from the `def` (or `async def`) line to the colon closing the header at
    bracket depth 0; decorators before it are not part of it. The docstring is the first
    statement of the body if it is a string literal on lines of its own.
    """
    tokens = _python_tokens(code)
    lines = code.splitlines(keepends=True)
    def_index = next(
        (i for i, t in enumerate(tokens) if t.type == tokenize.NAME and t.string == "def"), None
    )
    if def_index is None:
        raise SkipRow("no_signature")
    start_tok = tokens[def_index]
    if def_index > 0 and tokens[def_index - 1].string == "async":
        start_tok = tokens[def_index - 1]
    depth = 0
    colon = None
    for i in range(def_index, len(tokens)):
        tok = tokens[i]
        if tok.type == tokenize.OP:
            if tok.string in "([{":
                depth += 1
            elif tok.string in ")]}":
                depth -= 1
            elif tok.string == ":" and depth == 0:
                colon = i
                break
    if colon is None:
        raise SkipRow("no_signature")
    (srow, scol), (crow, ccol) = start_tok.start, tokens[colon].end
    header_lines = lines[srow - 1 : crow]
    header_lines[0] = header_lines[0][scol:]
    header_lines[-1] = header_lines[-1][: ccol - (scol if crow == srow else 0)]
    signature = "".join(header_lines).strip()

    # Body: skip NEWLINE/COMMENT/NL/INDENT after the colon; a STRING followed by NEWLINE is the
    # docstring (several adjacent string literals count as one statement).
    skip = {tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT}
    j = colon + 1
    while j < len(tokens) and tokens[j].type in skip:
        j += 1
    if j >= len(tokens) or tokens[j].type in (tokenize.ENDMARKER, tokenize.DEDENT):
        raise SkipRow("no_body")
    if tokens[j].type != tokenize.STRING:
        return signature, code  # no docstring: the code is the reference as is
    if tokens[j].start[0] == crow:
        raise SkipRow("docstring_on_header_line")
    k = j
    while k + 1 < len(tokens) and tokens[k + 1].type in (tokenize.STRING, tokenize.NL):
        k += 1
    after = tokens[k + 1] if k + 1 < len(tokens) else None
    if after is None or after.type not in (tokenize.NEWLINE, tokenize.ENDMARKER):
        return signature, code  # a string expression that is part of something larger
    first_line, last_line = tokens[j].start[0], tokens[k].end[0]
    rest = tokens[k + 2 :] if k + 2 <= len(tokens) else []
    if not any(
        t.type
        not in (
            tokenize.NL,
            tokenize.COMMENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
            tokenize.NEWLINE,
        )
        for t in rest
    ):
        raise SkipRow("docstring_only")
    tail = lines[last_line:]
    while tail and not tail[0].strip():
        tail.pop(0)  # blank lines that separated the docstring from the code
    kept = lines[: first_line - 1] + tail
    return signature, "".join(kept).rstrip() + ("\n" if code.endswith("\n") else "")


# --------------------------------------------------------------------------- java

_JAVA_LEADING_COMMENT = re.compile(r"^\s*(/\*.*?\*/\s*|//[^\n]*\n\s*)*", re.S)


def split_java_method(code: str) -> tuple[str, str]:
    """(signature, code without leading Javadoc/comments) of one Java method's source.

    The signature is everything up to and including the first '{' outside parentheses,
    strings and comments (annotations, modifiers, generics, throws clause included).
    """
    body = code[_JAVA_LEADING_COMMENT.match(code).end() :]
    depth = 0
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch in "\"'":
            quote = ch
            i += 1
            while i < n and body[i] != quote:
                i += 2 if body[i] == "\\" else 1
        elif body.startswith("//", i):
            i = body.find("\n", i)
            if i < 0:
                break
        elif body.startswith("/*", i):
            end = body.find("*/", i + 2)
            if end < 0:
                break
            i = end + 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == ";" and depth == 0:
            raise SkipRow("no_body")  # abstract/interface method or a field
        elif ch == "{" and depth == 0:
            signature = re.sub(r"[ \t]+\n", "\n", body[: i + 1]).strip()
            if "(" not in signature:
                raise SkipRow("no_signature")  # a class/initializer block, not a method
            return signature, body.strip() + ("\n" if code.endswith("\n") else "")
        i += 1
    raise SkipRow("no_signature")


# --------------------------------------------------------------------------- records


def derive_generation(rows: list[dict], lang: str, split: str) -> tuple[list[dict], dict[str, int]]:
    """Generation records from raw code-to-text rows; returns (records, skipped counts by reason)."""
    skipped: Counter[str] = Counter()
    records = list(iter_generation(rows, lang, split, skipped))
    return records, dict(sorted(skipped.items()))


def iter_generation(
    rows: Iterable[dict], lang: str, split: str, skipped: Counter
) -> Iterator[dict]:
    """derive_generation one record at a time; skipped rows are counted into `skipped`."""
    splitter = split_python_function if lang == "python" else split_java_method
    for row in rows:
        try:
            summary = first_sentence(row.get("docstring") or "")
            if not summary:
                raise SkipRow("no_summary")
            signature, reference = splitter(row["code"])
            if not reference.strip() or reference.strip() == signature.strip():
                raise SkipRow("no_body")
        except SkipRow as skip:
            skipped[skip.args[0]] += 1
            continue
        yield make_record(
            row["id"],
            "generation",
            lang,
            split,
            {"summary": summary, "signature": signature},
            reference,
            {
                "source": "derived-from-codexglue-code-to-text",
                "url": row.get("url"),
                "repo": row.get("repo"),
                "func_name": row.get("func_name"),
            },
        )
