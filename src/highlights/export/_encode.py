"""Encoder setup shared by clip cutting (:mod:`.cut`) and rendering (:mod:`.render`).

H.264 (libx264, yuv420p) and AAC output streams, sample encoding, and
:class:`Picture`, which turns a source frame into an output frame (upright, cropped,
scaled).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_choice, check_int, fail
from ..io.seek import load_av

#: x264 speed presets accepted by ``preset``.
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
                "slower", "veryslow", "placebo")

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
