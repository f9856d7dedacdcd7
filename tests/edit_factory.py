"""Published edits of a source video, made with PyAV at test time, with their truth.

:func:`make_edit` cuts pieces of a source (optionally sped up or slowed down), puts
cards that come from nowhere between them, and changes the result the way channels do
before publishing: a 9:16 crop or the whole picture inside a vertical frame with black
or blurred padding, captions and a logo, a colour filter, music under the audio, a
loudness change, fades to black and crossfades, an A/V offset, another codec, bitrate
and size.  It returns where every piece landed (:class:`EditTruth`), so a test can
check an alignment against it.

Frames are processed at a working width of 480 px; audio at 48 kHz mono.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

SR = 48000
WORK_W = 480


@dataclass(frozen=True)
class Piece:
    """A piece of the source: ``[start_s, end_s)`` played at ``speed`` (source s per s)."""

    start_s: float
    end_s: float
    speed: float = 1.0


@dataclass(frozen=True)
class Card:
    """Something not from the source, ``duration_s`` long: ``title``, ``broll`` or ``other``."""

    duration_s: float
    kind: str = "title"
    seed: int = 0


@dataclass
class EditTruth:
    """Where each source piece landed: ``(pub_start, pub_end, src_start, src_end, speed)``."""

    segments: list[tuple[float, float, float, float, float]] = field(default_factory=list)
    gaps: list[tuple[float, float]] = field(default_factory=list)
    duration_s: float = 0.0
    transitions_s: float = 0.0  # length of the fades/crossfades (tolerance at those ends)


def _decode_video(path: Path, t0: float, t1: float) -> list[tuple[float, np.ndarray]]:
    out = []
    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        origin = (c.start_time or 0) / 1_000_000
        c.seek(max(int((t0 - 2.0 + origin) * 1_000_000), 0), backward=True)
        for fr in c.decode(vs):
            t = float(fr.pts * vs.time_base) - origin
            if t < t0 - 0.1:
                continue
            if t > t1 + 0.1:
                break
            w = WORK_W
            h = int(round(fr.height * w / fr.width / 2)) * 2
            out.append((t, fr.to_ndarray(format="rgb24", width=w, height=h)))
    return out


def decode_audio(path: Path) -> np.ndarray:
    """Mono float32 at 48 kHz (zeros when there is no audio)."""
    with av.open(str(path)) as c:
        if not c.streams.audio:
            dur = (c.duration or 0) / 1_000_000
            return np.zeros(int(dur * SR), np.float32)
        rs = av.AudioResampler(format="flt", layout="mono", rate=SR)
        chunks = []
        for fr in c.decode(c.streams.audio[0]):
            for r in rs.resample(fr):
                chunks.append(r.to_ndarray().reshape(-1))
        for r in rs.resample(None):
            chunks.append(r.to_ndarray().reshape(-1))
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)


def music(n: int, seed: int = 0) -> np.ndarray:
    """A chord progression with a beat (float32 at 48 kHz, RMS ~0.1)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    roots = 110.0 * 2 ** (rng.integers(0, 12, 8) / 12)
    bar = (t // 2.0).astype(int) % 8
    f = roots[bar]
    x = sum(np.sin(2 * np.pi * f * m * t) / (i + 1) for i, m in enumerate((1, 1.25, 1.5, 2)))
    beat = np.exp(-((t % 0.5) / 0.03)) * rng.standard_normal(n) * 0.6
    y = x + beat
    return (0.1 * y / np.sqrt(np.mean(y ** 2))).astype(np.float32)


def _card(kind: str, seed: int, w: int, h: int, i: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 77])
    img = np.zeros((h, w, 3), np.uint8)
    if kind == "title":
        img[:] = rng.integers(40, 200, 3)
        cv2.putText(img, "HIGHLIGHTS", (w // 10, h // 2), cv2.FONT_HERSHEY_SIMPLEX,
                    w / 300, (255, 255, 255), max(1, w // 160))
        cv2.circle(img, (w // 2 + (i * 3) % 40, h * 3 // 4), h // 10, (250, 200, 40), -1)
    else:  # broll / other: moving textured content that exists nowhere in the source
        r2 = np.random.default_rng([seed, 5])
        base = r2.integers(0, 255, (h // 8 + 1, w // 8 + 1, 3)).astype(np.uint8)
        img = cv2.resize(base, (w, h), interpolation=cv2.INTER_CUBIC)
        img = np.roll(img, (i * 2) % w, axis=1)
        for k in range(5):
            x = int((w / 2) + (w / 3) * np.sin(0.05 * i + k))
            y = int((h / 2) + (h / 3) * np.cos(0.07 * i + 2 * k))
            cv2.rectangle(img, (x, y), (x + w // 8, y + h // 8),
                          tuple(int(v) for v in r2.integers(0, 255, 3)), -1)
    return img


def _sepia(img: np.ndarray) -> np.ndarray:
    m = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
    return np.clip(img.astype(np.float32) @ m.T, 0, 255).astype(np.uint8)


def _grade(img: np.ndarray) -> np.ndarray:
    x = img.astype(np.float32) / 255.0
    x = np.clip((x - 0.5) * 1.3 + 0.5, 0, 1) ** 0.8
    x *= np.array([1.08, 0.98, 0.85], np.float32)
    return np.clip(x * 255, 0, 255).astype(np.uint8)


def _overlay(img: np.ndarray, i: int) -> np.ndarray:
    h, w = img.shape[:2]
    out = img.copy()
    band = out[int(h * 0.72): int(h * 0.84)]
    band[:] = (band * 0.4).astype(np.uint8)
    cv2.putText(out, f"no way!! #{i // 15}", (w // 12, int(h * 0.81)), cv2.FONT_HERSHEY_SIMPLEX,
                w / 500, (255, 255, 255), max(1, w // 200))
    cv2.rectangle(out, (int(w * 0.8), int(h * 0.04)), (int(w * 0.96), int(h * 0.12)),
                  (230, 40, 40), -1)
    cv2.putText(out, "LIVE", (int(w * 0.815), int(h * 0.105)), cv2.FONT_HERSHEY_SIMPLEX,
                w / 900, (255, 255, 255), 1)
    return out


def _geometry(img: np.ndarray, mode: str, out_w: int, out_h: int) -> np.ndarray:
    h, w = img.shape[:2]
    if mode == "same":
        return cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_AREA)
    if mode == "fill":  # centre crop of the output's aspect
        cw = int(round(h * out_w / out_h))
        x0 = (w - cw) // 2
        return cv2.resize(img[:, x0: x0 + cw], (out_w, out_h), interpolation=cv2.INTER_AREA)
    # fit: whole picture, padded (black or blurred)
    fh = int(round(out_w * h / w))
    fitted = cv2.resize(img, (out_w, fh), interpolation=cv2.INTER_AREA)
    if mode == "fit_blur":
        cw = int(round(h * out_w / out_h))
        x0 = (w - cw) // 2
        bg = cv2.resize(img[:, x0: x0 + cw], (out_w, out_h), interpolation=cv2.INTER_LINEAR)
        canvas = cv2.GaussianBlur(bg, (0, 0), 12)
        canvas = (canvas * 0.6).astype(np.uint8)
    else:
        canvas = np.zeros((out_h, out_w, 3), np.uint8)
    y0 = (out_h - fh) // 2
    canvas[y0: y0 + fh] = fitted
    return canvas


def make_edit(
    out_path: Path,
    source: Path,
    items: list[Piece | Card],
    *,
    size: tuple[int, int] | None = None,
    geometry: str = "same",
    fps: float = 30.0,
    overlay: bool = False,
    colour: str | None = None,
    music_db: float | None = None,
    audio: str = "source",
    gain_db: float = 0.0,
    fade_s: float = 0.0,
    crossfade_s: float = 0.0,
    av_offset_s: float = 0.0,
    codec: str = "libx264",
    bitrate: int | None = None,
    other_source: Path | None = None,
) -> EditTruth:
    """Encode a published edit of ``source`` into ``out_path``; return its truth.

    ``fade_s``: each piece fades in from and out to black over this long.
    ``crossfade_s``: neighbouring pieces overlap and blend for this long (pieces only).
    ``audio``: ``"source"`` (the pieces' audio, resampled for speed changes: pitch
    shifts), ``"music"`` (music only: the source audio is replaced) or ``"none"``.
    ``av_offset_s``: the audio is delayed by this much against the picture.
    """
    src_audio = decode_audio(source)
    other_audio = decode_audio(other_source) if other_source is not None else None
    dt = 1.0 / fps
    frames: list[np.ndarray] = []
    audio_parts: list[np.ndarray] = []
    truth = EditTruth(transitions_s=max(fade_s, crossfade_s))
    t_pub = 0.0
    out_w, out_h = size if size is not None else (WORK_W, 270)
    if size is None and geometry != "same":
        out_w, out_h = 270, 480
    prev_piece = False
    for item in items:
        if isinstance(item, Card):
            n = int(round(item.duration_s * fps))
            if item.kind == "other" and other_source is not None:
                srcf = _decode_video(other_source, 1.0, 1.0 + item.duration_s)
                frames += [_geometry(srcf[min(i, len(srcf) - 1)][1], geometry, out_w, out_h)
                           for i in range(n)]
            else:
                frames += [_card(item.kind, item.seed, out_w, out_h, i) for i in range(n)]
            na = int(round(n * dt * SR))
            if item.kind == "other" and other_audio is not None:
                a = other_audio[SR: SR + na]
                a = np.pad(a, (0, na - a.size))
            else:
                a = 0.05 * np.sin(2 * np.pi * 523.0 * np.arange(na) / SR).astype(np.float32)
            audio_parts.append(a.astype(np.float32))
            truth.gaps.append((t_pub, t_pub + n * dt))
            t_pub += n * dt
            prev_piece = False
            continue
        piece = item
        src = _decode_video(source, piece.start_s, piece.end_s)
        st = np.array([t for t, _ in src])
        n = int(round((piece.end_s - piece.start_s) / piece.speed * fps))
        pics = []
        for i in range(n):
            s = piece.start_s + i * dt * piece.speed
            j = int(np.argmin(np.abs(st - s)))
            pics.append(_geometry(src[j][1], geometry, out_w, out_h))
        # audio of the piece, resampled for the speed (a pitch shift)
        a0, a1 = int(round(piece.start_s * SR)), int(round(piece.end_s * SR))
        seg = src_audio[a0:a1]
        na = int(round(n * dt * SR))
        if seg.size and piece.speed != 1.0:
            seg = np.interp(np.linspace(0, seg.size - 1, na), np.arange(seg.size),
                            seg).astype(np.float32)
        seg = np.pad(seg, (0, max(0, na - seg.size)))[:na]
        if fade_s > 0:
            k = int(round(fade_s * fps))
            for i in range(min(k, n)):
                g = (i + 1) / (k + 1)
                pics[i] = (pics[i] * g).astype(np.uint8)
                pics[n - 1 - i] = (pics[n - 1 - i] * g).astype(np.uint8)
            ka = int(round(fade_s * SR))
            ramp = np.linspace(0, 1, min(ka, na), dtype=np.float32)
            seg[: ramp.size] *= ramp
            seg[na - ramp.size:] *= ramp[::-1]
        k = int(round(crossfade_s * fps)) if prev_piece else 0
        start_pub = t_pub - k * dt
        if k:
            # blend the first k frames of this piece into the last k frames already placed
            for i in range(k):
                g = (i + 1) / (k + 1)
                frames[len(frames) - k + i] = (frames[len(frames) - k + i] * (1 - g)
                                               + pics[i] * g).astype(np.uint8)
            pics = pics[k:]
            ka = int(round(k * dt * SR))
            g = np.linspace(0, 1, ka, dtype=np.float32)
            tail = audio_parts[-1]
            tail[tail.size - ka:] = tail[tail.size - ka:] * np.cos(g * np.pi / 2) + \
                seg[:ka] * np.sin(g * np.pi / 2)
            seg = seg[ka:]
        frames.extend(pics)
        audio_parts.append(seg.astype(np.float32))
        end_pub = start_pub + n * dt
        truth.segments.append((start_pub, end_pub, piece.start_s, piece.end_s, piece.speed))
        t_pub = end_pub
        prev_piece = True
    truth.duration_s = len(frames) * dt
    # ---- audio
    a = np.concatenate(audio_parts) if audio_parts else np.zeros(0, np.float32)
    a = a[: int(round(truth.duration_s * SR))]
    a = np.pad(a, (0, int(round(truth.duration_s * SR)) - a.size))
    voice_rms = float(np.sqrt(np.mean(a ** 2))) or 0.05
    if audio == "music":
        a = music(a.size, seed=3)
    elif music_db is not None:
        m = music(a.size, seed=3)
        a = a + m * (voice_rms * 10 ** (music_db / 20) / 0.1)
    a = a * 10 ** (gain_db / 20)
    if av_offset_s:
        sh = int(round(abs(av_offset_s) * SR))
        a = np.r_[np.zeros(sh, np.float32), a[:-sh]] if av_offset_s > 0 else np.r_[
            a[sh:], np.zeros(sh, np.float32)]
    a = np.clip(a, -1, 1).astype(np.float32)
    # ---- encode
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(out_path), "w") as out:
        vs = out.add_stream(codec, rate=rate)
        vs.width, vs.height = out_w, out_h
        vs.pix_fmt = "yuv420p"
        if bitrate:
            vs.bit_rate = bitrate
        if codec == "libx264":
            vs.options = {"preset": "ultrafast", "crf": "30"} if not bitrate else {
                "preset": "ultrafast"}
        astream = out.add_stream("aac", rate=SR, layout="mono") if audio != "none" else None
        for i, img in enumerate(frames):
            if colour == "sepia":
                img = _sepia(img)
            elif colour == "grade":
                img = _grade(img)
            if overlay:
                img = _overlay(img, i)
            fr = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            fr.pts = i
            for pkt in vs.encode(fr):
                out.mux(pkt)
        for pkt in vs.encode():
            out.mux(pkt)
        if astream is not None:
            for k0 in range(0, a.size, 1024):
                chunk = a[k0: k0 + 1024]
                af = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
                af.sample_rate = SR
                af.pts = k0
                for pkt in astream.encode(af):
                    out.mux(pkt)
            for pkt in astream.encode():
                out.mux(pkt)
    return truth
