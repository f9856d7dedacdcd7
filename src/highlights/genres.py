"""Genre presets of fusion weights, fitted on synthetic streams, and fitting your own.

:func:`weights_for_genre` returns weights for ``find_highlights(weights=...)`` tuned
for one kind of stream.  **They were fitted on synthetic data** (see
:func:`genre_stream`), not on real recordings: they encode the genres' typical
dynamics as the generators imitate them, and are a better start than the defaults
for such streams, not a measured optimum for yours.  To fit weights on your own
labelled recordings, call :func:`fit_weights` with their signals and reference spans.

Genres
------
``game``
    Gameplay: moments are loud (shouting, effects), fast (motion, flashes) and make
    chat spam emotes; distractors are camera switches, a loud music bed and a spam bot.
``talk``
    Just chatting: low motion, moments are laughter in the audio and in chat.
``shopping``
    Live commerce: moments are deals, where orders and gifts (``chat_value``) and
    questions ("link?", "size?") in chat surge, and a product pin (a scene change)
    appears; distractors are pins changed without a deal, the host's loud pitches that
    sell nothing, and single big gifts.

The game and talk streams come from :mod:`highlights.synth`; the shopping stream is
built here from a talk stream plus vectorised generators for orders, questions and
pins.  Chat signals are computed from the synthetic chat messages by
:func:`highlights.features.chat.chat_signals` (spam damping included), and aligned to
the action by the estimated chat lag, as :func:`highlights.analyze` does.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validate import check_choice, check_int, check_nonneg, check_positive, fail
from .errors import HighlightsError
from .fuse import DEFAULT_WEIGHTS, moving_average, robust_normalize
from .model import _grid_of, span_labels
from .timeline import Timeline

__all__ = [
    "GENRES",
    "GenreStream",
    "genre_stream",
    "align_chat",
    "fit_weights",
    "fit_genre_presets",
    "weights_for_genre",
    "FAMILIES",
]

log = logging.getLogger(__name__)

#: Genres with a weight preset.
GENRES = ("game", "talk", "shopping")
#: Signals the synthetic streams do not model take their default weight scaled like the
#: fitted weight of this representative (``fitted / default``).
FAMILIES: Mapping[str, str] = {
    "audio_onset": "audio_rms_db",
    "audio_excite": "audio_rms_db",
    "video_bytes": "motion",
}
_DATA_FILE = "genre_weights.json"
_PRESET_FORMAT = "highlights.genre_weights"

_QUESTIONS = (
    "link?", "how much?", "price??", "size M available?", "does it ship to EU?", "link pls",
    "what colour is that", "is it on sale", "restock when?", "added to cart", "ordered!",
    "how long is shipping", "is there a discount code", "in stock?", "can you show the back",
    "多少钱", "链接呢", "有优惠吗", "已下单", "还有货吗",
)
_HOST_NAMES = ("buyer", "shopper", "fan", "guest")

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class GenreStream:
    """A synthetic stream of one genre, as signals on one grid, with its truth.

    Attributes
    ----------
    genre : str
        One of :data:`GENRES`.
    seed : int
        Seed it was made from.
    timelines : dict of str to Timeline
        ``audio_rms_db``, ``scene``, ``motion`` and the chat signals of
        :func:`~highlights.features.chat.chat_signals`; chat is *not* aligned yet
        (it trails the action by ``chat_lag_s``; see :func:`align_chat`).
    chat_times_s : ndarray of float64
        Times of the chat messages (kinds ``message``), seconds (for chat-count
        baselines).
    spans : list of (float, float)
        Planted highlight spans ``(start_s, end_s)``.
    distractors : list of (str, float, float)
        ``(kind, start_s, end_s)`` of every distractor.
    chat_lag_s, duration_s : float
        True chat lag and stream length, seconds.
    """

    genre: str
    seed: int
    timelines: dict[str, Timeline]
    chat_times_s: F64
    spans: list[tuple[float, float]]
    distractors: list[tuple[str, float, float]]
    chat_lag_s: float
    duration_s: float


def _windows_mask(t: F64, starts: F64, ends: F64) -> NDArray[np.bool_]:
    """True where ``t`` lies in one of the sorted, disjoint ``[starts, ends)``."""
    if starts.size == 0:
        return np.zeros(t.shape, dtype=bool)
    order = np.argsort(starts)
    s, e = starts[order], ends[order]
    i = np.searchsorted(s, t, side="right") - 1
    return (i >= 0) & (t < e[np.clip(i, 0, None)])


def _paid_trickle(
    rng: np.random.Generator, duration_s: float, rate_hz: float, log_mean: float
) -> tuple[F64, F64]:
    """Background donations/orders: Poisson times, log-normal values."""
    n = int(rng.poisson(rate_hz * duration_s))
    return np.sort(rng.random(n) * duration_s), np.exp(rng.normal(log_mean, 0.8, n))


def _bump_db(audio_db: F64, env: F64, level_db: float) -> F64:
    """Add a sound of envelope ``env`` (0..1) at ``level_db`` to a dB loudness curve."""
    out: F64 = 10 * np.log10(10 ** (audio_db / 10) + 10 ** (level_db / 10) * env**2)
    return out


def _triangles(t: F64, centers: F64, half_s: F64) -> F64:
    """Max over events of triangular envelopes (vectorised over time per event)."""
    out = np.zeros_like(t)
    for c, h in zip(centers.tolist(), half_s.tolist()):
        lo, hi = np.searchsorted(t, [c - h, c + h])
        seg = t[lo:hi]
        np.maximum(out[lo:hi], 1.0 - np.abs(seg - c) / h, out=out[lo:hi])
    return out


def genre_stream(
    genre: str,
    *,
    seed: int = 0,
    duration_s: float = 3600.0,
    hop_s: float = 0.5,
    n_moments: int = 8,
    chat_lag_s: float = 6.0,
) -> GenreStream:
    """Synthetic signals of one stream of ``genre``, with its planted highlights.

    Parameters
    ----------
    genre : {"game", "talk", "shopping"}
        The kind of stream (see the module notes).
    seed : int, default 0
        Random seed; the same seed gives the same stream.
    duration_s : float, default 3600.0
        Stream length, seconds.
    hop_s : float, default 0.5
        Hop of every timeline, seconds.
    n_moments : int, default 8
        Planted highlights.
    chat_lag_s : float, default 6.0
        Seconds between a moment's peak and its chat reaction.

    Returns
    -------
    GenreStream
    """
    from .features.chat import chat_signals
    from .synth import make_chat_events, make_plan, make_signals
    from .types import ChatEvents

    caller = "genre_stream"
    check_choice("genre", caller, genre, GENRES)
    seed = check_int("seed", caller, seed)
    hop = check_positive("hop_s", caller, hop_s)
    base = "talk" if genre == "shopping" else genre
    kw: dict[str, Any] = {"duration_s": duration_s, "seed": seed, "n_moments": n_moments,
                          "chat_lag_s": chat_lag_s, "genre": base}
    plan = make_plan(**kw)
    media, _ = make_signals(hop_s=hop, **kw)
    events, _ = make_chat_events(**kw)
    dur = plan.duration_s
    n = media["audio_rms_db"].n
    t = (np.arange(n, dtype=np.float64) + 0.5) * hop
    rng = np.random.default_rng([seed, 7919, GENRES.index(genre)])
    spans = [(m.start_s, m.end_s) for m in plan.moments]
    distractors = [(d.kinds[-1], d.start_s, d.end_s) for d in plan.distractors]

    ev_t = events.time_s
    ev_text = events.text.copy()
    ev_author = events.author.copy()
    ev_kind = events.kind.copy()
    ev_value = events.value.copy()
    extra_t: list[F64] = []
    extra_v: list[F64] = []
    extra_kind: list[str] = []
    audio = media["audio_rms_db"].values.astype(np.float64)
    scene = media["scene"].values.astype(np.float64)
    motion = media["motion"].values.astype(np.float64)

    if genre in ("game", "talk"):
        # tips/bits arrive at random, unrelated to what happens on stream
        pt, pv = _paid_trickle(rng, dur, 0.004, math.log(5.0))
        extra_t.append(pt)
        extra_v.append(pv)
        extra_kind.append("paid")
    else:
        onsets = np.array([m.peak_s + plan.chat_lag_s for m in plan.moments])
        taus = np.array(plan.burst_tau_s, dtype=np.float64)
        # deal chat is questions and orders, not laughter: swap most burst texts
        burst = _windows_mask(ev_t, onsets, onsets + 1.0 + 4.0 * taus)
        swap = burst & (rng.random(ev_t.size) < 0.8)
        ev_text[swap] = np.asarray(_QUESTIONS, dtype=object)[
            rng.integers(0, len(_QUESTIONS), int(swap.sum()))]
        # orders surge after each deal (same lag as chat), decaying like the chat burst
        for onset, tau in zip(onsets.tolist(), taus.tolist()):
            k = int(rng.poisson(rng.uniform(12, 25)))
            ot = onset + rng.exponential(tau * 1.5, k)
            extra_t.append(ot)
            extra_v.append(np.exp(rng.normal(math.log(30.0), 0.6, k)))
            extra_kind.append("order")
        pt, pv = _paid_trickle(rng, dur, 0.03, math.log(25.0))  # steady background orders
        extra_t.append(pt)
        extra_v.append(pv)
        extra_kind.append("order")
        whale_n = 1 + int(dur // 900)  # single big gifts: a spike, not a highlight
        wt = np.sort(rng.uniform(10.0, dur - 10.0, whale_n))
        extra_t.append(wt)
        extra_v.append(rng.uniform(400.0, 1500.0, whale_n))
        extra_kind.append("gift")
        distractors += [("whale", float(x), float(x)) for x in wt]
        # a product pin appears at each deal; pins also change without a deal
        starts = np.array([m.start_s for m in plan.moments])
        pin_n = 2 + int(dur // 240)
        pins = np.sort(rng.uniform(5.0, dur - 5.0, pin_n))
        pin_t = np.concatenate([starts, pins])
        pin_hop = np.minimum((pin_t / hop).astype(np.intp), n - 1)
        scene[pin_hop] = np.maximum(scene[pin_hop], rng.uniform(0.45, 0.7, pin_t.size))
        motion[pin_hop] += 0.08
        distractors += [("pin", float(x), float(x)) for x in pins]
        # the host pitches loudly every few minutes, deal or not
        hype_n = 2 + int(dur // 400)
        hype_c = np.sort(rng.uniform(20.0, dur - 20.0, hype_n))
        hype_h = rng.uniform(2.0, 4.0, hype_n)
        audio = _bump_db(audio, _triangles(t, hype_c, hype_h), -12.0)
        distractors += [("hype", float(c - h), float(c + h)) for c, h in zip(hype_c, hype_h)]

    if extra_t:
        kinds = np.concatenate([np.full(a.size, k, dtype=object)
                                for a, k in zip(extra_t, extra_kind)])
        at = np.concatenate(extra_t)
        keep = (at >= 0) & (at < dur)
        names = np.asarray([f"{_HOST_NAMES[i % 4]}_{i}" for i in
                            rng.integers(0, 5000, int(keep.sum())).tolist()], dtype=object)
        events = ChatEvents.from_arrays(
            np.concatenate([ev_t, at[keep]]),
            author=np.concatenate([ev_author, names]),
            text=np.concatenate([ev_text, np.full(int(keep.sum()), "", dtype=object)]),
            kind=np.concatenate([ev_kind, kinds[keep]]),
            value=np.concatenate([ev_value, np.concatenate(extra_v)[keep]]),
            source="<synth>", fmt="synth",
        )
    chat = chat_signals(events, hop_s=hop, duration_s=dur)
    timelines = {
        "audio_rms_db": Timeline(values=audio, hop_s=hop, name="audio_rms_db"),
        "scene": Timeline(values=np.clip(scene, 0.0, 1.0), hop_s=hop, name="scene"),
        "motion": Timeline(values=np.clip(motion, 0.0, 1.0), hop_s=hop, name="motion"),
    }
    for key, tl in chat.items():
        timelines[key] = tl.on_grid(hop_s=hop, start_s=0.0, n=n, how="mean")
    msg = events.kind.astype(str) == "message"
    return GenreStream(
        genre=genre, seed=seed, timelines=timelines,
        chat_times_s=events.time_s[msg].copy(), spans=spans,
        distractors=sorted(distractors, key=lambda d: d[1]),
        chat_lag_s=plan.chat_lag_s, duration_s=dur,
    )


def align_chat(
    timelines: Mapping[str, Timeline], *, chat_lag_s: float | None = None
) -> tuple[dict[str, Timeline], float]:
    """Shift the ``chat_*`` signals back by the chat lag, as :func:`highlights.analyze` does.

    Parameters
    ----------
    timelines : mapping of str to Timeline
        Signals on one grid, chat trailing the action.
    chat_lag_s : float, optional
        The lag, seconds; by default it is estimated from ``chat_rate`` against the
        media signals, and 5 s is used when the estimate is not confident.

    Returns
    -------
    timelines : dict of str to Timeline
        Same grid, chat signals moved earlier by the lag (the end is NaN), plus the
        derived signals (``chat_onset``) as :func:`highlights.analyze` adds them.
    lag_s : float
        The lag applied.
    """
    from .api import shift_chat

    grid = _grid_of(timelines, "align_chat")
    chat = {k: tl for k, tl in timelines.items() if k.startswith("chat_")}
    media = {k: tl for k, tl in timelines.items() if k not in chat}
    shifted, lag, _, _ = shift_chat(chat, media, chat_lag_s=chat_lag_s, hop_s=grid.hop_s,
                                    start_s=grid.start_s, n=grid.n, notes=[])
    out = {**timelines, **shifted}
    from .features.derived import add_derived

    return add_derived(out), lag


def _smoothed_z(
    timelines: Mapping[str, Timeline], signals: Sequence[str], *, baseline_s: float | None,
    smooth_s: float, clip: tuple[float, float],
) -> F64:
    """Columns = each signal's clipped robust z-score, NaN -> 0, smoothed like fuse."""
    grid = _grid_of(timelines, "fit_weights")
    width = max(1, int(round(smooth_s / grid.hop_s)))
    x = np.zeros((grid.n, len(signals)))
    for k, s in enumerate(signals):
        if s in timelines and grid.n:
            z = robust_normalize(timelines[s], baseline_s=baseline_s, clip=clip).values
            x[:, k] = moving_average(np.nan_to_num(z, nan=0.0), width)
    return x


def fit_weights(
    timelines: Sequence[Mapping[str, Timeline]],
    spans: Sequence[ArrayLike | Timeline],
    *,
    signals: Sequence[str] | None = None,
    baseline_s: float | None = 600.0,
    smooth_s: float = 3.0,
    clip: tuple[float, float] = (-2.0, 8.0),
    l2: float = 1e-3,
) -> dict[str, float]:
    """Fit non-negative fusion weights on labelled recordings.

    The fused score of :func:`highlights.fuse.fuse_detail` is ``sum_k w_k s_k`` where
    ``s_k`` is signal ``k``'s smoothed, clipped robust z-score.  This fits ``w >= 0``
    (and an offset) by class-balanced logistic regression of per-hop labels (hop
    inside a reference span) on the ``s_k``, with a small L2 penalty, then scales
    the weights so the largest is 1.  The result plugs into
    ``find_highlights(weights=...)`` and :func:`highlights.fuse.fuse`.

    Parameters
    ----------
    timelines : sequence of mapping of str to Timeline
        One mapping of signals (one grid each) per recording, chat already aligned
        to the action (as :func:`highlights.analyze` returns it; see :func:`align_chat`).
    spans : sequence of (m, 2) array_like or Timeline
        Reference spans per recording (see :func:`highlights.model.span_labels`).
    signals : sequence of str, optional
        Signals to weigh (default: all in the first recording).
    baseline_s, smooth_s, clip
        As in :func:`highlights.fuse.fuse_detail`; use the values you fuse with.
    l2 : float, default 1e-3
        L2 penalty on the weights, per unit of total sample weight.

    Returns
    -------
    dict of str to float
        A weight in ``[0, 1]`` per signal (explicit 0 for the ones that do not help,
        so they override :data:`~highlights.DEFAULT_WEIGHTS`).

    Raises
    ------
    InvalidParameterError
        If the inputs are empty or mismatched, or the labels hold one class only.
    """
    from scipy.optimize import minimize

    caller = "fit_weights"
    recs, refs = list(timelines), list(spans)
    if not recs or len(recs) != len(refs):
        raise fail("spans", caller, f"one span list per recording ({len(recs)})", len(refs))
    names = list(signals) if signals is not None else sorted(recs[0])
    smooth = check_nonneg("smooth_s", caller, smooth_s)
    pen = check_nonneg("l2", caller, l2)
    xs, ys = [], []
    for tls, ref in zip(recs, refs, strict=True):
        grid = _grid_of(tls, caller)
        xs.append(_smoothed_z(tls, names, baseline_s=baseline_s, smooth_s=smooth, clip=clip))
        ys.append(span_labels(ref, n=grid.n, hop_s=grid.hop_s, start_s=grid.start_s))
    x = np.concatenate(xs)
    y = np.concatenate(ys).astype(bool)
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == y.size:
        raise fail("spans", caller, "spans covering some hops but not all", n_pos)
    sw = np.where(y, 0.5 / n_pos, 0.5 / (y.size - n_pos))  # balanced, sums to 1
    sign = np.where(y, 1.0, -1.0)
    k = len(names)

    def loss(theta: F64) -> tuple[float, F64]:
        w, b = theta[:k], theta[k]
        m = sign * (x @ w + b)
        # log(1 + exp(-m)) and its derivative, overflow-free
        val = float(np.sum(sw * np.logaddexp(0.0, -m))) + 0.5 * pen * float(w @ w)
        g = -sw * sign * 0.5 * (1.0 - np.tanh(0.5 * m))
        grad = np.empty(k + 1)
        grad[:k] = x.T @ g + pen * w
        grad[k] = g.sum()
        return val, grad

    res = minimize(loss, np.r_[np.full(k, 0.1), 0.0], jac=True, method="L-BFGS-B",
                   bounds=[(0.0, None)] * k + [(None, None)])
    w = np.maximum(res.x[:k], 0.0)
    top = float(w.max())
    if top <= 0:
        raise HighlightsError("fit_weights found no signal that predicts the spans.")
    return {s: round(float(v / top), 3) for s, v in zip(names, w, strict=True)}


def fit_genre_presets(
    *,
    seeds: Sequence[int] = tuple(range(1000, 1008)),
    duration_s: float = 3600.0,
    hop_s: float = 0.5,
) -> dict[str, Any]:
    """Fit the shipped genre presets (what ``genre_weights.json`` holds).

    For each genre, :func:`fit_weights` on :func:`genre_stream` streams of ``seeds``
    with chat aligned by :func:`align_chat`.  Signals the synthetic streams do not
    model get their default weight scaled by the ratio of their :data:`FAMILIES`
    representative.

    Returns
    -------
    dict
        ``{"format", "version", "note", "seeds", "duration_s", "hop_s",
        "genres": {genre: {"weights": {...}, "fitted": [...]}}}``.
    """
    genres: dict[str, Any] = {}
    for genre in GENRES:
        streams = [genre_stream(genre, seed=s, duration_s=duration_s, hop_s=hop_s)
                   for s in seeds]
        tls = [align_chat(st.timelines)[0] for st in streams]
        fitted = fit_weights(tls, [st.spans for st in streams])
        weights = dict(fitted)
        for sig, rep in FAMILIES.items():
            base = DEFAULT_WEIGHTS.get(rep, 0.0)
            ratio = fitted.get(rep, 0.0) / base if base else 0.0
            weights[sig] = round(DEFAULT_WEIGHTS[sig] * ratio, 3)
        genres[genre] = {"weights": weights, "fitted": sorted(fitted)}
        log.info("genre %s: %s", genre, weights)
    return {
        "format": _PRESET_FORMAT, "version": 1,
        "note": "Fitted on synthetic streams (highlights.genres.genre_stream), not on real "
                "recordings; regenerate with highlights.genres.fit_genre_presets().",
        "seeds": list(seeds), "duration_s": duration_s, "hop_s": hop_s, "genres": genres,
    }


def weights_for_genre(name: str) -> dict[str, float]:
    """Fusion weights preset for a genre, for ``find_highlights(weights=...)``.

    The presets were fitted on synthetic streams (see the module notes and
    :func:`fit_genre_presets`), not on real recordings.

    Parameters
    ----------
    name : {"game", "talk", "shopping"}
        The genre.

    Returns
    -------
    dict of str to float
        Weight per signal (a fresh dict).

    Raises
    ------
    InvalidParameterError
        For an unknown genre.
    HighlightsError
        If the packaged preset file is missing or damaged.

    Examples
    --------
    >>> w = weights_for_genre("shopping")
    >>> w["chat_value"] > 0
    True
    """
    check_choice("name", "weights_for_genre", name, GENRES)
    try:
        text = resources.files("highlights").joinpath("data").joinpath(_DATA_FILE).read_text(
            encoding="utf-8")
        doc = json.loads(text)
        weights = doc["genres"][name]["weights"]
        if doc.get("format") != _PRESET_FORMAT or not isinstance(weights, dict):
            raise ValueError("unexpected content")
        out = {str(k): check_nonneg(f"weights[{k!r}]", "weights_for_genre", v)
               for k, v in weights.items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HighlightsError(
            f"The packaged genre presets ({_DATA_FILE}) are missing or damaged: {exc}. "
            "Reinstall highlights."
        ) from exc
    return out
