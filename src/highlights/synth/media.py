"""Render a :class:`~highlights.synth.SynthPlan` to real media: H.264 + AAC MP4, chat and truth.

Audio and video are generated and encoded in blocks, so memory stays bounded for
hours of 1080p.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._atomic import atomic_output, write_atomic
from .._validate import check_int, check_positive, fail
from ..errors import ExportError, OutputExistsError
from .plan import (
    _AAC_RATES,
    _AUDIO_BLOCK,
    _CAMERAS,
    _RNG_AUDIO,
    _RNG_STATIC,
    _RNG_VIDEO,
    CHAT_NAME,
    TRUTH_NAME,
    VIDEO_NAME,
    Moment,
    SynthPlan,
    SynthStream,
    make_plan,
)
from .signals import _action_env, _camera, _chat, _flash, _gate, _music_env, _sfx_times, _voices

F64 = NDArray[np.float64]
logger = logging.getLogger(__name__)


# =============================================================================== audio render
def _harmonic_sum(theta: F64, amps: F64) -> F64:
    """``sum_k amps[k] * sin((k + 1) * theta)`` by the Chebyshev recurrence (no per-k sin)."""
    s_prev = np.zeros_like(theta)
    s_cur = np.sin(theta)
    c2 = 2.0 * np.cos(theta)
    out: F64 = float(amps[0]) * s_cur
    for a in amps[1:].tolist():
        s_prev, s_cur = s_cur, c2 * s_cur - s_prev
        out += a * s_cur
    return out


def _norm_amps(amps: F64, f0_max: float, sr: int) -> F64:
    k = np.arange(1, amps.size + 1)
    out: F64 = np.where(k * f0_max < 0.45 * sr, amps, 0.0)
    return out / math.sqrt(0.5 * float(np.sum(out**2)))  # unit RMS for a steady tone


def _shaped_noise(rng: np.random.Generator, n: int, sr: int, lo: float, hi: float) -> F64:
    """Unit-RMS noise band-limited to roughly ``[lo, hi]`` Hz (FFT shaping)."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / sr)
    gain = (f / lo) ** 2 / (1.0 + (f / lo) ** 2) / (1.0 + (f / hi) ** 4)
    y = np.fft.irfft(spec * gain, n)
    return y / max(math.sqrt(float(np.mean(gain**2))), 1e-12)


class _AudioSynth:
    """Renders a plan's soundtrack block by block (deterministic per block index)."""

    def __init__(self, plan: SynthPlan, *, sample_rate: int) -> None:
        self.plan = plan
        self.sr = sample_rate
        self.voices = _voices(plan)
        self.sfx_t, self.sfx_k, self.sfx_a = _sfx_times(plan)
        self.sfx_kernels = self._kernels()
        self.music = plan.of_kind("music")
        rng = np.random.default_rng([plan.seed, _RNG_STATIC, 3])
        self.shout_f0 = rng.uniform(290.0, 380.0, max(len(plan.moments), 1))

    def _kernels(self) -> list[F64]:
        sr = self.sr
        rng = np.random.default_rng([self.plan.seed, _RNG_STATIC, 4])
        out = []
        t = np.arange(int(0.12 * sr)) / sr  # blip: falling chirp
        out.append(np.sin(2 * np.pi * (900 * t - 1500 * t**2)) * np.exp(-t / 0.03))
        t = np.arange(int(0.08 * sr)) / sr  # shot: noise crack
        out.append(np.diff(rng.standard_normal(t.size + 1)) * np.exp(-t / 0.015) * 0.6)
        t = np.arange(int(0.2 * sr)) / sr  # coin: two tones
        tone = np.where(t < 0.07, np.sin(2 * np.pi * 988 * t), np.sin(2 * np.pi * 1319 * t))
        out.append(tone * np.exp(-t / 0.08) * 0.7)
        t = np.arange(int(0.25 * sr)) / sr  # thud
        out.append(np.sin(2 * np.pi * (70 * t + 40 * t * np.exp(-t / 0.02))) * np.exp(-t / 0.07))
        return out

    def block(self, n0: int, n1: int, index: int) -> NDArray[np.float32]:
        """Samples ``[n0, n1)`` as float32 in [-1, 1]; ``index`` seeds the block's noise."""
        sr, plan = self.sr, self.plan
        rng = np.random.default_rng([plan.seed, _RNG_AUDIO, index])
        n = n1 - n0
        t = np.arange(n0, n1, dtype=np.float64) / sr
        y = _shaped_noise(rng, n, sr, 60.0, 1200.0) * 10 ** (-60 / 20)  # room noise, low-heavy

        hiss = _shaped_noise(rng, n, sr, 2500.0, 7000.0)  # fricatives, shared by the voices
        for v in self.voices:  # babble: phrases x syllables x harmonic voice + fricatives
            gate = _gate(t, v.on, v.off)
            if not gate.any():
                continue
            w1, w2 = 2 * np.pi * 0.23, 2 * np.pi * 1.7
            theta = 2 * np.pi * v.f0 * (t - 0.08 * np.cos(w1 * t + v.phase) / w1
                                        - 0.04 * np.cos(w2 * t) / w2)
            syl = 0.5 + 0.5 * np.sin(2 * np.pi * v.rate * t + 1.3 * np.sin(2 * np.pi * 0.7 * t
                                                                           + v.phase))
            amps = _norm_amps(1.0 / np.arange(1, 13) * np.array(
                [1, 1.6, 2.0, 1.4, 0.9, 0.8, 1.1, 1.2, 0.8, 0.5, 0.4, 0.3]), v.f0 * 1.15, sr)
            voiced = _harmonic_sum(theta, amps) * syl**1.5
            fric = hiss * 0.15 * (1.0 - syl) ** 4
            y += v.level * 1.6 * gate * (voiced + fric)

        if self.sfx_t.size:
            self._add_sfx(y, n0, n1)

        m_here = tuple(m for m in plan.moments if m.end_s > t[0] and m.start_s <= t[-1])
        if m_here:
            env = _action_env(t, m_here)
            syl = 0.6 + 0.4 * np.sin(2 * np.pi * 5.5 * t) ** 2
            crowd = _shaped_noise(rng, n, sr, 900.0, 5000.0) * syl
            f0 = float(self.shout_f0[plan.moments.index(m_here[0])])
            theta = 2 * np.pi * f0 * (t + 0.02 * np.sin(2 * np.pi * 3.0 * t))
            amps = _norm_amps(np.arange(1, 17, dtype=np.float64) ** -0.6, f0 * 1.05, sr)
            shout = _harmonic_sum(theta, amps) * syl
            y += 10 ** (-11 / 20) * env * (0.75 * crowd + 0.65 * shout)

        music_here = tuple(d for d in self.music if d.end_s > t[0] and d.start_s <= t[-1])
        if music_here:
            y += 10 ** (-9.5 / 20) * _music_env(t, music_here) * self._music(t, music_here[0])
        return np.clip(y, -1.0, 1.0).astype(np.float32)

    def _add_sfx(self, y: F64, n0: int, n1: int) -> None:
        sr = self.sr
        lo = np.searchsorted(self.sfx_t, n0 / sr - 0.3)
        hi = np.searchsorted(self.sfx_t, n1 / sr)
        for i in range(int(lo), int(hi)):  # a few events per block
            ker = self.sfx_kernels[int(self.sfx_k[i])]
            p = int(round(float(self.sfx_t[i]) * sr))
            a, b = max(p, n0), min(p + ker.size, n1)
            if b > a:
                y[a - n0:b - n0] += self.sfx_a[i] * ker[a - p:b - p]

    def _music(self, t: F64, d: Moment) -> F64:
        """Unit-ish RMS music: a 4-chord loop with kick and hi-hat at 120 bpm."""
        rel = np.maximum(t - d.start_s, 0.0)
        chord = (rel // 2.0).astype(np.intp) % 4
        roots = 110.0 * 2.0 ** (np.array([0, 8, 3, 10]) / 12.0)
        in_chord = rel % 2.0
        cenv = np.clip(in_chord / 0.02, 0, 1) * np.clip((2.0 - in_chord) / 0.02, 0, 1)
        out = np.zeros_like(t)
        for step, gain in ((0.0, 1.0), (4.0, 0.7), (7.0, 0.8), (12.0, 0.4)):
            f = roots[chord] * 2.0 ** (step / 12.0)
            out += gain * np.sin(2 * np.pi * f * in_chord)
        beat = rel % 0.5
        kick = np.sin(2 * np.pi * (50 * beat + 60 * 0.03 * (1 - np.exp(-beat / 0.03))))
        hat = np.sin(2 * np.pi * 7000 * t) * np.sin(2 * np.pi * 9100 * t)
        return 0.45 * cenv * out + 1.2 * kick * np.exp(-beat / 0.09) + 0.15 * hat * np.exp(
            -(rel % 0.25) / 0.012)


# =============================================================================== video render
class _VideoSynth:
    """Renders a plan's frames (yuv420p) one at a time from precomputed textures."""

    def __init__(self, plan: SynthPlan, *, width: int, height: int, fps: Fraction) -> None:
        self.plan, self.w, self.h, self.fps = plan, width, height, fps
        self.game = plan.genre == "game"
        rng = np.random.default_rng([plan.seed, _RNG_STATIC, 5])
        self.pad = max(8, (height // 16) * 2)
        self.tex = [self._texture(rng, c) for c in range(_CAMERAS)]
        self.buf = np.empty(width * height * 3 // 2, dtype=np.uint8)
        self.scroll = 0.0
        self.face = self._face()

    def _texture(self, rng: np.random.Generator, cam: int) -> tuple[NDArray[np.uint8], ...]:
        """Seamless (periodic in x) blocky luma/chroma textures, padded for scroll + shake."""
        w, h, pad = self.w, self.h, self.pad
        block = max(4, (w // 40) * 2) * (2 if cam == 1 else 1)
        nby, nbx = -(-h // block), -(-w // block)
        coarse = rng.uniform(40, 170, (nby, nbx))
        fine_b = max(2, block // 4) * 2
        fine = rng.uniform(-25, 25, (-(-h // fine_b), -(-w // fine_b)))
        y = np.repeat(np.repeat(coarse, block, 0), block, 1)[:h, :w]
        y = y + np.repeat(np.repeat(fine, fine_b, 0), fine_b, 1)[:h, :w]
        x = np.arange(w)
        y = y + 20 * np.sin(2 * np.pi * x * (3 + cam) / w)[None, :]  # periodic stripes
        tint = ((100, 150), (150, 120), (120, 100))[cam]
        u = np.full((h // 2, w // 2), tint[0], dtype=np.float64) + rng.uniform(-12, 12, (1, w // 2))
        v = np.full((h // 2, w // 2), tint[1], dtype=np.float64) + rng.uniform(-8, 8, (h // 2, 1))
        out: list[NDArray[np.uint8]] = []
        for plane, p in ((y, pad), (u, pad // 2), (v, pad // 2)):
            arr = np.clip(plane, 16, 235).astype(np.uint8)
            arr = np.pad(arr, ((p, p), (0, 0)), mode="wrap")
            out.append(np.concatenate([arr, arr], axis=1))  # scroll window never wraps
        return tuple(out)

    def _face(self) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
        fh, fw = max(8, self.h // 4) // 2 * 2, max(8, self.w // 5) // 2 * 2
        yy, xx = np.mgrid[0:fh, 0:fw]
        mask = ((yy - fh * 0.45) / (fh * 0.36)) ** 2 + ((xx - fw / 2) / (fw * 0.22)) ** 2 < 1
        patch = np.where(mask, 175, 55).astype(np.uint8)
        body = (yy > fh * 0.8) & (np.abs(xx - fw / 2) < fw * 0.35)
        patch[body] = 95
        return patch, mask

    def params(self, k0: int, k1: int, index: int) -> dict[str, Any]:
        """Per-frame parameters for frames ``[k0, k1)`` (vectorised over the block)."""
        plan = self.plan
        rng = np.random.default_rng([plan.seed, _RNG_VIDEO, index])
        # k * den / num: one rounding, so a frame on a whole second is exactly that second
        t = np.arange(k0, k1, dtype=np.float64) * self.fps.denominator / self.fps.numerator
        act = _action_env(t, plan.moments) if self.game else np.zeros_like(t)
        cam = _camera(t, plan.cuts_s)
        speed = np.where(cam == 1, 4.0, 30.0 if self.game else 2.0) + 320.0 * act  # px/s @320
        step = speed * (self.w / 320.0) / float(self.fps)
        pos = self.scroll + np.cumsum(step)
        self.scroll = float(pos[-1]) if pos.size else self.scroll
        amp = act * (self.h / 30.0)
        return {
            "t": t, "cam": cam, "act": act, "x": pos,
            "dx": np.round(rng.normal(0, 1, t.size) * amp).astype(np.intp),
            "dy": np.round(rng.normal(0, 1, t.size) * amp).astype(np.intp),
            "flash": _flash(t, plan.moments) if self.game else np.zeros_like(t),
            "rng": rng,
        }

    def frame(self, p: dict[str, Any], i: int) -> NDArray[np.uint8]:
        """Render frame ``i`` of the block described by ``p`` into the shared buffer."""
        w, h, pad = self.w, self.h, self.pad
        cam = int(p["cam"][i])
        tex_y, tex_u, tex_v = self.tex[cam]
        x = (int(p["x"][i] + p["dx"][i]) % w) // 2 * 2
        dy = int(np.clip(p["dy"][i], -pad, pad)) // 2 * 2
        buf = self.buf
        yv = buf[: w * h].reshape(h, w)
        uv = buf[w * h: w * h * 5 // 4].reshape(h // 2, w // 2)
        vv = buf[w * h * 5 // 4:].reshape(h // 2, w // 2)
        yv[...] = tex_y[pad + dy: pad + dy + h, x: x + w]
        uv[...] = tex_u[(pad + dy) // 2: (pad + dy) // 2 + h // 2, x // 2: x // 2 + w // 2]
        vv[...] = tex_v[(pad + dy) // 2: (pad + dy) // 2 + h // 2, x // 2: x // 2 + w // 2]
        t = float(p["t"][i])
        act = float(p["act"][i])
        s = max(1, w // 64)
        if self.game and cam != 1:  # moving "enemies" and HUD
            for j in range(3):
                ex = int((w * (0.2 + 0.3 * j) + 40 * s * math.sin(t * (0.7 + j * 0.3)))
                         % (w - 4 * s))
                ey = int(h * (0.35 + 0.15 * j) + 10 * s * math.cos(t * (1.1 + j * 0.2)))
                yv[ey: ey + 3 * s, ex: ex + 3 * s] = 220 - 60 * j
            health = 1.0 - 0.6 * act
            yv[s: 3 * s, s: s + 30 * s] = 30
            yv[s: 3 * s, s: s + int(30 * s * health)] = 200
            yv[h - 13 * s: h - s, s: 14 * s] = 40  # minimap
            mx = s + int((p["x"][i] / (w * 4.0)) % 1.0 * 12 * s)
            yv[h - 8 * s: h - 7 * s, mx: mx + s] = 235
        if act > 0.05:  # particles
            rng: np.random.Generator = p["rng"]
            n_part = int(25 * act)
            px = rng.integers(0, w - 2 * s, n_part)
            py = rng.integers(0, h - 2 * s, n_part)
            for a, b in zip(px.tolist(), py.tolist()):
                yv[b: b + 2 * s, a: a + 2 * s] = 235
        patch, _ = self.face  # webcam: corner box in game views, big in camera 1
        fh, fw = patch.shape
        bob = int(round(math.sin(2 * math.pi * 0.5 * t) * s))
        if cam == 1 or not self.game:
            y0, x0 = h // 2 - fh, w // 2 - fw
            big = np.repeat(np.repeat(patch, 2, 0), 2, 1)
            yv[max(y0 + bob, 0): y0 + bob + 2 * fh, x0: x0 + 2 * fw] = big[: h - max(y0 + bob, 0)]
        else:
            y0, x0 = h - fh - s, w - fw - s
            yv[y0 - s: y0 + fh, x0 - s: x0 + fw] = 20
            yv[y0 + min(bob, 0): y0 + fh + min(bob, 0), x0: x0 + fw] = patch
        f = float(p["flash"][i])
        if f > 0.02:
            yv[...] = np.minimum(yv.astype(np.uint16) + int(140 * f), 235).astype(np.uint8)
        return buf.reshape(h * 3 // 2, w)


# =============================================================================== encoding
def _write_json(path: Path, payload: Any) -> None:
    write_atomic(path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                 overwrite=True)


def _blocks(n_samples: int, sr: int, fps: Fraction, n_frames: int) -> Iterator[
        tuple[int, int, int, int, int]]:
    """Yield ``(index, n0, n1, k0, k1)``: sample and frame ranges of each time block."""
    index = 0
    n0 = 0
    while True:
        n1 = min(n0 + _AUDIO_BLOCK, n_samples)
        k0 = min(-((-n0 * fps.numerator) // (sr * fps.denominator)), n_frames)
        k1 = n_frames if n1 >= n_samples else min(
            -((-n1 * fps.numerator) // (sr * fps.denominator)), n_frames)
        yield index, n0, n1, k0, k1
        if n1 >= n_samples:
            return
        n0 = n1
        index += 1


def _encode(
    path: Path, plan: SynthPlan, *, width: int, height: int, fps: Fraction, sr: int,
    audio: bool, video: bool, gop: int,
) -> None:
    import av

    n_samples = int(round(plan.duration_s * sr))
    n_frames = int(math.ceil(Fraction(n_samples, sr) * fps))
    container = av.open(str(path), mode="w", format="mp4")
    try:
        vstream = astream = None
        if video:
            # ultrafast: fast and (unlike veryfast, seen in tests) bit-reproducible;
            # 2 B-frames like OBS/Twitch streams, so decoders see reordered PTS/DTS
            preset = "ultrafast"
            vstream = container.add_stream("libx264", rate=fps)
            vstream.width, vstream.height, vstream.pix_fmt = width, height, "yuv420p"
            vstream.codec_context.time_base = Fraction(fps.denominator, fps.numerator)
            vstream.codec_context.gop_size = gop
            vstream.codec_context.thread_count = 1  # keeps the bitstream reproducible
            vstream.codec_context.thread_type = "NONE"
            vstream.codec_context.options = {
                "preset": preset, "keyint_min": str(gop), "sc_threshold": "0", "bf": "2",
            }
        if audio:
            astream = container.add_stream("aac", rate=sr, layout="mono")
            astream.codec_context.time_base = Fraction(1, sr)
        vsynth = _VideoSynth(plan, width=width, height=height, fps=fps) if video else None
        asynth = _AudioSynth(plan, sample_rate=sr) if audio else None
        for index, n0, n1, k0, k1 in _blocks(n_samples, sr, fps, n_frames):
            if vsynth is not None and vstream is not None and k1 > k0:
                p = vsynth.params(k0, k1, index)
                for i in range(k1 - k0):
                    frame = av.VideoFrame.from_ndarray(vsynth.frame(p, i), format="yuv420p")
                    frame.pts = k0 + i
                    container.mux(vstream.encode(frame))
            if asynth is not None and astream is not None:
                samples = asynth.block(n0, n1, index)
                for a in range(0, n1 - n0, 1024):
                    chunk = samples[a: a + 1024]
                    aframe = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp",
                                                        layout="mono")
                    aframe.sample_rate = sr
                    aframe.time_base = Fraction(1, sr)
                    aframe.pts = n0 + a
                    container.mux(astream.encode(aframe))
        if vstream is not None:
            container.mux(vstream.encode(None))
        if astream is not None:
            container.mux(astream.encode(None))
    finally:
        container.close()


def make_livestream(
    out_dir: str | os.PathLike[str],
    *,
    duration_s: float = 60.0,
    seed: int = 0,
    n_moments: int = 3,
    width: int = 320,
    height: int = 180,
    fps: float = 15,
    sample_rate: int = 22050,
    chat: bool = True,
    chat_lag_s: float = 6.0,
    genre: str = "game",
    audio: bool = True,
    video: bool = True,
    gop_s: float = 2.0,
    overwrite: bool = False,
) -> SynthStream:
    """Write a synthetic livestream (MP4 + chat log + truth) with planted highlights.

    Writes ``stream.mp4`` (H.264 yuv420p, keyframe every ``gop_s``, no scene-cut
    keyframes; AAC mono), ``chat.json`` (JSON array of ``{"time_s", "author",
    "text"}``, sorted by time) and ``truth.json`` (:meth:`SynthStream.truth`) into
    ``out_dir``.  Each file is written to a temporary name and renamed into place.
    Audio and video are generated and encoded in blocks of ~3 s, so memory does not
    grow with ``duration_s``.

    Parameters
    ----------
    out_dir : path-like
        Directory to write into (created if missing).
    duration_s : float
        Stream length in seconds.
    seed : int
        Random seed; the same seed gives the same truth and the same chat file.
    n_moments : int
        Number of planted highlights.
    width, height : int
        Frame size in pixels (even, >= 64 x 36).
    fps : float
        Frame rate in frames per second (e.g. 15, 30, 29.97).
    sample_rate : int
        Audio sample rate in Hz (an AAC rate such as 22050 or 48000).
    chat : bool
        Write ``chat.json``.
    chat_lag_s : float
        Seconds between a moment's peak and the start of its chat reaction.
    genre : {"game", "talk"}
        Stream style (see :data:`GENRES`).
    audio, video : bool
        Include the audio / video stream (at least one).
    gop_s : float
        Keyframe interval in seconds.
    overwrite : bool
        Replace existing output files.

    Returns
    -------
    SynthStream
        Paths and ground truth.  Moments and distractors list only the modalities
        actually written (e.g. no ``"chat"`` kind when ``chat=False``).

    Raises
    ------
    InvalidParameterError
        On a bad parameter, or a ``duration_s`` too short for ``n_moments``.
    OutputExistsError
        If an output file exists and ``overwrite`` is false.
    ExportError
        If encoding or writing fails.
    """
    caller = "make_livestream"
    width = check_int("width", caller, width, minimum=64)
    height = check_int("height", caller, height, minimum=36)
    if width % 2 or height % 2:
        raise fail("width/height", caller, "even numbers (yuv420p)", (width, height))
    fps_f = check_positive("fps", caller, fps)
    fps_q = Fraction(fps_f).limit_denominator(1001)
    sr = check_int("sample_rate", caller, sample_rate, minimum=8000)
    if sr not in _AAC_RATES:
        raise fail("sample_rate", caller, f"one of {_AAC_RATES}", sample_rate)
    gop_f = check_positive("gop_s", caller, gop_s)
    gop = max(1, int(round(gop_f * fps_f)))
    for name, flag in (("chat", chat), ("audio", audio), ("video", video),
                       ("overwrite", overwrite)):
        if not isinstance(flag, bool):
            raise fail(name, caller, "a bool", flag)
    if not (audio or video):
        raise fail("audio/video", caller, "True for at least one stream", (audio, video))
    plan = make_plan(duration_s=duration_s, seed=seed, n_moments=n_moments,
                     chat_lag_s=chat_lag_s, genre=genre)

    out = Path(out_dir)
    video_path, chat_path, truth_path = out / VIDEO_NAME, out / CHAT_NAME, out / TRUTH_NAME
    targets = [video_path, truth_path] + ([chat_path] if chat else [])
    if not overwrite:
        existing = [str(p) for p in targets if p.exists()]
        if existing:
            raise OutputExistsError(
                f"Output exists: {', '.join(existing)}. Pass overwrite=True to replace it."
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Cannot create {out}: {exc}") from exc

    # truth restricted to what is written; cuts at the first frame of the new camera
    present = {"audio": audio, "visual": video, "chat": chat}
    moments = tuple(
        Moment(m.start_s, m.end_s, m.peak_s, tuple(k for k in m.kinds if present[k]))
        for m in plan.moments
    )
    cuts = tuple(float(math.ceil(Fraction(c) * fps_q - Fraction(1, 10**6)) / fps_q)
                 for c in plan.cuts_s) if video else ()
    cut_iter = iter(cuts)
    distractors: list[Moment] = []
    for d in plan.distractors:
        if not present[d.kinds[0]]:
            continue
        if "cut" in d.kinds:
            c = next(cut_iter)
            d = Moment(c, c, c, d.kinds)
        distractors.append(d)

    import av

    # Existing outputs were refused above unless overwrite=True.
    with atomic_output(video_path, overwrite=True) as tmp:
        try:
            _encode(tmp, plan, width=width, height=height, fps=fps_q, sr=sr, audio=audio,
                    video=video, gop=gop)
        except (av.FFmpegError, OSError) as exc:
            raise ExportError(f"Cannot write {video_path}: {exc}") from exc

    if chat:
        times, authors, texts = _chat(plan)
        _write_json(chat_path, [
            {"time_s": t, "author": a, "text": x}
            for t, a, x in zip(times.tolist(), authors.tolist(), texts.tolist())
        ])
    stream = SynthStream(
        video_path=video_path, chat_path=chat_path if chat else None,
        duration_s=plan.duration_s, moments=moments, distractors=tuple(distractors),
        chat_lag_s=plan.chat_lag_s, seed=plan.seed, cuts_s=cuts, genre=plan.genre,
        truth_path=truth_path,
    )
    _write_json(truth_path, stream.truth())
    logger.debug("wrote synthetic stream %s (%d moments)", video_path, len(moments))
    return stream
