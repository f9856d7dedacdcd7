"""Generic chat and live-commerce rows: JSON arrays, JSON Lines and CSV with named columns.

Columns are found by name (times in seconds, milliseconds or absolute stamps; author,
text, kind, id, price and quantity), so exports of live-shopping dashboards and
homemade loggers load without a converter.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import ChatFormatError
from ._money import currency_code
from ._reader import _iter_json_array, _iter_json_lines, _JsonStream, _Source
from ._sink import _KIND_SYNONYMS, _Ctx, _iso_to_unix, _money, _num, _Sink, _str_or_none, _text

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
_CURRENCY = ("currency", "currency_code")


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
        named = currency_code(_first(row, _CURRENCY))
        cur = ""
        v = _first(row, ("value", "amount"))
        if v is None:
            price = _first(row, ("price",))
            if price is not None:
                qty = _num(_first(row, _QTY))
                amount, cur = _money(price, named)
                value = amount * (qty if qty is not None else 1.0)
            else:
                v = _first(row, ("count", "likes", "giftcount", "repeat_count"))
        if v is not None:
            vv = _num(v)
            if vv is None and isinstance(v, str):
                vv, cur = _money(v, named)
            elif vv is not None:
                cur = named
            if vv is None:
                ctx.bad("bad_value", line, f"value is not a finite number: {v!r}")
                return
            value = vv
        self.sink.add(
            t, _str_or_none(_first(row, _AUTHOR)), _text(_first(row, _TEXT)), kind, value,
            _str_or_none(_first(row, _ID)), cur,
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
