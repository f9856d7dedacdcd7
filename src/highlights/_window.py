"""Window sums and means over 1-D arrays, and spans painted onto a grid.

The one implementation of the running sums every layer needs (fusion smoothing,
chat onsets, lag estimation, model context features) and of "which hops lie in
these spans" (labels, coverage metrics).  Each is O(n) from one ``cumsum``, with
slices rather than fancy indexing on the hot path, and has a loop twin in
``tests/naive.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["window_sums", "window_counts", "window_mean", "window_median", "window_max",
           "moving_average",
           "spans_mask"]

F64 = NDArray[np.float64]


def window_sums(values: NDArray[Any], *, lo: int, hi: int) -> F64:
    """``sum(values[i + lo : i + hi + 1])`` for every ``i``, windows clipped to the array.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Finite input.
    lo, hi : int
        Window offsets in samples, ``lo <= hi + 1`` (``lo = -r, hi = r`` is a centred
        window of ``2r + 1`` samples; ``lo = 1, hi = k`` the ``k`` samples after).

    Returns
    -------
    ndarray of float64, shape (n,)
    """
    v = np.asarray(values)
    n = v.shape[0]
    if n == 0:
        return np.zeros(0)
    # e[k] = sum(v[:clip(k - off, 0, n)]): a cumsum padded so every window is a slice.
    off = max(0, -lo, -(hi + 1))
    size = max(n + 1 + off, n + hi + 1 + off, n + lo + off)
    e = np.empty(size + 1)
    e[: off + 1] = 0.0
    np.cumsum(v, dtype=np.float64, out=e[off + 1 : off + 1 + n])
    e[off + 1 + n :] = e[off + n]
    out: F64 = e[hi + 1 + off : hi + 1 + off + n] - e[lo + off : lo + off + n]
    return out


def window_counts(n: int, *, lo: int, hi: int) -> NDArray[np.int64]:
    """How many samples of an ``n``-long array the window ``[i + lo, i + hi]`` holds."""
    i = np.arange(n)
    out: NDArray[np.int64] = np.clip(i + hi + 1, 0, n) - np.clip(i + lo, 0, n)
    return out


def window_mean(values: NDArray[Any], *, lo: int, hi: int, empty: float = 0.0) -> F64:
    """Mean of ``values[i + lo : i + hi + 1]`` for every ``i``, clipped to the array.

    Windows that fall entirely outside the array (possible only at the edges when
    ``lo > 0`` or ``hi < 0``) give ``empty``.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Finite input.
    lo, hi : int
        Window offsets in samples, as in :func:`window_sums`.
    empty : float, default 0.0
        Value of an empty window.

    Returns
    -------
    ndarray of float64, shape (n,)

    Examples
    --------
    >>> window_mean(np.array([1.0, 2.0, 3.0, 4.0]), lo=-1, hi=1).tolist()
    [1.5, 2.0, 3.0, 3.5]
    """
    v = np.asarray(values)
    total = window_sums(v, lo=lo, hi=hi)
    count = window_counts(v.shape[0], lo=lo, hi=hi)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: F64 = np.where(count > 0, total / np.maximum(count, 1), empty)
    return out


def window_median(values: NDArray[Any], *, lo: int, hi: int, block: int = 8192) -> F64:
    """Median of the valid values of ``values[i + lo : i + hi + 1]`` for every ``i``.

    NaN entries and the parts of a window outside the array are ignored; a window
    with no valid value gives NaN.  Rows are sorted in blocks of ``block`` windows,
    so memory stays ``O(block * (hi - lo + 1))``.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Input, NaN = missing.
    lo, hi : int
        Window offsets in samples, ``lo <= hi``.
    block : int, default 8192
        Windows sorted at once.

    Returns
    -------
    ndarray of float64, shape (n,)

    Examples
    --------
    >>> window_median(np.array([1.0, 9.0, 2.0, 3.0]), lo=-1, hi=1).tolist()
    [5.0, 2.0, 3.0, 2.5]
    """
    x = np.asarray(values, dtype=np.float64)
    n = x.shape[0]
    k = hi - lo + 1
    out = np.full(n, np.nan)
    if n == 0 or k <= 0:
        return out
    head, tail = max(-lo, 0), max(hi, 0) + 1
    xp = np.concatenate((np.full(head, np.inf), np.where(np.isnan(x), np.inf, x),
                         np.full(tail, np.inf)))
    rows = np.lib.stride_tricks.sliding_window_view(xp, k)
    for s in range(0, n, block):
        e = min(n, s + block)
        w = np.sort(rows[s + lo + head: e + lo + head], axis=1)
        valid = np.isfinite(w).sum(axis=1)
        r = np.arange(e - s)
        a = np.maximum((valid - 1) // 2, 0)
        b = np.maximum(valid // 2, 0)
        med = 0.5 * (w[r, a] + w[r, np.minimum(b, k - 1)])
        out[s:e] = np.where(valid > 0, med, np.nan)
    return out


def window_max(values: NDArray[Any], *, lo: int, hi: int) -> F64:
    """Maximum of ``values[i + lo : i + hi + 1]`` for every ``i``; NaN and outside = -inf.

    Vectorised van Herk/Gil-Werman algorithm: O(n) with block-wise prefix and suffix
    maxima, no Python loop over samples.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Input samples.
    lo, hi : int
        Window offsets in samples, ``lo <= hi``.

    Returns
    -------
    ndarray of float64, shape (n,)

    Examples
    --------
    >>> window_max(np.array([1.0, 5.0, 2.0, 0.0]), lo=0, hi=1).tolist()
    [5.0, 5.0, 2.0, 0.0]
    """
    v = np.asarray(values)
    if v.dtype not in (np.float32, np.float64):
        v = v.astype(np.float64)
    n = v.shape[0]
    if n == 0:
        return np.zeros(0)
    w = hi - lo + 1
    if w <= 1 and lo == 0:
        return np.where(np.isnan(v), -np.inf, v).astype(np.float64)
    head = max(-lo, 0)
    total = head + n + max(hi, 0)
    nblocks = -(-total // w) + 1
    # Work in the input's precision (float32 halves the memory traffic); the maxima
    # are input values, so nothing is lost.
    padded = np.full(nblocks * w, -np.inf, dtype=v.dtype)
    padded[head: head + n] = v
    padded[np.isnan(padded)] = -np.inf
    blocks = padded.reshape(nblocks, w)
    prefix = np.maximum.accumulate(blocks, axis=1).reshape(-1)
    suffix = np.maximum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    # Window of padded indices [j, j + w - 1] with j = i + lo + head.
    j0 = lo + head
    out: NDArray[np.float64] = np.maximum(suffix[j0: j0 + n], prefix[j0 + w - 1: j0 + w - 1 + n]
                                          ).astype(np.float64, copy=False)
    return out


def moving_average(values: NDArray[Any], width: int) -> F64:
    """Centred moving average over ``width`` samples, NaN-aware.

    The window of sample ``i`` is ``[i - width // 2, i - width // 2 + width)``,
    clipped to the array (edges average over what exists; even widths are centred
    half a sample late).

    Parameters
    ----------
    values : ndarray, shape (n,)
        Input; NaN entries are ignored (the mean is over the valid ones).
    width : int
        Window length in samples (>= 1).

    Returns
    -------
    ndarray of float64, shape (n,)
        NaN where the window holds no valid sample.
    """
    v = np.asarray(values)
    n = v.shape[0]
    if width <= 1 or n == 0:
        copied: F64 = v.astype(np.float64)
        return copied
    lo = -(width // 2)
    hi = lo + width - 1
    nan = np.isnan(v)
    if bool(nan.any()):
        total = window_sums(np.where(nan, 0.0, v), lo=lo, hi=hi)
        count = window_sums((~nan).astype(np.float64), lo=lo, hi=hi)
        with np.errstate(invalid="ignore", divide="ignore"):
            out: F64 = total / count
        out[count < 0.5] = np.nan
        return out
    out = window_sums(v, lo=lo, hi=hi)
    out /= width
    # Only the first and last windows are cut short by the edges: fix their counts.
    edge = np.r_[0 : min(-lo, n), max(n - hi, 0) : n]
    out[edge] *= width / (np.minimum(edge + hi + 1, n) - np.maximum(edge + lo, 0))
    return out


def spans_mask(spans: NDArray[Any], *, n: int, hop_s: float, start_s: float = 0.0
               ) -> NDArray[np.bool_]:
    """Hops ``i < n`` whose centre ``start_s + (i + 0.5) * hop_s`` lies in a span.

    Parameters
    ----------
    spans : ndarray, shape (m, 2)
        ``[start_s, end_s)`` pairs in seconds (any order, may overlap; empty or
        reversed spans cover nothing).
    n : int
        Number of hops.
    hop_s : float
        Hop, seconds (> 0).
    start_s : float, default 0.0
        Start of the grid, seconds.

    Returns
    -------
    ndarray of bool, shape (n,)

    Examples
    --------
    >>> spans_mask(np.array([[1.0, 2.0]]), n=6, hop_s=0.5).astype(int).tolist()
    [0, 0, 1, 1, 0, 0]
    """
    arr = np.asarray(spans, dtype=np.float64).reshape(-1, 2)
    if arr.shape[0] == 0 or n == 0:
        return np.zeros(n, dtype=bool)
    # hop i is inside [a, b) when a <= start_s + (i + 0.5) hop < b
    i0 = np.clip(np.ceil((arr[:, 0] - start_s) / hop_s - 0.5 - 1e-9), 0, n).astype(np.int64)
    i1 = np.clip(np.ceil((arr[:, 1] - start_s) / hop_s - 0.5 - 1e-9), 0, n).astype(np.int64)
    keep = i1 > i0
    delta = np.bincount(i0[keep], minlength=n + 1) - np.bincount(i1[keep], minlength=n + 1)
    out: NDArray[np.bool_] = np.cumsum(delta[:n]) > 0
    return out
