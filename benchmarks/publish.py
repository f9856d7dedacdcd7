"""Speed of the publishing renders (issue 15): a tracked 9:16 short and a replay with opening.

Usage::

    python benchmarks/publish.py                  # both targets
    python benchmarks/publish.py --only short     # the 60-s track short only
    python benchmarks/publish.py --hours 0.25     # a quicker replay check

* **short**: a 60-s ``track`` short rendered at 1080x1920 (x264 ``veryfast``, the
  default) from a 1920x1080 30-fps source in which the astronaut (scikit-image's
  bundled face) walks across the frame.  Baseline in the same run: the same clip as a
  ``center`` short (no analysis, filter-graph crop).  Target: <= 1x realtime (60 s).
* **replay**: the whole recording with a 15-s opening (five 3-s clips), on a 4-hour
  1080p30 input built by stream-copy repeating a 1-min synthetic seed
  (``benchmarks/_inputs.py``).  Baseline in the same run: a plain stream-copy remux of
  the same file (the floor of any pass that writes it).  Target: <= 3 min.

Inputs are cached in ``benchmarks/_media/``.  Every figure is printed with the input's
size; ``load`` is the 1-minute load average when each timing ended.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _inputs import MEDIA_DIR, ensure_input  # noqa: E402

FPS = 30


def _load() -> float:
    return os.getloadavg()[0]


def walker_source(path: Path, *, seconds: float = 10.0, repeats: int = 7) -> Path:
    """A 1920x1080 30-fps host walking across the frame, ``seconds`` x ``repeats`` long."""
    if path.exists():
        return path
    import av
    import cv2
    import numpy as np
    from _inputs import repeat_remux, segment_period
    from skimage import data

    face = cv2.resize(data.astronaut()[10:250, 110:350], (330, 330))
    w, h = 1920, 1080
    seg = path.with_name(path.stem + ".seed.mp4")
    out = av.open(str(seg), "w")
    vs = out.add_stream("libx264", rate=FPS)
    vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
    vs.options = {"preset": "veryfast", "g": "60", "crf": "23"}
    a = out.add_stream("aac", rate=48000)
    a.layout = "stereo"
    rng = np.random.default_rng(0)
    bg = np.full((h, w, 3), (70, 80, 95), np.uint8) + rng.integers(0, 8, (h, w, 1), np.uint8)
    n = int(seconds * FPS)
    for i in range(n):
        img = bg.copy()
        u = i / n
        cx = int(300 + (w - 600) * (2 * u if u < 0.5 else 2 - 2 * u))
        img[360:690, cx - 165:cx + 165] = face
        fr = av.VideoFrame.from_ndarray(img, format="rgb24")
        fr.pts = i
        for p in vs.encode(fr):
            out.mux(p)
    for p in vs.encode(None):
        out.mux(p)
    total = int(seconds * 48000)
    for n0 in range(0, total, 1024):
        m = min(1024, total - n0)
        x = (0.05 * rng.standard_normal((2, m))).astype(np.float32)
        fr = av.AudioFrame.from_ndarray(x, format="fltp", layout="stereo")
        fr.sample_rate = 48000
        fr.pts = n0
        fr.time_base = Fraction(1, 48000)
        for p in a.encode(fr):
            out.mux(p)
    for p in a.encode(None):
        out.mux(p)
    out.close()
    repeat_remux(seg, path, repeats, segment_period(seg))
    return path


def bench_short(tmp: Path) -> None:
    from highlights.export.render import render_clip
    from highlights.types import Clip

    src = walker_source(MEDIA_DIR / "walker_1080p30.mp4")
    size = src.stat().st_size / 1e6
    clip = Clip(2.0, 62.0, 30.0, 1.0, 1)
    print(f"short: source {src.name}, 1920x1080 30 fps, {size:.0f} MB; clip 60.0 s -> "
          "1080x1920, x264 veryfast", flush=True)
    rows = []
    for layout in ("center", "track"):
        out = tmp / f"short_{layout}.mp4"
        out.unlink(missing_ok=True)
        t0 = time.perf_counter()
        res = render_clip(clip, out, media_path=src, vertical=True, layout=layout)
        dt = time.perf_counter() - t0
        rows.append((layout, dt, res.spans[0].layout))
        print(f"  {layout:<6} ({res.spans[0].layout:<6}) {dt:6.1f} s  = {dt / 60:.2f}x realtime"
              f"  load {_load():.1f}", flush=True)
    base = rows[0][1]
    track = rows[1][1]
    print(f"  track / center = {track / base:.2f}; target <= 1x realtime: "
          f"{'met' if track <= 60 else 'NOT met'}", flush=True)


def bench_replay(tmp: Path, hours: float) -> None:
    import av

    from highlights.export.replay import render_replay
    from highlights.types import Clip

    inp = ensure_input("1080p", hours, seed_min=1.0)
    print(f"replay: {inp.describe()}", flush=True)
    dur = inp.duration_s
    clips = [Clip(t, t + 3.0, t + 1.5, 1.0, i + 1)
             for i, t in enumerate([dur * f for f in (0.1, 0.3, 0.5, 0.7, 0.9)])]
    # baseline: a plain stream-copy remux of the whole file
    floor = tmp / "remux.mp4"
    floor.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with av.open(str(inp.path)) as src, av.open(str(floor), "w") as dst:
        ins = [s for s in src.streams if s.type in ("video", "audio")]
        outs = {s.index: dst.add_stream_from_template(s) for s in ins}
        for p in src.demux(ins):
            if p.dts is None:
                continue
            p.stream = outs[p.stream.index]
            dst.mux(p)
    remux = time.perf_counter() - t0
    floor.unlink(missing_ok=True)
    print(f"  stream-copy remux (floor) {remux:6.1f} s  load {_load():.1f}", flush=True)
    out = tmp / "replay.mp4"
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    res = render_replay(clips, out, media_path=inp.path)
    dt = time.perf_counter() - t0
    print(f"  replay with opening      {dt:6.1f} s  (opening {res.teaser_s:.2f} s, "
          f"{res.copied_packets:,} packets copied, recording {res.recording_lufs:.1f} LUFS)"
          f"  load {_load():.1f}", flush=True)
    print(f"  replay / remux = {dt / remux:.2f}; target <= 180 s: "
          f"{'met' if dt <= 180 else 'NOT met'}", flush=True)
    out.unlink(missing_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("short", "replay"))
    ap.add_argument("--hours", type=float, default=4.0)
    args = ap.parse_args()
    tmp = MEDIA_DIR / "publish_out"
    tmp.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "short"):
        bench_short(tmp)
    if args.only in (None, "replay"):
        bench_replay(tmp, args.hours)


if __name__ == "__main__":
    main()
