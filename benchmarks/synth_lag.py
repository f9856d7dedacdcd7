"""Chat-lag estimates on the library's own synthetic streams (the issue's lag cases).

Usage (from the repository root)::

    python benchmarks/synth_lag.py

Five ``highlights.synth.make_livestream`` streams, as in the judgement issue: three of
15 min and one of 60 min with an 8-s lag, one of 15 min with a 25-s lag (seeds 1-5,
cached in ``benchmarks/_media/lagcases/``).  The synthetic generator plants the chat
reaction ``chat_lag_s`` after each moment's *peak*; the onset-to-onset lag (chat onset
after the action's start) is printed too.  Each stream is analysed by
``find_highlights(mp4, chat=chat.json)`` with the defaults.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent / "_media" / "lagcases"
CASES = [(900.0, 8.0, 1), (900.0, 8.0, 2), (900.0, 8.0, 3), (3600.0, 8.0, 4), (900.0, 25.0, 5)]


def main() -> int:
    from highlights import find_highlights
    from highlights.synth import make_livestream

    print("| stream | planted lag after the peak | onset-to-onset | estimate "
          "| method, confidence |")
    print("|---|---:|---:|---:|---|")
    for dur, lag, seed in CASES:
        d = ROOT / f"s{seed}_{int(dur)}_{int(lag)}"
        if not (d / "stream.mp4").exists():
            make_livestream(d, duration_s=dur, seed=seed, n_moments=max(3, int(dur / 150)),
                            chat_lag_s=lag, overwrite=True)
        truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
        onset = float(np.mean([m["chat_onset_s"] - m["start_s"] for m in truth["moments"]]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = find_highlights(d / "stream.mp4", chat=d / "chat.json")
        print(f"| {dur / 60:.0f} min, seed {seed} | {lag:.1f} s | {onset:.1f} s | "
              f"{r.chat_lag_s:.1f} s | {r.chat_lag_method}, {r.chat_lag_confidence} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
