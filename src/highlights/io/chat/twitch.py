"""Twitch: TwitchDownloader JSON (``comments[].content_offset_seconds``), IRC logs (IRCv3 tags)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from ...errors import ChatFormatError
from ._reader import _iter_json_array, _JsonStream, _Source
from ._sink import _Ctx, _num, _Sink, _str_or_none, _text


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
        self.sink.add(t, author, text, kind, value, _str_or_none(c.get("_id")),
                      "BITS" if kind == "paid" else "")


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
            cur = ""
            if bits:
                kind, value, cur = "paid", bits, "BITS"
            sink.add(t, author, text, kind, value, tags.get("id") or None, cur)
