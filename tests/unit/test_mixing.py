"""Multi-task mixtures: the paper's concat-and-shuffle and the sampling alternatives."""

import pytest

from codepeft import mixing


def rows(tag, n):
    return [{"id": f"{tag}{i}"} for i in range(n)]


def test_concat_shuffle_keeps_every_row_once_and_is_seeded():
    sources = [rows("a", 30), rows("b", 5)]
    mixed = mixing.mix(sources, "concat_shuffle", seed=42)
    assert sorted(r["id"] for r in mixed) == sorted(r["id"] for s in sources for r in s)
    assert mixed == mixing.mix(sources, "concat_shuffle", seed=42)
    assert mixed != mixing.mix(sources, "concat_shuffle", seed=1)


@pytest.mark.parametrize(
    "strategy,expected",
    [
        ("proportional", [90, 10]),
        ("equal", [50, 50]),
        ("temperature", [75, 25]),  # sqrt(90) : sqrt(10) = 3 : 1 at T=2
    ],
)
def test_shares(strategy, expected):
    assert mixing.source_shares([90, 10], strategy, temperature=2.0) == expected


def test_equal_upsamples_small_sources():
    mixed = mixing.mix([rows("a", 40), rows("b", 4)], "equal", seed=0)
    assert len(mixed) == 44
    assert sum(r["id"].startswith("b") for r in mixed) == 22


def test_unknown_strategy():
    with pytest.raises(ValueError, match="unknown mixing strategy"):
        mixing.source_shares([1], "round_robin")
