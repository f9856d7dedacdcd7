"""Synthetic streams of one genre as signals on one grid (no encoding), with their truth.

The game and talk streams come from :mod:`highlights.synth`; the shopping stream is
built here from a talk stream plus vectorised generators for orders, questions and
pins.  Chat signals are computed from the synthetic chat messages by
:func:`highlights.features.chat.chat_signals` (spam damping included), and aligned to
the action by the estimated chat lag (:func:`align_chat`), as
:func:`highlights.analyze` does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_choice, check_int, check_positive
from ..fusion.genre import GENRES
from ..timeline import Timeline, common_grid

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
    from ..features.chat import chat_signals
    from ..types import ChatEvents
    from .plan import make_plan
    from .signals import make_chat_events, make_signals

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
    from ..features.lag import shift_chat

    grid = common_grid(timelines, "align_chat")
    chat = {k: tl for k, tl in timelines.items() if k.startswith("chat_")}
    media = {k: tl for k, tl in timelines.items() if k not in chat}
    shifted, lag, _, _ = shift_chat(chat, media, chat_lag_s=chat_lag_s, hop_s=grid.hop_s,
                                    start_s=grid.start_s, n=grid.n, notes=[])
    out = {**timelines, **shifted}
    from ..features.derived import add_derived

    return add_derived(out), lag
