"""Picking: peaks of the fused score -> ranked, non-overlapping clip spans.

1. Candidate peaks are the hops whose score equals the maximum of the score over
   ``±min_len_s / 2`` (a vectorised van Herk/Gil-Werman sliding maximum) and exceeds
   ``threshold``.
2. Candidates are taken best first.  Each grows into a *core*: the contiguous run
   around the peak where the score stays above ``rel_level`` x the peak height.
   Pre-roll and post-roll (``pad_s``) are added, then the span is fitted to
   ``[min_len_s, max_len_s]`` (extending with more lead-in than tail, because the
   action usually starts before the loudest point) and kept ``min_gap_s`` away from
   every clip already chosen.  A candidate that cannot fit is skipped.
3. The first ``n`` clips that fit are ranked by peak height.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_choice, check_int, check_nonneg, check_positive, fail
from .._window import window_max
from ..errors import NoClipsWarning
from ..timeline import Timeline
from ..types import Clip

__all__ = ["pick_clips", "sliding_max", "contributions", "as_pad"]

# Share of the extension (to reach min_len_s) placed before the core.
_LEAD_IN_SHARE = 0.6


def sliding_max(values: NDArray[np.floating], radius: int) -> NDArray[np.float64]:
    """Maximum of ``values[i - radius : i + radius + 1]`` for every ``i`` (NaN = -inf).

    See :func:`highlights._window.window_max`.
    """
    return window_max(values, lo=-radius, hi=radius)


def contributions(
    components: Mapping[str, Timeline], start_s: float, end_s: float
) -> dict[str, float]:
    """Share of each signal in the fused score over ``[start_s, end_s)``.

    The share of signal ``k`` is ``m_k / sum_j |m_j|`` where ``m_k`` is the mean of
    its weighted component over the span, so shares lie in ``[-1, 1]`` and their
    absolute values sum to 1 (a negative share pulled the score down).
    """
    means: dict[str, float] = {}
    for key, tl in components.items():
        seg = tl.crop(start_s, end_s).values
        means[key] = float(np.nanmean(seg)) if seg.size and np.isfinite(seg).any() else 0.0
    total = sum(abs(m) for m in means.values())
    if total <= 0:
        return {k: 0.0 for k in means}
    return {k: m / total for k, m in sorted(means.items(), key=lambda kv: -abs(kv[1]))}


def _fit_span(
    core: tuple[float, float],
    peak_s: float,
    *,
    pad: tuple[float, float],
    min_len: float,
    max_len: float,
    lo: float,
    hi: float,
) -> tuple[float, float] | None:
    """Pad a core span and fit it into ``[min_len, max_len]`` within ``[lo, hi]``."""
    start = max(core[0] - pad[0], lo)
    end = min(core[1] + pad[1], hi)
    if end - start > max_len:
        # Trim the side farther from the peak first, keeping the pads around the peak.
        before, after = peak_s - start, end - peak_s
        excess = end - start - max_len
        cut_before = min(excess, max(before - after, 0.0))
        cut_after = min(excess - cut_before, max(after - before, 0.0))
        rest = excess - cut_before - cut_after
        start += cut_before + rest / 2
        end -= cut_after + rest / 2
    if end - start < min_len:
        need = min_len - (end - start)
        grow_before = min(need * _LEAD_IN_SHARE, start - lo)
        grow_after = min(need - grow_before, hi - end)
        grow_before = min(need - grow_after, start - lo)
        start -= grow_before
        end += grow_after
        if end - start < min_len - 1e-9:
            return None
    return start, end


def as_pad(pad_s: Any, caller: str) -> tuple[float, float]:
    """Validate ``pad_s`` (seconds, or a (pre, post) pair) into a pair of floats."""
    pads = (pad_s, pad_s) if isinstance(pad_s, (int, float)) else tuple(pad_s)
    if len(pads) != 2:
        raise fail("pad_s", caller, "a number or a (pre, post) pair of seconds", pad_s)
    return check_nonneg("pad_s", caller, pads[0]), check_nonneg("pad_s", caller, pads[1])


def pick_clips(
    score: Timeline,
    *,
    n: int = 10,
    min_len_s: float = 15.0,
    max_len_s: float = 90.0,
    pad_s: tuple[float, float] | float = (5.0, 3.0),
    min_gap_s: float = 10.0,
    threshold: float = 0.0,
    rel_level: float = 0.5,
    components: Mapping[str, Timeline] | None = None,
    order: str = "rank",
    duration_s: float | None = None,
    merge: bool = True,
    evidence: Timeline | None = None,
    min_evidence: float = 0.0,
) -> list[Clip]:
    """Turn a score timeline into ranked, non-overlapping clips.

    Parameters
    ----------
    score : Timeline
        The fused score (see :func:`highlights.fuse`).
    n : int, default 10
        Maximum number of clips.
    min_len_s, max_len_s : float, default 15.0, 90.0
        Bounds on each clip's length in seconds, padding included.
    pad_s : float or (float, float), default (5.0, 3.0)
        Pre-roll and post-roll added around each core span, seconds.
    min_gap_s : float, default 10.0
        Minimum gap between two clips, seconds.
    threshold : float, default 0.0
        A peak must exceed this score (0 = the signals' rolling baseline).
    rel_level : float, default 0.5
        A core extends while the score stays above ``rel_level`` x the peak height.
    components : mapping of str to Timeline, optional
        Per-signal components of the score, to fill :attr:`Clip.contributions`.
    order : {"rank", "time"}, default "rank"
        Return clips best first, or in chronological order (ranks are kept).
    duration_s : float, optional
        Media length in seconds; clips end no later (default: the score's end, which
        may overshoot the media by less than one hop).
    merge : bool, default True
        A peak closer than ``min_gap_s`` to a chosen clip, and at least ``rel_level``
        times as high as that clip's peak, grows the clip to cover it (its core plus
        the padding) when the clip then still fits ``max_len_s`` and keeps its gaps;
        otherwise, and with ``merge=False``, it is dropped.  Two
        moments half a minute apart then end up in one clip instead of one of them
        being lost.
    evidence : Timeline, optional
        Reaction evidence on the score's grid (see
        :attr:`highlights.fusion.Fusion.evidence`); a peak where it is below
        ``min_evidence`` is not a candidate.
    min_evidence : float, default 0.0
        Evidence a peak needs (with ``evidence``).

    Returns
    -------
    list of Clip
        Disjoint clips inside the score's span, each within the length bounds.
        Empty (with a :class:`~highlights.NoClipsWarning`) when nothing qualifies.

    Raises
    ------
    InvalidParameterError
        For a non-positive length, ``min_len_s > max_len_s`` or a bad ``order``.

    Examples
    --------
    >>> import numpy as np
    >>> s = Timeline(values=np.exp(-0.5 * ((np.arange(600) - 300) / 10.0) ** 2), hop_s=0.5)
    >>> [(c.rank, c.peak_s) for c in pick_clips(s, n=3)]
    [(1, 150.25)]
    """
    caller = "pick_clips"
    n = check_int("n", caller, n, minimum=0)
    min_len = check_positive("min_len_s", caller, min_len_s)
    max_len = check_positive("max_len_s", caller, max_len_s)
    if min_len > max_len:
        raise fail("max_len_s", caller, f">= min_len_s ({min_len})", max_len_s)
    pad = as_pad(pad_s, caller)
    gap = check_nonneg("min_gap_s", caller, min_gap_s)
    rel = check_nonneg("rel_level", caller, rel_level)
    check_choice("order", caller, order, ("rank", "time"))

    values = np.nan_to_num(score.values, nan=-np.inf)
    hop, t0 = score.hop_s, score.start_s
    t_end = score.end_s if duration_s is None else min(score.end_s, float(duration_s))
    if n == 0 or score.n == 0:
        return []
    if t_end - t0 < min_len:
        warnings.warn(
            f"The timeline ({t_end - t0:.1f} s) is shorter than min_len_s "
            f"({min_len:g} s): no clip fits.",
            NoClipsWarning,
            stacklevel=2,
        )
        return []
    # A hop whose centre lies past the media end is not a moment of the media.
    centres = t0 + (np.arange(score.n) + 0.5) * hop
    values[centres > t_end] = -np.inf
    radius = max(1, int(round(min_len / 2 / hop)))
    smax = sliding_max(values, radius)
    ok = (values >= smax) & (values > threshold)
    if evidence is not None:
        ev = evidence.on_grid(hop_s=hop, start_s=t0, n=score.n, how="max").values
        ok &= np.nan_to_num(ev, nan=-np.inf) >= min_evidence
    cand = np.flatnonzero(ok)
    cand = cand[np.argsort(-values[cand], kind="stable")]
    max_core = max(1, int(np.ceil(max_len / hop)))

    chosen: list[tuple[float, float, float, float]] = []  # (start, end, peak_s, height)

    def core_of(p: int) -> tuple[float, float]:
        """The span around peak ``p`` where the score stays above rel_level x its height."""
        height = values[p]
        level = rel * height if height > 0 else height
        i0 = max(p - max_core, 0)
        i1 = min(p + max_core + 1, score.n)
        left = np.flatnonzero(values[i0:p] < level)
        right = np.flatnonzero(values[p + 1 : i1] < level)
        a = i0 + (int(left[-1]) + 1 if left.size else 0)
        b = p + 1 + (int(right[0]) if right.size else i1 - p - 1)
        return t0 + a * hop, t0 + b * hop

    def free(start: float, end: float, skip: int) -> bool:
        """``[start, end)`` keeps min_gap_s from every chosen clip but ``skip``."""
        return all(e + gap <= start or end <= s - gap
                   for j, (s, e, _, _) in enumerate(chosen) if j != skip)

    for p in cand.tolist():
        if len(chosen) >= n and not merge:
            break
        peak_s = t0 + (p + 0.5) * hop
        near = [j for j, (s, e, _, _) in enumerate(chosen) if s - gap < peak_s < e + gap]
        if near:
            # A second peak within min_gap_s of a clip: an editor would keep both in
            # one clip, so grow that clip over it when the result still fits max_len_s.
            if not merge:
                continue
            j = near[0]
            s, e, pk, h = chosen[j]
            if s <= peak_s <= e or values[p] < rel * h:
                continue
            c0, c1 = core_of(p)
            ns = max(min(s, c0 - pad[0]), t0)
            ne = min(max(e, c1 + pad[1]), t_end)
            if ne - ns <= max_len + 1e-9 and free(ns, ne, j):
                chosen[j] = (ns, ne, pk, h)
            continue
        if len(chosen) >= n:
            continue
        lo, hi = t0, t_end
        for s, e, _, _ in chosen:
            if e + gap <= peak_s:
                lo = max(lo, e + gap)
            elif peak_s <= s - gap:
                hi = min(hi, s - gap)
        if hi - lo < min_len:
            continue
        c0, c1 = core_of(p)
        core = (max(c0, lo), min(c1, hi))
        span = _fit_span(core, peak_s, pad=pad, min_len=min_len, max_len=max_len, lo=lo, hi=hi)
        if span is None:
            continue
        # the peak always lies inside its clip (and so inside the media)
        chosen.append((span[0], span[1], min(max(peak_s, span[0]), span[1]),
                       float(values[p])))

    if not chosen:
        warnings.warn(
            "No clip met the constraints (no score peak above the threshold, or no room "
            "for min_len_s between the clips). Try a lower threshold or shorter min_len_s.",
            NoClipsWarning,
            stacklevel=2,
        )
        return []
    clips = [
        Clip(
            start_s=s, end_s=e, peak_s=pk, score=h, rank=i + 1,
            contributions=contributions(components, s, e) if components else {},
        )
        for i, (s, e, pk, h) in enumerate(chosen)
    ]
    if order == "time":
        clips.sort(key=lambda c: c.start_s)
    return clips
