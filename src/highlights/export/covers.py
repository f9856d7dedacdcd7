"""Cover frames: one still per clip that a viewer would click.

Candidates are the clip's frames at :data:`~highlights.export.reframe.SAMPLE_FPS`
within :data:`WINDOW_S` of its peak (``clip.peak_s``).  A candidate is refused when it
is black or nearly flat (a fade), or within :data:`CUT_GUARD_S` of a cut or of a
crossfade (the picture changes a lot from its neighbours); the rest are scored by

* sharpness: variance of the Laplacian (motion blur and soft focus score low),
  relative to the sharpest candidate;
* exposure: mean brightness away from the ends, little clipping;
* stability: little change from the neighbouring samples (no mid-transition);
* a face (when the face detector is installed): a bonus;
* distance from the peak: a penalty.

The chosen frame is decoded again at full size, upright, and written as JPEG.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..io.media import open_media, pick_streams
from ..io.seek import (
    decode_packet,
    demux_from_keyframe,
    display_rotation,
    keyframe_before,
    media_origin,
    seek,
    upright_size,
)
from ..types import Clip
from ._encode import Picture
from ._safe import atomic_write_bytes
from .faces import detect_faces, faces_available
from .reframe import CUT_DIFF, sample_span

__all__ = ["Cover", "pick_covers", "write_cover", "WINDOW_S"]

#: Candidates lie within this many seconds of the clip's peak (and inside the clip).
WINDOW_S = 4.0
#: No cover this close (seconds) to a cut or a crossfade.
CUT_GUARD_S = 0.4
#: Mean grey level (0-255) below which a frame counts as black; std below which as flat.
BLACK_MEAN = 28.0
FLAT_STD = 10.0
#: Mean absolute grey change per analysis sample above which the picture is in
#: transition (a crossfade or a fade moves every pixel).
TRANSITION_DIFF = 12.0


@dataclass(frozen=True, slots=True)
class Cover:
    """The cover chosen for one clip.

    Attributes
    ----------
    clip : Clip
        The clip.
    cover_s : float
        Time of the cover frame, seconds from the media start.
    sharpness : float
        Variance of the Laplacian of the analysis frame (higher is sharper).
    brightness : float
        Mean grey level 0-255.
    face : bool
        Whether a face was found on it.
    """

    clip: Clip
    cover_s: float
    sharpness: float
    brightness: float
    face: bool


def _laplacian_var(g: NDArray[np.uint8]) -> float:
    import cv2

    return float(cv2.Laplacian(g, cv2.CV_32F).var())


def _choose(times: NDArray[np.float64], frames: NDArray[np.uint8], peak: float,
            window: float) -> tuple[int, float, bool]:
    """Index of the best cover among analysis frames, its sharpness, face found."""
    n = len(frames)
    g = frames.astype(np.int16)
    mean = g.mean(axis=(1, 2))
    std = g.std(axis=(1, 2))
    diff = np.abs(np.diff(g, axis=0)).mean(axis=(1, 2)) if n > 1 else np.zeros(0)
    # change to the neighbours on either side (per sample)
    before = np.concatenate([[0.0], diff])
    after = np.concatenate([diff, [0.0]])
    change = np.maximum(before, after)
    ok = (mean >= BLACK_MEAN) & (std >= FLAT_STD)
    # near a cut (a jump) or a crossfade/fade (a run of changes): refused
    cut = np.flatnonzero(diff > CUT_DIFF)
    for i in cut:
        near = np.abs(times - (times[i] + times[i + 1]) / 2) <= CUT_GUARD_S
        ok &= ~near
    moving = change > TRANSITION_DIFF
    brightness_trend = np.abs(np.diff(mean)) if n > 1 else np.zeros(0)
    fading = np.concatenate([[False], brightness_trend > 3.0]) | \
        np.concatenate([brightness_trend > 3.0, [False]])
    ok &= ~(moving & fading)
    sharp = np.array([_laplacian_var(f) for f in frames])
    if not ok.any():  # nothing passes: the least bad frame, brightest and sharpest
        score = sharp / max(float(sharp.max()), 1e-9) + mean / 255
        return int(np.argmax(score)), float(sharp[int(np.argmax(score))]), False
    rel = sharp / max(float(sharp[ok].max()), 1e-9)
    exposure = 1 - np.clip(np.abs(mean - 120) / 120, 0, 1)
    clipped = ((frames < 6) | (frames > 249)).mean(axis=(1, 2))
    stable = 1 - np.clip(change / TRANSITION_DIFF, 0, 1)
    dist = np.abs(times - peak) / max(window, 1e-9)
    score = rel + 0.3 * exposure - 0.5 * clipped + 0.3 * stable - 0.4 * dist
    score = np.where(ok, score, -np.inf)
    face = False
    if faces_available():
        order = np.argsort(-score)[:4]
        for i in order:
            if np.isfinite(score[i]) and len(detect_faces(frames[i], min_frac=0.08)):
                score[i] += 0.35
                face = True
                break
    best = int(np.argmax(score))
    found_face = face and bool(len(detect_faces(frames[best], min_frac=0.08))) \
        if faces_available() else False
    return best, float(sharp[best]), found_face


def pick_covers(clips: list[Clip], *, media_path: str | os.PathLike[str],
                video_stream: int | None = None) -> list[Cover]:
    """Choose a cover frame for each clip (see the module notes for the rules).

    Parameters
    ----------
    clips : list of Clip
        The clips.
    media_path : path-like
        The recording.
    video_stream : int, optional
        Index of the video stream among the video streams.

    Returns
    -------
    list of Cover
        One per clip, in order.
    """
    src = open_media(media_path)
    try:
        video, _ = pick_streams(src, audio_stream=None, video_stream=video_stream,
                                caller="pick_covers")
        if video is None:
            from ..errors import StreamNotFoundError

            raise StreamNotFoundError(f"Covers need a video; {str(media_path)!r} has none.")
        video.codec_context.thread_type = "AUTO"
        rotation = display_rotation(src, video)
        size = upright_size(video.codec_context.width, video.codec_context.height, rotation)
        origin = media_origin(src)
        covers = []
        for clip in clips:
            a = max(clip.start_s, clip.peak_s - WINDOW_S)
            b = min(clip.end_s, clip.peak_s + WINDOW_S)
            if b - a < 0.5:
                a, b = clip.start_s, clip.end_s
            s = sample_span(src, video, origin + Fraction(a), origin + Fraction(b),
                            src_size=size, rotation=rotation)
            if len(s.frames) == 0:
                covers.append(Cover(clip, clip.peak_s, 0.0, 0.0, False))
                continue
            i, sharp, face = _choose(s.times - float(origin), s.frames, clip.peak_s, WINDOW_S)
            covers.append(Cover(clip, float(s.times[i] - float(origin)), sharp,
                                float(s.frames[i].mean()), face))
        return covers
    finally:
        src.close()


def write_cover(media_path: str | os.PathLike[str], time_s: float,
                path: str | os.PathLike[str], *, overwrite: bool = False, quality: int = 92,
                video_stream: int | None = None) -> Path:
    """Write the frame at ``time_s`` (first frame at or after it) as an upright JPEG."""
    import cv2

    from ..errors import ExportError

    src = open_media(media_path)
    try:
        video, _ = pick_streams(src, audio_stream=None, video_stream=video_stream,
                                caller="write_cover")
        rotation = display_rotation(src, video)
        w, h = upright_size(video.codec_context.width, video.codec_context.height, rotation)
        t = media_origin(src) + Fraction(time_s)
        seek(src, keyframe_before(src, video, t)[0])
        picture = Picture(None, w, h, rotation)
        rgb: Any = None
        last: Any = None
        for packet in demux_from_keyframe(src, [video], video):
            for frame in decode_packet(packet, stacklevel=3):
                if frame.pts is None:
                    continue
                last = frame
                if frame.pts * frame.time_base >= t - Fraction(1, 1000):
                    rgb = picture(frame).to_ndarray(format="rgb24")
                    break
            if rgb is not None:
                break
        if rgb is None and last is not None:
            rgb = picture(last).to_ndarray(format="rgb24")
        if rgb is None:
            raise ExportError(f"No frame at {time_s:.3f} s in {str(media_path)!r}.")
    finally:
        src.close()
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                            [int(cv2.IMWRITE_JPEG_QUALITY), int(quality)])
    if not ok:
        raise ExportError(f"JPEG encoding of the cover at {time_s:.3f} s failed.")
    return atomic_write_bytes(path, bytes(data.tobytes()), overwrite=overwrite)
