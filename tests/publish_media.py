"""Small test media for the publishing features, encoded with PyAV at test time.

The face is scikit-image's bundled ``astronaut`` picture (public domain, NASA), so
every test can check what a layout kept against a real face.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

SR = 48000


def face_rgb(size: tuple[int, int]) -> np.ndarray:
    """The astronaut's head and shoulders (rgb24) resized to ``size`` (w, h)."""
    from skimage import data

    img = data.astronaut()[10:250, 110:350]  # 240x240 around the face
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def encode(path: Path, picture: Callable[[int], np.ndarray], *, n_frames: int, fps: int = 25,
           audio: Callable[[np.ndarray], np.ndarray] | None = None, gop: int = 25,
           crf: int = 18) -> Path:
    """Encode frames ``picture(i)`` (rgb24) and optional audio ``audio(t) -> (2, n)``."""
    first = picture(0)
    h, w = first.shape[:2]
    out = av.open(str(path), "w")
    vs = out.add_stream("libx264", rate=fps)
    vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
    vs.options = {"preset": "ultrafast", "g": str(gop), "bf": "2", "crf": str(crf)}
    a = None
    if audio is not None:
        a = out.add_stream("aac", rate=SR)
        a.layout = "stereo"
    for i in range(n_frames):
        fr = av.VideoFrame.from_ndarray(picture(i), format="rgb24")
        fr.pts = i
        for p in vs.encode(fr):
            out.mux(p)
    for p in vs.encode(None):
        out.mux(p)
    if a is not None and audio is not None:
        total = int(round(n_frames / fps * SR))
        for n0 in range(0, total, 1024):
            n = min(1024, total - n0)
            x = audio((n0 + np.arange(n)) / SR).astype(np.float32)
            fr = av.AudioFrame.from_ndarray(np.ascontiguousarray(x), format="fltp",
                                            layout="stereo")
            fr.sample_rate = SR
            fr.pts = n0
            fr.time_base = Fraction(1, SR)
            for p in a.encode(fr):
                out.mux(p)
        for p in a.encode(None):
            out.mux(p)
    out.close()
    return path


def noise_audio(level: float, seed: int = 0) -> Callable[[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)

    def f(t: np.ndarray) -> np.ndarray:
        x = level * rng.standard_normal(t.size) + level * np.sin(2 * np.pi * 330 * t)
        return np.tile(x, (2, 1))
    return f


def ebur128(path: Path, *, start_s: float | None = None,
            end_s: float | None = None) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by FFmpeg's ``ebur128`` filter.

    An independent BS.1770 meter (the library measures with pyloudnorm), run through
    PyAV's filter graph; ``start_s``/``end_s`` (seconds of the file's audio clock)
    measure only that part, trimmed to the sample by ``atrim``.
    """
    last: dict[str, str] = {}
    with av.open(str(path)) as c:
        a = c.streams.audio[0]
        g = av.filter.Graph()
        src = g.add_abuffer(template=a)
        trim = [f"{k}={v!r}" for k, v in (("start", start_s), ("end", end_s)) if v is not None]
        chain = [g.add("atrim", ":".join(trim))] if trim else []
        chain.append(g.add("ebur128", "metadata=1:peak=true"))
        sink = g.add("abuffersink")
        for x, y in zip([src, *chain], [*chain, sink], strict=True):
            x.link_to(y)
        g.configure()

        def drain() -> None:
            while True:
                try:
                    f = sink.pull()
                except (av.BlockingIOError, av.EOFError):
                    return
                last.update(dict(f.metadata))

        for fr in c.decode(a):
            try:
                src.push(fr)
            except av.EOFError:  # past ``end_s``: atrim has closed the graph
                break
            drain()
        with contextlib.suppress(av.EOFError):
            src.push(None)
        drain()
    return float(last["lavfi.r128.I"]), 20 * math.log10(float(last["lavfi.r128.true_peak"]))


def gameplay(i: int, w: int, h: int, seed: int = 3) -> np.ndarray:
    """A busy moving game-like picture: drifting coloured blocks over a gradient."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([(xx * 255 // w), (yy * 255 // h), np.full_like(xx, 90)], axis=2)
    img = img.astype(np.uint8)
    for _ in range(14):
        c = rng.integers(40, 255, 3)
        bw, bh = rng.integers(w // 14, w // 6), rng.integers(h // 12, h // 5)
        vx, vy = rng.integers(-9, 10), rng.integers(-6, 7)
        x0 = int((rng.integers(0, w) + vx * i) % w)
        y0 = int((rng.integers(0, h) + vy * i) % h)
        img[y0:y0 + bh, x0:x0 + bw] = c
    return img


#: The facecam of :func:`make_facecam`, (x, y, w, h) in its 640x360 frame.
FACECAM = (448, 216, 176, 132)
FACECAM_SIZE = (640, 360)


def facecam_frame(i: int) -> np.ndarray:
    w, h = FACECAM_SIZE
    img = gameplay(i, w, h)
    x, y, cw, ch = FACECAM
    big = face_rgb((cw + 24, cw + 24))
    dx = int(6 + 5 * np.sin(i / 4))  # a head that moves a little
    dy = int(6 + 4 * np.cos(i / 5))
    img[y:y + ch, x:x + cw] = big[dy:dy + ch, dx:dx + cw]
    return img


def make_facecam(path: Path, *, seconds: float = 4.0, fps: int = 25) -> Path:
    """A gaming stream with the astronaut in a facecam overlay at :data:`FACECAM`."""
    return encode(path, facecam_frame, n_frames=int(seconds * fps), fps=fps,
                  audio=noise_audio(0.05))


#: The moving face of :func:`make_moving_face`: size and centre x at frame i.
MOVING_SIZE = (640, 360)
FACE_W = 110


def moving_face_x(i: int, fps: int = 25) -> float:
    """Face centre x (pixels) at frame ``i``: walks right, pauses, walks back."""
    t = i / fps
    w = MOVING_SIZE[0]
    a, b = 100.0, w - 100.0
    if t < 2.5:
        return a + (b - a) * t / 2.5
    if t < 3.5:
        return b
    return max(b - (b - a) * (t - 3.5) / 2.5, a)


def moving_face_frame(i: int, fps: int = 25) -> np.ndarray:
    w, h = MOVING_SIZE
    rng = np.random.default_rng(i)
    img = np.full((h, w, 3), (70, 80, 95), np.uint8)
    img += rng.integers(0, 6, (h, w, 1), dtype=np.uint8)
    face = face_rgb((FACE_W, FACE_W))
    cx = int(moving_face_x(i, fps))
    x0 = cx - FACE_W // 2
    img[120:120 + FACE_W, x0:x0 + FACE_W] = face
    return img


def make_moving_face(path: Path, *, seconds: float = 6.0, fps: int = 25) -> Path:
    """A host (the astronaut) walking across a 640x360 frame and back."""
    return encode(path, lambda i: moving_face_frame(i, fps), n_frames=int(seconds * fps),
                  fps=fps, audio=noise_audio(0.05))


def slide_frame(i: int, w: int = 640, h: int = 360) -> np.ndarray:
    """A slide: dark text-like bars over the whole width, a coloured frame at the edges."""
    img = np.full((h, w, 3), 235, np.uint8)
    for r, y in enumerate(range(40, h - 40, 28)):
        length = w - 80 - (r * 37) % 160
        img[y:y + 12, 40:40 + length] = (30, 30, 30)
    img[:8] = img[-8:] = (200, 30, 30)
    img[:, :8] = img[:, -8:] = (30, 30, 200)
    return img
