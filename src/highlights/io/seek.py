"""Random access into a media file, shared by every reader that does not start at the top.

One place for what clip cutting, rendering and thumbnails must do the same way:
measure times from the media start, find a keyframe to decode from (also in
unindexed containers such as MPEG-TS, where seeking is inexact), the frame grid
(FFmpeg's guessed frame rate, counted from the media start), and turning a video
upright as FFmpeg's autorotate does.  Opening a file and choosing its streams is
:mod:`highlights.io.media`'s job (:func:`~highlights.io.media.open_media`,
:func:`~highlights.io.media.pick_streams`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

from ..errors import DecodeWarning, MediaError


def load_av() -> Any:
    """Import PyAV lazily."""
    import av

    return av


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


def upright_array(frame: Any, *, width: int, height: int, rotation: int,
                  format: str) -> Any:
    """A decoded frame as a contiguous ``(height, width[, c])`` array, upright.

    Parameters
    ----------
    frame : av.VideoFrame
        The decoded frame (as stored, before its display rotation).
    width, height : int
        Size of the upright result, pixels.
    rotation : int
        Clockwise display rotation, degrees (:func:`display_rotation`).
    format : str
        Pixel format of the result (``"gray"``, ``"bgr24"`` ...).

    Returns
    -------
    numpy.ndarray
        The scaled, rotated picture.
    """
    import numpy as np

    w, h = upright_size(width, height, rotation)  # the stored picture's scaled size
    img = frame.reformat(width=w, height=h, format=format).to_ndarray()
    if rotation:
        img = np.rot90(img, k=-rotation // 90)
    return np.ascontiguousarray(img)
