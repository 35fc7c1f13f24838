"""Report section "Replication-package behaviours in force" (placed by codepeft.report.build):
the entries of `codepeft.paper.quirks.QUIRKS` whose option holds the package's value in this study's config, so
nobody compares the report's numbers with the paper (or with a default study) without knowing
them. Shown only when at least one is in force (the paper preset); one row per quirk: the
config key and value, what the package did, where (file:line), and whether it is a defect kept
for fidelity only. Below it, `codepeft.paper.quirks.DIFFERENCES`: where codepeft, the paper preset
included, deliberately does not do what the package did, and the effect on the numbers.
"""

from __future__ import annotations

import json

from codepeft.paper import quirks as quirks_mod
from codepeft.report.html import esc, table_html

QUIRK_COLUMNS = ("key", "value", "what", "source", "defect")
SECTION_ID = "quirks"
TITLE = "Replication-package behaviours in force"
DIFFERENCE_COLUMNS = ("topic", "package", "codepeft", "effect", "source")
DIFFERENCES_TITLE = "Where codepeft deliberately does not do what the package did"


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


def difference_rows(differences: list | None = None) -> list[dict]:
    """One row per deliberate difference (`differences`: the registry, or a fixture list)."""
    chosen = quirks_mod.DIFFERENCES if differences is None else differences
    return [{c: getattr(d, c) for c in DIFFERENCE_COLUMNS} for d in chosen]


def quirks_section_html(rows: list[dict], differences: list[dict] | None = None) -> str:
    """The section's HTML ('' when no quirk is in force); `differences`: `difference_rows()`
    unless given."""
    if not rows:
        return ""
    differences = difference_rows() if differences is None else differences
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
            f"<h3>{esc(DIFFERENCES_TITLE)}</h3>",
            "<p class='note'>Stated behaviours, the same in every study; table: "
            "<code>tables/package_differences.tsv</code>.</p>",
            table_html(list(DIFFERENCE_COLUMNS), differences, text_columns=DIFFERENCE_COLUMNS),
        ]
    )
