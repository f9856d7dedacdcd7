"""Fusion: every signal's Timeline -> one score Timeline.

Each signal becomes a robust z-score against a rolling median/MAD baseline, is
clipped, smoothed and weighted; the weighted sum is the score, and each signal's
weighted part is kept so every clip can be explained.

* :func:`fuse`, :func:`fuse_detail`, :func:`robust_normalize`, :data:`DEFAULT_WEIGHTS`
  (:mod:`.score`);
* :func:`weights_for_genre`, :func:`resolve_weights` (:mod:`.genre`): genre presets.
"""

from __future__ import annotations

from .genre import GENRES, resolve_weights, weights_for_genre
from .score import DEFAULT_WEIGHTS, Fusion, fuse, fuse_detail, robust_normalize

__all__ = ["DEFAULT_WEIGHTS", "Fusion", "fuse", "fuse_detail", "robust_normalize", "GENRES",
           "resolve_weights", "weights_for_genre"]
