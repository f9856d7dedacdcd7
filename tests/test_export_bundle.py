"""The export bundle (``Highlights.export``): all or nothing, checked before any work."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from highlights import find_highlights
from highlights.errors import (
    ExportError,
    HighlightsError,
    InvalidParameterError,
    NoClipsWarning,
    OutputExistsError,
)
from highlights.export import check_output_file, check_targets, parse_formats
from highlights.result import Highlights
from highlights.types import Clip
from media_factory import make_media

otio = pytest.importorskip("opentimelineio")

CLIP = Clip(start_s=1.0, end_s=4.0, peak_s=2.2, score=1.0, rank=1, label="hype")


@pytest.fixture(scope="module")
def result15(tmp_path_factory: pytest.TempPathFactory) -> Highlights:
    """A 5-s recording at 15 fps (the rate of every synthetic/demo stream)."""
    media = make_media(tmp_path_factory.mktemp("b15") / "vod.mp4", duration_s=5.0, fps=15)
    result = find_highlights(media, n=1, min_len_s=1.0, max_len_s=4.0, pad_s=0.5, snap=False)
    assert result.media is not None and result.media.fps == pytest.approx(15)
    return replace(result, clips=(CLIP,))


@pytest.fixture(scope="module")
def chat_only() -> Highlights:
    rng = np.random.default_rng(0)
    times = np.sort(np.r_[rng.uniform(0, 600, 600), rng.normal(300, 3, 200)])
    return find_highlights(None, chat=times, n=2, duration_s=600.0, chat_lag_s=0.0,
                           min_len_s=10.0, max_len_s=40.0, min_gap_s=5.0)


def tree(root: Path) -> list[str]:
    """Every path under ``root``, relative, sorted (hidden temporary files included)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


# ------------------------------------------------------------------ item 1 via the bundle


def test_editor_formats_at_15_fps(result15: Highlights, tmp_path: Path) -> None:
    """What `highlights find demo/stream.mp4 --export json,edl,fcp7,otio` runs."""
    written = result15.export(tmp_path / "x", formats="json,edl,fcp7,otio")
    assert list(written) == ["json", "edl", "fcp7", "otio"]
    for fmt in ("fcp7", "otio"):
        (clip,) = otio.adapters.read_from_file(str(written[fmt])).find_clips()
        assert clip.source_range.start_time.rate == 30
        assert clip.source_range.start_time.to_seconds() == pytest.approx(1.0, abs=1 / 60)
    edl = otio.adapters.read_from_file(str(written["edl"]), rate=30)
    (clip,) = edl.find_clips()
    assert clip.source_range.end_time_exclusive().to_seconds() == pytest.approx(4.0, abs=1 / 60)


# ------------------------------------------------------------------ item 5: formats, paths


def test_formats_may_be_one_string(result15: Highlights, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    written = result15.export("one", formats="json")
    assert list(written) == ["json"] and written["json"] == tmp_path / "one/highlights.json"
    written = result15.export("two", formats=" csv, srt ,csv")
    assert list(written) == ["csv", "srt"]
    assert parse_formats(("edl", "json", "edl")) == ["edl", "json"]
    with pytest.raises(InvalidParameterError, match="formats"):
        result15.export("three", formats="json,mp3")
    with pytest.raises(InvalidParameterError, match="formats"):
        result15.export("three", formats="")
    assert not (tmp_path / "three").exists()


def test_every_returned_path_is_absolute(result15: Highlights, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    written = result15.export("rel", formats=["json", "edl", "clips"], cut_mode="copy")
    paths = [p for v in written.values() for p in (v if isinstance(v, list) else [v])]
    assert len(paths) == 3
    for p in paths:
        assert p.is_absolute() and p.is_file()
        assert p.parent in {(tmp_path / "rel").resolve(), (tmp_path / "rel/clips").resolve()}


# ------------------------------------------------------------------ item 2: all or nothing


def test_media_format_of_a_chat_only_result_writes_nothing(chat_only: Highlights,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    for fmts in (["json", "csv", "clips"], ["json", "edl"], "srt,reel", "json,shorts"):
        with pytest.raises(ExportError, match="chat-only"):
            chat_only.export(out, formats=fmts)
        assert not (tmp_path / "new").exists()
    # ... so a re-run without the media format is not refused.
    assert set(chat_only.export(out, formats="json,csv")) == {"json", "csv"}


def test_missing_extra_writes_nothing(result15: Highlights, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentimelineio", None)  # import now raises ImportError
    with pytest.raises(ExportError, match=r"highlights\[export\]"):
        result15.export(tmp_path / "o", formats=["json", "edl", "otio"])
    with pytest.raises(ExportError, match=r"highlights\[export\]"):
        result15.export(tmp_path / "o", formats=["json", "fcp7"])
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ExportError, match=r"highlights\[plot\]"):
        result15.export(tmp_path / "o", formats=["json", "csv", "plot"])
    assert not (tmp_path / "o").exists()


def test_format_that_cannot_express_the_clips_writes_nothing(result15: Highlights,
                                                             tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("user data")
    with pytest.raises(ExportError, match="too short for 3 chapters"), \
            pytest.warns(NoClipsWarning):  # a 5-s stream
        result15.export(tmp_path, formats=["json", "csv", "chapters"])
    assert tree(tmp_path) == ["mine.txt"]


def test_writer_failure_removes_what_this_call_wrote(result15: Highlights,
                                                     tmp_path: Path) -> None:
    """A recording that went bad after the analysis: the cut fails mid-export."""
    assert result15.media is not None
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(Path(result15.media.path).read_bytes()[:3000])  # header, no frames
    broken = replace(result15, media=replace(result15.media, path=str(bad)))
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("user data")
    with pytest.raises(HighlightsError, match="bad.mp4"):
        broken.export(out / "sub", formats=["json", "csv", "edl", "clips"])
    assert not (out / "sub").exists()
    with pytest.raises(HighlightsError, match="bad.mp4"):
        broken.export(out, formats=["json", "csv", "clips"])
    assert tree(out) == ["notes.txt"]
    # Nothing is left to refuse a re-run.
    assert set(result15.export(out, formats=["json", "csv", "clips"])) == {
        "json", "csv", "clips"}


def test_missing_recording_is_found_before_writing(result15: Highlights,
                                                   tmp_path: Path) -> None:
    assert result15.media is not None
    gone = replace(result15, media=replace(result15.media, path=str(tmp_path / "gone.mp4")))
    with pytest.raises(ExportError, match="no longer there"):
        gone.export(tmp_path / "o", formats="json,reel")
    assert not (tmp_path / "o").exists()


def test_existing_target_is_refused_before_writing(result15: Highlights,
                                                   tmp_path: Path) -> None:
    (tmp_path / "highlights.csv").write_text("mine")
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / "keep.mp4").write_text("mine")
    with pytest.raises(OutputExistsError) as exc:
        result15.export(tmp_path, formats="json,csv,clips")
    assert "highlights.csv" in str(exc.value) and "clips" in str(exc.value)
    assert tree(tmp_path) == ["clips", "clips/keep.mp4", "highlights.csv"]
    written = result15.export(tmp_path, formats="json,csv", overwrite=True)
    assert Path(written["csv"]).read_text() != "mine"


# ------------------------------------------------------------------ item 4: the checks


def test_check_targets_creates_nothing_and_names_every_problem(tmp_path: Path) -> None:
    targets = check_targets(tmp_path / "a" / "b", "json,clips,fcp7", media=True)
    assert targets == {"json": tmp_path / "a/b/highlights.json", "clips": tmp_path / "a/b/clips",
                       "fcp7": tmp_path / "a/b/highlights.fcp7.xml"}
    assert not (tmp_path / "a").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is a file"):
        check_targets(tmp_path / "file", ["json"])
    with pytest.raises(ExportError, match="is a file"):
        check_targets(tmp_path / "file" / "out", ["json"])  # parent is a regular file
    with pytest.raises(ExportError, match="chat-only"):
        check_targets(tmp_path, ["json", "reel"], media=False)
    check_targets(tmp_path, ["json", "reel"], media=None)  # unknown: checked later
    (tmp_path / "highlights.srt").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        check_targets(tmp_path, ["srt"], overwrite=True)
    (tmp_path / "highlights.json").write_text("{}")
    (tmp_path / "shorts").mkdir()
    (tmp_path / "shorts" / "001.mp4").write_text("x")
    with pytest.raises(OutputExistsError, match=r"highlights\.json.*shorts"):
        check_targets(tmp_path, ["json", "shorts"])
    check_targets(tmp_path, ["json", "shorts"], overwrite=True)


def test_check_targets_read_only_folder(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as root: directory permissions do not stop writes")
        with pytest.raises(ExportError, match="not writable"):
            check_targets(ro / "out", ["json"])
        with pytest.raises(ExportError, match="not writable"):
            check_output_file(ro / "x.png", format="plot")
    finally:
        ro.chmod(0o700)


def test_check_output_file(tmp_path: Path) -> None:
    assert check_output_file(tmp_path / "r.json") == tmp_path / "r.json"
    with pytest.raises(ExportError, match="does not exist"):
        check_output_file(tmp_path / "missing" / "r.json")
    with pytest.raises(ExportError, match="is a folder"):
        check_output_file(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is a file"):
        check_output_file(tmp_path / "file" / "r.json")
    with pytest.raises(OutputExistsError, match="overwrite"):
        check_output_file(tmp_path / "file")
    check_output_file(tmp_path / "file", overwrite=True)
    with pytest.raises(ExportError, match=r"\.png"):
        check_output_file(tmp_path / "plot.mp4", format="plot", what="--plot")
    assert not (tmp_path / "plot.mp4").exists()
