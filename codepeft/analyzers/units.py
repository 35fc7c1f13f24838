"""Turning prediction records into analyzable unit files, one file per sample.

Languages by (task, lang): generation/python -> Python, generation/java -> Java,
translation/java-cs -> C# (the output is C# code), translation/cs-java -> Java.

Each sample becomes one file in its own folder, ``<root>/<nnnnn>/<File>.<ext>`` (its own folder
so that per-directory checks such as Checkstyle's ``JavadocPackage`` fire once per unit, as they
would if the unit were analyzed alone, and batched results equal per-file results):

- Python: ``unit_<nnnnn>.py`` holding the output as is.
- Java: ``Unit<nnnnn>.java``. A bare method (the usual generation/translation output) is wrapped
  as the paper did: ``import java.util.*;`` then ``public class Unit<nnnnn> {``, the code, ``}``.
  ``import`` lines at the top of the output are hoisted above the class and ``package`` lines are
  dropped (both are illegal inside a class body). An output that already declares a top-level
  type (``class``/``interface``/``enum``/``record``/``@interface`` before its first top-level
  ``{``) is written unchanged: wrapping it again would nest the class and change every measure.
- C#: ``Unit<nnnnn>.cs``; a bare method is wrapped as ``public class Unit<nnnnn> {``, the code,
  ``}`` (``using`` lines hoisted); an output that declares a type or namespace is kept as is.
  (CodeXGLUE's C# side is bare methods; a method is not a valid C# compilation unit.)

The wrapper adds constant, per-file artefacts to style counts (e.g. an unused ``java.util.*``
import, a class without Javadoc); they are the same for every model, so comparisons between
models are unaffected, and the `wrapped` column of every table says which units got one.
An output that is ``null`` or only whitespace is not written; its status is ``empty_prediction``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: (task, lang) -> language of the code in `output`; tasks absent here produce no code.
CODE_LANGUAGES = {
    ("generation", "python"): "python",
    ("generation", "java"): "java",
    ("translation", "java-cs"): "csharp",
    ("translation", "cs-java"): "java",
}
EXTENSIONS = {"python": ".py", "java": ".java", "csharp": ".cs"}

JAVA_WRAPPER_HEAD = "import java.util.*;\n"

_TYPE_KEYWORDS = re.compile(
    r"(?<![\w.@])(class|interface|enum|record|@interface|struct|namespace)\s+[A-Za-z_]"
)
_JAVA_HOISTED = re.compile(r"^\s*(import\s+[\w.*\s]+;|package\s+[\w.\s]+;)\s*$")
_CS_HOISTED = re.compile(r"^\s*using\s+(static\s+)?[\w.=\s]+;\s*$")


@dataclass
class Unit:
    """One sample as an analyzable file. `path` is None when there is nothing to analyze."""

    id: str
    index: int
    language: str
    code: str | None
    path: Path | None
    wrapped: bool
    status: str  # "ok" or "empty_prediction"


def code_language(task: str, lang: str) -> str | None:
    """The language of the code in the predictions of (task, lang), or None (not code)."""
    return CODE_LANGUAGES.get((task, lang))


def _strip_comments_and_strings(code: str) -> str:
    """C-family source with comments and string/char literals blanked (for shape detection)."""
    out = []
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            i = n if j < 0 else j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif code.startswith('"""', i):
            j = code.find('"""', i + 3)
            i = n if j < 0 else j + 3
            out.append('""')
        elif c in "\"'":
            j = i + 1
            while j < n and code[j] != c and code[j] != "\n":
                j += 2 if code[j] == "\\" else 1
            i = j + 1
            out.append(c + c)
        else:
            out.append(c)
            i += 1
    return "".join(out)


def declares_type(code: str) -> bool:
    """True when Java/C# `code` already declares a top-level type (or a C# namespace)."""
    text = _strip_comments_and_strings(code)
    brace = text.find("{")
    head = text if brace < 0 else text[:brace]
    return bool(_TYPE_KEYWORDS.search(head))


def wrap_java(code: str, class_name: str) -> tuple[str, bool]:
    """The paper's wrapper: `import java.util.*; public class <Name> { <code> }` (see module doc)."""
    if declares_type(code):
        return code, False
    lines = code.splitlines()
    hoisted = []
    while lines and (not lines[0].strip() or _JAVA_HOISTED.match(lines[0])):
        line = lines.pop(0)
        if line.strip().startswith("import"):
            hoisted.append(line.strip())
    head = JAVA_WRAPPER_HEAD + "".join(h + "\n" for h in hoisted)
    body = "\n".join(lines)
    return f"{head}public class {class_name} {{\n{body}\n}}\n", True


def wrap_csharp(code: str, class_name: str) -> tuple[str, bool]:
    """A bare C# member becomes `public class <Name> { <code> }` (leading `using` lines hoisted)."""
    if declares_type(code):
        return code, False
    lines = code.splitlines()
    hoisted = []
    while lines and (not lines[0].strip() or _CS_HOISTED.match(lines[0])):
        line = lines.pop(0)
        if line.strip():
            hoisted.append(line.strip())
    head = "".join(h + "\n" for h in hoisted)
    body = "\n".join(lines)
    return f"{head}public class {class_name} {{\n{body}\n}}\n", True


def unit_file_name(language: str, index: int) -> str:
    if language == "python":
        return f"unit_{index:05d}.py"
    return f"Unit{index:05d}{EXTENSIONS[language]}"


def unit_source(code: str, language: str, index: int) -> tuple[str, bool]:
    """The text written for a sample and whether it was wrapped."""
    if language == "java":
        return wrap_java(code, f"Unit{index:05d}")
    if language == "csharp":
        return wrap_csharp(code, f"Unit{index:05d}")
    if language == "python":
        return (code if code.endswith("\n") else code + "\n"), False
    raise ValueError(f"unknown language {language!r}")


def build_units(records: list[dict], language: str, root: str | Path) -> list[Unit]:
    """Write one unit file per record under `root`; return units in record order.

    Raises ValueError on a duplicate id (the table contract needs each id exactly once).
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    units, seen = [], set()
    for index, record in enumerate(records, 1):
        uid = str(record["id"])
        if uid in seen:
            raise ValueError(f"duplicate id {uid!r} in predictions")
        seen.add(uid)
        output = record.get("output")
        if output is None or not str(output).strip():
            units.append(Unit(uid, index, language, None, None, False, "empty_prediction"))
            continue
        text, wrapped = unit_source(str(output), language, index)
        folder = root / f"{index:05d}"
        folder.mkdir(exist_ok=True)
        path = folder / unit_file_name(language, index)
        path.write_text(text, encoding="utf-8")
        units.append(Unit(uid, index, language, text, path, wrapped, "ok"))
    return units
