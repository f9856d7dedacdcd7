"""Which chat format a file holds, told from its content (never from its name alone)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from ...errors import ChatFormatError, ChatLogError
from ._reader import _Source
from .generic import _TIME_ABS, _TIME_ABS_MS, _TIME_REL_MS, _TIME_REL_S

# --------------------------------------------------------------------------- detection
_RE_IRC = re.compile(r"(^|\s)(@\S+\s+)?:\S+\s+PRIVMSG\s+#", re.MULTILINE)
_RE_TEXT = re.compile(r"^\[?\d{1,3}:\d{2}(:\d{2})?(\.\d+)?\]?\s", re.MULTILINE)
_RE_CHATTERINO = re.compile(r"^\[\d{1,2}:\d{2}:\d{2}\]\s+[^\s:]+:\s", re.MULTILINE)


def _first_json_value(head: str) -> tuple[Any, bool]:
    """Decode the first JSON value of ``head`` → (value or None, ended at a newline)."""
    s = head.lstrip()
    try:
        obj, end = json.JSONDecoder().raw_decode(s)
    except (ValueError, RecursionError):
        return None, False
    rest = s[end:end + 200].lstrip(" \t\r")
    return obj, rest.startswith("\n") or rest == ""


def _row_schema(obj: Any) -> str | None:
    """Format of a JSON row/object by its keys."""
    if not isinstance(obj, dict):
        return None
    keys = {str(k).lower() for k in obj}
    if "replaychatitemaction" in keys or "addchatitemaction" in keys or (
        "clicktrackingparams" in keys and ("videooffsettimemsec" in keys or "islive" in keys)
    ):
        return "youtube_live_chat"
    if "comments" in keys and ("video" in keys or "fileinfo" in keys or "streamer" in keys):
        return "twitch_downloader"
    if "comments" in keys and isinstance(obj.get("comments"), list):
        return "twitch_downloader"
    if "time_in_seconds" in keys or "message_type" in keys or (
        "timestamp" in keys and isinstance(obj.get("author"), dict)
    ):
        return "chat_downloader"
    if "content_offset_seconds" in keys:
        return "twitch_downloader_comment"
    if "startmillis" in keys and "intensityscorenormalized" in keys:
        return "heatmap"
    return "generic"


def _detect_json(head: str) -> str | None:
    s = head.lstrip()
    if s.startswith("["):
        inner = s[1:].lstrip()
        if inner.startswith("]"):
            return "generic_json"
        obj, _ = _first_json_value(inner)
        if obj is None:
            # Peek at the keys of a (possibly long or cut) first item.
            m = re.search(r'"([A-Za-z_]+)"\s*:', inner[:4096])
            obj = {m.group(1): None} if m else None
            if obj is None:
                return "generic_json"
        if isinstance(obj, (int, float)):
            return "generic_json"
        schema = _row_schema(obj)
        if schema == "heatmap":
            return "heatmap"
        if schema == "twitch_downloader_comment":
            return "twitch_downloader"  # a bare list of comments
        return "chat_downloader" if schema == "chat_downloader" else "generic_json"
    obj, at_newline = _first_json_value(s)
    if obj is not None and at_newline and isinstance(obj, dict):
        schema = _row_schema(obj)
        rest = s.split("\n", 1)[1].lstrip() if "\n" in s else ""
        if schema == "twitch_downloader" and not rest:
            return "twitch_downloader"
        if schema == "youtube_live_chat":
            return "youtube_live_chat"
        if schema == "chat_downloader":
            return "chat_downloader"  # its parser reads JSON Lines too
        if schema == "twitch_downloader":
            return "twitch_downloader"
        return "generic_jsonl"
    # A single big object (pretty-printed or cut): look at its keys.
    if re.search(r'"comments"\s*:', s) or re.search(r'"content_offset_seconds"', s):
        return "twitch_downloader"
    if re.search(r'"(replayChatItemAction|addChatItemAction)"', s):
        return "youtube_live_chat"
    if s.startswith("{") and "\n" in s:
        return "generic_jsonl"
    return None


def _detect(src: _Source) -> str:
    head = src.head.lstrip("\ufeff")
    s = head.lstrip()
    if not s:
        return "empty"
    if s.startswith("<"):
        return "bilibili_xml"
    if (s.startswith("[") and not re.match(r"\[\d{1,4}[:\-]\d{2}", s)) or s.startswith("{"):
        fmt = _detect_json(s)
        if fmt is not None:
            return fmt
    if _RE_IRC.search(head):
        return "twitch_irc"
    m = _RE_CHATTERINO.search(head)
    if m and not re.search(r"^\[\d:", head, re.MULTILINE):
        # Chatterino pads hours to 2 digits; relative logs ("[0:00:06] user: hi") do not.
        return "chatterino"
    if _RE_TEXT.search(head):
        return "text"
    first = s.split("\n", 1)[0].lower()
    if "," in first or "\t" in first:
        cols = {c.strip().strip('"') for c in re.split(r"[,\t]", first)}
        if cols & {*_TIME_REL_S, *_TIME_REL_MS, *_TIME_ABS_MS, *_TIME_ABS}:
            return "csv"
    return "unknown"


def detect_chat_format(
    path: str | os.PathLike[str], *, chat_encoding: str | None = None
) -> str:
    """Detect the format of a chat log from its content.

    Parameters
    ----------
    path : str or path-like
        The chat log (plain or gzip-compressed).
    chat_encoding : str, optional
        Its text encoding (default: detected, see :func:`highlights.load_chat`).

    Returns
    -------
    str
        One of :data:`CHAT_FORMATS`.

    Raises
    ------
    ChatLogError
        If the file cannot be read.
    ChatFormatError
        If the content matches no supported format.
    """
    p = Path(path)
    if not p.is_file():
        raise ChatLogError("Chat log not found or not a file", path=p)
    fmt = _detect(_Source(p, encoding=chat_encoding))
    return _check_detected(fmt, p)


def _check_detected(fmt: str, path: Path) -> str:
    if fmt == "heatmap":
        raise ChatFormatError(
            "This is a YouTube 'most replayed' heatmap (startMillis/intensityScoreNormalized), "
            "not a chat log; it has no chat events", path=path,
        )
    if fmt == "unknown":
        raise ChatFormatError(
            "Unknown chat log format; pass format= one of " + ", ".join(_formats()),
            path=path,
        )
    return fmt


def _formats() -> tuple[str, ...]:
    from ._load import CHAT_FORMATS  # the table lives with the parsers it names

    return CHAT_FORMATS
