"""Audio samples on the global grid: counted in runs, anchored on exact PTS arithmetic.

:func:`highlights.io.media.demux` hands every decoded audio frame to an
:class:`AudioPlacer`, which resamples it and gives each output sample its global index
(``index / sr`` = seconds from the media start), the same index whichever point of the
file a read starts at.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["AudioPlacer"]

# Audio whose PTS leaves its run's sample lattice by more than one timestamp tick plus
# this (seconds), to the same side for _AUDIO_BREAK_FRAMES frames in a row, starts a new
# run re-anchored on the PTS (a concatenation seam, a gap, a drift); less is jitter.
_AUDIO_SLACK_S = 0.001
_AUDIO_BREAK_FRAMES = 8
# Fewest and most frames read before a run's lattice offset is fixed (see AudioPlacer).
_AUDIO_MIN_WINDOW = 32
_AUDIO_MAX_WINDOW = 512
# Most input samples dropped at a run start to align the resampler's phase.
_AUDIO_MAX_PHASE = 2048


class AudioPlacer:
    """Resample decoded audio frames and place them on the global sample grid.

    Samples are counted, not timed one frame at a time: a *run* of frames whose PTS
    agree with their sample count is placed as one block that starts at the run's
    lattice offset.  That offset, and the resampler's phase, must come out the same
    whichever frame of the run a read starts at (a serial pass starts at the first, a
    shard after a seek somewhere in the middle), and one PTS is not precise enough
    for that: Matroska/WebM and FLV store milliseconds, so 1024-sample AAC frames at
    48 kHz (21.333 ms) are stamped 0, 21, 43, 64 ms, and anchoring on one stamp is off
    by up to a tick (~16 samples at 16 kHz) depending on which frame it is.

    * The offset is the midpoint of ``pts * time_base - samples_before / rate`` over
      the run's first frames.  The rounding errors repeat with a period of ``P``
      frames (the denominator of the frame duration in ticks: 3 at 48 kHz and 441 at
      44.1 kHz in milliseconds, 1 in MP4), so any ``P`` consecutive frames give the
      same midpoint, exactly (rational arithmetic).  Frames are held back until
      ``max(P, 32)`` are read (more frames also centre the midpoint on jitter).
    * The run's first input samples are dropped up to the one closest after a point
      of the global output grid (fewer than ``rate / gcd(rate, sr)`` samples: 3 at
      48 kHz, 441 at 44.1 kHz), so the resampler interpolates at the same phase as any
      other read of the file and its output samples are the same numbers.
    * When ``_AUDIO_BREAK_FRAMES`` frames in a row leave the run's lattice to the same
      side by more than a tick plus ``_AUDIO_SLACK_S`` (a concatenation seam, a gap, a
      drifting clock), or the clock splices a jump, the run ends: the resampler is
      drained and a new run starts on the first of them, so positions stay within
      that slack of the timestamps.  Anything less is timestamp jitter: those frames
      are counted on as if their PTS were on the lattice.
    """

    __slots__ = ("_av", "_sr", "_tb", "_tbf", "_origin", "_emit", "_resampler", "_rate",
                 "_window", "_n_res", "_rmin", "_rmax", "_c", "_cf", "_tol", "_shift",
                 "_shift_s", "_samples", "_held", "_count", "_suspects", "_suspect_n",
                 "_side")

    def __init__(self, av: Any, sr: int, time_base: Fraction, origin_s: float,
                 emit: Callable[[NDArray[np.float32], int], None]) -> None:
        self._av = av
        self._sr = sr
        self._tb = Fraction(time_base)
        self._tbf = float(time_base)  # one tick, seconds
        self._origin = Fraction(origin_s)
        self._emit = emit  # emit(samples, global index of the first one)
        self._resampler: Any = None
        self._start_state()

    def _start_state(self) -> None:
        self._rate = 0  # source sample rate of the current run (0: no run)
        self._window = 1
        self._n_res = 0
        self._rmin = self._rmax = Fraction(0)
        self._c: Fraction | None = None  # run sample k is at c + k / rate (PTS seconds)
        self._cf = 0.0
        self._tol = 0.0
        self._shift = Fraction(0)
        self._shift_s = 0.0
        self._samples = 0  # source samples placed in the run so far
        self._held: list[Any] = []  # frames waiting for the offset
        self._count: int | None = None  # global index of the next output sample
        self._suspects: list[Any] = []  # frames in a row off the lattice
        self._suspect_n = 0  # their samples
        self._side = 0  # the side they are off to (+1 late, -1 early)

    def add(self, frame: Any, shift_s: float) -> None:
        """Take one decoded frame; ``shift_s`` = the audio clock's splice offset."""
        pts = frame.pts
        rate = int(frame.sample_rate)
        if self._rate and (rate != self._rate or shift_s != self._shift_s):
            self._end_run()
        if not self._rate:
            self._begin_run(frame, rate, shift_s)
        elif pts is not None and (side := self._off_lattice(pts)):
            if side != self._side:
                self._release_suspects()
                self._side = side
            self._suspects.append(frame)
            self._suspect_n += int(frame.samples)
            if len(self._suspects) >= _AUDIO_BREAK_FRAMES:  # a seam: a new run
                suspects, self._suspects, self._suspect_n, self._side = (
                    self._suspects, [], 0, 0)
                self._end_run()
                for fr in suspects:
                    self.add(fr, shift_s)
            return
        if self._suspects:
            self._release_suspects()  # back on the lattice: they were jitter
        if pts is not None and self._c is None:
            r = pts * self._tb - Fraction(self._samples, rate)
            if self._n_res == 0:
                self._rmin = self._rmax = r
            else:
                self._rmin, self._rmax = min(self._rmin, r), max(self._rmax, r)
            self._n_res += 1
        self._take(frame)

    def finish(self) -> None:
        """End of the stream: place what is held back and drain the resampler."""
        if self._rate:
            self._end_run()

    # ---------------------------------------------------------------- internals
    def _begin_run(self, frame: Any, rate: int, shift_s: float) -> None:
        self._rate = rate
        self._shift = Fraction(shift_s)
        self._shift_s = shift_s
        self._tol = self._tbf + _AUDIO_SLACK_S
        n = max(int(frame.samples), 1)
        # the rounding errors of n-sample frames repeat every `period` frames
        period = (Fraction(n, rate) / self._tb).denominator
        self._window = min(max(period, _AUDIO_MIN_WINDOW), _AUDIO_MAX_WINDOW)

    def _off_lattice(self, pts: int) -> int:
        """0 if ``pts`` fits the run, else the side it is off to (+1 late, -1 early)."""
        before = self._samples + self._suspect_n
        if self._c is not None:
            dev = pts * self._tbf - before / self._rate - self._cf
            return 0 if abs(dev) <= self._tol else (1 if dev > 0 else -1)
        if self._n_res == 0:
            return 0
        r = pts * self._tb - Fraction(before, self._rate)
        if r > self._rmax and r - self._rmin > self._tol:
            return 1
        if r < self._rmin and self._rmax - r > self._tol:
            return -1
        return 0

    def _take(self, frame: Any) -> None:
        self._samples += frame.samples
        if self._c is not None:
            self._feed(frame)
            return
        self._held.append(frame)
        if self._n_res >= self._window:
            self._anchor()

    def _release_suspects(self) -> None:
        suspects, self._suspects, self._suspect_n, self._side = self._suspects, [], 0, 0
        for fr in suspects:
            self._take(fr)

    def _anchor(self) -> None:
        """Fix the run's offset, phase-align its start and place the held frames."""
        self._c = c = (self._rmin + self._rmax) / 2
        self._cf = float(c)
        t0 = c - self._origin + self._shift  # seconds of the run's first sample
        q = self._rate // math.gcd(self._rate, self._sr)  # input samples per grid period
        drop = 0
        if 1 < q <= _AUDIO_MAX_PHASE:
            # input sample k lands at (t0 + k / rate) * sr on the output grid; of the
            # k in [0, q) exactly one lands less than 1/q of a sample past a grid point
            p = self._sr * q // self._rate  # sr / rate = p / q in lowest terms
            drop = (-math.floor(t0 * self._sr * q) % q) * pow(p, -1, q) % q
        self._count = math.floor((t0 + Fraction(drop, self._rate)) * self._sr + Fraction(1, 2))
        self._resampler = self._av.AudioResampler(format="flt", layout="mono", rate=self._sr)
        held, self._held = self._held, []
        for fr in held:
            if drop:
                n = int(fr.samples)
                fr, drop = _drop_samples(fr, drop), max(drop - n, 0)
                if fr is None:
                    continue
            self._feed(fr)

    def _feed(self, frame: Any) -> None:
        try:
            outs = self._resampler.resample(frame)
        except ValueError:
            # the layout or sample format changed mid-run: drain, then a new resampler
            self._drain()
            self._resampler = self._av.AudioResampler(format="flt", layout="mono",
                                                      rate=self._sr)
            outs = self._resampler.resample(frame)
        for out in outs:
            self._place(out)

    def _drain(self) -> None:
        if self._resampler is not None:
            for out in self._resampler.resample(None):
                self._place(out)

    def _end_run(self) -> None:
        self._release_suspects()
        if self._c is None and self._n_res:
            self._anchor()
        self._drain()
        self._resampler = None
        self._start_state()

    def _place(self, out: Any) -> None:
        x = np.frombuffer(out.planes[0], np.float32, out.samples).copy()
        if x.size == 0 or self._count is None:
            return
        s0 = self._count
        self._count += x.size
        self._emit(x, s0)


def _drop_samples(frame: Any, k: int) -> Any:
    """``frame`` without its first ``k`` samples (None if nothing is left)."""
    n = int(frame.samples)
    if k <= 0:
        return frame
    if k >= n:
        return None
    a = frame.to_ndarray()
    rest = a[:, k:] if frame.format.is_planar else a[:, k * (a.shape[1] // n):]
    out = type(frame).from_ndarray(np.ascontiguousarray(rest), format=frame.format.name,
                                   layout=frame.layout.name)
    out.sample_rate = frame.sample_rate
    return out
