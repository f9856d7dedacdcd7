"""io/media.py: probe, stream choice, bad inputs, and the demux pass (times, damage, progress)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from highlights.errors import (
    DecodeError,
    DecodeWarning,
    InvalidParameterError,
    MediaError,
    MediaNotFoundError,
    StreamNotFoundError,
)
from highlights.io import media as media_mod
from highlights.io.media import demux, probe
from media_factory import add_garbage, concat_ts, make_media, truncate


@pytest.fixture(scope="module")
def mdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def av_mp4(mdir: Path) -> Path:
    return make_media(mdir / "av.mp4")


@pytest.fixture(scope="module")
def cover_mp4(mdir: Path) -> Path:
    return make_media(mdir / "cover.mp4", cover_art=True, extra_audio_bursts_s=[((3.0, 3.5),)])


def _frames(info, **kw):
    out: list[float] = []
    stats = demux(info, on_frame=lambda t, y, u, v, full: out.append(t), **kw)
    return np.asarray(out), stats


# ----------------------------------------------------------------------------- probe
def test_probe_reports_streams_and_timing(av_mp4: Path) -> None:
    info = probe(av_mp4)
    assert info.duration_s == pytest.approx(4.0, abs=0.05)
    assert info.start_s == 0.0
    assert (info.width, info.height, info.fps) == (320, 180, 25.0)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.sample_rate, info.channels) == (48000, 2)
    assert (info.video_stream, info.audio_stream) == (0, 0)
    assert info.size_bytes == av_mp4.stat().st_size


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaNotFoundError, match="not found") as ei:
        probe(tmp_path / "nope.mp4")
    assert isinstance(ei.value, FileNotFoundError)


@pytest.mark.parametrize(
    ("content", "match"),
    [(b"", "empty"), (b"hello, this is not a video\n" * 40, "Cannot read")],
)
def test_empty_and_text_files(tmp_path: Path, content: bytes, match: str) -> None:
    p = tmp_path / "bad.mp4"
    p.write_bytes(content)
    with pytest.raises(MediaError, match=match) as ei:
        probe(p)
    assert not isinstance(ei.value, MediaNotFoundError)


def test_non_media_message_is_plain(tmp_path: Path) -> None:
    # No FFmpeg errno text, and the MP4 remux hint only for a file that looks like an
    # MP4 (an ftyp box) without its index, not for any text file named .mp4.
    for name, text in [("notes.txt", "hello, this is not a video\n" * 40),
                       ("notes.mp4", "hello, this is not a video\n" * 40),
                       ("tiny.mp4", "hello\n")]:
        p = tmp_path / name
        p.write_text(text)
        with pytest.raises(MediaError, match="Cannot read") as ei:
            probe(p)
        msg = str(ei.value)
        assert "Errno" not in msg and "1094995529" not in msg
        assert "moov" not in msg and "faststart" not in msg
        assert "\n" not in msg


@pytest.mark.parametrize("degrees", [-90, 90, 180])
def test_probe_reads_display_rotation(mdir: Path, av_mp4: Path, degrees: int) -> None:
    p = make_media(mdir / f"rot{degrees}.mp4", duration_s=1.0, audio=False, rotation=degrees)
    info = probe(p)
    assert info.rotation == degrees
    assert info.to_dict()["rotation"] == degrees
    assert (info.width, info.height) == (320, 180)  # stored size; rotation is separate
    assert probe(av_mp4).rotation == 0


@pytest.mark.media
def test_probe_reads_rotation_of_a_real_phone_video() -> None:
    from conftest import shared_path

    info = probe(shared_path("pyscenedetect_test_videos", "issue-134-rotate.mp4"))
    assert info.rotation == -90  # as ffprobe reports its display matrix


def test_directory_is_not_media(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="directory"):
        probe(tmp_path)


def test_moov_at_end_truncated_gives_remux_hint(mdir: Path) -> None:
    p = truncate(make_media(mdir / "moov_end.mp4", duration_s=3.0), 0.5)
    with pytest.raises(MediaError, match="faststart"):
        probe(p)


def test_requested_stream_must_exist(av_mp4: Path, mdir: Path) -> None:
    with pytest.raises(StreamNotFoundError, match="audio stream 3"):
        probe(av_mp4, audio_stream=3)
    silent_video = make_media(mdir / "v_only.mp4", audio=False, duration_s=1.0)
    assert probe(silent_video).audio_stream is None
    with pytest.raises(StreamNotFoundError):
        probe(silent_video, audio_stream=0)
    with pytest.raises(InvalidParameterError):
        probe(av_mp4, audio_stream=-1)


def test_cover_art_stream_is_ignored(cover_mp4: Path) -> None:
    import av

    with av.open(str(cover_mp4)) as c:
        kinds = [(s.codec_context.name, media_mod._is_cover(s)) for s in c.streams.video]
    assert ("mjpeg", True) in kinds  # the fixture really has a cover-art stream
    cover_idx = [i for i, (_, cov) in enumerate(kinds) if cov][0]
    info = probe(cover_mp4)
    assert info.n_video_streams == 1 and info.video_codec == "h264"
    assert kinds[info.video_stream][0] == "h264"
    with pytest.raises(StreamNotFoundError, match="usable video stream"):
        probe(cover_mp4, video_stream=cover_idx)
    assert info.n_audio_streams == 2 and info.audio_stream == 0
    assert probe(cover_mp4, audio_stream=1).audio_stream == 1


def test_audio_file_with_cover_art_has_no_video(mdir: Path) -> None:
    p = make_media(mdir / "song.m4a", video=False, cover_art=True, duration_s=1.0, fmt="mp4")
    info = probe(p)
    assert not info.has_video and info.n_video_streams == 0 and info.has_audio


def test_no_stream_at_all(tmp_path: Path) -> None:
    import av

    p = tmp_path / "subs_only.mkv"
    with av.open(str(p), "w") as out:
        out.add_stream("ass")
    with pytest.raises(MediaError):
        probe(p)


# ----------------------------------------------------------------------------- demux
def test_vfr_frame_times_come_from_pts(mdir: Path) -> None:
    times = [i * 0.1 for i in range(20)] + [2.0 + i / 30 for i in range(60)]
    p = make_media(mdir / "vfr.mp4", frame_times_s=times, audio=False)
    got, stats = _frames(probe(p), video="full")
    np.testing.assert_allclose(got, times, atol=1e-3)
    assert stats.frames_decoded == len(times)


def test_sampled_and_keyframe_modes(av_mp4: Path) -> None:
    info = probe(av_mp4)
    sampled, _ = _frames(info, video="sampled", sample_fps=2.0)
    # one frame per 0.5 s cell, early in the cell (non-reference frames are skipped)
    np.testing.assert_array_equal(np.floor(sampled / 0.5), np.arange(8))
    assert np.all(sampled - np.arange(8) * 0.5 < 0.1)
    keys, _ = _frames(info, video="keyframes")
    np.testing.assert_allclose(keys, [0.0, 2.0], atol=1e-6)  # GOP = 2 s
    packets: list[tuple[float, int, bool]] = []
    demux(info, on_packet=lambda t, n, k: packets.append((t, n, k)), video="none")
    assert len(packets) == 100
    assert [t for t, _, k in packets if k] == pytest.approx([0.0, 2.0])


def test_start_time_is_subtracted(mdir: Path) -> None:
    p = make_media(mdir / "st.ts", fmt="mpegts")
    info = probe(p)
    assert info.start_s > 0.01  # mpegts muxers start the clock late
    first: list[float] = []
    starts: list[int] = []
    demux(info, on_packet=lambda t, n, k: first.append(t),
          on_audio=lambda x, s: starts.append(s), video="none")
    assert 0.0 <= min(first) < 0.1
    assert starts[0] == 0


def test_pts_reset_is_spliced_onto_a_monotonic_timeline(mdir: Path) -> None:
    a = make_media(mdir / "seg_a.ts", fmt="mpegts", duration_s=3.0)
    b = make_media(mdir / "seg_b.ts", fmt="mpegts", duration_s=3.0, seed=3)
    p = concat_ts(mdir / "reset.ts", [a, b])
    with pytest.warns(DecodeWarning, match="jump"):
        got, stats = _frames(probe(p), video="full")
    assert stats.jumps >= 1
    assert np.all(np.diff(got) > 0)
    assert got[-1] == pytest.approx(6.0, abs=0.15)
    assert len(got) == 150


def test_garbage_mid_file_is_skipped(mdir: Path) -> None:
    p = add_garbage(make_media(mdir / "garbage.mp4", duration_s=8.0))
    with pytest.warns(DecodeWarning, match="undecodable"):
        got, stats = _frames(probe(p), video="full")
    assert stats.bad_packets >= 1
    assert len(got) >= 0.9 * 200 and got[-1] > 7.5


def test_many_bad_packets_in_a_row_raise(mdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = add_garbage(make_media(mdir / "garbage2.mp4", duration_s=8.0))
    monkeypatch.setattr(media_mod, "_MAX_BAD_IN_A_ROW", 0)
    with pytest.raises(DecodeError, match="in a row"):
        _frames(probe(p), video="full")


def test_truncated_faststart_decodes_what_is_there(mdir: Path) -> None:
    p = truncate(make_media(mdir / "fs.mp4", duration_s=6.0, faststart=True), 0.5)
    info = probe(p)
    assert info.duration_s == pytest.approx(6.0, abs=0.05)  # the header still says 6 s
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DecodeWarning)
        got, stats = _frames(info, video="full")
    assert 1.0 < stats.end_s < 5.0
    assert len(got) > 20


def test_progress_callback_and_bar(av_mp4: Path, capsys: pytest.CaptureFixture[str]) -> None:
    info = probe(av_mp4)
    calls: list[tuple[float, float]] = []
    demux(info, on_packet=lambda *a: None, video="none",
          progress=lambda d, t: calls.append((d, t)))
    done = [d for d, _ in calls]
    assert len(calls) >= 3 and done == sorted(done)
    assert calls[-1] == (pytest.approx(info.duration_s), pytest.approx(info.duration_s))
    demux(info, on_packet=lambda *a: None, video="none", progress=True)
    assert "analysing" in capsys.readouterr().err
    with pytest.raises(InvalidParameterError, match="progress"):
        demux(info, on_packet=lambda *a: None, video="none", progress="yes")


def test_demux_validates_parameters(av_mp4: Path) -> None:
    info = probe(av_mp4)
    with pytest.raises(InvalidParameterError, match="'video'"):
        demux(info, video="most")
    with pytest.raises(InvalidParameterError, match="'sample_fps'"):
        demux(info, sample_fps=0)


def test_audio_blocks_are_contiguous_integer_indices(av_mp4: Path) -> None:
    blocks: list[tuple[int, int]] = []
    demux(probe(av_mp4), on_audio=lambda x, s: blocks.append((s, x.size)), sr=16000)
    starts = np.array([s for s, _ in blocks])
    sizes = np.array([n for _, n in blocks])
    assert starts[0] == 0
    np.testing.assert_array_equal(starts[1:], np.cumsum(sizes)[:-1])
    assert sizes.sum() == pytest.approx(4.0 * 16000, abs=400)


def _audio(info, **kw) -> np.ndarray:
    """The samples demux places, at their global index + 2000 (NaN where none)."""
    blocks: list[tuple[int, np.ndarray]] = []
    demux(info, on_audio=lambda x, s: blocks.append((s, x)), video="none", **kw)
    assert min(s for s, _ in blocks) >= -2000  # encoder priming at most
    out = np.full(max(s + x.size for s, x in blocks) + 2000, np.nan, np.float32)
    for s, x in blocks:
        out[s + 2000:s + 2000 + x.size] = x
    return out


@pytest.mark.parametrize(("fmt", "ext", "rate"), [
    (None, "mp4", 48000), ("matroska", "mkv", 48000), ("flv", "flv", 48000),
    ("mpegts", "ts", 48000), ("matroska", "mkv", 44100), ("flv", "flv", 44100)])
def test_audio_after_a_seek_lands_on_the_same_samples(mdir: Path, fmt: str | None, ext: str,
                                                      rate: int) -> None:
    # Matroska and FLV stamp AAC frames in whole milliseconds (a 1024-sample frame at
    # 48 kHz lasts 21.333 ms).  A read that starts after a seek used to anchor its sample
    # count on its first frame's rounded stamp: 5-7 samples (16 kHz) off a read from the
    # start, and resampled at another phase.  Tonal audio decodes identically after a
    # seek (AAC's noise substitution is random), so the samples must be the same.
    p = make_media(mdir / f"tonal{rate}.{ext}", fmt=fmt, duration_s=12.0, tonal=True,
                   bursts_s=((2.0, 2.5), (6.1, 6.3), (8.0, 9.0)), sample_rate=rate, video=False)
    info = probe(p)
    whole = _audio(info)
    part = _audio(info, start_s=5.3, preroll_s=0.8)
    i0 = int(5.3 * 16000) + 2000
    n = min(whole.size, part.size) - i0
    assert n > 6 * 16000
    np.testing.assert_allclose(part[i0:i0 + n], whole[i0:i0 + n], atol=2e-3)


def test_audio_timestamp_jitter_is_counted_through(mdir: Path) -> None:
    # Live recordings can stamp audio with a few ms of jitter; a frame off its run's
    # sample lattice is only a seam when the next ones stay off to the same side, so
    # the samples are still placed as one contiguous block.
    import av

    src_p = make_media(mdir / "steady.mkv", fmt="matroska", duration_s=6.0, video=False,
                       tonal=True)
    p = mdir / "jitter.mkv"
    rng = np.random.default_rng(4)
    with av.open(str(src_p)) as src, av.open(str(p), mode="w") as out:
        o = out.add_stream_from_template(src.streams.audio[0])
        for pkt in src.demux():
            if pkt.dts is None:
                continue
            j = int(rng.integers(-3, 4))  # +-3 ticks of 1 ms
            pkt.pts += j
            pkt.dts += j
            pkt.stream = o
            out.mux(pkt)
    blocks: list[tuple[int, int]] = []
    demux(probe(p), on_audio=lambda x, s: blocks.append((s, x.size)), video="none")
    starts = np.array([s for s, _ in blocks])
    sizes = np.array([n for _, n in blocks])
    np.testing.assert_array_equal(starts[1:], starts[0] + np.cumsum(sizes)[:-1])
    assert sizes.sum() == pytest.approx(6.0 * 16000, abs=400)
