"""The hard benchmark suite's generator tells the truth, and its scoring is right.

Three short streams (generated once per session) are checked against their planted
truth: the MP4 decodes to the stated duration, reactions are loud and voiced where
claimed, the music bed is loud and flat, chat reactions and campaigns have the
planted counts and authors, and generation is deterministic per seed.  The
library's accuracy on the suite is *not* asserted here (see benchmarks/hard.py).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import av
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import hard  # noqa: E402
import hardsuite as hs  # noqa: E402

SR = hs.SAMPLE_RATE

SPECS = {
    "campaign": dict(seed=101, duration_s=120.0, kind="campaign", base_lag_s=4.0,
                     distractor_kinds=["campaign"], density="sparse"),
    "music": dict(seed=102, duration_s=120.0, kind="music", base_lag_s=3.0,
                  distractor_kinds=["music_bed"], density="busy"),
    "danmaku": dict(seed=103, duration_s=110.0, kind="vod_danmaku",
                    distractor_kinds=["game_action"], density="sparse"),
}


@pytest.fixture(scope="session")
def streams(tmp_path_factory: pytest.TempPathFactory) -> dict[str, hs.HardStream]:
    root = tmp_path_factory.mktemp("hard")
    return {name: hs.make_hard_stream(root / name, **spec) for name, spec in SPECS.items()}


@pytest.fixture(scope="session")
def audio(streams: dict[str, hs.HardStream]) -> dict[str, np.ndarray]:
    out = {}
    for name, s in streams.items():
        with av.open(str(s.video_path)) as c:
            out[name] = np.concatenate([f.to_ndarray().mean(0) for f in c.decode(audio=0)])
    return out


def _rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x ** 2)) + 1e-12))


def _frames(x: np.ndarray, a_s: float, b_s: float, frame_s: float) -> np.ndarray:
    n = int(frame_s * SR)
    seg = x[int(a_s * SR):int(b_s * SR)]
    return seg[: len(seg) // n * n].reshape(-1, n)


def _voicing(frames: np.ndarray) -> np.ndarray:
    """Per frame: the normalised autocorrelation peak at pitch lags of 150-350 Hz."""
    n = frames.shape[1]
    f = frames - frames.mean(1, keepdims=True)
    spec = np.fft.rfft(f, 2 * n)
    ac = np.fft.irfft(np.abs(spec) ** 2)[:, :n]
    lo, hi = int(SR / 350), int(SR / 150) + 1
    return ac[:, lo:hi].max(1) / (ac[:, 0] + 1e-12)


def _chat(s: hs.HardStream) -> list[dict]:
    return json.loads(s.chat_path.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- truth
def test_truth_layout(streams: dict[str, hs.HardStream]) -> None:
    for name, s in streams.items():
        assert len(s.moments) >= 4, name
        assert [k for *_, k in s.distractors] == SPECS[name]["distractor_kinds"], name
        starts = [a for a, _ in s.moments]
        assert starts == sorted(starts)
        for a, b in s.moments:
            assert 4.0 - 1e-6 <= b - a <= 10.0 + 1e-6
            assert 0 <= a and b <= s.duration_s
        # moments (with their chat reaction) keep >= 20 s from every distractor zone
        for (a, b), (_w0, w1) in zip(s.moments, s.moment_chat_window_s):
            for z0, z1, k in s.distractor_zones():
                gap = max(z0 - max(b, w1), a - z1)
                assert gap >= hs.MIN_SEP_S - 1e-6, (name, k, gap)
        assert len(s.chat_lag_s) == len(s.moments) == len(s.moment_chat_n)
        for lag, (a, _), (w0, _) in zip(s.chat_lag_s, s.moments, s.moment_chat_window_s):
            assert w0 == pytest.approx(a + lag, abs=2e-3)
    live = streams["campaign"]
    assert live.chat_time_base == "live"
    assert all(abs(lag - 4.0) <= 3.0 + 1e-6 for lag in live.chat_lag_s)
    vod = streams["danmaku"]
    assert vod.chat_time_base == "video"
    assert all(0.0 <= lag <= 1.0 for lag in vod.chat_lag_s)


def test_truth_json_round_trip(streams: dict[str, hs.HardStream]) -> None:
    s = streams["campaign"]
    assert hs.load_hard_stream(s.directory) == s


def test_mp4_decodes_to_duration(streams: dict[str, hs.HardStream],
                                 audio: dict[str, np.ndarray]) -> None:
    for name, s in streams.items():
        with av.open(str(s.video_path)) as c:
            v = c.streams.video[0]
            assert v.codec_context.name == "h264"
            assert (v.codec_context.width, v.codec_context.height) == (320, 180)
            assert c.streams.audio[0].codec_context.name == "aac"
            keys, n = [], 0
            for pkt in c.demux(v):
                if pkt.size:
                    n += 1
                    if pkt.is_keyframe:
                        keys.append(float(pkt.pts * v.time_base))
        assert n == round(s.duration_s * hs.FPS), name
        assert np.allclose(np.diff(sorted(keys)), hs.GOP_S), name
        assert len(audio[name]) / SR == pytest.approx(s.duration_s, abs=0.1), name


def test_determinism(streams: dict[str, hs.HardStream], tmp_path: Path) -> None:
    s = streams["campaign"]
    again = hs.make_hard_stream(tmp_path / "again", **SPECS["campaign"])
    assert again.to_dict() | {"directory": ""} == s.to_dict() | {"directory": ""}
    assert again.chat_path.read_bytes() == s.chat_path.read_bytes()
    assert again.video_path.read_bytes() == s.video_path.read_bytes()
    other = hs._plan(102, 120.0, "campaign", n_moments=None, base_lag_s=4.0,
                     distractor_kinds=["campaign"], density="sparse")
    assert other.chat != _chat(s)


# ----------------------------------------------------------------------------- audio
def test_reactions_are_louder_and_voiced(streams: dict[str, hs.HardStream],
                                         audio: dict[str, np.ndarray]) -> None:
    for name, s in streams.items():
        x = audio[name]
        busy = [(a - 2, b + 2) for a, b in s.moments] + [(a - 2, b + 2) for a, b, _ in
                                                        s.distractors]
        sec = _frames(x, 0, s.duration_s, 1.0)
        t = np.arange(len(sec)) + 0.5
        calm = np.ones(len(sec), bool)
        for a, b in busy:
            calm &= (t < a) | (t > b)
        calm_db = float(np.median([_rms_db(f) for f in sec[calm]]))
        for a, b in s.moments:
            react = _frames(x, a + 1.0, b, 1.0)
            loud = max(_rms_db(f) for f in react)
            assert loud > calm_db + 3.0, (name, a, loud, calm_db)
            fr = _frames(x, a + 1.0, b, 0.03)
            active = np.array([_rms_db(f) for f in fr]) > calm_db
            voiced = _voicing(fr[active]) > 0.4
            assert voiced.mean() > 0.25, (name, a, voiced.mean())


def test_music_bed_is_loud_and_flat(streams: dict[str, hs.HardStream],
                                    audio: dict[str, np.ndarray]) -> None:
    s = streams["music"]
    a, b, _ = s.distractors[0]
    sec = [_rms_db(f) for f in _frames(audio["music"], a + 2, b - 2, 1.0)]
    talk = [_rms_db(f) for f in _frames(audio["music"], 0, 12, 1.0)]
    assert np.std(sec) < 1.5
    assert np.median(sec) > np.median(talk) + 6.0


def test_game_action_is_loud_noise_not_voice(streams: dict[str, hs.HardStream],
                                            audio: dict[str, np.ndarray]) -> None:
    s = streams["danmaku"]
    a, b, _ = s.distractors[0]
    fr = _frames(audio["danmaku"], a, b, 0.04)
    lv = np.array([_rms_db(f) for f in fr])
    loud = fr[lv > -25]
    assert len(loud) > 10
    m_fr = np.concatenate([_frames(audio["danmaku"], m0 + 1, m1, 0.04) for m0, m1 in s.moments])
    m_loud = m_fr[np.array([_rms_db(f) for f in m_fr]) > -30]
    assert np.median(_voicing(loud)) < np.median(_voicing(m_loud)) - 0.2


# ----------------------------------------------------------------------------- chat
def test_chat_reactions_as_planted(streams: dict[str, hs.HardStream]) -> None:
    for name, s in streams.items():
        rows = _chat(s)
        t = np.array([r["time_s"] for r in rows])
        assert len(rows) == s.n_messages
        assert np.all(np.diff(t) >= 0)
        # the calm baseline: outside every reaction window and distractor zone
        grid = np.arange(0, s.duration_s, 0.1)
        calm = np.ones(len(grid), bool)
        for a, b in list(s.moment_chat_window_s) + [z[:2] for z in s.distractor_zones()]:
            calm &= (grid < a) | (grid >= b)
        base = calm[np.minimum((t * 10).astype(int), len(grid) - 1)].sum() / (calm.sum() * 0.1)
        assert base == pytest.approx(s.base_chat_rate_hz, rel=0.6)
        for (w0, w1), n, n_auth in zip(s.moment_chat_window_s, s.moment_chat_n,
                                       s.moment_chat_authors):
            inside = [r for r in rows if w0 <= r["time_s"] < w1]
            assert len(inside) >= n >= 5, (name, n)
            assert len({r["author"] for r in inside}) >= n_auth >= 0.6 * n
            assert len({r["text"] for r in inside}) >= 0.3 * n
            # the reaction rises within 1-3 s: its first 6 s beat the calm rate
            first = np.sum((t >= w0) & (t < w0 + 6)) / 6
            assert first > 1.4 * base, (name, w0, first, base)


def test_campaign_is_one_phrase_from_many_viewers(streams: dict[str, hs.HardStream]) -> None:
    s = streams["campaign"]
    a, b, _ = s.distractors[0]
    rows = _chat(s)
    inside = [r for r in rows if a <= r["time_s"] < b]
    top = Counter(r["text"] for r in inside).most_common(2)   # votes: "1" and "2"
    phrases = {p for p, _ in top}
    n = sum(c for _, c in top)
    assert len(inside) >= 15
    assert n > 0.5 * len(inside)
    assert len({r["author"] for r in inside if r["text"] in phrases}) >= 10
    outside = [r for r in rows if not a <= r["time_s"] < b and r["text"] in phrases]
    assert len(outside) < 0.2 * n


def test_library_reads_the_chat(streams: dict[str, hs.HardStream]) -> None:
    from highlights import load_chat

    for s in streams.values():
        ev = load_chat(s.chat_path, duration_s=s.duration_s)
        assert 0.9 * s.n_messages <= len(ev.time_s) <= s.n_messages


# ----------------------------------------------------------------------------- scoring
def _truth() -> hs.HardStream:
    return hs.HardStream(
        seed=0, kind="mixed", duration_s=600.0,
        moments=((100.0, 108.0), (300.0, 305.0), (500.0, 510.0)),
        distractors=((150.0, 250.0, "music_bed"), (400.0, 460.0, "campaign")),
        chat_lag_s=(9.0, 10.0, 11.0), chat_time_base="live", density="sparse",
        base_chat_rate_hz=0.3, moment_types=("hype", "funny", "fail"),
        moment_action=(True, False, True), moment_strength=(1.0, 0.5, 0.7),
        moment_chat_n=(10, 10, 10), moment_chat_authors=(9, 9, 9),
        moment_chat_window_s=((109.0, 125.0), (310.0, 325.0), (511.0, 530.0)), n_messages=0)


def test_score_stream_on_hand_made_clips() -> None:
    s = _truth()
    assert s.distractor_zones() == ((150.0, 250.0, "music_bed"), (390.0, 460.0, "campaign"))
    clips = [SimpleNamespace(start_s=95.0, end_s=115.0),     # moment 0
             SimpleNamespace(start_s=200.0, end_s=220.0),    # music bed
             SimpleNamespace(start_s=380.0, end_s=395.0),    # campaign zone (lag-shifted)
             SimpleNamespace(start_s=240.0, end_s=302.0),    # music bed + moment 1
             SimpleNamespace(start_s=0.0, end_s=20.0),       # nothing
             SimpleNamespace(start_s=560.0, end_s=580.0),    # nothing
             SimpleNamespace(start_s=505.0, end_s=520.0)]    # moment 2, but rank 7
    res = SimpleNamespace(clips=clips, chat_lag_s=12.5, chat_lag_method="estimated",
                          chat_lag_confidence=0.4)
    sc = hard.score_stream(res, s)
    assert sc["recall"] == pytest.approx(2 / 3)
    assert sc["moments_hit"] == [True, True, False]
    assert sc["n_clips"] == 6
    assert sc["moment_clips"] == 2
    assert sc["distractor_clips"] == 3
    assert sc["distractor_kinds"] == {"campaign": 1, "music_bed": 2}
    assert sc["lag_true_s"] == pytest.approx(10.0)
    assert sc["lag_err_s"] == pytest.approx(2.5)
    assert sc["lag_method"] == "estimated" and sc["lag_confidence"] == 0.4
    # plain (start, end) pairs and no lag
    sc2 = hard.score_stream([(299.0, 301.0)], s)
    assert sc2["recall"] == pytest.approx(1 / 3) and sc2["lag_est_s"] is None
    assert hard.score_stream([], s)["recall"] == 0.0


def test_random_baseline() -> None:
    s = _truth()
    whole = hard.random_baseline(s, [600.0], draws=20)
    assert whole["recall"] == 1.0 and whole["distractor_clips"] == 1.0
    tiny = hard.random_baseline(s, [1.0] * 6, draws=400, seed=1)
    # a 1 s clip hits a moment with probability ~ (8+1 + 5+1 + 10+1)/600 per clip
    assert tiny["recall"] == pytest.approx(6 * (9 + 6 + 11) / 600 / 3, rel=0.25)


def test_count_baseline() -> None:
    rng = np.random.default_rng(0)
    t = np.concatenate([rng.uniform(0, 600, 60), rng.uniform(200, 210, 50),
                        rng.uniform(400, 405, 30)])
    spans = hard.count_baseline(t, 600.0, n=3)
    assert len(spans) == 3
    (a0, b0), (a1, b1) = spans[:2]
    assert b0 - a0 == 30.0 and a0 <= 200 - 10 + 1e-9 and b0 >= 210 - 10
    assert a1 <= 400 - 10 and b1 >= 405 - 10
    # non-overlapping windows
    raw = sorted((a + 10, b + 10) for a, b in spans)
    assert all(raw[i][1] <= raw[i + 1][0] + 1e-9 for i in range(len(raw) - 1))


def test_seed_split_and_kinds() -> None:
    assert not set(hs.TRAIN_SEEDS) & set(hs.HELDOUT_SEEDS)
    assert {hs.kind_for_seed(s) for s in hs.HELDOUT_SEEDS[:7]} == set(hs.KINDS)
    assert {hs.kind_for_seed(s) for s in hs.TRAIN_SEEDS[:7]} == set(hs.KINDS)
