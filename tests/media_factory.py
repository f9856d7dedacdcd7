"""Tiny synthetic media with known content, encoded with PyAV at test time.

Every file is a few seconds of 320x180 video and/or 48 kHz audio.  The picture is a
flat colour per *scene* (hard cuts at known times) with a moving white square; the
audio is quiet noise with loud bursts at known times.  Helpers damage files in the
ways real recordings are damaged (truncation, garbage mid-file, PTS resets, cover art...).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

W, H = 320, 180
SR = 48000
COLOURS = [(220, 40, 40), (30, 30, 140), (240, 230, 60), (20, 110, 30), (200, 60, 200)]


def _picture(t: float, cuts: Sequence[float], *, static: bool = False) -> np.ndarray:
    scene = int(np.searchsorted(np.asarray(cuts, dtype=float), t, side="right"))
    img = np.empty((H, W, 3), np.uint8)
    img[:] = COLOURS[scene % len(COLOURS)]
    if not static:
        x = int(20 + (t * 60) % (W - 60))
        img[70:110, x : x + 40] = 255
    return img


def _tone(n0: int, n: int, bursts: Sequence[tuple[float, float]], *, silent: bool,
          channels: int, rng: np.random.Generator, sr: int, tonal: bool = False) -> np.ndarray:
    if silent:
        return np.zeros((channels, n), np.float32)
    t = (n0 + np.arange(n)) / sr
    x = 0.02 * np.sin(2 * np.pi * 220 * t)
    if not tonal:
        x += 0.01 * rng.standard_normal(n)
    for a, b in bursts:
        m = (t >= a) & (t < b)
        x[m] += (0.5 * np.sin(2 * np.pi * 1000 * t[m]) if tonal
                 else 0.5 * rng.standard_normal(int(m.sum())))
    return np.tile(x.astype(np.float32), (channels, 1))


def make_media(
    path: Path,
    *,
    duration_s: float = 4.0,
    fps: int = 25,
    video: bool = True,
    audio: bool = True,
    audio_duration_s: float | None = None,
    cuts_s: Sequence[float] = (1.5, 3.0),
    bursts_s: Sequence[tuple[float, float]] = ((2.0, 2.5),),
    extra_audio_bursts_s: Sequence[Sequence[tuple[float, float]]] = (),
    frame_times_s: Sequence[float] | None = None,
    silent: bool = False,
    static: bool = False,
    gop: int | None = None,
    faststart: bool = False,
    cover_art: bool = False,
    fmt: str | None = None,
    sample_rate: int = SR,
    channels: int = 2,
    rotation: int | None = None,
    seed: int = 0,
    tonal: bool = False,
) -> Path:
    """Encode a small file and return its path.

    ``frame_times_s`` gives explicit (VFR) frame times; ``extra_audio_bursts_s`` adds
    one more audio track per entry (with bursts at those times); ``cover_art`` puts an
    attached-picture MJPEG stream *first*, before the real video; ``rotation`` stores a
    display matrix that rotates the picture by that many degrees counter-clockwise.
    ``tonal`` makes the audio pure tones (1 kHz bursts): AAC codes noise with perceptual
    noise substitution, which the decoder fills with *random* noise, so only tonal audio
    decodes to the same samples after a seek.
    """
    rng = np.random.default_rng(seed)
    options = {"movflags": "+faststart"} if faststart else {}
    out = av.open(str(path), mode="w", format=fmt, options=options)
    cover = None
    if cover_art:
        cover = out.add_stream("mjpeg", rate=1)
        cover.width, cover.height, cover.pix_fmt = 64, 64, "yuvj420p"
        cover.disposition = av.stream.Disposition.attached_pic
    vs = None
    if video:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
        vs.options = {"preset": "ultrafast", "g": str(gop or 2 * fps), "bf": "2"}
        if frame_times_s is not None:
            vs.codec_context.time_base = Fraction(1, 1000)
        if rotation is not None:
            vs.set_display_rotation(rotation)
    tracks = []
    if audio:
        for bursts in (bursts_s, *extra_audio_bursts_s):
            a = out.add_stream("aac", rate=sample_rate)
            a.layout = "stereo" if channels == 2 else "mono"
            tracks.append((a, bursts))
    if cover is not None:
        fr = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 128, np.uint8), format="rgb24")
        fr = fr.reformat(format="yuvj420p")
        fr.pts = 0
        for pkt in cover.encode(fr):
            out.mux(pkt)
        for pkt in cover.encode(None):
            out.mux(pkt)
    if vs is not None:
        times = (list(frame_times_s) if frame_times_s is not None
                 else [i / fps for i in range(int(round(duration_s * fps)))])
        for i, t in enumerate(times):
            fr = av.VideoFrame.from_ndarray(_picture(t, cuts_s, static=static), format="rgb24")
            fr.pts = int(round(t * 1000)) if frame_times_s is not None else i
            if frame_times_s is not None:
                fr.time_base = Fraction(1, 1000)
            for pkt in vs.encode(fr):
                out.mux(pkt)
        for pkt in vs.encode(None):
            out.mux(pkt)
    a_dur = duration_s if audio_duration_s is None else audio_duration_s
    n_total = int(round(a_dur * sample_rate))
    for a, bursts in tracks:
        n0 = 0
        block = 1024
        while n0 < n_total:
            n = min(block, n_total - n0)
            x = _tone(n0, n, bursts, silent=silent, channels=channels, rng=rng,
                      sr=sample_rate, tonal=tonal)
            fr = av.AudioFrame.from_ndarray(x, format="fltp", layout=a.layout.name)
            fr.sample_rate = sample_rate
            fr.pts = n0
            fr.time_base = Fraction(1, sample_rate)
            for pkt in a.encode(fr):
                out.mux(pkt)
            n0 += n
        for pkt in a.encode(None):
            out.mux(pkt)
    out.close()
    return path


def truncate(path: Path, fraction: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def add_garbage(path: Path, *, at: float = 1 / 3, n: int = 2048, seed: int = 1) -> Path:
    data = bytearray(path.read_bytes())
    i = int(len(data) * at)
    data[i : i + n] = np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    return path


def concat_copies(path: Path, part: Path, n: int) -> Path:
    """``n`` copies of ``part`` back to back, as ffmpeg's concat demuxer writes them.

    Every copy's packets are shifted by the container duration of the copies before it
    (``-f concat -c copy``); each copy's audio again starts with its AAC priming frame,
    so the audio timestamps no longer match the decoded sample count after a seam.
    """
    src = av.open(str(part))
    out = av.open(str(path), mode="w")  # format from the suffix
    try:
        omap = {s.index: out.add_stream_from_template(s) for s in src.streams}
        offset_us = src.duration
        for k in range(n):
            src.seek(0)
            for pkt in src.demux():
                if pkt.dts is None:
                    continue
                shift = int(round(Fraction(k * offset_us, 1_000_000) / pkt.stream.time_base))
                pkt.dts += shift
                if pkt.pts is not None:
                    pkt.pts += shift
                pkt.stream = omap[pkt.stream.index]
                out.mux(pkt)
    finally:
        out.close()
        src.close()
    return path


def concat_ts(path: Path, parts: Sequence[Path]) -> Path:
    """Byte-concatenate MPEG-TS files: every part restarts its PTS (a stream restart)."""
    path.write_bytes(b"".join(p.read_bytes() for p in parts))
    return path
