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

Examples
--------
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

from .genre import GenreStream, align_chat, genre_stream
from .media import make_livestream
from .plan import (
    CHAT_NAME,
    EDGE_S,
    GENRES,
    GUARD_S,
    TRUTH_NAME,
    VIDEO_NAME,
    Moment,
    SynthPlan,
    SynthStream,
    make_plan,
)
from .signals import make_chat_events, make_signals

__all__ = [
    "Moment",
    "SynthPlan",
    "SynthStream",
    "make_plan",
    "make_signals",
    "make_chat_events",
    "make_livestream",
    "genre_stream",
    "GenreStream",
    "align_chat",
    "GENRES",
    "GUARD_S",
    "EDGE_S",
    "VIDEO_NAME",
    "CHAT_NAME",
    "TRUTH_NAME",
]
