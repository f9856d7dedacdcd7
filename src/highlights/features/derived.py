"""Signals derived from other signals' timelines (no decoding, pure numpy).

With ``chat_fresh`` (fresh voices per second: authors who had not written for a
minute, campaigns and spam left out) the onset is a *surprise*: the fresh voices in
the next ``window_s`` against what the minute before would lead one to expect,
``(A - mu) / sqrt(mu + 1)``, a Poisson z-score.  Its scale is the same on a chat of
0.1 message per second and one of 100, which a difference of rates is not.

``audio_burst``: a moment people react to is *louder than what surrounds it*, for a
few seconds.  A music bed, intermission music, an ad break or a long rant is loud
too, but it stays loud, so its loudness is not above its own surroundings.  The
burst of a hop is its short-term loudness (dB, over ``short_s``) minus the larger
of the median loudness in the ``context_s`` before it and in the ``context_s``
after it (each starting ``guard_s`` away), clipped at 0: two-sided, so the start
of a loud segment (loud after) scores nothing either.

``audio_react``: a reaction is voiced -- shouting, laughter, excited speech --
where explosions, gunfire and other game sounds are noise.  ``audio_burst`` times a
voicing weight keeps the bursts people make: the weight ramps from 0 at a voice
periodicity (``audio_voiced``) of 0.3 to 1 at 0.6, around the 0.45 that Praat uses
to call a frame voiced, so a loud explosion with a little tonal ringing in it does
not pass for a shout.

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

from .._window import moving_average, window_mean, window_median, window_sums
from ..timeline import Timeline

__all__ = ["chat_onset", "chat_surprise", "audio_burst", "audio_react", "add_derived"]


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


#: Voice periodicity below which a burst counts nothing, and above which it counts fully.
VOICED_RAMP = (0.3, 0.6)
#: ``audio_react`` is averaged over this long, seconds.
REACT_SMOOTH_S = 1.5


def audio_react(burst: Timeline, voiced: Timeline) -> Timeline:
    """Voiced loudness bursts: ``audio_burst`` x a voicing weight (dB x 0..1).

    The weight is ``clip((voiced - 0.3) / 0.3, 0, 1)`` (:data:`VOICED_RAMP`); the
    product is averaged over :data:`REACT_SMOOTH_S`.

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
    lo, hi = VOICED_RAMP
    weight = np.clip((voiced.values.astype(np.float64) - lo) / (hi - lo), 0.0, 1.0)
    v = burst.values.astype(np.float64) * weight
    # A reaction lasts seconds; one hop where a loud sound meets a voice (the end of a
    # jingle, the cut to a shout) is averaged away over REACT_SMOOTH_S.
    v = moving_average(v, max(1, int(round(REACT_SMOOTH_S / burst.hop_s))))
    return Timeline(values=v.astype(np.float32), hop_s=burst.hop_s, start_s=burst.start_s,
                    name="audio_react")


def chat_surprise(
    fresh: Timeline, *, window_s: float = 5.0, context_s: float = 60.0, guard_s: float = 5.0,
) -> Timeline:
    """Poisson surprise of the fresh voices in the next ``window_s`` at each hop.

    ``A`` = fresh voices in ``[t, t + window_s)``; ``mu`` = the median of the same
    count over the hops of ``[t - context_s, t - guard_s]`` (what the last minute
    leads one to expect; over ``[t + guard_s, t + context_s]`` in the stream's first
    half minute, which has no past); the result is ``(A - mu) / sqrt(mu + 1)``.  A reaction (many
    quiet viewers writing at once) stands out whether the chat is sparse or busy; a
    step up in the audience (a raid) fades within ``context_s``.

    Parameters
    ----------
    fresh : Timeline
        ``chat_fresh``: fresh voices per second per hop.
    window_s : float, default 5.0
        Look-ahead window, seconds.
    context_s, guard_s : float, default 60.0, 5.0
        The expectation's window ``[t - context_s, t - guard_s]``, seconds.

    Returns
    -------
    Timeline
        Named ``"chat_onset"`` (it replaces the rate difference of
        :func:`chat_onset`), z units; NaN where ``fresh`` is NaN.

    Examples
    --------
    >>> f = np.zeros(400); f[200:210] = 4.0          # 40 voices in 5 s after silence
    >>> z = chat_surprise(Timeline(values=f, hop_s=0.5)).values
    >>> int(np.argmax(z)), round(float(z.max()))
    (200, 20)
    """
    hop = fresh.hop_s
    v = fresh.values.astype(np.float64)
    nan = np.isnan(v)
    counts = np.nan_to_num(v, nan=0.0) * hop  # voices per hop
    w = max(1, int(round(window_s / hop)))
    ahead = window_sums(counts, lo=0, hi=w - 1)
    g = max(1, int(round(guard_s / hop)))
    c = max(g, int(round(context_s / hop)))
    mu = window_median(ahead, lo=-c, hi=-g)
    # The first minute has too little past to expect anything from: use what follows.
    early = np.arange(ahead.shape[0]) < (c + g) // 2
    mu[early] = window_median(ahead, lo=g, hi=c)[early]
    mu = np.where(np.isnan(mu), 0.0, mu)
    out = (ahead - mu) / np.sqrt(mu + 1.0)
    out[nan] = np.nan
    return Timeline(values=out.astype(np.float32), hop_s=hop, start_s=fresh.start_s,
                    name="chat_onset")


def add_derived(timelines: Mapping[str, Timeline]) -> dict[str, Timeline]:
    """Return ``timelines`` plus every derived signal that can be computed from them."""
    out = dict(timelines)
    if "chat_fresh" in out and "chat_onset" not in out:
        out["chat_onset"] = chat_surprise(out["chat_fresh"])
    if "chat_rate" in out and "chat_onset" not in out:
        out["chat_onset"] = chat_onset(out["chat_rate"])
    if "audio_rms_db" in out and "audio_burst" not in out:
        out["audio_burst"] = audio_burst(out["audio_rms_db"])
    if "audio_burst" in out and "audio_voiced" in out and "audio_react" not in out:
        out["audio_react"] = audio_react(out["audio_burst"], out["audio_voiced"])
    return out
