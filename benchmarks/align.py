"""Speed of align_published: a 60-s short against a 4-h VOD, cached and uncached.

The VOD must not repeat the short's content (a looped VOD matches every repeat), so it
is built by stream copy from hard-suite segments: ``N`` copies of one 5-min stream
(seed 5001) with one *different* 5-min stream (seed 9050) in the middle.  The short is
a 60-s 9:16 edit of four pieces of that unique segment with music under it
(tests/edit_factory.py).  Reported: the analysis time (the baseline, measured in the
same run), the alignment time with the analysis cached, the extra time without a cache,
the seconds of VOD decoded again at full rate, and the alignment error against the
edit's truth.

    python benchmarks/align.py [--hours 4]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import time
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
MEDIA = HERE / "_media" / "align"


def build_vod(hours: float) -> tuple[Path, Path, float]:
    import av
    import hardsuite

    MEDIA.mkdir(parents=True, exist_ok=True)
    base = hardsuite.make_hard_stream(MEDIA / "base", seed=5001, duration_s=300.0) if not (
        MEDIA / "base" / "stream.mp4").exists() else hardsuite.load_hard_stream(MEDIA / "base")
    uniq = hardsuite.make_hard_stream(MEDIA / "uniq", seed=9050, duration_s=300.0) if not (
        MEDIA / "uniq" / "stream.mp4").exists() else hardsuite.load_hard_stream(MEDIA / "uniq")
    n = max(3, int(round(hours * 3600 / 300)))
    out = MEDIA / f"vod_{n}x.mp4"
    mid = n // 2
    period = Fraction(301)  # > the segment's packet span; a multiple of both time bases
    if not out.exists():
        tmp = out.with_suffix(".tmp.mp4")
        with av.open(str(tmp), "w") as dst:
            with av.open(str(base.video_path)) as src:
                outs = {s.index: dst.add_stream_from_template(s) for s in src.streams}
            for k in range(n):
                seg = uniq.video_path if k == mid else base.video_path
                with av.open(str(seg)) as src:
                    offs = {s.index: int(k * period / Fraction(s.time_base)) for s in src.streams}
                    for pkt in src.demux():
                        if pkt.dts is None:
                            continue
                        pkt.pts += offs[pkt.stream.index]
                        pkt.dts += offs[pkt.stream.index]
                        pkt.stream = outs[pkt.stream.index]
                        dst.mux(pkt)
        os.replace(tmp, out)
    return out, uniq.video_path, float(mid * period)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=4.0)
    args = ap.parse_args()
    from edit_factory import Piece, make_edit
    from highlights.cache import analysis_cached
    from highlights.published import core

    vod, uniq, at = build_vod(args.hours)
    short = MEDIA / "short.mp4"
    pieces = [Piece(20, 35), Piece(80, 95), Piece(150, 165), Piece(230, 245)]
    truth = make_edit(short, uniq, pieces, geometry="fill", music_db=-10, overlay=True)
    cache = MEDIA / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    t0 = time.perf_counter()
    analysis = analysis_cached(vod, cache=cache)
    t_an = time.perf_counter() - t0
    dur = analysis.info.duration_s
    t1 = time.perf_counter()
    al = core.align_published(vod, short, cache=cache)
    t_al = time.perf_counter() - t1
    shutil.rmtree(cache, ignore_errors=True)
    t2 = time.perf_counter()
    core.align_published(vod, short)
    t_cold = time.perf_counter() - t2
    errs = []
    for ps, pe, ss, se, _ in truth.segments:
        m = [s for s in al.segments if abs(s.published_start_s - ps) < 1 and abs(
            s.published_end_s - pe) < 1]
        if m:
            s = m[0]
            errs += [abs(s.source_start_s - (ss + at)), abs(s.source_end_s - (se + at)),
                     abs(s.published_start_s - ps), abs(s.published_end_s - pe)]
    size_mb = os.path.getsize(vod) / 1e6
    print(f"VOD: {dur / 3600:.2f} h ({vod.name}, 320x180 12 fps, {size_mb:.0f} MB)"
          f"; short: {truth.duration_s:.0f} s, 9:16 crop, overlay, music -10 dB")
    print(f"analysis (baseline, 2 cores): {t_an:.1f} s ({dur / t_an:.0f}x realtime)")
    print(f"align with the analysis cached: {t_al:.1f} s ({t_al / t_an:.3f} x the analysis)")
    print(f"align without a cache: {t_cold:.1f} s = analysis + {t_cold - t_an:.1f} s")
    print(f"segments found: {len(al.segments)} of {len(truth.segments)}; "
          f"gaps {al.gaps}; notes {list(al.notes)}")
    if errs:
        print(f"end errors: median {sorted(errs)[len(errs) // 2]:.3f} s, worst {max(errs):.3f} s")
    else:
        print("no segment matched the truth")
    _ = math


if __name__ == "__main__":
    main()
