"""Features and labels for learned fusion: robust z-scores with context windows, spans as labels.

Every signal is normalised exactly as :func:`highlights.fusion.fuse_detail` does
(:func:`highlights.fusion.robust_normalize`: a rolling robust z-score, clipped; NaN
hops become 0), then each z-score gives ``1 + len(context_s) + (lead_s > 0)``
columns: the value itself, its centred means over ``±w`` seconds for each ``w`` in
``context_s``, and its mean over the ``lead_s`` seconds *after* the hop (a reaction,
such as chat, that trails the action).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import check_int, check_positive, fail
from .._window import spans_mask, window_mean
from ..errors import SignalMissingWarning
from ..fusion.score import robust_normalize
from ..timeline import Timeline, common_grid

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


# =============================================================================== features
def _context_offsets(
    hop_s: float, context_s: Sequence[float], lead_s: float
) -> list[tuple[int, int]]:
    """Window offsets (in hops) of the context columns of one signal."""
    out = []
    for w in context_s:
        r = max(1, int(round(w / hop_s)))
        out.append((-r, r))
    if lead_s > 0:
        out.append((1, max(1, int(round(lead_s / hop_s)))))
    return out


def feature_names(
    signals: Sequence[str], *, context_s: Sequence[float] = (2.0, 10.0), lead_s: float = 15.0
) -> list[str]:
    """Names of the feature columns, in order: per signal, ``sig``, ``sig~Ws``, ``sig>Ls``.

    Examples
    --------
    >>> feature_names(["chat_rate"], context_s=(2.0,), lead_s=15.0)
    ['chat_rate', 'chat_rate~2s', 'chat_rate>15s']
    """
    names: list[str] = []
    for s in signals:
        names.append(s)
        names.extend(f"{s}~{w:g}s" for w in context_s)
        if lead_s > 0:
            names.append(f"{s}>{lead_s:g}s")
    return names





def timeline_features(
    timelines: Mapping[str, Timeline],
    *,
    signals: Sequence[str],
    context_s: Sequence[float] = (2.0, 10.0),
    lead_s: float = 15.0,
    baseline_s: float | None = 600.0,
    clip: tuple[float, float] = (-2.0, 8.0),
) -> F32:
    """Feature matrix of one recording: normalised signals plus context windows.

    Parameters
    ----------
    timelines : mapping of str to Timeline
        Signals on one grid.
    signals : sequence of str
        Signals to use, in column order.  One that is absent from ``timelines`` gives
        zero columns and a :class:`~highlights.SignalMissingWarning`.
    context_s : sequence of float, default (2.0, 10.0)
        Half-widths in seconds of the centred mean windows.
    lead_s : float, default 15.0
        Length in seconds of the window after each hop (0 leaves it out).
    baseline_s, clip
        Normalisation, as in :func:`highlights.fusion.robust_normalize`.

    Returns
    -------
    ndarray of float32, shape (n_hops, len(signals) * (1 + len(context_s) + (lead_s > 0)))
        Columns named by :func:`feature_names`.

    Raises
    ------
    TimelineMismatchError
        If the timelines are not on one grid.
    """
    caller = "timeline_features"
    grid = common_grid(timelines, caller)
    offsets = _context_offsets(grid.hop_s, context_s, lead_s)
    per = 1 + len(offsets)
    x = np.zeros((grid.n, per * len(signals)), dtype=np.float32)
    missing = [s for s in signals if s not in timelines]
    if missing:
        warnings.warn(
            f"Signals the model was trained on are missing: {', '.join(missing)}; "
            "they are treated as 0 (their rolling baseline).",
            SignalMissingWarning,
            stacklevel=3,
        )
    for k, name in enumerate(signals):
        tl = timelines.get(name)
        if tl is None or grid.n == 0:
            continue
        z = np.nan_to_num(robust_normalize(tl, baseline_s=baseline_s, clip=clip).values,
                          nan=0.0)
        col = k * per
        x[:, col] = z
        for j, (lo, hi) in enumerate(offsets):
            x[:, col + 1 + j] = window_mean(z, lo=lo, hi=hi)
    return x


def span_labels(
    spans: ArrayLike | Timeline, *, n: int, hop_s: float, start_s: float = 0.0
) -> NDArray[np.int8]:
    """Per-hop 0/1 labels from reference spans (or a Timeline read as value > 0).

    Parameters
    ----------
    spans : array_like of shape (m, 2), or Timeline
        ``(start_s, end_s)`` pairs in seconds; a hop is 1 when its centre lies in
        ``[start_s, end_s)`` of some span.  A Timeline (e.g. a most-replayed curve
        thresholded beforehand) is resampled onto the grid with ``how="max"`` and is
        1 where its value is > 0.
    n : int
        Number of hops of the grid.
    hop_s : float
        Hop of the grid, seconds.
    start_s : float, default 0.0
        Start of the grid, seconds.

    Returns
    -------
    ndarray of int8, shape (n,)

    Examples
    --------
    >>> span_labels([(1.0, 2.0)], n=6, hop_s=0.5).tolist()
    [0, 0, 1, 1, 0, 0]
    """
    caller = "span_labels"
    n = check_int("n", caller, n)
    hop = check_positive("hop_s", caller, hop_s)
    if isinstance(spans, Timeline):
        on = spans.on_grid(hop_s=hop, start_s=start_s, n=n, how="max").values
        labels: NDArray[np.int8] = (np.nan_to_num(on, nan=0.0) > 0).astype(np.int8)
        return labels
    try:
        arr = np.asarray(spans, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise fail("spans", caller, "(start_s, end_s) pairs or a Timeline", spans) from exc
    if arr.size == 0:
        return np.zeros(n, dtype=np.int8)
    if arr.ndim != 2 or arr.shape[1] < 2 or not np.isfinite(arr[:, :2]).all() \
            or (arr[:, 1] < arr[:, 0]).any():
        raise fail("spans", caller, "finite (start_s, end_s) pairs with end_s >= start_s",
                   spans)
    return spans_mask(arr[:, :2], n=n, hop_s=hop, start_s=start_s).astype(np.int8)
