"""From a fused score to the final clips: pick -> snap -> budget, or chapters.

:func:`resolve_selection` merges a preset with the caller's explicit parameters;
:func:`select_clips` runs the selection.  Both ``find_highlights`` and
``Highlights.repick`` go through here, so a re-pick behaves exactly like a fresh run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._validate import check_choice, check_int, check_nonneg, check_positive, fail
from ..errors import BudgetWarning
from ..fusion.score import AGREEMENT_Z
from ..timeline import Timeline
from ..types import Clip
from .budget import select_budget
from .chapters import make_chapters
from .peaks import as_pad, pick_clips
from .presets import get_preset
from .snap import snap_clips

__all__ = ["Selection", "resolve_selection", "select_clips", "budget_shortfall",
           "SELECTION_DEFAULTS", "ORDERS"]

#: Length resolution of the budget knapsack, seconds.
_BUDGET_RES_S = 0.5
#: Reaction evidence (z) a clip's peak needs when evidence is known: the level at which
#: the agreement gate starts giving action credit.
MIN_EVIDENCE_Z = AGREEMENT_Z[0]
#: Orders of ``result.clips``: best first, or chronological.
ORDERS = ("rank", "time")
#: Library defaults of the selection parameters (used when neither the caller nor a
#: preset sets one).
SELECTION_DEFAULTS: dict[str, Any] = {
    "n": 10,
    "min_len_s": 15.0,
    "max_len_s": 90.0,
    "pad_s": (5.0, 3.0),
    "min_gap_s": 10.0,
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

    Every value is checked here, so :func:`highlights.find_highlights` rejects a bad
    selection before it decodes anything.

    Raises
    ------
    InvalidParameterError
        For an unknown preset or parameter name, a bad value (e.g. ``n < 0``, a
        non-positive length, ``min_len_s > max_len_s``, an unknown ``order``), or a
        malformed ``budget_s``.
    """
    values = dict(SELECTION_DEFAULTS)
    if preset is not None:
        p = get_preset(preset)
        values.update(p.pick)
        values.update({"budget_s": p.budget_s, "snap": p.snap, "chapters": p.chapters})
    explicit: set[str] = set()
    for key, val in given.items():
        if key not in SELECTION_DEFAULTS:
            raise fail(key, caller, f"one of {', '.join(SELECTION_DEFAULTS)}", val)
        if val is not None:
            values[key] = val
            explicit.add(key)
    n = check_int("n", caller, values["n"], minimum=0)
    min_len = check_positive("min_len_s", caller, values["min_len_s"])
    max_len = check_positive("max_len_s", caller, values["max_len_s"])
    if min_len > max_len:
        # Blame the value the caller gave; name the preset when the other bound is its.
        origin = f", the {preset!r} preset's" if preset is not None else ""
        if "min_len_s" in explicit and "max_len_s" not in explicit:
            raise fail("min_len_s", caller, f"<= max_len_s ({max_len:g}{origin})",
                       values["min_len_s"])
        if "min_len_s" in explicit:
            origin = ""
        raise fail("max_len_s", caller, f">= min_len_s ({min_len:g}{origin})",
                   values["max_len_s"])
    gap = check_nonneg("min_gap_s", caller, values["min_gap_s"])
    threshold = values["threshold"]
    if (isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number))
            or not np.isfinite(threshold)):
        raise fail("threshold", caller, "a finite number", threshold)
    rel = check_nonneg("rel_level", caller, values["rel_level"])
    check_choice("order", caller, values["order"], ORDERS)
    budget = values["budget_s"]
    if budget is not None:
        if isinstance(budget, (int, float, np.number)) and not isinstance(budget, bool):
            budget = (0.0, budget)
        try:
            lo_s, hi_s = (float(b) for b in budget)
        except (TypeError, ValueError):
            lo_s = hi_s = math.nan
        if not (math.isfinite(lo_s) and math.isfinite(hi_s) and 0 <= lo_s <= hi_s
                and hi_s > 0):
            raise fail("budget_s", caller,
                       "a total length in seconds (> 0) or a (min, max) pair",
                       values["budget_s"])
        budget = (lo_s, hi_s)
    return Selection(
        n=n, min_len_s=min_len, max_len_s=max_len, pad_s=as_pad(values["pad_s"], caller),
        min_gap_s=gap, threshold=float(threshold), order=values["order"], rel_level=rel,
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
    notes: list[str] | None = None,
    evidence: Timeline | None = None,
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
    notes : list of str, optional
        Receives a note when the clips cannot reach the minimum of ``sel.budget_s``
        (the same text is issued as a :class:`~highlights.errors.BudgetWarning`), or
        when fewer than ``sel.n`` moments had a reaction to vouch for them.
    evidence : Timeline, optional
        Reaction evidence near each hop (:attr:`highlights.fusion.Fusion.evidence`):
        a clip's peak needs at least :data:`MIN_EVIDENCE_Z` of it, so a stretch that
        merely scores above its baseline, with nobody reacting, is not offered as a
        moment just to fill ``n``.

    Returns
    -------
    list of Clip

    Warns
    -----
    BudgetWarning
        When the chosen clips total less than the budget's minimum: the message says
        what total was reachable and why (the stream's length, how many moments
        qualified, or no combination fitting the range).
    """
    cuts = np.asarray(cuts_s, dtype=np.float64)
    if sel.chapters:
        return make_chapters(score, cuts_s=cuts, components=components, keywords=keywords,
                             duration_s=duration_s)
    clips = pick_clips(
        score, n=sel.n, min_len_s=sel.min_len_s, max_len_s=sel.max_len_s, pad_s=sel.pad_s,
        min_gap_s=sel.min_gap_s, threshold=sel.threshold, rel_level=sel.rel_level,
        components=components, order="rank", duration_s=duration_s,
        evidence=evidence, min_evidence=MIN_EVIDENCE_Z,
    )
    if evidence is not None and notes is not None and len(clips) < sel.n:
        notes.append(f"{len(clips)} clip(s): only {len(clips)} moment(s) had a reaction that "
                     f"stood out (voice or chat z >= {MIN_EVIDENCE_Z:g}) for {sel.n} asked.")
    if sel.snap and clips:
        clips = snap_clips(
            clips, cuts_s=cuts, energy=energy,
            duration_s=score.end_s if duration_s is None else duration_s,
            min_len_s=sel.min_len_s, max_len_s=sel.max_len_s, min_gap_s=sel.min_gap_s,
        )
    if sel.budget_s is not None:
        chosen = select_budget(clips, min_total_s=sel.budget_s[0],
                               max_total_s=sel.budget_s[1], order=sel.order,
                               resolution_s=_BUDGET_RES_S) if clips else []
        span = score.end_s - score.start_s if duration_s is None else float(duration_s)
        message = budget_shortfall(chosen, clips, sel, span_s=span)
        if message is not None:
            from ..io.media import warn_user

            if notes is not None:
                notes.append(message)
            warn_user(message, BudgetWarning)
        return chosen
    if sel.order == "time":
        clips.sort(key=lambda c: c.start_s)
    return clips


def budget_shortfall(
    chosen: Sequence[Clip], candidates: Sequence[Clip], sel: Selection, *, span_s: float
) -> str | None:
    """Why ``chosen`` totals less than the minimum of ``sel.budget_s`` (None if it does not).

    Parameters
    ----------
    chosen : sequence of Clip
        What :func:`~highlights.selection.budget.select_budget` returned.
    candidates : sequence of Clip
        The clips it chose from.
    sel : Selection
        The selection (budget, lengths, gap, threshold, preset).
    span_s : float
        Length of the analysed stream, seconds.

    Returns
    -------
    str or None
        One sentence: the budget, the total reached, and the reasons.
    """
    if sel.budget_s is None:
        return None
    lo, hi = sel.budget_s
    # The knapsack counts lengths rounded up to its resolution: "met" means met there.
    steps = sum(math.ceil(c.duration_s / _BUDGET_RES_S - 1e-9) for c in chosen)
    if lo <= 0 or steps * _BUDGET_RES_S >= lo - 1e-9:
        return None
    total = sum(c.duration_s for c in chosen)
    pool = sum(c.duration_s for c in candidates)
    k = len(candidates)
    lengths = f"clips of {sel.min_len_s:g}-{sel.max_len_s:g} s"
    reasons = []
    if span_s < lo:
        short = (f", shorter than min_len_s ({sel.min_len_s:g} s)"
                 if span_s < sel.min_len_s else "")
        reasons.append(f"the stream is {span_s:.0f} s long{short}")
    if pool < lo and span_s >= sel.min_len_s:
        if k >= sel.n:
            reasons.append(f"n={sel.n} {lengths} give {pool:.0f} s at most")
        else:
            moments = "moment scores" if k == 1 else "moments score"
            reasons.append(
                f"only {k} {moments} above the threshold ({sel.threshold:g}) at least "
                f"{sel.min_gap_s:g} s apart ({lengths}, {pool:.0f} s in all)"
            )
    if not reasons:
        reasons.append(f"no combination of the {k} candidate clips ({pool:.0f} s in all) "
                       f"totals {lo:g}-{hi:g} s")
    what = (f"The {sel.preset!r} preset aims at" if sel.preset is not None
            else "budget_s asks for")
    return (f"{what} {lo:g}-{hi:g} s of clips, but only {total:.0f} s was reachable: "
            + ", and ".join(reasons) + ".")
