"""Media exports with PyAV: stream-copy and re-encoded clip files, and ffconcat lists.

The test input is encoded here: 320x180 H.264 (25 fps, 1-s GOP, B-frames) with each
frame's index drawn as 8 black/white blocks, and AAC audio that is silent except a
burst starting exactly at 2.0 s, so the tests can read which frames a file holds and
measure audio/video sync.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from highlights.errors import ExportError, OutputExistsError
from highlights.export import export_clips
from highlights.export.cut import cut_clip, cut_clips
from highlights.types import Clip

W, H, FPS, SR = 320, 180, 25, 48000
DURATION_S = 5.0
BURST_S = 2.0
AUDIO_FRAME_S = 1024 / SR


def _picture(n: int) -> np.ndarray:
    img = np.zeros((H, W, 3), np.uint8)
    for bit in range(8):
        if n >> bit & 1:
            img[60:120, bit * 40 : bit * 40 + 40] = 255
    return img


def frame_of(t_s: float) -> int:
    """Nearest frame, half up (1.3 s at 25 fps = frame 32.5 -> 33)."""
    return math.floor(Fraction(t_s) * FPS + Fraction(1, 2))


def read_index(frame: av.VideoFrame) -> int:
    return read_index_array(frame.to_ndarray(format="gray"))


def read_index_array(gray: np.ndarray) -> int:
    """Frame index drawn by :func:`_picture`, read from a gray picture (H x W)."""
    bits = [gray[70:110, b * 40 + 8 : b * 40 + 32].mean() > 128 for b in range(8)]
    return sum(1 << b for b, on in enumerate(bits) if on)


def make_media(path: Path, *, video: bool = True, duration_s: float = DURATION_S,
               rotation: int = 0) -> Path:
    """Encode the test input; ``rotation`` (counter-clockwise degrees, as
    ``VideoFrame.rotation`` reads it) goes into the display matrix, as phones do."""
    out = av.open(str(path), "w")
    if video:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
        vs.options = {"preset": "ultrafast", "g": str(FPS), "bf": "2", "sc_threshold": "0"}
        if rotation:
            vs.set_display_rotation(rotation)
    aus = out.add_stream("aac", rate=SR)
    aus.layout = "stereo"
    if video:
        for n in range(int(duration_s * FPS)):
            fr = av.VideoFrame.from_ndarray(_picture(n), format="rgb24")
            fr.pts = n
            for pkt in vs.encode(fr):
                out.mux(pkt)
        for pkt in vs.encode(None):
            out.mux(pkt)
    rng = np.random.default_rng(0)
    total = int(duration_s * SR)
    t = np.arange(total) / SR
    x = np.where((t >= BURST_S) & (t < BURST_S + 0.2), 0.5 * rng.standard_normal(total), 0.0)
    x = np.tile(x.astype(np.float32), (2, 1))
    for n0 in range(0, total, 1024):
        afr = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(x[:, n0 : n0 + 1024]), format="fltp", layout="stereo"
        )
        afr.sample_rate, afr.pts, afr.time_base = SR, n0, Fraction(1, SR)
        for pkt in aus.encode(afr):
            out.mux(pkt)
    for pkt in aus.encode(None):
        out.mux(pkt)
    out.close()
    return path


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_media(tmp_path_factory.mktemp("cut") / "it's a vod.mp4")


@pytest.fixture(scope="session")
def audio_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_media(tmp_path_factory.mktemp("cut_a") / "talk.m4a", video=False)


def decode(path: Path) -> dict[str, object]:
    """Decode a file: frame indices and times, audio samples and their start time."""
    with av.open(str(path)) as c:
        idx, times, chunks, a_t0 = [], [], [], None
        for frame in c.decode(*c.streams.video, *c.streams.audio):
            if isinstance(frame, av.VideoFrame):
                idx.append(read_index(frame))
                times.append(float(frame.time))
            else:
                if a_t0 is None:
                    a_t0 = float(frame.time)
                chunks.append(frame.to_ndarray().reshape(frame.layout.nb_channels, -1)[0])
    audio = np.concatenate(chunks) if chunks else np.zeros(0)
    return {"idx": idx, "times": times, "audio": audio, "a_t0": a_t0}


def av_offset_s(d: dict[str, object], burst_frame: int) -> float:
    """Audio burst onset minus the time the video shows frame ``burst_frame``."""
    idx, times = d["idx"], d["times"]
    t_video = times[idx.index(burst_frame)]  # type: ignore[attr-defined,index]
    audio = d["audio"]
    onset = int(np.flatnonzero(np.abs(audio) > 0.05)[0])  # type: ignore[call-overload]
    return d["a_t0"] + onset / SR - t_video  # type: ignore[operator,no-any-return]


@pytest.mark.parametrize(("start_s", "end_s"), [(1.3, 3.1), (0.0, 1.0), (2.52, 4.96), (3.0, 3.5)])
def test_copy_reports_the_keyframe_aligned_span(
    media: Path, tmp_path: Path, start_s: float, end_s: float
) -> None:
    res = cut_clip(media, tmp_path / "c.mp4", start_s=start_s, end_s=end_s)
    d = decode(res.path)
    idx = d["idx"]
    key = int(start_s * FPS) // FPS * FPS  # GOP = 25 frames: keyframes at whole seconds
    assert res.start_s == pytest.approx(key / FPS, abs=1e-6)
    assert idx[0] == key  # type: ignore[index]
    assert idx == list(range(key, key + len(idx)))  # type: ignore[arg-type]
    last_wanted = min(round(end_s * FPS), int(DURATION_S * FPS)) - 1
    assert idx[-1] >= last_wanted  # type: ignore[index]
    assert res.n_video_frames == len(idx)  # type: ignore[arg-type]
    assert res.duration_s == pytest.approx(len(idx) / FPS, abs=1 / FPS + 1e-6)  # type: ignore[arg-type]
    assert res.end_s == pytest.approx((idx[-1] + 1) / FPS, abs=1e-6)  # type: ignore[index]
    # audio is cut with the same offset and runs to the video's true end
    audio_s = len(d["audio"]) / SR  # type: ignore[arg-type]
    assert abs(audio_s - res.duration_s) <= AUDIO_FRAME_S


@pytest.mark.parametrize(("start_s", "end_s"), [(1.3, 3.1), (0.0, 1.0), (2.52, 4.96)])
def test_encode_is_frame_exact(media: Path, tmp_path: Path, start_s: float, end_s: float) -> None:
    res = cut_clip(media, tmp_path / "e.mp4", start_s=start_s, end_s=end_s, mode="encode")
    d = decode(res.path)
    want = list(range(frame_of(start_s), frame_of(end_s)))
    assert d["idx"] == want
    assert res.n_video_frames == len(want)
    assert abs(res.duration_s - (end_s - start_s)) <= 1 / FPS
    assert res.start_s == pytest.approx(want[0] / FPS) and res.end_s == pytest.approx(
        (want[-1] + 1) / FPS
    )
    # audio lasts as long as the video, within one AAC frame
    audio_s = len(d["audio"]) / SR  # type: ignore[arg-type]
    assert abs(audio_s - len(want) / FPS) <= AUDIO_FRAME_S + 1e-6


@pytest.mark.parametrize("mode", ["copy", "encode"])
def test_audio_and_video_stay_in_sync(media: Path, tmp_path: Path, mode: str) -> None:
    res = cut_clip(media, tmp_path / f"s_{mode}.mp4", start_s=1.3, end_s=3.1, mode=mode)
    offset = av_offset_s(decode(res.path), int(BURST_S * FPS))
    assert abs(offset) <= AUDIO_FRAME_S, offset


def test_audio_only_encode_is_sample_exact(audio_only: Path, tmp_path: Path) -> None:
    res = cut_clip(audio_only, tmp_path / "a.m4a", start_s=1.5, end_s=2.5, mode="encode")
    d = decode(res.path)
    assert res.n_video_frames == 0 and res.start_s == 1.5 and res.end_s == 2.5
    assert abs(len(d["audio"]) / SR - 1.0) <= AUDIO_FRAME_S  # type: ignore[arg-type]
    onset = int(np.flatnonzero(np.abs(d["audio"]) > 0.05)[0])  # type: ignore[call-overload]
    assert abs(onset / SR - (BURST_S - 1.5)) <= AUDIO_FRAME_S


def test_audio_only_copy(audio_only: Path, tmp_path: Path) -> None:
    res = cut_clip(audio_only, tmp_path / "a.m4a", start_s=1.5, end_s=2.5)
    assert 1.5 - AUDIO_FRAME_S <= res.start_s <= 1.5 and 2.5 <= res.end_s <= 2.5 + AUDIO_FRAME_S
    d = decode(res.path)
    assert abs(len(d["audio"]) / SR - res.duration_s) <= AUDIO_FRAME_S  # type: ignore[arg-type]


def test_cut_clips_names_stay_inside_and_never_clobber(media: Path, tmp_path: Path) -> None:
    clips = [
        Clip(0.5, 1.5, 1.0, 0.9, 1, label="../../escape"),
        Clip(2.0, 3.0, 2.5, 0.8, 2, label="/abs\nCON"),
        Clip(3.2, 4.0, 3.5, 0.1, 3, label=""),
    ]
    out = tmp_path / "clips"
    out.mkdir()
    results = cut_clips(clips, out, media_path=media)
    assert [r.path.name for r in results] == ["001_escape.mp4", "002_abs_CON.mp4", "003_clip_3.mp4"]
    assert sorted(p.name for p in out.iterdir()) == [r.path.name for r in results]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clips"]
    for r, c in zip(results, clips, strict=True):
        assert r.start_s <= c.start_s + 1e-9 and len(decode(r.path)["idx"]) == r.n_video_frames  # type: ignore[arg-type]
    before = results[0].path.read_bytes()
    with pytest.raises(OutputExistsError):
        cut_clips(clips, out, media_path=media)
    assert results[0].path.read_bytes() == before


def test_failed_mux_leaves_nothing(media: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError):
        cut_clip(media, tmp_path / "x.srt", start_s=1.0, end_s=2.0)  # no muxer for A/V in .srt
    assert list(tmp_path.iterdir()) == []


def test_ffconcat_list_plays_in_ffmpeg(media: Path, tmp_path: Path) -> None:
    clips = [Clip(3.0, 4.0, 3.5, 0.9, 1, label="b"), Clip(1.0, 2.0, 1.5, 0.5, 2, label="a")]
    lst = export_clips(clips, tmp_path / "reel.ffconcat", media_path=media)
    with av.open(str(lst), format="concat", options={"safe": "0"}) as c:
        idx = [read_index(f) for f in c.decode(video=0)]
    # inpoint/outpoint keep exactly these frames (the concat demuxer drops the leaked ones)
    first = [i for i in idx if 75 <= i < 100]
    second = [i for i in idx if 25 <= i < 50]
    assert first == list(range(75, 100)) and second == list(range(25, 50))
    assert idx.index(75) < idx.index(25)


def test_bad_inputs(media: Path, tmp_path: Path) -> None:
    from highlights.errors import InvalidParameterError, MediaError, MediaNotFoundError

    with pytest.raises(InvalidParameterError, match="'end_s'"):
        cut_clip(media, tmp_path / "a.mp4", start_s=2.0, end_s=2.0)
    with pytest.raises(InvalidParameterError, match="'mode'"):
        cut_clip(media, tmp_path / "a.mp4", start_s=1.0, end_s=2.0, mode="fast")
    with pytest.raises(InvalidParameterError, match="'preset'"):  # checked as render checks it
        cut_clip(media, tmp_path / "a.mp4", start_s=1.0, end_s=2.0, mode="encode", preset="x")
    with pytest.raises(MediaNotFoundError):
        cut_clip(tmp_path / "missing.mp4", tmp_path / "a.mp4", start_s=1.0, end_s=2.0)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00not a media file" * 100)
    with pytest.raises(MediaError):
        cut_clip(junk, tmp_path / "a.mp4", start_s=1.0, end_s=2.0)
    for mode in ("copy", "encode"):
        with pytest.raises(ExportError, match="Nothing of|No frame"):
            cut_clip(media, tmp_path / "a.mp4", start_s=60.0, end_s=70.0, mode=mode)
    with pytest.raises(InvalidParameterError, match="'suffix'"):
        cut_clips([Clip(1.0, 2.0, 1.5, 1.0, 1)], tmp_path, media_path=media, suffix="/../x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.mp4"]


# -------------------------------------------------------------------- MPEG-TS, holes, rotation
def _square_x(rgb: np.ndarray) -> int:
    """Left edge of the moving white square drawn by tests/media_factory.py."""
    return int(np.flatnonzero((rgb[70:110] > 200).all(axis=2).any(axis=0))[0])


def _burst_onset_s(frames: list[av.AudioFrame]) -> float:
    """Stream time at which the media_factory noise burst starts."""
    a = np.concatenate([f.to_ndarray().reshape(f.layout.nb_channels, -1)[0] for f in frames])
    return float(frames[0].time or 0.0) + int(np.flatnonzero(np.abs(a) > 0.2)[0]) / SR


def _video_xs(path: Path) -> list[tuple[float, int]]:
    """(time, square x) of every video frame."""
    with av.open(str(path)) as c:
        return [(float(f.time), _square_x(f.to_ndarray(format="rgb24")))
                for f in c.decode(video=0)]


def _video_and_burst(path: Path) -> tuple[list[tuple[float, int]], float]:
    """(time, square x) of every video frame, and the time the audio burst starts."""
    with av.open(str(path)) as c:
        t_burst = _burst_onset_s(list(c.decode(audio=0)))
    return _video_xs(path), t_burst


@pytest.fixture(scope="session", params=[("mpegts", ".ts"), ("flv", ".flv")],
                ids=["mpegts", "flv"])
def recording(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An OBS/Twitch-style recording: MPEG-TS or FLV.

    2-s GOP (keyframes near 0 and 2 s), non-zero start times that differ between
    audio and video; seeking in MPEG-TS lands on arbitrary packets.
    """
    from media_factory import make_media as make_factory_media

    fmt, suffix = request.param
    return make_factory_media(tmp_path_factory.mktemp("cut_rec") / f"rec{suffix}", fmt=fmt,
                              duration_s=4.0, bursts_s=((2.0, 2.5),))


@pytest.mark.parametrize("mode", ["copy", "encode"])
def test_recording_containers(recording: Path, tmp_path: Path, mode: str) -> None:
    suffix = recording.suffix if mode == "copy" else ".mp4"
    res = cut_clip(recording, tmp_path / f"o{suffix}", start_s=1.0, end_s=3.0, mode=mode)
    with av.open(str(recording)) as c:
        origin = c.start_time / 1e6
        keys = [float(p.pts * p.time_base) - origin for p in c.demux(video=0)
                if p.is_keyframe and p.pts is not None]
    src_v, src_burst = _video_and_burst(recording)
    out_v, out_burst = _video_and_burst(res.path)
    out_x = [x for _, x in out_v]
    grid = [math.floor((t - origin) * FPS + 0.5) for t, _ in src_v]  # from the media start
    if mode == "copy":
        key = max(k for k in keys if k <= 1.0)
        assert res.start_s == pytest.approx(key, abs=1e-6)
        first = next(i for i, (t, _) in enumerate(src_v) if abs(t - origin - key) < 1e-6)
        want = [x for _, x in src_v[first : first + len(out_x)]]
        assert grid[first + len(out_x) - 1] >= 74  # runs to the end of the request
    else:
        want = [x for (t, x), n in zip(src_v, grid, strict=True) if 25 <= n < 75]
        assert len(want) == 50
        assert res.start_s == pytest.approx(1.0, abs=0.5 / FPS)
        assert res.end_s == pytest.approx(3.0, abs=0.5 / FPS)
    assert res.n_video_frames == len(out_x) == len(want)
    assert max(abs(a - b) for a, b in zip(out_x, want, strict=True)) <= 1
    # the frame on screen when the burst starts, in the source and in the cut
    t_v, x_v = min(src_v, key=lambda tv: abs(tv[0] - src_burst))
    t_out = min((t for t, x in out_v if abs(x - x_v) <= 1), key=lambda t: abs(t - out_burst))
    assert abs((out_burst - t_out) - (src_burst - t_v)) <= AUDIO_FRAME_S


@pytest.fixture(scope="session")
def holey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from media_factory import make_media as make_factory_media

    # 25 fps with frames 30-39 missing: the average rate is 22.5, the frame grid is 25.
    times = [i / FPS for i in range(100) if not 30 <= i < 40]
    return make_factory_media(tmp_path_factory.mktemp("cut_hole") / "hole.mp4",
                              frame_times_s=times)


@pytest.mark.parametrize(("start_s", "end_s"), [(2.51, 3.5), (0.8, 2.4)])
def test_encode_uses_the_nominal_frame_grid_across_a_hole(
    holey: Path, tmp_path: Path, start_s: float, end_s: float
) -> None:
    res = cut_clip(holey, tmp_path / "h.mp4", start_s=start_s, end_s=end_s, mode="encode")
    want = [i for i in range(frame_of(start_s), frame_of(end_s)) if not 30 <= i < 40]
    out_v = _video_xs(res.path)
    assert res.n_video_frames == len(out_v) == len(want)
    for (t, x), i in zip(out_v, want, strict=True):
        assert abs(x - (20 + (i / FPS * 60) % (320 - 60))) <= 1, i
        assert t == pytest.approx((i - want[0]) / FPS, abs=1e-3)  # the hole stays a hole
    assert res.start_s == pytest.approx(want[0] / FPS, abs=1e-6)
    assert res.end_s == pytest.approx((want[-1] + 1) / FPS, abs=1e-6)


@pytest.fixture(scope="session", params=[-90, 180])
def rotated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Path, int]:
    rotation = int(request.param)
    path = tmp_path_factory.mktemp("cut_rot") / f"phone{rotation}.mp4"
    return make_media(path, duration_s=2.0, rotation=rotation), rotation


def test_encode_turns_a_rotated_video_upright(rotated: tuple[Path, int], tmp_path: Path) -> None:
    src, rotation = rotated  # frame.rotation: counter-clockwise degrees
    res = cut_clip(src, tmp_path / "u.mp4", start_s=0.5, end_s=1.5, mode="encode")
    k = rotation // 90  # np.rot90 turns counter-clockwise too
    with av.open(str(res.path)) as c:
        frames = list(c.decode(video=0))
    assert all(f.rotation == 0 for f in frames)
    h, w = np.rot90(np.zeros((H, W)), k).shape
    assert (frames[0].width, frames[0].height) == (w, h)
    got = [read_index_array(np.rot90(f.to_ndarray(format="gray"), -k)) for f in frames]
    assert got == list(range(frame_of(0.5), frame_of(1.5)))
    # copy mode keeps the display matrix, so players turn it themselves
    copy = cut_clip(src, tmp_path / "c.mp4", start_s=0.5, end_s=1.5)
    with av.open(str(copy.path)) as c:
        assert (next(c.decode(video=0)).rotation - rotation) % 360 == 0


@pytest.mark.parametrize("t_s", [0.0, 0.5, 1.0, 2.0, 2.1, 3.9])
def test_keyframe_search_matches_a_full_scan(recording: Path, t_s: float) -> None:
    from highlights.io.seek import keyframe_before, media_origin, seek

    with av.open(str(recording)) as c:
        v = c.streams.video[0]
        keys = [p.pts for p in c.demux(v) if p.is_keyframe and p.pts is not None]
        t_abs = media_origin(c) + Fraction(t_s)
        before = [k for k in keys if k * v.time_base <= t_abs]
        target, key = keyframe_before(c, v, t_abs)
        assert key == (max(before) if before else min(keys))
        seek(c, target)  # seeking there again meets that keyframe
        met = next(p.pts for p in c.demux(v) if p.is_keyframe and p.pts is not None
                   and p.pts >= key)
        assert met == key
