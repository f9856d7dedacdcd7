from __future__ import annotations

import numpy as np
import pytest

from highlights import Timeline
from highlights.features.derived import add_derived, chat_onset


def _naive_onset(v, w):
    v = [0.0 if np.isnan(x) else float(x) for x in v]
    out = []
    for i in range(len(v)):
        after = v[i : i + w]
        before = v[max(0, i - w) : i]
        a = sum(after) / len(after) if after else 0.0
        b = sum(before) / len(before) if before else 0.0
        out.append(max(0.0, a - b))
    return out


@pytest.mark.parametrize("window_s", [0.5, 1.0, 3.0, 7.5])
def test_onset_matches_naive(rng, window_s):
    v = rng.poisson(2.0, size=400).astype(float)
    v[rng.random(400) < 0.05] = np.nan
    tl = Timeline(values=v, hop_s=0.5, name="chat_rate")
    w = max(1, int(round(window_s / 0.5)))
    np.testing.assert_allclose(chat_onset(tl, window_s=window_s).values, _naive_onset(v, w),
                               rtol=1e-5, atol=1e-5)


def test_onset_peaks_at_reaction_start_not_in_its_tail():
    t = np.arange(0, 120, 0.5)
    rate = 1.0 + np.where(t >= 60, 20.0 * np.exp(-(t - 60) / 12.0), 0.0)
    tl = Timeline(values=rate, hop_s=0.5, name="chat_rate")
    onset = chat_onset(tl).values
    assert abs(t[np.argmax(onset)] - 60) <= 1.5
    # 10 s into the tail the level is still high but the onset is gone.
    assert rate[t == 70][0] > 8 and onset[t == 70][0] == 0


def test_add_derived():
    tl = Timeline(values=np.ones(10), hop_s=1.0, name="chat_rate")
    out = add_derived({"chat_rate": tl})
    assert set(out) == {"chat_rate", "chat_onset"}
    assert add_derived({"audio_rms_db": tl}).keys() == {"audio_rms_db", "audio_burst"}
