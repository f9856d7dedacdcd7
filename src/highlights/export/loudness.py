"""Loudness measurement and normalisation of rendered audio (ITU-R BS.1770 / EBU R128).

Integrated loudness is measured with `pyloudnorm <https://github.com/csteinmetz1/pyloudnorm>`_
(a maintained BS.1770-4 implementation: K-weighting, 400-ms blocks, absolute and
relative gates); this module adds what publishing needs on top:

* :func:`true_peak_db`: the BS.1770 true peak (4x oversampled, dBTP), block-wise;
* :func:`normalise`: one gain that brings the integrated loudness to a target
  (platforms use -14 LUFS), then a look-ahead peak limiter that keeps the true peak at
  or below a ceiling (-1 dBTP), re-measured until the result is within 0.1 LU of the
  target (the limiter lowers loudness a little when it works);
* :func:`recording_loudness`: the loudness of a long recording, estimated from evenly
  spread windows (a 4-hour file is never decoded whole).

Audio arrays are float32 ``(channels, samples)`` with full scale at 1.0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ExportError

__all__ = ["Loudness", "DEFAULT_TARGET_LUFS", "DEFAULT_TRUE_PEAK_DB", "measure_lufs",
           "true_peak_db", "normalise", "recording_loudness"]

#: Integrated loudness most platforms normalise to (YouTube, Spotify, TikTok), LUFS.
DEFAULT_TARGET_LUFS = -14.0
#: True-peak ceiling, dBTP (room for lossy encoding's overshoot).
DEFAULT_TRUE_PEAK_DB = -1.0
#: Gain is never raised by more than this (dB): a near-silent clip stays quiet rather
#: than having its noise floor pumped up to the target.
MAX_GAIN_DB = 30.0
#: Below this integrated loudness (LUFS) the audio counts as silence and is left alone.
SILENCE_LUFS = -70.0
_INSTALL = "pip install pyloudnorm (a dependency of highlights)"
# Limiter: peaks measured per block of this many seconds; look-ahead/hold and smoothing
# are whole blocks (attack ~ 5 ms, release ~ 50 ms).
_BLOCK_S = 0.001
_HOLD_BLOCKS = 24
_TP_OVERSAMPLE = 4
_TP_CHUNK = 1 << 18


@dataclass(frozen=True, slots=True)
class Loudness:
    """What loudness normalisation measured and did.

    Attributes
    ----------
    input_lufs : float or None
        Integrated loudness before, LUFS (None: silent or too short to measure).
    output_lufs : float or None
        Integrated loudness after, LUFS.
    gain_db : float
        Gain applied before limiting, dB.
    true_peak_db : float or None
        True peak after, dBTP (None: silent).
    target_lufs : float
        The target asked for, LUFS.
    limited : bool
        Whether the peak limiter reduced any sample.
    """

    input_lufs: float | None
    output_lufs: float | None
    gain_db: float
    true_peak_db: float | None
    target_lufs: float
    limited: bool

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (values rounded to 0.01)."""
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 2)
        return {"input_lufs": r(self.input_lufs), "output_lufs": r(self.output_lufs),
                "gain_db": round(self.gain_db, 2), "true_peak_db": r(self.true_peak_db),
                "target_lufs": self.target_lufs, "limited": self.limited}


def _meter(sr: int) -> Any:
    try:
        import pyloudnorm
    except ImportError:
        raise ExportError(f"Loudness normalisation needs pyloudnorm: {_INSTALL}.") from None
    return pyloudnorm.Meter(sr)


def measure_lufs(audio: NDArray[np.float32], sr: int) -> float | None:
    """Integrated loudness of ``audio`` (channels x samples) in LUFS.

    Returns None when the audio is shorter than one 400-ms block or silent (below
    -70 LUFS).  Up to 5 channels are weighted as BS.1770 says (L, R, C, Ls, Rs).
    """
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    if x.shape[1] < int(0.4 * sr) + 1:
        return None
    x = x[:5]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(_meter(sr).integrated_loudness(x.T))
    return value if math.isfinite(value) and value > SILENCE_LUFS else None


def true_peak_db(audio: NDArray[np.float32], sr: int) -> float | None:
    """True peak of ``audio`` in dBTP: the largest 4x-oversampled sample (BS.1770 annex 2).

    Computed in chunks, so memory stays bounded; None for silence.
    """
    from scipy.signal import resample_poly

    x = np.asarray(audio, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    peak = 0.0
    pad = 64
    n = x.shape[1]
    for a in range(0, n, _TP_CHUNK):
        lo, hi = max(a - pad, 0), min(a + _TP_CHUNK + pad, n)
        up = resample_poly(x[:, lo:hi], _TP_OVERSAMPLE, 1, axis=1)
        peak = max(peak, float(np.max(np.abs(up), initial=0.0)))
        peak = max(peak, float(np.max(np.abs(x[:, a:a + _TP_CHUNK]), initial=0.0)))
    return None if peak <= 0 else 20 * math.log10(peak)


def _limit(x: NDArray[np.float32], sr: int, ceiling_db: float) -> tuple[NDArray[np.float32], bool]:
    """Look-ahead peak limiter: the smallest smooth gain that keeps true peaks under a ceiling.

    Peaks (4x oversampled) are taken per 1-ms block; the gain each block needs is
    spread over a window of ``_HOLD_BLOCKS`` blocks on each side (look-ahead and
    hold: a minimum filter) and then smoothed by a moving average half that wide, so
    the smoothed gain is still at most what every block needs; the gain is then
    interpolated to samples.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d
    from scipy.signal import resample_poly

    ceiling = 10 ** (ceiling_db / 20)
    block = max(int(round(sr * _BLOCK_S)), 1)
    n = x.shape[1]
    nb = -(-n // block)
    peaks = np.zeros(nb, np.float64)
    for a in range(0, n, _TP_CHUNK - _TP_CHUNK % block):
        lo, hi = max(a - 64, 0), min(a + _TP_CHUNK + 64, n)
        up = np.abs(resample_poly(x[:, lo:hi], _TP_OVERSAMPLE, 1, axis=1)).max(axis=0)
        up = up[(a - lo) * _TP_OVERSAMPLE:]
        m = min(_TP_CHUNK - _TP_CHUNK % block, n - a)
        up = up[:m * _TP_OVERSAMPLE]
        raw = np.abs(x[:, a:a + m]).max(axis=0)
        k = -(-m // block)
        padded = np.zeros(k * block * _TP_OVERSAMPLE)
        padded[:up.size] = up
        pk = padded.reshape(k, -1).max(axis=1)
        rawp = np.zeros(k * block)
        rawp[:raw.size] = raw
        pk = np.maximum(pk, rawp.reshape(k, block).max(axis=1))
        b0 = a // block
        peaks[b0:b0 + k] = np.maximum(peaks[b0:b0 + k], pk)
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    if need.min() >= 1.0:
        return x, False
    held = minimum_filter1d(need, size=2 * _HOLD_BLOCKS + 1, mode="nearest")
    smooth = uniform_filter1d(held, size=_HOLD_BLOCKS + 1, mode="nearest")
    smooth = np.minimum(smooth, held)
    centres = (np.arange(nb) + 0.5) * block
    gain = np.interp(np.arange(n), centres, smooth).astype(np.float32)
    return (x * gain[None, :]).astype(np.float32), True


def normalise(audio: NDArray[np.float32], sr: int, *, target_lufs: float = DEFAULT_TARGET_LUFS,
              true_peak_db_max: float = DEFAULT_TRUE_PEAK_DB) -> tuple[NDArray[np.float32],
                                                                       Loudness]:
    """Bring ``audio`` to ``target_lufs`` with its true peak at most ``true_peak_db_max``.

    Parameters
    ----------
    audio : ndarray of float32, shape (channels, samples)
        The audio, full scale 1.0.
    sr : int
        Sample rate in Hz.
    target_lufs : float, default -14.0
        Integrated loudness to reach, LUFS.
    true_peak_db_max : float, default -1.0
        True-peak ceiling, dBTP.

    Returns
    -------
    audio : ndarray of float32
        The normalised audio (a new array).
    Loudness
        Loudness before and after, gain, true peak.

    Notes
    -----
    Silent audio (below -70 LUFS) or audio shorter than 0.4 s is returned as is. The
    gain is capped at +30 dB. When the limiter must reduce peaks, loudness drops; the
    gain is then raised and the limiter re-run (at most 4 rounds) until the result is
    within 0.1 LU of the target.
    """
    x = np.asarray(audio, dtype=np.float32)
    before = measure_lufs(x, sr)
    if before is None:
        tp = true_peak_db(x, sr)
        return x.copy(), Loudness(None, None, 0.0, tp, float(target_lufs), False)
    gain_db = min(target_lufs - before, MAX_GAIN_DB)
    margin = 0.1  # limit a little below the ceiling: interpolated gain and AAC overshoot
    limited = False
    y = x
    after: float | None = before
    for _ in range(4):
        y = x * np.float32(10 ** (gain_db / 20))
        y, lim = _limit(y, sr, true_peak_db_max - margin)
        limited = limited or lim
        after = measure_lufs(y, sr)
        if after is None or abs(after - target_lufs) <= 0.1 or not lim \
                or gain_db >= MAX_GAIN_DB:
            break
        gain_db = min(gain_db + (target_lufs - after), MAX_GAIN_DB)
    tp = true_peak_db(y, sr)
    return y, Loudness(before, after, float(gain_db), tp, float(target_lufs), limited)


def recording_loudness(container: Any, audio: Any, *, windows: int = 48,
                       window_s: float = 4.0) -> float | None:
    """Estimate the integrated loudness (LUFS) of a whole recording's audio stream.

    Decodes ``windows`` windows of ``window_s`` seconds spread evenly over the stream
    (the whole stream when it is shorter than that) and gates them together as
    BS.1770 does, so a multi-hour file costs a few seconds.  Leaves the container at an
    arbitrary position.
    """
    from ..io.seek import media_origin, seek

    av_mod = __import__("av")
    sr = int(audio.codec_context.sample_rate)
    channels = int(audio.codec_context.channels or len(audio.codec_context.layout.channels))
    layout = audio.codec_context.layout.name
    origin = media_origin(container)
    duration = Fraction(container.duration or 0, 1_000_000)
    total = windows * window_s
    if duration <= total + window_s:
        starts = [Fraction(0)]
        per = duration + 1
    else:
        step = (duration - Fraction(window_s)) / windows
        starts = [step * (i + Fraction(1, 2)) for i in range(windows)]
        per = Fraction(window_s)
    chunks: list[NDArray[np.float32]] = []
    for t0 in starts:
        seek(container, origin + t0)
        resampler = av_mod.AudioResampler(format="fltp", layout=layout, rate=sr)
        got = 0
        want = int(per * sr)
        for packet in container.demux(audio):
            try:
                frames = packet.decode()
            except av_mod.FFmpegError:
                continue
            for frame in frames:
                if frame.pts is None or frame.pts * frame.time_base < origin + t0:
                    continue
                for rf in resampler.resample(frame):
                    data = rf.to_ndarray().reshape(channels, -1)
                    chunks.append(data[:, :want - got])
                    got += data.shape[1]
            if got >= want:
                break
    if not chunks:
        return None
    return measure_lufs(np.concatenate(chunks, axis=1), sr)
