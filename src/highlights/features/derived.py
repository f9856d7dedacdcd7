"""Signals derived from other signals' timelines (no decoding, pure numpy).

``audio_burst``: a moment people react to is *louder than what surrounds it*, for a
few seconds.  A music bed, intermission music, an ad break or a long rant is loud
too, but it stays loud, so its loudness is not above its own surroundings.  The
burst of a hop is its short-term loudness (dB, over ``short_s``) minus the larger
of the median loudness in the ``context_s`` before it and in the ``context_s``
after it (each starting ``guard_s`` away), clipped at 0: two-sided, so the start
of a loud segment (loud after) scores nothing either.

``audio_react``: a reaction is voiced -- shouting, laughter, excited speech --
where explosions, gunfire and other game sounds are noise.  ``audio_burst`` times
``audio_voiced`` (the hop's voice periodicity, 0..1) keeps the bursts people make.

``chat_onset``: chat reacts to a moment with a burst that rises within a second or two
and then decays over 10-20 s.  After the chat lag is removed, the *level* of chat
activity therefore covers the moment plus a long tail, which drags clip ends late and
steals room from the next moment.  The *onset* -- how much more chat there is in the
next ``window_s`` than in the previous ``window_s`` -- is a pulse centred on the start
of the reaction, i.e. on the moment itself.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._window import moving_average, window_mean, window_median
from ..timeline import Timeline

__all__ = ["chat_onset", "audio_burst", "audio_react", "add_derived"]


def chat_onset(rate: Timeline, *, window_s: float = 3.0) -> Timeline:
    """Positive rise of a chat-activity timeline around each hop.

    ``onset[i] = max(0, mean(rate[i : i + w]) - mean(rate[i - w : i]))`` with
    ``w = window_s / hop_s`` hops (windows clipped at the edges; NaN counts as 0).

    Parameters
    ----------
    rate : Timeline
        Chat activity per hop (e.g. ``chat_rate``), already shifted by the chat lag.
    window_s : float, default 3.0
        Length of the before/after windows, seconds.

    Returns
    -------
    Timeline
        Named ``"chat_onset"``, same grid, in the units of ``rate``.

    Examples
    --------
    >>> tl = Timeline(values=[0, 0, 0, 0, 5, 5, 5, 4, 3, 2, 1, 0], hop_s=1.0)
    >>> int(np.argmax(chat_onset(tl, window_s=2.0).values))
    4
    """
    v = np.nan_to_num(rate.values.astype(np.float64), nan=0.0)
    w = max(1, int(round(window_s / rate.hop_s)))
    after = window_mean(v, lo=0, hi=w - 1)
    before = window_mean(v, lo=-w, hi=-1)  # 0 at the first hop (empty window)
    out = np.maximum(after - before, 0.0).astype(np.float32)
    return Timeline(values=out, hop_s=rate.hop_s, start_s=rate.start_s, name="chat_onset")


def audio_burst(
    loudness: Timeline, *, short_s: float = 2.0, guard_s: float = 4.0, context_s: float = 30.0,
) -> Timeline:
    """How far the loudness of each hop stands above its surroundings on both sides, dB.

    ``burst[i] = max(0, short[i] - max(before[i], after[i]))`` where ``short`` is the
    mean loudness over ``short_s`` centred on the hop, ``before`` the median over
    ``[t - context_s, t - guard_s]`` and ``after`` the median over
    ``[t + guard_s, t + context_s]`` (NaN hops ignored; a side with no data is
    ignored).

    Parameters
    ----------
    loudness : Timeline
        ``audio_rms_db``: loudness per hop, dB.
    short_s : float, default 2.0
        Length of the short-term loudness window, seconds.
    guard_s : float, default 4.0
        Gap between the hop and each context window, seconds (a reaction's own
        tail stays out of its context).
    context_s : float, default 30.0
        Reach of each context window, seconds.

    Returns
    -------
    Timeline
        Named ``"audio_burst"``, dB >= 0, NaN where ``loudness`` is NaN.

    Examples
    --------
    >>> db = np.r_[np.full(100, -30.0), np.full(6, -10.0), np.full(100, -30.0),
    ...            np.full(200, -10.0)]      # a 3 s shout, then 100 s of loud music
    >>> b = audio_burst(Timeline(values=db, hop_s=0.5)).values
    >>> round(float(b[103])), round(float(b[350]))
    (20, 0)
    """
    hop = loudness.hop_s
    v = loudness.values.astype(np.float64)
    nan = np.isnan(v)
    w = max(1, int(round(short_s / hop)))
    short = moving_average(v, w)
    g = max(1, int(round(guard_s / hop)))
    c = max(g, int(round(context_s / hop)))
    before = window_median(v, lo=-c, hi=-g)
    after = window_median(v, lo=g, hi=c)
    ref = np.fmax(before, after)  # NaN only where both sides are empty
    out = np.maximum(short - np.where(np.isnan(ref), short, ref), 0.0)
    out[nan] = np.nan
    return Timeline(values=out.astype(np.float32), hop_s=hop, start_s=loudness.start_s,
                    name="audio_burst")


def audio_react(burst: Timeline, voiced: Timeline) -> Timeline:
    """Voiced loudness bursts: ``audio_burst`` x ``audio_voiced`` (dB x 0..1).

    Parameters
    ----------
    burst : Timeline
        :func:`audio_burst`.
    voiced : Timeline
        ``audio_voiced`` on the same grid.

    Returns
    -------
    Timeline
        Named ``"audio_react"``; NaN where either input is NaN.
    """
    v = burst.values.astype(np.float64) * np.clip(voiced.values.astype(np.float64), 0.0, 1.0)
    return Timeline(values=v.astype(np.float32), hop_s=burst.hop_s, start_s=burst.start_s,
                    name="audio_react")


def add_derived(timelines: Mapping[str, Timeline]) -> dict[str, Timeline]:
    """Return ``timelines`` plus every derived signal that can be computed from them."""
    out = dict(timelines)
    if "chat_rate" in out and "chat_onset" not in out:
        out["chat_onset"] = chat_onset(out["chat_rate"])
    if "audio_rms_db" in out and "audio_burst" not in out:
        out["audio_burst"] = audio_burst(out["audio_rms_db"])
    if "audio_burst" in out and "audio_voiced" in out and "audio_react" not in out:
        out["audio_react"] = audio_react(out["audio_burst"], out["audio_voiced"])
    return out
