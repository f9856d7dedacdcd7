from __future__ import annotations

import logging
import os

import numpy as np
import pytest

from highlights import find_highlights
from highlights.cache import AnalysisCache
from highlights.synth import make_livestream

PICK = {"n": 3, "min_len_s": 10.0, "max_len_s": 30.0, "min_gap_s": 5.0}


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return make_livestream(tmp_path_factory.mktemp("cache"), duration_s=40.0, seed=7, n_moments=2,
                           chat=False).video_path


def _entries(d):
    return sorted(p for p in d.glob("*.npz"))


def test_second_run_hits_and_matches(video, tmp_path, caplog):
    cache = tmp_path / "cache"
    first = find_highlights(video, cache=cache, **PICK)
    assert len(_entries(cache)) == 1
    caplog.set_level(logging.INFO, logger="highlights")
    second = find_highlights(video, cache=cache, **PICK)
    assert any("loaded from the cache" in r.getMessage() for r in caplog.records)
    assert second.clips == first.clips
    for k, tl in first.timelines.items():
        np.testing.assert_array_equal(second.timelines[k].values, tl.values)
    assert second.media == first.media
    # Selection parameters may differ and still hit.
    third = find_highlights(video, cache=cache, **{**PICK, "n": 1})
    assert len(third.clips) == 1 and len(_entries(cache)) == 1
    # Analysis parameters make a new entry.
    find_highlights(video, cache=cache, hop_s=1.0, **PICK)
    assert len(_entries(cache)) == 2


def test_corrupt_entry_is_rebuilt(video, tmp_path, caplog):
    cache = tmp_path / "cache"
    ref = find_highlights(video, cache=cache, **PICK)
    (entry,) = _entries(cache)
    entry.write_bytes(b"\x00garbage" * 10)
    again = find_highlights(video, cache=cache, **PICK)
    assert again.clips == ref.clips
    assert any("rebuilt" in r.getMessage() for r in caplog.records)
    assert AnalysisCache(cache).load(entry.stem) is not None  # valid again


def test_changed_file_misses(video, tmp_path):
    store = AnalysisCache(tmp_path / "c")
    params = {"hop_s": 0.5}
    k1 = store.key(video, params)
    assert store.key(video, params) == k1
    copy = tmp_path / "copy.mp4"
    copy.write_bytes(video.read_bytes())
    os.utime(copy, ns=(1_000_000_000, 1_000_000_000))
    assert store.key(copy, params) != k1  # other mtime
    assert store.key(video, {"hop_s": 1.0}) != k1


def test_cache_path_must_be_a_directory(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="directory"):
        AnalysisCache(f)
