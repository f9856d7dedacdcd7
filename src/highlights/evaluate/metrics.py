"""Clip metrics against reference spans: coverage, span P/R/F1, hit@k, AP, and per-hop scoring.

Predictions may be given as

* a list of :class:`~highlights.types.Clip` (ranked by ``score``),
* a list of ``(start_s, end_s)`` or ``(start_s, end_s, score)`` tuples, or an array of
  shape ``(n, 2)`` / ``(n, 3)``; without scores the list order is the ranking (first =
  best),
* a :class:`~highlights.timeline.Timeline` read as a segmentation: every run of hops
  with a value > 0 is one predicted span, scored by the run's maximum (NaN hops are
  not selected).  To score a raw per-hop score without thresholding it, use
  :func:`score_timeline`.

References are a list of ``(start_s, end_s)`` pairs (or Clips, or an ``(m, 2)``
array).  Times are seconds.  Ties in score keep the input order (stable sort).
Ratios that are undefined (no predictions, no references) take ``zero_division``
(default 0.0), as in scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_int, check_positive, fail
from .._window import spans_mask
from ..timeline import Timeline
from ..types import Clip
from ._core import greedy_match, iou_cross, ranked_ap, union_length, voc_ap

__all__ = [
    "coverage_prf",
    "span_prf",
    "hit_at_k",
    "average_precision",
    "evaluate_clips",
    "score_timeline",
    "PredLike",
    "RefLike",
]

F64 = NDArray[np.float64]
SpanLike = Clip | Sequence[float] | NDArray[Any]
#: Predicted clips: Clips, (start_s, end_s[, score]) tuples, an (n, 2|3) array, or a Timeline.
PredLike = Sequence[SpanLike] | NDArray[Any] | Timeline
#: Reference spans: (start_s, end_s) pairs, Clips, or an (m, 2) array.
RefLike = Sequence[SpanLike] | NDArray[Any]


# ---------------------------------------------------------------------------- input parsing
def _timeline_runs(tl: Timeline) -> tuple[F64, F64]:
    """Runs of hops with value > 0 as spans (s) and their max value."""
    v = tl.values
    on = v > 0  # NaN compares False
    edges = np.flatnonzero(np.diff(np.r_[False, on, False].astype(np.int8)))
    starts, stops = edges[0::2], edges[1::2]
    if starts.size == 0:
        return np.zeros((0, 2)), np.zeros(0)
    spans = np.stack([tl.start_s + starts * tl.hop_s, tl.start_s + stops * tl.hop_s], axis=1)
    # reduceat over interleaved [start, stop) pairs; the padding makes stop == n valid.
    padded = np.append(v.astype(np.float64), -np.inf)
    scores = np.maximum.reduceat(padded, np.stack([starts, stops], axis=1).reshape(-1))[0::2]
    return spans, scores


def _spans(obj: Any, name: str, caller: str, *, scored: bool) -> tuple[F64, F64]:
    """Parse predictions/references into spans (n, 2) and ranking scores (n,)."""
    if isinstance(obj, Timeline):
        if not scored:
            raise fail(name, caller, "a list of (start_s, end_s) spans or an (m, 2) array",
                       obj)
        return _timeline_runs(obj)
    if isinstance(obj, (str, bytes)) or obj is None:
        raise fail(name, caller, "a list of spans, Clips, an array or a Timeline", obj)
    if isinstance(obj, np.ndarray):
        if obj.ndim != 2 or obj.shape[1] not in (2, 3) or obj.dtype.kind not in "biuf":
            raise fail(name, caller, "a numeric array of shape (n, 2) or (n, 3)",
                       f"an array of shape {obj.shape} and dtype {obj.dtype}")
        return _checked(obj.astype(np.float64), name, caller)
    rows: list[list[float]] = []
    try:
        for item in obj:
            if isinstance(item, Clip):
                rows.append([item.start_s, item.end_s, item.score])
            else:
                rows.append([float(x) for x in item])
    except (TypeError, ValueError) as exc:
        raise fail(name, caller, "a sequence of (start_s, end_s[, score]) spans",
                   f"{obj!r:.120}") from exc
    widths = {len(r) for r in rows}
    if not widths <= {2, 3} or len(widths) > 1:
        raise fail(name, caller,
                   "spans that all have 2 values (start_s, end_s) or all 3 (with score)",
                   f"rows of lengths {sorted(widths)}")
    if not rows:
        return np.zeros((0, 2)), np.zeros(0)
    return _checked(np.asarray(rows, dtype=np.float64), name, caller)


def _checked(arr: F64, name: str, caller: str) -> tuple[F64, F64]:
    """Validate an (n, 2|3) float array and split it into spans and scores."""
    if not np.isfinite(arr).all():
        raise fail(name, caller, "finite numbers", "a non-finite value")
    spans = np.ascontiguousarray(arr[:, :2])
    bad = np.flatnonzero(spans[:, 1] < spans[:, 0])
    if bad.size:
        raise fail(name, caller, "spans with end_s >= start_s",
                   f"span {int(bad[0])} = {tuple(spans[bad[0]].tolist())}")
    if arr.shape[1] == 3:
        scores = arr[:, 2].copy()
    else:  # the order is the ranking
        scores = -np.arange(arr.shape[0], dtype=np.float64)
    return spans, scores


def _ranked(spans: F64, scores: F64) -> F64:
    """Spans sorted best score first (stable)."""
    return spans[np.argsort(-scores, kind="stable")]


def _safe_iou(a: F64, b: F64) -> F64:
    """IoU with 0 (not NaN) for two zero-length spans."""
    return np.nan_to_num(iou_cross(a, b), nan=0.0)


def _ratio(num: float, den: float, zero_division: float) -> float:
    return num / den if den > 0 else zero_division


def _prf(tp: float, n_pred: float, n_ref: float, zero_division: float) -> tuple[float, ...]:
    """Precision, recall, F1; F1 is ``zero_division`` only when both sides are empty."""
    p = _ratio(tp, n_pred, zero_division)
    r = _ratio(tp, n_ref, zero_division)
    if n_pred <= 0 and n_ref <= 0:
        return p, r, zero_division
    return p, r, (2 * p * r / (p + r) if p + r > 0 else 0.0)


def _check_iou(value: Any, caller: str, name: str = "iou") -> float:
    out = check_positive(name, caller, value)
    if out > 1:
        raise fail(name, caller, "a number in (0, 1]", value)
    return out


def _check_zero_division(value: Any, caller: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise fail("zero_division", caller, "a number in [0, 1]", value)
    return float(value)


# ---------------------------------------------------------------------------- coverage
def coverage_prf(
    pred: PredLike,
    ref: RefLike,
    *,
    duration_s: float,
    hop_s: float | None = 0.1,
    zero_division: float = 0.0,
) -> dict[str, float]:
    """Precision, recall and F1 of the seconds covered by predictions and references.

    Parameters
    ----------
    pred : list of Clip or (start_s, end_s[, score]), array, or Timeline
        Predicted spans (overlaps between them are counted once).
    ref : list of (start_s, end_s), or array (m, 2)
        Reference spans.
    duration_s : float
        Media duration in seconds; spans are clipped to ``[0, duration_s]``.
    hop_s : float or None, default 0.1
        Grid step in seconds: a hop counts as covered when its centre lies in a span
        (error at most ``hop_s`` per span boundary; memory ``O(duration_s / hop_s)``).
        ``None`` computes exact interval arithmetic instead.
    zero_division : float, default 0.0
        Value of a ratio whose denominator is 0 (nothing predicted or nothing to find).

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1`` in [0, 1], and ``tp_s``, ``pred_s``,
        ``ref_s``: seconds covered by both, by the predictions, by the references.

    Raises
    ------
    InvalidParameterError
        For malformed spans (non-finite, ``end_s < start_s``) or bad parameters.

    Examples
    --------
    >>> coverage_prf([(0, 10)], [(5, 15)], duration_s=20, hop_s=None)["f1"]
    0.5
    """
    caller = "coverage_prf"
    dur = check_positive("duration_s", caller, duration_s)
    zd = _check_zero_division(zero_division, caller)
    p_spans, _ = _spans(pred, "pred", caller, scored=True)
    r_spans, _ = _spans(ref, "ref", caller, scored=False)
    p_spans = np.clip(p_spans, 0.0, dur)
    r_spans = np.clip(r_spans, 0.0, dur)
    if hop_s is None:
        pred_s = union_length(p_spans)
        ref_s = union_length(r_spans)
        both = union_length(np.concatenate([p_spans, r_spans]))
        tp_s = min(max(pred_s + ref_s - both, 0.0), pred_s, ref_s)
    else:
        hop = check_positive("hop_s", caller, hop_s)
        n = max(int(math.ceil(dur / hop - 1e-9)), 1)
        last_s = dur - (n - 1) * hop  # the last hop may be partial

        def seconds(mask: NDArray[np.bool_]) -> float:
            # Count whole hops as integers, convert to seconds once.
            return int(np.count_nonzero(mask[:-1])) * hop + (last_s if mask[-1] else 0.0)

        pm = spans_mask(p_spans, n=n, hop_s=hop)
        rm = spans_mask(r_spans, n=n, hop_s=hop)
        pred_s, ref_s, tp_s = seconds(pm), seconds(rm), seconds(pm & rm)
    p, r, f = _prf(tp_s, pred_s, ref_s, zd)
    return {"precision": p, "recall": r, "f1": f, "tp_s": tp_s, "pred_s": pred_s,
            "ref_s": ref_s}


# ---------------------------------------------------------------------------- span level
def _span_counts(p_ranked: F64, r_spans: F64, thresholds: F64) -> NDArray[np.bool_]:
    return greedy_match(_safe_iou(p_ranked, r_spans), thresholds)


def span_prf(
    pred: PredLike,
    ref: RefLike,
    *,
    iou: float = 0.5,
    zero_division: float = 0.0,
) -> dict[str, float]:
    """Span-level precision, recall and F1 at a temporal IoU threshold.

    Predictions are matched one-to-one to references, greedily in decreasing score:
    each takes the unmatched reference with the highest IoU, if that IoU is at least
    ``iou`` (IoU exactly at the threshold matches).

    Parameters
    ----------
    pred : list of Clip or (start_s, end_s[, score]), array, or Timeline
        Predicted spans.
    ref : list of (start_s, end_s), or array (m, 2)
        Reference spans.
    iou : float, default 0.5
        IoU threshold in (0, 1].
    zero_division : float, default 0.0
        Value of a ratio whose denominator is 0.

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1`` and the counts ``tp``, ``n_pred``, ``n_ref``.

    Examples
    --------
    >>> span_prf([(0, 10, 0.9), (20, 30, 0.8)], [(0, 8)], iou=0.5)["precision"]
    0.5
    """
    caller = "span_prf"
    thr = _check_iou(iou, caller)
    zd = _check_zero_division(zero_division, caller)
    p_spans, scores = _spans(pred, "pred", caller, scored=True)
    r_spans, _ = _spans(ref, "ref", caller, scored=False)
    tp = int(_span_counts(_ranked(p_spans, scores), r_spans, np.array([thr])).sum())
    n_pred, n_ref = p_spans.shape[0], r_spans.shape[0]
    p, r, f = _prf(tp, n_pred, n_ref, zd)
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "n_pred": n_pred, "n_ref": n_ref}


def _hit(p_ranked: F64, r_spans: F64, k: int) -> float:
    top = p_ranked[:k]
    if top.shape[0] == 0 or r_spans.shape[0] == 0:
        return 0.0
    inter = np.minimum(top[:, None, 1], r_spans[None, :, 1]) - np.maximum(
        top[:, None, 0], r_spans[None, :, 0]
    )
    return float(bool((inter > 0).any()))


def hit_at_k(pred: PredLike, ref: RefLike, *, k: int = 1) -> float:
    """1.0 if one of the ``k`` best-scored predictions overlaps a reference, else 0.0.

    Overlap means a positive intersection: spans that only touch do not overlap.

    Parameters
    ----------
    pred : list of Clip or (start_s, end_s[, score]), array, or Timeline
        Predicted spans.
    ref : list of (start_s, end_s), or array (m, 2)
        Reference spans.
    k : int, default 1
        How many top predictions may hit (>= 1).

    Returns
    -------
    float
        0.0 or 1.0 (0.0 when there are no predictions or no references).

    Examples
    --------
    >>> hit_at_k([(0, 5, 0.9), (10, 20, 0.5)], [(12, 14)], k=1)
    0.0
    >>> hit_at_k([(0, 5, 0.9), (10, 20, 0.5)], [(12, 14)], k=2)
    1.0
    """
    caller = "hit_at_k"
    kk = check_int("k", caller, k, minimum=1)
    p_spans, scores = _spans(pred, "pred", caller, scored=True)
    r_spans, _ = _spans(ref, "ref", caller, scored=False)
    return _hit(_ranked(p_spans, scores), r_spans, kk)


def average_precision(pred: PredLike, ref: RefLike, *, iou: float = 0.5) -> float:
    """Detection average precision of ranked spans at one IoU threshold.

    Greedy one-to-one matching as in :func:`span_prf`, then the all-point
    interpolated AP of the precision/recall curve (VOC 2011 / ActivityNet, the
    definition QVHighlights uses for MR-mAP).

    Parameters
    ----------
    pred : list of Clip or (start_s, end_s[, score]), array, or Timeline
        Predicted spans, ranked by score.
    ref : list of (start_s, end_s), or array (m, 2)
        Reference spans.
    iou : float, default 0.5
        IoU threshold in (0, 1].

    Returns
    -------
    float
        AP in [0, 1]; 0.0 when there are no predictions or no references.

    Examples
    --------
    >>> average_precision([(0, 10, 0.9), (20, 30, 0.8)], [(20, 30)])
    0.5
    """
    caller = "average_precision"
    thr = _check_iou(iou, caller)
    p_spans, scores = _spans(pred, "pred", caller, scored=True)
    r_spans, _ = _spans(ref, "ref", caller, scored=False)
    if r_spans.shape[0] == 0:
        return 0.0
    tp = _span_counts(_ranked(p_spans, scores), r_spans, np.array([thr]))
    return float(voc_ap(tp, r_spans.shape[0])[0])


def _key(x: float) -> str:
    return f"{x:g}"


def evaluate_clips(
    pred: PredLike,
    ref: RefLike,
    *,
    duration_s: float,
    iou_thresholds: Sequence[float] = (0.3, 0.5, 0.7),
    ks: Sequence[int] = (1, 5, 10),
    hop_s: float | None = 0.1,
    zero_division: float = 0.0,
) -> dict[str, Any]:
    """All clip metrics at once (the IoU matrix and matching are computed once).

    Parameters
    ----------
    pred : list of Clip or (start_s, end_s[, score]), array, or Timeline
        Predicted spans.
    ref : list of (start_s, end_s), or array (m, 2)
        Reference spans.
    duration_s : float
        Media duration in seconds (for the coverage metrics).
    iou_thresholds : sequence of float, default (0.3, 0.5, 0.7)
        IoU thresholds for span P/R/F1 and AP.
    ks : sequence of int, default (1, 5, 10)
        Cut-offs for hit@k.
    hop_s : float or None, default 0.1
        Grid of the coverage metrics (see :func:`coverage_prf`).
    zero_division : float, default 0.0
        Value of a ratio whose denominator is 0.

    Returns
    -------
    dict
        ``{"coverage": {...coverage_prf...}, "span": {"0.5": {...span_prf...}, ...},
        "ap": {"0.5": float, ...}, "mAP": float, "hit": {"1": float, ...},
        "n_pred": int, "n_ref": int}``.

    Examples
    --------
    >>> m = evaluate_clips([(0, 10, 1.0)], [(0, 10)], duration_s=60)
    >>> m["mAP"], m["hit"]["1"], m["coverage"]["f1"]
    (1.0, 1.0, 1.0)
    """
    caller = "evaluate_clips"
    thr_list = [_check_iou(t, caller, "iou_thresholds") for t in iou_thresholds]
    if not thr_list:
        raise fail("iou_thresholds", caller, "a non-empty sequence", iou_thresholds)
    k_list = [check_int("ks", caller, k, minimum=1) for k in ks]
    zd = _check_zero_division(zero_division, caller)
    cov = coverage_prf(pred, ref, duration_s=duration_s, hop_s=hop_s, zero_division=zd)
    p_spans, scores = _spans(pred, "pred", caller, scored=True)
    r_spans, _ = _spans(ref, "ref", caller, scored=False)
    ranked = _ranked(p_spans, scores)
    n_pred, n_ref = p_spans.shape[0], r_spans.shape[0]
    thr = np.asarray(thr_list)
    tp = _span_counts(ranked, r_spans, thr)
    aps = voc_ap(tp, n_ref) if n_ref else np.zeros(thr.shape[0])
    span: dict[str, dict[str, float]] = {}
    for t, row in zip(thr_list, tp, strict=True):
        n_tp = int(row.sum())
        p, r, f = _prf(n_tp, n_pred, n_ref, zd)
        span[_key(t)] = {"precision": p, "recall": r, "f1": f, "tp": n_tp,
                         "n_pred": n_pred, "n_ref": n_ref}
    return {
        "coverage": cov,
        "span": span,
        "ap": {_key(t): float(a) for t, a in zip(thr_list, aps, strict=True)},
        "mAP": float(np.mean(aps)),
        "hit": {str(k): _hit(ranked, r_spans, k) for k in k_list},
        "n_pred": n_pred,
        "n_ref": n_ref,
    }


# ---------------------------------------------------------------------------- per-hop score
def score_timeline(score: Timeline, ref: RefLike, *, duration_s: float) -> dict[str, float]:
    """Rank the hops of a per-hop score against reference spans.

    Each hop of ``score``'s grid (re-expressed from 0 s to ``duration_s``, keeping its
    hop) is positive when its centre lies in a reference span.  Hops are ranked by
    score; hops the score does not cover (NaN) rank last, tied.

    Parameters
    ----------
    score : Timeline
        Per-hop score (higher = more highlight-like).
    ref : list of (start_s, end_s), or array (m, 2)
        Reference spans in seconds.
    duration_s : float
        Media duration in seconds.

    Returns
    -------
    dict
        ``ap``: average precision of the hop ranking, defined as QVHighlights HL-mAP
        defines it for one annotator (interpolated precision averaged over the score
        thresholds where recall grows; 0 without positives, 1 if every hop is
        positive).  ``hit@1``: 1.0 if the first hop of maximal score is positive.
        ``n_pos``, ``n_hops``: positive hops and hops evaluated.

    Examples
    --------
    >>> tl = Timeline(values=[0, 1, 5, 2, 0, 0], hop_s=1.0)
    >>> score_timeline(tl, [(2, 4)], duration_s=6)["ap"]
    1.0
    """
    caller = "score_timeline"
    if not isinstance(score, Timeline):
        raise fail("score", caller, "a Timeline", type(score).__name__)
    dur = check_positive("duration_s", caller, duration_s)
    r_spans, _ = _spans(ref, "ref", caller, scored=False)
    n = max(int(math.ceil(dur / score.hop_s - 1e-9)), 1)
    grid = score.on_grid(hop_s=score.hop_s, start_s=0.0, n=n, how="mean")
    values = grid.values.astype(np.float64)
    covered = ~np.isnan(values)
    labels = spans_mask(np.clip(r_spans, 0.0, dur), n=n, hop_s=score.hop_s)
    if covered.any():
        low = float(values[covered].min()) - 1.0
        ranked_values = np.where(covered, values, low)
        top = int(np.argmax(ranked_values))
        hit1 = float(labels[top])
    else:
        ranked_values = np.zeros(n)
        hit1 = 0.0
    ap = float(ranked_ap(labels[:, None], ranked_values)[0])
    return {"ap": ap, "hit@1": hit1, "n_pos": int(labels.sum()), "n_hops": n}
