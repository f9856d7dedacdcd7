"""Chat-only highlight picks on two small *real* labelled sets, against trivial baselines.

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/realchat.py                    # markdown tables
    PYTHONPATH=src python benchmarks/realchat.py --json out.json    # + machine-readable dump
    PYTHONPATH=src python benchmarks/realchat.py --labels fan+asdb  # live labels + ASDB items

The data lives in ``../shared/data`` (override the ``shared`` folder with the
``HIGHLIGHTS_SHARED`` environment variable).  Its licences allow internal evaluation
only, so **nothing from it is copied into the repository**: it is read in place, and
the JSON dump holds clip times and hit flags, never chat text.  Without ``../shared``
the loaders return ``None`` and the CLI says so and exits 0.

Data
----
* **live** (``bilibili_live_asoul_fan_timelines``): two A-SOUL debut live streams,
  BililiveRecorder danmaku XML read by :func:`highlights.load_chat`, labels = the
  fan-written timeline's moment *start* times (``source == "fan_timeline"``; the six
  ``audience_metric`` popularity-counter lines are dropped, as the set's own loader
  does).  ``--labels fan+asdb`` adds the ASDB maintainers' dance/song start times.
  Stream length = the last chat message.
* **film** (``bilibili_movie_danmaku_nthu_highlights``): five films, VOD danmaku
  (times are video times, so chat lag is about 0), converted here to
  :class:`highlights.ChatEvents` (author = the pseudonymised ``hash``, text =
  ``content``); labels = the valid human highlight spans.  Film length = the later of
  the last comment and the last span end.

Protocol (fixed here, not tuned on the data)
--------------------------------------------
* Every method returns up to ``N_CLIPS = 10`` clips ``(start_s, end_s, score)`` per
  stream/film from the chat alone.
* **Hit rule, live**: a clip is a hit when some labelled moment *begins* at ``t`` with
  ``start_s - LIVE_PRE_S <= t <= end_s`` (``LIVE_PRE_S = 60``: the labels are
  approximate starts and the chat trails the action).
* **Hit rule, film**: a clip is a hit when it overlaps a labelled span by a positive
  length (``max(a, start_s) < min(b, end_s)``; touching at a point is no hit).
* **Metric**: precision@10 = hits / clips returned (plus the hit count).  For films
  also the ROC AUC of a method's per-second score (when it gives one) against the
  1-s span mask (a bin is positive when its centre lies in a span).
* **Mean**: over the live streams, and over the films **except**
  ``tangbohu_dian_qiuxiang`` (its spans cover 62 % of the film, so nearly anything
  hits); its row is still printed.
* **Baselines**, next to every number:

  - *random*: clips with the same lengths as the method's clips on that item,
    placed uniformly at random without overlap in ``[0, duration_s]`` (uniform over
    the set of non-overlapping placements: a random order, sorted uniform gaps);
    expected precision = mean over ``RANDOM_DRAWS`` seeded draws.  A stricter
    variant, *random (active)*, places them only between the 1st and 99th
    percentile of the chat's message times (the recordings' silent pre- and
    post-show are free to avoid for any chat method); ratios use the plain one.
  - *count*: the top-10 30-s windows by raw message count.  Headline = windows on a
    30-s grid (so they never overlap), **shifted back by 10 s on live streams**
    (chat trails the action; chosen before looking at results) and unshifted on
    films (video-time danmaku).  Also reported as their own rows: the unshifted
    grid on live streams, and a sliding version (1-s step, greedy non-max
    suppression to non-overlapping windows) with the same shifts.

* **Intervals**: 95 % percentile bootstrap, ``N_BOOT`` seeded resamples.  Per item,
  the clips' hit indicators are resampled; for a mean, each item's indicators are
  resampled within the item and the per-item precisions averaged.  Ratios:
  method / random (random is an expectation, held fixed) and method / count (both
  resampled, independently); a mean's ratio is a ratio of means.  With 10 clips the
  per-item intervals are coarse; treat them as such.

The library's default method is :func:`library_method`: ``find_highlights(None,
chat=events, n=10, duration_s=...)`` with the clips it returns.  Live streams: the
chat lag left to the library (with chat alone it cannot be measured and the 8 s
prior is applied; the result says so); films: ``chat_time_base="video"``, what a user
of video danmaku is told to pass (lag 0, and the video-time chat weights).
``chat_lag_s=0`` on live streams is reported as an ablation.

A new method is any function ``(events, duration_s) -> clips`` (a sequence of
``(start_s, end_s, score)``, or a :class:`MethodOutput` that may also carry a
per-second score for the AUC); compare it with :func:`evaluate_method`, e.g.::

    table = evaluate_method(my_fn, name="my method", items=load_items())
    print(table.to_markdown())
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from highlights import ChatEvents, find_highlights, load_chat

ROOT = Path(__file__).resolve().parents[1]

#: Clips per stream/film.
N_CLIPS = 10
#: Live hit rule: a moment may begin this many seconds before the clip's start.
LIVE_PRE_S = 60.0
#: Count baseline window length and the back-shift applied on live streams.
COUNT_WINDOW_S = 30.0
COUNT_LIVE_SHIFT_S = 10.0
#: Draws of the random-placement baseline and bootstrap resamples.
RANDOM_DRAWS = 4000
N_BOOT = 4000
SEED = 20240611
#: Quantile that bounds the chat-active range of the stricter random baseline.
ACTIVE_Q = 0.01
#: The film whose spans cover most of it: printed, left out of the film mean.
EXCLUDED_FROM_MEAN = ("tangbohu_dian_qiuxiang",)

LIVE_SET = "bilibili_live_asoul_fan_timelines"
FILM_SET = "bilibili_movie_danmaku_nthu_highlights"
LIVE_IDS = ("2020-12-11_asoul_group_debut", "2020-12-12_diana_debut")
FILM_IDS = ("jiupin_zhimaguan", "tangbohu_dian_qiuxiang", "xiju_zhi_wang", "duxia", "shishen")
LABEL_SETS = ("fan", "fan+asdb")

Clip = tuple[float, float, float]
FloatArray = NDArray[np.float64]


# =========================================================================== paths
def shared_root() -> Path:
    """The ``shared`` folder: ``$HIGHLIGHTS_SHARED`` or ``ROOT.parent / "shared"``."""
    return Path(os.environ.get("HIGHLIGHTS_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path | None:
    """Path to a file or folder in ``shared/data``, or None when it is absent."""
    path = shared_root().joinpath("data", *parts)
    return path if path.exists() else None


# =========================================================================== items
@dataclass(frozen=True)
class Item:
    """One labelled stream or film.

    Attributes
    ----------
    kind : {"live", "film"}
        Which hit rule applies.
    item_id : str
        Stream or film id.
    events : ChatEvents
        Its chat on the media's time axis (seconds).
    duration_s : float
        Length used for clip placement (random baseline, count windows).
    label_times_s : ndarray of float64
        Live: sorted moment start times.  Films: empty.
    spans_s : ndarray of float64, shape (k, 2)
        Films: the labelled spans merged into sorted disjoint intervals.  Live: empty.
    in_mean : bool
        Whether the item counts in its set's mean.
    """

    kind: str
    item_id: str
    events: ChatEvents
    duration_s: float
    label_times_s: FloatArray
    spans_s: FloatArray
    in_mean: bool = True


def merge_spans(spans_s: Sequence[tuple[float, float]] | FloatArray) -> FloatArray:
    """Union of ``[start, end]`` spans as sorted, disjoint intervals, shape (m, 2)."""
    arr = np.asarray(spans_s, dtype=np.float64).reshape(-1, 2)
    if arr.shape[0] == 0:
        return arr
    arr = arr[np.argsort(arr[:, 0], kind="stable")]
    # A span starts a new group when it begins after every earlier span has ended.
    prev_end = np.maximum.accumulate(arr[:, 1])
    new = np.r_[True, arr[1:, 0] > prev_end[:-1]]
    ends = np.maximum.reduceat(arr[:, 1], np.flatnonzero(new))
    return np.column_stack([arr[new, 0], ends])


def load_live(label_set: str = "fan") -> list[Item] | None:
    """The two live streams with their labels, or None without ``../shared``.

    Parameters
    ----------
    label_set : {"fan", "fan+asdb"}
        ``"fan"``: fan-timeline starts without the popularity-counter lines (the
        set's own default); ``"fan+asdb"``: plus the ASDB dance/song start times.
    """
    if label_set not in LABEL_SETS:
        raise ValueError(f"label_set must be one of {LABEL_SETS}, got {label_set!r}")
    labels_path = shared_path(LIVE_SET, "labels.json")
    if labels_path is None:
        return None
    meta = json.loads(labels_path.read_text(encoding="utf-8"))
    sources = {"fan_timeline"} if label_set == "fan" else {"fan_timeline", "asdb_items"}
    items = []
    for sid in LIVE_IDS:
        m = meta[sid]
        chat_path = (labels_path.parent / m["chat_file"]).resolve()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            events = load_chat(chat_path)
        times = np.sort(np.array(
            [float(e["t_s"]) for e in m["events"]
             if e["source"] in sources and not e["audience_metric"]], dtype=np.float64))
        duration = float(events.time_s[-1])
        items.append(Item("live", sid, events, duration, times, np.zeros((0, 2))))
    return items


def film_events(danmaku_path: Path) -> ChatEvents:
    """One film's danmaku JSON as :class:`ChatEvents` (author = ``hash``, text kept)."""
    data = json.loads(danmaku_path.read_text(encoding="utf-8"))
    comments = data["comments"]
    return ChatEvents.from_arrays(
        [float(c["time"]) for c in comments],
        author=[c.get("hash") or None for c in comments],
        text=[str(c.get("content", "")) for c in comments],
        source=str(danmaku_path), fmt="nthu_danmaku_json",
    )


def load_films() -> list[Item] | None:
    """The five films with their merged valid spans, or None without ``../shared``."""
    spans_path = shared_path(FILM_SET, "spans.json")
    if spans_path is None:
        return None
    meta = json.loads(spans_path.read_text(encoding="utf-8"))
    items = []
    for fid in FILM_IDS:
        raw = [(float(s["start_s"]), float(s["end_s"])) for s in meta[fid]["spans"]
               if s["valid"]]
        spans = merge_spans(raw)
        events = film_events(spans_path.parent / "danmaku" / f"{fid}.json")
        events = events.select(events.time_s >= 0.0)
        duration = float(max(events.time_s[-1], spans[:, 1].max()))
        items.append(Item("film", fid, events, duration, np.zeros(0), spans,
                          in_mean=fid not in EXCLUDED_FROM_MEAN))
    return items


def load_items(label_set: str = "fan") -> list[Item] | None:
    """Both sets (live first), or None when ``../shared`` is absent."""
    live, films = load_live(label_set), load_films()
    if live is None or films is None:
        return None
    return live + films


# =========================================================================== hit rules
def live_hits(starts_s: Any, ends_s: Any, label_times_s: Any,
              pre_s: float = LIVE_PRE_S) -> NDArray[np.bool_]:
    """Live hit rule: some label ``t`` with ``start - pre_s <= t <= end`` (any shape)."""
    labels = np.sort(np.asarray(label_times_s, dtype=np.float64))
    s = np.asarray(starts_s, dtype=np.float64)
    e = np.asarray(ends_s, dtype=np.float64)
    n_le_end = np.searchsorted(labels, e, side="right")
    n_lt_lo = np.searchsorted(labels, s - pre_s, side="left")
    out: NDArray[np.bool_] = n_le_end > n_lt_lo
    return out


def film_hits(starts_s: Any, ends_s: Any, spans_s: Any) -> NDArray[np.bool_]:
    """Film hit rule: positive-length overlap with a span (any shape of clips)."""
    spans = merge_spans(spans_s)
    s = np.asarray(starts_s, dtype=np.float64)
    e = np.asarray(ends_s, dtype=np.float64)
    if spans.shape[0] == 0:
        return np.zeros(np.broadcast(s, e).shape, dtype=bool)
    # First span ending after the clip starts; it overlaps iff it begins before the end.
    idx = np.searchsorted(spans[:, 1], s, side="right")
    ok = idx < spans.shape[0]
    span_start = spans[np.minimum(idx, spans.shape[0] - 1), 0]
    out: NDArray[np.bool_] = ok & (span_start < e) & (e > s)
    return out


def item_hits(item: Item, starts_s: Any, ends_s: Any) -> NDArray[np.bool_]:
    """The hit rule of the item's set."""
    if item.kind == "live":
        return live_hits(starts_s, ends_s, item.label_times_s)
    return film_hits(starts_s, ends_s, item.spans_s)


# =========================================================================== random
def random_starts(lengths_s: Any, duration_s: float, n_draws: int,
                  rng: np.random.Generator) -> FloatArray:
    """Uniform random non-overlapping placements of clips in ``[0, duration_s]``.

    A placement is uniform over the set of non-overlapping configurations: the clips
    are put in a random order and the free time is split at sorted uniform points
    (every order's configurations form a translated simplex of the same volume).

    Returns
    -------
    ndarray of float64, shape (n_draws, k)
        Start of clip ``j`` (in the input order) in each draw.
    """
    lengths = np.asarray(lengths_s, dtype=np.float64).reshape(-1)
    k = lengths.shape[0]
    free = float(duration_s) - float(lengths.sum())
    if free < 0:
        raise ValueError(f"clips totalling {lengths.sum():.1f} s do not fit in {duration_s} s")
    if k == 0:
        return np.zeros((n_draws, 0))
    order = np.argsort(rng.random((n_draws, k)), axis=1)          # random permutations
    gaps = np.sort(rng.uniform(0.0, free, (n_draws, k)), axis=1)  # sorted free-time cuts
    placed_len = lengths[order]
    before = np.cumsum(placed_len, axis=1) - placed_len           # lengths placed earlier
    starts = np.empty((n_draws, k))
    np.put_along_axis(starts, order, gaps + before, axis=1)
    return starts


def random_precision(item: Item, lengths_s: Any, *, n_draws: int = RANDOM_DRAWS,
                     seed: int = SEED, range_s: tuple[float, float] | None = None) -> float:
    """Expected precision of randomly placed clips of these lengths on ``item``.

    ``range_s`` restricts the placement to ``[lo, hi]`` (default ``[0, duration_s]``).
    """
    lengths = np.asarray(lengths_s, dtype=np.float64).reshape(-1)
    if lengths.shape[0] == 0:
        return float("nan")
    lo, hi = (0.0, item.duration_s) if range_s is None else range_s
    rng = np.random.default_rng([seed, _crc(item.item_id), _crc("random")])
    starts = lo + random_starts(lengths, hi - lo, n_draws, rng)
    return float(item_hits(item, starts, starts + lengths).mean())


def chat_active_range(events: ChatEvents) -> tuple[float, float]:
    """The span between the 1st and 99th percentile of the chat's message times.

    The stricter random baseline places clips only there: a chat method avoids the
    silent pre-show and post-show of a recording for free.
    """
    lo, hi = np.quantile(events.time_s, [ACTIVE_Q, 1.0 - ACTIVE_Q])
    return float(lo), float(hi)


# =========================================================================== count
def count_grid_clips(times_s: Any, duration_s: float, *, window_s: float = COUNT_WINDOW_S,
                     n: int = N_CLIPS, shift_s: float = 0.0) -> list[Clip]:
    """Top-``n`` windows of a ``window_s`` grid by message count, moved back ``shift_s``.

    Ties go to the earlier window; empty windows are never chosen.  Clips are
    clamped to ``[0, duration_s]``.
    """
    t = np.asarray(times_s, dtype=np.float64)
    n_win = max(1, int(math.ceil(duration_s / window_s - 1e-9)))
    idx = np.floor(t / window_s).astype(np.int64)
    counts = np.bincount(idx[(idx >= 0) & (idx < n_win)], minlength=n_win)
    top = np.argsort(-counts, kind="stable")[:n]
    top = top[counts[top] > 0]
    return _clamped([(w * window_s - shift_s, (w + 1) * window_s - shift_s, float(counts[w]))
                     for w in top.tolist()], duration_s)


def count_sliding_clips(times_s: Any, duration_s: float, *, window_s: float = COUNT_WINDOW_S,
                        step_s: float = 1.0, n: int = N_CLIPS,
                        shift_s: float = 0.0) -> list[Clip]:
    """Top-``n`` non-overlapping sliding windows by message count (greedy NMS).

    Windows start every ``step_s`` seconds; see :func:`nms_windows`.
    """
    t = np.sort(np.asarray(times_s, dtype=np.float64))
    starts = np.arange(0.0, max(duration_s - window_s, 0.0) + 1e-9, step_s)
    counts = (np.searchsorted(t, starts + window_s, side="left")
              - np.searchsorted(t, starts, side="left")).astype(np.float64)
    return nms_windows(starts, counts, duration_s, window_s=window_s, n=n, shift_s=shift_s)


def nms_windows(starts_s: Any, values: Any, duration_s: float, *,
                window_s: float = COUNT_WINDOW_S, n: int = N_CLIPS,
                shift_s: float = 0.0) -> list[Clip]:
    """Greedy non-max suppression of sliding windows into non-overlapping clips.

    The best window is taken, every window that overlaps it is suppressed, and so
    on; ties go to the earlier window and windows valued ``<= 0`` are never chosen.
    Clips are the windows moved back by ``shift_s``, clamped to ``[0, duration_s]``.
    """
    starts = np.asarray(starts_s, dtype=np.float64)
    vals = np.asarray(values, dtype=np.float64)
    alive = vals > 0
    chosen: list[Clip] = []
    while len(chosen) < n and alive.any():
        j = int(np.argmax(np.where(alive, vals, -np.inf)))
        chosen.append((starts[j] - shift_s, starts[j] + window_s - shift_s, float(vals[j])))
        alive &= np.abs(starts - starts[j]) >= window_s
    return _clamped(chosen, duration_s)


def _clamped(clips: Sequence[Clip], duration_s: float) -> list[Clip]:
    out = []
    for s, e, sc in clips:
        s, e = max(0.0, float(s)), min(float(duration_s), float(e))
        if e > s:
            out.append((s, e, float(sc)))
    return out


def count_score_1s(times_s: Any, duration_s: float, *, window_s: float = COUNT_WINDOW_S,
                   shift_s: float = 0.0) -> FloatArray:
    """Per-second score of the count baseline: messages in the window of a clip starting there.

    A clip starting at second ``i`` covers the messages of ``[i + shift_s, i + shift_s +
    window_s)`` (the clips are the count windows moved back by ``shift_s``).
    """
    t = np.sort(np.asarray(times_s, dtype=np.float64))
    starts = np.arange(int(math.ceil(duration_s))) + shift_s
    return (np.searchsorted(t, starts + window_s, side="left")
            - np.searchsorted(t, starts, side="left")).astype(np.float64)


# =========================================================================== stats
def bootstrap_means(hits: Sequence[Any], n_boot: int, rng: np.random.Generator) -> FloatArray:
    """Bootstrap distribution of the mean over items of per-item precision.

    Each item's hit indicators are resampled with replacement within the item.

    Returns
    -------
    ndarray of float64, shape (n_boot,)
    """
    per_item = []
    for h in hits:
        arr = np.asarray(h, dtype=np.float64).reshape(-1)
        if arr.shape[0] == 0:
            per_item.append(np.full(n_boot, np.nan))
            continue
        pick = rng.integers(0, arr.shape[0], size=(n_boot, arr.shape[0]))
        per_item.append(arr[pick].mean(axis=1))
    if not per_item:
        return np.full(n_boot, np.nan)
    out: FloatArray = np.mean(np.vstack(per_item), axis=0)
    return out


def percentile_ci(samples: Any, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval from bootstrap samples (order statistics: inf-safe)."""
    x = np.asarray(samples, dtype=np.float64)
    x = x[~np.isnan(x)]
    if x.shape[0] == 0:
        return float("nan"), float("nan")
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(x, [a, 1.0 - a], method="inverted_cdf")
    return float(lo), float(hi)


def roc_auc(score: Any, positive: Any) -> float:
    """ROC AUC of ``score`` for the boolean ``positive`` (ties count half; NaN = lowest)."""
    from scipy.stats import rankdata

    s = np.asarray(score, dtype=np.float64)
    s = np.where(np.isnan(s), -np.inf, s)
    y = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def span_mask_1s(spans_s: Any, duration_s: float) -> NDArray[np.bool_]:
    """1-s bins ``[i, i+1)`` whose centre lies in a span ``[a, b)``."""
    spans = merge_spans(spans_s)
    centre = np.arange(int(math.ceil(duration_s))) + 0.5
    if spans.shape[0] == 0:
        return np.zeros(centre.shape, dtype=bool)
    idx = np.searchsorted(spans[:, 1], centre, side="right")  # first span ending after
    ok = idx < spans.shape[0]
    out: NDArray[np.bool_] = ok & (spans[np.minimum(idx, spans.shape[0] - 1), 0] <= centre)
    return out


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


# =========================================================================== methods
@dataclass(frozen=True)
class MethodOutput:
    """What a method returns: clips, optionally a per-second score (for the AUC)."""

    clips: Sequence[Clip]
    score_1s: FloatArray | None = None
    info: dict[str, Any] = field(default_factory=dict)


MethodResult = Sequence[Clip] | MethodOutput
ClipsFn = Callable[[ChatEvents, float], MethodResult]


def library_method(chat_lag_s: float | None = None, **kwargs: Any) -> ClipsFn:
    """The library's chat-only picks: ``find_highlights(None, chat=..., n=10)``.

    Parameters
    ----------
    chat_lag_s : float or None
        Passed through (None: the library's own choice).
    **kwargs
        Other :func:`highlights.find_highlights` parameters.
    """

    def run(events: ChatEvents, duration_s: float) -> MethodOutput:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = find_highlights(None, chat=events, n=N_CLIPS, duration_s=duration_s,
                                  chat_lag_s=chat_lag_s, **kwargs)
        n_s = int(math.ceil(duration_s))
        score = res.score.on_grid(hop_s=1.0, start_s=0.0, n=n_s, how="mean").values
        clips = [(float(c.start_s), float(c.end_s), float(c.score)) for c in res.clips]
        info = {"chat_lag_s": res.chat_lag_s, "chat_lag_method": res.chat_lag_method}
        return MethodOutput(clips, score.astype(np.float64), info)

    return run


def count_method(kind: str = "grid", shift_s: float = 0.0) -> ClipsFn:
    """The count baseline as a method (``kind`` = ``"grid"`` or ``"sliding"``)."""
    pick = count_grid_clips if kind == "grid" else count_sliding_clips

    def run(events: ChatEvents, duration_s: float) -> MethodOutput:
        clips = pick(events.time_s, duration_s, shift_s=shift_s)
        return MethodOutput(clips, count_score_1s(events.time_s, duration_s, shift_s=shift_s))

    return run


def headline_count_fn(kind: str) -> ClipsFn:
    """The headline count baseline of a set: 30-s grid, live shifted back 10 s."""
    return count_method("grid", COUNT_LIVE_SHIFT_S if kind == "live" else 0.0)


# =========================================================================== tables
@dataclass
class Row:
    """One stream/film (or a mean) of one method."""

    item_id: str
    kind: str
    in_mean: bool
    n_clips: int
    hits: int
    mean_len_s: float
    p: float
    p_ci: tuple[float, float]
    random_p: float
    random_active_p: float
    count_p: float
    count_ci: tuple[float, float]
    ratio_random: float
    ratio_random_ci: tuple[float, float]
    ratio_count: float
    ratio_count_ci: tuple[float, float]
    auc: float = float("nan")
    count_auc: float = float("nan")
    info: dict[str, Any] = field(default_factory=dict)
    clips: list[Clip] = field(default_factory=list)


@dataclass
class MethodTable:
    """Per-item rows and per-set means of one method under the protocol."""

    name: str
    rows: list[Row]
    means: list[Row]

    def to_markdown(self) -> str:
        """The table as markdown (one row per item, then the means)."""
        head = ("| item | clips | mean len s | hits | p@10 [95% CI] | random p@10 | "
                "random (active) | count p@10 [CI] | ×random [CI] | ×count [CI] | AUC | "
                "count AUC |")
        lines = [f"**{self.name}**", "", head, "|" + "---|" * 12]
        for r in [*self.rows, *self.means]:
            label = r.item_id + ("" if r.in_mean else " (not in mean)")
            lines.append(
                f"| {label} | {r.n_clips} | {r.mean_len_s:.1f} | {r.hits} | "
                f"{_pci(r.p, r.p_ci)} | {r.random_p:.3f} | {r.random_active_p:.3f} | "
                f"{_pci(r.count_p, r.count_ci)} | "
                f"{_pci(r.ratio_random, r.ratio_random_ci, 2)} | "
                f"{_pci(r.ratio_count, r.ratio_count_ci, 2)} | {_num(r.auc)} | "
                f"{_num(r.count_auc)} |")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dump (no chat text)."""
        def row(r: Row) -> dict[str, Any]:
            d = dict(r.__dict__)
            d["clips"] = [list(c) for c in r.clips]
            out: dict[str, Any] = _jsonable(d)
            return out
        return {"method": self.name, "rows": [row(r) for r in self.rows],
                "means": [row(r) for r in self.means]}


def _num(x: float, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "inf"
    return f"{x:.{digits}f}"


def _pci(x: float, ci: tuple[float, float], digits: int = 3) -> str:
    if math.isnan(x):
        return "–"
    return f"{_num(x, digits)} [{_num(ci[0], digits)}, {_num(ci[1], digits)}]"


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return None if math.isnan(v) else ("inf" if math.isinf(v) else v)
    if isinstance(x, np.integer):
        return int(x)
    return x


def _as_output(result: MethodResult) -> MethodOutput:
    if isinstance(result, MethodOutput):
        return result
    return MethodOutput([(float(s), float(e), float(sc)) for s, e, sc in result])


@dataclass
class _Scored:
    item: Item
    out: MethodOutput
    hits: NDArray[np.bool_]
    lengths: FloatArray


def _score(fn: ClipsFn, item: Item) -> _Scored:
    out = _as_output(fn(item.events, item.duration_s))
    clips = list(out.clips)[:N_CLIPS]
    arr = np.asarray([c[:2] for c in clips], dtype=np.float64).reshape(-1, 2)
    hits = item_hits(item, arr[:, 0], arr[:, 1])
    out = MethodOutput(clips, out.score_1s, dict(out.info))
    return _Scored(item, out, hits, arr[:, 1] - arr[:, 0])


def _ratio(a: Any, b: Any) -> FloatArray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.where(a > 0, np.inf, np.nan))
    out: FloatArray = r
    return out


def evaluate_method(
    clips_fn: ClipsFn,
    *,
    name: str = "method",
    items: Sequence[Item] | None = None,
    film_fn: ClipsFn | None = None,
    n_boot: int = N_BOOT,
    random_draws: int = RANDOM_DRAWS,
    seed: int = SEED,
) -> MethodTable:
    """Evaluate a chat-only method on every item under the fixed protocol.

    Parameters
    ----------
    clips_fn : callable
        ``(events, duration_s) -> clips`` (``(start_s, end_s, score)`` tuples, best
        first) or a :class:`MethodOutput`.  Only the first ``N_CLIPS`` clips count.
    name : str
        Shown in the table.
    items : sequence of Item, optional
        Default: :func:`load_items` (raises if ``../shared`` is absent).
    film_fn : callable, optional
        Used on films instead of ``clips_fn`` (e.g. a different chat lag).
    n_boot, random_draws, seed
        Bootstrap resamples, random-placement draws and the base seed.

    Returns
    -------
    MethodTable
    """
    if items is None:
        items = load_items()
        if items is None:
            raise FileNotFoundError(f"shared data not found under {shared_root()}")
    rows: list[Row] = []
    boots: dict[str, list[tuple[Row, FloatArray, FloatArray, NDArray[np.bool_],
                                NDArray[np.bool_]]]] = {}
    for item in items:
        fn = film_fn if (item.kind == "film" and film_fn is not None) else clips_fn
        sc = _score(fn, item)
        base = _score(headline_count_fn(item.kind), item)
        rng_m = np.random.default_rng([seed, _crc(item.item_id), _crc("boot:" + name)])
        rng_c = np.random.default_rng([seed, _crc(item.item_id), _crc("boot:count")])
        bm = bootstrap_means([sc.hits], n_boot, rng_m)
        bc = bootstrap_means([base.hits], n_boot, rng_c)
        p = float(sc.hits.mean()) if sc.hits.size else float("nan")
        cp = float(base.hits.mean()) if base.hits.size else float("nan")
        rp = random_precision(item, sc.lengths, n_draws=random_draws, seed=seed)
        rpa = random_precision(item, sc.lengths, n_draws=random_draws, seed=seed,
                               range_s=chat_active_range(item.events))
        auc = count_auc = float("nan")
        if item.kind == "film":
            mask = span_mask_1s(item.spans_s, item.duration_s)
            if sc.out.score_1s is not None:
                auc = roc_auc(sc.out.score_1s[: mask.shape[0]], mask[: sc.out.score_1s.shape[0]])
            if base.out.score_1s is not None:
                count_auc = roc_auc(base.out.score_1s, mask)
        row = Row(
            item_id=item.item_id, kind=item.kind, in_mean=item.in_mean,
            n_clips=int(sc.hits.size), hits=int(sc.hits.sum()),
            mean_len_s=float(sc.lengths.mean()) if sc.lengths.size else float("nan"),
            p=p, p_ci=percentile_ci(bm), random_p=rp, random_active_p=rpa, count_p=cp,
            count_ci=percentile_ci(bc), ratio_random=float(_ratio(p, rp)),
            ratio_random_ci=percentile_ci(_ratio(bm, rp)),
            ratio_count=float(_ratio(p, cp)), ratio_count_ci=percentile_ci(_ratio(bm, bc)),
            auc=auc, count_auc=count_auc, info=dict(sc.out.info), clips=list(sc.out.clips),
        )
        rows.append(row)
        if item.in_mean:
            boots.setdefault(item.kind, []).append((row, bm, bc, sc.hits, base.hits))
    means = [_mean_row(kind, entries, n_boot, seed, name) for kind, entries in boots.items()]
    return MethodTable(name, rows, means)


def _mean_row(kind: str, entries: list[tuple[Row, FloatArray, FloatArray, NDArray[np.bool_],
                                             NDArray[np.bool_]]],
              n_boot: int, seed: int, name: str) -> Row:
    rows = [e[0] for e in entries]
    rng_m = np.random.default_rng([seed, _crc("mean:" + kind), _crc("boot:" + name)])
    rng_c = np.random.default_rng([seed, _crc("mean:" + kind), _crc("boot:count")])
    bm = bootstrap_means([e[3] for e in entries], n_boot, rng_m)
    bc = bootstrap_means([e[4] for e in entries], n_boot, rng_c)
    p = float(np.nanmean([r.p for r in rows]))
    rp = float(np.nanmean([r.random_p for r in rows]))
    rpa = float(np.nanmean([r.random_active_p for r in rows]))
    cp = float(np.nanmean([r.count_p for r in rows]))
    return Row(
        item_id=f"**mean {kind} ({len(rows)})**", kind=kind, in_mean=True,
        n_clips=sum(r.n_clips for r in rows), hits=sum(r.hits for r in rows),
        mean_len_s=float(np.nanmean([r.mean_len_s for r in rows])),
        p=p, p_ci=percentile_ci(bm), random_p=rp, random_active_p=rpa, count_p=cp,
        count_ci=percentile_ci(bc), ratio_random=float(_ratio(p, rp)),
        ratio_random_ci=percentile_ci(_ratio(bm, rp)),
        ratio_count=float(_ratio(p, cp)), ratio_count_ci=percentile_ci(_ratio(bm, bc)),
        auc=_nanmean([r.auc for r in rows]),
        count_auc=_nanmean([r.count_auc for r in rows]),
    )


def _nanmean(values: Sequence[float]) -> float:
    x = np.asarray(values, dtype=np.float64)
    return float(x[~np.isnan(x)].mean()) if (~np.isnan(x)).any() else float("nan")


def summary_markdown(tables: Sequence[MethodTable]) -> str:
    """One line per method: the set means with intervals and ratios."""
    lines = ["| method | set | p@10 [95% CI] | random p@10 | random (active) | count p@10 | "
             "×random [CI] | ×count [CI] | AUC |", "|" + "---|" * 9]
    for t in tables:
        for r in t.means:
            lines.append(
                f"| {t.name} | {r.kind} | {_pci(r.p, r.p_ci)} | {r.random_p:.3f} | "
                f"{r.random_active_p:.3f} | "
                f"{r.count_p:.3f} | {_pci(r.ratio_random, r.ratio_random_ci, 2)} | "
                f"{_pci(r.ratio_count, r.ratio_count_ci, 2)} | {_num(r.auc)} |")
    return "\n".join(lines)


def standard_methods() -> list[tuple[str, ClipsFn, ClipsFn | None]]:
    """The library (default, lag-0 ablation) and the count baselines, as methods.

    Returns
    -------
    list of (name, live-or-all fn, film fn or None)
    """
    return [
        ("library default (live: lag by library, film: chat_time_base='video')",
         library_method(None), library_method(None, chat_time_base="video")),
        ("library, chat_lag_s=0 everywhere (ablation)", library_method(0.0), None),
        ("count 30s grid, live −10 s (headline baseline)", count_method("grid", 10.0),
         count_method("grid", 0.0)),
        ("count 30s grid, no shift", count_method("grid", 0.0), None),
        ("count 30s sliding+NMS, live −10 s", count_method("sliding", 10.0),
         count_method("sliding", 0.0)),
        ("count 30s sliding+NMS, no shift", count_method("sliding", 0.0), None),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: evaluate the standard methods and print markdown (optionally dump JSON)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", type=Path, help="write the tables as JSON here")
    ap.add_argument("--labels", choices=LABEL_SETS, default="fan",
                    help="live labels: fan timeline (default) or + ASDB items")
    ap.add_argument("--boot", type=int, default=N_BOOT, help="bootstrap resamples")
    ap.add_argument("--draws", type=int, default=RANDOM_DRAWS, help="random-placement draws")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    items = load_items(args.labels)
    if items is None:
        print(f"shared data not found under {shared_root()}; nothing to evaluate",
              file=sys.stderr)
        return 0
    print(f"live labels: {args.labels}; items: "
          + ", ".join(f"{it.item_id} ({len(it.events)} msgs, {it.duration_s:.0f} s, "
                      f"{it.label_times_s.size or it.spans_s.shape[0]} labels)"
                      for it in items) + "\n")
    tables = [evaluate_method(fn, name=name, items=items, film_fn=ffn, n_boot=args.boot,
                              random_draws=args.draws, seed=args.seed)
              for name, fn, ffn in standard_methods()]
    print(summary_markdown(tables) + "\n")
    for t in tables:
        print(t.to_markdown() + "\n")
        lags = {r.item_id: r.info.get("chat_lag_method") for r in t.rows if r.info}
        if lags:
            print("chat lag: " + ", ".join(
                f"{r.item_id}={r.info.get('chat_lag_s')} s ({r.info.get('chat_lag_method')})"
                for r in t.rows if r.info) + "\n")
    if args.json is not None:
        args.json.write_text(json.dumps(
            {"protocol": {"n_clips": N_CLIPS, "live_pre_s": LIVE_PRE_S,
                          "count_window_s": COUNT_WINDOW_S,
                          "count_live_shift_s": COUNT_LIVE_SHIFT_S, "n_boot": args.boot,
                          "random_draws": args.draws, "seed": args.seed,
                          "labels": args.labels, "excluded_from_mean": EXCLUDED_FROM_MEAN},
             "tables": [t.to_dict() for t in tables]}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
