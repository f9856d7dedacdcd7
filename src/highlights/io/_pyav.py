"""PyAV helpers shared by clip cutting (:mod:`.cut`) and rendering (:mod:`.render`).

One place for what both must do the same way: open a source and pick its streams,
measure times from the media start, find a keyframe to decode from (also in
unindexed containers such as MPEG-TS, where seeking is inexact), the frame grid
(FFmpeg's guessed frame rate, counted from the media start), and turning a video
upright as FFmpeg's autorotate does.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_choice, check_int, fail
from ..errors import DecodeWarning, MediaError, MediaNotFoundError, StreamNotFoundError

__all__ = ["X264_PRESETS", "Picture", "add_aac", "add_h264", "check_x264", "decode_packet",
           "demux_from_keyframe", "display_rotation", "encode_samples", "grid_index",
           "grid_rate", "keyframe_before", "load_av", "media_origin", "mux_encoded",
           "open_input", "pick_streams", "seek", "upright_size"]

#: x264 speed presets accepted by ``preset``.
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
                "slower", "veryslow", "placebo")


def load_av() -> Any:
    """Import PyAV lazily."""
    import av

    return av


def open_input(path: str | os.PathLike[str]) -> Any:
    """Open a media file for reading.

    Raises
    ------
    MediaNotFoundError
        The file does not exist.
    MediaError
        FFmpeg cannot open it.
    """
    av = load_av()
    src = Path(os.fspath(path))
    if not src.exists():
        raise MediaNotFoundError(f"Media file {str(src)!r} does not exist.", path=src)
    try:
        return av.open(str(src))
    except av.FFmpegError as exc:
        raise MediaError(f"Cannot open {str(src)!r}: {exc}", path=src) from exc


def pick_streams(container: Any) -> tuple[Any, Any]:
    """The first real video stream (cover art skipped) and the first audio stream.

    Either may be None, not both (:class:`StreamNotFoundError`).
    """
    attached_pic = load_av().stream.Disposition.attached_pic
    video = next((s for s in container.streams.video if not (s.disposition & attached_pic)),
                 None)
    audio = next(iter(container.streams.audio), None)
    if video is None and audio is None:
        raise StreamNotFoundError("The media has neither a video nor an audio stream.")
    return video, audio


def media_origin(container: Any) -> Fraction:
    """Container start time in seconds (``start_time`` is in AV_TIME_BASE units)."""
    return Fraction(container.start_time or 0, 1_000_000)


def seek(container: Any, t_abs: Fraction) -> None:
    """Seek backward towards the stream time ``t_abs`` (seconds); inexact in MPEG-TS."""
    av = load_av()
    try:
        container.seek(max(math.floor(t_abs * 1_000_000), 0), backward=True, any_frame=False)
    except av.FFmpegError as exc:
        raise MediaError(f"Seeking to {float(t_abs):.3f} s failed: {exc}") from exc


def keyframe_before(container: Any, stream: Any, t_abs: Fraction) -> tuple[Fraction, int | None]:
    """Find the last keyframe of ``stream`` at or before the stream time ``t_abs``.

    Seeking is exact to a keyframe in indexed containers (MP4, MKV) but lands on
    arbitrary packets in MPEG-TS and other unindexed streams, possibly after the
    target. So: seek, read the packets up to ``t_abs``, and if no keyframe at or
    before it was seen, seek further back (1, 2, 4... s) until one is, or to time 0
    (before the first packet, whatever the container's start time).

    Parameters
    ----------
    container : av.container.InputContainer
        The open source.
    stream : av.stream.Stream
        The stream whose keyframes count (video, or audio without video).
    t_abs : Fraction
        Stream time in seconds (media start included).

    Returns
    -------
    target : Fraction
        Seek target in seconds: seeking to it again lands on the same packet, and
        demuxing from there meets the keyframe.
    key_pts : int or None
        PTS (in ``stream.time_base``) of the last keyframe at or before ``t_abs``;
        when there is none (``t_abs`` before the first one), the first keyframe;
        None when the stream has no keyframe at all.
    """
    tb = stream.time_base
    back = Fraction(0)
    while True:
        target = max(t_abs - back, Fraction(0))
        seek(container, target)
        best: int | None = None
        first: int | None = None
        for packet in container.demux(stream):
            if packet.pts is None or packet.dts is None:
                continue
            if packet.is_keyframe:
                if first is None:
                    first = packet.pts
                if packet.pts * tb <= t_abs:
                    best = packet.pts if best is None else max(best, packet.pts)
            if packet.dts * tb > t_abs:
                break
        if best is not None:
            return target, best
        if target <= 0:
            return target, first
        back = max(2 * back, Fraction(1))


def demux_from_keyframe(container: Any, streams: Sequence[Any], video: Any) -> Iterator[Any]:
    """Demux ``streams`` from the current position, video from its first keyframe on.

    Video packets before the first keyframe cannot be decoded and are dropped.
    ``video`` may be None (audio only).
    """
    keyed = video is None
    for packet in container.demux(list(streams)):
        if packet.stream is video and not keyed:
            if not (packet.is_keyframe and packet.pts is not None):
                continue
            keyed = True
        yield packet


def decode_packet(packet: Any, *, stacklevel: int) -> list[Any]:
    """Decode one packet; an undecodable one is skipped with a :class:`DecodeWarning`.

    ``stacklevel`` is counted from the caller of this function.
    """
    av = load_av()
    try:
        return list(packet.decode())
    except av.FFmpegError as exc:
        warnings.warn(f"Skipped an undecodable packet: {exc}", DecodeWarning,
                      stacklevel=stacklevel + 1)
        return []


def grid_rate(stream: Any) -> Fraction:
    """Frame rate of the frame grid: FFmpeg's guess (``av_guess_frame_rate``).

    It prefers the stream's ``r_frame_rate`` over the average, so a file with a hole
    or a few dropped frames keeps its nominal rate (the average would be lower), and
    falls back to the average for VFR files whose ``r_frame_rate`` is a timebase.

    Raises
    ------
    MediaError
        No rate in (0, 1000] frames per second is known.
    """
    for rate in (stream.guessed_rate, stream.average_rate, stream.base_rate):
        if rate and 0 < rate <= 1000:
            return Fraction(rate)
    raise MediaError("The video stream has no usable frame rate.")


def grid_index(t: Fraction, rate: Fraction) -> int:
    """Index of the grid slot (``rate`` per second) that time ``t`` rounds to, half up.

    Frames are counted from the media start: pass ``t`` as stream time minus
    :func:`media_origin`.
    """
    return math.floor(t * rate + Fraction(1, 2))


def display_rotation(container: Any, video: Any) -> int:
    """Clockwise rotation (0, 90, 180, 270) that players apply to the video for display.

    Read from the display matrix of the first decodable frame (as ``ffmpeg``'s
    autorotate does). Leaves the container at an arbitrary position: seek afterwards.
    """
    av = load_av()
    seek(container, Fraction(0))
    try:
        for packet in container.demux(video):
            for frame in packet.decode():
                return int(-round(frame.rotation / 90) * 90) % 360
    except av.FFmpegError:
        return 0
    return 0


def upright_size(width: int, height: int, rotation: int) -> tuple[int, int]:
    """Picture size in pixels once rotated clockwise by ``rotation`` degrees."""
    return (height, width) if rotation in (90, 270) else (width, height)


def check_x264(crf: Any, preset: Any, caller: str) -> tuple[int, str]:
    """Validate x264 quality ``crf`` (0-51) and speed ``preset`` (:data:`X264_PRESETS`)."""
    crf = check_int("crf", caller, crf, minimum=0)
    if crf > 51:
        raise fail("crf", caller, "an integer in [0, 51]", crf)
    return crf, check_choice("preset", caller, preset, X264_PRESETS)


def add_h264(out: Any, *, rate: Fraction, size: tuple[int, int], time_base: Fraction, crf: int,
             preset: str) -> Any:
    """Add an H.264 (libx264, yuv420p) output stream of ``size`` (w, h) pixels."""
    stream = out.add_stream("libx264", rate=rate)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    stream.codec_context.time_base = time_base
    stream.options = {"crf": str(crf), "preset": preset}
    return stream


def add_aac(out: Any, audio: Any) -> tuple[Any, int, int, str]:
    """Add an AAC output stream like the source ``audio`` stream.

    Returns
    -------
    stream, sample_rate, channels, layout
        The new stream, its rate in Hz, channel count and layout name.
    """
    ctx = audio.codec_context
    sr = int(ctx.sample_rate)
    channels = int(ctx.channels or len(ctx.layout.channels))
    layout = str(ctx.layout.name or ("mono" if channels == 1 else "stereo"))
    stream = out.add_stream("aac", rate=sr)
    stream.layout = layout
    return stream, sr, channels, layout


def mux_encoded(out: Any, stream: Any, frame: Any) -> None:
    """Encode ``frame`` (None flushes the encoder) and mux the packets."""
    for packet in stream.encode(frame):
        out.mux(packet)


def encode_samples(out: Any, stream: Any, data: NDArray[np.float32], *, pts: int) -> None:
    """Encode audio samples (channels x n, float32) starting at sample ``pts``."""
    av = load_av()
    sr = stream.codec_context.sample_rate
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data, dtype=np.float32),
                                       format="fltp", layout=stream.layout.name)
    frame.sample_rate = sr
    frame.pts = pts
    frame.time_base = Fraction(1, sr)
    mux_encoded(out, stream, frame)


#: ``transpose`` filter option for a clockwise display rotation (180 is hflip + vflip).
_TRANSPOSE = {90: "clock", 270: "cclock"}


class Picture:
    """Source frame -> output frame (rotate upright, crop, scale, yuv420p).

    A filter graph does the work when the frame must be rotated or cropped; a plain
    ``reformat`` scales otherwise.

    Parameters
    ----------
    box : tuple of int (x, y, w, h) or None
        Box of the upright picture to keep, in pixels; None keeps all of it.
    out_w, out_h : int
        Output size in pixels.
    rotation : int
        Clockwise rotation (0, 90, 180, 270) from :func:`display_rotation`.
    """

    def __init__(self, box: tuple[int, int, int, int] | None, out_w: int, out_h: int,
                 rotation: int) -> None:
        self.box = box
        self.size = (out_w, out_h)
        self.rotation = rotation
        self.graph: Any = None
        self.key: tuple[int, int, str] | None = None

    def _build(self, frame: Any) -> None:
        av = load_av()
        g = av.filter.Graph()
        chain = [g.add_buffer(width=frame.width, height=frame.height, format=frame.format.name,
                              time_base=frame.time_base or Fraction(1, 1000))]
        if self.rotation == 180:
            chain += [g.add("hflip"), g.add("vflip")]
        elif self.rotation:
            chain.append(g.add("transpose", _TRANSPOSE[self.rotation]))
        if self.box is not None:
            x, y, w, h = self.box
            chain.append(g.add("crop", f"w={w}:h={h}:x={x}:y={y}"))
        chain += [
            g.add("scale", f"w={self.size[0]}:h={self.size[1]}"),
            g.add("format", "pix_fmts=yuv420p"),
            g.add("setsar", "1"),
            g.add("buffersink"),
        ]
        for a, b in zip(chain, chain[1:], strict=False):
            a.link_to(b)
        g.configure()
        self.graph = g
        self.key = (frame.width, frame.height, frame.format.name)

    def __call__(self, frame: Any) -> Any:
        """Return the output picture of ``frame`` (timestamps are the caller's job)."""
        if self.box is None and not self.rotation:
            if (frame.width, frame.height, frame.format.name) == (*self.size, "yuv420p"):
                return frame
            return frame.reformat(width=self.size[0], height=self.size[1], format="yuv420p")
        if self.key != (frame.width, frame.height, frame.format.name):
            self._build(frame)
        self.graph.vpush(frame)
        return self.graph.vpull()
