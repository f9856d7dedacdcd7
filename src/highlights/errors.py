"""Exception and warning hierarchy of ``highlights``.

Every exception the library raises on purpose derives from :class:`HighlightsError`,
so callers can catch one root.  Several also derive from the matching builtin
(``ValueError``, ``FileNotFoundError``) so generic handlers keep working.

Warnings derive from :class:`HighlightsWarning` and report data-quality problems the
library worked around (a missing stream, a damaged packet, chat outside the media).
"""

from __future__ import annotations

__all__ = [
    "HighlightsError",
    "LabelError",
    "LabelWarning",
    "InvalidParameterError",
    "MediaError",
    "MediaNotFoundError",
    "StreamNotFoundError",
    "DecodeError",
    "ChatLogError",
    "ChatFormatError",
    "TimelineMismatchError",
    "ExportError",
    "OutputExistsError",
    "NotFittedError",
    "ModelFileError",
    "DocumentError",
    "HighlightsWarning",
    "DecodeWarning",
    "ChatWarning",
    "SignalMissingWarning",
    "NoClipsWarning",
    "BudgetWarning",
    "UpscaleWarning",
]


class HighlightsError(Exception):
    """Root of every exception raised by ``highlights``."""


class InvalidParameterError(HighlightsError, ValueError, TypeError):
    """A public function was called with a parameter of the wrong type or value."""


class MediaError(HighlightsError):
    """A media file cannot be opened or read."""

    def __init__(self, message: str, *, path: object = None) -> None:
        super().__init__(message)
        self.path = path


class MediaNotFoundError(MediaError, FileNotFoundError):
    """The media file does not exist."""


class StreamNotFoundError(MediaError):
    """The media file has no stream of the requested kind (or index)."""


class DecodeError(MediaError):
    """Decoding failed beyond recovery (for example, many corrupt packets in a row)."""


class ChatLogError(HighlightsError, ValueError):
    """A chat log cannot be read.

    Attributes
    ----------
    path : object
        The file that was being read, if any.
    line : int or None
        1-based line number of the offending input, when known.
    """

    def __init__(self, message: str, *, path: object = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f" ({path}{'' if line is None else f', line {line}'})"
        elif line is not None:
            where = f" (line {line})"
        super().__init__(message + where)
        self.path = path
        self.line = line


class ChatFormatError(ChatLogError):
    """The chat log's format is unknown, unsupported or malformed beyond salvage."""


class TimelineMismatchError(HighlightsError, ValueError):
    """Timelines that must share a grid (hop, start, length) do not."""


class ExportError(HighlightsError):
    """An export cannot be written."""


class OutputExistsError(ExportError, FileExistsError):
    """The output file exists and ``overwrite=True`` was not given."""


class NotFittedError(HighlightsError, ValueError, AttributeError):
    """A model was used before ``fit``."""


class ModelFileError(HighlightsError, ValueError):
    """A saved model file cannot be read: not a model, tampered, or from another version."""


class DocumentError(HighlightsError, ValueError):
    """A JSON document ``highlights`` reads back (a result, review decisions) is not one.

    Raised for a file that is not JSON, holds another schema, comes from a newer
    schema version, or has fields of the wrong type.  ``path`` names the file.
    """

    def __init__(self, message: str, *, path: object = None) -> None:
        super().__init__(message)
        self.path = path


class HighlightsWarning(UserWarning):
    """Root of every warning issued by ``highlights``."""


class DecodeWarning(HighlightsWarning):
    """Part of a media file could not be decoded and was skipped."""


class ChatWarning(HighlightsWarning):
    """Chat events were skipped, clamped or otherwise repaired."""


class SignalMissingWarning(HighlightsWarning):
    """A signal could not be computed (e.g. no audio stream) and gets weight 0."""


class NoClipsWarning(HighlightsWarning):
    """No clip met the selection constraints; the result is empty."""


class BudgetWarning(HighlightsWarning):
    """The clips cannot fill the minimum of a total-length budget; the result is shorter.

    Issued for the ``reel`` preset's 180-300 s (or any ``budget_s=(min, max)``); the
    message, also kept in ``result.notes``, says what total was reachable and why.
    """


class UpscaleWarning(HighlightsWarning):
    """A render scales the source up by more than 2x (a soft picture): a bigger source helps."""


class LabelError(HighlightsError, ValueError):
    """A label source (clips, heatmap, timeline, span list, review decisions) cannot be read."""


class LabelWarning(HighlightsWarning):
    """Labels were clipped to the recording, skipped (and reported), or need a caveat."""
