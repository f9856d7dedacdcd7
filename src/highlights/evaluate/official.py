"""The official QVHighlights evaluation (Moment-DETR ``standalone_eval/eval.py``), reimplemented.

Reproduces, to the printed two decimals, every number the official script writes:
moment retrieval (``MR-mAP`` at IoU 0.5:0.05:0.95 and their average, ``MR-R1`` at the
same thresholds) on the ``full`` set and on the ``short`` (0, 10], ``middle`` (10, 30]
and ``long`` (30, 150] ground-truth-length splits, and highlight detection
(``HL-mAP`` and ``HL-Hit1`` with a clip counted positive when its saliency is at least
2 "Fair", 3 "Good" or 4 "VeryGood", per annotator), plus the ``brief`` section.

Semantics kept from the official code, on purpose:

* MR-mAP uses at most the first 10 predicted windows of a query (in file order, then
  ranked by score, ties kept in file order), greedy one-to-one matching to the highest
  IoU ground truth, IoU exactly at a threshold counting as a match, and all-point
  interpolated AP (VOC 2011 / ActivityNet).  Queries without any predicted window are
  left out of the mean.
* MR-R1 takes the *first* predicted window (not the best scored) and compares it with
  the ground-truth window it overlaps most.
* A split keeps only the ground-truth windows whose length lies in ``(lo, hi]`` and the
  queries that still have one; ``full`` keeps everything.
* HL uses 2-s clips, ``int(duration / 2)`` of them; predictions are cut or zero-padded
  to that length; HIT@1 takes the first clip of maximal predicted saliency and is a hit
  if any annotator rates it at the level; HL-mAP is the mean over queries and
  annotators of the "video2gif" AP (see :func:`highlights.evaluate._core.ranked_ap`).
* Every number is ``float(f"{100 * x:.2f}")``; averages are taken before rounding.

Differences: invalid input raises :class:`~highlights.errors.InvalidParameterError`
with the query id instead of an ``AssertionError``/``IndexError``, progress goes to
``logging`` instead of ``print``, and there is no multiprocessing (the vectorised
version is faster in one process).
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import fail
from ..errors import InvalidParameterError
from ._core import greedy_match, iou_cross, ranked_ap, voc_ap

__all__ = ["qvhighlights", "load_jsonl", "IOU_THRESHOLDS", "LENGTH_RANGES", "SALIENCY_LEVELS"]

log = logging.getLogger(__name__)

Records = str | os.PathLike[str] | Sequence[Mapping[str, Any]]

#: IoU thresholds of MR-mAP / MR-R1, as the official code spells them (0.5 ... 0.95).
IOU_THRESHOLDS: tuple[float, ...] = tuple(float(f"{e:.2f}") for e in np.linspace(0.5, 0.95, 10))
#: Ground-truth window length splits, in seconds, ``lo < length <= hi``.
LENGTH_RANGES: dict[str, tuple[float, float]] = {
    "short": (0.0, 10.0),
    "middle": (10.0, 30.0),
    "long": (30.0, 150.0),
    "full": (0.0, 150.0),
}
#: Highlight levels: name -> minimum saliency score (0-4 Likert) of a positive clip.
SALIENCY_LEVELS: dict[str, int] = {"Fair": 2, "Good": 3, "VeryGood": 4}

_CLIP_S = 2.0  # QVHighlights clip length in seconds
_MAX_PRED_WINDOWS = 10
_HL_BLOCK = 1024  # queries per block in the highlight evaluation
_CALLER = "qvhighlights"


def _pct(x: float) -> float:
    """Format like the official script: a percentage rounded to 2 decimals."""
    return float(f"{100 * x:.2f}")


# ---------------------------------------------------------------------------- loading
def load_jsonl(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a JSON Lines file (one object per non-empty line).

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    list of dict

    Raises
    ------
    InvalidParameterError
        If the file cannot be read or a line is not a JSON object (the message gives
        the line number).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidParameterError(f"Cannot read JSONL file {str(p)!r}: {exc}") from exc
    out: list[dict[str, Any]] = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidParameterError(f"{str(p)!r} line {i} is not valid JSON: {exc}") from exc
        if not isinstance(obj, dict):
            raise InvalidParameterError(
                f"{str(p)!r} line {i} must be a JSON object. Got {type(obj).__name__} instead."
            )
        out.append(obj)
    return out


def _records(data: Records, name: str) -> list[Mapping[str, Any]]:
    if isinstance(data, (str, os.PathLike)):
        return list(load_jsonl(data))
    if isinstance(data, (bytes, Mapping)) or not isinstance(data, Iterable):
        raise fail(name, _CALLER, "a JSONL path or a list of dicts", type(data).__name__)
    out = list(data)
    for i, d in enumerate(out):
        if not isinstance(d, Mapping):
            raise fail(name, _CALLER, "a JSONL path or a list of dicts", f"item {i}: {d!r:.80}")
    return out


def _field(d: Mapping[str, Any], key: str, what: str) -> Any:
    try:
        return d[key]
    except KeyError:
        qid = d.get("qid", "?")
        raise InvalidParameterError(f"{what} record qid={qid!r} has no {key!r} field.") from None


def _windows(value: Any, qid: Any, key: str, ncols: int) -> NDArray[np.float64]:
    """``value`` as a float64 array of shape (n, ncols) (extra columns are ignored)."""
    try:
        rows = [list(w)[:ncols] for w in value]
        arr = np.array(rows, dtype=np.float64).reshape(len(rows), ncols)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"qid={qid!r}: {key!r} must be a list of [start, end{', score' * (ncols == 3)}]"
            f" lists. Got {value!r:.120} instead."
        ) from exc
    if not np.isfinite(arr).all():
        raise InvalidParameterError(f"qid={qid!r}: {key!r} contains a non-finite number.")
    return arr


# ---------------------------------------------------------------------------- moment retrieval
def _pad(
    rows: list[NDArray[np.float64]], width: int
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Stack ragged (n_i, width) arrays into (len(rows), max n_i, width), NaN-padded."""
    counts = np.array([r.shape[0] for r in rows], dtype=np.int64)
    out = np.full((len(rows), int(counts.max(initial=0)), width), np.nan)
    if rows:
        filled = np.arange(out.shape[1])[None, :] < counts[:, None]
        out[filled] = np.concatenate([r.reshape(-1, width) for r in rows])
    return out, counts


def _mr_split(
    preds: dict[Any, NDArray[np.float64]],
    gts: dict[Any, NDArray[np.float64]],
    lo: float,
    hi: float,
    full: bool,
) -> tuple[dict[str, float], dict[str, float], int]:
    """MR-mAP and MR-R1 dicts for one length split, and the number of queries kept.

    All queries of the split are evaluated at once on padded arrays
    (queries x ranks x GT windows); only the greedy matching loops, over the <= 10
    prediction ranks.
    """
    nan = float("nan")
    qids = list(gts)
    gt_rows = [gts[q] for q in qids]
    if not full:
        lengths = [g[:, 1] - g[:, 0] for g in gt_rows]
        gt_rows = [g[(n > lo) & (n <= hi)] for g, n in zip(gt_rows, lengths, strict=True)]
        keep = [i for i, g in enumerate(gt_rows) if g.shape[0]]
        qids = [qids[i] for i in keep]
        gt_rows = [gt_rows[i] for i in keep]
    if not qids:
        return ({**{str(t): nan for t in IOU_THRESHOLDS}, "average": nan},
                {str(t): nan for t in IOU_THRESHOLDS}, 0)
    gt, n_gt = _pad(gt_rows, 2)  # (q, g, 2)
    gt_pad = np.arange(gt.shape[1])[None, :] >= n_gt[:, None]  # (q, g)
    pred_rows = [preds[q] for q in qids]

    # --- mAP: the first 10 windows, ranked by score (stable), greedy matching.
    top, n_top = _pad([r[:_MAX_PRED_WINDOWS] for r in pred_rows], 3)  # (q, p, 3)
    order = np.argsort(-top[:, :, 2], axis=1, kind="stable")  # NaN padding stays last
    ranked = np.take_along_axis(top, order[:, :, None], axis=1)
    iou = iou_cross(ranked[:, :, :2], gt)  # (q, p, g)
    pred_pad = np.arange(top.shape[1])[None, :] >= n_top[:, None]
    iou[pred_pad[:, :, None] | gt_pad[:, None, :]] = -np.inf
    thr = np.asarray(IOU_THRESHOLDS, dtype=np.float64)
    tp = greedy_match(iou, thr)  # (q, thr, p); padded ranks are trailing false positives
    ap = voc_ap(tp, n_gt[:, None])[n_top > 0]  # queries without a window are left out
    if ap.shape[0]:
        ap_thr = np.mean(ap, axis=0)
        mr_map = {str(t): float(v) for t, v in zip(IOU_THRESHOLDS, ap_thr, strict=True)}
        mr_map["average"] = float(np.mean(ap_thr))
    else:
        mr_map = {**{str(t): nan for t in IOU_THRESHOLDS}, "average": nan}

    # --- R1: the first window against the GT window it overlaps most.
    first = np.stack([r[0, :2] for r in pred_rows])  # (q, 2)
    cross = iou_cross(first[:, None, :], gt)[:, 0, :]  # (q, g)
    cross[gt_pad] = -np.inf
    best = np.take_along_axis(gt, np.argmax(cross, axis=1)[:, None, None], axis=1)[:, 0, :]
    inter = np.maximum(0.0, np.minimum(first[:, 1], best[:, 1]) - np.maximum(first[:, 0],
                                                                             best[:, 0]))
    union = np.maximum(first[:, 1], best[:, 1]) - np.minimum(first[:, 0], best[:, 0])
    r1_iou = np.divide(inter, union, out=np.zeros_like(inter), where=union != 0)
    r1 = {str(t): _pct(float(np.mean(r1_iou >= t))) for t in IOU_THRESHOLDS}
    return {k: _pct(v) for k, v in mr_map.items()}, r1, len(qids)


def _eval_mr(
    sub: list[Mapping[str, Any]], gt: list[Mapping[str, Any]], verbose: bool
) -> dict[str, dict[str, dict[str, float]]]:
    preds = {
        d["qid"]: _windows(_field(d, "pred_relevant_windows", "Prediction"), d["qid"],
                           "pred_relevant_windows", 3)
        for d in sub
    }
    for qid, w in preds.items():
        if w.shape[0] == 0:
            raise InvalidParameterError(
                f"qid={qid!r}: 'pred_relevant_windows' is empty; MR-R1 needs a first window."
            )
    gts: dict[Any, NDArray[np.float64]] = {}
    for d in gt:
        w = _windows(_field(d, "relevant_windows", "Ground-truth"), d["qid"],
                     "relevant_windows", 2)
        if w.shape[0] == 0:
            raise InvalidParameterError(f"qid={d['qid']!r}: 'relevant_windows' is empty.")
        gts[d["qid"]] = w
    out: dict[str, dict[str, dict[str, float]]] = {}
    level = logging.INFO if verbose else logging.DEBUG
    for name, (lo, hi) in LENGTH_RANGES.items():
        t0 = time.perf_counter()
        mr_map, r1, n_kept = _mr_split(preds, gts, lo, hi, full=(lo, hi) == (0.0, 150.0))
        log.log(level, "%s: (%g, %g], %d/%d=%.2f examples, %.2f s", name, lo, hi, n_kept,
                len(gts), 100 * n_kept / max(len(gts), 1), time.perf_counter() - t0)
        out[name] = {"MR-mAP": mr_map, "MR-R1": r1}
    return out


# ---------------------------------------------------------------------------- highlights
def _gt_saliency(d: Mapping[str, Any]) -> NDArray[np.float64]:
    """Per-clip saliency, shape (int(duration / 2), n_annotators), 0 outside relevant clips."""
    qid = d["qid"]
    duration = _field(d, "duration", "Ground-truth")
    ids = _field(d, "relevant_clip_ids", "Ground-truth")
    scores = _field(d, "saliency_scores", "Ground-truth")
    try:
        n_clips = int(float(duration) / _CLIP_S)
        idx = np.asarray(ids, dtype=np.int64).reshape(-1)
        sal = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"qid={qid!r}: bad 'duration', 'relevant_clip_ids' or 'saliency_scores': {exc}"
        ) from exc
    if sal.ndim != 2 or sal.shape[0] != idx.shape[0]:
        raise InvalidParameterError(
            f"qid={qid!r}: 'saliency_scores' must have one row of annotator scores per "
            f"relevant clip ({idx.shape[0]}). Got shape {sal.shape} instead."
        )
    if n_clips <= 0 or (idx.size and (idx.min() < -n_clips or idx.max() >= n_clips)):
        raise InvalidParameterError(
            f"qid={qid!r}: 'relevant_clip_ids' must index the {n_clips} 2-s clips of a "
            f"{duration} s video. Got {ids!r:.80} instead."
        )
    full = np.zeros((n_clips, sal.shape[1]))
    full[idx] = sal
    return full


def _eval_hl(
    sub: list[Mapping[str, Any]], gt: list[Mapping[str, Any]], verbose: bool
) -> dict[str, dict[str, float]]:
    gt_sal = {d["qid"]: _gt_saliency(d) for d in gt}
    n_ann = {g.shape[1] for g in gt_sal.values()}
    if len(n_ann) > 1:
        raise InvalidParameterError(
            f"Every query needs the same number of annotators. Got {sorted(n_ann)} instead."
        )
    raw_scores: list[NDArray[np.float64]] = []
    for d in sub:
        qid = d["qid"]
        try:
            raw = np.asarray(_field(d, "pred_saliency_scores", "Prediction"), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(
                f"qid={qid!r}: 'pred_saliency_scores' must be a list of numbers."
            ) from exc
        if raw.ndim != 1 or raw.size == 0 or not np.isfinite(raw).all():
            raise InvalidParameterError(
                f"qid={qid!r}: 'pred_saliency_scores' must be a non-empty list of finite numbers."
            )
        raw_scores.append(raw)
    levels = np.asarray(list(SALIENCY_LEVELS.values()), dtype=np.float64)
    n_lv = levels.shape[0]
    a = n_ann.pop() if n_ann else 1
    hits = np.zeros((len(sub), n_lv))
    ap = np.zeros((len(sub), n_lv, a))
    for b0 in range(0, len(sub), _HL_BLOCK):  # blocks of queries bound the memory
        blk = slice(b0, b0 + _HL_BLOCK)
        sal, n_clips = _pad([gt_sal[d["qid"]] for d in sub[blk]], a)  # (q, clips, a)
        raw, n_raw = _pad([r[:, None] for r in raw_scores[blk]], 1)
        raw = raw[:, :, 0]
        q, n = sal.shape[:2]
        pos = np.nan_to_num(sal)[:, :, None, :] >= levels[None, None, :, None]  # q, n, lv, a
        # HIT@1: the first clip of maximal predicted saliency, a hit if any annotator agrees.
        top = np.argmax(np.where(np.isnan(raw), -np.inf, raw), axis=1)
        inside = top < n_clips
        top_pos = pos[np.arange(q), np.minimum(top, n - 1)].any(axis=2)  # (q, lv)
        hits[blk] = np.where(inside[:, None], top_pos, False)
        # HL-mAP: predictions cut or zero-padded to the clips, AP per level and annotator.
        score = np.zeros((q, n))
        width = min(n, raw.shape[1])
        score[:, :width] = np.nan_to_num(raw[:, :width], nan=0.0)
        ap[blk] = ranked_ap(pos.reshape(q, n, n_lv * a), score, n_clips).reshape(q, n_lv, a)
    out: dict[str, dict[str, float]] = {}
    level = logging.INFO if verbose else logging.DEBUG
    for j, name in enumerate(SALIENCY_LEVELS):
        out[f"HL-min-{name}"] = {
            "HL-mAP": _pct(float(np.mean(ap[:, j]))),
            "HL-Hit1": _pct(float(np.mean(hits[:, j]))),
        }
        log.log(level, "highlight scores with min score %d (%s): %s", int(levels[j]), name,
                out[f"HL-min-{name}"])
    return out


# ---------------------------------------------------------------------------- entry point
def qvhighlights(
    predictions: Records,
    ground_truth: Records,
    *,
    verbose: bool = False,
    match_number: bool = True,
) -> dict[str, Any]:
    """Evaluate QVHighlights predictions exactly as the official ``standalone_eval`` does.

    Parameters
    ----------
    predictions : path or list of dict
        JSONL file (or its parsed records) with ``qid`` and ``pred_relevant_windows``
        (``[[start_s, end_s, score], ...]``) and/or ``pred_saliency_scores`` (one score
        per 2-s clip).  Which of the two tasks is evaluated is decided by the keys of
        the first record, as in the official script.
    ground_truth : path or list of dict
        JSONL file (or records) with ``qid``, ``duration`` (s), ``relevant_windows``
        (``[[start_s, end_s], ...]``), ``relevant_clip_ids`` and ``saliency_scores``
        (annotator scores 0-4 per relevant clip).
    verbose : bool, default False
        Log per-split progress and timings at INFO (otherwise DEBUG).
    match_number : bool, default True
        Require the same set of ``qid`` in both inputs; if False, evaluate only the
        queries present in both.

    Returns
    -------
    dict
        Shaped like the official metrics file: ``"brief"`` first (``MR-*`` keys sorted,
        then ``HL-min-<level>-mAP``/``-Hit1``), then the sections in sorted order:
        ``"HL-min-Fair"``, ``"HL-min-Good"``, ``"HL-min-VeryGood"`` (each
        ``{"HL-mAP", "HL-Hit1"}``), ``"full"``, ``"long"``, ``"middle"``, ``"short"``
        (each ``{"MR-mAP": {"0.5": ..., ..., "0.95": ..., "average": ...},
        "MR-R1": {...}}``).  Values are percentages rounded to 2 decimals.  A split with
        no query gives NaN.

    Raises
    ------
    InvalidParameterError
        If a file cannot be read, a record lacks a field or has malformed values,
        a ``qid`` repeats, the ``qid`` sets differ (with ``match_number=True``), or
        there is nothing to evaluate.

    Examples
    --------
    >>> gt = [{"qid": 1, "duration": 10, "relevant_windows": [[2, 6]],
    ...        "relevant_clip_ids": [1, 2], "saliency_scores": [[4, 3, 2], [1, 1, 1]]}]
    >>> pred = [{"qid": 1, "pred_relevant_windows": [[2, 6, 0.9]],
    ...          "pred_saliency_scores": [0.1, 0.9, 0.2, 0.0, 0.0]}]
    >>> m = qvhighlights(pred, gt)
    >>> m["brief"]["MR-full-R1@0.7"], m["brief"]["HL-min-VeryGood-Hit1"]
    (100.0, 100.0)
    """
    sub = _records(predictions, "predictions")
    gt = _records(ground_truth, "ground_truth")
    for recs, what in ((sub, "Prediction"), (gt, "Ground-truth")):
        seen: set[Any] = set()
        for d in recs:
            qid = _field(d, "qid", what)
            if qid in seen:
                raise InvalidParameterError(f"{what} qid={qid!r} appears more than once.")
            seen.add(qid)
    pred_qids = {d["qid"] for d in sub}
    gt_qids = {d["qid"] for d in gt}
    if match_number:
        if pred_qids != gt_qids:
            only_p = sorted(map(str, pred_qids - gt_qids))[:5]
            only_g = sorted(map(str, gt_qids - pred_qids))[:5]
            raise InvalidParameterError(
                "The qids of predictions and ground_truth must match (pass match_number=False"
                f" to evaluate the shared ones). Only in predictions: {only_p}; only in "
                f"ground_truth: {only_g} (first 5)."
            )
    else:
        shared = pred_qids & gt_qids
        sub = [d for d in sub if d["qid"] in shared]
        gt = [d for d in gt if d["qid"] in shared]
    if not sub:
        raise InvalidParameterError("There are no predictions to evaluate.")
    if "pred_relevant_windows" not in sub[0] and "pred_saliency_scores" not in sub[0]:
        raise InvalidParameterError(
            f"Prediction record qid={sub[0]['qid']!r} has neither 'pred_relevant_windows' "
            "nor 'pred_saliency_scores': nothing to evaluate."
        )

    metrics: dict[str, Any] = {}
    brief: dict[str, float] = {}
    if "pred_relevant_windows" in sub[0]:
        mr = _eval_mr(sub, gt, verbose)
        metrics.update(mr)
        mr_brief = {
            "MR-full-mAP": mr["full"]["MR-mAP"]["average"],
            "MR-full-mAP@0.5": mr["full"]["MR-mAP"]["0.5"],
            "MR-full-mAP@0.75": mr["full"]["MR-mAP"]["0.75"],
            "MR-short-mAP": mr["short"]["MR-mAP"]["average"],
            "MR-middle-mAP": mr["middle"]["MR-mAP"]["average"],
            "MR-long-mAP": mr["long"]["MR-mAP"]["average"],
            "MR-full-R1@0.5": mr["full"]["MR-R1"]["0.5"],
            "MR-full-R1@0.7": mr["full"]["MR-R1"]["0.7"],
        }
        brief.update(sorted(mr_brief.items()))
    if "pred_saliency_scores" in sub[0]:
        hl = _eval_hl(sub, gt, verbose)
        metrics.update(hl)
        for sec, vals in hl.items():
            for key, v in vals.items():
                brief[f"{sec}-{key.split('-')[1]}"] = v
    out: dict[str, Any] = {"brief": brief}
    out.update(sorted(metrics.items()))
    if any(isinstance(v, float) and math.isnan(v) for v in brief.values()):
        log.warning("Some QVHighlights metrics are NaN: a length split had no query.")
    return out
