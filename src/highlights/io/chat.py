"""Chat, danmaku and live-commerce logs → :class:`~highlights.types.ChatEvents`.

One loader, :func:`load_chat`, reads every supported format, detected from the
file's content (not its name), and returns events on the media's time axis:
float seconds from the media's first frame.

Supported formats (``format=`` names)
--------------------------------------
``"generic_json"`` / ``"generic_jsonl"`` / ``"csv"``
    Rows ``{"time_s": …, "author": …, "text": …}`` (optional ``kind``, ``value``,
    ``id``), as a JSON array, JSON Lines or a CSV file with a header row.  The
    same rows describe live-commerce event files; see *Column mapping* below.
``"chat_downloader"``
    xenova/chat-downloader JSON array (``time_in_seconds`` for replays, else the
    ``timestamp`` in µs as wall clock).
``"twitch_downloader"``
    TwitchDownloader / Twitch v5 JSON (``comments[].content_offset_seconds``), also
    gzip-compressed (``.json.gz``).
``"twitch_irc"``
    Raw Twitch IRC (IRCv3 tags, ``tmi-sent-ts`` in ms) or IRC lines prefixed by a
    ``YYYY-MM-DD_HH:MM:SS`` wall-clock stamp; ``CLEARMSG``/``CLEARCHAT`` applied.
``"text"``
    Plain ``[H:]MM:SS message`` lines with VOD-relative offsets (tcd, fuslie.txt
    style), optionally bracketed with a ``user:`` column (TwitchDownloader text).
``"chatterino"``
    Chatterino logs ``[HH:MM:SS] user: message``: time of day, wall clock.
``"youtube_live_chat"``
    yt-dlp ``*.live_chat.json`` (JSON Lines).  Replays use
    ``videoOffsetTimeMsec``; a capture saved while live (``"isLive": true``) is
    re-based from ``timestampUsec``.  Deletions are applied, ticker repeats skipped.
``"bilibili_xml"``
    Bilibili danmaku XML and BililiveRecorder XML (``<d>``, ``<sc>``, ``<gift>``,
    ``<guard>``), parsed with :mod:`defusedxml`.

Column mapping of the generic formats
-------------------------------------
Names are matched case-insensitively; the first present column wins.

=========  ======================================================================
field      columns
=========  ======================================================================
time       ``time_s``, ``offset_s``, ``t`` (seconds from the media start);
           ``time_ms``, ``offset_ms`` (milliseconds from the media start);
           ``timestamp_ms`` (UNIX ms), ``timestamp`` / ``created_at`` (UNIX seconds
           or ISO-8601 text): wall clock, needs ``stream_start``
author     ``author``, ``author_id``, ``user_id``, ``uid``, ``user``, ``nickname``
text       ``text``, ``message``, ``comment``, ``content``, ``body``
kind       ``kind``, ``type``, ``event``: one of :data:`~highlights.types.CHAT_KINDS`
           or a synonym (comment/chat/danmaku → message; superchat/donation/bits →
           paid; purchase → order; follow/join/subscribe → member; product/pin →
           pin; likes → like)
value      ``value``, ``amount``, ``price`` × ``quantity`` (or ``item_num``),
           ``count``, ``likes``
id         ``id``, ``msg_id``, ``message_id``, ``order_id``
streak     ``repeat_end``: a gift row with a false ``repeat_end`` is an
           intermediate streak update and is skipped (only the final one counts)
=========  ======================================================================

Times of wall-clock formats are UNIX seconds; ``stream_start`` (UNIX seconds, an
ISO-8601 string or a ``datetime``) is subtracted.  Naive times (IRC prefixes,
naive ``datetime``/ISO strings) are all read as UTC, so give ``stream_start`` in
the same clock as the log.  Without ``stream_start`` the first event is taken as
time 0 and a :class:`~highlights.errors.ChatWarning` says so.

Robustness and scale
--------------------
Malformed lines/items are skipped and counted in ``ChatEvents.dropped`` and reported
in one :class:`~highlights.errors.ChatWarning` per reason with line numbers
(``strict=True`` raises :class:`~highlights.errors.ChatFormatError` with ``.line``).
Truncated JSON arrays, gzip streams and XML keep everything before the cut.  XML is
parsed with :mod:`defusedxml` (entity bombs and external entities are refused) after
stripping characters XML forbids.  BOMs and UTF-16/32 are sniffed; undecodable
bytes become U+FFFD.  Events are sorted stably, de-duplicated (by id, else by the
same author and text within 1 s), deletions applied, events before 0 s or after
``duration_s`` dropped.  Files are streamed (lines, ``iterparse``, an incremental
``raw_decode`` reader for big JSON arrays) into compact typed arrays: about
130-190 k messages/s and ~100 bytes of peak memory per message.  Only
:class:`~highlights.errors.HighlightsError` subclasses and warnings escape.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import logging
import math
import os
import re
import warnings
import zlib
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
from numpy.typing import NDArray

from .._validate import check_choice, check_nonneg, fail
from ..errors import ChatFormatError, ChatLogError, ChatWarning
from ..types import CHAT_KINDS, ChatEvents

__all__ = ["load_chat", "CHAT_FORMATS", "detect_chat_format"]

logger = logging.getLogger(__name__)

#: Format names accepted by :func:`load_chat` (besides ``"auto"``).
CHAT_FORMATS = (
    "generic_json",
    "generic_jsonl",
    "csv",
    "chat_downloader",
    "twitch_downloader",
    "twitch_irc",
    "text",
    "chatterino",
    "youtube_live_chat",
    "bilibili_xml",
)

_KIND_CODE = {k: i for i, k in enumerate(CHAT_KINDS)}
_KIND_SYNONYMS = {
    "message": "message", "comment": "message", "chat": "message", "danmaku": "message",
    "text": "message", "msg": "message", "text_message": "message",
    "paid": "paid", "superchat": "paid", "super_chat": "paid", "donation": "paid",
    "bits": "paid", "cheer": "paid", "paid_message": "paid", "sc": "paid",
    "gift": "gift", "gifts": "gift",
    "like": "like", "likes": "like",
    "order": "order", "orders": "order", "purchase": "order", "sale": "order",
    "member": "member", "follow": "member", "join": "member", "subscribe": "member",
    "sub": "member", "guard": "member", "membership": "member",
    "pin": "pin", "product": "pin", "product_pin": "pin",
    "other": "other",
}
_HEAD_BYTES = 1 << 16
_CHUNK_CHARS = 1 << 20
# Event times beyond this (seconds) are implausible for one stream: a unit mix-up.
_MAX_PLAUSIBLE_S = 7 * 86400.0
# Short texts (emotes, chants) repeat a lot: share one string object per distinct text.
_INTERN_MAX_CHARS = 32
_INTERN_MAX_TEXTS = 1 << 19
# How many offending line numbers a warning lists.
_MAX_LINES_LISTED = 5


# --------------------------------------------------------------------------- context
class _Ctx:
    """Per-load state: where we are, what was skipped, strictness."""

    def __init__(self, path: str, *, strict: bool) -> None:
        self.path = path
        self.strict = strict
        self.dropped: dict[str, int] = {}
        self.bad_lines: dict[str, list[int]] = {}
        self.first_msg: dict[str, str] = {}
        self.pending: list[str] = []

    def bad(self, reason: str, line: int | None, message: str) -> None:
        """Record one skipped item, or raise in strict mode."""
        if self.strict:
            raise ChatFormatError(message, path=self.path, line=line)
        self.dropped[reason] = self.dropped.get(reason, 0) + 1
        lines = self.bad_lines.setdefault(reason, [])
        if line is not None and len(lines) < _MAX_LINES_LISTED:
            lines.append(line)
        self.first_msg.setdefault(reason, message)

    def count(self, reason: str, k: int = 1) -> None:
        """Count ``k`` events dropped for a benign, expected reason (no warning)."""
        if k:
            self.dropped[reason] = self.dropped.get(reason, 0) + k

    def warn(self, message: str) -> None:
        """Queue a warning; :func:`load_chat` emits them so they point at its caller."""
        self.pending.append(f"{message} ({self.path})")

    def emit(self) -> None:
        for msg in self.pending:
            warnings.warn(msg, ChatWarning, stacklevel=3)
        self.pending.clear()

    def flush_warnings(self) -> None:
        for reason, lines in self.bad_lines.items():
            n = self.dropped.get(reason, 0)
            where = f" at line(s) {', '.join(map(str, lines))}" if lines else ""
            more = ", ..." if n > len(lines) and lines else ""
            self.warn(
                f"Skipped {n} {reason.replace('_', ' ')} item(s){where}{more}: "
                f"{self.first_msg[reason]}"
            )


# --------------------------------------------------------------------------- sink
class _Sink:
    """Accumulates parsed events in compact typed arrays (bounded overhead per event).

    Times are raw: seconds relative to the media start, or UNIX seconds when
    ``wall_clock`` is set by the parser.
    """

    def __init__(self, *, keep_text: bool) -> None:
        self.keep_text = keep_text
        self.t = array("d")
        self.author = array("i")
        self.kind = array("b")
        self.value = array("d")
        self.idh = array("q")
        self.dkey = array("q")
        self.text: list[str] = []
        self._texts: dict[str, str] = {}  # interned short texts (emote spam repeats)
        self._author_codes: dict[str, int] = {}
        self.author_names: list[str | None] = [None]
        self.wall_clock = False
        self.time_of_day = False
        self.rel_base = 0.0
        self.deleted_ids: set[int] = set()
        self.deleted_authors: list[tuple[int, float]] = []

    def author_code(self, author: str | None) -> int:
        if author is None or author == "":
            return 0
        code = self._author_codes.get(author)
        if code is None:
            code = len(self.author_names)
            self._author_codes[author] = code
            self.author_names.append(author)
        return code

    def add(
        self,
        t: float,
        author: str | None,
        text: str,
        kind: str = "message",
        value: float = 0.0,
        msg_id: str | None = None,
    ) -> None:
        code = self.author_code(author)
        self.t.append(t)
        self.author.append(code)
        self.kind.append(_KIND_CODE[kind])
        self.value.append(value)
        self.idh.append(_hash_id(msg_id))
        # Near-duplicate key: only for events with a known author and no id.
        self.dkey.append(_nonzero_hash((code, text)) if code and not msg_id else 0)
        if self.keep_text:
            if len(text) <= _INTERN_MAX_CHARS:
                same = self._texts.get(text)
                if same is not None:
                    text = same
                elif len(self._texts) < _INTERN_MAX_TEXTS:
                    self._texts[text] = text
            self.text.append(text)

    def delete_id(self, msg_id: str) -> None:
        self.deleted_ids.add(_hash_id(msg_id))

    def delete_author(self, author: str, t: float) -> None:
        self.deleted_authors.append((self.author_code(author), t))

    def __len__(self) -> int:
        return len(self.t)


def _nonzero_hash(obj: object) -> int:
    h = hash(obj)
    return h if h != 0 else 1


def _hash_id(msg_id: str | None) -> int:
    if msg_id is None or msg_id == "":
        return 0
    return _nonzero_hash(str(msg_id))


# --------------------------------------------------------------------------- coercion
def _num(x: Any) -> float | None:
    """Return a finite float from a number or number string, else None (NaN/inf/bool rejected)."""
    if isinstance(x, bool) or x is None:
        return None
    if isinstance(x, (int, float, np.integer, np.floating)):
        v = float(x)
    elif isinstance(x, str):
        try:
            v = float(x.strip())
        except ValueError:
            return None
    else:
        return None
    return v if math.isfinite(v) else None


def _money(x: Any) -> float:
    """Parse an amount such as ``"$5.00"``, ``"¥1,000"`` or ``"CA$2.50"`` (0 if none)."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        v = float(x)
        return v if math.isfinite(v) else 0.0
    if not isinstance(x, str):
        return 0.0
    m = re.search(r"\d[\d,\s]*(?:\.\d+)?", x)
    if not m:
        return 0.0
    try:
        v = float(re.sub(r"[,\s]", "", m.group(0)))
    except ValueError:
        return 0.0
    return v if math.isfinite(v) else 0.0


def _str_or_none(x: Any) -> str | None:
    if x is None or isinstance(x, (dict, list)):
        return None
    s = str(x)
    return s if s else None


def _text(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, str):
        return x
    if isinstance(x, (dict, list)):
        return ""
    return str(x)


def _iso_to_unix(s: str) -> float | None:
    """UNIX seconds from an ISO-8601 string (naive = UTC), or None."""
    try:
        dt = datetime.fromisoformat(s.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _stream_start_unix(stream_start: Any) -> float | None:
    if stream_start is None:
        return None
    if isinstance(stream_start, datetime):
        dt = stream_start if stream_start.tzinfo else stream_start.replace(tzinfo=timezone.utc)
        return dt.timestamp()
    if isinstance(stream_start, str):
        v = _iso_to_unix(stream_start)
        if v is None:
            raise fail(
                "stream_start", "load_chat",
                "UNIX seconds, an ISO-8601 string or a datetime", stream_start,
            )
        return v
    v = _num(stream_start)
    if v is None or isinstance(stream_start, str):
        raise fail(
            "stream_start", "load_chat", "UNIX seconds, an ISO-8601 string or a datetime",
            stream_start,
        )
    return v


# --------------------------------------------------------------------------- reading
class _SafeRaw(io.RawIOBase):
    """Binary reader that turns decompression/IO failures mid-file into EOF."""

    def __init__(self, f: IO[bytes]) -> None:
        super().__init__()
        self._f = f
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.error is not None:
            return 0
        try:
            data = self._f.read(len(b))
        except (EOFError, OSError, zlib.error) as exc:  # truncated .gz, bad CRC, ...
            self.error = exc
            return 0
        n = len(data)
        b[:n] = data
        return n

    def close(self) -> None:
        try:
            self._f.close()
        finally:
            super().close()


def _open_binary(path: Path) -> IO[bytes]:
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def _sniff_encoding(head: bytes) -> tuple[str, int]:
    """Return (encoding, BOM length) for the first bytes of a file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF32_LE) or head.startswith(codecs.BOM_UTF32_BE):
        return ("utf-32-le" if head.startswith(codecs.BOM_UTF32_LE) else "utf-32-be"), 4
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    sample = head[:4096]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le", 0
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be", 0
    return "utf-8", 0


class _Source:
    """An opened chat file: decoded text stream + the head used for detection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with _open_binary(path) as fb:
                raw = _SafeRaw(fb)
                buf = bytearray(_HEAD_BYTES)
                n = 0
                while n < _HEAD_BYTES:
                    k = raw.readinto(memoryview(buf)[n:])
                    if not k:
                        break
                    n += k
            head = bytes(buf[:n])
            self.head_error: BaseException | None = raw.error
        except OSError as exc:
            raise ChatLogError(f"Cannot read chat log: {exc}", path=path) from exc
        self.encoding, self.bom = _sniff_encoding(head)
        self.head = head[self.bom:].decode(self.encoding, errors="replace")
        self._raw: _SafeRaw | None = None

    def open_text(self) -> IO[str]:
        """Open the file as text (BOM skipped, undecodable bytes replaced)."""
        try:
            fb = _open_binary(self.path)
        except OSError as exc:
            raise ChatLogError(f"Cannot read chat log: {exc}", path=self.path) from exc
        self._raw = _SafeRaw(fb)
        buffered = io.BufferedReader(self._raw, buffer_size=1 << 16)
        if self.bom:
            buffered.read(self.bom)
        return io.TextIOWrapper(buffered, encoding=self.encoding, errors="replace")

    @property
    def read_error(self) -> BaseException | None:
        return None if self._raw is None else self._raw.error


# --------------------------------------------------------------------------- streaming JSON
_WS = re.compile(r"[ \t\n\r]*")


class _JsonStream:
    """Incremental reader of JSON values from a text stream (bounded buffer).

    Uses :meth:`json.JSONDecoder.raw_decode` on a sliding buffer, so a giant
    top-level array is read one item at a time.
    """

    def __init__(self, fh: IO[str]) -> None:
        self._fh = fh
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._lines_before = 0  # newlines in the discarded part of the stream
        self._lc_pos = 0  # newlines in _buf[:_lc_pos] are counted in _lc
        self._lc = 0
        self._dec = json.JSONDecoder(strict=False)  # control characters inside strings

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self._fh.read(_CHUNK_CHARS)
        if not chunk:
            self._eof = True
            return False
        if self._pos > _CHUNK_CHARS:
            self._lines_before += self._buf.count("\n", 0, self._pos)
            self._buf = self._buf[self._pos:]
            self._pos = 0
            self._lc_pos = self._lc = 0
        self._buf += chunk
        return True

    @property
    def line(self) -> int:
        """1-based line of the current position."""
        if self._pos >= self._lc_pos:
            self._lc += self._buf.count("\n", self._lc_pos, self._pos)
        else:  # pragma: no cover - the position never moves back
            self._lc = self._buf.count("\n", 0, self._pos)
        self._lc_pos = self._pos
        return self._lines_before + self._lc + 1

    def peek(self) -> str:
        """Next non-whitespace character ('' at EOF)."""
        while True:
            m = _WS.match(self._buf, self._pos)
            self._pos = m.end() if m else self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def take(self, ch: str) -> bool:
        if self.peek() == ch:
            self._pos += 1
            return True
        return False

    def value(self) -> Any:
        """Decode the next value; raises ValueError (incl. JSONDecodeError) if impossible."""
        self.peek()
        while True:
            try:
                obj, end = self._dec.raw_decode(self._buf, self._pos)
            except (ValueError, RecursionError):
                if self._fill():
                    continue
                raise
            if end >= len(self._buf) and not self._eof and self._fill():
                continue  # a number may continue in the next chunk
            self._pos = end
            return obj

    def skip_item(self) -> bool:
        """Skip a broken array item: scan to the next ``,`` or ``]`` at nesting depth 0.

        Tracks strings (with escapes) and bracket depth, so commas inside nested
        objects do not count.  Leaves the position after that ``,`` (or at the
        closing ``]``).  Returns False if the stream ends first (a truncated item).
        """
        depth = 0
        in_str = False
        pos = self._pos
        while True:
            m = (_SIG_STR if in_str else _SIG).search(self._buf, pos)
            if m is None:
                self._pos = len(self._buf)
                if not self._fill():
                    return False
                pos = self._pos
                continue
            ch = m.group(0)
            pos = m.end()
            if in_str:
                if ch == '"':
                    in_str = False
                elif pos >= len(self._buf):  # a backslash at the buffer end
                    self._pos = pos - 1
                    if not self._fill():
                        return False
                    pos = self._pos + 2
                else:
                    pos += 1  # skip the escaped character
                continue
            if ch == '"':
                in_str = True
            elif ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                if depth < 0:
                    if ch == "]":  # the array's own "]"
                        self._pos = m.start()
                        return True
                    depth = 0  # a stray "}": garbage, keep scanning
            elif ch == "," and depth == 0:
                self._pos = pos
                return True


_SIG = re.compile(r'["{}\[\],]')
_SIG_STR = re.compile(r'["\\]')


def _iter_json_array(
    js: _JsonStream, ctx: _Ctx
) -> Iterator[tuple[int, Any]]:
    """Yield (line, item) from a JSON array whose ``[`` was already consumed.

    A broken item is skipped (counted, with its line); an item cut by the end of
    the stream ends the array (counted as ``truncated``); earlier items are kept.
    """
    if js.take("]"):
        return
    while True:
        if js.peek() == "":
            ctx.bad("truncated", js.line, "JSON array has no closing ']'")
            return
        line = js.line
        try:
            item = js.value()
        except (ValueError, RecursionError) as exc:
            if not js.skip_item():
                ctx.bad("truncated", line, f"JSON array ends inside an item ({exc})")
                return
            ctx.bad("malformed", line, f"invalid JSON item ({exc})")
            if js.take("]"):
                return
            continue
        yield line, item
        ch = js.peek()
        if ch == ",":
            js.take(",")
            continue
        if ch == "]":
            js.take("]")
            return
        if ch == "":
            ctx.bad("truncated", js.line, "JSON array has no closing ']'")
            return
        line = js.line
        if not js.skip_item():
            ctx.bad("truncated", line, "JSON array ends inside an item")
            return
        ctx.bad("malformed", line, f"expected ',' or ']' in JSON array, got {ch!r}")
        if js.take("]"):
            return


def _iter_json_lines(fh: IO[str], ctx: _Ctx) -> Iterator[tuple[int, Any]]:
    """Yield (line, object) from JSON Lines; bad lines are counted and skipped."""
    loads = json.JSONDecoder(strict=False).decode
    for lineno, line in enumerate(fh, 1):
        s = line.strip()
        if not s:
            continue
        try:
            obj = loads(s)
        except (ValueError, RecursionError) as exc:
            ctx.bad("malformed", lineno, f"invalid JSON line ({exc})")
            continue
        yield lineno, obj


# --------------------------------------------------------------------------- generic rows
_TIME_REL_S = ("time_s", "offset_s", "t", "time", "seconds")
_TIME_REL_MS = ("time_ms", "offset_ms")
_TIME_ABS_MS = ("timestamp_ms", "ts_ms")
_TIME_ABS = ("timestamp", "created_at", "ts")
_AUTHOR = ("author", "author_id", "user_id", "uid", "user", "nickname", "username", "name")
_TEXT = ("text", "message", "comment", "content", "body", "conent")
_KIND = ("kind", "type", "event", "event_type")
_ID = ("id", "msg_id", "message_id", "order_id", "event_id")
_QTY = ("quantity", "item_num", "qty")


def _first(row: Mapping[str, Any], names: Sequence[str]) -> Any:
    for n in names:
        v = row.get(n)
        if v is not None and v != "":
            return v
    return None


class _GenericRows:
    """Parser of generic rows (dicts with lower-cased keys), fixed time unit per file."""

    def __init__(self, sink: _Sink, ctx: _Ctx) -> None:
        self.sink = sink
        self.ctx = ctx
        self.mode: str | None = None  # "rel_s", "rel_ms", "abs_ms", "abs"

    def _pick_mode(self, row: Mapping[str, Any]) -> str | None:
        for mode, names in (
            ("rel_s", _TIME_REL_S), ("rel_ms", _TIME_REL_MS),
            ("abs_ms", _TIME_ABS_MS), ("abs", _TIME_ABS),
        ):
            if any(n in row for n in names):
                return mode
        return None

    def row(self, line: int, row: Any) -> None:
        ctx = self.ctx
        if isinstance(row, (int, float)) and not isinstance(row, bool):
            # A bare number: a time in seconds (JSON array of times).
            t0 = _num(row)
            if t0 is None:
                ctx.bad("bad_time", line, f"time is not a finite number: {row!r}")
                return
            self.sink.add(t0, None, "")
            return
        if not isinstance(row, dict):
            ctx.bad("malformed", line, f"expected an object, got {type(row).__name__}")
            return
        if self.mode is None:
            self.mode = self._pick_mode(row)
            if self.mode is None:
                ctx.bad("malformed", line, "row has no time column (time_s, offset_s, ...)")
                return
            if self.mode.startswith("abs"):
                self.sink.wall_clock = True
        names = {
            "rel_s": _TIME_REL_S, "rel_ms": _TIME_REL_MS,
            "abs_ms": _TIME_ABS_MS, "abs": _TIME_ABS,
        }[self.mode]
        raw_t = _first(row, names)
        t = _num(raw_t)
        if t is None and self.mode == "abs" and isinstance(raw_t, str):
            t = _iso_to_unix(raw_t)
        if t is None:
            ctx.bad("bad_time", line, f"time is missing or not a finite number: {raw_t!r}")
            return
        if self.mode in ("rel_ms", "abs_ms"):
            t /= 1000.0
        kind_raw = _first(row, _KIND)
        kind = "message"
        if kind_raw is not None:
            k = _KIND_SYNONYMS.get(str(kind_raw).strip().lower())
            if k is None:
                kind = "other"
            else:
                kind = k
        repeat_end = row.get("repeat_end")
        if kind == "gift" and repeat_end is not None and repeat_end != "":
            done = _num(repeat_end)
            if done is None:
                done = 1.0 if str(repeat_end).strip().lower() in ("true", "yes") else 0.0
            if not done:
                ctx.count("gift_streak")
                return
        value = 0.0
        v = _first(row, ("value", "amount"))
        if v is None:
            price = _first(row, ("price",))
            if price is not None:
                qty = _num(_first(row, _QTY))
                value = _money(price) * (qty if qty is not None else 1.0)
            else:
                v = _first(row, ("count", "likes", "giftcount", "repeat_count"))
        if v is not None:
            vv = _num(v)
            if vv is None:
                vv = _money(v) if isinstance(v, str) else None
            if vv is None:
                ctx.bad("bad_value", line, f"value is not a finite number: {v!r}")
                return
            value = vv
        self.sink.add(
            t, _str_or_none(_first(row, _AUTHOR)), _text(_first(row, _TEXT)), kind, value,
            _str_or_none(_first(row, _ID)),
        )


def _lower_keys(d: Any) -> Any:
    if isinstance(d, dict):
        return {str(k).strip().lower(): v for k, v in d.items()}
    return d


def _parse_generic_json(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    rows = _GenericRows(sink, ctx)
    with src.open_text() as fh:
        js = _JsonStream(fh)
        if not js.take("["):
            raise ChatFormatError("Expected a JSON array of rows", path=ctx.path, line=1)
        for line, item in _iter_json_array(js, ctx):
            rows.row(line, _lower_keys(item))


def _parse_generic_jsonl(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    rows = _GenericRows(sink, ctx)
    with src.open_text() as fh:
        for line, item in _iter_json_lines(fh, ctx):
            rows.row(line, _lower_keys(item))


def _parse_csv(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    rows = _GenericRows(sink, ctx)
    with src.open_text() as fh:
        lines = (ln.replace("\x00", "") for ln in fh)
        reader = csv.reader(lines)
        header: list[str] | None = None
        while True:
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                ctx.bad("malformed", reader.line_num, f"invalid CSV ({exc})")
                continue
            if not rec or all(not c.strip() for c in rec):
                continue
            if header is None:
                header = [c.strip().lower() for c in rec]
                continue
            if len(rec) != len(header):
                ctx.bad(
                    "malformed", reader.line_num,
                    f"CSV row has {len(rec)} fields, header has {len(header)}",
                )
                continue
            rows.row(reader.line_num, dict(zip(header, rec, strict=True)))
    if header is None:
        raise ChatFormatError("CSV chat log has no header row", path=ctx.path)


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


def detect_chat_format(path: str | os.PathLike[str]) -> str:
    """Detect the format of a chat log from its content.

    Parameters
    ----------
    path : str or path-like
        The chat log (plain or gzip-compressed).

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
    fmt = _detect(_Source(p))
    return _check_detected(fmt, p)


def _check_detected(fmt: str, path: Path) -> str:
    if fmt == "heatmap":
        raise ChatFormatError(
            "This is a YouTube 'most replayed' heatmap (startMillis/intensityScoreNormalized), "
            "not a chat log; it has no chat events", path=path,
        )
    if fmt == "unknown":
        raise ChatFormatError(
            "Unknown chat log format; pass format= one of " + ", ".join(CHAT_FORMATS),
            path=path,
        )
    return fmt


# --------------------------------------------------------------------------- public
_PARSERS: dict[str, Callable[[_Source, _Sink, _Ctx], None]] = {
    "generic_json": _parse_generic_json,
    "generic_jsonl": _parse_generic_jsonl,
    "csv": _parse_csv,
}


def _register(name: str) -> Callable[
    [Callable[[_Source, _Sink, _Ctx], None]], Callable[[_Source, _Sink, _Ctx], None]
]:
    def deco(
        fn: Callable[[_Source, _Sink, _Ctx], None],
    ) -> Callable[[_Source, _Sink, _Ctx], None]:
        _PARSERS[name] = fn
        return fn

    return deco


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

    Returns
    -------
    ChatEvents
        Sorted by time (stable).  ``dropped`` counts what was skipped, by reason
        (``malformed``, ``bad_time``, ``truncated``, ``before_start``, ``after_end``,
        ``duplicate``, ``deleted``, ``ticker``, ``gift_streak`` ...).

    Raises
    ------
    ChatLogError
        If the file cannot be read.
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
    src = _Source(path)
    fmt = format
    if fmt == "auto":
        fmt = _detect(src)
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
    parser = _PARSERS.get(fmt)
    if parser is None:  # pragma: no cover - every CHAT_FORMATS entry is registered
        raise ChatFormatError(f"Format {fmt!r} is not supported yet", path=path)
    try:
        parser(src, sink, ctx)
    except ChatLogError:
        raise
    except (UnicodeError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            RecursionError, OverflowError, csv.Error) as exc:  # pragma: no cover - safety net
        raise ChatFormatError(
            f"Cannot parse chat log as {fmt}: {type(exc).__name__}: {exc}", path=path
        ) from exc
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


# --------------------------------------------------------------------------- finishing
def _finish_sink(
    sink: _Sink,
    ctx: _Ctx,
    *,
    fmt: str,
    path: str,
    start_unix: float | None,
    offset_s: float,
    duration_s: float | None,
    dedupe: bool,
) -> ChatEvents:
    # Move each column into numpy and free the parse buffer at once (bounded peak).
    t = np.array(sink.t, dtype=np.float64)
    sink.t = array("d")
    author = np.array(sink.author, dtype=np.int32)
    sink.author = array("i")
    kind = np.array(sink.kind, dtype=np.int8)
    sink.kind = array("b")
    value = np.array(sink.value, dtype=np.float64)
    sink.value = array("d")
    idh = np.array(sink.idh, dtype=np.int64)
    sink.idh = array("q")
    dkey = np.array(sink.dkey, dtype=np.int64)
    sink.dkey = array("q")
    keep = np.ones(t.shape[0], dtype=bool)

    # Deletions (by message id; by author up to the deletion time).
    if sink.deleted_ids and t.size:
        gone = np.isin(idh, np.fromiter(sink.deleted_ids, dtype=np.int64)) & (idh != 0)
        keep &= ~gone
    if sink.deleted_authors and t.size:
        until = np.full(len(sink.author_names), -np.inf)
        codes = np.array([c for c, _ in sink.deleted_authors], dtype=np.int64)
        times = np.array([x for _, x in sink.deleted_authors], dtype=np.float64)
        np.maximum.at(until, codes, times)
        until[0] = -np.inf
        keep &= ~(t <= until[author])
    ctx.count("deleted", int(t.size - keep.sum()))

    # Wall clock → seconds from the stream start.
    if sink.rel_base:
        t -= sink.rel_base
    if sink.wall_clock and t.size:
        if start_unix is not None and sink.time_of_day:
            start_unix = start_unix % 86400.0
        if start_unix is None:
            base = float(t[keep].min()) if keep.any() else 0.0
            ctx.warn(
                "Chat log has wall-clock times but no stream_start was given; "
                "using the first message as time 0"
            )
        else:
            base = start_unix
        t -= base
        t = np.round(t, 6)  # UNIX-time arithmetic noise (~1e-7 s) → whole µs
    t += offset_s
    if t.size and keep.any():
        span = float(np.max(np.abs(t[keep])))
        if span > _MAX_PLAUSIBLE_S:
            ctx.warn(
                f"Chat times reach {span:.3g} s (> {_MAX_PLAUSIBLE_S / 86400:.0f} days): "
                "wrong unit (ms/µs read as s?), wrong stream_start or time zone?"
            )

    _range_drop(t, keep, ctx, duration_s)

    order = np.argsort(t, kind="stable")
    order = order[keep[order]]
    del keep
    t, author, kind, value, idh, dkey = (
        t[order], author[order], kind[order], value[order], idh[order], dkey[order]
    )
    texts: NDArray[Any]
    if sink.keep_text:
        all_text = np.empty(len(sink.text), dtype=object)
        all_text[:] = sink.text
        sink.text = []
        texts = all_text[order]
        del all_text
    else:
        texts = np.empty(order.shape[0], dtype=object)
        texts[:] = ""

    if dedupe and t.size:
        dup = _duplicates(t, idh, dkey)
        ctx.count("duplicate", int(dup.sum()))
        if dup.any():
            sel = ~dup
            t, author, kind, value, texts = t[sel], author[sel], kind[sel], value[sel], texts[sel]
    del idh, dkey

    names = np.empty(len(sink.author_names), dtype=object)
    names[:] = sink.author_names
    kinds = np.empty(len(CHAT_KINDS), dtype=object)
    kinds[:] = CHAT_KINDS
    ev = ChatEvents(
        time_s=t, author=names[author], text=texts, kind=kinds[kind.astype(np.intp)],
        value=np.ascontiguousarray(value, dtype=np.float64), source=path, fmt=fmt,
        dropped={},
    )
    return _finish_events(ev, ctx, duration_s)


def _duplicates(
    t: NDArray[np.float64], idh: NDArray[np.int64], dkey: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """Mask of duplicate events in time-sorted arrays (first copy kept)."""
    dup = np.zeros(t.shape[0], dtype=bool)
    has_id = np.flatnonzero(idh != 0)
    if has_id.size:
        _, first = np.unique(idh[has_id], return_index=True)
        d = np.ones(has_id.size, dtype=bool)
        d[first] = False
        dup[has_id[d]] = True
    has_key = np.flatnonzero(dkey != 0)
    if has_key.size > 1:
        o = np.lexsort((t[has_key], dkey[has_key]))
        idx = has_key[o]
        same = (dkey[idx[1:]] == dkey[idx[:-1]]) & (t[idx[1:]] - t[idx[:-1]] <= 1.0)
        dup[idx[1:][same]] = True
    return dup


def _range_drop(
    t: NDArray[np.float64], keep: NDArray[np.bool_], ctx: _Ctx, duration_s: float | None
) -> None:
    """Clear ``keep`` for events before 0 s or after ``duration_s``; count and warn."""
    n0 = int(keep.sum())
    before = keep & (t < 0)
    n_before = int(before.sum())
    keep &= ~before
    n_after = 0
    if duration_s is not None:
        after = keep & (t > duration_s)
        n_after = int(after.sum())
        keep &= ~after
    ctx.count("before_start", n_before)
    ctx.count("after_end", n_after)
    if n_after and n_after > 0.05 * n0:
        ctx.warn(
            f"{n_after} of {n0} chat events ({100.0 * n_after / n0:.0f}%) fall after the "
            f"media end ({duration_s:.1f} s) and were dropped; check stream_start/offset_s"
        )
    if n0 and n_before == n0:
        ctx.warn("Every chat event falls before the media start; check stream_start/offset_s")


def _finish_events(ev: ChatEvents, ctx: _Ctx, duration_s: float | None) -> ChatEvents:
    """Drop events outside the media (if not done yet), emit warnings, attach counts."""
    keep = np.ones(len(ev), dtype=bool)
    _range_drop(ev.time_s, keep, ctx, duration_s)
    if not keep.all():
        ev = ev.select(keep)
    ctx.flush_warnings()
    return ChatEvents(
        time_s=ev.time_s, author=ev.author, text=ev.text, kind=ev.kind, value=ev.value,
        source=ev.source, fmt=ev.fmt, dropped={k: v for k, v in ctx.dropped.items() if v},
    )




# =========================================================================== platforms
def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float, str)) and not isinstance(x, bool)


# --------------------------------------------------------------------------- chat-downloader
_CD_KINDS = {
    "text_message": "message",
    "paid_message": "paid",
    "paid_sticker": "paid",
    "membership_item": "member",
    "sponsorships_gift_purchase_announcement": "gift",
    "sponsorships_gift_redemption_announcement": "member",
    "subscription": "member",
    "resubscription": "member",
    "subscription_gift": "gift",
    "mystery_subscription_gift": "gift",
    "cheer": "paid",
}


class _ChatDownloaderRows:
    """Rows of xenova/chat-downloader: ``time_in_seconds`` (s) or ``timestamp`` (µs)."""

    def __init__(self, sink: _Sink, ctx: _Ctx) -> None:
        self.sink = sink
        self.ctx = ctx
        self.relative: bool | None = None

    def row(self, line: int, item: Any) -> None:
        ctx = self.ctx
        if not isinstance(item, dict):
            ctx.bad("malformed", line, f"expected an object, got {type(item).__name__}")
            return
        mtype = _text(item.get("message_type")) or "text_message"
        if mtype.startswith("ticker"):
            ctx.count("ticker")
            return
        if self.relative is None:
            self.relative = "time_in_seconds" in item
            self.sink.wall_clock = not self.relative
        if self.relative:
            t = _num(item.get("time_in_seconds"))
        else:
            us = _num(item.get("timestamp"))
            t = None if us is None else us / 1e6
        if t is None:
            ctx.bad("bad_time", line, "time_in_seconds/timestamp missing or not finite")
            return
        author = item.get("author")
        aid = None
        if isinstance(author, dict):
            aid = _str_or_none(author.get("id")) or _str_or_none(author.get("name"))
        kind = _CD_KINDS.get(mtype, "other")
        value = 0.0
        money = item.get("money")
        if isinstance(money, dict):
            value = _money(money.get("amount", money.get("text")))
        elif _is_num(item.get("amount")):
            value = _money(item.get("amount"))
        bits = _num(item.get("bits"))
        if bits:
            kind, value = "paid", bits
        self.sink.add(
            t, aid, _text(item.get("message")), kind, value,
            _str_or_none(item.get("message_id")),
        )


@_register("chat_downloader")
def _parse_chat_downloader(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    rows = _ChatDownloaderRows(sink, ctx)
    with src.open_text() as fh:
        js = _JsonStream(fh)
        if js.take("["):
            for line, item in _iter_json_array(js, ctx):
                rows.row(line, item)
            return
    with src.open_text() as fh:
        for line, item in _iter_json_lines(fh, ctx):
            rows.row(line, item)


# --------------------------------------------------------------------------- TwitchDownloader
class _TwitchComments:
    """TwitchDownloader / Twitch v5 comments (``content_offset_seconds``)."""

    def __init__(self, sink: _Sink, ctx: _Ctx) -> None:
        self.sink = sink
        self.ctx = ctx

    def row(self, line: int, c: Any) -> None:
        ctx = self.ctx
        if not isinstance(c, dict):
            ctx.bad("malformed", line, f"expected a comment object, got {type(c).__name__}")
            return
        t = _num(c.get("content_offset_seconds"))
        if t is None:
            ctx.bad("bad_time", line, "content_offset_seconds missing or not finite")
            return
        commenter = c.get("commenter")
        author = None
        if isinstance(commenter, dict):
            author = _str_or_none(commenter.get("_id")) or _str_or_none(commenter.get("name"))
        msg = c.get("message")
        text = ""
        kind = "message"
        value = 0.0
        if isinstance(msg, dict):
            text = _text(msg.get("body"))
            if not text and isinstance(msg.get("fragments"), list):
                text = "".join(
                    _text(f.get("text")) for f in msg["fragments"] if isinstance(f, dict)
                )
            bits = _num(msg.get("bits_spent"))
            if bits:
                kind, value = "paid", bits
        elif isinstance(msg, str):
            text = msg
        self.sink.add(t, author, text, kind, value, _str_or_none(c.get("_id")))


@_register("twitch_downloader")
def _parse_twitch_downloader(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    rows = _TwitchComments(sink, ctx)
    with src.open_text() as fh:
        js = _JsonStream(fh)
        if js.take("["):  # a bare list of comments
            for line, item in _iter_json_array(js, ctx):
                rows.row(line, item)
            return
        if not js.take("{"):
            raise ChatFormatError("Expected a TwitchDownloader JSON object", path=ctx.path, line=1)
        seen_comments = False
        while True:
            if js.take("}") or js.peek() == "":
                break
            line = js.line
            try:
                key = js.value()
            except ValueError as exc:
                if seen_comments:  # damage after the comments: keep them
                    ctx.bad("truncated", line, f"JSON object ends early ({exc})")
                    break
                raise ChatFormatError(f"Invalid TwitchDownloader JSON ({exc})",
                                      path=ctx.path, line=line) from exc
            if not isinstance(key, str) or not js.take(":"):
                raise ChatFormatError("Invalid TwitchDownloader JSON object key",
                                      path=ctx.path, line=line)
            if key == "comments":
                seen_comments = True
                if not js.take("["):
                    raise ChatFormatError("'comments' is not a JSON array",
                                          path=ctx.path, line=js.line)
                for ln, item in _iter_json_array(js, ctx):
                    rows.row(ln, item)
                break  # nothing after the comments matters (embeddedData can be huge)
            try:
                val = js.value()
            except ValueError as exc:
                raise ChatFormatError(f"Invalid TwitchDownloader JSON ({exc})",
                                      path=ctx.path, line=line) from exc
            if key == "video" and isinstance(val, dict):
                start = _num(val.get("start"))
                if start:
                    sink.rel_base = start
            js.take(",")
        if not seen_comments:
            raise ChatFormatError("TwitchDownloader JSON has no 'comments' array", path=ctx.path)


# --------------------------------------------------------------------------- Twitch IRC
_RE_IRC_STAMP = re.compile(
    r"\[?(\d{4})-(\d{2})-(\d{2})[ _T](\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(?:Z|[+-]\d{2}:?\d{2})?\]?"
    r"(?:\s*(?:;;;|\||-)\s*|\s+)"
)
_IRC_NOTICE_KINDS = {
    "sub": "member", "resub": "member", "extendsub": "member",
    "subgift": "gift", "submysterygift": "gift", "anonsubgift": "gift",
    "anonsubmysterygift": "gift", "giftpaidupgrade": "member", "primepaidupgrade": "member",
}


def _irc_tags(s: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in s.split(";"):
        k, _, v = part.partition("=")
        if "\\" in v:
            v = (v.replace("\\\\", "\x00").replace("\\s", " ").replace("\\:", ";")
                 .replace("\\r", "\r").replace("\\n", "\n").replace("\x00", "\\"))
        out[k] = v
    return out


class _DayCache:
    """UNIX seconds of midnight UTC per date, cached (strptime is slow)."""

    def __init__(self) -> None:
        self._days: dict[tuple[int, int, int], float] = {}

    def __call__(self, y: int, m: int, d: int) -> float:
        key = (y, m, d)
        v = self._days.get(key)
        if v is None:
            v = datetime(y, m, d, tzinfo=timezone.utc).timestamp()
            self._days[key] = v
        return v


@_register("twitch_irc")
def _parse_twitch_irc(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    sink.wall_clock = True
    days = _DayCache()
    stamp = _RE_IRC_STAMP.match
    last_stamp: float | None = None
    with src.open_text() as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\r\n")
            if not line:
                continue
            t: float | None = None
            m = stamp(line)
            rest = line
            if m:
                try:
                    t = days(int(m.group(1)), int(m.group(2)), int(m.group(3))) + (
                        int(m.group(4)) * 3600 + int(m.group(5)) * 60 + float(m.group(6))
                    )
                except ValueError:
                    ctx.bad("bad_time", lineno, f"invalid date/time {m.group(0).strip()!r}")
                    continue
                rest = line[m.end():]
                last_stamp = t
            elif last_stamp is not None and not line.startswith("@"):
                # A logger that "backs up" writes several messages under one stamp,
                # the later ones on bare continuation lines: they share that stamp.
                t = last_stamp
            tags: dict[str, str] = {}
            if rest.startswith("@"):
                tagstr, _, rest = rest[1:].partition(" ")
                tags = _irc_tags(tagstr)
            if not rest.startswith(":"):
                continue  # server chatter / collector notes
            prefix, _, rest = rest[1:].partition(" ")
            cmd, _, params = rest.partition(" ")
            if cmd not in ("PRIVMSG", "USERNOTICE", "CLEARMSG", "CLEARCHAT"):
                continue
            ts = tags.get("tmi-sent-ts")
            if ts:
                ms = _num(ts)
                if ms is None:
                    ctx.bad("bad_time", lineno, f"invalid tmi-sent-ts {ts!r}")
                    continue
                t = ms / 1000.0
            _, sep, text = params.partition(" :")
            if cmd == "CLEARMSG":
                target = tags.get("target-msg-id")
                if target:
                    sink.delete_id(target)
                continue
            if cmd == "CLEARCHAT":
                who = tags.get("target-user-id") or (text.strip() if sep else "")
                if who and t is not None:
                    sink.delete_author(who, t)
                continue
            if t is None:
                ctx.bad("bad_time", lineno, "IRC message without a timestamp")
                continue
            nick = prefix.split("!", 1)[0]
            author = tags.get("user-id") or tags.get("login") or nick
            if cmd == "PRIVMSG" and not sep:
                ctx.bad("malformed", lineno, "PRIVMSG without a ' :' message part")
                continue
            if text.startswith("\x01ACTION "):
                text = text[8:].rstrip("\x01")
            kind = "message"
            value = 0.0
            if cmd == "USERNOTICE":
                kind = _IRC_NOTICE_KINDS.get(tags.get("msg-id", ""), "other")
                if kind == "gift":
                    value = _num(tags.get("msg-param-mass-gift-count")) or 1.0
            bits = _num(tags.get("bits")) if "bits" in tags else None
            if bits:
                kind, value = "paid", bits
            sink.add(t, author, text, kind, value, tags.get("id") or None)


# --------------------------------------------------------------------------- plain text
_RE_TEXT_LINE = re.compile(
    r"^\s*(\[)?(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d+))?(?(1)\])\s+(.*)$"
)
_RE_USER = re.compile(r"^([^\s:]{1,40}):\s?(.*)$")


@_register("text")
def _parse_text(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    match = _RE_TEXT_LINE.match
    user = _RE_USER.match
    with src.open_text() as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = match(line)
            if m is None:
                ctx.bad("malformed", lineno, f"no [H:]MM:SS time at line start: {line[:40]!r}")
                continue
            h = int(m.group(2) or 0)
            frac = m.group(5)
            t = h * 3600 + int(m.group(3)) * 60 + int(m.group(4)) + (
                float("0." + frac) if frac else 0.0
            )
            body = m.group(6)
            author = None
            if m.group(1):  # bracketed: "[0:01:02] user: text"
                mu = user(body)
                if mu:
                    author, body = mu.group(1), mu.group(2)
            sink.add(float(t), author, body)


_RE_CHATTERINO_LINE = re.compile(
    r"^\[(\d{1,2}):(\d{2}):(\d{2})\]\s+(?:#\S+\s+)?(?:([^\s:]+):\s?(.*))?"
)


@_register("chatterino")
def _parse_chatterino(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    sink.wall_clock = True
    sink.time_of_day = True
    match = _RE_CHATTERINO_LINE.match
    day = 0
    prev = -1.0
    with src.open_text() as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            m = match(line)
            if m is None:
                ctx.bad("malformed", lineno, f"no [HH:MM:SS] time at line start: {line[:40]!r}")
                continue
            tod = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
            if prev >= 0 and tod < prev - 43200:
                day += 1  # passed midnight
            prev = tod
            if m.group(4) is None:
                ctx.count("notice")  # "x has been timed out", system lines
                continue
            sink.add(float(day * 86400 + tod), m.group(4), m.group(5) or "")


# --------------------------------------------------------------------------- yt-dlp live chat
_YT_KINDS = {
    "liveChatTextMessageRenderer": "message",
    "liveChatPaidMessageRenderer": "paid",
    "liveChatPaidStickerRenderer": "paid",
    "liveChatMembershipItemRenderer": "member",
    "liveChatSponsorshipsGiftPurchaseAnnouncementRenderer": "gift",
    "liveChatSponsorshipsGiftRedemptionAnnouncementRenderer": "member",
}


def _yt_runs(msg: Any) -> str:
    if not isinstance(msg, dict):
        return ""
    if isinstance(msg.get("simpleText"), str):
        return str(msg["simpleText"])
    runs = msg.get("runs")
    if not isinstance(runs, list):
        return ""
    parts: list[str] = []
    for r in runs:
        if not isinstance(r, dict):
            continue
        if isinstance(r.get("text"), str):
            parts.append(r["text"])
        elif isinstance(r.get("emoji"), dict):
            e = r["emoji"]
            sc = e.get("shortcuts")
            if isinstance(sc, list) and sc and isinstance(sc[0], str):
                parts.append(sc[0])
            else:
                parts.append(_text(e.get("emojiId")))
    return "".join(parts)


@_register("youtube_live_chat")
def _parse_youtube_live_chat(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    live: bool | None = None
    last_t = 0.0
    with src.open_text() as fh:
        for line, obj in _iter_json_lines(fh, ctx):
            if not isinstance(obj, dict):
                ctx.bad("malformed", line, "expected a JSON object")
                continue
            if live is None:
                live = bool(obj.get("isLive"))
                sink.wall_clock = live
            replay = obj.get("replayChatItemAction")
            if isinstance(replay, dict):
                actions = replay.get("actions")
                off = replay.get("videoOffsetTimeMsec", obj.get("videoOffsetTimeMsec"))
            else:
                actions = [obj] if any(k.endswith("Action") for k in obj) else obj.get("actions")
                off = obj.get("videoOffsetTimeMsec")
            if not isinstance(actions, list):
                ctx.bad("malformed", line, "no chat actions in line")
                continue
            t_line: float | None = None
            if not live:
                ms = _num(off)
                t_line = None if ms is None else ms / 1000.0
            for act in actions:
                if not isinstance(act, dict):
                    continue
                if "addLiveChatTickerItemAction" in act:
                    ctx.count("ticker")
                    continue
                d = act.get("markChatItemAsDeletedAction") or act.get("removeChatItemAction")
                if isinstance(d, dict):
                    target = _str_or_none(d.get("targetItemId"))
                    if target:
                        sink.delete_id(target)
                    continue
                d = act.get("markChatItemsByAuthorAsDeletedAction")
                if isinstance(d, dict):
                    who = _str_or_none(d.get("externalChannelId"))
                    if who:
                        sink.delete_author(who, t_line if t_line is not None else last_t)
                    continue
                add = act.get("addChatItemAction")
                if not isinstance(add, dict) or not isinstance(add.get("item"), dict):
                    continue
                item = add["item"]
                for rname, rend in item.items():
                    kind = _YT_KINDS.get(rname)
                    if kind is None or not isinstance(rend, dict):
                        ctx.count("system")
                        continue
                    if live:
                        us = _num(rend.get("timestampUsec"))
                        t = None if us is None else us / 1e6
                    else:
                        t = t_line
                    if t is None:
                        ctx.bad("bad_time", line, "videoOffsetTimeMsec/timestampUsec missing")
                        continue
                    last_t = t
                    author = _str_or_none(rend.get("authorExternalChannelId")) or _yt_runs(
                        rend.get("authorName")) or None
                    text = _yt_runs(rend.get("message"))
                    if not text and kind == "member":
                        text = _yt_runs(rend.get("headerSubtext"))
                    value = 0.0
                    if kind == "paid":
                        value = _money(_yt_runs(rend.get("purchaseAmountText")))
                    elif kind == "gift":
                        value = 1.0
                    sink.add(t, author, text, kind, value, _str_or_none(rend.get("id")))


# --------------------------------------------------------------------------- Bilibili XML
_RE_XML_BAD = re.compile(
    "[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_RE_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


class _CleanXml(io.RawIOBase):
    """UTF-8 bytes of a text stream with XML-invalid characters and the declaration removed."""

    def __init__(self, fh: IO[str]) -> None:
        super().__init__()
        self._fh = fh
        self._pending = b""
        self._first = True
        self.stripped = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._pending:
            chunk = self._fh.read(1 << 16)
            if not chunk:
                return 0
            if self._first:
                chunk = _RE_XML_DECL.sub("", chunk, count=1)
                self._first = False
            clean, n = _RE_XML_BAD.subn("", chunk)
            self.stripped += n
            self._pending = clean.encode("utf-8")
        k = min(len(b), len(self._pending))
        b[:k] = self._pending[:k]
        self._pending = self._pending[k:]
        return k


def _nonempty(x: str | None) -> str | None:
    if x is None:
        return None
    x = x.strip()
    return None if x in ("", "NULL", "null", "0") else x


def _bili_element(el: Any, sink: _Sink, ctx: _Ctx, line: int | None) -> None:
    tag = el.tag
    a = el.attrib
    if tag == "d":
        p = a.get("p")
        if p is None:
            ctx.bad("malformed", line, "<d> without a p attribute")
            return
        f = p.split(",")
        if not 8 <= len(f) <= 9:
            ctx.bad("malformed", line, f"<d p> has {len(f)} fields, expected 8 or 9")
            return
        t = _num(f[0])
        if t is None:
            ctx.bad("bad_time", line, f"<d p> time {f[0]!r} is not a finite number")
            return
        author = _nonempty(f[6]) or _nonempty(a.get("uid")) or _nonempty(a.get("user"))
        sink.add(t, author, el.text or "", "message", 0.0, _nonempty(f[7]))
        return
    if tag not in ("sc", "gift", "guard"):
        return
    t = _num(a.get("ts"))
    if t is None:
        ctx.bad("bad_time", line, f"<{tag} ts> is missing or not a finite number")
        return
    author = _nonempty(a.get("uid")) or _nonempty(a.get("user"))
    if tag == "sc":
        sink.add(t, author, el.text or "", "paid", _money(a.get("price")))
    elif tag == "gift":
        sink.add(t, author, a.get("giftname") or "", "gift", _num(a.get("giftcount")) or 1.0)
    else:
        sink.add(t, author, f"guard level {a.get('level', '')}".strip(), "member",
                 _num(a.get("count")) or 1.0)


@_register("bilibili_xml")
def _parse_bilibili_xml(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    with src.open_text() as fh:
        clean = _CleanXml(fh)
        root: Any = None
        depth = 0
        n_before = len(sink)
        try:
            for event, el in iterparse(io.BufferedReader(clean), events=("start", "end")):
                if event == "start":
                    if root is None:
                        root = el
                    depth += 1
                    continue
                depth -= 1
                if depth == 1:
                    _bili_element(el, sink, ctx, None)
                    root.clear()
        except DefusedXmlException as exc:
            raise ChatFormatError(
                f"Refusing XML with DTD/entity declarations ({type(exc).__name__})",
                path=ctx.path,
            ) from exc
        except ParseError as exc:
            pos = getattr(exc, "position", (None, None))
            if root is None:
                raise ChatFormatError(f"Not a danmaku XML file ({exc})",
                                      path=ctx.path, line=pos[0]) from exc
            reason = "truncated" if "no element found" in str(exc) or "unclosed" in str(
                exc) else "malformed"
            ctx.bad(reason, pos[0],
                    f"XML broken ({exc}); kept the {len(sink) - n_before} earlier events")
        if clean.stripped:
            logger.info("Stripped %d XML-invalid characters from %s", clean.stripped, ctx.path)
