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
    ModelFileError,
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
    "find_highlights_batch": ".api",
    "analyze": ".api",
    "select": ".api",
    "Analysis": ".api",
    "Highlights": ".result",
    "fuse": ".fuse",
    "fuse_detail": ".fuse",
    "robust_normalize": ".fuse",
    "DEFAULT_WEIGHTS": ".fuse",
    "pick_clips": ".pick",
    "snap_clips": ".boundaries",
    "select_budget": ".select",
    "make_chapters": ".chapters",
    "PRESETS": ".presets",
    "probe": ".io.media",
    "load_chat": ".io.chat",
    "chat_density": ".features.chat",
    "chat_signals": ".features.chat",
    "top_keywords": ".features.chat",
    "estimate_chat_lag": ".features.lag",
    "detect_chat_format": ".io.chat",
    "CHAT_FORMATS": ".io.chat",
    "audio_energy": ".features.audio",
    "scene_change": ".features.scene",
    "scene_cuts": ".features.scene",
    "analyze_media": ".features.analyze",
    "MediaAnalysis": ".features.analyze",
    "make_signals": ".synth",
    "HighlightModel": ".model",
    "weights_for_genre": ".genres",
    "fit_weights": ".genres",
    "export_clips": ".export",
    "chapters_text": ".export",
    "cut_clips": ".io.cut",
    "render_reel": ".io.render",
    "render_clip": ".io.render",
    "AnalysisCache": ".cache",
    "make_livestream": ".synth",
    "evaluate_clips": ".evaluate",
    "qvhighlights": ".evaluate",
    "score_timeline": ".evaluate",
}

__all__ = [
    "__version__",
    "Timeline", "align", "Clip", "MediaInfo", "ChatEvents",
    "HighlightsError", "InvalidParameterError", "MediaError", "MediaNotFoundError",
    "StreamNotFoundError", "DecodeError", "ChatLogError", "ChatFormatError",
    "TimelineMismatchError", "ExportError", "OutputExistsError", "NotFittedError",
    "ModelFileError",
    "HighlightsWarning", "DecodeWarning", "ChatWarning", "SignalMissingWarning",
    "NoClipsWarning",
    *_LAZY,
]

if TYPE_CHECKING:  # pragma: no cover
    from .api import Analysis, analyze, find_highlights, find_highlights_batch, select  # noqa: F401
    from .boundaries import snap_clips  # noqa: F401
    from .cache import AnalysisCache  # noqa: F401
    from .chapters import make_chapters  # noqa: F401
    from .evaluate import evaluate_clips, qvhighlights, score_timeline  # noqa: F401
    from .export import chapters_text, export_clips  # noqa: F401
    from .features.analyze import MediaAnalysis, analyze_media  # noqa: F401
    from .features.audio import audio_energy  # noqa: F401
    from .features.chat import chat_density, chat_signals, top_keywords  # noqa: F401
    from .features.lag import estimate_chat_lag  # noqa: F401
    from .features.scene import scene_change, scene_cuts  # noqa: F401
    from .fuse import DEFAULT_WEIGHTS, fuse, fuse_detail, robust_normalize  # noqa: F401
    from .genres import fit_weights, weights_for_genre  # noqa: F401
    from .io.chat import CHAT_FORMATS, detect_chat_format, load_chat  # noqa: F401
    from .io.cut import cut_clips  # noqa: F401
    from .io.media import probe  # noqa: F401
    from .io.render import render_clip, render_reel  # noqa: F401
    from .model import HighlightModel  # noqa: F401
    from .pick import pick_clips  # noqa: F401
    from .presets import PRESETS  # noqa: F401
    from .result import Highlights  # noqa: F401
    from .select import select_budget  # noqa: F401
    from .synth import make_livestream, make_signals  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'highlights' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
