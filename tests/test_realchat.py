"""The real-chat evaluation protocol (benchmarks/realchat.py) on hand-made inputs.

The hit rules, the random-placement expectation, the count baseline and the bootstrap
are checked against brute force here; one test loads the real sets from ../shared
and skips cleanly when they are absent.
"""

from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import realchat as rc  # noqa: E402

from highlights import ChatEvents  # noqa: E402


# --------------------------------------------------------------------------- hit rules
@pytest.mark.parametrize(
    ("t", "hit"),
    [(40.0, True), (39.99, False), (100.0, True), (110.0, True), (120.0, True),
     (120.01, False), (5.0, False)],
)
def test_live_hit_boundaries(t: float, hit: bool) -> None:
    # clip [100, 120]: a moment may begin from 60 s before the start to the end
    assert rc.live_hits(np.array([100.0]), np.array([120.0]), [t])[0] == hit


def test_live_hits_any_label_and_shapes() -> None:
    labels = [500.0, 10.0, 250.0]
    starts = np.array([[0.0, 300.0], [480.0, 1000.0]])
    got = rc.live_hits(starts, starts + 20.0, labels)
    assert got.tolist() == [[True, True], [True, False]]
    assert rc.live_hits(np.array([0.0]), np.array([5.0]), []).tolist() == [False]


@pytest.mark.parametrize(
    ("clip", "hit"),
    [((20.0, 30.0), False),   # touches the end at a point
     ((19.9, 30.0), True),
     ((0.0, 10.0), False),    # touches the start at a point
     ((0.0, 10.1), True),
     ((12.0, 15.0), True),    # inside
     ((5.0, 25.0), True),     # contains
     ((31.0, 39.0), False),   # in the gap
     ((35.0, 41.0), True)],   # second span
)
def test_film_hit_boundaries(clip: tuple[float, float], hit: bool) -> None:
    spans = [(10.0, 20.0), (40.0, 50.0)]
    assert rc.film_hits(np.array([clip[0]]), np.array([clip[1]]), spans)[0] == hit


def test_merge_spans_overlapping_and_nested() -> None:
    got = rc.merge_spans([(30, 40), (0, 10), (5, 12), (35, 38), (12, 13), (50, 60)])
    assert got.tolist() == [[0, 13], [30, 40], [50, 60]]
    assert rc.merge_spans([]).shape == (0, 2)


def test_span_mask_uses_bin_centres() -> None:
    mask = rc.span_mask_1s([(2.0, 4.0), (6.6, 7.4)], 10.0)  # holds no centre
    assert mask.tolist() == [False, False, True, True, False, False, False, False, False,
                             False]
    mask = rc.span_mask_1s([(2.0, 4.0), (6.5, 7.6)], 10.0)  # [a, b): 6.5 in, 7.5 in
    assert np.flatnonzero(mask).tolist() == [2, 3, 6, 7]


# --------------------------------------------------------------------------- random
def _item(kind: str, duration_s: float, labels: list[float] | None = None,
          spans: list[tuple[float, float]] | None = None, item_id: str = "x",
          events: ChatEvents | None = None, in_mean: bool = True) -> rc.Item:
    ev = events if events is not None else ChatEvents.from_arrays([1.0])
    return rc.Item(kind, item_id, ev, duration_s,
                   np.sort(np.asarray(labels or [], dtype=np.float64)),
                   rc.merge_spans(spans or []), in_mean)


def test_random_starts_are_non_overlapping_and_inside() -> None:
    rng = np.random.default_rng(0)
    lengths = np.array([10.0, 25.0, 5.0])
    starts = rc.random_starts(lengths, 100.0, 2000, rng)
    ends = starts + lengths
    assert starts.min() >= 0.0 and ends.max() <= 100.0
    for i, j in combinations(range(3), 2):
        assert np.all((ends[:, i] <= starts[:, j]) | (ends[:, j] <= starts[:, i]))
    with pytest.raises(ValueError):
        rc.random_starts([60.0, 50.0], 100.0, 1, rng)


def test_random_expectation_exact_single_clip() -> None:
    # one 10-s clip on [0, 100]: start ~ U[0, 90]; overlaps span [40, 50] iff 30 < s < 50
    item = _item("film", 100.0, spans=[(40.0, 50.0)])
    got = rc.random_precision(item, [10.0], n_draws=200_000, seed=1)
    assert got == pytest.approx(20.0 / 90.0, abs=0.005)


def test_random_expectation_within_a_range() -> None:
    # a 10-s clip restricted to [20, 80]: start ~ U[20, 70]; overlap with [40, 50] iff 30 < s < 50
    item = _item("film", 100.0, spans=[(40.0, 50.0)])
    got = rc.random_precision(item, [10.0], n_draws=200_000, seed=1, range_s=(20.0, 80.0))
    assert got == pytest.approx(20.0 / 50.0, abs=0.005)
    ev = ChatEvents.from_arrays(np.arange(1000.0))
    lo, hi = rc.chat_active_range(ev)
    assert 5.0 <= lo <= 15.0 and 985.0 <= hi <= 995.0


def _rejection_precision(item: rc.Item, lengths: np.ndarray, n: int, seed: int) -> float:
    """Brute force: independent uniform starts, rejected when any two clips overlap."""
    rng = np.random.default_rng(seed)
    hits, kept = 0.0, 0
    while kept < n:
        starts = rng.uniform(0.0, item.duration_s - lengths, size=(4 * n, lengths.size))
        ends = starts + lengths
        ok = np.ones(starts.shape[0], dtype=bool)
        for i, j in combinations(range(lengths.size), 2):
            ok &= (ends[:, i] <= starts[:, j]) | (ends[:, j] <= starts[:, i])
        s, e = starts[ok][: n - kept], ends[ok][: n - kept]
        hits += float(rc.item_hits(item, s, e).mean(axis=1).sum())
        kept += s.shape[0]
    return hits / n


@pytest.mark.parametrize("kind", ["live", "film"])
def test_random_expectation_matches_rejection_sampling(kind: str) -> None:
    lengths = np.array([10.0, 30.0, 15.0])
    item = _item(kind, 120.0, labels=[70.0, 110.0], spans=[(20.0, 28.0), (90.0, 95.0)])
    got = rc.random_precision(item, lengths, n_draws=100_000, seed=3)
    want = _rejection_precision(item, lengths, 60_000, seed=4)
    assert got == pytest.approx(want, abs=0.01)


def test_random_precision_is_seeded() -> None:
    item = _item("live", 1000.0, labels=[100.0, 500.0])
    a = rc.random_precision(item, [15.0] * 10, n_draws=500, seed=7)
    assert a == rc.random_precision(item, [15.0] * 10, n_draws=500, seed=7)
    assert a != rc.random_precision(item, [15.0] * 10, n_draws=500, seed=8)


# --------------------------------------------------------------------------- count
def _times_with_counts(counts: list[int], window_s: float = 30.0) -> np.ndarray:
    return np.concatenate([w * window_s + np.linspace(1.0, window_s - 1.0, c)
                           for w, c in enumerate(counts)])


def test_count_grid_known_counts_ties_and_shift() -> None:
    t = _times_with_counts([3, 9, 0, 9, 1, 7])
    clips = rc.count_grid_clips(t, 180.0, n=4)
    assert [(s, e, c) for s, e, c in clips] == [(30.0, 60.0, 9.0), (90.0, 120.0, 9.0),
                                                (150.0, 180.0, 7.0), (0.0, 30.0, 3.0)]
    shifted = rc.count_grid_clips(t, 180.0, n=4, shift_s=10.0)
    assert [(s, e) for s, e, _ in shifted] == [(20.0, 50.0), (80.0, 110.0), (140.0, 170.0),
                                               (0.0, 20.0)]  # clamped at 0
    # empty windows are never chosen
    assert len(rc.count_grid_clips(t, 180.0, n=10)) == 5


def test_count_sliding_finds_offgrid_burst_without_overlap() -> None:
    rng = np.random.default_rng(0)
    t = np.concatenate([rng.uniform(0, 600, 60), np.linspace(115, 140, 40),
                        np.linspace(300, 320, 25)])
    clips = rc.count_sliding_clips(t, 600.0, n=5)
    s0, e0, c0 = clips[0]
    assert s0 <= 115 and e0 >= 140 and c0 >= 40
    assert clips[1][0] <= 300 and clips[1][1] >= 320
    spans = sorted((s, e) for s, e, _ in clips)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert [c for *_, c in clips] == sorted([c for *_, c in clips], reverse=True)
    # the count baseline's per-second score agrees with its windows
    score = rc.count_score_1s(t, 600.0)
    assert score[int(s0)] == c0


# --------------------------------------------------------------------------- bootstrap
def test_bootstrap_interval_contains_estimate_and_is_seeded() -> None:
    hits = np.array([1, 0, 0, 1, 1, 0, 0, 0, 1, 0], dtype=bool)
    a = rc.bootstrap_means([hits], 2000, np.random.default_rng(5))
    b = rc.bootstrap_means([hits], 2000, np.random.default_rng(5))
    c = rc.bootstrap_means([hits], 2000, np.random.default_rng(6))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    lo, hi = rc.percentile_ci(a)
    assert lo <= hits.mean() <= hi and lo < hi
    assert a.mean() == pytest.approx(hits.mean(), abs=0.02)


def test_bootstrap_of_a_mean_resamples_within_items() -> None:
    all_hit, no_hit = np.ones(10, bool), np.zeros(10, bool)
    boot = rc.bootstrap_means([all_hit, no_hit], 500, np.random.default_rng(0))
    assert np.all(boot == 0.5)  # within-item resampling cannot mix the items


def test_percentile_ci_handles_inf() -> None:
    x = np.r_[np.full(90, 1.0), np.full(10, np.inf)]
    assert rc.percentile_ci(x) == (1.0, float("inf"))


def test_roc_auc_matches_pairwise_count() -> None:
    rng = np.random.default_rng(2)
    s = rng.integers(0, 5, 60).astype(float)
    y = rng.random(60) < 0.3
    pairs = [(1.0 if a > b else 0.5 if a == b else 0.0) for a in s[y] for b in s[~y]]
    assert rc.roc_auc(s, y) == pytest.approx(np.mean(pairs))


# --------------------------------------------------------------------------- end to end
def test_evaluate_method_on_synthetic_items() -> None:
    burst = np.r_[np.linspace(0, 1000, 50), np.linspace(500, 520, 100)]
    ev = ChatEvents.from_arrays(burst)
    items = [
        _item("live", 1000.0, labels=[480.0], item_id="a", events=ev),
        _item("film", 1000.0, spans=[(500.0, 530.0)], item_id="b", events=ev),
        _item("film", 1000.0, spans=[(0.0, 1000.0)], item_id="c", events=ev, in_mean=False),
    ]

    def oracle(events: ChatEvents, duration_s: float) -> list[rc.Clip]:
        return [(500.0, 515.0, 2.0), (900.0, 915.0, 1.0)]

    table = rc.evaluate_method(oracle, name="oracle", items=items, n_boot=300,
                               random_draws=300)
    by_id = {r.item_id: r for r in table.rows}
    assert by_id["a"].hits == 1 and by_id["a"].p == 0.5
    assert by_id["b"].hits == 1 and by_id["c"].hits == 2
    film_mean = next(r for r in table.means if r.kind == "film")
    assert film_mean.p == 0.5 and film_mean.n_clips == 2  # "c" left out of the mean
    assert by_id["a"].p_ci[0] <= 0.5 <= by_id["a"].p_ci[1]
    assert by_id["b"].count_p > 0  # the grid window [510, 540) overlaps the span
    md = table.to_markdown()
    assert "c (not in mean)" in md and "mean film (1)" in md
    again = rc.evaluate_method(oracle, name="oracle", items=items, n_boot=300,
                               random_draws=300)
    assert again.to_dict() == table.to_dict()


def test_shared_helper_returns_none_without_data(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("HIGHLIGHTS_SHARED", str(tmp_path / "nowhere"))
    assert rc.shared_path("x") is None
    assert rc.load_items() is None
    assert rc.main([]) == 0


def test_experiment_window_counts_match_brute_force() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "experiments"))
    import chat_scores as cs

    rng = np.random.default_rng(0)
    t = np.sort(np.r_[rng.uniform(0, 200, 295), [0.0, 30.0, 30.0, 59.99, 60.0]])
    g = rng.integers(0, 20, t.size)
    w = rng.random(20)
    n = cs._n_starts(200.0)
    got = cs.distinct_per_window(t, g, n, w)
    want = [sum(w[k] for k in set(g[(t >= s) & (t < s + 30)].tolist())) for s in range(n)]
    assert np.allclose(got, want)
    assert cs.normalise("然然超可爱！！") == "然超可爱" and cs.normalise("哈哈哈 ") == "哈"


# --------------------------------------------------------------------------- real data
def test_real_sets_load_through_the_path_helper() -> None:
    items = rc.load_items()
    if items is None:
        pytest.skip(f"shared data not available under {rc.shared_root()}")
    ids = [it.item_id for it in items]
    assert ids == [*rc.LIVE_IDS, *rc.FILM_IDS]
    live = {it.item_id: it for it in items if it.kind == "live"}
    assert [len(live[s].events) for s in rc.LIVE_IDS] == [11003, 48512]
    assert [live[s].label_times_s.size for s in rc.LIVE_IDS] == [30, 39]
    films = {it.item_id: it for it in items if it.kind == "film"}
    assert [len(films[f].events) for f in rc.FILM_IDS] == [5573, 7294, 3865, 4844, 996]
    assert not films["tangbohu_dian_qiuxiang"].in_mean
    assert all(it.events.author[0] is not None and it.events.text[0] for it in items)
    table = rc.evaluate_method(rc.count_method("grid", 0.0), name="count", items=items,
                               n_boot=200, random_draws=200)
    assert len(table.rows) == 7 and {r.kind for r in table.means} == {"live", "film"}
    assert all(r.n_clips == rc.N_CLIPS for r in table.rows)
