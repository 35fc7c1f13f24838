"""pass@k with the unbiased estimator of Chen et al. (2021), "Evaluating Large Language Models
Trained on Code", and the paper's pass@1 over all tasks of a set.

For a task with n samples of which c pass, pass@k = 1 - C(n-c, k) / C(n, k), computed in the
numerically stable product form 1 - prod_{i=n-c+1}^{n} (1 - k / i). It is undefined for k > n.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def pass_at_k(n: int, c: int, k: int) -> float | None:
    """Unbiased pass@k of one task; None when k > n (not estimable from n samples)."""
    if n < 0 or c < 0 or c > n or k < 1:
        raise ValueError(f"invalid n={n}, c={c}, k={k}")
    if k > n:
        return None
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def mean_pass_at_k(counts: Iterable[tuple[int, int]], k: int) -> float | None:
    """Mean pass@k over tasks given (n, c) pairs; None if no task has n >= k."""
    values = [pass_at_k(n, c, k) for n, c in counts]
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def pass_at_1_all_tasks(per_task_pass1: dict[str, float | None], all_ids: Iterable[str]) -> float:
    """The paper's pass@1: sum of per-task pass@1 over ALL tasks of the set, divided by their
    number; a task that is missing or could not be computed counts as a fail (0)."""
    all_ids = list(dict.fromkeys(all_ids))
    if not all_ids:
        return 0.0
    return sum(per_task_pass1.get(i) or 0.0 for i in all_ids) / len(all_ids)
