"""features/scene.py: ContentDetector metric, cut rule, goldens, motion, scene_change."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_path
from highlights.errors import StreamNotFoundError
from highlights.features.analyze import scene_change, scene_cuts
from highlights.features.scene import (
    CutDetector,
    content_distance,
    yuv_to_hsv,
)
from highlights.io.media import probe
from media_factory import make_media


@pytest.fixture(scope="module")
def mdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scene")


@pytest.fixture(scope="module")
def cuts_mp4(mdir: Path) -> Path:
    return make_media(mdir / "cuts.mp4", duration_s=5.0, cuts_s=(1.2, 2.6, 3.8), audio=False)


# ----------------------------------------------------------------------------- metric
def test_hsv_from_planes_matches_swscale_bgr(cuts_mp4: Path) -> None:
    import av
    import cv2

    with av.open(str(cuts_mp4)) as c:
        frame = next(iter(c.decode(video=0)))
        ref = cv2.cvtColor(frame.to_ndarray(format="bgr24"), cv2.COLOR_BGR2HSV)
        y, u, v = (np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width]
                   for p in frame.planes)
    size = (y.shape[1], y.shape[0])
    u = cv2.resize(u, size, interpolation=cv2.INTER_NEAREST)
    v = cv2.resize(v, size, interpolation=cv2.INTER_NEAREST)
    got = yuv_to_hsv(np.ascontiguousarray(y), u, v)
    diff = np.abs(got.astype(int) - ref.astype(int))
    assert np.median(diff[..., 2]) <= 1 and np.median(diff[..., 1]) <= 2
    assert np.median(diff[..., 0]) <= 1


def test_gray_stays_gray() -> None:
    y = np.arange(256, dtype=np.uint8).reshape(16, 16)
    c = np.full((16, 16), 128, np.uint8)
    for full in (False, True):
        hsv = yuv_to_hsv(y, c, c, full_range=full)
        assert (hsv[..., 0] == 0).all() and (hsv[..., 1] == 0).all()


def test_content_distance_is_pyscenedetects(rng: np.random.Generator) -> None:
    from scenedetect.detectors.content_detector import _mean_pixel_distance

    a = rng.integers(0, 256, (90, 160, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (90, 160, 3), dtype=np.uint8)
    ref = np.mean([_mean_pixel_distance(a[..., i], b[..., i]) for i in range(3)])
    assert content_distance(a, b) == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_cut_rule_matches_pyscenedetect_flash_filter(seed: int) -> None:
    from scenedetect.common import FrameTimecode
    from scenedetect.detector import FlashFilter

    rng = np.random.default_rng(seed)
    fps, min_frames = 10.0, 15
    above = rng.random(400) < 0.08
    ref_filter = FlashFilter(mode=FlashFilter.Mode.MERGE, length=min_frames)
    ref: list[int] = []
    for i, a in enumerate(above):
        ref += [tc.frame_num for tc in ref_filter.filter(FrameTimecode(i, fps), bool(a))]
    det = CutDetector(threshold=27.0, min_scene_len_s=min_frames / fps)
    for i, a in enumerate(above):
        det(i / fps, 30.0 if a else 0.0)
    assert [round(t * fps) for t in det.cuts] == ref
    assert len(ref) > 3


# ----------------------------------------------------------------------------- goldens
@pytest.mark.media
@pytest.mark.parametrize("name", ["testvideo.mp4", "counter.mp4", "fades.mp4"])
def test_pyscenedetect_goldens(name: str) -> None:
    video = shared_path("pyscenedetect_test_videos", name)
    golden = shared_path("pyscenedetect_test_videos", "goldens",
                         f"{name}.ContentDetector.default.json")
    want = json.loads(golden.read_text())["cuts"]
    fps = probe(video).fps
    # PySceneDetect's API default: min_scene_len = 15 frames
    got = scene_cuts(video, video="full", min_scene_len_s=15 / fps)
    got_frames = np.round(got * fps).astype(int)
    assert len(got_frames) == len(want)
    assert np.all(np.abs(got_frames - np.asarray(want, int)) <= 1)


# ----------------------------------------------------------------------------- synthetic
def test_scene_cuts_on_synthetic_media(cuts_mp4: Path) -> None:
    got = scene_cuts(cuts_mp4)
    np.testing.assert_allclose(got, [1.2, 2.6, 3.8], atol=1 / 25 + 1e-6)
    sampled = scene_cuts(cuts_mp4, video="sampled")
    assert len(sampled) == 3 and np.all(np.abs(sampled - [1.2, 2.6, 3.8]) < 0.55)


def test_scene_change_peaks_at_cuts(cuts_mp4: Path) -> None:
    tl = scene_change(cuts_mp4, hop_s=0.2, video="full")
    assert tl.name == "scene" and tl.n == 25
    peaks = set(np.flatnonzero(tl.values > 27).tolist())
    assert peaks == {6, 13, 19}
    assert np.isfinite(tl.values).all()
    assert np.nanmax(np.delete(tl.values, [0, 6, 13, 19])) < 10
    keys = scene_change(cuts_mp4, video="keyframes")  # GOP 2 s: sparse, spread over hops
    assert np.isnan(keys.values[0])  # hop 0 holds only the first frame: no pair
    assert np.isfinite(keys.values[1:9]).all()


def test_motion_is_normalised_by_frame_gap(mdir: Path) -> None:
    from highlights.features.analyze import analyze_media

    times = [i * 0.1 for i in range(20)] + [2.0 + i / 30 for i in range(60)]
    p = make_media(mdir / "vfr.mp4", frame_times_s=times, audio=False, cuts_s=())
    mot = analyze_media(p, video="full", hop_s=1.0).timelines["motion"].values
    # the square moves at 60 px/s in both halves: per-second motion is comparable
    assert mot[1] > 0 and mot[2] > 0
    assert 0.6 < mot[2] / mot[1] < 1.6
    static = make_media(mdir / "static.mp4", static=True, cuts_s=(), audio=False,
                        duration_s=2.0)
    res = analyze_media(static, video="full")
    assert np.nanmax(res.timelines["motion"].values) < 0.5
    assert np.nanmax(res.timelines["scene"].values) < 0.5
    assert res.cuts_s.size == 0


def test_scene_change_needs_video(tmp_path: Path) -> None:
    p = make_media(tmp_path / "a.m4a", video=False, duration_s=1.0, fmt="mp4")
    with pytest.raises(StreamNotFoundError, match="no video"):
        scene_change(p)
