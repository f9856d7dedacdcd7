"""Chapters: the YouTube rules, and the two ways to meet them.

YouTube's rules (what its description parser accepts, :func:`chapter_rule_problem`):
the first chapter starts at 0:00, there are at least three, each is at least 10 s
long (the last one too), and they ascend.

* :func:`make_chapters` splits a whole stream (its fused score) into titled parts;
  this is the ``chapters`` preset, and what ``export(formats=["chapters"])`` writes
  for a result that was not made with it.
* :func:`chapters_from_clips` fits a given list of clips to the rules (each clip
  proposes a chapter at its start); :func:`highlights.export.export_clips` uses it
  for ``format="chapters"``, which has clips but no score.

:func:`make_chapters` aims for chapters of about ``target_len_s`` and places each
boundary at the quietest point of the fused score (a lull between topics) within
a quarter of a chapter of its ideal position, preferring a hard scene cut when one
lies in that window.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from .._validate import check_clips, check_positive
from ..errors import ExportError, NoClipsWarning
from ..timeline import Timeline
from ..types import Clip
from .peaks import contributions

__all__ = ["make_chapters", "chapters_from_clips", "chapter_rule_problem", "MIN_CHAPTER_S",
           "MIN_CHAPTERS"]

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


def chapter_rule_problem(
    starts: Sequence[int], *, duration_s: float | None = None,
    min_chapter_s: float = MIN_CHAPTER_S, titles: Sequence[str] | None = None,
    stamp: Callable[[int], str] = str,
) -> str | None:
    """The first YouTube chapter rule that ``starts`` break, or None.

    YouTube shows chapters from a description only when the first starts at 0:00,
    there are at least :data:`MIN_CHAPTERS`, they ascend, and every one (the last
    too, when ``duration_s`` is known) lasts at least ``min_chapter_s`` seconds.
    This is the one place those rules are written down; :func:`make_chapters`,
    :func:`chapters_from_clips` and :func:`highlights.export.chapters_text` all
    follow it.

    Parameters
    ----------
    starts : sequence of int
        Chapter starts in whole seconds, in order.
    duration_s : float, optional
        Media length, seconds.
    min_chapter_s : float, default 10.0
        Minimum chapter length, seconds.
    titles : sequence of str, optional
        Titles, to name the offending chapter.
    stamp : callable, optional
        Formats a start for the message.

    Returns
    -------
    str or None
        A message naming the rule and the chapter, or None when all rules hold.
    """
    names = list(titles) if titles is not None else [f"chapter {i + 1}" for i in range(len(starts))]
    if len(starts) < MIN_CHAPTERS:
        return f"YouTube needs at least {MIN_CHAPTERS} chapters; got {len(starts)}."
    if starts[0] != 0:
        return f"The first chapter must start at 0:00; it starts at {stamp(starts[0])}."
    for i in range(1, len(starts)):
        if starts[i] - starts[i - 1] < min_chapter_s:
            return (f"Chapter {i} ({names[i - 1]!r} at {stamp(starts[i - 1])}) lasts "
                    f"{starts[i] - starts[i - 1]} s; chapters must ascend and last "
                    f">= {min_chapter_s:g} s.")
    if duration_s is not None and duration_s - starts[-1] < min_chapter_s:
        return (f"The last chapter ({names[-1]!r} at {stamp(starts[-1])}) lasts "
                f"{duration_s - starts[-1]:.1f} s to the end of the media; it must last "
                f">= {min_chapter_s:g} s.")
    return None


def chapters_from_clips(clips: Sequence[Clip], *, duration_s: float | None = None,
                        min_chapter_s: float = MIN_CHAPTER_S,
                        intro_title: str = "Start") -> list[tuple[float, str]]:
    """Turn clips into YouTube-valid chapters ``[(start_s, title), ...]``.

    Each clip proposes a chapter at its start (floored to a whole second) titled by
    its label. A chapter at 0:00 always exists: the best clip starting in the first
    ``min_chapter_s`` seconds gives it its title, else ``intro_title`` does. Other
    proposals must start ``min_chapter_s`` after 0:00 and end ``min_chapter_s``
    before the media end; they are accepted best score first when at least
    ``min_chapter_s`` from every accepted one. If that leaves fewer than 3 chapters,
    the earliest-first greedy (which maximises the count) is used instead.

    Parameters
    ----------
    clips : sequence of Clip
        Highlight or chapter clips, any order.
    duration_s : float, optional
        Media duration in seconds; defaults to the latest clip end (a lower bound).
    min_chapter_s : float, default 10.0
        Minimum chapter length in seconds (YouTube: 10).
    intro_title : str, default "Start"
        Title of the 0:00 chapter when no clip starts near 0.

    Returns
    -------
    list of (float, str)
        Chapters in time order, ready for :func:`chapters_text`.

    Raises
    ------
    ExportError
        If fewer than 3 valid chapters can be made (stream too short or clips too
        close together).
    """
    caller = "chapters_from_clips"
    items = check_clips(clips, caller=caller)
    min_len = check_positive("min_chapter_s", caller, min_chapter_s)
    if duration_s is None:
        if not items:
            raise ExportError("Cannot make chapters from no clips without duration_s.")
        end = max(c.end_s for c in items)
    else:
        end = check_positive("duration_s", caller, duration_s)
    starts = [math.floor(c.start_s) for c in items]
    head = [i for i in range(len(items)) if starts[i] < min_len]
    first_title = (
        _clip_title(max((items[i] for i in head), key=lambda c: c.score)) if head
        else str(intro_title).strip() or "Start"
    )
    inner = [i for i in range(len(items)) if min_len <= starts[i] and end - starts[i] >= min_len]
    if end < min_len:
        inner = []
    by_score = sorted(inner, key=lambda i: (-items[i].score, starts[i]))
    chosen = _spaced_greedy_from_zero(by_score, starts, min_len)
    if len(chosen) + 1 < 3:
        chosen = _spaced_greedy_from_zero(sorted(inner, key=lambda i: starts[i]), starts, min_len)
    if len(chosen) + 1 < 3:
        raise ExportError(
            f"Only {len(chosen) + 1} YouTube chapter(s) fit: chapters need >= {min_len:g} s "
            f"each, the first at 0:00, and at least 3 of them (media {end:.1f} s, "
            f"{len(items)} clip(s))."
        )
    chosen.sort(key=lambda i: starts[i])
    return [(0.0, first_title)] + [(float(starts[i]), _clip_title(items[i])) for i in chosen]


def _spaced_greedy_from_zero(order: Sequence[int], starts: Sequence[int],
                             min_len: float) -> list[int]:
    chosen: list[int] = []
    for i in order:
        if starts[i] >= min_len and all(abs(starts[i] - starts[j]) >= min_len for j in chosen):
            chosen.append(i)
    return chosen


def _clip_title(clip: Clip) -> str:
    """A clip's chapter title (made safe for the text format by its writer)."""
    return clip.label.strip() or f"Highlight {clip.rank}"
