"""highlights: find the best moments in long livestream recordings.

The public API is re-exported here lazily, so ``import highlights`` stays fast and
pulls in none of PyAV, OpenCV, librosa or scikit-learn until a function needs them.

Examples
--------
>>> from highlights import find_highlights            # doctest: +SKIP
>>> result = find_highlights("vod.mp4", chat="chat.json", n=10)  # doctest: +SKIP
>>> for clip in result.clips:                          # doctest: +SKIP
...     print(clip.rank, clip.start_s, clip.end_s, clip.score)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    ChatFormatError,
    ChatLogError,
    ChatWarning,
    DecodeError,
    DecodeWarning,
    ExportError,
    HighlightsError,
    HighlightsWarning,
    InvalidParameterError,
    MediaError,
    MediaNotFoundError,
    NoClipsWarning,
    NotFittedError,
    OutputExistsError,
    SignalMissingWarning,
    StreamNotFoundError,
    TimelineMismatchError,
)
from .timeline import Timeline, align
from .types import ChatEvents, Clip, MediaInfo

__version__ = "0.1.0"

# name -> module (relative) that defines it; imported on first access.
_LAZY: dict[str, str] = {
    "find_highlights": ".api",
    "analyze": ".api",
    "Highlights": ".result",
    "fuse": ".fuse",
    "robust_normalize": ".fuse",
    "DEFAULT_WEIGHTS": ".fuse",
    "pick_clips": ".pick",
    "probe": ".io.media",
    "load_chat": ".io.chat",
    "chat_density": ".features.chat",
    "audio_energy": ".features.audio",
    "scene_change": ".features.scene",
    "scene_cuts": ".features.scene",
    "make_livestream": ".synth",
}

__all__ = [
    "__version__",
    "Timeline", "align", "Clip", "MediaInfo", "ChatEvents",
    "HighlightsError", "InvalidParameterError", "MediaError", "MediaNotFoundError",
    "StreamNotFoundError", "DecodeError", "ChatLogError", "ChatFormatError",
    "TimelineMismatchError", "ExportError", "OutputExistsError", "NotFittedError",
    "HighlightsWarning", "DecodeWarning", "ChatWarning", "SignalMissingWarning",
    "NoClipsWarning",
    *_LAZY,
]

if TYPE_CHECKING:  # pragma: no cover
    from .api import analyze, find_highlights
    from .features.audio import audio_energy
    from .features.chat import chat_density
    from .features.scene import scene_change, scene_cuts
    from .fuse import DEFAULT_WEIGHTS, fuse, robust_normalize
    from .io.chat import load_chat
    from .io.media import probe
    from .pick import pick_clips
    from .result import Highlights
    from .synth import make_livestream


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'highlights' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
