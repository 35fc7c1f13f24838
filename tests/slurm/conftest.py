"""Every test in tests/slurm is marked `slurm`: left out of `make test` and `make test-fast`, run by
`make test-slurm` (CI runs it after `make test`)."""

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.slurm)
