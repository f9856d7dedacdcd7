"""Learning from labels: a per-hop highlight model and fitted fusion weights.

* :class:`HighlightModel` (:mod:`.model`): a scikit-learn-style classifier of hops,
  usable as ``find_highlights(model=...)``;
* :func:`timeline_features`, :func:`span_labels` (:mod:`.features`): what it learns
  from;
* :func:`fit_weights`, :func:`fit_genre_presets` (:mod:`.fit`): non-negative fusion
  weights from labelled recordings, and the shipped genre presets.
"""

from __future__ import annotations

from .features import feature_names, span_labels, timeline_features
from .fit import fit_genre_presets, fit_weights
from .model import ESTIMATORS, HighlightModel

__all__ = ["HighlightModel", "ESTIMATORS", "timeline_features", "feature_names", "span_labels",
           "fit_weights", "fit_genre_presets"]
