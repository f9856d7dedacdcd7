"""Exports carry the streams that were analysed (one opener, one stream picker)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from highlights import find_highlights
from highlights.types import Clip
from media_factory import make_media


@pytest.fixture(scope="module")
def two_tracks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # OBS-like: track 0 bursts at 2.0-2.5 s, track 1 (say, the mic) at 3.0-3.5 s.
    d = tmp_path_factory.mktemp("tracks")
    return make_media(d / "obs.mp4", duration_s=5.0, bursts_s=((2.0, 2.5),),
                      extra_audio_bursts_s=[((3.0, 3.5),)])


def _loudest_s(path: Path) -> float:
    """Time (s from the file start) of the loudest 0.1 s of its (only) audio track."""
    with av.open(str(path)) as c:
        assert len(c.streams.audio) == 1
        sr = c.streams.audio[0].codec_context.sample_rate
        chunks = [f.to_ndarray().astype(np.float64).mean(axis=0) for f in c.decode(audio=0)]
    x = np.concatenate(chunks)
    block = sr // 10
    n = x.size // block
    energy = (x[: n * block].reshape(n, block) ** 2).mean(axis=1)
    return float(np.argmax(energy)) / 10


@pytest.mark.parametrize("formats", [["clips"], ["reel"]])
def test_exports_carry_the_analysed_audio_track(two_tracks: Path, tmp_path: Path,
                                                formats: list[str]) -> None:
    result = find_highlights(two_tracks, audio_stream=1, n=1, min_len_s=1.0, max_len_s=4.0,
                             pad_s=0.5, snap=False)
    assert result.media is not None and result.media.audio_stream == 1
    # One clip from 1.0 s to 4.0 s holds both tracks' bursts: 1.0-1.5 s into the clip
    # on track 0, 2.0-2.5 s on track 1.
    clip = Clip(start_s=1.0, end_s=4.0, peak_s=3.2, score=1.0, rank=1)
    written = replace(result, clips=(clip,)).export(tmp_path, formats=formats,
                                                    cut_mode="encode")
    out = written[formats[0]]
    path = out[0] if isinstance(out, list) else out
    assert 2.0 <= _loudest_s(Path(path)) < 2.5


def test_default_choice_is_the_same_for_analysis_and_export(two_tracks: Path,
                                                            tmp_path: Path) -> None:
    result = find_highlights(two_tracks, n=1, min_len_s=1.0, max_len_s=4.0, pad_s=0.5,
                             snap=False)
    assert result.media is not None
    chosen = result.media.audio_stream
    clip = Clip(start_s=1.0, end_s=4.0, peak_s=2.2, score=1.0, rank=1)
    out = replace(result, clips=(clip,)).export(tmp_path, formats=["clips"],
                                                cut_mode="encode")["clips"]
    expected = 1.0 if chosen == 0 else 2.0
    assert expected <= _loudest_s(Path(out[0])) < expected + 0.5
