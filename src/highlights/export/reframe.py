"""Vertical (9:16) layouts for shorts: which part of a 16:9 picture a phone screen shows.

=========== ==================================================================
``center``  the centred 9:16 box (the old behaviour)
``track``   a 9:16 window that follows the face (or, without one, the motion
            centroid): a dead zone, a bounded pan speed and a short moving average
            keep it from jittering; at a scene cut it re-centres at once
``stack``   a gaming stream with a facecam overlay: the facecam (a fixed rectangle
            found once per stream) whole on top, the gameplay below
``fit``     content that cannot be cropped (slides, wide shots): the whole picture
            scaled to the width, over a blurred, darkened fill of itself
``auto``    per clip: ``stack`` when the stream has a facecam, ``track`` when the
            clip shows a face or a subject that moves, ``fit`` when the detail is
            spread over the whole width, else ``center``
=========== ==================================================================

Analysis decodes the clip once at a few frames per second into small grey pictures
(:data:`ANALYSIS_W` wide); faces are looked for on at most :data:`MAX_FACE_SAMPLES`
of them (:mod:`.faces`).  The facecam is found from :data:`FACECAM_SAMPLES` frames
spread over the whole recording: a rectangle whose border persists in every frame
while its content changes (edge persistence), confirmed by a face inside it when the
face detector is installed, or else by content that moves independently of the rest.

Rendering works on yuv420p planes with numpy/OpenCV (crop, resize, blur), so a
moving crop costs no filter-graph rebuilds.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..io.seek import decode_packet, demux_from_keyframe, keyframe_before, load_av, seek
from ._encode import Picture
from .faces import detect_faces, faces_available

__all__ = ["LAYOUTS", "Framing", "plan_framing", "find_facecam", "stream_facecam",
           "ANALYSIS_W"]

logger = logging.getLogger(__name__)

LAYOUTS = ("auto", "center", "track", "stack", "fit")
#: Width of the grey analysis pictures, pixels.
ANALYSIS_W = 320
#: Analysis frames per second of clip (at most :data:`MAX_SAMPLES` per clip).
SAMPLE_FPS = 5.0
MAX_SAMPLES = 400
#: Frames looked at for faces, per clip.
MAX_FACE_SAMPLES = 12
#: Frames spread over the recording to find a facecam.
FACECAM_SAMPLES = 24
#: Track: dead zone (share of the window width the subject may drift before the
#: window moves), top pan speed (window widths per second), smoothing (seconds).
DEAD_ZONE = 0.12
MAX_PAN = 0.8
SMOOTH_S = 0.3
#: Track: anticipation of the subject's motion (seconds).
LEAD_S = 0.2
#: Stack: the top part's height as a share of the output height (bounds).
STACK_TOP = (0.25, 0.45)
#: Mean absolute grey difference (0-255) between analysis frames that marks a cut.
CUT_DIFF = 40.0

Planes = tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8]]
Box = tuple[int, int, int, int]


# --------------------------------------------------------------------------- planes
def _planes(frame: Any) -> Planes:
    a = frame.to_ndarray(format="yuv420p")
    h, w = frame.height, frame.width
    y = a[:h]
    u = a[h:h + h // 4].reshape(h // 2, w // 2)
    v = a[h + h // 4:].reshape(h // 2, w // 2)
    return y, u, v


def _join(y: NDArray[np.uint8], u: NDArray[np.uint8], v: NDArray[np.uint8]) -> Any:
    av = load_av()
    h, w = y.shape
    buf = np.empty((h * 3 // 2, w), np.uint8)
    flat = buf.reshape(-1)
    flat[:h * w] = y.reshape(-1)
    flat[h * w:h * w * 5 // 4] = u.reshape(-1)
    flat[h * w * 5 // 4:] = v.reshape(-1)
    return av.VideoFrame.from_ndarray(buf, format="yuv420p")


def _resize(img: NDArray[np.uint8], w: int, h: int) -> NDArray[np.uint8]:
    import cv2

    if img.shape[1] == w and img.shape[0] == h:
        return img
    interp = cv2.INTER_AREA if w < img.shape[1] else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(img, (w, h), interpolation=interp), dtype=np.uint8)


def _crop_scale(p: Planes, box: Box, w: int, h: int) -> Planes:
    """Crop ``box`` (even x, y, w, h in luma pixels) and scale to ``w`` x ``h``."""
    x, y, bw, bh = box
    ys = _resize(p[0][y:y + bh, x:x + bw], w, h)
    us = _resize(p[1][y // 2:(y + bh) // 2, x // 2:(x + bw) // 2], w // 2, h // 2)
    vs = _resize(p[2][y // 2:(y + bh) // 2, x // 2:(x + bw) // 2], w // 2, h // 2)
    return ys, us, vs


def _even(x: float) -> int:
    return max(2 * int(round(x / 2)), 2)


# --------------------------------------------------------------------------- framings
class Framing:
    """Turns one source frame into one output frame of a layout.

    Attributes
    ----------
    layout : str
        ``"center"``, ``"track"``, ``"stack"`` or ``"fit"``.
    size : tuple of int
        Output (width, height) in pixels.
    detail : dict
        What the layout decided (crop boxes, the facecam, the path), for reports.
    """

    layout = "center"

    def __init__(self, size: tuple[int, int], src_size: tuple[int, int], rotation: int) -> None:
        self.size = size
        self.src_size = src_size
        self.rotation = rotation
        self.detail: dict[str, Any] = {}
        self._upright = Picture(None, src_size[0], src_size[1], rotation) if rotation else None

    def planes(self, frame: Any) -> Planes:
        """The upright source picture as yuv420p planes."""
        if self._upright is not None:
            frame = self._upright(frame)
        return _planes(frame)

    def __call__(self, frame: Any) -> Any:  # pragma: no cover - overridden
        """Return the output frame for ``frame`` (timestamps are the caller's job)."""
        raise NotImplementedError


class CenterFraming(Framing):
    """A fixed crop box (the centred 9:16 box by default) scaled to the output."""

    layout = "center"

    def __init__(self, size: tuple[int, int], src_size: tuple[int, int], rotation: int,
                 box: Box | None) -> None:
        super().__init__(size, src_size, rotation)
        self.box = box
        self.picture = Picture(box, size[0], size[1], rotation)
        self.detail = {"crop": box}

    def __call__(self, frame: Any) -> Any:
        return self.picture(frame)


class TrackFraming(Framing):
    """A full-height window of the output's aspect whose left edge follows a path."""

    layout = "track"

    def __init__(self, size: tuple[int, int], src_size: tuple[int, int], rotation: int, *,
                 win_w: int, path_t: NDArray[np.float64], path_x: NDArray[np.float64],
                 subject: str) -> None:
        super().__init__(size, src_size, rotation)
        self.win_w = win_w
        self.path_t, self.path_x = path_t, path_x
        self.detail = {"subject": subject, "window_w": win_w}

    def x_at(self, t: float) -> int:
        """Left edge of the window (even, in source pixels) at stream time ``t`` s."""
        x = float(np.interp(t, self.path_t, self.path_x))
        return min(max(2 * int(round(x / 2)), 0), self.src_size[0] - self.win_w)

    def __call__(self, frame: Any) -> Any:
        """Return the output frame for ``frame``: the window at its time, scaled."""
        import cv2

        av = load_av()
        p = self.planes(frame)
        x = self.x_at(float(frame.time or 0.0))
        h = self.src_size[1] - self.src_size[1] % 2
        w_out, h_out = self.size
        # resize each plane straight into the output buffer (no intermediate copies)
        buf = np.empty((h_out * 3 // 2, w_out), np.uint8)
        flat = buf.reshape(-1)
        n = w_out * h_out
        dsts = (flat[:n].reshape(h_out, w_out),
                flat[n:n * 5 // 4].reshape(h_out // 2, w_out // 2),
                flat[n * 5 // 4:].reshape(h_out // 2, w_out // 2))
        for i, (plane, dst) in enumerate(zip(p, dsts, strict=True)):
            s = 1 if i == 0 else 2
            part = plane[:h // s, x // s:(x + self.win_w) // s]
            interp = cv2.INTER_AREA if dst.shape[1] < part.shape[1] else cv2.INTER_LINEAR
            cv2.resize(part, (dst.shape[1], dst.shape[0]), dst=dst, interpolation=interp)
        return av.VideoFrame.from_ndarray(buf, format="yuv420p")


class StackFraming(Framing):
    """The facecam on top, the gameplay below."""

    layout = "stack"

    def __init__(self, size: tuple[int, int], src_size: tuple[int, int], rotation: int, *,
                 cam: Box, game: Box, top_h: int, cam_size: tuple[int, int]) -> None:
        super().__init__(size, src_size, rotation)
        self.cam, self.game, self.top_h, self.cam_size = cam, game, top_h, cam_size
        self.detail = {"facecam": cam, "gameplay": game, "top_h": top_h}

    def __call__(self, frame: Any) -> Any:
        p = self.planes(frame)
        w, h = self.size
        cw, ch = self.cam_size
        top = _fill(p, self.cam, w, self.top_h)  # blurred fill behind a narrower cam
        cam = _crop_scale(p, self.cam, cw, ch)
        x0, y0 = (w - cw) // 4 * 2, (self.top_h - ch) // 4 * 2
        for i, (dst, src) in enumerate(zip(top, cam, strict=True)):
            s = 1 if i == 0 else 2
            dst[y0 // s:(y0 + ch) // s, x0 // s:(x0 + cw) // s] = src
        bottom = _crop_scale(p, self.game, w, h - self.top_h)
        out = tuple(np.concatenate([a, b], axis=0) for a, b in zip(top, bottom, strict=True))
        return _join(*out)


class FitFraming(Framing):
    """The whole picture scaled to the output width over a blurred fill of itself."""

    layout = "fit"

    def __init__(self, size: tuple[int, int], src_size: tuple[int, int], rotation: int) -> None:
        super().__init__(size, src_size, rotation)
        sw, sh = src_size
        w, h = size
        fg_h = min(_even(w * sh / sw), h)
        fg_w = w if fg_h < h else _even(h * sw / sh)
        self.fg = (fg_w, fg_h)
        self.detail = {"picture": (fg_w, fg_h)}

    def __call__(self, frame: Any) -> Any:
        p = self.planes(frame)
        w, h = self.size
        sw, sh = self.src_size
        full = (0, 0, sw - sw % 2, sh - sh % 2)
        bg = _fill(p, full, w, h)
        fg = _crop_scale(p, full, *self.fg)
        x0, y0 = (w - self.fg[0]) // 4 * 2, (h - self.fg[1]) // 4 * 2
        for i, (dst, src) in enumerate(zip(bg, fg, strict=True)):
            s = 1 if i == 0 else 2
            dst[y0 // s:y0 // s + src.shape[0], x0 // s:x0 // s + src.shape[1]] = src
        return _join(*bg)


def _fill(p: Planes, box: Box, w: int, h: int) -> list[NDArray[np.uint8]]:
    """A blurred, darkened copy of ``box`` covering ``w`` x ``h`` (cropped to its aspect).

    Blurred at 1/16 scale and scaled up, so its cost does not grow with the output.
    """
    import cv2

    x, y, bw, bh = box
    # the part of the box with the aspect of the target (cover, centred)
    if bw * h > bh * w:
        cw = _even(bh * w / h)
        x, bw = x + (bw - cw) // 4 * 2, cw
    else:
        chh = _even(bw * h / w)
        y, bh = y + (bh - chh) // 4 * 2, chh
    small_w, small_h = max(w // 16, 8), max(h // 16, 8)
    out = []
    for i, plane in enumerate(p):
        s = 1 if i == 0 else 2
        part = plane[y // s:(y + bh) // s, x // s:(x + bw) // s]
        tiny = cv2.resize(part, (small_w // s, small_h // s), interpolation=cv2.INTER_AREA)
        tiny = cv2.GaussianBlur(tiny, (0, 0), 2.0)
        if i == 0:
            tiny = (tiny.astype(np.uint16) * 5 // 8).astype(np.uint8)  # darker
        else:  # desaturate a little towards neutral chroma
            tiny = ((tiny.astype(np.int16) - 128) * 3 // 4 + 128).astype(np.uint8)
        out.append(np.asarray(cv2.resize(tiny, (w // s, h // s), interpolation=cv2.INTER_LINEAR),
                              dtype=np.uint8))
    return out


# --------------------------------------------------------------------------- sampling
@dataclass(frozen=True, slots=True)
class Samples:
    """Small grey analysis frames of one span (upright)."""

    times: NDArray[np.float64]  # stream time of each frame, seconds
    frames: NDArray[np.uint8]  # (n, h, w)
    scale: float  # analysis pixels per source pixel


def _gray(frame: Any, w: int, h: int, rotation: int) -> NDArray[np.uint8]:
    from ..io.seek import upright_array

    g: NDArray[np.uint8] = upright_array(frame, width=w, height=h, rotation=rotation,
                                         format="gray")
    return g


def grid_rate_of(video: Any) -> float:
    """The video's frame rate (0 if unknown)."""
    from ..io.seek import grid_rate

    try:
        return float(grid_rate(video))
    except Exception:  # noqa: BLE001 - no rate: decode everything
        return 0.0


def _analysis_size(src_size: tuple[int, int], width: int) -> tuple[int, int]:
    sw, sh = src_size
    return width, _even(width * sh / sw)


def sample_span(src: Any, video: Any, t0: Fraction, t1: Fraction, *, src_size: tuple[int, int],
                rotation: int, fps: float = SAMPLE_FPS, width: int = ANALYSIS_W) -> Samples:
    """Decode ``[t0, t1)`` (stream times, seconds) into grey frames at about ``fps``."""
    aw, ah = _analysis_size(src_size, width)
    step = max(float(t1 - t0) / MAX_SAMPLES, 1.0 / fps)
    seek(src, keyframe_before(src, video, t0)[0])
    times: list[float] = []
    frames: list[NDArray[np.uint8]] = []
    next_t = float(t0)
    done = False
    ctx = video.codec_context
    skip = fps * 2 <= grid_rate_of(video)  # sparse sampling: B-frames need not be decoded
    if skip:
        ctx.skip_frame = "NONREF"
    try:
        for packet in demux_from_keyframe(src, [video], video):
            for frame in decode_packet(packet, stacklevel=3):
                if frame.pts is None:
                    continue
                t = float(frame.pts * frame.time_base)
                if t >= float(t1):
                    done = True
                    break
                if t + 1e-6 < next_t:
                    continue
                times.append(t)
                frames.append(_gray(frame, aw, ah, rotation))
                next_t = t + step
            if done:
                break
    finally:
        if skip:
            ctx.skip_frame = "DEFAULT"
    if not frames:
        return Samples(np.zeros(0), np.zeros((0, ah, aw), np.uint8), aw / src_size[0])
    return Samples(np.asarray(times), np.stack(frames), aw / src_size[0])


def sample_times(src: Any, video: Any, times: Sequence[Fraction], *, src_size: tuple[int, int],
                 rotation: int, width: int) -> NDArray[np.uint8]:
    """One grey frame at (the first frame at or after) each stream time."""
    aw, ah = _analysis_size(src_size, width)
    out = []
    for t in times:
        seek(src, keyframe_before(src, video, t)[0])
        got = None
        for packet in demux_from_keyframe(src, [video], video):
            for frame in decode_packet(packet, stacklevel=3):
                if frame.pts is not None and frame.pts * frame.time_base >= t:
                    got = _gray(frame, aw, ah, rotation)
                    break
            if got is not None:
                break
        if got is not None:
            out.append(got)
    return np.stack(out) if out else np.zeros((0, ah, aw), np.uint8)


# --------------------------------------------------------------------------- facecam
def find_facecam(frames: NDArray[np.uint8], *, use_faces: bool | None = None) -> Box | None:
    """Find a facecam overlay: a fixed rectangle whose border persists while its content moves.

    Parameters
    ----------
    frames : ndarray of uint8, shape (n, h, w)
        Grey frames spread over the recording (n >= 6).
    use_faces : bool, optional
        Confirm candidates with the face detector (default: when it is installed).

    Returns
    -------
    tuple of int or None
        ``(x, y, w, h)`` in the frames' pixels, or None.
    """
    n, h, w = frames.shape
    if n < 6:
        return None
    if use_faces is None:
        use_faces = faces_available()
    f = frames.astype(np.int16)
    thr = 10
    # persistent horizontal edges (between rows y and y+1) and vertical ones
    rate_h = (np.abs(np.diff(f, axis=1)) > thr).mean(axis=0)  # (h-1, w)
    rate_v = (np.abs(np.diff(f, axis=2)) > thr).mean(axis=0)  # (h, w-1)
    # a border line is persistent and stands out from the lines 3 px either side
    # (texture or noise is "persistent" everywhere)
    near_h = np.maximum(np.pad(rate_h, ((3, 0), (0, 0)))[:-3], np.pad(rate_h, ((0, 3), (0, 0)))[3:])
    near_v = np.maximum(np.pad(rate_v, ((0, 0), (3, 0)))[:, :-3],
                        np.pad(rate_v, ((0, 0), (0, 3)))[:, 3:])
    ph = (rate_h >= 0.4) & (rate_h - near_h >= 0.25)
    pv = (rate_v >= 0.4) & (rate_v - near_v >= 0.25)
    # tolerate a one-pixel wobble of the line
    phd = ph.copy()
    phd[1:] |= ph[:-1]
    phd[:-1] |= ph[1:]
    pvd = pv.copy()
    pvd[:, 1:] |= pv[:, :-1]
    pvd[:, :-1] |= pv[:, 1:]
    ch = np.concatenate([np.zeros((h - 1, 1)), np.cumsum(phd, axis=1)], axis=1)  # (h-1, w+1)
    cv = np.concatenate([np.zeros((1, w - 1)), np.cumsum(pvd, axis=0)], axis=0)  # (h+1, w-1)

    def lines(score: NDArray[np.float64], limit: int) -> list[int]:
        order = np.argsort(-score)
        keep: list[int] = []
        for i in order:
            if score[i] <= 0 or len(keep) >= limit:
                break
            if all(abs(int(i) - k) > 2 for k in keep):
                keep.append(int(i))
        return keep

    rows = lines(ph.sum(axis=1).astype(float) * (ph.sum(axis=1) >= 0.05 * w), 20)
    cols = lines(pv.sum(axis=0).astype(float) * (pv.sum(axis=0) >= 0.05 * h), 20)
    # line k of rows sits between pixel rows k and k+1: the box edge is k+1; frame
    # borders are free lines (a facecam may sit flush in a corner)
    ys = sorted({r + 1 for r in rows} | {0, h})
    xs = sorted({c + 1 for c in cols} | {0, w})
    best: list[tuple[float, Box]] = []
    xa = np.array(xs)
    ya = np.array(ys)
    x1, x2 = np.meshgrid(xa, xa, indexing="ij")
    y1, y2 = np.meshgrid(ya, ya, indexing="ij")
    xp = (x1 < x2) & ((x2 - x1) >= 0.08 * w) & ((x2 - x1) <= 0.6 * w)
    yp = (y1 < y2) & ((y2 - y1) >= 0.08 * h) & ((y2 - y1) <= 0.7 * h)
    X1, X2 = x1[xp], x2[xp]
    Y1, Y2 = y1[yp], y2[yp]
    if X1.size == 0 or Y1.size == 0:
        return None

    def hcov(yy: NDArray[np.int64], a: NDArray[np.int64], b: NDArray[np.int64]) -> Any:
        # coverage of the horizontal side at box edge yy between columns a..b
        inside = (yy > 0) & (yy < h)
        r = np.clip(yy - 1, 0, h - 2)
        c = (ch[r, b] - ch[r, a]) / np.maximum(b - a, 1)
        return np.where(inside, c, np.nan)

    def vcov(xx: NDArray[np.int64], a: NDArray[np.int64], b: NDArray[np.int64]) -> Any:
        inside = (xx > 0) & (xx < w)
        c_ = np.clip(xx - 1, 0, w - 2)
        c = (cv[b, c_] - cv[a, c_]) / np.maximum(b - a, 1)
        return np.where(inside, c, np.nan)

    # every (row pair, column pair) rectangle
    YY1, XX1 = np.meshgrid(Y1, X1, indexing="ij")
    YY2, XX2 = np.meshgrid(Y2, X2, indexing="ij")
    sides = np.stack([hcov(YY1, XX1, XX2), hcov(YY2, XX1, XX2),
                      vcov(XX1, YY1, YY2), vcov(XX2, YY1, YY2)])
    real = np.isfinite(sides).sum(axis=0)
    finite = np.isfinite(sides)
    low = np.min(np.where(finite, sides, np.inf), axis=0)
    score = np.where(finite, sides, 0).sum(axis=0) / np.maximum(real, 1)
    area = (XX2 - XX1) * (YY2 - YY1) / float(w * h)
    ok = (real >= 2) & (low >= 0.6) & (score >= 0.75) & (area <= 0.3) & (area >= 0.01)
    # a box with only two real sides needs them strong
    ok &= (real >= 3) | (low >= 0.9)
    if not ok.any():
        return None
    idx = np.flatnonzero(ok.reshape(-1))
    # the facecam is the largest well-outlined box (small ones are HUD parts or
    # pieces of the cam's own picture)
    rank = score.reshape(-1)[idx] * np.sqrt(area.reshape(-1)[idx])
    for o in np.argsort(-rank)[:40]:
        j = idx[o]
        box = (int(XX1.reshape(-1)[j]), int(YY1.reshape(-1)[j]),
               int(XX2.reshape(-1)[j] - XX1.reshape(-1)[j]),
               int(YY2.reshape(-1)[j] - YY1.reshape(-1)[j]))
        best.append((float(rank[o]), box))
    # content inside must change, and (with faces) hold a face
    diffs = np.abs(np.diff(f, axis=0))  # (n-1, h, w)
    for _, (bx, by, bw, bh) in best:
        inner = diffs[:, by + 2:by + bh - 2, bx + 2:bx + bw - 2]
        if inner.size == 0:
            continue
        act_in = inner.mean(axis=(1, 2))
        if act_in.mean() < 1.0:
            continue  # a static box (logo, frame)
        if use_faces:
            if not _has_face(frames, (bx, by, bw, bh)):
                continue
        else:
            mask = np.ones((h, w), bool)
            mask[by:by + bh, bx:bx + bw] = False
            act_out = diffs[:, mask].mean(axis=1)
            if np.std(act_in) > 0 and np.std(act_out) > 0:
                r = float(np.corrcoef(act_in, act_out)[0, 1])
                if r > 0.8:
                    continue  # moves with everything else: part of the picture
        return _tighten((bx, by, bw, bh), xs, ys, hcov, vcov, w, h)
    return None


def _tighten(box: Box, xs: Sequence[int], ys: Sequence[int], hcov: Any, vcov: Any, w: int,
             h: int) -> Box:
    """Move a side lying on the frame border to an outlined line just inside it."""
    x0, y0, bw, bh = box
    x1, y1 = x0 + bw, y0 + bh

    def cov(f: Any, at: int, a: int, b: int) -> float:
        return float(f(np.array([at]), np.array([a]), np.array([b]))[0])

    near_x = [x for x in xs if 0 < x < w]
    near_y = [y for y in ys if 0 < y < h]
    if x1 == w:
        c = [x for x in near_x if w - 0.06 * w <= x < w and x > x0 + bw // 2
             and cov(vcov, x, y0, y1) >= 0.6]
        x1 = max(c) if c else x1
    if x0 == 0:
        c = [x for x in near_x if 0 < x <= 0.06 * w and x < x1 - bw // 2
             and cov(vcov, x, y0, y1) >= 0.6]
        x0 = min(c) if c else x0
    if y1 == h:
        c = [y for y in near_y if h - 0.06 * h <= y < h and y > y0 + bh // 2
             and cov(hcov, y, x0, x1) >= 0.6]
        y1 = max(c) if c else y1
    if y0 == 0:
        c = [y for y in near_y if 0 < y <= 0.06 * h and y < y1 - bh // 2
             and cov(hcov, y, x0, x1) >= 0.6]
        y0 = min(c) if c else y0
    return x0, y0, x1 - x0, y1 - y0


def _has_face(frames: NDArray[np.uint8], box: Box) -> bool:
    import cv2

    bx, by, bw, bh = box
    picks = frames[np.linspace(0, len(frames) - 1, min(6, len(frames))).astype(int)]
    hits = 0
    for g in picks:
        crop = g[by:by + bh, bx:bx + bw]
        scale = max(1.0, 160.0 / bh)
        if scale > 1:
            crop = cv2.resize(crop, (int(bw * scale), int(bh * scale)),
                              interpolation=cv2.INTER_LINEAR)
        if len(detect_faces(crop, min_frac=0.15, max_frac=1.0)):
            hits += 1
    return hits >= max(1, len(picks) // 3)


_FACECAM_CACHE: dict[tuple[str, int, int, int], Box | None] = {}


def stream_facecam(src: Any, video: Any, *, src_size: tuple[int, int], rotation: int,
                   media_path: str) -> Box | None:
    """The stream's facecam box in source pixels (found once per file and cached)."""
    try:
        st = Path(media_path).stat()
        key = (str(Path(media_path).resolve()), st.st_size, st.st_mtime_ns, int(video.index))
    except OSError:
        key = (str(media_path), 0, 0, int(video.index))
    if key in _FACECAM_CACHE:
        return _FACECAM_CACHE[key]
    duration = Fraction(src.duration or 0, 1_000_000)
    origin = Fraction(src.start_time or 0, 1_000_000)
    n = FACECAM_SAMPLES
    times = [origin + duration * Fraction(2 * i + 1, 2 * n) for i in range(n)]
    width = 480
    frames = sample_times(src, video, times, src_size=src_size, rotation=rotation, width=width)
    found = find_facecam(frames) if len(frames) else None
    box: Box | None = None
    if found is not None:
        s = src_size[0] / frames.shape[2]
        x, y, w, h = found
        x0, y0 = 2 * int(x * s / 2), 2 * int(y * s / 2)
        x1 = min(2 * math.ceil((x + w) * s / 2), src_size[0] - src_size[0] % 2)
        y1 = min(2 * math.ceil((y + h) * s / 2), src_size[1] - src_size[1] % 2)
        box = (x0, y0, x1 - x0, y1 - y0)
    logger.info("facecam of %s: %s", media_path, box)
    _FACECAM_CACHE[key] = box
    return box


# --------------------------------------------------------------------------- track path
def _cuts(frames: NDArray[np.uint8]) -> NDArray[np.int64]:
    """Indices i where a cut falls between analysis frames i-1 and i."""
    if len(frames) < 2:
        return np.zeros(0, np.int64)
    d = np.abs(np.diff(frames.astype(np.int16), axis=0)).mean(axis=(1, 2))
    return np.flatnonzero(d > CUT_DIFF) + 1


def _motion_x(frames: NDArray[np.uint8]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centroid x of the change between consecutive frames, and its strength (0-255)."""
    n, h, w = frames.shape
    if n < 2:
        return np.full(n, w / 2.0), np.zeros(n)
    d = np.abs(np.diff(frames.astype(np.int16), axis=0)).astype(np.float32)
    d = np.maximum(d - 8, 0)  # ignore noise
    colw = d.sum(axis=1)  # (n-1, w)
    tot = colw.sum(axis=1)
    xs = np.arange(w) + 0.5
    cx = np.where(tot > 0, (colw * xs).sum(axis=1) / np.maximum(tot, 1e-9), w / 2.0)
    strength = tot / (h * w)
    cx = np.concatenate([cx[:1], (cx[:-1] + cx[1:]) / 2, cx[-1:]])
    strength = np.concatenate([strength[:1], (strength[:-1] + strength[1:]) / 2, strength[-1:]])
    return cx, strength


def _face_x(s: Samples) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Face centres x (analysis pixels) at a few sample times, or None if no face."""
    if not faces_available() or len(s.frames) == 0:
        return None
    picks = np.unique(np.linspace(0, len(s.frames) - 1,
                                  min(MAX_FACE_SAMPLES, len(s.frames))).astype(int))
    ts, xs = [], []
    for i in picks:
        found = detect_faces(_upscaled(s.frames[i]), min_frac=0.075, max_frac=0.6)
        if len(found):
            k = _upscale_factor(s.frames[i])
            x, _, fw, _ = found[0]
            ts.append(s.times[i])
            xs.append((x + fw / 2) / k)
    if len(ts) < max(1, (len(picks) + 2) // 3):
        return None
    return np.asarray(ts), np.asarray(xs)


def _upscale_factor(g: NDArray[np.uint8]) -> float:
    return max(1.0, 270.0 / float(g.shape[0]))


def _upscaled(g: NDArray[np.uint8]) -> NDArray[np.uint8]:
    import cv2

    k = _upscale_factor(g)
    if k == 1.0:
        return g
    return np.asarray(cv2.resize(g, (int(g.shape[1] * k), int(g.shape[0] * k)),
                                 interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


def track_path(times: NDArray[np.float64], target_x: NDArray[np.float64], cuts_t: Sequence[float],
               *, t0: float, t1: float, fps: float, win_w: float, src_w: float,
               dead_zone: float = DEAD_ZONE, max_pan: float = MAX_PAN,
               smooth_s: float = SMOOTH_S) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Smooth window path (left edges, source pixels) following a subject's centre.

    Parameters
    ----------
    times, target_x : ndarray
        Stream times (s) and subject centres (source pixels) measured there.
    cuts_t : sequence of float
        Stream times of scene cuts: the window jumps (re-centres) there.
    t0, t1 : float
        Span to cover, stream times in seconds.
    fps : float
        Steps per second of the path.
    win_w, src_w : float
        Window and source widths in pixels.
    dead_zone : float
        The subject may drift this share of ``win_w`` off centre before the window moves.
    max_pan : float
        Top pan speed in window widths per second.
    smooth_s : float
        Moving-average length in seconds (keeps the speed bound; eases starts/stops).

    Returns
    -------
    path_t, path_x : ndarray
        Times (s) and the window's left edge (pixels) at each step.
    """
    n = max(int(math.ceil((t1 - t0) * fps)) + 1, 2)
    pt = t0 + np.arange(n) / fps
    tgt = np.interp(pt + LEAD_S, times, target_x) - win_w / 2
    hi = max(src_w - win_w, 0.0)
    tgt = np.clip(tgt, 0.0, hi)
    seg = np.searchsorted(np.asarray(sorted(cuts_t), float), pt, side="right")
    vmax = max_pan * win_w / fps
    dz = dead_zone * win_w
    x = np.empty(n)
    pos = tgt[0]
    for i in range(n):
        if i and seg[i] != seg[i - 1]:
            pos = tgt[i]  # a cut: re-centre at once
        err = tgt[i] - pos
        if abs(err) > dz:
            pos += math.copysign(min(abs(err) - dz, vmax), err)
        x[i] = pos
    k = max(int(round(smooth_s * fps)), 1)
    if k > 1:
        out = np.empty(n)
        for s in np.unique(seg):  # smooth within each shot only
            m = seg == s
            xs = x[m]
            pad = np.concatenate([np.full(k // 2, xs[0]), xs, np.full(k - 1 - k // 2, xs[-1])])
            out[m] = np.convolve(pad, np.ones(k) / k, mode="valid")
        x = out
    return pt, np.clip(x, 0.0, hi)


# --------------------------------------------------------------------------- planning
def _stack_boxes(src_size: tuple[int, int], size: tuple[int, int],
                 cam: Box) -> tuple[Box, int, tuple[int, int]]:
    """Gameplay box, top height and the cam's size on the output, for ``stack``."""
    sw, sh = src_size
    w, h = size
    cx, cy, cw, ch = cam
    top_h = _even(min(max(w * ch / cw, STACK_TOP[0] * h), STACK_TOP[1] * h))
    scale = min(w / cw, top_h / ch)
    cam_size = (min(_even(cw * scale), w), min(_even(ch * scale), top_h))
    bottom_h = h - top_h
    aspect = w / bottom_h
    gh = sh - sh % 2
    gw = min(_even(gh * aspect), sw - sw % 2)
    if gw < _even(gh * aspect):  # source narrower than the bottom's aspect
        gh = min(_even(gw / aspect), sh - sh % 2)
    # centre the gameplay, pushed away from the facecam's side when that keeps it out
    gx = (sw - gw) // 2
    if cx + cw / 2 > sw / 2 and cx >= gw:  # cam on the right: keep left of it if possible
        gx = min(gx, cx - gw)
    elif cx + cw / 2 <= sw / 2 and cx + cw <= sw - gw:
        gx = max(gx, cx + cw)
    gx = 2 * (max(min(gx, sw - gw), 0) // 2)
    gy = (sh - gh) // 4 * 2
    return (gx, gy, gw, gh), top_h, cam_size


def plan_framing(src: Any, video: Any, *, t0: Fraction, t1: Fraction, layout: str,
                 size: tuple[int, int], src_size: tuple[int, int], rotation: int, fps: float,
                 media_path: str, centre_box: Box) -> Framing:
    """Analyse one clip (stream times ``t0``-``t1``) and return its framing.

    Leaves ``src`` at an arbitrary position.
    """
    sw, sh = src_size
    if layout == "center":
        return CenterFraming(size, src_size, rotation, centre_box)
    if layout == "fit":
        return FitFraming(size, src_size, rotation)
    cam = None
    if layout in ("stack", "auto"):
        cam = stream_facecam(src, video, src_size=src_size, rotation=rotation,
                             media_path=media_path)
        if cam is not None:
            game, top_h, cam_size = _stack_boxes(src_size, size, cam)
            return StackFraming(size, src_size, rotation, cam=cam, game=game, top_h=top_h,
                                cam_size=cam_size)
        if layout == "stack":
            logger.info("no facecam found in %s; 'stack' falls back to 'center'", media_path)
            return CenterFraming(size, src_size, rotation, centre_box)
    s = sample_span(src, video, t0, t1, src_size=src_size, rotation=rotation)
    if len(s.frames) < 2:
        return CenterFraming(size, src_size, rotation, centre_box)
    win_w = centre_box[2]
    faces = _face_x(s)
    cuts_t = [float(s.times[i]) for i in _cuts(s.frames)]
    aw = s.frames.shape[2]
    if faces is not None:
        ft, fx = faces
        subject, times, target = "face", ft, fx / s.scale
    else:
        mx, strength = _motion_x(s.frames)
        subject, times, target = "motion", s.times, mx / s.scale
        if layout == "auto":
            # no face: a moving subject (its centroid travels) -> track; detail spread
            # over the width (slides, wide shots) -> fit; else the centre
            moving = strength > 0.5
            travel = float(np.ptp(mx[moving])) / aw if moving.sum() >= 3 else 0.0
            if travel > 0.25 and float(np.median(strength)) > 0.5:
                pass
            elif _spread_wide(s.frames, win_w * s.scale):
                return FitFraming(size, src_size, rotation)
            else:
                return CenterFraming(size, src_size, rotation, centre_box)
        # the motion centroid is noisy: hold it over a second before following it
        k = max(int(round(SAMPLE_FPS)), 1)
        if len(target) > k:
            target = np.convolve(np.pad(target, (k // 2, k - 1 - k // 2), mode="edge"),
                                 np.ones(k) / k, mode="valid")
    path_t, path_x = track_path(times, target, cuts_t, t0=float(t0), t1=float(t1), fps=fps,
                                win_w=win_w, src_w=sw)
    return TrackFraming(size, src_size, rotation, win_w=win_w, path_t=path_t, path_x=path_x,
                        subject=subject)


def _spread_wide(frames: NDArray[np.uint8], win_w: float) -> bool:
    """Whether the picture's detail lies mostly outside a centred window of ``win_w``."""
    g = frames.astype(np.int16)
    edges = np.abs(np.diff(g, axis=2)).mean(axis=(0, 1))  # per column
    tot = float(edges.sum())
    if tot <= 0:
        return False
    w = frames.shape[2]
    a = int((w - win_w) / 2)
    inside = float(edges[a:a + int(win_w)].sum())
    return inside / tot < 0.5


FramingFactory = Callable[[Fraction, Fraction], Framing]
