"""Every test in tests/workflow (each runs Snakemake) is marked `workflow`: left out of
`make test-fast`."""

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.workflow)
