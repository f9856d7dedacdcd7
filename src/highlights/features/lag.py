"""Chat lag: how many seconds the audience's reaction trails the action on stream.

Viewers react after the moment: stream delay plus reading and typing time, often
5-15 s and sometimes 30 s or more.  Open tools hard-code a lag (7 s, 45 s) or ask for a
manual roll-back.  :func:`estimate_chat_lag` measures it per stream instead.

**The lag is the chat's onset after the action's onset.**  The chat side is the chat
onset: the Poisson surprise of *fresh voices* (viewers who had not written for a
minute, campaigns and spam left out; see :func:`highlights.features.derived.chat_surprise`),
a pulse at the start of each reaction, pooled over the whole stream -- so a sparse
chat of a few messages a minute still contributes every reaction.  The media side
is the onset of the streamer's own reaction: the rise of voiced loudness bursts
(``audio_react``), which starts with the action; without a voice track, the rise of
picture change and motion.  Their cross-correlation over lags ``0..max_lag_s`` (FFT,
all lags at once) peaks at the lag; its height against a permutation null (the same
correlation with chat and media from unrelated parts of the stream) is the
confidence.

:func:`shift_chat` then *shrinks* the estimate toward a prior lag
(:data:`PRIOR_LAG_S`) in proportion to its lack of confidence, instead of replacing
an uncertain estimate by a fixed default, and gives lag 0 to chat whose times are
already video times (:attr:`highlights.ChatEvents.time_base` ``"video"``: Bilibili
video danmaku, NicoNico).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from .._validate import check_nonneg, check_positive, fail
from .._window import moving_average
from ..timeline import Timeline

__all__ = ["estimate_chat_lag", "lag_curve", "lag_lead_s", "shift_chat", "PRIOR_LAG_S",
           "PRIOR_LAG_SIGMA", "DEFAULT_CHAT_LAG_S",
           "MAX_CHAT_LAG_S", "MIN_LAG_CONFIDENCE", "TIME_BASES", "LAG_METHODS"]

log = logging.getLogger(__name__)

#: Rolling-mean window (seconds) removed from every signal before correlating.
BASELINE_S = 60.0
#: Chat is smoothed over this long (seconds) before its first difference.
CHAT_SMOOTH_S = 2.0
# Confidence maps the peak's z-score against the permutation null linearly from
# _Z_NONE (confidence 0) to _Z_SURE (confidence 1).  Calibrated on the hard suite's
# training seeds 5000-5069 (benchmarks/hardsuite.py), against a null of chat paired
# with the media of *another* stream (3540 pairings): z >= 2.5 is reached by 5 % of
# unrelated pairings and 93 % of true ones, z >= 1.5 by 14 % and 97 %.  The earlier
# 2 -> 4 left a true, well-placed peak (z 2-4, a quarter of the streams) shrunk
# half-way to the prior: a lag supported by neither (4 of 60 streams off by > 3 s).
_Z_NONE = 1.5
_Z_SURE = 2.5
# Chat onsets above this z count as this much (one huge burst must not decide alone).
_ONSET_CAP = 10.0
# Media onsets are smoothed over this long (seconds) before their first difference.
_MEDIA_SMOOTH_S = 1.5


def _standardize(x: NDArray[np.float64]) -> NDArray[np.float64] | None:
    x = x - x.mean()
    sd = float(x.std())
    if not np.isfinite(sd) or sd <= 1e-12:
        return None
    out: NDArray[np.float64] = x / sd
    return out


def _filled(tl: Timeline, hop_s: float, start_s: float, n: int) -> NDArray[np.float64]:
    """Values on the target grid, NaN (not covered) replaced by the median."""
    v = tl.on_grid(hop_s=hop_s, start_s=start_s, n=n, how="mean").values.astype(np.float64)
    bad = ~np.isfinite(v)
    if bad.all():
        return np.zeros(n)
    if bad.any():
        v[bad] = float(np.median(v[~bad]))
    return v


def _chat_onsets(values: NDArray[np.float64], hop_s: float, *, is_onset: bool
                 ) -> NDArray[np.float64] | None:
    if is_onset:  # already an onset (chat_onset: a Poisson z-score)
        return _standardize(np.clip(values, 0.0, _ONSET_CAP))
    x = np.log1p(np.maximum(values, 0.0))  # bursts matter relative to the audience size
    x = moving_average(x, max(int(round(CHAT_SMOOTH_S / hop_s)), 1))
    x = x - moving_average(x, max(int(round(BASELINE_S / hop_s)), 1))
    d = np.diff(x, prepend=x[:1])
    return _standardize(np.maximum(d, 0.0))


def _media_activity(values: NDArray[np.float64], hop_s: float) -> NDArray[np.float64] | None:
    """Onsets of a media signal: the rise of its smoothed, de-trended level."""
    x = values - moving_average(values, max(int(round(BASELINE_S / hop_s)), 1))
    x = moving_average(np.maximum(x, 0.0), max(int(round(_MEDIA_SMOOTH_S / hop_s)), 1))
    return _standardize(np.maximum(np.diff(x, prepend=x[:1]), 0.0))


def _xcorr(a: NDArray[np.float64], b: NDArray[np.float64], max_lag: int) -> NDArray[np.float64]:
    """``c[k] = mean_t a[t] * b[t + k]`` for ``k = 0..max_lag`` (FFT, overlap-normalised)."""
    n = a.shape[0]
    nfft = 1 << int(np.ceil(np.log2(max(n + max_lag, 2))))
    fa = np.fft.rfft(a, nfft)
    fb = np.fft.rfft(b, nfft)
    full = np.fft.irfft(np.conj(fa) * fb, nfft)[: max_lag + 1]
    overlap = np.maximum(n - np.arange(max_lag + 1), 1)
    out: NDArray[np.float64] = full / overlap
    return out


def _circular_xcorr(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """``c[k] = mean_t a[t] * b[(t + k) mod n]`` for every ``k`` (one FFT)."""
    n = a.shape[0]
    out: NDArray[np.float64] = np.fft.irfft(np.conj(np.fft.rfft(a)) * np.fft.rfft(b), n) / n
    return out


def _prepared(
    chat: Timeline, media: Sequence[Timeline] | Timeline, caller: str
) -> tuple[NDArray[np.float64] | None, list[NDArray[np.float64]]]:
    if not isinstance(chat, Timeline):
        raise fail("chat", caller, "a Timeline", type(chat).__name__)
    tls = [media] if isinstance(media, Timeline) else list(media)
    if not tls or not all(isinstance(m, Timeline) for m in tls):
        raise fail("media", caller, "a Timeline or a non-empty sequence of Timelines", media)
    hop, start, n = chat.hop_s, chat.start_s, chat.n
    if n < 4:
        return None, []
    c = _chat_onsets(_filled(chat, hop, start, n), hop, is_onset=chat.name == "chat_onset")
    acts = [_media_activity(_filled(m, hop, start, n), hop) for m in tls]
    return c, [a for a in acts if a is not None]


def lag_curve(
    chat: Timeline,
    media: Sequence[Timeline] | Timeline,
    *,
    max_lag_s: float = 60.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Correlation of chat onsets with media activity for every lag ``0..max_lag_s``.

    Parameters
    ----------
    chat : Timeline
        Chat activity (e.g. ``chat_rate``), the grid everything is put on.
    media : Timeline or sequence of Timeline
        Audio/video activity (``audio_rms_db``, ``motion``, ``scene`` ...); each is
        re-gridded onto ``chat``'s grid, de-trended and standardised, and the
        per-signal curves are averaged.
    max_lag_s : float, default 60.0
        Largest lag tried, in seconds.

    Returns
    -------
    lags_s : ndarray of float64, shape (k,)
        Lags in seconds, ``0, hop_s, 2 hop_s, ...``.
    corr : ndarray of float64, shape (k,)
        Mean correlation at each lag (about -1..1; all zeros when no signal varies).
    """
    caller = "lag_curve"
    max_lag = check_positive("max_lag_s", caller, max_lag_s)
    c, acts = _prepared(chat, media, caller)
    k = min(int(np.floor(max_lag / chat.hop_s + 1e-9)), max(chat.n - 1, 0))
    lags = np.arange(k + 1, dtype=np.float64) * chat.hop_s
    corr = np.zeros(k + 1)
    if c is None or not acts:
        return lags, corr
    for a in acts:
        corr += _xcorr(a, c, k)
    corr /= len(acts)
    return lags, corr


#: Fewer permutation-null windows than this: use the within-range null instead.
_MIN_NULL = 8
#: The within-range null is optimistic (neighbouring lags are correlated), so it
#: needs a higher z before any confidence is given, and a higher one for full.
_Z_NONE_SHORT = 4.0
_Z_SURE_SHORT = 7.0


def _null_peaks(
    c: NDArray[np.float64], acts: list[NDArray[np.float64]], k: int
) -> NDArray[np.float64]:
    """Best correlation in windows of ``k + 1`` lags where chat and media are unrelated.

    The circular cross-correlation at lags far from ``[-k, k]`` pairs media with
    chat from a different part of the stream, so its window maxima sample what the
    peak would look like with no true lag (a permutation null, from one FFT).
    """
    n = c.shape[0]
    circ = np.zeros(n)
    for a in acts:
        circ += _circular_xcorr(a, c)
    circ /= len(acts)
    lo, hi = 2 * (k + 1), n - 2 * (k + 1)  # skip lags near 0 (either sign)
    w = k + 1
    m = (hi - lo) // w
    if m < 1:
        return np.zeros(0)
    out: NDArray[np.float64] = circ[lo: lo + m * w].reshape(m, w).max(axis=1)
    return out


def estimate_chat_lag(
    chat: Timeline,
    media: Sequence[Timeline] | Timeline,
    *,
    max_lag_s: float = 60.0,
    min_lag_s: float = 0.0,
) -> tuple[float, float]:
    """Estimate how many seconds chat reactions trail the audio/video action.

    Parameters
    ----------
    chat : Timeline
        The chat's onsets, ``chat_onset`` (see
        :func:`highlights.features.derived.chat_surprise`; used as they are), or any
        chat activity such as ``chat_rate`` (messages per second; its rise is taken).
    media : Timeline or sequence of Timeline
        Media activity timelines (loudness, motion, scene change ...).
    max_lag_s : float, default 60.0
        Largest plausible lag, in seconds.
    min_lag_s : float, default 0.0
        Smallest plausible lag, in seconds (< ``max_lag_s``).

    Returns
    -------
    lag_s : float
        Estimated lag in seconds (sub-hop precision by parabolic interpolation);
        ``min_lag_s`` when there is nothing to correlate.
    confidence : float
        0..1 from the z-score of the peak correlation against a permutation null:
        the best correlations found when chat is paired with media from other parts
        of the stream (circular lags far from 0, one FFT).  z <= 1.5 → 0, z >= 2.5
        → 1 (reached by 5 % of chat/media pairings from unrelated streams).  Below
        ~0.25, prefer a default lag.

    Raises
    ------
    InvalidParameterError
        On bad parameters.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n, lag = 7200, 24                      # 1 h at 0.5 s, chat 12 s late
    >>> act = np.zeros(n); act[rng.integers(100, n - 200, 12)] = 1.0
    >>> act = np.convolve(act, np.hanning(9), "same")
    >>> rate = 1 + 8 * np.convolve(np.roll(act, lag), np.exp(-np.arange(40) / 10))[:n]
    >>> chat = Timeline(rng.poisson(rate * 0.5) / 0.5, hop_s=0.5)
    >>> lag_s, conf = estimate_chat_lag(chat, Timeline(act + rng.normal(0, .05, n), hop_s=0.5))
    >>> abs(lag_s - 12.0) <= 2.0, conf > 0.5
    (True, True)
    """
    caller = "estimate_chat_lag"
    max_lag = check_positive("max_lag_s", caller, max_lag_s)
    min_lag = check_nonneg("min_lag_s", caller, min_lag_s)
    if min_lag >= max_lag:
        raise fail("min_lag_s", caller, f"smaller than max_lag_s={max_lag}", min_lag_s)
    c, acts = _prepared(chat, media, caller)
    hop = chat.hop_s
    k = min(int(np.floor(max_lag / hop + 1e-9)), max(chat.n - 1, 0))
    if c is None or not acts or k < 2:
        return float(min_lag), 0.0
    lags = np.arange(k + 1, dtype=np.float64) * hop
    corr = np.zeros(k + 1)
    for a in acts:
        corr += _xcorr(a, c, k)
    corr /= len(acts)
    idx = np.flatnonzero(lags >= min_lag - 1e-9)
    if idx.size < 1:
        return float(min_lag), 0.0
    best = int(idx[np.argmax(corr[idx])])
    peak = float(corr[best])
    lag = float(lags[best])
    if 0 < best < k:  # parabolic sub-hop refinement
        y0, y1, y2 = corr[best - 1], corr[best], corr[best + 1]
        den = y0 - 2 * y1 + y2
        if den < 0:
            lag += float(np.clip(0.5 * (y0 - y2) / den, -0.5, 0.5)) * hop
    lag = float(np.clip(lag, min_lag, max_lag))
    null = _null_peaks(c, acts, k)
    if null.size < _MIN_NULL:
        # Too short a stream for a permutation null (it needs about 4 x max_lag_s of
        # media per window): judge how far the peak stands out of the correlation at
        # the other lags instead (robust z against lags > 3 s from the peak).
        far = np.abs(lags - lags[best]) > 3.0
        if far.sum() < 8:
            return lag, 0.0
        rest = corr[far]
        med = float(np.median(rest))
        mad = 1.4826 * float(np.median(np.abs(rest - med)))
        z = (peak - med) / max(mad, 1e-12)
        return lag, float(np.clip((z - _Z_NONE_SHORT) / (_Z_SURE_SHORT - _Z_NONE_SHORT), 0.0, 1.0))
    if null.size < 3 or peak <= 0:
        return lag, 0.0
    mu = float(null.mean())
    sd = max(float(null.std()), 1e-12)
    z = (peak - mu) / sd
    conf = float(np.clip((z - _Z_NONE) / (_Z_SURE - _Z_NONE), 0.0, 1.0))
    return lag, conf


#: The lag expected before any evidence, seconds: chat "almost always" reacts within
#: the previous five to fifteen seconds (a figure streamers and clip editors quote),
#: and tools that read chat with a look-ahead use about 7 s.  An uncertain estimate
#: is shrunk toward it.
PRIOR_LAG_S = 8.0
#: Log-spread of the lag's prior around :data:`PRIOR_LAG_S` (log-normal; 80 % of it
#: between about 3.7 and 17 s, 95 % between 2.5 and 26 s).
PRIOR_LAG_SIGMA = 0.6
#: Former name of :data:`PRIOR_LAG_S` (the lag used without any estimate).
DEFAULT_CHAT_LAG_S = PRIOR_LAG_S
#: Largest chat lag searched for, seconds.
MAX_CHAT_LAG_S = 60.0
#: Below this confidence the estimate has no weight at all (the prior is used).
MIN_LAG_CONFIDENCE = 0.0
#: Media signals the lag is measured against, best first: the streamer's voiced
#: reactions; without them, the picture; at last loudness.
_LAG_CUES: tuple[tuple[str, ...], ...] = (
    ("audio_react",), ("motion", "scene"), ("audio_rms_db",),
)
#: Chat time bases (see :attr:`highlights.ChatEvents.time_base`).
TIME_BASES = ("auto", "live", "video")
#: The ways a chat lag is found (``result.chat_lag_method``).
LAG_METHODS = ("given", "video", "estimated", "shrunk", "prior")


def shift_chat(
    chat_tls: Mapping[str, Timeline],
    media_tls: Mapping[str, Timeline],
    *,
    chat_lag_s: float | None,
    hop_s: float,
    start_s: float,
    n: int,
    notes: list[str],
    time_base: str = "live",
) -> tuple[dict[str, Timeline], float, float | None, str]:
    """Move chat timelines back by the chat lag, onto the grid ``start_s + i * hop_s``.

    Parameters
    ----------
    chat_tls : mapping of str to Timeline
        Chat signals (``chat_onset``, or ``chat_rate``, for the lag to be estimated).
    media_tls : mapping of str to Timeline
        Audio/video signals to estimate the lag against.
    chat_lag_s : float or None
        The lag to apply; None estimates it.
    hop_s, start_s, n
        The output grid.
    notes : list of str
        Data-quality notes are appended here.
    time_base : {"live", "video"}, default "live"
        ``"video"``: chat times are positions in the video (VOD danmaku), lag 0.

    Returns
    -------
    shifted : dict of str to Timeline
    lag_s : float
        Seconds the chat's onset trails the action's onset.
    confidence : float or None
        Confidence of the estimate in [0, 1] (None when given or video time).
    method : {"given", "video", "estimated", "shrunk", "prior"}
        The caller's lag; 0 for video-time chat; the estimate (confidence 1); the
        estimate shrunk toward :data:`PRIOR_LAG_S` by its lack of confidence; or the
        prior alone (nothing to estimate from, or confidence 0).
    """
    lag, conf, method = _chat_lag(chat_tls, media_tls, chat_lag_s, notes, time_base)
    shifted = {k: tl.shift(-lag).on_grid(hop_s=hop_s, start_s=start_s, n=n, how="mean")
               for k, tl in chat_tls.items()}
    return shifted, lag, conf, method


def _chat_lag(
    chat_tls: Mapping[str, Timeline],
    media_tls: Mapping[str, Timeline],
    given: float | None,
    notes: list[str],
    time_base: str,
) -> tuple[float, float | None, str]:
    """Pick the chat lag and say how it was found (see :func:`shift_chat`)."""
    if given is not None:
        return check_nonneg("chat_lag_s", "find_highlights", given), None, "given"
    if time_base == "video":
        return 0.0, None, "video"
    chat = chat_tls.get("chat_onset", chat_tls.get("chat_rate"))
    cues: list[Timeline] = []
    for group in _LAG_CUES:
        cues = [media_tls[k] for k in group if k in media_tls
                and np.nanstd(media_tls[k].values) > 0]
        if cues:
            break
    if chat is None or not cues:
        log.info("Nothing to measure the chat lag against; using the prior %s s.", PRIOR_LAG_S)
        return PRIOR_LAG_S, None, "prior"
    # Lags beyond a quarter of the stream cannot be told from chance: cap the search.
    max_lag = float(np.clip(chat.duration_s / 4, 10.0, MAX_CHAT_LAG_S))
    est, conf = estimate_chat_lag(chat, cues, max_lag_s=max_lag)
    if conf >= 1.0:
        return float(est), 1.0, "estimated"
    lag = conf * est + (1.0 - conf) * PRIOR_LAG_S
    if conf <= MIN_LAG_CONFIDENCE:
        notes.append(f"The chat lag could not be measured (the estimate {est:.1f} s has no "
                     f"confidence); using the prior {PRIOR_LAG_S:g} s.")
        log.info(notes[-1])
        return PRIOR_LAG_S, float(conf), "prior"
    notes.append(f"Chat lag estimate {est:.1f} s has confidence {conf:.2f}; shrunk toward "
                 f"the prior {PRIOR_LAG_S:g} s: {lag:.1f} s.")
    log.info(notes[-1])
    return float(lag), float(conf), "shrunk"


def lag_lead_s(method: str | None, confidence: float | None) -> float:
    """Extra lead-in (seconds) a clip needs when the chat lag was not measured.

    Chat is moved back by the prior lag (:data:`PRIOR_LAG_S`, the median) when there
    is nothing to measure it against (chat only) or no confidence; the action may then
    lie up to the prior's 90th percentile before the reaction
    (``PRIOR_LAG_S * exp(1.2816 * PRIOR_LAG_SIGMA)``, about 17 s).  A clip's start
    moves earlier by that difference times the lack of confidence, so it still holds
    the action.  A given, video-time or confidently measured lag needs none.

    Parameters
    ----------
    method : str or None
        ``result.chat_lag_method`` (:data:`LAG_METHODS`); None without chat.
    confidence : float or None
        ``result.chat_lag_confidence`` (None: nothing was measured).

    Returns
    -------
    float
        Seconds to add to the clips' pre-roll (0 to about 9.3).

    Examples
    --------
    >>> round(lag_lead_s("prior", None), 1), lag_lead_s("estimated", 1.0)
    (9.3, 0.0)
    """
    if method not in ("prior", "shrunk"):
        return 0.0
    unsure = 1.0 if confidence is None else 1.0 - float(np.clip(confidence, 0.0, 1.0))
    q90 = PRIOR_LAG_S * float(np.exp(1.2815516 * PRIOR_LAG_SIGMA))
    return unsure * (q90 - PRIOR_LAG_S)
