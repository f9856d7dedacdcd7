"""The review page: one self-contained HTML file to look at the clips, decide, and teach.

:func:`write_report` (``highlights report``, :meth:`highlights.Highlights.to_html`)
writes a single HTML file a producer opens from disk after a stream:

* a **timeline** of the whole stream: the fused score and every signal (each row
  collapsible), the chosen clips shaded, the chat lag and the data-quality notes;
  zoom with the mouse wheel or the buttons, pan by dragging; click a clip to jump to
  its card;
* a **card** per clip, best first: thumbnails across the clip, score, each signal's
  share of the score as a bar (a signal that pulled the score down is drawn left of
  zero), the chat's top words, start/end/length, and a preview that plays the clip
  from the recording (an HTML5 ``<video>`` with a ``#t=start,end`` media fragment,
  stopped at the end by the page), or from the exported clip file when the result
  JSON sits in an export folder with ``clips/``;
* **decisions**: accept, reject, nudge the start or end by a second, undo, with
  buttons or keys (``a`` ``r`` ``[`` ``]`` ``{`` ``}`` ``u``, ``j``/``k`` next and
  previous card); "Download decisions" saves a ``highlights.review`` JSON file
  (:mod:`highlights.io.review`) that :func:`read_review` turns into labels for
  :class:`highlights.learn.HighlightModel`.

The page makes no network request of any kind: script, styles and data are inline,
thumbnails are JPEG ``data:`` URIs, fonts are the system's (with common CJK fonts in
the stack), and a Content-Security-Policy forbids anything else.  Only the preview
reads the local recording (a relative ``file:`` URL, so a folder holding the page and
the recording can move).  Timelines are reduced to at most :data:`PAGE_POINTS`
points per signal (minimum, maximum and mean per bucket), so a 4-hour stream with 20
clips stays around 1 MB.

Automation hooks: every card carries ``data-rank``, ``data-start-s``,
``data-end-s`` (the clip as chosen) and ``data-decision``; every decision control
carries ``data-action`` (``accept``, ``reject``, ``nudge-start``, ``nudge-end``,
``undo``; nudges also ``data-delta``); the timeline is ``#hl-timeline``.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

import numpy as np
from numpy.typing import NDArray

from .._atomic import write_atomic
from .._schema import REVIEW_SCHEMA, REVIEW_SCHEMA_VERSION
from .._validate import check_int, fail
from .._version import __version__
from ..errors import MediaError
from ..io.results import ResultDocument
from ..io.review import Review, ReviewedClip, read_review
from ..timeline import Timeline
from ..types import Clip, MediaInfo

if TYPE_CHECKING:  # pragma: no cover
    from ..result import Highlights

__all__ = ["write_report", "report_html", "notebook_html", "page_data", "read_review",
           "Review", "ReviewedClip", "thumbnails", "Thumbnail", "envelope", "PAGE_POINTS",
           "THUMB_WIDTH", "THUMB_QUALITY", "THUMBS_PER_CLIP"]

#: Most points per signal on the page (each a minimum, maximum and mean).
PAGE_POINTS = 4000
#: Points per signal in the light notebook view (:func:`notebook_html`).
NOTEBOOK_POINTS = 1500
#: Thumbnail width in pixels, JPEG quality, and thumbnails per clip.
THUMB_WIDTH = 160
THUMB_QUALITY = 70
THUMBS_PER_CLIP = 5
#: Quantisation of the page's timelines: values become integers 0..Q per signal.
_Q = 1000

#: What each known signal measures, for the timeline's row labels.
_DESCRIPTIONS = {
    "score": "fused score (0 = the rolling baseline)",
    "audio_rms_db": "loudness, dB",
    "audio_onset": "audio onsets",
    "audio_excite": "vocal/crowd excitement",
    "audio_voiced": "voiced speech",
    "audio_burst": "loudness bursts",
    "audio_react": "voiced bursts",
    "scene": "scene change",
    "motion": "motion",
    "video_bytes": "compressed video bytes",
    "keyframe": "keyframes",
    "chat_onset": "rise of chat activity",
    "chat_rate": "chat messages/s",
    "chat_unique": "distinct chatters/s",
    "chat_react": "laughter, hype, emotes",
    "chat_value": "paid messages, gifts, orders",
}
#: A stable colour per signal (the same on every page), then a palette for others.
_COLOURS = {
    "audio_rms_db": "#4e79a7", "audio_onset": "#76b7b2", "audio_excite": "#59a14f",
    "audio_voiced": "#8cd17d", "audio_burst": "#499894", "audio_react": "#86bcb6",
    "scene": "#f28e2b", "motion": "#edc948", "video_bytes": "#b07aa1", "keyframe": "#bab0ac",
    "chat_onset": "#e15759", "chat_rate": "#ff9da7", "chat_unique": "#9c755f",
    "chat_react": "#d37295", "chat_value": "#fabfd2",
}
_PALETTE = ("#79706e", "#d4a6c8", "#a0cbe8", "#ffbe7d", "#f1ce63", "#b6992d", "#d7b5a6")


# ----------------------------------------------------------------------------- input
@dataclass(frozen=True)
class _Input:
    """What a page is drawn from, whether a live result or a result JSON."""

    clips: tuple[Clip, ...]
    source: str
    media: MediaInfo | None
    duration_s: float
    hop_s: float
    params: Mapping[str, Any]
    timelines: Mapping[str, Timeline]
    score: Timeline | None
    chat_lag_s: float | None
    chat_lag_confidence: float | None
    chat_lag_method: str | None
    notes: tuple[str, ...]
    timelines_from: str
    clip_files: Mapping[int, Path] = field(default_factory=dict)
    #: Where the recording (or the chat log of a chat-only result) is now, if found.
    found: Path | None = None


_ORIGINS = {
    "analysis": "from the analysis",
    "document": "read from the result JSON (written with timelines)",
    "none": "not available: the result JSON carries signal names only (write it with "
            "'highlights find --timelines --json', or give the recording so that "
            "'highlights report' re-analyses it)",
}


def _as_input(result: Highlights | ResultDocument) -> _Input:
    if isinstance(result, ResultDocument):
        return _Input(
            clips=result.clips, source=result.source, media=result.media,
            duration_s=result.duration_s, hop_s=result.hop_s, params=result.params,
            timelines=result.timelines, score=result.score, chat_lag_s=result.chat_lag_s,
            chat_lag_confidence=result.chat_lag_confidence,
            chat_lag_method=result.chat_lag_method, notes=result.notes,
            timelines_from=_ORIGINS.get(result.timelines_origin, result.timelines_origin),
            clip_files=_exported_clips(result),
            found=result.locate(result.media.path if result.media is not None
                                else result.source),
        )
    from ..result import Highlights

    if not isinstance(result, Highlights):
        raise fail("result", "write_report", "a Highlights or a ResultDocument",
                   type(result).__name__)
    return _Input(
        clips=result.clips, source=result.source, media=result.media,
        duration_s=result.duration_s, hop_s=result.score.hop_s, params=result.params,
        timelines=result.timelines, score=result.score, chat_lag_s=result.chat_lag_s,
        chat_lag_confidence=result.chat_lag_confidence, chat_lag_method=result.chat_lag_method,
        notes=result.notes, timelines_from=_ORIGINS["analysis"],
        found=_existing(result.media.path if result.media is not None else result.source),
    )


def _existing(path: str | None) -> Path | None:
    return Path(path) if path and Path(path).is_file() else None


def _exported_clips(doc: ResultDocument) -> dict[int, Path]:
    """Clip files of an export folder holding the result JSON (``clips/NNN_*``)."""
    if not doc.path:
        return {}
    folder = Path(doc.path).resolve().parent / "clips"
    if not folder.is_dir():
        return {}
    found: dict[int, Path] = {}
    for i in range(1, len(doc.clips) + 1):
        hits = sorted(p for p in folder.glob(f"{i:03d}_*") if p.is_file())
        if hits:
            found[i - 1] = hits[0]
    return found


# ----------------------------------------------------------------------------- timelines
def envelope(values: Any, *, points: int = PAGE_POINTS) -> tuple[
        int, NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Reduce a signal to at most ``points`` buckets: minimum, maximum and mean of each.

    Parameters
    ----------
    values : array_like, shape (n,)
        The signal (NaN = not covered).
    points : int, default PAGE_POINTS
        Most buckets.

    Returns
    -------
    size : int
        Samples per bucket (``ceil(n / points)``, at least 1).
    lo, hi, mean : ndarray of float64, shape (ceil(n / size),)
        Per bucket, over its finite samples; NaN for a bucket with none.

    Examples
    --------
    >>> size, lo, hi, mean = envelope([0, 4, 1, 1, 2, float("nan")], points=3)
    >>> size, lo.tolist(), hi.tolist(), mean.tolist()
    (2, [0.0, 1.0, 2.0], [4.0, 1.0, 2.0], [2.0, 1.0, 2.0])
    """
    points = check_int("points", "envelope", points, minimum=1)
    v = np.asarray(values, dtype=np.float64).ravel()
    n = v.size
    size = max(1, math.ceil(n / points))
    m = math.ceil(n / size)
    padded = np.full(m * size, np.nan)
    padded[:n] = v
    blocks = padded.reshape(m, size)
    finite = np.isfinite(blocks)
    count = finite.sum(axis=1)
    empty = count == 0
    lo = np.where(finite, blocks, np.inf).min(axis=1)
    hi = np.where(finite, blocks, -np.inf).max(axis=1)
    mean = np.where(finite, blocks, 0.0).sum(axis=1) / np.maximum(count, 1)
    for arr in (lo, hi, mean):
        arr[empty] = np.nan
    return size, lo, hi, mean


def _quantize(values: NDArray[np.float64], lo: float, hi: float) -> list[int | None]:
    """Values as integers 0.._Q over ``[lo, hi]`` (None for NaN)."""
    finite = np.isfinite(values)
    span = hi - lo
    if span > 0:
        q = np.rint((np.where(finite, values, lo) - lo) / span * _Q)
    else:
        q = np.zeros(values.shape)
    ints = np.clip(q, 0, _Q).astype(np.int64)
    return [int(x) if f else None for x, f in zip(ints.tolist(), finite.tolist())]


def _row(name: str, tl: Timeline, *, kind: str, weight: float | None, points: int,
         colour: str) -> dict[str, Any]:
    size, lo, hi, mean = envelope(tl.values, points=points)
    finite = np.isfinite(mean)
    row: dict[str, Any] = {
        "name": name, "kind": kind, "weight": weight, "colour": colour,
        "description": _DESCRIPTIONS.get(name, ""),
        "t0": tl.start_s, "step": tl.hop_s * size, "n": int(mean.size),
    }
    if not finite.any():
        row.update(empty=True, lo=0.0, hi=0.0, mean=[None] * int(mean.size))
        return row
    vmin = float(np.nanmin(lo))
    vmax = float(np.nanmax(hi))
    row.update(empty=False, lo=_round(vmin), hi=_round(vmax),
               flat=bool(vmax - vmin <= 1e-9 * max(1.0, abs(vmax))),
               mean=_quantize(mean, vmin, vmax))
    if size > 1:
        row.update(min=_quantize(lo, vmin, vmax), max=_quantize(hi, vmin, vmax))
    return row


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def _colours(names: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    extra = 0
    for name in names:
        if name in _COLOURS:
            out[name] = _COLOURS[name]
        else:
            out[name] = _PALETTE[extra % len(_PALETTE)]
            extra += 1
    return out


# ----------------------------------------------------------------------------- thumbnails
class Thumbnail(NamedTuple):
    """One thumbnail: the time of the frame shown, and the picture as a ``data:`` URI."""

    time_s: float
    uri: str


def thumbnails(
    media_path: str | os.PathLike[str],
    times_s: Sequence[float],
    *,
    slack_s: float | Sequence[float] = 0.0,
    width: int = THUMB_WIDTH,
    quality: int = THUMB_QUALITY,
    video_stream: int | None = None,
) -> list[Thumbnail | None]:
    """Small JPEG thumbnails of a recording at given times, decoding only near them.

    For each time (in order) the file is sought to the keyframe before it
    (:func:`highlights.io.seek.keyframe_before`).  When that keyframe is within
    ``slack_s`` of the time it is the thumbnail (one frame decoded); otherwise frames
    are decoded from it up to ``time - slack_s``.  A time a moment after the previous
    one continues decoding instead of seeking again.  The picture is turned upright
    as players show it.

    Parameters
    ----------
    media_path : path-like
        The recording.
    times_s : sequence of float
        Seconds from the media start.
    slack_s : float or sequence of float, default 0.0
        How much earlier than its time a thumbnail may be (one value, or one per
        time).  The review page passes half the spacing of a clip's thumbnails, so
        each shows a frame of its own part of the clip, usually a keyframe.  0 means
        the first frame at or after the time.
    width : int, default THUMB_WIDTH
        Thumbnail width in pixels (height keeps the aspect ratio).
    quality : int, default THUMB_QUALITY
        JPEG quality, 1-100.
    video_stream : int, optional
        Index of the video stream among video streams (default: the analysed one).

    Returns
    -------
    list of Thumbnail or None
        One per time, in the order given: the time of the frame shown and a
        ``data:image/jpeg;base64,...`` URI (the last frame for a time past it); None
        for every time when there is no video.

    Raises
    ------
    MediaError
        If the file cannot be opened.
    InvalidParameterError
        For a bad width, quality or slack.
    """
    import base64

    import cv2

    from ..io.media import open_media, pick_streams
    from ..io.seek import (
        decode_packet,
        demux_from_keyframe,
        display_rotation,
        keyframe_before,
        media_origin,
        seek,
        upright_array,
        upright_size,
    )

    caller = "thumbnails"
    width = check_int("width", caller, width, minimum=16)
    quality = check_int("quality", caller, quality, minimum=1)
    times = [float(t) for t in times_s]
    slacks = ([float(slack_s)] * len(times) if isinstance(slack_s, (int, float))
              else [float(x) for x in slack_s])
    if len(slacks) != len(times) or not all(math.isfinite(x) and x >= 0 for x in slacks):
        raise fail("slack_s", caller, "a number >= 0, or one per time", slack_s)
    out: list[Thumbnail | None] = [None] * len(times)
    if not times:
        return out
    container = open_media(media_path)
    try:
        if not container.streams.video:
            return out
        video, _ = pick_streams(container, video_stream=video_stream, caller=caller)
        if video is None:
            return out
        video.thread_type = "AUTO"
        rotation = display_rotation(container, video)
        origin = media_origin(container)
        tb = video.time_base
        src_w, src_h = upright_size(video.codec_context.width, video.codec_context.height,
                                    rotation)
        height = max(2, int(round(width * src_h / max(src_w, 1) / 2)) * 2)

        def frames() -> Any:
            for packet in demux_from_keyframe(container, [video], video):
                yield from decode_packet(packet, stacklevel=3)

        last: list[Any] = [None, ""]  # the last frame encoded (kept, so never confused)

        def encode(frame: Any) -> str:
            if frame is not last[0]:
                img = upright_array(frame, width=width, height=height, rotation=rotation,
                                    format="bgr24")
                ok, buf = cv2.imencode(".jpg", img,
                                       [int(cv2.IMWRITE_JPEG_QUALITY), min(quality, 100)])
                if not ok:  # pragma: no cover - OpenCV always encodes a valid image
                    raise MediaError("A thumbnail could not be encoded as JPEG.")
                last[:] = [frame, "data:image/jpeg;base64,"
                           + base64.b64encode(buf.tobytes()).decode("ascii")]
            return str(last[1])

        stream: Any = None
        pos: tuple[Any, float] | None = None  # the last frame decoded and its time
        for i in sorted(range(len(times)), key=lambda k: times[k]):
            t = max(times[i], 0.0)
            lo = t - slacks[i]
            if pos is not None and lo - 1e-3 <= pos[1] <= t + slacks[i]:
                out[i] = Thumbnail(round(pos[1], 3), encode(pos[0]))  # the frame we have
                continue
            if stream is None or pos is None or pos[1] > t or t - pos[1] > 2.0:
                target, _ = keyframe_before(container, video, origin + Fraction(t))
                seek(container, target)
                stream = frames()
                pos = None
            for frame in stream:
                if frame.pts is None:
                    continue
                pos = (frame, float(frame.pts * tb - origin))
                if pos[1] >= lo - 1e-3:
                    break
            if pos is not None:
                out[i] = Thumbnail(round(pos[1], 3), encode(pos[0]))
        return out
    finally:
        container.close()


def _thumb_times(clip: Clip, k: int) -> tuple[list[float], float]:
    """``k`` times spread across ``clip`` (the middle of each k-th) and half their spacing."""
    length = clip.end_s - clip.start_s
    return [round(clip.start_s + length * (j + 0.5) / k, 3) for j in range(k)], length / k / 2


# ----------------------------------------------------------------------------- page data
def _url(path: Path, base_dir: Path | None) -> str:
    """A URL of a local file: relative to ``base_dir`` when there is one, else ``file:``."""
    absolute = path.resolve()
    if base_dir is not None:
        try:
            rel = os.path.relpath(absolute, base_dir.resolve())
        except ValueError:  # another drive on Windows
            rel = None
        if rel is not None:
            return quote(Path(rel).as_posix())
    return absolute.as_uri()


def _identity(path: str) -> dict[str, Any] | None:
    """:func:`~highlights.cache.file_identity`, with ``mtime_ns`` as a string.

    Nanosecond times exceed what a JavaScript number holds exactly (2**53), and the page
    passes the identity through JavaScript into the decisions file.
    """
    from ..cache import file_identity

    try:
        ident = file_identity(path)
    except OSError:
        return None
    return {**ident, "mtime_ns": str(ident["mtime_ns"])}


def page_data(
    result: Highlights | ResultDocument,
    *,
    thumbnails_per_clip: int = THUMBS_PER_CLIP,
    points: int = PAGE_POINTS,
    base_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Everything the review page shows, as the JSON object embedded in it.

    Parameters
    ----------
    result : Highlights or ResultDocument
        A result, or one read back with :func:`highlights.io.results.read_result`.
    thumbnails_per_clip : int, default THUMBS_PER_CLIP
        Thumbnails decoded across each clip (0: none, nothing is decoded).
    points : int, default PAGE_POINTS
        Most points per signal.
    base_dir : path-like, optional
        Folder the page will be written to: the recording is linked relative to it
        (else by an absolute ``file:`` URL).

    Returns
    -------
    dict
        ``page_id``, ``title``, ``recording`` (path, kind, size, duration, file
        identity), ``duration_s``, ``preview`` (URL and kind, or None), ``clips``
        (with ``thumbs``), ``timeline`` (rows of quantised envelopes, or None),
        ``chat_lag``, ``notes``, ``timelines_from`` and ``messages``.
    """
    inp = _as_input(result)
    k = check_int("thumbnails_per_clip", "page_data", thumbnails_per_clip, minimum=0)
    base = None if base_dir is None else Path(base_dir)
    messages: list[str] = []
    media = inp.media
    media_path = inp.found if media is not None else None
    media_ok = media_path is not None
    if media is not None and not media_ok:
        messages.append(f"The recording {media.path} is not there any more: no thumbnails "
                        "and no previews.")
    kind = "media" if media is not None else "chat"
    rec_path = media.path if media is not None else inp.source
    where = inp.found
    recording: dict[str, Any] = {
        "path": str((where or Path(rec_path)).resolve()) if rec_path else "",
        "name": Path(rec_path).name if rec_path else "",
        "kind": kind,
        "size_bytes": (media.size_bytes if media is not None
                       else (where.stat().st_size if where is not None else None)),
        "duration_s": round(inp.duration_s, 3),
        "identity": _identity(str(where)) if where is not None else None,
    }
    preview = None
    if media_ok and media is not None and media_path is not None:
        preview = {"src": _url(media_path, base),
                   "kind": "video" if media.has_video else "audio"}
    elif media is None:
        messages.append("A chat-only result: no thumbnails and no previews.")

    thumbs: list[list[dict[str, Any]]] = [[] for _ in inp.clips]
    if k and media_ok and media is not None and media.has_video and media_path is not None:
        spread = [_thumb_times(c, k) for c in inp.clips]
        flat = thumbnails(media_path, [t for ts, _ in spread for t in ts],
                          slack_s=[half for ts, half in spread for _ in ts],
                          video_stream=media.video_stream)
        it = iter(flat)
        for i, (ts, _) in enumerate(spread):
            thumbs[i] = [{"t": th.time_s, "src": th.uri}
                         for th in (next(it) for _ in ts) if th is not None]

    weights = inp.params.get("weights") if isinstance(inp.params.get("weights"), dict) else {}
    assert isinstance(weights, dict)
    names = sorted(inp.timelines, key=lambda n: (list(_COLOURS).index(n) if n in _COLOURS
                                                 else len(_COLOURS), n))
    colours = _colours([*names, *(n for c in inp.clips for n in c.contributions)])
    timeline = None
    if inp.score is not None or inp.timelines:
        rows = []
        if inp.score is not None:
            rows.append(_row("score", inp.score, kind="score", weight=None, points=points,
                             colour="#222222"))
        for name in names:
            w = weights.get(name)
            rows.append(_row(name, inp.timelines[name], kind="signal",
                             weight=None if w is None else float(w), points=points,
                             colour=colours[name]))
        timeline = {"rows": rows}
    clips = []
    for i, c in enumerate(inp.clips):
        file_url = _url(inp.clip_files[i], base) if i in inp.clip_files else None
        clips.append({
            "rank": c.rank, "start_s": round(c.start_s, 3), "end_s": round(c.end_s, 3),
            "peak_s": round(c.peak_s, 3), "score": round(c.score, 4), "label": c.label,
            "contributions": {n: round(v, 4) for n, v in c.contributions.items()},
            "keywords": list(c.keywords), "thumbs": thumbs[i], "file": file_url,
        })
    lag = None
    if inp.chat_lag_s is not None:
        lag = {"s": round(inp.chat_lag_s, 2), "method": inp.chat_lag_method,
               "confidence": (None if inp.chat_lag_confidence is None
                              else round(inp.chat_lag_confidence, 2))}
    name = recording["name"] or "highlights"
    return {
        "review_schema": REVIEW_SCHEMA, "review_schema_version": REVIEW_SCHEMA_VERSION,
        "library_version": __version__,
        "page_id": secrets.token_hex(8),
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "title": name,
        "review_name": f"{Path(name).stem or 'highlights'}.review.json",
        "recording": recording,
        "result": {"hop_s": inp.hop_s, "signals": sorted(inp.timelines) or sorted(weights),
                   "preset": inp.params.get("preset")},
        "duration_s": round(inp.duration_s, 3),
        "preview": preview,
        "colours": colours,
        "clips": clips,
        "timeline": timeline,
        "timelines_from": inp.timelines_from,
        "chat_lag": lag,
        "notes": list(inp.notes),
        "messages": messages,
    }


# ----------------------------------------------------------------------------- HTML
def _asset(name: str) -> str:
    return resources.files("highlights.export").joinpath("assets").joinpath(name).read_text(
        encoding="utf-8")


def _script_json(data: Mapping[str, Any]) -> str:
    """JSON safe inside ``<script>``: no ``</``, ``<!--`` or line separators raw."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _html(data: Mapping[str, Any]) -> str:
    parts = {
        "{{TITLE}}": html.escape(f"{data['title']} \u2014 highlights review"),
        "/*{{CSS}}*/": _asset("report.css"),
        "/*{{JS}}*/": _asset("report.js"),
        "{{DATA}}": _script_json(data),
    }
    # One pass, so nothing substituted (a title, the data) is searched again.
    return re.sub("|".join(re.escape(k) for k in parts), lambda m: parts[m.group(0)],
                  _asset("report.html"))


def report_html(
    result: Highlights | ResultDocument,
    *,
    thumbnails: bool = True,
    points: int = PAGE_POINTS,
    base_dir: str | os.PathLike[str] | None = None,
) -> str:
    """The review page of ``result`` as one HTML document (see :func:`write_report`).

    Parameters
    ----------
    result : Highlights or ResultDocument
        What to review.
    thumbnails : bool, default True
        Decode thumbnails across each clip (a few keyframes each).
    points : int, default PAGE_POINTS
        Most points per signal on the timeline.
    base_dir : path-like, optional
        Folder the page will live in (the recording is linked relative to it).

    Returns
    -------
    str
    """
    data = page_data(result, thumbnails_per_clip=THUMBS_PER_CLIP if thumbnails else 0,
                     points=points, base_dir=base_dir)
    return _html(data)


def write_report(
    result: Highlights | ResultDocument,
    path: str | os.PathLike[str],
    *,
    thumbnails: bool = True,
    overwrite: bool = False,
) -> Path:
    """Write the review page of ``result`` to ``path`` (one self-contained HTML file).

    Parameters
    ----------
    result : Highlights or ResultDocument
        A result (:func:`highlights.find_highlights`), or one read back from its JSON
        with :func:`highlights.io.results.read_result`.
    path : path-like
        The HTML file; its folder must exist.  The preview links the recording
        relative to it.
    thumbnails : bool, default True
        Decode thumbnails across each clip (a few keyframes each, near those times
        only).
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        ``path``, absolute.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false.
    ExportError
        If ``path`` cannot be written.
    MediaError
        If the recording cannot be read for thumbnails.

    Examples
    --------
    >>> result = find_highlights("vod.mp4", chat="chat.json")      # doctest: +SKIP
    >>> write_report(result, "review.html")                        # doctest: +SKIP
    """
    from .bundle import check_output_file

    dest = check_output_file(path, overwrite=overwrite, what="The review page")
    text = report_html(result, thumbnails=thumbnails, base_dir=dest.parent)
    write_atomic(dest, text, overwrite=overwrite)
    return dest


def notebook_html(result: Highlights | ResultDocument, *, thumbnails: bool = False,
                  height_px: int = 720) -> str:
    """The review page, light, inside an ``<iframe>`` for a notebook cell.

    No thumbnails are decoded unless asked, and timelines keep at most
    :data:`NOTEBOOK_POINTS` points; the page runs in its own frame, so its styles and
    keys do not touch the notebook.  The preview links the recording by an absolute
    ``file:`` URL, which a notebook served over HTTP may not be allowed to play;
    :meth:`highlights.Highlights.to_html` writes the full page.

    Returns
    -------
    str
        An ``<iframe srcdoc=...>`` element.
    """
    height = check_int("height_px", "notebook_html", height_px, minimum=100)
    page = report_html(result, thumbnails=thumbnails, points=NOTEBOOK_POINTS)
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" '
            f'style="width:100%;height:{height}px;border:1px solid #ddd" '
            f'title="highlights review"></iframe>')
