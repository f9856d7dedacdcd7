"""Tests of highlights.features.lag: chat-lag estimation on synthetic streams."""

from __future__ import annotations

import numpy as np
import pytest

from highlights.errors import InvalidParameterError
from highlights.features.lag import _xcorr, estimate_chat_lag, lag_curve
from highlights.timeline import Timeline

HOP = 0.5


def make_stream(seed: int, lag_s: float, *, duration_s: float = 3600.0,
                n_events: int = 10) -> tuple[Timeline, list[Timeline]]:
    """Chat rate + (audio dB, motion) with moments whose chat starts ``lag_s`` after the
    action starts (the lag is onset to onset).

    Each action rises within a second of its onset and decays over 2-5 s.  Also plants
    loud music beds chat ignores, and a chat rate that grows x3 over the stream (a
    growing audience).
    """
    rng = np.random.default_rng(seed)
    n = int(duration_s / HOP)
    t = (np.arange(n) + 0.5) * HOP
    peaks = np.sort(rng.uniform(120, duration_s - 120, n_events))  # action onsets
    audio = -30 + rng.normal(0, 2.0, n)
    motion = 0.2 + rng.normal(0, 0.05, n)
    for p in peaks:
        w = rng.uniform(2, 5)
        rel = np.maximum(t - p, 0.0)
        env = np.where(t < p, 0.0, (1 - np.exp(-rel / 0.4)) * np.exp(-rel / w))
        audio += rng.uniform(10, 18) * env
        motion += rng.uniform(0.2, 0.5) * env
    for s in rng.uniform(0, duration_s - 60, 3):
        audio[(t > s) & (t < s + 60)] += 8
    base = 1.0 + 2.0 * t / duration_s
    rate = base.copy()
    for p in peaks:
        rel = t - (p + lag_s)
        tau = rng.uniform(8, 20)
        amp = rng.uniform(5, 10) * base
        rate += np.where(rel < 0, 0, np.where(rel < 1, rel, np.exp(-(rel - 1) / tau))) * amp
    chat = Timeline(rng.poisson(rate * HOP) / HOP, hop_s=HOP, name="chat_rate")
    return chat, [Timeline(audio, hop_s=HOP, name="audio_rms_db"),
                  Timeline(motion, hop_s=HOP, name="motion")]


@pytest.mark.parametrize("lag_s", [3.0, 5.0, 8.0, 12.0, 20.0, 30.0, 40.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_known_lag_recovered(lag_s: float, seed: int) -> None:
    chat, media = make_stream(seed, lag_s)
    est, conf = estimate_chat_lag(chat, media)
    assert abs(est - lag_s) <= 2.0
    assert conf >= 0.5


@pytest.mark.parametrize("seed", range(6))
def test_unrelated_signals_have_low_confidence(seed: int) -> None:
    chat, _ = make_stream(seed, 10.0)
    _, media = make_stream(seed + 100, 10.0)  # someone else's stream
    _, conf = estimate_chat_lag(chat, media)
    assert conf < 0.25


@pytest.mark.parametrize(("seed", "lag_s"), [(0, 4.0), (1, 15.0), (2, 35.0)])
def test_on_synth_module_streams(seed: int, lag_s: float) -> None:
    synth = pytest.importorskip("highlights.synth")
    sig, moments = synth.make_signals(duration_s=1800.0, seed=seed, chat_lag_s=lag_s)
    media = [sig[k] for k in ("audio_rms_db", "motion", "scene") if k in sig]
    est, conf = estimate_chat_lag(sig["chat_rate"], media)
    # synth plants chat lag_s after each moment's *peak*; the estimate is onset to
    # onset, so it adds the time from the action's start to its peak.
    onset_lag = lag_s + float(np.mean([m.peak_s - m.start_s for m in moments]))
    assert abs(est - onset_lag) <= 2.0
    assert conf >= 0.5


def test_min_lag_and_single_timeline() -> None:
    chat, media = make_stream(3, 12.0)
    est, _ = estimate_chat_lag(chat, media[0], min_lag_s=20.0, max_lag_s=50.0)
    assert 20.0 <= est <= 50.0
    est2, _ = estimate_chat_lag(chat, media[1])
    assert abs(est2 - 12.0) <= 2.0


def test_flat_inputs_give_zero_confidence() -> None:
    flat = Timeline(np.zeros(1000), hop_s=HOP)
    chat, _ = make_stream(0, 5.0, duration_s=500.0)
    assert estimate_chat_lag(flat, [chat]) == (0.0, 0.0)
    assert estimate_chat_lag(chat, [flat])[1] == 0.0
    tiny = Timeline(np.ones(2), hop_s=HOP)
    assert estimate_chat_lag(tiny, tiny) == (0.0, 0.0)


def test_xcorr_matches_loop(rng: np.random.Generator) -> None:
    a, b = rng.normal(size=300), rng.normal(size=300)
    got = _xcorr(a, b, 40)
    want = [np.mean([a[t] * b[t + k] for t in range(300 - k)]) for k in range(41)]
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_lag_curve_shape_and_grid_mismatch() -> None:
    chat, media = make_stream(1, 8.0, duration_s=900.0)
    coarse = media[0].resample(hop_s=1.0)  # other hop: re-gridded onto chat's grid
    lags, corr = lag_curve(chat, [coarse], max_lag_s=30.0)
    assert lags.shape == corr.shape == (61,)
    assert abs(lags[np.argmax(corr)] - 8.0) <= 2.0


@pytest.mark.parametrize(
    "kw",
    [{"max_lag_s": 0.0}, {"min_lag_s": -1.0}, {"min_lag_s": 70.0}, {"max_lag_s": float("nan")}],
)
def test_bad_parameters(kw: dict[str, float]) -> None:
    chat, media = make_stream(0, 5.0, duration_s=300.0)
    with pytest.raises(InvalidParameterError):
        estimate_chat_lag(chat, media, **kw)


def test_bad_types() -> None:
    chat, _ = make_stream(0, 5.0, duration_s=300.0)
    with pytest.raises(InvalidParameterError):
        estimate_chat_lag(chat, [])
    with pytest.raises(InvalidParameterError):
        estimate_chat_lag(np.zeros(10), chat)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [0, 1])
def test_lag_compensation_helps_fusion_find_planted_moments(seed: int) -> None:
    """End to end on synth streams: chat signals shifted by the estimated lag put the
    fused clips on the planted moments at least as often as unshifted chat."""
    from highlights.features.chat import chat_signals
    from highlights.fusion.score import fuse
    from highlights.selection.peaks import pick_clips
    from highlights.synth import make_chat_events, make_signals

    lag, dur = 25.0, 1800.0
    sig, _ = make_signals(duration_s=dur, seed=seed, chat_lag_s=lag, n_moments=6)
    events, plan = make_chat_events(duration_s=dur, seed=seed, chat_lag_s=lag, n_moments=6)
    media = {k: sig[k] for k in ("audio_rms_db", "motion", "scene")}
    chat = chat_signals(events, hop_s=HOP, duration_s=dur)
    est, _ = estimate_chat_lag(chat["chat_rate"], list(media.values()))
    onset_lag = lag + float(np.mean([m.peak_s - m.start_s for m in plan.moments]))
    assert abs(est - onset_lag) <= 2.0
    hits = {}
    for name, shift in (("none", 0.0), ("estimated", est)):
        tls = dict(media)
        for key, tl in chat.items():
            tls[key] = tl.shift(-shift).on_grid(hop_s=HOP, start_s=0.0, n=media["motion"].n)
        clips = pick_clips(fuse(tls), n=len(plan.moments), min_len_s=15.0, max_len_s=60.0,
                           duration_s=dur)
        hits[name] = sum(any(c.start_s <= m.peak_s <= c.end_s for c in clips)
                         for m in plan.moments)
    assert hits["estimated"] >= hits["none"]
    assert hits["estimated"] >= len(plan.moments) - 1


# ------------------------------------------- unmeasured lag: clips keep their action
def test_lag_lead_covers_the_prior_when_nothing_was_measured() -> None:
    from highlights.features.lag import PRIOR_LAG_S, PRIOR_LAG_SIGMA, lag_lead_s

    q90 = PRIOR_LAG_S * np.exp(1.2815516 * PRIOR_LAG_SIGMA)
    assert lag_lead_s("prior", None) == pytest.approx(q90 - PRIOR_LAG_S)
    assert lag_lead_s("shrunk", 0.75) == pytest.approx(0.25 * (q90 - PRIOR_LAG_S))
    for method in ("estimated", "given", "video", None):
        assert lag_lead_s(method, 1.0) == 0.0


def test_chat_only_clips_start_earlier_and_say_why(tmp_path) -> None:
    import json as _json

    from highlights import find_highlights

    t = np.sort(np.random.default_rng(3).uniform(0, 600, 1500))
    burst = 300.0 + np.random.default_rng(4).uniform(0, 6, 120)  # a reaction at 300 s
    times = np.sort(np.r_[t, burst])
    rows = [{"time_s": float(x), "author": f"u{i}", "text": "wow"} for i, x in enumerate(times)]
    log = tmp_path / "chat.json"
    log.write_text(_json.dumps(rows), encoding="utf-8")
    r = find_highlights(None, chat=log, n=1, duration_s=600.0)
    lead = r.params["lag_lead_s"]
    assert lead == pytest.approx(9.3, abs=0.1) and r.chat_lag_method == "prior"
    assert any("not measured" in note for note in r.notes)
    fixed = find_highlights(None, chat=log, n=1, duration_s=600.0, chat_lag_s=8.0)
    assert fixed.params["lag_lead_s"] == 0.0
    (c,), (f,) = r.clips, fixed.clips
    assert c.start_s == pytest.approx(f.start_s - lead, abs=1.0)  # earlier by the lead
    assert c.start_s <= 300.0 - 8.0 - 9.0                        # holds a 17-s-lag action
