"""`Timeline`: one signal sampled on a uniform grid of hops, in seconds.

A timeline's ``values[i]`` describes the half-open interval
``[start_s + i * hop_s, start_s + (i + 1) * hop_s)``.  Values are ``float32``;
``NaN`` marks hops the signal does not cover (for example audio that ends before
the video does).  Times are computed in ``float64`` from integer indices, never by
adding up float durations.

Everything here is pure numpy: no I/O, no globals, deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validate import check_choice, check_positive, fail
from .errors import InvalidParameterError, TimelineMismatchError

__all__ = ["Timeline", "align", "common_grid", "Resample"]

Resample = Literal["mean", "sum", "max", "interp"]
_HOWS = ("mean", "sum", "max", "interp")
# Two grids whose hops or starts differ by less than this (seconds) are the same grid.
_EPS_S = 1e-9


@dataclass(frozen=True, slots=True)
class Timeline:
    """A signal on a uniform time grid.

    Parameters
    ----------
    values : array_like, shape (n,)
        One value per hop, converted to a read-only ``float32`` array.  ``NaN``
        means "not covered"; ``±inf`` is rejected.
    hop_s : float
        Width of each hop in seconds, > 0.
    start_s : float, default 0.0
        Start of the first hop, in seconds from the media start.
    name : str, default ""
        Signal name (``"audio_rms_db"``, ``"chat_rate"``, ...).

    Examples
    --------
    >>> tl = Timeline(values=[0, 1, 2, 3], hop_s=0.5, name="x")
    >>> tl.duration_s
    2.0
    >>> tl.resample(hop_s=1.0).values.tolist()
    [0.5, 2.5]
    """

    values: NDArray[np.floating[Any]]
    hop_s: float
    start_s: float = 0.0
    name: str = field(default="")

    def __post_init__(self) -> None:
        arr = np.array(self.values, dtype=np.float32, copy=True)
        if arr.ndim != 1:
            raise InvalidParameterError(
                f"Timeline values must be 1-D. Got an array of shape {arr.shape} instead."
            )
        if np.isinf(arr).any():
            raise InvalidParameterError(
                f"Timeline {self.name!r} values must be finite or NaN. Got ±inf instead."
            )
        arr.setflags(write=False)
        hop = check_positive("hop_s", "Timeline", self.hop_s)
        start = float(self.start_s)
        if not np.isfinite(start):
            raise fail("start_s", "Timeline", "a finite number", self.start_s)
        object.__setattr__(self, "values", arr)
        object.__setattr__(self, "hop_s", hop)
        object.__setattr__(self, "start_s", start)

    @classmethod
    def _trusted(
        cls, values: NDArray[np.float32], hop_s: float, start_s: float, name: str
    ) -> Timeline:
        """Wrap a float32 array the library built itself, skipping copy and checks."""
        out = object.__new__(cls)
        values.setflags(write=False)
        object.__setattr__(out, "values", values)
        object.__setattr__(out, "hop_s", float(hop_s))
        object.__setattr__(out, "start_s", float(start_s))
        object.__setattr__(out, "name", name)
        return out

    # ------------------------------------------------------------------ properties
    @property
    def n(self) -> int:
        """Number of hops."""
        return int(self.values.shape[0])

    @property
    def duration_s(self) -> float:
        """Covered duration in seconds (``n * hop_s``)."""
        return self.n * self.hop_s

    @property
    def end_s(self) -> float:
        """End of the last hop, in seconds."""
        return self.start_s + self.n * self.hop_s

    def times(self) -> NDArray[np.float64]:
        """Start time of each hop, in seconds (``float64``, shape ``(n,)``)."""
        return self.start_s + np.arange(self.n, dtype=np.float64) * self.hop_s

    def centers(self) -> NDArray[np.float64]:
        """Centre time of each hop, in seconds (``float64``, shape ``(n,)``)."""
        return self.start_s + (np.arange(self.n, dtype=np.float64) + 0.5) * self.hop_s

    def index_of(self, t_s: float) -> int:
        """Index of the hop containing time ``t_s``, clipped to ``[0, n - 1]``."""
        i = int(np.floor((t_s - self.start_s) / self.hop_s + 1e-9))
        return min(max(i, 0), max(self.n - 1, 0))

    def value_at(self, t_s: float) -> float:
        """Value of the hop containing ``t_s`` (NaN outside the timeline)."""
        if self.n == 0 or t_s < self.start_s or t_s >= self.end_s:
            return float("nan")
        return float(self.values[self.index_of(t_s)])

    # ------------------------------------------------------------------ transforms
    def with_values(self, values: ArrayLike, *, name: str | None = None) -> Timeline:
        """Return a timeline on the same grid with new ``values`` (same length)."""
        arr = np.asarray(values)
        if arr.shape != self.values.shape:
            raise TimelineMismatchError(
                f"with_values needs {self.n} values. Got shape {arr.shape} instead."
            )
        return Timeline(
            values=arr, hop_s=self.hop_s, start_s=self.start_s,
            name=self.name if name is None else name,
        )

    def shift(self, offset_s: float) -> Timeline:
        """Return the same values moved by ``offset_s`` seconds (negative = earlier)."""
        return Timeline(
            values=self.values, hop_s=self.hop_s, start_s=self.start_s + float(offset_s),
            name=self.name,
        )

    def on_grid(
        self, *, hop_s: float, start_s: float, n: int, how: Resample = "mean"
    ) -> Timeline:
        """Re-express the signal on the grid ``start_s + i * hop_s``, ``i < n``.

        Parameters
        ----------
        hop_s : float
            Target hop in seconds.
        start_s : float
            Target start in seconds.
        n : int
            Number of target hops.
        how : {"mean", "sum", "max", "interp"}
            ``"mean"``: time-weighted mean of the overlapped source hops (levels such
            as dB or distances).  ``"sum"``: overlap-weighted sum (counts such as
            messages).  ``"max"``: maximum over the overlapped hops (peaks).
            ``"interp"``: linear interpolation between hop centres.

        Returns
        -------
        Timeline
            Target hops not overlapping any covered source hop are ``NaN``
            (``0`` for ``"sum"``).
        """
        hop = check_positive("hop_s", "Timeline.on_grid", hop_s)
        check_choice("how", "Timeline.on_grid", how, _HOWS)
        if n < 0:
            raise fail("n", "Timeline.on_grid", "an integer >= 0", n)
        if self._same_grid(hop, start_s) and n == self.n:
            return self
        edges = float(start_s) + np.arange(n + 1, dtype=np.float64) * hop
        out = _regrid(self.values, self.hop_s, self.start_s, edges, how)
        return Timeline(values=out, hop_s=hop, start_s=float(start_s), name=self.name)

    def resample(self, *, hop_s: float, how: Resample = "mean") -> Timeline:
        """Return the signal at a new hop over the same span (see :meth:`on_grid`)."""
        hop = check_positive("hop_s", "Timeline.resample", hop_s)
        n = int(np.ceil(self.duration_s / hop - 1e-9)) if self.n else 0
        return self.on_grid(hop_s=hop, start_s=self.start_s, n=n, how=how)

    def crop(self, start_s: float, end_s: float) -> Timeline:
        """Return the hops that overlap ``[start_s, end_s)``, keeping the grid.

        Raises
        ------
        InvalidParameterError
            If ``end_s < start_s``.
        """
        if end_s < start_s:
            raise fail("end_s", "Timeline.crop", f">= start_s ({start_s})", end_s)
        i0 = int(np.floor((start_s - self.start_s) / self.hop_s + 1e-9))
        i1 = int(np.ceil((end_s - self.start_s) / self.hop_s - 1e-9))
        i0, i1 = min(max(i0, 0), self.n), min(max(i1, 0), self.n)
        i1 = max(i1, i0)
        return Timeline(
            values=self.values[i0:i1], hop_s=self.hop_s,
            start_s=self.start_s + i0 * self.hop_s, name=self.name,
        )

    def _same_grid(self, hop_s: float, start_s: float) -> bool:
        return abs(hop_s - self.hop_s) < _EPS_S and abs(start_s - self.start_s) < _EPS_S

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return (
            f"Timeline(name={self.name!r}, n={self.n}, hop_s={self.hop_s:g}, "
            f"start_s={self.start_s:g}, end_s={self.end_s:g})"
        )


def _regrid(
    values: NDArray[np.float32],
    src_hop: float,
    src_start: float,
    edges: NDArray[np.float64],
    how: str,
) -> NDArray[np.float32]:
    """Vectorised re-gridding of a piecewise-constant signal onto bin ``edges``."""
    n_out = edges.shape[0] - 1
    n = values.shape[0]
    if n_out <= 0:
        return np.zeros(0, dtype=np.float32)
    if n == 0:
        fill = 0.0 if how == "sum" else np.nan
        return np.full(n_out, fill, dtype=np.float32)
    v = values.astype(np.float64)
    valid = ~np.isnan(v)
    if how == "interp":
        centers = src_start + (np.arange(n) + 0.5) * src_hop
        tgt = 0.5 * (edges[:-1] + edges[1:])
        if not valid.any():
            return np.full(n_out, np.nan, dtype=np.float32)
        out = np.interp(tgt, centers[valid], v[valid])
        outside = (tgt < src_start) | (tgt >= src_start + n * src_hop)
        out[outside] = np.nan
        return out.astype(np.float32)
    # Position of each edge in source-hop units, clipped to the covered span.
    pos = np.clip((edges - src_start) / src_hop, 0.0, float(n))
    if how == "max":
        lo = np.floor(pos[:-1] + 1e-9).astype(np.int64)
        hi = np.ceil(pos[1:] - 1e-9).astype(np.int64)
        hi = np.maximum(hi, lo)
        padded = np.append(np.where(valid, v, -np.inf), -np.inf)
        idx = np.empty(2 * n_out, dtype=np.int64)
        idx[0::2] = np.minimum(lo, n)
        idx[1::2] = np.minimum(hi, n)
        red = np.maximum.reduceat(padded, idx)[0::2]
        red[hi <= lo] = -np.inf
        red[~np.isfinite(red)] = np.nan
        return red.astype(np.float32)
    # "mean" / "sum": differences of the cumulative integral (in hop units).
    v0 = np.where(valid, v, 0.0)
    cum = np.concatenate(([0.0], np.cumsum(v0)))
    wcum = np.concatenate(([0.0], np.cumsum(valid.astype(np.float64))))
    k = np.minimum(np.floor(pos).astype(np.int64), n - 1)
    frac = pos - k
    integ = cum[k] + frac * v0[k]
    cover = wcum[k] + frac * valid[k]
    total = np.diff(integ)
    covered = np.diff(cover)
    if how == "sum":
        out32: NDArray[np.float32] = total.astype(np.float32)
        return out32
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(covered > 1e-9, total / np.where(covered > 1e-9, covered, 1.0), np.nan)
    return out.astype(np.float32)


def align(
    timelines: Mapping[str, Timeline] | list[Timeline],
    *,
    hop_s: float | None = None,
    start_s: float = 0.0,
    end_s: float | None = None,
    how: Mapping[str, Resample] | Resample = "mean",
) -> dict[str, Timeline]:
    """Put several timelines on one common grid.

    Parameters
    ----------
    timelines : mapping of name to Timeline, or list of Timeline
        The signals; a list is keyed by each timeline's ``name``.
    hop_s : float, optional
        Common hop in seconds; default: the smallest hop among the inputs.
    start_s : float, default 0.0
        Start of the common grid, in seconds.
    end_s : float, optional
        End of the common grid; default: the latest end among the inputs.
    how : str or mapping of name to str, default "mean"
        How each signal is re-gridded (see :meth:`Timeline.on_grid`).

    Returns
    -------
    dict of str to Timeline
        Every timeline with the same ``hop_s``, ``start_s`` and length; hops a
        signal does not cover are ``NaN``.

    Raises
    ------
    InvalidParameterError
        If there is nothing to align and no ``hop_s``/``end_s`` is given.
    """
    items = dict(timelines) if isinstance(timelines, Mapping) else {t.name: t for t in timelines}
    if hop_s is None:
        if not items:
            raise fail("timelines", "align", "non-empty when hop_s is not given", timelines)
        hop_s = min(t.hop_s for t in items.values())
    hop = check_positive("hop_s", "align", hop_s)
    if end_s is None:
        if not items:
            raise fail("timelines", "align", "non-empty when end_s is not given", timelines)
        end_s = max(t.end_s for t in items.values())
    n = max(int(np.ceil((end_s - start_s) / hop - 1e-9)), 0)
    out: dict[str, Timeline] = {}
    for key, tl in items.items():
        mode = how[key] if isinstance(how, Mapping) else how
        out[key] = tl.on_grid(hop_s=hop, start_s=start_s, n=n, how=mode)
    return out


def common_grid(timelines: Mapping[str, Timeline], caller: str) -> Timeline:
    """Return the first timeline after checking that every one shares its grid.

    Raises
    ------
    InvalidParameterError
        If ``timelines`` is empty or holds something that is not a Timeline.
    TimelineMismatchError
        If the hops, starts or lengths differ.
    """
    if not isinstance(timelines, Mapping) or not timelines:
        raise fail("timelines", caller, "a non-empty mapping of str to Timeline", timelines)
    for key, tl in timelines.items():
        if not isinstance(tl, Timeline):
            raise fail(f"timelines[{key!r}]", caller, "a Timeline", type(tl).__name__)
    first = next(iter(timelines.values()))
    for key, tl in timelines.items():
        if tl.n != first.n or not tl._same_grid(first.hop_s, first.start_s):
            raise TimelineMismatchError(
                f"{caller} needs timelines on one grid; {key!r} is {tl!r} but the first is "
                f"{first!r}. Put them on one grid with highlights.align(...)."
            )
    return first
