"""Deprecated location of :class:`~highlights.learn.HighlightModel`.

``highlights.model`` moved to :mod:`highlights.learn`; this module re-exports it for
one release and warns.
"""

from __future__ import annotations

import warnings

from .learn.features import feature_names, span_labels, timeline_features
from .learn.model import ESTIMATORS, MODEL_FORMAT, MODEL_VERSION, HighlightModel

__all__ = ["HighlightModel", "ESTIMATORS", "MODEL_FORMAT", "MODEL_VERSION", "timeline_features",
           "feature_names", "span_labels"]

warnings.warn(
    "highlights.model moved to highlights.learn (from highlights.learn import HighlightModel); "
    "the old path will be removed in a future release.",
    DeprecationWarning,
    stacklevel=2,
)
