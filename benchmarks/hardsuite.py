"""Hard synthetic livestreams with ground truth, independent of ``highlights.synth``.

Why this exists
---------------
The library's defaults were tuned on streams made by ``highlights.synth``.  A method
can look good there because it learned that generator's habits.  This module makes
streams from a *different* model of what real livestreams contain, written without
reading ``synth.py``, so the team can check whether the clip picks hold on streams
the defaults were never tuned on.

Every stream is an encoded ``stream.mp4`` (H.264 + AAC, 320x180, 12 fps, a keyframe
every 2 s) plus a generic JSON chat log ``chat.json`` (``[{"time_s", "author",
"text"}, ...]``, the format :func:`highlights.load_chat` reads as ``generic_json``)
and ``truth.json`` with the planted truth (:class:`HardStream`).

Taxonomy of ingredients
-----------------------
*Moments* (what the audience cares about; the truth span is the **action** onset to
the end of the streamer's reaction, 4-10 s):

* the streamer reacts with their voice: shouts, screams, laughter, excited speech.
  Voice is physically modelled (source-filter): a glottal pulse train at 150-350 Hz
  (jitter and shimmer) excites 3 formant resonators (vowel-dependent F1-F3), in
  syllabic bursts at 3-6 Hz with broadband breath/aspiration noise and consonant
  noise onsets.  Reaction loudness varies per moment (weak moments are only a few dB
  above normal talk);
* most moments also have on-screen action (motion burst, flashes, shake, cuts) with
  game sound effects, exactly like the *action* distractor below: action alone does
  not make a moment;
* chat reacts after a lag (per stream a base lag of 2-30 s, jittered +-3 s per
  moment; for the ``video`` time base, VOD danmaku, 0-1 s) with many **distinct**
  authors and varied multilingual texts (English, emotes, Chinese, Japanese,
  Korean), rising within 1-3 s and decaying over 10-20 s.

*Distractors* (each with its truth span; they never come within 20 s of a moment,
chat reaction tails included):

* ``music_bed``: harmonic chords + a regular beat, loud and flat for 1-5 min (the
  streamer keeps talking over it).  Loud and harmonic, but steady;
* ``intermission``: softer music over a static "BRB" card, nobody talking;
* ``loud_talk``: continuous talking at a raised but steady level (reading donations,
  a rant): loud and voiced, but no burst;
* ``game_action``: explosions (decaying low-passed noise bursts + rumble), gunfire
  (clicks in bursts), beeps (tones); fast motion, shake, flashes and cuts on screen;
  the streamer is quiet and chat does not react;
* ``bot_spam``: one to three bot accounts posting the same text at a steady rate;
* ``copypasta``: a few viewers pasting the same long text over and over;
* ``campaign``: many distinct viewers typing the same phrase for 1-5 min (lottery
  keyword, votes "1"/"2", "F", or the Bilibili "然然超可爱" wall): a chat burst with
  many distinct authors that is *not* a reaction to anything on screen;
* ``raid``: a raid/host arrives: a burst of new authors typing raid messages, then
  the audience and chat rate step up and stay up;
* ``ad_break``: 2-4 ads, each a different loud jingle with an announcer over a
  static picture;
* ``silence``: the streamer is AFK, the game paused: near silence, frozen picture.

Chat density is *sparse* (0.1-0.6 msg/s baseline) or *busy* (50-90 msg/s
baseline), with a slowly drifting rate.  ``kind`` picks the mix of ingredients (see
:data:`KINDS`); ``mixed`` samples from all of them.

Truth conventions
-----------------
* ``moments``: action spans ``(start_s, end_s)`` in media seconds;
* ``chat_lag_s``: per moment, the planted chat *onset* (start of the reaction's
  rate rise) minus the action onset; ``mean_chat_lag_s`` is their mean;
* ``distractors``: ``(start_s, end_s, kind)``; for chat-borne kinds
  (:data:`CHAT_DISTRACTORS`) the span is where the messages are on the media axis.
  A picker that shifts chat back by the lag would put them earlier, so
  :meth:`HardStream.distractor_zones` extends those spans back by the true mean lag;
  scoring uses the zones.

Seeds
-----
:data:`TRAIN_SEEDS` (5000-5099) may be used to fit or tune anything;
:data:`HELDOUT_SEEDS` (9000-9099) are for reporting only: never fit, tune or choose
parameters on them.  :func:`kind_for_seed` cycles the kinds over each range.

Everything is deterministic from the seed (the encoder runs single-threaded);
audio (22.05 kHz mono) and video are generated and encoded in 10 s blocks, so memory
does not grow with the stream's length (only the plan does: syllable, sound-effect
and chat tables).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
F32 = NDArray[np.float32]
I64 = NDArray[np.int64]
U8 = NDArray[np.uint8]

__all__ = [
    "CHAT_DISTRACTORS",
    "DISTRACTOR_KINDS",
    "GENERATOR_VERSION",
    "HELDOUT_SEEDS",
    "KINDS",
    "MEDIA_DISTRACTORS",
    "TRAIN_SEEDS",
    "HardStream",
    "kind_for_seed",
    "load_hard_stream",
    "make_hard_stream",
]

GENERATOR_VERSION = 1
#: Seeds that fitting/tuning may use.
TRAIN_SEEDS: range = range(5000, 5100)
#: Seeds for reporting only (never fit or tune on them).
HELDOUT_SEEDS: range = range(9000, 9100)
#: Stream mixes; ``kind_for_seed`` cycles through them in this order.
KINDS: tuple[str, ...] = ("sparse", "busy", "campaign", "music", "action", "vod_danmaku",
                          "mixed")
CHAT_DISTRACTORS = frozenset({"bot_spam", "copypasta", "campaign", "raid"})
MEDIA_DISTRACTORS = frozenset({"music_bed", "intermission", "loud_talk", "game_action",
                               "ad_break", "silence"})
DISTRACTOR_KINDS: tuple[str, ...] = tuple(sorted(CHAT_DISTRACTORS | MEDIA_DISTRACTORS))

WIDTH, HEIGHT = 320, 180
FPS = 12
SAMPLE_RATE = 22050
GOP_S = 2.0
BLOCK_S = 10.0
MIN_SEP_S = 20.0          # moment <-> distractor separation (footprints)
_START_MARGIN_S = 15.0
_END_MARGIN_S = 5.0
_GRAIN_S = 0.02           # formant impulse response length
_MAX_SYL_S = 1.5          # upper bound of one syllable (for block selection)
_MAX_SFX_S = 4.5          # upper bound of one sound effect

# Nominal truth-span lengths of distractors on a 15 min stream (scaled down on short
# streams, see _layout).
_DUR_RANGE_S: dict[str, tuple[float, float]] = {
    "music_bed": (60.0, 300.0), "intermission": (60.0, 180.0),
    "loud_talk": (60.0, 180.0), "game_action": (8.0, 40.0), "bot_spam": (60.0, 240.0),
    "copypasta": (20.0, 60.0), "campaign": (60.0, 300.0), "raid": (20.0, 40.0),
    "ad_break": (30.0, 90.0), "silence": (30.0, 120.0),
}

# Distractor lists per kind, in priority order (short streams keep the first ones).
_MIXES: dict[str, tuple[str, ...]] = {
    "sparse": ("game_action", "silence", "bot_spam", "loud_talk", "copypasta", "game_action"),
    "busy": ("campaign", "raid", "game_action", "copypasta", "music_bed", "bot_spam"),
    "campaign": ("campaign", "campaign", "bot_spam", "campaign", "game_action"),
    "music": ("music_bed", "ad_break", "loud_talk", "intermission", "music_bed"),
    "action": ("game_action", "game_action", "game_action", "silence", "game_action",
               "music_bed"),
    "vod_danmaku": ("campaign", "game_action", "music_bed", "copypasta", "ad_break"),
}


def kind_for_seed(seed: int) -> str:
    """The stream kind a benchmark seed uses: :data:`KINDS` cycled over ``seed % 100``."""
    return KINDS[(int(seed) % 100) % len(KINDS)]


# ============================================================================ truth
@dataclass(frozen=True)
class HardStream:
    """One generated stream and its planted truth (all times in media seconds).

    Attributes
    ----------
    seed, kind : int, str
        What generated it.
    duration_s : float
        Media duration.
    moments : tuple of (start_s, end_s)
        Action spans of the planted moments (action onset to end of the reaction).
    distractors : tuple of (start_s, end_s, kind)
        Truth spans of the distractors (chat-borne kinds: where the messages are).
    chat_lag_s : tuple of float
        Per moment: planted chat onset minus action onset.
    chat_time_base : {"live", "video"}
        ``live``: chat logged while live (lags 2-30 s); ``video``: VOD danmaku whose
        times are video times (lags 0-1 s).
    density : {"sparse", "busy"}
        Baseline chat density.
    base_chat_rate_hz : float
        Baseline chat rate at the stream start (messages per second).
    moment_types : tuple of str
        ``hype``, ``funny``, ``shock`` or ``fail`` per moment.
    moment_action : tuple of bool
        Whether the moment has on-screen action and game sound.
    moment_strength : tuple of float
        0.4-1: scales the reaction's loudness and the chat peak.
    moment_chat_n, moment_chat_authors : tuple of int
        Reaction messages planted per moment and their distinct authors.
    moment_chat_window_s : tuple of (start_s, end_s)
        Where each moment's reaction messages lie (onset to end of decay).
    n_messages : int
        Messages in ``chat.json``.
    """

    seed: int
    kind: str
    duration_s: float
    moments: tuple[tuple[float, float], ...]
    distractors: tuple[tuple[float, float, str], ...]
    chat_lag_s: tuple[float, ...]
    chat_time_base: str
    density: str
    base_chat_rate_hz: float
    moment_types: tuple[str, ...]
    moment_action: tuple[bool, ...]
    moment_strength: tuple[float, ...]
    moment_chat_n: tuple[int, ...]
    moment_chat_authors: tuple[int, ...]
    moment_chat_window_s: tuple[tuple[float, float], ...]
    n_messages: int
    directory: str = ""
    fps: int = FPS
    sample_rate: int = SAMPLE_RATE
    width: int = WIDTH
    height: int = HEIGHT
    generator_version: int = GENERATOR_VERSION

    @property
    def video_path(self) -> Path:
        """The encoded stream."""
        return Path(self.directory) / "stream.mp4"

    @property
    def chat_path(self) -> Path:
        """The chat log (generic JSON)."""
        return Path(self.directory) / "chat.json"

    @property
    def mean_chat_lag_s(self) -> float:
        """True mean chat lag: mean over moments of chat onset minus action onset."""
        return float(np.mean(self.chat_lag_s)) if self.chat_lag_s else 0.0

    def distractor_zones(self) -> tuple[tuple[float, float, str], ...]:
        """Distractor spans as scored: chat-borne spans extended back by the mean lag."""
        lag = self.mean_chat_lag_s
        return tuple((max(0.0, a - lag) if k in CHAT_DISTRACTORS else a, b, k)
                     for a, b, k in self.distractors)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``truth.json``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HardStream:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d["moments"] = tuple((float(a), float(b)) for a, b in d["moments"])
        d["distractors"] = tuple((float(a), float(b), str(k)) for a, b, k in d["distractors"])
        d["moment_chat_window_s"] = tuple((float(a), float(b))
                                          for a, b in d["moment_chat_window_s"])
        for key in ("chat_lag_s", "moment_types", "moment_action", "moment_strength",
                    "moment_chat_n", "moment_chat_authors"):
            d[key] = tuple(d[key])
        return cls(**d)


def load_hard_stream(path_dir: str | Path) -> HardStream:
    """Read the truth of a stream generated earlier into ``path_dir``."""
    d = Path(path_dir)
    hs = HardStream.from_dict(json.loads((d / "truth.json").read_text(encoding="utf-8")))
    return replace(hs, directory=str(d))


# ============================================================================ plan
@dataclass
class _Item:
    """A planted ingredient during layout: truth span plus its footprint margins."""

    role: str                  # "moment" or a distractor kind
    length: float
    lo: float                  # shortest acceptable length (distractors)
    pre: float = 0.0           # footprint before start (chat-borne: where a lag maps it)
    post: float = 0.0          # footprint after end (moments: the chat reaction tail)
    start: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def end(self) -> float:
        return self.start + self.length


@dataclass
class _Voice:
    """Syllable table: each row one syllable (consonant noise + voiced part)."""

    t0: F64            # syllable start (consonant onset), s
    cons: F64          # consonant/aspiration noise length before voicing, s
    dur: F64           # voiced length, s
    f0a: F64           # f0 at voicing start, Hz
    f0b: F64           # f0 at voicing end, Hz
    fm: F64            # (n, 3) formant frequencies, Hz
    db: F64            # RMS level of the voiced part, dBFS
    breath: F64        # aspiration noise level relative to voiced RMS
    hp: F64            # 1 = fricative-like (high-passed) onset, 0 = aspiration
    press: F64         # 0 = modal voice, 1 = pressed/shouted (stronger F2/F3)

    @staticmethod
    def cat(parts: Sequence[_Voice]) -> _Voice:
        parts = [p for p in parts if len(p.t0)]
        if not parts:
            z = np.zeros(0)
            return _Voice(z, z, z, z, z, np.zeros((0, 3)), z, z, z, z)
        out = _Voice(*(np.concatenate([getattr(p, f) for p in parts])
                       for f in ("t0", "cons", "dur", "f0a", "f0b", "fm", "db", "breath",
                                 "hp", "press")))
        o = np.argsort(out.t0, kind="stable")
        return out.take(o)

    def take(self, idx: NDArray[Any]) -> _Voice:
        return _Voice(self.t0[idx], self.cons[idx], self.dur[idx], self.f0a[idx],
                      self.f0b[idx], self.fm[idx], self.db[idx], self.breath[idx],
                      self.hp[idx], self.press[idx])

    def drop_in(self, spans: Sequence[tuple[float, float]]) -> _Voice:
        """Remove syllables that overlap any span."""
        if not spans or not len(self.t0):
            return self
        keep = np.ones(len(self.t0), bool)
        end = self.t0 + self.cons + self.dur
        for a, b in spans:
            keep &= (end <= a) | (self.t0 >= b)
        return self.take(np.flatnonzero(keep))


# Vowel formants (F1, F2, F3) of an adult male voice, Hz: /a/ /e/ /i/ /o/ /u/.
_VOWELS = np.array([[730, 1090, 2440], [530, 1840, 2480], [270, 2290, 3010],
                    [570, 840, 2410], [300, 870, 2240]], float)


def _voice(rng: np.random.Generator, t0: F64, cons: F64, dur: F64, f0a: F64, f0b: F64,
           vowel: I64, fscale: float, db: F64, breath: float | F64, hp: F64 | float = 0.0,
           press: float = 0.0, f1_boost: float = 1.0) -> _Voice:
    n = len(t0)
    fm = _VOWELS[vowel] * fscale * rng.uniform(0.95, 1.05, (n, 1))
    fm[:, 0] *= f1_boost
    full = np.ones(n)
    return _Voice(t0, cons, dur, np.clip(f0a, 60, 420), np.clip(f0b, 60, 420), fm, db,
                  breath * full, hp * full, press * full)


def _talk(rng: np.random.Generator, a: float, b: float, *, f0: float, fscale: float,
          db: float, rate_hz: float, phrase_s: tuple[float, float],
          pause_s: tuple[float, float], breath: float = 0.08, press: float = 0.0,
          keep_p: float = 1.0) -> _Voice:
    """Conversational speech in ``[a, b)``: phrases of syllables with pauses.

    Phrases decline in pitch and level (declination); syllables carry consonant
    noise onsets and small pitch accents.  ``keep_p`` < 1 thins out phrases (a
    streamer who concentrates on the game).
    """
    if b - a < 0.5:
        return _Voice.cat([])
    mean = sum(phrase_s) / 2 + sum(pause_s) / 2
    m = int((b - a) / mean * 1.4) + 4
    ph = rng.uniform(*phrase_s, m)
    pa = rng.uniform(*pause_s, m) * rng.choice([1.0, 1.0, 1.0, 2.5], m)
    starts = a + rng.uniform(0, pause_s[1]) + np.concatenate([[0.0], np.cumsum(ph + pa)[:-1]])
    ok = (starts + ph <= b) & (rng.random(m) < keep_p)
    starts, ph = starts[ok], ph[ok]
    if not len(starts):
        return _Voice.cat([])
    counts = np.maximum(1, np.round(ph * rate_hz * rng.uniform(0.85, 1.15, len(ph)))).astype(int)
    pid = np.repeat(np.arange(len(ph)), counts)
    k = np.arange(len(pid)) - np.repeat(np.cumsum(counts) - counts, counts)
    slot = (ph / counts)[pid]
    pos = k / counts[pid]
    n = len(pid)
    t0 = starts[pid] + k * slot + rng.uniform(0, 0.1, n) * slot
    cons = np.where(rng.random(n) < 0.6, rng.uniform(0.02, 0.07, n), 0.0)
    dur = slot * rng.uniform(0.5, 0.8, n) - cons
    dur = np.maximum(dur, 0.04)
    fr = f0 * (1.15 - 0.3 * pos) * np.exp(rng.normal(0, 0.06, n))
    f0a = fr * (1 + rng.normal(0, 0.03, n))
    f0b = fr * (1 + rng.normal(0, 0.05, n))
    lvl = db + rng.normal(0, 1.5, len(ph))[pid] + rng.normal(0, 2.0, n) - 3.0 * pos
    vowel = rng.integers(0, 5, n)
    hp = (rng.random(n) < 0.4).astype(float)
    return _voice(rng, t0, cons, dur, f0a, f0b, vowel, fscale, lvl, breath, hp, press)


def _laugh(rng: np.random.Generator, t: float, n_syl: int, *, f0: float, fscale: float,
           db: float) -> _Voice:
    """A laughter bout: "ha-ha-ha" at 4.5-6 Hz, aspirated onsets, falling pitch."""
    rate = rng.uniform(4.5, 6.0)
    k = np.arange(n_syl)
    t0 = t + k / rate + rng.normal(0, 0.01, n_syl)
    cons = rng.uniform(0.03, 0.06, n_syl)
    dur = (1 / rate) * rng.uniform(0.45, 0.6, n_syl)
    fall = np.linspace(1.0, 0.72, n_syl)
    f0a = f0 * fall * rng.uniform(0.97, 1.05, n_syl)
    f0b = f0a * rng.uniform(0.85, 0.95, n_syl)
    lvl = db - 0.3 * k + rng.normal(0, 1.0, n_syl)
    vowel = rng.choice([0, 1], n_syl)
    return _voice(rng, t0, cons, dur, f0a, f0b, vowel, fscale, lvl, 0.35, 0.0, 0.3, 1.1)


def _long_voiced(rng: np.random.Generator, t: float, length: float, *, f0a: float,
                 f0b: float, vowel: int, fscale: float, db: float, press: float) -> _Voice:
    """One long vowel: a shout, scream or groan."""
    one = np.ones(1)
    return _voice(rng, t * one, np.array([rng.uniform(0.0, 0.04)]), length * one,
                  f0a * one, f0b * one, np.array([vowel]), fscale, db * one, 0.18, 0.0,
                  press, 1.15 if vowel in (0, 3) else 1.0)


def _reaction(rng: np.random.Generator, kind: str, a: float, b: float, *, voice_f0: float,
              fscale: float, db: float) -> _Voice:
    """The streamer's vocal reaction filling ``[a, b)``.

    hype: a shout then excited speech; funny: laughter bouts and speech; shock: a
    scream then speech; fail: a groan then laughter.  Reaction pitch is 150-350 Hz
    (raised voice), louder than normal talk by the caller's ``db``.
    """
    hi = float(np.clip(voice_f0 * rng.uniform(1.7, 2.3), 240, 340))
    parts: list[_Voice] = []
    t = a
    step = 0
    while t < b - 0.35:
        room = b - t
        if step == 0 and kind in ("hype", "shock"):
            ln = min(room, rng.uniform(0.4, 0.8) if kind == "hype" else rng.uniform(0.7, 1.2))
            f_end = hi * (0.9 if kind == "hype" else 1.03)
            parts.append(_long_voiced(rng, t, ln, f0a=hi, f0b=min(f_end, 350), vowel=0,
                                      fscale=fscale, db=db + (1.0 if kind == "shock" else 0.0),
                                      press=1.0))
            t += ln + rng.uniform(0.1, 0.3)
        elif step == 0 and kind == "fail":
            ln = min(room, rng.uniform(0.5, 0.9))
            g = float(np.clip(hi * 0.62, 150, 220))
            parts.append(_long_voiced(rng, t, ln, f0a=g, f0b=max(150, g * 0.75), vowel=3,
                                      fscale=fscale, db=db - 4, press=0.5))
            t += ln + rng.uniform(0.1, 0.3)
        elif kind in ("funny", "fail") and step % 2 == (0 if kind == "funny" else 1):
            n = int(min(room * 5, int(rng.integers(5, 16))))
            if n < 2:
                break
            lv = _laugh(rng, t, n, f0=min(hi * 1.05, 345), fscale=fscale, db=db - 1.5)
            parts.append(lv)
            t = float(lv.t0[-1] + lv.cons[-1] + lv.dur[-1]) + rng.uniform(0.1, 0.4)
        else:
            ln = min(room, rng.uniform(1.0, 2.5))
            ex = _excited(rng, t, t + ln, f0=float(np.clip(hi * 0.85, 170, 300)),
                          fscale=fscale, db=db - 2)
            parts.append(ex)
            t += ln + rng.uniform(0.05, 0.25)
        step += 1
    out = _Voice.cat(parts)
    out.f0a = np.clip(out.f0a, 150, 350)
    out.f0b = np.clip(out.f0b, 150, 350)
    return out


def _excited(rng: np.random.Generator, a: float, b: float, *, f0: float, fscale: float,
             db: float) -> _Voice:
    """Fast, loud, nearly continuous speech (5-6 syllables/s, pitch accents)."""
    rate = rng.uniform(5.0, 6.0)
    n = max(1, int((b - a) * rate))
    slot = (b - a) / n
    k = np.arange(n)
    t0 = a + k * slot + rng.uniform(0, 0.05, n) * slot
    cons = np.where(rng.random(n) < 0.5, rng.uniform(0.015, 0.05, n), 0.0)
    dur = np.maximum(slot * rng.uniform(0.65, 0.85, n) - cons, 0.04)
    fr = f0 * np.exp(rng.normal(0, 0.08, n))
    f0a = fr * (1 + rng.normal(0, 0.04, n))
    f0b = fr * (1 + rng.normal(0, 0.06, n))
    lvl = db + rng.normal(0, 1.5, n)
    vowel = rng.integers(0, 5, n)
    hp = (rng.random(n) < 0.3).astype(float)
    return _voice(rng, t0, cons, dur, f0a, f0b, vowel, fscale, lvl, 0.15, hp, 0.6, 1.1)


@dataclass
class _Sfx:
    """Sound-effect table: 0 beep (tone), 1 gunshot (click), 2 explosion."""

    t: F64
    kind: I64
    dur: F64
    db: F64
    param: F64          # beep: frequency Hz; explosion: decay constant s; shot: unused

    @staticmethod
    def cat(parts: Sequence[_Sfx]) -> _Sfx:
        parts = list(parts)
        if not parts:
            z = np.zeros(0)
            return _Sfx(z, np.zeros(0, np.int64), z, z, z)
        t = np.concatenate([p.t for p in parts])
        o = np.argsort(t, kind="stable")
        return _Sfx(t[o], np.concatenate([p.kind for p in parts])[o],
                    np.concatenate([p.dur for p in parts])[o],
                    np.concatenate([p.db for p in parts])[o],
                    np.concatenate([p.param for p in parts])[o])


def _sfx(t: Sequence[float] | F64, kind: int, dur: Sequence[float] | F64,
         db: Sequence[float] | F64, param: Sequence[float] | F64) -> _Sfx:
    tt = np.asarray(t, float)
    return _Sfx(tt, np.full(len(tt), kind, np.int64), np.asarray(dur, float) * np.ones(len(tt)),
                np.asarray(db, float) * np.ones(len(tt)),
                np.asarray(param, float) * np.ones(len(tt)))


def _explosions(rng: np.random.Generator, times: F64, db: tuple[float, float]) -> _Sfx:
    tau = rng.uniform(0.25, 0.8, len(times))
    return _sfx(times, 2, np.minimum(5 * tau + 0.05, _MAX_SFX_S),
                rng.uniform(*db, len(times)), tau)


def _gunfire(rng: np.random.Generator, starts: F64, db: tuple[float, float]) -> _Sfx:
    n = rng.integers(3, 13, len(starts))
    rate = rng.uniform(8, 12, len(starts))
    sid = np.repeat(np.arange(len(starts)), n)
    k = np.arange(len(sid)) - np.repeat(np.cumsum(n) - n, n)
    t = starts[sid] + k / rate[sid] + rng.normal(0, 0.004, len(sid))
    return _sfx(t, 1, [0.08], rng.uniform(*db, len(starts))[sid], [0.0])


def _beeps(rng: np.random.Generator, times: F64, db: tuple[float, float]) -> _Sfx:
    return _sfx(times, 0, rng.uniform(0.08, 0.2, len(times)), rng.uniform(*db, len(times)),
                rng.choice([660.0, 880.0, 988.0, 1320.0, 1760.0], len(times)))


def _poisson_times(rng: np.random.Generator, a: float, b: float, rate_hz: float) -> F64:
    n = rng.poisson(max(0.0, (b - a) * rate_hz))
    return np.sort(rng.uniform(a, b, n))


@dataclass
class _Music:
    """A music segment: chords + beat (``bed``), a soft pad (``pad``) or a jingle."""

    start: float
    end: float
    style: str               # "bed", "pad", "jingle"
    bpm: float
    chords: F64              # (n_chords, 4) frequencies Hz (bass + triad)
    db: float
    fade_s: float
    gain: float = 1.0        # calibrated so the segment's RMS is ``db``


@dataclass
class _Card:
    """A static picture: an ad, the BRB card, or the paused game."""

    start: float
    end: float
    kind: str                # "ad", "brb", "pause"
    colour: tuple[int, ...]
    seed: int


@dataclass
class _Plan:
    seed: int
    kind: str
    duration_s: float
    density: str
    time_base: str
    moments: list[_Item]
    distractors: list[_Item]
    voice: _Voice
    sfx: _Sfx
    music: list[_Music]
    cards: list[_Card]
    action: F64                 # (n, 3): start, end, intensity of on-screen action
    scene_cuts: F64             # ordinary scene cuts (gameplay camera/map changes)
    pan_px_s: float             # steady camera pan speed (0 = static camera)
    flicks: F64                 # (n, 3): start, length, speed px/s of quick camera turns
    bed_db: float               # game ambience level
    bed_off: list[tuple[float, float, float]]  # spans with game bed gain (a, b, gain)
    chat: list[dict[str, Any]]
    base_rate_hz: float
    lags: list[float]
    chat_n: list[int]
    chat_authors: list[int]
    chat_windows: list[tuple[float, float]]


def _layout(rng: np.random.Generator, duration_s: float, moments: list[_Item],
            distractors: list[_Item], min_moments: int) -> tuple[list[_Item], list[_Item]]:
    """Place moments and distractors at random without overlap.

    Footprints (truth span plus ``pre``/``post``) of a moment and a distractor stay
    :data:`MIN_SEP_S` apart; two distractors 10 s, two moments 8 s.  If everything
    does not fit, distractors are shortened (down to their shortest length) and then
    dropped (down to half of them); then consecutive moments may share chat tails
    (only their action spans stay 10 s apart) and more distractors, finally moments,
    are dropped.
    """
    start_margin = min(_START_MARGIN_S, 0.05 * duration_s)
    avail = duration_s - start_margin - _END_MARGIN_S

    def place(items: list[_Item], slack: F64, compact: bool) -> float:
        reach_m = reach_d = -1e9
        last_m_end = -1e9
        prev_m = False
        pos = start_margin
        for it, sl in zip(items, slack):
            fs = pos
            if it.role == "moment":
                fs = max(fs, reach_d + MIN_SEP_S)
                fs = max(fs, (last_m_end + 10.0) if (compact and prev_m) else reach_m + 8.0)
            else:
                fs = max(fs, reach_m + MIN_SEP_S, reach_d + 10.0)
            it.start = fs + sl + it.pre
            fe = it.end + it.post
            if it.role == "moment":
                reach_m = max(reach_m, fe)
                last_m_end = it.end
            else:
                reach_d = max(reach_d, fe)
            prev_m = it.role == "moment"
            pos = it.start - it.pre
        return max(reach_m, reach_d)

    ds = list(distractors)
    ms = list(moments)
    keep_d = (len(ds) + 1) // 2
    for compact in (False, True):
        while True:
            for shrink in (1.0, 0.75, 0.5, 0.25, 0.0):
                for d in ds:
                    d.length = d.lo + (d.params["nominal"] - d.lo) * shrink
                items = ms + ds
                items = [items[i] for i in rng.permutation(len(items))]
                need = place(items, np.zeros(len(items)), compact) - start_margin
                if need <= avail:
                    slack = (avail - need) * rng.dirichlet(np.ones(len(items) + 1))[:-1]
                    place(items, slack, compact)
                    return ms, ds
            if len(ds) > (keep_d if not compact else 0):
                ds.pop()
            elif compact and len(ms) > min_moments:
                ms.pop()
            else:
                break
    raise ValueError(f"duration_s={duration_s} is too short for {min_moments} moments")


# Chat vocabularies.  Baseline chatter is varied and includes a little casual
# laughter, so reaction words alone are not a perfect tell.
_BASE_TEXT = {
    "en": ["hi chat", "hello", "what game is this", "first time here", "gg", "o7",
           "what rank is he", "how long has he been live", "nice", "lol", "true",
           "that's crazy", "any tips?", "hello from brazil", "W streamer", "lmao", "based",
           "is this ranked?", "KEKW", "LUL", "Kappa", "monkaS", "what's the song",
           "he always does this", "play the other map", "!uptime", "ok", "hmm", "xD",
           "where are you from?", "sub hype", "this chat is wild", "PogChamp"],
    "zh": ["主播好", "来了来了", "这是什么游戏", "晚上好", "打卡", "主播今天播多久",
           "哈哈", "好家伙", "？", "这波可以", "前排", "路过", "支持一下", "加油",
           "666", "笑死", "确实"],
    "ja": ["こんばんは", "初見です", "草", "かわいい", "おつ", "うまい", "それな",
           "なるほど", "ｗ"],
    "ko": ["안녕하세요", "ㅎㅇ", "ㅋㅋ", "오늘 뭐해요", "화이팅", "굿", "ㄹㅇ"],
}
_REACT_TEXT = {
    "hype": {"en": ["LETS GO", "LETSGOOO", "POG", "PogChamp", "no way", "NO WAY", "insane",
                    "OMG that was insane", "GG", "clip it", "CLIP IT", "HOLY", "W", "EZ",
                    "what a play", "🔥🔥🔥", "POGGERS"],
             "zh": ["牛逼", "太强了", "卧槽", "nb", "神了", "666666", "这也行"],
             "ja": ["すごい", "神", "ナイス", "うますぎ", "やば"],
             "ko": ["대박", "미쳤다", "ㄷㄷㄷ", "와"]},
    "funny": {"en": ["LOL", "LMAO", "KEKW", "OMEGALUL", "😂😂😂", "hahaha", "LUL", "xD",
                     "I'm dying", "💀💀"],
              "zh": ["哈哈哈哈哈", "笑死", "草", "hhhhh", "笑死我了", "绷不住了"],
              "ja": ["草", "www", "wwwww", "笑った", "草生える"],
              "ko": ["ㅋㅋㅋㅋㅋ", "ㅋㅋㅋ", "ㅎㅎㅎ"]},
    "shock": {"en": ["OMG", "WTF", "what???", "???", "WHAT", "monkaS", "bro", "no shot"],
              "zh": ["？？？", "卧槽", "我靠", "啊？", "吓死"],
              "ja": ["えっ", "は？", "こわ", "ファ！？"],
              "ko": ["헐", "뭐야", "ㄷㄷ"]},
    "fail": {"en": ["F", "RIP", "noooo", "💀", "unlucky", "oof", "L", "bruh", "throw"],
             "zh": ["寄", "可惜", "草", "哎", "下次一定"],
             "ja": ["あーあ", "どんまい", "草"],
             "ko": ["ㅠㅠ", "아깝다", "ㅋㅋ"]},
}
_DANMAKU_BASE = ["来了", "打卡", "前排", "好听", "hhhh", "哈哈哈", "233333", "awsl", "？",
                 "名场面", "第一次看", "又来看了", "爷青回", "泪目", "好耶", "草", "www",
                 "这集好看", "合影", "经典", "来了老弟", "可爱", "好家伙"]
_DANMAKU_REACT = ["哈哈哈哈哈哈", "233333", "卧槽", "名场面", "笑死", "awsl", "高能",
                  "！！！", "草", "www", "绷不住了", "好活", "牛", "哈哈哈哈哈哈哈哈", "？？？？"]
_SUFFIX = ["", "", "", "", "!", "!!!", " PogChamp", " KEKW", " 🔥", " 😂", "?", " lol"]
_CAMPAIGN = {
    "lottery": ["!lottery"], "enter": ["!enter"], "vote": ["1", "2"], "f": ["F"],
    "ranran": ["然然超可爱"], "choujiang": ["抽奖"], "plus1": ["+1"],
}
_SPAM = ["Wanna become famous? Buy followers, primes and viewers on bigfollows . com",
         "Follow me on twitter for giveaways!! twitter.com/giveaway_king",
         "关注主播不迷路 点点关注",
         "🔥 Check out my channel, I stream every day 🔥",
         "!discord -> join the community discord"]
_PASTA = ["I'm not saying he's bad, but if skill were money he'd be asking me for a loan",
          "This is the moment the streamer realised chat was right all along. Legendary.",
          "前方是我们的主播，请大家保持安静，他正在思考人生",
          "DONT COPY THIS SPAM DONT COPY THIS SPAM DONT COPY THIS SPAM"]
_RAID_TEXT = ["RAID", "RAID RAID RAID", "raid hype!!", "hi from the raid", "hasRaid hasRaid",
              "we are here", "raid from {who}", "{who} sent us", "<3 raid", "来了来了 raid"]
_ADJ = ["night", "pixel", "shadow", "lucky", "moon", "tofu", "neko", "kimchi", "dragon",
        "salt", "frost", "blue", "tiny", "chill", "spicy", "retro"]
_NOUN = ["fox", "cat", "wolf", "king", "bean", "byte", "star", "gamer", "panda", "ninja",
         "otter", "sama"]


def _author(i: int, numeric: bool) -> str:
    if numeric:
        return str(100_000_000 + (i * 7919) % 899_999_999)
    return f"{_ADJ[i % len(_ADJ)]}{_NOUN[(i // len(_ADJ)) % len(_NOUN)]}{i}"


def _texts(rng: np.random.Generator, pools: dict[str, list[str]], lang_p: dict[str, float],
           n: int, vary: bool) -> list[str]:
    """``n`` texts: a language per message, a phrase, then casual variation."""
    langs = [k for k in lang_p if k in pools]
    p = np.array([lang_p[k] for k in langs])
    li = rng.choice(len(langs), n, p=p / p.sum())
    pick = rng.random(n)
    rep = rng.integers(0, 4, n)
    suf = rng.integers(0, len(_SUFFIX), n)
    case = rng.random(n)
    out: list[str] = []
    for j in range(n):
        pool = pools[langs[li[j]]]
        t = pool[int(pick[j] * len(pool))]
        if vary:
            last = t[-1]
            if rep[j] and (last.isalpha() or last in "哈ㅋw草!?？0123456789"):
                t = t + last * int(rep[j])
            if langs[li[j]] == "en":
                if case[j] < 0.12:
                    t = t.lower()
                elif case[j] < 0.25:
                    t = t.upper()
                t = t + _SUFFIX[suf[j]]
        out.append(t)
    return out


def _rate_profile(grid: F64, onset: float, rise: float, decay: float) -> F64:
    """Reaction rate shape: linear rise over ``rise`` s, exponential decay (tau = decay/3)."""
    x = grid - onset
    up = np.clip(x / rise, 0, 1)
    down = np.exp(-np.clip(x - rise, 0, None) / (decay / 3.0))
    return np.where((x >= 0) & (x <= rise + decay), up * down, 0.0)


def _sample_times(rng: np.random.Generator, grid: F64, rate: F64, dt: float) -> F64:
    c = rng.poisson(np.clip(rate, 0, None) * dt)
    return np.repeat(grid, c) + rng.uniform(0, dt, int(c.sum()))


class _ChatLog:
    """Collects (time, author id, text) triples from every chat ingredient."""

    def __init__(self, numeric: bool) -> None:
        self.t: list[F64] = []
        self.a: list[I64] = []
        self.x: list[list[str]] = []
        self.names: dict[int, str] = {}
        self.numeric = numeric

    def add(self, t: F64, authors: I64, texts: list[str]) -> None:
        self.t.append(np.asarray(t, float))
        self.a.append(np.asarray(authors, np.int64))
        self.x.append(list(texts))

    def name(self, i: int) -> str:
        return self.names.get(i) or _author(i, self.numeric)

    def rows(self, duration_s: float) -> list[dict[str, Any]]:
        if not self.t:
            return []
        t = np.concatenate(self.t)
        a = np.concatenate(self.a)
        x = [s for part in self.x for s in part]
        o = np.argsort(t, kind="stable")
        rows = []
        for i in o:
            if 0.0 <= t[i] < duration_s:
                rows.append({"time_s": round(float(t[i]), 3), "author": self.name(int(a[i])),
                             "text": x[i]})
        return rows


def _plan(seed: int, duration_s: float, kind: str, *, n_moments: int | None,
          base_lag_s: float | None, distractor_kinds: Sequence[str] | None,
          density: str | None) -> _Plan:
    """Draw every ingredient of a stream (no samples or pixels yet)."""
    rng = np.random.default_rng([seed, 0, GENERATOR_VERSION])
    D = float(duration_s)
    short = D < 300
    time_base = "video" if kind == "vod_danmaku" else "live"
    if density is None:
        density = {"sparse": "sparse", "busy": "busy"}.get(kind) or \
            str(rng.choice(["sparse", "busy"]))
    # ---- lags
    if time_base == "live":
        base_lag = float(base_lag_s) if base_lag_s is not None else float(rng.uniform(2, 30))
    else:
        base_lag = float(base_lag_s) if base_lag_s is not None else float(rng.uniform(0.2, 0.6))
    # ---- moments
    nm = n_moments if n_moments is not None else (6 if D >= 600 else max(4, int(D / 150) + 3))
    mts = ["hype", "funny", "shock", "fail"]
    moments: list[_Item] = []
    for _ in range(nm):
        mtype = str(rng.choice(mts))
        length = float(rng.uniform(4, 6) if short else rng.uniform(4, 10))
        if time_base == "live":
            lag = max(0.5, base_lag + float(rng.uniform(-3, 3)))
        else:
            lag = float(np.clip(base_lag + rng.uniform(-0.5, 0.5), 0.0, 1.0))
        rise = float(rng.uniform(1, 3))
        decay = float(rng.uniform(10, 20))
        p_action = 1.0 if kind == "action" else (0.2 if mtype == "funny" else 0.75)
        moments.append(_Item("moment", length, length, 0.0,
                             max(0.0, lag + rise + decay - length),
                             params={"type": mtype, "lag": lag, "rise": rise, "decay": decay,
                                     "action": bool(rng.random() < p_action),
                                     "strength": float(rng.uniform(0.4, 1.0)),
                                     "delay": float(rng.uniform(0.2, 0.8))}))
    # ---- distractors
    if distractor_kinds is None:
        if kind == "mixed":
            pool = sorted(DISTRACTOR_KINDS)
            dk = [str(k) for k in rng.choice(pool, 6, replace=False)]
        else:
            if kind not in _MIXES:
                raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
            dk = list(_MIXES[kind])
        n_d = len(dk) if D >= 600 else max(1, min(len(dk), int(round(len(dk) * D / 600))))
        dk = dk[:n_d]
    else:
        dk = list(distractor_kinds)
        bad = set(dk) - set(DISTRACTOR_KINDS)
        if bad:
            raise ValueError(f"unknown distractor kinds {sorted(bad)}")
    scale = min(1.0, D / 900.0)
    distractors: list[_Item] = []
    for k in dk:
        lo, hi = _DUR_RANGE_S[k]
        lo_s, hi_s = max(8.0, lo * scale), max(10.0, hi * scale)
        nominal = float(rng.uniform(lo_s, hi_s))
        pre = base_lag + 3.0 if k in CHAT_DISTRACTORS else 0.0
        distractors.append(_Item(k, nominal, lo_s, pre, 0.0, params={"nominal": nominal}))
    moments, distractors = _layout(rng, D, moments, distractors, min_moments=min(nm, 4))
    moments.sort(key=lambda m: m.start)
    distractors.sort(key=lambda d: d.start)

    # ---- the streamer's voice
    female = bool(rng.random() < 0.4)
    f0_base = float(rng.uniform(175, 235) if female else rng.uniform(95, 140))
    fscale = 1.15 if female else 1.0
    talk_db = float(rng.uniform(-28, -24))
    no_talk = [(d.start, d.end) for d in distractors
               if d.role in ("intermission", "ad_break", "silence", "loud_talk")]
    busy_spans = [(m.start - 0.5, m.end + 0.5) for m in moments]
    voice_parts: list[_Voice] = []
    talk = _talk(rng, 0.0, D, f0=f0_base, fscale=fscale, db=talk_db,
                 rate_hz=float(rng.uniform(3.8, 5.0)), phrase_s=(0.8, 4.0), pause_s=(0.2, 2.0))
    # concentrating: fewer phrases during game action
    focus = [(d.start, d.end) for d in distractors if d.role == "game_action"]
    if focus:
        end = talk.t0 + talk.cons + talk.dur
        drop = np.zeros(len(talk.t0), bool)
        for a, b in focus:
            drop |= (end > a) & (talk.t0 < b) & (rng.random(len(talk.t0)) < 0.6)
        talk = talk.take(np.flatnonzero(~drop))
    voice_parts.append(talk.drop_in(no_talk + busy_spans))
    for m in moments:
        s = m.params["strength"]
        db = talk_db + 4.0 + s * float(rng.uniform(6, 10))
        m.params["reaction_db"] = db
        voice_parts.append(_reaction(rng, m.params["type"], m.start + m.params["delay"], m.end,
                                     voice_f0=f0_base, fscale=fscale, db=db))
    for d in distractors:
        if d.role == "loud_talk":
            voice_parts.append(_talk(rng, d.start, d.end, f0=f0_base * 1.12, fscale=fscale,
                                     db=talk_db + float(rng.uniform(6, 8)),
                                     rate_hz=float(rng.uniform(4.5, 5.5)), phrase_s=(2.0, 6.0),
                                     pause_s=(0.1, 0.4), breath=0.1, press=0.3))
    # ---- music, ads, cards
    music: list[_Music] = []
    cards: list[_Card] = []
    bed_off: list[tuple[float, float, float]] = []
    key = float(rng.uniform(0, 12))

    def chords(n: int, octave_shift: float = 0.0) -> F64:
        prog = [[0, 4, 7], [7, 11, 14], [9, 12, 16], [5, 9, 12], [2, 5, 9], [4, 7, 11]]
        pick = rng.choice(len(prog), n)
        root = 57.0 + key + octave_shift       # A3 + key
        rows = []
        for i in pick:
            tri = [root + x for x in prog[i]]
            rows.append([tri[0] - 24] + tri)
        return np.asarray(440.0 * 2 ** ((np.array(rows) - 69) / 12), float)

    for d in distractors:
        if d.role == "music_bed":
            music.append(_Music(d.start, d.end, "bed", float(rng.uniform(90, 140)), chords(4),
                                float(rng.uniform(-17, -13)), 1.5))
        elif d.role == "intermission":
            music.append(_Music(d.start, d.end, "pad", float(rng.uniform(70, 95)), chords(4, -3),
                                float(rng.uniform(-23, -19)), 2.0))
            colour = tuple(int(c) for c in rng.integers(20, 90, 3))
            cards.append(_Card(d.start, d.end, "brb", colour, int(rng.integers(1 << 30))))
            bed_off.append((d.start, d.end, 0.0))
        elif d.role == "ad_break":
            n_ads = int(rng.integers(2, 5))
            share = rng.uniform(0.7, 1.3, n_ads)
            cuts = np.cumsum(share / share.sum())[:-1]
            edges = np.concatenate([[d.start], d.start + cuts * d.length, [d.end]])
            for a, b in zip(edges[:-1], edges[1:]):
                music.append(_Music(float(a), float(b), "jingle", float(rng.uniform(125, 165)),
                                    chords(4, float(rng.integers(-5, 6))),
                                    float(rng.uniform(-13, -10)), 0.05))
                cards.append(_Card(float(a), float(b), "ad",
                                   tuple(int(c) for c in rng.integers(60, 255, 3)),
                                   int(rng.integers(1 << 30))))
                voice_parts.append(_talk(rng, float(a) + 0.5, float(b) - 0.3,
                                         f0=float(rng.choice([115.0, 205.0])), fscale=1.05,
                                         db=float(rng.uniform(-18, -15)), rate_hz=4.2,
                                         phrase_s=(1.5, 3.5), pause_s=(0.15, 0.5),
                                         breath=0.06, press=0.4))
            bed_off.append((d.start, d.end, 0.0))
        elif d.role == "silence":
            cards.append(_Card(d.start, d.end, "pause", (0, 0, 0), int(rng.integers(1 << 30))))
            bed_off.append((d.start, d.end, 0.06))
    voice = _Voice.cat(voice_parts)

    # ---- sound effects and on-screen action
    sfx_parts = [
        _beeps(rng, _poisson_times(rng, 0, D, 0.05), (-34, -28)),
        _gunfire(rng, _poisson_times(rng, 0, D, 0.02), (-32, -26)),
    ]
    action_rows: list[list[float]] = []
    for d in distractors:
        if d.role == "game_action":
            sfx_parts.append(_explosions(rng, _poisson_times(rng, d.start, d.end,
                                                              float(rng.uniform(0.25, 0.6))),
                                         (-16, -11)))
            sfx_parts.append(_gunfire(rng, _poisson_times(rng, d.start, d.end,
                                                          float(rng.uniform(0.4, 1.0))),
                                      (-18, -13)))
            sfx_parts.append(_beeps(rng, _poisson_times(rng, d.start, d.end,
                                                        float(rng.uniform(0.2, 0.5))), (-26, -20)))
            action_rows.append([d.start, d.end, float(rng.uniform(0.6, 1.0))])
    for m in moments:
        if not m.params["action"]:
            continue
        # the action's own sound at its onset, short so the reaction is heard over it
        if rng.random() < 0.6:
            boom = _explosions(rng, np.array([m.start]), (-15, -11))
            boom.param = np.minimum(boom.param, rng.uniform(0.2, 0.45))
            boom.dur = 5 * boom.param + 0.05
            sfx_parts.append(boom)
        else:
            sfx_parts.append(_gunfire(rng, np.array([m.start]), (-17, -13)))
        act_len = min(m.length, float(rng.uniform(2.0, 6.0)))
        action_rows.append([m.start, m.start + act_len, float(rng.uniform(0.6, 1.0))])
    sfx = _Sfx.cat(sfx_parts)
    # no game sounds while the game is not on screen (ads, BRB, paused)
    quiet = [(c.start, c.end) for c in cards]
    if quiet and len(sfx.t):
        keep = np.ones(len(sfx.t), bool)
        for a, b in quiet:
            keep &= (sfx.t + sfx.dur <= a) | (sfx.t >= b)
        idx = np.flatnonzero(keep)
        sfx = _Sfx(sfx.t[idx], sfx.kind[idx], sfx.dur[idx], sfx.db[idx], sfx.param[idx])
    action = np.array(action_rows, float).reshape(-1, 3)
    gaps = rng.uniform(60, 150, int(D / 60) + 2)
    scene_cuts = np.cumsum(gaps)
    scene_cuts = scene_cuts[scene_cuts < D]
    # the camera: static (strategy games, just chatting) or panning all the time
    # (shooters, racing) with quick flicks every few seconds that nobody reacts to
    if rng.random() < (0.8 if kind == "action" else 0.5):
        pan = float(rng.uniform(15, 60) * rng.choice([-1.0, 1.0]))
        ft = _poisson_times(rng, 0, D, float(rng.uniform(0.05, 0.2)))
    else:
        pan, ft = 0.0, np.zeros(0)
    flicks = np.stack([ft, rng.uniform(0.3, 1.0, len(ft)),
                       rng.uniform(150, 400, len(ft)) * rng.choice([-1.0, 1.0], len(ft))], 1)

    # ---- chat
    numeric = time_base == "video"
    chat = _ChatLog(numeric)
    if time_base == "video":
        base_pools: dict[str, list[str]] = {"zh": _DANMAKU_BASE, "ja": _BASE_TEXT["ja"]}
        lang_p = {"zh": 0.85, "ja": 0.15}
    else:
        base_pools = _BASE_TEXT
        w = rng.dirichlet([6.0, 2.0, 1.0, 1.0])
        lang_p = dict(zip(("en", "zh", "ja", "ko"), w.tolist()))
    if density == "sparse":
        base_rate = float(rng.uniform(0.1, 0.6))
        pool_n = int(rng.integers(25, 200))
    else:
        base_rate = float(rng.uniform(50, 90))
        pool_n = int(rng.integers(5000, 25000))
    dt = 0.1
    grid = np.arange(0.0, D, dt)
    # slowly drifting rate: smoothed random walk in log space, about +-30 %
    walk = np.cumsum(rng.normal(0, 1, len(grid)))
    smooth = _moving_average(walk, max(1, min(int(120 / dt), len(grid) // 2)))
    smooth = (smooth - smooth.mean()) / (smooth.std() + 1e-9)
    rate = base_rate * np.exp(0.25 * smooth)
    mult = np.ones(len(grid))
    for d in distractors:
        sel = (grid >= d.start) & (grid < d.end)
        if d.role in ("silence", "intermission"):
            mult[sel] *= 0.6
        elif d.role == "ad_break":
            mult[sel] *= 0.8
    raid = [d for d in distractors if d.role == "raid"]
    pool_total = pool_n
    for d in raid:
        step = float(rng.uniform(1.4, 2.5))
        mult[grid >= d.end] *= step
        d.params["step"] = step
    rate = rate * mult
    act = 1.0 / (np.arange(pool_n) + 10.0) ** 1.1            # Zipf-like activity
    act = rng.permutation(act)
    # baseline chatter; raiders join the audience after their raid
    bt = _sample_times(rng, grid, rate, dt)
    ba = rng.choice(pool_n, len(bt), p=act / act.sum())
    for d in raid:
        n_r = int(rng.integers(15, 150) if density == "sparse" else rng.integers(300, 2000))
        d.params["raiders"] = n_r
        raiders = np.arange(pool_total, pool_total + n_r)
        pool_total += n_r
        after = bt >= d.end
        raid_share = n_r / (n_r + pool_n)
        swap = after & (rng.random(len(bt)) < raid_share)
        ba[swap] = rng.choice(raiders, int(swap.sum()))
        # the arrival burst: raiders say hi within the raid span
        prof = _rate_profile(grid, d.start, 2.0, d.length)
        rt = _sample_times(rng, grid, prof / (prof.sum() * dt) * n_r * 1.3, dt)
        ra = rng.choice(raiders, len(rt))
        who = _author(int(rng.integers(10 ** 6)), False)
        txt = [s.replace("{who}", who) for s in _texts(rng, {"en": _RAID_TEXT}, {"en": 1.0},
                                                        len(rt), True)]
        chat.add(rt, ra, txt)
    chat.add(bt, ba, _texts(rng, base_pools, lang_p, len(bt), True))
    # moment reactions
    lags: list[float] = []
    chat_n: list[int] = []
    chat_authors: list[int] = []
    windows: list[tuple[float, float]] = []
    react_w = act ** 0.3
    for m in moments:
        p = m.params
        onset = m.start + p["lag"]
        r0 = float(np.interp(onset, grid, rate))
        if density == "sparse":
            peak = p["strength"] * float(rng.uniform(2.0, 5.0))
        else:
            peak = (0.5 + p["strength"] * float(rng.uniform(0.8, 2.0))) * r0
        prof = _rate_profile(grid, onset, p["rise"], p["decay"])
        mt = _sample_times(rng, grid, peak * prof, dt)
        n = len(mt)
        audience = pool_n + sum(d.params.get("raiders", 0) for d in raid if d.end < onset)
        ww = np.concatenate([react_w, np.full(audience - pool_n, react_w.mean())])
        if n <= audience * 0.8:
            ma = rng.choice(audience, n, replace=False, p=ww / ww.sum())
        else:
            ma = rng.choice(audience, n, p=ww / ww.sum())
        if time_base == "video":
            txt = _texts(rng, {"zh": _DANMAKU_REACT, "ja": _REACT_TEXT[p["type"]]["ja"]},
                         {"zh": 0.85, "ja": 0.15}, n, True)
            # replay viewers warn of what is coming ("high energy ahead")
            n_warn = int(rng.integers(3, 9))
            warn = ["前方高能", "前方高能预警", "高能预警"]
            chat.add(m.start - rng.uniform(2, 10, n_warn), rng.choice(pool_n, n_warn),
                     [warn[i] for i in rng.integers(0, len(warn), n_warn)])
        else:
            txt = _texts(rng, _REACT_TEXT[p["type"]], lang_p, n, True)
        chat.add(mt, ma, txt)
        lags.append(p["lag"])
        chat_n.append(n)
        chat_authors.append(len(np.unique(ma)))
        windows.append((onset, onset + p["rise"] + p["decay"]))
    # chat distractors
    for d in distractors:
        if d.role == "campaign":
            if time_base == "video":
                phrase_key = "ranran"
            else:
                phrase_key = str(rng.choice(sorted(_CAMPAIGN)))
            words = _CAMPAIGN[phrase_key]
            r = float(rng.uniform(1.0, 3.0) if density == "sparse" else rng.uniform(30, 150))
            up = min(float(rng.uniform(3, 10)), d.length / 5)
            down = min(float(rng.uniform(5, 20)), d.length / 4)
            x = grid - d.start
            prof = np.clip(np.minimum(x / up, (d.length - x) / down), 0, 1)
            prof *= np.exp(0.2 * rng.normal(0, 1, len(grid)))
            ct = _sample_times(rng, grid, r * prof, dt)
            part = rng.choice(pool_n, max(10, int(pool_n * rng.uniform(0.3, 0.7))), replace=False)
            ca = rng.choice(part, len(ct))
            probs = np.array([0.6, 0.4]) if len(words) == 2 else np.ones(1)
            chat.add(ct, ca, [words[i] for i in rng.choice(len(words), len(ct), p=probs)])
            d.params["phrase"] = phrase_key
        elif d.role == "bot_spam":
            n_bots = int(rng.integers(1, 4))
            text = str(rng.choice(_SPAM))
            for b in range(n_bots):
                period = float(rng.uniform(1.2, 4.0))
                t = np.arange(d.start + rng.uniform(0, period), d.end, period)
                t = t + rng.normal(0, 0.05 * period, len(t))
                bid = -(b + 1) - 10 * int(rng.integers(1, 1000))
                chat.names[bid] = f"promo_bot_{abs(bid)}"
                chat.add(t, np.full(len(t), bid), [text] * len(t))
        elif d.role == "copypasta":
            n_a = int(rng.integers(3, 11))
            text = str(rng.choice(_PASTA))
            pasters = rng.choice(pool_n, n_a, replace=False)
            for author_id in pasters:
                period = float(rng.uniform(2, 6))
                t = np.arange(d.start + rng.uniform(0, period), d.end, period)
                t = t + rng.normal(0, 0.2, len(t))
                chat.add(t, np.full(len(t), author_id), [text] * len(t))
    rows = chat.rows(D)
    return _Plan(seed, kind, D, density, time_base, moments, distractors, voice, sfx, music,
                 cards, action, scene_cuts, pan, flicks.reshape(-1, 3),
                 float(rng.uniform(-40, -30)), bed_off, rows,
                 base_rate, lags, chat_n, chat_authors, windows)


# ============================================================================ audio
def _moving_average(x: F64, w: int) -> F64:
    if w <= 1:
        return x
    cs = np.concatenate([[0.0], np.cumsum(x)])
    y = (cs[w:] - cs[:-w]) / w
    return np.concatenate([np.full(w - 1, y[0]), y])


def _render_voice(v: _Voice, n0: int, n: int, sr: int, rng: np.random.Generator) -> F64:
    """Voice samples ``[n0, n0 + n)``: formant grains at glottal pulses plus noise.

    Each glottal pulse excites three parallel 2-pole resonators; the sum of their
    impulse responses (a formant "grain", unit energy) is added at the pulse time
    with amplitude ``rms / sqrt(f0 / sr)`` so the voiced part has the planned RMS.
    Pulse times follow a linear f0 glide per syllable (the phase integral solved in
    closed form) with 1 % jitter and 10 % shimmer.
    """
    out = np.zeros(n)
    t_a, t_b = n0 / sr, (n0 + n) / sr
    lo = int(np.searchsorted(v.t0, t_a - _MAX_SYL_S - _GRAIN_S))
    hi = int(np.searchsorted(v.t0, t_b))
    if hi <= lo:
        return out
    s = v.take(np.arange(lo, hi))
    vs = s.t0 + s.cons
    d = s.dur
    fa, fb = s.f0a, s.f0b
    npulse = np.floor((fa + fb) / 2 * d).astype(np.int64)
    npulse = np.maximum(npulse, 0)
    tot = int(npulse.sum())
    if tot:
        sid = np.repeat(np.arange(len(d)), npulse)
        k = (np.arange(tot) - np.repeat(np.cumsum(npulse) - npulse, npulse)).astype(float) + 0.5
        a_, b_ = fa[sid], (fb - fa)[sid] / d[sid]
        # phase(tau) = a tau + b tau^2 / 2 = k  ->  tau
        disc = np.sqrt(np.maximum(a_ * a_ + 2 * b_ * k, 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = np.where(np.abs(b_) > 1e-9, (disc - a_) / b_, k / a_)
        f_inst = a_ + b_ * tau
        tau = tau + rng.normal(0, 0.01, tot) / f_inst
        tp = vs[sid] + tau
        x = np.clip(tau / d[sid], 0, 1)
        env = np.minimum(1.0, np.minimum(tau / 0.025, (d[sid] - tau) / 0.04).clip(0, None))
        env = np.sin(0.5 * np.pi * env) ** 2 * (1 - 0.15 * x)
        amp = 10 ** (s.db[sid] / 20) / np.sqrt(f_inst / sr) * env
        amp *= 1 + rng.normal(0, 0.1, tot)
        m = (tp >= t_a - _GRAIN_S) & (tp < t_b)
        tp, amp, fmp, prs = tp[m], amp[m], s.fm[sid[m]], s.press[sid[m]]
        L = int(_GRAIN_S * sr)
        j = np.arange(L) / sr
        bw = np.array([80.0, 100.0, 150.0])
        rel = np.stack([np.ones(len(prs)), 0.5 + 0.25 * prs, 0.25 + 0.25 * prs], 1)
        grain = np.zeros((len(tp), L))
        for i in range(3):
            grain += rel[:, i:i + 1] * np.exp(-np.pi * bw[i] * j)[None, :] * \
                np.sin(2 * np.pi * fmp[:, i:i + 1] * j[None, :])
        grain *= (1 - np.exp(-j / 0.0004))[None, :]
        grain /= np.sqrt((grain ** 2).sum(1, keepdims=True)) + 1e-12
        grain *= amp[:, None]
        start = np.round((tp - t_a) * sr).astype(np.int64)
        idx = start[:, None] + np.arange(L)[None, :]
        ok = (idx >= 0) & (idx < n)
        out += np.bincount(idx[ok], weights=grain[ok], minlength=n)[:n]
    # breath (aspiration during voicing) and consonant onsets
    noise = rng.normal(0, 1, n)
    hpn = np.diff(noise, prepend=0.0) / np.sqrt(2)
    env_b = np.zeros(n)
    env_c = np.zeros(n)
    env_h = np.zeros(n)
    for i in range(len(d)):
        rms = 10 ** (s.db[i] / 20)
        c0 = int(round(s.t0[i] * sr)) - n0
        c1 = int(round(vs[i] * sr)) - n0
        v1 = int(round((vs[i] + d[i]) * sr)) - n0
        if c1 > c0:
            a, b = max(c0, 0), min(c1, n)
            if b > a:
                w = np.hanning(c1 - c0 + 2)[1:-1][a - c0:b - c0]
                (env_h if s.hp[i] > 0.5 else env_c)[a:b] += 0.6 * rms * w
        a, b = max(c1, 0), min(v1, n)
        if b > a:
            w = np.hanning(v1 - c1 + 2)[1:-1][a - c1:b - c1]
            env_b[a:b] += s.breath[i] * rms * w
    out += (env_b + env_c) * noise + env_h * hpn
    return out


def _render_sfx(fx: _Sfx, n0: int, n: int, sr: int, seed: int) -> F64:
    """Game sounds: beeps (tones with 5 ms fades), gunshots (sharp noise clicks with a
    low thump) and explosions (low-passed noise with exponential decay and rumble)."""
    out = np.zeros(n)
    t_a, t_b = n0 / sr, (n0 + n) / sr
    lo = int(np.searchsorted(fx.t, t_a - _MAX_SFX_S))
    hi = int(np.searchsorted(fx.t, t_b))
    for e in range(lo, hi):
        e0 = int(round(fx.t[e] * sr))
        ln = int(fx.dur[e] * sr)
        a, b = max(e0, n0), min(e0 + ln, n0 + n)
        if b <= a:
            continue
        tau = (np.arange(a, b) - e0) / sr
        g = 10 ** (fx.db[e] / 20)
        k = int(fx.kind[e])
        if k == 0:
            fade = np.clip(np.minimum(tau, fx.dur[e] - tau) / 0.005, 0, 1)
            y = math.sqrt(2) * np.sin(2 * np.pi * fx.param[e] * tau) * fade
        else:
            r = np.random.default_rng([seed, 3, e])
            full = r.normal(0, 1, ln)
            if k == 1:
                y = full[a - e0:b - e0] * np.exp(-tau / 0.012) * 3.0
                y += 2.0 * np.sin(2 * np.pi * 90 * tau) * np.exp(-tau / 0.03)
            else:
                lp = _moving_average(full, int(r.integers(6, 20)))
                lp = lp / (lp.std() + 1e-9)
                d = np.exp(-tau / fx.param[e]) * np.clip(tau / 0.005, 0, 1)
                y = (lp[a - e0:b - e0] + 0.8 * np.sin(2 * np.pi * r.uniform(40, 70) * tau)) * d
                y *= 1.6
        out[a - n0:b - n0] += g * y
    return out


def _render_music_raw(mu: _Music, t: F64, seed: int) -> F64:
    """Unscaled music at absolute times ``t`` (inside the segment).

    ``bed``: saw-like chord tones (5 harmonics) changing every bar, kick on every
    beat, snare on 2 and 4, hi-hats on eighths; ``pad``: soft chords with slow
    attacks and a gentle kick; ``jingle``: square-like arpeggios and a driving beat.
    """
    tau = t - mu.start
    beat = 60.0 / mu.bpm
    bar = 4 * beat
    ci = (np.floor(tau / bar).astype(np.int64)) % len(mu.chords)
    tb = np.mod(tau, beat)
    tbar = np.mod(tau, bar)
    y = np.zeros(len(t))
    r = np.random.default_rng([seed, 4, int(mu.start * 1000)])
    if mu.style == "jingle":
        eighth = beat / 2
        step = np.floor(tau / eighth).astype(np.int64)
        note = mu.chords[ci, 1 + step % 3] * np.where((step // 3) % 2 == 0, 2.0, 1.0)
        te = np.mod(tau, eighth)
        env = np.exp(-te / 0.12)
        for h in (1, 3, 5, 7):
            y += env * np.sin(2 * np.pi * note * h * t) / h
        y += 0.5 * np.sin(2 * np.pi * mu.chords[ci, 0] * 2 * t)
    else:
        nh = 5 if mu.style == "bed" else 3
        att = 0.02 if mu.style == "bed" else 0.8
        env = (1 - np.exp(-tbar / att)) * (1 - 0.25 * tbar / bar)
        for c in range(4):
            f = mu.chords[ci, c]
            for h in range(1, nh + 1):
                amp = (1 / h if mu.style == "bed" else 1 / h ** 2) * (1.3 if c == 0 else 0.6)
                y += amp * env * np.sin(2 * np.pi * f * h * t)
    kick_every = 1 if mu.style != "pad" else 2
    tk = np.mod(tau, beat * kick_every)
    y += 2.0 * np.sin(2 * np.pi * (50 * tk + 100 * 0.03 * (1 - np.exp(-tk / 0.03)))) * \
        np.exp(-tk / 0.15)
    if mu.style != "pad":
        n = r.normal(0, 1, len(t))
        beat_no = np.floor(tau / beat).astype(np.int64)
        y += 1.0 * n * np.exp(-tb / 0.08) * (beat_no % 2 == 1)
        th = np.mod(tau, beat / 2)
        y += 0.35 * np.diff(n, prepend=0.0) * np.exp(-th / 0.02)
    return y


def _calibrate_music(mu: _Music, sr: int, seed: int) -> None:
    t = mu.start + np.arange(int(min(8.0, mu.end - mu.start) * sr)) / sr
    raw = _render_music_raw(mu, t, seed)
    mu.gain = 10 ** (mu.db / 20) / (float(np.sqrt(np.mean(raw ** 2))) + 1e-9)


def _render_music(ms: list[_Music], n0: int, n: int, sr: int, seed: int) -> F64:
    out = np.zeros(n)
    t_a, t_b = n0 / sr, (n0 + n) / sr
    for mu in ms:
        if mu.end <= t_a or mu.start >= t_b:
            continue
        a = max(n0, int(math.ceil(mu.start * sr)))
        b = min(n0 + n, int(mu.end * sr))
        if b <= a:
            continue
        t = np.arange(a, b) / sr
        fade = np.clip(np.minimum(t - mu.start, mu.end - t) / mu.fade_s, 0, 1)
        out[a - n0:b - n0] += mu.gain * fade * _render_music_raw(mu, t, seed)
    return out


def _span_gain(spans: list[tuple[float, float, float]], t: F64, ramp: float = 0.4) -> F64:
    g = np.ones(len(t))
    for a, b, v in spans:
        inside = np.clip(np.minimum(t - a, b - t) / ramp + 0.5, 0, 1)
        g = g * (1 - inside * (1 - v))
    return g


def _render_audio(p: _Plan, n0: int, n: int, block: int) -> F32:
    sr = SAMPLE_RATE
    rng = np.random.default_rng([p.seed, 1, block])
    t = (n0 + np.arange(n)) / sr
    # microphone/room noise floor, always there
    y = 10 ** (-62 / 20) * rng.normal(0, 1, n)
    # game ambience: low-passed noise + a slow drone, off during ads/BRB, low when paused
    bed = _moving_average(_moving_average(rng.normal(0, 1, n), 23), 16) * 4.0 * math.sqrt(23)
    bed = 0.7 * bed + 0.5 * np.sin(2 * np.pi * 55 * t) * (1 + 0.3 * np.sin(2 * np.pi * 0.05 * t))
    y += 10 ** (p.bed_db / 20) * bed * _span_gain(p.bed_off, t)
    y += _render_voice(p.voice, n0, n, sr, rng)
    y += _render_sfx(p.sfx, n0, n, sr, p.seed)
    y += _render_music(p.music, n0, n, sr, p.seed)
    return np.tanh(y).astype(np.float32)


# ============================================================================ video
class _Painter:
    """Draws frames: gameplay scenes, action bursts, static cards and a facecam.

    Normal gameplay is a textured background with scenery per scene, scrolled by the
    stream's camera (static, or a steady pan with quick flicks), with a player and a
    few enemies moving smoothly; action adds many fast particles, screen shake, flashes
    after explosions and quick cuts between palettes; cards (ads, BRB, paused
    game) are static pictures.  The facecam's head moves with the voice level.
    """

    def __init__(self, p: _Plan) -> None:
        self.p = p
        self.tex: dict[int, U8] = {}
        self.card_img: dict[int, U8] = {}
        ex = p.sfx.kind == 2
        self.ex_t = p.sfx.t[ex]
        self.scene_cuts = p.scene_cuts
        self.yy, self.xx = np.mgrid[0:HEIGHT, 0:WIDTH]

    def texture(self, sid: int) -> U8:
        if sid not in self.tex:
            if len(self.tex) > 16:
                self.tex.clear()
            r = np.random.default_rng([self.p.seed, 5, sid])
            base = r.integers(30, 200, 3).astype(float)
            grad = np.linspace(0.7, 1.2, HEIGHT)[:, None, None]
            img = base[None, None, :] * grad + r.normal(0, 6, (HEIGHT, WIDTH, 1))
            for _ in range(int(r.integers(8, 16))):            # scenery: buildings, trees
                x0, w = int(r.integers(0, WIDTH - 10)), int(r.integers(6, 40))
                y0 = int(r.integers(20, HEIGHT * 3 // 4 - 10))
                img[y0:HEIGHT * 3 // 4, x0:x0 + w] = r.integers(20, 235, 3)
            img[HEIGHT * 3 // 4:] = img[HEIGHT * 3 // 4:] * 0.5 + r.integers(0, 120, 3) * 0.5
            self.tex[sid] = np.clip(img, 0, 255).astype(np.uint8)
        return self.tex[sid]

    def card(self, c: _Card) -> U8:
        if c.seed not in self.card_img:
            r = np.random.default_rng(c.seed)
            img = np.empty((HEIGHT, WIDTH, 3), np.uint8)
            img[:] = c.colour
            if c.kind == "ad":
                for _ in range(int(r.integers(3, 7))):
                    x0, y0 = int(r.integers(0, WIDTH - 60)), int(r.integers(0, HEIGHT - 40))
                    img[y0:y0 + int(r.integers(20, 80)), x0:x0 + int(r.integers(40, 160))] = \
                        r.integers(0, 255, 3)
                img[HEIGHT - 30:HEIGHT - 10, 20:WIDTH - 20] = 255     # caption bar
            elif c.kind == "brb":
                for i, x0 in enumerate((100, 145, 190)):               # "B R B" blocks
                    img[70:110, x0:x0 + 30] = 230
                    img[80 + 10 * (i % 2):100, x0 + 8:x0 + 22] = c.colour
            self.card_img[c.seed] = img
        return self.card_img[c.seed]

    def frame(self, t: float, fi: int, voice_level: float) -> U8:
        p = self.p
        for c in p.cards:
            if c.start <= t < c.end:
                if c.kind == "pause":
                    dim: U8 = (self.gameplay(c.start, fi, 0.0, frozen=True) * 0.45).astype(np.uint8)
                    dim[20:40, 130:190] = 200
                    return dim
                img: U8 = self.card(c).copy()
                if c.kind == "brb":                      # one small bouncing dot
                    x = int(20 + (WIDTH - 40) * (0.5 + 0.5 * math.sin(0.7 * t)))
                    img[150:158, x:x + 8] = 255
                return img
        return self.gameplay(t, fi, voice_level)

    def gameplay(self, t: float, fi: int, voice_level: float, frozen: bool = False) -> U8:
        p = self.p
        sid = int(np.searchsorted(self.scene_cuts, t, side="right"))
        act = p.action
        inten = 0.0
        a0 = 0.0
        if len(act):
            on = (act[:, 0] <= t) & (t < act[:, 1])
            if on.any():
                i = int(np.flatnonzero(on)[0])
                inten, a0 = float(act[i, 2]), float(act[i, 0])
        r = np.random.default_rng([p.seed, 2, fi])
        if inten > 0 and not frozen:
            sid = 1000 + sid * 7 + int((t - a0) / (0.6 + 0.6 * (1 - inten))) % 4
        img = self.texture(sid)
        f = p.flicks
        pan = p.pan_px_s * t + float(np.sum(f[:, 2] * np.clip(t - f[:, 0], 0, f[:, 1])))
        dx, dy = int(round(pan)) % WIDTH, 0
        if inten > 0 and not frozen:
            sx, sy = (r.integers(-8, 9, 2) * inten).astype(int)
            dx, dy = dx + int(sx), int(sy)
        img = np.roll(img, (dy, dx), (0, 1)) if dx or dy else img.copy()
        gy = HEIGHT * 3 // 4
        # player and enemies
        px = int(WIDTH / 2 + 110 * math.sin(0.3 * t + p.seed))
        img[gy - 24:gy, max(0, px - 8):px + 8] = (240, 240, 60)
        for k in range(3):
            ex = int(WIDTH / 2 + 140 * math.sin(0.17 * t * (k + 1) + k * 2.1))
            ey = int(gy - 40 - 30 * abs(math.sin(0.5 * t + k)))
            img[ey:ey + 10, max(0, ex - 5):ex + 5] = (200, 40, 40)
        img[4:12, 4:4 + int(60 + 40 * math.sin(0.01 * t))] = (40, 220, 40)   # HUD
        if inten > 0 and not frozen:
            n = int(10 + 30 * inten)
            xy = r.integers(0, [WIDTH - 6, HEIGHT - 6], (n, 2))
            col = r.integers(0, 255, (n, 3))
            for (x, y), c in zip(xy, col):
                img[y:y + 6, x:x + 6] = c
        if len(self.ex_t):
            k = int(np.searchsorted(self.ex_t, t))
            recent = self.ex_t[max(0, k - 3):k]
            flash = float(np.sum(np.exp(-(t - recent) / 0.15))) if len(recent) else 0.0
            if flash > 0.05 and not frozen:
                img = np.clip(img.astype(np.int16) + int(160 * min(flash, 1.0)), 0,
                              255).astype(np.uint8)
        # facecam
        fx0, fy0 = WIDTH - 84, HEIGHT - 64
        img[fy0:fy0 + 60, fx0:fx0 + 80] = (70, 70, 80)
        if not frozen:
            bob = 3 * math.sin(7 * t) * min(voice_level * 25, 4.0)
            hx, hy = fx0 + 40 + int(bob), fy0 + 30 + int(abs(bob) * 0.5)
            m = (self.xx[fy0:fy0 + 60, fx0:fx0 + 80] - hx) ** 2 + \
                (self.yy[fy0:fy0 + 60, fx0:fx0 + 80] - hy) ** 2 < 14 ** 2
            img[fy0:fy0 + 60, fx0:fx0 + 80][m] = (230, 190, 160)
        return img


def _voice_level(v: _Voice, times: F64) -> F64:
    """Linear RMS of the voice at each time (0 between syllables)."""
    if not len(v.t0):
        return np.zeros(len(times))
    i = np.searchsorted(v.t0, times, side="right") - 1
    ok = i >= 0
    ic = np.clip(i, 0, None)
    on = ok & (times < v.t0[ic] + v.cons[ic] + v.dur[ic])
    return np.where(on, 10 ** (v.db[ic] / 20), 0.0)


# ============================================================================ encode
def _encode(p: _Plan, path: Path) -> None:
    sr = SAMPLE_RATE
    gop = int(round(GOP_S * FPS))
    n_frames = int(round(p.duration_s * FPS))
    n_samples = int(round(p.duration_s * sr))
    for mu in p.music:
        _calibrate_music(mu, sr, p.seed)
    painter = _Painter(p)
    with av.open(str(path), "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "28",
                      "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:threads=1"}
        aus = out.add_stream("aac", rate=sr, layout="mono")
        aus.bit_rate = 64000
        carry = np.zeros(0, np.float32)
        apts = 0
        n_blocks = int(math.ceil(p.duration_s / BLOCK_S))
        for b in range(n_blocks):
            f0 = int(round(b * BLOCK_S * FPS))
            f1 = min(n_frames, int(round((b + 1) * BLOCK_S * FPS)))
            times = np.arange(f0, f1) / FPS
            levels = _voice_level(p.voice, times)
            for fi, t, lv in zip(range(f0, f1), times, levels):
                frame = av.VideoFrame.from_ndarray(painter.frame(float(t), fi, float(lv)),
                                                   format="rgb24")
                frame.pts = fi
                for pkt in vs.encode(frame):
                    out.mux(pkt)
            s0 = int(round(b * BLOCK_S * sr))
            s1 = min(n_samples, int(round((b + 1) * BLOCK_S * sr)))
            audio = np.concatenate([carry, _render_audio(p, s0, s1 - s0, b)])
            nfull = len(audio) // 1024 * 1024 if b < n_blocks - 1 else len(audio)
            for k in range(0, nfull, 1024):
                chunk = audio[k:min(k + 1024, nfull)]
                af = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
                af.sample_rate = sr
                af.pts = apts
                apts += len(chunk)
                for pkt in aus.encode(af):
                    out.mux(pkt)
            carry = audio[nfull:]
        for pkt in vs.encode():
            out.mux(pkt)
        for pkt in aus.encode():
            out.mux(pkt)


# ============================================================================ public
def make_hard_stream(path_dir: str | Path, *, seed: int, duration_s: float = 900.0,
                     kind: str | None = None, n_moments: int | None = None,
                     base_lag_s: float | None = None,
                     distractor_kinds: Sequence[str] | None = None,
                     density: str | None = None,
                     progress: Callable[[str], None] | None = None) -> HardStream:
    """Generate one hard stream into ``path_dir`` and return its truth.

    Parameters
    ----------
    path_dir : path-like
        Output folder (created); gets ``stream.mp4``, ``chat.json``, ``truth.json``.
    seed : int
        Everything is deterministic from it (see :data:`TRAIN_SEEDS`,
        :data:`HELDOUT_SEEDS`).
    duration_s : float, default 900
        Stream length, seconds (at least ~100 s for 4 moments).
    kind : str, optional
        One of :data:`KINDS`; default :func:`kind_for_seed`.
    n_moments : int, optional
        Planted moments (default 6, fewer on streams under 10 min, at least 4).
    base_lag_s : float, optional
        The stream's base chat lag (default: drawn, 2-30 s live, 0.2-0.6 s video).
    distractor_kinds : sequence of str, optional
        Exactly these distractors (each of :data:`DISTRACTOR_KINDS`), instead of the
        kind's mix.  Those that do not fit are dropped from the end.
    density : {"sparse", "busy"}, optional
        Baseline chat density (default from the kind, else drawn).

    Returns
    -------
    HardStream
    """
    kind = kind_for_seed(seed) if kind is None else kind
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if density not in (None, "sparse", "busy"):
        raise ValueError(f"density must be 'sparse' or 'busy', got {density!r}")
    out = Path(path_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan = _plan(int(seed), float(duration_s), kind, n_moments=n_moments,
                 base_lag_s=base_lag_s, distractor_kinds=distractor_kinds, density=density)
    if progress:
        progress(f"seed {seed}: planned {len(plan.moments)} moments, "
                 f"{len(plan.distractors)} distractors, {len(plan.chat)} messages")
    with (out / "chat.json").open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        for i, row in enumerate(plan.chat):
            fh.write(("," if i else "") + json.dumps(row, ensure_ascii=False) + "\n")
        fh.write("]\n")
    _encode(plan, out / "stream.mp4")
    hs = HardStream(
        seed=int(seed), kind=kind, duration_s=float(duration_s),
        moments=tuple((round(float(m.start), 3), round(float(m.end), 3)) for m in plan.moments),
        distractors=tuple((round(float(d.start), 3), round(float(d.end), 3), d.role)
                          for d in plan.distractors),
        chat_lag_s=tuple(round(float(x), 3) for x in plan.lags), chat_time_base=plan.time_base,
        density=plan.density, base_chat_rate_hz=round(plan.base_rate_hz, 4),
        moment_types=tuple(m.params["type"] for m in plan.moments),
        moment_action=tuple(bool(m.params["action"]) for m in plan.moments),
        moment_strength=tuple(round(m.params["strength"], 3) for m in plan.moments),
        moment_chat_n=tuple(int(x) for x in plan.chat_n),
        moment_chat_authors=tuple(int(x) for x in plan.chat_authors),
        moment_chat_window_s=tuple((round(float(a), 3), round(float(b), 3))
                                   for a, b in plan.chat_windows),
        n_messages=len(plan.chat), directory=str(out),
    )
    tmp = out / "truth.json.tmp"
    tmp.write_text(json.dumps(hs.to_dict(), indent=1), encoding="utf-8")
    tmp.replace(out / "truth.json")
    return hs
