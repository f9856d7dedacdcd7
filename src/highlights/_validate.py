"""Parameter checks for public entry points, with one message template.

Every message reads: ``The 'x' parameter of f must be <constraint>. Got <value> instead.``
"""

from __future__ import annotations

import math
from collections.abc import Collection
from numbers import Real
from typing import Any

from .errors import InvalidParameterError
from .types import Clip

__all__ = ["check_choice", "check_positive", "check_nonneg", "check_int", "fail"]


def fail(name: str, caller: str, constraint: str, value: Any) -> InvalidParameterError:
    """Build the standard error for a bad parameter (the caller raises it)."""
    return InvalidParameterError(
        f"The {name!r} parameter of {caller} must be {constraint}. Got {value!r} instead."
    )


def _as_float(name: str, caller: str, value: Any, constraint: str) -> float:
    if isinstance(value, bool):
        raise fail(name, caller, constraint, value)
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise fail(name, caller, constraint, value) from None
    if not math.isfinite(out):
        raise fail(name, caller, constraint, value)
    return out


def check_positive(name: str, caller: str, value: Any) -> float:
    """Return ``value`` as a finite float > 0, or raise :class:`InvalidParameterError`."""
    out = _as_float(name, caller, value, "a finite number > 0")
    if out <= 0:
        raise fail(name, caller, "a finite number > 0", value)
    return out


def check_nonneg(name: str, caller: str, value: Any) -> float:
    """Return ``value`` as a finite float >= 0, or raise :class:`InvalidParameterError`."""
    out = _as_float(name, caller, value, "a finite number >= 0")
    if out < 0:
        raise fail(name, caller, "a finite number >= 0", value)
    return out


def check_int(name: str, caller: str, value: Any, *, minimum: int = 0) -> int:
    """Return ``value`` as an int >= ``minimum``, or raise :class:`InvalidParameterError`."""
    constraint = f"an integer >= {minimum}"
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise fail(name, caller, constraint, value)
    out = int(value.__index__())
    if out < minimum:
        raise fail(name, caller, constraint, value)
    return out


def check_choice(name: str, caller: str, value: Any, choices: Collection[str]) -> str:
    """Return ``value`` if it is one of ``choices``, or raise :class:`InvalidParameterError`."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise fail(name, caller, f"one of {listed}", value)
    return value


def check_clips(clips: Any, *, caller: str) -> list[Clip]:
    """Validate a sequence of :class:`~highlights.types.Clip`.

    Raises
    ------
    InvalidParameterError
        If an item is not a Clip, or a time is not finite, negative, or
        ``start_s >= end_s``, or a score is not finite.
    """
    if isinstance(clips, Clip | str | bytes) or not hasattr(clips, "__iter__"):
        raise fail("clips", caller, "a sequence of Clip", clips)
    out = list(clips)
    for i, clip in enumerate(out):
        if not isinstance(clip, Clip):
            raise fail("clips", caller, "a sequence of Clip", clip)
        times = (clip.start_s, clip.end_s, clip.peak_s)
        if not all(isinstance(t, Real) and math.isfinite(t) for t in times):
            raise fail(f"clips[{i}]", caller, "a clip with finite times", clip)
        if clip.start_s < 0 or clip.end_s <= clip.start_s:
            raise fail(f"clips[{i}]", caller, "a clip with 0 <= start_s < end_s", clip)
        if not (isinstance(clip.score, Real) and math.isfinite(clip.score)):
            raise fail(f"clips[{i}]", caller, "a clip with a finite score", clip)
    return out
