"""features/analyze.py: one pass -> every timeline on one grid; bad inputs; ranges; shards."""

from __future__ import annotations

import math
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from highlights.errors import (
    DecodeWarning,
    InvalidParameterError,
    MediaError,
    SignalMissingWarning,
)
from highlights.features.analyze import SIGNALS, MediaAnalysis, analyze_media
from media_factory import add_garbage, concat_copies, concat_ts, make_media, truncate

AUDIO = {"audio_rms_db", "audio_onset", "audio_excite", "audio_voiced"}
VIDEO = {"scene", "motion", "video_bytes", "keyframe"}


@pytest.fixture(scope="module")
def mdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("analyze")


@pytest.fixture(scope="module")
def av_mp4(mdir: Path) -> Path:
    return make_media(mdir / "av.mp4")


_LONG = {"duration_s": 12.0, "gop": 25, "cuts_s": (1.5, 3.0, 5.2, 7.7, 9.1, 10.3),
         "bursts_s": ((2.0, 2.5), (6.1, 6.3), (8.0, 9.0))}
# Containers whose timestamps are coarser than an audio sample (Matroska and FLV: 1 ms),
# or offset (MPEG-TS and FLV start late), next to MP4's exact ones.
_FORMATS = {"mp4": None, "mkv": "matroska", "ts": "mpegts", "flv": "flv"}


@pytest.fixture(scope="module")
def long_mp4(mdir: Path) -> Path:
    return make_media(mdir / "long.mp4", **_LONG)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=list(_FORMATS))
def long_media(request: pytest.FixtureRequest, mdir: Path) -> Path:
    ext = request.param
    if ext == "mp4":
        return make_media(mdir / "long.mp4", **_LONG)  # type: ignore[arg-type]
    return make_media(mdir / f"long.{ext}", fmt=_FORMATS[ext], **_LONG)  # type: ignore[arg-type]


def _quiet(path: Path, **kw: object) -> MediaAnalysis:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze_media(path, **kw)  # type: ignore[arg-type]


def _check_grid(res: MediaAnalysis, hop_s: float) -> int:
    n = math.ceil(res.info.duration_s / hop_s - 1e-9)
    for name, tl in res.timelines.items():
        assert tl.name == name and name in SIGNALS
        assert (tl.hop_s, tl.start_s, tl.n) == (hop_s, 0.0, n)
    return n


# ----------------------------------------------------------------------------- basics
def test_all_signals_on_one_grid(av_mp4: Path) -> None:
    res = analyze_media(av_mp4)
    assert set(res.timelines) == set(SIGNALS)
    assert res.video_mode == "sampled"  # "auto" on a short file
    n = _check_grid(res, 0.5)
    assert n == 8
    tl = res.timelines
    assert int(np.nanargmax(tl["audio_rms_db"].values)) == 4  # burst 2.0-2.5 s
    assert set(np.flatnonzero(tl["scene"].values > 27)) == {3, 6}  # cuts 1.5, 3.0 s
    np.testing.assert_allclose(res.cuts_s, [1.52, 3.0], atol=0.05)
    np.testing.assert_array_equal(tl["keyframe"].values, [1, 0, 0, 0, 1, 0, 0, 0])
    assert np.all(tl["video_bytes"].values > 0)
    assert res.covered_s == pytest.approx(4.0, abs=0.05)
    for name in set(SIGNALS) - {"scene", "motion"}:
        assert np.isfinite(tl[name].values).all(), name


@pytest.mark.parametrize("mode", ["keyframes", "full", "none"])
def test_video_modes(av_mp4: Path, mode: str) -> None:
    res = analyze_media(av_mp4, video=mode, hop_s=0.25)
    _check_grid(res, 0.25)
    assert res.video_mode == mode
    if mode == "none":
        assert set(res.timelines) == set(SIGNALS) - {"scene", "motion"}
        assert res.cuts_s.size == 0
    else:
        assert len(res.cuts_s) == (2 if mode == "full" else 1)


def test_audio_stream_choice(mdir: Path) -> None:
    p = make_media(mdir / "tracks.mp4", cover_art=True, extra_audio_bursts_s=[((3.0, 3.5),)])
    default = analyze_media(p).timelines["audio_rms_db"].values
    other = analyze_media(p, audio_stream=1).timelines["audio_rms_db"].values
    assert int(np.argmax(default)) == 4 and int(np.argmax(other)) == 6


def test_missing_streams_are_omitted(mdir: Path) -> None:
    v = analyze_media(make_media(mdir / "v.mp4", audio=False))
    assert set(v.timelines) == VIDEO
    a = analyze_media(make_media(mdir / "a.m4a", video=False, fmt="mp4"))
    assert set(a.timelines) == AUDIO and a.video_mode == "none" and a.cuts_s.size == 0


# ----------------------------------------------------------------------------- time bugs
def test_start_time_offset_mpegts(mdir: Path) -> None:
    res = analyze_media(make_media(mdir / "st.ts", fmt="mpegts"), video="full")
    assert res.info.start_s > 0
    _check_grid(res, 0.5)
    assert int(np.nanargmax(res.timelines["audio_rms_db"].values)) == 4
    np.testing.assert_allclose(res.cuts_s, [1.5, 3.0], atol=0.05)


def test_vfr_cut_times(mdir: Path) -> None:
    times = [i * 0.1 for i in range(20)] + [2.0 + i / 30 for i in range(60)]
    p = make_media(mdir / "vfr.mp4", frame_times_s=times, cuts_s=(1.45, 2.5), audio=False)
    res = analyze_media(p, video="full")
    np.testing.assert_allclose(res.cuts_s, [1.5, 2.5], atol=1e-3)  # frames at 1.5 and 2.5


def test_pts_reset(mdir: Path) -> None:
    a = make_media(mdir / "seg_a.ts", fmt="mpegts", duration_s=3.0)
    # the restarted stream also changes audio format (44.1 kHz mono): resampler rebuilt
    b = make_media(mdir / "seg_b.ts", fmt="mpegts", duration_s=3.0, seed=5,
                   sample_rate=44100, channels=1)
    p = concat_ts(mdir / "reset.ts", [a, b])
    with pytest.warns(DecodeWarning, match="jump"):
        res = analyze_media(p, video="full")
    n = _check_grid(res, 0.5)
    assert n in (12, 13)  # 2 x 3 s on one monotonic timeline
    loud = np.flatnonzero(res.timelines["audio_rms_db"].values > -20)
    assert list(loud) == [4, 10]  # the 2.0-2.5 s burst of each segment
    # cuts at 1.5 s in each segment, plus the splice itself (segment b starts on scene 0)
    np.testing.assert_allclose(res.cuts_s, [1.54, 3.02, 4.54], atol=0.1)


def test_audio_shorter_than_video(mdir: Path) -> None:
    p = make_media(mdir / "short_audio.mp4", duration_s=4.0, audio_duration_s=1.5,
                   bursts_s=())
    with pytest.warns(SignalMissingWarning, match="audio ends"):
        res = analyze_media(p)
    rms = res.timelines["audio_rms_db"].values
    assert np.isfinite(rms[:3]).all() and np.isnan(rms[4:]).all()
    assert np.isfinite(res.timelines["video_bytes"].values).all()


def test_garbage_mid_file(mdir: Path) -> None:
    p = add_garbage(make_media(mdir / "garbage.mp4", duration_s=8.0,
                               cuts_s=(1.5, 3.0, 5.0, 6.5)))
    with pytest.warns(DecodeWarning, match="undecodable") as rec:
        res = analyze_media(p, video="full")
    assert rec[0].filename == __file__  # attributed to the caller, not to library internals
    assert res.covered_s == pytest.approx(8.0, abs=0.1)
    np.testing.assert_allclose(res.cuts_s, [1.52, 3.0, 5.0, 6.52], atol=0.05)
    with ThreadPoolExecutor(max_workers=2) as ex, \
            pytest.warns(DecodeWarning, match="undecodable"):  # re-issued from the shard
        sharded = analyze_media(p, video="full", workers=2, executor=ex)
    np.testing.assert_allclose(sharded.cuts_s, res.cuts_s)


def test_truncated_faststart(mdir: Path) -> None:
    p = truncate(make_media(mdir / "fs.mp4", duration_s=8.0, faststart=True), 0.5)
    with pytest.warns(DecodeWarning, match="decoded only"):
        res = analyze_media(p)
    n = _check_grid(res, 0.5)
    assert n == 16 and 1.0 < res.covered_s < 6.0
    k = math.floor(res.covered_s / 0.5)
    rms = res.timelines["audio_rms_db"].values
    assert np.isfinite(rms[: k - 1]).all() and np.isnan(rms[k + 1:]).all()


def test_moov_at_end_truncated(mdir: Path) -> None:
    p = truncate(make_media(mdir / "moov.mp4", duration_s=3.0), 0.5)
    with pytest.raises(MediaError, match="remux"):
        analyze_media(p)


@pytest.mark.parametrize("kind", ["one_frame", "silent_static"])
def test_degenerate_inputs_have_no_nan(mdir: Path, kind: str) -> None:
    if kind == "one_frame":
        p = make_media(mdir / "one.mp4", frame_times_s=[0.0], duration_s=0.5, audio=False)
        res = analyze_media(p, video="full")
        assert set(res.timelines) == VIDEO
        assert np.isfinite(res.timelines["video_bytes"].values).all()
        assert np.isnan(res.timelines["scene"].values).all()  # one frame: nothing to compare
    else:
        p = make_media(mdir / "silent.mp4", silent=True, static=True, cuts_s=(),
                       duration_s=2.0)
        res = analyze_media(p, video="full")
        tl = res.timelines
        np.testing.assert_array_equal(tl["audio_rms_db"].values, -100.0)
        for name in ("audio_onset", "audio_excite", "motion", "scene"):
            v = tl[name].values
            assert np.isfinite(v).all() and np.max(v) < 0.5, name


# ----------------------------------------------------------------------------- ranges
def test_range_equals_crop_of_full_run(long_mp4: Path) -> None:
    full = analyze_media(long_mp4, video="sampled")
    part = analyze_media(long_mp4, video="sampled", start_s=4.2, end_s=8.9)
    for name, tl in part.timelines.items():
        assert tl.start_s == 4.0 and tl.n == 10
        ref = full.timelines[name].crop(4.0, 9.0).values
        tol = 0.1 if name.startswith("audio") else 1e-6  # AAC noise substitution is random
        np.testing.assert_allclose(tl.values, ref, rtol=0.05 if tol == 0.1 else 0,
                                   atol=tol if name != "audio_excite" else 30, err_msg=name)
    np.testing.assert_allclose(part.cuts_s, full.cuts_s[(full.cuts_s >= 4) & (full.cuts_s < 9)])


def _assert_same_analysis(sharded: MediaAnalysis, serial: MediaAnalysis) -> None:
    assert sharded.timelines.keys() == serial.timelines.keys()
    for name, tl in serial.timelines.items():
        got = sharded.timelines[name]
        assert (got.n, got.start_s, got.hop_s) == (tl.n, tl.start_s, tl.hop_s)
        np.testing.assert_array_equal(np.isnan(got.values), np.isnan(tl.values), err_msg=name)
        if name.startswith("audio"):
            # AAC's perceptual noise substitution draws random numbers, so decoded audio
            # after a seek differs slightly from a continuous decode
            atol = {"audio_rms_db": 0.1, "audio_onset": 0.05, "audio_excite": 30.0,
                    "audio_voiced": 0.05}[name]
            np.testing.assert_allclose(got.values, tl.values, atol=atol, err_msg=name)
        else:
            np.testing.assert_allclose(got.values, tl.values, rtol=1e-6, err_msg=name)
    np.testing.assert_allclose(sharded.cuts_s, serial.cuts_s)
    assert sharded.covered_s == pytest.approx(serial.covered_s, abs=0.05)


@pytest.mark.parametrize("mode", ["keyframes", "sampled"])
def test_sharded_equals_serial(long_media: Path, mode: str) -> None:
    # Matroska/FLV stamp 1024-sample AAC frames at whole ms (0, 21, 43, 64...): a shard
    # anchored on the stamp of its first frame used to sit up to a tick off the serial
    # pass (7 dB on the last, nearly silent hop of the .mkv; 0.15 dB in the .flv)
    serial = analyze_media(long_media, video=mode)
    with ThreadPoolExecutor(max_workers=2) as ex:
        sharded = analyze_media(long_media, video=mode, workers=3, executor=ex)
    _assert_same_analysis(sharded, serial)


@pytest.mark.parametrize("ext", ["mkv", "flv", "ts"])
def test_sharded_equals_serial_across_concatenation_seams(mdir: Path, ext: str) -> None:
    # Three copies back to back (ffmpeg -f concat -c copy): each seam puts the audio
    # timestamps ~5 ms off the decoded sample count.  The serial pass used to count on
    # through a seam (it re-anchored only beyond 0.1 s) while a shard starting after it
    # anchored on the timestamps, so every hop of the shard differed.  Tonal audio: no
    # random noise substitution, so the decoded samples are the same after a seek.
    part = make_media(mdir / f"part.{ext}", fmt=_FORMATS[ext], gop=25, cuts_s=(1.5, 3.0),
                      bursts_s=((2.0, 2.5), (3.1, 3.3)), tonal=True)
    p = concat_copies(mdir / f"three.{ext}", part, 3)
    serial = analyze_media(p, video="keyframes")
    assert serial.info.duration_s > 11.9
    with ThreadPoolExecutor(max_workers=2) as ex:
        sharded = analyze_media(p, video="keyframes", workers=2, executor=ex)
    _assert_same_analysis(sharded, serial)


def test_sharded_with_processes(long_mp4: Path) -> None:
    serial = analyze_media(long_mp4, video="none")
    sharded = analyze_media(long_mp4, video="none", workers=2)
    np.testing.assert_array_equal(sharded.timelines["video_bytes"].values,
                                  serial.timelines["video_bytes"].values)


# ----------------------------------------------------------------------------- misc
def test_progress(av_mp4: Path) -> None:
    seen: list[float] = []
    analyze_media(av_mp4, progress=lambda d, t: seen.append(d))
    assert seen and seen[-1] == pytest.approx(4.0, abs=0.05)


def test_memory_is_bounded(mdir: Path) -> None:
    p = make_media(mdir / "long_audio.m4a", video=False, fmt="mp4", duration_s=180.0,
                   bursts_s=(), sample_rate=8000, channels=1)
    tracemalloc.start()
    try:
        analyze_media(p, hop_s=0.5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    whole = 180 * 16000 * 4  # the whole signal at sr=16000 as float32: 11.5 MB
    assert peak < whole / 2


@pytest.mark.parametrize(
    ("kw", "match"),
    [({"hop_s": 0}, "'hop_s'"), ({"video": "most"}, "'video'"), ({"sr": 10}, "'sr'"),
     ({"start_s": 3, "end_s": 2}, "'end_s'"), ({"progress": "yes"}, "'progress'"),
     ({"workers": 0}, "'workers'")],
)
def test_parameter_validation(av_mp4: Path, kw: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        analyze_media(av_mp4, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- packets
def test_packet_features_match_a_loop(rng: np.random.Generator) -> None:
    from highlights.features.packets import PacketFeatures

    t = np.sort(rng.uniform(-0.3, 30.0, 9000))  # > one 4096-packet flush, some before 0
    size = rng.integers(100, 50_000, t.size)
    key = rng.random(t.size) < 0.02
    pf = PacketFeatures(hop_s=0.5, n_hint=4)  # arrays must grow
    for ti, si, ki in zip(t, size, key):
        pf(float(ti), int(si), bool(ki))
    n = 60
    covered = np.ones(n, bool)
    covered[-3:] = False
    got = pf.timelines(n, covered=covered)
    ref_b, ref_k = np.zeros(n), np.zeros(n)
    for ti, si, ki in zip(t, size, key):
        if ti >= 0:
            i = int(ti // 0.5)
            ref_b[i] += si
            ref_k[i] = max(ref_k[i], float(ki))
    ref_b[-3:] = np.nan
    ref_k[-3:] = np.nan
    np.testing.assert_allclose(got["video_bytes"], ref_b, rtol=1e-6)
    np.testing.assert_array_equal(got["keyframe"], ref_k)


def test_hop_bins_range_and_spans() -> None:
    from highlights.features.packets import HopBins

    b = HopBins(2, lo=2, hi=6)
    b.add(np.array([0, 2, 2, 5, 7]), np.array([9.0, 1.0, 3.0, 4.0, 9.0]))
    b.add_span(1, last=8, value=2.0)
    np.testing.assert_allclose(b.mean(8), [np.nan, np.nan, 2.0, 2.0, 2.0, 3.0, np.nan, np.nan])
    np.testing.assert_allclose(b.maximum(8), [np.nan, np.nan, 3.0, 2.0, 2.0, 4.0, np.nan, np.nan])


def test_auto_mode_switches_to_keyframes_for_long_media() -> None:
    from highlights.features.analyze import AUTO_KEYFRAMES_ABOVE_S, resolve_mode
    from highlights.types import MediaInfo

    def info(duration_s: float, video: int | None = 0) -> MediaInfo:
        return MediaInfo(path="x", duration_s=duration_s, start_s=0.0, format_name="mp4",
                         size_bytes=1, video_stream=video, audio_stream=0)

    assert resolve_mode("auto", info(AUTO_KEYFRAMES_ABOVE_S)) == "sampled"
    assert resolve_mode("auto", info(AUTO_KEYFRAMES_ABOVE_S + 1)) == "keyframes"
    assert resolve_mode("full", info(4 * 3600)) == "full"
    assert resolve_mode("auto", info(60, video=None)) == "none"
