"""The full replay with an opening (highlights.export.replay)."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from highlights.errors import ExportError
from highlights.export.replay import (
    FADE_S,
    ReplayResult,
    render_replay,
    render_replay_timeline,
    x264_params_from_sei,
)
from highlights.types import Clip
from publish_media import ebur128, encode, noise_audio

FPS = 25


def _picture(i: int) -> np.ndarray:
    img = np.full((180, 320, 3), (40 + (i // 25) * 30) % 255, np.uint8)
    img[60:120, (i * 4) % 260:(i * 4) % 260 + 60] = (230, 200, 40)
    return img


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return encode(tmp_path_factory.mktemp("rec") / "vod.mp4", _picture, n_frames=FPS * 12,
                  audio=noise_audio(0.05, seed=4), gop=50)


#: The loud moments of :func:`quiet_recording` (seconds); the rest is 13-14 dB quieter.
LOUD_S = ((3.0, 4.5), (12.0, 13.5))


def _moments_audio(t: np.ndarray, seed: int = 5) -> np.ndarray:
    """Noise + a 330 Hz tone: about -24 LUFS inside :data:`LOUD_S`, -37 LUFS elsewhere."""
    rng = np.random.default_rng(seed + int(t[0] * 48000))
    level = np.full(t.size, 0.0075)
    for a, b in LOUD_S:
        level[(t >= a) & (t < b)] = 0.035
    return np.tile(level * (rng.standard_normal(t.size) + np.sin(2 * np.pi * 330 * t)), (2, 1))


@pytest.fixture(scope="module")
def quiet_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 20 s: BS.1770's relative gate drops blocks 10 LU under the mean, so loud moments
    # can stand well above the integrated loudness only if they are a small share of it
    return encode(tmp_path_factory.mktemp("quiet") / "vod.mp4", _picture, n_frames=FPS * 20,
                  audio=_moments_audio, gop=50)


@pytest.fixture(scope="module")
def replay(recording: Path, tmp_path_factory: pytest.TempPathFactory) -> ReplayResult:
    clips = [Clip(7.0, 9.5, 8.0, 3.0, 1), Clip(2.0, 4.0, 3.0, 2.0, 2)]
    return render_replay(clips, tmp_path_factory.mktemp("replay") / "replay.mp4",
                         media_path=recording)


def _packets(path: Path, kind: str) -> list[tuple[Fraction, Fraction, bytes]]:
    with av.open(str(path)) as c:
        s = c.streams.video[0] if kind == "video" else c.streams.audio[0]
        return [(p.pts * p.time_base, p.dts * p.time_base, bytes(p))
                for p in c.demux(s) if p.dts is not None]


def test_replay_is_teaser_plus_untouched_recording(recording: Path, tmp_path: Path) -> None:
    clips = [Clip(7.0, 9.5, 8.0, 3.0, 1), Clip(2.0, 4.0, 3.0, 2.0, 2)]
    res = render_replay(clips, tmp_path / "replay.mp4", media_path=recording)
    with av.open(str(recording)) as c:
        rec_s = c.duration / 1e6
    assert 4.5 + 0.25 <= res.teaser_s <= 4.5 + 0.25 + 0.7  # clips + black (AAC-aligned)
    with av.open(str(res.path)) as c:
        dur = c.duration / 1e6
    assert abs(dur - (res.teaser_s + rec_s)) <= 0.1
    # the long part: the recording's packets, byte for byte, shifted by the teaser
    src_v = _packets(recording, "video")
    out_v = _packets(res.path, "video")
    tail = [p for p in out_v if p[0] >= Fraction(res.teaser_s) - Fraction(1, 1000)]
    assert len(tail) == len(src_v)
    assert [hashlib.sha1(p[2]).digest() for p in tail] == \
        [hashlib.sha1(p[2]).digest() for p in src_v]
    shift = tail[0][0] - src_v[0][0]
    assert abs(float(shift) - res.teaser_s) < 1e-3
    assert all(a[0] - b[0] == shift for a, b in zip(tail, src_v, strict=True))
    src_a = _packets(recording, "audio")
    out_a = _packets(res.path, "audio")
    assert [p[2] for p in out_a[-len(src_a):]] == [p[2] for p in src_a]
    # decodes end to end with continuous timestamps
    with av.open(str(res.path)) as c:
        vts = [f.time for f in c.decode(video=0)]
    with av.open(str(recording)) as c:
        n_src = sum(1 for _ in c.decode(video=0))
    assert len(vts) == round(res.teaser_s * FPS) + n_src
    steps = np.diff(np.asarray(vts))
    assert np.allclose(steps, 1 / FPS, atol=1e-3), steps.min()
    with av.open(str(res.path)) as c:
        a_frames = [(f.time, f.samples, f.sample_rate) for f in c.decode(audio=0)]
    ends = np.array([t + n / sr for t, n, sr in a_frames[:-1]])
    starts = np.array([t for t, _, _ in a_frames[1:]])
    assert np.abs(starts - ends).max() < 1e-3
    # the opening fades to black just before the recording starts
    with av.open(str(res.path)) as c:
        frames = [f.to_ndarray(format="gray") for f in c.decode(video=0)]
    k = round(res.teaser_s * FPS)
    assert frames[k - 1].mean() < 20  # black
    assert frames[2].mean() > 30  # the teaser is not
    assert np.abs(frames[k].astype(int) - _gray(_picture(0))).mean() < 8  # the recording's first


def test_teaser_is_matched_to_the_recordings_loudness(quiet_recording: Path,
                                                     tmp_path: Path) -> None:
    clips = [Clip(a, b, a + 0.5, 1.0, i) for i, (a, b) in enumerate(LOUD_S, start=1)]
    res = render_replay(clips, tmp_path / "replay.mp4", media_path=quiet_recording)
    rec_lufs, _ = ebur128(quiet_recording)
    moments = [ebur128(quiet_recording, start_s=a, end_s=b)[0] for a, b in LOUD_S]
    assert -32.0 <= rec_lufs <= -29.0, rec_lufs  # quiet overall ...
    assert min(moments) - rec_lufs >= 6.0, (moments, rec_lufs)  # ... its moments are not
    assert res.recording_lufs is not None
    assert abs(res.recording_lufs - rec_lufs) <= 0.5  # what the code reports agrees
    # the teaser's last FADE_S fade to black: measure its clips up to the fade
    shown_s = sum(c.end_s - c.start_s for c in clips)
    teaser, _ = ebur128(res.path, end_s=shown_s - FADE_S)
    recording, _ = ebur128(res.path, start_s=res.teaser_s)
    assert abs(recording - rec_lufs) <= 0.1  # the recording part: the same audio
    assert abs(teaser - recording) <= 1.0, (teaser, recording)
    assert abs(teaser - res.recording_lufs) <= 1.0, (teaser, res.recording_lufs)
    assert teaser < -14.0 - 10  # not the shorts' platform target


@pytest.mark.parametrize(("fmt", "name", "adapter"), [
    ("edl", "replay.edl", "cmx_3600"), ("otio", "replay.otio", "otio_json"),
    ("fcp7", "replay.fcp7.xml", "fcp_xml")])
def test_replay_timeline_has_the_files_black_and_timing(recording: Path, replay: ReplayResult,
                                                        tmp_path: Path, fmt: str, name: str,
                                                        adapter: str) -> None:
    otio = pytest.importorskip("opentimelineio")
    res = replay
    path = tmp_path / name
    path.write_text(render_replay_timeline(res, media_path=recording, fps=FPS, format=fmt))
    kw = {"rate": FPS} if adapter == "cmx_3600" else {}
    timeline = otio.adapters.read_from_file(str(path), adapter, **kw)
    # the file: its frames, the black before the recording, where the recording starts
    with av.open(str(res.path)) as c:
        file_s = c.duration / 1e6
        gray = [f.to_ndarray(format="gray").mean() for f in c.decode(video=0)]
    with av.open(str(recording)) as c:
        rec_frames = sum(1 for _ in c.decode(video=0))
    rec_in = len(gray) - rec_frames  # the recording is the file's last frames
    assert gray[rec_in - 1] < 20 and gray[rec_in] > 30
    # the timeline: as long as the file, the recording at the same record time
    frame = 1 / FPS
    assert abs(timeline.duration().to_seconds() - file_s) <= frame + 1e-6
    assert timeline.duration().to_frames() == len(gray)
    items = list(timeline.video_tracks()[0])
    whole = items[-1]
    assert whole.name == "full replay"
    assert whole.range_in_parent().start_time.to_frames() == rec_in
    assert abs(whole.range_in_parent().start_time.to_seconds() - res.teaser_s) < 1e-6
    assert whole.source_range.start_time.to_frames() == 0
    assert whole.source_range.duration.to_frames() == rec_frames
    assert Path(whole.media_reference.target_url.removeprefix("file://")) == recording
    # the black between teaser and recording: a Gap (EDL: a BL "black" generator)
    black = items[-2]
    if fmt == "edl":
        assert black.media_reference.generator_kind == "black"
    else:
        assert isinstance(black, otio.schema.Gap)
    span = black.range_in_parent()
    first = span.start_time.to_frames()
    assert span.end_time_exclusive().to_frames() == rec_in
    assert first == sum(c.duration().to_frames() for c in items[:-2])  # teaser, end to end
    assert all(g < 20 for g in gray[first:rec_in])  # black in the file too
    assert min(gray[:first - round(FADE_S * FPS)]) > 30  # the teaser, before its fade


def _gray(rgb: np.ndarray) -> np.ndarray:
    return (rgb @ np.array([0.299, 0.587, 0.114])).astype(int)


def test_sei_mapping_keeps_header_settings() -> None:
    p = x264_params_from_sei("cabac=1 ref=3 deblock=1:-1:-1 analyse=0x3:0x113 me=hex subme=7 "
                             "psy=1 psy_rd=1.00:0.00 trellis=1 8x8dct=1 chroma_qp_offset=-2 "
                             "threads=6 bframes=3 b_pyramid=2 weightb=1 weightp=2 keyint=250 "
                             "rc=crf crf=23.0 aq=1:1.00")
    assert p["cabac"] == "1" and p["ref"] == "3" and p["deblock"] == "-1,-1"
    assert p["b-pyramid"] == "normal" and p["aq-mode"] == "1" and p["crf"] == "23.0"
    assert p["chroma-qp-offset"] == "0"  # x264 lowers it by 2 itself (psy-rd at subme 7)
    assert "threads" not in p


def test_replay_refuses_a_recording_it_cannot_join(tmp_path: Path) -> None:
    out = av.open(str(tmp_path / "mpeg4.mkv"), "w")
    vs = out.add_stream("mpeg4", rate=FPS)
    vs.width, vs.height, vs.pix_fmt = 320, 180, "yuv420p"
    for i in range(50):
        f = av.VideoFrame.from_ndarray(_picture(i), format="rgb24")
        f.pts = i
        for p in vs.encode(f):
            out.mux(p)
    for p in vs.encode(None):
        out.mux(p)
    out.close()
    with pytest.raises(ExportError, match="H.264"):
        render_replay([Clip(0.5, 1.5, 1.0, 1.0, 1)], tmp_path / "r.mkv",
                      media_path=tmp_path / "mpeg4.mkv")
    assert not (tmp_path / "r.mkv").exists()
