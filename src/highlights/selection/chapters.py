"""Chapters: split a whole stream at lulls and scene cuts into titled parts.

YouTube's rules (FORMATS.md): the first chapter starts at 0:00, there are at least
three, each is at least 10 s long (the last one too), and they ascend.
:func:`make_chapters` aims for chapters of about ``target_len_s`` and places each
boundary at the quietest point of the fused score (a lull between topics) within
a quarter of a chapter of its ideal position, preferring a hard scene cut when one
lies in that window.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from .._validate import check_positive
from ..errors import NoClipsWarning
from ..timeline import Timeline
from ..types import Clip
from .peaks import contributions

__all__ = ["make_chapters", "MIN_CHAPTER_S", "MIN_CHAPTERS"]

#: YouTube: every chapter lasts at least this long, seconds.
MIN_CHAPTER_S = 10.0
#: YouTube: at least this many chapters.
MIN_CHAPTERS = 3


def _default_target(duration_s: float) -> float:
    # About 12 chapters on long streams, never shorter than a minute unless the
    # stream itself is short.
    return max(duration_s / 12.0, min(60.0, duration_s / MIN_CHAPTERS))


def make_chapters(
    score: Timeline,
    *,
    cuts_s: ArrayLike = (),
    components: Mapping[str, Timeline] | None = None,
    target_len_s: float | None = None,
    keywords: Callable[[float, float], Sequence[str]] | None = None,
    duration_s: float | None = None,
) -> list[Clip]:
    """Split the span of ``score`` into chapters.

    Parameters
    ----------
    score : Timeline
        The fused score; its span is the stream.
    cuts_s : array_like of float
        Hard-cut times, seconds (preferred boundaries).
    components : mapping of str to Timeline, optional
        Per-signal components, for each chapter's contributions.
    target_len_s : float, optional
        Typical chapter length in seconds (default: a twelfth of the stream, at
        least a minute when the stream allows three such chapters).
    keywords : callable, optional
        ``keywords(start_s, end_s)`` -> chat reactions, used in titles.
    duration_s : float, optional
        Media length in seconds (default: the score's end).

    Returns
    -------
    list of Clip
        Chronological chapters covering the stream without gaps;
        ``label`` is the title, ``peak_s``/``score`` the chapter's best moment, and
        ``rank`` the chapter number.  Empty with a :class:`~highlights.NoClipsWarning`
        when the stream is too short for three 10-s chapters.

    Examples
    --------
    >>> import numpy as np
    >>> s = Timeline(values=np.sin(np.arange(1200) / 40.0), hop_s=0.5)
    >>> [round(c.start_s) for c in make_chapters(s)][:1], len(make_chapters(s)) >= 3
    ([0], True)
    """
    t0 = score.start_s
    t1 = score.end_s if duration_s is None else min(score.end_s, float(duration_s))
    dur = t1 - t0
    if dur < MIN_CHAPTERS * MIN_CHAPTER_S:
        warnings.warn(
            f"The stream ({dur:.1f} s) is too short for {MIN_CHAPTERS} chapters of "
            f"{MIN_CHAPTER_S:g} s.", NoClipsWarning, stacklevel=2,
        )
        return []
    target = _default_target(dur) if target_len_s is None else check_positive(
        "target_len_s", "make_chapters", target_len_s)
    k = int(max(MIN_CHAPTERS, min(round(dur / target), dur // MIN_CHAPTER_S)))
    length = dur / k
    cuts = np.sort(np.asarray(cuts_s, dtype=np.float64).reshape(-1))
    smooth = score.values.astype(np.float64)
    centers = score.centers()
    bounds = [t0]
    for i in range(1, k):
        ideal = t0 + i * length
        lo = max(ideal - length / 4, bounds[-1] + MIN_CHAPTER_S)
        hi = min(ideal + length / 4, t1 - (k - i) * MIN_CHAPTER_S)
        if hi < lo:
            lo = hi = max(bounds[-1] + MIN_CHAPTER_S, min(ideal, hi))
        in_win = cuts[(cuts >= lo) & (cuts <= hi)]
        if in_win.size:
            vals = np.interp(in_win, centers, smooth)
            bounds.append(float(in_win[np.argmin(vals)]))
            continue
        mask = (centers >= lo) & (centers <= hi) & np.isfinite(smooth)
        if mask.any():
            idx = np.flatnonzero(mask)
            bounds.append(float(centers[idx[np.argmin(smooth[idx])]]))
        else:
            bounds.append(float(lo))
    bounds.append(t1)
    out = []
    for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        seg = score.crop(a, b)
        j = int(np.nanargmax(seg.values)) if seg.n and np.isfinite(seg.values).any() else 0
        peak = min(max(seg.start_s + (j + 0.5) * seg.hop_s, a), b)
        kws = tuple(keywords(a, b)) if keywords is not None else ()
        title = f"Part {i + 1}" if not kws else f"Part {i + 1}: {' '.join(kws[:3])}"
        if i == 0:
            title = "Start" if not kws else f"Start: {' '.join(kws[:3])}"
        out.append(Clip(
            start_s=a, end_s=b, peak_s=peak,
            score=float(seg.values[j]) if seg.n else 0.0, rank=i + 1,
            contributions=contributions(components, a, b) if components else {},
            keywords=kws, label=title,
        ))
    return out
