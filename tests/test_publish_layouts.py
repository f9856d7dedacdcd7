"""Vertical layouts of shorts (highlights.export.reframe through render_clip).

Sources are 640x360 streams built at test time around scikit-image's bundled
``astronaut`` face: a gaming stream with a facecam overlay, a host walking across the
frame, and a slide.  Outputs are rendered at 270x480 (``size=``) to stay fast; one
test checks the default 1080x1920.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import av
import numpy as np
import pytest

pytest.importorskip("skimage")

from highlights.errors import InvalidParameterError, UpscaleWarning  # noqa: E402
from highlights.export.reframe import MAX_PAN, find_facecam, stream_facecam  # noqa: E402
from highlights.export.render import render_clip  # noqa: E402
from highlights.io.media import open_media, pick_streams  # noqa: E402
from highlights.types import Clip  # noqa: E402
from publish_media import (  # noqa: E402
    FACE_W,
    FACECAM,
    FACECAM_SIZE,
    MOVING_SIZE,
    encode,
    face_rgb,
    facecam_frame,
    make_facecam,
    make_moving_face,
    moving_face_x,
    noise_audio,
    slide_frame,
)

SMALL = (270, 480)


def _clip(a: float, b: float) -> Clip:
    return Clip(a, b, (a + b) / 2, 1.0, 1)


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


@pytest.fixture(scope="module")
def facecam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_facecam(tmp_path_factory.mktemp("fc") / "game.mp4")


@pytest.fixture(scope="module")
def walker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_moving_face(tmp_path_factory.mktemp("walk") / "talk.mp4")


def test_stack_finds_the_facecam_and_shows_it_whole_on_top(facecam: Path,
                                                            tmp_path: Path) -> None:
    src = open_media(facecam)
    try:
        video, _ = pick_streams(src, audio_stream=None, video_stream=None, caller="test")
        box = stream_facecam(src, video, src_size=FACECAM_SIZE, rotation=0,
                             media_path=str(facecam))
    finally:
        src.close()
    assert box is not None
    w, h = FACECAM_SIZE
    x, y, bw, bh = box
    want = FACECAM
    # every edge within 5% of the frame size
    assert abs(x - want[0]) <= 0.05 * w and abs(x + bw - want[0] - want[2]) <= 0.05 * w
    assert abs(y - want[1]) <= 0.05 * h and abs(y + bh - want[1] - want[3]) <= 0.05 * h

    res = render_clip(_clip(1.0, 2.0), tmp_path / "s.mp4", media_path=facecam, vertical=True,
                      layout="auto", size=SMALL)
    assert res.spans[0].layout == "stack"
    frames = _frames(res.path)
    assert len(frames) == 25
    # the top part holds the whole facecam: compare with the cam picture, scaled the same
    top = frames[10]
    cx, cy, cw, ch = box
    cam = facecam_frame(25 + 10)[cy:cy + ch, cx:cx + cw]
    scale = min(SMALL[0] / cw, SMALL[1] * 0.45 / ch)
    sw, sh = int(cw * scale) // 2 * 2, int(ch * scale) // 2 * 2
    import cv2

    ref = cv2.resize(cam, (sw, sh), interpolation=cv2.INTER_AREA).astype(int)
    found = None
    best = 1e9
    for oy in range(0, int(SMALL[1] * 0.45) - sh + 1, 2):
        for ox in range(0, SMALL[0] - sw + 1, 2):
            d = np.abs(top[oy:oy + sh, ox:ox + sw].astype(int) - ref).mean()
            if d < best:
                best, found = d, (ox, oy)
    assert best < 12, best  # the cam, whole (scaled), is in the top part
    assert found is not None and found[1] + sh <= SMALL[1] * 0.5
    # and the gameplay is below it: the bottom half is not the cam
    assert np.abs(top[SMALL[1] // 2:].astype(int).mean() - ref.mean()) >= 0 and \
        top[SMALL[1] // 2:].std() > 20


def test_facecam_needs_persistent_border_and_moving_content() -> None:
    frames = np.stack([np.full((120, 200), 100, np.uint8) for _ in range(10)])
    assert find_facecam(frames, use_faces=False) is None  # nothing changes: no cam
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 255, (10, 120, 200)).astype(np.uint8)
    assert find_facecam(noisy, use_faces=False) is None  # no persistent border


def test_track_keeps_the_moving_face_in_frame_with_bounded_pan(walker: Path,
                                                               tmp_path: Path) -> None:
    res = render_clip(_clip(0.0, 6.0), tmp_path / "t.mp4", media_path=walker, vertical=True,
                      layout="track", size=SMALL)
    assert res.spans[0].layout == "track"
    frames = _frames(res.path)
    assert len(frames) == 150
    w, h = MOVING_SIZE
    win = res.crop[2] if res.crop else int(round(h * 9 / 16 / 2)) * 2
    face = face_rgb((FACE_W, FACE_W)).astype(int)
    k = SMALL[1] / h  # output pixels per source pixel
    fw = int(round(FACE_W * k))
    import cv2

    ref = cv2.resize(face.astype(np.uint8), (fw, fw), interpolation=cv2.INTER_AREA).astype(int)
    lefts = []
    for i in range(0, 150, 5):  # every sampled frame
        got = frames[i]
        # where is the face in the output? best match along x at its row
        y0 = int(round(120 * k))
        errs = [np.abs(got[y0:y0 + fw, ox:ox + fw].astype(int) - ref).mean()
                for ox in range(0, SMALL[0] - fw + 1)]
        assert min(errs) < 25, (i, min(errs))  # the whole face is inside the frame
        ox = int(np.argmin(errs))
        # the window's left edge in source pixels, from the face's known position
        lefts.append(moving_face_x(i) - FACE_W / 2 - ox / k)
    left = np.asarray(lefts)
    speed = np.abs(np.diff(left)) / (5 / 25)  # source pixels per second
    assert speed.max() <= MAX_PAN * win * 1.15 + 10, speed.max()
    assert np.ptp(left) > 200  # it did follow


def test_fit_keeps_the_whole_picture(tmp_path: Path) -> None:
    src = encode(tmp_path / "slides.mp4", lambda i: slide_frame(i), n_frames=50,
                 audio=noise_audio(0.05))
    res = render_clip(_clip(0.0, 2.0), tmp_path / "f.mp4", media_path=src, vertical=True,
                      layout="auto", size=SMALL)
    assert res.spans[0].layout == "fit"
    got = _frames(res.path)[20].astype(int)
    fh = int(round(SMALL[0] * 360 / 640 / 2)) * 2
    y0 = (SMALL[1] - fh) // 4 * 2
    import cv2

    want = cv2.resize(slide_frame(20), (SMALL[0], fh), interpolation=cv2.INTER_AREA).astype(int)
    assert np.abs(got[y0:y0 + fh] - want).mean() < 10  # all of it, edges included
    # the coloured frame at both side edges is there
    assert got[y0 + fh // 2, 1, 2] > 120 and got[y0 + fh // 2, -2, 2] > 120
    # above and below: a darker blurred fill, not black bars
    fill = got[: y0 - 2]
    assert 20 < fill.mean() < 200 and fill.std() < 40


def test_default_size_is_1080x1920_and_upscaling_warns(facecam: Path, tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = render_clip(_clip(1.0, 1.4), tmp_path / "d.mp4", media_path=facecam,
                          vertical=True, layout="center")
    assert (res.width, res.height) == (1080, 1920)
    assert any(issubclass(w.category, UpscaleWarning) for w in caught)
    with av.open(str(res.path)) as c:
        st = c.streams.video[0]
        assert (st.codec_context.width, st.codec_context.height) == (1080, 1920)
        assert st.codec_context.pix_fmt == "yuv420p"
        assert c.streams.audio[0].codec_context.name == "aac"
    head = res.path.read_bytes()[:64]
    assert b"moov" in res.path.read_bytes()[:4096] or b"moov" in head  # +faststart


def test_layout_parameter_is_checked(facecam: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="layout"):
        render_clip(_clip(1.0, 2.0), tmp_path / "x.mp4", media_path=facecam, vertical=True,
                    layout="zoom")
    with pytest.raises(InvalidParameterError, match="layout"):
        render_clip(_clip(1.0, 2.0), tmp_path / "x.mp4", media_path=facecam, layout="stack")


def test_cli_layout_option() -> None:
    from highlights.cli import build_parser

    args = build_parser().parse_args(["find", "vod.mp4", "--export", "shorts", "--layout",
                                      "stack"])
    assert args.layout == "stack"
    assert build_parser().parse_args(["find", "vod.mp4"]).layout == "auto"
