"""Fit non-negative fusion weights on labelled recordings, and the shipped genre presets."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_nonneg, fail
from .._window import moving_average
from ..errors import HighlightsError
from ..fusion.genre import _PRESET_FORMAT, FAMILIES, GENRES
from ..fusion.score import DEFAULT_WEIGHTS, robust_normalize
from ..synth.genre import align_chat, genre_stream
from ..timeline import Timeline, common_grid
from .features import span_labels

F64 = NDArray[np.float64]
log = logging.getLogger(__name__)


def _smoothed_z(
    timelines: Mapping[str, Timeline], signals: Sequence[str], *, baseline_s: float | None,
    smooth_s: float, clip: tuple[float, float],
) -> F64:
    """Columns = each signal's clipped robust z-score, NaN -> 0, smoothed like fuse."""
    grid = common_grid(timelines, "fit_weights")
    width = max(1, int(round(smooth_s / grid.hop_s)))
    x = np.zeros((grid.n, len(signals)))
    for k, s in enumerate(signals):
        if s in timelines and grid.n:
            z = robust_normalize(timelines[s], baseline_s=baseline_s, clip=clip).values
            x[:, k] = moving_average(np.nan_to_num(z, nan=0.0), width)
    return x


def fit_weights(
    timelines: Sequence[Mapping[str, Timeline]],
    spans: Sequence[ArrayLike | Timeline],
    *,
    signals: Sequence[str] | None = None,
    baseline_s: float | None = 600.0,
    smooth_s: float = 3.0,
    clip: tuple[float, float] = (-2.0, 8.0),
    l2: float = 1e-3,
) -> dict[str, float]:
    """Fit non-negative fusion weights on labelled recordings.

    The fused score of :func:`highlights.fusion.fuse_detail` is ``sum_k w_k s_k`` where
    ``s_k`` is signal ``k``'s smoothed, clipped robust z-score.  This fits ``w >= 0``
    (and an offset) by class-balanced logistic regression of per-hop labels (hop
    inside a reference span) on the ``s_k``, with a small L2 penalty, then scales
    the weights so the largest is 1.  The result plugs into
    ``find_highlights(weights=...)`` and :func:`highlights.fusion.fuse`.

    Parameters
    ----------
    timelines : sequence of mapping of str to Timeline
        One mapping of signals (one grid each) per recording, chat already aligned
        to the action (as :func:`highlights.analyze` returns it; see :func:`align_chat`).
    spans : sequence of (m, 2) array_like or Timeline
        Reference spans per recording (see :func:`highlights.learn.span_labels`).
    signals : sequence of str, optional
        Signals to weigh (default: all in the first recording).
    baseline_s, smooth_s, clip
        As in :func:`highlights.fusion.fuse_detail`; use the values you fuse with.
    l2 : float, default 1e-3
        L2 penalty on the weights, per unit of total sample weight.

    Returns
    -------
    dict of str to float
        A weight in ``[0, 1]`` per signal (explicit 0 for the ones that do not help,
        so they override :data:`~highlights.DEFAULT_WEIGHTS`).

    Raises
    ------
    InvalidParameterError
        If the inputs are empty or mismatched, or the labels hold one class only.
    """
    from scipy.optimize import minimize

    caller = "fit_weights"
    recs, refs = list(timelines), list(spans)
    if not recs or len(recs) != len(refs):
        raise fail("spans", caller, f"one span list per recording ({len(recs)})", len(refs))
    names = list(signals) if signals is not None else sorted(recs[0])
    smooth = check_nonneg("smooth_s", caller, smooth_s)
    pen = check_nonneg("l2", caller, l2)
    xs, ys = [], []
    for tls, ref in zip(recs, refs, strict=True):
        grid = common_grid(tls, caller)
        xs.append(_smoothed_z(tls, names, baseline_s=baseline_s, smooth_s=smooth, clip=clip))
        ys.append(span_labels(ref, n=grid.n, hop_s=grid.hop_s, start_s=grid.start_s))
    x = np.concatenate(xs)
    y = np.concatenate(ys).astype(bool)
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == y.size:
        raise fail("spans", caller, "spans covering some hops but not all", n_pos)
    sw = np.where(y, 0.5 / n_pos, 0.5 / (y.size - n_pos))  # balanced, sums to 1
    sign = np.where(y, 1.0, -1.0)
    k = len(names)

    def loss(theta: F64) -> tuple[float, F64]:
        w, b = theta[:k], theta[k]
        m = sign * (x @ w + b)
        # log(1 + exp(-m)) and its derivative, overflow-free
        val = float(np.sum(sw * np.logaddexp(0.0, -m))) + 0.5 * pen * float(w @ w)
        g = -sw * sign * 0.5 * (1.0 - np.tanh(0.5 * m))
        grad = np.empty(k + 1)
        grad[:k] = x.T @ g + pen * w
        grad[k] = g.sum()
        return val, grad

    res = minimize(loss, np.r_[np.full(k, 0.1), 0.0], jac=True, method="L-BFGS-B",
                   bounds=[(0.0, None)] * k + [(None, None)])
    w = np.maximum(res.x[:k], 0.0)
    top = float(w.max())
    if top <= 0:
        raise HighlightsError("fit_weights found no signal that predicts the spans.")
    return {s: round(float(v / top), 3) for s, v in zip(names, w, strict=True)}


def fit_genre_presets(
    *,
    seeds: Sequence[int] = tuple(range(1000, 1008)),
    duration_s: float = 3600.0,
    hop_s: float = 0.5,
) -> dict[str, Any]:
    """Fit the shipped genre presets (what ``genre_weights.json`` holds).

    For each genre, :func:`fit_weights` on :func:`~highlights.synth.genre_stream`
    streams of ``seeds`` (chat aligned by :func:`~highlights.synth.align_chat`) gives
    each signal family (:data:`~highlights.fusion.genre.FAMILIES`: voice, picture,
    chat, value) a share of the fitted weight.  A family's multiplier is its share in
    the genre over its mean share across genres: the defaults are genre-neutral, and
    a preset tilts them toward what predicts highlights in that genre more than in
    the others.  The preset is the default weight of every signal times its family's
    multiplier.

    Returns
    -------
    dict
        ``{"format", "version", "note", "seeds", "duration_s", "hop_s",
        "genres": {genre: {"weights": {...}, "multipliers": {...}, "fitted": {...}}}}``.
    """
    fitted_by: dict[str, dict[str, float]] = {}
    shares: dict[str, dict[str, float]] = {}
    families = sorted(set(FAMILIES.values()))
    for genre in GENRES:
        streams = [genre_stream(genre, seed=s, duration_s=duration_s, hop_s=hop_s)
                   for s in seeds]
        tls = [align_chat(st.timelines)[0] for st in streams]
        fitted = fit_weights(tls, [st.spans for st in streams])
        fitted_by[genre] = fitted
        total = {f: sum(v for k, v in fitted.items() if FAMILIES.get(k) == f)
                 for f in families}
        grand = sum(total.values()) or 1.0
        shares[genre] = {f: total[f] / grand for f in families}
    mean = {f: float(np.mean([shares[g][f] for g in GENRES])) for f in families}
    genres: dict[str, Any] = {}
    for genre in GENRES:
        mult = {f: round(shares[genre][f] / mean[f], 3) if mean[f] > 0 else 1.0
                for f in families}
        weights = {k: round(float(w) * mult.get(FAMILIES.get(k, ""), 1.0), 3)
                   for k, w in DEFAULT_WEIGHTS.items() if k != "keyframe"}
        genres[genre] = {"weights": weights, "multipliers": mult, "fitted": fitted_by[genre]}
        log.info("genre %s: %s", genre, weights)
    return {
        "format": _PRESET_FORMAT, "version": 2,
        "note": "Default weights with family multipliers fitted on synthetic streams "
                "(highlights.synth.genre_stream, seeds listed), not on real recordings; "
                "regenerate with highlights.learn.fit_genre_presets().",
        "seeds": list(seeds), "duration_s": duration_s, "hop_s": hop_s, "genres": genres,
    }
