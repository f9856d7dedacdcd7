"""EDL, Resolve markers, FCP7 XML and OTIO exports read back with OpenTimelineIO."""

from __future__ import annotations

import re
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from highlights.errors import ExportError
from highlights.export import export_clips, one_line, render_text
from highlights.export._common import as_rate
from highlights.types import Clip

otio = pytest.importorskip("opentimelineio")

RATES = [24, 25, 29.97, 23.976, 59.94, 50]
HOSTILE = [
    "x\n002  BL       V     C        00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00",
    "a |M:evil |D:1 |C:ResolveColorRed",
    "* LOC: 00:00:00:00 RED evil",
    "</name><name>forged</name>\x00\x1b",
    'it\'s "quoted" & <b>',
    "\r\nTITLE: forged\r\n",
    "",
]


def random_clips(rng: np.random.Generator, n: int, *, duration_s: float = 7200.0) -> list[Clip]:
    starts = np.sort(rng.uniform(0.0, duration_s - 100.0, n))
    lengths = rng.uniform(0.2, 90.0, n)
    clips = []
    for i, (s, length) in enumerate(zip(starts, lengths, strict=True)):
        peak = s + rng.uniform(0, length)
        clips.append(
            Clip(
                float(s),
                float(s + length),
                float(peak),
                float(rng.uniform(0, 1)),
                i + 1,
                label=HOSTILE[i % len(HOSTILE)],
            )
        )
    return clips


def spans_of(timeline: object) -> list[tuple[float, float]]:
    return [
        (c.source_range.start_time.to_seconds(), c.source_range.end_time_exclusive().to_seconds())
        for c in timeline.find_clips()  # type: ignore[attr-defined]
    ]


def assert_same_spans(clips: list[Clip], spans: list[tuple[float, float]], fps: Fraction) -> None:
    frame = 1.0 / float(fps)
    assert len(spans) == len(clips)
    for clip, (a, b) in zip(clips, spans, strict=True):
        assert abs(a - clip.start_s) <= frame / 2 + 1e-6
        # a clip shorter than one frame is widened to one frame
        assert abs(b - max(clip.end_s, a + frame)) <= frame + 1e-6


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("fmt", ["edl", "fcp7", "otio"])
def test_read_back_gives_the_same_spans(
    tmp_path: Path, rng: np.random.Generator, fps: float, fmt: str
) -> None:
    clips = random_clips(rng, 25)
    rate = as_rate(fps, caller="t")
    media = tmp_path / "my stream (1).mp4"
    suffix = {"edl": ".edl", "fcp7": ".xml", "otio": ".otio"}[fmt]
    out = export_clips(
        clips,
        tmp_path / f"hl{suffix}",
        fps=fps,
        media_path=media,
        duration_s=7200.0,
        title="Stream\nTITLE: forged",
    )
    kwargs = {"rate": float(rate)} if fmt == "edl" else {}
    timeline = otio.adapters.read_from_file(str(out), **kwargs)
    tracks = list(timeline.tracks)
    assert len(tracks) == 1 and tracks[0].kind == otio.schema.TrackKind.Video
    assert_same_spans(clips, spans_of(timeline), rate)
    read = list(timeline.find_clips())
    expected_names = [one_line(c.label) or f"hl_{c.rank:03d}" for c in clips]
    assert [c.name for c in read] == expected_names
    # Clips sit end to end on the record side, in the given order.
    ranges = [tracks[0].range_of_child_at_index(i) for i in range(len(read))]
    assert ranges[0].start_time.value == 0
    for prev, nxt in zip(ranges, ranges[1:], strict=False):
        assert prev.end_time_exclusive().value == pytest.approx(nxt.start_time.value)
    # One marker per clip, at its peak (within a frame).
    for clip, item in zip(clips, read, strict=True):
        (marker,) = item.markers
        assert marker.marked_range.start_time.to_seconds() == pytest.approx(
            min(max(clip.peak_s, clip.start_s), clip.end_s), abs=1.0 / float(rate) + 1e-6
        )
    if fmt != "otio":
        assert read[0].media_reference.target_url == media.absolute().as_uri()


def test_edl_lines_cannot_be_forged(tmp_path: Path, rng: np.random.Generator) -> None:
    clips = random_clips(rng, 14)
    text = render_text(
        clips, format="edl", fps=29.97, media_path=tmp_path / "vod.mp4", title="x\n999  AX V C"
    )
    event = re.compile(
        r"^(\d{3})  (\S+) +V     C        (\d\d:\d\d:\d\d:\d\d ){3}\d\d:\d\d:\d\d:\d\d$"
    )
    events = []
    for line in text.splitlines():
        if line.startswith("* "):
            assert line.startswith(("* FROM CLIP NAME: ", "* FROM CLIP: ", "* LOC: ",
                                    "* HIGHLIGHTS: "))
        elif line:
            if line.startswith(("TITLE: ", "FCM: ")):
                continue
            m = event.match(line)
            assert m, line
            events.append(int(m.group(1)))
    assert events == list(range(1, len(clips) + 1))
    assert "FCM: NON-DROP FRAME" in text.splitlines()[1]
    assert text.splitlines()[0] == "TITLE: x 999 AX V C"


def test_edl_reel_names_are_sanitised(tmp_path: Path) -> None:
    clip = [Clip(1.0, 2.0, 1.5, 1.0, 1)]
    for name, reel in [
        ("my vod 2024-01-01.mp4", "MYVOD202"),
        ("../../é$.mkv", "AX"),
        ("a\nb.mp4", "AB"),
    ]:
        text = render_text(clip, format="edl", fps=25, media_path=tmp_path / name)
        assert text.splitlines()[3].split()[1] == reel


TC = re.compile(r"^(\d\d):(\d\d):(\d\d):(\d\d)$")


def tc_frames(tc: str, base: int) -> int:
    m = TC.match(tc)
    assert m, tc
    hh, mm, ss, ff = (int(x) for x in m.groups())
    return ((hh * 60 + mm) * 60 + ss) * base + ff


@pytest.mark.parametrize("fps", [25, 29.97, 59.94])
def test_resolve_markers_parse_back(rng: np.random.Generator, fps: float) -> None:
    clips = random_clips(rng, 20)
    rate = as_rate(fps, caller="t")
    base = round(float(rate))
    lines = render_text(clips[::-1], format="resolve_markers", fps=fps).splitlines()
    assert lines[:3] == ["TITLE: highlights", "FCM: NON-DROP FRAME", ""]
    notes = [line for line in lines[3:] if line.startswith("* HIGHLIGHTS: ")]
    assert len(notes) == 1  # the timeline rate, said once
    body = [line for line in lines[3:] if line and line not in notes]
    assert len(body) == 2 * len(clips)
    marker = re.compile(r"^ \|C:ResolveColorBlue \|M:([^|\r\n]*) \|D:(\d+)$")
    for i, clip in enumerate(sorted(clips, key=lambda c: c.start_s)):
        fields = body[2 * i].split()
        assert fields[:4] == [f"{i + 1:03d}", "001", "V", "C"]
        tc_in, tc_out = tc_frames(fields[4], base), tc_frames(fields[5], base)
        assert tc_out == tc_in + 1 and fields[6:8] == fields[4:6]
        m = marker.match(body[2 * i + 1])
        assert m, body[2 * i + 1]
        start_frame = tc_in - 3600 * base  # the timeline starts at 01:00:00:00
        assert abs(start_frame / float(rate) - clip.start_s) <= 0.5 / float(rate) + 1e-9
        assert abs(int(m.group(2)) / float(rate) - clip.duration_s) <= 1.0 / float(rate) + 1e-9
        assert m.group(1) == one_line(f"#{clip.rank} {clip.label}".replace("|", " "))


def test_fcp7_is_well_formed_xml_with_hostile_names(tmp_path: Path) -> None:
    from defusedxml import ElementTree

    clips = [
        Clip(10.0 * i + 1, 10.0 * i + 5, 10.0 * i + 2, 0.5, i + 1, label=label)
        for i, label in enumerate(HOSTILE)
    ]
    out = export_clips(clips, tmp_path / "hl.xml", fps=29.97, media_path=tmp_path / "v&<'.mp4")
    root = ElementTree.parse(str(out)).getroot()
    names = [e.text or "" for e in root.iter("clipitem") for e in e.findall("name")]
    assert names == [one_line(c.label) or f"hl_{c.rank:03d}" for c in clips]
    assert not any("forged" == n for n in names)
    rates = {(e.findtext("timebase"), e.findtext("ntsc")) for e in root.iter("rate")}
    assert rates == {("30", "TRUE")}


def test_otio_keeps_clip_metadata(tmp_path: Path, rng: np.random.Generator) -> None:
    clips = random_clips(rng, 5)
    out = export_clips(clips, tmp_path / "hl.otio", fps=(24000, 1001), duration_s=7200.0)
    read = list(otio.adapters.read_from_file(str(out)).find_clips())
    labels = [dict(c.metadata["highlights"])["label"] for c in read]
    assert labels == [one_line(c.label) for c in clips]
    assert all(isinstance(c.media_reference, otio.schema.MissingReference) for c in read)
    xml = export_clips(clips, tmp_path / "hl.xml", fps=(24000, 1001))  # no media, no duration
    assert_same_spans(
        clips, spans_of(otio.adapters.read_from_file(str(xml))), Fraction(24000, 1001)
    )


def test_missing_opentimelineio_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "opentimelineio", None)  # import now raises ImportError
    with pytest.raises(ExportError, match=r"highlights\[export\]"):
        export_clips([Clip(1.0, 2.0, 1.5, 1.0, 1)], tmp_path / "a.otio", fps=25)
    assert not (tmp_path / "a.otio").exists()
    # The EDL is hand-written and needs no OpenTimelineIO.
    assert export_clips([Clip(1.0, 2.0, 1.5, 1.0, 1)], tmp_path / "a.edl", fps=25).exists()


def test_timecode_past_24_hours_is_refused(tmp_path: Path) -> None:
    clips = [Clip(23 * 3600.0 + 10, 23 * 3600.0 + 20, 23 * 3600.0 + 15, 1.0, 1)]
    assert render_text(clips, format="edl", fps=25)
    with pytest.raises(ExportError, match="24 hours"):
        render_text(clips, format="resolve_markers", fps=25)  # 01:00:00:00 + 23 h


#: Source rates of real and synthetic recordings (the demo streams run at 10 and 15 fps).
SOURCE_RATES = [10, 15, 23.976, 25, 29.97, 30, 50, 59.94, 60]


def written_timeline_rate(text: str, fmt: str) -> Fraction:
    """The timeline rate the file says it was written at."""
    m = re.search(r"timeline (\d+)(?:/(\d+))? fps", text)
    assert m, f"{fmt} does not say its timeline rate"
    return Fraction(int(m.group(1)), int(m.group(2) or 1))


@pytest.mark.parametrize("fps", SOURCE_RATES)
@pytest.mark.parametrize("fmt", ["edl", "fcp7", "otio"])
def test_any_source_rate_round_trips_on_a_standard_timeline(
    tmp_path: Path, rng: np.random.Generator, fps: float, fmt: str
) -> None:
    """Editor timelines are written on a standard rate, whatever the source's."""
    clips = random_clips(rng, 12)
    media = tmp_path / "vod.mp4"
    suffix = {"edl": ".edl", "fcp7": ".xml", "otio": ".otio"}[fmt]
    out = export_clips(clips, tmp_path / f"hl{suffix}", fps=fps, media_path=media,
                       duration_s=7200.0)
    text = out.read_text()
    rate = written_timeline_rate(text, fmt)
    assert rate in {Fraction(24000, 1001), 24, 25, Fraction(30000, 1001), 30, 50,
                    Fraction(60000, 1001), 60}
    source = as_rate(fps, caller="t")
    assert rate >= source or source > 60
    if source in {Fraction(24000, 1001), 25, Fraction(30000, 1001), 30, 50,
                  Fraction(60000, 1001), 60}:
        assert rate == source  # a standard rate is kept
    kwargs = {"rate": float(rate)} if fmt == "edl" else {}
    timeline = otio.adapters.read_from_file(str(out), **kwargs)
    half = 0.5 / float(rate) + 1e-6
    spans = spans_of(timeline)
    assert len(spans) == len(clips)
    for clip, (a, b) in zip(clips, spans, strict=True):
        assert abs(a - clip.start_s) <= half
        assert abs(b - clip.end_s) <= half
    for item in timeline.find_clips():
        assert item.source_range.start_time.rate == pytest.approx(float(rate))


@pytest.mark.parametrize("fps", [10, 12, 15, 20, 48, 120])
def test_resolve_markers_at_odd_source_rates(rng: np.random.Generator, fps: float) -> None:
    clips = random_clips(rng, 6)
    text = render_text(clips, format="resolve_markers", fps=fps)
    rate = written_timeline_rate(text, "resolve_markers")
    base = round(float(rate))
    events = [line.split() for line in text.splitlines() if line[:1].isdigit()]
    starts = sorted(c.start_s for c in clips)
    for fields, start_s in zip(events, starts, strict=True):
        frame = tc_frames(fields[4], base) - 3600 * base
        assert abs(frame / float(rate) - start_s) <= 0.5 / float(rate) + 1e-9


def test_conform_is_said_in_every_editor_file(tmp_path: Path) -> None:
    clips = [Clip(start_s=1.0, end_s=5.0, peak_s=2.0, score=1.0, rank=1)]
    edl = render_text(clips, format="edl", fps=15, media_path=tmp_path / "v.mp4")
    assert re.search(r"^\* HIGHLIGHTS: timeline 30 fps .*source 15 fps", edl, re.M)
    markers = render_text(clips, format="resolve_markers", fps=15)
    assert "timeline 30 fps" in markers and "source 15 fps" in markers
    fcp7 = render_text(clips, format="fcp7", fps=15, media_path=tmp_path / "v.mp4")
    assert re.search(r"<!-- highlights: timeline 30 fps .*source 15 fps.* -->", fcp7)
    from defusedxml import ElementTree

    root = ElementTree.fromstring(fcp7)
    assert {e.findtext("timebase") for e in root.iter("rate")} == {"30"}
    doc = otio.adapters.read_from_string(
        render_text(clips, format="otio", fps=15, media_path=tmp_path / "v.mp4"), "otio_json")
    meta = dict(doc.metadata["highlights"])
    assert meta["timeline_rate"] == "30" and meta["source_fps"] == "15"
    # A source already at a standard rate says so too.
    same = render_text(clips, format="edl", fps=29.97, media_path=tmp_path / "v.mp4")
    assert "timeline 30000/1001 fps" in same


@pytest.mark.parametrize(("fps", "expected"), [
    (10, 30), (12, 24), (15, 30), (20, 60), (23.976, Fraction(24000, 1001)), (24, 24),
    (25, 25), (29.97, Fraction(30000, 1001)), (30, 30), (48, 50), (50, 50),
    (59.94, Fraction(60000, 1001)), (60, 60), (120, 60), (119.88, Fraction(60000, 1001)),
    (14.985, Fraction(30000, 1001)), (12.5, 25), (7, 24),
])
def test_timeline_rate_mapping(fps: float, expected: Fraction) -> None:
    from highlights.export._common import timeline_rate

    assert timeline_rate(as_rate(fps, caller="t")) == expected
