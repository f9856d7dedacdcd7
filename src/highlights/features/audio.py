"""Audio features per hop: RMS loudness, onset strength (spectral flux) and excitement.

:class:`AudioFeatures` is a sink for the blocks :func:`highlights.io.media.demux`
produces (mono ``float32`` at ``sr`` Hz, each with the integer index of its first
sample).  It buffers a few seconds, then reduces each block with numpy:

* ``audio_rms_db`` - RMS per hop in dB (floor -100 dB), from integer hop boundaries
  (``np.add.reduceat``), so results do not depend on how the stream was cut into blocks.
* ``audio_onset`` - spectral flux of a 64-band log-mel spectrogram
  (``n_fft=1024``, hop 512 samples, frames at fixed global sample positions), the
  quantity ``librosa.onset.onset_strength`` computes, averaged per hop.  Blocks overlap
  by ``n_fft - hop_length`` samples plus one frame of history, so block edges leave no seams.
* ``audio_excite`` - power-weighted spectral centroid (Hz) per hop.  Raised vocal effort
  (shouting, excited commentary) flattens the voice's spectral tilt and raises pitch,
  and crowd cheers / applause are broadband noise: all move energy up to 1-4 kHz and
  lift the centroid, independently of the loudness ``audio_rms_db`` already measures.
  Silence scores 0 Hz.
* ``audio_voiced`` - how voice-like the sound is, 0..1: the power-weighted mean, over
  the hop's frames, of each frame's periodicity at a human pitch (70-600 Hz): the
  peak of the frame's normalised autocorrelation (from the power spectrum already
  computed: one inverse FFT, divided by the window's own autocorrelation as in
  Boersma's method), counted only when no higher pitch (a beep, a whistle) explains
  the frame better.  Shouting, laughter and speech score high; explosions, gunfire,
  applause and other noise low.  Chords score high too: telling a *reaction* from a
  music bed is the job of the loudness-burst signal derived from ``audio_rms_db``
  (:mod:`highlights.features.derived`), since music stays loud and a shout does not.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .fingerprint import AudioPrints
from .packets import HopBins, hop_index

__all__ = ["AudioFeatures", "DB_FLOOR", "N_FFT", "HOP_LENGTH", "N_MELS"]

#: Floor of ``audio_rms_db`` (digital silence).
DB_FLOOR = -100.0
#: Spectral frame length, hop and mel bands (samples at ``sr``).
N_FFT = 1024
HOP_LENGTH = 512
N_MELS = 64
_BLOCK_S = 10.0  # seconds of audio buffered before a block is reduced
_FRAMES_PER_STEP = 128  # spectral frames computed at once
_LOG_AMIN = 1e-10
#: Pitch range of a voice counted by ``audio_voiced``, Hz.
VOICE_F0_HZ = (70.0, 600.0)
#: Highest pitch searched to reject tones above the voice range (beeps), Hz.
_TONE_F0_HZ = 2000.0


def _hz_to_mel(f: NDArray[np.float64]) -> NDArray[np.float64]:
    """Slaney mel scale (librosa's default, ``htk=False``)."""
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    lin = f / f_sp
    log = min_log_mel + np.log(np.maximum(f, min_log_hz) / min_log_hz) / logstep
    out: NDArray[np.float64] = np.where(f >= min_log_hz, log, lin)
    return out


def _mel_to_hz(m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Inverse of :func:`_hz_to_mel`."""
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    out: NDArray[np.float64] = np.where(
        m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)
    return out


def mel_frequencies(*, n_mels: int, fmin: float = 0.0, fmax: float) -> NDArray[np.float64]:
    """``n_mels`` frequencies (Hz) evenly spaced on the Slaney mel scale.

    Same values as ``librosa.mel_frequencies(n_mels=, fmin=, fmax=)`` (tested), without
    importing librosa: its import costs ~110 MB and seconds in every shard worker.
    """
    lo, hi = _hz_to_mel(np.array(fmin)), _hz_to_mel(np.array(fmax))
    return _mel_to_hz(np.linspace(lo, hi, n_mels))


def mel_filterbank(*, sr: int, n_fft: int, n_mels: int) -> NDArray[np.float64]:
    """Slaney-normalised triangular mel filterbank, shape ``(n_mels, n_fft // 2 + 1)``.

    Same matrix as ``librosa.filters.mel(sr=, n_fft=, n_mels=)`` with its defaults
    (tested to float precision), computed with numpy alone.
    """
    fft_hz = np.fft.rfftfreq(n_fft, d=1.0 / sr)
    mel_hz = mel_frequencies(n_mels=n_mels + 2, fmax=sr / 2.0)
    fdiff = np.diff(mel_hz)
    ramps = mel_hz[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_hz[2 : n_mels + 2] - mel_hz[:n_mels])
    out: NDArray[np.float64] = weights * enorm[:, None]
    return out


class AudioFeatures:
    """Per-hop audio features accumulated from sample blocks.

    Parameters
    ----------
    sr : int
        Sample rate of the blocks, Hz.
    hop_s : float
        Hop of the output grid, seconds.
    n_hint : int
        Expected number of hops (arrays grow if needed).
    lo, hi : int
        Only hops ``lo <= i < hi`` are kept (a time range); others are pre-roll.
    spectral : bool
        Also compute ``audio_onset`` and ``audio_excite`` (numpy + scipy.fft).
    prints : AudioPrints, optional
        Also hand each spectral frame's mel power to this audio fingerprint sink
        (:class:`~highlights.features.fingerprint.AudioPrints`; needs ``spectral``).
    """

    def __init__(self, *, sr: int, hop_s: float, n_hint: int, lo: int = 0,
                 hi: int | None = None, spectral: bool = True,
                 prints: AudioPrints | None = None) -> None:
        self.sr = int(sr)
        self.hop_s = float(hop_s)
        self.hop_samples = self.hop_s * self.sr  # may be fractional; boundaries are ceil()
        self.spectral = spectral
        self.prints = prints
        self.rms = HopBins(n_hint, lo=lo, hi=hi)
        self.onset = HopBins(n_hint, lo=lo, hi=hi)
        self.centroid = HopBins(n_hint, lo=lo, hi=hi)
        self.voiced = HopBins(n_hint, lo=lo, hi=hi)
        self._lags: tuple[int, int, int] | None = None
        self._win_ac: NDArray[np.float32] | None = None
        self._chunks: list[NDArray[np.float32]] = []
        self._chunk_start = 0
        self._chunk_len = 0
        self._block = int(_BLOCK_S * self.sr)
        # spectral state: samples from global index _spec_start (a multiple of HOP_LENGTH)
        self._spec_buf = np.zeros(0, np.float32)
        self._spec_start = 0
        self._prev_logmel: NDArray[np.float64] | None = None
        self._mel: NDArray[np.float64] | None = None
        self._freqs: NDArray[np.float64] | None = None
        self._window: NDArray[np.float32] | None = None
        self._mel_csr: Any = None
        self.end_sample = 0

    # ------------------------------------------------------------------ input
    def __call__(self, x: NDArray[np.float32], start: int) -> None:
        """Take ``x`` (mono float32) whose first sample has global index ``start``."""
        if x.size == 0:
            return
        if self._chunks and start != self._chunk_start + self._chunk_len:
            self._reduce(gap=True)
        if start < 0:  # samples before the media start (encoder priming)
            x = x[-start:]
            start = 0
            if x.size == 0:
                return
        if not self._chunks:
            self._chunk_start = start
            self._chunk_len = 0
        self._chunks.append(x)
        self._chunk_len += x.size
        if self._chunk_len >= self._block:
            self._reduce(gap=False)

    def finish(self) -> None:
        """Reduce what is buffered (end of stream: the last frame is zero-padded)."""
        self._reduce(gap=True)

    # ------------------------------------------------------------------ reduction
    def _reduce(self, *, gap: bool) -> None:
        if self._chunks:
            x = np.concatenate(self._chunks) if len(self._chunks) > 1 else self._chunks[0]
            s0 = self._chunk_start
            self._chunks = []
            self._chunk_len = 0
            self._chunk_start = s0 + x.size
            self._rms_block(x, s0)
            self.end_sample = max(self.end_sample, s0 + x.size)
            if self.spectral:
                self._spectral_block(x, s0, final=False)
        if gap and self.spectral:
            self._spectral_block(np.zeros(0, np.float32), self._spec_end(), final=True)

    def _rms_block(self, x: NDArray[np.float32], s0: int) -> None:
        n = x.size
        h0 = int(math.floor(s0 / self.hop_samples + 1e-9))
        h1 = int(math.floor((s0 + n - 1) / self.hop_samples + 1e-9))
        hops = np.arange(h0, h1 + 1, dtype=np.int64)
        # first sample of each hop (global), clipped into the block
        first = np.ceil(hops * self.hop_samples - 1e-6).astype(np.int64) - s0
        first[0] = 0
        first = np.clip(first, 0, n)
        sq = np.add.reduceat(np.square(x, dtype=np.float64), first)
        cnt = np.diff(np.append(first, n)).astype(np.float64)
        keep = cnt > 0
        self.rms.add(hops[keep], sq[keep], weights=cnt[keep])

    def _spec_end(self) -> int:
        return self._spec_start + self._spec_buf.size

    def _spectral_block(self, x: NDArray[np.float32], s0: int, *, final: bool) -> None:
        if x.size:
            if self._spec_buf.size and s0 != self._spec_end():
                self._spectral_block(np.zeros(0, np.float32), self._spec_end(), final=True)
            if not self._spec_buf.size:
                # start a new run at the next frame position on the global frame grid
                k0 = -(-s0 // HOP_LENGTH)
                skip = k0 * HOP_LENGTH - s0
                x = x[skip:]
                self._spec_start = k0 * HOP_LENGTH
                self._prev_logmel = None
            buf = np.concatenate((self._spec_buf, x)) if self._spec_buf.size else x
        else:
            buf = self._spec_buf
        if final and buf.size:
            # zero-pad the tail so the last samples fall in a frame (end of a run)
            pad = N_FFT - HOP_LENGTH + (-buf.size) % HOP_LENGTH
            buf = np.concatenate((buf, np.zeros(pad, np.float32)))
        if buf.size < N_FFT:
            self._spec_buf = np.zeros(0, np.float32) if final else buf
            if final:
                self._prev_logmel = None
            return
        nf = (buf.size - N_FFT) // HOP_LENGTH + 1
        k_first = self._spec_start // HOP_LENGTH
        for j in range(0, nf, _FRAMES_PER_STEP):  # bounded temporaries (~1 MB)
            m = min(_FRAMES_PER_STEP, nf - j)
            seg = buf[j * HOP_LENGTH: (j + m - 1) * HOP_LENGTH + N_FFT]
            logmel, power, pw = self._logmel(seg)
            prev = self._prev_logmel
            first = logmel[:, :1] if prev is None else prev[:, None]
            flux = np.maximum(np.diff(logmel, axis=1, prepend=first), 0.0).mean(axis=0)
            k = k_first + j + np.arange(m, dtype=np.int64)
            centre = k * HOP_LENGTH + N_FFT // 2
            idx = hop_index(centre / self.sr, hop_s=self.hop_s)
            valid = centre < max(self.end_sample, 1)  # drop frames centred in the zero pad
            assert self._freqs is not None
            self.onset.add(idx[valid], flux[valid])
            fsum = np.einsum("m,mf->f", self._freqs, power)  # no BLAS (see _logmel)
            energy = power.sum(axis=0)
            self.centroid.add(idx[valid], fsum[valid], weights=energy[valid])
            voicing = self._voicing(pw) * energy
            self.voiced.add(idx[valid], voicing[valid], weights=energy[valid])
            if self.prints is not None:
                self.prints.add(k[valid], power[:, valid])
            self._prev_logmel = logmel[:, -1].copy()
        consumed = nf * HOP_LENGTH
        if final:
            self._spec_buf = np.zeros(0, np.float32)
            self._spec_start += consumed
            self._prev_logmel = None
        else:
            self._spec_buf = buf[consumed:].copy()
            self._spec_start += consumed

    def _logmel(self, y: NDArray[np.float32]) -> tuple[
            NDArray[np.float64], NDArray[np.float64], NDArray[np.float32]]:
        """Log-mel (dB) and mel power, shape ``(N_MELS, frames)``, hop ``HOP_LENGTH``, no centring.

        Computed in float32 (FFT and mel projection), returned as float64, plus the
        linear power spectrum ``(frames, N_FFT // 2 + 1)`` (float32).
        """
        if self._mel is None:
            self._mel = mel_filterbank(sr=self.sr, n_fft=N_FFT, n_mels=N_MELS)
            # sparse (~1000 non-zeros): no BLAS call, whose thread pool thrashes on a busy
            # machine for products this small
            from scipy.sparse import csr_matrix

            self._mel_csr = csr_matrix(self._mel.astype(np.float32))
            # centre frequency of each mel band (librosa.filters.mel's band peaks)
            self._freqs = mel_frequencies(n_mels=N_MELS + 2, fmax=self.sr / 2)[1:-1]
            # periodic Hann, as librosa uses
            self._window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
        assert self._window is not None
        frames = np.lib.stride_tricks.sliding_window_view(y, N_FFT)[::HOP_LENGTH]
        from scipy.fft import rfft  # ~5x faster than numpy's for float32 frames

        spec = rfft(frames * self._window, axis=1)  # (frames, n_fft/2+1) complex64
        pw = np.square(spec.real)
        pw += np.square(spec.imag)
        power = np.asarray(self._mel_csr @ pw.T, dtype=np.float64)  # (N_MELS, frames)
        logmel = 10.0 * np.log10(np.maximum(power, _LOG_AMIN))
        return logmel, power, pw

    def _voicing(self, pw: NDArray[np.float32]) -> NDArray[np.float64]:
        """Per-frame voice periodicity in [0, 1] from the power spectrum (frames, bins)."""
        from scipy.fft import irfft

        if self._lags is None or self._win_ac is None:
            lo = int(math.floor(self.sr / VOICE_F0_HZ[1]))
            hi = min(int(math.ceil(self.sr / VOICE_F0_HZ[0])), N_FFT // 2 - 1)
            tone = max(2, int(math.floor(self.sr / _TONE_F0_HZ)))
            self._lags = (tone, lo, hi)
            assert self._window is not None
            wp = np.abs(np.fft.rfft(self._window.astype(np.float64), N_FFT)) ** 2
            wac = np.fft.irfft(wp, N_FFT)[: hi + 1]
            self._win_ac = (wac / wac[0]).astype(np.float32)
        tone, lo, hi = self._lags
        ac = irfft(pw, n=N_FFT, axis=1)[:, : hi + 1]  # autocorrelation of each frame
        r0 = ac[:, :1]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(r0 > 1e-12, ac / r0, 0.0) / self._win_ac[None, :]
        voice = r[:, lo: hi + 1].max(axis=1)
        # a stronger periodicity above the voice range (a beep) is not a voice
        higher = r[:, tone:lo].max(axis=1)
        out = np.where(higher > voice + 0.05, 0.0, np.clip(voice, 0.0, 1.0))
        return out.astype(np.float64)

    # ------------------------------------------------------------------ output
    def timelines(self, n: int) -> dict[str, NDArray[np.float32]]:
        """``audio_rms_db`` (and ``audio_onset``, ``audio_excite``) arrays of length ``n``."""
        self.finish()
        sq = self.rms.total(n)
        cnt = self.rms.counts(n)
        covered = cnt > 0
        ms = np.zeros(n)
        np.divide(sq, cnt, out=ms, where=covered)
        with np.errstate(divide="ignore"):
            db = 10.0 * np.log10(np.maximum(ms, 10.0 ** (DB_FLOOR / 10.0)))
        db = np.where(covered, np.maximum(db, DB_FLOOR), np.nan)
        out = {"audio_rms_db": db.astype(np.float32)}
        if self.spectral:
            onset = self.onset.mean(n)
            p = self.centroid.counts(n)
            fsum = self.centroid.total(n)
            cen = np.zeros(n)
            np.divide(fsum, p, out=cen, where=p > 1e-20)
            seen = self.onset.counts(n) > 0
            out["audio_onset"] = np.where(covered, np.where(seen, onset, 0.0), np.nan).astype(
                np.float32)
            out["audio_excite"] = np.where(covered, cen, np.nan).astype(np.float32)
            vp = self.voiced.counts(n)
            vsum = self.voiced.total(n)
            voiced = np.zeros(n)
            np.divide(vsum, vp, out=voiced, where=vp > 1e-20)
            out["audio_voiced"] = np.where(covered, voiced, np.nan).astype(np.float32)
        return out
