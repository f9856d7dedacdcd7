"""Tests of highlights.features.chat against slow loop references."""

from __future__ import annotations

import math

import numpy as np
import pytest

from highlights.errors import InvalidParameterError
from highlights.features.chat import chat_density
from highlights.types import ChatEvents


def _density_ref(times: list[float], hop: float, n: int) -> list[float]:
    out = [0.0] * n
    for t in times:
        i = math.floor(t / hop)
        if 0 <= i < n:
            out[i] += 1.0 / hop
    return out


def test_chat_density_matches_loop(rng: np.random.Generator) -> None:
    t = rng.uniform(0, 100, 5000)
    ev = ChatEvents.from_arrays(t)
    tl = chat_density(ev, hop_s=0.5, duration_s=90.0)
    assert tl.name == "chat_rate" and tl.n == 180 and tl.hop_s == 0.5
    np.testing.assert_allclose(tl.values, _density_ref(t.tolist(), 0.5, 180), rtol=1e-6)


def test_chat_density_smoothing_preserves_mass() -> None:
    ev = ChatEvents.from_arrays([10.2] * 10)
    raw = chat_density(ev, hop_s=1.0, duration_s=20.0)
    sm = chat_density(ev, hop_s=1.0, duration_s=20.0, smooth_s=5.0)
    assert raw.values[10] == 10.0
    assert sm.values.sum() == pytest.approx(10.0)
    assert sm.values[8:13].tolist() == [2.0] * 5


def test_chat_density_kinds_and_empty() -> None:
    ev = ChatEvents.from_arrays([0.1, 0.2], kind=["message", "like"])
    assert chat_density(ev, hop_s=1.0).values.tolist() == [1.0]
    assert chat_density(ev, hop_s=1.0, kinds=None).values.tolist() == [2.0]
    empty = chat_density(ChatEvents.from_arrays([]), duration_s=2.0)
    assert empty.values.tolist() == [0.0] * 4
    with pytest.raises(InvalidParameterError):
        chat_density(ev, hop_s=0)
