"""Fusion: robust per-signal normalisation, weighting and smoothing into one score.

Each signal is turned into a robust z-score against a *rolling* baseline
(median and MAD over ``baseline_s`` seconds around each point), so a stream whose
audience or loudness slowly grows over hours does not turn its last hour into one
long highlight.  The z-scores are clipped, smoothed, weighted and summed.

Everything here is pure numpy, O(n) and loop-free over samples.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_choice, check_nonneg, check_positive, fail
from .._window import moving_average, window_max
from ..errors import SignalMissingWarning
from ..timeline import Timeline, common_grid

__all__ = [
    "DEFAULT_WEIGHTS",
    "VIDEO_TIME_CHAT_WEIGHTS",
    "REACTION_SIGNALS",
    "ACTION_SIGNALS",
    "Fusion",
    "fuse",
    "fuse_detail",
    "robust_normalize",
    "moving_average",
]

#: Default weight of each known signal.  Signals not listed get weight 0 unless
#: ``weights=`` names them.  ``keyframe`` is bookkeeping, not a cue.
#:
#: Reactions carry the score: the streamer's voiced loudness bursts (``audio_react``:
#: a shout or a laugh stands above its surroundings; a music bed or a rant that stays
#: loud does not) and the chat's onset (``chat_onset``: fresh voices appearing at
#: once, campaigns and spam left out).  Action (picture change, motion, game sound,
#: unvoiced bursts) and the chat's levels count only where a reaction is near (see
#: ``agreement`` in :func:`fuse_detail`).  Loudness itself (``audio_rms_db``) has no
#: weight: what stays loud is not a moment.  Chosen on the hard suite's training seeds
#: (``benchmarks/hardsuite.py``, 5000-5013); measured on held-out seeds and on real
#: labelled chat in ``benchmarks/README.md``.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "audio_react": 1.5,
    "audio_burst": 0.5,
    "audio_rms_db": 0.0,
    "audio_onset": 0.25,
    "audio_excite": 0.25,
    "scene": 0.5,
    "motion": 0.75,
    "video_bytes": 0.25,
    "keyframe": 0.0,
    "chat_onset": 1.5,
    "chat_rate": 0.25,
    "chat_unique": 0.25,
    "chat_react": 0.25,
    "chat_value": 0.5,
}

#: Chat weights for chat in *video time* (:attr:`highlights.ChatEvents.time_base`
#: ``"video"``: Bilibili video danmaku, NicoNico).  Viewers of a recording leave
#: comments at the position they are watching, each on their own schedule, so
#: there is no burst of fresh voices at a moment; how many distinct viewers comment
#: at a position is the signal.  So the levels weigh more than the onset, and they
#: are not gated by reaction evidence (they are the evidence).
VIDEO_TIME_CHAT_WEIGHTS: Mapping[str, float] = {
    "chat_onset": 0.5, "chat_unique": 1.0, "chat_rate": 0.5,
}

#: Signals that show someone *reacted*: the streamer's voiced outbursts and the
#: audience's chat.  They are the evidence that a moment mattered.
REACTION_SIGNALS: frozenset[str] = frozenset({
    "audio_react", "chat_onset", "chat_rate", "chat_unique", "chat_fresh", "chat_react",
    "chat_emote", "chat_value",
})
#: Signals on a stream-independent scale, with the smallest spread their rolling
#: z-score may divide by: the chat onset is a Poisson z-score, and the voiced loudness
#: burst is in dB above the surroundings (x 0..1 voicing).  These sparse signals are 0
#: most of the time, so their rolling MAD is near 0 and would blow every small bump
#: up to the clip limit; with the floor a bump counts by its own size, while a busy,
#: overdispersed chat (a MAD well above 1) is still measured against its own spread.
FIXED_SCALES: Mapping[str, float] = {"chat_onset": 1.0, "audio_react": 1.0}
#: The reaction signals whose z-score is the evidence the agreement gate reads.
EVIDENCE_SIGNALS: tuple[str, ...] = ("audio_react", "chat_onset")
#: Signals of *action*: what happens on screen and in the game sound.  Action that
#: nobody reacts to (a firefight the streamer plays through in silence, a camera
#: switch) is not a highlight, so these count only where a reaction is near (see
#: :func:`fuse_detail`, ``agreement``).
ACTION_SIGNALS: frozenset[str] = frozenset({
    "scene", "motion", "video_bytes", "audio_onset", "audio_excite", "audio_rms_db",
    "audio_burst",
})
#: Signals whose positive part counts only where a reaction vouches for it: action,
#: and the chat's *levels* (a steady rate, spam, a campaign's volume), which rise
#: without anyone reacting to the stream.
GATED_SIGNALS: frozenset[str] = ACTION_SIGNALS | frozenset({
    "chat_rate", "chat_unique", "chat_fresh", "chat_react", "chat_emote",
})
#: Where reaction evidence is looked for around an action, seconds (from 2 s before
#: to 10 s after: the voice follows the action within seconds, and chat has already
#: been moved back by its lag).
AGREEMENT_WINDOW_S = (-2.0, 10.0)
#: Evidence (the largest robust z-score of :data:`EVIDENCE_SIGNALS` in the window)
#: below the first value gives action no credit, above the second full credit:
#: a reaction must stand out of its rolling baseline to vouch for the action.
AGREEMENT_Z = (2.0, 4.0)

# Consistency constant: MAD * 1.4826 estimates the standard deviation of a normal.
_MAD_TO_SIGMA = 1.4826
# Mean absolute deviation * sqrt(pi/2) estimates sigma; used where the MAD is 0
# (sparse signals such as chat on a quiet stream).
_MEANAD_TO_SIGMA = 1.2533
# At most this many points per baseline window enter the median (strided subsample).
_BASELINE_POINTS = 256


@dataclass(frozen=True, slots=True)
class Fusion:
    """The fused score and what each signal contributed to it.

    Attributes
    ----------
    score : Timeline
        The fused, smoothed score (``name="score"``).
    components : dict of str to Timeline
        Each signal's weighted, clipped z-score (NaN -> 0); ``score`` is the moving
        average of their sum over ``smooth_s``.
    weights : dict of str to float
        The weight used for each signal (0 for the ones left out).
    evidence : Timeline or None
        Reaction evidence near each hop: the largest z-score of the evidence signals
        (:data:`EVIDENCE_SIGNALS`) within :data:`AGREEMENT_WINDOW_S`.  None when there
        is none to read, or no reaction anywhere stands out (then it cannot tell
        moments apart).  Selection asks a clip's peak for some of it.
    """

    score: Timeline
    components: dict[str, Timeline]
    weights: dict[str, float]
    evidence: Timeline | None = None


def _rolling_location_scale(
    v: NDArray[np.floating[Any]], window: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Rolling median and robust sigma of ``v`` over ``window`` samples, per block.

    Medians are computed at anchors every ``window // 2`` samples on a strided
    subsample of at most ``_BASELINE_POINTS`` points per window, then linearly
    interpolated to the centres of blocks of ``window // 32`` samples; the baseline
    is constant within a block.  The cost is O(n) with a small constant.

    Returns
    -------
    loc, sig : ndarray of float64, shape (ceil(n / block),)
        Median and robust sigma of each block.
    block : int
        Block length in samples.
    """
    n = v.shape[0]
    window = max(1, min(window, n))
    step = max(1, window // _BASELINE_POINTS)
    stride = max(1, window // 2)
    block = max(1, window // 32)
    anchors = np.arange(0, n, stride, dtype=np.int64)
    if anchors[-1] != n - 1:
        anchors = np.append(anchors, n - 1)
    offsets = np.arange(0, window, step, dtype=np.int64)
    # Each anchor's window is centred on it, shifted inwards at the edges so that it
    # always holds ``window`` samples.
    first = np.clip(anchors - window // 2, 0, n - window)
    samples = v[first[:, None] + offsets[None, :]].astype(np.float64)
    # np.median is several times faster than np.nanmedian; use it when possible.
    median = np.median if not np.isnan(samples).any() else np.nanmedian
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = median(samples, axis=1)
        dev = np.abs(samples - med[:, None])
        mad = _MAD_TO_SIGMA * median(dev, axis=1)
        meanad = _MEANAD_TO_SIGMA * np.nanmean(dev, axis=1)
    scale = np.where(mad > 0, mad, meanad)
    # Windows that saw no valid sample borrow the global figures.
    if np.isnan(med).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gmed = float(np.nanmedian(samples)) if np.isfinite(samples).any() else 0.0
        med = np.where(np.isnan(med), gmed, med)
        scale = np.where(np.isnan(scale), 0.0, scale)
    centers = np.arange(0, n, block, dtype=np.float64) + (block - 1) / 2
    return np.interp(centers, anchors, med), np.interp(centers, anchors, scale), block


def _zscore(
    v: NDArray[np.float32], window: int, lo: float, hi: float, *, min_scale: float = 0.0,
) -> NDArray[np.float32] | None:
    """Clipped robust z-score of ``v`` (see :func:`robust_normalize`); None if flat.

    ``min_scale`` floors the rolling scale (signals on a fixed scale, see
    :data:`FIXED_SCALES`); a flat signal then gives z = 0 rather than None.
    """
    n = v.shape[0]
    loc, sig, block = _rolling_location_scale(v, window)
    # Floor the scale so near-constant stretches do not explode: a fraction of the
    # signal's overall scale, estimated on a strided subsample.
    sub = v[:: max(1, n // 16384)].astype(np.float64)
    sub = sub[np.isfinite(sub)]
    dev = np.abs(sub - np.median(sub))
    gscale = float(np.median(dev)) * _MAD_TO_SIGMA
    if gscale == 0.0:
        gscale = float(np.mean(dev)) * _MEANAD_TO_SIGMA
    if gscale == 0.0 and min_scale <= 0:
        return None
    inv = (1.0 / np.maximum(sig, max(0.25 * gscale, min_scale, 1e-9))).astype(np.float32)
    nb = loc.shape[0]
    z = np.empty(nb * block, dtype=np.float32)
    z[:n] = v
    z[n:] = 0.0
    zb = z.reshape(nb, block)
    zb -= loc.astype(np.float32)[:, None]
    zb *= inv[:, None]
    np.clip(z, lo, hi, out=z)
    return z[:n]


def robust_normalize(
    timeline: Timeline,
    *,
    baseline_s: float | None = 600.0,
    clip: tuple[float, float] = (-2.0, 8.0),
) -> Timeline:
    """Robust z-score of a signal against its rolling baseline.

    ``z = (x - median) / sigma`` where ``median`` and ``sigma`` (1.4826 x MAD, or
    1.2533 x mean absolute deviation where the MAD is 0) are taken over a window of
    ``baseline_s`` seconds centred on each point.  A signal with no spread anywhere
    (a static image, digital silence) gets ``z = 0``.

    Parameters
    ----------
    timeline : Timeline
        The raw signal.
    baseline_s : float or None, default 600.0
        Length of the rolling baseline window in seconds; ``None`` uses one global
        median and scale for the whole timeline.
    clip : (float, float), default (-2.0, 8.0)
        Bounds applied to the z-score, so one extreme signal cannot drown the rest
        and quiet stretches are only mildly penalised.

    Returns
    -------
    Timeline
        Same grid and name; NaN stays NaN.

    Examples
    --------
    >>> import numpy as np
    >>> tl = Timeline(values=np.r_[np.zeros(50), 10.0, np.zeros(49)] + np.arange(100) % 2,
    ...               hop_s=1.0)
    >>> z = robust_normalize(tl, baseline_s=None)
    >>> int(np.argmax(z.values))
    50
    """
    lo, hi = _check_clip(clip, "robust_normalize")
    v = timeline.values.astype(np.float32, copy=False)
    n = v.shape[0]
    if n == 0 or not np.isfinite(v).any():
        return timeline
    z = _zscore(v, _window(baseline_s, timeline.hop_s, n, "robust_normalize"), lo, hi)
    if z is None:
        return timeline.with_values(np.where(np.isnan(v), np.nan, 0.0))
    return timeline.with_values(z)


def _check_clip(clip: tuple[float, float], caller: str) -> tuple[float, float]:
    lo, hi = float(clip[0]), float(clip[1])
    if not lo < hi:
        raise fail("clip", caller, "a pair (low, high) with low < high", clip)
    return lo, hi


def _window(baseline_s: float | None, hop_s: float, n: int, caller: str) -> int:
    if baseline_s is None:
        return n
    return max(1, int(round(check_positive("baseline_s", caller, baseline_s) / hop_s)))


def fuse_detail(
    timelines: Mapping[str, Timeline],
    *,
    weights: Mapping[str, float] | None = None,
    baseline_s: float | None = 600.0,
    smooth_s: float = 3.0,
    clip: tuple[float, float] = (-2.0, 8.0),
    agreement: bool = True,
    chat_time_base: str = "live",
) -> Fusion:
    """Fuse aligned signals into a score, keeping each signal's contribution.

    Parameters
    ----------
    timelines : mapping of str to Timeline
        Signals on one common grid (see :func:`highlights.align`).
    weights : mapping of str to float, optional
        Overrides merged over :data:`DEFAULT_WEIGHTS`; a signal named in neither gets
        weight 0.  A weight for a signal that is not present is ignored with a
        :class:`~highlights.SignalMissingWarning`.
    baseline_s : float or None, default 600.0
        Rolling-baseline window of :func:`robust_normalize`, seconds.
    smooth_s : float, default 3.0
        Width of the moving average applied to each normalised signal, seconds.
    clip : (float, float), default (-2.0, 8.0)
        z-score bounds (see :func:`robust_normalize`).
    agreement : bool, default True
        Cross-modal agreement: the positive part of every *action* signal
        (:data:`ACTION_SIGNALS`: picture changes, motion, game sound) is scaled by the
        *reaction* evidence near it: ``g = clip((R - z0) / (z1 - z0), 0, 1)`` with
        ``(z0, z1) =`` :data:`AGREEMENT_Z` and ``R`` the largest robust z-score of the
        voiced loudness bursts and the chat onset (:data:`EVIDENCE_SIGNALS`) within
        :data:`AGREEMENT_WINDOW_S` of the hop.  Action nobody reacts to then ranks
        below a moment people reacted to.  The chat's levels (:data:`GATED_SIGNALS`)
        are gated the same way.  Without a weighted evidence signal, or when no
        reaction anywhere reaches ``z1``, the gate is open (``g = 1``).
    chat_time_base : {"live", "video"}, default "live"
        ``"video"``: the chat is video danmaku; :data:`VIDEO_TIME_CHAT_WEIGHTS` replace
        the default chat weights (``weights`` still override them) and the chat's
        levels are not gated.

    Returns
    -------
    Fusion
        ``score`` = smoothed sum of ``components``.  A hop a signal does not cover
        (NaN) takes that signal's lower clip value, so uncovered time never outscores
        the same time covered.

    Raises
    ------
    TimelineMismatchError
        If the timelines are not on one grid.
    InvalidParameterError
        If a weight is negative or not finite.
    """
    smooth = check_nonneg("smooth_s", "fuse", smooth_s)
    items = dict(timelines)
    user = dict(weights or {})
    for key, w in user.items():
        check_nonneg(f"weights[{key!r}]", "fuse", w)
    missing = [k for k, w in user.items() if k not in items and float(w) > 0]
    if missing:
        warnings.warn(
            f"weights were given for signals that are not present: {', '.join(missing)}; "
            "they get weight 0.",
            SignalMissingWarning,
            stacklevel=2,
        )
    check_choice("chat_time_base", "fuse", chat_time_base, ("live", "video"))
    video_time = chat_time_base == "video"
    defaults = {**DEFAULT_WEIGHTS, **VIDEO_TIME_CHAT_WEIGHTS} if video_time else DEFAULT_WEIGHTS
    merged = {**defaults, **{k: float(w) for k, w in user.items()}}
    first = common_grid(items, "fuse")
    lo, hi = _check_clip(clip, "fuse")
    width = max(1, int(round(smooth / first.hop_s)))
    window = _window(baseline_s, first.hop_s, first.n, "fuse")
    total = np.zeros(first.n, dtype=np.float64)
    components: dict[str, Timeline] = {}
    used: dict[str, float] = {}
    for key, tl in items.items():
        w = float(merged.get(key, 0.0))
        used[key] = w
        if w == 0.0 or first.n == 0:
            continue
        v = tl.values.astype(np.float32, copy=False)
        z = _zscore(v, window, lo, hi, min_scale=FIXED_SCALES.get(key, 0.0)) if (
            np.isfinite(v).any()) else None
        if z is None:  # no information: contributes nothing
            comp = np.zeros(first.n, dtype=np.float32)
        else:
            # A hop the signal does not cover (past the end of the video, the chat's
            # last lag seconds, a decode gap) counts as the signal's lowest value, so
            # missing data never lifts a hop above what it would score if covered.
            comp = z
            np.copyto(comp, np.float32(lo), where=np.isnan(comp))
            comp *= w
        components[key] = Timeline._trusted(comp, tl.hop_s, tl.start_s, key)
        total += comp
    near = _evidence(components, used, first.hop_s) if first.n else None
    if agreement and near is not None:
        gate = _agreement_gate(near)
        gated = ACTION_SIGNALS if video_time else GATED_SIGNALS
        for key in (gated & components.keys()):
            comp = components[key].values
            scaled = np.where(comp > 0, comp * gate, comp).astype(np.float32)
            total += scaled - comp
            components[key] = components[key].with_values(scaled)
    # Smoothing is linear, so smoothing the sum once equals summing smoothed signals.
    total = moving_average(total, width)
    score = Timeline._trusted(total.astype(np.float32), first.hop_s, first.start_s, "score")
    evidence = None if near is None else Timeline._trusted(
        near.astype(np.float32), first.hop_s, first.start_s, "evidence")
    return Fusion(score=score, components=components, weights=used, evidence=evidence)


def _evidence(components: Mapping[str, Timeline], weights: Mapping[str, float],
              hop_s: float) -> NDArray[np.float64] | None:
    """Largest evidence z-score near each hop (see :attr:`Fusion.evidence`)."""
    zs = [components[k].values / weights[k] for k in EVIDENCE_SIGNALS
          if k in components and weights.get(k, 0.0) > 0]
    if not zs:
        return None
    evidence = np.max(np.stack(zs), axis=0)
    if not np.nanmax(evidence, initial=-np.inf) >= AGREEMENT_Z[1]:
        return None  # no reaction stands out anywhere: nothing to tell action apart by
    lo = int(np.floor(AGREEMENT_WINDOW_S[0] / hop_s))
    hi = int(np.ceil(AGREEMENT_WINDOW_S[1] / hop_s))
    return window_max(evidence, lo=lo, hi=hi)


def _agreement_gate(near: NDArray[np.float64]) -> NDArray[np.float32]:
    """Per-hop credit (0..1) for action signals from the evidence near them."""
    z0, z1 = AGREEMENT_Z
    gate: NDArray[np.float32] = np.clip((near - z0) / (z1 - z0), 0.0, 1.0).astype(np.float32)
    return gate


def fuse(
    timelines: Mapping[str, Timeline],
    *,
    weights: Mapping[str, float] | None = None,
    baseline_s: float | None = 600.0,
    smooth_s: float = 3.0,
    clip: tuple[float, float] = (-2.0, 8.0),
) -> Timeline:
    """Fuse aligned signals into one score timeline.

    Same parameters as :func:`fuse_detail`; returns only the score.

    Examples
    --------
    >>> import numpy as np
    >>> a = Timeline(values=np.r_[np.zeros(20), 5, 5, np.zeros(18)] + np.arange(40) % 3,
    ...              hop_s=1.0, name="audio_rms_db")
    >>> s = fuse({"audio_rms_db": a}, smooth_s=0.0, baseline_s=None)
    >>> int(np.argmax(s.values)) in (20, 21)
    True
    """
    return fuse_detail(
        timelines, weights=weights, baseline_s=baseline_s, smooth_s=smooth_s, clip=clip
    ).score
