"""Hard-suite benchmark: the library's top clips on streams it was not tuned on.

Usage (from the repository root)::

    python benchmarks/hard.py --split heldout --n-streams 6 --duration 900
    python benchmarks/hard.py --split heldout --n-streams 7 --duration 300 --chat-only

Streams come from ``benchmarks/hardsuite.py`` (see its docstring for the taxonomy of
moments and distractors), are cached in ``benchmarks/_media/hard/`` (git-ignored) and
reused while the seed, duration and generator source (its hash) match.  Seeds: ``--split
train`` uses :data:`hardsuite.TRAIN_SEEDS` (fitting and tuning may only ever use
these), ``--split heldout`` :data:`hardsuite.HELDOUT_SEEDS` (report only).  The
``i``-th stream of a split has kind ``KINDS[i % 7]``, so 7 streams cover every kind.
Use 10-15 min streams: on streams under 5 min, long chat lags leave no room and
most distractors are dropped by the layout.

Each stream is analysed by ``highlights.find_highlights(stream.mp4, chat=chat.json,
n=6)`` with every other parameter at its default (``--chat-only``: no media, chat
only).  Printed per stream and in total:

* ``recall@6``: share of planted moments (action spans) overlapped by a top-6 clip;
* ``distractor clips``: top-6 clips overlapping a distractor zone (chat-borne
  distractors extended back by the true mean chat lag, see
  ``HardStream.distractor_zones``), and which kinds;
* ``lag``: ``result.chat_lag_s`` minus the true mean lag (chat onset after action
  onset), with ``chat_lag_method`` and confidence;
* baselines: ``random`` = the expected figures of 6 random non-overlapping clips with
  the library's clip lengths (mean of ``--draws`` draws); ``count`` = the top-6
  non-overlapping 30 s windows by chat message count, shifted back by a fixed 10 s.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hardsuite import (  # noqa: E402
    GENERATOR_VERSION,
    HELDOUT_SEEDS,
    TRAIN_SEEDS,
    HardStream,
    load_hard_stream,
    make_hard_stream,
)

N_CLIPS = 6
COUNT_WINDOW_S = 30.0
COUNT_SHIFT_S = 10.0
MEDIA_DIR = Path(__file__).resolve().parent / "_media" / "hard"

Span = tuple[float, float]


# ============================================================================ scoring
def clip_spans(clips: Any) -> list[Span]:
    """Spans of a result's clips: a ``Highlights``, clips with ``start_s``/``end_s``,
    or ``(start_s, end_s)`` pairs; in the given (rank) order."""
    items = getattr(clips, "clips", clips)
    out: list[Span] = []
    for c in items:
        if hasattr(c, "start_s"):
            out.append((float(c.start_s), float(c.end_s)))
        else:
            a, b = c
            out.append((float(a), float(b)))
    return out


def _overlaps(a: Span, b0: float, b1: float) -> bool:
    return a[0] < b1 and b0 < a[1]


def score_clips(spans: Sequence[Span], stream: HardStream, n: int = N_CLIPS) -> dict[str, Any]:
    """Recall and distractor hits of the first ``n`` spans against the stream's truth.

    Returns ``recall`` (share of moments overlapped by a span), ``moments_hit``
    (per moment), ``n_clips``, ``moment_clips`` (spans overlapping a moment),
    ``distractor_clips`` (spans overlapping a distractor zone) and
    ``distractor_kinds`` (kind -> spans overlapping a zone of that kind; a span
    touching two kinds counts for both).
    """
    top = list(spans)[:n]
    hit = [any(_overlaps(c, a, b) for c in top) for a, b in stream.moments]
    zones = stream.distractor_zones()
    kinds: Counter[str] = Counter()
    n_dis = 0
    for c in top:
        ks = {k for a, b, k in zones if _overlaps(c, a, b)}
        n_dis += bool(ks)
        kinds.update(ks)
    return {
        "recall": float(np.mean(hit)) if hit else float("nan"),
        "moments_hit": hit,
        "n_clips": len(top),
        "moment_clips": sum(any(_overlaps(c, a, b) for a, b in stream.moments) for c in top),
        "distractor_clips": n_dis,
        "distractor_kinds": dict(sorted(kinds.items())),
    }


def score_stream(result: Any, stream: HardStream, n: int = N_CLIPS) -> dict[str, Any]:
    """Metrics of one ``find_highlights`` result (or hand-made clips) on one stream.

    Everything of :func:`score_clips`, plus the chat lag: ``lag_true_s`` (mean over
    moments of chat onset minus action onset), ``lag_est_s`` (``result.chat_lag_s``,
    None without one), ``lag_err_s`` (estimate minus truth), ``lag_method`` and
    ``lag_confidence``.
    """
    out = score_clips(clip_spans(result), stream, n)
    est = getattr(result, "chat_lag_s", None)
    true = stream.mean_chat_lag_s
    out.update({
        "lag_true_s": true,
        "lag_est_s": None if est is None else float(est),
        "lag_err_s": None if est is None else float(est) - true,
        "lag_method": getattr(result, "chat_lag_method", None),
        "lag_confidence": getattr(result, "chat_lag_confidence", None),
    })
    return out


def random_baseline(stream: HardStream, lengths_s: Sequence[float], *, draws: int = 200,
                    seed: int = 0) -> dict[str, Any]:
    """Expected recall and distractor clips of randomly placed clips.

    Each draw places clips of ``lengths_s`` uniformly at random in the stream without
    overlap (rejection sampling); the figures are averaged over ``draws`` draws.
    """
    rng = np.random.default_rng(seed)
    D = stream.duration_s
    lens = [min(float(x), D) for x in lengths_s]
    rec, dis = [], []
    kinds: Counter[str] = Counter()
    for _ in range(draws):
        spans: list[Span] = []
        for ln in lens:
            for _try in range(200):
                a = float(rng.uniform(0, max(D - ln, 1e-9)))
                if not any(_overlaps((a, a + ln), s0, s1) for s0, s1 in spans):
                    spans.append((a, a + ln))
                    break
        sc = score_clips(spans, stream, len(spans))
        rec.append(sc["recall"])
        dis.append(sc["distractor_clips"])
        kinds.update(sc["distractor_kinds"])
    return {"recall": float(np.mean(rec)), "distractor_clips": float(np.mean(dis)),
            "distractor_kinds": {k: v / draws for k, v in sorted(kinds.items())}}


def chat_times(stream: HardStream) -> np.ndarray:
    """Message times of the stream's chat log, as written (no de-duplication)."""
    rows = json.loads(stream.chat_path.read_text(encoding="utf-8"))
    return np.sort(np.array([float(r["time_s"]) for r in rows], float))


def count_baseline(times_s: np.ndarray, duration_s: float, *, n: int = N_CLIPS,
                   window_s: float = COUNT_WINDOW_S, shift_s: float = COUNT_SHIFT_S,
                   step_s: float = 1.0) -> list[Span]:
    """What simple chat slicers do: the ``n`` non-overlapping ``window_s`` windows with
    the most messages (greedy, 1 s steps), each shifted back by a fixed ``shift_s``."""
    t = np.sort(np.asarray(times_s, float))
    starts = np.arange(0.0, max(duration_s - window_s, 0.0) + 1e-9, step_s)
    counts = (np.searchsorted(t, starts + window_s) - np.searchsorted(t, starts)).astype(float)
    out: list[Span] = []
    for _ in range(n):
        if not len(counts) or counts.max() < 0:
            break
        i = int(np.argmax(counts))
        s = float(starts[i])
        out.append((max(0.0, s - shift_s), max(0.0, s - shift_s) + window_s))
        counts[np.abs(starts - s) < window_s] = -1.0
    return out


# ============================================================================ running
def stream_dir(split: str, seed: int, duration_s: float) -> Path:
    return MEDIA_DIR / f"{split}_{seed}_{int(round(duration_s))}s"


def generator_stamp() -> str:
    """Hash of the generator's source: a cached stream made by other code is stale."""
    src = Path(__file__).resolve().parent / "hardsuite.py"
    return hashlib.sha256(src.read_bytes()).hexdigest()[:16]


def get_stream(split: str, seed: int, duration_s: float) -> tuple[HardStream, float | None]:
    """The cached stream, or a freshly generated one (with its generation time).

    The cache is reused only if the seed, duration, generator version and the hash
    of ``hardsuite.py`` all match.
    """
    d = stream_dir(split, seed, duration_s)
    stamp = d / "generator.sha"
    if (d / "truth.json").exists() and (d / "stream.mp4").exists() and stamp.exists():
        try:
            hs = load_hard_stream(d)
            if (hs.generator_version == GENERATOR_VERSION and hs.seed == seed
                    and abs(hs.duration_s - duration_s) < 1e-6
                    and stamp.read_text().strip() == generator_stamp()):
                return hs, None
        except (KeyError, TypeError, ValueError):
            pass
    t0 = time.perf_counter()
    hs = make_hard_stream(d, seed=seed, duration_s=duration_s)
    elapsed = time.perf_counter() - t0
    stamp.write_text(generator_stamp() + "\n")
    return hs, elapsed


def run_one(hs: HardStream, *, chat_only: bool, draws: int) -> dict[str, Any]:
    from highlights import find_highlights

    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if chat_only:
            res = find_highlights(None, chat=str(hs.chat_path), n=N_CLIPS,
                                  duration_s=hs.duration_s)
        else:
            res = find_highlights(str(hs.video_path), chat=str(hs.chat_path), n=N_CLIPS)
    elapsed = time.perf_counter() - t0
    lib = score_stream(res, hs)
    lengths = [c.end_s - c.start_s for c in res.clips] or [30.0] * N_CLIPS
    rnd = random_baseline(hs, lengths, draws=draws, seed=hs.seed)
    cnt_spans = count_baseline(chat_times(hs), hs.duration_s)
    cnt = score_clips(cnt_spans, hs)
    cnt_rnd = random_baseline(hs, [COUNT_WINDOW_S] * len(cnt_spans), draws=draws,
                              seed=hs.seed + 1)
    clips = []
    zones = hs.distractor_zones()
    for c in res.clips:
        span = (c.start_s, c.end_s)
        what = [f"moment{i}" for i, (a, b) in enumerate(hs.moments) if _overlaps(span, a, b)]
        what += [k for a, b, k in zones if _overlaps(span, a, b)]
        top = sorted(c.contributions.items(), key=lambda kv: -abs(kv[1]))[:3]
        clips.append({"rank": c.rank, "start_s": round(c.start_s, 2), "end_s": round(c.end_s, 2),
                      "peak_s": round(c.peak_s, 2), "score": round(c.score, 3),
                      "hits": what, "top_signals": {k: round(v, 2) for k, v in top}})
    return {"seed": hs.seed, "kind": hs.kind, "density": hs.density,
            "time_base": hs.chat_time_base, "duration_s": hs.duration_s,
            "n_messages": hs.n_messages, "n_moments": len(hs.moments),
            "distractors": [k for _, _, k in hs.distractors],
            "lib": lib, "random": rnd, "count": cnt, "count_random": cnt_rnd,
            "analysis_s": elapsed, "clips": clips,
            "warnings": sorted({type(w.message).__name__ for w in caught})}


def _fmt_kinds(d: dict[str, Any]) -> str:
    return ",".join(f"{k}{'' if v == 1 else f'x{v}'}" for k, v in d.items()) or "-"


def print_table(rows: list[dict[str, Any]], gen_s: dict[int, float | None]) -> None:
    hdr = (f"{'seed':>5} {'kind':<12} {'chat':<6} {'msgs':>6} {'M':>2} | "
           f"{'rec lib':>7} {'rnd':>5} {'cnt':>5} | {'dis lib':>7} {'rnd':>5} {'cnt':>4} | "
           f"{'lib distractor kinds':<34} | {'lag true':>8} {'est':>6} {'err':>6} "
           f"{'method':<9} {'conf':>5} | {'gen s':>6} {'ana s':>6}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        lib, rnd, cnt = r["lib"], r["random"], r["count"]
        g = gen_s.get(r["seed"])
        est = "-" if lib["lag_est_s"] is None else f"{lib['lag_est_s']:.1f}"
        err = "-" if lib["lag_err_s"] is None else f"{lib['lag_err_s']:+.1f}"
        conf = "-" if lib["lag_confidence"] is None else f"{lib['lag_confidence']:.2f}"
        print(f"{r['seed']:>5} {r['kind']:<12} {r['density']:<6} {r['n_messages']:>6} "
              f"{r['n_moments']:>2} | {lib['recall']:>7.2f} {rnd['recall']:>5.2f} "
              f"{cnt['recall']:>5.2f} | {lib['distractor_clips']:>7d} "
              f"{rnd['distractor_clips']:>5.2f} {cnt['distractor_clips']:>4d} | "
              f"{_fmt_kinds(lib['distractor_kinds'])[:34]:<34} | {lib['lag_true_s']:>8.1f} "
              f"{est:>6} {err:>6} {str(lib['lag_method']):<9} {conf:>5} | "
              f"{'cached' if g is None else f'{g:.1f}':>6} {r['analysis_s']:>6.1f}")


def print_totals(rows: list[dict[str, Any]], gen_s: dict[int, float | None],
                 wall_s: float) -> None:
    n_m = sum(r["n_moments"] for r in rows)
    n_clips = sum(r["lib"]["n_clips"] for r in rows)

    def found(key: str) -> float:
        return float(sum(r[key]["recall"] * r["n_moments"] for r in rows))

    print()
    print(f"streams: {len(rows)}, media {sum(r['duration_s'] for r in rows) / 60:.1f} min "
          f"({sum(_size_mb(r) for r in rows):.1f} MB), chat messages "
          f"{sum(r['n_messages'] for r in rows)}, planted moments {n_m}, "
          f"distractors {sum(len(r['distractors']) for r in rows)}")
    print(f"moments found in the top {N_CLIPS}:  library {found('lib'):.0f}/{n_m} "
          f"(recall {found('lib') / n_m:.2f}) | random {found('random'):.1f}/{n_m} "
          f"({found('random') / n_m:.2f}) | count {found('count'):.0f}/{n_m} "
          f"({found('count') / n_m:.2f}) [random with 30 s clips "
          f"{found('count_random') / n_m:.2f}]")
    lib_dis = sum(r["lib"]["distractor_clips"] for r in rows)
    print(f"distractor clips: library {lib_dis}/{n_clips} | random "
          f"{sum(r['random']['distractor_clips'] for r in rows):.1f} | count "
          f"{sum(r['count']['distractor_clips'] for r in rows)}/"
          f"{sum(r['count']['n_clips'] for r in rows)} [random with 30 s clips "
          f"{sum(r['count_random']['distractor_clips'] for r in rows):.1f}]")
    planted: Counter[str] = Counter(k for r in rows for k in set(r["distractors"]))
    for who in ("lib", "count"):
        kinds: Counter[str] = Counter()
        for r in rows:
            kinds.update(r[who]["distractor_kinds"])
        rnd: Counter[str] = Counter()
        for r in rows:
            rnd.update(r["random" if who == "lib" else "count_random"]["distractor_kinds"])
        txt = ", ".join(f"{k} {kinds.get(k, 0)} (rnd {rnd.get(k, 0.0):.1f}; in {planted[k]} "
                        f"streams)" for k in sorted(planted)) or "-"
        print(f"  clips per distractor kind, {'library' if who == 'lib' else 'count'}: {txt}")
    errs = [r["lib"]["lag_err_s"] for r in rows if r["lib"]["lag_err_s"] is not None]
    if errs:
        methods = Counter(str(r["lib"]["lag_method"]) for r in rows)
        print(f"chat lag error (estimate - true mean onset lag): mean abs "
              f"{np.mean(np.abs(errs)):.1f} s, median {np.median(errs):+.1f} s; "
              f"methods {dict(methods)}")
    gens = [g for g in gen_s.values() if g is not None]
    print(f"time: generation {sum(gens):.1f} s for {len(gens)} new streams "
          f"({len(gen_s) - len(gens)} cached), analysis "
          f"{sum(r['analysis_s'] for r in rows):.1f} s, wall {wall_s:.1f} s")


def _size_mb(r: dict[str, Any]) -> float:
    d = Path(r["dir"])
    return sum((d / f).stat().st_size for f in ("stream.mp4", "chat.json")) / 1e6


def main(argv: Iterable[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("heldout", "train"), default="heldout")
    ap.add_argument("--n-streams", type=int, default=7)
    ap.add_argument("--first", type=int, default=0, help="index of the first seed of the split")
    ap.add_argument("--duration", type=float, default=900.0)
    ap.add_argument("--chat-only", action="store_true")
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--detail", action="store_true", help="print every clip")
    ap.add_argument("--json", type=Path, help="write all figures to this file")
    args = ap.parse_args(None if argv is None else list(argv))
    seeds = list(HELDOUT_SEEDS if args.split == "heldout" else TRAIN_SEEDS)
    seeds = seeds[args.first:args.first + args.n_streams]
    t_wall = time.perf_counter()
    rows: list[dict[str, Any]] = []
    gen_s: dict[int, float | None] = {}
    for seed in seeds:
        hs, g = get_stream(args.split, seed, args.duration)
        gen_s[seed] = g
        r = run_one(hs, chat_only=args.chat_only, draws=args.draws)
        r["dir"] = hs.directory
        rows.append(r)
        made = f"generated in {g:.1f} s, " if g else ""
        print(f"  seed {seed} ({hs.kind}): {made}analysed in {r['analysis_s']:.1f} s",
              file=sys.stderr, flush=True)
    mode = "chat only" if args.chat_only else "media + chat"
    print(f"hard suite, split {args.split}, {len(rows)} streams x {args.duration:.0f} s, "
          f"{mode}, find_highlights(n={N_CLIPS}, defaults otherwise)")
    print_table(rows, gen_s)
    if args.detail:
        for r in rows:
            print(f"\nseed {r['seed']} ({r['kind']}, distractors {r['distractors']}); "
                  f"warnings {r['warnings']}")
            for c in r["clips"]:
                print(f"  #{c['rank']} {c['start_s']:>7.1f}-{c['end_s']:<7.1f} peak "
                      f"{c['peak_s']:>7.1f} score {c['score']:>6.3f} hits {c['hits'] or '-'} "
                      f"{c['top_signals']}")
    print_totals(rows, gen_s, time.perf_counter() - t_wall)
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)},
                                         "generation_s": gen_s, "streams": rows},
                                        indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
