"""Tests for highlights.synth: planted truth, real decode of the written media, chat."""

from __future__ import annotations

import hashlib
import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from highlights.errors import InvalidParameterError, OutputExistsError
from highlights.synth import (
    EDGE_S,
    GUARD_S,
    Moment,
    SynthPlan,
    SynthStream,
    make_chat_events,
    make_livestream,
    make_plan,
    make_signals,
)
from highlights.synth.media import _blocks, _harmonic_sum
from highlights.synth.signals import _gate

FPS = 15
SR = 22050
DUR = 90.0
SEED = 3  # a 90 s layout with every distractor kind (checked in test_media_has_all_kinds)


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> SynthStream:
    return make_livestream(tmp_path_factory.mktemp("synth"), duration_s=DUR, seed=SEED,
                           fps=FPS, sample_rate=SR)


@pytest.fixture(scope="module")
def decoded(stream: SynthStream) -> dict[str, Any]:
    """Audio samples, small gray frames and keyframe flags, decoded with PyAV."""
    with av.open(str(stream.video_path)) as c:
        info = {
            "kinds": sorted(s.type for s in c.streams),
            "codecs": sorted(s.codec_context.name for s in c.streams),
            "duration_s": c.duration / 1e6,
        }
        frames, keys, times = [], [], []
        for f in c.decode(video=0):
            frames.append(f.to_ndarray(format="gray").astype(np.int16))
            keys.append(f.key_frame)
            times.append(f.time)
    with av.open(str(stream.video_path)) as c:
        a = np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])
    info.update(audio=a, frames=np.array(frames), keys=np.array(keys), times=np.array(times))
    return info


def _rms_db(x: np.ndarray, win: int) -> np.ndarray:
    n = x.size // win * win
    out: np.ndarray = 20 * np.log10(
        np.sqrt(np.mean(x[:n].reshape(-1, win).astype(np.float64) ** 2, 1)) + 1e-12)
    return out


def _chat_times(path: Path) -> tuple[np.ndarray, list[dict[str, Any]]]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return np.array([r["time_s"] for r in rows]), rows


def _rate(t: np.ndarray, a: float, b: float) -> float:
    return float(((t >= a) & (t < b)).sum()) / (b - a)


# ----------------------------------------------------------------------------- plan
def _check_plan(plan: SynthPlan) -> None:
    """Slow, obvious checks of the layout rules (loops over events)."""
    dur, lag = plan.duration_s, plan.chat_lag_s
    ms = plan.moments
    assert list(ms) == sorted(ms, key=lambda m: m.start_s)
    bursts = []
    for m, tau in zip(ms, plan.burst_tau_s):
        assert EDGE_S <= m.start_s < m.peak_s < m.end_s <= dur - EDGE_S
        burst = (m.peak_s + lag, m.peak_s + lag + 1.0 + 3 * tau)
        assert burst[1] <= dur - EDGE_S + 1e-6
        assert 10.0 - 1.5 <= burst[1] - burst[0] + tau <= 20.0 + 5  # decays over ~10-20 s
        bursts.append(burst)
    for i in range(len(ms) - 1):  # actions and chat reactions disjoint with a guard
        assert ms[i + 1].start_s - ms[i].end_s >= GUARD_S - 1e-6
        assert bursts[i + 1][0] - bursts[i][1] >= GUARD_S - 1e-6

    def far(a: tuple[float, float], b: tuple[float, float]) -> bool:
        return a[1] + GUARD_S - 1e-6 <= b[0] or b[1] + GUARD_S - 1e-6 <= a[0]

    for d in plan.distractors:
        assert 0 <= d.start_s <= d.peak_s <= d.end_s <= dur
        span = (d.start_s, d.end_s)
        for m, burst in zip(ms, bursts):
            if "music" in d.kinds:  # loud, but nobody reacts: clean chat a lag later
                assert far(span, (m.start_s, m.end_s))
                assert far((d.start_s, d.end_s + lag), burst)
            elif "spam" in d.kinds:  # chat only: nothing on screen a lag before or during
                assert far(span, burst)
                assert far((d.start_s - lag, d.end_s), (m.start_s, m.end_s))
            else:  # a cut with nothing else happening around it, nor a lag later
                assert d.peak_s == float(round(d.peak_s))
                assert far(span, (m.start_s, m.end_s))
                assert far((d.start_s, d.end_s + lag), burst)
    assert plan.cuts_s == tuple(d.peak_s for d in plan.of_kind("cut"))


@pytest.mark.parametrize(
    ("duration_s", "n_moments", "genre", "lag"),
    [(60.0, 3, "game", 6.0), (90.0, 3, "talk", 6.0), (90.0, 2, "game", 0.0),
     (600.0, 5, "game", 12.0), (3600.0, 8, "game", 6.0), (7200.0, 20, "talk", 6.0)],
)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_plan_layout_rules(duration_s: float, n_moments: int, genre: str, lag: float,
                           seed: int) -> None:
    plan = make_plan(duration_s=duration_s, seed=seed, n_moments=n_moments,
                     chat_lag_s=lag, genre=genre)
    assert len(plan.moments) == n_moments
    _check_plan(plan)
    if duration_s >= 600:
        assert plan.of_kind("music") and plan.of_kind("spam")
        assert len(plan.cuts_s) >= duration_s / 100
    want = {"audio", "visual", "chat"} if genre == "game" else {"audio", "chat"}
    assert all(set(m.kinds) == want for m in plan.moments)


def test_plan_is_deterministic_and_seeds_differ() -> None:
    a = make_plan(duration_s=600, seed=4, n_moments=5)
    assert a == make_plan(duration_s=600, seed=4, n_moments=5)
    b = make_plan(duration_s=600, seed=5, n_moments=5)
    assert [m.peak_s for m in a.moments] != [m.peak_s for m in b.moments]


def test_plan_too_short_names_the_minimum() -> None:
    with pytest.raises(InvalidParameterError, match=r"duration_s.*n_moments=3.*about \d+ s"):
        make_plan(duration_s=30, n_moments=3)
    # no moments: a tiny stream is fine (distractors that do not fit are dropped)
    plan = make_plan(duration_s=5, n_moments=0)
    assert plan.moments == () and plan.distractors == ()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"duration_s": 0}, "'duration_s'"), ({"duration_s": float("nan")}, "'duration_s'"),
     ({"n_moments": -1}, "'n_moments'"), ({"n_moments": 2.5}, "'n_moments'"),
     ({"seed": -3}, "'seed'"), ({"chat_lag_s": -1}, "'chat_lag_s'"),
     ({"genre": "cooking"}, "'genre'.*'game', 'talk'")],
)
def test_plan_bad_params(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        make_plan(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"width": 321}, "even"), ({"height": 10}, "'height'"), ({"fps": 0}, "'fps'"),
     ({"sample_rate": 22000}, "'sample_rate'"), ({"gop_s": -2}, "'gop_s'"),
     ({"audio": False, "video": False}, "at least one"), ({"chat": "yes"}, "'chat'")],
)
def test_livestream_bad_params(tmp_path: Path, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        make_livestream(tmp_path / "x", duration_s=50, **kwargs)
    assert not (tmp_path / "x").exists()


# ----------------------------------------------------------------------------- media
def test_media_has_all_kinds(stream: SynthStream) -> None:
    kinds = {k for d in stream.distractors for k in d.kinds}
    assert {"music", "spam", "cut"} <= kinds
    assert len(stream.moments) == 3
    assert all(m.kinds == ("audio", "visual", "chat") for m in stream.moments)


def test_truth_file_matches(stream: SynthStream) -> None:
    assert stream.truth_path is not None
    truth = json.loads(stream.truth_path.read_text(encoding="utf-8"))
    assert truth == json.loads(json.dumps(stream.truth()))
    for m in truth["moments"]:
        assert m["chat_onset_s"] == pytest.approx(m["peak_s"] + stream.chat_lag_s)
    assert truth["cuts_s"] == list(stream.cuts_s)


def test_decodes_with_expected_streams(stream: SynthStream, decoded: dict[str, Any]) -> None:
    assert decoded["kinds"] == ["audio", "video"]
    assert decoded["codecs"] == ["aac", "h264"]
    assert decoded["duration_s"] == pytest.approx(DUR, abs=0.1)
    assert decoded["frames"].shape == (round(DUR * FPS), 180, 320)
    assert decoded["audio"].size == pytest.approx(DUR * SR, abs=2048)
    # PTS from integer frame counters: frame i at exactly i / fps
    np.testing.assert_allclose(decoded["times"], np.arange(decoded["times"].size) / FPS,
                               atol=1e-6)
    # a keyframe every gop_s = 2 s, and nowhere else (no scene-cut keyframes)
    np.testing.assert_array_equal(np.flatnonzero(decoded["keys"]),
                                  np.arange(0, round(DUR * FPS), 2 * FPS))


def test_planted_bursts_are_louder(stream: SynthStream, decoded: dict[str, Any]) -> None:
    a = decoded["audio"]
    win = SR // 4
    db = _rms_db(a, win)
    t = (np.arange(db.size) + 0.5) * win / SR
    quiet = np.ones(db.size, dtype=bool)
    for ev in (*stream.moments, *stream.distractors):
        quiet &= ~((t > ev.start_s - 1) & (t < ev.end_s + 1))
    background = float(np.median(db[quiet]))
    assert -36.0 < background < -20.0  # steady babble + sfx, not silence
    for m in stream.moments:
        inside = (t >= m.start_s) & (t < m.end_s)
        assert db[inside].max() > background + 10.0, m
        assert db[inside].mean() > background + 6.0, m
    (music,) = [d for d in stream.distractors if "music" in d.kinds]
    inside = (t >= music.start_s + 1) & (t < music.end_s - 1)
    assert db[inside].mean() > background + 6.0  # a loud distractor

    def centroid_hz(t0: float) -> float:
        seg = a[int((t0 - 0.5) * SR): int((t0 + 0.5) * SR)].astype(np.float64)
        power = np.abs(np.fft.rfft(seg * np.hanning(seg.size))) ** 2
        f = np.fft.rfftfreq(seg.size, 1 / SR)
        return float((f * power).sum() / power.sum())

    bg_t = float(t[quiet][np.argmin(np.abs(db[quiet] - background))])
    for m in stream.moments:  # shouting/crowd: raised spectral centroid
        assert centroid_hz(m.peak_s) > 1000.0
        assert centroid_hz(m.peak_s) > 3 * centroid_hz(music.peak_s)
        assert centroid_hz(m.peak_s) > 2 * centroid_hz(bg_t)


def test_planted_cuts_are_large_frame_differences(stream: SynthStream,
                                                  decoded: dict[str, Any]) -> None:
    frames = decoded["frames"]
    diff = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))  # diff[k-1]: frame k-1 -> k
    typical = float(np.median(diff))
    assert stream.cuts_s
    for c in stream.cuts_s:
        k = round(c * FPS)
        assert k / FPS == c  # cut times are exact frame times
        assert diff[k - 1] > 4 * typical, (c, diff[k - 1], typical)
        around = np.r_[diff[k - 1 - FPS: k - 1], diff[k: k + FPS]]
        assert diff[k - 1] > 3 * around.max()  # nothing else happening around the cut
    for m in stream.moments:  # visual action: much more change than usual
        seg = diff[round(m.start_s * FPS): round(m.end_s * FPS)]
        assert seg.mean() > 2.5 * typical


def test_chat_reactions_lag(stream: SynthStream) -> None:
    assert stream.chat_path is not None
    t, rows = _chat_times(stream.chat_path)
    assert list(rows[0]) == ["time_s", "author", "text"]
    assert np.all(np.diff(t) >= 0) and t[0] >= 0 and t[-1] < DUR
    base = _rate(t, 0, DUR)
    for m in stream.moments:
        onset = m.peak_s + stream.chat_lag_s
        after = _rate(t, onset, onset + 3)
        before = _rate(t, m.peak_s, onset)  # the lag: nothing yet
        assert after > 4 * max(before, 0.5), (m, after, before)
        assert before < 2.5 * base
        texts = [r["text"] for r in rows if onset <= r["time_s"] < onset + 3]
        authors = {r["author"] for r in rows if onset <= r["time_s"] < onset + 3}
        assert len(authors) > 0.5 * len(texts)  # many different people react
    (spam,) = [d for d in stream.distractors if "spam" in d.kinds]
    burst = [r for r in rows if spam.start_s <= r["time_s"] < spam.end_s]
    bot = max({r["author"] for r in burst}, key=[r["author"] for r in burst].count)
    lines = {r["text"] for r in burst if r["author"] == bot}
    assert len(lines) == 1
    assert sum(r["author"] == bot for r in burst) > 0.6 * len(burst)
    (music,) = [d for d in stream.distractors if "music" in d.kinds]
    assert _rate(t, music.start_s + stream.chat_lag_s, music.end_s + stream.chat_lag_s) < (
        2.5 * base)


def test_chat_file_matches_chat_events(stream: SynthStream) -> None:
    assert stream.chat_path is not None
    t, rows = _chat_times(stream.chat_path)
    events, plan = make_chat_events(duration_s=DUR, seed=SEED, n_moments=3)
    np.testing.assert_array_equal(events.time_s, t)
    assert list(events.text) == [r["text"] for r in rows]
    assert plan.moments == stream.moments


def test_same_seed_same_output_and_seeds_differ(tmp_path: Path) -> None:
    kw: dict[str, Any] = {"duration_s": 36.0, "n_moments": 2, "width": 128, "height": 72}
    a = make_livestream(tmp_path / "a", seed=11, **kw)
    b = make_livestream(tmp_path / "b", seed=11, **kw)
    c = make_livestream(tmp_path / "c", seed=12, video=False, **kw)

    def strip(s: SynthStream) -> dict[str, Any]:
        return {k: v for k, v in s.truth().items() if not k.endswith("_path")}

    def digest(p: Path | None) -> str:
        assert p is not None
        return hashlib.sha256(p.read_bytes()).hexdigest()

    assert strip(a) == strip(b)
    assert digest(a.chat_path) == digest(b.chat_path)
    # libx264 runs single-threaded here, so even the encoded bytes repeat
    assert digest(a.video_path) == digest(b.video_path)
    assert [m.peak_s for m in a.moments] != [m.peak_s for m in c.moments]
    assert digest(a.chat_path) != digest(c.chat_path)


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    kw: dict[str, Any] = {"duration_s": 8.0, "n_moments": 0, "width": 64, "height": 36}
    s = make_livestream(tmp_path, **kw)
    before = s.video_path.read_bytes()
    with pytest.raises(OutputExistsError, match="overwrite=True"):
        make_livestream(tmp_path, seed=1, **kw)
    assert s.video_path.read_bytes() == before
    make_livestream(tmp_path, seed=1, overwrite=True, **kw)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.json", "stream.mp4",
                                                          "truth.json"]


@pytest.mark.parametrize(
    ("flags", "stream_kinds", "missing"),
    [({"audio": False}, ["video"], "audio"), ({"video": False}, ["audio"], "visual"),
     ({"chat": False}, ["audio", "video"], "chat")],
)
def test_single_stream_and_no_chat(tmp_path: Path, flags: dict[str, Any],
                                   stream_kinds: list[str], missing: str) -> None:
    s = make_livestream(tmp_path, duration_s=24.0, n_moments=1, width=96, height=54,
                        chat_lag_s=2.0, **flags)
    with av.open(str(s.video_path)) as c:
        assert sorted(st.type for st in c.streams) == stream_kinds
        assert c.duration / 1e6 == pytest.approx(24.0, abs=0.1)
    assert all(missing not in m.kinds for m in s.moments)
    assert all(missing != d.kinds[0] for d in s.distractors)
    if missing == "visual":
        assert s.cuts_s == ()
    if missing == "chat":
        assert s.chat_path is None and not (tmp_path / "chat.json").exists()


# ----------------------------------------------------------------------------- signals
@pytest.mark.parametrize("genre", ["game", "talk"])
def test_signals_match_planted_structure(genre: str) -> None:
    hop = 0.5
    sig, moments = make_signals(duration_s=1800, hop_s=hop, seed=2, n_moments=6, genre=genre)
    plan = make_plan(duration_s=1800, seed=2, n_moments=6, genre=genre)
    assert moments == plan.moments
    assert sorted(sig) == ["audio_rms_db", "chat_rate", "motion", "scene"]
    n = math.ceil(1800 / hop)
    assert all(tl.n == n and tl.hop_s == hop and tl.start_s == 0.0 for tl in sig.values())
    t = sig["audio_rms_db"].centers()
    quiet = np.ones(n, dtype=bool)
    for ev in (*plan.moments, *plan.distractors):
        quiet &= ~((t > ev.start_s - 2) & (t < ev.end_s + plan.chat_lag_s + 20))
    audio, motion = sig["audio_rms_db"].values, sig["motion"].values
    scene, chat = sig["scene"].values, sig["chat_rate"].values
    bg = float(np.median(audio[quiet]))
    for m in moments:
        at = (t >= m.start_s) & (t < m.end_s)
        assert audio[at].max() > bg + 10
        onset = m.peak_s + plan.chat_lag_s
        after = chat[(t >= onset) & (t < onset + 3)].mean()
        assert after > 4 * max(chat[(t >= m.peak_s) & (t < onset)].mean(), 0.5)
        if genre == "game":
            assert motion[at].mean() > np.median(motion[quiet]) + 0.2
        else:
            assert motion[at].mean() < np.median(motion[quiet]) + 0.1
    for c in plan.cuts_s:
        assert scene[int(c / hop)] >= 0.8
    assert np.percentile(scene[quiet], 99) < 0.2
    for d in plan.of_kind("music"):
        at = (t >= d.start_s + 1) & (t < d.end_s - 1)
        assert audio[at].mean() > bg + 8
        lagged = (t >= d.start_s + plan.chat_lag_s) & (t < d.end_s + plan.chat_lag_s)
        assert chat[lagged].mean() < 3 * np.median(chat[quiet]) + 1
    for d in plan.of_kind("spam"):
        assert chat[(t >= d.start_s) & (t < d.end_s)].mean() > np.median(chat[quiet]) + 2
    events, _ = make_chat_events(duration_s=1800, seed=2, n_moments=6, genre=genre)
    assert chat.sum() * hop == pytest.approx(len(events))


def test_signals_deterministic() -> None:
    a, _ = make_signals(duration_s=600, seed=9, n_moments=3)
    b, _ = make_signals(duration_s=600, seed=9, n_moments=3)
    c, _ = make_signals(duration_s=600, seed=10, n_moments=3)
    for k in a:
        np.testing.assert_array_equal(a[k].values, b[k].values)
    assert not np.array_equal(a["audio_rms_db"].values, c["audio_rms_db"].values)


def test_signals_bad_hop() -> None:
    with pytest.raises(InvalidParameterError, match="'hop_s'"):
        make_signals(hop_s=0)


# ----------------------------------------------------------------------------- kernels vs naive
def test_harmonic_sum_matches_naive(rng: np.random.Generator) -> None:
    theta = rng.uniform(-50, 50, 300)
    amps = rng.uniform(0, 1, 12)
    naive = np.array([sum(a * math.sin((k + 1) * th) for k, a in enumerate(amps))
                      for th in theta])
    np.testing.assert_allclose(_harmonic_sum(theta, amps), naive, atol=1e-9)


def test_gate_matches_naive(rng: np.random.Generator) -> None:
    on = np.cumsum(rng.uniform(0.5, 2, 20))
    off = on + rng.uniform(0.1, 0.4, 20)
    t = rng.uniform(-1, on[-1] + 2, 500)
    naive = []
    for x in t:
        v = 0.0
        for a, b in zip(on, off):
            if a <= x < b:
                v = min(1.0, min(x - a, b - x) / 0.03)
        naive.append(v)
    np.testing.assert_allclose(_gate(t, on, off), naive, atol=1e-12)


@pytest.mark.parametrize(("duration_s", "sr", "fps"),
                         [(7200.0, 22050, Fraction(30)), (61.3, 48000, Fraction(30000, 1001)),
                          (3.0, 8000, Fraction(15))])
def test_blocks_cover_every_sample_and_frame_once(duration_s: float, sr: int,
                                                  fps: Fraction) -> None:
    n_samples = round(duration_s * sr)
    n_frames = math.ceil(Fraction(n_samples, sr) * fps)
    blocks = list(_blocks(n_samples, sr, fps, n_frames))
    assert [b[0] for b in blocks] == list(range(len(blocks)))
    assert blocks[0][1] == 0 and blocks[-1][2] == n_samples
    assert blocks[0][3] == 0 and blocks[-1][4] == n_frames
    for (_, _, n1, _, k1), (_, n0, _, k0, _) in zip(blocks, blocks[1:]):
        assert n1 == n0 and k1 == k0
    for _, n0, n1, k0, k1 in blocks[:-1]:  # each frame lies in its audio block's time span
        for k in (k0, k1 - 1) if k1 > k0 else ():
            assert Fraction(n0, sr) <= k / fps < Fraction(n1, sr)


def test_moment_to_dict() -> None:
    m = Moment(1.0, 3.0, 2.0, ("audio",))
    assert m.to_dict() == {"start_s": 1.0, "end_s": 3.0, "peak_s": 2.0, "kinds": ["audio"]}
    assert m.duration_s == 2.0
