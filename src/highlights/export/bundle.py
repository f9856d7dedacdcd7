"""Write a result in every form a team needs, into one output folder.

:func:`export_result` is what ``highlights find ... --export edl,otio,clips --out DIR``
and :meth:`highlights.Highlights.export` run.  File names are fixed (below), so
nothing derived from a label or title ever names a file outside ``out_dir``.

================== =========================================================
``json``           ``highlights.json`` — the full result (schema
                   ``highlights.result``)
``csv``            ``highlights.csv``
``srt``, ``vtt``   ``highlights.srt``, ``highlights.vtt`` — one cue per clip
``chapters``       ``chapters.txt`` — YouTube description chapters of the whole
                   replay (the ``chapters`` preset's, or split from the score)
``edl``            ``highlights.edl`` — CMX 3600
``resolve_markers`` ``resolve_markers.edl`` — DaVinci Resolve marker EDL
``otio``           ``highlights.otio`` — OpenTimelineIO
``fcp7``           ``highlights.fcp7.xml`` — Final Cut Pro 7 XML (Premiere, Resolve)
``ffconcat``       ``highlights.ffconcat`` — ffmpeg concat list
``clips``          ``clips/NNN_<label>.<ext>`` — each clip as its own media file
``reel``           ``reel.mp4`` — the clips rendered into one video, in result order
``shorts``         ``shorts/NNN.mp4`` — each clip rendered 9:16 (centre crop)
``plot``           ``highlights.png`` — signals, score and clips on one time axis
================== =========================================================
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._validate import check_choice, fail
from ..errors import ExportError

if TYPE_CHECKING:  # pragma: no cover
    from ..result import Highlights

__all__ = ["export_result", "EXPORTS"]

_FILES = {
    "csv": "highlights.csv",
    "srt": "highlights.srt",
    "vtt": "highlights.vtt",
    "edl": "highlights.edl",
    "resolve_markers": "resolve_markers.edl",
    "otio": "highlights.otio",
    "fcp7": "highlights.fcp7.xml",
    "ffconcat": "highlights.ffconcat",
}
#: Every export name :func:`export_result` accepts.
EXPORTS = ("json", "csv", "srt", "vtt", "chapters", "edl", "resolve_markers", "otio", "fcp7",
           "ffconcat", "clips", "reel", "shorts", "plot")


def export_result(
    result: Highlights,
    out_dir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("json",),
    overwrite: bool = False,
    cut_mode: str = "copy",
    crossfade_s: float = 0.0,
    progress: Any = None,
) -> dict[str, Path | list[Path]]:
    """Write ``result`` into ``out_dir`` in each of ``formats``.

    Parameters
    ----------
    result : Highlights
        What :func:`highlights.find_highlights` returned.
    out_dir : path-like
        Output folder (created if missing).
    formats : sequence of str, default ("json",)
        Names from :data:`EXPORTS`.
    overwrite : bool, default False
        Replace existing files.  Without it, an existing file stops the export with
        :class:`~highlights.OutputExistsError` before anything is written.
    cut_mode : {"copy", "encode"}, default "copy"
        For ``clips``: lossless stream copy (starts at the previous keyframe; the true
        span is reported) or frame-exact re-encode.
    crossfade_s : float, default 0.0
        For ``reel``: crossfade between clips, seconds.
    progress : bool or callable, optional
        Progress of the ``reel`` and ``shorts`` renders.

    Returns
    -------
    dict of str to Path or list of Path
        What was written, by format.

    Raises
    ------
    InvalidParameterError
        For an unknown format.
    OutputExistsError
        If a target exists and ``overwrite`` is false.
    ExportError
        If a format cannot express the clips (e.g. chapters of a too-short stream).
    """
    caller = "export_result"
    fmts = list(dict.fromkeys(formats))
    for f in fmts:
        check_choice("formats", caller, f, EXPORTS)
    check_choice("cut_mode", caller, cut_mode, ("copy", "encode"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    targets = {f: out / _name(f) for f in fmts if f not in ("clips", "shorts")}
    if not overwrite:
        from ..errors import OutputExistsError

        existing = [str(p) for p in targets.values() if p.exists()]
        if existing:
            raise OutputExistsError(
                f"{', '.join(existing)} already exist(s); pass overwrite=True "
                "(CLI: --overwrite) to replace."
            )
    media = result.media
    source = media.path if media is not None else None
    fps = media.fps if media is not None and media.fps > 0 else None
    duration = result.score.end_s if media is None else media.duration_s or result.score.end_s
    clips = list(result.clips)
    # Media exports carry the streams that were analysed (e.g. the mic track of an
    # OBS recording with mic + game audio), not whatever a writer would pick itself.
    a_stream = None if media is None else media.audio_stream
    v_stream = None if media is None else media.video_stream
    written: dict[str, Path | list[Path]] = {}
    for f in fmts:
        if f == "json":
            result.to_json(targets[f], overwrite=overwrite)
            written[f] = targets[f]
        elif f == "plot":
            result.plot(path=targets[f], overwrite=overwrite)
            written[f] = targets[f]
        elif f == "chapters":
            written[f] = _chapters(result, targets[f], duration, overwrite)
        elif f in ("reel", "shorts"):
            if source is None:
                raise fail("formats", caller, f"without {f!r} for a chat-only result", f)
            from .render import render_clip, render_reel

            if f == "reel":
                render_reel(clips, targets[f], media_path=source, crossfade_s=crossfade_s,
                            overwrite=overwrite, progress=progress, audio_stream=a_stream,
                            video_stream=v_stream)
                written[f] = targets[f]
            else:
                short_dir = out / "shorts"
                short_dir.mkdir(exist_ok=True)
                paths = []
                for i, c in enumerate(clips, start=1):
                    dest = short_dir / f"{i:03d}.mp4"
                    render_clip(c, dest, media_path=source, vertical=True, overwrite=overwrite,
                                progress=progress, audio_stream=a_stream,
                                video_stream=v_stream)
                    paths.append(dest)
                written[f] = paths
        elif f == "clips":
            if source is None:
                raise fail("formats", caller, "without 'clips' for a chat-only result", f)
            from .cut import cut_clips

            clip_dir = out / "clips"
            clip_dir.mkdir(exist_ok=True)
            cuts = cut_clips(clips, clip_dir, media_path=source, mode=cut_mode,
                             overwrite=overwrite, audio_stream=a_stream,
                             video_stream=v_stream)
            written[f] = [c.path for c in cuts]
        else:
            from . import export_clips

            needs_media = f in ("ffconcat", "edl", "resolve_markers", "otio", "fcp7")
            if needs_media and (source is None or fps is None):
                raise ExportError(
                    f"The {f!r} export needs a video file with a known frame rate; "
                    "this result has none."
                )
            written[f] = export_clips(
                clips, targets[f], format=f, media_path=source, fps=fps, duration_s=duration,
                overwrite=overwrite, title=Path(result.source).stem or "highlights",
            )
    return written


def _name(fmt: str) -> str:
    if fmt == "json":
        return "highlights.json"
    if fmt == "plot":
        return "highlights.png"
    if fmt == "chapters":
        return "chapters.txt"
    if fmt == "reel":
        return "reel.mp4"
    return _FILES[fmt]


def _chapters(result: Highlights, path: Path, duration: float, overwrite: bool) -> Path:
    """Write chapters of the whole replay.

    They are the result's own when it was made with the ``chapters`` preset, else
    split from its score by :func:`~highlights.selection.make_chapters` (clips alone
    rarely give 3 valid chapters); either way they are written by the one chapter
    writer, :func:`~highlights.export.export_clips`.
    """
    from ..selection.chapters import MIN_CHAPTER_S, MIN_CHAPTERS, make_chapters
    from .files import export_clips

    chapters = list(result.clips) if result.params.get("chapters") else make_chapters(
        result.score, cuts_s=result.cuts_s, components=result.components,
        keywords=result.keyword_source,
    )
    if not chapters:
        raise ExportError(f"The stream ({duration:.1f} s) is too short for {MIN_CHAPTERS} "
                          f"chapters of {MIN_CHAPTER_S:g} s.")
    return export_clips(chapters, path, format="chapters", duration_s=duration,
                        overwrite=overwrite)
