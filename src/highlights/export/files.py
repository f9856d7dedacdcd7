"""Export clips to editors, platforms and files.

One entry point, :func:`export_clips`, writes any format atomically and never
replaces an existing file unless ``overwrite=True``:

============== ============ ==========================================================
format         suffix       what
============== ============ ==========================================================
json           .json        versioned document (``schema = "highlights.clips"``, v1)
csv            .csv         one row per clip
srt            .srt         SubRip, one cue per clip (label and score)
vtt            .vtt         WebVTT, one cue per clip
chapters       .txt         YouTube description chapters (first 0:00, >= 3, >= 10 s)
ffconcat       .ffconcat    ffmpeg concat list with ``inpoint``/``outpoint``
edl            .edl         CMX 3600 EDL, one event per clip
resolve_markers (explicit)  DaVinci Resolve marker EDL (timeline at 01:00:00:00)
otio           .otio        OpenTimelineIO JSON      (needs the ``export`` extra)
fcp7           .xml         Final Cut Pro 7 XML      (needs the ``export`` extra)
============== ============ ==========================================================

Editor timelines (``edl``, ``resolve_markers``, ``otio``, ``fcp7``) are written on a
standard timeline rate, since SMPTE timecode (EDL, FCP7 XML) and editors know no
other.  The source's rate is kept when it is standard; other rates are conformed
(:func:`~._common.timeline_rate`): clip edges are converted in time and rounded to
the timeline's frames, so they are within half a timeline frame of the clip times.

============================================ =====================================
source rate (fps)                            timeline rate (fps)
============================================ =====================================
23.976, 24, 25, 29.97, 30, 50, 59.94, 60     the same
10, 15, 7.5                                  30 (a source frame = 3, 2, 4 frames)
6, 12                                        24
5, 12.5                                      25
20                                           60
14.985                                       29.97 (NTSC sources stay NTSC)
48                                           50 (the lowest standard rate above)
120 / 119.88 and faster                      60 / 59.94
============================================ =====================================

Each file says so: a ``* HIGHLIGHTS: timeline 30 fps ...; source 15 fps conformed``
comment under the first EDL event, an XML comment in FCP7, and
``metadata["highlights"]`` (``timeline_rate``, ``source_fps``, ``conform``) in OTIO.

Labels are untrusted (they may come from chat): they are made single-line and
escaped per format, and names derived from them go through :func:`safe_filename`
and :func:`safe_child`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from .._validate import check_choice, check_clips, check_positive, fail
from ..selection.chapters import chapters_from_clips
from ..types import Clip
from ._common import FpsLike, as_rate
from ._safe import atomic_write_text, one_line, safe_child, safe_filename
from .text import chapters_text

__all__ = [
    "export_clips",
    "render_text",
    "chapters_text",
    "chapters_from_clips",
    "safe_filename",
    "safe_child",
    "one_line",
    "FORMATS",
    "SUFFIXES",
]

logger = logging.getLogger(__name__)

#: Every format :func:`export_clips` writes.
FORMATS = ("json", "csv", "srt", "vtt", "chapters", "ffconcat", "edl", "resolve_markers",
           "otio", "fcp7")
#: File suffix -> format, used when ``format`` is not given.
SUFFIXES = {".json": "json", ".csv": "csv", ".srt": "srt", ".vtt": "vtt", ".txt": "chapters",
            ".ffconcat": "ffconcat", ".edl": "edl", ".otio": "otio", ".xml": "fcp7"}


def render_text(clips: Sequence[Clip], *, format: str,
                media_path: str | os.PathLike[str] | None = None, fps: FpsLike | None = None,
                duration_s: float | None = None, title: str = "highlights") -> str:
    """Render clips in ``format`` and return the file contents as a string.

    Parameters are those of :func:`export_clips`; nothing is written.
    """
    caller = "render"
    fmt = check_choice("format", caller, format, FORMATS)
    items = check_clips(clips, caller=caller)
    dur = None if duration_s is None else check_positive("duration_s", caller, duration_s)
    if not isinstance(title, str):
        raise fail("title", caller, "a str", title)
    rate = None if fps is None else as_rate(fps, caller=caller)
    if fmt == "json":
        from .text import render_json
        return render_json(items, title=title, media_path=media_path, fps=rate, duration_s=dur)
    if fmt == "csv":
        from .text import render_csv
        return render_csv(items)
    if fmt == "srt":
        from .text import render_srt
        return render_srt(items)
    if fmt == "vtt":
        from .text import render_vtt
        return render_vtt(items)
    if fmt == "chapters":
        return chapters_text(chapters_from_clips(items, duration_s=dur), duration_s=dur)
    if fmt == "ffconcat":
        from .text import render_ffconcat
        return render_ffconcat(items, media_path=media_path)
    if rate is None:
        raise fail("fps", f"{caller}(format={fmt!r})", "the media frame rate", None)
    if fmt == "edl":
        from .edl import render_cmx3600
        return render_cmx3600(items, fps=rate, media_path=media_path, title=title)
    if fmt == "resolve_markers":
        from .edl import render_resolve_markers
        return render_resolve_markers(items, fps=rate, title=title)
    from .otio import render_fcp7, render_otio
    fn = render_otio if fmt == "otio" else render_fcp7
    return fn(items, fps=rate, media_path=media_path, duration_s=dur, title=title)


def export_clips(clips: Sequence[Clip], path: str | os.PathLike[str], *,
                 format: str | None = None, media_path: str | os.PathLike[str] | None = None,
                 fps: FpsLike | None = None, duration_s: float | None = None,
                 overwrite: bool = False, title: str = "highlights") -> Path:
    """Write clips to ``path`` in an editor, platform or data format.

    Parameters
    ----------
    clips : sequence of Clip
        The clips, in the order they should play (EDL/OTIO/FCP7/ffconcat/JSON/CSV);
        SRT, WebVTT, chapters and Resolve markers are written in time order.
    path : path-like
        Output file; its directory must exist.
    format : str, optional
        One of :data:`FORMATS`; inferred from the suffix (:data:`SUFFIXES`) if omitted.
    media_path : path-like, optional
        The source media. Required for ``ffconcat``; gives the reel name (EDL) and the
        media reference (OTIO, FCP7); recorded in JSON.
    fps : float, Fraction, (num, den) or str, optional
        Media frame rate, frames per second, required for ``edl``,
        ``resolve_markers``, ``otio`` and ``fcp7``. ``29.97`` means ``30000/1001``
        (likewise 23.976, 59.94).  Those four are written at the standard timeline
        rate it maps to (the table above: 15 -> 30, for instance).
    duration_s : float, optional
        Media duration in seconds: the length of the last chapter and the media's
        available range in OTIO/FCP7.
    overwrite : bool, default False
        Replace an existing file.
    title : str, default "highlights"
        Title of the EDL, timeline or document (single-line in text formats).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    InvalidParameterError
        Bad clips, unknown format or suffix, missing ``fps``/``media_path``.
    OutputExistsError
        ``path`` exists and ``overwrite`` is false.
    ExportError
        The clips cannot be expressed in the format (e.g. fewer than 3 valid chapters,
        a timecode past 24 hours), OpenTimelineIO is missing, or writing failed.

    Examples
    --------
    >>> from highlights.types import Clip
    >>> clips = [Clip(12.0, 40.5, 30.0, 0.9, 1, label="chat burst")]
    >>> export_clips(clips, tmp / "reel.edl", fps=29.97, media_path="vod.mp4")  # doctest: +SKIP
    """
    caller = "export_clips"
    if not isinstance(path, str | os.PathLike):
        raise fail("path", caller, "a file path", path)
    dest = Path(path)
    if format is None:
        suffix = dest.suffix.lower()
        if suffix not in SUFFIXES:
            listed = ", ".join(SUFFIXES)
            raise fail("format", caller,
                       f"given, or the path must end in one of {listed}", format)
        fmt = SUFFIXES[suffix]
    else:
        fmt = check_choice("format", caller, format, FORMATS)
    if not isinstance(overwrite, bool):
        raise fail("overwrite", caller, "a bool", overwrite)
    items = check_clips(clips, caller=caller)
    text = render_text(items, format=fmt, media_path=media_path, fps=fps, duration_s=duration_s,
                  title=title)
    out = atomic_write_text(dest, text, overwrite=overwrite)
    logger.info("wrote %s (%s, %d clips)", out, fmt, len(items))
    return out


