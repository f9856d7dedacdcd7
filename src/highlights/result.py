"""`Highlights`: the result of an analysis, re-pickable without decoding again."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ._atomic import write_atomic
from ._format import format_hms
from ._schema import RESULT_SCHEMA, RESULT_SCHEMA_VERSION
from ._validate import fail
from .features.lag import lag_lead_s
from .fusion.genre import resolve_weights
from .fusion.score import fuse_detail
from .selection.stage import SELECTION_DEFAULTS, Selection, resolve_selection, select_clips
from .timeline import Timeline
from .types import ChatEvents, Clip, MediaInfo

if TYPE_CHECKING:  # pragma: no cover
    from .learn.model import HighlightModel

__all__ = ["Highlights", "Analysis", "build_highlights", "SCHEMA", "SCHEMA_VERSION"]

#: Name and version of the JSON document written by :meth:`Highlights.to_json`
#: (see :mod:`highlights._schema`).
SCHEMA = RESULT_SCHEMA
SCHEMA_VERSION = RESULT_SCHEMA_VERSION

# Parameters that need the score re-fused (still no decoding).
_FUSE_PARAMS = ("weights", "baseline_s", "smooth_s", "model")


@dataclass(frozen=True)
class Analysis:
    """Every signal of one recording on one grid: the expensive, re-usable part.

    Attributes
    ----------
    timelines : dict of str to Timeline
        Raw signals on the common grid (start 0, ``hop_s``).
    media : MediaInfo or None
        The probed media (None for chat-only input).
    chat : ChatEvents or None
        The chat events, shifted back by ``chat_lag_s``.
    chat_lag_s, chat_lag_confidence : float or None
        Applied chat lag and the estimate's confidence.
    chat_lag_method : {"given", "estimated", "default"} or None
        Where ``chat_lag_s`` came from.
    cuts_s : ndarray of float64
        Hard cuts found while analysing the video, seconds.
    notes : tuple of str
        Data-quality notes (also issued as warnings).
    source : str
        The analysed file (or the chat log of a chat-only analysis).
    span_s : float or None
        Length of what was analysed, seconds (the media's duration, or for a chat-only
        analysis the span of the chat or the ``duration_s`` given).
    chat_time_base : {"live", "video"} or None
        What the chat's times measure (see :attr:`highlights.ChatEvents.time_base`);
        None without chat.
    """

    timelines: dict[str, Timeline]
    media: MediaInfo | None
    chat: ChatEvents | None
    chat_lag_s: float | None
    chat_lag_confidence: float | None
    chat_lag_method: str | None
    cuts_s: NDArray[np.float64]
    notes: tuple[str, ...]
    source: str
    span_s: float | None = None
    chat_time_base: str | None = None

    @property
    def duration_s(self) -> float | None:
        """Media length in seconds (None for chat-only analyses)."""
        return None if self.media is None or self.media.duration_s <= 0 else self.media.duration_s



#: Clips shorter than this (teasers, 2-4 s) keep their pre-roll when the chat lag is
#: not measured: a longer lead-in would push them off their peak.
LAG_LEAD_MIN_LEN_S = 15.0


def build_highlights(
    analysis: Analysis,
    selection: Selection | None = None,
    *,
    weights: Mapping[str, float] | str | None = None,
    baseline_s: float | None = 600.0,
    smooth_s: float = 3.0,
    model: HighlightModel | str | os.PathLike[str] | None = None,
    extra_params: Mapping[str, Any] | None = None,
) -> Highlights:
    """Fuse an :class:`Analysis` and choose clips: the one path from signals to a result.

    :func:`highlights.find_highlights`, :func:`highlights.select` and
    :meth:`Highlights.repick` all end here, so a re-pick behaves exactly like a
    fresh run with the same parameters.

    Parameters
    ----------
    analysis : Analysis
        Output of :func:`highlights.analyze`.
    selection : Selection, optional
        Output of :func:`highlights.selection.resolve_selection` (default: the
        library defaults).
    weights, baseline_s, smooth_s
        Fusion parameters (see :func:`highlights.find_highlights`).  With a ``model``,
        ``smooth_s`` sets the model's score smoothing and the others are unused.
    model : HighlightModel or path-like, optional
        Learned fusion used instead of ``weights``.
    extra_params : mapping, optional
        Recorded in ``result.params`` as they are.

    Returns
    -------
    Highlights
    """
    sel = resolve_selection() if selection is None else selection
    learned = _as_model(model)
    if learned is not None:
        fusion = learned.fuse(analysis.timelines, smooth_s=smooth_s)
    else:
        fusion = fuse_detail(
            analysis.timelines, weights=resolve_weights(weights, analysis.timelines),
            baseline_s=baseline_s, smooth_s=smooth_s,
            chat_time_base="video" if analysis.chat_time_base == "video" else "live",
        )
    keyword_source = _keyword_source(analysis.chat)
    selection_notes: list[str] = []
    lead = lag_lead_s(analysis.chat_lag_method, analysis.chat_lag_confidence) \
        if sel.max_len_s >= LAG_LEAD_MIN_LEN_S else 0.0
    picked = sel
    if lead >= 0.5:
        picked = replace(sel, pad_s=(sel.pad_s[0] + lead, sel.pad_s[1]))
        selection_notes.append(
            f"The chat lag was not measured (method {analysis.chat_lag_method!r}); clips "
            f"start {lead:.0f} s earlier to hold the action of a longer lag (give "
            "chat_lag_s= to set it).")
    clips = select_clips(
        fusion.score, picked, components=fusion.components,
        energy=analysis.timelines.get("audio_rms_db"), cuts_s=analysis.cuts_s,
        keywords=keyword_source, duration_s=analysis.duration_s, notes=selection_notes,
        evidence=fusion.evidence,
    )
    params: dict[str, Any] = {
        **sel.to_dict(), "weights": dict(fusion.weights), "baseline_s": baseline_s,
        "smooth_s": smooth_s, "model": None if learned is None else repr(learned),
        "lag_lead_s": round(lead, 3) if lead >= 0.5 else 0.0,
        **dict(extra_params or {}),
    }
    return Highlights(
        clips=tuple(_annotate(clips, keyword_source)),
        score=fusion.score,
        timelines=dict(analysis.timelines),
        components=fusion.components,
        params=params,
        media=analysis.media,
        chat_lag_s=analysis.chat_lag_s,
        chat_lag_confidence=analysis.chat_lag_confidence,
        chat_lag_method=analysis.chat_lag_method,
        source=analysis.source,
        notes=(*analysis.notes, *selection_notes),
        analysis=analysis,
        model=learned,
    )


def _as_model(model: HighlightModel | str | os.PathLike[str] | None) -> HighlightModel | None:
    if model is None:
        return None
    from .learn.model import HighlightModel

    return model if isinstance(model, HighlightModel) else HighlightModel.load(model)


@dataclass(frozen=True)
class Highlights:
    """Ranked clips plus everything needed to explain and re-cut them.

    Attributes
    ----------
    clips : tuple of Clip
        Best first (or chronological if ``params["order"] == "time"``).
    score : Timeline
        The fused score.
    timelines : dict of str to Timeline
        Every raw signal on the score's grid (NaN where a signal had no coverage).
    components : dict of str to Timeline
        Each signal's weighted contribution to ``score``.
    params : dict
        The parameters used (selection, fusion and analysis).
    media : MediaInfo or None
        What was analysed (None for chat-only analyses).
    chat_lag_s : float or None
        Seconds the chat trails the action (estimated or given); chat timelines were
        shifted back by it before fusion.
    chat_lag_confidence : float or None
        Confidence of the estimate in ``[0, 1]`` (None when given or without chat).
    chat_lag_method : {"given", "estimated", "default"} or None
        Where ``chat_lag_s`` came from: the caller, the per-stream estimate, or the
        default (5 s) because the estimate was not confident enough.
    source : str
        The analysed file.
    notes : tuple of str
        Data-quality notes of the analysis (a missing stream, an unusable chat log
        with ``chat_required=False``, ...) and of this selection (a budget it could not
        fill); each was also issued as a :class:`~highlights.HighlightsWarning`.
    """

    clips: tuple[Clip, ...]
    score: Timeline
    timelines: dict[str, Timeline]
    components: dict[str, Timeline]
    params: dict[str, Any]
    media: MediaInfo | None = None
    chat_lag_s: float | None = None
    chat_lag_confidence: float | None = None
    chat_lag_method: str | None = None
    source: str = ""
    notes: tuple[str, ...] = field(default=())

    #: The analysis this result was made from (signals, chat, cuts): what
    #: :meth:`repick` re-selects from.  Not part of equality.
    analysis: Analysis | None = field(default=None, compare=False, repr=False)
    #: The learned model that fused the signals, when one did.
    model: Any = field(default=None, compare=False, repr=False)

    @property
    def duration_s(self) -> float:
        """Length of what was analysed, seconds.

        The media's duration, or for a chat-only result the analysed span (up to the
        last event, or the ``duration_s=`` given).
        """
        if self.media is not None and self.media.duration_s > 0:
            return float(self.media.duration_s)
        if self.analysis is not None and self.analysis.span_s is not None:
            return float(self.analysis.span_s)
        return float(self.score.end_s)

    @property
    def cuts_s(self) -> NDArray[np.float64]:
        """Hard cuts found in the video, seconds (empty without video)."""
        if self.analysis is None:
            return np.zeros(0)
        return np.asarray(self.analysis.cuts_s, dtype=np.float64)

    @property
    def keyword_source(self) -> Callable[[float, float], Sequence[str]] | None:
        """``keywords(start_s, end_s)``: the chat's top words in a span (None without chat)."""
        return None if self.analysis is None else _keyword_source(self.analysis.chat)

    # ------------------------------------------------------------------ re-cutting
    def repick(self, **params: Any) -> Highlights:
        """Re-select clips with new parameters, without decoding anything.

        Selection parameters (``n``, ``min_len_s``, ``max_len_s``, ``pad_s``,
        ``min_gap_s``, ``threshold``, ``order``, ``rel_level``, ``budget_s``,
        ``snap``, ``chapters``) re-pick from the stored signals in milliseconds;
        ``preset=`` starts from that preset instead of the current selection.  Fusion
        parameters (``weights``, ``baseline_s``, ``smooth_s``, ``model``) re-fuse the
        stored signals first.  A result made with a learned ``model`` keeps it
        (``smooth_s`` then sets the model's smoothing) unless ``weights=`` or
        ``model=None`` asks for the fixed-weight fusion instead.

        Returns
        -------
        Highlights
            A new result; this one is unchanged.

        Raises
        ------
        InvalidParameterError
            For an unknown parameter name or a bad value.

        Examples
        --------
        >>> shorter = result.repick(n=5, max_len_s=60)  # doctest: +SKIP
        >>> reel = result.repick(preset="reel")         # doctest: +SKIP
        """
        known = (*SELECTION_DEFAULTS, "preset", *_FUSE_PARAMS)
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise fail(unknown[0], "Highlights.repick", f"one of {', '.join(known)}",
                       params[unknown[0]])
        if self.analysis is None:
            raise fail("self", "Highlights.repick", "a result made by find_highlights", self)
        sel_given = {k: v for k, v in params.items() if k in SELECTION_DEFAULTS}
        if "preset" in params:
            sel = resolve_selection(params["preset"], **sel_given, caller="Highlights.repick")
        else:
            current = {k: self.params[k] for k in SELECTION_DEFAULTS if k in self.params}
            sel = resolve_selection(self.params.get("preset"), **{**current, **sel_given},
                                    caller="Highlights.repick")
        model = params.get("model", None if "weights" in params else self.model)
        keep = {k: v for k, v in self.params.items()
                if k not in SELECTION_DEFAULTS and k not in _FUSE_PARAMS and k != "preset"}
        return build_highlights(
            self.analysis, sel, model=model,
            weights=params.get("weights", self.params.get("weights")),
            baseline_s=params.get("baseline_s", self.params.get("baseline_s", 600.0)),
            smooth_s=params.get("smooth_s", self.params.get("smooth_s", 3.0)),
            extra_params=keep,
        )

    # ------------------------------------------------------------------ views
    def to_records(self) -> list[dict[str, Any]]:
        """Clips as a list of JSON-ready dicts (one per clip, best first)."""
        return [c.to_dict() for c in self.clips]

    def to_dict(self, *, include_timelines: bool = False) -> dict[str, Any]:
        """The versioned JSON document as a dict (see :meth:`to_json`)."""
        from ._version import __version__
        from .selection.titles import clip_title

        doc: dict[str, Any] = {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "library_version": __version__,
            "source": self.source,
            "media": None if self.media is None else self.media.to_dict(),
            "params": _jsonable(self.params),
            "chat_lag_s": None if self.chat_lag_s is None else round(self.chat_lag_s, 3),
            "chat_lag_confidence": (
                None if self.chat_lag_confidence is None else round(self.chat_lag_confidence, 3)
            ),
            "chat_lag_method": self.chat_lag_method,
            "chat_time_base": None if self.analysis is None else self.analysis.chat_time_base,
            "signals": sorted(self.timelines),
            "hop_s": self.score.hop_s,
            "duration_s": round(self.duration_s, 3),
            # a suggested title per clip (chat words and time; see selection.titles)
            "clips": [dict(r, title=clip_title(c))
                      for r, c in zip(self.to_records(), self.clips, strict=True)],
            "notes": list(self.notes),
        }
        if include_timelines:
            doc["timelines"] = {
                name: _encode_values(tl)
                for name, tl in {**self.timelines, "score": self.score}.items()
            }
        return doc

    def to_json(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        include_timelines: bool = False,
        overwrite: bool = False,
        indent: int | None = 2,
    ) -> str:
        """Serialise to the versioned JSON schema ``highlights.result`` v1.

        Parameters
        ----------
        path : path-like, optional
            Write the document there (atomically).  Without it, only return it.
        include_timelines : bool, default False
            Also store every signal and the score (lists of floats, NaN as null).
        overwrite : bool, default False
            Replace an existing file.
        indent : int or None, default 2
            JSON indentation.

        Returns
        -------
        str
            The JSON text.

        Raises
        ------
        OutputExistsError
            If ``path`` exists and ``overwrite`` is false.
        """
        text = json.dumps(
            self.to_dict(include_timelines=include_timelines), indent=indent, ensure_ascii=False
        )
        if path is not None:
            write_atomic(path, text + "\n", overwrite=overwrite)
        return text

    def export(
        self,
        out_dir: str | os.PathLike[str],
        *,
        formats: Any = ("json",),
        overwrite: bool = False,
        cut_mode: str = "copy",
        crossfade_s: float = 0.0,
        progress: Any = None,
        layout: str = "auto",
    ) -> dict[str, Any]:
        """Write the result in several forms into ``out_dir``.

        See :func:`highlights.export.bundle.export_result` for the formats (``json``,
        ``csv``, ``srt``, ``vtt``, ``chapters``, ``edl``, ``resolve_markers``,
        ``otio``, ``fcp7``, ``ffconcat``, ``clips``, ``reel``, ``shorts``, ``covers``,
        ``replay``, ``plot``) and file names; ``layout`` frames the ``shorts``.
        ``formats`` is a name, a comma-separated string of names or
        a sequence of names.  All or nothing: every target is checked before
        anything is written.  Returns the absolute path(s) written, by format.

        Examples
        --------
        >>> result.export("out", formats=["edl", "chapters", "clips"])  # doctest: +SKIP
        """
        from .export.bundle import export_result

        return export_result(self, out_dir, formats=formats, overwrite=overwrite,
                             cut_mode=cut_mode, crossfade_s=crossfade_s, progress=progress,
                             layout=layout)

    def to_dataframe(self) -> Any:
        """Clips as a pandas DataFrame, one column per signal's contribution.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install 'stream-highlights[pandas]'``).
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_dataframe needs pandas: pip install 'stream-highlights[pandas]'"
            ) from exc
        rows = []
        for c in self.clips:
            row = {k: v for k, v in c.to_dict().items() if k != "contributions"}
            row["keywords"] = ", ".join(c.keywords)
            row.update({f"share_{k}": v for k, v in c.contributions.items()})
            rows.append(row)
        return pd.DataFrame(rows)

    def table(self) -> str:
        """A plain-text table of the clips (what the CLI prints)."""
        head = f"{'rank':>4}  {'start':>10}  {'end':>10}  {'len':>6}  {'score':>6}  why"
        lines = [head, "-" * len(head)]
        for c in self.clips:
            why = ", ".join(f"{k} {v:+.0%}" for k, v in list(c.contributions.items())[:3])
            if c.keywords:
                why += f"  [{' '.join(c.keywords[:3])}]"
            lines.append(
                f"{c.rank:>4}  {format_hms(c.start_s, ms=True):>10}  "
                f"{format_hms(c.end_s, ms=True):>10}  {c.duration_s:>6.1f}  {c.score:>6.2f}  {why}"
            )
        return "\n".join(lines)

    def plot(
        self,
        *,
        signals: list[str] | None = None,
        path: str | os.PathLike[str] | None = None,
        overwrite: bool = False,
        truth: list[tuple[float, float]] | None = None,
    ) -> Any:
        """Plot each signal, the fused score and the chosen clips on one time axis.

        Parameters
        ----------
        signals : list of str, optional
            Signals to draw (default: all that have a non-zero weight and are not
            all zero or NaN).
        path : path-like, optional
            Save the figure there (PNG/SVG/PDF by suffix).  CJK text is drawn with
            an installed CJK font when there is one (see
            :mod:`highlights.export.plot`); a legend names the shading.
        overwrite : bool, default False
            Replace an existing file at ``path``.
        truth : list of (start_s, end_s), optional
            Reference spans to shade (e.g. planted moments of a synthetic stream).

        Returns
        -------
        matplotlib.figure.Figure

        Raises
        ------
        ImportError
            If matplotlib is not installed (``pip install 'stream-highlights[plot]'``).
        """
        from .export.plot import plot_highlights

        return plot_highlights(self, signals=signals, path=path, overwrite=overwrite, truth=truth)

    def to_html(
        self,
        path: str | os.PathLike[str],
        *,
        thumbnails: bool = True,
        overwrite: bool = False,
    ) -> Path:
        """Write the review page: one self-contained HTML file to look at and judge the clips.

        The page shows the fused score and every signal over the whole stream (zoom,
        pan, chosen clips shaded), a card per clip (thumbnails, score, each signal's
        share, chat words, a preview played from the recording), and lets a producer
        accept, reject or nudge each clip and download the decisions as a
        ``highlights.review`` JSON file (read it with
        :func:`highlights.io.review.read_review`).  It makes no network request.
        See :mod:`highlights.export.report`.

        Parameters
        ----------
        path : path-like
            The HTML file (its folder must exist).
        thumbnails : bool, default True
            Decode a few thumbnails across each clip (near those times only).
        overwrite : bool, default False
            Replace an existing file.

        Returns
        -------
        pathlib.Path
            ``path``, absolute.

        Raises
        ------
        OutputExistsError
            If ``path`` exists and ``overwrite`` is false.

        Examples
        --------
        >>> result.to_html("review.html")  # doctest: +SKIP
        """
        from .export.report import write_report

        return write_report(self, path, thumbnails=thumbnails, overwrite=overwrite)

    def _repr_html_(self) -> str:
        """A light review page for notebooks (no thumbnails decoded; see :meth:`to_html`)."""
        from .export.report import notebook_html

        return notebook_html(self, thumbnails=False)

    def __str__(self) -> str:
        dur = format_hms(self.score.end_s)
        src = self.source or "<timelines>"
        return f"Highlights: {len(self.clips)} clips from {src} ({dur})\n" + self.table()


class _Keywords:
    """What the chat says in a span that the rest of the stream does not.

    A class, not a closure, so results pickle; the stream's keyword frequencies
    (:class:`~highlights.features.chat.KeywordIndex`) are built on the first call and
    kept.
    """

    def __init__(self, events: ChatEvents) -> None:
        self.events = events
        self.index: Any = None

    def __call__(self, start_s: float, end_s: float) -> Sequence[str]:
        from .features.chat import KeywordIndex, top_keywords

        if self.index is None:
            self.index = KeywordIndex(self.events)
        return top_keywords(self.events, start_s, end_s, k=5, index=self.index)


_KEYWORD_SOURCES: dict[int, tuple[ChatEvents, _Keywords]] = {}


def _keyword_source(events: ChatEvents | None) -> Callable[[float, float], Sequence[str]] | None:
    """One keyword source per chat (the stream-wide index is built once)."""
    if events is None:
        return None
    hit = _KEYWORD_SOURCES.get(id(events))
    if hit is not None and hit[0] is events:
        return hit[1]
    source = _Keywords(events)
    if len(_KEYWORD_SOURCES) > 8:  # a few results at a time; never grows without bound
        _KEYWORD_SOURCES.clear()
    _KEYWORD_SOURCES[id(events)] = (events, source)
    return source



def _annotate(clips: list[Clip], keyword_source: Any) -> list[Clip]:
    """Attach chat keywords and a short label to each clip."""
    out = []
    for c in clips:
        kws: tuple[str, ...] = ()
        if keyword_source is not None:
            kws = tuple(keyword_source(c.start_s, c.end_s))
        label = c.label or " + ".join(k for k, v in list(c.contributions.items())[:2] if v > 0)
        out.append(replace(c, keywords=kws or c.keywords, label=label))
    return out


def _encode_values(tl: Timeline) -> dict[str, Any]:
    vals = [None if not np.isfinite(v) else round(float(v), 5) for v in tl.values]
    return {"hop_s": tl.hop_s, "start_s": tl.start_s, "values": vals}


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return repr(obj)
