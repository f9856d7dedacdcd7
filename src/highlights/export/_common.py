"""Shared helpers of the exporters: clip validation, frame rates, frames, timecode."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from .._validate import fail
from ..errors import ExportError
from ..types import Clip

__all__ = ["FpsLike", "as_rate", "to_frame", "clip_frames", "record_starts", "timecode",
           "nominal_fps", "TIMELINE_RATES", "timeline_rate", "rate_text", "conform_note"]

#: A frame rate: a number (29.97 is read as 30000/1001), a Fraction, ``(num, den)``
#: or a ``"num/den"`` string.
FpsLike = float | int | Fraction | tuple[int, int] | str


def as_rate(fps: Any, *, caller: str, name: str = "fps") -> Fraction:
    """Return ``fps`` as an exact :class:`~fractions.Fraction`.

    Floats near an NTSC rate ``n * 1000 / 1001`` (23.976, 29.97, 59.94, also the
    common roundings 23.98 and 59.94) map to that exact fraction; floats within 1e-6
    of an integer map to the integer; other floats are approximated with denominator
    <= 1001.

    Raises
    ------
    InvalidParameterError
        If ``fps`` is not a positive, finite rate.
    """
    constraint = "a positive frame rate (number, Fraction, (num, den) or 'num/den')"
    try:
        if isinstance(fps, bool):
            raise TypeError
        if isinstance(fps, tuple):
            if len(fps) != 2:
                raise ValueError
            num, den = (int(v.__index__()) for v in fps)
            rate = Fraction(num, den)
        elif isinstance(fps, str):
            rate = Fraction(fps.strip())
        elif isinstance(fps, Fraction | int):
            rate = Fraction(fps)
        else:
            value = float(fps)
            if not math.isfinite(value) or value <= 0:
                raise ValueError
            rate = _from_float(value)
    except (TypeError, ValueError, ZeroDivisionError, AttributeError):
        raise fail(name, caller, constraint, fps) from None
    if rate <= 0 or rate > 1000:
        raise fail(name, caller, constraint, fps)
    return rate


def _from_float(value: float) -> Fraction:
    nearest = round(value)
    if abs(value - nearest) < 1e-6:
        return Fraction(nearest)
    ntsc = round(value * 1.001)
    if ntsc > 0 and abs(value - ntsc / 1.001) < 0.006:
        return Fraction(ntsc * 1000, 1001)
    return Fraction(value).limit_denominator(1001)


def nominal_fps(rate: Fraction, *, caller: str) -> int:
    """Return the integer timecode base of ``rate`` (30 for 30000/1001).

    Raises
    ------
    ExportError
        If the rate is neither an integer nor an NTSC ``n * 1000 / 1001`` rate, since
        SMPTE timecode cannot represent it.
    """
    if rate.denominator == 1:
        return int(rate)
    if rate.denominator == 1001 and rate.numerator % 1000 == 0:
        return rate.numerator // 1000
    raise ExportError(
        f"{caller} needs an integer or NTSC (n*1000/1001) frame rate for timecode; "
        f"got {float(rate):.6g} fps ({rate})."
    )


_NTSC = (Fraction(24000, 1001), Fraction(30000, 1001), Fraction(60000, 1001))
_INTEGER = (Fraction(24), Fraction(25), Fraction(30), Fraction(50), Fraction(60))
#: The timeline rates editor exports are written at, ascending: every editor opens
#: them and SMPTE timecode (hence EDL and FCP7 XML) supports them.
TIMELINE_RATES = tuple(sorted(_NTSC + _INTEGER))


def timeline_rate(source: Fraction) -> Fraction:
    """Return the standard timeline rate that a source frame rate is conformed to.

    The rule, in order:

    1. a rate of :data:`TIMELINE_RATES` is kept (23.976, 24, 25, 29.97, 30, 50,
       59.94, 60);
    2. else the lowest standard rate of the same family (NTSC ``n * 1000 / 1001``,
       or not) that is a whole multiple of the source rate, so that every source
       frame lasts a whole number of timeline frames: 10 and 15 -> 30, 12 -> 24,
       20 -> 60, 12.5 -> 25, 14.985 -> 29.97;
    3. else the lowest rate of that family at or above the source rate: 7 -> 24,
       48 -> 50;
    4. else (above 60 fps) the highest of that family: 120 -> 60, 119.88 -> 59.94.

    Parameters
    ----------
    source : Fraction
        The source's frame rate, frames per second (see :func:`as_rate`).

    Returns
    -------
    Fraction
        The timeline rate, frames per second.
    """
    if source in TIMELINE_RATES:
        return source
    family = _NTSC if source.denominator == 1001 else _INTEGER
    for rate in family:
        if (rate / source).denominator == 1:
            return rate
    for rate in family:
        if rate >= source:
            return rate
    return family[-1]


def rate_text(rate: Fraction) -> str:
    """Return a rate as ``"30"`` or ``"30000/1001"`` (exact, no float rounding)."""
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def conform_note(source: Fraction, timeline: Fraction) -> str:
    """One ASCII sentence that says at which rate an editor file was written, and why.

    For example ``"timeline 30 fps non-drop-frame; source 15 fps conformed: clip
    edges converted in time and rounded to the nearest timeline frame"``.
    """
    head = f"timeline {rate_text(timeline)} fps non-drop-frame"
    if source == timeline:
        return f"{head}; source {rate_text(source)} fps (same rate)"
    return (f"{head}; source {rate_text(source)} fps conformed: clip edges converted in "
            "time and rounded to the nearest timeline frame")


def to_frame(t_s: float, rate: Fraction) -> int:
    """Return the nearest frame index of time ``t_s`` (half up), counted exactly."""
    return math.floor(Fraction(t_s) * rate + Fraction(1, 2))


def clip_frames(clip: Clip, rate: Fraction) -> tuple[int, int]:
    """Return ``(first_frame, end_frame)`` of a clip, end exclusive, at least one frame."""
    first = to_frame(clip.start_s, rate)
    end = max(to_frame(clip.end_s, rate), first + 1)
    return first, end


def record_starts(spans: Sequence[tuple[int, int]], record_in_s: Sequence[float] | None,
                  rate: Fraction, *, caller: str) -> list[int]:
    """Return the timeline frame at which each clip starts on the record side.

    Parameters
    ----------
    spans : sequence of (int, int)
        Each clip's ``(first_frame, end_frame)`` (:func:`clip_frames`) at ``rate``.
    record_in_s : sequence of float or None
        Where each clip starts on the timeline, seconds from its start (rounded to the
        nearest frame); None lays the clips end to end from 0.
    rate : Fraction
        The timeline rate, frames per second.
    caller : str
        Named in error messages.

    Returns
    -------
    list of int
        One record-in frame per clip.

    Raises
    ------
    InvalidParameterError
        If ``record_in_s`` does not give one finite time >= 0 per clip, each at or
        after the end of the clip before (clips may not overlap).
    """
    if record_in_s is None:
        starts, rec = [], 0
        for first, end in spans:
            starts.append(rec)
            rec += end - first
        return starts
    constraint = "one record time >= 0 s per clip, each at or after the previous clip's end"
    try:
        times = [float(t) for t in record_in_s]
    except (TypeError, ValueError):
        raise fail("record_in_s", caller, constraint, record_in_s) from None
    if len(times) != len(spans) or not all(math.isfinite(t) and t >= 0 for t in times):
        raise fail("record_in_s", caller, constraint, record_in_s)
    starts, rec = [], 0
    for t, (first, end) in zip(times, spans, strict=True):
        start = to_frame(t, rate)
        if start < rec:
            raise fail("record_in_s", caller, constraint, record_in_s)
        starts.append(start)
        rec = start + end - first
    return starts


def timecode(frame: int, base: int, *, caller: str) -> str:
    """Format a frame count as non-drop-frame SMPTE timecode ``HH:MM:SS:FF``.

    Raises
    ------
    ExportError
        If the timecode reaches 24 hours (timecode wraps there).
    """
    if frame < 0:
        raise ExportError(f"{caller}: negative timecode (frame {frame}).")
    seconds, ff = divmod(frame, base)
    minutes, ss = divmod(seconds, 60)
    hh, mm = divmod(minutes, 60)
    if hh >= 24:
        raise ExportError(f"{caller}: timecode reaches 24 hours (frame {frame} at {base} fps).")
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"
