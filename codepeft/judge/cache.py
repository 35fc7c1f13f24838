"""Disk cache of judge answers, keyed by a content hash of everything that determines the answer.

The key is the SHA-256 of a canonical JSON of: the backend identity (kind, endpoint, base URL or
local model fingerprint), the model name, the exact prompt text, the run index, the parse-retry
attempt and the decoding parameters. A rerun with the same inputs therefore makes no request.
The API key is never part of an entry (it only ever travels in a request header).

Layout: ``<cache_dir>/<key[:2]>/<key>.json``, one small JSON file per answer, written atomically
(temp file + rename), so concurrent threads or processes never see a half-written entry. Only
successful responses are cached (an unparsable answer *is* a successful response); transport
failures are not, so a rerun retries them.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from codepeft.config import schema_defaults

DEFAULT_CACHE_DIR = schema_defaults("judge")["cache_dir"]  # the schema's


def cache_key(
    backend: dict, model: str, prompt: str, run: int, attempt: int, decoding: dict
) -> str:
    payload = {
        "backend": backend,
        "model": model,
        "prompt": prompt,
        "run": run,
        "attempt": attempt,
        "decoding": decoding,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class DiskCache:
    def __init__(self, directory: str | os.PathLike = DEFAULT_CACHE_DIR):
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        path = self._path(key)
        try:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        except FileNotFoundError:
            return None
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None  # a corrupt entry is treated as absent and overwritten

    def put(self, key: str, entry: dict) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(entry, handle, ensure_ascii=False)
        os.replace(tmp, path)
