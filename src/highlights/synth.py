"""Synthetic livestreams with known highlights, for demos, tests and benchmarks.

Three levels, all seeded and deterministic:

* :func:`make_plan` lays out the ground truth only: planted highlight moments and
  distractors (camera cuts, a loud music bed nobody reacts to, a bot spamming one line).
* :func:`make_signals` renders that plan straight onto per-hop :class:`~highlights.Timeline`
  signals (no encoding), for fast core tests and benchmarks on hours of "stream".
* :func:`make_livestream` renders it to real media: an H.264 + AAC MP4 encoded with
  PyAV (generated and encoded in blocks, so memory stays bounded for hours of
  1080p) plus a ``chat.json`` log and a ``truth.json``.

How the stream is laid out
--------------------------
Every event occupies an interval on the audio/visual track and an interval on the
chat track (which runs ``chat_lag_s`` behind).  Intervals on each track are kept at
least :data:`GUARD_S` apart and :data:`EDGE_S` away from the ends, so:

* a **moment** is an action span (shouting/crowd audio burst, fast motion, flashes,
  camera shake) whose chat reaction starts exactly ``chat_lag_s`` after its peak and
  decays over ~10-20 s;
* a **music** distractor is a loud music bed with plain background chat in the
  lagged window;
* a **spam** distractor is one author repeating one line, with nothing happening in
  audio/video ``chat_lag_s`` before it;
* a **cut** distractor is a hard camera switch (about every 90 s, on a regular grid,
  on a whole second) with nothing else happening around it; its exact frame time is
  in :attr:`SynthStream.cuts_s`.

A 60 s stream holds 3 moments and a cut; music and spam distractors need longer
streams (all kinds from ~90 s; at least one of each from 10 min on).

Background: voice-like babble (phrases, syllables, pitch contour, harmonics), game
sound effects, a scrolling textured "game" with HUD boxes and a webcam rectangle,
and a chat rate that slowly grows over the stream (a growing audience).

Example:
-------
>>> from highlights.synth import make_signals
>>> signals, moments = make_signals(duration_s=600.0, seed=1, n_moments=3)
>>> sorted(signals)
['audio_rms_db', 'chat_rate', 'motion', 'scene']
>>> len(moments), all(0 < m.start_s < m.peak_s < m.end_s < 600 for m in moments)
(3, True)
>>> from highlights.synth import make_livestream
>>> stream = make_livestream("demo_out", duration_s=60.0, seed=1)  # doctest: +SKIP
>>> stream.truth()["moments"][0]["peak_s"]  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._validate import check_choice, check_int, check_nonneg, check_positive, fail
from .errors import ExportError, InvalidParameterError, OutputExistsError
from .timeline import Timeline
from .types import ChatEvents

__all__ = [
    "Moment",
    "SynthPlan",
    "SynthStream",
    "make_plan",
    "make_signals",
    "make_chat_events",
    "make_livestream",
    "GENRES",
    "GUARD_S",
    "EDGE_S",
    "VIDEO_NAME",
    "CHAT_NAME",
    "TRUTH_NAME",
]

logger = logging.getLogger(__name__)

F64 = NDArray[np.float64]

#: Supported genres: ``"game"`` (gameplay + HUD + webcam; moments are audio+visual+chat)
#: and ``"talk"`` (just chatting: big webcam, no game sfx; moments are audio+chat).
GENRES = ("game", "talk")
#: Minimum distance in seconds between two events on the same track.
GUARD_S = 2.0
#: Minimum distance in seconds between any event and either end of the stream.
EDGE_S = 3.0
#: File names written by :func:`make_livestream` inside ``out_dir``.
VIDEO_NAME = "stream.mp4"
CHAT_NAME = "chat.json"
TRUTH_NAME = "truth.json"

_TRUTH_VERSION = 1
_AUDIO_BLOCK = 65536  # samples per generation/encoding block (~3 s at 22.05 kHz)
_AAC_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000)
_CAMERAS = 3  # camera layouts cycled by the planted cuts
_BURST_RISE_S = 1.0  # chat reaction ramps up over this long after its onset

# Seed-stream ids (``default_rng([seed, id, ...])``) so each part is independent.
_RNG_PLAN, _RNG_CHAT, _RNG_AUDIO, _RNG_VIDEO, _RNG_SIGNALS, _RNG_STATIC = range(6)

_REACTIONS = (
    "LUL", "KEKW", "Pog", "PogChamp", "OMEGALUL", "W", "lol", "LOL", "!!!", "哈哈哈", "哈哈哈哈哈",
    "草", "666", "6666", "KEKW KEKW KEKW", "Pog Pog", "WWWW", "no way", "CLIP IT", "LMAO",
)
_CHATTER = (
    "hi chat", "hello", "what game is this", "gg", "how long have you been streaming",
    "first time here", "nice", "lol", "which rank is this", "o7", "is this a new patch",
    "what's the song", "good morning", "hydrate", "the music is loud", "any tips?", "hmm",
    "好耶", "来了来了", "主播晚上好", "can you play ranked next", "love the stream", "?",
    "wait what", "let's go", "ez", "that was close", "brb", "back", "F",
)
_SPAM_LINES = (
    "Get 1000 followers now at cheapviews dot example",
    "!giveaway enter now for free skins",
    "Best viewers and primes at bigfollows dot example",
)
_NAME_A = ("quiet", "happy", "dark", "pixel", "lucky", "tiny", "mega", "salty", "cozy", "fast",
           "lazy", "neon", "frosty", "sleepy", "spicy", "lunar")
_NAME_B = ("fox", "panda", "gamer", "ninja", "cat", "owl", "potato", "wolf", "toast", "duck",
           "tiger", "bean", "ghost", "mango", "otter", "koala")


# =============================================================================== truth types
@dataclass(frozen=True)
class Moment:
    """A planted event: a highlight moment or a distractor.

    Attributes
    ----------
    start_s, end_s : float
        Span of the action in seconds from the media start (``start_s <= end_s``).
    peak_s : float
        Most intense instant, in seconds.  For a moment the chat reaction starts at
        ``peak_s + chat_lag_s``.
    kinds : tuple of str
        Modalities that carry the event (``"audio"``, ``"visual"``, ``"chat"``); a
        distractor adds its type (``"music"``, ``"spam"``, ``"cut"``).
    """

    start_s: float
    end_s: float
    peak_s: float
    kinds: tuple[str, ...]

    @property
    def duration_s(self) -> float:
        """Length of the span in seconds."""
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "start_s": self.start_s, "end_s": self.end_s, "peak_s": self.peak_s,
            "kinds": list(self.kinds),
        }


@dataclass(frozen=True)
class SynthPlan:
    """Ground truth of a synthetic stream, before rendering (see :func:`make_plan`).

    Attributes
    ----------
    duration_s, chat_lag_s : float
        Stream length and chat reaction lag, in seconds.
    seed : int
        Seed the plan was made from.
    genre : str
        One of :data:`GENRES`.
    moments : tuple of Moment
        Planted highlights, sorted by time, kinds ``("audio", "visual", "chat")``
        (``"visual"`` only for ``genre="game"``).
    distractors : tuple of Moment
        Music beds, spam bursts and cuts, sorted by ``peak_s``.
    cuts_s : tuple of float
        Times of the planted hard cuts (whole seconds), sorted.
    burst_tau_s : tuple of float
        Decay time constant of each moment's chat reaction, in seconds.
    """

    duration_s: float
    chat_lag_s: float
    seed: int
    genre: str
    moments: tuple[Moment, ...]
    distractors: tuple[Moment, ...]
    cuts_s: tuple[float, ...]
    burst_tau_s: tuple[float, ...]

    def of_kind(self, kind: str) -> tuple[Moment, ...]:
        """Distractors whose kinds include ``kind`` (``"music"``, ``"spam"``, ``"cut"``)."""
        return tuple(d for d in self.distractors if kind in d.kinds)


@dataclass(frozen=True)
class SynthStream:
    """A rendered synthetic livestream and its ground truth (see :func:`make_livestream`).

    Attributes
    ----------
    video_path : Path
        The MP4 file (H.264 and/or AAC).
    chat_path : Path or None
        The chat log (JSON array of ``{"time_s", "author", "text"}``), or None.
    duration_s : float
        Media duration in seconds.
    moments, distractors : tuple of Moment
        Planted highlights and distractors present in the written media.
    chat_lag_s : float
        Lag between a moment's peak and the start of its chat reaction, in seconds.
    seed : int
        Seed the stream was made from.
    cuts_s : tuple of float
        Exact times (first frame of the new camera) of the planted hard cuts.
    genre : str
        One of :data:`GENRES`.
    truth_path : Path or None
        The ``truth.json`` written next to the video.
    """

    video_path: Path
    chat_path: Path | None
    duration_s: float
    moments: tuple[Moment, ...]
    distractors: tuple[Moment, ...]
    chat_lag_s: float
    seed: int
    cuts_s: tuple[float, ...]
    genre: str = "game"
    truth_path: Path | None = None

    def truth(self) -> dict[str, Any]:
        """Return the ground truth as a JSON-ready dict.

        Each moment also carries ``chat_onset_s`` (``peak_s + chat_lag_s``), the time
        its chat reaction starts.
        """
        return {
            "version": _TRUTH_VERSION,
            "seed": self.seed,
            "genre": self.genre,
            "duration_s": self.duration_s,
            "chat_lag_s": self.chat_lag_s,
            "video_path": str(self.video_path),
            "chat_path": None if self.chat_path is None else str(self.chat_path),
            "moments": [
                {**m.to_dict(), "chat_onset_s": round(m.peak_s + self.chat_lag_s, 6)}
                for m in self.moments
            ],
            "distractors": [d.to_dict() for d in self.distractors],
            "cuts_s": list(self.cuts_s),
        }


# =============================================================================== planning
@dataclass
class _Event:
    kind: str  # "moment" | "music" | "spam" | "cut"
    av: tuple[float, float] | None  # interval on the audio/visual track, relative to anchor
    chat: tuple[float, float] | None  # interval on the chat track, relative to anchor
    length: float = 0.0  # action length (moment/music/spam)
    peak: float = 0.0  # peak offset from anchor (moment)
    tau: float = 0.0  # chat decay constant (moment)


def _pack(events: list[_Event], gaps: F64 | None) -> tuple[list[float], float]:
    """Place events in order at their earliest feasible anchor (+ gap); return anchors, end."""
    av_cur = ch_cur = EDGE_S - GUARD_S
    anchors: list[float] = []
    end = 0.0
    for i, ev in enumerate(events):
        x = -math.inf
        if ev.av is not None:
            x = max(x, av_cur + GUARD_S - ev.av[0])
        if ev.chat is not None:
            x = max(x, ch_cur + GUARD_S - ev.chat[0])
        if gaps is not None:
            x += float(gaps[i])
        if ev.kind == "cut":
            x = float(math.ceil(x - 1e-9))
        anchors.append(x)
        if ev.av is not None:
            av_cur = max(av_cur, x + ev.av[1])
            end = max(end, x + ev.av[1])
        if ev.chat is not None:
            ch_cur = max(ch_cur, x + ev.chat[1])
            end = max(end, x + ev.chat[1])
    return anchors, end


def _regular_cuts(
    order: list[_Event], anchors: list[float], *, dur: float, lag: float,
    rng: np.random.Generator,
) -> list[float]:
    """Move the packed cuts onto a regular grid (camera switches every ~P seconds).

    Each cut goes to the whole second nearest its grid time where nothing else happens
    (no event within :data:`GUARD_S` on the audio/visual track, nor on the chat track
    over ``[t, t + lag]``).  The packed positions prove that many cuts fit; they are
    kept when the grid cannot place them all.
    """
    n_cut = sum(ev.kind == "cut" for ev in order)
    if n_cut == 0:
        return []
    cand = np.arange(math.ceil(EDGE_S), math.floor(dur - EDGE_S - lag) + 1, dtype=np.float64)
    free = np.ones(cand.size, dtype=bool)
    margin = GUARD_S + 0.01
    for x, ev in zip(anchors, order):
        if ev.kind == "cut":
            continue
        if ev.av is not None:
            a, b = x + ev.av[0], x + ev.av[1]
            free &= (cand <= a - margin) | (cand >= b + margin)
        if ev.chat is not None:
            a, b = x + ev.chat[0], x + ev.chat[1]
            free &= (cand + lag <= a - margin) | (cand >= b + margin)
    period = dur / (n_cut + 1)
    out: list[float] = []
    for k in range(n_cut):
        if not free.any():
            break
        target = period * (k + 1) + float(rng.uniform(-0.1, 0.1)) * period
        i = int(np.argmin(np.where(free, np.abs(cand - target), np.inf)))
        c = float(cand[i])
        out.append(c)
        free &= np.abs(cand - c) >= lag + margin  # cuts keep apart on both tracks
    if len(out) < n_cut:  # crowded (short) stream: keep the packed positions
        out = [x for x, ev in zip(anchors, order) if ev.kind == "cut"]
    return sorted(out)


def _r3(x: float) -> float:
    return round(float(x), 3)


def make_plan(
    *,
    duration_s: float = 3600.0,
    seed: int = 0,
    n_moments: int = 8,
    chat_lag_s: float = 6.0,
    genre: str = "game",
) -> SynthPlan:
    """Lay out the ground truth of a synthetic stream (no rendering).

    :func:`make_signals` and :func:`make_livestream` render the same plan for the
    same ``duration_s``, ``seed``, ``n_moments``, ``chat_lag_s`` and ``genre``.

    Parameters
    ----------
    duration_s : float
        Stream length in seconds.
    seed : int
        Random seed (>= 0).
    n_moments : int
        Number of planted highlights (>= 0).
    chat_lag_s : float
        Seconds between a moment's peak and the start of its chat reaction (>= 0).
    genre : {"game", "talk"}
        Stream style (see :data:`GENRES`).

    Returns
    -------
    SynthPlan

    Raises
    ------
    InvalidParameterError
        On a bad parameter, or when ``duration_s`` cannot hold ``n_moments`` moments
        (the message gives the minimum).  Distractors that do not fit are dropped
        (bot spam first, then music, then cuts beyond the first).
    """
    caller = "make_plan"
    dur = check_positive("duration_s", caller, duration_s)
    seed = check_int("seed", caller, seed)
    n_moments = check_int("n_moments", caller, n_moments)
    lag = check_nonneg("chat_lag_s", caller, chat_lag_s)
    check_choice("genre", caller, genre, GENRES)
    rng = np.random.default_rng([seed, _RNG_PLAN])

    long_form = dur >= 600.0
    moments: list[_Event] = []
    for _ in range(n_moments):
        length = float(rng.uniform(4.0, 10.0) if long_form else rng.uniform(3.0, 5.0))
        peak = length * float(rng.uniform(0.4, 0.65))
        tau = float(rng.uniform(3.0, 5.0) if long_form else rng.uniform(2.2, 3.0))
        burst = _BURST_RISE_S + 3.0 * tau
        moments.append(_Event("moment", (0.0, length), (peak + lag, peak + lag + burst),
                              length, peak, tau))
    musics: list[_Event] = []
    for _ in range(1 + int(dur // 1800)):
        length = float(rng.uniform(15.0, 40.0) if long_form else rng.uniform(5.0, 7.0))
        musics.append(_Event("music", (0.0, length), (0.0, lag + length), length, length / 2))
    spams: list[_Event] = []
    for _ in range(1 + int(dur // 1200)):
        length = float(rng.uniform(6.0, 12.0) if long_form else rng.uniform(3.5, 5.0))
        spams.append(_Event("spam", (-lag, length), (0.0, length), length, length / 2))
    cuts = [_Event("cut", (0.0, 0.0), (0.0, lag)) for _ in range(max(2, round(dur / 90.0)))]

    main = moments + musics + spams
    order = [main[int(i)] for i in rng.permutation(len(main))]
    # spread cuts evenly through the order so camera switches recur through the stream
    pos = np.linspace(0, len(order), len(cuts) + 2)[1:-1]
    for k, p in reversed(list(enumerate(pos))):
        order.insert(int(round(p)), cuts[k])

    limit = dur - EDGE_S
    drop = [*cuts[1:][::-1], *spams[::-1], *musics[::-1], *cuts[:1]]
    _, end = _pack(order, None)
    while end > limit and drop:
        order.remove(drop.pop(0))
        _, end = _pack(order, None)
    if end > limit:
        need = math.ceil(end + EDGE_S)
        raise InvalidParameterError(
            f"The 'duration_s' parameter of {caller} must be large enough for "
            f"n_moments={n_moments} with chat_lag_s={lag:g} (about {need} s here). "
            f"Got {duration_s!r} instead."
        )
    n_cut = sum(ev.kind == "cut" for ev in order)
    slack = max(limit - end - n_cut, 0.0)  # each cut may round up by < 1 s
    gaps = rng.dirichlet(np.ones(len(order) + 1))[:-1] * slack
    anchors, _ = _pack(order, gaps)
    cut_times = _regular_cuts(order, anchors, dur=dur, lag=lag, rng=rng)

    has_visual = genre == "game"
    m_out: list[tuple[Moment, float]] = []
    d_out: list[Moment] = []
    for x, ev in zip(anchors, order):
        if ev.kind == "moment":
            kinds = ("audio", "visual", "chat") if has_visual else ("audio", "chat")
            m = Moment(_r3(x), _r3(x + ev.length), _r3(x + ev.peak), kinds)
            m_out.append((m, _r3(ev.tau)))
        elif ev.kind == "music":
            d_out.append(Moment(_r3(x), _r3(x + ev.length), _r3(x + ev.peak), ("audio", "music")))
        elif ev.kind == "spam":
            d_out.append(Moment(_r3(x), _r3(x + ev.length), _r3(x + ev.peak), ("chat", "spam")))
    d_out.extend(Moment(c, c, c, ("visual", "cut")) for c in cut_times)
    m_out.sort(key=lambda mt: mt[0].start_s)
    d_out.sort(key=lambda d: d.peak_s)
    return SynthPlan(
        duration_s=dur, chat_lag_s=lag, seed=seed, genre=genre,
        moments=tuple(m for m, _ in m_out), distractors=tuple(d_out),
        cuts_s=tuple(d.peak_s for d in d_out if "cut" in d.kinds),
        burst_tau_s=tuple(t for _, t in m_out),
    )


# =============================================================================== envelopes
def _action_env(t: F64, moments: tuple[Moment, ...]) -> F64:
    """Intensity in [0, 1] of the moments' action: ramps start->peak, decays peak->end."""
    out = np.zeros_like(t)
    for m in moments:
        if t.size == 0 or m.end_s <= t[0] or m.start_s > t[-1]:
            continue
        rise = np.clip((t - m.start_s) / max(m.peak_s - m.start_s, 1e-3), 0.0, 1.0)
        fall = np.clip((m.end_s - t) / max(m.end_s - m.peak_s, 1e-3), 0.0, 1.0)
        env = np.where(t < m.peak_s, 0.45 + 0.55 * rise, np.sqrt(fall))
        env *= np.clip((t - m.start_s) / 0.05, 0.0, 1.0)  # 50 ms attack
        np.maximum(out, np.where((t >= m.start_s) & (t < m.end_s), env, 0.0), out=out)
    return out


def _music_env(t: F64, musics: tuple[Moment, ...]) -> F64:
    """Level in [0, 1] of the music beds, with 1 s fades."""
    out = np.zeros_like(t)
    for d in musics:
        if t.size == 0 or d.end_s <= t[0] or d.start_s > t[-1]:
            continue
        env = np.clip(np.minimum(t - d.start_s, d.end_s - t) / 1.0, 0.0, 1.0)
        np.maximum(out, env, out=out)
    return out


def _flash(t: F64, moments: tuple[Moment, ...]) -> F64:
    """Strobe flashes (0..1) within 1.2 s of each moment's peak."""
    out = np.zeros_like(t)
    for m in moments:
        near = np.abs(t - m.peak_s) < 1.2
        if not near.any():
            continue
        strobe = (np.floor((t - m.peak_s) * 4.0) % 2 == 0).astype(np.float64)
        np.maximum(out, np.where(near, strobe * (1.0 - np.abs(t - m.peak_s) / 1.2), 0.0),
                   out=out)
    return out


def _camera(t: F64, cuts_s: tuple[float, ...]) -> NDArray[np.intp]:
    """Camera layout index at each time (cuts cycle through the layouts)."""
    return np.searchsorted(np.asarray(cuts_s, dtype=np.float64), t, side="right") % _CAMERAS


@dataclass(frozen=True)
class _Voice:
    f0: float  # base pitch, Hz
    level: float  # linear RMS while voiced
    on: F64  # phrase starts, s
    off: F64  # phrase ends, s
    rate: float  # syllables per second
    phase: float


def _voices(plan: SynthPlan) -> tuple[_Voice, ...]:
    rng = np.random.default_rng([plan.seed, _RNG_STATIC, 1])
    talk = plan.genre == "talk"
    specs = ((rng.uniform(95, 140), -24.0 if talk else -27.0),
             (rng.uniform(170, 240), -37.0), (rng.uniform(110, 180), -40.0))
    out = []
    n = int(plan.duration_s / 1.0) + 8
    for f0, db in specs:
        speech = rng.uniform(0.8, 3.5, n)
        pause = rng.uniform(0.15, 0.6, n) if talk else rng.uniform(0.2, 1.4, n)
        on = np.cumsum(speech + pause) - speech
        out.append(_Voice(float(f0), 10 ** (db / 20), on, on + speech,
                          float(rng.uniform(3.5, 5.5)), float(rng.uniform(0, 2 * np.pi))))
    return tuple(out)


def _gate(t: F64, on: F64, off: F64, ramp_s: float = 0.03) -> F64:
    """1 inside the phrases ``[on, off)`` with linear ramps at the edges, else 0."""
    i = np.searchsorted(on, t, side="right") - 1
    j = np.clip(i, 0, None)
    d = np.minimum(t - on[j], off[j] - t)
    return np.where((i >= 0) & (d > 0), np.clip(d / ramp_s, 0.0, 1.0), 0.0)


def _sfx_times(plan: SynthPlan) -> tuple[F64, NDArray[np.intp], F64]:
    """Game sound effects: times (s), kernel ids, linear amplitudes."""
    if plan.genre != "game":
        z = np.zeros(0)
        return z, np.zeros(0, dtype=np.intp), z
    rng = np.random.default_rng([plan.seed, _RNG_STATIC, 2])
    n = int(plan.duration_s * 0.9) + 8
    times = np.cumsum(rng.exponential(1.0 / 0.7, n))
    times = times[times < plan.duration_s]
    kinds = rng.integers(0, 4, times.size).astype(np.intp)
    amps = 10 ** (rng.uniform(-24.0, -16.0, times.size) / 20)
    return times, kinds, amps


# =============================================================================== chat
def _user_names(n: int, seed: int) -> NDArray[Any]:
    """``n`` distinct pseudonyms in a seeded order (index 0 = the most active chatter)."""
    k = np.random.default_rng([seed, _RNG_STATIC, 6]).permutation(max(n, 256))[:n] + 256 * (
        np.arange(n) // 256)
    names = [f"{_NAME_A[j % 16]}_{_NAME_B[(j // 16) % 16]}{j // 256 or ''}" for j in k.tolist()]
    return np.asarray(names, dtype=object)


def _chat(plan: SynthPlan) -> tuple[F64, NDArray[Any], NDArray[Any]]:
    """Chat events of a plan: sorted times (s), authors, texts."""
    rng = np.random.default_rng([plan.seed, _RNG_CHAT])
    dur = plan.duration_s
    base = 0.9 if plan.genre == "game" else 1.2
    n_pool = 300 + int(dur / 8)
    users = _user_names(n_pool + 1, plan.seed)

    # background: inhomogeneous Poisson on 1 s bins, rate grows x2.5 over the stream
    edges = np.arange(0.0, math.ceil(dur), 1.0)
    mid = edges + 0.5
    phi = rng.uniform(0, 2 * np.pi)
    rate = base * (1.0 + 1.5 * mid / dur) * (1.0 + 0.25 * np.sin(2 * np.pi * mid / 300.0 + phi))
    counts = rng.poisson(rate)
    t_bg = np.repeat(edges, counts) + rng.random(int(counts.sum()))
    pool_now = 80 + (n_pool - 80) * t_bg / dur  # the audience grows too
    a_bg = np.floor(pool_now * rng.random(t_bg.size) ** 2).astype(np.intp)  # a few regulars
    x_bg = rng.integers(0, len(_CHATTER), t_bg.size)
    texts_bg = np.asarray(_CHATTER, dtype=object)[x_bg]
    # a little reaction vocabulary leaks into background chat too
    leak = rng.random(t_bg.size) < 0.04
    texts_bg[leak] = np.asarray(_REACTIONS, dtype=object)[rng.integers(0, len(_REACTIONS),
                                                                       int(leak.sum()))]

    t_parts: list[F64] = [t_bg]
    a_parts: list[NDArray[Any]] = [users[a_bg]]
    x_parts: list[NDArray[Any]] = [texts_bg]
    step = 0.25
    for m, tau in zip(plan.moments, plan.burst_tau_s):
        onset = m.peak_s + plan.chat_lag_s
        grid = onset + np.arange(0.0, _BURST_RISE_S + 4.0 * tau, step)
        bg_rate = base * (1.0 + 1.5 * onset / dur)
        peak_rate = max(12.0, 9.0 * bg_rate) * float(rng.uniform(0.8, 1.3))
        rel = grid - onset
        r = np.where(rel < _BURST_RISE_S, (rel + step / 2) / _BURST_RISE_S,
                     np.exp(-(rel - _BURST_RISE_S) / tau)) * peak_rate
        c = rng.poisson(r * step)
        t = np.repeat(grid, c) + rng.random(int(c.sum())) * step
        pool = int(80 + (n_pool - 80) * onset / dur)
        t_parts.append(t)
        a_parts.append(users[rng.integers(0, pool, t.size)])
        x_parts.append(np.asarray(_REACTIONS, dtype=object)[rng.integers(0, len(_REACTIONS),
                                                                         t.size)])
    for k, d in enumerate(plan.of_kind("spam")):
        n = int(round(d.duration_s * float(rng.uniform(3.0, 4.5))))
        t = d.start_s + np.sort(rng.random(n)) * d.duration_s
        t_parts.append(t)
        a_parts.append(np.full(n, f"promo_bot_{plan.seed % 97}{k}", dtype=object))
        x_parts.append(np.full(n, _SPAM_LINES[k % len(_SPAM_LINES)], dtype=object))

    times = np.concatenate(t_parts)
    authors = np.concatenate(a_parts)
    texts = np.concatenate(x_parts)
    times = np.round(times, 3)
    keep = (times >= 0.0) & (times < dur)
    order = np.argsort(times[keep], kind="stable")
    return times[keep][order], authors[keep][order], texts[keep][order]


def make_chat_events(
    *,
    duration_s: float = 3600.0,
    seed: int = 0,
    n_moments: int = 8,
    chat_lag_s: float = 6.0,
    genre: str = "game",
) -> tuple[ChatEvents, SynthPlan]:
    """Synthetic chat events of :func:`make_plan`'s stream, without writing a file.

    Returns
    -------
    events : ChatEvents
        The same messages :func:`make_livestream` writes to ``chat.json``.
    plan : SynthPlan
        The ground truth.
    """
    plan = make_plan(duration_s=duration_s, seed=seed, n_moments=n_moments,
                     chat_lag_s=chat_lag_s, genre=genre)
    t, a, x = _chat(plan)
    return ChatEvents.from_arrays(t, author=a, text=x, source="<synth>", fmt="synth"), plan


# =============================================================================== signals
def make_signals(
    *,
    duration_s: float = 3600.0,
    hop_s: float = 0.5,
    seed: int = 0,
    n_moments: int = 8,
    chat_lag_s: float = 6.0,
    genre: str = "game",
) -> tuple[dict[str, Timeline], tuple[Moment, ...]]:
    """Per-hop synthetic signals with planted highlights (no media, no encoding).

    Parameters
    ----------
    duration_s : float
        Stream length in seconds.
    hop_s : float
        Hop of every returned timeline, in seconds.
    seed, n_moments, chat_lag_s, genre
        As in :func:`make_plan`; the moments are ``make_plan(...).moments``.

    Returns
    -------
    signals : dict of str to Timeline
        ``"audio_rms_db"`` (dBFS), ``"scene"`` (0..1 scene-change score: spikes at cuts
        and flashes), ``"motion"`` (0..1) and ``"chat_rate"`` (messages per second,
        binned from :func:`make_chat_events`), all on the grid ``i * hop_s``,
        ``ceil(duration_s / hop_s)`` hops.
    moments : tuple of Moment
        The planted highlights.  Distractors are in :func:`make_plan`.
    """
    hop = check_positive("hop_s", "make_signals", hop_s)
    plan = make_plan(duration_s=duration_s, seed=seed, n_moments=n_moments,
                     chat_lag_s=chat_lag_s, genre=genre)
    n = int(math.ceil(plan.duration_s / hop - 1e-9))
    t = (np.arange(n, dtype=np.float64) + 0.5) * hop
    rng = np.random.default_rng([plan.seed, _RNG_SIGNALS])
    game = plan.genre == "game"

    # audio: voices gated by their phrases, sfx, moments' shouting, music bed
    power = np.full(n, 10 ** (-55 / 10))
    for v in _voices(plan):
        power += v.level**2 * 0.6 * _gate(t, v.on, v.off, ramp_s=hop)
    sfx_t, _, sfx_a = _sfx_times(plan)
    if sfx_t.size:
        hop_idx = np.minimum((sfx_t / hop).astype(np.intp), n - 1)
        power += np.bincount(hop_idx, weights=sfx_a**2 * min(0.1 / hop, 1.0), minlength=n)
    act = _action_env(t, plan.moments)
    power += 10 ** (-11 / 10) * act**2
    power += 10 ** (-15 / 10) * _music_env(t, plan.of_kind("music")) ** 2
    power *= 10 ** (rng.normal(0.0, 1.0, n) / 10)  # +-1 dB measurement jitter
    audio = 10 * np.log10(power)

    cam = _camera(t, plan.cuts_s)
    cam_motion = np.array([0.18, 0.05, 0.24]) if game else np.array([0.04, 0.06, 0.03])
    cut_hop = np.zeros(n, dtype=bool)
    cuts = np.asarray(plan.cuts_s, dtype=np.float64)
    cut_hop[np.minimum((cuts / hop).astype(np.intp), n - 1)] = True
    flash = _flash(t, plan.moments) if game else np.zeros(n)
    scene = 0.02 + 0.02 * np.abs(rng.normal(0.0, 1.0, n)) + 0.6 * flash
    scene[cut_hop] = rng.uniform(0.8, 1.0, int(cut_hop.sum()))
    motion = cam_motion[cam] + 0.03 * rng.normal(0.0, 1.0, n) + (0.65 * act if game else 0.0)
    motion[cut_hop] += 0.5

    times, _, _ = _chat(plan)
    counts = np.bincount(np.minimum((times / hop).astype(np.intp), n - 1), minlength=n)
    signals = {
        "audio_rms_db": Timeline(values=audio, hop_s=hop, name="audio_rms_db"),
        "scene": Timeline(values=np.clip(scene, 0.0, 1.0), hop_s=hop, name="scene"),
        "motion": Timeline(values=np.clip(motion, 0.0, 1.0), hop_s=hop, name="motion"),
        "chat_rate": Timeline(values=counts / hop, hop_s=hop, name="chat_rate"),
    }
    return signals, plan.moments


# =============================================================================== audio render
def _harmonic_sum(theta: F64, amps: F64) -> F64:
    """``sum_k amps[k] * sin((k + 1) * theta)`` by the Chebyshev recurrence (no per-k sin)."""
    s_prev = np.zeros_like(theta)
    s_cur = np.sin(theta)
    c2 = 2.0 * np.cos(theta)
    out: F64 = float(amps[0]) * s_cur
    for a in amps[1:].tolist():
        s_prev, s_cur = s_cur, c2 * s_cur - s_prev
        out += a * s_cur
    return out


def _norm_amps(amps: F64, f0_max: float, sr: int) -> F64:
    k = np.arange(1, amps.size + 1)
    out: F64 = np.where(k * f0_max < 0.45 * sr, amps, 0.0)
    return out / math.sqrt(0.5 * float(np.sum(out**2)))  # unit RMS for a steady tone


def _shaped_noise(rng: np.random.Generator, n: int, sr: int, lo: float, hi: float) -> F64:
    """Unit-RMS noise band-limited to roughly ``[lo, hi]`` Hz (FFT shaping)."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / sr)
    gain = (f / lo) ** 2 / (1.0 + (f / lo) ** 2) / (1.0 + (f / hi) ** 4)
    y = np.fft.irfft(spec * gain, n)
    return y / max(math.sqrt(float(np.mean(gain**2))), 1e-12)


class _AudioSynth:
    """Renders a plan's soundtrack block by block (deterministic per block index)."""

    def __init__(self, plan: SynthPlan, *, sample_rate: int) -> None:
        self.plan = plan
        self.sr = sample_rate
        self.voices = _voices(plan)
        self.sfx_t, self.sfx_k, self.sfx_a = _sfx_times(plan)
        self.sfx_kernels = self._kernels()
        self.music = plan.of_kind("music")
        rng = np.random.default_rng([plan.seed, _RNG_STATIC, 3])
        self.shout_f0 = rng.uniform(290.0, 380.0, max(len(plan.moments), 1))

    def _kernels(self) -> list[F64]:
        sr = self.sr
        rng = np.random.default_rng([self.plan.seed, _RNG_STATIC, 4])
        out = []
        t = np.arange(int(0.12 * sr)) / sr  # blip: falling chirp
        out.append(np.sin(2 * np.pi * (900 * t - 1500 * t**2)) * np.exp(-t / 0.03))
        t = np.arange(int(0.08 * sr)) / sr  # shot: noise crack
        out.append(np.diff(rng.standard_normal(t.size + 1)) * np.exp(-t / 0.015) * 0.6)
        t = np.arange(int(0.2 * sr)) / sr  # coin: two tones
        tone = np.where(t < 0.07, np.sin(2 * np.pi * 988 * t), np.sin(2 * np.pi * 1319 * t))
        out.append(tone * np.exp(-t / 0.08) * 0.7)
        t = np.arange(int(0.25 * sr)) / sr  # thud
        out.append(np.sin(2 * np.pi * (70 * t + 40 * t * np.exp(-t / 0.02))) * np.exp(-t / 0.07))
        return out

    def block(self, n0: int, n1: int, index: int) -> NDArray[np.float32]:
        """Samples ``[n0, n1)`` as float32 in [-1, 1]; ``index`` seeds the block's noise."""
        sr, plan = self.sr, self.plan
        rng = np.random.default_rng([plan.seed, _RNG_AUDIO, index])
        n = n1 - n0
        t = np.arange(n0, n1, dtype=np.float64) / sr
        y = _shaped_noise(rng, n, sr, 60.0, 1200.0) * 10 ** (-60 / 20)  # room noise, low-heavy

        hiss = _shaped_noise(rng, n, sr, 2500.0, 7000.0)  # fricatives, shared by the voices
        for v in self.voices:  # babble: phrases x syllables x harmonic voice + fricatives
            gate = _gate(t, v.on, v.off)
            if not gate.any():
                continue
            w1, w2 = 2 * np.pi * 0.23, 2 * np.pi * 1.7
            theta = 2 * np.pi * v.f0 * (t - 0.08 * np.cos(w1 * t + v.phase) / w1
                                        - 0.04 * np.cos(w2 * t) / w2)
            syl = 0.5 + 0.5 * np.sin(2 * np.pi * v.rate * t + 1.3 * np.sin(2 * np.pi * 0.7 * t
                                                                           + v.phase))
            amps = _norm_amps(1.0 / np.arange(1, 13) * np.array(
                [1, 1.6, 2.0, 1.4, 0.9, 0.8, 1.1, 1.2, 0.8, 0.5, 0.4, 0.3]), v.f0 * 1.15, sr)
            voiced = _harmonic_sum(theta, amps) * syl**1.5
            fric = hiss * 0.15 * (1.0 - syl) ** 4
            y += v.level * 1.6 * gate * (voiced + fric)

        if self.sfx_t.size:
            self._add_sfx(y, n0, n1)

        m_here = tuple(m for m in plan.moments if m.end_s > t[0] and m.start_s <= t[-1])
        if m_here:
            env = _action_env(t, m_here)
            syl = 0.6 + 0.4 * np.sin(2 * np.pi * 5.5 * t) ** 2
            crowd = _shaped_noise(rng, n, sr, 900.0, 5000.0) * syl
            f0 = float(self.shout_f0[plan.moments.index(m_here[0])])
            theta = 2 * np.pi * f0 * (t + 0.02 * np.sin(2 * np.pi * 3.0 * t))
            amps = _norm_amps(np.arange(1, 17, dtype=np.float64) ** -0.6, f0 * 1.05, sr)
            shout = _harmonic_sum(theta, amps) * syl
            y += 10 ** (-11 / 20) * env * (0.75 * crowd + 0.65 * shout)

        music_here = tuple(d for d in self.music if d.end_s > t[0] and d.start_s <= t[-1])
        if music_here:
            y += 10 ** (-9.5 / 20) * _music_env(t, music_here) * self._music(t, music_here[0])
        return np.clip(y, -1.0, 1.0).astype(np.float32)

    def _add_sfx(self, y: F64, n0: int, n1: int) -> None:
        sr = self.sr
        lo = np.searchsorted(self.sfx_t, n0 / sr - 0.3)
        hi = np.searchsorted(self.sfx_t, n1 / sr)
        for i in range(int(lo), int(hi)):  # a few events per block
            ker = self.sfx_kernels[int(self.sfx_k[i])]
            p = int(round(float(self.sfx_t[i]) * sr))
            a, b = max(p, n0), min(p + ker.size, n1)
            if b > a:
                y[a - n0:b - n0] += self.sfx_a[i] * ker[a - p:b - p]

    def _music(self, t: F64, d: Moment) -> F64:
        """Unit-ish RMS music: a 4-chord loop with kick and hi-hat at 120 bpm."""
        rel = np.maximum(t - d.start_s, 0.0)
        chord = (rel // 2.0).astype(np.intp) % 4
        roots = 110.0 * 2.0 ** (np.array([0, 8, 3, 10]) / 12.0)
        in_chord = rel % 2.0
        cenv = np.clip(in_chord / 0.02, 0, 1) * np.clip((2.0 - in_chord) / 0.02, 0, 1)
        out = np.zeros_like(t)
        for step, gain in ((0.0, 1.0), (4.0, 0.7), (7.0, 0.8), (12.0, 0.4)):
            f = roots[chord] * 2.0 ** (step / 12.0)
            out += gain * np.sin(2 * np.pi * f * in_chord)
        beat = rel % 0.5
        kick = np.sin(2 * np.pi * (50 * beat + 60 * 0.03 * (1 - np.exp(-beat / 0.03))))
        hat = np.sin(2 * np.pi * 7000 * t) * np.sin(2 * np.pi * 9100 * t)
        return 0.45 * cenv * out + 1.2 * kick * np.exp(-beat / 0.09) + 0.15 * hat * np.exp(
            -(rel % 0.25) / 0.012)


# =============================================================================== video render
class _VideoSynth:
    """Renders a plan's frames (yuv420p) one at a time from precomputed textures."""

    def __init__(self, plan: SynthPlan, *, width: int, height: int, fps: Fraction) -> None:
        self.plan, self.w, self.h, self.fps = plan, width, height, fps
        self.game = plan.genre == "game"
        rng = np.random.default_rng([plan.seed, _RNG_STATIC, 5])
        self.pad = max(8, (height // 16) * 2)
        self.tex = [self._texture(rng, c) for c in range(_CAMERAS)]
        self.buf = np.empty(width * height * 3 // 2, dtype=np.uint8)
        self.scroll = 0.0
        self.face = self._face()

    def _texture(self, rng: np.random.Generator, cam: int) -> tuple[NDArray[np.uint8], ...]:
        """Seamless (periodic in x) blocky luma/chroma textures, padded for scroll + shake."""
        w, h, pad = self.w, self.h, self.pad
        block = max(4, (w // 40) * 2) * (2 if cam == 1 else 1)
        nby, nbx = -(-h // block), -(-w // block)
        coarse = rng.uniform(40, 170, (nby, nbx))
        fine_b = max(2, block // 4) * 2
        fine = rng.uniform(-25, 25, (-(-h // fine_b), -(-w // fine_b)))
        y = np.repeat(np.repeat(coarse, block, 0), block, 1)[:h, :w]
        y = y + np.repeat(np.repeat(fine, fine_b, 0), fine_b, 1)[:h, :w]
        x = np.arange(w)
        y = y + 20 * np.sin(2 * np.pi * x * (3 + cam) / w)[None, :]  # periodic stripes
        tint = ((100, 150), (150, 120), (120, 100))[cam]
        u = np.full((h // 2, w // 2), tint[0], dtype=np.float64) + rng.uniform(-12, 12, (1, w // 2))
        v = np.full((h // 2, w // 2), tint[1], dtype=np.float64) + rng.uniform(-8, 8, (h // 2, 1))
        out: list[NDArray[np.uint8]] = []
        for plane, p in ((y, pad), (u, pad // 2), (v, pad // 2)):
            arr = np.clip(plane, 16, 235).astype(np.uint8)
            arr = np.pad(arr, ((p, p), (0, 0)), mode="wrap")
            out.append(np.concatenate([arr, arr], axis=1))  # scroll window never wraps
        return tuple(out)

    def _face(self) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
        fh, fw = max(8, self.h // 4) // 2 * 2, max(8, self.w // 5) // 2 * 2
        yy, xx = np.mgrid[0:fh, 0:fw]
        mask = ((yy - fh * 0.45) / (fh * 0.36)) ** 2 + ((xx - fw / 2) / (fw * 0.22)) ** 2 < 1
        patch = np.where(mask, 175, 55).astype(np.uint8)
        body = (yy > fh * 0.8) & (np.abs(xx - fw / 2) < fw * 0.35)
        patch[body] = 95
        return patch, mask

    def params(self, k0: int, k1: int, index: int) -> dict[str, Any]:
        """Per-frame parameters for frames ``[k0, k1)`` (vectorised over the block)."""
        plan = self.plan
        rng = np.random.default_rng([plan.seed, _RNG_VIDEO, index])
        # k * den / num: one rounding, so a frame on a whole second is exactly that second
        t = np.arange(k0, k1, dtype=np.float64) * self.fps.denominator / self.fps.numerator
        act = _action_env(t, plan.moments) if self.game else np.zeros_like(t)
        cam = _camera(t, plan.cuts_s)
        speed = np.where(cam == 1, 4.0, 30.0 if self.game else 2.0) + 320.0 * act  # px/s @320
        step = speed * (self.w / 320.0) / float(self.fps)
        pos = self.scroll + np.cumsum(step)
        self.scroll = float(pos[-1]) if pos.size else self.scroll
        amp = act * (self.h / 30.0)
        return {
            "t": t, "cam": cam, "act": act, "x": pos,
            "dx": np.round(rng.normal(0, 1, t.size) * amp).astype(np.intp),
            "dy": np.round(rng.normal(0, 1, t.size) * amp).astype(np.intp),
            "flash": _flash(t, plan.moments) if self.game else np.zeros_like(t),
            "rng": rng,
        }

    def frame(self, p: dict[str, Any], i: int) -> NDArray[np.uint8]:
        """Render frame ``i`` of the block described by ``p`` into the shared buffer."""
        w, h, pad = self.w, self.h, self.pad
        cam = int(p["cam"][i])
        tex_y, tex_u, tex_v = self.tex[cam]
        x = (int(p["x"][i] + p["dx"][i]) % w) // 2 * 2
        dy = int(np.clip(p["dy"][i], -pad, pad)) // 2 * 2
        buf = self.buf
        yv = buf[: w * h].reshape(h, w)
        uv = buf[w * h: w * h * 5 // 4].reshape(h // 2, w // 2)
        vv = buf[w * h * 5 // 4:].reshape(h // 2, w // 2)
        yv[...] = tex_y[pad + dy: pad + dy + h, x: x + w]
        uv[...] = tex_u[(pad + dy) // 2: (pad + dy) // 2 + h // 2, x // 2: x // 2 + w // 2]
        vv[...] = tex_v[(pad + dy) // 2: (pad + dy) // 2 + h // 2, x // 2: x // 2 + w // 2]
        t = float(p["t"][i])
        act = float(p["act"][i])
        s = max(1, w // 64)
        if self.game and cam != 1:  # moving "enemies" and HUD
            for j in range(3):
                ex = int((w * (0.2 + 0.3 * j) + 40 * s * math.sin(t * (0.7 + j * 0.3)))
                         % (w - 4 * s))
                ey = int(h * (0.35 + 0.15 * j) + 10 * s * math.cos(t * (1.1 + j * 0.2)))
                yv[ey: ey + 3 * s, ex: ex + 3 * s] = 220 - 60 * j
            health = 1.0 - 0.6 * act
            yv[s: 3 * s, s: s + 30 * s] = 30
            yv[s: 3 * s, s: s + int(30 * s * health)] = 200
            yv[h - 13 * s: h - s, s: 14 * s] = 40  # minimap
            mx = s + int((p["x"][i] / (w * 4.0)) % 1.0 * 12 * s)
            yv[h - 8 * s: h - 7 * s, mx: mx + s] = 235
        if act > 0.05:  # particles
            rng: np.random.Generator = p["rng"]
            n_part = int(25 * act)
            px = rng.integers(0, w - 2 * s, n_part)
            py = rng.integers(0, h - 2 * s, n_part)
            for a, b in zip(px.tolist(), py.tolist()):
                yv[b: b + 2 * s, a: a + 2 * s] = 235
        patch, _ = self.face  # webcam: corner box in game views, big in camera 1
        fh, fw = patch.shape
        bob = int(round(math.sin(2 * math.pi * 0.5 * t) * s))
        if cam == 1 or not self.game:
            y0, x0 = h // 2 - fh, w // 2 - fw
            big = np.repeat(np.repeat(patch, 2, 0), 2, 1)
            yv[max(y0 + bob, 0): y0 + bob + 2 * fh, x0: x0 + 2 * fw] = big[: h - max(y0 + bob, 0)]
        else:
            y0, x0 = h - fh - s, w - fw - s
            yv[y0 - s: y0 + fh, x0 - s: x0 + fw] = 20
            yv[y0 + min(bob, 0): y0 + fh + min(bob, 0), x0: x0 + fw] = patch
        f = float(p["flash"][i])
        if f > 0.02:
            yv[...] = np.minimum(yv.astype(np.uint16) + int(140 * f), 235).astype(np.uint8)
        return buf.reshape(h * 3 // 2, w)


# =============================================================================== encoding
def _write_json_atomic(path: Path, payload: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                       encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"Cannot write {path}: {exc}") from exc


def _blocks(n_samples: int, sr: int, fps: Fraction, n_frames: int) -> Iterator[
        tuple[int, int, int, int, int]]:
    """Yield ``(index, n0, n1, k0, k1)``: sample and frame ranges of each time block."""
    index = 0
    n0 = 0
    while True:
        n1 = min(n0 + _AUDIO_BLOCK, n_samples)
        k0 = min(-((-n0 * fps.numerator) // (sr * fps.denominator)), n_frames)
        k1 = n_frames if n1 >= n_samples else min(
            -((-n1 * fps.numerator) // (sr * fps.denominator)), n_frames)
        yield index, n0, n1, k0, k1
        if n1 >= n_samples:
            return
        n0 = n1
        index += 1


def _encode(
    path: Path, plan: SynthPlan, *, width: int, height: int, fps: Fraction, sr: int,
    audio: bool, video: bool, gop: int,
) -> None:
    import av

    n_samples = int(round(plan.duration_s * sr))
    n_frames = int(math.ceil(Fraction(n_samples, sr) * fps))
    container = av.open(str(path), mode="w", format="mp4")
    try:
        vstream = astream = None
        if video:
            # ultrafast: fast and (unlike veryfast, seen in tests) bit-reproducible;
            # 2 B-frames like OBS/Twitch streams, so decoders see reordered PTS/DTS
            preset = "ultrafast"
            vstream = container.add_stream("libx264", rate=fps)
            vstream.width, vstream.height, vstream.pix_fmt = width, height, "yuv420p"
            vstream.codec_context.time_base = Fraction(fps.denominator, fps.numerator)
            vstream.codec_context.gop_size = gop
            vstream.codec_context.thread_count = 1  # keeps the bitstream reproducible
            vstream.codec_context.thread_type = "NONE"
            vstream.codec_context.options = {
                "preset": preset, "keyint_min": str(gop), "sc_threshold": "0", "bf": "2",
            }
        if audio:
            astream = container.add_stream("aac", rate=sr, layout="mono")
            astream.codec_context.time_base = Fraction(1, sr)
        vsynth = _VideoSynth(plan, width=width, height=height, fps=fps) if video else None
        asynth = _AudioSynth(plan, sample_rate=sr) if audio else None
        for index, n0, n1, k0, k1 in _blocks(n_samples, sr, fps, n_frames):
            if vsynth is not None and vstream is not None and k1 > k0:
                p = vsynth.params(k0, k1, index)
                for i in range(k1 - k0):
                    frame = av.VideoFrame.from_ndarray(vsynth.frame(p, i), format="yuv420p")
                    frame.pts = k0 + i
                    container.mux(vstream.encode(frame))
            if asynth is not None and astream is not None:
                samples = asynth.block(n0, n1, index)
                for a in range(0, n1 - n0, 1024):
                    chunk = samples[a: a + 1024]
                    aframe = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp",
                                                        layout="mono")
                    aframe.sample_rate = sr
                    aframe.time_base = Fraction(1, sr)
                    aframe.pts = n0 + a
                    container.mux(astream.encode(aframe))
        if vstream is not None:
            container.mux(vstream.encode(None))
        if astream is not None:
            container.mux(astream.encode(None))
    finally:
        container.close()


def make_livestream(
    out_dir: str | os.PathLike[str],
    *,
    duration_s: float = 60.0,
    seed: int = 0,
    n_moments: int = 3,
    width: int = 320,
    height: int = 180,
    fps: float = 15,
    sample_rate: int = 22050,
    chat: bool = True,
    chat_lag_s: float = 6.0,
    genre: str = "game",
    audio: bool = True,
    video: bool = True,
    gop_s: float = 2.0,
    overwrite: bool = False,
) -> SynthStream:
    """Write a synthetic livestream (MP4 + chat log + truth) with planted highlights.

    Writes ``stream.mp4`` (H.264 yuv420p, keyframe every ``gop_s``, no scene-cut
    keyframes; AAC mono), ``chat.json`` (JSON array of ``{"time_s", "author",
    "text"}``, sorted by time) and ``truth.json`` (:meth:`SynthStream.truth`) into
    ``out_dir``.  Each file is written to a temporary name and renamed into place.
    Audio and video are generated and encoded in blocks of ~3 s, so memory does not
    grow with ``duration_s``.

    Parameters
    ----------
    out_dir : path-like
        Directory to write into (created if missing).
    duration_s : float
        Stream length in seconds.
    seed : int
        Random seed; the same seed gives the same truth and the same chat file.
    n_moments : int
        Number of planted highlights.
    width, height : int
        Frame size in pixels (even, >= 64 x 36).
    fps : float
        Frame rate in frames per second (e.g. 15, 30, 29.97).
    sample_rate : int
        Audio sample rate in Hz (an AAC rate such as 22050 or 48000).
    chat : bool
        Write ``chat.json``.
    chat_lag_s : float
        Seconds between a moment's peak and the start of its chat reaction.
    genre : {"game", "talk"}
        Stream style (see :data:`GENRES`).
    audio, video : bool
        Include the audio / video stream (at least one).
    gop_s : float
        Keyframe interval in seconds.
    overwrite : bool
        Replace existing output files.

    Returns
    -------
    SynthStream
        Paths and ground truth.  Moments and distractors list only the modalities
        actually written (e.g. no ``"chat"`` kind when ``chat=False``).

    Raises
    ------
    InvalidParameterError
        On a bad parameter, or a ``duration_s`` too short for ``n_moments``.
    OutputExistsError
        If an output file exists and ``overwrite`` is false.
    ExportError
        If encoding or writing fails.
    """
    caller = "make_livestream"
    width = check_int("width", caller, width, minimum=64)
    height = check_int("height", caller, height, minimum=36)
    if width % 2 or height % 2:
        raise fail("width/height", caller, "even numbers (yuv420p)", (width, height))
    fps_f = check_positive("fps", caller, fps)
    fps_q = Fraction(fps_f).limit_denominator(1001)
    sr = check_int("sample_rate", caller, sample_rate, minimum=8000)
    if sr not in _AAC_RATES:
        raise fail("sample_rate", caller, f"one of {_AAC_RATES}", sample_rate)
    gop_f = check_positive("gop_s", caller, gop_s)
    gop = max(1, int(round(gop_f * fps_f)))
    for name, flag in (("chat", chat), ("audio", audio), ("video", video),
                       ("overwrite", overwrite)):
        if not isinstance(flag, bool):
            raise fail(name, caller, "a bool", flag)
    if not (audio or video):
        raise fail("audio/video", caller, "True for at least one stream", (audio, video))
    plan = make_plan(duration_s=duration_s, seed=seed, n_moments=n_moments,
                     chat_lag_s=chat_lag_s, genre=genre)

    out = Path(out_dir)
    video_path, chat_path, truth_path = out / VIDEO_NAME, out / CHAT_NAME, out / TRUTH_NAME
    targets = [video_path, truth_path] + ([chat_path] if chat else [])
    if not overwrite:
        existing = [str(p) for p in targets if p.exists()]
        if existing:
            raise OutputExistsError(
                f"Output exists: {', '.join(existing)}. Pass overwrite=True to replace it."
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Cannot create {out}: {exc}") from exc

    # truth restricted to what is written; cuts at the first frame of the new camera
    present = {"audio": audio, "visual": video, "chat": chat}
    moments = tuple(
        Moment(m.start_s, m.end_s, m.peak_s, tuple(k for k in m.kinds if present[k]))
        for m in plan.moments
    )
    cuts = tuple(float(math.ceil(Fraction(c) * fps_q - Fraction(1, 10**6)) / fps_q)
                 for c in plan.cuts_s) if video else ()
    cut_iter = iter(cuts)
    distractors: list[Moment] = []
    for d in plan.distractors:
        if not present[d.kinds[0]]:
            continue
        if "cut" in d.kinds:
            c = next(cut_iter)
            d = Moment(c, c, c, d.kinds)
        distractors.append(d)

    import av

    tmp = video_path.with_name(f".{video_path.name}.{os.getpid()}.tmp.mp4")
    try:
        _encode(tmp, plan, width=width, height=height, fps=fps_q, sr=sr, audio=audio,
                video=video, gop=gop)
        os.replace(tmp, video_path)
    except (av.FFmpegError, OSError) as exc:
        raise ExportError(f"Cannot write {video_path}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)

    if chat:
        times, authors, texts = _chat(plan)
        _write_json_atomic(chat_path, [
            {"time_s": t, "author": a, "text": x}
            for t, a, x in zip(times.tolist(), authors.tolist(), texts.tolist())
        ])
    stream = SynthStream(
        video_path=video_path, chat_path=chat_path if chat else None,
        duration_s=plan.duration_s, moments=moments, distractors=tuple(distractors),
        chat_lag_s=plan.chat_lag_s, seed=plan.seed, cuts_s=cuts, genre=plan.genre,
        truth_path=truth_path,
    )
    _write_json_atomic(truth_path, stream.truth())
    logger.debug("wrote synthetic stream %s (%d moments)", video_path, len(moments))
    return stream
