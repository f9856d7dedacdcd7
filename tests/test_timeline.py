from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import naive
from highlights import InvalidParameterError, Timeline, TimelineMismatchError, align


def test_basic_properties():
    tl = Timeline(values=[1, 2, 3, 4], hop_s=0.5, start_s=10.0, name="x")
    assert tl.values.dtype == np.float32
    assert tl.n == 4 and tl.duration_s == 2.0 and tl.end_s == 12.0
    np.testing.assert_allclose(tl.times(), [10.0, 10.5, 11.0, 11.5])
    np.testing.assert_allclose(tl.centers(), [10.25, 10.75, 11.25, 11.75])
    assert tl.value_at(11.1) == 3.0
    assert np.isnan(tl.value_at(12.0))
    with pytest.raises(ValueError):
        tl.values[0] = 5  # read-only


def test_times_do_not_drift_over_hours():
    tl = Timeline(values=np.zeros(864_000), hop_s=0.1)
    # Integer index times hop: the last start is exact to float64 precision.
    assert tl.times()[-1] == pytest.approx(86_399.9, abs=1e-9)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"values": [[1, 2]], "hop_s": 1.0}, "1-D"),
        ({"values": [1.0, np.inf], "hop_s": 1.0}, "finite"),
        ({"values": [1.0], "hop_s": 0.0}, "hop_s"),
        ({"values": [1.0], "hop_s": -1.0}, "hop_s"),
        ({"values": [1.0], "hop_s": float("nan")}, "hop_s"),
    ],
)
def test_invalid(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        Timeline(**kwargs)


@pytest.mark.parametrize("how", ["mean", "sum", "max"])
@pytest.mark.parametrize(
    "src_hop, src_start, dst_hop, dst_start, n",
    [(0.5, 0.0, 1.0, 0.0, 6), (0.5, 0.25, 0.3, 0.0, 15), (1.0, 0.0, 0.25, -0.5, 30),
     (0.1, 1.0, 0.7, 0.3, 9)],
)
def test_regrid_matches_naive(rng, how, src_hop, src_start, dst_hop, dst_start, n):
    vals = rng.normal(size=13).astype(np.float32)
    vals[4] = np.nan
    tl = Timeline(values=vals, hop_s=src_hop, start_s=src_start)
    got = tl.on_grid(hop_s=dst_hop, start_s=dst_start, n=n, how=how).values
    ref = naive.regrid(vals.astype(float), src_hop, src_start, dst_hop, dst_start, n, how)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5, equal_nan=True)


def test_sum_preserves_counts():
    counts = Timeline(values=[0, 3, 1, 0, 5, 2], hop_s=0.5)
    assert counts.resample(hop_s=1.5, how="sum").values.sum() == pytest.approx(11.0)
    assert counts.resample(hop_s=0.25, how="sum").values.sum() == pytest.approx(11.0)


def test_interp_and_crop():
    tl = Timeline(values=[0, 10, 20], hop_s=1.0)
    up = tl.resample(hop_s=0.5, how="interp")
    np.testing.assert_allclose(up.values, [0, 2.5, 7.5, 12.5, 17.5, 20], atol=1e-6)
    c = tl.crop(0.5, 1.5)
    assert c.start_s == 0.0 and c.values.tolist() == [0, 10]
    assert tl.crop(5, 6).n == 0
    with pytest.raises(InvalidParameterError):
        tl.crop(2, 1)


def test_align_pads_with_nan():
    a = Timeline(values=np.ones(10), hop_s=0.5, name="a")
    b = Timeline(values=np.ones(4), hop_s=1.0, start_s=1.0, name="b")
    out = align([a, b], hop_s=0.5)
    assert out["a"].n == out["b"].n == 10
    assert np.isnan(out["b"].values[:2]).all() and np.isnan(out["b"].values[-0:]).sum() >= 2
    np.testing.assert_allclose(out["b"].values[2:10], 1.0)


def test_with_values_shape_mismatch():
    tl = Timeline(values=[1, 2], hop_s=1.0)
    with pytest.raises(TimelineMismatchError):
        tl.with_values([1, 2, 3])


@settings(max_examples=60, deadline=None)
@given(
    vals=st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=40),
    hop=st.sampled_from([0.1, 0.25, 0.5, 1.0]),
    new_hop=st.sampled_from([0.1, 0.2, 0.5, 0.75, 2.0]),
)
def test_resample_mean_bounded(vals, hop, new_hop):
    tl = Timeline(values=vals, hop_s=hop)
    out = tl.resample(hop_s=new_hop)
    finite = out.values[np.isfinite(out.values)]
    assert finite.size > 0
    assert finite.min() >= min(vals) - 1e-3 and finite.max() <= max(vals) + 1e-3
    assert out.end_s >= tl.end_s - 1e-9
