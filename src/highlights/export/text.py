"""Text exports: JSON, CSV, SRT, WebVTT, YouTube chapters and ffmpeg concat lists.

Each ``render_*`` function returns the whole file as a string; writing (atomic,
no clobbering) is done by :func:`highlights.export.export_clips`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Sequence
from fractions import Fraction
from numbers import Real
from typing import Any

from .._schema import CLIPS_SCHEMA, CLIPS_SCHEMA_VERSION
from .._validate import check_positive, fail
from ..errors import ExportError
from ..selection.chapters import MIN_CHAPTER_S, chapter_rule_problem
from ..types import Clip
from ._safe import one_line

__all__ = [
    "render_json",
    "render_csv",
    "render_srt",
    "render_vtt",
    "render_ffconcat",
    "chapters_text",
]


#: CSV columns, in order.
CSV_COLUMNS = ("rank", "start_s", "end_s", "duration_s", "peak_s", "score", "label",
               "keywords", "contributions")


def _clip_title(clip: Clip, *, max_len: int = 100) -> str:
    return one_line(clip.label, max_len=max_len) or f"Highlight {clip.rank}"


# --------------------------------------------------------------------------- JSON / CSV


_JSON_LINE_BREAKS = re.compile("[\x7f-\x9f\u2028\u2029]")


def render_json(clips: Sequence[Clip], *, title: str = "highlights", media_path: Any = None,
                fps: Fraction | None = None, duration_s: float | None = None) -> str:
    r"""Render clips as a versioned JSON document.

    The document is ``{"schema": "highlights.clips", "schema_version": 1, "title",
    "media": {"path", "fps", "fps_num", "fps_den", "duration_s"}, "clips": [...]}``;
    each clip is :meth:`Clip.to_dict` (seconds, rounded to milliseconds). Labels are
    kept verbatim; every control character and U+2028/U+2029 is ``\u``-escaped.
    """
    doc = {
        "schema": CLIPS_SCHEMA,
        "schema_version": CLIPS_SCHEMA_VERSION,
        "title": str(title),
        "media": {
            "path": None if media_path is None else os.fspath(media_path),
            "fps": None if fps is None else float(fps),
            "fps_num": None if fps is None else fps.numerator,
            "fps_den": None if fps is None else fps.denominator,
            "duration_s": duration_s,
        },
        "clips": [clip.to_dict() for clip in clips],
    }
    try:
        text = json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"Clips cannot be written as JSON: {exc}") from exc
    # JSON leaves these raw, but they break lines for many readers (and JavaScript).
    return _JSON_LINE_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def _csv_text(value: str) -> str:
    """One line, and neutralise spreadsheet formulas (CSV injection)."""
    text = one_line(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def render_csv(clips: Sequence[Clip]) -> str:
    """Render clips as CSV (one row per clip, columns :data:`CSV_COLUMNS`).

    Times are seconds with millisecond precision; ``keywords`` are joined with
    ``"; "``; ``contributions`` is a JSON object. Text cells are made single-line and
    cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...) are
    prefixed with ``'``. Quoting is done by the :mod:`csv` module.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for clip in clips:
        d = clip.to_dict()
        writer.writerow([
            d["rank"], f"{d['start_s']:.3f}", f"{d['end_s']:.3f}", f"{d['duration_s']:.3f}",
            f"{d['peak_s']:.3f}", f"{d['score']:.6g}", _csv_text(clip.label),
            _csv_text("; ".join(one_line(k) for k in clip.keywords)),
            json.dumps(d["contributions"], ensure_ascii=False, sort_keys=True),
        ])
    return buf.getvalue()


# --------------------------------------------------------------------------- SRT / WebVTT


def _ms(t_s: float) -> int:
    return math.floor(t_s * 1000.0 + 0.5)


def _cue_time(t_s: float, sep: str) -> str:
    hh, rem = divmod(_ms(t_s), 3_600_000)
    mm, rem = divmod(rem, 60_000)
    ss, ms = divmod(rem, 1000)
    return f"{hh:02d}:{mm:02d}:{ss:02d}{sep}{ms:03d}"


def _no_arrow(text: str) -> str:
    while "-->" in text:
        text = text.replace("-->", "->")
    return text


def _cue_lines(clip: Clip) -> tuple[str, str]:
    return f"#{clip.rank} {_clip_title(clip, max_len=200)}", f"score {clip.score:.3f}"


def render_srt(clips: Sequence[Clip]) -> str:
    """Render one SubRip cue per clip, in time order, numbered from 1.

    Each cue shows ``#rank label`` and ``score x.xxx``. Labels are made single-line
    (no blank line can end a cue early) and ``-->`` is defused to ``->``.
    """
    blocks = []
    for i, clip in enumerate(sorted(clips, key=lambda c: (c.start_s, c.end_s)), start=1):
        head, score = _cue_lines(clip)
        blocks.append(
            f"{i}\n{_cue_time(clip.start_s, ',')} --> {_cue_time(clip.end_s, ',')}\n"
            f"{_no_arrow(head)}\n{score}\n"
        )
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_vtt(clips: Sequence[Clip]) -> str:
    """Render a WebVTT file with one cue per clip, in time order.

    Cue identifiers are ``hl-<rank>``; text is single-line per field with ``&``, ``<``
    and ``>`` escaped as entities, so ``-->`` cannot occur in a cue payload.
    """
    out = ["WEBVTT\n"]
    for clip in sorted(clips, key=lambda c: (c.start_s, c.end_s)):
        head, score = _cue_lines(clip)
        out.append(
            f"hl-{clip.rank}\n{_cue_time(clip.start_s, '.')} --> {_cue_time(clip.end_s, '.')}\n"
            f"{_vtt_escape(head)}\n{score}\n"
        )
    return "\n".join(out)


# --------------------------------------------------------------------------- ffconcat


def _ffconcat_quote(path: str) -> str:
    return "'" + path.replace("'", "'\\''") + "'"


def render_ffconcat(clips: Sequence[Clip], *, media_path: Any) -> str:
    r"""Render an ffmpeg concat-demuxer list that plays the clips in the given order.

    Each clip becomes ``file '<absolute media path>'`` with ``inpoint``/``outpoint``
    in seconds (microsecond precision). A ``'`` in the path is written as ``'\\''``.
    The path is absolute, so run ffmpeg with ``-f concat -safe 0``. With ``-c copy``
    and inter-frame codecs, packets from the keyframe before ``inpoint`` leak in.

    Raises
    ------
    InvalidParameterError
        If ``media_path`` is missing.
    ExportError
        If the path contains a line break or NUL (the list is line-based).
    """
    if media_path is None:
        raise fail("media_path", "export_clips(format='ffconcat')", "a media file path", None)
    path = os.path.abspath(os.fspath(media_path))
    if any(ch in path for ch in "\r\n\x00"):
        raise ExportError(f"An ffconcat list cannot name a path with a line break: {path!r}.")
    quoted = _ffconcat_quote(path)
    lines = ["ffconcat version 1.0"]
    for clip in clips:
        lines += [f"file {quoted}", f"inpoint {clip.start_s:.6f}", f"outpoint {clip.end_s:.6f}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- chapters


def _chapter_title(title: object, index: int) -> str:
    text = one_line(title, max_len=100).replace("<", "").replace(">", "").strip()
    return text or f"Chapter {index + 1}"


def _stamp(second: int) -> str:
    hh, rem = divmod(second, 3600)
    mm, ss = divmod(rem, 60)
    return f"{hh}:{mm:02d}:{ss:02d}" if hh else f"{mm}:{ss:02d}"


def chapters_text(chapters: Sequence[tuple[float, str]], *, duration_s: float | None = None,
                  min_chapter_s: float = MIN_CHAPTER_S) -> str:
    """Format chapters as YouTube description text, enforcing YouTube's rules.

    The rules are :func:`highlights.selection.chapters.chapter_rule_problem`'s: the
    first chapter starts at ``0:00``; there are at least 3; starts ascend and every
    chapter, the last one included (when ``duration_s`` is known), lasts at least
    ``min_chapter_s``. Start times are floored to whole seconds and written ``M:SS``
    (``H:MM:SS`` from one hour on).

    Parameters
    ----------
    chapters : sequence of (float, str)
        ``(start_s, title)`` pairs, start in seconds from the media start. Titles are
        made single-line, stripped of ``<``/``>`` and cut to 100 characters.
    duration_s : float, optional
        Media duration in seconds, to check the last chapter's length.
    min_chapter_s : float, default 10.0
        Minimum chapter length in seconds.

    Returns
    -------
    str
        One ``"<timestamp> <title>"`` line per chapter, ending with a newline.

    Raises
    ------
    ExportError
        If the chapters break a rule; the message names the rule and the chapter.
    InvalidParameterError
        If an item is not a ``(start_s, title)`` pair with a finite start >= 0.

    Examples
    --------
    >>> print(chapters_text([(0, "Intro"), (75.4, "Boss"), (3700, "End")]), end="")
    0:00 Intro
    1:15 Boss
    1:01:40 End
    """
    caller = "chapters_text"
    min_len = check_positive("min_chapter_s", caller, min_chapter_s)
    starts: list[int] = []
    titles: list[str] = []
    for i, item in enumerate(chapters):
        if not (isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2):
            raise fail(f"chapters[{i}]", caller, "a (start_s, title) pair", item)
        start, title = item
        if isinstance(start, bool) or not isinstance(start, Real) or not math.isfinite(start) \
                or start < 0:
            raise fail(f"chapters[{i}]", caller, "a pair with a finite start_s >= 0", item)
        starts.append(math.floor(start))
        titles.append(_chapter_title(title, i))
    problem = chapter_rule_problem(starts, duration_s=None if duration_s is None else
                                   check_positive("duration_s", caller, duration_s),
                                   min_chapter_s=min_len, titles=titles, stamp=_stamp)
    if problem:
        raise ExportError(problem)
    return "".join(f"{_stamp(s)} {t}\n" for s, t in zip(starts, titles, strict=True))
