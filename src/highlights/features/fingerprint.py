"""Compact fingerprints of a recording, made in the analysis pass (where did an edit come from).

Two sinks ride on the one decode pass of :func:`~highlights.features.analyze.analyze_media`
and cost next to nothing there:

* :class:`AudioPrints` turns the 64-band mel spectrogram that
  :class:`~highlights.features.audio.AudioFeatures` already computes (16 kHz, one frame
  every 512 samples = 32 ms) into one 32-bit hash per frame, after Haitsma & Kalker
  (2002): bit ``m`` is the sign of the change over time of the energy difference
  between mel bands ``m`` and ``m + 1``, over the 33 bands between ~300 Hz and
  ~2.3 kHz.  Band energies are first averaged over :data:`AUDIO_SMOOTH` frames
  (~130 ms), which keeps the bits stable when two recordings' frames fall up to half a
  frame apart.  Signs of differences ignore the level, so loudness changes do not
  matter, and music laid well under the voice flips a minority of bits.
* :class:`PictureSigs` keeps, for every decoded frame, a 135-number signature of the
  **centre region** of the luma plane (:func:`centre_box`: the part of a 16:9 picture
  that a 9:16 centre crop keeps, and that a padded vertical version shows too): the
  region is resized to 48x48 and cut into 3x3 blocks; each block's 4x4 lowest 2-D DCT
  frequencies (DC excluded) are scaled to unit length (:func:`picture_signature`).
  Comparing two signatures is a dot product, the mean cosine of their blocks: it
  ignores brightness and contrast changes and colour filters (luma only, normalised);
  :func:`block_similarity` drops the worst third of the blocks, which is where a
  caption or a logo usually sits.  The signature's
  length before scaling (:attr:`Fingerprint.frame_level`) says how much structure
  the region has: black or flat frames (a fade, a title card) are *uninformative*.

:class:`Fingerprint` holds both, is stored in the analysis cache, and is what
:func:`highlights.align_published` searches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Fingerprint", "AudioPrints", "PictureSigs", "centre_box", "picture_signature",
           "block_similarity", "fine_signature", "FINE_DIM",
           "audio_hashes", "AUDIO_BANDS", "SIG_DIM", "FLAT_LEVEL"]

#: Mel bands (of the 64 Slaney bands at 16 kHz) whose neighbouring differences make
#: the 32 bits: ~300 Hz to ~2.3 kHz, the band Haitsma & Kalker use.
AUDIO_BANDS = (6, 38)
#: Frames (32 ms each) the band energies are averaged over before hashing.
AUDIO_SMOOTH = 4
_GRID = 3  # blocks per side of the region
_BLOCK = 16  # pixels per side of a block
_LOW = 4  # lowest DCT frequencies kept per side of a block
_FINE_BLOCK = 8  # pixels per side of a block of the fine signature
#: Length of a fine signature (:func:`fine_signature`).
FINE_DIM = _GRID * _GRID * _FINE_BLOCK * _FINE_BLOCK
#: Length of a picture signature: 3x3 blocks x (4x4 lowest DCT frequencies - DC).
SIG_DIM = _GRID * _GRID * (_LOW * _LOW - 1)
#: Signature level (standard deviation of the low-passed region, gray levels) below which
#: a frame is flat.
FLAT_LEVEL = 5.0
_REGION_H = 0.6  # height of the centre region, share of the picture height
_REGION_W = 0.9  # width of the centre region, share of a 9:16 box of the picture height


def centre_box(width: float, height: float) -> tuple[float, float, float, float]:
    """The centre region a picture signature reads, ``(x, y, w, h)`` in pixels.

    It is ``0.9 x`` the width of the picture's centred 9:16 box (at most the width)
    and ``0.6 x`` its height: inside what a 9:16 centre crop of a 16:9 picture keeps,
    and inside what a vertical version with padding shows.
    """
    w = _REGION_W * min(width, height * 9.0 / 16.0)
    h = _REGION_H * height
    return ((width - w) / 2.0, (height - h) / 2.0, w, h)


def _dct_matrix(n: int) -> NDArray[np.float32]:
    """Orthonormal DCT-II matrix (``D @ x`` transforms a column)."""
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    d = np.sqrt(2.0 / n) * np.cos(np.pi * (2 * i + 1) * k / (2 * n))
    d[0] /= np.sqrt(2.0)
    out: NDArray[np.float32] = d.astype(np.float32)
    return out


_DCT = _dct_matrix(_BLOCK)



def _region(y: NDArray[np.uint8], box: tuple[float, float, float, float], side: int
            ) -> NDArray[np.float32]:
    """A luma region resized to ``side`` x ``side`` (area averaging), as float32.

    ``box`` is (x, y, w, h) in pixels, clipped to the picture (at least 1x1).
    """
    import cv2

    x0, y0, w, h = box
    h_img, w_img = y.shape
    a = max(0, min(int(round(x0)), w_img - 1))
    b = max(a + 1, min(int(round(x0 + w)), w_img))
    c = max(0, min(int(round(y0)), h_img - 1))
    d = max(c + 1, min(int(round(y0 + h)), h_img))
    out: NDArray[np.float32] = cv2.resize(np.ascontiguousarray(y[c:d, a:b]), (side, side),
                                          interpolation=cv2.INTER_AREA).astype(np.float32)
    return out

def picture_signature(y: NDArray[np.uint8], box: tuple[float, float, float, float]
                      ) -> tuple[NDArray[np.float32], float]:
    """Signature (:data:`SIG_DIM` floats, unit length) and level of a luma region.

    The ``box`` region is resized to 48x48 and cut in a 3x3 grid of blocks; each
    block's 4x4 lowest DCT frequencies (DC excluded: 15 numbers) are scaled to unit
    length (zero for a flat block), and the 9 blocks are concatenated and scaled to
    unit length.  The dot product of two signatures is then the mean cosine of their
    blocks, and :func:`block_similarity` can drop the blocks an overlay spoils.
    """
    side = _BLOCK * _GRID
    small = _region(y, box, side)
    blocks = small.reshape(_GRID, _BLOCK, _GRID, _BLOCK).transpose(0, 2, 1, 3)
    coef = np.einsum("ik,abkl,jl->abij", _DCT, blocks, _DCT)[:, :, :_LOW, :_LOW]
    coef = coef.reshape(_GRID * _GRID, _LOW * _LOW)[:, 1:]
    norms = np.sqrt(np.einsum("bk,bk->b", coef, coef))
    level = float(np.sqrt(np.sum(norms ** 2))) / side
    block_level = norms / _BLOCK
    unit = np.where((block_level >= FLAT_LEVEL / 2)[:, None],
                    coef / np.maximum(norms, 1e-6)[:, None], 0.0)
    total = float(np.sqrt(np.sum(unit * unit)))
    sig = (unit.reshape(-1) / total) if total > 0 else np.zeros(SIG_DIM, np.float32)
    return sig.astype(np.float32), level


def fine_signature(y: NDArray[np.uint8], box: tuple[float, float, float, float]
                   ) -> NDArray[np.float32]:
    """A sharper signature for frame-exact matching: the pixels themselves.

    The ``box`` region is resized to 24x24 and cut in the same 3x3 grid; each 8x8 block
    is made zero-mean and unit-length (zero when flat), and the blocks are concatenated
    and scaled to unit length (576 floats).  :func:`block_similarity` of two of them is
    a trimmed mean of per-block normalised cross-correlations: like the DCT signature
    it ignores brightness, contrast and colour changes, but it tells apart two frames
    of a slow pan a few pixels apart.
    """
    side = _FINE_BLOCK * _GRID
    small = _region(y, box, side)
    blocks = small.reshape(_GRID, _FINE_BLOCK, _GRID, _FINE_BLOCK).transpose(0, 2, 1, 3)
    blocks = blocks.reshape(_GRID * _GRID, -1)
    blocks = blocks - blocks.mean(axis=1, keepdims=True)
    norms = np.sqrt(np.einsum("bk,bk->b", blocks, blocks))
    ok = norms / _FINE_BLOCK >= FLAT_LEVEL / 4
    unit = np.where(ok[:, None], blocks / np.maximum(norms, 1e-6)[:, None], 0.0)
    total = float(np.sqrt(np.sum(unit * unit)))
    sig = unit.reshape(-1) / total if total > 0 else np.zeros(unit.size, np.float32)
    return sig.astype(np.float32)


def block_similarity(a: NDArray[np.float32], b: NDArray[np.float32],
                     keep: float = 0.67) -> NDArray[np.float32]:
    """Row-wise similarity of signatures, robust to overlays.

    The mean cosine of the best ``keep`` share of the blocks that are not flat in both.

    Parameters
    ----------
    a, b : ndarray, shape (n, 9 * k)
        Signatures of :func:`picture_signature` or :func:`fine_signature` (rows
        compared pairwise).
    keep : float, default 0.67
        Share of the blocks kept (the most similar ones).

    Returns
    -------
    ndarray of float32, shape (n,)
        NaN where fewer than 3 blocks are structured in both.
    """
    nb = _GRID * _GRID
    k_dim = a.shape[1] // nb
    a3 = a.reshape(-1, nb, k_dim)
    b3 = b.reshape(-1, nb, k_dim)
    na = np.abs(a3).sum(axis=2) > 0
    nbb = np.abs(b3).sum(axis=2) > 0
    both = na & nbb
    # undo the overall scaling: each block's cosine is its dot over the two block norms
    sa = np.sqrt(np.maximum(na.sum(axis=1), 1))[:, None]
    sb = np.sqrt(np.maximum(nbb.sum(axis=1), 1))[:, None]
    cos = np.einsum("nbk,nbk->nb", a3, b3) * sa * sb
    cos = np.where(both, cos, -np.inf)
    cos.sort(axis=1)
    n_ok = both.sum(axis=1)
    k = np.maximum(np.ceil(keep * n_ok).astype(np.int64), 1)
    ranks = np.arange(nb)[None, :]
    take = ranks >= (nb - k)[:, None]
    vals = np.where(take & np.isfinite(cos), cos, 0.0)
    out = vals.sum(axis=1) / k
    return np.where(n_ok >= 3, out, np.nan).astype(np.float32)


def audio_hashes(power: NDArray[np.float64], prev: NDArray[np.float64] | None
                 ) -> tuple[NDArray[np.uint32], NDArray[np.float64]]:
    """32-bit hashes of consecutive frames of (smoothed) mel band power.

    Parameters
    ----------
    power : ndarray, shape (33, m)
        Smoothed power of the :data:`AUDIO_BANDS` bands, one column per frame.
    prev : ndarray, shape (32,), optional
        The band differences of the frame before the first (None at a run start: the
        first frame's hash then compares it with itself and is marked invalid by the
        caller).

    Returns
    -------
    hashes : ndarray of uint32, shape (m,)
    last : ndarray, shape (32,)
        The last frame's band differences (``prev`` of the next call).
    """
    diff = power[:-1] - power[1:]  # (32, m)
    before = np.concatenate(((diff[:, :1] if prev is None else prev[:, None]), diff[:, :-1]),
                            axis=1)
    bits = (diff - before) > 0
    weights = (np.uint32(1) << np.arange(32, dtype=np.uint32))[:, None]
    hashes = (bits.astype(np.uint32) * weights).sum(axis=0, dtype=np.uint64).astype(np.uint32)
    return hashes, diff[:, -1].copy()


class AudioPrints:
    """Per-frame 32-bit audio hashes, fed the mel power of each spectral frame.

    Frame ``k`` is centred on sample ``k * hop + n_fft / 2`` of the global sample
    grid (the frames :class:`~highlights.features.audio.AudioFeatures` computes).
    Only frames whose centre falls in ``[t_lo, t_hi)`` seconds are kept.
    """

    def __init__(self, *, sr: int, hop: int, n_fft: int, t_lo: float = 0.0,
                 t_hi: float = math.inf) -> None:
        self.sr = int(sr)
        self.hop = int(hop)
        self.n_fft = int(n_fft)
        self.t_lo, self.t_hi = float(t_lo), float(t_hi)
        self._hashes = np.zeros(4096, np.uint32)
        self._valid = np.zeros(4096, bool)
        self._k0: int | None = None  # global index of _hashes[0]
        self._n = 0
        self._last_k = -2
        self._hist: NDArray[np.float64] | None = None  # last AUDIO_SMOOTH-1 power columns
        self._prev: NDArray[np.float64] | None = None

    def add(self, k: NDArray[np.int64], power: NDArray[np.float64]) -> None:
        """Take frames ``k`` (consecutive global indices) and their mel power (64, m)."""
        if k.size == 0:
            return
        lo, hi = AUDIO_BANDS
        p = power[lo: hi + 1]
        if int(k[0]) != self._last_k + 1:  # a new run (start, or after a gap)
            self._hist = None
            self._prev = None
        hist = self._hist
        cat = p if hist is None else np.concatenate((hist, p), axis=1)
        # moving average over AUDIO_SMOOTH frames (shorter at a run start)
        cs = np.cumsum(np.concatenate((np.zeros((cat.shape[0], 1)), cat), axis=1), axis=1)
        n_cat = cat.shape[1]
        ends = np.arange(n_cat - p.shape[1] + 1, n_cat + 1)
        starts = np.maximum(ends - AUDIO_SMOOTH, 0)
        smooth = (cs[:, ends] - cs[:, starts]) / (ends - starts)
        restart = self._prev is None
        hashes, self._prev = audio_hashes(smooth, self._prev)
        self._hist = cat[:, -(AUDIO_SMOOTH - 1):].copy()
        self._last_k = int(k[-1])
        valid = np.ones(k.size, bool)
        if restart:
            valid[: AUDIO_SMOOTH] = False  # no history yet
        centre = (k * self.hop + self.n_fft // 2) / self.sr
        keep = (centre >= self.t_lo - 1e-9) & (centre < self.t_hi - 1e-9)
        if not keep.any():
            return
        kk, hh, vv = k[keep], hashes[keep], valid[keep]
        if self._k0 is None:
            self._k0 = int(kk[0])
        idx = kk - self._k0
        if idx[0] < 0:  # frames before the first kept one (cannot happen in order)
            ok = idx >= 0
            idx, hh, vv = idx[ok], hh[ok], vv[ok]
        need = int(idx[-1]) + 1
        if need > self._hashes.size:
            m = max(need, 2 * self._hashes.size)
            self._hashes = np.concatenate((self._hashes,
                                           np.zeros(m - self._hashes.size, np.uint32)))
            self._valid = np.concatenate((self._valid, np.zeros(m - self._valid.size, bool)))
        self._hashes[idx] = hh
        self._valid[idx] = vv
        self._n = max(self._n, need)

    def result(self) -> tuple[int, NDArray[np.uint32], NDArray[np.bool_]]:
        """``(k0, hashes, valid)``: global index of the first frame, and the arrays."""
        k0 = 0 if self._k0 is None else self._k0
        return k0, self._hashes[: self._n].copy(), self._valid[: self._n].copy()


class PictureSigs:
    """Signatures of the centre region of every frame handed over, with their times.

    With ``fine=True`` the :func:`fine_signature` of each frame is kept too
    (``fines``).  Frames outside ``[t_lo, t_hi)`` seconds are skipped.  Call it like a frame sink
    (``sigs(t_s, y, u, v, full_range)``).
    """

    def __init__(self, *, t_lo: float = -math.inf, t_hi: float = math.inf,
                 fine: bool = False) -> None:
        self.t_lo, self.t_hi = float(t_lo), float(t_hi)
        self.fine = fine
        self.fines: list[NDArray[np.float32]] = []
        self.times: list[float] = []
        self.sigs: list[NDArray[np.float32]] = []
        self.levels: list[float] = []
        self.shape: tuple[int, int] = (0, 0)
        self._box: tuple[float, float, float, float] | None = None

    def __call__(self, t_s: float, y: NDArray[np.uint8], u: Any, v: Any, full_range: bool
                 ) -> None:
        """Take one frame (only its luma plane is read)."""
        if not (self.t_lo - 1e-9 <= t_s < self.t_hi - 1e-9):
            return
        if self.times and t_s <= self.times[-1]:
            return  # duplicate or out-of-order timestamp
        if (y.shape[1], y.shape[0]) != self.shape or self._box is None:
            self.shape = (int(y.shape[1]), int(y.shape[0]))
            self._box = centre_box(*self.shape)
        sig, level = picture_signature(y, self._box)
        if self.fine:
            self.fines.append(fine_signature(y, self._box))
        self.times.append(float(t_s))
        self.sigs.append(sig)
        self.levels.append(level)

    def result(self) -> tuple[NDArray[np.float64], NDArray[np.float16], NDArray[np.float32]]:
        """``(times_s, signatures (n, SIG_DIM) float16, levels)``."""
        n = len(self.times)
        sigs = (np.stack(self.sigs).astype(np.float16) if n
                else np.zeros((0, SIG_DIM), np.float16))
        return (np.asarray(self.times, np.float64), sigs,
                np.asarray(self.levels, np.float32))


@dataclass(frozen=True)
class Fingerprint:
    """Audio hashes and picture signatures of one recording (see the module docs).

    Attributes
    ----------
    audio_k0 : int
        Global index of the first audio frame held.
    audio_hashes : ndarray of uint32
        One 32-bit hash per 32 ms audio frame; frame ``audio_k0 + i`` is centred at
        ``(k * audio_hop + audio_offset)`` samples, i.e. :meth:`audio_time_s`.
    audio_valid : ndarray of bool
        False where a frame has no hash (no audio, or the first frames of a run).
    audio_sr, audio_hop, audio_n_fft : int
        Sample rate, hop and frame length of the audio frames (16000, 512, 1024).
    frame_times_s : ndarray of float64
        Times of the decoded video frames whose signatures are held (keyframes only
        in a long recording's analysis), seconds from the media start.
    frame_sigs : ndarray of float16, shape (n, SIG_DIM)
        Their unit signatures.
    frame_levels : ndarray of float32
        Their levels (below :data:`FLAT_LEVEL`: flat, uninformative).
    frame_size : (int, int)
        Width and height of the planes the signatures were read from.
    """

    audio_k0: int
    audio_hashes: NDArray[np.uint32]
    audio_valid: NDArray[np.bool_]
    audio_sr: int
    audio_hop: int
    audio_n_fft: int
    frame_times_s: NDArray[np.float64]
    frame_sigs: NDArray[np.float16]
    frame_levels: NDArray[np.float32]
    frame_size: tuple[int, int]

    @property
    def audio_hop_s(self) -> float:
        """Seconds between audio frames."""
        return self.audio_hop / self.audio_sr

    def audio_time_s(self, i: NDArray[np.int64] | int) -> NDArray[np.float64]:
        """Centre time in seconds of the held audio frame(s) ``i`` (0 = the first)."""
        k = np.asarray(i, np.float64) + self.audio_k0
        out: NDArray[np.float64] = (k * self.audio_hop + self.audio_n_fft // 2) / self.audio_sr
        return out

    @classmethod
    def empty(cls, *, sr: int = 16000, hop: int = 512, n_fft: int = 1024) -> Fingerprint:
        """A fingerprint with nothing in it (no audio, no video)."""
        return cls(0, np.zeros(0, np.uint32), np.zeros(0, bool), sr, hop, n_fft,
                   np.zeros(0), np.zeros((0, SIG_DIM), np.float16), np.zeros(0, np.float32),
                   (0, 0))

    @classmethod
    def build(cls, audio: AudioPrints | None, pictures: PictureSigs | None, *,
              sr: int, hop: int, n_fft: int) -> Fingerprint:
        """Collect the sinks' results."""
        k0, hashes, valid = (audio.result() if audio is not None
                             else (0, np.zeros(0, np.uint32), np.zeros(0, bool)))
        if pictures is not None:
            times, sigs, levels = pictures.result()
            size = pictures.shape
        else:
            times, sigs, levels = (np.zeros(0), np.zeros((0, SIG_DIM), np.float16),
                                   np.zeros(0, np.float32))
            size = (0, 0)
        return cls(k0, hashes, valid, sr, hop, n_fft, times, sigs, levels, size)

    @classmethod
    def concat(cls, parts: list[Fingerprint]) -> Fingerprint:
        """Join the fingerprints of consecutive time ranges (sharded analysis)."""
        parts = [p for p in parts]
        if not parts:
            return cls.empty()
        first = parts[0]
        with_audio = [p for p in parts if p.audio_hashes.size]
        if with_audio:
            k0 = min(p.audio_k0 for p in with_audio)
            k1 = max(p.audio_k0 + p.audio_hashes.size for p in with_audio)
            hashes = np.zeros(k1 - k0, np.uint32)
            valid = np.zeros(k1 - k0, bool)
            for p in with_audio:
                i = p.audio_k0 - k0
                sl = slice(i, i + p.audio_hashes.size)
                hashes[sl] = np.where(p.audio_valid, p.audio_hashes, hashes[sl])
                valid[sl] |= p.audio_valid
        else:
            k0, hashes, valid = 0, np.zeros(0, np.uint32), np.zeros(0, bool)
        times = np.concatenate([p.frame_times_s for p in parts])
        order = np.argsort(times, kind="stable")
        keep = np.ones(order.size, bool)
        keep[1:] = np.diff(times[order]) > 0
        order = order[keep]
        size = next((p.frame_size for p in parts if p.frame_size != (0, 0)), (0, 0))
        return cls(k0, hashes, valid, first.audio_sr, first.audio_hop, first.audio_n_fft,
                   times[order], np.concatenate([p.frame_sigs for p in parts])[order],
                   np.concatenate([p.frame_levels for p in parts])[order], size)

    def arrays(self) -> dict[str, NDArray[Any]]:
        """The arrays, by name (for the cache)."""
        return {"fp_audio_hashes": self.audio_hashes, "fp_audio_valid": self.audio_valid,
                "fp_frame_times_s": self.frame_times_s, "fp_frame_sigs": self.frame_sigs,
                "fp_frame_levels": self.frame_levels}

    def header(self) -> dict[str, Any]:
        """The scalars, JSON-ready (for the cache)."""
        return {"audio_k0": self.audio_k0, "audio_sr": self.audio_sr,
                "audio_hop": self.audio_hop, "audio_n_fft": self.audio_n_fft,
                "frame_size": list(self.frame_size)}

    @classmethod
    def from_arrays(cls, header: dict[str, Any], arrays: Any) -> Fingerprint:
        """Inverse of :meth:`header` and :meth:`arrays`; raises on anything malformed."""
        sigs = np.asarray(arrays["fp_frame_sigs"], np.float16)
        times = np.asarray(arrays["fp_frame_times_s"], np.float64)
        levels = np.asarray(arrays["fp_frame_levels"], np.float32)
        hashes = np.asarray(arrays["fp_audio_hashes"], np.uint32)
        valid = np.asarray(arrays["fp_audio_valid"], bool)
        if sigs.ndim != 2 or sigs.shape[1] != SIG_DIM or sigs.shape[0] != times.size \
                or levels.size != times.size or hashes.size != valid.size:
            raise ValueError("inconsistent fingerprint arrays")
        w, h = header["frame_size"]
        return cls(int(header["audio_k0"]), hashes, valid, int(header["audio_sr"]),
                   int(header["audio_hop"]), int(header["audio_n_fft"]), times, sigs, levels,
                   (int(w), int(h)))
