"""Chat events → :class:`~highlights.timeline.Timeline` signals.

Every function here is vectorised numpy (``bincount``, ``unique``, ``cumsum``) on
the event arrays of a :class:`~highlights.types.ChatEvents`; nothing loops over
messages in Python except the per-message lexicon scan in :func:`chat_signals`.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np
from numpy.typing import NDArray

from .._validate import check_nonneg, check_positive, fail
from ..timeline import Timeline
from ..types import ChatEvents

__all__ = ["chat_density"]

#: Kinds counted as chat messages by default (text written by viewers).
MESSAGE_KINDS = ("message", "paid")


def _n_hops(times_s: NDArray[np.float64], hop_s: float, duration_s: float | None) -> int:
    if duration_s is not None:
        return int(math.ceil(duration_s / hop_s - 1e-9))
    if times_s.size == 0:
        return 0
    return int(np.floor(float(times_s.max()) / hop_s)) + 1


def _hop_index(times_s: NDArray[np.float64], hop_s: float, n: int) -> NDArray[np.intp]:
    """Hop index of each time; -1 for times outside ``[0, n * hop_s)``."""
    idx = np.floor(times_s / hop_s).astype(np.intp)
    idx[(idx < 0) | (idx >= n)] = -1
    return idx


def _boxcar(values: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """Centred moving average over ``width`` hops (edges averaged over what exists)."""
    if width <= 1 or values.size == 0:
        return values
    c = np.concatenate(([0.0], np.cumsum(values)))
    n = values.size
    half = width // 2
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) - half + width, 0, n)
    out: NDArray[np.float64] = (c[hi] - c[lo]) / (hi - lo)
    return out


def _kind_mask(events: ChatEvents, kinds: Collection[str] | None) -> NDArray[np.bool_]:
    if kinds is None:
        return np.ones(len(events), dtype=bool)
    return np.isin(events.kind.astype(str), np.asarray(list(kinds), dtype=str))


def chat_density(
    events: ChatEvents,
    *,
    hop_s: float = 0.5,
    duration_s: float | None = None,
    smooth_s: float = 0.0,
    kinds: Collection[str] | None = MESSAGE_KINDS,
) -> Timeline:
    """Chat messages per second on a uniform grid.

    Parameters
    ----------
    events : ChatEvents
        Events in seconds from the media start (see :func:`highlights.load_chat`).
    hop_s : float, default 0.5
        Hop width in seconds.
    duration_s : float, optional
        Media duration in seconds; the timeline has ``ceil(duration_s / hop_s)``
        hops and events past it are ignored.  Default: up to the last event.
    smooth_s : float, default 0.0
        Width in seconds of a centred moving average (0 = none).
    kinds : collection of str or None, default ("message", "paid")
        Event kinds counted; None counts every event (likes, gifts, orders...).

    Returns
    -------
    Timeline
        ``name="chat_rate"``; ``values[i]`` = events per second in hop ``i``.

    Examples
    --------
    >>> ev = ChatEvents.from_arrays([0.1, 0.2, 1.7])
    >>> chat_density(ev, hop_s=1.0).values.tolist()
    [2.0, 1.0]
    """
    caller = "chat_density"
    if not isinstance(events, ChatEvents):
        raise fail("events", caller, "a ChatEvents", type(events).__name__)
    hop = check_positive("hop_s", caller, hop_s)
    dur = None if duration_s is None else check_nonneg("duration_s", caller, duration_s)
    smooth = check_nonneg("smooth_s", caller, smooth_s)
    t = events.time_s[_kind_mask(events, kinds)]
    n = _n_hops(events.time_s, hop, dur)
    idx = _hop_index(t, hop, n)
    counts = np.bincount(idx[idx >= 0], minlength=n).astype(np.float64) / hop
    counts = _boxcar(counts, int(round(smooth / hop)))
    return Timeline(values=counts.astype(np.float32), hop_s=hop, start_s=0.0, name="chat_rate")
