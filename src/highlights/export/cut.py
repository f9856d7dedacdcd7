"""Cut clips out of a media file with PyAV: lossless stream copy or frame-exact re-encode.

``mode="copy"`` remuxes packets without decoding. A file can only start on a
keyframe, so the clip starts at the last video keyframe at or before the requested
start; every stream is shifted by ONE common offset (rebasing streams separately
desynchronises audio and video), and the file's true span in the source is reported.

``mode="encode"`` decodes from that keyframe, keeps exactly the frames whose time
rounds into ``[start_s, end_s)`` on the frame grid (FFmpeg's guessed frame rate,
counted from the media start, as :mod:`~highlights.export.render` does) and re-encodes
them (H.264 + AAC), trimming audio to the sample so it stays aligned with the first
kept frame. Frames keep their source times, so a hole in the source stays a hole. A
video whose display matrix says it is shown rotated (phone recordings) is turned
upright first, like FFmpeg's autorotate; copy mode keeps the display matrix instead.

In unindexed containers (MPEG-TS, common for OBS/Twitch recordings) seeking is
inexact, so the keyframe is searched by stepping back until one before the clip is
met (see :func:`~highlights.io.seek.keyframe_before`).

All times are seconds from the media start (the container's ``start_time``), as
everywhere in ``highlights``. Outputs are written atomically and never overwrite an
existing file unless ``overwrite=True``.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from .._progress import make_progress
from .._validate import check_choice, check_clips, check_nonneg, fail
from ..errors import DecodeWarning, ExportError
from ..io.media import open_media, pick_streams
from ..io.seek import (
    decode_packet,
    demux_from_keyframe,
    display_rotation,
    grid_index,
    grid_rate,
    keyframe_before,
    load_av,
    media_origin,
    seek,
    upright_size,
)
from ..types import Clip
from ._encode import Picture, add_aac, add_h264, check_x264, encode_samples, mux_encoded
from ._safe import atomic_output, safe_child, safe_filename

__all__ = ["CutResult", "cut_clip", "cut_clips", "MODES"]

logger = logging.getLogger(__name__)

#: Cutting modes.
MODES = ("copy", "encode")


@dataclass(frozen=True, slots=True)
class CutResult:
    """One written clip file and the span of the source it really holds.

    Attributes
    ----------
    path : pathlib.Path
        The written file.
    mode : str
        ``"copy"`` or ``"encode"``.
    requested_start_s, requested_end_s : float
        The span asked for, in seconds from the media start.
    start_s, end_s : float
        The span of the source the file holds, in seconds from the media start
        (video frames when there is video, else audio). In copy mode ``start_s`` is
        the keyframe at or before ``requested_start_s`` and ``end_s`` may pass
        ``requested_end_s`` by the frames B-frame reordering drags in; in encode mode
        both are within half a frame of the request.
    n_video_frames : int
        Video frames in the file (0 without video).
    """

    path: Path
    mode: str
    requested_start_s: float
    requested_end_s: float
    start_s: float
    end_s: float
    n_video_frames: int

    @property
    def duration_s(self) -> float:
        """Length of the file's span in seconds."""
        return self.end_s - self.start_s


def _keyframe(src: Any, anchor: Any, start_abs: Fraction) -> tuple[Fraction, int]:
    """Seek target and PTS of the ``anchor`` keyframe at or before ``start_abs``."""
    target, key_pts = keyframe_before(src, anchor, start_abs)
    if key_pts is None:
        raise ExportError(f"No packet at or after {float(start_abs):.3f} s.")
    return target, key_pts


def _copy(src: Any, tmp: Path, start_abs: Fraction, end_abs: Fraction, *, video: Any,
          audio: Any) -> tuple[Fraction, Fraction, int]:
    av = load_av()
    anchor = video if video is not None else audio
    target, key_pts = _keyframe(src, anchor, start_abs)
    key_t = key_pts * anchor.time_base  # the common offset, exact seconds
    streams = [s for s in (video, audio) if s is not None]
    seek(src, target)
    out = av.open(str(tmp), "w")
    try:
        omap = {s.index: out.add_stream_from_template(s) for s in streams}
        offsets = {s.index: round(key_t / s.time_base) for s in streams}
        last_dts: dict[int, int] = {}
        dropped = 0

        def write(packet: Any) -> None:
            nonlocal dropped
            idx = packet.stream.index
            packet.pts -= offsets[idx]
            packet.dts -= offsets[idx]
            if idx in last_dts and packet.dts <= last_dts[idx]:
                dropped += 1
                return
            last_dts[idx] = packet.dts
            packet.stream = omap[idx]
            out.mux(packet)

        video_done = video is None
        audio_done = audio is None
        started = video is None
        n_frames = 0
        end_t = key_t  # end of the latest frame written (video if any, else audio)
        max_pts: int | None = None
        held: list[Any] = []  # audio past end_abs, kept until the video's true end is known
        for packet in src.demux(streams):
            if video_done and audio_done:
                break
            if packet.dts is None or packet.pts is None:
                continue
            tb = packet.stream.time_base
            if packet.stream is video:
                if video_done:
                    continue
                if not started:
                    if not (packet.is_keyframe and packet.pts == key_pts):
                        continue
                    started = True
                # Keep decode order up to the end; past it, keep only packets that fill a
                # hole below the latest kept frame (B-frames after their reference), so the
                # file shows a gap-free run of frames.
                if packet.dts * tb >= end_abs and (max_pts is None or packet.pts >= max_pts):
                    video_done = True
                    continue
                max_pts = packet.pts if max_pts is None else max(max_pts, packet.pts)
                n_frames += 1
                dur = packet.duration or 0
                frame_end = ((packet.pts + dur) * tb if dur
                             else packet.pts * tb + 1 / grid_rate(video))
                end_t = max(end_t, frame_end)
                write(packet)
            elif not audio_done:
                t = packet.pts * tb
                if t < key_t or not started:
                    continue
                if video is None:
                    if t >= end_abs:
                        audio_done = True
                        continue
                    end_t = max(end_t, (packet.pts + (packet.duration or 0)) * tb)
                elif t >= end_abs:
                    if not video_done:
                        held.append(packet)
                        continue
                    if t >= end_t:
                        audio_done = True
                        continue
                if held and video_done:
                    for late in held:
                        if late.pts * late.stream.time_base < end_t:
                            write(late)
                    held.clear()
                write(packet)
        for late in held:  # the file ended before the audio did
            if late.pts * late.stream.time_base < end_t:
                write(late)
        if dropped:
            warnings.warn(f"Dropped {dropped} packet(s) with non-increasing DTS while cutting.",
                          DecodeWarning, stacklevel=4)
    finally:
        out.close()
    return key_t, end_t, n_frames


def _encode(src: Any, tmp: Path, start_abs: Fraction, end_abs: Fraction, *, origin: Fraction,
            crf: int, preset: str, video: Any, audio: Any) -> tuple[Fraction, Fraction, int]:
    av = load_av()
    rotation = display_rotation(src, video) if video is not None else 0
    anchor = video if video is not None else audio
    target, _ = _keyframe(src, anchor, start_abs)
    streams = [s for s in (video, audio) if s is not None]
    out = av.open(str(tmp), "w")
    try:
        ov = oa = None
        rate = Fraction(1)
        size = (0, 0)
        if video is not None:
            rate = grid_rate(video)
            size = upright_size(video.codec_context.width, video.codec_context.height, rotation)
            ov = add_h264(out, rate=rate, size=size, time_base=video.time_base, crf=crf,
                          preset=preset)
        picture = Picture(None, *size, rotation)  # upright, like ffmpeg's autorotate
        resampler = None
        if audio is not None:
            oa, sr, _, layout = add_aac(out, audio)
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=sr)
        # Frame-exact bounds on the video grid (counted from the media start); audio
        # follows the kept video frames.
        first_n = grid_index(start_abs - origin, rate)
        end_n = max(grid_index(end_abs - origin, rate), first_n + 1)
        # No kept frame starts before this: audio ending earlier is not needed.
        earliest = origin + (first_n - Fraction(1, 2)) / rate if video is not None else start_abs
        span_start: Fraction | None = None if video is not None else start_abs
        span_end = end_abs  # with video: set from the first kept frame
        seek(src, target)
        n_frames = n0 = n_last = 0
        v_pts0: int | None = None
        a_written = 0
        pending_audio: list[Any] = []
        v_done = video is None
        a_done = audio is None
        for packet in demux_from_keyframe(src, streams, video):
            if v_done and a_done:
                break
            for frame in decode_packet(packet, stacklevel=3):
                if frame.pts is None:
                    continue
                if packet.stream is video and not v_done:
                    t = frame.pts * frame.time_base
                    n = grid_index(t - origin, rate)
                    if n < first_n:
                        continue
                    if n >= end_n:
                        v_done = True
                        continue
                    if v_pts0 is None:
                        v_pts0, n0 = frame.pts, n
                        span_start = t
                        span_end = t + Fraction(end_n - n) / rate
                    shown = picture(frame)
                    shown.pts = frame.pts - v_pts0
                    shown.time_base = frame.time_base
                    shown.pict_type = av.video.frame.PictureType.NONE
                    mux_encoded(out, ov, shown)
                    n_frames += 1
                    n_last = n
                elif packet.stream is audio and not a_done:
                    if span_start is None:  # wait for the first kept video frame
                        end = frame.pts * frame.time_base + Fraction(frame.samples,
                                                                     frame.sample_rate or 1)
                        if end >= earliest:
                            pending_audio.append(frame)
                        continue
                    pending_audio.append(frame)
                    for af in pending_audio:
                        a_written, a_done = _trim_audio(af, resampler, oa, out, span_start,
                                                        span_end, a_written)
                        if a_done:
                            break
                    pending_audio.clear()
        if ov is not None:
            mux_encoded(out, ov, None)
        if oa is not None and span_start is not None:
            for af in pending_audio:
                a_written, a_done = _trim_audio(af, resampler, oa, out, span_start, span_end,
                                                a_written)
            mux_encoded(out, oa, None)
    finally:
        out.close()
    if span_start is None:
        raise ExportError("No frame falls inside the requested span.")
    if video is not None:  # to the end of the last kept slot (a hole inside stays a hole)
        span_end = span_start + Fraction(n_last + 1 - n0) / rate
    return span_start, span_end, n_frames


def _trim_audio(frame: Any, resampler: Any, stream: Any, out: Any, span_start: Fraction,
                span_end: Fraction, written: int) -> tuple[int, bool]:
    """Encode the part of an audio frame inside ``[span_start, span_end)``; sample-exact."""
    sr = stream.codec_context.sample_rate
    t0 = frame.pts * frame.time_base
    done = False
    for rf in resampler.resample(frame):
        data = rf.to_ndarray()
        n = data.shape[1]
        s0 = max(grid_index(span_start - t0, Fraction(sr)), 0)
        s1 = min(grid_index(span_end - t0, Fraction(sr)), n)
        t0 += Fraction(n, sr)
        if s1 <= 0:
            done = True
            break
        if s0 >= s1:
            continue
        encode_samples(out, stream, data[:, s0:s1], pts=written)
        written += s1 - s0
        if s1 < n:
            done = True
    return written, done


def cut_clip(media_path: str | os.PathLike[str], out_path: str | os.PathLike[str], *,
             start_s: float, end_s: float, mode: str = "copy", overwrite: bool = False,
             crf: int = 18, preset: str = "veryfast", audio_stream: int | None = None,
             video_stream: int | None = None) -> CutResult:
    """Write ``[start_s, end_s)`` of a media file to its own file.

    Parameters
    ----------
    media_path : path-like
        Source media.
    out_path : path-like
        Output file; the container is chosen from its suffix (``.mp4``, ``.mkv``...).
        Its directory must exist.
    start_s, end_s : float
        Span in seconds from the media start, ``0 <= start_s < end_s``.
    mode : {"copy", "encode"}, default "copy"
        ``"copy"``: lossless remux starting at the keyframe at or before ``start_s``
        (fast; the true span is reported). ``"encode"``: frame-exact H.264/AAC.
    overwrite : bool, default False
        Replace an existing output.
    crf : int, default 18
        x264 quality in encode mode (0-51, lower is better).
    preset : str, default "veryfast"
        x264 speed preset in encode mode, one of
        :data:`~highlights.export.render.X264_PRESETS`.
    audio_stream, video_stream : int, optional
        Index within its kind of the stream to write (``MediaInfo.audio_stream`` and
        ``video_stream`` of the analysis, so the clip carries the track that was
        scored); default: the same choice as analysis makes (FFmpeg's best stream).

    Returns
    -------
    CutResult
        The file and the span of the source it really holds.

    Raises
    ------
    MediaNotFoundError, MediaError, StreamNotFoundError
        The media cannot be opened, has no audio/video, or cannot be read.
    OutputExistsError
        ``out_path`` exists and ``overwrite`` is false.
    ExportError
        Muxing or encoding failed (nothing is left behind), or the span holds no frame.
    InvalidParameterError
        Bad span, mode, crf or preset.
    """
    caller = "cut_clip"
    a = check_nonneg("start_s", caller, start_s)
    b = check_nonneg("end_s", caller, end_s)
    if b <= a:
        raise fail("end_s", caller, f"greater than start_s={a!r}", end_s)
    mode = check_choice("mode", caller, mode, MODES)
    crf, preset = check_x264(crf, preset, caller)
    av = load_av()
    src = open_media(media_path)
    try:
        video, audio = pick_streams(src, audio_stream=audio_stream, video_stream=video_stream,
                                    caller=caller)
        origin = media_origin(src)
        start_abs, end_abs = origin + Fraction(a), origin + Fraction(b)
        with atomic_output(out_path, overwrite=overwrite) as tmp:
            try:
                if mode == "copy":
                    t0, t1, n = _copy(src, tmp, start_abs, end_abs, video=video, audio=audio)
                else:
                    t0, t1, n = _encode(src, tmp, start_abs, end_abs, origin=origin, crf=crf,
                                        preset=preset, video=video, audio=audio)
                if t1 <= start_abs:
                    raise ExportError(
                        f"Nothing of {a:.3f}-{b:.3f} s is in the media: it ends at "
                        f"{float(t1 - origin):.3f} s."
                    )
            except (av.FFmpegError, ValueError) as exc:
                raise ExportError(f"Cutting {a:.3f}-{b:.3f} s into {str(out_path)!r} failed: "
                                  f"{exc}") from exc
    finally:
        src.close()
    result = CutResult(path=Path(out_path), mode=mode, requested_start_s=a, requested_end_s=b,
                       start_s=float(t0 - origin), end_s=float(t1 - origin), n_video_frames=n)
    logger.info("cut %s: %.3f-%.3f s (asked %.3f-%.3f s, %s)", result.path, result.start_s,
                result.end_s, a, b, mode)
    return result


def cut_clips(clips: Sequence[Clip], out_dir: str | os.PathLike[str], *,
              media_path: str | os.PathLike[str], mode: str = "copy", suffix: str | None = None,
              overwrite: bool = False, crf: int = 18, preset: str = "veryfast",
              audio_stream: int | None = None, video_stream: int | None = None,
              progress: Any = None) -> list[CutResult]:
    """Write each clip to its own file in ``out_dir``.

    Files are named ``NNN_<label>.<suffix>`` (``NNN`` = 1-based position; the label
    goes through :func:`~highlights.export.safe_filename`), and are guaranteed to lie
    inside ``out_dir``.

    Parameters
    ----------
    clips : sequence of Clip
        Clips to cut.
    out_dir : path-like
        Existing output directory.
    media_path : path-like
        Source media.
    mode : {"copy", "encode"}, default "copy"
        See :func:`cut_clip`.
    suffix : str, optional
        Output suffix; default: the source's suffix in copy mode, ``.mp4`` in encode mode.
    overwrite, crf, preset, audio_stream, video_stream
        See :func:`cut_clip`.
    progress : None, bool or callable, default None
        ``True`` shows a bar on stderr; a callable is called after each clip as
        ``progress(done_s, total_s)`` (seconds of clips written so far, of all clips).

    Returns
    -------
    list of CutResult
        One per clip, in order.
    """
    caller = "cut_clips"
    items = check_clips(clips, caller=caller)
    mode = check_choice("mode", caller, mode, MODES)
    if suffix is None:
        suffix = Path(os.fspath(media_path)).suffix if mode == "copy" else ".mp4"
    if not isinstance(suffix, str) or not suffix.startswith(".") or \
            safe_filename(suffix[1:], fallback="") != suffix[1:]:
        raise fail("suffix", caller, "a file suffix such as '.mp4'", suffix)
    if not Path(out_dir).is_dir():
        raise ExportError(f"Output directory {str(out_dir)!r} does not exist.")
    total_s = float(sum(c.end_s - c.start_s for c in items))
    upd, close = make_progress(progress, total_s, desc="cutting clips", caller=caller)
    results = []
    done_s = 0.0
    try:
        for i, clip in enumerate(items, start=1):
            label = safe_filename(clip.label, fallback=f"clip_{clip.rank}", max_len=60)
            name = f"{i:03d}_{label}"
            path = safe_child(out_dir, name + suffix)
            results.append(cut_clip(media_path, path, start_s=clip.start_s, end_s=clip.end_s,
                                    mode=mode, overwrite=overwrite, crf=crf, preset=preset,
                                    audio_stream=audio_stream, video_stream=video_stream))
            done_s += clip.end_s - clip.start_s
            if upd is not None:
                upd(done_s)
    finally:
        close()
    return results
