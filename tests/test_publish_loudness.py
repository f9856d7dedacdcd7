"""Loudness normalisation of reels and shorts, checked with an independent BS.1770 meter.

The meter is FFmpeg's ``ebur128`` filter run through PyAV's filter graph (not
pyloudnorm, which the library uses).
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from highlights.export.loudness import normalise, true_peak_db
from highlights.export.render import render_clip, render_reel
from highlights.types import Clip
from publish_media import ebur128, encode, noise_audio


def _picture(i: int) -> np.ndarray:
    img = np.full((90, 160, 3), 60, np.uint8)
    img[30:60, (i * 3) % 120:(i * 3) % 120 + 40] = 220
    return img


@pytest.mark.parametrize("level", [0.004, 0.3])
def test_shorts_and_reels_hit_the_target_within_1_lu(level: float, tmp_path: Path) -> None:
    src = encode(tmp_path / "src.mp4", _picture, n_frames=150, audio=noise_audio(level, seed=2))
    before, _ = ebur128(src)
    res = render_clip(Clip(0.5, 5.5, 3.0, 1.0, 1), tmp_path / "short.mp4", media_path=src,
                      vertical=True, layout="center", size=(90, 160))
    lufs, tp = ebur128(res.path)
    assert abs(before - (-14.0)) > 5  # the source was far from the target
    assert abs(lufs - (-14.0)) <= 1.0, lufs
    assert tp <= -1.0 + 0.5, tp  # the ceiling, with AAC's overshoot allowance
    assert res.loudness is not None and res.loudness.output_lufs is not None
    assert abs(res.loudness.output_lufs - (-14.0)) <= 0.2
    assert abs(res.loudness.input_lufs - before) <= 1.0  # type: ignore[operator]
    reel = render_reel([Clip(0.2, 2.2, 1.0, 1.0, 1), Clip(3.0, 5.0, 4.0, 1.0, 2)],
                       tmp_path / "reel.mp4", media_path=src, crossfade_s=0.2,
                       loudness_lufs=-16.0)
    lufs, tp = ebur128(reel.path)
    assert abs(lufs - (-16.0)) <= 1.0, lufs
    with av.open(str(reel.path)) as c:  # audio and video still both there, same length
        v = c.streams.video[0]
        a = c.streams.audio[0]
        assert abs(float(v.duration * v.time_base) - float(a.duration * a.time_base)) < 0.05


def test_loud_peaks_are_limited_to_the_ceiling() -> None:
    sr = 48000
    t = np.arange(sr * 4) / sr
    x = 0.02 * np.sin(2 * np.pi * 200 * t)
    x[sr:sr + 200] = 0.9  # a short clap far above the rest
    y, info = normalise(np.tile(x.astype(np.float32), (2, 1)), sr, target_lufs=-14.0)
    assert info.limited
    assert true_peak_db(y, sr) <= -1.0 + 0.05
    assert info.output_lufs is not None and abs(info.output_lufs + 14.0) <= 0.2


def test_silence_is_left_alone(tmp_path: Path) -> None:
    y, info = normalise(np.zeros((2, 48000), np.float32), 48000)
    assert info.input_lufs is None and info.gain_db == 0.0 and not y.any()


def test_no_normalisation_keeps_levels(tmp_path: Path) -> None:
    src = encode(tmp_path / "src.mp4", _picture, n_frames=75, audio=noise_audio(0.01))
    res = render_clip(Clip(0.0, 3.0, 1.0, 1.0, 1), tmp_path / "a.mp4", media_path=src,
                      loudness_lufs=None)
    assert res.loudness is None
    assert abs(ebur128(res.path)[0] - ebur128(src)[0]) < 0.5
