"""Read back a result written by :meth:`highlights.Highlights.to_json` (``highlights.result``).

A result JSON holds the clips, the parameters, the media, the chat lag and the notes;
with ``include_timelines=True`` (``highlights find --timelines --json``) also every
signal and the fused score.  :func:`read_result` turns it into a
:class:`ResultDocument`, what the review page (``highlights report result.json``) is
drawn from.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._schema import RESULT_SCHEMA, RESULT_SCHEMA_VERSION
from ..errors import DocumentError, HighlightsError
from ..timeline import Timeline
from ..types import Clip, MediaInfo
from ._document import field as _field
from ._document import number, read_document

__all__ = ["read_result", "ResultDocument"]


@dataclass(frozen=True)
class ResultDocument:
    """A result read from its JSON document (no analysis behind it: nothing to re-pick).

    Attributes
    ----------
    clips : tuple of Clip
        As written (best first, or chronological for ``order="time"``).
    source : str
        The analysed file (the chat log of a chat-only analysis).
    media : MediaInfo or None
        The probed media (None for chat-only results).
    duration_s, hop_s : float
        Length of what was analysed and the signals' resolution, seconds.
    signals : tuple of str
        Names of the signals the result was fused from.
    params : dict
        The parameters used (``params["weights"]`` the fusion weights).
    chat_lag_s, chat_lag_confidence : float or None
        The applied chat lag and its estimate's confidence.
    chat_lag_method : str or None
        ``"given"``, ``"estimated"`` or ``"default"``.
    notes : tuple of str
        Data-quality notes.
    timelines : dict of str to Timeline
        The signals, when the document carries them (else empty).
    score : Timeline or None
        The fused score, when the document carries it.
    timelines_origin : str
        Where ``timelines`` came from: ``"document"`` (written into the JSON),
        ``"none"``, or what a caller that re-analysed the recording sets.
    path : str
        The file read.
    """

    clips: tuple[Clip, ...]
    source: str
    media: MediaInfo | None
    duration_s: float
    hop_s: float
    signals: tuple[str, ...]
    params: dict[str, Any]
    chat_lag_s: float | None = None
    chat_lag_confidence: float | None = None
    chat_lag_method: str | None = None
    notes: tuple[str, ...] = ()
    timelines: dict[str, Timeline] = field(default_factory=dict)
    score: Timeline | None = None
    timelines_origin: str = "none"
    path: str = ""

    def locate(self, recorded: str | None) -> Path | None:
        """Find a file the result names (its recording or chat log), wherever it is now.

        The path as recorded (relative to the current folder when it is relative),
        then relative to the JSON file's folder, then the bare file name next to the
        JSON (a result exported into the recording's folder, or moved with it).

        Returns
        -------
        pathlib.Path or None
            The first candidate that is a file, or None.
        """
        if not recorded:
            return None
        given = Path(recorded)
        here = Path(self.path).resolve().parent if self.path else None
        candidates = [given]
        if here is not None:
            candidates += [here / given, here / given.name]
        return next((c for c in candidates if c.is_file()), None)

    def with_timelines(self, timelines: Mapping[str, Timeline], score: Timeline | None, *,
                       origin: str) -> ResultDocument:
        """A copy carrying ``timelines`` and ``score`` (e.g. from a re-analysis)."""
        return dataclasses.replace(self, timelines=dict(timelines), score=score,
                                   timelines_origin=origin)


def read_result(path: str | os.PathLike[str]) -> ResultDocument:
    """Read a ``highlights.result`` JSON document (schema versions 1 and 2).

    Parameters
    ----------
    path : path-like
        A file written by :meth:`highlights.Highlights.to_json` or
        ``highlights find --json``.

    Returns
    -------
    ResultDocument

    Raises
    ------
    DocumentError
        If the file is missing, not JSON, another schema, a newer schema version, or
        has malformed fields.
    """
    p = os.fspath(path)
    doc = read_document(p, schema=RESULT_SCHEMA, versions=range(1, RESULT_SCHEMA_VERSION + 1),
                        what="a highlights result")
    where = "the document"
    clips = tuple(_clip(item, i, p) for i, item in enumerate(
        _field(doc, "clips", list, where=where, path=p)))
    media = _media(doc.get("media"), p)
    hop = number(doc, "hop_s", where=where, path=p)
    assert hop is not None
    if hop <= 0:
        raise DocumentError(f"{p!r}: hop_s must be > 0; got {hop!r}.", path=p)
    timelines: dict[str, Timeline] = {}
    raw = _field(doc, "timelines", dict, where=where, path=p, optional=True) or {}
    for name, enc in raw.items():
        timelines[str(name)] = _timeline(str(name), enc, p)
    score = timelines.pop("score", None)
    duration = number(doc, "duration_s", where=where, path=p, optional=True)
    if duration is None or duration <= 0:
        duration = max((c.end_s for c in clips), default=0.0)
        if score is not None:
            duration = max(duration, score.end_s)
    signals = _field(doc, "signals", list, where=where, path=p, optional=True) or sorted(
        timelines)
    params = _field(doc, "params", dict, where=where, path=p, optional=True) or {}
    notes = _field(doc, "notes", list, where=where, path=p, optional=True) or []
    return ResultDocument(
        clips=clips, source=str(_field(doc, "source", str, where=where, path=p, optional=True)
                                or ""),
        media=media, duration_s=float(duration), hop_s=hop,
        signals=tuple(str(s) for s in signals), params=dict(params),
        chat_lag_s=number(doc, "chat_lag_s", where=where, path=p, optional=True),
        chat_lag_confidence=number(doc, "chat_lag_confidence", where=where, path=p,
                                   optional=True),
        chat_lag_method=_field(doc, "chat_lag_method", str, where=where, path=p,
                               optional=True),
        notes=tuple(str(n) for n in notes), timelines=timelines, score=score,
        timelines_origin="document" if timelines or score is not None else "none", path=p,
    )


def _clip(item: Any, i: int, path: str) -> Clip:
    where = f"clip {i + 1}"
    if not isinstance(item, dict):
        raise DocumentError(f"{path!r}: {where} must be an object; got {item!r}.", path=path)
    start = number(item, "start_s", where=where, path=path)
    end = number(item, "end_s", where=where, path=path)
    assert start is not None and end is not None
    if not 0 <= start < end:
        raise DocumentError(f"{path!r}: {where} must have 0 <= start_s < end_s; got {start} "
                            f"and {end}.", path=path)
    peak = number(item, "peak_s", where=where, path=path, optional=True)
    contributions = _field(item, "contributions", dict, where=where, path=path,
                           optional=True) or {}
    keywords = _field(item, "keywords", list, where=where, path=path, optional=True) or []
    return Clip(
        start_s=start, end_s=end, peak_s=(start + end) / 2 if peak is None else peak,
        score=number(item, "score", where=where, path=path, optional=True) or 0.0,
        rank=_field(item, "rank", int, where=where, path=path, optional=True) or i + 1,
        contributions={str(k): float(v) for k, v in contributions.items()
                       if isinstance(v, (int, float)) and np.isfinite(v)},
        keywords=tuple(str(k) for k in keywords),
        label=str(_field(item, "label", str, where=where, path=path, optional=True) or ""),
    )


def _media(raw: Any, path: str) -> MediaInfo | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise DocumentError(f"{path!r}: media must be an object or null; got {raw!r}.",
                            path=path)
    known = {f.name for f in dataclasses.fields(MediaInfo)}
    try:
        return MediaInfo(**{k: v for k, v in raw.items() if k in known})
    except (TypeError, HighlightsError) as exc:
        raise DocumentError(f"{path!r}: media is malformed ({exc}).", path=path) from None


def _timeline(name: str, enc: Any, path: str) -> Timeline:
    where = f"timeline {name!r}"
    if not isinstance(enc, dict):
        raise DocumentError(f"{path!r}: {where} must be an object; got {type(enc).__name__}.",
                            path=path)
    hop = number(enc, "hop_s", where=where, path=path)
    assert hop is not None
    start = number(enc, "start_s", where=where, path=path, optional=True) or 0.0
    values = _field(enc, "values", list, where=where, path=path)
    try:
        arr = np.array([np.nan if v is None else v for v in values], dtype=np.float32)
    except (TypeError, ValueError):
        raise DocumentError(f"{path!r}: {where}'s values must be numbers or null.",
                            path=path) from None
    try:
        return Timeline(values=arr, hop_s=hop, start_s=start, name=name)
    except HighlightsError as exc:
        raise DocumentError(f"{path!r}: {where} is malformed ({exc}).", path=path) from None
