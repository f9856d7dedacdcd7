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
``shorts``         ``shorts/NNN.mp4`` — each clip rendered 9:16 at 1080x1920, framed by
                   ``layout`` (auto: facecam stack, face/motion tracking, blurred
                   fit or centre), loudness -14 LUFS; ``shorts/shorts.json`` lists
                   each short's title, layout and measured loudness
``covers``         ``covers/NNN.jpg`` — a cover frame per clip (sharp, exposed, not
                   black or mid-transition, a face when there is one, near the
                   peak), ``covers/reel.jpg`` and ``covers/replay.jpg`` (the best
                   clip's), and ``covers/covers.json`` (rank -> ``cover_s``, title)
``replay``         ``replay/replay.mp4`` — the whole recording (stream copy) after a
                   10-20 s teaser of its best moments (the ``teaser`` preset) and a
                   fade through black; ``replay/replay.edl`` (the same as an editor
                   timeline on the original, black included, when the frame rate is
                   known; also ``replay.otio``/``replay.fcp7.xml`` when ``otio``/
                   ``fcp7`` are asked for too) and ``replay/replay.json`` (teaser
                   length, loudness, clips)
``plot``           ``highlights.png`` — signals, score and clips on one time axis
================== =========================================================

An export is all or nothing.  :func:`check_targets` first checks every requested
format (the optional packages it needs, the media it needs, a folder that can be
written, targets that are free) and every text format is rendered in memory, all
before anything is written; if a writer still fails (a full disk, a broken media
file, Ctrl-C), the files and folders this call created are removed before the
error is re-raised.  The command line runs :func:`check_targets` and
:func:`check_output_file` before the analysis, so a conflict costs no decoding.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._atomic import atomic_write_text
from .._validate import check_choice, fail
from ..errors import ExportError, HighlightsError, OutputExistsError

if TYPE_CHECKING:  # pragma: no cover
    from ..result import Highlights

__all__ = ["export_result", "check_targets", "check_output_file", "parse_formats", "EXPORTS",
           "FILE_NAMES"]

#: Every export name :func:`export_result` accepts.
EXPORTS = ("json", "csv", "srt", "vtt", "chapters", "edl", "resolve_markers", "otio", "fcp7",
           "ffconcat", "clips", "reel", "shorts", "covers", "replay", "plot")
#: The fixed name of each export inside the output folder (``clips`` and ``shorts``
#: are folders).
FILE_NAMES = {
    "json": "highlights.json",
    "csv": "highlights.csv",
    "srt": "highlights.srt",
    "vtt": "highlights.vtt",
    "chapters": "chapters.txt",
    "edl": "highlights.edl",
    "resolve_markers": "resolve_markers.edl",
    "otio": "highlights.otio",
    "fcp7": "highlights.fcp7.xml",
    "ffconcat": "highlights.ffconcat",
    "clips": "clips",
    "reel": "reel.mp4",
    "shorts": "shorts",
    "covers": "covers",
    "replay": "replay",
    "plot": "highlights.png",
}
_FOLDERS = ("clips", "shorts", "covers", "replay")
#: Formats written from the text :func:`~highlights.export.render_text` returns.
_TEXT = ("json", "csv", "srt", "vtt", "chapters", "edl", "resolve_markers", "otio", "fcp7",
         "ffconcat")
#: Formats that need the recording (not possible for a chat-only result).
_NEEDS_MEDIA = ("ffconcat", "edl", "resolve_markers", "otio", "fcp7", "clips", "reel",
                "shorts", "covers", "replay")
#: Formats that need the video's frame rate.
_NEEDS_FPS = ("edl", "resolve_markers", "otio", "fcp7")


def parse_formats(formats: str | Iterable[str], *, caller: str = "export_result") -> list[str]:
    """Return export names as a list without repeats, in the order given.

    Parameters
    ----------
    formats : str or iterable of str
        Names from :data:`EXPORTS`: ``"json"``, ``"json,edl,otio"`` (comma-separated,
        spaces ignored) or ``["json", "edl"]``.
    caller : str
        Named in error messages.

    Raises
    ------
    InvalidParameterError
        For an unknown name, an empty list, or something that is not names.
    """
    if isinstance(formats, str):
        names: list[Any] = [f.strip() for f in formats.split(",") if f.strip()]
    else:
        try:
            names = list(formats)
        except TypeError:
            raise fail("formats", caller, "a str or a sequence of str", formats) from None
    if not names:
        raise fail("formats", caller, f"at least one of {', '.join(EXPORTS)}", formats)
    for name in names:
        check_choice("formats", caller, name, EXPORTS)
    return list(dict.fromkeys(names))


def _require_packages(fmt: str) -> None:
    """Raise :class:`ExportError` if an optional package ``fmt`` needs is missing."""
    if fmt in ("otio", "fcp7"):
        from .otio import INSTALL_HINT

        try:
            import opentimelineio as otio  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise ExportError(
                f"The {fmt!r} export needs OpenTimelineIO: {INSTALL_HINT}."
            ) from None
        if fmt == "fcp7":
            try:
                otio.adapters.from_name("fcp_xml")
            except Exception:  # NotSupportedError, or a broken plugin manifest
                raise ExportError(
                    f"The 'fcp7' export needs OpenTimelineIO's fcp_xml adapter "
                    f"(otio-fcp-adapter): {INSTALL_HINT}."
                ) from None
    elif fmt == "plot":
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ExportError(
                "The plot needs matplotlib: pip install 'stream-highlights[plot]'."
            ) from None


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _check_folder(folder: Path, *, what: str) -> None:
    """Raise :class:`ExportError` unless ``folder`` is, or can be made, a writable folder."""
    if folder.exists():
        if not folder.is_dir():
            raise ExportError(f"{what} {str(folder)!r} is a file, not a folder.")
        base = folder
    else:
        base = _nearest_existing(folder)
        if not base.is_dir():
            raise ExportError(
                f"Cannot create {what} {str(folder)!r}: {str(base)!r} is a file, not a folder."
            )
    if not os.access(base, os.W_OK | os.X_OK):
        raise ExportError(f"Cannot write into {what} {str(folder)!r}: "
                          f"{str(base)!r} is not writable.")


def check_output_file(path: str | os.PathLike[str], *, overwrite: bool = False,
                      format: str | None = None, what: str = "Output file") -> Path:
    """Check, before any work, that one output file can be written.

    Parameters
    ----------
    path : path-like
        The file (its folder must exist).
    overwrite : bool, default False
        Whether an existing file may be replaced.
    format : str, optional
        A name from :data:`EXPORTS`: also check the optional packages it needs, and
        for ``"plot"`` that matplotlib can write the file's suffix.
    what : str, default "Output file"
        How error messages name the file (the CLI passes ``"--json"``, ``"--plot"``).

    Returns
    -------
    pathlib.Path
        ``path``, absolute.

    Raises
    ------
    InvalidParameterError
        If ``path`` is not a path or ``format`` not an export name.
    ExportError
        If ``path`` is a folder, its folder is missing, not a folder or not
        writable, or a needed package is missing.
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    caller = "check_output_file"
    if not isinstance(path, str | os.PathLike) or not os.fspath(path):
        raise fail("path", caller, "a file path", path)
    dest = Path(os.path.abspath(os.fspath(path)))
    if format is not None:
        check_choice("format", caller, format, EXPORTS)
        _require_packages(format)
    if dest.is_dir():
        raise ExportError(f"{what} {str(dest)!r} is a folder.")
    parent = dest.parent
    if not parent.exists():
        raise ExportError(f"{what}: folder {str(parent)!r} does not exist.")
    _check_folder(parent, what="the folder of")
    if not overwrite and (dest.exists() or dest.is_symlink()):
        raise OutputExistsError(
            f"{str(dest)!r} exists; pass overwrite=True (CLI: --overwrite) to replace it."
        )
    if format == "plot":
        from matplotlib.backend_bases import FigureCanvasBase

        kinds = FigureCanvasBase.get_supported_filetypes()
        if dest.suffix.lower().lstrip(".") not in kinds:
            raise ExportError(f"{what} {str(dest)!r}: a plot file must end in one of "
                              f"{', '.join('.' + k for k in sorted(kinds))}.")
    return dest


def check_targets(out_dir: str | os.PathLike[str], formats: str | Iterable[str], *,
                  overwrite: bool = False, media: bool | None = None) -> dict[str, Path]:
    """Check, before any work, that :func:`export_result` can write ``formats``.

    Checks every format's name and the optional packages it needs (OpenTimelineIO
    and its FCP7 adapter for ``otio``/``fcp7``, matplotlib for ``plot``), that the
    formats needing the recording have one, that ``out_dir`` is a folder (or can be
    created as one) that can be written, and that no target exists.  Nothing is
    created.

    Parameters
    ----------
    out_dir : path-like
        The output folder (it need not exist yet).
    formats : str or iterable of str
        Names from :data:`EXPORTS` (see :func:`parse_formats`).
    overwrite : bool, default False
        Whether existing targets may be replaced.
    media : bool, optional
        Whether the result has a recording: ``False`` for a chat-only analysis
        refuses ``ffconcat``, ``edl``, ``resolve_markers``, ``otio``, ``fcp7``,
        ``clips``, ``reel`` and ``shorts``.  ``None`` (unknown) skips that check.

    Returns
    -------
    dict of str to Path
        The absolute target of each format (a folder for ``clips`` and ``shorts``),
        in the order given.

    Raises
    ------
    InvalidParameterError
        For an unknown format.
    ExportError
        If a needed package or the recording is missing, or ``out_dir`` is a file,
        lies under a file or is not writable.
    OutputExistsError
        If a target exists (for ``clips`` and ``shorts``: a folder that is not
        empty) and ``overwrite`` is false; every such target is named.
    """
    caller = "check_targets"
    fmts = parse_formats(formats, caller=caller)
    if not isinstance(out_dir, str | os.PathLike) or not os.fspath(out_dir):
        raise fail("out_dir", caller, "a folder path", out_dir)
    if not isinstance(overwrite, bool):
        raise fail("overwrite", caller, "a bool", overwrite)
    out = Path(out_dir).resolve()
    for f in fmts:
        _require_packages(f)
    if media is False:
        missing = [f for f in fmts if f in _NEEDS_MEDIA]
        if missing:
            raise ExportError(
                f"The {', '.join(map(repr, missing))} export(s) need the recording; "
                "this is a chat-only analysis."
            )
    _check_folder(out, what="output folder")
    targets = {f: out / FILE_NAMES[f] for f in fmts}
    existing = []
    for f, target in targets.items():
        if f in _FOLDERS:
            if target.exists() and not target.is_dir():
                raise ExportError(f"{str(target)!r} is a file; the {f!r} export needs a "
                                  "folder there.")
            if target.is_dir():
                _check_folder(target, what=f"the {f!r} folder")
                if not overwrite and any(target.iterdir()):
                    existing.append(f"{target}{os.sep} (not empty)")
        elif target.is_dir():
            raise ExportError(f"{str(target)!r} is a folder; the {f!r} export writes a "
                              "file there.")
        elif not overwrite and (target.exists() or target.is_symlink()):
            existing.append(str(target))
    if existing:
        raise OutputExistsError(
            f"{', '.join(existing)} already exist(s); pass overwrite=True "
            "(CLI: --overwrite) to replace."
        )
    return targets


def export_result(
    result: Highlights,
    out_dir: str | os.PathLike[str],
    *,
    formats: str | Sequence[str] = ("json",),
    overwrite: bool = False,
    cut_mode: str = "copy",
    crossfade_s: float = 0.0,
    progress: Any = None,
    layout: str = "auto",
) -> dict[str, Path | list[Path]]:
    """Write ``result`` into ``out_dir`` in each of ``formats``, all or nothing.

    Parameters
    ----------
    result : Highlights
        What :func:`highlights.find_highlights` returned.
    out_dir : path-like
        Output folder (created, with its parents, if missing).
    formats : str or sequence of str, default ("json",)
        Names from :data:`EXPORTS`: ``"json"``, ``"json,edl"`` or ``["json", "edl"]``.
    overwrite : bool, default False
        Replace existing files.  Without it, an existing target stops the export
        with :class:`~highlights.OutputExistsError` before anything is written.
    cut_mode : {"copy", "encode"}, default "copy"
        For ``clips``: lossless stream copy (starts at the previous keyframe; the true
        span is reported) or frame-exact re-encode.
    crossfade_s : float, default 0.0
        For ``reel``: crossfade between clips, seconds.
    progress : bool or callable, optional
        Progress of the ``reel`` and ``shorts`` renders.
    layout : {"auto", "center", "track", "stack", "fit"}, default "auto"
        Framing of the ``shorts`` (see :func:`~highlights.export.render_reel`).

    Returns
    -------
    dict of str to Path or list of Path
        What was written, by format; every path is absolute.

    Raises
    ------
    InvalidParameterError
        For an unknown format.
    OutputExistsError
        If a target exists and ``overwrite`` is false (nothing is written).
    ExportError
        If a format cannot be written: a missing optional package, no recording
        (chat-only) or frame rate, clips the format cannot express (e.g. chapters of
        a too-short stream), or a write that failed.  Found before anything is
        written when possible; otherwise the files and folders this call created
        are removed first (files it replaced under ``overwrite=True`` stay
        replaced).
    """
    caller = "export_result"
    fmts = parse_formats(formats, caller=caller)
    check_choice("cut_mode", caller, cut_mode, ("copy", "encode"))
    from .reframe import LAYOUTS

    check_choice("layout", caller, layout, LAYOUTS)
    media = result.media
    source = media.path if media is not None else None
    targets = check_targets(out_dir, fmts, overwrite=overwrite, media=source is not None)
    reads_media = [f for f in fmts if f in _FOLDERS or f == "reel"]
    if "replay" in fmts and source is not None:
        from .replay import check_recording

        check_recording(source, audio_stream=media.audio_stream if media else None,
                        video_stream=media.video_stream if media else None)
    if source is not None and reads_media and not Path(source).is_file():
        raise ExportError(f"The recording {source!r} is no longer there; the "
                          f"{', '.join(reads_media)} export(s) need it.")
    fps = media.fps if media is not None and media.fps > 0 else None
    missing_fps = [f for f in fmts if f in _NEEDS_FPS and fps is None]
    if missing_fps:
        raise ExportError(
            f"The {', '.join(map(repr, missing_fps))} export(s) need a video with a known "
            "frame rate; this recording has none."
        )
    duration = result.score.end_s if media is None else media.duration_s or result.score.end_s
    # Every text format is rendered before anything is written: whatever it cannot
    # express (too few chapters, a timecode past 24 h, 999+ EDL events) fails here.
    texts = {f: _render(result, f, source=source, fps=fps, duration=duration)
             for f in fmts if f in _TEXT}
    out = Path(out_dir).resolve()
    undo = _Undo()
    try:
        undo.mkdir(out)
        return _write_all(result, fmts, targets, texts, undo, overwrite=overwrite,
                          cut_mode=cut_mode, crossfade_s=crossfade_s, progress=progress,
                          layout=layout, fps=fps)
    except BaseException as exc:  # also Ctrl-C during a long render
        undo.rollback()
        if isinstance(exc, OSError) and not isinstance(exc, HighlightsError):
            raise ExportError(f"Cannot write the export into {str(out)!r}: {exc}") from exc
        raise


def _write_all(result: Highlights, fmts: list[str], targets: dict[str, Path],
               texts: dict[str, str], undo: _Undo, *, overwrite: bool, cut_mode: str,
               crossfade_s: float, progress: Any, layout: str = "auto",
               fps: Any = None) -> dict[str, Path | list[Path]]:
    media = result.media
    # Media exports carry the streams that were analysed (e.g. the mic track of an
    # OBS recording with mic + game audio), not whatever a writer would pick itself.
    source = "" if media is None else media.path  # check_targets refused media formats
    a_stream = None if media is None else media.audio_stream
    v_stream = None if media is None else media.video_stream
    clips = list(result.clips)
    written: dict[str, Path | list[Path]] = {}
    for f in fmts:
        target = targets[f]
        if f in texts:
            undo.file(target)
            written[f] = atomic_write_text(target, texts[f], overwrite=overwrite)
        elif f == "plot":
            undo.file(target)
            result.plot(path=target, overwrite=overwrite)
            written[f] = target
        elif f == "reel":
            from .render import render_reel

            undo.file(target)
            render_reel(clips, target, media_path=source, crossfade_s=crossfade_s,
                        overwrite=overwrite, progress=progress, audio_stream=a_stream,
                        video_stream=v_stream)
            written[f] = target
        elif f == "shorts":
            from ..selection.titles import clip_title
            from .render import render_clip

            undo.mkdir(target)
            paths = []
            rows = []
            for i, c in enumerate(clips, start=1):
                dest = target / f"{i:03d}.mp4"
                undo.file(dest)
                res = render_clip(c, dest, media_path=source, vertical=True, layout=layout,
                                  overwrite=overwrite, progress=progress,
                                  audio_stream=a_stream, video_stream=v_stream)
                paths.append(dest)
                rows.append({"file": dest.name, "rank": c.rank, "title": clip_title(c),
                             "start_s": round(c.start_s, 3), "end_s": round(c.end_s, 3),
                             "layout": res.spans[0].layout,
                             "size": [res.width, res.height],
                             "loudness": None if res.loudness is None
                             else res.loudness.to_dict()})
            index = target / "shorts.json"
            undo.file(index)
            atomic_write_text(index, _doc("highlights.shorts", {"shorts": rows}),
                              overwrite=overwrite)
            written[f] = paths
        elif f == "covers":
            written[f] = _write_covers(result, target, undo, overwrite=overwrite,
                                       video_stream=v_stream)
        elif f == "replay":
            editors = ["edl", *(e for e in ("otio", "fcp7") if e in fmts)]
            written[f] = _write_replay(result, target, undo, overwrite=overwrite, fps=fps,
                                       editors=editors, audio_stream=a_stream,
                                       video_stream=v_stream)
        else:  # clips
            from .cut import cut_clips

            undo.mkdir(target)
            undo.folder(target)
            cuts = cut_clips(clips, target, media_path=source, mode=cut_mode,
                             overwrite=overwrite, audio_stream=a_stream, video_stream=v_stream)
            written[f] = [Path(os.path.abspath(c.path)) for c in cuts]
    return written


def _doc(schema: str, body: dict[str, Any]) -> str:
    import json

    from .._schema import PUBLISH_SCHEMA_VERSION

    return json.dumps({"schema": schema, "schema_version": PUBLISH_SCHEMA_VERSION, **body},
                      indent=2, ensure_ascii=False) + "\n"


def _write_covers(result: Highlights, target: Path, undo: _Undo, *, overwrite: bool,
                  video_stream: int | None) -> list[Path]:
    """``covers/NNN.jpg`` per clip, ``reel.jpg``/``replay.jpg`` and ``covers.json``."""
    from ..selection.titles import clip_title, reel_title
    from .covers import pick_covers, write_cover

    media = result.media
    assert media is not None
    clips = list(result.clips)
    undo.mkdir(target)
    covers = pick_covers(clips, media_path=media.path, video_stream=video_stream)
    paths = []
    rows = []
    for i, cov in enumerate(covers, start=1):
        dest = target / f"{i:03d}.jpg"
        undo.file(dest)
        write_cover(media.path, cov.cover_s, dest, overwrite=overwrite,
                    video_stream=video_stream)
        paths.append(dest)
        rows.append({"file": dest.name, "rank": cov.clip.rank, "cover_s": round(cov.cover_s, 3),
                     "title": clip_title(cov.clip), "face": cov.face})
    best = min(covers, key=lambda c: c.clip.rank) if covers else None
    extra: dict[str, Any] = {}
    if best is not None:
        for name in ("reel", "replay"):
            dest = target / f"{name}.jpg"
            undo.file(dest)
            write_cover(media.path, best.cover_s, dest, overwrite=overwrite,
                        video_stream=video_stream)
            paths.append(dest)
            extra[name] = {"file": dest.name, "cover_s": round(best.cover_s, 3),
                           "title": reel_title(clips, name=Path(result.source).stem)}
    index = target / "covers.json"
    undo.file(index)
    atomic_write_text(index, _doc("highlights.covers", {"clips": rows, **extra}),
                      overwrite=overwrite)
    return paths


def _write_replay(result: Highlights, target: Path, undo: _Undo, *, overwrite: bool, fps: Any,
                  editors: Sequence[str], audio_stream: int | None,
                  video_stream: int | None) -> list[Path]:
    """``replay/replay.mp4`` (teaser + recording), its timelines and ``replay.json``.

    ``editors`` names the timeline formats (``edl``, ``otio``, ``fcp7``) written as
    ``replay.edl``, ``replay.otio`` and ``replay.fcp7.xml`` when the frame rate is known.
    """
    from ..selection.titles import clip_title
    from .replay import render_replay, render_replay_timeline

    media = result.media
    assert media is not None
    teaser = list(result.repick(preset="teaser").clips)
    if not teaser:
        raise ExportError("The replay needs at least one moment for its teaser; none was "
                          "found.")
    undo.mkdir(target)
    dest = target / "replay.mp4"
    undo.file(dest)
    res = render_replay(teaser, dest, media_path=media.path, overwrite=overwrite,
                        audio_stream=audio_stream, video_stream=video_stream)
    paths = [dest]
    names = {"edl": "replay.edl", "otio": "replay.otio", "fcp7": "replay.fcp7.xml"}
    for fmt in editors if fps is not None else ():
        timeline = target / names[fmt]
        undo.file(timeline)
        atomic_write_text(timeline, render_replay_timeline(
            res, media_path=media.path, fps=fps, format=fmt,
            title=f"{Path(result.source).stem} replay"), overwrite=overwrite)
        paths.append(timeline)
    index = target / "replay.json"
    undo.file(index)
    body = {"file": dest.name, "teaser_s": round(res.teaser_s, 3),
            "duration_s": round(res.duration_s, 3),
            "recording_lufs": None if res.recording_lufs is None
            else round(res.recording_lufs, 2),
            "teaser": [{"rank": c.rank, "start_s": round(c.start_s, 3),
                        "end_s": round(c.end_s, 3), "title": clip_title(c)} for c in teaser]}
    atomic_write_text(index, _doc("highlights.replay", body), overwrite=overwrite)
    paths.append(index)
    return paths


class _Undo:
    """What one export created, to remove it if a later step fails.

    Only what did not exist before is removed: a file replaced under
    ``overwrite=True`` stays replaced, and a folder is removed only if empty.
    """

    def __init__(self) -> None:
        self._files: list[Path] = []
        self._dirs: list[Path] = []
        self._folders: list[tuple[Path, set[str]]] = []

    def file(self, path: Path) -> None:
        """Note a file about to be written (removed on rollback if it is new)."""
        if not (path.exists() or path.is_symlink()):
            self._files.append(path)

    def folder(self, path: Path) -> None:
        """Note a folder about to be filled: new entries are removed on rollback."""
        self._folders.append((path, {p.name for p in path.iterdir()}))

    def mkdir(self, path: Path) -> None:
        """Create ``path`` and its missing parents, noting each one created."""
        missing = []
        p = path
        while not p.exists() and p.parent != p:
            missing.append(p)
            p = p.parent
        for d in reversed(missing):
            try:
                d.mkdir()
            except FileExistsError:
                if not d.is_dir():
                    raise ExportError(f"Cannot create the folder {str(d)!r}: "
                                      "a file has that name.") from None
                continue
            except OSError as exc:
                raise ExportError(f"Cannot create the folder {str(d)!r}: "
                                  f"{exc.strerror or exc}.") from exc
            self._dirs.append(d)

    def rollback(self) -> None:
        """Remove what was created, newest first; failures here are ignored."""
        for path in reversed(self._files):
            with contextlib.suppress(OSError):
                path.unlink()
        for folder, before in reversed(self._folders):
            with contextlib.suppress(OSError):
                for p in folder.iterdir():
                    if p.name not in before and not p.is_dir():
                        p.unlink()
        for d in reversed(self._dirs):
            with contextlib.suppress(OSError):
                d.rmdir()


def _render(result: Highlights, fmt: str, *, source: Any, fps: Any, duration: float) -> str:
    """Return the text of one text export (what :func:`_write_all` writes)."""
    if fmt == "json":
        return result.to_json() + "\n"
    from .files import render_text

    if fmt == "chapters":
        return render_text(_chapters(result, duration), format="chapters", duration_s=duration)
    return render_text(list(result.clips), format=fmt, media_path=source, fps=fps,
                       duration_s=duration, title=Path(result.source).stem or "highlights")


def _chapters(result: Highlights, duration: float) -> list[Any]:
    """Chapters of the whole replay.

    They are the result's own when it was made with the ``chapters`` preset, else
    split from its score by :func:`~highlights.selection.make_chapters` (clips alone
    rarely give 3 valid chapters); either way they are written by the one chapter
    writer, :func:`~highlights.export.render_text`.
    """
    from ..selection.chapters import MIN_CHAPTER_S, MIN_CHAPTERS, make_chapters

    chapters = list(result.clips) if result.params.get("chapters") else make_chapters(
        result.score, cuts_s=result.cuts_s, components=result.components,
        keywords=result.keyword_source,
    )
    if not chapters:
        raise ExportError(f"The stream ({duration:.1f} s) is too short for {MIN_CHAPTERS} "
                          f"chapters of {MIN_CHAPTER_S:g} s.")
    return chapters
