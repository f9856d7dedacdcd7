"""The review page without a browser: its data, size, readers and the ``report`` command.

What the page does in a browser is tested in ``test_report_browser.py``.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

from highlights import find_highlights
from highlights.cache import file_identity
from highlights.cli import main
from highlights.errors import DocumentError, HighlightsError, OutputExistsError
from highlights.export.report import (
    PAGE_POINTS,
    THUMB_WIDTH,
    envelope,
    page_data,
    report_html,
    thumbnails,
    write_report,
)
from highlights.io.results import read_result
from highlights.io.review import read_review
from highlights.learn import HighlightModel
from highlights.result import Analysis, build_highlights
from highlights.selection import resolve_selection
from highlights.synth import make_signals
from review_fixtures import stream_result, write_cjk_chat


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    return stream_result(tmp_path_factory.mktemp("report"))


def _data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="hl-data">(.*?)</script>', page, re.S)
    assert m is not None
    return json.loads(m.group(1))


# ------------------------------------------------------------------ envelope
def test_envelope_keeps_extremes_and_gaps() -> None:
    v = np.zeros(10_001)
    v[5000] = 9.0
    v[7000] = -3.0
    v[100:300] = np.nan
    size, lo, hi, mean = envelope(v, points=1000)
    assert size == 11 and lo.size == hi.size == mean.size == 910
    assert np.nanmax(hi) == 9.0 and np.nanmin(lo) == -3.0  # a one-sample peak survives
    assert np.isnan(mean[10:27]).all()               # a bucket with no data stays empty
    assert envelope([1.0, 2.0], points=4)[0] == 1


# ------------------------------------------------------------------ page content
def test_page_data_describes_every_clip(demo) -> None:
    stream, result = demo
    data = page_data(result, base_dir=stream.video_path.parent)
    assert [c["rank"] for c in data["clips"]] == [c.rank for c in result.clips]
    for card, clip in zip(data["clips"], result.clips):
        assert card["start_s"] == round(clip.start_s, 3) and card["end_s"] == round(clip.end_s, 3)
        assert card["contributions"] == {k: round(v, 4) for k, v in clip.contributions.items()}
        assert card["keywords"] == list(clip.keywords)
        assert len(card["thumbs"]) == 5
        assert all(clip.start_s <= t["t"] <= clip.end_s for t in card["thumbs"])
    assert data["preview"] == {"src": "stream.mp4", "kind": "video"}  # relative to the page
    rec = data["recording"]
    assert rec["kind"] == "media" and rec["size_bytes"] == stream.video_path.stat().st_size
    ident = file_identity(stream.video_path)
    assert rec["identity"] == {**ident, "mtime_ns": str(ident["mtime_ns"])}
    names = [r["name"] for r in data["timeline"]["rows"]]
    assert names[0] == "score" and set(names[1:]) == set(result.timelines)
    assert data["chat_lag"]["s"] == round(result.chat_lag_s, 2)
    assert data["timelines_from"] == "from the analysis"


def test_thumbnails_are_small_jpegs_of_the_right_frames(demo, tmp_path: Path) -> None:
    from media_factory import COLOURS, make_media

    # Hard cuts at 1.5 s and 3 s between flat colours: each thumbnail shows its scene.
    path = make_media(tmp_path / "cuts.mp4", duration_s=4.0, gop=10)
    thumbs = thumbnails(path, [3.5, 0.5, 2.2, 9.0])
    import cv2

    colours = []
    for th in thumbs:
        assert th is not None and th.uri.startswith("data:image/jpeg;base64,")
        raw = base64.b64decode(th.uri.split(",", 1)[1])
        img = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR)
        assert img.shape[1] == THUMB_WIDTH and img.shape[0] == 90
        colours.append(img[5:20, 5:20].reshape(-1, 3).mean(axis=0)[::-1])  # RGB
    for got, scene in zip(colours, (2, 0, 1, 2)):            # 9.0 s: the last frame
        assert np.abs(got - np.array(COLOURS[scene])).max() < 30
    assert [th.time_s for th in thumbs[:3]] == [3.52, 0.52, 2.2]  # first frame at/after
    assert thumbs[3].time_s == pytest.approx(3.96)
    # With slack, the keyframe before the time (every 10th frame here) is enough.
    near = thumbnails(path, [1.0, 3.3], slack_s=[0.5, 0.2])
    assert [th.time_s for th in near] == [0.8, 3.2]
    _, result = demo
    sizes = [len(t["src"]) for c in page_data(result)["clips"] for t in c["thumbs"]]
    assert max(sizes) < 12_000                               # ~5-9 kB of base64 each


def test_page_is_self_contained(demo, tmp_path: Path) -> None:
    _, result = demo
    page = report_html(result)
    # Nothing to fetch: no external src/href, no CSS url() or @import, a strict CSP.
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:|//)', page, re.I)
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(https?:|//)", page)
    assert "default-src 'none'" in page
    assert "<script src" not in page and "<link rel=\"stylesheet\"" not in page
    # The embedded data cannot end its <script> early, whatever the chat said.
    assert page.count("</script>") == 2


def test_data_with_markup_stays_data(demo) -> None:
    _, result = demo
    from dataclasses import replace

    evil = replace(result.clips[0], keywords=("</script><script>alert(1)</script>",),
                   label="<b>x</b>")
    page = report_html(replace(result, clips=(evil, *result.clips[1:])), thumbnails=False)
    assert page.count("</script>") == 2
    assert _data(page)["clips"][0]["keywords"] == ["</script><script>alert(1)</script>"]


def test_page_size_budget_for_four_hours_and_twenty_clips() -> None:
    """<= 3 MB for a 4-hour stream with 20 clips: timelines are reduced, thumbnails small."""
    duration = 4 * 3600.0
    signals, _ = make_signals(duration_s=duration, seed=2, n_moments=24)
    names = ("audio_rms_db", "audio_onset", "audio_excite", "scene", "motion", "video_bytes",
             "chat_onset", "chat_rate", "chat_unique", "chat_react", "chat_value", "keyframe")
    rng = np.random.default_rng(0)
    base = signals["audio_rms_db"]
    timelines = {n: signals.get(n) or base.with_values(rng.random(base.n), name=n)
                 for n in names}
    analysis = Analysis(timelines=timelines, media=None, chat=None, chat_lag_s=None,
                        chat_lag_confidence=None, chat_lag_method=None, cuts_s=np.zeros(0),
                        notes=(), source="four-hours", span_s=duration)
    result = build_highlights(analysis, resolve_selection(n=20, min_gap_s=60.0))
    assert len(result.clips) == 20 and base.n == 28_800
    data = page_data(result)
    assert all(r["n"] <= PAGE_POINTS for r in data["timeline"]["rows"])
    page = report_html(result, thumbnails=False)
    thumbs = 20 * 5 * 12_000       # the largest thumbnail the test above allows
    assert len(page.encode()) + thumbs <= 3_000_000, len(page.encode())


def test_chat_only_result_has_no_previews(tmp_path: Path) -> None:
    chat = write_cjk_chat(tmp_path / "chat.json")
    result = find_highlights(None, chat=chat, n=2, min_len_s=8, max_len_s=20, min_gap_s=5)
    data = page_data(result)
    assert data["preview"] is None and all(not c["thumbs"] for c in data["clips"])
    assert data["recording"]["kind"] == "chat"
    assert data["recording"]["identity"]["sample_sha256"] == file_identity(chat)["sample_sha256"]
    assert any(re.search(r"[\u4e00-\u9fff]", k) for c in data["clips"] for k in c["keywords"])


# ------------------------------------------------------------------ facades
def test_to_html_writes_once_unless_overwrite(demo, tmp_path: Path) -> None:
    _, result = demo
    path = result.to_html(tmp_path / "review.html", thumbnails=False)
    assert path == (tmp_path / "review.html").resolve() and path.read_text().startswith("<!DOC")
    with pytest.raises(OutputExistsError):
        result.to_html(tmp_path / "review.html")
    assert result.to_html(tmp_path / "review.html", overwrite=True) == path
    assert len(list(tmp_path.iterdir())) == 1                       # no temporary left over
    with pytest.raises(HighlightsError):
        write_report(result, tmp_path / "missing" / "review.html")


def test_repr_html_is_light_and_isolated(demo) -> None:
    _, result = demo
    out = result._repr_html_()
    assert out.startswith("<iframe srcdoc=") and "data:image/jpeg" not in out
    data = _data(html.unescape(out))
    assert all(not c["thumbs"] for c in data["clips"])
    assert len(out) < 200_000


# ------------------------------------------------------------------ readers
def test_result_json_round_trips(demo, tmp_path: Path) -> None:
    _, result = demo
    plain = tmp_path / "plain.json"
    full = tmp_path / "full.json"
    result.to_json(plain)
    result.to_json(full, include_timelines=True)
    doc = read_result(plain)
    assert [c.to_dict() for c in doc.clips] == result.to_records() and doc.media == result.media
    assert doc.timelines == {} and doc.score is None and doc.timelines_origin == "none"
    doc = read_result(full)
    assert doc.timelines_origin == "document" and set(doc.timelines) == set(result.timelines)
    name = "audio_rms_db"
    assert np.allclose(doc.timelines[name].values, result.timelines[name].values, atol=1e-4,
                       equal_nan=True)
    assert np.allclose(doc.score.values, result.score.values, atol=1e-4)
    assert _data(report_html(doc, thumbnails=False))["timelines_from"].startswith("read from")


@pytest.mark.parametrize("content, message", [
    ("not json", "not JSON"),
    ("[1, 2]", "JSON list"),
    ('{"schema": "highlights.clips", "schema_version": 1}', "schema 'highlights.clips'"),
    ('{"schema": "highlights.review", "schema_version": 9, "clips": []}', "newer version"),
    ('{"schema": "highlights.review", "schema_version": 1, "clips": [{"rank": 1, '
     '"start_s": 5, "end_s": 2, "decision": "accepted"}]}', "start_s < end_s"),
    ('{"schema": "highlights.review", "schema_version": 1, "clips": [{"rank": 1, '
     '"start_s": 1, "end_s": 2, "decision": "maybe"}]}', "decision must be one of"),
])
def test_review_reader_rejects_what_it_cannot_use(tmp_path: Path, content: str,
                                                  message: str) -> None:
    path = tmp_path / "review.json"
    path.write_text(content)
    with pytest.raises(DocumentError, match=message) as info:
        read_review(path)
    assert isinstance(info.value, HighlightsError) and info.value.path == str(path)


def test_review_labels_fit_a_model(demo, tmp_path: Path) -> None:
    """A decisions file as the page writes it becomes spans ``fit_timelines`` learns from."""
    _, result = demo
    clips = result.clips
    doc = {
        "schema": "highlights.review", "schema_version": 1, "page_id": "x",
        "recording": {"path": result.source, "kind": "media"},
        "clips": [
            {"rank": clips[0].rank, "start_s": clips[0].start_s, "end_s": clips[0].end_s,
             "decision": "accepted", "edited_start_s": clips[0].start_s - 1,
             "edited_end_s": clips[0].end_s},
            {"rank": clips[1].rank, "start_s": clips[1].start_s, "end_s": clips[1].end_s,
             "decision": "rejected", "edited_start_s": clips[1].start_s,
             "edited_end_s": clips[1].end_s},
        ] + [{"rank": c.rank, "start_s": c.start_s, "end_s": c.end_s, "decision": "undecided"}
             for c in clips[2:]],
    }
    path = tmp_path / "stream.review.json"
    path.write_text(json.dumps(doc))
    review = read_review(path)
    assert review.counts()["accepted"] == 1 and review.clips[0].edited
    assert review.labels() == [(clips[0].start_s - 1, clips[0].end_s, 1.0),
                               (clips[1].start_s, clips[1].end_s, 0.0)]
    spans = review.accepted_spans()
    assert spans.shape == (1, 2)
    model = HighlightModel().fit_timelines([result.timelines], [spans])
    assert model.predict_proba(model.features(result.timelines)).shape[0] == result.score.n


# ------------------------------------------------------------------ command line
def test_report_command_on_a_recording_and_its_json(demo, tmp_path: Path, capsys) -> None:
    stream, result = demo
    cache = tmp_path / "cache"
    page = tmp_path / "page.html"
    assert main(["report", str(stream.video_path), "--chat", str(stream.chat_path), "-n", "3",
                 "--cache", str(cache), "--out", str(page), "-q"]) == 0
    data = _data(page.read_text())
    assert len(data["clips"]) <= 3 and data["clips"][0]["thumbs"]
    src = data["preview"]["src"]                      # relative to the page's folder
    assert src.endswith("/stream.mp4") and not src.startswith(("file:", "/"))
    assert (page.parent / src).resolve() == stream.video_path.resolve()
    assert "wrote" in capsys.readouterr().err
    # Without --overwrite an existing page is kept, and nothing is analysed first.
    assert main(["report", str(stream.video_path), "--out", str(page), "-q"]) == 1
    assert "exists" in capsys.readouterr().err

    # A result JSON with timelines: the page draws them; into a folder, named by the source.
    full = tmp_path / "full.json"
    assert main(["find", str(stream.video_path), "--chat", str(stream.chat_path), "--json",
                 str(full), "--timelines", "-q", "--cache", str(cache)]) == 0
    assert "timelines" in json.loads(full.read_text())
    assert main(["report", str(full), "--out", str(tmp_path), "--no-thumbnails", "-q"]) == 0
    data = _data((tmp_path / "full_review.html").read_text())
    assert data["timelines_from"].startswith("read from the result JSON")
    assert all(not c["thumbs"] for c in data["clips"])

    # Without timelines: the recording is analysed again through the cache.
    plain = tmp_path / "plain.json"
    result.to_json(plain)
    assert main(["report", str(plain), "--cache", str(cache), "--out",
                 str(tmp_path / "plain.html"), "-q"]) == 0
    data = _data((tmp_path / "plain.html").read_text())
    assert data["timelines_from"].startswith("re-analysed from the recording through the cache")
    assert "chat_onset" in data["timelines_from"]          # no --chat: named as missing
    assert [c["rank"] for c in data["clips"]] == [c.rank for c in result.clips]


def test_report_command_chat_only_and_errors(tmp_path: Path, capsys) -> None:
    chat = write_cjk_chat(tmp_path / "chat.json")
    assert main(["report", "--chat", str(chat), "--out", str(tmp_path / "c.html"), "-q"]) == 0
    data = _data((tmp_path / "c.html").read_text())
    assert data["recording"]["kind"] == "chat" and data["clips"]
    capsys.readouterr()
    # A chat log given as the source: one line that says where it goes.
    assert main(["report", str(chat), "--out", str(tmp_path / "x.html")]) == 1
    err = capsys.readouterr().err
    assert "--chat" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as exc:
        main(["report", str(tmp_path / "r.json"), "-n", "3"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["report", "--chat", str(chat), "--out", str(tmp_path / "nope")])
    assert exc.value.code == 2 and "--out" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["find", "--chat", str(chat), "--timelines"])
    assert exc.value.code == 2 and "--timelines needs --json" in capsys.readouterr().err


def test_report_from_an_export_folder_previews_the_clip_files(demo, tmp_path: Path) -> None:
    stream, result = demo
    out = tmp_path / "out"
    result.export(out, formats=["json", "clips"])
    data = page_data(read_result(out / "highlights.json"), thumbnails_per_clip=0, base_dir=out)
    files = [c["file"] for c in data["clips"]]
    assert len(files) == len(result.clips)
    assert all(f.startswith("clips/") and (out / f).is_file() for f in files)
    assert data["preview"]["kind"] == "video"


def test_a_moved_result_finds_its_recording_next_to_it(demo) -> None:
    stream, result = demo
    doc = result.to_dict()
    doc["media"]["path"] = "somewhere/else/stream.mp4"   # as recorded on another machine
    moved = stream.video_path.parent / "moved.json"
    moved.write_text(json.dumps(doc))
    data = page_data(read_result(moved), thumbnails_per_clip=1)
    assert data["recording"]["path"] == str(stream.video_path.resolve())
    assert data["preview"] is not None and all(c["thumbs"] for c in data["clips"])
    assert data["messages"] == []
