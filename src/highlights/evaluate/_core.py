"""Array kernels shared by the clip metrics and the QVHighlights evaluation.

The public wrappers validate; these kernels trust their input (float64 arrays of
the documented shapes).  Only loops over *predictions* remain (greedy one-to-one
matching is sequential by nature); everything per threshold, per reference and per
hop is vectorised.
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
    """Temporal IoU of every span in ``a`` (n, 2) with every span in ``b`` (m, 2).

    ``union = len(a) + len(b) - inter``; a zero union gives ``NaN`` (0/0), as in the
    reference implementation, so that two empty spans at the same instant behave
    as there.
    """
    inter = np.clip(
        np.minimum(a[:, None, 1], b[None, :, 1]) - np.maximum(a[:, None, 0], b[None, :, 0]),
        0.0,
        None,
    )
    union = (a[:, 1] - a[:, 0])[:, None] + (b[:, 1] - b[:, 0])[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        out: F64 = inter / union
    return out


def greedy_match(iou: F64, thresholds: F64) -> NDArray[np.bool_]:
    """Greedy one-to-one matching of ranked predictions to references.

    Parameters
    ----------
    iou : ndarray, shape (n_pred, n_ref)
        IoU of each prediction (rows already sorted best score first) with each
        reference.
    thresholds : ndarray, shape (n_thr,)
        IoU thresholds; a pair matches when its IoU is *not below* the threshold
        (so IoU exactly at the threshold matches).

    Returns
    -------
    ndarray of bool, shape (n_thr, n_pred)
        True where the prediction is a true positive at that threshold.  Each
        prediction takes the still-unmatched reference with the highest IoU (ties:
        the reference that ``argsort()[::-1]`` puts first, as the ActivityNet /
        Moment-DETR code does).
    """
    n_pred, n_ref = iou.shape
    n_thr = thresholds.shape[0]
    tp = np.zeros((n_thr, n_pred), dtype=bool)
    if n_pred == 0 or n_ref == 0:
        return tp
    locked = np.zeros((n_thr, n_ref), dtype=bool)
    rows = np.arange(n_thr)
    for p in range(n_pred):  # loop over predictions (few), vectorised over refs and thresholds
        order = iou[p].argsort()[::-1]
        ranked = iou[p, order]
        # References are visited by decreasing IoU until the first one below threshold.
        reachable = np.logical_and.accumulate(~(ranked[None, :] < thresholds[:, None]), axis=1)
        cand = reachable & ~locked[:, order]
        hit = cand.any(axis=1)
        first = order[np.argmax(cand, axis=1)]
        tp[hit, p] = True
        locked[rows[hit], first[hit]] = True
    return tp


def voc_ap(tp: NDArray[np.bool_], n_ref: int) -> F64:
    """All-point interpolated average precision (VOC 2011 / ActivityNet) per row.

    Parameters
    ----------
    tp : ndarray of bool, shape (n_thr, n_pred)
        True positives of predictions ranked best first; the others are false
        positives.
    n_ref : int
        Number of references (> 0).

    Returns
    -------
    ndarray, shape (n_thr,)
        ``sum((r_i - r_{i-1}) * max_{j >= i} p_j)`` with the recall axis closed at 1.
    """
    n_thr, n_pred = tp.shape
    if n_pred == 0:
        return np.zeros(n_thr)
    tpc = np.cumsum(tp, axis=1, dtype=np.float64)
    rank = np.arange(1, n_pred + 1, dtype=np.float64)
    prec = tpc / rank
    rec = tpc / float(n_ref)
    mprec = np.concatenate([np.zeros((n_thr, 1)), prec, np.zeros((n_thr, 1))], axis=1)
    mrec = np.concatenate([np.zeros((n_thr, 1)), rec, np.ones((n_thr, 1))], axis=1)
    mprec = np.maximum.accumulate(mprec[:, ::-1], axis=1)[:, ::-1]
    step = np.diff(mrec, axis=1)
    out: F64 = np.sum(np.where(step != 0, step * mprec[:, 1:], 0.0), axis=1)
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
