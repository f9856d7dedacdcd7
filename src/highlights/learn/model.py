"""Learned fusion: a per-hop highlight classifier trained on reference spans.

:class:`HighlightModel` follows the scikit-learn estimator conventions
(``__init__`` stores parameters, ``fit`` returns ``self``, learned attributes end in
``_``, ``get_params``/``set_params``, ``predict_proba``/``predict``/``score``), so it
can be cloned, grid-searched and cross-validated with scikit-learn tools.

Features
    Every signal is normalised exactly as :func:`highlights.fusion.fuse_detail` does
    (:func:`highlights.fusion.robust_normalize`: a rolling robust z-score, clipped; NaN
    hops become 0), then each z-score gives ``1 + len(context_s) + (lead_s > 0)``
    columns: the value itself, its centred means over ``±w`` seconds for each ``w``
    in ``context_s``, and its mean over the ``lead_s`` seconds *after* the hop (a
    reaction, such as chat, that trails the action).
Labels
    Reference spans (a team's published clips, viewer clip timestamps) become 1 on
    the hops whose centre lies inside a span, 0 elsewhere; a Timeline (for example a
    thresholded most-replayed curve) is read as 1 where its value is > 0.
Estimators
    ``"logistic"`` (default): :class:`sklearn.linear_model.LogisticRegression`.  The
    model is linear in the features, so the contribution of a signal to a hop's
    log-odds is the sum of its features' ``coef x value``: every clip is explained.
    ``"gradient_boosting"``: :class:`sklearn.ensemble.GradientBoostingClassifier`;
    its trees are copied into plain arrays and evaluated in numpy, and a signal's
    contribution is the sum of the changes of the node values along each tree path
    at splits on its features (Saabas attribution, which adds up to the log-odds).
    Both handle class imbalance with balanced sample weights (``class_weight``).

scikit-learn is needed by ``fit`` only: a fitted (or loaded) model predicts with
numpy alone.  Models are saved as JSON (parameters and arrays as numbers), never as
pickles, and :meth:`HighlightModel.load` validates the schema before using a file.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._atomic import atomic_write_text
from .._validate import check_choice, check_int, check_nonneg, check_positive, fail
from .._window import moving_average
from ..errors import InvalidParameterError, ModelFileError, NotFittedError
from ..fusion.score import Fusion
from ..timeline import Timeline, common_grid
from .features import feature_names, span_labels, timeline_features

__all__ = [
    "HighlightModel",
    "ModelFileError",
    "ESTIMATORS",
]

log = logging.getLogger(__name__)

#: Estimators :class:`HighlightModel` can fit.
ESTIMATORS = ("logistic", "gradient_boosting")
#: Value of the ``"format"`` field of a saved model file.
MODEL_FORMAT = "highlights.HighlightModel"
#: Version of the saved model schema this code writes and reads.
MODEL_VERSION = 1
# Rows per block when evaluating boosted trees.
_TREE_BLOCK = 8192
# Saved files larger than this are refused before parsing (bytes).
_MAX_FILE_BYTES = 64 * 1024 * 1024

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


# =============================================================================== trees
def _tree_arrays(gb: Any) -> dict[str, Any]:
    """Copy a fitted GradientBoostingClassifier's trees into flat numpy arrays.

    Internal node values are recomputed as the weighted mean of their children (the
    leaves are what the booster predicts), so that per-feature path deltas add up
    exactly to each leaf value (Saabas attribution).
    """
    lr = float(gb.learning_rate)
    feats, thrs, lefts, rights, vals, roots = [], [], [], [], [], []
    offset = 0
    max_depth = 0
    for est in gb.estimators_[:, 0]:
        t = est.tree_
        left = t.children_left.astype(np.int64)
        right = t.children_right.astype(np.int64)
        leaf = left < 0
        value = t.value.reshape(t.node_count, -1)[:, 0].astype(np.float64) * lr
        weight = t.weighted_n_node_samples.astype(np.float64)
        # children always follow their parent (pre-order), so a backward pass fills
        # every internal node from already final children (few nodes per tree).
        for i in range(t.node_count - 1, -1, -1):
            if not leaf[i]:
                wl, wr = weight[left[i]], weight[right[i]]
                tot = wl + wr
                value[i] = (value[left[i]] * wl + value[right[i]] * wr) / tot if tot > 0 \
                    else 0.5 * (value[left[i]] + value[right[i]])
        feats.append(np.where(leaf, -1, t.feature).astype(np.int64))
        thrs.append(np.where(leaf, 0.0, t.threshold).astype(np.float64))
        lefts.append(np.where(leaf, -1, left + offset))
        rights.append(np.where(leaf, -1, right + offset))
        vals.append(value)
        roots.append(offset)
        offset += t.node_count
        max_depth = max(max_depth, int(t.max_depth))
    return {
        "feature": np.concatenate(feats), "threshold": np.concatenate(thrs),
        "left": np.concatenate(lefts), "right": np.concatenate(rights),
        "value": np.concatenate(vals), "roots": np.asarray(roots, dtype=np.int64),
        "max_depth": max_depth,
    }


def _tree_contributions(x: F32, trees: Mapping[str, Any]) -> tuple[F64, F64]:
    """Sum over trees of root values, and per-feature path deltas (n, n_features).

    Vectorised over rows and trees; the only loop is over the depth.
    """
    feature, threshold = trees["feature"], trees["threshold"]
    left, right, value = trees["left"], trees["right"], trees["value"]
    roots = trees["roots"]
    n, nf = x.shape
    base = np.full(n, float(value[roots].sum()))
    contrib = np.zeros(n * nf, dtype=np.float64)
    if n == 0 or roots.shape[0] == 0:
        return base, contrib.reshape(n, nf)
    node = np.broadcast_to(roots, (n, roots.shape[0])).copy()
    rows = np.arange(n)[:, None]
    for _ in range(int(trees["max_depth"])):
        f = feature[node]
        inner = f >= 0
        if not inner.any():
            break
        fx = np.where(inner, f, 0)
        go_left = x[rows, fx].astype(np.float64) <= threshold[node]
        nxt = np.where(inner, np.where(go_left, left[node], right[node]), node)
        delta = value[nxt] - value[node]
        keys = (rows * nf + fx)[inner]
        contrib += np.bincount(keys, weights=delta[inner], minlength=n * nf)
        node = nxt
    return base, contrib.reshape(n, nf)


# =============================================================================== the model
class HighlightModel:
    """Per-hop highlight classifier over the fused signals (learned fusion).

    Parameters
    ----------
    estimator : {"logistic", "gradient_boosting"}, default "logistic"
        The classifier.  Logistic regression explains each hop exactly as a sum of
        per-signal contributions; gradient boosting can learn interactions.
    signals : sequence of str, optional
        Signals to use, in order.  ``None``: every signal of the first recording
        given to :meth:`fit_timelines` (sorted by name), or generic names
        ``signal_0, ...`` when :meth:`fit` is called on a raw matrix.
    context_s : sequence of float, default (2.0, 10.0)
        Half-widths in seconds of the centred mean windows added per signal.
    lead_s : float, default 15.0
        Length in seconds of the window after each hop whose mean is added per
        signal (lagged reactions such as chat); 0 leaves it out.
    baseline_s : float or None, default 600.0
        Rolling baseline of the normalisation (see :func:`highlights.fusion.fuse_detail`).
    clip : (float, float), default (-2.0, 8.0)
        z-score bounds of the normalisation.
    smooth_s : float, default 3.0
        Moving average applied to the log-odds by :meth:`fuse`, seconds.
    class_weight : {"balanced"} or None, default "balanced"
        ``"balanced"`` weights each class inversely to its frequency (highlights are
        rare hops); ``None`` weights every hop alike.
    C : float, default 1.0
        Inverse L2 regularisation strength of the logistic regression.
    max_iter : int, default 1000
        Iterations of the logistic regression solver.
    n_estimators : int, default 100
        Trees of the gradient boosting.
    learning_rate : float, default 0.1
        Shrinkage of the gradient boosting.
    max_depth : int, default 3
        Depth of each boosted tree.
    subsample : float, default 1.0
        Fraction of hops each boosted tree sees, in (0, 1].
    random_state : int, default 0
        Seed of the gradient boosting.

    Attributes
    ----------
    signals_ : tuple of str
        Signals the model was fitted on.
    feature_names_ : list of str
        Names of the feature columns (see :func:`feature_names`).
    n_features_in_ : int
        Number of feature columns.
    classes_ : ndarray
        ``[0, 1]``.
    coef_ : ndarray of float64, shape (n_features_in_,)
        Logistic regression coefficients (``"logistic"`` only).
    intercept_ : float
        Log-odds offset: the logistic intercept, or the boosting's initial
        prediction plus the root values of its trees.
    trees_ : dict of str to ndarray
        Flattened boosted trees (``"gradient_boosting"`` only).
    signal_weights_ : dict of str to float
        Importance of each signal (>= 0): for the logistic model, the sum over its
        features of ``|coef| x`` the feature's standard deviation in the training
        data (how far the signal typically moves the log-odds); for boosting, the
        sum of its features' impurity importances.
    positive_rate_ : float
        Share of positive hops in the training data.

    Examples
    --------
    >>> from highlights.synth import make_signals
    >>> train = [make_signals(duration_s=900.0, seed=s, n_moments=4) for s in (1, 2)]
    >>> spans = [[(m.start_s, m.end_s) for m in moments] for _, moments in train]
    >>> model = HighlightModel().fit_timelines([s for s, _ in train], spans)  # doctest: +SKIP
    >>> fusion = model.fuse(make_signals(duration_s=900.0, seed=3)[0])  # doctest: +SKIP
    """

    def __init__(
        self,
        estimator: str = "logistic",
        *,
        signals: Sequence[str] | None = None,
        context_s: Sequence[float] = (2.0, 10.0),
        lead_s: float = 15.0,
        baseline_s: float | None = 600.0,
        clip: tuple[float, float] = (-2.0, 8.0),
        smooth_s: float = 3.0,
        class_weight: str | None = "balanced",
        C: float = 1.0,  # noqa: N803 - the scikit-learn name
        max_iter: int = 1000,
        n_estimators: int = 100,
        learning_rate: float = 0.1,
        max_depth: int = 3,
        subsample: float = 1.0,
        random_state: int = 0,
    ) -> None:
        self.estimator = estimator
        self.signals = signals
        self.context_s = context_s
        self.lead_s = lead_s
        self.baseline_s = baseline_s
        self.clip = clip
        self.smooth_s = smooth_s
        self.class_weight = class_weight
        self.C = C
        self.max_iter = max_iter
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.subsample = subsample
        self.random_state = random_state

    #: scikit-learn < 1.6 reads the estimator type from this attribute.
    _estimator_type = "classifier"

    def __sklearn_tags__(self) -> Any:
        """Estimator tags for scikit-learn >= 1.6 (a binary classifier, labels required)."""
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags(multi_class=False),
                    input_tags=InputTags(two_d_array=True))

    # ------------------------------------------------------------------ params
    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of the model, as given to ``__init__`` (scikit-learn convention).

        Parameters
        ----------
        deep : bool, default True
            Ignored (the model has no sub-estimators); kept for scikit-learn.

        Returns
        -------
        dict of str to object
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> HighlightModel:
        """Set parameters by name (scikit-learn convention); returns ``self``.

        Raises
        ------
        InvalidParameterError
            For a name that is not a parameter.
        """
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise fail(key, "HighlightModel.set_params", f"one of {', '.join(valid)}",
                           value)
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            k: p.default for k, p in inspect.signature(type(self).__init__).parameters.items()
            if k != "self"
        }
        shown = [f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults[k]]
        return f"HighlightModel({', '.join(shown)})"

    def _checked_params(self) -> dict[str, Any]:
        """Validate every parameter; return them in canonical (JSON-ready) form."""
        c = "HighlightModel"
        est = check_choice("estimator", c, self.estimator, ESTIMATORS)
        signals: list[str] | None = None
        if self.signals is not None:
            if isinstance(self.signals, str) or not all(
                    isinstance(s, str) for s in self.signals):
                raise fail("signals", c, "a sequence of signal names or None", self.signals)
            signals = list(self.signals)
            if len(set(signals)) != len(signals) or not signals:
                raise fail("signals", c, "a non-empty sequence of distinct names",
                           self.signals)
        if isinstance(self.context_s, (str, bytes)) or not isinstance(
                self.context_s, (Sequence, np.ndarray)):
            raise fail("context_s", c, "a sequence of seconds > 0", self.context_s)
        context = [check_positive("context_s", c, w) for w in self.context_s]
        lead = check_nonneg("lead_s", c, self.lead_s)
        baseline = None if self.baseline_s is None else check_positive(
            "baseline_s", c, self.baseline_s)
        try:
            lo, hi = (float(v) for v in self.clip)
        except (TypeError, ValueError):
            raise fail("clip", c, "a pair (low, high) with low < high", self.clip) from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise fail("clip", c, "a pair (low, high) with low < high", self.clip)
        if self.class_weight not in ("balanced", None):
            raise fail("class_weight", c, "'balanced' or None", self.class_weight)
        sub = check_positive("subsample", c, self.subsample)
        if sub > 1.0:
            raise fail("subsample", c, "a number in (0, 1]", self.subsample)
        return {
            "estimator": est, "signals": signals, "context_s": context, "lead_s": lead,
            "baseline_s": baseline, "clip": [lo, hi],
            "smooth_s": check_nonneg("smooth_s", c, self.smooth_s),
            "class_weight": self.class_weight, "C": check_positive("C", c, self.C),
            "max_iter": check_int("max_iter", c, self.max_iter, minimum=1),
            "n_estimators": check_int("n_estimators", c, self.n_estimators, minimum=1),
            "learning_rate": check_positive("learning_rate", c, self.learning_rate),
            "max_depth": check_int("max_depth", c, self.max_depth, minimum=1),
            "subsample": sub,
            "random_state": check_int("random_state", c, self.random_state),
        }

    # ------------------------------------------------------------------ data
    def _per_signal(self) -> int:
        return 1 + len(tuple(self.context_s)) + (1 if float(self.lead_s) > 0 else 0)

    def features(self, timelines: Mapping[str, Timeline]) -> F32:
        """Feature matrix of one recording, with this model's signals and windows.

        Uses :attr:`signals_` once fitted, else the ``signals`` parameter, else the
        sorted names of ``timelines``.

        Parameters
        ----------
        timelines : mapping of str to Timeline
            Signals on one grid.

        Returns
        -------
        ndarray of float32, shape (n_hops, n_features)
        """
        p = self._checked_params()
        signals = getattr(self, "signals_", None) or p["signals"] or sorted(timelines)
        return timeline_features(
            timelines, signals=signals, context_s=p["context_s"], lead_s=p["lead_s"],
            baseline_s=p["baseline_s"], clip=(p["clip"][0], p["clip"][1]),
        )

    def training_data(
        self,
        timelines: Sequence[Mapping[str, Timeline]],
        spans: Sequence[ArrayLike | Timeline],
    ) -> tuple[F32, NDArray[np.int8], NDArray[np.intp]]:
        """Build ``X``, ``y`` and recording groups from recordings and reference spans.

        Use it with scikit-learn tools, e.g. ``cross_val_score(HighlightModel(), X, y,
        groups=groups, cv=GroupKFold(3))`` (pass ``signals=`` so that a plain ``fit``
        knows the names; hops of one recording are strongly correlated, so split by
        recording, not by hop).

        Parameters
        ----------
        timelines : sequence of mapping of str to Timeline
            One mapping of signals (on one grid) per recording.
        spans : sequence of (m, 2) array_like or Timeline
            Reference spans of each recording, seconds (see :func:`span_labels`).

        Returns
        -------
        X : ndarray of float32, shape (total_hops, n_features)
            Rows of every recording, in order (see :meth:`features`).
        y : ndarray of int8, shape (total_hops,)
            1 for hops inside a reference span.
        groups : ndarray of intp, shape (total_hops,)
            Index of the recording each row comes from.

        Raises
        ------
        InvalidParameterError
            If the lengths differ or nothing is given.
        """
        recs, refs = self._recordings(timelines, spans, "HighlightModel.training_data")
        p = self._checked_params()
        signals = getattr(self, "signals_", None) or p["signals"] or sorted(recs[0])
        return self._xy(recs, refs, signals)

    @staticmethod
    def _recordings(
        timelines: Sequence[Mapping[str, Timeline]],
        spans: Sequence[ArrayLike | Timeline],
        caller: str,
    ) -> tuple[list[Mapping[str, Timeline]], list[ArrayLike | Timeline]]:
        if isinstance(timelines, Mapping):
            raise fail("timelines", caller, "a sequence of mappings (one per recording)",
                       type(timelines).__name__)
        recs = list(timelines)
        refs = list(spans)
        if not recs or len(recs) != len(refs):
            raise fail("spans", caller,
                       f"one span list per recording ({len(recs)} recordings)", len(refs))
        return recs, refs

    def _xy(
        self,
        recs: Sequence[Mapping[str, Timeline]],
        refs: Sequence[ArrayLike | Timeline],
        signals: Sequence[str],
    ) -> tuple[F32, NDArray[np.int8], NDArray[np.intp]]:
        p = self._checked_params()
        xs, ys, gs = [], [], []
        for k, (tls, ref) in enumerate(zip(recs, refs, strict=True)):
            grid = common_grid(tls, "HighlightModel.training_data")
            xs.append(timeline_features(
                tls, signals=signals, context_s=p["context_s"], lead_s=p["lead_s"],
                baseline_s=p["baseline_s"], clip=(p["clip"][0], p["clip"][1])))
            ys.append(span_labels(ref, n=grid.n, hop_s=grid.hop_s, start_s=grid.start_s))
            gs.append(np.full(grid.n, k, dtype=np.intp))
        return np.concatenate(xs), np.concatenate(ys), np.concatenate(gs)

    def fit_timelines(
        self,
        timelines: Sequence[Mapping[str, Timeline]],
        spans: Sequence[ArrayLike | Timeline],
    ) -> HighlightModel:
        """Fit on recordings and their reference spans.

        Parameters
        ----------
        timelines : sequence of mapping of str to Timeline
            One mapping of signals (on one grid) per recording.  The signals used are
            the ``signals`` parameter, or else the sorted names of the first recording.
        spans : sequence of (m, 2) array_like or Timeline
            Reference spans of each recording, seconds (see :func:`span_labels`).

        Returns
        -------
        HighlightModel
            ``self``, fitted.

        Raises
        ------
        InvalidParameterError
            If the lengths differ, nothing is given, or no hop (or every hop) is
            inside a reference span.
        """
        recs, refs = self._recordings(timelines, spans, "HighlightModel.fit_timelines")
        signals = self._checked_params()["signals"] or sorted(recs[0])
        x, y, _ = self._xy(recs, refs, signals)
        return self._fit(x, y, None, signals)

    def fit(
        self, X: ArrayLike, y: ArrayLike, *, sample_weight: ArrayLike | None = None  # noqa: N803
    ) -> HighlightModel:
        """Fit on a feature matrix (from :meth:`features`) and per-hop 0/1 labels.

        Parameters
        ----------
        X : array_like, shape (n_hops, n_features)
            Features, ``n_signals * (1 + len(context_s) + (lead_s > 0))`` columns.
        y : array_like, shape (n_hops,)
            0/1 labels (both classes present).
        sample_weight : array_like, shape (n_hops,), optional
            Per-hop weights, multiplied by the class weights.

        Returns
        -------
        HighlightModel
            ``self``, fitted.
        """
        p = self._checked_params()
        x = self._check_x(X, "HighlightModel.fit", fitted=False)
        per = self._per_signal()
        if p["signals"] is not None:
            signals = p["signals"]
        elif x.shape[1] % per == 0:
            signals = [f"signal_{k}" for k in range(x.shape[1] // per)]
        else:
            raise fail("X", "HighlightModel.fit",
                       f"a matrix with a multiple of {per} columns (see features())",
                       x.shape)
        return self._fit(x, y, sample_weight, signals)

    def _check_x(self, X: ArrayLike, caller: str, *, fitted: bool) -> F32:  # noqa: N803
        try:
            x = np.asarray(X, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise fail("X", caller, "a 2-D array of numbers", type(X).__name__) from exc
        if x.ndim != 2 or not np.isfinite(x).all():
            raise fail("X", caller, "a 2-D array of finite numbers",
                       f"an array of shape {x.shape}")
        if fitted and x.shape[1] != self.n_features_in_:
            raise fail("X", caller, f"a matrix with {self.n_features_in_} columns",
                       f"shape {x.shape}")
        return x

    def _fit(
        self, x: F32, y: ArrayLike, sample_weight: ArrayLike | None, signals: Sequence[str]
    ) -> HighlightModel:
        caller = "HighlightModel.fit"
        p = self._checked_params()
        names = feature_names(signals, context_s=p["context_s"], lead_s=p["lead_s"])
        if x.shape[1] != len(names):
            raise fail("X", caller, f"a matrix with {len(names)} columns ({len(signals)} "
                       "signals)", f"shape {x.shape}")
        yy = np.asarray(y)
        if yy.shape != (x.shape[0],) or not np.isin(yy, (0, 1)).all():
            raise fail("y", caller, f"{x.shape[0]} labels in {{0, 1}}", f"shape {yy.shape}")
        yy = yy.astype(np.int64)
        n_pos = int(yy.sum())
        if n_pos == 0 or n_pos == yy.shape[0]:
            raise fail("y", caller, "labels with both classes (some hops inside a "
                       "reference span, some outside)", f"{n_pos} positive of {yy.shape[0]}")
        sw = np.ones(x.shape[0]) if sample_weight is None else np.asarray(
            sample_weight, dtype=np.float64)
        if sw.shape != (x.shape[0],) or not np.isfinite(sw).all() or (sw < 0).any():
            raise fail("sample_weight", caller, f"{x.shape[0]} finite weights >= 0",
                       f"shape {sw.shape}")
        if p["class_weight"] == "balanced":
            n = yy.shape[0]
            sw = sw * np.where(yy == 1, n / (2.0 * n_pos), n / (2.0 * (n - n_pos)))
        for attr in ("coef_", "trees_"):
            if hasattr(self, attr):
                delattr(self, attr)
        if p["estimator"] == "logistic":
            from sklearn.linear_model import LogisticRegression

            lr = LogisticRegression(C=p["C"], max_iter=p["max_iter"])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=UserWarning)
                lr.fit(x, yy, sample_weight=sw)
            self.coef_ = lr.coef_[0].astype(np.float64)
            self.intercept_ = float(lr.intercept_[0])
            # typical size of each feature's term in the log-odds: |coef| x its spread
            weights = np.abs(self.coef_) * x.std(axis=0, dtype=np.float64)
        else:
            from sklearn.ensemble import GradientBoostingClassifier

            gb = GradientBoostingClassifier(
                n_estimators=p["n_estimators"], learning_rate=p["learning_rate"],
                max_depth=p["max_depth"], subsample=p["subsample"],
                random_state=p["random_state"],
            )
            gb.fit(x, yy, sample_weight=sw)
            trees = _tree_arrays(gb)
            k = min(x.shape[0], 512)
            base, contrib = _tree_contributions(x[:k], trees)
            init = np.asarray(gb.decision_function(x[:k]), dtype=np.float64) - base \
                - contrib.sum(axis=1)
            self.trees_ = trees
            self.intercept_ = float(np.median(init)) + float(base[0]) if k else 0.0
            weights = np.asarray(gb.feature_importances_, dtype=np.float64)
        self.signals_ = tuple(signals)
        self.feature_names_ = names
        self.n_features_in_ = len(names)
        self.classes_ = np.array([0, 1])
        self.positive_rate_ = n_pos / yy.shape[0]
        per = self._per_signal()
        self.signal_weights_ = {
            s: float(weights[k * per: (k + 1) * per].sum()) for k, s in enumerate(signals)
        }
        log.debug("fitted %s on %d hops (%.2f%% positive)", p["estimator"], yy.shape[0],
                  100 * self.positive_rate_)
        return self

    # ------------------------------------------------------------------ predict
    def _check_fitted(self, caller: str) -> None:
        if not hasattr(self, "signals_"):
            raise NotFittedError(
                f"This HighlightModel is not fitted yet; call fit(), fit_timelines() or "
                f"HighlightModel.load() before {caller}."
            )

    def _contributions(self, x: F32) -> tuple[float, F64]:
        """Log-odds offset and per-feature contributions, shape (n, n_features)."""
        if hasattr(self, "coef_"):
            return self.intercept_, x.astype(np.float64) * self.coef_[None, :]
        # rows in blocks, so the (rows x trees) traversal state stays small
        contrib = np.empty(x.shape, dtype=np.float64)
        for a in range(0, x.shape[0], _TREE_BLOCK):
            _, contrib[a: a + _TREE_BLOCK] = _tree_contributions(
                x[a: a + _TREE_BLOCK], self.trees_)
        return self.intercept_, contrib

    def decision_function(self, X: ArrayLike) -> F64:  # noqa: N803
        """Log-odds of each hop being a highlight.

        Parameters
        ----------
        X : array_like, shape (n_hops, n_features)
            Features from :meth:`features`.

        Returns
        -------
        ndarray of float64, shape (n_hops,)
        """
        self._check_fitted("decision_function")
        x = self._check_x(X, "HighlightModel.decision_function", fitted=True)
        if hasattr(self, "coef_"):
            out: F64 = x.astype(np.float64) @ self.coef_ + self.intercept_
            return out
        offset, contrib = self._contributions(x)
        total: F64 = offset + contrib.sum(axis=1)
        return total

    def predict_proba(self, X: ArrayLike) -> F64:  # noqa: N803
        """Probability of each class per hop, shape (n_hops, 2) (column 1 = highlight)."""
        d = self.decision_function(X)
        p1 = 0.5 * (1.0 + np.tanh(0.5 * d))  # the logistic function, overflow-free
        return np.stack([1.0 - p1, p1], axis=1)

    def predict(self, X: ArrayLike) -> NDArray[np.int64]:  # noqa: N803
        """0/1 per hop: 1 where the highlight probability exceeds 0.5."""
        return (self.decision_function(X) > 0).astype(np.int64)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:  # noqa: N803
        """Average precision of the per-hop probabilities against 0/1 labels.

        Accuracy (the scikit-learn classifier default) is meaningless when 2 % of
        hops are highlights, so this ranks hops instead: the mean, over positive
        hops, of the precision among hops scored at least as high (ties count
        pessimistically).  1.0 ranks every highlight first; a random score gets about
        the positive rate.

        Returns
        -------
        float
            In [0, 1]; 0.0 when ``y`` has no positive.
        """
        d = self.decision_function(X)
        yy = np.asarray(y)
        if yy.shape != d.shape or not np.isin(yy, (0, 1)).all():
            raise fail("y", "HighlightModel.score", f"{d.shape[0]} labels in {{0, 1}}",
                       f"shape {yy.shape}")
        return _ranking_ap(d, yy.astype(bool))

    def fuse(
        self, timelines: Mapping[str, Timeline], *, smooth_s: float | None = None
    ) -> Fusion:
        """Score a recording: the learned counterpart of :func:`highlights.fusion.fuse_detail`.

        Parameters
        ----------
        timelines : mapping of str to Timeline
            Signals on one grid.  Signals the model was trained on that are absent are
            treated as 0 with a :class:`~highlights.SignalMissingWarning`; others are
            ignored.
        smooth_s : float, optional
            Smoothing of the score, seconds (default: the model's ``smooth_s``).

        Returns
        -------
        Fusion
            ``score``: the log-odds of a highlight per hop (the intercept plus every
            component), smoothed over ``smooth_s``, on the input grid;
            ``components``: each signal's contribution to the log-odds;
            ``weights``: :attr:`signal_weights_`.

        Raises
        ------
        NotFittedError
            If the model is not fitted.
        TimelineMismatchError
            If the timelines are not on one grid.
        """
        self._check_fitted("fuse")
        grid = common_grid(timelines, "HighlightModel.fuse")
        x = self.features(timelines)
        offset, contrib = self._contributions(x)
        per = self._per_signal()
        total = np.full(grid.n, offset, dtype=np.float64)
        components: dict[str, Timeline] = {}
        for k, name in enumerate(self.signals_):
            comp = contrib[:, k * per: (k + 1) * per].sum(axis=1)
            total += comp
            components[name] = Timeline._trusted(comp.astype(np.float32), grid.hop_s,
                                                 grid.start_s, name)
        smooth = float(self.smooth_s) if smooth_s is None else check_nonneg(
            "smooth_s", "HighlightModel.fuse", smooth_s)
        width = max(1, int(round(smooth / grid.hop_s)))
        score = moving_average(total, width).astype(np.float32)
        return Fusion(
            score=Timeline._trusted(score, grid.hop_s, grid.start_s, "score"),
            components=components, weights=dict(self.signal_weights_),
        )

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        """The fitted model as a JSON-ready dict (parameters and numbers only)."""
        self._check_fitted("to_dict")
        doc: dict[str, Any] = {
            "format": MODEL_FORMAT, "version": MODEL_VERSION,
            "params": self._checked_params(),
            "signals": list(self.signals_), "feature_names": list(self.feature_names_),
            "intercept": self.intercept_, "positive_rate": self.positive_rate_,
            "signal_weights": dict(self.signal_weights_),
        }
        if hasattr(self, "coef_"):
            doc["coef"] = self.coef_.tolist()
        else:
            doc["trees"] = {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                            for k, v in self.trees_.items()}
        return doc

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the fitted model as JSON (no pickle), atomically.

        Parameters
        ----------
        path : path-like
            Output file (``.json`` suggested).
        overwrite : bool, default False
            Replace an existing file.

        Returns
        -------
        Path

        Raises
        ------
        NotFittedError
            If the model is not fitted.
        OutputExistsError
            If ``path`` exists and ``overwrite`` is false.
        """
        text = json.dumps(self.to_dict(), separators=(",", ":"), allow_nan=False)
        dest = Path(path)
        atomic_write_text(dest, text, overwrite=overwrite)
        return dest

    @classmethod
    def from_dict(cls, doc: Any, *, source: str = "<dict>") -> HighlightModel:
        """Rebuild a fitted model from :meth:`to_dict` output, validating everything.

        Raises
        ------
        ModelFileError
            If ``doc`` is not a valid model of a supported version.
        """
        return _model_from_dict(cls, doc, source)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> HighlightModel:
        """Read a model written by :meth:`save`.

        Only JSON is parsed (nothing is unpickled or executed), and the schema,
        version, array shapes and tree structure are checked before use.

        Raises
        ------
        ModelFileError
            If the file cannot be read, is not JSON, is not a highlights model, has an
            unsupported version or a malformed or inconsistent content.
        """
        p = Path(path)
        try:
            size = p.stat().st_size
            if size > _MAX_FILE_BYTES:
                raise ModelFileError(f"{p} is {size} bytes: too large for a model file.")
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"Cannot read the model file {p}: {exc}") from exc
        try:
            doc = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise ModelFileError(f"{p} is not a highlights model file (not JSON: {exc}).") \
                from exc
        return _model_from_dict(cls, doc, str(p))


def _reject_constant(name: str) -> float:
    raise ValueError(f"non-finite number {name}")


def _ranking_ap(score: F64, positive: NDArray[np.bool_]) -> float:
    """Average precision of a ranking; tied scores rank positives last."""
    n_pos = int(positive.sum())
    if n_pos == 0:
        return 0.0
    order = np.lexsort((positive, -score))  # ties: negatives first (pessimistic)
    hits = positive[order]
    prec = np.cumsum(hits) / np.arange(1, hits.shape[0] + 1)
    return float(prec[hits].sum() / n_pos)


def _model_from_dict(cls: type[HighlightModel], doc: Any, source: str) -> HighlightModel:
    def bad(why: str) -> ModelFileError:
        return ModelFileError(f"{source} is not a valid highlights model: {why}.")

    if not isinstance(doc, dict) or doc.get("format") != MODEL_FORMAT:
        raise ModelFileError(
            f"{source} is not a highlights model file (expected \"format\": "
            f"\"{MODEL_FORMAT}\")."
        )
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise bad(f"'version' must be an integer, got {version!r}")
    if version != MODEL_VERSION:
        newer = " (written by a newer highlights: upgrade it)" if version > MODEL_VERSION \
            else ""
        raise ModelFileError(
            f"{source} has model format version {version}; this highlights reads version "
            f"{MODEL_VERSION}{newer}."
        )
    params = doc.get("params")
    if not isinstance(params, dict) or set(params) != set(cls._param_names()):
        raise bad("'params' must hold exactly the HighlightModel parameters")
    params = dict(params)
    if isinstance(params.get("clip"), list):
        params["clip"] = tuple(params["clip"])
    model = cls(**params)
    try:
        p = model._checked_params()
    except InvalidParameterError as exc:
        raise bad(f"bad parameter: {exc}") from exc
    signals = doc.get("signals")
    if not isinstance(signals, list) or not signals or not all(
            isinstance(s, str) for s in signals) or len(set(signals)) != len(signals):
        raise bad("'signals' must be a non-empty list of distinct names")
    names = feature_names(signals, context_s=p["context_s"], lead_s=p["lead_s"])
    if doc.get("feature_names") != names:
        raise bad("'feature_names' do not match the signals and context windows")
    nf = len(names)

    def number(key: str, lo: float = -math.inf, hi: float = math.inf) -> float:
        v = doc.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                or not lo <= v <= hi:
            raise bad(f"{key!r} must be a finite number in [{lo}, {hi}]")
        return float(v)

    def array(obj: Any, key: str, n: int | None, dtype: Any) -> NDArray[Any]:
        if not isinstance(obj, list) or (n is not None and len(obj) != n) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in obj):
            raise bad(f"{key!r} must be a list of {n if n is not None else 'some'} numbers")
        try:
            arr = np.asarray(obj, dtype=dtype)
        except (OverflowError, ValueError, TypeError):
            raise bad(f"{key!r} holds invalid numbers") from None
        if not np.isfinite(arr).all() or (dtype is np.int64 and not all(
                isinstance(v, int) for v in obj)):
            raise bad(f"{key!r} holds invalid numbers")
        return arr

    model.intercept_ = number("intercept")
    model.positive_rate_ = number("positive_rate", 0.0, 1.0)
    weights = doc.get("signal_weights")
    if not isinstance(weights, dict) or list(weights) != signals:
        raise bad("'signal_weights' must map each signal to a number")
    model.signal_weights_ = {s: float(array([weights[s]], "signal_weights", 1, np.float64)[0])
                             for s in signals}
    if p["estimator"] == "logistic":
        if "trees" in doc:
            raise bad("a logistic model has no 'trees'")
        model.coef_ = array(doc.get("coef"), "coef", nf, np.float64)
    else:
        if "coef" in doc:
            raise bad("a gradient boosting model has no 'coef'")
        model.trees_ = _checked_trees(doc.get("trees"), nf, bad, array)
    model.signals_ = tuple(signals)
    model.feature_names_ = names
    model.n_features_in_ = nf
    model.classes_ = np.array([0, 1])
    return model


def _checked_trees(trees: Any, nf: int, bad: Any, array: Any) -> dict[str, Any]:
    """Validate flattened trees: consistent lengths, indices in range, finite depth."""
    keys = {"feature", "threshold", "left", "right", "value", "roots", "max_depth"}
    if not isinstance(trees, dict) or set(trees) != keys:
        raise bad(f"'trees' must hold exactly {sorted(keys)}")
    depth = trees["max_depth"]
    if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= 64:
        raise bad("'trees.max_depth' must be an integer in [0, 64]")
    feature = array(trees["feature"], "trees.feature", None, np.int64)
    m = feature.shape[0]
    out: dict[str, Any] = {
        "feature": feature,
        "threshold": array(trees["threshold"], "trees.threshold", m, np.float64),
        "left": array(trees["left"], "trees.left", m, np.int64),
        "right": array(trees["right"], "trees.right", m, np.int64),
        "value": array(trees["value"], "trees.value", m, np.float64),
        "roots": array(trees["roots"], "trees.roots", None, np.int64),
        "max_depth": depth,
    }
    inner = feature >= 0
    idx = np.arange(m)
    left, right, roots = out["left"], out["right"], out["roots"]
    if (feature >= nf).any() or (feature < -1).any():
        raise bad("'trees.feature' refers to a feature that does not exist")
    if ((left[inner] <= idx[inner]) | (right[inner] <= idx[inner]) | (left[inner] >= m)
            | (right[inner] >= m)).any() or ((left[~inner] != -1) | (right[~inner] != -1)).any():
        raise bad("'trees' children must be later nodes (or -1 at leaves)")
    if roots.size and ((roots < 0) | (roots >= m)).any():
        raise bad("'trees.roots' out of range")
    # every path must end at a leaf within max_depth steps (one level per step)
    frontier = roots.copy()
    for _ in range(depth + 1):
        f = frontier[feature[frontier] >= 0]
        frontier = np.concatenate([left[f], right[f]])
    if frontier.size:
        raise bad("'trees' are deeper than 'max_depth'")
    return out
