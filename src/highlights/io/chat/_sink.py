"""The shared sink every chat parser writes into, its context, value coercion and finishing.

A parser turns its format's items into calls of :meth:`_Sink.add` with plain values;
the sink keeps them in compact typed arrays, counts what was dropped and why, and
:func:`_finish_sink` turns it into sorted, de-duplicated :class:`~highlights.ChatEvents`.
"""

from __future__ import annotations

import logging
import math
import warnings
from array import array
from datetime import datetime, timezone
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._validate import fail
from ...errors import ChatFormatError, ChatWarning
from ...types import CHAT_KINDS, ChatEvents
from ._money import parse_money

logger = logging.getLogger(__name__)

# Time-base detection from send times (see _Sink.time_base).
_MIN_SENT_FOR_TIME_BASE = 20
_VIDEO_SPREAD_FACTOR = 3.0
_VIDEO_SPREAD_MIN_S = 86400.0


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
        self.cur = array("h")
        self._cur_codes: dict[str, int] = {"": 0}
        self.currency_names: list[str] = [""]
        self.text: list[str] = []
        self._texts: dict[str, str] = {}  # interned short texts (emote spam repeats)
        self._author_codes: dict[str, int] = {}
        self.author_names: list[str | None] = [None]
        self.wall_clock = False
        self.time_of_day = False
        self.rel_base = 0.0
        self.deleted_ids: set[int] = set()
        self.deleted_authors: list[tuple[int, float]] = []
        # wall-clock send times some formats carry besides the media time (danmaku)
        self.sent_min = math.inf
        self.sent_max = -math.inf
        self.sent_n = 0

    def note_sent(self, unix_s: float | None) -> None:
        """Record a message's wall-clock send time (UNIX seconds), when the format has one."""
        if unix_s is not None and unix_s > 0:
            self.sent_min = min(self.sent_min, unix_s)
            self.sent_max = max(self.sent_max, unix_s)
            self.sent_n += 1

    def time_base(self, media_span_s: float) -> str:
        """``"video"`` when the send times span far more than the media times, else "live".

        Live chat is written while the stream runs, so its send times span about as
        long as the recording; comments left on a video over months or years span
        far longer.  Too few send times: ``"unknown"``.
        """
        if self.sent_n < _MIN_SENT_FOR_TIME_BASE:
            return "unknown"
        spread = self.sent_max - self.sent_min
        if spread > max(_VIDEO_SPREAD_FACTOR * media_span_s, _VIDEO_SPREAD_MIN_S):
            return "video"
        return "live"

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
        currency: str = "",
    ) -> None:
        code = self.author_code(author)
        self.t.append(t)
        self.author.append(code)
        self.kind.append(_KIND_CODE[kind])
        self.value.append(value)
        if currency:
            cc = self._cur_codes.get(currency)
            if cc is None:
                cc = self._cur_codes[currency] = len(self.currency_names)
                self.currency_names.append(currency)
            self.cur.append(cc)
        else:
            self.cur.append(0)
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


def _money(x: Any, default_currency: str = "") -> tuple[float, str]:
    """Amount and ISO currency of ``"$5.00"``, ``"R$ 10,00"``, ``"1 234,56 €"`` ...

    See :func:`~highlights.io.chat._money.parse_money`.
    """
    return parse_money(x, default_currency)


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
    cur = np.array(sink.cur, dtype=np.int16)
    sink.cur = array("h")
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
    t, author, kind, value, idh, dkey, cur = (
        t[order], author[order], kind[order], value[order], idh[order], dkey[order], cur[order]
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
            t, author, kind, value, texts, cur = (
                t[sel], author[sel], kind[sel], value[sel], texts[sel], cur[sel]
            )
    del idh, dkey

    names = np.empty(len(sink.author_names), dtype=object)
    names[:] = sink.author_names
    kinds = np.empty(len(CHAT_KINDS), dtype=object)
    kinds[:] = CHAT_KINDS
    currencies = np.empty(len(sink.currency_names), dtype=object)
    currencies[:] = sink.currency_names
    span = float(t.max() - t.min()) if t.size else 0.0
    ev = ChatEvents(
        time_s=t, author=names[author], text=texts, kind=kinds[kind.astype(np.intp)],
        value=np.ascontiguousarray(value, dtype=np.float64), source=path, fmt=fmt,
        dropped={}, currency=currencies[cur.astype(np.intp)],
        time_base=sink.time_base(span),
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
        currency=ev.currency, time_base=ev.time_base,
    )




# =========================================================================== platforms
def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float, str)) and not isinstance(x, bool)
