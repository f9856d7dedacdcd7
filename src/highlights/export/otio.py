"""OpenTimelineIO exports: ``.otio`` JSON and Final Cut Pro 7 XML (``fcp_xml`` adapter).

OpenTimelineIO and its adapters are optional: they are imported here, lazily, and a
missing package raises :class:`~highlights.errors.ExportError` naming the extra to
install. FCPXML (``fcpx_xml``) is deliberately not offered: adapter 1.0.0 writes an
empty ``frameDuration`` for NTSC rates. FCP7 XML handles them (``timebase 30`` +
``ntsc TRUE``) and imports into Premiere Pro, Resolve and Final Cut Pro 7.

Both are written on a standard timeline rate (:func:`~._common.timeline_rate`; 10
and 15 fps sources go on a 30 fps timeline, for instance) since SMPTE timecode, and
so the FCP7 adapter, knows no other: clip edges are converted in time and rounded
to timeline frames.  The timeline's ``metadata["highlights"]`` records the rates,
and the FCP7 file says it in an XML comment after the declaration.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import ExportError
from ..types import Clip
from ._common import clip_frames, conform_note, rate_text, record_starts, timeline_rate, to_frame
from ._safe import one_line
from .edl import reel_name

__all__ = ["build_timeline", "render_otio", "render_fcp7", "INSTALL_HINT"]

#: How to get the optional packages.
INSTALL_HINT = (
    "pip install 'stream-highlights[export]' (or: pip install opentimelineio otio-cmx3600-adapter "
    "otio-fcp-adapter)"
)


def _otio() -> Any:
    try:
        import opentimelineio as otio  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:
        raise ExportError(f"This export needs OpenTimelineIO: {INSTALL_HINT}.") from exc
    return otio


def build_timeline(clips: Sequence[Clip], *, fps: Fraction, media_path: Any = None,
                   duration_s: float | None = None, title: str = "highlights",
                   record_in_s: Sequence[float] | None = None) -> Any:
    """Build an ``opentimelineio.schema.Timeline`` with the clips end to end.

    One video track on the standard timeline rate ``timeline_rate(fps)`` (see
    :func:`~highlights.export._common.timeline_rate`); the timeline's
    ``metadata["highlights"]`` holds ``timeline_rate`` and ``source_fps`` (exact,
    as ``"30"`` or ``"30000/1001"``) and ``conform`` (one sentence).  Each clip
    references the media file (an ``ExternalReference``
    with a ``file://`` URI, or a ``MissingReference`` without ``media_path``), its
    ``source_range`` is the clip span in whole timeline frames, it carries a marker
    at its peak named ``#rank label`` and the clip's :meth:`Clip.to_dict` under
    ``metadata["highlights"]``. Names and labels are single-line (no control
    characters). The media's available range is ``[0, duration_s)``, or up to the
    latest clip end when the duration is unknown.

    With ``record_in_s`` (seconds from the timeline start, one per clip, rounded to
    timeline frames, no overlaps) each clip starts there instead, and the space
    before it is a ``Gap`` (black in editors).

    Returns
    -------
    opentimelineio.schema.Timeline

    Raises
    ------
    ExportError
        If OpenTimelineIO is not installed.
    InvalidParameterError
        If ``record_in_s`` is not one time per clip, in order, without overlaps.
    """
    otio = _otio()
    RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
    source, fps = fps, timeline_rate(fps)
    rate = float(fps)
    spans = [clip_frames(clip, fps) for clip in clips]
    starts = record_starts(spans, record_in_s, fps, caller="build_timeline")
    known_end = max((end for _, end in spans), default=1)
    if duration_s is not None:
        known_end = max(known_end, to_frame(duration_s, fps))
    available = TR(RT(0, rate), RT(known_end, rate))
    timeline = otio.schema.Timeline(name=one_line(title, max_len=200) or "highlights")
    timeline.metadata["highlights"] = {
        "timeline_rate": rate_text(fps),
        "source_fps": rate_text(source),
        "conform": conform_note(source, fps),
    }
    track = otio.schema.Track(name="highlights", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    reel = reel_name(media_path)
    rec = 0
    for clip, (first, end), start in zip(clips, spans, starts, strict=True):
        if start > rec:
            track.append(otio.schema.Gap(source_range=TR(RT(0, rate), RT(start - rec, rate))))
        rec = start + end - first
        if media_path is None:
            ref = otio.schema.MissingReference()
        else:
            path = Path(os.fspath(media_path)).absolute()
            ref = otio.schema.ExternalReference(target_url=path.as_uri(),
                                                available_range=available)
            ref.name = one_line(path.name, max_len=200)
        item = otio.schema.Clip(
            name=one_line(clip.label, max_len=200) or f"hl_{clip.rank:03d}",
            media_reference=ref,
            source_range=TR(RT(first, rate), RT(end - first, rate)),
        )
        peak = min(max(to_frame(clip.peak_s, fps), first), end - 1)
        item.markers.append(otio.schema.Marker(
            name=one_line(f"#{clip.rank} {clip.label}", max_len=200),
            marked_range=TR(RT(peak, rate), RT(0, rate)),
            color=otio.schema.MarkerColor.YELLOW,
        ))
        meta = clip.to_dict()  # OTIO strings are C strings: no NUL, so flatten the text
        meta["label"] = one_line(clip.label)
        meta["keywords"] = [one_line(k) for k in clip.keywords]
        item.metadata["highlights"] = meta
        item.metadata["cmx_3600"] = {"reel": reel}
        track.append(item)
    return timeline


def _write(timeline: Any, adapter: str, package: str) -> str:
    otio = _otio()
    try:
        return str(otio.adapters.write_to_string(timeline, adapter))
    except otio.exceptions.NotSupportedError as exc:
        raise ExportError(
            f"The OpenTimelineIO {adapter!r} adapter ({package}) is not installed: "
            f"{INSTALL_HINT}."
        ) from exc
    except otio.exceptions.OTIOError as exc:
        raise ExportError(f"OpenTimelineIO could not write {adapter!r}: {exc}") from exc
    except ValueError as exc:  # not expected on a standard timeline rate
        raise ExportError(f"OpenTimelineIO could not write {adapter!r}: {exc}") from exc


def render_otio(clips: Sequence[Clip], *, fps: Fraction, media_path: Any = None,
                duration_s: float | None = None, title: str = "highlights",
                record_in_s: Sequence[float] | None = None) -> str:
    """Render clips as an OpenTimelineIO JSON document (see :func:`build_timeline`)."""
    timeline = build_timeline(clips, fps=fps, media_path=media_path, duration_s=duration_s,
                              title=title, record_in_s=record_in_s)
    return _write(timeline, "otio_json", "opentimelineio")


def render_fcp7(clips: Sequence[Clip], *, fps: Fraction, media_path: Any = None,
                duration_s: float | None = None, title: str = "highlights",
                record_in_s: Sequence[float] | None = None) -> str:
    """Render clips as Final Cut Pro 7 XML (xmeml) via OTIO's ``fcp_xml`` adapter.

    Premiere Pro imports it as a sequence with one clip per highlight and a marker
    at each peak; a ``Gap`` (``record_in_s``, see :func:`build_timeline`) is empty,
    black, timeline.  An XML comment after the declaration says the timeline rate
    (``<!-- highlights: timeline 30 fps ...; source 15 fps conformed ... -->``).
    """
    timeline = build_timeline(clips, fps=fps, media_path=media_path, duration_s=duration_s,
                              title=title, record_in_s=record_in_s)
    text = _write(timeline, "fcp_xml", "otio-fcp-adapter")
    comment = f"<!-- highlights: {conform_note(fps, timeline_rate(fps))} -->"
    head, sep, rest = text.partition("?>\n")
    if not sep or not head.startswith("<?xml"):  # no declaration: the comment goes first
        return f"{comment}\n{text}"
    return f"{head}{sep}{comment}\n{rest}"
