"""Loading a Hugging Face hub dataset split (the cluster path); fails fast and clearly offline."""

from __future__ import annotations

import os
from collections.abc import Iterator

from codepeft.data.records import DataError

#: our split names -> the hub's split names
HUB_SPLITS = {"train": "train", "valid": "validation", "test": "test"}


def _offline() -> bool:
    return any(
        os.environ.get(var, "").strip().lower() in {"1", "true", "yes", "on"}
        for var in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE")
    )


def load_hub_dataset(name: str, config: str | None, hub_split: str):
    """The one call that reads a hub dataset (the data jobs, `codepeft fetch` and the
    preflight's offline check all go through it): `datasets.load_dataset(name, config,
    split=hub_split)`, from the local cache when HF_HUB_OFFLINE/HF_DATASETS_OFFLINE are set."""
    # lazy: datasets takes ~0.6 s and reads HF_DATASETS_OFFLINE on import
    import datasets

    return datasets.load_dataset(name, config, split=hub_split)


def load_hub_split(name: str, config: str | None, split: str, hint: str) -> list[dict]:
    """Rows of hub dataset `name` (`config`) for our `split`, as plain dicts (all in memory)."""
    return list(iter_hub_split(name, config, split, hint))


def iter_hub_split(name: str, config: str | None, split: str, hint: str) -> Iterator[dict]:
    """Rows of hub dataset `name` (`config`) for our `split`, as plain dicts, one at a time
    (the Arrow table is memory-mapped; rows are not all held as dicts).

    Uses the local `datasets` cache when offline; if the dataset is not cached there, raises a
    DataError naming the dataset and `hint` (the config key to point at a local copy instead).
    """
    try:
        import datasets  # noqa: F401 - checked here for a clear message
    except ImportError as err:  # pragma: no cover - datasets is a pinned dependency
        raise DataError(f"the 'datasets' package is needed to load {name} from the hub") from err
    hub_split = HUB_SPLITS[split]
    try:
        dataset = load_hub_dataset(name, config, hub_split)
    except Exception as err:  # noqa: BLE001 - datasets raises many types (offline, 404, ...)
        mode = "offline (HF_HUB_OFFLINE/HF_DATASETS_OFFLINE set)" if _offline() else "online"
        raise DataError(
            f"cannot load hub dataset {name!r} config={config!r} split={hub_split!r} "
            f"({mode}): {type(err).__name__}: {err}. Point {hint} at a local copy in the "
            "original format instead, or run where the hub is reachable."
        ) from err
    for row in dataset:
        yield dict(row)
