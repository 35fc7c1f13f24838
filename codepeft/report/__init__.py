"""The study's report: tables in the paper's shape, plots, provenance and one HTML page.

See `codepeft.report.build` (what is written where), `codepeft.report.tables` (pure table
builders), `codepeft.report.figures` / `codepeft.report.plots` (figures), `codepeft.report.page`
(index.html, one builder per section) and `codepeft.report.html`; docs/report.md for the user view.
"""

from .build import DEMO_NOTE, build_report, discover

__all__ = ["DEMO_NOTE", "build_report", "discover"]
