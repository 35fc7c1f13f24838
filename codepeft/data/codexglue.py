"""CodeXGLUE loaders: code-to-text (summarization) and Java<->C# translation.

Sources, either:
- a local directory in the original release format:
  code-to-text `{dir}/{lang}/{split}.jsonl` (or `.jsonl.gz`), fields repo, path, func_name,
  original_string, language, code, code_tokens, docstring, docstring_tokens, sha, url,
  partition; translation `{dir}/{split}.java-cs.txt.java` and `.cs`, line i parallel;
- or the hub datasets `google/code_x_glue_ct_code_to_text` (config = lang) and
  `google/code_x_glue_cc_code_to_code_trans` (fields id, java, cs).

Ids:
- code-to-text: `{split}-{index}`, index = 0-based line number in the original
  `{split}.jsonl`, which is also the hub's `id` field, so the two sources give the same ids
  (urls are kept in `meta.url`; they are not guaranteed unique across the full release).
- translation: `{index}`, the 0-based line number in the parallel files = the hub's `id`,
  the same for both directions (the paper's per-instance tables use this index).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from codepeft.data.hub import iter_hub_split, load_hub_split
from codepeft.data.records import SPLITS, TRANSLATION_DIRECTIONS, DataError, make_record

CODE_TO_TEXT_HUB = "google/code_x_glue_ct_code_to_text"
TRANSLATION_HUB = "google/code_x_glue_cc_code_to_code_trans"
CODE_TO_TEXT_FIELDS = (
    "repo",
    "path",
    "func_name",
    "original_string",
    "language",
    "code",
    "code_tokens",
    "docstring",
    "docstring_tokens",
    "sha",
    "url",
    "partition",
)


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r} (expected one of {', '.join(SPLITS)})")


# --------------------------------------------------------------------------- code-to-text


def read_code_to_text_rows(
    lang: str, split: str, local_dir: str | Path | None = None, hub: str = CODE_TO_TEXT_HUB
) -> list[dict]:
    """Raw CodeXGLUE code-to-text rows (dicts with the original fields plus `id`)."""
    return list(iter_code_to_text_rows(lang, split, local_dir, hub))


def iter_code_to_text_rows(
    lang: str, split: str, local_dir: str | Path | None = None, hub: str = CODE_TO_TEXT_HUB
) -> Iterator[dict]:
    """read_code_to_text_rows one row at a time (a paper-scale train split is ~1 GB of JSON,
    several GB as dicts). The source is checked when the iterator is created."""
    _check_split(split)
    if local_dir is None:
        return _hub_code_to_text_rows(hub, lang, split)
    base = Path(local_dir) / lang
    for candidate in (base / f"{split}.jsonl", base / f"{split}.jsonl.gz"):
        if candidate.exists():
            return _file_code_to_text_rows(candidate, split)
    raise DataError(f"code-to-text: neither {base}/{split}.jsonl nor .jsonl.gz exists")


def code_to_text_hub_dataset(lang: str, hub: str = CODE_TO_TEXT_HUB) -> tuple[str, str | None]:
    """(hub dataset, its config) that code-to-text rows of `lang` are read from: config = lang."""
    return hub, lang


def translation_hub_dataset(hub: str = TRANSLATION_HUB) -> tuple[str, str | None]:
    """(hub dataset, its config) that translation pairs are read from (one config, both
    directions)."""
    return hub, None


def _hub_code_to_text_rows(hub: str, lang: str, split: str) -> Iterator[dict]:
    rows = iter_hub_split(
        *code_to_text_hub_dataset(lang, hub), split, hint="data.code_to_text.local_dir"
    )
    for index, row in enumerate(rows):
        row["id"] = f"{split}-{row.get('id', index)}"
        yield row


def _file_code_to_text_rows(path: Path, split: str) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError(f"{path}:{index + 1}: not valid JSON: {err}") from err
            missing = [f for f in ("code", "code_tokens", "docstring_tokens") if f not in row]
            if missing:
                raise DataError(f"{path}:{index + 1}: missing fields {missing}")
            row["id"] = f"{split}-{index}"
            yield row


def code_input(row: dict, mode: str = "tokens") -> str:
    """The code shown to the model: `' '.join(code_tokens)` (paper) or the raw `code`."""
    if mode == "tokens":
        return " ".join(row["code_tokens"])
    if mode == "raw":
        return row["code"]
    raise DataError(f"code_input must be 'tokens' or 'raw', not {mode!r}")


def summarization_records(
    rows: Iterable[dict], lang: str, split: str, mode: str = "tokens"
) -> list[dict]:
    """Summarization records: inputs.code per `mode`, reference = ' '.join(docstring_tokens)."""
    return list(iter_summarization_records(rows, lang, split, mode))


def iter_summarization_records(
    rows: Iterable[dict], lang: str, split: str, mode: str = "tokens"
) -> Iterator[dict]:
    """summarization_records one record at a time."""
    for row in rows:
        yield make_record(
            row["id"],
            "summarization",
            lang,
            split,
            {"code": code_input(row, mode)},
            " ".join(row["docstring_tokens"]),
            {
                "source": "codexglue-code-to-text",
                "url": row.get("url"),
                "repo": row.get("repo"),
                "func_name": row.get("func_name"),
                "code_input": mode,
            },
        )


def load_code_to_text(
    lang: str,
    split: str,
    local_dir: str | Path | None = None,
    hub: str = CODE_TO_TEXT_HUB,
    mode: str = "tokens",
) -> list[dict]:
    """Summarization records of CodeXGLUE code-to-text `lang` (`python`/`java`), `split`."""
    return summarization_records(
        read_code_to_text_rows(lang, split, local_dir, hub), lang, split, mode
    )


# --------------------------------------------------------------------------- translation


def _read_lines(path: Path) -> list[str]:
    """Lines split on '\\n' only (a stray '\\r' inside a line must not break the pairing)."""
    if not path.exists():
        raise DataError(f"translation: {path} does not exist")
    text = path.read_bytes().decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def read_translation_pairs(
    split: str, local_dir: str | Path | None = None, hub: str = TRANSLATION_HUB
) -> list[tuple[str, str, str]]:
    """(id, java, cs) triples of CodeXGLUE code-to-code-trans `split`."""
    _check_split(split)
    if local_dir is None:
        rows = load_hub_split(
            *translation_hub_dataset(hub), split, hint="data.translation.local_dir"
        )
        return [(str(row.get("id", i)), row["java"], row["cs"]) for i, row in enumerate(rows)]
    base = Path(local_dir)
    java_path = base / f"{split}.java-cs.txt.java"
    cs_path = base / f"{split}.java-cs.txt.cs"
    java, cs = _read_lines(java_path), _read_lines(cs_path)
    if len(java) != len(cs):
        raise DataError(
            f"translation {split}: {java_path} has {len(java)} lines but {cs_path} has "
            f"{len(cs)}; line i of one must be parallel to line i of the other"
        )
    return [(str(i), j, c) for i, (j, c) in enumerate(zip(java, cs, strict=True))]


def translation_records(
    pairs: list[tuple[str, str, str]], direction: str, split: str
) -> list[dict]:
    """Records for `direction` `java-cs` (Java source, C# reference) or `cs-java`."""
    if direction not in TRANSLATION_DIRECTIONS:
        raise DataError(f"translation direction must be java-cs or cs-java, not {direction!r}")
    records = []
    for pair_id, java, cs in pairs:
        source, target = (java, cs) if direction == "java-cs" else (cs, java)
        records.append(
            make_record(
                pair_id,
                "translation",
                direction,
                split,
                {"code": source},
                target,
                {"source": "codexglue-code-to-code-trans"},
            )
        )
    return records


def load_translation(
    direction: str, split: str, local_dir: str | Path | None = None, hub: str = TRANSLATION_HUB
) -> list[dict]:
    """Translation records of one direction and split."""
    return translation_records(read_translation_pairs(split, local_dir, hub), direction, split)
