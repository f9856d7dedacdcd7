"""chat-downloader JSON (one array of messages; ``time_in_seconds`` in replays)."""

from __future__ import annotations

from typing import Any

from ._money import currency_code
from ._reader import _iter_json_array, _iter_json_lines, _JsonStream, _Source
from ._sink import _Ctx, _is_num, _money, _num, _Sink, _str_or_none, _text

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
        cur = ""
        money = item.get("money")
        if isinstance(money, dict):
            named = currency_code(money.get("currency"))
            value, cur = _money(money.get("amount", money.get("text")), named)
            if not named and not cur and isinstance(money.get("text"), str):
                cur = _money(money["text"])[1]
        elif _is_num(item.get("amount")):
            value, cur = _money(item.get("amount"), currency_code(item.get("currency")))
        bits = _num(item.get("bits"))
        if bits:
            kind, value, cur = "paid", bits, "BITS"
        self.sink.add(
            t, aid, _text(item.get("message")), kind, value,
            _str_or_none(item.get("message_id")), cur,
        )


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
