"""`Highlights`: the result of an analysis, re-pickable without decoding again."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ._atomic import write_atomic
from ._validate import fail
from .choose import SELECTION_DEFAULTS, choose_clips, resolve_selection
from .fuse import fuse_detail
from .timeline import Timeline
from .types import Clip, MediaInfo

__all__ = ["Highlights", "SCHEMA", "SCHEMA_VERSION", "format_hms"]

#: Name and version of the JSON document written by :meth:`Highlights.to_json`.
#: The version changes whenever a field is renamed, removed or changes meaning;
#: adding a field does not change it.
SCHEMA = "highlights.result"
SCHEMA_VERSION = 1

# Parameters that need the score re-fused (still no decoding).
_FUSE_PARAMS = ("weights", "baseline_s", "smooth_s")


def format_hms(t_s: float, *, ms: bool = False) -> str:
    """Format seconds as ``H:MM:SS`` (``H:MM:SS.mmm`` with ``ms=True``)."""
    sign = "-" if t_s < 0 else ""
    total_ms = int(round(abs(t_s) * 1000))
    h, rem = divmod(total_ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, milli = divmod(rem, 1000)
    out = f"{sign}{h}:{m:02d}:{s:02d}"
    return f"{out}.{milli:03d}" if ms else out


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

    # ------------------------------------------------------------------ re-cutting
    def repick(self, **params: Any) -> Highlights:
        """Re-select clips with new parameters, without decoding anything.

        Selection parameters (``n``, ``min_len_s``, ``max_len_s``, ``pad_s``,
        ``min_gap_s``, ``threshold``, ``order``, ``rel_level``, ``budget_s``,
        ``snap``, ``chapters``) re-pick from the stored score in milliseconds;
        ``preset=`` starts from that preset instead of the current selection.  Fusion
        parameters (``weights``, ``baseline_s``, ``smooth_s``) re-fuse the stored
        signals first.

        Returns
        -------
        Highlights
            A new result; this one is unchanged.

        Raises
        ------
        InvalidParameterError
            For an unknown parameter name.

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
        sel_given = {k: v for k, v in params.items() if k in SELECTION_DEFAULTS}
        if "preset" in params:
            sel = resolve_selection(params["preset"], **sel_given)
        else:
            current = {k: self.params[k] for k in SELECTION_DEFAULTS if k in self.params}
            sel = resolve_selection(self.params.get("preset"), **{**current, **sel_given})
        merged = {**self.params, **{k: v for k, v in params.items() if k in _FUSE_PARAMS}}
        score, components = self.score, self.components
        if any(k in params for k in _FUSE_PARAMS):
            from .api import resolve_weights

            fusion = fuse_detail(
                self.timelines, weights=resolve_weights(merged.get("weights"), self.timelines),
                baseline_s=merged.get("baseline_s", 600.0), smooth_s=merged.get("smooth_s", 3.0),
            )
            score, components = fusion.score, fusion.components
            merged["weights"] = dict(fusion.weights)
        clips = choose_clips(
            score, sel, components=components, energy=self.timelines.get("audio_rms_db"),
            cuts_s=self.cuts_s, keywords=self.keyword_source,
            duration_s=None if self.media is None or self.media.duration_s <= 0
            else self.media.duration_s,
        )
        merged.update(sel.to_dict())
        return replace(self, clips=tuple(_annotate(clips, self.keyword_source)), score=score,
                       components=components, params=merged)

    # Set by find_highlights when chat was given, to label clips; not part of equality.
    keyword_source: Any = field(default=None, compare=False, repr=False)
    #: Hard-cut times found in the video, seconds (for snapping and chapters).
    cuts_s: Any = field(default=(), compare=False, repr=False)

    # ------------------------------------------------------------------ views
    def to_records(self) -> list[dict[str, Any]]:
        """Clips as a list of JSON-ready dicts (one per clip, best first)."""
        return [c.to_dict() for c in self.clips]

    def to_dict(self, *, include_timelines: bool = False) -> dict[str, Any]:
        """The versioned JSON document as a dict (see :meth:`to_json`)."""
        from . import __version__

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
            "signals": sorted(self.timelines),
            "hop_s": self.score.hop_s,
            "duration_s": round(self.score.end_s, 3),
            "clips": self.to_records(),
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
    ) -> dict[str, Any]:
        """Write the result in several forms into ``out_dir``.

        See :func:`highlights.deliver.export_result` for the formats (``json``,
        ``csv``, ``srt``, ``vtt``, ``chapters``, ``edl``, ``resolve_markers``,
        ``otio``, ``fcp7``, ``ffconcat``, ``clips``, ``reel``, ``shorts``, ``plot``)
        and file names.

        Examples
        --------
        >>> result.export("out", formats=["edl", "chapters", "clips"])  # doctest: +SKIP
        """
        from .deliver import export_result

        return export_result(self, out_dir, formats=formats, overwrite=overwrite,
                             cut_mode=cut_mode, crossfade_s=crossfade_s, progress=progress)

    def to_dataframe(self) -> Any:
        """Clips as a pandas DataFrame, one column per signal's contribution.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install highlights[pandas]``).
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_dataframe needs pandas: pip install 'highlights[pandas]'"
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
            Signals to draw (default: all that have a non-zero weight).
        path : path-like, optional
            Save the figure there (PNG/SVG/PDF by suffix).
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
            If matplotlib is not installed (``pip install highlights[plot]``).
        """
        from .plot import plot_highlights

        return plot_highlights(self, signals=signals, path=path, overwrite=overwrite, truth=truth)

    def __str__(self) -> str:
        dur = format_hms(self.score.end_s)
        src = self.source or "<timelines>"
        return f"Highlights: {len(self.clips)} clips from {src} ({dur})\n" + self.table()


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
