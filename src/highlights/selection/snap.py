"""Clip boundaries an editor would choose: snap to scene cuts and quiet points.

A clip grown from a score peak has edges wherever the score happened to fall.  An
editor cuts at a scene change, or between sentences.  :func:`snap_clips` moves each
edge of each clip:

1. to the nearest **hard scene cut** within ``cut_window_s`` (the start may move
   earlier by the whole window but later by only half of it, so the lead-in that
   explains the moment is kept; the end mirrors that), else
2. to the **quietest point** (lowest audio loudness hop) within ``quiet_window_s``
   when it is at least ``min_drop_db`` quieter than the edge, so a clip never starts
   or ends mid-word when a pause is within a second,

as long as the clip keeps its peak, stays within ``[min_len_s, max_len_s]``, inside
the media, and clear of its neighbours.  An edge that cannot move stays put.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_nonneg, check_positive
from ..timeline import Timeline
from ..types import Clip

__all__ = ["snap_clips", "quietest_point"]


def quietest_point(energy: Timeline, lo_s: float, hi_s: float) -> float | None:
    """Centre time of the quietest hop of ``energy`` inside ``[lo_s, hi_s]``, or None.

    Ties go to the hop nearest the middle of the range.
    """
    seg = energy.crop(lo_s, hi_s)
    if seg.n == 0:
        return None
    centers = seg.centers()
    inside = (centers >= lo_s) & (centers <= hi_s)
    vals = np.where(inside & np.isfinite(seg.values), seg.values, np.inf)
    if not np.isfinite(vals).any():
        return None
    best = np.flatnonzero(vals == vals.min())
    mid = 0.5 * (lo_s + hi_s)
    return float(centers[best[np.argmin(np.abs(centers[best] - mid))]])


def _nearest(cuts: NDArray[np.float64], lo: float, hi: float, target: float) -> float | None:
    i0, i1 = np.searchsorted(cuts, [lo, hi], side="left")
    if i1 <= i0:
        return None
    cand = cuts[i0:i1]
    return float(cand[np.argmin(np.abs(cand - target))])


def _pause(energy: Timeline, t_s: float, window_s: float, drop_db: float) -> float | None:
    """The quietest point near ``t_s`` if it is ``drop_db`` quieter than ``t_s`` itself."""
    new = quietest_point(energy, t_s - window_s, t_s + window_s)
    if new is None:
        return None
    here, there = energy.value_at(t_s), energy.value_at(new)
    if np.isfinite(here) and np.isfinite(there) and there > here - drop_db:
        return None
    return new


def snap_clips(
    clips: Sequence[Clip],
    *,
    cuts_s: ArrayLike = (),
    energy: Timeline | None = None,
    duration_s: float | None = None,
    min_len_s: float = 0.0,
    max_len_s: float = float("inf"),
    min_gap_s: float = 0.0,
    cut_window_s: float = 3.0,
    quiet_window_s: float = 1.0,
    min_drop_db: float = 3.0,
) -> list[Clip]:
    """Move clip edges to scene cuts or quiet points (see the module docstring).

    Parameters
    ----------
    clips : sequence of Clip
        Clips to adjust (any order; the order is kept).
    cuts_s : array_like of float
        Hard-cut times in seconds (e.g. ``Analysis.cuts_s`` or :func:`highlights.scene_cuts`).
    energy : Timeline, optional
        Audio loudness (``audio_rms_db``) used to find pauses.
    duration_s : float, optional
        Media length; edges never move past it.
    min_len_s, max_len_s : float
        Length bounds each clip must keep, seconds.
    min_gap_s : float, default 0.0
        Gap to keep between clips, seconds.
    cut_window_s : float, default 3.0
        How far an edge may move to reach a scene cut, seconds.
    quiet_window_s : float, default 1.0
        How far an edge may move to reach a quieter point, seconds.
    min_drop_db : float, default 3.0
        The quieter point must be at least this much quieter than the edge (dB), so
        edges do not wander on steady sound.

    Returns
    -------
    list of Clip
        Same clips with adjusted ``start_s``/``end_s``.

    Examples
    --------
    >>> c = Clip(start_s=10.0, end_s=30.0, peak_s=20.0, score=1.0, rank=1)
    >>> snap_clips([c], cuts_s=[8.5, 31.0])[0].start_s, snap_clips([c], cuts_s=[8.5])[0].end_s
    (8.5, 30.0)
    """
    cw = check_nonneg("cut_window_s", "snap_clips", cut_window_s)
    qw = check_nonneg("quiet_window_s", "snap_clips", quiet_window_s)
    gap = check_nonneg("min_gap_s", "snap_clips", min_gap_s)
    drop = check_nonneg("min_drop_db", "snap_clips", min_drop_db)
    if max_len_s != float("inf"):
        check_positive("max_len_s", "snap_clips", max_len_s)
    cuts = np.sort(np.asarray(cuts_s, dtype=np.float64).reshape(-1))
    end_limit = float("inf") if duration_s is None else float(duration_s)
    out = list(clips)
    order = sorted(range(len(out)), key=lambda i: out[i].start_s)
    for pos, i in enumerate(order):
        c = out[i]
        prev_end = out[order[pos - 1]].end_s + gap if pos > 0 else 0.0
        next_start = out[order[pos + 1]].start_s - gap if pos + 1 < len(order) else end_limit

        def ok(s: float, e: float, c: Clip = c, lo: float = prev_end,
               hi: float = next_start) -> bool:
            return (
                lo - 1e-9 <= s <= c.peak_s <= e <= hi + 1e-9
                and min_len_s - 1e-9 <= e - s <= max_len_s + 1e-9
            )

        start, end = c.start_s, c.end_s
        new = _nearest(cuts, start - cw, start + cw / 2, start)
        if new is None and energy is not None:
            new = _pause(energy, start, qw, drop)
        if new is not None and ok(new, end):
            start = new
        new = _nearest(cuts, end - cw / 2, end + cw, end)
        if new is None and energy is not None:
            new = _pause(energy, end, qw, drop)
        if new is not None and ok(start, new):
            end = new
        out[i] = replace(c, start_s=start, end_s=end)
    return out
