"""Labels a channel already has, read from what it published: :func:`load_labels`.

Every reader turns its source into :class:`Labels`: spans in **VOD seconds**, each
with a weight (0-1, how strongly it says "highlight") and where it came from.

============================ ===========================================================
format                       what is read
============================ ===========================================================
``twitch_clips``             Twitch Helix ``GET /clips`` responses: ``{"data": [{...,
                             "vod_offset", "duration", "view_count", "created_at"}]}``
                             (or the bare list).  A clip is ``[vod_offset, vod_offset +
                             duration)``, weighted by ``log(1 + views)`` relative to the
                             most viewed.  Clips whose ``vod_offset`` is null (the VOD
                             did not exist yet, or is gone) are reported, never guessed.
``youtube_heatmap``          YouTube "most replayed": a yt-dlp ``.info.json``
                             (``heatmap``: ``start_time``, ``end_time``, ``value``) or
                             the raw markers (``startMillis``, ``durationMillis``,
                             ``intensityScoreNormalized``); peaks become spans by
                             :func:`heatmap_spans` (rules there).  The heatmap must be the
                             VOD's own (a VOD uploaded to YouTube).
``timeline``                 editor timelines that reference the VOD: CMX 3600 EDL,
                             OpenTimelineIO ``.otio``, Final Cut Pro 7 XML, FCPXML (read
                             through OpenTimelineIO: the ``export`` extra, and
                             ``otio-fcpx-xml-adapter`` for FCPXML).  Each clip's source
                             range is a span; clips of other media are reported.
``spans``                    CSV or JSON span lists: ``start_s,end_s[,weight][,label]``
                             columns (``start``/``end`` too, seconds or ``HH:MM:SS.mmm``),
                             a JSON list of ``{"start_s", "end_s"}`` objects or pairs, or
                             this library's ``highlights.clips``/``highlights.result`` files.
``review``                   the review page's decisions (``schema =
                             "highlights.review"``, v1): accepted clips (their edited
                             range when given) are spans; rejected ones are kept as
                             :attr:`Labels.negatives`; undecided ones are counted.
``published``                a published video (highlight video, short): aligned to the
                             VOD with :func:`highlights.align_published`; its segments'
                             source spans are the labels, weighted by confidence.
============================ ===========================================================

Detection is by content, never by file name.  Bad input raises a one-line
:class:`~highlights.errors.LabelError`; spans that stick out of the VOD are clipped,
spans wholly outside it are dropped, and both are reported (a
:class:`~highlights.errors.LabelWarning` and :attr:`Labels.notes`): nothing is
dropped silently.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._schema import LABELS_SCHEMA, LABELS_SCHEMA_VERSION, REVIEW_SCHEMA
from .errors import HighlightsError, LabelError, LabelWarning, MediaError

__all__ = ["Labels", "LabelSpan", "load_labels", "heatmap_spans", "LABEL_FORMATS"]

log = logging.getLogger(__name__)

#: Formats :func:`load_labels` reads (``format=`` values besides ``"auto"``).
LABEL_FORMATS = ("twitch_clips", "youtube_heatmap", "timeline", "spans", "review",
                 "published")
#: Label files larger than this are refused before parsing (bytes).
MAX_LABEL_BYTES = 64 * 1024 * 1024
#: Heatmap peak rules (see :func:`heatmap_spans`).
HEATMAP_MIN_VALUE = 0.5
HEATMAP_GROW = 0.7
HEATMAP_SKIP_START = 0.03
_MEDIA_MAGIC = (b"ftyp", b"\x1aE\xdf\xa3", b"FLV", b"RIFF", b"OggS", b"\x00\x00\x01\xba")


# =============================================================================== types
@dataclass(frozen=True)
class LabelSpan:
    """One labelled span of the VOD.

    Attributes
    ----------
    start_s, end_s : float
        The span, seconds from the VOD's media start.
    weight : float
        0-1: how strongly the source calls it a highlight (views, replay intensity,
        alignment confidence; 1 when the source has no such measure).
    origin : str
        What produced it (``"twitch_clips"``, ``"youtube_heatmap"``, ...).
    label : str
        A title, clip name or id when the source has one.
    """

    start_s: float
    end_s: float
    weight: float = 1.0
    origin: str = ""
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"start_s": self.start_s, "end_s": self.end_s, "weight": self.weight,
                "origin": self.origin, "label": self.label}


@dataclass(frozen=True)
class Labels:
    """Spans of a VOD that its channel marked as highlights, one way or another.

    Attributes
    ----------
    spans : tuple of LabelSpan
        Positive spans, sorted by start.
    source : str
        The file they were read from.
    format : str
        One of :data:`LABEL_FORMATS`.
    negatives : tuple of LabelSpan
        Spans explicitly marked as *not* highlights (rejected in review).
    notes : tuple of str
        What was reported while reading (clipped or skipped entries, caveats).
    """

    spans: tuple[LabelSpan, ...]
    source: str = ""
    format: str = ""
    negatives: tuple[LabelSpan, ...] = ()
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.spans)

    def array(self) -> NDArray[np.float64]:
        """The spans as an ``(n, 2)`` array of seconds (what ``HighlightModel`` takes)."""
        if not self.spans:
            return np.zeros((0, 2))
        return np.array([[s.start_s, s.end_s] for s in self.spans], dtype=np.float64)

    @property
    def weights(self) -> NDArray[np.float64]:
        """The spans' weights."""
        return np.array([s.weight for s in self.spans], dtype=np.float64)

    def merged(self, other: Labels) -> Labels:
        """These labels and ``other``'s together (one VOD, several sources)."""
        return Labels(spans=tuple(sorted((*self.spans, *other.spans),
                                         key=lambda s: (s.start_s, s.end_s))),
                      source=", ".join(x for x in (self.source, other.source) if x),
                      format=self.format if self.format == other.format else "mixed",
                      negatives=(*self.negatives, *other.negatives),
                      notes=(*self.notes, *other.notes))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``schema = "highlights.labels"``, version 1)."""
        return {"schema": LABELS_SCHEMA, "schema_version": LABELS_SCHEMA_VERSION,
                "source": self.source, "format": self.format,
                "spans": [s.to_dict() for s in self.spans],
                "negatives": [s.to_dict() for s in self.negatives], "notes": list(self.notes)}


# =============================================================================== helpers
def _bad(path: str, why: str) -> LabelError:
    return LabelError(" ".join(f"{path}: {why}".split()))


def _number(value: Any, what: str, path: str, *, allow_none: bool = False) -> float | None:
    """A finite number from JSON (numbers, numeric strings); None only if allowed."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool):
        raise _bad(path, f"{what} must be a number, got {value!r}")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _bad(path, f"{what} must be a number, got {value[:40]!r}") from None
    if not isinstance(value, (int, float)):
        raise _bad(path, f"{what} must be a number, got {type(value).__name__}")
    try:
        out = float(value)
    except OverflowError:
        raise _bad(path, f"{what} is too large") from None
    if not math.isfinite(out):
        raise _bad(path, f"{what} must be finite, got {value!r}")
    return out


_HMS = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)\s*$")


def _seconds(value: Any, what: str, path: str) -> float:
    """Seconds from a number or ``[[H:]M]M:SS(.mmm)``."""
    if isinstance(value, str) and ":" in value:
        m = _HMS.match(value)
        if m is None:
            raise _bad(path, f"{what} must be seconds or H:MM:SS, got {value[:40]!r}")
        h = int(m.group(1) or 0)
        return h * 3600 + int(m.group(2)) * 60 + float(m.group(3).replace(",", "."))
    out = _number(value, what, path)
    assert out is not None
    return out


def _text(value: Any, limit: int = 200) -> str:
    return " ".join(str(value).split())[:limit] if value is not None else ""


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_LABEL_BYTES:
            raise _bad(str(path), f"{size} bytes is too large for a label file")
        return path.read_bytes()
    except FileNotFoundError:
        raise LabelError(f"Label file not found: {str(path)!r}.") from None
    except IsADirectoryError:
        raise LabelError(f"Expected a label file, got a directory: {str(path)!r}.") from None
    except OSError as exc:
        raise LabelError(f"Cannot read {str(path)!r}: {exc.strerror or exc}.") from None


def _json(text: str, path: str) -> Any:
    def reject(name: str) -> Any:
        raise ValueError(f"non-finite number {name}")

    try:
        return json.loads(text, parse_constant=reject)
    except RecursionError:
        raise _bad(path, "JSON nested too deeply") from None
    except ValueError as exc:
        raise _bad(path, f"not valid JSON ({str(exc)[:80]})") from None


# =============================================================================== detection
def _looks_like_media(head: bytes) -> bool:
    return any(m in head[:16] for m in _MEDIA_MAGIC) or head[:1] == b"\x47" and (
        len(head) > 188 and head[188:189] == b"\x47")


def detect_label_format(data: bytes, path: str = "<bytes>") -> str:
    """The label format of a file's content (see :data:`LABEL_FORMATS`).

    Raises
    ------
    LabelError
        When the content is none of them.
    """
    if _looks_like_media(data[:400]):
        return "published"
    text = _decode(data, path)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        doc = _json(stripped, path)
        return _json_kind(doc, path)
    head = stripped[:4000]
    if "<xmeml" in head or "<fcpxml" in head:
        return "timeline"
    if re.search(r"(?m)^\s*TITLE:", head) or re.search(r"(?m)^\d{3,6}\s+\S+\s+[AVB]", head):
        return "timeline"
    if "," in head or "\t" in head or ";" in head:
        return "spans"
    raise _bad(path, "not a label file this library reads (Twitch clips, a YouTube "
               "heatmap, an EDL/OTIO/FCP XML timeline, a CSV/JSON span list, review "
               "decisions or a published video)")


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for enc in ("utf-16",):
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                break
    raise _bad(path, "not UTF-8 text (label files are UTF-8)")


def _json_kind(doc: Any, path: str) -> str:
    if isinstance(doc, dict):
        if doc.get("schema") == REVIEW_SCHEMA:
            return "review"
        if "OTIO_SCHEMA" in doc:
            return "timeline"
        if "heatmap" in doc:
            return "youtube_heatmap"
        data = doc.get("data")
        if isinstance(data, list) and (not data or isinstance(data[0], dict)
                                       and "vod_offset" in data[0]):
            return "twitch_clips"
        if isinstance(doc.get("clips"), list) or isinstance(doc.get("spans"), list):
            return "spans"
    if isinstance(doc, list) and doc:
        first = doc[0]
        if isinstance(first, dict):
            if "vod_offset" in first:
                return "twitch_clips"
            if "startMillis" in first or "intensityScoreNormalized" in first:
                return "youtube_heatmap"
            return "spans"
        if isinstance(first, (list, tuple)):
            return "spans"
    if isinstance(doc, list):
        return "spans"
    raise _bad(path, "JSON that is none of the label formats (Twitch clips, a YouTube "
               "heatmap, OTIO, a span list, review decisions)")


# =============================================================================== readers
def _twitch(doc: Any, path: str, notes: list[str]) -> list[LabelSpan]:
    items = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise _bad(path, "Twitch clips need a 'data' list")
    rows = []
    missing: list[str] = []
    videos: set[str] = set()
    for i, clip in enumerate(items):
        if not isinstance(clip, dict):
            raise _bad(path, f"clip {i} is not an object")
        cid = _text(clip.get("id") or clip.get("url") or f"#{i}", 80)
        if "vod_offset" not in clip:
            raise _bad(path, f"clip {cid} has no 'vod_offset'")
        off = _number(clip.get("vod_offset"), f"clip {cid} vod_offset", path, allow_none=True)
        dur = _number(clip.get("duration", 30.0), f"clip {cid} duration", path)
        views = _number(clip.get("view_count", 0), f"clip {cid} view_count", path)
        assert dur is not None and views is not None
        if clip.get("video_id"):
            videos.add(_text(clip.get("video_id"), 40))
        if off is None:
            missing.append(cid)
            continue
        if dur <= 0:
            raise _bad(path, f"clip {cid} has duration {dur:g} s (must be > 0)")
        rows.append((off, off + dur, max(views, 0.0), _text(clip.get("title") or cid)))
    if missing:
        msg = (f"{len(missing)} Twitch clip(s) have no vod_offset (the VOD did not exist "
               f"yet or is gone) and were not used: {', '.join(missing[:5])}"
               + (" ..." if len(missing) > 5 else ""))
        notes.append(msg)
        warnings.warn(msg, LabelWarning, stacklevel=4)
    if len(videos) > 1:
        some = ", ".join(sorted(videos)[:4])
        msg = (f"the clips come from {len(videos)} different videos ({some}); pass one "
               "video's clips per VOD")
        notes.append(msg)
        warnings.warn(msg, LabelWarning, stacklevel=4)
    top = max((math.log1p(v) for *_, v, _ in rows), default=0.0)
    return [LabelSpan(a, b, weight=round(math.log1p(v) / top, 4) if top > 0 else 1.0,
                      origin="twitch_clips", label=t) for a, b, v, t in rows]


def heatmap_spans(starts_s: Sequence[float], ends_s: Sequence[float],
                  values: Sequence[float], *, min_value: float = HEATMAP_MIN_VALUE,
                  grow: float = HEATMAP_GROW, skip_start: float = HEATMAP_SKIP_START
                  ) -> list[tuple[float, float, float]]:
    """Spans around the peaks of a "most replayed" curve.

    Rules: values are scaled so the highest is 1.  A bin is a peak when it is a local
    maximum (>= both neighbours), at least ``min_value`` (0.5) and above the curve's
    median plus twice its median absolute deviation.  Bins in the first ``skip_start``
    share (3%) of the video are never peaks: everyone watches the start.  Each peak
    grows over its neighbours while they stay at least ``grow`` (0.7) times the peak;
    spans that touch are merged (keeping the higher peak).

    Parameters
    ----------
    starts_s, ends_s, values : sequence of float
        The bins (seconds) and their intensity.
    min_value, grow, skip_start : float
        The rules' thresholds (above).

    Returns
    -------
    list of (start_s, end_s, peak)
        Sorted by start; ``peak`` in (0, 1] is the span's weight.
    """
    a = np.asarray(starts_s, np.float64)
    b = np.asarray(ends_s, np.float64)
    v = np.asarray(values, np.float64)
    if v.size == 0 or not np.isfinite(v).all() or v.max() <= 0:
        return []
    order = np.argsort(a, kind="stable")
    a, b, v = a[order], b[order], v[order] / v.max()
    end = float(b.max())
    med = float(np.median(v))
    mad = float(np.median(np.abs(v - med)))
    left = np.r_[-np.inf, v[:-1]]
    right = np.r_[v[1:], -np.inf]
    peak = (v >= left) & (v >= right) & (v >= min_value) & (v > med + 2 * mad) & (
        a >= skip_start * end)
    spans: list[tuple[float, float, float]] = []
    for i in np.flatnonzero(peak):
        lo = hi = int(i)
        while lo > 0 and v[lo - 1] >= grow * v[i] and a[lo - 1] >= skip_start * end:
            lo -= 1
        while hi < v.size - 1 and v[hi + 1] >= grow * v[i]:
            hi += 1
        spans.append((float(a[lo]), float(b[hi]), float(v[i])))
    spans.sort()
    out: list[tuple[float, float, float]] = []
    for s in spans:
        if out and s[0] <= out[-1][1]:
            p = out[-1]
            out[-1] = (p[0], max(p[1], s[1]), max(p[2], s[2]))
        else:
            out.append(s)
    return [(x, y, round(w, 4)) for x, y, w in out]


def _heatmap(doc: Any, path: str, notes: list[str]) -> list[LabelSpan]:
    if isinstance(doc, dict):
        rows = doc.get("heatmap")
        if rows is None:
            msg = "the .info.json has no heatmap (the video has no 'most replayed' data)"
            notes.append(msg)
            warnings.warn(msg, LabelWarning, stacklevel=4)
            return []
        if not isinstance(rows, list):
            raise _bad(path, "'heatmap' must be a list")
        keys = ("start_time", "end_time", "value")
        scale = 1.0
    else:
        rows = doc
        keys = ("startMillis", "durationMillis", "intensityScoreNormalized")
        scale = 1000.0
    starts, ends, vals = [], [], []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or any(k not in row for k in keys):
            raise _bad(path, f"heatmap entry {i} needs {', '.join(keys)}")
        s = _number(row[keys[0]], f"heatmap entry {i} {keys[0]}", path)
        e = _number(row[keys[1]], f"heatmap entry {i} {keys[1]}", path)
        val = _number(row[keys[2]], f"heatmap entry {i} {keys[2]}", path)
        assert s is not None and e is not None and val is not None
        s, e = s / scale, e / scale
        if scale != 1.0:  # raw markers: a start and a duration
            e = s + e
        if e <= s or val < 0:
            raise _bad(path, f"heatmap entry {i} has an empty range or a negative value")
        starts.append(s)
        ends.append(e)
        vals.append(val)
    return [LabelSpan(a, b, weight=w, origin="youtube_heatmap", label="most replayed")
            for a, b, w in heatmap_spans(starts, ends, vals)]


def _spans_json(doc: Any, path: str) -> list[LabelSpan]:
    items = doc
    if isinstance(doc, dict):
        items = doc.get("clips") if isinstance(doc.get("clips"), list) else doc.get("spans")
    if not isinstance(items, list):
        raise _bad(path, "a span list must be a JSON list (or have 'spans' or 'clips')")
    out = []
    for i, it in enumerate(items):
        if isinstance(it, dict):
            s = it.get("start_s", it.get("start"))
            e = it.get("end_s", it.get("end"))
            if s is None or e is None:
                raise _bad(path, f"span {i} needs start_s and end_s")
            w = _number(it.get("weight", 1.0), f"span {i} weight", path)
            label = _text(it.get("label") or it.get("name") or "")
        elif isinstance(it, (list, tuple)) and len(it) in (2, 3):
            s, e = it[0], it[1]
            w = _number(it[2], f"span {i} weight", path) if len(it) == 3 else 1.0
            label = ""
        else:
            raise _bad(path, f"span {i} must be an object or a [start_s, end_s] pair")
        assert w is not None
        out.append(LabelSpan(_seconds(s, f"span {i} start", path),
                             _seconds(e, f"span {i} end", path), weight=w, origin="spans",
                             label=label))
    return out


_START_COLS = ("start_s", "start", "start_time", "in", "from")
_END_COLS = ("end_s", "end", "end_time", "out", "to")


def _spans_csv(text: str, path: str) -> list[LabelSpan]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        rows = [r for r in reader if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise _bad(path, f"not a readable CSV ({exc})") from None
    if not rows:
        return []
    head = [c.strip().lower() for c in rows[0]]
    si = next((head.index(c) for c in _START_COLS if c in head), None)
    ei = next((head.index(c) for c in _END_COLS if c in head), None)
    wi = head.index("weight") if "weight" in head else None
    li = next((head.index(c) for c in ("label", "title", "name") if c in head), None)
    body = rows[1:]
    if si is None or ei is None:
        try:  # no header: start, end[, weight]
            _seconds(rows[0][0], "start", path)
            si, ei, wi, body = 0, 1, (2 if len(rows[0]) > 2 else None), rows
        except (LabelError, IndexError):
            raise _bad(path, "a CSV span list needs start_s and end_s columns") from None
    out = []
    for n, r in enumerate(body, start=2 if body is not rows else 1):
        if max(si, ei) >= len(r):
            raise _bad(path, f"line {n} has too few columns")
        w = 1.0
        if wi is not None and wi < len(r) and r[wi].strip():
            w = _number(r[wi], f"line {n} weight", path) or 0.0
        out.append(LabelSpan(_seconds(r[si], f"line {n} start", path),
                             _seconds(r[ei], f"line {n} end", path), weight=w,
                             origin="spans",
                             label=_text(r[li]) if li is not None and li < len(r) else ""))
    return out


def _review(doc: Any, path: str, notes: list[str]) -> tuple[list[LabelSpan], list[LabelSpan]]:
    version = doc.get("schema_version")
    if version != 1:
        raise _bad(path, f"review decisions of schema_version {version!r}; this highlights "
                   "reads version 1")
    clips = doc.get("clips")
    if not isinstance(clips, list):
        raise _bad(path, "review decisions need a 'clips' list")
    pos, neg = [], []
    undecided = 0
    for i, c in enumerate(clips):
        if not isinstance(c, dict):
            raise _bad(path, f"clip {i} is not an object")
        decision = c.get("decision")
        if decision not in ("accepted", "rejected", "undecided"):
            raise _bad(path, f"clip {i} decision must be accepted, rejected or undecided, "
                       f"got {_text(decision, 30)!r}")
        s = _seconds(c.get("start_s"), f"clip {i} start_s", path)
        e = _seconds(c.get("end_s"), f"clip {i} end_s", path)
        es, ee = c.get("edited_start_s"), c.get("edited_end_s")
        if es is not None:
            s = _seconds(es, f"clip {i} edited_start_s", path)
        if ee is not None:
            e = _seconds(ee, f"clip {i} edited_end_s", path)
        span = LabelSpan(s, e, weight=1.0, origin="review", label=_text(c.get("label", "")))
        if decision == "accepted":
            pos.append(span)
        elif decision == "rejected":
            neg.append(span)
        else:
            undecided += 1
    if undecided:
        notes.append(f"{undecided} undecided review clip(s) are neither positive nor negative")
    return pos, neg


def _edl_rate(text: str, vod_fps: float | None) -> float:
    """Frame rate of an EDL's timecodes (an EDL does not say).

    Our own exports' comment, else the VOD's standard rate, else 29.97 for drop-frame
    and 30 otherwise.
    """
    m = re.search(r"HIGHLIGHTS: timeline ([\d.]+)(?:/(\d+))? fps", text)
    if m:
        return float(m.group(1)) / (float(m.group(2)) if m.group(2) else 1.0)
    if vod_fps:
        for std in (23.976, 24.0, 25.0, 29.97, 30.0, 50.0, 59.94, 60.0):
            if abs(vod_fps - std) < 0.02:
                return std
    return 29.97 if re.search(r"FCM:\s*DROP", text) else 30.0


def _timeline(data: bytes, path: str, vod: str | None, notes: list[str],
              vod_fps: float | None = None) -> list[LabelSpan]:
    try:
        import opentimelineio as otio  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise _bad(path, "reading editor timelines needs OpenTimelineIO: pip install "
                   "'stream-highlights[export]'") from None
    text = _decode(data, path)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        adapter = "otio_json"
    elif "<xmeml" in stripped[:4000]:
        adapter = "fcp_xml"
    elif "<fcpxml" in stripped[:4000]:
        adapter = "fcpx_xml"
    else:
        adapter = "cmx_3600"
    if adapter in ("fcp_xml", "fcpx_xml"):
        import defusedxml.ElementTree as safe_et

        try:  # refuse entity expansion and external entities before OTIO parses it
            safe_et.fromstring(stripped.encode("utf-8"))
        except Exception as exc:  # noqa: BLE001 - any XML problem is the file's
            raise _bad(path, f"not safe, well-formed XML ({_text(exc, 80)})") from None
    kwargs: dict[str, Any] = {}
    if adapter == "cmx_3600":
        kwargs["rate"] = _edl_rate(stripped, vod_fps)
    try:
        tl = otio.adapters.read_from_string(stripped, adapter, **kwargs)
    except otio.exceptions.NotSupportedError:
        extra = "otio-fcpx-xml-adapter" if adapter == "fcpx_xml" else "the export extra"
        raise _bad(path, f"the OpenTimelineIO {adapter!r} adapter is missing (install "
                   f"{extra})") from None
    except Exception as exc:  # noqa: BLE001 - adapters raise anything on bad input
        raise _bad(path, f"not a readable {adapter} timeline ({_text(exc, 100)})") from None
    out, other = [], []
    generated = 0
    vod_name = Path(vod).name.lower() if vod else None
    try:
        clips = list(tl.find_clips()) if hasattr(tl, "find_clips") else list(
            tl.each_clip())
    except Exception as exc:  # noqa: BLE001
        raise _bad(path, f"timeline without readable clips ({_text(exc, 80)})") from None
    for clip in clips:
        try:
            rng = clip.source_range or clip.available_range()
        except Exception:  # noqa: BLE001 - a clip without a range cannot be placed
            notes.append(f"timeline clip {clip.name!r} has no source range and was skipped")
            continue
        ref = clip.media_reference
        if isinstance(ref, otio.schema.GeneratorReference):
            generated += 1  # black, bars, a colour: not from any media
            continue
        base = 0.0
        avail = getattr(ref, "available_range", None)
        if avail is not None and avail.start_time.value and adapter != "otio_json":
            base = float(avail.start_time.to_seconds())
        start = float(rng.start_time.to_seconds()) - base
        end = start + float(rng.duration.to_seconds())
        target = str(getattr(ref, "target_url", "") or "")
        reel = ""
        meta = clip.metadata.get("cmx_3600") if hasattr(clip, "metadata") else None
        if isinstance(meta, dict):
            reel = str(meta.get("reel", ""))
        name = Path(target.replace("file://", "")).name.lower() if target else ""
        if not name and clip.name and "." in str(clip.name):
            name = str(clip.name).strip().lower()  # an EDL's "FROM CLIP NAME"
        if vod_name and name and name != vod_name:
            other.append(name or reel or clip.name)
            continue
        out.append(LabelSpan(start, end, weight=1.0, origin="timeline",
                             label=_text(clip.name)))
    if generated:
        notes.append(f"{generated} timeline event(s) are generated (black, colour), not "
                     "from the VOD, and were not used")
    if other:
        msg = (f"{len(other)} timeline clip(s) reference other media "
               f"({', '.join(sorted(set(other))[:3])}) and were not used")
        notes.append(msg)
        warnings.warn(msg, LabelWarning, stacklevel=4)
    return out


# =============================================================================== entry
def load_labels(
    path: str | os.PathLike[str],
    *,
    format: str = "auto",
    vod: str | os.PathLike[str] | None = None,
    duration_s: float | None = None,
    cache: Any = None,
) -> Labels:
    """Read the highlight labels in ``path``: spans of the VOD in seconds, weighted.

    Parameters
    ----------
    path : path-like
        A label source (see the table in :mod:`highlights.labels`): Twitch clips
        JSON, a YouTube heatmap, an EDL/OTIO/FCP7/FCPXML timeline, a CSV/JSON span
        list, review decisions, or a published video.
    format : str, default "auto"
        ``"auto"`` detects the format from the content; else one of
        :data:`LABEL_FORMATS`.
    vod : path-like, optional
        The VOD the labels refer to.  Required for a published video (it is aligned to
        it); otherwise its duration clips the spans and its file name picks a
        timeline's clips.
    duration_s : float, optional
        The VOD's duration when ``vod`` is not given (spans are clipped to it).
    cache : path-like or AnalysisCache, optional
        Analysis cache for aligning a published video.

    Returns
    -------
    Labels

    Raises
    ------
    LabelError
        The file is missing, unreadable, of an unknown format, or malformed (one line
        saying where).

    Warns
    -----
    LabelWarning
        Entries were skipped (Twitch clips without ``vod_offset``, timeline clips of
        other media) or spans clipped to the VOD; :attr:`Labels.notes` keeps them.

    Examples
    --------
    >>> labels = load_labels("clips.json", vod="vod.mp4")      # doctest: +SKIP
    >>> labels.array()                                         # doctest: +SKIP
    """
    p = Path(path)
    name = str(p)
    if format != "auto" and format not in LABEL_FORMATS:
        raise LabelError(f"Unknown label format {format!r}; choose from auto, "
                         f"{', '.join(LABEL_FORMATS)}.")
    data = _read(p)
    if not data.strip():
        raise _bad(name, "the file is empty")
    kind = detect_label_format(data, name) if format == "auto" else format
    notes: list[str] = []
    negatives: list[LabelSpan] = []
    vod_duration = duration_s
    vod_fps: float | None = None
    if vod is not None:
        from .io.media import probe

        try:
            vinfo = probe(vod)
            vod_duration = vinfo.duration_s or duration_s
            vod_fps = vinfo.fps or None
        except MediaError as exc:
            raise LabelError(f"The VOD cannot be read: {_text(exc, 200)}") from None
    if kind == "published":
        if vod is None:
            raise LabelError(f"{name} is a video: aligning it needs the VOD (vod=...).")
        from .published import align_published

        try:
            al = align_published(vod, p, cache=cache)
        except HighlightsError as exc:
            raise LabelError(f"{name}: cannot align it to the VOD ({_text(exc, 200)})") \
                from None
        spans = [LabelSpan(s.source_start_s, s.source_end_s, weight=s.confidence,
                           origin="published", label=p.name) for s in al.segments]
        notes += list(al.notes)
        if not spans:
            notes.append(f"nothing of {p.name} was found in the VOD")
    elif kind == "timeline":
        spans = _timeline(data, name, str(vod) if vod else None, notes, vod_fps)
    elif kind == "spans" and data.lstrip()[:1] not in (b"{", b"["):
        spans = _spans_csv(_decode(data, name), name)
    else:
        doc = _json(_decode(data, name).lstrip(), name)
        if kind == "twitch_clips":
            spans = _twitch(doc, name, notes)
        elif kind == "youtube_heatmap":
            spans = _heatmap(doc, name, notes)
        elif kind == "review":
            if not isinstance(doc, dict):
                raise _bad(name, "review decisions must be a JSON object")
            spans, negatives = _review(doc, name, notes)
        else:
            spans = _spans_json(doc, name)
    spans = _checked(spans, name, vod_duration, notes)
    negatives = _checked(negatives, name, vod_duration, notes)
    return Labels(spans=tuple(sorted(spans, key=lambda s: (s.start_s, s.end_s))), source=name,
                  format=kind, negatives=tuple(negatives), notes=tuple(notes))


def _checked(spans: Iterable[LabelSpan], path: str, duration: float | None,
             notes: list[str]) -> list[LabelSpan]:
    """Validate spans; clip them to ``[0, duration]`` and report what changed."""
    out = []
    clipped = dropped = 0
    for s in spans:
        if not (math.isfinite(s.start_s) and math.isfinite(s.end_s)):
            raise _bad(path, "a span has a non-finite time")
        if s.end_s <= s.start_s:
            raise _bad(path, f"span {s.start_s:g}-{s.end_s:g} s ends before it starts")
        if not (0.0 <= s.weight <= 1.0) or not math.isfinite(s.weight):
            raise _bad(path, f"span {s.start_s:g}-{s.end_s:g} s has weight {s.weight:g} "
                       "(must be in [0, 1])")
        hi = math.inf if duration is None or duration <= 0 else float(duration)
        a, b = max(s.start_s, 0.0), min(s.end_s, hi)
        if b <= a:
            dropped += 1
            continue
        if (a, b) != (s.start_s, s.end_s):
            clipped += 1
            s = replace(s, start_s=a, end_s=b)
        out.append(s)
    if clipped or dropped:
        end = "its start" if duration is None else f"0-{duration:.1f} s"
        msg = (f"{path}: {clipped} span(s) clipped to the VOD ({end}) and {dropped} "
               "outside it dropped")
        notes.append(msg)
        warnings.warn(msg, LabelWarning, stacklevel=3)
    return out

