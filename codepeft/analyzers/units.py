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

``unit_files: package`` (the paper preset) writes the files as the replication package did
(``generation/codereval/extract_code_from_jsonl.py:25,31``, ``add_java_wrappers_cg.py:11-17,33``,
``translation/wrap_java_methods.py:11-17,32``, ``translation/infer_translation_qlora.py:204-213``):

- generation, Python: ``<id>.py`` holding the output raw (no newline added: Pylint's
  ``missing-final-newline`` and ``invalid-name`` for the module name fire as they did);
- generation, Java: ``<id>.java`` = ``import java.util.*;\n\npublic class Generated_<id> {\n
  <code>\n}`` (only the code's first line indented, always wrapped, nothing hoisted);
- translation, Java: ``translation_<id>.java`` with class ``Translation<id>``, same template;
- translation, C#: ``translation_<id>.cs``, not wrapped.

Java code has its carriage returns made newlines (``\\r\\n`` and a lone ``\\r`` -> ``\\n``): the
package read each Java output back in text mode before wrapping it. Python and C# files keep
them, as the package wrote those files once.

``<id>`` is the record id with characters other than letters, digits and ``_`` replaced by
``_``. An empty output is written (empty) and analyzed, as the package did; only a null
output is ``empty_prediction``. ``format_translations: true`` passes translation outputs through
`format_code` (the package's ``format_code``) before they are written.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = {"python": ".py", "java": ".java", "csharp": ".cs"}

JAVA_WRAPPER_HEAD = "import java.util.*;\n"
#: File layouts: ``codepeft`` (the default) or ``package`` (the replication package's).
UNIT_FILES = ("codepeft", "package")

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


def format_code(code: str) -> str:
    """The replication package's reformatting of translation outputs before static analysis
    (``translation/infer_translation_qlora.py:21-45``), written from its description: collapse
    every run of whitespace to one space; put a newline after every ``;``, ``{`` and ``}`` (also
    inside string literals and ``for (...;...;...)`` headers); drop blank lines and strip each
    line; re-indent with 4 spaces per brace level, where a line starting with ``}`` is first
    dedented (never below 0) and a line ending with ``{`` indents the lines after it."""
    text = " ".join(code.split())
    for mark in ";{}":
        text = text.replace(mark, mark + "\n")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    out, level = [], 0
    for line in lines:
        if line.startswith("}"):
            level = max(0, level - 1)
        out.append("    " * level + line)
        if line.endswith("{"):
            level += 1
    return "\n".join(out)


def format_or_keep(code: str) -> str:
    """`format_code`, or the unformatted text when it fails (as the package fell back)."""
    try:
        return format_code(code)
    except Exception:  # noqa: BLE001 - the package kept the unformatted text on any error
        return code


def text_mode_newlines(code: str) -> str:
    """`code` as Python's text mode reads it back (universal newlines): ``\\r\\n`` and a lone
    ``\\r`` become ``\\n``."""
    return code.replace("\r\n", "\n").replace("\r", "\n")


def package_wrap_java(code: str, class_name: str) -> str:
    """The package's Java wrapper: only the first line of `code` is indented; no final newline.
    The package wrote each Java output to a file and read it back in text mode before wrapping
    (``add_java_wrappers_cg.py:30``, ``wrap_java_methods.py:29``), so carriage returns in the
    output became newlines (`text_mode_newlines`)."""
    code = text_mode_newlines(code)
    return f"import java.util.*;\n\npublic class {class_name} {{\n    {code}\n}}"


def safe_name(uid: str) -> str:
    """A record id as a file-name / class-name part (non-word characters -> ``_``)."""
    return re.sub(r"\W", "_", uid, flags=re.ASCII) or "_"


def package_unit(code: str, language: str, task: str, uid: str) -> tuple[str, str, bool]:
    """(file name, text, wrapped) of one output as the package wrote it (module doc)."""
    name = safe_name(uid)
    if task == "translation":
        if language == "java":
            return f"translation_{name}.java", package_wrap_java(code, f"Translation{name}"), True
        if language == "csharp":
            return f"translation_{name}.cs", code, False
    elif task == "generation":
        if language == "python":
            return f"{name}.py", code, False
        if language == "java":
            return f"{name}.java", package_wrap_java(code, f"Generated_{name}"), True
    raise ValueError(f"the package wrote no {language} files for {task}")


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


def build_units(
    records: list[dict],
    language: str,
    root: str | Path,
    *,
    task: str | None = None,
    unit_files: str = "codepeft",
    format_translations: bool = False,
) -> list[Unit]:
    """Write one unit file per record under `root`; return units in record order.

    `unit_files` and `format_translations`: see the module doc (`task` is needed for both).
    A record's ``_name_id`` (set by batched runs) names its package-style file instead of its
    ``id``. Raises ValueError on a duplicate id (the table contract needs each id exactly once).
    """
    if unit_files not in UNIT_FILES:
        raise ValueError(f"unit_files must be one of {UNIT_FILES}, not {unit_files!r}")
    if (unit_files == "package" or format_translations) and task is None:
        raise ValueError("package unit files and translation formatting need the task")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    units, seen = [], set()
    for index, record in enumerate(records, 1):
        uid = str(record["id"])
        if uid in seen:
            raise ValueError(f"duplicate id {uid!r} in predictions")
        seen.add(uid)
        output = record.get("output")
        empty = output is None or (unit_files != "package" and not str(output).strip())
        if empty:
            units.append(Unit(uid, index, language, None, None, False, "empty_prediction"))
            continue
        code = str(output)
        if format_translations and task == "translation":
            code = format_or_keep(code)
        if unit_files == "package":
            file_name, text, wrapped = package_unit(
                code, language, task, str(record.get("_name_id", uid))
            )
        else:
            text, wrapped = unit_source(code, language, index)
            file_name = unit_file_name(language, index)
        folder = root / f"{index:05d}"
        folder.mkdir(exist_ok=True)
        path = folder / file_name
        path.write_text(text, encoding="utf-8")
        units.append(Unit(uid, index, language, text, path, wrapped, "ok"))
    return units


def unit_finder(units: list[Unit]):
    """path reported by a tool -> its unit: the exact path, else the unit's own folder
    (``<nnnnn>``, unique in a batch even when package-style file names repeat across
    predictions files), else the file stem; a folder or stem shared by two units matches none."""
    placed = [u for u in units if u.path is not None]
    by_path = {str(u.path): u for u in placed}
    folders = Counter(u.path.parent.name for u in placed)
    stems = Counter(u.path.stem for u in placed)
    by_folder = {u.path.parent.name: u for u in placed if folders[u.path.parent.name] == 1}
    by_stem = {u.path.stem: u for u in placed if stems[u.path.stem] == 1}

    def find(path) -> Unit | None:
        text = str(path or "")
        p = Path(text)
        return by_path.get(text) or by_folder.get(p.parent.name) or by_stem.get(p.stem)

    return find
