"""The stats stage with the bootstrap columns and `stats.exclude_overlap` (run_blocks on
synthetic tables and an overlap-audit table)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from codepeft.io import write_tsv
from codepeft.overlap.audit import COLUMNS as AUDIT_COLUMNS
from codepeft.stats import run_blocks


@pytest.fixture
def study(tmp_path):
    rng = np.random.default_rng(5)
    ids = [f"t{k}" for k in range(40)]
    a = rng.random(40)
    b = a + 0.05 + 0.02 * rng.standard_normal(40)
    leaked = set(ids[:10])
    b[:10] = 1.0  # the flagged items are where B shines (memory)
    write_tsv(
        tmp_path / "a.tsv",
        [{"id": i, "chrf": v} for i, v in zip(ids, a, strict=True)],
        ["id", "chrf"],
    )
    write_tsv(
        tmp_path / "b.tsv",
        [{"id": i, "chrf": v} for i, v in zip(ids, b, strict=True)],
        ["id", "chrf"],
    )
    audit = [dict.fromkeys(AUDIT_COLUMNS, "") | {"id": i, "flagged": int(i in leaked)} for i in ids]
    write_tsv(tmp_path / "audit.tsv", audit, AUDIT_COLUMNS)
    block = dict(
        comparison="c", question="c", a="m/zs", b="m/ft", a_model="m", a_method="zs",
        b_model="m", b_method="ft", model="m", task="summarization", lang="python",
        family="surface", entry="surface", binary=[], continuous=["chrf"], exclude=[],
        group="metrics", a_table="a.tsv", b_table="b.tsv", a_overlap=[], b_overlap=["audit.tsv"],
    )  # fmt: skip
    return tmp_path, block, a, b


@pytest.mark.parametrize("mode, subsets", [("both", ["all", "no_overlap"]),
                                           ("keep", ["all"]), ("exclude", ["no_overlap"])])  # fmt: skip
def test_exclude_overlap_modes(study, mode, subsets):
    root, block, a, b = study
    rows = run_blocks([block], {"exclude_overlap": mode}, root=str(root))["c"]
    assert [r["subset"] for r in rows] == subsets
    by = {r["subset"]: r for r in rows}
    if "all" in by:
        assert by["all"]["n_paired"] == 40 and by["all"]["n_excluded_overlap"] == 0
        assert by["all"]["mean_b"] == pytest.approx(b.mean())
        assert by["all"]["adjust_family"].endswith("group=metrics")  # the label of before
    if "no_overlap" in by:
        clean = by["no_overlap"]
        assert clean["n_paired"] == 30 and clean["n_excluded_overlap"] == 10
        assert clean["mean_b"] == pytest.approx(b[10:].mean())
        assert clean["adjust_family"].endswith("/subset=no_overlap")
    for r in rows:  # bootstrap columns: each side's interval holds its mean; B differs from A
        assert r["ci_a_low"] <= r["mean_a"] <= r["ci_a_high"]
        assert r["ci_b_low"] <= r["mean_b"] <= r["ci_b_high"]
        assert 0 < r["p_boot"] < 0.05


def test_without_audit_files_only_all(study):
    root, block, *_ = study
    plain = {k: v for k, v in block.items() if not k.endswith("_overlap")}
    rows = run_blocks([plain], {}, root=str(root))["c"]
    assert [r["subset"] for r in rows] == ["all"]
    assert not math.isnan(rows[0]["p_boot"])
    fewer = run_blocks([plain], {"bootstrap": {"resamples": 200, "seed": 1}}, root=str(root))["c"]
    assert fewer[0]["p"] == rows[0]["p"]  # the rank test does not move with the bootstrap
