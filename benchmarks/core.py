"""Benchmark the fusion + picking core alone on a long timeline.

Usage::

    python benchmarks/core.py --hours 24 --hop 0.1

Prints the wall time of ``fuse_detail`` + ``pick_clips`` on ``hours`` of ``hop``-second
hops x 5 signals (median of ``--repeat`` runs), and its ratio to a slow reference loop
(plain Python over the samples: the same robust z-score with a rolling baseline
recomputed for every block, then a moving average and a greedy peak search), timed on
a shorter slice and scaled linearly to the same length (said so in the output).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from highlights import Timeline
from highlights.fusion.score import fuse_detail
from highlights.selection.peaks import pick_clips

SIGNALS = ("audio_rms_db", "scene", "motion", "chat_rate", "chat_react")


def make_signals(n: int, hop: float, seed: int = 0) -> dict[str, Timeline]:
    rng = np.random.default_rng(seed)
    out = {}
    for k in SIGNALS:
        v = rng.gamma(2.0, size=n).astype(np.float32)
        # A slow trend and a few bursts.
        v += np.linspace(0, 2, n, dtype=np.float32)
        for c in rng.integers(0, n, size=50):
            v[c : c + int(10 / hop)] += 6
        out[k] = Timeline(values=v, hop_s=hop, name=k)
    return out


def slow_reference(signals: dict[str, Timeline], *, baseline_s=600.0, smooth_s=3.0, n_clips=10):
    """Obvious per-sample loops: what the vectorised core replaces."""
    first = next(iter(signals.values()))
    hop, n = first.hop_s, first.n
    window = int(baseline_s / hop)
    block = max(1, window // 32)
    total = [0.0] * n
    for tl in signals.values():
        vals = tl.values.tolist()
        for b0 in range(0, n, block):
            lo = max(0, min(b0 - window // 2, n - window))
            win = sorted(vals[lo : lo + window : max(1, window // 256)])
            med = win[len(win) // 2]
            dev = sorted(abs(x - med) for x in win)
            sig = max(1.4826 * dev[len(dev) // 2], 1e-9)
            for i in range(b0, min(b0 + block, n)):
                z = (vals[i] - med) / sig
                total[i] += min(max(z, -2.0), 8.0)
    width = int(smooth_s / hop)
    sm = []
    for i in range(n):
        seg = total[max(0, i - width // 2) : i - width // 2 + width]
        sm.append(sum(seg) / len(seg) if seg else 0.0)
    order = sorted(range(n), key=lambda i: -sm[i])
    chosen: list[int] = []
    gap = int(30 / hop)
    for i in order:
        if all(abs(i - j) > gap for j in chosen):
            chosen.append(i)
            if len(chosen) == n_clips:
                break
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--hop", type=float, default=0.1)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--ref-hours", type=float, default=0.5,
                    help="length of the slice the slow reference is timed on")
    args = ap.parse_args()
    n = int(round(args.hours * 3600 / args.hop))
    signals = make_signals(n, args.hop)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        fusion = fuse_detail(signals)
        clips = pick_clips(fusion.score, n=10, components=fusion.components)
        times.append(time.perf_counter() - t0)
    fast = statistics.median(times)
    m = int(round(args.ref_hours * 3600 / args.hop))
    sliced = {k: Timeline(values=v.values[:m], hop_s=args.hop, name=k) for k, v in signals.items()}
    t0 = time.perf_counter()
    slow_reference(sliced)
    slow = (time.perf_counter() - t0) * n / m
    print(f"input: {args.hours:g} h at {args.hop:g} s hops = {n:,} samples "
          f"x {len(SIGNALS)} signals")
    print(f"fuse + pick (vectorised): {fast * 1000:.1f} ms median of {args.repeat} "
          f"(min {min(times) * 1000:.1f} ms), {len(clips)} clips")
    print(f"slow reference loop: {slow:.1f} s (timed on {args.ref_hours:g} h, scaled x{n / m:.0f})")
    print(f"speed-up: {slow / fast:,.0f}x")


if __name__ == "__main__":
    main()
