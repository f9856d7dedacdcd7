"""Tests of highlights.model: learned fusion with scikit-learn conventions and safe files."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import numpy.testing as npt
import pytest

from highlights import (
    HighlightsError,
    InvalidParameterError,
    NotFittedError,
    OutputExistsError,
    SignalMissingWarning,
    Timeline,
    TimelineMismatchError,
)
from highlights._window import moving_average, window_mean
from highlights.errors import ModelFileError
from highlights.fusion.score import Fusion, robust_normalize
from highlights.learn import HighlightModel, feature_names, span_labels, timeline_features
from highlights.learn.model import _tree_arrays, _tree_contributions
from highlights.synth import make_signals

HOP = 0.5


# ----------------------------------------------------------------------------- loop twins
def naive_window_mean(v: np.ndarray, lo: int, hi: int) -> np.ndarray:
    out = np.zeros(len(v))
    for i in range(len(v)):
        seg = [v[j] for j in range(i + lo, i + hi + 1) if 0 <= j < len(v)]
        out[i] = sum(seg) / len(seg) if seg else 0.0
    return out


def naive_labels(spans: list[tuple[float, float]], n: int, hop: float, start: float) -> list[int]:
    out = []
    for i in range(n):
        c = start + (i + 0.5) * hop
        out.append(int(any(a <= c < b for a, b in spans)))
    return out


# ----------------------------------------------------------------------------- data
def _stream(seed: int) -> tuple[dict[str, Timeline], list[tuple[float, float]]]:
    sig, moments = make_signals(duration_s=900.0, hop_s=HOP, seed=seed, n_moments=4)
    return sig, [(m.start_s, m.end_s) for m in moments]


@pytest.fixture(scope="module")
def train() -> list[tuple[dict[str, Timeline], list[tuple[float, float]]]]:
    return [_stream(s) for s in (1, 2, 3, 4)]


@pytest.fixture(scope="module")
def test_streams() -> list[tuple[dict[str, Timeline], list[tuple[float, float]]]]:
    return [_stream(s) for s in (501, 502)]


@pytest.fixture(scope="module")
def fitted(train: list) -> HighlightModel:
    return HighlightModel().fit_timelines([t for t, _ in train], [s for _, s in train])


@pytest.fixture(scope="module")
def fitted_gb(train: list) -> HighlightModel:
    return HighlightModel("gradient_boosting", n_estimators=8, max_depth=2).fit_timelines(
        [t for t, _ in train], [s for _, s in train])


# ----------------------------------------------------------------------------- features
@pytest.mark.parametrize(("lo", "hi"), [(-3, 3), (1, 5), (-1, 0), (0, 0), (2, 40), (-40, -2)])
def test_window_mean_matches_loop(rng: np.random.Generator, lo: int, hi: int) -> None:
    v = rng.normal(size=37)
    npt.assert_allclose(window_mean(v, lo=lo, hi=hi), naive_window_mean(v, lo, hi), atol=1e-5)


def test_span_labels_match_loop(rng: np.random.Generator) -> None:
    spans = [(1.2, 3.0), (2.5, 4.1), (9.0, 9.2), (-3.0, 0.3), (19.0, 30.0)]
    for start in (0.0, 0.7):
        got = span_labels(spans, n=40, hop_s=HOP, start_s=start)
        assert got.tolist() == naive_labels(spans, 40, HOP, start)
    assert span_labels([], n=5, hop_s=HOP).tolist() == [0] * 5
    curve = Timeline(values=[0, 0, 2, 0], hop_s=1.0)  # e.g. a thresholded replay curve
    assert span_labels(curve, n=8, hop_s=HOP).tolist() == [0, 0, 0, 0, 1, 1, 0, 0]
    with pytest.raises(InvalidParameterError, match="spans"):
        span_labels([(3.0, 1.0)], n=5, hop_s=HOP)


def test_features_reuse_fusion_normalisation(train: list) -> None:
    tls = train[0][0]
    x = timeline_features(tls, signals=["motion", "chat_rate"], context_s=(2.0,), lead_s=4.0)
    assert x.shape == (tls["motion"].n, 6) and x.dtype == np.float32
    assert feature_names(["motion", "chat_rate"], context_s=(2.0,), lead_s=4.0) == [
        "motion", "motion~2s", "motion>4s", "chat_rate", "chat_rate~2s", "chat_rate>4s"]
    z = np.nan_to_num(robust_normalize(tls["chat_rate"]).values)
    npt.assert_array_equal(x[:, 3], z)
    npt.assert_allclose(x[:, 4], naive_window_mean(z, -4, 4), atol=1e-4)
    npt.assert_allclose(x[:, 5], naive_window_mean(z, 1, 8), atol=1e-4)


# ----------------------------------------------------------------------------- conventions
def test_sklearn_conventions(fitted: HighlightModel) -> None:
    from sklearn.base import clone

    m = HighlightModel(C=0.5, context_s=(1.0,), lead_s=0.0)
    params = m.get_params()
    assert HighlightModel(**params).get_params() == params
    assert m.set_params(C=2.0) is m and m.C == 2.0
    with pytest.raises(InvalidParameterError, match="gamma"):
        m.set_params(gamma=1)
    c = clone(fitted)
    assert c.get_params() == fitted.get_params()
    assert not hasattr(c, "signals_") and not hasattr(c, "coef_")
    learned = set(vars(fitted)) - set(HighlightModel().get_params())
    assert learned and all(a.endswith("_") for a in learned)
    assert {"coef_", "intercept_", "signals_", "classes_", "n_features_in_"} <= learned
    assert "C=0.5" in repr(HighlightModel(C=0.5))


def test_unfitted_raises() -> None:
    m = HighlightModel()
    x = np.zeros((3, 8), dtype=np.float32)
    for call in (lambda: m.predict_proba(x), lambda: m.predict(x),
                 lambda: m.fuse({"a": Timeline(values=[1.0, 2.0], hop_s=1.0)}),
                 lambda: m.save("unused.json")):
        with pytest.raises(NotFittedError, match="not fitted"):
            call()
    assert issubclass(NotFittedError, AttributeError)


def test_fit_predict_shapes(fitted: HighlightModel, test_streams: list) -> None:
    tls, spans = test_streams[0]
    x = fitted.features(tls)
    assert x.shape == (tls["motion"].n, fitted.n_features_in_)
    assert fitted.signals_ == tuple(sorted(tls))
    p = fitted.predict_proba(x)
    assert p.shape == (x.shape[0], 2)
    npt.assert_allclose(p.sum(axis=1), 1.0)
    pred = fitted.predict(x)
    assert set(np.unique(pred).tolist()) <= {0, 1}
    npt.assert_array_equal(pred, (p[:, 1] > 0.5).astype(int))
    # plain fit(X, y) on the same matrix gives the same model
    y = span_labels(spans, n=x.shape[0], hop_s=HOP)
    m2 = HighlightModel(signals=fitted.signals_).fit(x, y)
    assert m2.feature_names_ == fitted.feature_names_
    assert m2.score(x, y) > 0.5


def test_fit_rejects_bad_input(train: list) -> None:
    tls, spans = train[0]
    x = HighlightModel().features(tls)
    with pytest.raises(InvalidParameterError, match="both classes"):
        HighlightModel().fit(x, np.zeros(x.shape[0], dtype=int))
    with pytest.raises(InvalidParameterError, match="estimator"):
        HighlightModel("svm").fit_timelines([tls], [spans])
    with pytest.raises(InvalidParameterError, match="one span list per recording"):
        HighlightModel().fit_timelines([tls, tls], [spans])
    with pytest.raises(InvalidParameterError, match="multiple of 4"):
        HighlightModel().fit(x[:, :5], np.r_[1, np.zeros(x.shape[0] - 1, dtype=int)])
    with pytest.raises(InvalidParameterError, match="finite"):
        HighlightModel().fit(np.full((4, 4), np.nan), [0, 1, 0, 1])


# ----------------------------------------------------------------------------- fuse
def test_fuse_returns_fusion_on_input_grid(fitted: HighlightModel, test_streams: list) -> None:
    tls, _ = test_streams[0]
    shifted = {k: Timeline(values=v.values, hop_s=HOP, start_s=12.5, name=k)
               for k, v in tls.items()}
    fusion = fitted.fuse(shifted)
    assert isinstance(fusion, Fusion)
    assert (fusion.score.n, fusion.score.hop_s, fusion.score.start_s) == (
        tls["motion"].n, HOP, 12.5)
    assert set(fusion.components) == set(fitted.signals_)
    assert set(fusion.weights) == set(fitted.signals_)
    # score = smoothed (intercept + sum of components) = smoothed decision function
    total = fitted.intercept_ + sum(c.values.astype(np.float64)
                                    for c in fusion.components.values())
    d = fitted.decision_function(fitted.features(shifted))
    npt.assert_allclose(total, d, atol=1e-3)
    npt.assert_allclose(fusion.score.values, moving_average(d, 6), atol=1e-3)


def test_fuse_missing_signal_warns_and_uses_zero(fitted: HighlightModel,
                                                  test_streams: list) -> None:
    tls, _ = test_streams[0]
    partial = {k: v for k, v in tls.items() if k != "chat_rate"}
    with pytest.warns(SignalMissingWarning, match="chat_rate"):
        fusion = fitted.fuse(partial)
    npt.assert_array_equal(fusion.components["chat_rate"].values, 0.0)
    assert np.isfinite(fusion.score.values).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.fuse({**tls, "extra": tls["motion"]})  # extra signals are ignored quietly


def test_fuse_rejects_mismatched_grid(fitted: HighlightModel, test_streams: list) -> None:
    tls = dict(test_streams[0][0])
    tls["motion"] = tls["motion"].resample(hop_s=1.0)
    with pytest.raises(TimelineMismatchError, match="one grid"):
        fitted.fuse(tls)


def test_learned_beats_random_on_held_out(fitted: HighlightModel, test_streams: list) -> None:
    rng = np.random.default_rng(7)
    for tls, spans in test_streams:
        x = fitted.features(tls)
        y = span_labels(spans, n=x.shape[0], hop_s=HOP)
        learned = fitted.score(x, y)
        random_ap = HighlightModel().fit(rng.normal(size=(200, 4)),
                                         rng.integers(0, 2, 200)).score(
            rng.normal(size=(x.shape[0], 4)), y)
        assert random_ap < 0.1  # about the positive rate
        assert learned > random_ap + 0.5
        # and the best clip the picker takes from the learned score is a planted moment
        from highlights.selection.peaks import pick_clips

        top = pick_clips(fitted.fuse(tls).score, n=1, min_len_s=4.0, max_len_s=15.0,
                         pad_s=(1.0, 1.0))[0]
        assert any(top.start_s < b and a < top.end_s for a, b in spans)


# ----------------------------------------------------------------------------- boosting
def test_boosting_trees_match_sklearn(rng: np.random.Generator) -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    x = rng.normal(size=(400, 5)).astype(np.float32)
    y = ((x[:, 0] + x[:, 1] * x[:, 2] + 0.3 * rng.normal(size=400)) > 0.8).astype(int)
    w = np.where(y == 1, 3.0, 1.0)
    gb = GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0)
    gb.fit(x, y, sample_weight=w)
    trees = _tree_arrays(gb)
    base, contrib = _tree_contributions(x, trees)
    raw = gb.decision_function(x)
    init = raw[0] - base[0] - contrib[0].sum()
    xt = rng.normal(size=(300, 5)).astype(np.float32)
    base_t, contrib_t = _tree_contributions(xt, trees)
    # per-feature attributions add up exactly to sklearn's raw prediction
    npt.assert_allclose(init + base_t + contrib_t.sum(axis=1), gb.decision_function(xt),
                        atol=1e-9)
    assert np.abs(contrib_t[:, 3:]).sum() < np.abs(contrib_t[:, :3]).sum()


def test_boosting_model_fits_and_explains(fitted_gb: HighlightModel, test_streams: list,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import highlights.learn.model as hm

    tls, spans = test_streams[0]
    fusion = fitted_gb.fuse(tls)
    x = fitted_gb.features(tls)
    monkeypatch.setattr(hm, "_TREE_BLOCK", 97)  # row blocks give the same numbers
    npt.assert_array_equal(fitted_gb.fuse(tls).score.values, fusion.score.values)
    total = fitted_gb.intercept_ + sum(c.values.astype(np.float64)
                                       for c in fusion.components.values())
    npt.assert_allclose(total, fitted_gb.decision_function(x), atol=1e-3)
    y = span_labels(spans, n=x.shape[0], hop_s=HOP)
    assert fitted_gb.score(x, y) > 0.5


# ----------------------------------------------------------------------------- files
@pytest.mark.parametrize("which", ["fitted", "fitted_gb"])
def test_save_load_round_trip(which: str, request: pytest.FixtureRequest, tmp_path: Path,
                              test_streams: list) -> None:
    model: HighlightModel = request.getfixturevalue(which)
    path = model.save(tmp_path / "model.json")
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["format"] == "highlights.HighlightModel"
    loaded = HighlightModel.load(path)
    assert loaded.get_params() == {**model.get_params(), "context_s": list(model.context_s),
                                   "clip": tuple(model.clip), "signals": None}
    tls, _ = test_streams[1]
    x = model.features(tls)
    npt.assert_array_equal(loaded.decision_function(x), model.decision_function(x))
    npt.assert_array_equal(loaded.fuse(tls).score.values, model.fuse(tls).score.values)
    with pytest.raises(OutputExistsError):
        model.save(path)
    model.save(path, overwrite=True)
    assert HighlightModel.load(path).signals_ == model.signals_


def _write(tmp_path: Path, doc: object) -> Path:
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return p


def test_load_rejects_foreign_and_tampered_files(fitted: HighlightModel,
                                                 fitted_gb: HighlightModel,
                                                 tmp_path: Path) -> None:
    good = fitted.to_dict()
    good_gb = fitted_gb.to_dict()
    pickled = tmp_path / "model.pkl"
    import pickle

    pickled.write_bytes(pickle.dumps({"format": "highlights.HighlightModel"}))
    cases: list[tuple[object, str]] = [
        ({"hello": 1}, "not a highlights model file"),
        ([1, 2, 3], "not a highlights model file"),
        ("{not json", "not JSON"),
        ('{"format": "highlights.HighlightModel", "version": 1, "intercept": NaN}',
         "not JSON"),
        ({**good, "version": 99}, "newer"),
        ({**good, "version": "1"}, "version"),
        ({**good, "coef": good["coef"][:-1]}, "coef"),
        ({**good, "coef": ["1"] * len(good["coef"])}, "coef"),
        ({**good, "params": {**good["params"], "evil": 1}}, "params"),
        ({**good, "params": {**good["params"], "C": -1}}, "bad parameter"),
        ({**good, "signals": good["signals"][:-1]}, "feature_names"),
        ({**good, "trees": good_gb["trees"]}, "no 'trees'"),
        ({**good_gb, "trees": {**good_gb["trees"], "left": [0] * len(
            good_gb["trees"]["left"])}}, "children"),
        ({**good_gb, "trees": {**good_gb["trees"], "max_depth": 1}}, "deeper"),
        ({**good_gb, "trees": {**good_gb["trees"], "feature": [999] * len(
            good_gb["trees"]["feature"])}}, "feature"),
    ]
    huge = json.dumps({**good, "intercept": "HUGE"}).replace('"HUGE"', "1e400")  # -> inf
    cases += [
        (huge, "intercept"),
        ({**good_gb, "trees": {**good_gb["trees"], "left": [10**30] * len(
            good_gb["trees"]["left"])}}, "invalid numbers"),
    ]
    for doc, match in cases:
        with pytest.raises(ModelFileError, match=match):
            HighlightModel.load(_write(tmp_path, doc))
    with pytest.raises(ModelFileError, match="not a highlights model file|not JSON|Cannot read"):
        HighlightModel.load(pickled)
    with pytest.raises(ModelFileError, match="Cannot read"):
        HighlightModel.load(tmp_path / "missing.json")
    assert issubclass(ModelFileError, HighlightsError)


def test_training_data_works_with_sklearn_cross_validation(train: list) -> None:
    from sklearn.model_selection import GroupKFold, cross_val_score

    model = HighlightModel(signals=["audio_rms_db", "chat_rate", "motion", "scene"])
    x, y, groups = model.training_data([t for t, _ in train], [s for _, s in train])
    assert x.shape[0] == y.shape[0] == groups.shape[0] == sum(t["motion"].n for t, _ in train)
    assert sorted(set(groups.tolist())) == [0, 1, 2, 3]
    from sklearn.base import is_classifier

    assert is_classifier(model)
    scores = cross_val_score(model, x, y, groups=groups, cv=GroupKFold(n_splits=2))
    assert scores.shape == (2,) and (scores > 0.5).all()
    # fit_timelines and fit on training_data agree
    a = HighlightModel().fit_timelines([t for t, _ in train], [s for _, s in train])
    assert a.signals_ == tuple(model.signals)  # sorted names of the first recording
    b = HighlightModel(signals=a.signals_).fit(x, y)
    npt.assert_allclose(a.coef_, b.coef_, rtol=1e-6, atol=1e-8)
