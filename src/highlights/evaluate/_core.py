"""Array kernels shared by the clip metrics and the QVHighlights evaluation.

The public wrappers validate; these kernels trust their input (float64 arrays of
the documented shapes).  Only a loop over *prediction ranks* remains (greedy
one-to-one matching is sequential by nature); everything per query, per threshold,
per reference and per hop is vectorised.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "iou_cross",
    "greedy_match",
    "voc_ap",
    "ranked_ap",
    "union_length",
]

F64 = NDArray[np.float64]


def iou_cross(a: F64, b: F64) -> F64:
    """Temporal IoU of every span in ``a`` with every span in ``b``.

    Parameters
    ----------
    a : ndarray, shape (..., n, 2)
        Spans ``[start, end]``.
    b : ndarray, shape (..., m, 2)
        Spans ``[start, end]``; leading batch dimensions of ``a`` and ``b`` broadcast.

    Returns
    -------
    ndarray, shape (..., n, m)
        ``inter / (len(a) + len(b) - inter)``; a zero union gives ``NaN`` (0/0), as in
        the reference implementation.
    """
    a0, a1 = a[..., :, None, 0], a[..., :, None, 1]
    b0, b1 = b[..., None, :, 0], b[..., None, :, 1]
    inter = np.clip(np.minimum(a1, b1) - np.maximum(a0, b0), 0.0, None)
    union = (a1 - a0) + (b1 - b0) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        out: F64 = inter / union
    return out


def greedy_match(iou: F64, thresholds: F64) -> NDArray[np.bool_]:
    """Greedy one-to-one matching of ranked predictions to references.

    Parameters
    ----------
    iou : ndarray, shape (n_pred, n_ref) or (n_batch, n_pred, n_ref)
        IoU of each prediction (rows already sorted best score first) with each
        reference.  ``-inf`` marks padding (a missing prediction or reference).
    thresholds : ndarray, shape (n_thr,)
        IoU thresholds; a pair matches when its IoU is *not below* the threshold
        (so IoU exactly at the threshold matches).

    Returns
    -------
    ndarray of bool, shape (n_thr, n_pred) or (n_batch, n_thr, n_pred)
        True where the prediction is a true positive at that threshold.  Each
        prediction takes the still-unmatched reference with the highest IoU; among
        equal IoUs the reference with the larger index goes first.  That is what the
        ActivityNet / Moment-DETR ``argsort()[::-1]`` did when it was written (numpy's
        default sort was stable on short rows); numpy >= 1.25 may dispatch that
        default to an unstable SIMD sort, so the official script's tie-breaking now
        depends on the CPU.  Here it is pinned with ``kind="stable"``.

    Notes
    -----
    The loop runs over prediction ranks (at most a few dozen); batches, thresholds
    and references are vectorised.
    """
    single = iou.ndim == 2
    x = iou[None] if single else iou
    n_b, n_pred, n_ref = x.shape
    n_thr = thresholds.shape[0]
    tp = np.zeros((n_b, n_thr, n_pred), dtype=bool)
    if n_pred and n_ref:
        locked = np.zeros((n_b, n_thr, n_ref), dtype=bool)
        below = np.empty((n_b, n_thr, n_ref), dtype=bool)
        bi = np.arange(n_b)[:, None]
        ti = np.arange(n_thr)[None, :]
        for p in range(n_pred):
            row = x[:, p, :]
            order = np.argsort(row, axis=1, kind="stable")[:, ::-1]  # (b, ref)
            ranked = np.take_along_axis(row, order, axis=1)
            # References are visited by decreasing IoU until the first one below threshold.
            np.less(ranked[:, None, :], thresholds[None, :, None], out=below)
            reach = np.logical_and.accumulate(~below, axis=2)
            cand = reach & ~np.take_along_axis(locked, order[:, None, :], axis=2)
            hit = cand.any(axis=2)  # (b, thr)
            first = np.take_along_axis(order, np.argmax(cand, axis=2), axis=1)  # (b, thr)
            tp[:, :, p] = hit
            bb, tt = np.broadcast_arrays(bi, ti)
            locked[bb[hit], tt[hit], first[hit]] = True
    return tp[0] if single else tp


def voc_ap(tp: NDArray[np.bool_], n_ref: int | NDArray[np.int64]) -> F64:
    """All-point interpolated average precision (VOC 2011 / ActivityNet).

    Parameters
    ----------
    tp : ndarray of bool, shape (..., n_pred)
        True positives of predictions ranked best first; the others are false
        positives (trailing padding counted as false positives leaves the AP
        unchanged).
    n_ref : int or ndarray of int, shape broadcastable to ``tp.shape[:-1]``
        Number of references (> 0).

    Returns
    -------
    ndarray, shape ``tp.shape[:-1]``
        ``sum((r_i - r_{i-1}) * max_{j >= i} p_j)`` with the recall axis closed at 1.
    """
    lead = tp.shape[:-1]
    n_pred = tp.shape[-1]
    if n_pred == 0:
        return np.zeros(lead)
    tpc = np.cumsum(tp, axis=-1, dtype=np.float64)
    prec = tpc / np.arange(1, n_pred + 1, dtype=np.float64)
    rec = tpc / np.asarray(n_ref, dtype=np.float64)[..., None]
    zero = np.zeros((*lead, 1))
    mprec = np.concatenate([zero, prec, zero], axis=-1)
    mrec = np.concatenate([zero, rec, zero + 1.0], axis=-1)
    mprec = np.flip(np.maximum.accumulate(np.flip(mprec, -1), axis=-1), -1)
    step = np.diff(mrec, axis=-1)
    out: F64 = np.sum(np.where(step != 0, step * mprec[..., 1:], 0.0), axis=-1)
    return out


def ranked_ap(y_true: NDArray[np.bool_], y_score: F64) -> F64:
    """Average precision of a ranking, per label column, as in the video2gif code.

    This is the ``get_ap(interpolate=True)`` definition used by QVHighlights for
    HL-mAP: the precision/recall curve at every distinct score (ties form one
    step); precision is replaced by its running maximum taken from the *low*
    threshold end; the AP is the plain mean of that precision at each threshold
    where recall (compared in float32) increases.  A column with only negatives
    scores 0 and one with only positives scores 1.

    Parameters
    ----------
    y_true : ndarray of bool, shape (n, c)
        Labels, one column per annotator / level.
    y_score : ndarray, shape (n,)
        Predicted scores (finite), shared by all columns.

    Returns
    -------
    ndarray, shape (c,)
    """
    n, c = y_true.shape
    order = np.argsort(y_score, kind="mergesort")[::-1]
    s = y_score[order]
    y = y_true[order].astype(np.float64)
    last = np.r_[np.flatnonzero(np.diff(s)), n - 1]  # last index of every tie group
    tps = np.cumsum(y, axis=0)[last]  # (k, c)
    fps = (last + 1)[:, None] - tps
    n_pos = tps[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        prec = tps / (tps + fps)
        rec = (tps / n_pos).astype(np.float32)
    # Running max from the lowest threshold (end of this array) towards the highest.
    interp = np.maximum.accumulate(prec[::-1], axis=0)[::-1]
    prev = np.concatenate([np.zeros((1, c), dtype=np.float32), rec[:-1]], axis=0)
    use = rec != prev
    with np.errstate(invalid="ignore", divide="ignore"):
        ap = np.sum(np.where(use, interp, 0.0), axis=0) / use.sum(axis=0)
    out: F64 = np.where(n_pos == 0, 0.0, np.where(n_pos == n, 1.0, ap))
    return out


def union_length(spans: F64) -> float:
    """Total length of the union of spans (n, 2), in the spans' unit."""
    if spans.shape[0] == 0:
        return 0.0
    order = np.argsort(spans[:, 0], kind="stable")
    st = spans[order, 0]
    en = np.maximum.accumulate(spans[order, 1])
    new = np.r_[True, st[1:] > en[:-1]]
    starts = st[new]
    group_end_idx = np.r_[np.flatnonzero(new)[1:] - 1, st.shape[0] - 1]
    return float(np.sum(en[group_end_idx] - starts))
