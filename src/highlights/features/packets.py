"""Compressed-domain video signals: bytes of video packets per hop and keyframe placement.

Packet sizes are free at demux speed (no decoding) and track motion and picture
complexity: an encoder spends more bits on frames that change a lot.  This module also
holds :class:`HopBins`, the growable per-hop accumulator the other feature sinks share.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["HopBins", "PacketFeatures", "hop_index"]


def hop_index(t_s: NDArray[np.float64] | float, *, hop_s: float) -> NDArray[np.int64]:
    """Index of the hop containing each time (``floor(t / hop)`` with a 1 ns tolerance)."""
    return np.floor(np.asarray(t_s, dtype=np.float64) / hop_s + 1e-9).astype(np.int64)


class HopBins:
    """Per-hop ``sum``, ``count`` and ``max`` arrays that grow on demand.

    Memory is O(number of hops); nothing else is kept.  Hops are indexed from 0 on
    the global grid; ``lo``/``hi`` restrict which hops are accepted (a time range).
    """

    def __init__(self, n_hint: int, *, lo: int = 0, hi: int | None = None) -> None:
        n = max(int(n_hint), 16)
        self.sum = np.zeros(n, np.float64)
        self.count = np.zeros(n, np.float64)
        self.max = np.full(n, -np.inf, np.float64)
        self.lo = int(lo)
        self.hi = hi

    def _grow(self, need: int) -> None:
        n = self.sum.shape[0]
        if need <= n:
            return
        m = max(need, 2 * n)
        for name, fill in (("sum", 0.0), ("count", 0.0), ("max", -np.inf)):
            old = getattr(self, name)
            new = np.full(m, fill, np.float64)
            new[:n] = old
            setattr(self, name, new)

    def _clip(self, idx: NDArray[np.int64]) -> NDArray[np.bool_]:
        ok = idx >= self.lo
        if self.hi is not None:
            ok &= idx < self.hi
        return ok

    def add(self, idx: NDArray[np.int64], values: NDArray[np.float64], *,
            weights: NDArray[np.float64] | None = None) -> None:
        """Accumulate ``values`` (sum, max) and ``weights`` (count, default 1) into hops."""
        idx = np.asarray(idx, np.int64)
        vals = np.asarray(values, np.float64)
        w = np.ones_like(vals) if weights is None else np.asarray(weights, np.float64)
        ok = self._clip(idx)
        if not ok.all():
            idx, vals, w = idx[ok], vals[ok], w[ok]
        if idx.size == 0:
            return
        self._grow(int(idx.max()) + 1)
        top = int(idx.max()) + 1
        self.sum[:top] += np.bincount(idx, weights=vals, minlength=top)
        self.count[:top] += np.bincount(idx, weights=w, minlength=top)
        np.maximum.at(self.max, idx, vals)

    def add_span(self, first: int, *, last: int, value: float) -> None:
        """Add ``value`` once to every hop ``first <= i <= last`` (a frame pair spanning hops)."""
        first = max(first, self.lo)
        if self.hi is not None:
            last = min(last, self.hi - 1)
        if last < first:
            return
        self._grow(last + 1)
        sl = slice(first, last + 1)
        self.sum[sl] += value
        self.count[sl] += 1.0
        np.maximum(self.max[sl], value, out=self.max[sl])

    def mean(self, n: int) -> NDArray[np.float32]:
        """Per-hop mean (``sum / count``), NaN where nothing was added, length ``n``."""
        s, c = self._fit(self.sum, n, 0.0), self._fit(self.count, n, 0.0)
        out = np.full(n, np.nan, np.float64)
        np.divide(s, c, out=out, where=c > 0)
        return out.astype(np.float32)

    def maximum(self, n: int) -> NDArray[np.float32]:
        """Per-hop maximum, NaN where nothing was added, length ``n``."""
        m = self._fit(self.max, n, -np.inf)
        return np.where(np.isfinite(m), m, np.nan).astype(np.float32)

    def total(self, n: int) -> NDArray[np.float64]:
        """Per-hop sum, length ``n`` (0 where nothing was added)."""
        return self._fit(self.sum, n, 0.0)

    def counts(self, n: int) -> NDArray[np.float64]:
        """Per-hop count (sum of weights), length ``n``."""
        return self._fit(self.count, n, 0.0)

    @staticmethod
    def _fit(a: NDArray[np.float64], n: int, fill: float) -> NDArray[np.float64]:
        if a.shape[0] >= n:
            out: NDArray[np.float64] = a[:n].copy()
            return out
        out = np.full(n, fill, np.float64)
        out[: a.shape[0]] = a
        return out


class PacketFeatures:
    """Sink for video packets: ``video_bytes`` (bytes per hop) and ``keyframe`` (0/1).

    Packets are buffered in short Python lists and binned with ``np.bincount`` every
    4096 packets, so the per-packet cost is one list append.
    """

    _FLUSH = 4096

    def __init__(self, *, hop_s: float, n_hint: int, lo: int = 0, hi: int | None = None) -> None:
        self.hop_s = hop_s
        self.bytes = HopBins(n_hint, lo=lo, hi=hi)
        self.keys = HopBins(n_hint, lo=lo, hi=hi)
        self._t: list[float] = []
        self._n: list[int] = []
        self._k: list[float] = []
        self.first_s: float | None = None
        self.last_s: float | None = None

    def __call__(self, t_s: float, nbytes: int, key: bool) -> None:
        """Record one video packet at ``t_s`` seconds of ``nbytes`` bytes."""
        self._t.append(t_s)
        self._n.append(nbytes)
        self._k.append(1.0 if key else 0.0)
        if len(self._t) >= self._FLUSH:
            self.flush()

    def flush(self) -> None:
        """Bin the buffered packets."""
        if not self._t:
            return
        t = np.asarray(self._t)
        ok = t >= 0  # packets before the first displayed frame
        t = t[ok]
        k = np.asarray(self._k)[ok]
        nb = np.asarray(self._n, np.float64)[ok]
        if t.size:
            idx = hop_index(t, hop_s=self.hop_s)
            self.bytes.add(idx, nb)
            self.keys.add(idx, k)
            lo, hi = float(t.min()), float(t.max())
            self.first_s = lo if self.first_s is None else min(self.first_s, lo)
            self.last_s = hi if self.last_s is None else max(self.last_s, hi)
        self._t.clear()
        self._n.clear()
        self._k.clear()

    def timelines(self, n: int, *, covered: NDArray[np.bool_]) -> dict[str, NDArray[np.float32]]:
        """``{"video_bytes", "keyframe"}`` arrays of length ``n``; NaN where not ``covered``."""
        self.flush()
        nbytes = self.bytes.total(n)
        key = (self.keys.total(n) > 0).astype(np.float64)
        nbytes[~covered] = np.nan
        key[~covered] = np.nan
        return {"video_bytes": nbytes.astype(np.float32), "keyframe": key.astype(np.float32)}
