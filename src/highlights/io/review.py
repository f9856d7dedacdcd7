"""Read the decisions a producer downloads from the review page (schema ``highlights.review``).

The review page (:func:`highlights.export.report.write_report`, ``highlights report``)
lets a producer accept, reject and nudge each clip, then download their decisions as
one JSON file.  :func:`read_review` reads it back into :class:`Review`, whose
:meth:`Review.labels` and :meth:`Review.accepted_spans` are labels a
:class:`highlights.learn.HighlightModel` can be fitted from.

The document, ``highlights.review`` version 1::

    {
      "schema": "highlights.review", "schema_version": 1,
      "library_version": "0.1.0",          # of the library that wrote the page
      "page_id": "...",                    # the page the decisions were made on
      "saved_at": "2024-05-01T20:00:00.000Z",
      "recording": {                       # what the clips refer to
        "path": "/videos/stream.mp4",      # as analysed (a chat log for chat-only)
        "kind": "media",                   # or "chat"
        "size_bytes": 123456789,           # null when unknown
        "duration_s": 14400.0,
        "identity": {"size": ..., "mtime_ns": "...", "sample_sha256": "..."}  # or null
      },
      "result": {"hop_s": 0.5, "signals": ["audio_rms_db", ...], "preset": null},
      "clips": [
        {"rank": 1, "start_s": 61.0, "end_s": 95.5,     # the span the library chose
         "peak_s": 70.0, "score": 3.2,
         "decision": "accepted",                       # or "rejected", "undecided"
         "edited_start_s": 59.0, "edited_end_s": 95.5} # the producer's edges
      ]
    }

``identity`` is :func:`highlights.cache.file_identity` of the recording (size,
modification time and a hash of three samples of its bytes): enough to tell whether a
file on disk is the one that was reviewed.  Its ``mtime_ns`` is written as a decimal
string (a JavaScript number cannot hold nanoseconds exactly); :func:`read_review`
gives it back as an int, so ``review.recording["identity"] == file_identity(path)``
for the same, unchanged file.  Fields may be added within a version.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._schema import REVIEW_SCHEMA, REVIEW_SCHEMA_VERSION
from ..errors import DocumentError
from ._document import field as _field
from ._document import number, read_document

__all__ = ["read_review", "Review", "ReviewedClip", "DECISIONS"]

#: The decisions a clip can carry, in the page's words.
DECISIONS = ("accepted", "rejected", "undecided")


@dataclass(frozen=True, slots=True)
class ReviewedClip:
    """One clip of a review: the span the library chose and what the producer decided.

    Attributes
    ----------
    rank : int
        The clip's rank in the reviewed result (1 = best).
    start_s, end_s : float
        The span the library chose, seconds.
    decision : {"accepted", "rejected", "undecided"}
        The producer's decision.
    edited_start_s, edited_end_s : float
        The edges after the producer's nudges (equal to ``start_s``/``end_s`` when
        untouched), seconds.
    peak_s, score : float or None
        The clip's score peak and score in the reviewed result.
    """

    rank: int
    start_s: float
    end_s: float
    decision: str
    edited_start_s: float
    edited_end_s: float
    peak_s: float | None = None
    score: float | None = None

    @property
    def edited(self) -> bool:
        """True when the producer moved an edge."""
        return (abs(self.edited_start_s - self.start_s) > 1e-6
                or abs(self.edited_end_s - self.end_s) > 1e-6)

    @property
    def weight(self) -> float | None:
        """Label weight: 1.0 accepted, 0.0 rejected, None undecided."""
        return {"accepted": 1.0, "rejected": 0.0}.get(self.decision)


@dataclass(frozen=True)
class Review:
    """A producer's decisions on one result's clips (see :func:`read_review`).

    Attributes
    ----------
    clips : tuple of ReviewedClip
        In the order of the reviewed result (best first).
    recording : dict
        ``path``, ``kind`` (``"media"`` or ``"chat"``), ``size_bytes``,
        ``duration_s`` and ``identity`` of what the clips refer to.
    result : dict
        ``hop_s``, ``signals`` and ``preset`` of the reviewed result.
    page_id, saved_at, library_version : str or None
        The page the decisions were made on, when they were downloaded, and the
        library version that wrote the page.
    path : str
        The file read.
    """

    clips: tuple[ReviewedClip, ...]
    recording: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    page_id: str | None = None
    saved_at: str | None = None
    library_version: str | None = None
    path: str = ""

    def counts(self) -> dict[str, int]:
        """Number of clips per decision."""
        return {d: sum(c.decision == d for c in self.clips) for d in DECISIONS}

    def labels(self, *, edited: bool = True) -> list[tuple[float, float, float]]:
        """``(start_s, end_s, weight)`` of every decided clip, in the review's order.

        Accepted clips weigh 1.0 (a highlight), rejected clips 0.0 (explicitly not
        one); undecided clips are left out: the producer said nothing about them.

        Parameters
        ----------
        edited : bool, default True
            Use the producer's edges (else the spans the library chose).
        """
        out = []
        for c in self.clips:
            if c.weight is None:
                continue
            a, b = (c.edited_start_s, c.edited_end_s) if edited else (c.start_s, c.end_s)
            out.append((a, b, c.weight))
        return out

    def accepted_spans(self, *, edited: bool = True) -> NDArray[np.float64]:
        """The accepted clips' spans as an ``(m, 2)`` array, sorted by start.

        This is the ``spans`` argument of
        :meth:`highlights.learn.HighlightModel.fit_timelines` for the reviewed
        recording: hops inside an accepted span are positives, every other hop
        (rejected clips included) a negative.

        Examples
        --------
        >>> review = read_review("stream.review.json")             # doctest: +SKIP
        >>> model = HighlightModel().fit_timelines(                 # doctest: +SKIP
        ...     [result.timelines], [review.accepted_spans()])
        """
        spans = [(a, b) for a, b, w in self.labels(edited=edited) if w > 0]
        arr = np.asarray(sorted(spans), dtype=np.float64).reshape(-1, 2)
        return arr


def read_review(path: str | os.PathLike[str]) -> Review:
    """Read a decisions file downloaded from the review page.

    Parameters
    ----------
    path : path-like
        A ``highlights.review`` JSON file (see the module documentation).

    Returns
    -------
    Review
        ``review.labels()`` gives ``(start_s, end_s, weight)`` per decided clip,
        ``review.accepted_spans()`` the spans to fit a model from.

    Raises
    ------
    DocumentError
        If the file is missing, not JSON, another schema, a newer schema version, or
        has a malformed clip (a bad decision, edges that are not increasing numbers).

    Examples
    --------
    >>> from highlights.io.review import read_review             # doctest: +SKIP
    >>> review = read_review("stream.review.json")               # doctest: +SKIP
    >>> review.counts()                                          # doctest: +SKIP
    {'accepted': 3, 'rejected': 1, 'undecided': 6}
    >>> review.labels()[0]                                       # doctest: +SKIP
    (59.0, 95.5, 1.0)
    """
    p = os.fspath(path)
    doc = read_document(p, schema=REVIEW_SCHEMA, versions=range(1, REVIEW_SCHEMA_VERSION + 1),
                        what="review decisions from the highlights review page")
    raw = _field(doc, "clips", list, where="the document", path=p)
    clips = []
    for i, item in enumerate(raw):
        where = f"clip {i + 1}"
        if not isinstance(item, dict):
            raise DocumentError(f"{p!r}: {where} must be an object; got {item!r}.", path=p)
        rank = _field(item, "rank", int, where=where, path=p)
        start = number(item, "start_s", where=where, path=p)
        end = number(item, "end_s", where=where, path=p)
        decision = _field(item, "decision", str, where=where, path=p)
        if decision not in DECISIONS:
            raise DocumentError(f"{p!r}: {where}'s decision must be one of "
                                f"{', '.join(DECISIONS)}; got {decision!r}.", path=p)
        e_start = number(item, "edited_start_s", where=where, path=p, optional=True)
        e_end = number(item, "edited_end_s", where=where, path=p, optional=True)
        assert start is not None and end is not None
        e_start = start if e_start is None else e_start
        e_end = end if e_end is None else e_end
        for a, b, what in ((start, end, "start_s < end_s"),
                           (e_start, e_end, "edited_start_s < edited_end_s")):
            if not (0 <= a < b):
                raise DocumentError(f"{p!r}: {where} must have 0 <= {what}; got {a!r} and "
                                    f"{b!r}.", path=p)
        clips.append(ReviewedClip(
            rank=rank, start_s=start, end_s=end, decision=decision, edited_start_s=e_start,
            edited_end_s=e_end, peak_s=number(item, "peak_s", where=where, path=p,
                                              optional=True),
            score=number(item, "score", where=where, path=p, optional=True),
        ))
    recording = dict(doc["recording"]) if isinstance(doc.get("recording"), dict) else {}
    identity = recording.get("identity")
    if isinstance(identity, dict) and isinstance(identity.get("mtime_ns"), str):
        try:
            recording["identity"] = {**identity, "mtime_ns": int(identity["mtime_ns"])}
        except ValueError:
            raise DocumentError(f"{p!r}: the recording's identity has a malformed mtime_ns "
                                f"{identity['mtime_ns']!r}.", path=p) from None
    result = doc.get("result")

    def text(key: str) -> str | None:
        value = doc.get(key)
        return value if isinstance(value, str) else None

    return Review(
        clips=tuple(clips),
        recording=recording,
        result=dict(result) if isinstance(result, dict) else {},
        page_id=text("page_id"), saved_at=text("saved_at"),
        library_version=text("library_version"), path=p,
    )
