"""Selection under a total-length budget (a 0/1 knapsack), for reels and teasers.

Given candidate clips (already disjoint and spread over the stream by
:func:`highlights.pick_clips` with a ``min_gap_s``), :func:`select_budget` returns the
subset whose **total value** is highest while the **total length** lies in
``[min_total_s, max_total_s]``.  A clip's value is ``score x duration_s`` (the
highlight "mass" it brings).

The knapsack is solved exactly on lengths rounded *up* to ``resolution_s`` (so the
real total never exceeds the budget); the only approximation is that rounding, which
can cost at most ``n x resolution_s`` seconds of unused budget.  Cost: O(n x budget /
resolution) with a vectorised inner step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .._validate import check_choice, check_nonneg, check_positive, fail
from ..types import Clip

__all__ = ["select_budget"]


def select_budget(
    clips: Sequence[Clip],
    *,
    max_total_s: float,
    min_total_s: float = 0.0,
    resolution_s: float = 0.5,
    order: str = "time",
) -> list[Clip]:
    """Choose the best clips whose lengths add up to a budget.

    Parameters
    ----------
    clips : sequence of Clip
        Candidates (disjoint).
    max_total_s : float
        Upper bound on the total length, seconds.
    min_total_s : float, default 0.0
        Lower bound on the total length, seconds; if no subset reaches it, the best
        subset below ``max_total_s`` is returned (the longest such total wins ties).
    resolution_s : float, default 0.5
        Length granularity of the exact knapsack, seconds.
    order : {"time", "rank"}, default "time"
        Order of the returned clips (a reel plays chronologically).

    Returns
    -------
    list of Clip
        The chosen clips, re-ranked 1..k by score.

    Examples
    --------
    >>> cs = [Clip(start_s=60.0 * i, end_s=60.0 * i + d, peak_s=60.0 * i + 1, score=s, rank=i + 1)
    ...       for i, (d, s) in enumerate([(40, 3.0), (30, 2.0), (25, 2.5), (50, 0.5)])]
    >>> [c.start_s for c in select_budget(cs, max_total_s=70)]
    [0.0, 60.0]
    """
    cap_s = check_positive("max_total_s", "select_budget", max_total_s)
    lo_s = check_nonneg("min_total_s", "select_budget", min_total_s)
    res = check_positive("resolution_s", "select_budget", resolution_s)
    check_choice("order", "select_budget", order, ("time", "rank"))
    if lo_s > cap_s:
        raise fail("min_total_s", "select_budget", f"<= max_total_s ({cap_s:g})", min_total_s)
    items = [c for c in clips if c.duration_s <= cap_s + 1e-9]
    if not items:
        return []
    cap = int(math.floor(cap_s / res + 1e-9))
    weights = np.array([math.ceil(c.duration_s / res - 1e-9) for c in items], dtype=np.int64)
    values = np.array([max(c.score, 0.0) * c.duration_s for c in items])
    # best[w] = best value with total weight exactly w (-inf if unreachable).
    best = np.full(cap + 1, -np.inf)
    best[0] = 0.0
    take = np.zeros((len(items), cap + 1), dtype=bool)
    for i, (w, v) in enumerate(zip(weights.tolist(), values.tolist())):
        if w > cap:
            continue
        cand = best[: cap + 1 - w] + v
        better = cand > best[w:]
        take[i, w:] = better
        best[w:] = np.where(better, cand, best[w:])
    reachable = np.flatnonzero(np.isfinite(best))
    lo = int(math.ceil(lo_s / res - 1e-9))
    ok = reachable[reachable >= lo]
    pool = ok if ok.size else reachable
    # Highest value; among equal values the longest total.
    target = int(pool[np.lexsort((pool, best[pool]))[-1]])
    chosen: list[Clip] = []
    w = target
    for i in range(len(items) - 1, -1, -1):
        if w > 0 and take[i, w]:
            chosen.append(items[i])
            w -= int(weights[i])
    by_score = sorted(chosen, key=lambda c: -c.score)
    ranked = [replace(c, rank=r + 1) for r, c in enumerate(by_score)]
    if order == "time":
        ranked.sort(key=lambda c: c.start_s)
    return ranked
