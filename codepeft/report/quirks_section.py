"""Report section "Replication-package behaviours in force": the entries of
`codepeft.quirks.QUIRKS` whose option holds the package's value in this study's config, so
nobody compares the report's numbers with the paper (or with a default study) without knowing
them. Shown only when at least one is in force (the paper preset); one row per quirk: the
config key and value, what the package did, where (file:line), and whether it is a defect kept
for fidelity only.
"""

from __future__ import annotations

import json

from codepeft import quirks as quirks_mod

from .html import esc, table_html

QUIRK_COLUMNS = ("key", "value", "what", "source", "defect")
SECTION_ID = "quirks"
TITLE = "Replication-package behaviours in force"


def _value_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def quirk_rows(config: dict, quirks: list | None = None) -> list[dict]:
    """One row per quirk in force in `config` (`quirks`: the registry, or a fixture list)."""
    return [
        {
            "key": q.key,
            "value": _value_text(q.value),
            "what": q.what,
            "source": q.source,
            "defect": "yes" if q.defect else "no",
        }
        for q in quirks_mod.in_force(config, quirks)
    ]


def quirks_section_html(rows: list[dict]) -> str:
    """The section's HTML ('' when no quirk is in force)."""
    if not rows:
        return ""
    n_defects = sum(r["defect"] == "yes" for r in rows)
    return "\n".join(
        [
            f"<h2 id='{SECTION_ID}'>{esc(TITLE)}</h2>",
            f"<p class='note'>This study sets {len(rows)} option(s) to what the paper's "
            "replication package did, so that its numbers compare with the paper's; "
            f"{n_defects} of them reproduce a defect of the package (defect = yes) and would "
            "be set otherwise for a new study (docs/paper-protocol.md). Table: "
            "<code>tables/quirks.tsv</code>.</p>",
            table_html(list(QUIRK_COLUMNS), rows, text_columns=QUIRK_COLUMNS),
        ]
    )
