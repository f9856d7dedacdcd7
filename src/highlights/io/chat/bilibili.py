"""Bilibili danmaku XML and BililiveRecorder live XML (``d``, ``sc``, ``gift``, ``guard``)."""

from __future__ import annotations

import io
import logging
import re
from typing import IO, Any

from ...errors import ChatFormatError
from ._reader import _Source
from ._sink import _Ctx, _money, _num, _Sink

logger = logging.getLogger(__name__)


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
        sink.note_sent(_num(f[4]))
        return
    if tag not in ("sc", "gift", "guard"):
        return
    t = _num(a.get("ts"))
    if t is None:
        ctx.bad("bad_time", line, f"<{tag} ts> is missing or not a finite number")
        return
    author = _nonempty(a.get("uid")) or _nonempty(a.get("user"))
    if tag == "sc":
        # BililiveRecorder writes the Super Chat price in yuan, a bare number.
        amount, cur = _money(a.get("price"), "CNY")
        sink.add(t, author, el.text or "", "paid", amount, currency=cur)
    elif tag == "gift":
        sink.add(t, author, a.get("giftname") or "", "gift", _num(a.get("giftcount")) or 1.0)
    else:
        sink.add(t, author, f"guard level {a.get('level', '')}".strip(), "member",
                 _num(a.get("count")) or 1.0)


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
