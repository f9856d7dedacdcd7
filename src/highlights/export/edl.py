"""Hand-written CMX 3600 EDL and DaVinci Resolve marker EDL.

Both are written without OpenTimelineIO (so they need no extra package) and are
read back with OTIO's ``cmx_3600`` adapter in the tests.

Both are written on a standard timeline rate (:func:`~._common.timeline_rate`: the
source's own rate when it is one of 23.976/24/25/29.97/30/50/59.94/60, else e.g.
10 and 15 fps -> 30, 12 -> 24, 20 -> 60, 48 -> 50, 120 -> 60): clip edges are
converted in time and rounded to that rate's frames, and a ``* HIGHLIGHTS:``
comment under the first event says which rate and why (an EDL has no header field
for it). Timecode is non-drop-frame (``FCM: NON-DROP FRAME``) at the nominal
integer rate (30 for 29.97): frame counts are exact, and a TC label at an NTSC rate
counts frames, not wall-clock seconds, as every NDF editor expects. Source timecode
is the media's time from its first frame (``00:00:00:00``) counted in timeline
frames; media with an embedded start timecode need that offset added in the editor.

Names never reach an EDL verbatim: CR/LF and other control characters become
spaces (a newline in a clip name would forge an event line), and ``|`` is removed
from Resolve marker names (it separates marker fields).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from .._validate import check_choice
from ..errors import ExportError
from ..types import Clip
from ._common import (
    clip_frames,
    conform_note,
    nominal_fps,
    record_starts,
    timecode,
    timeline_rate,
    to_frame,
)
from ._safe import one_line

__all__ = ["render_cmx3600", "render_resolve_markers", "reel_name", "RESOLVE_COLORS"]

#: Marker colours DaVinci Resolve accepts in ``|C:ResolveColor<Name>``.
RESOLVE_COLORS = ("Blue", "Cyan", "Green", "Yellow", "Red", "Pink", "Purple", "Fuchsia",
                  "Rose", "Lavender", "Sky", "Mint", "Lemon", "Sand", "Cocoa", "Cream")
_MAX_EVENTS = 999
_REEL_DROP = re.compile(r"[^A-Z0-9_]+")


def reel_name(media_path: Any) -> str:
    """Return a CMX 3600 reel name for a media file: ``[A-Z0-9_]``, at most 8 characters.

    ``None`` or a name with no usable character gives ``"AX"`` (auxiliary source).
    """
    if media_path is None:
        return "AX"
    stem = Path(os.fspath(media_path)).stem.upper()
    reel = _REEL_DROP.sub("", stem)[:8]
    return reel or "AX"


def _header(title: str) -> list[str]:
    name = one_line(title, max_len=70) or "highlights"
    return [f"TITLE: {name}", "FCM: NON-DROP FRAME", ""]


def _event(n: int, reel: str, tcs: Sequence[str]) -> str:
    return f"{n:03d}  {reel:<8} V     C        {tcs[0]} {tcs[1]} {tcs[2]} {tcs[3]}"


def _check_count(n: int, what: str) -> None:
    if n > _MAX_EVENTS:
        raise ExportError(f"A {what} holds at most {_MAX_EVENTS} events; got {n} clips.")


def render_cmx3600(clips: Sequence[Clip], *, fps: Fraction, media_path: Any = None,
                   title: str = "highlights",
                   record_in_s: Sequence[float] | None = None) -> str:
    """Render clips as a CMX 3600 EDL: one cut event per clip, in the given order.

    Events are laid end to end on the record side from ``00:00:00:00``, or start at
    ``record_in_s``; a space left between clips is a black event (reel ``BL``, which
    OpenTimelineIO reads as a ``black`` generator).  The source side is each clip's
    span (start rounded to the nearest frame, end exclusive).
    Each event carries ``* FROM CLIP NAME:`` (the clip label, single-line),
    ``* FROM CLIP:`` (the media file URI, when ``media_path`` is given) and a
    ``* LOC:`` locator at the clip's peak (source timecode) named ``#rank score``;
    the first also carries ``* HIGHLIGHTS: timeline <rate> fps ...`` (see below).

    Parameters
    ----------
    clips : sequence of Clip
        Validated clips.
    fps : Fraction
        Media frame rate, frames per second.  The EDL is written at
        ``timeline_rate(fps)`` (the media's rate when it is standard; see
        :func:`~highlights.export._common.timeline_rate`).
    media_path : path-like, optional
        Source media; its name gives the reel (see :func:`reel_name`).
    title : str
        EDL title (single-line, at most 70 characters).
    record_in_s : sequence of float, optional
        Record time at which each clip starts, seconds from the timeline start
        (rounded to timeline frames; clips may not overlap).  Default: end to end.

    Raises
    ------
    ExportError
        If a timecode reaches 24 h, or there are more than 999 events.
    InvalidParameterError
        If ``record_in_s`` is not one time per clip, in order, without overlaps.
    """
    caller = "CMX 3600 EDL"
    source, fps = fps, timeline_rate(fps)
    spans = [clip_frames(clip, fps) for clip in clips]
    starts = record_starts(spans, record_in_s, fps, caller="render_cmx3600")
    ends = [start + end - first for start, (first, end) in zip(starts, spans, strict=True)]
    blacks = sum(start > prev for start, prev in zip(starts, [0, *ends[:-1]], strict=True))
    _check_count(len(clips) + blacks, "CMX 3600 EDL")
    base = nominal_fps(fps, caller=caller)
    reel = reel_name(media_path)
    uri = None if media_path is None else Path(os.fspath(media_path)).absolute().as_uri()
    lines = _header(title)
    rec = 0
    n = 0
    for clip, (first, end), start in zip(clips, spans, starts, strict=True):
        if start > rec:  # black up to the clip
            n += 1
            lines.append(_event(n, "BL", [timecode(f, base, caller=caller)
                                          for f in (0, start - rec, rec, start)]))
            lines.append("* FROM CLIP NAME: black")
            if n == 1:
                lines.append(f"* HIGHLIGHTS: {conform_note(source, fps)}")
            lines.append("")
            rec = start
        n += 1
        length = end - first
        lines.append(_event(n, reel, [timecode(f, base, caller=caller)
                                      for f in (first, end, rec, rec + length)]))
        lines.append(f"* FROM CLIP NAME: {one_line(clip.label) or f'hl_{clip.rank:03d}'}")
        if uri is not None:
            lines.append(f"* FROM CLIP: {uri}")
        peak = min(max(to_frame(clip.peak_s, fps), first), end - 1)
        lines.append(f"* LOC: {timecode(peak, base, caller=caller)} YELLOW  "
                     f"#{clip.rank} score {clip.score:.3f}")
        if n == 1:  # OTIO's reader, like many, accepts comments only inside events
            lines.append(f"* HIGHLIGHTS: {conform_note(source, fps)}")
        lines.append("")
        rec += length
    return "\n".join(lines) + "\n"


def render_resolve_markers(clips: Sequence[Clip], *, fps: Fraction,
                           title: str = "highlights", color: str = "Blue") -> str:
    """Render clips as a DaVinci Resolve marker EDL (Timeline > Import > Timeline Markers).

    One duration marker per clip, in time order, at the clip's start on a timeline
    that starts at ``01:00:00:00`` and holds the whole media from its first frame::

        001  001      V     C        01:00:05:00 01:00:05:01 01:00:05:00 01:00:05:01
         |C:ResolveColorBlue |M:#1 chat burst |D:150

    ``D`` is the clip length in frames. Marker names are single-line with ``|``
    removed.  The timeline runs at ``timeline_rate(fps)``, as in
    :func:`render_cmx3600`, and the first marker carries the same
    ``* HIGHLIGHTS:`` comment.

    Raises
    ------
    ExportError
        If a timecode reaches 24 h, or there are more than 999 clips.
    """
    caller = "Resolve marker EDL"
    color = check_choice("color", "render_resolve_markers", color, RESOLVE_COLORS)
    _check_count(len(clips), caller)
    source, fps = fps, timeline_rate(fps)
    base = nominal_fps(fps, caller=caller)
    origin = 3600 * base
    lines = _header(title)
    ordered = sorted(clips, key=lambda c: (c.start_s, c.end_s))
    for n, clip in enumerate(ordered, start=1):
        first, end = clip_frames(clip, fps)
        tc_in = timecode(origin + first, base, caller=caller)
        tc_out = timecode(origin + first + 1, base, caller=caller)
        name = one_line(f"#{clip.rank} {clip.label}".replace("|", " "), max_len=120)
        lines.append(_event(n, "001", [tc_in, tc_out, tc_in, tc_out]))
        lines.append(f" |C:ResolveColor{color} |M:{name} |D:{end - first}")
        if n == 1:
            lines.append(f"* HIGHLIGHTS: {conform_note(source, fps)}")
        lines.append("")
    return "\n".join(lines) + "\n"
