"""Plain data types shared across layers: `Clip`, `MediaInfo`, `ChatEvents`.

All public times are float seconds, named ``*_s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import InvalidParameterError

__all__ = ["Clip", "MediaInfo", "ChatEvents", "CHAT_KINDS"]

#: Event kinds a :class:`ChatEvents` may carry.
CHAT_KINDS = ("message", "paid", "gift", "like", "order", "member", "pin", "other")


@dataclass(frozen=True, slots=True)
class Clip:
    """One highlight span.

    Attributes
    ----------
    start_s, end_s : float
        Span in seconds from the media start, ``start_s < end_s``.
    peak_s : float
        Time of the score peak the clip was grown from, in seconds.
    score : float
        Mean fused score over the clip's core (higher is better).
    rank : int
        1 = best.
    contributions : dict of str to float
        Share of each signal in ``score`` (sums to 1 over the signals that
        contributed positively; a signal that pulled the score down has a negative share).
    keywords : tuple of str
        Top chat reactions in the clip's window, when chat drove it.
    label : str
        Short human label ("chat burst + loud audio").
    """

    start_s: float
    end_s: float
    peak_s: float
    score: float
    rank: int
    contributions: dict[str, float] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    label: str = ""

    @property
    def duration_s(self) -> float:
        """Length of the clip in seconds."""
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (floats rounded to milliseconds)."""
        return {
            "rank": self.rank,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "duration_s": round(self.duration_s, 3),
            "peak_s": round(self.peak_s, 3),
            "score": round(self.score, 6),
            "contributions": {k: round(v, 6) for k, v in self.contributions.items()},
            "keywords": list(self.keywords),
            "label": self.label,
        }


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What :func:`highlights.probe` found in a media file.

    Attributes
    ----------
    path : str
        The file.
    duration_s : float
        Media duration in seconds (container or stream duration; 0 if unknown).
    start_s : float
        Container start time in seconds (often non-zero in TS/FLV); every other time
        reported by ``highlights`` is relative to it.
    format_name : str
        Container format.
    size_bytes : int
        File size.
    video_stream, audio_stream : int or None
        Index (within its kind) of the stream ``highlights`` analyses, or None.
    width, height : int
        Video frame size (0 without video).
    fps : float
        Average video frame rate (0 without video or if unknown).
    video_codec, audio_codec : str
        Codec names ("" if absent).
    sample_rate, channels : int
        Audio sample rate and channel count (0 without audio).
    n_video_streams, n_audio_streams : int
        Streams of each kind in the file (cover-art streams excluded).
    rotation : int
        Display rotation of the analysed video in degrees counter-clockwise, in
        ``(-180, 180]``, as FFmpeg's display matrix gives it (ffprobe's
        ``rotation``): a phone video recorded upright is usually stored landscape
        with ``-90``.  ``width`` and ``height`` are the stored size; 0 without
        rotation or video.
    """

    path: str
    duration_s: float
    start_s: float
    format_name: str
    size_bytes: int
    video_stream: int | None
    audio_stream: int | None
    width: int = 0
    height: int = 0
    fps: float = 0.0
    video_codec: str = ""
    audio_codec: str = ""
    sample_rate: int = 0
    channels: int = 0
    n_video_streams: int = 0
    n_audio_streams: int = 0
    rotation: int = 0

    @property
    def has_video(self) -> bool:
        """True if a video stream will be analysed."""
        return self.video_stream is not None

    @property
    def has_audio(self) -> bool:
        """True if an audio stream will be analysed."""
        return self.audio_stream is not None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "path": self.path, "duration_s": self.duration_s, "start_s": self.start_s,
            "format_name": self.format_name, "size_bytes": self.size_bytes,
            "video_stream": self.video_stream, "audio_stream": self.audio_stream,
            "width": self.width, "height": self.height, "fps": self.fps,
            "video_codec": self.video_codec, "audio_codec": self.audio_codec,
            "sample_rate": self.sample_rate, "channels": self.channels,
            "n_video_streams": self.n_video_streams, "n_audio_streams": self.n_audio_streams,
            "rotation": self.rotation,
        }


def _obj_array(items: Any, n: int, default: Any) -> NDArray[Any]:
    if items is None:
        out = np.empty(n, dtype=object)
        out[:] = default
        return out
    arr = np.empty(n, dtype=object)
    arr[:] = list(items)
    return arr


@dataclass(frozen=True)
class ChatEvents:
    """Chat, danmaku and live-commerce events on the media's time axis.

    All arrays have one entry per event and are sorted by time (stable).

    Attributes
    ----------
    time_s : ndarray of float64
        Seconds from the media start.
    author : ndarray of object (str or None)
        Author id or pseudonym.
    text : ndarray of object (str)
        Message text ("" for events without text).
    kind : ndarray of object (str)
        One of :data:`CHAT_KINDS`.
    value : ndarray of float64
        Numeric value: bits, price, gift count, likes... (0 for plain messages).
    source : str
        Where the events came from (a path or ``"<array>"``).
    fmt : str
        The format they were parsed from.
    dropped : dict of str to int
        Events dropped or repaired, by reason.
    currency : ndarray of object (str)
        Unit of ``value`` for money: an ISO 4217 code (``"USD"``, ``"EUR"``,
        ``"CNY"`` ...) or ``"BITS"`` for Twitch bits; ``""`` when ``value`` is a
        count (gifts, likes) or its currency is unknown.  Optional when building
        events: all ``""`` by default.
    time_base : {"live", "video", "unknown"}
        What the times measure.  ``"live"``: when viewers wrote, watching live (chat
        trails the action by the stream delay and their reaction time).  ``"video"``:
        the position in the video where viewers left the comment while watching a
        recording (Bilibili video danmaku, NicoNico): no broadcast lag.  Parsers set it
        when the file tells (a Bilibili XML whose send times span months is video
        danmaku; one whose send times match the recording is live); otherwise
        ``"unknown"``.
    """

    time_s: NDArray[np.float64]
    author: NDArray[Any]
    text: NDArray[Any]
    kind: NDArray[Any]
    value: NDArray[np.float64]
    source: str = "<array>"
    fmt: str = "array"
    dropped: dict[str, int] = field(default_factory=dict)
    currency: NDArray[Any] = field(default_factory=lambda: np.empty(0, dtype=object))
    time_base: str = "unknown"

    def __post_init__(self) -> None:
        n = int(np.shape(self.time_s)[0])
        cur = self.currency
        if isinstance(cur, np.ndarray) and cur.dtype == object and cur.shape == (n,):
            return
        col = _obj_array(None, n, "") if cur is None or len(cur) == 0 else \
            _obj_array(cur, len(cur), "")
        if col.shape != (n,):
            raise InvalidParameterError(
                f"ChatEvents column 'currency' has {col.shape[0]} entries, times have {n}."
            )
        object.__setattr__(self, "currency", col)

    @classmethod
    def from_arrays(
        cls,
        time_s: Any,
        *,
        author: Any = None,
        text: Any = None,
        kind: Any = None,
        value: Any = None,
        source: str = "<array>",
        fmt: str = "array",
        dropped: dict[str, int] | None = None,
        currency: Any = None,
        time_base: str = "unknown",
    ) -> ChatEvents:
        """Build events from parallel sequences, sorting them by time (stable).

        ``currency`` is one ISO 4217 code for every event (a str) or one per event.

        Raises
        ------
        InvalidParameterError
            If lengths differ or a time is not finite.
        """
        t = np.asarray(time_s, dtype=np.float64).reshape(-1)
        n = t.shape[0]
        if not np.isfinite(t).all():
            raise InvalidParameterError("Chat event times must be finite seconds.")
        if currency is not None and not isinstance(currency, str) and len(currency) != n:
            raise InvalidParameterError(
                f"ChatEvents column 'currency' has {len(currency)} entries, times have {n}."
            )
        cols = {
            "author": _obj_array(author, n, None),
            "text": _obj_array(text, n, ""),
            "kind": _obj_array(kind, n, "message"),
            "currency": _obj_array(None if currency is None or isinstance(currency, str)
                                   else currency, n,
                                   currency if isinstance(currency, str) else ""),
        }
        val = np.zeros(n) if value is None else np.asarray(value, dtype=np.float64).reshape(-1)
        for name, col in (*cols.items(), ("value", val)):
            if col.shape[0] != n:
                raise InvalidParameterError(
                    f"ChatEvents column {name!r} has {col.shape[0]} entries, times have {n}."
                )
        order = np.argsort(t, kind="stable")
        return cls(
            time_s=t[order], author=cols["author"][order], text=cols["text"][order],
            kind=cols["kind"][order], value=val[order], source=source, fmt=fmt,
            dropped=dict(dropped or {}), currency=cols["currency"][order], time_base=time_base,
        )

    def __len__(self) -> int:
        return int(self.time_s.shape[0])

    def select(self, mask: NDArray[np.bool_]) -> ChatEvents:
        """Return the events where ``mask`` is true."""
        return ChatEvents(
            time_s=self.time_s[mask], author=self.author[mask], text=self.text[mask],
            kind=self.kind[mask], value=self.value[mask], source=self.source, fmt=self.fmt,
            dropped=dict(self.dropped), currency=self.currency[mask], time_base=self.time_base,
        )

    def shift(self, offset_s: float) -> ChatEvents:
        """Return the events moved by ``offset_s`` seconds."""
        return ChatEvents(
            time_s=self.time_s + float(offset_s), author=self.author, text=self.text,
            kind=self.kind, value=self.value, source=self.source, fmt=self.fmt,
            dropped=dict(self.dropped), currency=self.currency, time_base=self.time_base,
        )

    def __repr__(self) -> str:
        span = (
            f"{self.time_s[0]:.1f}..{self.time_s[-1]:.1f} s" if len(self) else "empty"
        )
        return f"ChatEvents(n={len(self)}, fmt={self.fmt!r}, span={span}, source={self.source!r})"
