"""Learn a channel's taste from what it already published: :func:`learn_channel`.

The **manifest** lists the channel's VODs and, for each, the label sources it has
(anything :func:`highlights.load_labels` reads: Twitch clips, a YouTube heatmap, an
editor timeline, a span list, review decisions, published highlight videos and
shorts).  JSON (or TOML on Python >= 3.11), paths relative to the manifest::

    {
      "channel": "my_channel",
      "vods": [
        {"video": "2024-05-01.mp4", "chat": "2024-05-01.chat.json",
         "labels": ["2024-05-01.clips.json", "shorts/best_of_may1.mp4"]},
        {"video": "2024-05-03.mp4", "labels": ["2024-05-03.edl"]}
      ],
      "model": {"estimator": "logistic", "C": 1.0}
    }

``chat`` is optional; ``model`` holds :class:`~highlights.learn.HighlightModel`
parameters (optional).  Every VOD is analysed once (cached with ``cache=``), its
label sources are read and merged, then:

* **cross-validation grouped by VOD** (:class:`sklearn.model_selection.GroupKFold`,
  up to 5 folds): on each held-out VOD, the clips of the learned model, of the default
  weights and of each genre preset (``find_highlights``' default selection) are scored
  against its labels with :func:`highlights.evaluate.evaluate_clips` (span F1 at IoU
  0.3 and 0.5, hit@1, hit@5, coverage F1), averaged over VODs;
* the model is fitted on every labelled VOD and saved; its signal weights say which
  signals matter for this channel;
* a warning says when there are too few labelled VODs for the comparison to mean
  much (fewer than :data:`MIN_VODS`), or when the learned model does not beat the
  defaults.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import HighlightsWarning, InvalidParameterError, LabelError

__all__ = ["learn_channel", "ChannelReport", "read_manifest", "MIN_VODS", "METRICS"]

log = logging.getLogger(__name__)

#: Fewer labelled VODs than this: the report warns that the comparison is weak.
MIN_VODS = 5
#: Columns of the report (method -> metric -> mean over held-out VODs).
METRICS = ("F1@0.3", "F1@0.5", "hit@1", "hit@5", "covF1")
_PRESETS = ("game", "talk", "shopping")


@dataclass(frozen=True)
class VodEntry:
    """One VOD of a manifest."""

    video: Path
    chat: Path | None
    labels: tuple[Path, ...]


@dataclass
class ChannelReport:
    """What :func:`learn_channel` found.

    Attributes
    ----------
    channel : str
        The manifest's channel name.
    n_vods, n_labelled : int
        VODs in the manifest, and those with at least one label span.
    table : dict of str to dict of str to float
        Method (``"learned"``, ``"default"``, ``"preset:game"``, ...) -> metric
        (:data:`METRICS`) -> mean over the held-out VODs of the cross-validation.
    per_vod : list of dict
        Per held-out VOD: its name, fold and each method's metrics.
    signal_weights : dict of str to float
        The fitted model's importance of each signal, largest first.
    model_path : Path or None
        Where the model was saved.
    warnings : list of str
        Why the numbers may not mean much (too few VODs, no gain over the defaults).
    label_notes : list of str
        What the label readers reported.
    """

    channel: str
    n_vods: int
    n_labelled: int
    table: dict[str, dict[str, float]]
    per_vod: list[dict[str, Any]]
    signal_weights: dict[str, float]
    model_path: Path | None
    warnings: list[str] = field(default_factory=list)
    label_notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"channel": self.channel, "n_vods": self.n_vods, "n_labelled": self.n_labelled,
                "table": self.table, "per_vod": self.per_vod,
                "signal_weights": self.signal_weights,
                "model_path": None if self.model_path is None else str(self.model_path),
                "warnings": self.warnings, "label_notes": self.label_notes}

    def __str__(self) -> str:
        lines = [f"channel {self.channel!r}: {self.n_labelled} labelled VOD(s) of {self.n_vods}"]
        if self.table:
            lines.append("cross-validation grouped by VOD (mean over held-out VODs):")
            head = f"  {'method':<18}" + "".join(f"{m:>9}" for m in METRICS)
            lines.append(head)
            for name, row in self.table.items():
                lines.append(f"  {name:<18}" + "".join(f"{row.get(m, float('nan')):9.3f}"
                                                      for m in METRICS))
        if self.signal_weights:
            top = ", ".join(f"{k} {v:.2f}" for k, v in list(self.signal_weights.items())[:6])
            lines.append(f"signals that matter most for this channel: {top}")
        if self.model_path is not None:
            lines.append(f"model saved to {self.model_path}")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def read_manifest(path: str | os.PathLike[str]) -> tuple[str, list[VodEntry], dict[str, Any]]:
    """Read a manifest: ``(channel, vods, model parameters)``.

    Raises
    ------
    LabelError
        The manifest is missing, not JSON/TOML, or malformed (one line).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise LabelError(f"Cannot read the manifest {str(p)!r}: {exc.strerror or exc}.") \
            from None
    text = raw.decode("utf-8-sig", errors="replace")
    doc: Any
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise LabelError(f"{p}: the manifest is not valid JSON ({exc}).") from None
    else:
        try:
            import tomllib  # type: ignore[import-not-found,unused-ignore]
        except ImportError:  # pragma: no cover - Python 3.10
            raise LabelError(f"{p}: TOML manifests need Python >= 3.11; use JSON.") from None
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise LabelError(f"{p}: the manifest is neither JSON nor TOML ({exc}).") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("vods"), list) or not doc["vods"]:
        raise LabelError(f"{p}: a manifest needs a non-empty 'vods' list.")
    base = p.parent
    vods = []
    for i, v in enumerate(doc["vods"]):
        if not isinstance(v, dict) or not isinstance(v.get("video"), str):
            raise LabelError(f"{p}: vods[{i}] needs a 'video' path.")
        labels = v.get("labels", [])
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise LabelError(f"{p}: vods[{i}].labels must be a list of paths.")
        chat = v.get("chat")
        if chat is not None and not isinstance(chat, str):
            raise LabelError(f"{p}: vods[{i}].chat must be a path.")
        vods.append(VodEntry(video=base / v["video"], chat=None if chat is None else base / chat,
                             labels=tuple(base / x for x in labels)))
    params = doc.get("model", {})
    if not isinstance(params, dict):
        raise LabelError(f"{p}: 'model' must be an object of HighlightModel parameters.")
    return str(doc.get("channel") or p.stem), vods, params


def _metrics(clips: Any, ref: np.ndarray, duration_s: float) -> dict[str, float]:
    from .evaluate import evaluate_clips

    m = evaluate_clips(clips, ref, duration_s=max(duration_s, 1e-3), iou_thresholds=(0.3, 0.5),
                       ks=(1, 5))
    return {"F1@0.3": m["span"]["0.3"]["f1"], "F1@0.5": m["span"]["0.5"]["f1"],
            "hit@1": m["hit"]["1"], "hit@5": m["hit"]["5"], "covF1": m["coverage"]["f1"]}


def learn_channel(
    manifest: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    cache: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    n_splits: int | None = None,
    progress: Any = None,
) -> ChannelReport:
    """Fit a per-channel :class:`~highlights.learn.HighlightModel` from a manifest.

    Parameters
    ----------
    manifest : path-like
        The manifest (format in :mod:`highlights.channel`).
    out : path-like, optional
        Where to save the fitted model (JSON), for ``find_highlights(model=...)``.
    cache : path-like, optional
        Analysis cache directory (a temporary one is used for the run otherwise, so
        each VOD is decoded once even with several published videos to align).
    overwrite : bool, default False
        Replace an existing ``out``.
    n_splits : int, optional
        Folds of the cross-validation (default: min(5, labelled VODs)).
    progress : None, bool or callable
        Progress of each analysis.

    Returns
    -------
    ChannelReport

    Raises
    ------
    LabelError
        A manifest or label source cannot be read.
    InvalidParameterError
        No VOD has labels, or the model parameters are bad.
    """
    from .api import analyze, select
    from .learn import HighlightModel

    channel, vods, params = read_manifest(manifest)
    report_warnings: list[str] = []
    notes: list[str] = []
    tmp = None
    if cache is None:
        tmp = tempfile.TemporaryDirectory(prefix="highlights-learn-")
        cache = tmp.name
    try:
        analyses, spans, names = [], [], []
        from .labels import load_labels

        for v in vods:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", HighlightsWarning)
                an = analyze(v.video, chat=v.chat, chat_required=False, cache=cache,
                             progress=progress)
            labels = None
            for src in v.labels:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", HighlightsWarning)
                    lab = load_labels(src, vod=v.video, cache=cache)
                notes += [f"{src.name}: {w.message}" for w in caught]
                labels = lab if labels is None else labels.merged(lab)
            arr = labels.array() if labels is not None else np.zeros((0, 2))
            analyses.append(an)
            spans.append(arr)
            names.append(v.video.name)
        labelled = [i for i, s in enumerate(spans) if len(s)]
        if not labelled:
            raise InvalidParameterError(
                "No VOD of the manifest has labels: nothing to learn from.")
        if len(labelled) < MIN_VODS:
            report_warnings.append(
                f"only {len(labelled)} labelled VOD(s): too few to tell whether the learned "
                f"model beats the defaults (aim for {MIN_VODS} or more)")
        table: dict[str, dict[str, float]] = {}
        per_vod: list[dict[str, Any]] = []
        if len(labelled) >= 2:
            from sklearn.model_selection import GroupKFold

            k = min(len(labelled), 5 if n_splits is None else int(n_splits))
            groups = np.arange(len(labelled))
            sums: dict[str, list[dict[str, float]]] = {}
            for fold, (tr, te) in enumerate(GroupKFold(n_splits=k).split(
                    groups, groups=groups)):
                model = HighlightModel(**params).fit_timelines(
                    [analyses[labelled[i]].timelines for i in tr],
                    [spans[labelled[i]] for i in tr])
                for i in te:
                    j = labelled[i]
                    an = analyses[j]
                    dur = float(an.span_s or an.duration_s)
                    row: dict[str, Any] = {"vod": names[j], "fold": fold}
                    methods: dict[str, Any] = {"learned": {"model": model},
                                               "default": {}}
                    methods.update({f"preset:{g}": {"weights": g} for g in _PRESETS})
                    for name, kw in methods.items():
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore", HighlightsWarning)
                            clips = select(an, **kw).clips
                        m = _metrics(list(clips), spans[j], dur)
                        row[name] = m
                        sums.setdefault(name, []).append(m)
                    per_vod.append(row)
            table = {name: {m: float(np.mean([r[m] for r in rows])) for m in METRICS}
                     for name, rows in sums.items()}
            if table["learned"]["F1@0.5"] <= table["default"]["F1@0.5"] and \
                    table["learned"]["covF1"] <= table["default"]["covF1"]:
                report_warnings.append(
                    "the learned model does not beat the default weights in "
                    "cross-validation: keep the defaults (or add labelled VODs)")
        else:
            report_warnings.append("one labelled VOD: no cross-validation is possible")
        model = HighlightModel(**params).fit_timelines(
            [analyses[i].timelines for i in labelled], [spans[i] for i in labelled])
        weights = dict(sorted(model.signal_weights_.items(), key=lambda kv: -kv[1]))
        path = None
        if out is not None:
            path = model.save(out, overwrite=overwrite)
        for w in report_warnings:
            warnings.warn(w, HighlightsWarning, stacklevel=2)
        return ChannelReport(channel=channel, n_vods=len(vods), n_labelled=len(labelled),
                             table=table, per_vod=per_vod,
                             signal_weights={k: round(float(v), 4) for k, v in weights.items()},
                             model_path=path, warnings=report_warnings, label_notes=notes)
    finally:
        if tmp is not None:
            tmp.cleanup()


