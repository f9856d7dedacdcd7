"""Tests of highlights.genres: synthetic genre streams, fitted weights, packaged presets."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import numpy.testing as npt
import pytest

from highlights import InvalidParameterError
from highlights.evaluate import score_timeline
from highlights.fusion.genre import GENRES, weights_for_genre
from highlights.fusion.score import DEFAULT_WEIGHTS, fuse
from highlights.learn.fit import fit_weights
from highlights.synth.genre import align_chat, genre_stream

SHORT = {"duration_s": 900.0, "n_moments": 4}


@pytest.fixture(scope="module")
def shopping() -> list:
    return [genre_stream("shopping", seed=s, **SHORT) for s in (11, 12, 13)]


def test_genre_streams_are_seeded_and_on_one_grid() -> None:
    for genre in GENRES:
        a = genre_stream(genre, seed=3, **SHORT)
        b = genre_stream(genre, seed=3, **SHORT)
        assert a.spans == b.spans and len(a.spans) == 4
        n = a.timelines["audio_rms_db"].n
        assert all(tl.n == n and tl.hop_s == 0.5 for tl in a.timelines.values())
        for k, tl in a.timelines.items():
            npt.assert_array_equal(tl.values, b.timelines[k].values)
    game = genre_stream("game", seed=3, **SHORT).timelines
    talk = genre_stream("talk", seed=3, **SHORT).timelines
    assert np.nanmean(game["motion"].values) > 2 * np.nanmean(talk["motion"].values)


def test_shopping_deals_bring_orders_and_decoys(shopping: list) -> None:
    st = shopping[0]
    value = st.timelines["chat_value"]
    kinds = {d[0] for d in st.distractors}
    assert {"pin", "hype", "whale"} <= kinds
    # orders surge in the minute after each deal, above the stream's median rate
    med = float(np.median(value.values))
    for a, _ in st.spans:
        seg = value.crop(a, a + 60.0).values
        assert seg.mean() > 3 * med


def test_align_chat_moves_chat_earlier(shopping: list) -> None:
    st = shopping[0]
    out, lag = align_chat(st.timelines, chat_lag_s=6.0)
    assert lag == 6.0
    npt.assert_array_equal(out["chat_rate"].values[:-12], st.timelines["chat_rate"].values[12:])
    npt.assert_array_equal(out["motion"].values, st.timelines["motion"].values)
    _, est = align_chat(genre_stream("game", seed=5, **SHORT).timelines)
    assert 4.0 <= est <= 9.0  # true lag 6 s


def test_fit_weights_learns_what_predicts(shopping: list) -> None:
    tls = [align_chat(st.timelines, chat_lag_s=st.chat_lag_s)[0] for st in shopping[:2]]
    w = fit_weights(tls, [st.spans for st in shopping[:2]])
    assert set(w) == set(tls[0]) and max(w.values()) == 1.0
    assert all(0.0 <= v <= 1.0 for v in w.values())
    assert max(v for k, v in w.items() if k.startswith("chat_")) > 0.0  # chat surges at deals
    # fitted weights rank held-out hops better than the defaults
    st = shopping[2]
    held, _ = align_chat(st.timelines, chat_lag_s=st.chat_lag_s)
    ap_fit = score_timeline(fuse(held, weights=w), st.spans, duration_s=st.duration_s)["ap"]
    ap_def = score_timeline(fuse(held), st.spans, duration_s=st.duration_s)["ap"]
    assert ap_fit > ap_def
    with pytest.raises(InvalidParameterError, match="spans"):
        fit_weights(tls, [[]] * 2)


def test_packaged_presets() -> None:
    doc = json.loads(resources.files("highlights").joinpath("data").joinpath(
        "genre_weights.json").read_text(encoding="utf-8"))
    assert "synthetic" in doc["note"]
    for genre in GENRES:
        w = weights_for_genre(genre)
        assert set(DEFAULT_WEIGHTS) - {"keyframe"} <= set(w)
        assert all(isinstance(v, float) and v >= 0 for v in w.values())
        assert max(w.values()) > 0
        w["audio_rms_db"] = -1.0  # a fresh dict each call
        assert weights_for_genre(genre)["audio_rms_db"] >= 0
    assert weights_for_genre("shopping")["chat_value"] > weights_for_genre("game")["chat_value"]
    assert weights_for_genre("game")["motion"] > weights_for_genre("talk")["motion"]
    # a preset is the defaults with each family scaled by one multiplier
    mult = doc["genres"]["game"]["multipliers"]
    assert weights_for_genre("game")["scene"] == pytest.approx(
        DEFAULT_WEIGHTS["scene"] * mult["picture"], abs=1e-3)
    with pytest.raises(InvalidParameterError, match="name"):
        weights_for_genre("cooking")
