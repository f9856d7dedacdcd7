"""Covers (never black, blurred or mid-fade) and suggested titles."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from highlights.export.covers import pick_covers, write_cover
from highlights.selection.titles import clip_title, reel_title
from highlights.types import Clip
from publish_media import encode, noise_audio

FPS = 25


def scene(i: int, kind: int) -> np.ndarray:
    """A detailed picture (a checker with shapes); ``kind`` changes its colours."""
    yy, xx = np.mgrid[0:180, 0:320]
    chk = (((yy // 12) + (xx // 12)) % 2).astype(np.uint8)
    img = np.stack([chk * 160 + 40, chk * (60 + 80 * kind) + 50, np.full_like(chk, 90)], 2)
    img = img.astype(np.uint8)
    cv2.circle(img, (160 + (i % 10), 90), 40, (240, 240, 240), -1)
    return img


def tricky(i: int) -> np.ndarray:
    """0-1 s sharp A; 1-1.6 s black; 1.6-3.4 s heavy motion blur of A (the peak is at
    2.5 s); 3.4-4.4 s a crossfade A -> B; 4.4-5 s sharp B."""
    t = i / FPS
    if t < 1.0:
        return scene(i, 0)
    if t < 1.6:
        return np.zeros((180, 320, 3), np.uint8)
    if t < 3.4:
        return cv2.blur(scene(i, 0), (31, 3))
    if t < 4.4:
        a = (t - 3.4) / 1.0
        return (scene(i, 0) * (1 - a) + scene(i, 1) * a).astype(np.uint8)
    return scene(i, 1)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return encode(tmp_path_factory.mktemp("cov") / "c.mp4", tricky, n_frames=FPS * 5,
                  audio=noise_audio(0.02))


def test_cover_is_never_black_blurred_or_mid_fade(media: Path, tmp_path: Path) -> None:
    clip = Clip(0.0, 5.0, 2.5, 1.0, 1)
    (cover,) = pick_covers([clip], media_path=media)
    t = cover.cover_s
    assert not 1.0 <= t < 1.6 + 0.2, t  # black
    assert not 1.6 <= t < 3.4, t  # motion blur
    assert not 3.4 - 0.2 <= t < 4.4, t  # the crossfade
    path = write_cover(media, t, tmp_path / "c.jpg")
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    assert img.shape == (180, 320)
    assert img.mean() > 40
    sharp = cv2.Laplacian(img, cv2.CV_32F).var()
    blurred = cv2.Laplacian(cv2.cvtColor(tricky(60), cv2.COLOR_RGB2GRAY), cv2.CV_32F).var()
    assert sharp > 3 * blurred


def test_cover_stays_near_the_peak_when_it_can(media: Path) -> None:
    (cover,) = pick_covers([Clip(4.4, 5.0, 4.7, 1.0, 1)], media_path=media)
    assert 4.4 <= cover.cover_s < 5.0


def test_titles_use_distinctive_chat_words_never_stop_words() -> None:
    c = Clip(5000.0, 5030.0, 5025.0, 1.0, 1, {"chat_onset": 0.6, "audio_rms_db": 0.4},
             ("lol", "the", "KEKW KEKW", "lets go", "clutch"))
    assert clip_title(c) == '"LETS GO" at 1:23:45'
    only_generic = Clip(10.0, 40.0, 83.0, 1.0, 1, {"audio_rms_db": 0.7, "chat_rate": 0.3},
                        ("lol", "w", "?", "the", "pog"))
    assert clip_title(only_generic) == "loud reaction at 0:01:23"
    assert clip_title(Clip(0.0, 5.0, 2.0, 1.0, 1)) == "big moment at 0:00:02"
    assert reel_title([c, only_generic], name="vod") == 'vod: "LETS GO" and more'


def test_export_bundle_writes_shorts_covers_and_replay(tmp_path: Path) -> None:
    import json
    from dataclasses import replace

    from highlights import find_highlights
    from publish_media import make_moving_face

    media = make_moving_face(tmp_path / "talk.mp4", seconds=6.0)
    result = find_highlights(media, n=2, min_len_s=1.0, max_len_s=3.0, pad_s=0.5, snap=False)
    clip = Clip(1.0, 2.6, 2.0, 1.0, 1, {"audio_rms_db": 1.0}, ("lol", "astronaut"))
    result = replace(result, clips=(clip,))
    written = result.export(tmp_path / "out",
                            formats=["json", "shorts", "covers", "replay", "otio"])
    doc = json.loads((tmp_path / "out" / "highlights.json").read_text())
    assert doc["clips"][0]["title"] == '"ASTRONAUT" at 0:00:02'
    shorts = json.loads((tmp_path / "out" / "shorts" / "shorts.json").read_text())
    row = shorts["shorts"][0]
    assert row["layout"] == "track" and row["size"] == [1080, 1920]
    assert abs(row["loudness"]["output_lufs"] + 14.0) <= 0.5
    covers = json.loads((tmp_path / "out" / "covers" / "covers.json").read_text())
    assert covers["schema"] == "highlights.covers"
    assert 1.0 <= covers["clips"][0]["cover_s"] < 2.6
    assert covers["clips"][0]["title"] == '"ASTRONAUT" at 0:00:02'
    assert (tmp_path / "out" / "covers" / "001.jpg").stat().st_size > 1000
    rep = json.loads((tmp_path / "out" / "replay" / "replay.json").read_text())
    assert rep["teaser_s"] > 0 and abs(rep["duration_s"] - rep["teaser_s"] - 6.0) < 0.1
    assert (tmp_path / "out" / "replay" / "replay.edl").exists()
    import opentimelineio as otio  # the replay's timeline: as long as the file, black included

    timeline = otio.adapters.read_from_file(str(tmp_path / "out" / "replay" / "replay.otio"))
    assert abs(timeline.duration().to_seconds() - rep["duration_s"]) <= 1 / 25 + 1e-3
    assert isinstance(list(timeline.video_tracks()[0])[-2], otio.schema.Gap)
    assert set(written) == {"json", "shorts", "covers", "replay", "otio"}
