"""First look at chat-only scoring ideas on the real labelled sets (report only).

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/experiments/chat_scores.py [--json out.json]

Every idea is a per-window score; all of them go through the **same picker** as the
sliding count baseline of ``benchmarks/realchat.py`` (30-s windows starting every
second, greedy non-max suppression to 10 non-overlapping windows, moved back 10 s on
live streams and not at all on films), so a row differs from ``messages (level)``
only in *what is counted*.  The per-second score for the film AUC is the value of the
window starting at that second.

These two sets are for evaluation, not fitting: every parameter below was fixed
before the first run and none was changed after seeing a result.

Ideas and their a-priori parameters
-----------------------------------
``messages (level)``
    Messages per window (= the sliding count baseline; the reference row).
``authors (level)``
    Distinct authors per window: each author counts once, however much they post.
``campaign-damped (level)``
    Messages per window, but a *campaign* text counts once per window.  Texts are
    keyed by a normalisation (NFKC, case-folded, punctuation/space/symbols removed,
    runs of one character collapsed: ``哈哈哈`` → ``哈``, ``然然超可爱！`` → ``然超可爱``).
    A key is a campaign in a fixed 600-s block when it has at least 4 characters,
    at least 20 distinct authors in the block, and appears in at least 5 of the
    block's ten 60-s buckets (sustained, many people, not a short reaction).
``authors + campaign-damped (level)``
    Both: non-campaign messages count once per author, campaign keys once per window.
``messages (onset)``
    Rise of the message count: ``max(0, n[s, s+30) - n[s-30, s))``.
``messages / rolling median (level over baseline)``
    ``n(window) / (1 + median of n over window starts within ±300 s)``.
``authors + campaign-damped (onset)``
    The onset rule applied to the combined count.
``keyword distinctiveness``
    Per window, ``sum_k a_k * log((W + 1) / (W_k + 1))`` over normalised keys ``k``,
    where ``a_k`` = distinct authors posting ``k`` in the window, ``W`` = number of
    30-s grid windows in the stream with chat and ``W_k`` = those containing ``k``
    (an idf over the stream: texts posted all the time weigh little).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import median_filter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import realchat as rc  # noqa: E402

from highlights import ChatEvents  # noqa: E402

WINDOW_S = 30.0
LIVE_SHIFT_S = 10.0
CAMPAIGN_BLOCK_S = 600.0
CAMPAIGN_BUCKET_S = 60.0
CAMPAIGN_MIN_CHARS = 4
CAMPAIGN_MIN_AUTHORS = 20
CAMPAIGN_MIN_BUCKETS = 5
BASELINE_HALF_S = 300.0

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
ScoreFn = Callable[[ChatEvents, float], FloatArray]

_STRIP = re.compile(r"[\W_]+", re.UNICODE)
_RUNS = re.compile(r"(.)\1+", re.DOTALL)


def normalise(text: str) -> str:
    """Campaign/keyword key of a message (see the module docstring)."""
    t = unicodedata.normalize("NFKC", text).casefold()
    return _RUNS.sub(r"\1", _STRIP.sub("", t))


def _codes(values: Any) -> tuple[IntArray, list[Any]]:
    table: dict[Any, int] = {}
    codes = np.fromiter((table.setdefault(v, len(table)) for v in values), dtype=np.int64,
                        count=len(values))
    return codes, list(table)


def _keys(events: ChatEvents) -> tuple[IntArray, list[str]]:
    """Normalised-key code of every message (normalising each distinct text once)."""
    tcode, texts = _codes(events.text)
    kcode_of_text, keys = _codes([normalise(str(x or "")) for x in texts])
    return kcode_of_text[tcode], keys


def _authors(events: ChatEvents) -> IntArray:
    """Author codes; messages without an author get a code of their own each."""
    acode, authors = _codes(events.author)
    anon = np.array([a is None for a in authors], dtype=bool)[acode]
    acode = acode.copy()
    acode[anon] = len(authors) + np.arange(int(anon.sum()))
    return acode


def _n_starts(duration_s: float) -> int:
    return int(max(duration_s - WINDOW_S, 0.0)) + 1


def distinct_per_window(times_s: FloatArray, group: IntArray, n_starts: int,
                        weight: FloatArray | None = None) -> FloatArray:
    """For each integer start ``s``: sum of ``weight[g]`` over groups with a message in
    ``[s, s + WINDOW_S)`` (each group once).

    A message at ``t`` lies in the windows starting at ``floor(t) - W + 1 .. floor(t)``;
    per group these integer ranges are merged (time-sorted within the group, each range
    cut to start after the previous one's end) and added with a difference array.
    """
    w = int(WINDOW_S)
    order = np.lexsort((times_s, group))
    g, t = group[order], times_s[order]
    hi = np.floor(t).astype(np.int64)
    lo = hi - w + 1
    same = np.r_[False, g[1:] == g[:-1]]
    prev_hi = np.r_[np.int64(-(1 << 40)), hi[:-1]]
    lo = np.where(same, np.maximum(lo, prev_hi + 1), lo)
    lo = np.clip(lo, 0, n_starts)
    hi_ex = np.clip(hi + 1, 0, n_starts)
    keep = hi_ex > lo
    wg = np.ones(t.shape[0]) if weight is None else weight[g]
    diff = np.zeros(n_starts + 1)
    np.add.at(diff, lo[keep], wg[keep])
    np.add.at(diff, hi_ex[keep], -wg[keep])
    out: FloatArray = np.cumsum(diff)[:n_starts]
    return out


def campaign_mask(events: ChatEvents, kcode: IntArray, keys: list[str]) -> NDArray[np.bool_]:
    """Messages whose key is a campaign in their 600-s block."""
    t = events.time_s
    acode = _authors(events)
    block = np.floor(t / CAMPAIGN_BLOCK_S).astype(np.int64)
    bucket = np.floor(t / CAMPAIGN_BUCKET_S).astype(np.int64)
    n_keys = len(keys)
    kb = block * n_keys + kcode                               # (block, key) id
    kb_u, kb_inv = np.unique(kb, return_inverse=True)
    n_auth = np.bincount(np.unique(kb_inv.astype(np.int64) * (acode.max() + 1) + acode)
                         // (acode.max() + 1), minlength=kb_u.shape[0])
    n_buck = np.bincount(np.unique(kb_inv.astype(np.int64) * (bucket.max() + 1) + bucket)
                         // (bucket.max() + 1), minlength=kb_u.shape[0])
    long_key = np.array([len(k) >= CAMPAIGN_MIN_CHARS for k in keys], dtype=bool)
    is_camp = (n_auth >= CAMPAIGN_MIN_AUTHORS) & (n_buck >= CAMPAIGN_MIN_BUCKETS) \
        & long_key[kb_u % n_keys]
    out: NDArray[np.bool_] = is_camp[kb_inv]
    return out


# --------------------------------------------------------------------------- scores
def score_messages(events: ChatEvents, duration_s: float) -> FloatArray:
    """Messages per window start."""
    n = _n_starts(duration_s)
    return distinct_per_window(events.time_s, np.arange(len(events), dtype=np.int64), n)


def score_authors(events: ChatEvents, duration_s: float) -> FloatArray:
    """Distinct authors per window start."""
    return distinct_per_window(events.time_s, _authors(events), _n_starts(duration_s))


def _campaign_groups(events: ChatEvents, per_author: bool) -> IntArray:
    kcode, keys = _keys(events)
    camp = campaign_mask(events, kcode, keys)
    base = _authors(events) if per_author else np.arange(len(events), dtype=np.int64)
    offset = int(base.max()) + 1 if len(events) else 0
    return np.where(camp, offset + kcode, base)


def score_campaign(events: ChatEvents, duration_s: float) -> FloatArray:
    """Messages per window, campaign keys once per window."""
    return distinct_per_window(events.time_s, _campaign_groups(events, False),
                               _n_starts(duration_s))


def score_authors_campaign(events: ChatEvents, duration_s: float) -> FloatArray:
    """Distinct authors (non-campaign) + distinct campaign keys per window."""
    return distinct_per_window(events.time_s, _campaign_groups(events, True),
                               _n_starts(duration_s))


def onset(level: FloatArray) -> FloatArray:
    """``max(0, level[s] - level[s - W])`` (the previous window clamped at the start)."""
    w = int(WINDOW_S)
    prev = level[np.maximum(np.arange(level.shape[0]) - w, 0)]
    out: FloatArray = np.maximum(level - prev, 0.0)
    return out


def score_messages_onset(events: ChatEvents, duration_s: float) -> FloatArray:
    """Rise of the message count over the previous window."""
    return onset(score_messages(events, duration_s))


def score_authors_campaign_onset(events: ChatEvents, duration_s: float) -> FloatArray:
    """Rise of the authors + campaign-damped count over the previous window."""
    return onset(score_authors_campaign(events, duration_s))


def score_messages_over_baseline(events: ChatEvents, duration_s: float) -> FloatArray:
    """Messages per window over 1 + the rolling median within ±300 s."""
    level = score_messages(events, duration_s)
    med = median_filter(level, size=2 * int(BASELINE_HALF_S) + 1, mode="nearest")
    out: FloatArray = level / (1.0 + med)
    return out


def score_keyword_distinct(events: ChatEvents, duration_s: float) -> FloatArray:
    """Distinct authors per key, weighted by the key's idf over 30-s grid windows."""
    kcode, keys = _keys(events)
    grid = np.floor(events.time_s / WINDOW_S).astype(np.int64)
    n_win = int(np.unique(grid).shape[0])
    pairs = np.unique(grid * len(keys) + kcode)
    df = np.bincount(pairs % len(keys), minlength=len(keys))
    idf = np.log((n_win + 1.0) / (df + 1.0))
    acode = _authors(events)
    group = kcode * (int(acode.max()) + 1) + acode              # (key, author) pairs
    weight = idf[np.unique(group) // (int(acode.max()) + 1)]
    g_codes = np.searchsorted(np.unique(group), group)
    return distinct_per_window(events.time_s, g_codes.astype(np.int64), _n_starts(duration_s),
                               weight=weight)


IDEAS: dict[str, ScoreFn] = {
    "messages (level) = sliding count": score_messages,
    "authors (level)": score_authors,
    "campaign-damped (level)": score_campaign,
    "authors + campaign-damped (level)": score_authors_campaign,
    "messages (onset)": score_messages_onset,
    "messages / rolling median": score_messages_over_baseline,
    "authors + campaign-damped (onset)": score_authors_campaign_onset,
    "keyword distinctiveness": score_keyword_distinct,
}


def as_method(score_fn: ScoreFn, shift_s: float) -> rc.ClipsFn:
    """A realchat method: score windows, NMS-pick 10, move back ``shift_s``."""

    def run(events: ChatEvents, duration_s: float) -> rc.MethodOutput:
        vals = score_fn(events, duration_s)
        starts = np.arange(vals.shape[0], dtype=np.float64)
        clips = rc.nms_windows(starts, vals, duration_s, window_s=WINDOW_S, shift_s=shift_s)
        per_s = np.zeros(int(np.ceil(duration_s)))
        per_s[: vals.shape[0]] = vals
        return rc.MethodOutput(clips, per_s)

    return run


def campaign_share(items: list[rc.Item]) -> dict[str, float]:
    """Share of each item's messages flagged as campaign messages (a sanity figure)."""
    out = {}
    for it in items:
        kcode, keys = _keys(it.events)
        out[it.item_id] = float(campaign_mask(it.events, kcode, keys).mean())
    return out


def main(argv: list[str] | None = None) -> int:
    """Evaluate every idea and print the summary and per-item tables."""
    ap = argparse.ArgumentParser(description="chat scoring ideas on the real sets")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    items = rc.load_items()
    if items is None:
        print("shared data not found", file=sys.stderr)
        return 0
    print("campaign share of messages: " + ", ".join(
        f"{k}={v:.3f}" for k, v in campaign_share(items).items()) + "\n")
    tables = [rc.evaluate_method(as_method(fn, LIVE_SHIFT_S), film_fn=as_method(fn, 0.0),
                                 name=name, items=items)
              for name, fn in IDEAS.items()]
    name, fn, ffn = rc.standard_methods()[0]   # the library, as in realchat.py
    tables.insert(0, rc.evaluate_method(fn, film_fn=ffn, name=name, items=items))
    print(rc.summary_markdown(tables) + "\n")
    for t in tables[1:]:
        print(t.to_markdown() + "\n")
    if args.json is not None:
        args.json.write_text(json.dumps([t.to_dict() for t in tables], indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
