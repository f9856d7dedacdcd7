"""Clip metrics: hand-computed cases, edge cases, loop references and invariants."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highlights._window import spans_mask
from highlights.errors import InvalidParameterError
from highlights.evaluate import (
    average_precision,
    coverage_prf,
    evaluate_clips,
    hit_at_k,
    score_timeline,
    span_prf,
)
from highlights.evaluate._core import union_length
from highlights.timeline import Timeline
from highlights.types import Clip


def clip(a: float, b: float, score: float, rank: int = 1) -> Clip:
    return Clip(start_s=a, end_s=b, peak_s=(a + b) / 2, score=score, rank=rank)


# ----------------------------------------------------------------------------- loop references
def ref_grid_mask(spans: list[tuple[float, float]], hop: float, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    for i in range(n):
        c = (i + 0.5) * hop
        out[i] = any(a <= c < b for a, b in spans)
    return out


def ref_union_length(spans: list[tuple[float, float]]) -> float:
    total, cur_a, cur_b = 0.0, None, None
    for a, b in sorted(spans):
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += cur_b - cur_a
    return total


def test_grid_mask_and_union_length_match_loops(rng: np.random.Generator) -> None:
    for _ in range(200):
        m = int(rng.integers(0, 6))
        a = rng.integers(0, 40, size=m) * 0.25
        spans = np.stack([a, a + rng.integers(0, 20, size=m) * 0.25], axis=1).reshape(m, 2)
        as_list = [tuple(x) for x in spans.tolist()]
        np.testing.assert_array_equal(spans_mask(spans, n=30, hop_s=0.5),
                                      ref_grid_mask(as_list, 0.5, 30))
        assert union_length(spans) == pytest.approx(ref_union_length(as_list), abs=1e-12)


# ----------------------------------------------------------------------------- coverage
@pytest.mark.parametrize("hop_s", [None, 0.1, 1.0])
def test_coverage_half_overlap(hop_s: float | None) -> None:
    m = coverage_prf([(0, 10)], [(5, 15)], duration_s=20, hop_s=hop_s)
    assert m["precision"] == pytest.approx(0.5)
    assert m["recall"] == pytest.approx(0.5)
    assert m["f1"] == pytest.approx(0.5)
    assert m["tp_s"] == pytest.approx(5.0)
    assert (m["pred_s"], m["ref_s"]) == (pytest.approx(10.0), pytest.approx(10.0))


@pytest.mark.parametrize("hop_s", [None, 0.5])
def test_coverage_counts_overlapping_predictions_once_and_clips_to_duration(
    hop_s: float | None,
) -> None:
    m = coverage_prf([(0, 10, 1.0), (5, 10, 0.5)], [(0, 10)], duration_s=20, hop_s=hop_s)
    assert (m["precision"], m["recall"], m["f1"]) == (1.0, 1.0, 1.0)
    m = coverage_prf([(15, 30)], [(10, 20)], duration_s=20, hop_s=hop_s)
    assert m["pred_s"] == pytest.approx(5.0)  # (20, 30) is past the end
    assert m["precision"] == pytest.approx(1.0)
    assert m["recall"] == pytest.approx(0.5)
    assert m["f1"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("hop_s", [None, 0.1])
def test_coverage_touching_spans_share_no_second(hop_s: float | None) -> None:
    m = coverage_prf([(0, 5)], [(5, 10)], duration_s=10, hop_s=hop_s)
    assert (m["tp_s"], m["precision"], m["recall"], m["f1"]) == (0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("pred", "ref", "zd", "want"),
    [
        ([], [(0, 5)], 0.0, (0.0, 0.0, 0.0)),
        ([], [(0, 5)], 1.0, (1.0, 0.0, 0.0)),
        ([(0, 5)], [], 0.0, (0.0, 0.0, 0.0)),
        ([(0, 5)], [], 1.0, (0.0, 1.0, 0.0)),
        ([], [], 0.0, (0.0, 0.0, 0.0)),
        ([], [], 1.0, (1.0, 1.0, 1.0)),
    ],
)
def test_coverage_and_span_empty_sides(pred: Any, ref: Any, zd: float, want: tuple) -> None:
    for hop_s in (None, 0.1):
        m = coverage_prf(pred, ref, duration_s=10, hop_s=hop_s, zero_division=zd)
        assert (m["precision"], m["recall"], m["f1"]) == want
    m = span_prf(pred, ref, zero_division=zd)
    assert (m["precision"], m["recall"], m["f1"]) == want


def test_coverage_grid_matches_loop_and_stays_near_exact(rng: np.random.Generator) -> None:
    for _ in range(50):
        dur = float(rng.uniform(5, 60))
        p = np.sort(rng.uniform(-5, dur + 5, size=(int(rng.integers(0, 6)), 2)), axis=1)
        r = np.sort(rng.uniform(0, dur, size=(int(rng.integers(1, 6)), 2)), axis=1)
        hop = 0.1
        grid = coverage_prf(p, r, duration_s=dur, hop_s=hop)
        exact = coverage_prf(p, r, duration_s=dur, hop_s=None)
        n = math.ceil(dur / hop - 1e-9)
        clip_p = [tuple(x) for x in np.clip(p, 0, dur).tolist()]
        clip_r = [tuple(x) for x in np.clip(r, 0, dur).tolist()]
        pm, rm = ref_grid_mask(clip_p, hop, n), ref_grid_mask(clip_r, hop, n)
        width = np.full(n, hop)
        width[-1] = dur - (n - 1) * hop
        assert grid["tp_s"] == pytest.approx(width[pm & rm].sum(), abs=1e-9)
        assert grid["pred_s"] == pytest.approx(width[pm].sum(), abs=1e-9)
        # Each span boundary moves the covered time by at most one hop.
        bound = hop * 2 * (p.shape[0] + r.shape[0])
        for key in ("tp_s", "pred_s", "ref_s"):
            assert abs(grid[key] - exact[key]) <= bound + 1e-9


def test_timeline_prediction_is_read_as_runs_of_positive_hops() -> None:
    tl = Timeline(values=[0, 1, 1, 0, 2, np.nan], hop_s=1.0)
    m = coverage_prf(tl, [(1, 3)], duration_s=6, hop_s=None)
    assert m["pred_s"] == 3.0 and m["tp_s"] == 2.0
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == 1.0
    # Runs are ranked by their max value: [4, 5) (2.0) before [1, 3) (1.0).
    assert hit_at_k(tl, [(1, 3)], k=1) == 0.0
    assert hit_at_k(tl, [(1, 3)], k=2) == 1.0
    assert span_prf(Timeline(values=[0, 0], hop_s=1.0), [(0, 1)])["n_pred"] == 0


# ----------------------------------------------------------------------------- span level
def test_span_prf_hand_computed() -> None:
    m = span_prf([(0, 10, 0.9), (20, 30, 0.8)], [(0, 8)], iou=0.5)  # IoU 0.8
    assert (m["tp"], m["n_pred"], m["n_ref"]) == (1, 2, 1)
    assert (m["precision"], m["recall"]) == (0.5, 1.0)
    assert m["f1"] == pytest.approx(2 / 3)


def test_iou_exactly_at_threshold_matches() -> None:
    assert span_prf([(0, 10)], [(0, 5)], iou=0.5)["tp"] == 1  # IoU = 0.5 exactly
    assert span_prf([(0, 10)], [(0, 5)], iou=0.5000001)["tp"] == 0
    assert average_precision([(0, 10)], [(0, 5)], iou=0.5) == 1.0
    assert average_precision([(0, 10)], [(0, 5)], iou=0.51) == 0.0


def test_matching_is_one_to_one_and_greedy_by_score() -> None:
    m = span_prf([(0, 10, 0.9), (0, 10, 0.8)], [(0, 10)])
    assert (m["tp"], m["precision"], m["recall"]) == (1, 0.5, 1.0)
    # B (score .9) takes R1 (IoU .9 > 8/9); A then only has R2 at IoU .8.
    pred = [(0, 10, 0.5), (0, 9, 0.9)]
    ref = [(0, 10), (0, 8)]
    assert span_prf(pred, ref, iou=0.85)["tp"] == 1
    assert span_prf(pred, ref, iou=0.5)["tp"] == 2


def test_touching_spans_never_match_or_hit() -> None:
    assert span_prf([(0, 5)], [(5, 10)], iou=0.01)["tp"] == 0
    assert hit_at_k([(0, 5)], [(5, 10)], k=1) == 0.0
    assert average_precision([(0, 5)], [(5, 10)], iou=0.01) == 0.0


def test_array_inputs_equal_list_inputs() -> None:
    pred = [(0.0, 10.0, 0.2), (20.0, 30.0, 0.9), (40.0, 41.0, 0.5)]
    ref = [(21.0, 30.0), (0.0, 4.0)]
    want = evaluate_clips(pred, ref, duration_s=60)
    assert evaluate_clips(np.array(pred), np.array(ref), duration_s=60) == want
    assert evaluate_clips(np.array(pred, dtype=np.float32), ref, duration_s=60) == want
    ints = np.array([[0, 10], [20, 30]])
    assert span_prf(ints, ints)["f1"] == 1.0


# ----------------------------------------------------------------------------- hit@k
def test_hit_at_k_uses_scores_then_list_order() -> None:
    assert hit_at_k([(0, 5, 0.9), (10, 20, 0.5)], [(12, 14)], k=1) == 0.0
    assert hit_at_k([(0, 5, 0.9), (10, 20, 0.5)], [(12, 14)], k=2) == 1.0
    assert hit_at_k([(0, 5, 0.1), (10, 20, 0.5)], [(12, 14)], k=1) == 1.0
    assert hit_at_k([(0, 5), (10, 20)], [(12, 14)], k=1) == 0.0  # no score: first is best
    assert hit_at_k([(10, 20), (0, 5)], [(12, 14)], k=1) == 1.0
    assert hit_at_k([clip(0, 5, 0.2, 2), clip(10, 20, 0.7, 1)], [(12, 14)], k=1) == 1.0
    assert hit_at_k([(10, 20)], [(12, 14)], k=10) == 1.0
    assert hit_at_k([], [(12, 14)], k=1) == 0.0
    assert hit_at_k([(10, 20)], [], k=1) == 0.0


# ----------------------------------------------------------------------------- AP
def test_average_precision_hand_computed() -> None:
    assert average_precision([(0, 10, 0.9), (20, 30, 0.8)], [(20, 30)]) == 0.5
    # TP, FP, TP: P = 1, 1/2, 2/3 at R = 1/2, 1/2, 1 -> 1/2 * 1 + 1/2 * 2/3.
    pred = [(0, 10, 0.9), (40, 50, 0.8), (20, 30, 0.7)]
    assert average_precision(pred, [(0, 10), (20, 30)]) == pytest.approx(5 / 6)
    # A missed reference caps recall at 1/2.
    assert average_precision([(0, 10, 1.0)], [(0, 10), (20, 30)]) == 0.5
    assert average_precision([], [(0, 10)]) == 0.0
    assert average_precision([(0, 10)], []) == 0.0


def test_evaluate_clips_bundles_the_metrics() -> None:
    pred = [clip(0, 10, 0.9, 1), clip(40, 50, 0.8, 2), clip(20, 28, 0.7, 3)]
    ref = [(0, 10), (20, 30)]
    m = evaluate_clips(pred, ref, duration_s=60, iou_thresholds=(0.5, 0.9), ks=(1, 2))
    assert list(m["span"]) == ["0.5", "0.9"]
    assert m["span"]["0.5"]["tp"] == 2 and m["span"]["0.9"]["tp"] == 1  # IoU(20-28, 20-30) .8
    assert m["ap"] == {"0.5": pytest.approx(5 / 6), "0.9": 0.5}
    assert m["mAP"] == pytest.approx((5 / 6 + 0.5) / 2)
    assert m["hit"] == {"1": 1.0, "2": 1.0}
    assert m["coverage"] == coverage_prf(pred, ref, duration_s=60)
    for t in (0.5, 0.9):
        assert m["span"][f"{t:g}"] == span_prf(pred, ref, iou=t)
        assert m["ap"][f"{t:g}"] == average_precision(pred, ref, iou=t)
    assert (m["n_pred"], m["n_ref"]) == (3, 2)
    empty = evaluate_clips([], [], duration_s=10)
    assert empty["mAP"] == 0.0 and empty["hit"]["1"] == 0.0


# ----------------------------------------------------------------------------- score_timeline
def ref_hop_ap(labels: list[bool], scores: list[float]) -> float:
    """Interpolated AP over distinct score thresholds, as plain loops."""
    if not any(labels) or all(labels):
        return float(all(labels) and bool(labels))
    thresholds = sorted(set(scores), reverse=True)
    pts = []
    for t in thresholds:
        sel = [lab for lab, s in zip(labels, scores, strict=True) if s >= t]
        pts.append((sum(sel) / sum(labels), sum(sel) / len(sel)))
    out, prev_r = [], 0.0
    for i, (r, _) in enumerate(pts):
        if r != prev_r:
            out.append(max(p for _, p in pts[i:]))
        prev_r = r
    return sum(out) / len(out)


def test_score_timeline_hand_computed() -> None:
    tl = Timeline(values=[0, 1, 5, 2, 0, 0], hop_s=1.0)
    m = score_timeline(tl, [(2, 4)], duration_s=6)
    assert m == {"ap": 1.0, "hit@1": 1.0, "n_pos": 2, "n_hops": 6}
    # The positive hop is NaN, so it ranks last, behind ties at 1.0 and a 0: AP = 1/4.
    tl = Timeline(values=[np.nan, 1, 0, 1], hop_s=1.0)
    m = score_timeline(tl, [(0, 1)], duration_s=4)
    assert m["ap"] == pytest.approx(0.25) and m["hit@1"] == 0.0
    assert score_timeline(tl, [], duration_s=4)["ap"] == 0.0
    # A timeline starting at 2 s leaves hops 0-1 uncovered.
    late = Timeline(values=[3, 1], hop_s=1.0, start_s=2.0)
    m = score_timeline(late, [(2, 3)], duration_s=4)
    assert m["hit@1"] == 1.0 and m["ap"] == 1.0 and m["n_hops"] == 4


def test_score_timeline_matches_loop_reference(rng: np.random.Generator) -> None:
    for _ in range(100):
        n = int(rng.integers(2, 60))
        values = rng.integers(0, 5, size=n).astype(float)
        tl = Timeline(values=values, hop_s=0.5)
        a = rng.uniform(0, n * 0.5, size=2)
        ref = [(float(a.min()), float(a.max()))]
        m = score_timeline(tl, ref, duration_s=n * 0.5)
        labels = ref_grid_mask(ref, 0.5, n).tolist()
        assert m["ap"] == pytest.approx(ref_hop_ap(labels, values.tolist()), abs=1e-12)
        assert m["hit@1"] == float(labels[int(np.argmax(values))])


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: span_prf([(5, 1)], [(0, 1)]), "end_s >= start_s"),
        (lambda: span_prf([(0, float("nan"))], [(0, 1)]), "finite"),
        (lambda: span_prf([(0, 1), (0, 1, 0.5)], [(0, 1)]), "all have 2 values"),
        (lambda: span_prf([(0, 1, 2, 3)], [(0, 1)]), "all have 2 values"),
        (lambda: span_prf("0-1", [(0, 1)]), "'pred' parameter"),
        (lambda: span_prf([("a", 1)], [(0, 1)]), "'pred' parameter"),
        (lambda: span_prf([(0, 1)], Timeline(values=[1.0], hop_s=1.0)), "'ref' parameter"),
        (lambda: span_prf(np.zeros((2, 4)), [(0, 1)]), r"shape \(n, 2\) or \(n, 3\)"),
        (lambda: span_prf(np.array([["a", "b"]]), [(0, 1)]), "numeric array"),
        (lambda: span_prf([(0, 1)], np.array([[1.0, 0.0]])), "'ref'.*end_s >= start_s"),
        (lambda: span_prf([(0, 1)], [(0, 1)], iou=0), "'iou' parameter"),
        (lambda: span_prf([(0, 1)], [(0, 1)], iou=1.5), r"in \(0, 1\]"),
        (lambda: span_prf([(0, 1)], [(0, 1)], zero_division=2), "zero_division"),
        (lambda: hit_at_k([(0, 1)], [(0, 1)], k=0), "'k' parameter"),
        (lambda: coverage_prf([(0, 1)], [(0, 1)], duration_s=0), "duration_s"),
        (lambda: coverage_prf([(0, 1)], [(0, 1)], duration_s=5, hop_s=-1), "hop_s"),
        (lambda: evaluate_clips([], [], duration_s=5, iou_thresholds=()), "non-empty"),
        (lambda: evaluate_clips([], [], duration_s=5, ks=(0,)), "'ks'"),
        (lambda: score_timeline([1, 2], [(0, 1)], duration_s=2), "Timeline"),
    ],
)
def test_bad_input(call: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        call()


# ----------------------------------------------------------------------------- invariants
span_st = st.tuples(st.integers(0, 200), st.integers(1, 60)).map(
    lambda t: (t[0] * 0.5, t[0] * 0.5 + t[1] * 0.5)
)


@settings(max_examples=60, deadline=None)
@given(
    pred=st.lists(st.tuples(span_st, st.sampled_from([0.0, 0.5, 1.0])), max_size=8),
    ref=st.lists(span_st, min_size=1, max_size=6),
    seed=st.integers(0, 2**16),
)
def test_invariants(pred: list, ref: list, seed: int) -> None:
    dur = 140.0
    p = [(a, b, s) for (a, b), s in pred]
    m = evaluate_clips(p, ref, duration_s=dur)
    values = [m["mAP"], *m["ap"].values(), *m["hit"].values()]
    values += [m["coverage"][k] for k in ("precision", "recall", "f1")]
    values += [v[k] for v in m["span"].values() for k in ("precision", "recall", "f1")]
    assert all(0.0 <= v <= 1.0 for v in values)
    # Permuting predictions (equal scores included) must not crash; coverage is unchanged.
    perm = [p[i] for i in np.random.default_rng(seed).permutation(len(p))]
    m2 = evaluate_clips(perm, ref, duration_s=dur)
    assert m2["coverage"] == pytest.approx(m["coverage"])
    assert m2["span"]["0.5"]["n_pred"] == len(p)
    # Perfect predictions score 1 everywhere.
    perfect = evaluate_clips([(a, b, 1.0) for a, b in ref], ref, duration_s=dur)
    assert perfect["mAP"] == 1.0
    assert all(v == 1.0 for v in perfect["hit"].values())
    assert all(v["f1"] == 1.0 for v in perfect["span"].values())
    assert perfect["coverage"]["f1"] == 1.0
    exact = coverage_prf(ref, ref, duration_s=dur, hop_s=None)
    assert (exact["precision"], exact["recall"]) == (1.0, 1.0)
