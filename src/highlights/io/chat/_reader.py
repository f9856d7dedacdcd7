"""Reading chat files: byte sources, encodings, and streaming JSON arrays and lines."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from ...errors import ChatLogError
from ._sink import _Ctx

#: Bytes read to sniff an encoding and a format.
_HEAD_BYTES = 1 << 16
#: Characters read per refill of the streaming JSON reader.
_CHUNK_CHARS = 1 << 20


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
