"""Media probing and the single demux pass (the only module that imports PyAV for reading).

:func:`probe` opens a file, picks the audio and video streams ``highlights`` analyses and
returns a :class:`~highlights.types.MediaInfo`.  :func:`demux` reads the file **once**:
audio packets go to the audio decoder (resampled to mono ``float32`` at ``sr``), video
packets feed a compressed-domain callback (size, keyframe flag) and, depending on the
video mode, the video decoder.  Decoded frames are reduced to small planes right away
(Y plane view + ``cv2.resize(INTER_AREA)``); nothing is kept, so memory does not grow
with the duration.

Times handed to callbacks are float seconds from the media start (the container's
``start_time`` is subtracted), taken from each packet's or frame's PTS, never from a
frame counter, so variable frame rate is handled.  Audio samples are counted in runs
anchored on the PTS with exact rational arithmetic
(:class:`~highlights.io._audio_runs.AudioPlacer`), so a read that starts after a seek
places them where a read from the start does, even where the container rounds
timestamps to milliseconds (Matroska, FLV).  Backward timestamp jumps
(stream restarts, 33-bit wraps) and huge forward gaps are spliced onto a monotonic
timeline with a :class:`~highlights.errors.DecodeWarning`.
"""

from __future__ import annotations

import logging
import math
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._progress import make_progress
from .._validate import check_choice, check_int, check_nonneg, check_positive
from ..errors import (
    DecodeError,
    DecodeWarning,
    MediaError,
    MediaNotFoundError,
    StreamNotFoundError,
)
from ..types import MediaInfo
from ._audio_runs import AudioPlacer

__all__ = [
    "probe",
    "demux",
    "DemuxStats",
    "VIDEO_MODES",
    "warn_user",
    "AudioCallback",
    "PacketCallback",
    "FrameCallback",
    "ProgressArg",
]

logger = logging.getLogger(__name__)

#: Video decoding modes of :func:`demux`.
VIDEO_MODES = ("keyframes", "sampled", "full", "none")

#: ``on_audio(samples, start)``: mono float32 block, global index of its first sample.
AudioCallback = Callable[[NDArray[np.float32], int], None]
#: ``on_packet(t_s, nbytes, is_keyframe)`` for every video packet.
PacketCallback = Callable[[float, int, bool], None]
#: ``on_frame(t_s, y, u, v, full_range)``: small uint8 planes of one frame, one shape.
FrameCallback = Callable[
    [float, NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8], bool], None
]
#: ``progress`` argument: None/False (silent), True (tqdm on stderr) or ``f(done_s, total_s)``.
ProgressArg = Any

_REMUX_HINT = (
    "If this is an MP4/MOV whose index (moov atom) is missing or at the end of a cut "
    "file, remux it, e.g. `ffmpeg -i in.mp4 -c copy -movflags +faststart out.mp4`, or "
    "recover it with a tool such as untrunc."
)
# A backward PTS jump larger than this (seconds) is a discontinuity (B-frame reordering
# moves PTS back by a few frames only).
_BACK_JUMP_S = 1.0
# A forward PTS gap larger than this (seconds) is a discontinuity, not a pause.
_MAX_GAP_S = 60.0
# A seek that lands late is retried this much earlier, doubling, at most so many times.
_SEEK_BACK_S = 1.0
_SEEK_TRIES = 8
# So many undecodable packets in a row end the pass with DecodeError.
_MAX_BAD_IN_A_ROW = 200
# Frame formats whose planes can be read directly as 8-bit Y, U, V.
_PLANAR_YUV = {
    "yuv420p": False, "yuvj420p": True, "yuv422p": False, "yuvj422p": True,
    "yuv444p": False, "yuvj444p": True, "yuv440p": False, "yuvj440p": True,
    "yuv411p": False, "yuv410p": False,
}


# --------------------------------------------------------------------------- warnings
def warn_user(message: str, category: type[Warning]) -> None:
    """Issue a warning attributed to the first caller outside the ``highlights`` package."""
    import sys

    level = 2  # 1 = this function, 2 = its caller
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("highlights"):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, category, stacklevel=level)


# --------------------------------------------------------------------------- opening
def open_media(path: str | os.PathLike[str]) -> Any:
    """Open ``path`` with PyAV, translating its errors into ``highlights`` errors.

    The one opener of the library: analysis, probing, cutting and rendering all read
    through it, so a file fails the same way everywhere.

    Raises
    ------
    MediaNotFoundError
        If ``path`` does not exist.
    MediaError
        If it is a directory, empty, or not media (an MP4 without its index gets a
        remux hint).
    """
    import av

    p = Path(path)
    if not p.exists():
        raise MediaNotFoundError(f"Media file not found: {str(p)!r}.", path=str(p))
    if p.is_dir():
        raise MediaError(f"Expected a media file, got a directory: {str(p)!r}.", path=str(p))
    if p.stat().st_size == 0:
        raise MediaError(f"Media file is empty (0 bytes): {str(p)!r}.", path=str(p))
    try:
        container = av.open(str(p), mode="r", metadata_errors="ignore")
    except FileNotFoundError as exc:
        raise MediaNotFoundError(f"Media file not found: {str(p)!r}.", path=str(p)) from exc
    except (av.FFmpegError, ValueError, OSError) as exc:
        hint = " " + _REMUX_HINT if _mp4_without_index(p) else ""
        raise MediaError(
            f"Cannot read {str(p)!r} as media ({_reason(exc)}).{hint}", path=str(p)
        ) from exc
    if container.format.name in _TEXT_FORMATS:
        container.close()
        raise MediaError(
            f"Cannot read {str(p)!r} as media (it is a text file).", path=str(p)
        )
    return container


# FFmpeg demuxers that accept any text file (``tty`` renders ANSI art from .txt/.nfo...).
_TEXT_FORMATS = {"tty"}
# Top-level box types an MP4/MOV file may start with.
_MP4_FIRST_BOXES = {b"ftyp", b"wide", b"free", b"skip", b"mdat", b"pnot"}


def _reason(exc: BaseException) -> str:
    """FFmpeg's reason for an error, without ``[Errno N]`` and the repeated file name."""
    text = getattr(exc, "strerror", None) or str(exc)
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", str(text)).strip()
    text = re.sub(r":\s*'[^']*'$", "", text).rstrip(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _mp4_without_index(path: Path) -> bool:
    """True if ``path`` starts like an MP4/MOV (``ftyp``...) but has no ``moov`` box.

    Walks the top-level box headers only (a few reads, whatever the file size).
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            pos = 0
            for i in range(10_000):
                fh.seek(pos)
                head = fh.read(16)
                if len(head) < 8:
                    if i == 0:
                        return False
                    break
                box, kind = int.from_bytes(head[:4], "big"), head[4:8]
                if i == 0 and kind not in _MP4_FIRST_BOXES:
                    return False
                if kind == b"moov":
                    return False
                if box == 1 and len(head) == 16:
                    box = int.from_bytes(head[8:16], "big")
                if box < 8:  # 0 = "to the end of the file", or damage
                    break
                pos += box
                if pos >= size:
                    break
    except OSError:
        return False
    return True


def _is_cover(stream: Any) -> bool:
    import av.stream

    return bool(int(stream.disposition) & int(av.stream.Disposition.attached_pic))


def _pick(container: Any, kind: str, requested: int | None, caller: str) -> int | None:
    """Index within its kind of the stream to analyse (``None`` if there is none)."""
    streams = list(getattr(container.streams, kind))
    if requested is not None:
        idx = check_int(f"{kind}_stream", caller, requested)
        if idx >= len(streams) or (kind == "video" and _is_cover(streams[idx])):
            usable = [i for i, s in enumerate(streams) if not (kind == "video" and _is_cover(s))]
            raise StreamNotFoundError(
                f"{container.name!r} has no {kind} stream {idx}; "
                f"usable {kind} stream indices: {usable}.",
                path=container.name,
            )
        return idx
    candidates = [s for s in streams if not (kind == "video" and _is_cover(s))]
    if not candidates:
        return None
    best = container.streams.best(kind)  # FFmpeg's av_find_best_stream
    if best is None or best not in candidates:
        # Prefer the default-disposition stream, then the largest picture / most channels.
        import av.stream

        dflt = int(av.stream.Disposition.default)

        def rank(s: Any) -> tuple[int, int]:
            size = (s.codec_context.width or 0) * (s.codec_context.height or 0) if (
                kind == "video") else (s.codec_context.channels or 0)
            return (int(bool(int(s.disposition) & dflt)), size)

        best = max(candidates, key=rank)
    return streams.index(best)


def pick_streams(
    container: Any, *, audio_stream: int | None = None, video_stream: int | None = None,
    caller: str = "pick_streams",
) -> tuple[Any, Any]:
    """The video and audio streams to read: the ones :func:`probe` picks for analysis.

    Parameters
    ----------
    container : av.container.InputContainer
        An open file (:func:`open_media`).
    audio_stream, video_stream : int, optional
        Index within its kind, as in :func:`probe` (``MediaInfo.audio_stream`` and
        ``MediaInfo.video_stream`` of an analysis); default: FFmpeg's best stream.
        Cover art is never picked.
    caller : str, default "pick_streams"
        Function named in error messages.

    Returns
    -------
    video, audio : av.stream.Stream or None
        Either may be None, not both.

    Raises
    ------
    StreamNotFoundError
        If a requested stream does not exist, or there is no stream at all.
    """
    v_idx = _pick(container, "video", video_stream, caller)
    a_idx = _pick(container, "audio", audio_stream, caller)
    if v_idx is None and a_idx is None:
        raise StreamNotFoundError("The media has neither a video nor an audio stream.",
                                  path=container.name)
    video = None if v_idx is None else list(container.streams.video)[v_idx]
    audio = None if a_idx is None else list(container.streams.audio)[a_idx]
    return video, audio


def _seconds(value: int | None, tb: Fraction | None) -> float | None:
    if value is None or tb is None:
        return None
    return float(value * tb)


def _info(container: Any, path: Path, a_idx: int | None, v_idx: int | None) -> MediaInfo:
    start_s = 0.0 if container.start_time is None else container.start_time / 1_000_000
    duration_s = 0.0
    if container.duration is not None and container.duration > 0:
        duration_s = container.duration / 1_000_000
    else:
        ends = []
        for s in container.streams:
            d = _seconds(s.duration, s.time_base)
            if d is not None:
                st = _seconds(s.start_time, s.time_base) or 0.0
                ends.append(st + d - start_s)
        duration_s = max(ends, default=0.0)
    kw: dict[str, Any] = {}
    vstreams = list(container.streams.video)
    astreams = list(container.streams.audio)
    if v_idx is not None:
        vs = vstreams[v_idx]
        cc = vs.codec_context
        rate = vs.average_rate or vs.guessed_rate
        kw.update(width=int(cc.width or 0), height=int(cc.height or 0),
                  fps=float(rate) if rate else 0.0, video_codec=str(cc.name or ""),
                  rotation=_rotation(container, vs))
    if a_idx is not None:
        ac = astreams[a_idx].codec_context
        kw.update(sample_rate=int(ac.sample_rate or 0), channels=int(ac.channels or 0),
                  audio_codec=str(ac.name or ""))
    return MediaInfo(
        path=str(path), duration_s=float(max(duration_s, 0.0)), start_s=float(start_s),
        format_name=str(container.format.name), size_bytes=int(path.stat().st_size),
        video_stream=v_idx, audio_stream=a_idx,
        n_video_streams=sum(1 for s in vstreams if not _is_cover(s)),
        n_audio_streams=len(astreams), **kw,
    )


def _rotation(container: Any, stream: Any) -> int:
    """Display rotation of ``stream`` in degrees counter-clockwise, in ``(-180, 180]``.

    A legacy ``rotate`` tag (clockwise) wins; else the stream's display matrix, which
    FFmpeg attaches to decoded frames, is read from the first keyframe.  0 when
    neither says otherwise or the first frames do not decode.
    """
    import av

    def norm(deg: float) -> int:
        r = int(round(deg)) % 360
        return r - 360 if r > 180 else r

    tag = stream.metadata.get("rotate")
    if tag is not None:
        try:
            return norm(-float(tag))
        except ValueError:
            pass
    cc = stream.codec_context
    try:
        cc.skip_frame = "NONKEY"
        cc.thread_count = 1  # one frame: starting decoder threads costs more than it saves
        for k, packet in enumerate(container.demux(stream)):
            frames = cc.decode(packet)
            if not frames and (packet.size == 0 or k >= 64):
                frames = cc.decode(None)
            if frames:
                return norm(frames[0].rotation)
            if k >= 64:
                break
    except (av.FFmpegError, ValueError, OSError):
        pass
    return 0


def probe(
    path: str | os.PathLike[str],
    *,
    audio_stream: int | None = None,
    video_stream: int | None = None,
) -> MediaInfo:
    """Describe a media file and pick the streams to analyse.

    Parameters
    ----------
    path : str or path-like
        The media file.
    audio_stream, video_stream : int, optional
        Index *within its kind* (as in ``ffmpeg -map 0:a:1``) of the stream to use.
        By default the best stream is picked (FFmpeg's choice); cover-art
        (``attached_pic``) video streams are never picked.

    Returns
    -------
    MediaInfo
        Duration and start time in seconds, stream indices, codec details and the
        video's display rotation (read from the first keyframe).

    Raises
    ------
    MediaNotFoundError
        If ``path`` does not exist.
    MediaError
        If the file is empty, not media (text files included), or an MP4 without its
        index (with a remux hint).
    StreamNotFoundError
        If an explicitly requested stream index does not exist.

    Examples
    --------
    >>> info = probe("vod.mp4")                 # doctest: +SKIP
    >>> info.duration_s, info.has_audio         # doctest: +SKIP
    (14400.0, True)
    """
    p = Path(path)
    container = open_media(p)
    try:
        a_idx = _pick(container, "audio", audio_stream, "probe")
        v_idx = _pick(container, "video", video_stream, "probe")
        if a_idx is None and v_idx is None:
            raise MediaError(
                f"{str(p)!r} has neither an audio nor a video stream.", path=str(p)
            )
        return _info(container, p, a_idx, v_idx)
    finally:
        container.close()


# --------------------------------------------------------------------------- timing
class _Clock:
    """Map a stream's integer PTS to monotonic seconds from the media start."""

    __slots__ = ("tb", "origin_s", "offset_s", "last_s", "step_s", "jumps", "n_jumps", "name")

    def __init__(self, tb: Fraction, origin_s: float, step_s: float, name: str) -> None:
        self.tb = float(tb)  # seconds per tick; one float multiply per timestamp
        self.origin_s = origin_s
        self.offset_s = 0.0
        self.last_s = -math.inf  # latest mapped time seen
        self.step_s = step_s
        self.jumps: list[tuple[float, float]] = []  # (at mapped s, raw jump s), first 5
        self.n_jumps = 0
        self.name = name

    def __call__(self, pts: int) -> float:
        t = pts * self.tb - self.origin_s + self.offset_s
        last = self.last_s
        if last != -math.inf and (t < last - _BACK_JUMP_S or t > last + _MAX_GAP_S):
            new_t = last + self.step_s
            self.n_jumps += 1
            if len(self.jumps) < 5:  # keep a few for the warning; memory stays bounded
                self.jumps.append((last, t - last))
            self.offset_s += new_t - t
            t = new_t
        if t > last:
            self.last_s = t
        return t


# --------------------------------------------------------------------------- frames
def _small_planes(
    frame: Any, width: int, cv2: Any
) -> tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8], bool]:
    """Y, U, V of ``frame`` resized (INTER_AREA) to ``width`` px wide, plus full-range flag."""
    fmt = frame.format.name
    full = _PLANAR_YUV.get(fmt)
    if full is None:  # nv12, 10-bit, rgb...: convert once to 8-bit planar (rare, slower)
        frame = frame.reformat(format="yuv420p")
        full = False
    full = full or int(getattr(frame, "color_range", 0) or 0) == 2
    h, w = frame.height, frame.width
    tw = min(width, w)
    th = max(1, int(round(h * tw / w)))
    planes = frame.planes
    y_pl = planes[0]
    y = np.frombuffer(y_pl, np.uint8).reshape(y_pl.height, y_pl.line_size)[:, : y_pl.width]
    u_pl, v_pl = planes[1], planes[2]
    u = np.frombuffer(u_pl, np.uint8).reshape(u_pl.height, u_pl.line_size)[:, : u_pl.width]
    v = np.frombuffer(v_pl, np.uint8).reshape(v_pl.height, v_pl.line_size)[:, : v_pl.width]
    size = (tw, th)
    ys = y.copy() if (tw, th) == (w, h) else cv2.resize(y, size, interpolation=cv2.INTER_AREA)
    us = cv2.resize(u, size, interpolation=cv2.INTER_AREA) if u.shape != (th, tw) else u.copy()
    vs = cv2.resize(v, size, interpolation=cv2.INTER_AREA) if v.shape != (th, tw) else v.copy()
    return ys, us, vs, bool(full)


# --------------------------------------------------------------------------- progress
def _progress_fn(progress: ProgressArg, total_s: float) -> tuple[
    Callable[[float], None] | None, Callable[[], None]
]:
    """Return ``(update(done_s), close())`` for the ``progress`` argument."""
    return make_progress(progress, total_s, desc="analysing", caller="analyze_media")


# --------------------------------------------------------------------------- seeking
def _seek_target(info: MediaInfo, need: dict[int, bool], want_s: float, av: Any) -> int | None:
    """A seek target (AV_TIME_BASE units) after which every stream starts by ``want_s``.

    ``container.seek(t, backward=True)`` is meant to land on a keyframe at or before
    ``t``, but the landing is only as good as the container's index: MPEG-TS seeks by a
    binary search on timestamps and lands mid-GOP, Matroska lands on the cue point
    of a cluster, and a muxer may interleave audio a little ahead of or behind the
    video.  A read that starts late misses the keyframe (``keyframes`` mode then has
    no previous picture to compare its first keyframe with) or the audio its first hops
    need, and no longer equals a read from the start.  So a second handle seeks and
    peeks at the first packets, stepping back 1, 2, 4... s until every stream in
    ``need`` (stream index -> whether a keyframe is needed) starts at or before
    ``want_s``.  Returns None when only reading from the start of the file will do.
    """
    probe_c = open_media(info.path)
    try:
        streams = [probe_c.streams[i] for i in need]
        for st in probe_c.streams:
            if st.index not in need:
                st.discard = av.stream.Discard.all
        back = 0.0
        for _ in range(_SEEK_TRIES):
            t = want_s - back
            if t <= 0:
                return None
            target = int((t + info.start_s) * 1_000_000)
            try:
                probe_c.seek(target, backward=True, any_frame=False)
            except av.FFmpegError as exc:
                raise MediaError(f"Cannot seek in {info.path!r} ({exc}).",
                                 path=info.path) from exc
            if _starts_by(probe_c, streams, need, want_s, info.start_s, av):
                return target
            back = max(2.0 * back, _SEEK_BACK_S)
        return None
    finally:
        probe_c.close()


def _starts_by(container: Any, streams: list[Any], need: dict[int, bool], want_s: float,
               origin: float, av: Any) -> bool:
    """Whether, from the current position, each stream's first usable packet is by ``want_s``."""
    pending = set(need)
    try:
        for pkt in container.demux(*streams):
            idx = pkt.stream.index
            ts = pkt.pts if pkt.pts is not None else pkt.dts
            if idx not in pending or ts is None:
                continue
            late = float(ts * pkt.stream.time_base) - origin > want_s + 1e-6
            if need[idx] and not pkt.is_keyframe:
                if late:  # packets before the next keyframe are already late
                    return False
                continue
            if late:
                return False
            pending.discard(idx)
            if not pending:
                return True
    except (av.FFmpegError, ValueError):
        return False
    return not pending


# --------------------------------------------------------------------------- demux
@dataclass
class DemuxStats:
    """What one :func:`demux` pass saw (times in seconds from the media start).

    Attributes
    ----------
    audio_start_s, audio_end_s : float or None
        Span of the decoded audio samples (None without audio).
    video_start_s, video_end_s : float or None
        Span of the video packets seen (None without video).
    frames_decoded : int
        Video frames decoded and handed to ``on_frame``.
    bad_packets : int
        Packets that failed to decode and were skipped.
    jumps : int
        Timestamp discontinuities spliced onto the monotonic timeline.
    end_s : float
        Latest time reached by any stream.
    messages : list of (warning class, str)
        The warnings of the pass (issued unless ``demux(warn=False)``).
    """

    audio_start_s: float | None = None
    audio_end_s: float | None = None
    video_start_s: float | None = None
    video_end_s: float | None = None
    frames_decoded: int = 0
    bad_packets: int = 0
    jumps: int = 0
    end_s: float = 0.0
    messages: list[tuple[type[Warning], str]] = field(default_factory=list)


def demux(
    info: MediaInfo,
    *,
    on_audio: AudioCallback | None = None,
    on_packet: PacketCallback | None = None,
    on_frame: FrameCallback | None = None,
    sr: int = 16000,
    video: str = "sampled",
    sample_fps: float = 2.0,
    width: int = 160,
    start_s: float | None = None,
    end_s: float | None = None,
    preroll_s: float = 0.0,
    progress: ProgressArg = None,
    warn: bool = True,
) -> DemuxStats:
    """Read ``info.path`` once, feeding audio blocks, video packets and small frames.

    Parameters
    ----------
    info : MediaInfo
        From :func:`probe` (selects the streams and the time origin).
    on_audio : callable, optional
        ``on_audio(samples, start)``; ``samples`` is mono ``float32`` at ``sr`` Hz and
        ``start`` the integer index of its first sample (``index / sr`` = seconds from
        the media start).  Without it the audio stream is not decoded.
    on_packet : callable, optional
        ``on_packet(t_s, nbytes, is_keyframe)`` for every video packet (no decode cost).
    on_frame : callable, optional
        ``on_frame(t_s, y, u, v, full_range)`` for every decoded video frame kept by
        ``video``; ``y``, ``u``, ``v`` are ``uint8`` arrays of one shape (about ``width``
        px wide; ``u``/``v`` resized chroma); ``full_range`` is True for JPEG-range YUV.
    sr : int
        Audio sample rate in Hz.
    video : {"keyframes", "sampled", "full", "none"}
        Which frames to decode: keyframe packets only, about ``sample_fps`` frames/s,
        every frame, or none.
    sample_fps : float
        Frames per second kept in ``"sampled"`` mode.
    width : int
        Width in pixels of the planes handed to ``on_frame``.
    start_s, end_s : float, optional
        Read only ``[start_s - preroll_s, end_s + preroll_s)`` (seconds from the media
        start), seeking to a keyframe before it (further back if the container's seek
        lands late); audio samples get the same indices as in a read from the start.
    preroll_s : float
        Extra seconds read before ``start_s`` and after ``end_s`` (feature state warm-up).
    progress : None, bool or callable
        ``True`` shows a tqdm bar (seconds of media) on stderr; a callable is called as
        ``progress(done_s, total_s)``.
    warn : bool
        Issue the :class:`DecodeWarning` s (damaged packets, timestamp jumps); with
        False they are only collected in ``DemuxStats.messages`` (thread-safe).

    Returns
    -------
    DemuxStats

    Raises
    ------
    DecodeError
        After more than 200 undecodable packets in a row.
    MediaError
        If the file cannot be read at all.
    """
    import av
    import cv2

    check_choice("video", "demux", video, VIDEO_MODES)
    sr = check_int("sr", "demux", sr, minimum=1000)
    width = check_int("width", "demux", width, minimum=8)
    fps_keep = check_positive("sample_fps", "demux", sample_fps)
    pre = check_nonneg("preroll_s", "demux", preroll_s)
    path = Path(info.path)
    container = open_media(path)
    stats = DemuxStats()
    try:
        return _run(container, info, stats, av, cv2, on_audio, on_packet, on_frame, sr,
                    video, fps_keep, width, start_s, end_s, pre, progress, warn)
    finally:
        container.close()


def _run(
    container: Any, info: MediaInfo, stats: DemuxStats, av: Any, cv2: Any,
    on_audio: AudioCallback | None, on_packet: PacketCallback | None,
    on_frame: FrameCallback | None, sr: int, video: str, fps_keep: float, width: int,
    start_s: float | None, end_s: float | None, pre: float, progress: ProgressArg,
    warn: bool,
) -> DemuxStats:
    origin = info.start_s
    want_audio = on_audio is not None and info.audio_stream is not None
    want_frames = on_frame is not None and info.video_stream is not None and video != "none"
    want_video = info.video_stream is not None and (on_packet is not None or want_frames)
    astream = container.streams.audio[info.audio_stream] if want_audio else None
    vstream = container.streams.video[info.video_stream] if want_video else None
    streams = [s for s in (vstream, astream) if s is not None]
    if not streams:
        return stats
    for s in container.streams:
        if s not in streams:
            s.discard = av.stream.Discard.all  # demuxer drops them cheaply
    if vstream is not None:
        cc = vstream.codec_context
        if video == "keyframes":
            cc.thread_type = "SLICE"
            cc.skip_frame = "NONKEY"
        elif want_frames:
            cc.thread_type = "AUTO"
            if video == "sampled":
                cc.skip_frame = "NONREF"  # ~2 frames/s are kept: skip non-reference frames
    v_rate = (vstream.average_rate or vstream.guessed_rate) if vstream is not None else None
    v_step = 1.0 / float(v_rate) if v_rate else 1.0 / 30.0
    v_tb = float(vstream.time_base) if vstream is not None else 0.0
    vclock = _Clock(vstream.time_base, origin, v_step, "video") if vstream is not None else None
    fclock = _Clock(vstream.time_base, origin, v_step, "video") if vstream is not None else None
    aclock = (_Clock(astream.time_base, origin, 0.02, "audio") if astream is not None else None)

    lo_s = -math.inf if start_s is None else start_s - pre
    hi_s = math.inf if end_s is None else end_s + pre
    if start_s is not None and start_s - pre > 0:
        # decoding needs a keyframe at or before lo_s; packet sizes and audio need only a
        # packet there
        need = {s.index: s is vstream and want_frames for s in streams}
        target = _seek_target(info, need, lo_s, av)
        if target is not None:
            try:
                container.seek(target, backward=True, any_frame=False)
            except av.FFmpegError as exc:
                raise MediaError(f"Cannot seek in {info.path!r} ({exc}).",
                                 path=info.path) from exc

    total_s = info.duration_s if end_s is None else min(info.duration_s, end_s)
    upd, close_bar = _progress_fn(progress, total_s)
    next_report = 0.0

    next_keep = -math.inf  # sampled mode: next frame time to keep
    keep_step = 1.0 / fps_keep
    bad_in_row = 0
    bad_times: list[float] = []
    done = {id(s): False for s in streams}

    def frames_out(frames: list[Any]) -> None:
        nonlocal next_keep
        assert fclock is not None and on_frame is not None
        for fr in frames:
            pts = fr.pts
            if pts is None:
                continue
            t = fclock(pts)
            if t >= hi_s:  # frames before lo_s are kept: they warm up the sinks' state
                continue
            if video == "sampled":
                if t < next_keep:
                    continue
                next_keep = (math.floor(t / keep_step + 1e-9) + 1) * keep_step
            y, u, v, full = _small_planes(fr, width, cv2)
            stats.frames_decoded += 1
            on_frame(t, y, u, v, full)

    def _emit_audio(x: NDArray[np.float32], s0: int) -> None:
        assert on_audio is not None
        t0, t1 = s0 / sr, (s0 + x.size) / sr
        if t1 <= lo_s or t0 >= hi_s:
            return
        if stats.audio_start_s is None:
            stats.audio_start_s = max(t0, 0.0)
        stats.audio_end_s = t1
        on_audio(x, s0)

    placer = (AudioPlacer(av, sr, astream.time_base, origin, _emit_audio)
              if astream is not None else None)

    def audio_out(frames: list[Any]) -> None:
        assert placer is not None and aclock is not None
        for fr in frames:
            if fr.pts is not None:
                aclock(fr.pts)
            placer.add(fr, aclock.offset_s)

    def decode(stream: Any, packet: Any) -> list[Any]:
        nonlocal bad_in_row
        try:
            frames = stream.codec_context.decode(packet)
        except (av.FFmpegError, ValueError) as exc:
            bad_in_row += 1
            stats.bad_packets += 1
            if (packet is not None and packet.pts is not None and packet.time_base is not None
                    and len(bad_times) < 5):
                bad_times.append(float(packet.pts * packet.time_base) - origin)
            if bad_in_row > _MAX_BAD_IN_A_ROW:
                raise DecodeError(
                    f"{info.path!r}: more than {_MAX_BAD_IN_A_ROW} undecodable packets in a row "
                    f"(last error: {exc}).", path=info.path
                ) from exc
            return []
        bad_in_row = 0
        return list(frames)

    try:
        it = container.demux(*streams)
        demux_errors = 0
        while True:
            try:
                packet = next(it)
            except StopIteration:
                break
            except (av.FFmpegError, ValueError) as exc:
                demux_errors += 1
                stats.bad_packets += 1
                if demux_errors > _MAX_BAD_IN_A_ROW:
                    raise DecodeError(
                        f"{info.path!r}: demuxing keeps failing ({exc}).", path=info.path
                    ) from exc
                it = container.demux(*streams)
                continue
            stream = packet.stream
            if packet.size == 0 and packet.pts is None and packet.dts is None:
                continue  # demuxer flush packet
            if stream is vstream:
                assert vclock is not None
                ts = packet.pts if packet.pts is not None else packet.dts
                key = bool(packet.is_keyframe)
                if ts is not None:
                    t = vclock(ts)
                elif vclock.last_s > -math.inf:
                    t = vclock.last_s
                else:
                    continue  # no timestamp yet: nothing to place it on
                if t >= hi_s:
                    done[id(stream)] = True
                elif t >= lo_s:
                    if stats.video_start_s is None:
                        stats.video_start_s = max(t, 0.0)
                    pend = t + (packet.duration * v_tb if packet.duration else v_step)
                    stats.video_end_s = max(stats.video_end_s or 0.0, pend)
                    if on_packet is not None:
                        on_packet(t, int(packet.size), key)
                if want_frames and not done[id(stream)]:
                    if video != "keyframes" or key:
                        frames_out(decode(stream, packet))
            elif stream is astream:
                if not done[id(stream)]:
                    frs = decode(stream, packet)
                    audio_out(frs)
                    if aclock is not None and aclock.last_s >= hi_s:
                        done[id(stream)] = True
            if all(done.values()):
                break
            if upd is not None:
                last = max((c.last_s for c in (vclock, aclock) if c is not None), default=0.0)
                if last >= next_report:
                    upd(max(min(last, total_s), 0.0))
                    next_report = last + 1.0
        # flush decoders
        if want_frames and vstream is not None:
            frames_out(decode(vstream, None))
        if astream is not None and placer is not None:
            audio_out(decode(astream, None))
            placer.finish()
    finally:
        close_bar()
    if upd is not None:
        upd(total_s)
    for clock in (vclock, aclock):
        if clock is not None:
            stats.jumps += clock.n_jumps
    if vclock is not None and vclock.jumps or aclock is not None and aclock.jumps:
        jumps = (vclock.jumps if vclock is not None and vclock.jumps
                 else aclock.jumps if aclock is not None else [])
        desc = ", ".join(f"{j:+.1f} s at {at:.1f} s" for at, j in jumps[:5])
        stats.messages.append((DecodeWarning, (
            f"{info.path!r}: timestamps jump ({desc}); spliced onto a continuous timeline, "
            "so times after a jump are counted from the media start, not taken from the PTS.")))
    if stats.bad_packets:
        where = ", ".join(f"{t:.1f}" for t in sorted(set(round(t, 1) for t in bad_times)))
        stats.messages.append((DecodeWarning, (
            f"{info.path!r}: skipped {stats.bad_packets} undecodable packet(s)"
            + (f" near {where} s" if where else "") + "; analysis continued past them.")))
    if warn:
        for category, msg in stats.messages:
            warn_user(msg, category)
    ends = [e for e in (stats.audio_end_s, stats.video_end_s) if e is not None]
    stats.end_s = max(ends, default=0.0)
    logger.debug("demux %s: %s", info.path, stats)
    return stats
