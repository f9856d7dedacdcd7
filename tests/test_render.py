"""Rendered reels and 9:16 shorts (highlights.export.render).

The source is the clip-export test input (tests/test_export_cut.py): 5 s of 320x180
H.264 at 25 fps with a 1-s GOP and B-frames, each frame's index drawn as 8 black/white
blocks, and AAC audio that is silent except a noise burst from exactly 2.0 to 2.2 s.
The tests read back which frames a reel shows and where the bursts are.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from highlights.errors import (
    InvalidParameterError,
    MediaNotFoundError,
    OutputExistsError,
    StreamNotFoundError,
)
from highlights.export.render import render_clip, render_reel
from highlights.types import Clip
from test_export_cut import (
    AUDIO_FRAME_S,
    BURST_S,
    FPS,
    SR,
    _picture,
    decode,
    frame_of,
    make_media,
)

BURST_FRAME = int(BURST_S * FPS)  # 50
BURST_END_S = BURST_S + 0.2


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_media(tmp_path_factory.mktemp("render") / "vod.mp4")


@pytest.fixture(scope="session")
def audio_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_media(tmp_path_factory.mktemp("render_a") / "talk.m4a", video=False)


def _clip(a: float, b: float, rank: int = 1) -> Clip:
    return Clip(a, b, (a + b) / 2, 1.0, rank)


def burst_onsets(audio: np.ndarray, *, quiet_s: float = 0.1) -> list[int]:
    """Sample indices where the signal gets loud after ``quiet_s`` of silence (a loop)."""
    loud = np.abs(audio) > 0.05
    onsets, last = [], -(10**9)
    for i in map(int, np.flatnonzero(loud)):
        if i - last > quiet_s * SR:
            onsets.append(i)
        last = i
    return onsets


def expected_layout(clips: list[Clip], k: int) -> list[tuple[int, int, int]]:
    """(output position, first source frame, frame count) per clip, by plain counting."""
    out, pos = [], 0
    for c in clips:
        first, end = frame_of(c.start_s), frame_of(c.end_s)
        out.append((pos, first, end - first))
        pos += end - first - k
    return out


REEL = [_clip(1.6, 2.6, 1), _clip(3.0, 4.0, 2), _clip(1.0, 2.52, 3), _clip(1.72, 2.44, 4)]


@pytest.mark.parametrize("crossfade_s", [0.0, 0.2])
def test_reel_frames_duration_and_sync(media: Path, tmp_path: Path, crossfade_s: float) -> None:
    res = render_reel(REEL, tmp_path / "reel.mp4", media_path=media, crossfade_s=crossfade_s)
    d = decode(res.path)
    idx, times = d["idx"], d["times"]
    k = round(crossfade_s * FPS)
    layout = expected_layout(REEL, k)
    n_total = layout[-1][0] + layout[-1][2]

    # duration: sum of the spans minus the crossfades, within one frame
    want_s = sum(c.duration_s for c in REEL) - (len(REEL) - 1) * crossfade_s
    assert len(idx) == n_total == res.n_video_frames  # type: ignore[arg-type]
    assert abs(len(idx) / FPS - want_s) <= 1 / FPS  # type: ignore[arg-type]
    assert res.duration_s == pytest.approx(n_total / FPS)
    assert times == pytest.approx([i / FPS for i in range(n_total)])
    # audio lasts as long as the video (the encoder pads its last frame: < 1 AAC frame)
    audio_s = len(d["audio"]) / SR  # type: ignore[arg-type]
    assert 0 <= audio_s - n_total / FPS <= AUDIO_FRAME_S
    assert res.n_audio_samples == n_total * SR // FPS and d["a_t0"] == 0.0

    # exactly the expected frames, except the blended ones
    for i, (pos, first, n) in enumerate(layout):
        lo = k if i > 0 else 0
        hi = n - (k if i + 1 < len(layout) else 0)
        assert idx[pos + lo : pos + hi] == list(range(first + lo, first + hi))  # type: ignore[index]
        span = res.spans[i]
        assert span.out_start_s == pytest.approx(pos / FPS)
        assert span.out_end_s == pytest.approx((pos + n) / FPS)
        assert span.source_start_s == pytest.approx(first / FPS)
        assert span.source_end_s == pytest.approx((first + n) / FPS)
        assert span.n_frames == n and span.clip is REEL[i]

    # A/V offset after every join: the burst onset against the frame showing index 50
    onsets = burst_onsets(d["audio"])  # type: ignore[arg-type]
    with_burst = [(pos, first) for pos, first, n in layout if first <= BURST_FRAME < first + n]
    assert len(onsets) == len(with_burst) == 3
    for onset, (pos, first) in zip(onsets, with_burst, strict=True):
        t_video = times[pos + BURST_FRAME - first]  # type: ignore[index]
        assert idx[pos + BURST_FRAME - first] == BURST_FRAME  # type: ignore[index]
        assert abs(d["a_t0"] + onset / SR - t_video) <= AUDIO_FRAME_S  # type: ignore[operator]


def _gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float64)


def test_crossfade_blends_video_linearly(media: Path, tmp_path: Path) -> None:
    clips = [_clip(0.0, 1.0), _clip(3.0, 4.0)]
    k = 6
    res = render_reel(clips, tmp_path / "x.mp4", media_path=media, crossfade_s=k / FPS)
    assert res.crossfade_s == pytest.approx(k / FPS)
    with av.open(str(res.path)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 50 - k
    # the k frames from position 25 - k blend source frames 25-k+j (out) and 75+j (in)
    for j in range(k):
        w = (j + 1) / (k + 1)
        want = (1 - w) * _gray(_picture(25 - k + j)) + w * _gray(_picture(75 + j))
        got = _gray(frames[25 - k + j])
        assert np.abs(got - want)[60:120].mean() < 6, j
    # a hard cut would differ a lot somewhere in the fade
    hard = _gray(_picture(75))
    assert np.abs(_gray(frames[25 - k]) - hard)[60:120].mean() > 20


def test_crossfade_mixes_audio_with_equal_power(media: Path, tmp_path: Path) -> None:
    # Join 1 fades the end of the burst (2.0-2.2 s) out into silence, join 2 fades the
    # start of the burst in from silence. The gain applied to the source is estimated
    # per window by projection (AAC coding noise is uncorrelated with the signal).
    clips = [_clip(1.0, BURST_END_S), _clip(3.0, 4.0), _clip(2.0, 3.0)]
    res = render_reel(clips, tmp_path / "a.mp4", media_path=media, crossfade_s=0.1,
                      loudness_lufs=None)
    assert res.crossfade_s == pytest.approx(3 / FPS)  # rounded to whole frames
    out = decode(res.path)["audio"]
    src = decode(media)["audio"]
    n = round(res.crossfade_s * SR)
    win = n // 8
    m = np.arange(n) + 0.5
    fade_out = np.cos(m * np.pi / 2 / n)
    for span, prev, law in ((res.spans[1], res.spans[0], fade_out),
                            (res.spans[2], res.spans[2], fade_out[::-1])):
        o0 = round(span.out_start_s * SR)
        s0 = round((prev.source_start_s + span.out_start_s - prev.out_start_s) * SR)
        for w in range(0, n, win):
            x = src[s0 + w : s0 + w + win]  # type: ignore[index]
            y = out[o0 + w : o0 + w + win]  # type: ignore[index]
            gain = float(x @ y / (x @ x))
            want = float(law[w : w + win].mean())
            linear = float(np.mean((1 - m / n)[w : w + win] if law is fade_out
                                   else (m / n)[w : w + win]))
            # AAC at its default bitrate scales the noise down by a few per cent
            assert abs(gain - want) <= 0.1 * want + 0.02, (w, gain, want)
            if 2 * win <= w < 6 * win:  # the two laws differ most in the middle
                assert abs(gain - want) < abs(gain - linear) / 2, (w, gain, want, linear)


def test_vertical_shows_the_centre(media: Path, tmp_path: Path) -> None:
    res = render_clip(_clip(1.0, 2.0), tmp_path / "short.mp4", media_path=media, vertical=True,
                      layout="center", height=180)
    x, y, w, h = res.crop  # type: ignore[misc]
    assert (res.width, res.height) == (w, h) == (102, 180)
    assert res.spans[0].layout == "center"
    assert res.width % 2 == 0 and res.height % 2 == 0
    assert abs(res.width / res.height - 9 / 16) <= 2 / res.height
    assert abs(x - (320 - w) / 2) <= 1 and x % 2 == 0 and y == 0
    with av.open(str(res.path)) as c:
        st = c.streams.video[0]
        assert (st.codec_context.width, st.codec_context.height) == (102, 180)
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 25
    wrong = 0.0
    for j, got in enumerate(frames):
        src = _gray(_picture(25 + j))
        assert np.abs(_gray(got) - src[:, x : x + w]).mean() < 6, j
        wrong = max(wrong, float(np.abs(_gray(got) - src[:, :w]).mean()))
    assert wrong > 30  # the left edge would look different


def test_vertical_crop_box_and_size(media: Path, tmp_path: Path) -> None:
    box = (24, 10, 90, 160)
    clips = [_clip(1.0, 1.4), _clip(3.0, 3.4)]
    res = render_reel(clips, tmp_path / "v.mp4", media_path=media, vertical=True, crop=box,
                      height=128)
    assert res.crop == box and (res.width, res.height) == (72, 128)
    with av.open(str(res.path)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    shown = [25 + j for j in range(10)] + [75 + j for j in range(10)]
    assert len(frames) == len(shown)
    for got, n in zip(frames, shown, strict=True):
        x, y, w, h = box
        want = cv2.resize(_gray(_picture(n))[y : y + h, x : x + w], (72, 128),
                          interpolation=cv2.INTER_AREA)
        assert np.abs(_gray(got) - want).mean() < 10, n


def test_vertical_reel_with_crossfade_keeps_sync(media: Path, tmp_path: Path) -> None:
    clips = [_clip(1.5, 2.5), _clip(1.8, 2.8)]
    res = render_reel(clips, tmp_path / "vx.mp4", media_path=media, vertical=True,
                      crossfade_s=0.12)
    with av.open(str(res.path)) as c:
        n_frames = sum(1 for _ in c.decode(video=0))
    with av.open(str(res.path)) as c:
        audio = np.concatenate([f.to_ndarray()[0] for f in c.decode(audio=0)])
    assert n_frames == 25 + 25 - 3
    onsets = burst_onsets(audio)
    want = [(BURST_FRAME - frame_of(1.5)) / FPS, (25 - 3 + BURST_FRAME - frame_of(1.8)) / FPS]
    assert len(onsets) == 2
    for onset, t in zip(onsets, want, strict=True):
        assert abs(onset / SR - t) <= AUDIO_FRAME_S


def test_audio_only_reel_is_sample_exact(audio_only: Path, tmp_path: Path) -> None:
    clips = [_clip(1.5, 2.5), _clip(0.25, 0.75), _clip(1.9, 2.1)]
    res = render_reel(clips, tmp_path / "a.m4a", media_path=audio_only, crossfade_s=0.05)
    assert res.width == res.height == 0 and res.n_video_frames == 0 and res.fps == 0.0
    n = round((1.0 + 0.5 + 0.2 - 2 * 0.05) * SR)
    assert res.n_audio_samples == n and res.duration_s == pytest.approx(n / SR)
    d = decode(res.path)
    assert 0 <= len(d["audio"]) - n <= 1024  # type: ignore[arg-type]
    onsets = burst_onsets(d["audio"])  # type: ignore[arg-type]
    assert abs(onsets[0] / SR - 0.5) <= AUDIO_FRAME_S
    assert res.spans[2].out_start_s == pytest.approx(1.4)


def test_progress_and_overwrite(media: Path, tmp_path: Path) -> None:
    seen: list[tuple[float, float]] = []
    out = tmp_path / "r.mp4"
    res = render_reel([_clip(0.0, 2.0), _clip(3.0, 4.0)], out, media_path=media,
                      progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == pytest.approx(3.0) and seen[-1][1] == pytest.approx(3.0)
    assert all(t == seen[0][1] for _, t in seen)
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)
    before = out.read_bytes()
    with pytest.raises(OutputExistsError):
        render_clip(_clip(1.0, 2.0), out, media_path=media)
    assert out.read_bytes() == before
    res2 = render_clip(_clip(1.0, 2.0), out, media_path=media, overwrite=True)
    assert res2.duration_s == 1.0 and len(decode(out)["idx"]) == 25  # type: ignore[arg-type]
    assert res.duration_s == 3.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.mp4"]


def test_progress_bar_goes_to_stderr(media: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    render_clip(_clip(1.0, 2.0), tmp_path / "p.mp4", media_path=media, progress=True)
    captured = capsys.readouterr()
    assert "rendering" in captured.err and captured.out == ""


def test_plain_crop_and_scale(media: Path, tmp_path: Path) -> None:
    # not vertical: the right half of the picture, scaled to half size
    res = render_clip(_clip(1.0, 1.4), tmp_path / "c.mp4", media_path=media,
                      crop=(160, 0, 160, 180), width=80)
    assert res.crop == (160, 0, 160, 180) and (res.width, res.height) == (80, 90)
    with av.open(str(res.path)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 10
    for j, got in enumerate(frames):
        want = cv2.resize(_gray(_picture(25 + j))[:, 160:], (80, 90),
                          interpolation=cv2.INTER_AREA)
        assert np.abs(_gray(got) - want).mean() < 10, j


def test_failed_mux_leaves_nothing(media: Path, tmp_path: Path) -> None:
    from highlights.errors import ExportError

    with pytest.raises(ExportError):
        render_clip(_clip(1.0, 2.0), tmp_path / "x.srt", media_path=media)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"crop": (300, 0, 90, 160), "vertical": True}, InvalidParameterError, "'crop'"),
        ({"crop": (0, 0, 160, 160), "vertical": True}, InvalidParameterError, "9:16"),
        ({"crop": (0, 0, 2, -4)}, InvalidParameterError, "'crop'"),
        ({"crop": "0,0,90,160"}, InvalidParameterError, "'crop'"),
        ({"width": 101, "vertical": True}, InvalidParameterError, "'width'"),
        ({"width": 200, "height": 200, "vertical": True}, InvalidParameterError, "'height'"),
        ({"crossfade_s": 1.2}, InvalidParameterError, "half the shortest"),
        ({"crossfade_s": 5.0}, InvalidParameterError, "'crossfade_s'"),
        ({"crf": 60}, InvalidParameterError, "'crf'"),
        ({"preset": "fastest"}, InvalidParameterError, "'preset'"),
        ({"progress": "yes"}, InvalidParameterError, "'progress'"),
    ],
)
def test_bad_parameters(media: Path, tmp_path: Path, kwargs: dict[str, object],
                        error: type[Exception], match: str) -> None:
    clips = [_clip(1.0, 2.0), _clip(3.0, 4.0)]
    with pytest.raises(error, match=match):
        render_reel(clips, tmp_path / "o.mp4", media_path=media, **kwargs)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_bad_inputs(media: Path, audio_only: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    with pytest.raises(MediaNotFoundError):
        render_reel([_clip(1.0, 2.0)], out, media_path=tmp_path / "missing.mp4")
    with pytest.raises(InvalidParameterError, match=r"'clips\[1\]'.*inside the media"):
        render_reel([_clip(1.0, 2.0), _clip(4.5, 6.0)], out, media_path=media)
    with pytest.raises(InvalidParameterError, match=r"'clips\[0\]'"):
        render_reel([_clip(9.0, 10.0)], out, media_path=media)
    with pytest.raises(InvalidParameterError, match="non-empty"):
        render_reel([], out, media_path=media)
    with pytest.raises(InvalidParameterError, match="'clip'"):
        render_clip([_clip(1.0, 2.0)], out, media_path=media)  # type: ignore[arg-type]
    with pytest.raises(StreamNotFoundError, match="video stream"):
        render_clip(_clip(1.0, 2.0), tmp_path / "o.m4a", media_path=audio_only, vertical=True)
    assert list(tmp_path.iterdir()) == []


def test_plan_counts_in_integers() -> None:
    from highlights.export.render import _plan

    clips = [_clip(0.1, 0.5), _clip(10.02, 10.98), _clip(3.333, 7.777)]
    rate, sr, k = Fraction(30000, 1001), 44100, 4
    spans = _plan(clips, rate=rate, k=k, sr=sr)
    for a, b in zip(spans, spans[1:], strict=False):
        assert b.pos == a.pos + a.n - k  # exact overlap of k frames
    for s in spans:  # audio and video ends agree to the sample on one clock
        assert s.a0 == math.floor(Fraction(s.pos) / rate * sr + Fraction(1, 2))
        assert s.a1 == math.floor(Fraction(s.pos + s.n) / rate * sr + Fraction(1, 2))


def test_missing_frames_are_repeated_and_audio_stays_in_sync(tmp_path: Path) -> None:
    from media_factory import make_media as make_vfr

    # 25 fps with a 0.4-s hole (frames 30-39 missing); the white square moves 60 px/s,
    # the noise burst starts at 2.0 s. average_rate is 22.5 here, the grid stays 25.
    times = [i / FPS for i in range(100) if not 30 <= i < 40]
    src = make_vfr(tmp_path / "hole.mp4", frame_times_s=times, bursts_s=((2.0, 2.5),))
    res = render_clip(_clip(0.8, 2.4), tmp_path / "o.mp4", media_path=src)
    assert res.fps == FPS and res.n_video_frames == 40 and res.duration_s == pytest.approx(1.6)
    with av.open(str(res.path)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    with av.open(str(res.path)) as c:
        audio = np.concatenate([f.to_ndarray()[0] for f in c.decode(audio=0)])
    assert len(frames) == 40
    for j, rgb in enumerate(frames):
        i = 20 + j
        shown = 29 if 30 <= i < 40 else i  # the last frame before the hole is repeated
        white = np.flatnonzero((rgb[70:110] > 200).all(axis=2).any(axis=0))
        assert abs(int(white[0]) - (20 + (shown / FPS * 60) % (320 - 60))) <= 2, j
    onset = int(np.flatnonzero(np.abs(audio) > 0.2)[0])
    assert abs(onset / SR - (2.0 - 0.8)) <= AUDIO_FRAME_S
    assert 0 <= len(audio) / SR - 1.6 <= AUDIO_FRAME_S


@pytest.mark.media
def test_rotated_phone_style_video_is_rendered_upright(tmp_path: Path) -> None:
    from conftest import shared_path

    # 1280x544 frames with a -90 degree display matrix: players show them 544x1280.
    src = shared_path("pyscenedetect_test_videos", "issue-134-rotate.mp4")
    res = render_clip(_clip(3.0, 4.0), tmp_path / "r.mp4", media_path=src)
    assert (res.width, res.height) == (544, 1280)
    first = round(3.0 * res.fps)
    with av.open(str(src)) as c:
        want = next(f for f in c.decode(video=0) if round(float(f.time) * res.fps) == first)
        want_rgb = np.rot90(want.to_ndarray(format="rgb24"), k=-1)  # clockwise
    with av.open(str(res.path)) as c:
        got = next(c.decode(video=0))
        assert got.rotation == 0
        got_rgb = got.to_ndarray(format="rgb24")
    assert got_rgb.shape == want_rgb.shape
    diff = np.abs(got_rgb.astype(int) - want_rgb).mean()
    assert diff < 6, diff
    assert np.abs(got_rgb.astype(int) - want_rgb[::-1, ::-1]).mean() > 3 * diff + 5
    short = render_clip(_clip(3.0, 4.0), tmp_path / "s.mp4", media_path=src, vertical=True,
                        layout="center")
    assert short.crop == (0, 156, 544, 968) and (short.width, short.height) == (1080, 1920)


def _square_x(rgb: np.ndarray) -> int:
    """Left edge of the white square drawn by tests/media_factory.py."""
    return int(np.flatnonzero((rgb[70:110] > 200).all(axis=2).any(axis=0))[0])


def test_mpegts_source_with_inexact_seeking_and_start_offset(tmp_path: Path) -> None:
    from media_factory import make_media as make_ts

    # MPEG-TS: no index (seeking lands on arbitrary packets), non-zero start times that
    # differ between audio and video. The reel must keep the source's own A/V timing.
    src = make_ts(tmp_path / "rec.ts", fmt="mpegts", duration_s=4.0, bursts_s=((2.0, 2.5),))
    res = render_clip(_clip(1.0, 3.0), tmp_path / "o.mp4", media_path=src)
    with av.open(str(src)) as c:
        origin = c.start_time / 1e6
        src_v = [(float(f.time), _square_x(f.to_ndarray(format="rgb24")))
                 for f in c.decode(video=0)]
    with av.open(str(src)) as c:
        fr = list(c.decode(audio=0))
        a = np.concatenate([f.to_ndarray()[0] for f in fr])
        t_a = float(fr[0].time) + int(np.flatnonzero(np.abs(a) > 0.2)[0]) / SR
    with av.open(str(res.path)) as c:
        out_x = [_square_x(f.to_ndarray(format="rgb24")) for f in c.decode(video=0)]
    with av.open(str(res.path)) as c:
        a = np.concatenate([f.to_ndarray()[0] for f in c.decode(audio=0)])
        t_a_out = int(np.flatnonzero(np.abs(a) > 0.2)[0]) / SR
    # the source frames whose time (from the media start) rounds into [1.0, 3.0)
    want = [x for t, x in src_v if 25 <= math.floor((t - origin) * FPS + 0.5) < 75]
    assert len(out_x) == 50 and res.n_video_frames == 50
    assert max(abs(a - b) for a, b in zip(out_x, want, strict=True)) <= 1
    # the frame on screen when the burst starts, in the source and in the output
    t_v, x_v = min(src_v, key=lambda tv: abs(tv[0] - t_a))
    j = min(range(50), key=lambda i: abs(out_x[i] - x_v))
    assert abs((t_a_out - j / FPS) - (t_a - t_v)) <= AUDIO_FRAME_S
