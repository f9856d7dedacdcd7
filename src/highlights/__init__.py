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

from ._version import __version__
from .errors import (
    BudgetWarning,
    ChatFormatError,
    ChatLogError,
    ChatWarning,
    DecodeError,
    DecodeWarning,
    ExportError,
    HighlightsError,
    HighlightsWarning,
    InvalidParameterError,
    LabelError,
    LabelWarning,
    MediaError,
    MediaNotFoundError,
    ModelFileError,
    NoClipsWarning,
    NotFittedError,
    OutputExistsError,
    SignalMissingWarning,
    StreamNotFoundError,
    TimelineMismatchError,
    UpscaleWarning,
)
from .timeline import Timeline, align
from .types import ChatEvents, Clip, MediaInfo

# name -> module (relative) that defines it; imported on first access.
_LAZY: dict[str, str] = {
    "find_highlights": ".api",
    "find_highlights_batch": ".api",
    "analyze": ".api",
    "select": ".api",
    "Analysis": ".api",
    "Highlights": ".result",
    "fuse": ".fusion",
    "fuse_detail": ".fusion",
    "robust_normalize": ".fusion",
    "DEFAULT_WEIGHTS": ".fusion",
    "weights_for_genre": ".fusion",
    "pick_clips": ".selection",
    "snap_clips": ".selection",
    "select_budget": ".selection",
    "make_chapters": ".selection",
    "PRESETS": ".selection",
    "probe": ".io.media",
    "load_chat": ".io.chat",
    "detect_chat_format": ".io.chat",
    "CHAT_FORMATS": ".io.chat",
    "chat_density": ".features.chat",
    "chat_signals": ".features.chat",
    "top_keywords": ".features.chat",
    "estimate_chat_lag": ".features.lag",
    "audio_energy": ".features.analyze",
    "scene_change": ".features.analyze",
    "scene_cuts": ".features.analyze",
    "analyze_media": ".features.analyze",
    "MediaAnalysis": ".features.analyze",
    "AnalysisCache": ".cache",
    "HighlightModel": ".learn",
    "fit_weights": ".learn",
    "make_signals": ".synth",
    "make_livestream": ".synth",
    "evaluate_clips": ".evaluate",
    "qvhighlights": ".evaluate",
    "score_timeline": ".evaluate",
    "export_clips": ".export",
    "chapters_text": ".export",
    "cut_clips": ".export",
    "render_reel": ".export",
    "render_clip": ".export",
    "align_published": ".published",
    "Alignment": ".published",
    "AlignedSegment": ".published",
    "load_labels": ".labels",
    "Labels": ".labels",
    "LabelSpan": ".labels",
    "learn_channel": ".channel",
}

__all__ = [
    "__version__",
    "Timeline", "align", "Clip", "MediaInfo", "ChatEvents",
    "HighlightsError", "InvalidParameterError", "MediaError", "MediaNotFoundError",
    "StreamNotFoundError", "DecodeError", "ChatLogError", "ChatFormatError",
    "TimelineMismatchError", "ExportError", "OutputExistsError", "NotFittedError",
    "ModelFileError", "LabelError", "LabelWarning",
    "HighlightsWarning", "DecodeWarning", "ChatWarning", "SignalMissingWarning",
    "NoClipsWarning", "BudgetWarning", "UpscaleWarning",
    *_LAZY,
]

if TYPE_CHECKING:  # pragma: no cover - the same names as _LAZY (a test checks)
    from .api import Analysis, analyze, find_highlights, find_highlights_batch, select
    from .cache import AnalysisCache
    from .channel import learn_channel
    from .evaluate import evaluate_clips, qvhighlights, score_timeline
    from .export import (
        chapters_text,
        cut_clips,
        export_clips,
        render_clip,
        render_reel,
    )
    from .features.analyze import (
        MediaAnalysis,
        analyze_media,
        audio_energy,
        scene_change,
        scene_cuts,
    )
    from .features.chat import chat_density, chat_signals, top_keywords
    from .features.lag import estimate_chat_lag
    from .fusion import DEFAULT_WEIGHTS, fuse, fuse_detail, robust_normalize, weights_for_genre
    from .io.chat import CHAT_FORMATS, detect_chat_format, load_chat
    from .io.media import probe
    from .labels import Labels, LabelSpan, load_labels
    from .learn import HighlightModel, fit_weights
    from .published import AlignedSegment, Alignment, align_published
    from .result import Highlights
    from .selection import PRESETS, make_chapters, pick_clips, select_budget, snap_clips
    from .synth import make_livestream, make_signals


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'highlights' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
