"""Text exports, chapters, file-name safety, overwrite refusal and atomic writes."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highlights.errors import ExportError, InvalidParameterError, OutputExistsError
from highlights.export import (
    FORMATS,
    chapters_from_clips,
    chapters_text,
    export_clips,
    one_line,
    render_text,
    safe_child,
    safe_filename,
)
from highlights.export._common import as_rate
from highlights.export._safe import atomic_write_text
from highlights.types import Clip

HOSTILE = [
    "x\n002  BL       V     C        00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00",
    "a |M:evil |D:1 |C:ResolveColorRed",
    "00:00:01,000 --> 00:00:02,000",
    "--->",
    "it's 'quoted' \"double\"",
    "'\nfile '/etc/passwd'\ninpoint 0",
    "../../etc/passwd",
    "\r\n\r\n2\r\n",
    "nul\x00byte",
    "line\u2028sep\u0085next",
    "<script>alert(1)</script> & more",
    '=HYPERLINK("http://x")',
    "",
]


def hostile_clips() -> list[Clip]:
    return [
        Clip(
            15.0 + 40.1234 * i,
            15.0 + 40.1234 * i + 20.0 + i,
            20.0 + 40.0 * i,
            1.0 - 0.05 * i,
            i + 1,
            {"chat": 0.6, "audio": 0.4},
            ("KEKW", "a\nb"),
            label,
        )
        for i, label in enumerate(HOSTILE)
    ]


# ----------------------------------------------------------------------------- tiny parsers

CUE_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)[,.](\d\d\d) --> (\d\d):(\d\d):(\d\d)[,.](\d\d\d)$")


def parse_cues(text: str, *, vtt: bool) -> list[tuple[float, float, list[str]]]:
    """Minimal SRT/WebVTT parser: blocks separated by blank lines."""
    blocks = text.replace("\r\n", "\n").strip("\n").split("\n\n")
    if vtt:
        assert blocks[0] == "WEBVTT"
        blocks = blocks[1:]
    cues = []
    for block in blocks:
        lines = block.split("\n")
        head = lines[0]
        if vtt:
            assert "-->" not in head
        else:
            assert head.isdigit()
        m = CUE_TIME.match(lines[1])
        assert m, lines[1]
        g = [int(x) for x in m.groups()]
        a = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        b = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        payload = lines[2:]
        assert payload and all(line and "-->" not in line for line in payload)
        cues.append((a, b, payload))
    return cues


STAMP = re.compile(r"^(?:(\d+):(\d\d):(\d\d)|(\d+):(\d\d)) (\S.*)$")


def parse_chapters(text: str) -> list[tuple[int, str]]:
    out = []
    for line in text.splitlines():
        m = STAMP.match(line)
        assert m, line
        if m.group(1) is not None:
            assert int(m.group(1)) >= 1  # H:MM:SS only from one hour on
            sec = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
        else:
            assert int(m.group(4)) < 60 and int(m.group(5)) < 60
            sec = int(m.group(4)) * 60 + int(m.group(5))
        out.append((sec, m.group(6)))
    return out


def assert_youtube_rules(text: str, duration_s: float) -> list[tuple[int, str]]:
    chapters = parse_chapters(text)
    assert text.splitlines()[0].startswith("0:00 ")
    assert len(chapters) >= 3
    starts = [s for s, _ in chapters]
    assert starts[0] == 0
    assert all(b - a >= 10 for a, b in zip(starts, starts[1:], strict=False))
    assert duration_s - starts[-1] >= 10
    return chapters


def ffconcat_tokens(line: str) -> list[str]:
    """Tokenise like FFmpeg's av_get_token: '...' quotes, backslash escapes outside."""
    tokens, cur, i, quoted, have = [], [], 0, False, False
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == "'":
                quoted = False
            else:
                cur.append(ch)
        elif ch == "'":
            quoted, have = True, True
        elif ch == "\\":
            i += 1
            cur.append(line[i])
            have = True
        elif ch in " \t":
            if cur or have:
                tokens.append("".join(cur))
            cur, have = [], False
        else:
            cur.append(ch)
        i += 1
    assert not quoted, f"unterminated quote in {line!r}"
    if cur or have:
        tokens.append("".join(cur))
    return tokens


# ----------------------------------------------------------------------------- frame rates


@pytest.mark.parametrize(
    ("fps", "expected"),
    [
        (29.97, Fraction(30000, 1001)),
        (23.976, Fraction(24000, 1001)),
        (23.98, Fraction(24000, 1001)),
        (59.94, Fraction(60000, 1001)),
        (25.0, Fraction(25)),
        (30, Fraction(30)),
        ((30000, 1001), Fraction(30000, 1001)),
        ("24000/1001", Fraction(24000, 1001)),
        (Fraction(50), Fraction(50)),
        (12.5, Fraction(25, 2)),
    ],
)
def test_frame_rates_are_exact(fps: object, expected: Fraction) -> None:
    assert as_rate(fps, caller="t") == expected


@pytest.mark.parametrize("fps", [0, -25, float("nan"), float("inf"), "x", True, (1, 0), (1, 2, 3)])
def test_bad_frame_rates(fps: object) -> None:
    with pytest.raises(InvalidParameterError, match="'fps' parameter"):
        as_rate(fps, caller="t")


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("../x", "x"),
        ("/abs/path", "abs_path"),
        ("a/b", "a_b"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("COM1", "_COM1"),
        ("", "clip"),
        ("...", "clip"),
        ("..\\..\\win", "win"),
        (" .hidden", "hidden"),
        ("弾幕 すごい!", "弾幕_すごい"),
        ("ｆｕｌｌ", "full"),
        ("a\x00b\nc", "a_b_c"),
    ],
)
def test_safe_filename_table(label: str, expected: str) -> None:
    assert safe_filename(label, fallback="clip") == expected


def test_safe_filename_length_and_fallback() -> None:
    assert len(safe_filename("x" * 500, fallback="c", max_len=30)) == 30
    assert len(safe_filename("字" * 300, fallback="c", max_len=255).encode()) <= 200
    assert safe_filename("///", fallback="../") == "untitled"
    with pytest.raises(InvalidParameterError):
        safe_filename(None, fallback="c")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(label=st.text(max_size=120))
def test_safe_filename_never_escapes(label: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    name = safe_filename(label, fallback="clip")
    assert name and name not in {".", ".."} and not name.startswith((".", "-"))
    assert not any(ch in name for ch in "/\\\x00\n\r:")
    assert name.split(".", 1)[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    out = tmp_path_factory.getbasetemp() / "names"
    child = safe_child(out, name + ".srt")
    assert child.parent == out.resolve()


@pytest.mark.parametrize(
    "name",
    ["../x", "/abs", "a/b", "", ".", "..", "x\x00y", "..\\x" if os.sep == "\\" else "a/../b"],
)
def test_safe_child_rejects_escapes(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidParameterError):
        safe_child(tmp_path, name)


def test_safe_child_rejects_symlink_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "link.txt").symlink_to(outside / "target.txt")
    with pytest.raises(InvalidParameterError, match="outside"):
        safe_child(out, "link.txt")
    assert safe_child(out, "ok.txt") == (out / "ok.txt").resolve()


def test_one_line_removes_every_line_break() -> None:
    for label in HOSTILE:
        line = one_line(label)
        assert line.splitlines() == ([line] if line else [])
        assert not re.search(r"[\x00-\x1f\x7f-\x9f]", line)


# ----------------------------------------------------------------------------- hostile labels


def test_srt_and_vtt_parse_back_to_the_same_spans() -> None:
    clips = hostile_clips()[::-1]  # given in reverse: cues must come out in time order
    want = [t for c in sorted(clips, key=lambda c: c.start_s) for t in (c.start_s, c.end_s)]
    for fmt in ("srt", "vtt"):
        cues = parse_cues(render_text(clips, format=fmt), vtt=fmt == "vtt")
        assert [t for a, b, _ in cues for t in (a, b)] == pytest.approx(want, abs=5e-4)
        assert all(len(p) == 2 and p[1].startswith("score ") for _, _, p in cues)
    vtt = render_text(clips, format="vtt")
    assert "<script>" not in vtt and "&lt;script&gt;" in vtt
    assert vtt.count("-->") == len(clips)
    assert render_text(clips, format="srt").count("-->") == len(clips)


def test_srt_millisecond_rounding_over_hours() -> None:
    clip = Clip(3 * 3600 + 59 * 60 + 59.9996, 4 * 3600 + 0.0004, 14400.0, 1.0, 1)
    ((a, b, _),) = parse_cues(render_text([clip], format="srt"), vtt=False)
    assert (a, b) == (14400.0, 14400.0)
    assert "04:00:00,000 --> 04:00:00,000" in render_text([clip], format="srt")


def test_csv_round_trips_and_defuses_formulas() -> None:
    clips = hostile_clips()
    rows = list(csv.reader(io.StringIO(render_text(clips, format="csv"))))
    assert rows[0][:3] == ["rank", "start_s", "end_s"]
    assert len(rows) == len(clips) + 1
    for clip, row in zip(clips, rows[1:], strict=True):
        assert float(row[1]) == pytest.approx(clip.start_s, abs=5e-4)
        assert float(row[2]) == pytest.approx(clip.end_s, abs=5e-4)
        label = row[6]
        assert "\n" not in label and "\r" not in label
        assert not label.startswith(("=", "+", "-", "@"))
        flat = one_line(clip.label)
        assert label == ("'" + flat if flat.startswith(("=", "+", "-", "@")) else flat)
        assert json.loads(row[8]) == pytest.approx(clip.contributions)


def test_json_is_versioned_and_lossless() -> None:
    clips = hostile_clips()
    doc = json.loads(render_text(clips, format="json", fps=29.97, media_path="v.mp4",
                                 duration_s=600.0))
    assert doc["schema"] == "highlights.clips" and doc["schema_version"] == 1
    assert (doc["media"]["fps_num"], doc["media"]["fps_den"]) == (30000, 1001)
    assert [c["label"] for c in doc["clips"]] == [c.label for c in clips]
    assert [c["start_s"] for c in doc["clips"]] == pytest.approx(
        [c.start_s for c in clips], abs=5e-4
    )
    assert [c["keywords"] for c in doc["clips"]] == [list(c.keywords) for c in clips]


def test_ffconcat_quotes_paths_and_cannot_be_forged(tmp_path: Path) -> None:
    clips = hostile_clips()[:3]
    media = tmp_path / "it's a 'vod' \\ 1.mp4"
    text = render_text(clips, format="ffconcat", media_path=media)
    lines = text.splitlines()
    assert lines[0] == "ffconcat version 1.0"
    assert len(lines) == 1 + 3 * len(clips)
    for i, clip in enumerate(clips):
        f, a, b = (ffconcat_tokens(line) for line in lines[1 + 3 * i : 4 + 3 * i])
        assert f == ["file", str(media)]
        assert a[0] == "inpoint" and float(a[1]) == pytest.approx(clip.start_s)
        assert b[0] == "outpoint" and float(b[1]) == pytest.approx(clip.end_s)
    with pytest.raises(ExportError, match="line break"):
        render_text(clips, format="ffconcat", media_path=tmp_path / "x\nfile '/etc/passwd'")
    with pytest.raises(InvalidParameterError, match="media_path"):
        render_text(clips, format="ffconcat")


def test_every_format_keeps_one_line_per_label(tmp_path: Path) -> None:
    """No hostile label adds a line to any format (JSON escapes, others flatten)."""
    clips = hostile_clips()
    plain = [
        Clip(c.start_s, c.end_s, c.peak_s, c.score, c.rank, c.contributions, ("k", "w"), "plain")
        for c in clips
    ]
    for fmt in ("csv", "srt", "vtt", "ffconcat", "edl", "resolve_markers", "json"):
        kw = {"fps": 25, "media_path": tmp_path / "v.mp4", "duration_s": 1000.0}
        hostile = render_text(clips, format=fmt, **kw)
        benign = render_text(plain, format=fmt, **kw)
        assert len(hostile.splitlines()) == len(benign.splitlines()), fmt
        assert "\x00" not in hostile and "\r" not in hostile.replace("\r\n", "\n"), fmt


def test_chapters_from_hostile_clips() -> None:
    text = render_text(hostile_clips(), format="chapters", duration_s=1000.0)
    chapters = assert_youtube_rules(text, 1000.0)
    assert len(chapters) == len(HOSTILE) + 1  # all clips are >= 10 s apart, plus 0:00
    assert all("<" not in t and ">" not in t for _, t in chapters)


# ----------------------------------------------------------------------------- chapters


def test_chapters_text_formats_hours() -> None:
    text = chapters_text([(0, "Intro"), (75.9, "Boss"), (3700.2, "End")], duration_s=3800)
    assert text == "0:00 Intro\n1:15 Boss\n1:01:40 End\n"


@pytest.mark.parametrize(
    ("chapters", "duration_s", "match"),
    [
        ([(0, "a"), (20, "b")], None, "at least 3"),
        ([(5, "a"), (20, "b"), (40, "c")], None, "start at 0:00"),
        ([(0, "a"), (9.9, "b"), (40, "c")], None, "last >= 10"),
        ([(0, "a"), (40, "b"), (20, "c")], None, "ascend"),
        ([(0, "a"), (20, "b"), (40, "c")], 49.0, "last chapter"),
    ],
)
def test_chapters_text_rejects_rule_breaks(
    chapters: list[tuple[float, str]], duration_s: float | None, match: str
) -> None:
    with pytest.raises(ExportError, match=match):
        chapters_text(chapters, duration_s=duration_s)


def test_chapters_text_rejects_bad_items() -> None:
    with pytest.raises(InvalidParameterError):
        chapters_text([(0, "a"), (float("nan"), "b"), (40, "c")])
    with pytest.raises(InvalidParameterError):
        chapters_text([(0, "a"), "20 b", (40, "c")])  # type: ignore[list-item]


def test_chapters_too_short_stream_raises_clear_error() -> None:
    clips = [Clip(1.0, 5.0, 2.0, 1.0, 1), Clip(12.0, 20.0, 14.0, 0.5, 2)]
    with pytest.raises(ExportError, match="Only 2 YouTube chapter"):
        chapters_from_clips(clips, duration_s=25.0)


def test_chapters_prefer_high_scores_then_fall_back_to_count() -> None:
    # 15 is the best, but taking it leaves 2 chapters; 10 and 20 give the needed 3.
    clips = [
        Clip(15.0, 18.0, 16.0, 0.9, 1, label="best"),
        Clip(10.0, 12.0, 11.0, 0.5, 2, label="a"),
        Clip(20.0, 22.0, 21.0, 0.4, 3, label="b"),
    ]
    assert [s for s, _ in chapters_from_clips(clips, duration_s=30.0)] == [0.0, 10.0, 20.0]
    # With room, the best clip wins the slot over its neighbour.
    clips2 = [
        Clip(60.0, 70.0, 61.0, 0.9, 1, label="best"),
        Clip(55.0, 70.0, 56.0, 0.1, 2, label="near"),
        Clip(100.0, 110.0, 101.0, 0.5, 3, label="c"),
    ]
    assert chapters_from_clips(clips2, duration_s=200.0) == [
        (0.0, "Start"),
        (60.0, "best"),
        (100.0, "c"),
    ]


def max_chapters_reference(starts: list[int], end: float) -> int:
    """Slow reference: most chapters that fit (0:00 fixed), by brute-force DP over starts."""
    cand = sorted({s for s in starts if s >= 10 and end - s >= 10})
    best = {0: 1}  # last start -> chapters so far
    for s in cand:
        prev = [n for last, n in best.items() if s - last >= 10]
        if prev:
            best[s] = max(prev) + 1
    return max(best.values()) if end >= 10 else 0


@settings(max_examples=200, deadline=None)
@given(
    duration_s=st.floats(min_value=1.0, max_value=20000.0),
    spans=st.lists(
        st.tuples(st.floats(0, 1), st.floats(0.5, 120.0), st.floats(-5, 5)), max_size=40
    ),
)
def test_chapters_obey_youtube_rules(
    duration_s: float, spans: list[tuple[float, float, float]]
) -> None:
    clips = []
    for rank, (u, length, score) in enumerate(spans, start=1):
        start = u * max(duration_s - 0.5, 0.0)
        clips.append(
            Clip(
                start,
                min(start + length, duration_s) + 1e-3,
                start,
                score,
                rank,
                label=f"clip {rank}",
            )
        )
    feasible = max_chapters_reference([math.floor(c.start_s) for c in clips], duration_s) >= 3
    try:
        text = export_text = chapters_text(
            chapters_from_clips(clips, duration_s=duration_s), duration_s=duration_s
        )
    except ExportError:
        assert not feasible
        return
    assert feasible
    assert_youtube_rules(export_text, duration_s)
    assert text.endswith("\n")


# ----------------------------------------------------------------------------- writing


def test_export_refuses_to_overwrite(tmp_path: Path) -> None:
    clips = hostile_clips()
    out = export_clips(clips, tmp_path / "hl.srt")
    before = out.read_bytes()
    with pytest.raises(OutputExistsError, match="overwrite=True"):
        export_clips(clips[:1], out)
    assert out.read_bytes() == before
    export_clips(clips[:1], out, overwrite=True)
    assert out.read_bytes() != before and len(parse_cues(out.read_text(), vtt=False)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hl.srt"]


def test_export_refuses_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / "hl.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(OutputExistsError):
        export_clips(hostile_clips(), tmp_path / "hl.json")
    assert not (tmp_path / "elsewhere.json").exists()


def test_export_infers_format_and_validates(tmp_path: Path) -> None:
    clips = hostile_clips()
    assert export_clips(clips, tmp_path / "a.vtt").read_text().startswith("WEBVTT\n")
    assert (
        export_clips(clips, tmp_path / "c.TXT", duration_s=1000.0).read_text().startswith("0:00 ")
    )
    with pytest.raises(InvalidParameterError, match="'format'"):
        export_clips(clips, tmp_path / "a.mp4")
    with pytest.raises(InvalidParameterError, match="'format'"):
        export_clips(clips, tmp_path / "a.json", format="yaml")
    with pytest.raises(InvalidParameterError, match="'fps'"):
        export_clips(clips, tmp_path / "a.edl")
    with pytest.raises(InvalidParameterError, match="start_s < end_s"):
        export_clips([Clip(5.0, 5.0, 5.0, 1.0, 1)], tmp_path / "b.json")
    with pytest.raises(InvalidParameterError, match="finite"):
        export_clips([Clip(0.0, float("nan"), 0.0, 1.0, 1)], tmp_path / "b.json")
    with pytest.raises(InvalidParameterError, match="Clip"):
        export_clips([(0.0, 1.0)], tmp_path / "b.json")  # type: ignore[list-item]
    with pytest.raises(ExportError, match="does not exist"):
        export_clips(clips, tmp_path / "missing" / "a.json")
    # A rate SMPTE timecode lacks is conformed to a standard timeline (12.5 -> 25 fps).
    assert "timeline 25 fps" in export_clips(clips, tmp_path / "a.edl", fps=12.5).read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.edl", "a.vtt", "c.TXT"]


def test_every_format_writes_and_accepts_a_generator(tmp_path: Path) -> None:
    for fmt in FORMATS:
        out = export_clips(
            (c for c in hostile_clips()),
            tmp_path / f"x.{fmt}",
            format=fmt,
            fps=(30000, 1001),
            media_path=tmp_path / "v.mp4",
            duration_s=1000.0,
        )
        assert out.stat().st_size > 0, fmt


def test_failed_write_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "hl.json"
    target.write_text("original")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ExportError, match="No space left"):
        export_clips(hostile_clips(), tmp_path / "new.json")
    with pytest.raises(ExportError, match="No space left"):
        export_clips(hostile_clips(), target, overwrite=True)
    assert target.read_text() == "original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hl.json"]


def test_failed_rename_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "replace", broken)
    monkeypatch.setattr(os, "link", broken)
    with pytest.raises(ExportError, match="I/O error"):
        atomic_write_text(tmp_path / "a.txt", "data", overwrite=True)
    with pytest.raises(ExportError, match="I/O error"):
        atomic_write_text(tmp_path / "b.txt", "data")
    assert list(tmp_path.iterdir()) == []


def test_written_file_gets_normal_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    out = atomic_write_text(tmp_path / "p.txt", "x")
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_atomic_output_commits_only_on_success(tmp_path: Path) -> None:
    from highlights.export._safe import atomic_output

    with atomic_output(tmp_path / "a.mp4") as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".mp4" and tmp.name.startswith(".")
        tmp.write_bytes(b"ok")
    assert (tmp_path / "a.mp4").read_bytes() == b"ok"
    with pytest.raises(RuntimeError), atomic_output(tmp_path / "b.mp4") as tmp:
        tmp.write_bytes(b"partial")
        raise RuntimeError("writer failed")
    with pytest.raises(ExportError, match="Nothing was written"), atomic_output(tmp_path / "c.mp4"):
        pass
    with pytest.raises(OutputExistsError), atomic_output(tmp_path / "a.mp4"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4"]


def test_atomic_output_turns_a_writer_os_error_into_one_clear_error(tmp_path: Path) -> None:
    """A writer (matplotlib, PyAV) that cannot create its file: no bare OSError escapes."""
    from highlights.export._safe import atomic_output

    with pytest.raises(ExportError, match=r"Cannot write .*x\.png.*: No such file") as exc, \
            atomic_output(tmp_path / "x.png") as tmp:
        open(tmp.parent / "gone" / tmp.name, "wb")  # noqa: SIM115 - fails like a writer would
    assert isinstance(exc.value.__cause__, FileNotFoundError)
    with pytest.raises(OutputExistsError), atomic_output(tmp_path / "y.png") as tmp:
        raise OutputExistsError("a library error passes through unchanged")
    assert not list(tmp_path.iterdir())
