"""Presets: named parameter sets for the jobs users do with one replay.

=========  ==================================================================
``reel``   a 3-5 minute best-of: clips of 20-60 s, at least 60 s apart, chosen
           by an exact knapsack to total 180-300 s, played chronologically (when
           the stream cannot fill 180 s, a :class:`~highlights.BudgetWarning` says
           what was reachable and why).
``shorts`` standalone 15-60 s clips for short-video platforms, best first.
``teaser`` a fast opening montage: the top moments at 2-4 s each, <= 20 s total,
           best first.
``chapters`` the whole stream split into titled chapters that obey YouTube's rules
           (first at 0:00, at least 3, each at least 10 s).
=========  ==================================================================

A preset is data (:class:`Preset`), not separate code: it fills the selection
parameters of :func:`highlights.find_highlights` that the caller did not give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._validate import check_choice

__all__ = ["Preset", "PRESETS", "get_preset"]


@dataclass(frozen=True)
class Preset:
    """A named set of selection parameters.

    Attributes
    ----------
    name : str
        Preset name.
    description : str
        One line for help texts.
    pick : dict
        Parameters of :func:`highlights.pick_clips` (``n``, ``min_len_s``, ...).
    budget_s : (float, float) or None
        Total-length budget ``(min, max)`` in seconds for :func:`highlights.select_budget`.
    snap : bool
        Snap clip edges to scene cuts and pauses.
    chapters : bool
        Split the whole stream into chapters instead of picking clips.
    """

    name: str
    description: str
    pick: dict[str, Any] = field(default_factory=dict)
    budget_s: tuple[float, float] | None = None
    snap: bool = True
    chapters: bool = False


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "reel", "3-5 minute best-of reel, chronological",
            pick={"n": 40, "min_len_s": 20.0, "max_len_s": 60.0, "pad_s": (5.0, 3.0),
                  "min_gap_s": 60.0, "order": "time"},
            budget_s=(180.0, 300.0),
        ),
        Preset(
            "shorts", "standalone 15-60 s clips for short-video platforms",
            pick={"n": 10, "min_len_s": 15.0, "max_len_s": 60.0, "pad_s": (4.0, 2.0),
                  "min_gap_s": 30.0, "order": "rank"},
        ),
        Preset(
            "teaser", "opening montage of the top moments, 2-4 s each, <= 20 s",
            pick={"n": 12, "min_len_s": 2.0, "max_len_s": 4.0, "pad_s": (1.5, 0.5),
                  "min_gap_s": 20.0, "order": "rank", "rel_level": 0.8},
            budget_s=(0.0, 20.0), snap=False,
        ),
        Preset(
            "chapters", "the whole stream as titled chapters (YouTube rules)",
            pick={"order": "time"}, chapters=True, snap=False,
        ),
    )
}


def get_preset(name: str) -> Preset:
    """Return the preset called ``name``.

    Raises
    ------
    InvalidParameterError
        For an unknown name (the message lists the known ones).
    """
    check_choice("preset", "find_highlights", name, tuple(PRESETS))
    return PRESETS[name]
