"""What every judge backend provides, and the two kinds of failure it may raise."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Completion:
    text: str | None
    usage: dict = field(default_factory=dict)
    finish: str = ""  # finish/stop reason or response status, as the backend reports it


class BackendError(Exception):
    """A request that did not produce an answer.

    retryable: worth another try after a pause (429, 5xx, timeouts, connection errors).
    retry_after: seconds the server asked us to wait (Retry-After), if any.
    abort_all: the failure will repeat for every request (bad key, unknown model, wrong URL),
        so the runner stops sending and records the remaining instances as missing.
    environment: the service or the machine failed, not this item (every failure but one the
        item itself causes, e.g. a prompt longer than a local model's context): under
        ``environment_failures: fail`` it fails the job once its retries are spent.
    """

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        abort_all: bool = False,
        environment: bool = True,
    ):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.abort_all = abort_all
        self.environment = environment


class Backend:
    """Interface: `identity()` (cache-key part, no secrets), `complete(prompt, seed)`."""

    kind: str = "?"
    model: str = ""
    # how many requests may be in flight at once (a local model serialises its own calls)
    max_parallel: int | None = None
    # True when the same prompt always gets the same answer (greedy local decoding): an
    # unparsable answer is then not re-asked
    deterministic: bool = False

    def identity(self) -> dict:
        raise NotImplementedError

    def decoding(self) -> dict:
        """The decoding parameters, as they enter the cache key."""
        raise NotImplementedError

    def complete(self, prompt: str, seed: int) -> Completion:
        raise NotImplementedError

    def describe(self) -> dict:
        """Provenance for the summary file (never contains a secret)."""
        return {"kind": self.kind, "model": self.model, **self.identity()}

    def close(self) -> None:
        pass
