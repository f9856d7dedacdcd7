"""progress= on batches, clip cutting, and sharded analysis that reports as it goes."""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from highlights import find_highlights_batch
from highlights.errors import InvalidParameterError
from highlights.export.cut import cut_clips
from highlights.features import analyze as analyze_mod
from highlights.features.analyze import analyze_media
from highlights.types import Clip
from media_factory import make_media


@pytest.fixture(scope="module")
def clip_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_media(tmp_path_factory.mktemp("prog") / "v.mp4", duration_s=12.0, gop=25,
                      cuts_s=(3.0, 7.0), bursts_s=((5.0, 6.0),))


def test_sharded_progress_moves_while_shards_run(clip_mp4: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyze_mod, "_SHARD_POLL_S", 0.005)
    seen: list[tuple[float, float]] = []
    res = analyze_media(clip_mp4, video="full", workers=2,
                        progress=lambda d, t: seen.append((d, t)))
    done = [d for d, _ in seen]
    assert done == sorted(done)  # never moves back
    assert done[-1] == pytest.approx(res.covered_s, abs=0.05)
    assert all(t == pytest.approx(12.0, abs=0.05) for _, t in seen)
    # Before, the bar moved only when a shard ended: at most 2 distinct values here.
    assert len(set(done)) >= 4, done


def test_batch_progress_counts_recordings() -> None:
    rng = np.random.default_rng(3)
    chats = [np.sort(np.r_[rng.uniform(0, 600, 300), rng.uniform(300, 310, 200)])
             for _ in range(3)]
    seen: list[tuple[float, float]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ThreadPoolExecutor(max_workers=2) as ex:
            out = find_highlights_batch([None, None, None], chats=chats,  # type: ignore[list-item]
                                        executor=ex, n=1, duration_s=600.0, chat_lag_s=0.0,
                                        progress=lambda d, t: seen.append((d, t)))
    assert len(out) == 3
    assert seen == [(1.0, 3.0), (2.0, 3.0), (3.0, 3.0)]
    with pytest.raises(InvalidParameterError, match="progress"):
        find_highlights_batch([], progress="yes")


def test_cut_clips_progress(clip_mp4: Path, tmp_path: Path) -> None:
    clips = [Clip(1.0, 3.0, 2.0, 1.0, 1, label="a"), Clip(6.0, 9.0, 7.0, 0.5, 2, label="b")]
    seen: list[tuple[float, float]] = []
    res = cut_clips(clips, tmp_path, media_path=clip_mp4,
                    progress=lambda d, t: seen.append((d, t)))
    assert len(res) == 2
    assert seen == [(pytest.approx(2.0), pytest.approx(5.0)),
                    (pytest.approx(5.0), pytest.approx(5.0))]
    with pytest.raises(InvalidParameterError, match="progress"):
        cut_clips(clips, tmp_path, media_path=clip_mp4, progress=3, overwrite=True)
