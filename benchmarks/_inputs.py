"""Cached multi-hour benchmark inputs: a synthetic seed segment repeated by stream copy.

Encoding hours of 1080p here would take hours, so :func:`ensure_input` encodes a short
seed segment once with :func:`highlights.synth.make_livestream` (H.264 + AAC, 30 fps,
2-s GOP, planted moments, a chat log) and builds a long file by **stream-copy remuxing
that segment N times** with PyAV: every packet of repeat ``k`` gets its PTS and DTS
shifted by ``k * D`` where ``D`` (one common offset for both streams, an exact multiple
of both time bases) covers the segment's whole packet span, so timestamps stay
monotonic and the repeats butt together.  The chat log is tiled the same way.
Everything lives in ``benchmarks/_media/`` (git-ignored) and is reused on later runs;
files are written to a temporary name and renamed into place.

Two seed encodings (``complexity``):

* ``"ultrafast"`` (the default): ``make_livestream``'s own encode, libx264 ``ultrafast``
  (CAVLC, no deblocking filter, no 8x8 transform or weighted prediction, 1 reference;
  2 B-frames; Main profile), AAC mono.  Cheap to build but cheaper to *decode* than a
  real recording (1.6x on every-frame decode against the realistic seed at 1080p), so it
  flatters decode-bound speeds.
* ``"realistic"``: the same picture and sound (the ultrafast seed decoded) re-encoded by
  :func:`transcode_realistic` the way a streamer's OBS/x264 recording is: libx264
  ``veryfast`` (OBS's default x264 preset), CRF 23, CABAC, 3 B-frames, High profile,
  a fixed 2-s GOP (keyint = min-keyint = 2 x fps, scene-cut keyframes off), AAC-LC
  48 kHz stereo 160 kb/s (the mono track duplicated to both channels).  The settings are
  checked from the x264 SEI of the written file and recorded next to it
  (``x264_settings.txt``); the cache names carry :data:`REALISTIC_TAG`.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

MEDIA_DIR = Path(__file__).resolve().parent / "_media"

#: Resolution name -> (width, height).
RESOLUTIONS = {"360p": (640, 360), "720p": (1280, 720), "1080p": (1920, 1080)}
FPS = 30
GOP_S = 2.0
SAMPLE_RATE = 48000
SEED = 7

#: Seed encodings: see the module docstring.
COMPLEXITIES = ("ultrafast", "realistic")
#: x264 preset of the realistic seed: OBS's default x264 preset, so what most streamers'
#: local recordings and Twitch source-quality VODs are encoded with (``medium`` differs
#: for the decoder mainly by 3 references instead of 1, at several times the encode time).
REALISTIC_PRESET = "veryfast"
REALISTIC_CRF = 23
REALISTIC_BF = 3
REALISTIC_AUDIO_BPS = 160_000
#: In the cache names of the realistic seed and of the files built from it.
REALISTIC_TAG = (f"x264-{REALISTIC_PRESET}-crf{REALISTIC_CRF}-cabac-bf{REALISTIC_BF}-"
                 f"g{int(GOP_S * FPS)}-nosc_aac48k-stereo")


@dataclass(frozen=True)
class Input:
    """One benchmark input file."""

    path: Path
    chat_path: Path
    res: str
    width: int
    height: int
    duration_s: float
    size_bytes: int
    seed_s: float  # length of the repeated segment (period D), seconds
    repeats: int
    complexity: str = "ultrafast"

    def describe(self) -> str:
        mb = self.size_bytes / 1e6
        rate = self.size_bytes * 8 / self.duration_s / 1e6
        enc = ("x264 ultrafast, AAC mono" if self.complexity == "ultrafast" else
               f"x264 {REALISTIC_PRESET} CRF {REALISTIC_CRF}, CABAC, {REALISTIC_BF} B-frames, "
               f"High, 2-s GOP, AAC stereo")
        return (f"{self.res} {self.width}x{self.height} {FPS} fps, {_hms(self.duration_s)} "
                f"({self.duration_s:.0f} s), {mb:,.0f} MB ({rate:.1f} Mb/s); a {self.seed_s:.0f}-s "
                f"synthetic segment ({self.complexity}: {enc}) repeated {self.repeats}x by "
                f"stream copy")


def _hms(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _log(msg: str) -> None:
    print(f"[inputs] {msg}", flush=True)


def seed_segment(res: str, minutes: float, *, media_dir: Path = MEDIA_DIR) -> tuple[Path, Path]:
    """Encode (once) the seed segment for ``res``; return (video path, chat path)."""
    from highlights.synth import make_livestream

    w, h = RESOLUTIONS[res]
    out = media_dir / f"seed_{res}_{minutes:g}min_s{SEED}"
    video, chat = out / "stream.mp4", out / "chat.json"
    if video.exists() and chat.exists():
        return video, chat
    _log(f"encoding the {minutes:g}-min {res} seed segment (one-off; about realtime or "
         f"slower at 1080p) -> {out}")
    t0 = time.perf_counter()
    n_moments = max(1, int(minutes * 60 // 100))
    make_livestream(out, duration_s=minutes * 60.0, seed=SEED, n_moments=n_moments,
                    width=w, height=h, fps=FPS, gop_s=GOP_S, sample_rate=SAMPLE_RATE,
                    overwrite=True)
    _log(f"seed segment encoded in {time.perf_counter() - t0:.0f} s")
    return video, chat


def _x264_settings(path: Path) -> str:
    """The option string x264 writes into its SEI ("cabac=1 ref=1 ..."), or ``""``."""
    import av

    with av.open(str(path)) as c:
        for pkt in c.demux(c.streams.video[0]):
            m = re.search(rb"x264 - core [^\x00]*?options: ([^\x00]+)", bytes(pkt))
            if m:
                return m.group(1).decode("ascii", "replace")
            break
    return ""


def transcode_realistic(src: Path, dst: Path) -> str:
    """Re-encode ``src`` (a seed segment) with the realistic settings; return x264's options.

    Video: every decoded frame re-encoded by libx264 ``veryfast``, CRF 23, 3 B-frames
    (CABAC and High profile come with the preset; both are checked), keyframe every
    ``GOP_S`` exactly (``sc_threshold=0``: no scene-cut keyframes, like the ultrafast seed,
    so both inputs have the same keyframes and the default keyframe-only video path decodes
    the same number of pictures).  Audio: the mono track duplicated to stereo, AAC-LC
    48 kHz 160 kb/s.
    """
    import av
    import numpy as np
    from av.video.frame import PictureType

    gop = int(round(GOP_S * FPS))
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp.mp4")
    try:
        with av.open(str(src)) as inp, av.open(str(tmp), "w", format="mp4") as out:
            vin, ain = inp.streams.video[0], inp.streams.audio[0]
            vin.thread_type = "AUTO"
            vout = out.add_stream("libx264", rate=FPS)
            vout.width, vout.height = vin.codec_context.width, vin.codec_context.height
            vout.pix_fmt = "yuv420p"
            vout.codec_context.time_base = Fraction(1, FPS)
            vout.codec_context.gop_size = gop
            # x264 frame threads on all cores, one slice per picture (as OBS encodes);
            # PyAV's default thread type would make libx264 cut each picture into slices
            vout.codec_context.thread_count = 0
            vout.codec_context.thread_type = "FRAME"
            # x264 clamps min-keyint to keyint/2+1; with scene cuts off it has no effect
            vout.codec_context.options = {
                "preset": REALISTIC_PRESET, "crf": str(REALISTIC_CRF), "bf": str(REALISTIC_BF),
                "keyint_min": str(gop), "sc_threshold": "0",
            }
            aout = out.add_stream("aac", rate=SAMPLE_RATE, layout="stereo")
            aout.codec_context.time_base = Fraction(1, SAMPLE_RATE)
            aout.bit_rate = REALISTIC_AUDIO_BPS
            n_video = n_audio = 0
            pending = np.zeros((2, 0), dtype=np.float32)

            def put_audio(samples: np.ndarray, final: bool) -> None:
                nonlocal n_audio
                step = 1024  # AAC frame size: every frame but the last must be full
                end = samples.shape[1] if final else samples.shape[1] // step * step
                for a in range(0, end, step):
                    chunk = np.ascontiguousarray(samples[:, a: min(a + step, end)])
                    af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                    af.sample_rate = SAMPLE_RATE
                    af.time_base = Fraction(1, SAMPLE_RATE)
                    af.pts = n_audio
                    n_audio += chunk.shape[1]
                    out.mux(aout.encode(af))

            for frame in inp.decode(vin, ain):
                if isinstance(frame, av.VideoFrame):
                    # a decoded frame keeps its I/P/B type, which libx264 would obey
                    frame.pict_type = PictureType.NONE
                    frame.pts = n_video
                    frame.time_base = Fraction(1, FPS)
                    n_video += 1
                    out.mux(vout.encode(frame))
                else:
                    if len(frame.layout.channels) != 1:
                        raise RuntimeError(f"{src}: expected a mono audio track")
                    mono = frame.to_ndarray().astype(np.float32).reshape(-1)
                    pending = np.concatenate([pending, np.vstack([mono, mono])], axis=1)
                    keep = pending.shape[1] % 1024
                    put_audio(pending[:, : pending.shape[1] - keep], final=False)
                    pending = pending[:, pending.shape[1] - keep:]
            put_audio(pending, final=True)
            out.mux(vout.encode(None))
            out.mux(aout.encode(None))
        settings = _x264_settings(tmp)
        with av.open(str(tmp)) as c:
            profile = c.streams.video[0].codec_context.profile
            layout = c.streams.audio[0].codec_context.layout.name
        want = {"cabac": "1", "bframes": str(REALISTIC_BF), "keyint": str(gop),
                "scenecut": "0", "crf": f"{REALISTIC_CRF:.1f}", "sliced_threads": "0"}
        got = dict(kv.split("=", 1) for kv in settings.split() if "=" in kv)
        bad = {k: got.get(k) for k, v in want.items() if got.get(k) != v}
        if profile != "High" or layout != "stereo" or bad:
            raise RuntimeError(f"{tmp}: unexpected encode: profile {profile!r}, audio "
                               f"{layout!r}, x264 options differing from {want}: {bad}")
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    return settings


def seed_segment_realistic(res: str, minutes: float, *,
                           media_dir: Path = MEDIA_DIR) -> tuple[Path, Path]:
    """The realistic-complexity seed segment for ``res`` (built once from the ultrafast one)."""
    out = media_dir / f"seed_{res}_{minutes:g}min_s{SEED}_{REALISTIC_TAG}"
    video, chat = out / "stream.mp4", out / "chat.json"
    if video.exists() and chat.exists():
        return video, chat
    src, src_chat = seed_segment(res, minutes, media_dir=media_dir)
    out.mkdir(parents=True, exist_ok=True)
    _log(f"re-encoding the {minutes:g}-min {res} seed with realistic settings (one-off; "
         f"x264 {REALISTIC_PRESET}, slower than realtime at 1080p on 2 cores) -> {out}")
    t0 = time.perf_counter()
    settings = transcode_realistic(src, video)
    (out / "x264_settings.txt").write_text(settings + "\n", encoding="utf-8")
    shutil.copyfile(src_chat, chat)
    rate = video.stat().st_size * 8 / (minutes * 60) / 1e6
    _log(f"realistic seed encoded in {time.perf_counter() - t0:.0f} s ({rate:.1f} Mb/s); "
         f"x264: {settings[:120]}...")
    return video, chat


def _common_step(tbs: list[Fraction]) -> Fraction:
    """Smallest positive duration that is a whole number of ticks in every time base."""
    num = 1
    den = 0
    for tb in tbs:
        num = num * tb.numerator // math.gcd(num, tb.numerator)
        den = math.gcd(den, tb.denominator)
    return Fraction(num, den)


def segment_period(seg: Path) -> Fraction:
    """The common offset D between repeats: covers every packet of the segment (seconds)."""
    import av

    lo: Fraction | None = None
    hi: Fraction | None = None
    tbs = []
    with av.open(str(seg)) as c:
        streams = [s for s in c.streams if s.type in ("video", "audio")]
        for s in streams:
            tbs.append(Fraction(s.time_base))
        for pkt in c.demux(streams):
            if pkt.dts is None or pkt.pts is None:
                continue
            tb = Fraction(pkt.time_base)
            dur = pkt.duration or 0
            if not dur and pkt.stream.type == "video":
                rate = pkt.stream.average_rate or Fraction(FPS)
                dur = max(1, round(1 / (Fraction(rate) * tb)))
            a = min(pkt.pts, pkt.dts) * tb
            b = (max(pkt.pts, pkt.dts) + max(dur, 1)) * tb
            lo = a if lo is None or a < lo else lo
            hi = b if hi is None or b > hi else hi
    if lo is None or hi is None:
        raise RuntimeError(f"{seg}: no packets")
    step = _common_step(tbs)
    return math.ceil((hi - lo) / step) * step


def repeat_remux(seg: Path, out: Path, repeats: int, period: Fraction) -> None:
    """Write ``seg`` repeated ``repeats`` times into ``out`` by stream copy (no re-encode)."""
    import av

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp.mp4")
    try:
        with av.open(str(tmp), "w", format="mp4") as dst:
            with av.open(str(seg)) as src:
                ins = [s for s in src.streams if s.type in ("video", "audio")]
                outs = {s.index: dst.add_stream_from_template(s) for s in ins}
            for k in range(repeats):
                with av.open(str(seg)) as src:
                    ins = [s for s in src.streams if s.type in ("video", "audio")]
                    offs = {s.index: int(k * period / Fraction(s.time_base)) for s in ins}
                    for pkt in src.demux(ins):
                        if pkt.dts is None or pkt.pts is None:
                            continue  # demuxer flush packets
                        off = offs[pkt.stream.index]
                        pkt.pts += off
                        pkt.dts += off
                        pkt.stream = outs[pkt.stream.index]
                        dst.mux(pkt)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def tile_chat(seg_chat: Path, out: Path, repeats: int, period_s: float) -> int:
    """Tile the segment's chat log (JSON array of {time_s, author, text}); return its size."""
    rows = json.loads(seg_chat.read_text(encoding="utf-8"))
    tiled = [{**r, "time_s": round(r["time_s"] + k * period_s, 3)}
             for k in range(repeats) for r in rows]
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(tiled, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(tiled)


def ensure_input(res: str, hours: float, *, seed_min: float = 5.0,
                 complexity: str = "ultrafast", media_dir: Path = MEDIA_DIR) -> Input:
    """Return a cached input of about ``hours`` of ``res`` (built on first use).

    ``complexity`` picks the seed encoding (:data:`COMPLEXITIES`, see the module docstring).
    """
    if complexity not in COMPLEXITIES:
        raise ValueError(f"complexity must be one of {COMPLEXITIES}, got {complexity!r}")
    media_dir.mkdir(parents=True, exist_ok=True)
    if complexity == "realistic":
        seg, seg_chat = seed_segment_realistic(res, seed_min, media_dir=media_dir)
        tag = f"_{REALISTIC_TAG}"
    else:
        seg, seg_chat = seed_segment(res, seed_min, media_dir=media_dir)
        tag = ""
    period = segment_period(seg)
    repeats = max(1, int(round(hours * 3600 / float(period))))
    stem = f"{res}_{seed_min:g}min{tag}_x{repeats}"
    path, chat = media_dir / f"{stem}.mp4", media_dir / f"{stem}.chat.json"
    if not path.exists():
        _log(f"building {path.name}: {repeats} x {float(period):.3f} s by stream copy")
        t0 = time.perf_counter()
        repeat_remux(seg, path, repeats, period)
        _log(f"  done in {time.perf_counter() - t0:.1f} s")
    if not chat.exists():
        tile_chat(seg_chat, chat, repeats, float(period))
    w, h = RESOLUTIONS[res]
    return Input(path=path, chat_path=chat, res=res, width=w, height=h,
                 duration_s=float(repeats * period), size_bytes=path.stat().st_size,
                 seed_s=float(period), repeats=repeats, complexity=complexity)
