"""Chat-lag confidence on streams too short for the permutation null (a few minutes)."""

from __future__ import annotations

import numpy as np
import pytest

from highlights import Timeline
from highlights.features.lag import estimate_chat_lag


def _stream(n, lag_hops, seed, n_moments=5):
    rng = np.random.default_rng(seed)
    act = np.zeros(n)
    act[rng.choice(np.arange(40, n - 80), n_moments, replace=False)] = 1.0
    act = np.convolve(act, np.hanning(9), "same")
    rate = 1 + 8 * np.convolve(np.roll(act, lag_hops), np.exp(-np.arange(40) / 10))[:n]
    chat = Timeline(values=rng.poisson(rate * 0.5) / 0.5, hop_s=0.5)
    media = Timeline(values=act + rng.normal(0, 0.05, n), hop_s=0.5)
    return chat, media


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("lag_s", [3.0, 6.0, 12.0])
def test_short_stream_lag_is_found_with_confidence(seed, lag_s):
    chat, media = _stream(600, int(lag_s / 0.5), seed)  # 5 minutes
    est, conf = estimate_chat_lag(chat, media)
    assert abs(est - lag_s) <= 2.0
    assert conf >= 0.5


@pytest.mark.parametrize("seed", range(4))
def test_short_stream_unrelated_chat_is_not_confident(seed):
    chat, _ = _stream(600, 12, seed)
    _, media = _stream(600, 12, seed + 100)  # another stream's media
    assert estimate_chat_lag(chat, media)[1] < 0.25
