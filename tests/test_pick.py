from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import naive
from highlights import InvalidParameterError, NoClipsWarning, Timeline
from highlights.selection.peaks import pick_clips, sliding_max


@pytest.mark.parametrize("radius", [0, 1, 2, 7, 50])
def test_sliding_max_matches_naive(rng, radius):
    v = rng.normal(size=333)
    np.testing.assert_array_equal(sliding_max(v, radius), naive.sliding_max(v, radius))


def test_candidates_match_naive(rng):
    v = np.convolve(rng.normal(size=2000), np.ones(9) / 9, mode="same")
    r = 12
    smax = sliding_max(v, r)
    fast = np.flatnonzero((v >= smax) & (v > 0.1)).tolist()
    assert fast == naive.peak_candidates(v.tolist(), r, 0.1)


def _bumps(peaks, heights, n=4000, hop=0.5, width=6.0, seed=0):
    t = np.arange(n) * hop
    v = np.random.default_rng(seed).normal(scale=0.05, size=n)
    for p, h in zip(peaks, heights):
        v += h * np.exp(-0.5 * ((t - p) / width) ** 2)
    return Timeline(values=v, hop_s=hop, name="score")


def test_ranked_by_peak_and_centered():
    s = _bumps([300, 900, 1500], [2.0, 5.0, 3.0])
    clips = pick_clips(s, n=3, min_len_s=15, max_len_s=60)
    assert [c.rank for c in clips] == [1, 2, 3]
    assert [round(c.peak_s / 100) for c in clips] == [9, 15, 3]
    for c in clips:
        assert c.start_s < c.peak_s < c.end_s
        assert 15 - 1e-6 <= c.duration_s <= 60 + 1e-6
        # Lead-in: padding puts at least 5 s before the peak.
        assert c.peak_s - c.start_s >= 5.0


def test_order_time_and_min_gap():
    s = _bumps([300, 330, 900], [5.0, 4.0, 3.0])
    clips = pick_clips(s, n=3, min_len_s=15, max_len_s=40, min_gap_s=30, order="time")
    starts = [c.start_s for c in clips]
    assert starts == sorted(starts)
    # The 330 s bump is within min_gap of the 300 s one: it cannot be its own clip.
    assert not any(abs(c.peak_s - 330) < 5 for c in clips)
    for a, b in zip(clips, clips[1:]):
        assert b.start_s - a.end_s >= 30 - 1e-6


def test_contributions_shares():
    s = _bumps([500], [4.0])
    comps = {"a": s.with_values(s.values * 0.75), "b": s.with_values(s.values * 0.25)}
    (clip,) = pick_clips(s, n=1, components=comps)
    assert clip.contributions["a"] == pytest.approx(0.75, abs=1e-6)
    assert sum(abs(v) for v in clip.contributions.values()) == pytest.approx(1.0)


def test_flat_score_gives_empty_with_warning():
    s = Timeline(values=np.zeros(1000), hop_s=0.5)
    with pytest.warns(NoClipsWarning):
        assert pick_clips(s) == []


def test_short_timeline_warns():
    s = Timeline(values=np.ones(10), hop_s=0.5)
    with pytest.warns(NoClipsWarning, match="shorter"):
        assert pick_clips(s, min_len_s=15) == []


@pytest.mark.parametrize(
    "kwargs",
    [{"n": -1}, {"min_len_s": 0}, {"min_len_s": 50, "max_len_s": 20}, {"pad_s": (1, 2, 3)},
     {"order": "random"}, {"min_gap_s": -1}, {"n": 2.5}],
)
def test_invalid_parameters(kwargs):
    with pytest.raises(InvalidParameterError):
        pick_clips(_bumps([100], [1.0]), **kwargs)


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 12),
    min_len=st.floats(2.0, 30.0),
    extra=st.floats(0.0, 60.0),
    pad_pre=st.floats(0.0, 8.0),
    pad_post=st.floats(0.0, 8.0),
    gap=st.floats(0.0, 40.0),
    hop=st.sampled_from([0.1, 0.5, 1.0]),
    length=st.integers(50, 3000),
)
def test_invariants(seed, n, min_len, extra, pad_pre, pad_post, gap, hop, length):
    rng = np.random.default_rng(seed)
    v = np.convolve(rng.normal(size=length), np.ones(5) / 5, mode="same")
    s = Timeline(values=v, hop_s=hop, start_s=0.0)
    max_len = min_len + extra
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NoClipsWarning)
            clips = pick_clips(s, n=n, min_len_s=min_len, max_len_s=max_len,
                               pad_s=(pad_pre, pad_post), min_gap_s=gap)
    assert len(clips) <= n
    assert [c.rank for c in clips] == list(range(1, len(clips) + 1))
    scores = [c.score for c in clips]
    assert scores == sorted(scores, reverse=True)
    for c in clips:
        assert 0.0 <= c.start_s < c.end_s <= s.end_s + 1e-9
        assert min_len - 1e-6 <= c.duration_s <= max_len + 1e-6
        assert c.start_s <= c.peak_s <= c.end_s
    by_time = sorted(clips, key=lambda c: c.start_s)
    for a, b in zip(by_time, by_time[1:]):
        assert b.start_s - a.end_s >= gap - 1e-6


def test_clips_end_at_media_duration():
    s = _bumps([1990], [5.0], n=4000)  # the peak is 10 s before the grid's end (2000 s)
    (clip,) = pick_clips(s, n=1, duration_s=1995.3)
    assert clip.end_s <= 1995.3
