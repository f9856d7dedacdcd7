from __future__ import annotations

import importlib

import numpy as np
import pytest

import naive
from highlights import SignalMissingWarning, Timeline, TimelineMismatchError
from highlights.fusion.score import (
    fuse,
    fuse_detail,
    moving_average,
    robust_normalize,
)

fuse_mod = importlib.import_module("highlights.fusion.score")


@pytest.mark.parametrize("width", [1, 2, 3, 8, 31])
def test_moving_average_matches_naive(rng, width):
    v = rng.normal(size=300)
    np.testing.assert_allclose(moving_average(v, width), naive.moving_average(v, width))
    v[rng.random(300) < 0.2] = np.nan
    v[100:140] = np.nan
    np.testing.assert_allclose(
        moving_average(v, width), naive.moving_average(v, width), equal_nan=True
    )


def test_global_zscore_matches_naive(rng):
    v = rng.gamma(2.0, size=500)
    tl = Timeline(values=v, hop_s=1.0)
    got = robust_normalize(tl, baseline_s=None, clip=(-1e6, 1e6)).values
    np.testing.assert_allclose(got, naive.global_zscore(v.astype(np.float32)), rtol=1e-4, atol=1e-4)


def test_rolling_baseline_ignores_slow_growth(rng):
    # Chat that grows 10x over 4 hours plus noise, with one real burst.
    hop = 1.0
    t = np.arange(4 * 3600)
    rate = 1.0 + 9.0 * t / t[-1]
    v = rng.poisson(rate).astype(float)
    v[7000:7010] += 40
    z_roll = robust_normalize(Timeline(values=v, hop_s=hop), baseline_s=600).values
    z_glob = robust_normalize(Timeline(values=v, hop_s=hop), baseline_s=None).values
    # With a global baseline the last hour looks "hot"; with the rolling one it does not.
    late = slice(3 * 3600, 4 * 3600)
    assert np.mean(z_glob[late]) > 0.6
    assert abs(np.mean(z_roll[late])) < 0.3
    assert np.argmax(moving_average(z_roll, 10)) in range(6995, 7015)


def test_rolling_scale_tracks_exact_rolling_median(rng):
    v = rng.normal(size=6000) + np.linspace(0, 5, 6000)
    loc_b, _, block = fuse_mod._rolling_location_scale(v, 600)
    loc = np.repeat(loc_b, block)[: v.size]
    exact = np.array([np.median(v[max(0, i - 300): i + 300]) for i in range(0, 6000, 50)])
    np.testing.assert_allclose(loc[::50][6:-6], exact[6:-6], atol=0.25)


def test_constant_signal_gives_zero_not_nan():
    tl = Timeline(values=np.full(100, -100.0), hop_s=0.5, name="audio_rms_db")
    z = robust_normalize(tl).values
    assert np.all(z == 0)
    sparse = np.zeros(1000)
    sparse[500] = 3  # chat on a quiet stream: the MAD is 0
    z = robust_normalize(Timeline(values=sparse, hop_s=1.0)).values
    assert np.isfinite(z).all() and np.argmax(z) == 500


def test_fuse_weights_and_components(rng):
    n = 2000
    a = Timeline(values=rng.normal(size=n), hop_s=0.5, name="audio_rms_db")
    c = Timeline(values=rng.normal(size=n), hop_s=0.5, name="chat_rate")
    det = fuse_detail({"audio_rms_db": a, "chat_rate": c},
                      weights={"chat_rate": 2.0, "audio_rms_db": 1.0}, agreement=False)
    assert det.weights["chat_rate"] == 2.0
    assert det.weights["audio_rms_db"] == 1.0
    total = det.components["audio_rms_db"].values + det.components["chat_rate"].values
    np.testing.assert_allclose(det.score.values, moving_average(total, 6), atol=1e-5)
    # The chat component is twice the weight times the z-score.
    z = robust_normalize(c).values
    np.testing.assert_allclose(det.components["chat_rate"].values, 2.0 * z, atol=1e-5)
    # Zero weight removes a signal.
    only = fuse({"audio_rms_db": a, "chat_rate": c},
                weights={"chat_rate": 0.0, "audio_rms_db": 1.0})
    np.testing.assert_allclose(
        only.values, moving_average(det.components["audio_rms_db"].values, 6), atol=1e-5
    )


def test_uncovered_hops_never_outscore_covered(rng):
    v = rng.normal(size=400)
    v[:100] = np.nan
    s = fuse({"audio_rms_db": Timeline(values=v, hop_s=0.5)}, weights={"audio_rms_db": 1.0})
    assert np.isfinite(s.values).all()
    # uncovered hops take the lower clip (-2) x weight (1.0)
    assert np.all(s.values[:95] == -2.0)
    assert s.values[:95].max() <= s.values[105:].min()


def test_peak_never_past_the_media_end():
    # the score climbs into a last, barely covered hop (the PySceneDetect test video)
    from highlights.selection import pick_clips

    vals = np.r_[np.zeros(40), np.linspace(0, 8, 9)]
    clips = pick_clips(Timeline(values=vals, hop_s=0.5), n=1, min_len_s=5.0, max_len_s=15.0,
                       duration_s=24.02)
    assert clips and clips[0].start_s <= clips[0].peak_s <= clips[0].end_s <= 24.02
    assert clips[0].peak_s < 24.02


def test_missing_weighted_signal_warns(rng):
    a = Timeline(values=rng.normal(size=100), hop_s=0.5)
    with pytest.warns(SignalMissingWarning, match="chat_rate"):
        fuse({"audio_rms_db": a}, weights={"chat_rate": 1.0})


def test_grid_mismatch_raises(rng):
    a = Timeline(values=rng.normal(size=100), hop_s=0.5)
    b = Timeline(values=rng.normal(size=50), hop_s=1.0)
    with pytest.raises(TimelineMismatchError, match="align"):
        fuse({"audio_rms_db": a, "scene": b})


def test_negative_weight_rejected(rng):
    a = Timeline(values=rng.normal(size=100), hop_s=0.5)
    with pytest.raises(ValueError, match="weights"):
        fuse({"audio_rms_db": a}, weights={"audio_rms_db": -1})


@pytest.mark.parametrize("lo,hi", [(-3, 3), (0, 4), (-5, -1), (1, 6), (-2, 0), (2, 1)])
def test_window_sums_match_loop(rng, lo, hi):
    from highlights._window import window_mean, window_sums

    for n in (0, 1, 4, 23):
        x = rng.normal(size=n)
        ref = np.array([x[max(0, i + lo):max(0, i + hi + 1)].sum() for i in range(n)])
        np.testing.assert_allclose(window_sums(x, lo=lo, hi=hi), ref, atol=1e-12)
        cnt = np.array([len(x[max(0, i + lo):max(0, i + hi + 1)]) for i in range(n)])
        mean = np.where(cnt > 0, ref / np.maximum(cnt, 1), -1.0)
        np.testing.assert_allclose(window_mean(x, lo=lo, hi=hi, empty=-1.0), mean, atol=1e-12)
