"""The ground truth of a synthetic stream: planted moments and distractors laid out in time.

:func:`make_plan` is the first of the three levels of :mod:`highlights.synth`; see the
package docstring for how a stream is laid out.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_choice, check_int, check_nonneg, check_positive
from ..errors import InvalidParameterError

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
