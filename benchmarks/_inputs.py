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
"""

from __future__ import annotations

import json
import math
import os
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

    def describe(self) -> str:
        mb = self.size_bytes / 1e6
        rate = self.size_bytes * 8 / self.duration_s / 1e6
        return (f"{self.res} {self.width}x{self.height} {FPS} fps, {_hms(self.duration_s)} "
                f"({self.duration_s:.0f} s), {mb:,.0f} MB ({rate:.1f} Mb/s); a {self.seed_s:.0f}-s "
                f"synthetic segment repeated {self.repeats}x by stream copy")


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
                 media_dir: Path = MEDIA_DIR) -> Input:
    """Return a cached input of about ``hours`` of ``res`` (built on first use)."""
    media_dir.mkdir(parents=True, exist_ok=True)
    seg, seg_chat = seed_segment(res, seed_min, media_dir=media_dir)
    period = segment_period(seg)
    repeats = max(1, int(round(hours * 3600 / float(period))))
    stem = f"{res}_{seed_min:g}min_x{repeats}"
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
                 seed_s=float(period), repeats=repeats)
