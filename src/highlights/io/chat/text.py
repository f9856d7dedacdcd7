"""Plain-text logs: ``[H:]MM:SS user: message`` lines and Chatterino logs."""

from __future__ import annotations

import re

from ._reader import _Source
from ._sink import _Ctx, _Sink

# --------------------------------------------------------------------------- plain text
_RE_TEXT_LINE = re.compile(
    r"^\s*(\[)?(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d+))?(?(1)\])\s+(.*)$"
)
_RE_USER = re.compile(r"^([^\s:]{1,40}):\s?(.*)$")


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
