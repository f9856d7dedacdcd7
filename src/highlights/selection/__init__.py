"""Selection: a fused score -> clips.  One verb per step.

* *pick* peaks (:func:`pick_clips`, :mod:`.peaks`): best-first peaks grown to where
  the score halves, padded and fitted to the length bounds;
* *snap* edges (:func:`snap_clips`, :mod:`.snap`) to scene cuts and audio pauses;
* *budget* (:func:`select_budget`, :mod:`.budget`): the best set under a total length
  (exact knapsack);
* chapters (:func:`make_chapters`, :mod:`.chapters`) and named presets
  (:data:`PRESETS`, :mod:`.presets`);
* the stage as a whole (:func:`select_clips`, :mod:`.stage`): what
  ``find_highlights`` and ``Highlights.repick`` both run.
"""

from __future__ import annotations

from .budget import select_budget
from .chapters import make_chapters
from .peaks import pick_clips
from .presets import PRESETS, Preset, get_preset
from .snap import snap_clips
from .stage import SELECTION_DEFAULTS, Selection, resolve_selection, select_clips

__all__ = ["pick_clips", "snap_clips", "select_budget", "make_chapters", "PRESETS", "Preset",
           "get_preset", "Selection", "SELECTION_DEFAULTS", "resolve_selection", "select_clips"]
