"""The QVHighlights evaluation: exact reproduction of the official numbers, hand-made cases,
and loop references for the vectorised kernels."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import shared_path
from highlights.errors import InvalidParameterError
from highlights.evaluate import qvhighlights
from highlights.evaluate._core import greedy_match, iou_cross, ranked_ap, voc_ap
from highlights.evaluate.official import IOU_THRESHOLDS

THR = [str(t) for t in IOU_THRESHOLDS]


# ----------------------------------------------------------------------------- loop references
def ref_iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union else float("nan")


def ref_detection_ap(gt: list[tuple[float, float]], pred: list[tuple[float, float, float]],
                     thr: float) -> float:
    """Greedy matching + VOC all-point AP, written as plain loops."""
    ranked = sorted(pred, key=lambda p: -p[2])  # stable
    used = [False] * len(gt)
    flags = []
    for p in ranked:
        ious = np.array([ref_iou((p[0], p[1]), g) for g in gt])
        hit = False
        # Stable ascending sort, reversed: equal IoUs visit the larger index first.  (The
        # official code calls the default argsort, which numpy's SIMD sorts make
        # unstable on some CPUs; on the 2021 numpy it was stable for short rows.)
        for j in ious.argsort(kind="stable")[::-1]:
            if ious[j] < thr:
                break
            if used[j]:
                continue
            used[j] = True
            hit = True
            break
        flags.append(hit)
    if not flags:
        return 0.0
    tp = 0
    prec, rec = [], []
    for i, f in enumerate(flags, start=1):
        tp += f
        prec.append(tp / i)
        rec.append(tp / len(gt))
    mp = [0.0, *prec, 0.0]
    mr = [0.0, *rec, 1.0]
    for i in range(len(mp) - 2, -1, -1):
        mp[i] = max(mp[i], mp[i + 1])
    return sum((mr[i] - mr[i - 1]) * mp[i] for i in range(1, len(mr)) if mr[i] != mr[i - 1])


def ref_ranked_ap(y_true: list[int], y_score: list[float]) -> float:
    """video2gif AP via scikit-learn's precision/recall curve and a Python loop."""
    from sklearn.metrics import precision_recall_curve

    if len(set(y_true)) == 1:
        return float(y_true[0])
    precision, recall, _ = precision_recall_curve(y_true, y_score)
    recall = recall.astype(np.float32)
    for i in range(1, len(precision)):
        precision[i] = max(precision[i - 1], precision[i])
    picked = [precision[i] for i in range(len(recall) - 1) if recall[i] != recall[i + 1]]
    return float(sum(picked) / len(picked))


def pct(x: float) -> float:
    return float(f"{100 * x:.2f}")


def ref_qvhighlights(sub: list[dict[str, Any]], gt: list[dict[str, Any]]) -> dict[str, Any]:
    gts = {d["qid"]: d for d in gt}
    out: dict[str, Any] = {}
    for name, (lo, hi) in {"short": (0, 10), "middle": (10, 30), "long": (30, 150),
                           "full": (0, 150)}.items():
        aps, r1 = [], []
        for d in sub:
            wins = [tuple(w) for w in gts[d["qid"]]["relevant_windows"]]
            if name != "full":
                wins = [w for w in wins if lo < w[1] - w[0] <= hi]
            if not wins:
                continue
            preds = [tuple(w) for w in d["pred_relevant_windows"][:10]]
            aps.append([ref_detection_ap(wins, preds, t) for t in IOU_THRESHOLDS])
            first = tuple(d["pred_relevant_windows"][0][:2])
            best = wins[int(np.argmax([ref_iou(first, w) for w in wins]))]
            r1.append(ref_iou(first, best))
        ap_thr = np.mean(aps, axis=0)
        out[name] = {
            "MR-mAP": {**{k: pct(v) for k, v in zip(THR, ap_thr, strict=True)},
                       "average": pct(float(np.mean(ap_thr)))},
            "MR-R1": {k: pct(float(np.mean([x >= t for x in r1])))
                      for k, t in zip(THR, IOU_THRESHOLDS, strict=True)},
        }
    for level, lo in {"Fair": 2, "Good": 3, "VeryGood": 4}.items():
        aps, hits = [], []
        for d in sub:
            g = gts[d["qid"]]
            n = int(g["duration"] / 2)
            sal = [[0, 0, 0] for _ in range(n)]
            for cid, s in zip(g["relevant_clip_ids"], g["saliency_scores"], strict=True):
                sal[cid] = s
            score = (list(d["pred_saliency_scores"]) + [0.0] * n)[:n]
            top = int(np.argmax(d["pred_saliency_scores"]))
            hits.append(top < n and max(v >= lo for v in sal[top]))
            for a in range(3):
                aps.append(ref_ranked_ap([int(s[a] >= lo) for s in sal], score))
        out[f"HL-min-{level}"] = {"HL-mAP": pct(float(np.mean(aps))),
                                  "HL-Hit1": pct(float(np.mean(hits)))}
    return out


# ----------------------------------------------------------------------------- official numbers
def test_reproduces_official_sample_metrics_exactly() -> None:
    preds = shared_path("qvhighlights_annotations", "sample_val_preds.jsonl")
    gt = shared_path("qvhighlights_annotations", "highlight_val_release.jsonl")
    expected = json.loads(
        shared_path("qvhighlights_annotations", "sample_val_preds_metrics_raw.json").read_text()
    )
    got = qvhighlights(preds, gt)
    assert got == expected
    # Same layout as the official file, key order included.
    assert list(got) == list(expected)
    for key, section in expected.items():
        assert list(got[key]) == list(section)
    assert json.dumps(got, indent=4) == json.dumps(expected, indent=4)


def test_official_sample_matches_loop_reference_on_a_subset() -> None:
    from highlights.evaluate import load_jsonl

    preds = load_jsonl(shared_path("qvhighlights_annotations", "sample_val_preds.jsonl"))[:60]
    gt = load_jsonl(shared_path("qvhighlights_annotations", "highlight_val_release.jsonl"))
    got = qvhighlights(preds, gt, match_number=False)
    keep = {d["qid"] for d in preds}
    want = ref_qvhighlights(preds, [d for d in gt if d["qid"] in keep])
    for key, section in want.items():
        assert got[key] == section, key


# ----------------------------------------------------------------------------- hand-made cases
def _gt(qid: int, windows: list[list[float]], duration: float = 150, ids: Any = (),
        sal: Any = ()) -> dict[str, Any]:
    return {"qid": qid, "duration": duration, "relevant_windows": windows,
            "relevant_clip_ids": list(ids), "saliency_scores": [list(s) for s in sal]}


MR_GT = [
    _gt(1, [[2, 6]]),                   # short
    _gt(2, [[0, 20], [40, 60]]),        # middle
    _gt(3, [[100, 150]]),               # long
]
MR_PRED = [
    {"qid": 1, "pred_relevant_windows": [[2, 6, 0.9]]},
    # R1 uses the FIRST window [0, 10]: IoU with [0, 20] is exactly 0.5.
    {"qid": 2, "pred_relevant_windows": [[0, 10, 0.9], [40, 60, 0.5], [0, 20, 0.8]]},
    # Ten misses, then a perfect window that the top-10 cut drops before ranking.
    {"qid": 3, "pred_relevant_windows": [[0, 50 - i, 0.5] for i in range(10)]
     + [[100, 150, 0.99]]},
]


def test_moment_retrieval_hand_computed() -> None:
    m = qvhighlights(MR_PRED, MR_GT)
    # q2 at IoU 0.5: TP, FP, TP -> P = 1, .5, 2/3; R = .5, .5, 1 -> AP = .5 + .5 * 2/3.
    # q2 above 0.5: FP, TP, TP -> AP = .5 * 2/3 + .5 * 2/3 = 2/3.  q1: 1.  q3: 0.
    assert m["short"]["MR-mAP"] == {**{k: 100.0 for k in THR}, "average": 100.0}
    assert m["short"]["MR-R1"] == {k: 100.0 for k in THR}
    assert m["middle"]["MR-mAP"] == {**{k: 66.67 for k in THR}, "0.5": 83.33, "average": 68.33}
    assert m["middle"]["MR-R1"] == {**{k: 0.0 for k in THR}, "0.5": 100.0}
    assert m["long"]["MR-mAP"] == {**{k: 0.0 for k in THR}, "average": 0.0}
    assert m["long"]["MR-R1"] == {k: 0.0 for k in THR}
    assert m["full"]["MR-mAP"] == {**{k: 55.56 for k in THR}, "0.5": 61.11, "average": 56.11}
    assert m["full"]["MR-R1"] == {**{k: 33.33 for k in THR}, "0.5": 66.67}
    assert m["brief"] == {
        "MR-full-R1@0.5": 66.67, "MR-full-R1@0.7": 33.33, "MR-full-mAP": 56.11,
        "MR-full-mAP@0.5": 61.11, "MR-full-mAP@0.75": 55.56, "MR-long-mAP": 0.0,
        "MR-middle-mAP": 68.33, "MR-short-mAP": 100.0,
    }
    assert list(m) == ["brief", "full", "long", "middle", "short"]
    assert list(m["brief"]) == sorted(m["brief"])


HL_GT = [
    _gt(1, [[2, 6]], duration=10, ids=[1, 2], sal=[[4, 3, 2], [1, 2, 4]]),
    _gt(2, [[2, 4], [6, 8]], duration=8, ids=[1, 3], sal=[[4, 4, 4], [4, 4, 4]]),
    _gt(3, [[100, 104]], duration=151, ids=[50, 51], sal=[[4, 4, 4], [2, 2, 2]]),
]
HL_PRED = [
    {"qid": 1, "pred_saliency_scores": [0.1, 0.9, 0.2, 0.0, 0.0]},
    # Ties 0.5/0.5 mix a negative and a positive; the 5th score (the max) is past the
    # 4 clips: cut for AP, and a miss for HIT@1.
    {"qid": 2, "pred_saliency_scores": [0.5, 0.5, 0.1, 0.0, 9.9]},
    # 3 scores for int(151 / 2) = 75 clips: zero-padded, positives tie with 72 clips.
    {"qid": 3, "pred_saliency_scores": [1.0, 0.5, 0.2]},
]


def test_highlight_detection_hand_computed() -> None:
    m = qvhighlights(HL_PRED, HL_GT)
    # Per annotator AP, VeryGood: q1 (1, 0, 1/2), q2 (1/2,)*3, q3 (1/75,)*3 -> 3.04 / 9.
    # Good: q1 (1, 1, 1/2) -> 4.04 / 9.   Fair: q1 (1, 1, 1), q3 (2/75,)*3 -> 4.58 / 9.
    assert m["HL-min-VeryGood"] == {"HL-mAP": 33.78, "HL-Hit1": 33.33}
    assert m["HL-min-Good"] == {"HL-mAP": 44.89, "HL-Hit1": 33.33}
    assert m["HL-min-Fair"] == {"HL-mAP": 50.89, "HL-Hit1": 33.33}
    assert list(m["brief"]) == [
        "HL-min-Fair-mAP", "HL-min-Fair-Hit1", "HL-min-Good-mAP", "HL-min-Good-Hit1",
        "HL-min-VeryGood-mAP", "HL-min-VeryGood-Hit1",
    ]
    assert m["brief"]["HL-min-Good-mAP"] == 44.89
    assert list(m) == ["brief", "HL-min-Fair", "HL-min-Good", "HL-min-VeryGood"]


def test_both_tasks_and_jsonl_paths(tmp_path: Path) -> None:
    sub = [{**p, **h} for p, h in zip(MR_PRED, HL_PRED, strict=True)]
    gt = [{**h, "relevant_windows": g["relevant_windows"]}
          for g, h in zip(MR_GT, HL_GT, strict=True)]
    ps, gs = tmp_path / "p.jsonl", tmp_path / "g.jsonl"
    ps.write_text("\n".join(json.dumps(d) for d in sub) + "\n\n")
    gs.write_text("\n".join(json.dumps(d) for d in gt))
    m = qvhighlights(str(ps), gs)
    assert m["brief"]["MR-full-mAP"] == 56.11
    assert m["brief"]["HL-min-Fair-mAP"] == 50.89
    assert len(m["brief"]) == 14
    assert list(m) == ["brief", "HL-min-Fair", "HL-min-Good", "HL-min-VeryGood",
                       "full", "long", "middle", "short"]


def test_length_split_is_left_open_right_closed_and_empty_split_is_nan() -> None:
    gt = [_gt(1, [[0, 10]])]  # exactly 10 s: "short" (0, 10], not "middle"
    pred = [{"qid": 1, "pred_relevant_windows": [[0, 10, 1.0]]}]
    m = qvhighlights(pred, gt)
    assert m["short"]["MR-mAP"]["average"] == 100.0
    assert math.isnan(m["middle"]["MR-mAP"]["average"])
    assert math.isnan(m["long"]["MR-R1"]["0.5"])


def test_match_number_false_keeps_shared_qids() -> None:
    pred = [*MR_PRED, {"qid": 99, "pred_relevant_windows": [[0, 1, 1.0]]}]
    with pytest.raises(InvalidParameterError, match="match_number=False"):
        qvhighlights(pred, MR_GT)
    m = qvhighlights(pred, MR_GT[:2], match_number=False)
    assert m["full"]["MR-R1"]["0.5"] == 100.0


@pytest.mark.parametrize(
    ("pred", "gt", "match"),
    [
        ([{"qid": 1}], [_gt(1, [[0, 2]])], "nothing to evaluate"),
        ([{"qid": 1, "pred_relevant_windows": [[0, 2, 1]]}], [{"qid": 1}], "relevant_windows"),
        ([{"qid": 1, "pred_relevant_windows": []}], [_gt(1, [[0, 2]])], "empty"),
        ([{"qid": 1, "pred_relevant_windows": [["a", 2, 1]]}], [_gt(1, [[0, 2]])], "list of"),
        ([{"qid": 1, "pred_relevant_windows": [[0, 2, 1]]}] * 2, [_gt(1, [[0, 2]])], "more than"),
        ([{"qid": 1, "pred_saliency_scores": []}], [_gt(1, [[0, 2]], 4, [0], [[1, 1, 1]])],
         "non-empty"),
        ([{"qid": 1, "pred_saliency_scores": [1.0]}], [_gt(1, [[0, 2]], 4, [5], [[1, 1, 1]])],
         "relevant_clip_ids"),
        ([{"qid": 1, "pred_saliency_scores": [1.0]}], [_gt(1, [[0, 2]], 4, [0], [[1, 1]] * 2)],
         "saliency_scores"),
        ([], [], "no predictions"),
        ({"qid": 1}, [], "list of dicts"),
        ([1, 2], [], "list of dicts"),
    ],
)
def test_bad_input_raises_clear_errors(pred: Any, gt: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        qvhighlights(pred, gt)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="Cannot read"):
        qvhighlights(tmp_path / "missing.jsonl", MR_GT)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"qid": 1}\n{oops\n')
    with pytest.raises(InvalidParameterError, match="line 2"):
        qvhighlights(bad, MR_GT)
    arr = tmp_path / "arr.jsonl"
    arr.write_text("[1, 2]\n")
    with pytest.raises(InvalidParameterError, match="line 1 must be a JSON object"):
        qvhighlights(arr, MR_GT)


# ----------------------------------------------------------------------------- kernels vs loops
def test_kernels_match_loop_references_on_random_grids(rng: np.random.Generator) -> None:
    thr = np.asarray(IOU_THRESHOLDS)
    for _ in range(300):
        n_gt, n_pred = int(rng.integers(1, 5)), int(rng.integers(0, 12))
        # 2-s grid like QVHighlights, so IoU and score ties are frequent.
        g = np.sort(rng.integers(0, 20, size=(n_gt, 2)), axis=1) * 2.0
        g[:, 1] += 2
        p = np.sort(rng.integers(0, 20, size=(n_pred, 2)), axis=1) * 2.0
        p[:, 1] += 2
        s = rng.integers(0, 4, size=n_pred) / 4
        order = np.argsort(-s, kind="stable")
        tp = greedy_match(iou_cross(p[order], g), thr)
        got = voc_ap(tp, n_gt)
        pred = [(a, b, c) for (a, b), c in zip(p.tolist(), s.tolist(), strict=True)]
        want = [ref_detection_ap([tuple(x) for x in g.tolist()], pred, t) for t in thr]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_ranked_ap_matches_sklearn_based_reference(rng: np.random.Generator) -> None:
    for _ in range(300):
        n = int(rng.integers(1, 40))
        y = rng.random((n, 3)) < rng.random()
        score = rng.integers(0, 6, size=n) / 5.0  # many ties
        got = ranked_ap(y, score)
        want = [ref_ranked_ap(y[:, c].astype(int).tolist(), score.tolist()) for c in range(3)]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_batched_ranked_ap_equals_row_by_row(rng: np.random.Generator) -> None:
    q, n = 50, 30
    y = rng.random((q, n, 2)) < 0.3
    score = rng.integers(0, 5, size=(q, n)) / 4.0
    n_valid = rng.integers(1, n + 1, size=q)
    got = ranked_ap(y, score, n_valid)
    for i in range(q):
        m = n_valid[i]
        want = [ref_ranked_ap(y[i, :m, c].astype(int).tolist(), score[i, :m].tolist())
                for c in range(2)]
        np.testing.assert_allclose(got[i], want, rtol=0, atol=1e-12)


def test_full_evaluation_matches_loop_reference_on_random_data(rng: np.random.Generator) -> None:
    gt, sub = [], []
    for q in range(40):
        wins = []
        for _ in range(int(rng.integers(1, 4))):
            a = int(rng.integers(0, 70)) * 2
            wins.append([a, min(150, a + int(rng.choice([2, 4, 8, 12, 20, 40, 80])))])
        duration = int(rng.integers(20, 152))  # ragged clip counts exercise the padding
        n_clips = duration // 2
        ids = sorted(rng.choice(n_clips, size=int(rng.integers(1, 10)), replace=False).tolist())
        sal = rng.integers(0, 5, size=(len(ids), 3)).tolist()
        gt.append(_gt(q, wins, duration, ids, sal))
        pw = []
        for _ in range(int(rng.integers(1, 14))):
            a = int(rng.integers(0, 70)) * 2
            pw.append([a, min(150, a + int(rng.integers(1, 40)) * 2),
                       float(rng.integers(0, 5)) / 4])
        scores = (rng.integers(0, 8, size=int(rng.integers(60, 80))) / 7).tolist()
        sub.append({"qid": q, "pred_relevant_windows": pw, "pred_saliency_scores": scores})
    got = qvhighlights(sub, gt)
    want = ref_qvhighlights(sub, gt)
    for key, section in want.items():
        assert got[key] == section, key


def test_verbose_logs_progress_instead_of_printing(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    with caplog.at_level(logging.INFO, logger="highlights"):
        qvhighlights(MR_PRED, MR_GT, verbose=True)
    assert any("short: (0, 10], 1/3=33.33 examples" in r.getMessage() for r in caplog.records)
    assert capsys.readouterr().out == ""
