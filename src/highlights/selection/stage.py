"""From a fused score to the final clips: pick -> snap -> budget, or chapters.

:func:`resolve_selection` merges a preset with the caller's explicit parameters;
:func:`select_clips` runs the selection.  Both ``find_highlights`` and
``Highlights.repick`` go through here, so a re-pick behaves exactly like a fresh run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._validate import check_choice, fail
from ..timeline import Timeline
from ..types import Clip
from .budget import select_budget
from .chapters import make_chapters
from .peaks import as_pad, pick_clips
from .presets import get_preset
from .snap import snap_clips

__all__ = ["Selection", "resolve_selection", "select_clips", "SELECTION_DEFAULTS", "ORDERS"]

#: Orders of ``result.clips``: best first, or chronological.
ORDERS = ("rank", "time")
#: Library defaults of the selection parameters (used when neither the caller nor a
#: preset sets one).
SELECTION_DEFAULTS: dict[str, Any] = {
    "n": 10,
    "min_len_s": 15.0,
    "max_len_s": 90.0,
    "pad_s": (5.0, 3.0),
    "min_gap_s": 30.0,
    "threshold": 0.0,
    "order": "rank",
    "rel_level": 0.5,
    "budget_s": None,
    "snap": True,
    "chapters": False,
}


@dataclass(frozen=True)
class Selection:
    """Resolved selection parameters (see :func:`highlights.find_highlights`)."""

    n: int
    min_len_s: float
    max_len_s: float
    pad_s: tuple[float, float]
    min_gap_s: float
    threshold: float
    order: str
    rel_level: float
    budget_s: tuple[float, float] | None
    snap: bool
    chapters: bool
    preset: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the parameters."""
        return asdict(self)


def resolve_selection(
    preset: str | None = None, *, caller: str = "find_highlights", **given: Any
) -> Selection:
    """Merge library defaults < preset values < explicitly given (non-None) values.

    Raises
    ------
    InvalidParameterError
        For an unknown preset or parameter name, or a malformed ``budget_s``.
    """
    values = dict(SELECTION_DEFAULTS)
    if preset is not None:
        p = get_preset(preset)
        values.update(p.pick)
        values.update({"budget_s": p.budget_s, "snap": p.snap, "chapters": p.chapters})
    for key, val in given.items():
        if key not in SELECTION_DEFAULTS:
            raise fail(key, caller, f"one of {', '.join(SELECTION_DEFAULTS)}", val)
        if val is not None:
            values[key] = val
    check_choice("order", caller, values["order"], ORDERS)
    budget = values["budget_s"]
    if budget is not None:
        if isinstance(budget, (int, float)):
            budget = (0.0, float(budget))
        if len(budget) != 2 or not 0 <= budget[0] <= budget[1]:
            raise fail("budget_s", caller,
                       "a total length in seconds or a (min, max) pair", values["budget_s"])
        budget = (float(budget[0]), float(budget[1]))
    return Selection(
        n=values["n"], min_len_s=values["min_len_s"], max_len_s=values["max_len_s"],
        pad_s=as_pad(values["pad_s"], caller), min_gap_s=values["min_gap_s"],
        threshold=values["threshold"], order=values["order"], rel_level=values["rel_level"],
        budget_s=budget, snap=bool(values["snap"]), chapters=bool(values["chapters"]),
        preset=preset,
    )


def select_clips(
    score: Timeline,
    sel: Selection,
    *,
    components: Mapping[str, Timeline] | None = None,
    energy: Timeline | None = None,
    cuts_s: ArrayLike = (),
    keywords: Callable[[float, float], Sequence[str]] | None = None,
    duration_s: float | None = None,
) -> list[Clip]:
    """Select clips from ``score`` as ``sel`` says.

    Parameters
    ----------
    score : Timeline
        The fused score.
    sel : Selection
        Resolved parameters.
    components : mapping of str to Timeline, optional
        Per-signal score components (for contributions).
    energy : Timeline, optional
        Audio loudness, for snapping edges to pauses.
    cuts_s : array_like of float
        Hard cuts, for snapping edges and chapter boundaries.
    keywords : callable, optional
        ``keywords(start_s, end_s)`` -> chat reactions (chapter titles).
    duration_s : float, optional
        Media length; no clip ends after it (default: the score's end).

    Returns
    -------
    list of Clip
    """
    cuts = np.asarray(cuts_s, dtype=np.float64)
    if sel.chapters:
        return make_chapters(score, cuts_s=cuts, components=components, keywords=keywords,
                             duration_s=duration_s)
    clips = pick_clips(
        score, n=sel.n, min_len_s=sel.min_len_s, max_len_s=sel.max_len_s, pad_s=sel.pad_s,
        min_gap_s=sel.min_gap_s, threshold=sel.threshold, rel_level=sel.rel_level,
        components=components, order="rank", duration_s=duration_s,
    )
    if sel.snap and clips:
        clips = snap_clips(
            clips, cuts_s=cuts, energy=energy,
            duration_s=score.end_s if duration_s is None else duration_s,
            min_len_s=sel.min_len_s, max_len_s=sel.max_len_s, min_gap_s=sel.min_gap_s,
        )
    if sel.budget_s is not None and clips:
        return select_budget(clips, min_total_s=sel.budget_s[0], max_total_s=sel.budget_s[1],
                             order=sel.order)
    if sel.order == "time":
        clips.sort(key=lambda c: c.start_s)
    return clips
