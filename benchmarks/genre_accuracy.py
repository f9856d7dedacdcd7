"""Accuracy benchmark: single signals, fixed fusion, learned fusion and a chat-count baseline.

Usage::

    python benchmarks/genre_accuracy.py           # the genre tables in benchmarks/README.md
    python benchmarks/genre_accuracy.py --no-gb         # without gradient boosting (faster)
    python benchmarks/genre_accuracy.py --genres game --no-gb --media 3   # + encoded media

For each genre (game, talk, shopping) it makes synthetic one-hour streams with
``highlights.synth.genre_stream`` (timeline level: no encoding), with planted
highlight moments and distractors (loud music beds, camera switches every ~90 s,
chat spam bots, a slowly growing audience; for shopping also product pins changed
without a deal, loud pitches that sell nothing and single big gifts).  Chat is
aligned by the *estimated* chat lag, as ``highlights.analyze`` does.

Methods, all evaluated on the held-out seeds (``--test-seeds``):

* ``alone:<signal>``: fusion with that signal only (weight 1, the rest 0);
* ``fixed (default)``: fusion with ``highlights.DEFAULT_WEIGHTS``;
* ``fixed (genre preset)``: ``highlights.fusion.weights_for_genre(genre)`` (fitted
  on synthetic seeds 1000-1007, disjoint from the train and test seeds here);
* ``learned (logistic)``: ``HighlightModel`` trained on the genre's train seeds;
  ``learned (all genres)`` is one model trained on every genre's train seeds, and
  ``learned (other genres)`` one trained on the *other* genres only (transfer to an
  unseen genre);
* ``chat-count 60s``: the open slicers' method: count chat messages in fixed 60 s
  windows, take the top-N windows, shift each back by a fixed 10 s.

Every score timeline goes through the same clip picker (``pick_clips`` with
``n=10, min_len_s=4, max_len_s=15, pad_s=(1, 1), min_gap_s=10``); references are the
planted moments' action spans (4-10 s each, 8 per stream).  Metrics are averaged
over test streams: span F1 at IoU 0.5, hit@1, hit@5, AP at IoU 0.5 (clips ranked by
score), coverage F1 (seconds) and, for scores, per-hop AP (``score_timeline``).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from highlights import NoClipsWarning, SignalMissingWarning, Timeline
from highlights.evaluate import evaluate_clips, score_timeline
from highlights.features.derived import add_derived
from highlights.fusion.genre import GENRES, weights_for_genre
from highlights.fusion.score import DEFAULT_WEIGHTS, Fusion, fuse_detail
from highlights.learn import HighlightModel
from highlights.selection.peaks import pick_clips
from highlights.synth.genre import GenreStream, align_chat, genre_stream

N_CLIPS = 10
PICK: dict[str, Any] = {"n": N_CLIPS, "min_len_s": 4.0, "max_len_s": 15.0, "pad_s": (1.0, 1.0),
                        "min_gap_s": 10.0}
BASELINE_WINDOW_S = 60.0
BASELINE_OFFSET_S = 10.0
COLUMNS = ("F1@0.5", "hit@1", "hit@5", "AP@0.5", "covF1", "hopAP")


def chat_count_clips(
    chat_times_s: np.ndarray, *, duration_s: float, n: int, window_s: float, offset_s: float
) -> list[tuple[float, float, float]]:
    """Top-``n`` fixed windows by message count, each shifted back by ``offset_s``."""
    n_win = int(np.ceil(duration_s / window_s))
    counts = np.bincount(np.minimum((chat_times_s // window_s).astype(np.intp), n_win - 1),
                         minlength=n_win)
    top = np.argsort(-counts, kind="stable")[:n]
    return [(max(0.0, k * window_s - offset_s), min(duration_s, (k + 1) * window_s - offset_s),
             float(counts[k])) for k in top.tolist()]


def metrics(pred: Any, stream: GenreStream, score: Timeline | None) -> dict[str, float]:
    m = evaluate_clips(pred, stream.spans, duration_s=stream.duration_s,
                       iou_thresholds=(0.5,), ks=(1, 5))
    out = {
        "F1@0.5": m["span"]["0.5"]["f1"], "hit@1": m["hit"]["1"], "hit@5": m["hit"]["5"],
        "AP@0.5": m["ap"]["0.5"], "covF1": m["coverage"]["f1"], "hopAP": float("nan"),
    }
    if score is not None:
        out["hopAP"] = score_timeline(score, stream.spans, duration_s=stream.duration_s)["ap"]
    return out


def clips_of(fusion: Fusion) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoClipsWarning)
        return pick_clips(fusion.score, components=fusion.components, **PICK)


def evaluate_fusion(
    fuse: Callable[[Mapping[str, Timeline]], Fusion],
    streams: Sequence[tuple[GenreStream, dict[str, Timeline]]],
) -> tuple[dict[str, float], dict[str, float]]:
    """Mean metrics over streams, and the mean share of each signal in the picked clips."""
    rows = []
    shares: dict[str, float] = {}
    for stream, tls in streams:
        fusion = fuse(tls)
        clips = clips_of(fusion)
        rows.append(metrics(clips, stream, fusion.score))
        for c in clips:
            for k, v in c.contributions.items():
                shares[k] = shares.get(k, 0.0) + v / max(len(clips), 1) / len(streams)
    return {c: float(np.mean([r[c] for r in rows])) for c in COLUMNS}, shares


def fmt_row(name: str, vals: Mapping[str, float]) -> str:
    cells = " | ".join("  –  " if np.isnan(vals[c]) else f"{vals[c]:.3f}" for c in COLUMNS)
    return f"| {name:<24} | {cells} |"


def media_suite(n: int, game_model: HighlightModel, all_model: HighlightModel | None) -> None:
    """Score real decoded signals of ``n`` encoded 5-min game streams (domain shift check)."""
    import tempfile
    from pathlib import Path

    from highlights.api import analyze
    from highlights.io.chat import load_chat
    from highlights.synth import make_livestream

    t0 = time.perf_counter()
    streams: list[tuple[GenreStream, dict[str, Timeline]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(n):
            st = make_livestream(Path(tmp) / f"s{k}", duration_s=300.0, seed=900 + k,
                                 n_moments=4, genre="game")
            a = analyze(st.video_path, chat=st.chat_path, workers=1)
            if st.chat_path is None:
                raise RuntimeError("make_livestream wrote no chat log")
            chat_t = load_chat(st.chat_path).time_s
            streams.append((GenreStream(
                genre="game", seed=900 + k, timelines=a.timelines, chat_times_s=chat_t,
                spans=[(m.start_s, m.end_s) for m in st.moments], distractors=[],
                chat_lag_s=st.chat_lag_s, duration_s=st.duration_s), a.timelines))
    signals = sorted(streams[0][1])
    preset = weights_for_genre("game")
    rows: dict[str, dict[str, float]] = {}
    for sig in ("audio_rms_db", "motion", "chat_rate"):
        w = {k: 0.0 for k in (*DEFAULT_WEIGHTS, *signals)}
        w[sig] = 1.0
        rows[f"alone: {sig}"], _ = evaluate_fusion(
            lambda t, w=w: fuse_detail(t, weights=w), streams)  # type: ignore[misc]
    rows["fixed (default)"], _ = evaluate_fusion(lambda t: fuse_detail(t), streams)
    rows["fixed (genre preset)"], _ = evaluate_fusion(
        lambda t: fuse_detail(t, weights=preset), streams)
    rows["learned (logistic)"], _ = evaluate_fusion(game_model.fuse, streams)
    if all_model is not None:
        rows["learned (all genres)"], _ = evaluate_fusion(all_model.fuse, streams)
    base = [metrics(chat_count_clips(st.chat_times_s, duration_s=st.duration_s, n=N_CLIPS,
                                     window_s=BASELINE_WINDOW_S, offset_s=BASELINE_OFFSET_S),
                    st, None) for st, _ in streams]
    rows["chat-count 60s"] = {c: float(np.mean([r[c] for r in base])) for c in COLUMNS}
    print(f"### game, encoded media ({n} streams of 5 min, signals decoded by "
          f"highlights.analyze; models trained on the timeline-level streams above; "
          f"{time.perf_counter() - t0:.0f} s)\n")
    print("| method                   | " + " | ".join(f"{c:>6}" for c in COLUMNS) + " |")
    print("|" + "-" * 26 + "|" + "|".join("-------:" for _ in COLUMNS) + "|")
    for name, vals in rows.items():
        print(fmt_row(name, vals))
    print()


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--genres", nargs="+", default=list(GENRES), choices=GENRES)
    ap.add_argument("--train-seeds", type=int, default=8, help="streams per genre to train on")
    ap.add_argument("--test-seeds", type=int, default=8, help="held-out streams per genre")
    ap.add_argument("--duration", type=float, default=3600.0, help="stream length, s")
    ap.add_argument("--hop", type=float, default=0.5, help="hop, s")
    ap.add_argument("--no-gb", dest="gb", action="store_false",
                    help="skip learned gradient boosting (the slowest fits)")
    ap.add_argument("--media", type=int, default=0, metavar="N",
                    help="also encode N 5-min game streams (MP4 + chat) and score the "
                         "signals decoded from them (~30 s each)")
    args = ap.parse_args(argv)
    # The genre presets also weigh signals these synthetic streams lack (audio_excite...).
    warnings.simplefilter("ignore", SignalMissingWarning)
    t_start = time.perf_counter()

    def make(genre: str, seeds: Sequence[int]) -> list[tuple[GenreStream, dict[str, Timeline]]]:
        out = []
        for s in seeds:
            st = genre_stream(genre, seed=s, duration_s=args.duration, hop_s=args.hop)
            # The derived signals (chat_onset) are added as find_highlights does.
            out.append((st, add_derived(align_chat(st.timelines)[0])))
        return out

    train_seeds = range(100, 100 + args.train_seeds)
    test_seeds = range(0, args.test_seeds)
    data = {g: (make(g, train_seeds), make(g, test_seeds)) for g in args.genres}
    t_data = time.perf_counter() - t_start

    def fit(est: str, genres: Sequence[str]) -> HighlightModel:
        recs = [r for g in genres for r in data[g][0]]
        kw: dict[str, Any] = {"n_estimators": 40, "subsample": 0.3} if est != "logistic" else {}
        return HighlightModel(est, **kw).fit_timelines([t for _, t in recs],
                                                       [s.spans for s, _ in recs])

    t0 = time.perf_counter()
    all_model = fit("logistic", args.genres)
    fit_times = {"learned (all genres)": time.perf_counter() - t0}

    summary: dict[str, dict[str, dict[str, float]]] = {}
    models: dict[str, HighlightModel] = {}
    notes: list[str] = []
    print(f"Synthetic streams: {args.duration / 3600:g} h each, hop {args.hop:g} s, "
          f"train seeds {train_seeds.start}-{train_seeds.stop - 1}, held-out test seeds "
          f"{test_seeds.start}-{test_seeds.stop - 1}, 8 moments per stream.\n")
    for genre in args.genres:
        train, test = data[genre]
        signals = sorted(test[0][1])
        rows: dict[str, dict[str, float]] = {}
        for sig in signals:
            w = {k: 0.0 for k in (*DEFAULT_WEIGHTS, *signals)}
            w[sig] = 1.0
            rows[f"alone: {sig}"], _ = evaluate_fusion(
                lambda t, w=w: fuse_detail(t, weights=w), test)  # type: ignore[misc]
        rows["fixed (default)"], _ = evaluate_fusion(lambda t: fuse_detail(t), test)
        preset = weights_for_genre(genre)
        rows["fixed (genre preset)"], _ = evaluate_fusion(
            lambda t, w=preset: fuse_detail(t, weights=w), test)  # type: ignore[misc]
        t0 = time.perf_counter()
        model = fit("logistic", [genre])
        models[genre] = model
        fit_times[f"learned (logistic) {genre}"] = time.perf_counter() - t0
        rows["learned (logistic)"], shares = evaluate_fusion(model.fuse, test)
        rows["learned (all genres)"], _ = evaluate_fusion(all_model.fuse, test)
        others = [g for g in args.genres if g != genre]
        if others:
            t0 = time.perf_counter()
            other_model = fit("logistic", others)
            fit_times[f"learned (other genres) {genre}"] = time.perf_counter() - t0
            rows["learned (other genres)"], _ = evaluate_fusion(other_model.fuse, test)
        if args.gb:
            t0 = time.perf_counter()
            gb = fit("gradient_boosting", [genre])
            fit_times[f"learned (boosting) {genre}"] = time.perf_counter() - t0
            rows["learned (boosting)"], _ = evaluate_fusion(gb.fuse, test)
        base_rows = [metrics(chat_count_clips(st.chat_times_s, duration_s=st.duration_s,
                                              n=N_CLIPS, window_s=BASELINE_WINDOW_S,
                                              offset_s=BASELINE_OFFSET_S), st, None)
                     for st, _ in test]
        rows["chat-count 60s"] = {c: float(np.mean([r[c] for r in base_rows]))
                                  for c in COLUMNS}
        summary[genre] = rows

        print(f"### {genre} ({len(test)} held-out streams)\n")
        print("| method                   | " + " | ".join(f"{c:>6}" for c in COLUMNS) + " |")
        print("|" + "-" * 26 + "|" + "|".join("-------:" for _ in COLUMNS) + "|")
        for name, vals in rows.items():
            print(fmt_row(name, vals))
        alone = {k[7:]: v for k, v in rows.items() if k.startswith("alone: ")}
        best = max(alone, key=lambda k: (alone[k]["F1@0.5"], alone[k]["hopAP"]))
        top_share = max(shares, key=lambda k: abs(shares[k])) if shares else "-"
        top_coef = sorted(model.signal_weights_.items(), key=lambda kv: -abs(kv[1]))[:3]
        notes.append(
            f"- **{genre}**: best single signal `{best}` (F1@0.5 {alone[best]['F1@0.5']:.3f}); "
            f"largest share of the learned model's clip contributions: `{top_share}` "
            f"({shares.get(top_share, 0.0):+.2f}); largest learned signal importances "
            "(|coef| x feature spread): "
            + ", ".join(f"`{k}` {v:.2f}" for k, v in top_coef) + "."
        )
        print()

    print("### Summary: learned (logistic) vs fixed (default) and chat-count 60s, held-out\n")
    print("| genre | metric | learned | fixed | chat-count | learned - fixed | "
          "learned - chat |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for genre, rows in summary.items():
        for c in ("F1@0.5", "AP@0.5", "hit@5", "covF1"):
            lv, fv, bv = (rows[k][c] for k in
                          ("learned (logistic)", "fixed (default)", "chat-count 60s"))
            print(f"| {genre} | {c} | {lv:.3f} | {fv:.3f} | {bv:.3f} | {lv - fv:+.3f} | "
                  f"{lv - bv:+.3f} |")
    print()
    print("\n".join(notes))
    print()
    if args.media and "game" in models:
        media_suite(args.media, models["game"], all_model if len(args.genres) > 1 else None)
    print(f"Data generation {t_data:.1f} s; fits: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in fit_times.items())
          + f"; total {time.perf_counter() - t_start:.1f} s.")


if __name__ == "__main__":
    main()
