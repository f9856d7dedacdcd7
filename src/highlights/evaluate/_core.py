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


def ranked_ap(
    y_true: NDArray[np.bool_],
    y_score: F64,
    n_valid: NDArray[np.int64] | None = None,
) -> F64:
    """Average precision of a ranking, per label column, as in the video2gif code.

    This is the ``get_ap(interpolate=True)`` definition used by QVHighlights for
    HL-mAP: the precision/recall curve at every distinct score (ties form one
    step); each precision is replaced by the maximum precision at that or any lower
    threshold; the AP is the plain mean of that precision at each threshold where
    recall (compared in float32) increases.  A column with only negatives scores 0
    and one with only positives scores 1.

    Parameters
    ----------
    y_true : ndarray of bool, shape (n, c) or (q, n, c)
        Labels, one column per annotator / level, optionally for a batch of q
        rankings.
    y_score : ndarray, shape (n,) or (q, n)
        Predicted scores (finite), shared by all columns of a ranking.
    n_valid : ndarray of int, shape (q,), optional
        Items actually present in each ranking of a batch (the rest is padding and
        ignored).  Default: all ``n``.

    Returns
    -------
    ndarray, shape (c,) or (q, c)
    """
    single = y_true.ndim == 2
    yt = y_true[None] if single else y_true
    ys = y_score[None] if single else y_score
    q, n, c = yt.shape
    nv = np.full(q, n, dtype=np.int64) if n_valid is None else np.asarray(n_valid)
    if n == 0:
        return np.zeros(c) if single else np.zeros((q, c))
    pos_idx = np.arange(n)
    valid = pos_idx[None, :] < nv[:, None]  # (q, n)
    # Descending, padding last.  Order inside a tie group does not matter: only the
    # counts at the end of each group are used.
    order = np.argsort(np.where(valid, -ys, np.inf), axis=1, kind="stable")
    s = np.take_along_axis(np.where(valid, ys, 0.0), order, axis=1)
    y = np.take_along_axis(yt & valid[:, :, None], order[:, :, None], axis=1)
    # The last item of every tie group (ends of the curve's steps).
    end = np.zeros((q, n), dtype=bool)
    end[:, :-1] = s[:, :-1] != s[:, 1:]
    end[np.arange(q), np.maximum(nv - 1, 0)] = True
    end &= valid
    end3 = end[:, :, None]
    tps = np.cumsum(y, axis=1, dtype=np.float64)  # (q, n, c)
    prec = tps / (pos_idx + 1.0)[None, :, None]
    n_pos = np.take_along_axis(tps, np.maximum(nv - 1, 0)[:, None, None], axis=1)  # (q, 1, c)
    # tps at the previous group end (tps never decreases, so a running max works).
    at_end = np.where(end3, tps, 0.0)
    prev_tps = np.concatenate([np.zeros((q, 1, c)), np.maximum.accumulate(at_end, axis=1)[:, :-1]],
                              axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rec = (tps / n_pos).astype(np.float32)
        prev_rec = (prev_tps / n_pos).astype(np.float32)
    # Max precision over this and every lower threshold (group ends only).
    interp = np.flip(np.maximum.accumulate(np.flip(np.where(end3, prec, -np.inf), 1), axis=1), 1)
    use = end3 & (rec != prev_rec)
    with np.errstate(invalid="ignore", divide="ignore"):
        ap = np.sum(np.where(use, interp, 0.0), axis=1) / use.sum(axis=1)
    n_pos2 = n_pos[:, 0, :]
    out: F64 = np.where(n_pos2 == 0, 0.0, np.where(n_pos2 == nv[:, None], 1.0, ap))
    return out[0] if single else out


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
