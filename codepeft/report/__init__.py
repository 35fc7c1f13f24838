"""The study's report: tables in the paper's shape, plots, provenance and one HTML page.

See `codepeft.report.build` (what is written where), `codepeft.report.tables` (pure table
builders), `codepeft.report.figures` / `codepeft.report.plots` (figures), `codepeft.report.page`
(index.html, one builder per section) and `codepeft.report.html`; docs/report.md for the user view.
The entry point is `codepeft.report.build.build_report`. This file imports nothing, so a module
of the package (e.g. `codepeft.report.html`, which `codepeft.paper.section` uses) loads without
the whole report and its plotting libraries.
"""
