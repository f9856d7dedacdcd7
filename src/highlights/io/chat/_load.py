"""``load_chat``: read any supported chat log into :class:`~highlights.ChatEvents`."""

from __future__ import annotations

import csv
import os
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._validate import check_choice, check_nonneg, fail
from ...errors import ChatFormatError, ChatLogError, ChatWarning
from ...types import ChatEvents
from ._reader import _codec_name, _Source
from ._sink import _Ctx, _finish_events, _finish_sink, _num, _Sink, _stream_start_unix
from .bilibili import _parse_bilibili_xml
from .chat_downloader import _parse_chat_downloader
from .detect import _check_detected, _detect
from .generic import _parse_csv, _parse_generic_json, _parse_generic_jsonl
from .text import _parse_chatterino, _parse_text
from .twitch import _parse_twitch_downloader, _parse_twitch_irc
from .youtube import _parse_youtube_live_chat

# --------------------------------------------------------------------------- public
#: Format name -> parser, one entry per supported format (the single registry: a
#: format is supported exactly when it is listed here).
PARSERS: dict[str, Callable[[_Source, _Sink, _Ctx], None]] = {
    "generic_json": _parse_generic_json,
    "generic_jsonl": _parse_generic_jsonl,
    "csv": _parse_csv,
    "chat_downloader": _parse_chat_downloader,
    "twitch_downloader": _parse_twitch_downloader,
    "twitch_irc": _parse_twitch_irc,
    "text": _parse_text,
    "chatterino": _parse_chatterino,
    "youtube_live_chat": _parse_youtube_live_chat,
    "bilibili_xml": _parse_bilibili_xml,
}
#: Format names accepted by :func:`load_chat` (besides ``"auto"``).
CHAT_FORMATS = tuple(PARSERS)


def load_chat(
    source: str | os.PathLike[str] | Sequence[float] | NDArray[Any] | ChatEvents,
    *,
    format: str = "auto",
    stream_start: float | str | datetime | None = None,
    offset_s: float = 0.0,
    strict: bool = False,
    duration_s: float | None = None,
    dedupe: bool = True,
    keep_text: bool = True,
    chat_encoding: str | None = None,
) -> ChatEvents:
    """Load a chat, danmaku or live-commerce log as events on the media's time axis.

    Parameters
    ----------
    source : path-like, sequence of float, ndarray or ChatEvents
        A chat log file (any supported format, plain or gzip), event times in
        seconds, or existing events (re-based by ``offset_s``/``duration_s``).
    format : str, default "auto"
        ``"auto"`` detects the format from the content; else one of
        :data:`CHAT_FORMATS`.
    stream_start : float, str or datetime, optional
        Wall-clock time of the media's first frame (UNIX seconds, ISO-8601 or a
        ``datetime``; naive = UTC).  Used by wall-clock formats (IRC, Chatterino,
        live captures, ``timestamp`` columns); without it the first event is time 0
        and a :class:`ChatWarning` is issued.  For Chatterino only its time of day
        is used.
    offset_s : float, default 0.0
        Seconds added to every event time after parsing (positive = later).
    strict : bool, default False
        Raise :class:`ChatFormatError` on the first malformed item instead of
        skipping it (skips are counted in ``dropped`` and reported as a
        :class:`ChatWarning` with line numbers).
    duration_s : float, optional
        Media duration in seconds; events after it are dropped (warned if more
        than 5 % of them).
    dedupe : bool, default True
        Drop duplicates: same message id, or, for events without id, the same
        author and text within 1 s of the previous copy.
    keep_text : bool, default True
        Keep message texts (False saves memory on huge logs; texts become "").
    chat_encoding : str, optional
        Text encoding of the file (any Python codec name: ``"gb18030"``, ``"big5"``,
        ``"cp932"``, ``"cp949"``, ``"cp1252"`` ...).  Default: a byte-order mark,
        else the encoding an XML file declares, else UTF-8 when the file decodes
        as UTF-8, else the charset detected by :mod:`charset_normalizer` on
        samples of the file.  Legacy labels are read as their Windows/WHATWG
        supersets (GB2312/GBK → GB18030, Shift_JIS → cp932, EUC-KR → cp949,
        ISO-8859-1 → cp1252).

    Returns
    -------
    ChatEvents
        Sorted by time (stable).  ``dropped`` counts what was skipped, by reason
        (``malformed``, ``bad_time``, ``truncated``, ``before_start``, ``after_end``,
        ``duplicate``, ``deleted``, ``ticker``, ``gift_streak`` ...).

    Raises
    ------
    ChatLogError
        If the file cannot be read, or does not decode cleanly in the encoding
        given or detected (more than a few undecodable bytes; with ``strict=True``
        any); the message names the encoding tried.  A few undecodable bytes are
        replaced by U+FFFD with a :class:`ChatWarning`.
    ChatFormatError
        If the format is unknown or the content is broken beyond salvage (or on
        any malformed item with ``strict=True``); ``.line`` gives the line.
    InvalidParameterError
        On bad parameters.

    Examples
    --------
    >>> ev = load_chat([3.0, 1.0, 2.5])
    >>> ev.time_s.tolist()
    [1.0, 2.5, 3.0]
    """
    caller = "load_chat"
    check_choice("format", caller, format, ("auto", *CHAT_FORMATS))
    off = _num(offset_s) if not isinstance(offset_s, str) else None
    if off is None:
        raise fail("offset_s", caller, "a finite number of seconds", offset_s)
    dur = None if duration_s is None else check_nonneg("duration_s", caller, duration_s)
    start_unix = _stream_start_unix(stream_start)
    if chat_encoding is not None and (
        not isinstance(chat_encoding, str) or _codec_name(chat_encoding) is None
    ):
        raise fail("chat_encoding", caller, "a text encoding name such as 'gb18030'",
                   chat_encoding)

    if isinstance(source, ChatEvents):
        ctx = _Ctx(source.source, strict=strict)
        ctx.dropped.update(source.dropped)
        ev = _finish_events(source.shift(off), ctx, dur)
        ctx.emit()
        return ev
    if isinstance(source, (list, tuple, np.ndarray)):
        try:
            t = np.asarray(source, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise fail("source", caller, "a path, a sequence of seconds or ChatEvents",
                       type(source).__name__) from exc
        ctx = _Ctx("<array>", strict=strict)
        bad = ~np.isfinite(t)
        if bad.any():
            if strict:
                raise ChatFormatError(
                    "Chat times must be finite seconds", line=int(np.flatnonzero(bad)[0]) + 1
                )
            ctx.count("bad_time", int(bad.sum()))
            ctx.warn(f"Dropped {int(bad.sum())} non-finite chat time(s)")
            t = t[~bad]
        ev = ChatEvents.from_arrays(t + off, source="<array>", fmt="array")
        ev = _finish_events(ev, ctx, dur)
        ctx.emit()
        return ev
    if not isinstance(source, (str, os.PathLike)):
        raise fail("source", caller, "a path, a sequence of seconds or ChatEvents",
                   type(source).__name__)

    path = Path(source)
    if not path.is_file():
        raise ChatLogError("Chat log not found or not a file", path=path)
    src = _Source(path, encoding=chat_encoding, strict=strict)
    fmt = format
    if fmt == "auto":
        fmt = _detect(src)
        if fmt == "unknown" and src.head.count("\ufffd") > 2:
            raise ChatLogError(
                "Chat log format not recognised and its text does not decode cleanly when "
                + src.encoding_hint(), path=path,
            )
        if fmt == "empty":
            if src.head_error is not None:
                raise ChatFormatError(
                    f"Chat log is corrupt or not readable ({src.head_error})", path=path
                )
            warnings.warn(f"Chat log is empty ({path})", ChatWarning, stacklevel=2)
            return ChatEvents.from_arrays([], source=str(path), fmt="empty")
        fmt = _check_detected(fmt, path)
    ctx = _Ctx(str(path), strict=strict)
    sink = _Sink(keep_text=keep_text)
    parser = PARSERS.get(fmt)
    if parser is None:  # pragma: no cover - every CHAT_FORMATS entry is registered
        raise ChatFormatError(f"Format {fmt!r} is not supported yet", path=path)
    try:
        parser(src, sink, ctx)
    except ChatLogError as exc:
        problem = src.decoding_problem()
        if problem is not None and problem[0]:  # broken because it was read wrongly
            raise ChatLogError(problem[1], path=path) from exc
        raise
    except (UnicodeError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            RecursionError, OverflowError, csv.Error) as exc:  # pragma: no cover - safety net
        raise ChatFormatError(
            f"Cannot parse chat log as {fmt}: {type(exc).__name__}: {exc}", path=path
        ) from exc
    problem = src.decoding_problem()
    if problem is not None:
        fatal, message = problem
        if fatal:
            raise ChatLogError(message, path=path)
        ctx.warn(message)
    if src.read_error is not None:
        if strict:
            raise ChatFormatError(
                f"Chat log is truncated or corrupt ({src.read_error})", path=path
            )
        ctx.count("truncated")
        ctx.warn(f"Chat log is truncated or corrupt ({src.read_error}); kept what was read")
    ev = _finish_sink(sink, ctx, fmt=fmt, path=str(path), start_unix=start_unix,
                      offset_s=off, duration_s=dur, dedupe=dedupe)
    ctx.emit()
    return ev
