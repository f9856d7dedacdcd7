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
    """Return (encoding, BOM length) from a BOM or UTF-16 zero bytes; ("", 0) if neither."""
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
    return "", 0


# --------------------------------------------------------------------------- charsets
#: Declared or detected legacy charsets read as the superset that Windows and every
#: browser use for them (WHATWG Encoding Standard): files labelled GB2312 hold GBK,
#: Shift_JIS files hold Windows-31J (cp932), ISO-8859-1 files hold cp1252, ...
_SUPERSET = {
    "gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "cp950": "big5hkscs",
    "shift_jis": "cp932", "shift_jis_2004": "cp932", "shift_jisx0213": "cp932",
    "euc_kr": "cp949", "iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
    "euc_jis_2004": "euc_jp", "euc_jisx0213": "euc_jp",
}
#: Charsets preferred when the detector finds several equally plausible (ties in its
#: chaos and coherence scores), most common in chat logs first.
_PREFERRED = ("utf_8", "gb18030", "big5", "cp932", "shift_jis", "euc_jp", "cp949",
              "cp1252", "cp1251", "cp1253", "cp1250", "cp1254", "cp1256", "cp874")
#: Multi-byte East Asian codecs (canonical Python names).
_MULTIBYTE = frozenset({
    "gb18030", "gb2312", "gbk", "big5", "big5hkscs", "cp950", "cp932", "shift_jis",
    "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213", "cp949",
    "euc_kr", "johab",
})
#: A run of non-ASCII bytes, with the ASCII-range trail bytes of multi-byte charsets.
_RE_HIGH_RUN = re.compile(rb"[\x80-\xff][\x30-\x39\x40-\x7e\x80-\xff]*")
_RE_XML_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]{0,39})["']"""
)
#: Undecodable byte sequences tolerated: more than ``_BAD_ABS + chars * _BAD_FRAC``
#: means the file is not in the encoding tried (ChatLogError); fewer are replaced by
#: U+FFFD with a warning (a logger that cut one multi-byte character).
_BAD_ABS = 8
_BAD_FRAC = 1e-4
#: Bytes sampled beyond the head (in blocks spread over a plain file) for detection.
_SAMPLE_BLOCK = 1 << 14
_SAMPLE_BLOCKS = 4
#: What a decoding error is replaced with while counting (a Unicode noncharacter).
_BAD_MARK = "\ufdd0"


def _count_bad(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):  # pragma: no cover - decoding only
        raise exc
    return _BAD_MARK, exc.end


codecs.register_error("highlights.chat-count", _count_bad)


def _codec_name(name: str) -> str | None:
    """Canonical Python codec name of an encoding label, or None if unknown/not text."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if getattr(info, "_is_text_encoding", True) is False:  # rot13, base64 ...
        return None
    return info.name


def _superset(name: str) -> str:
    return _SUPERSET.get(name, name)


def _decodes(data: bytes, encoding: str) -> bool:
    """True if ``data`` decodes cleanly (a character cut at the end is allowed)."""
    try:
        codecs.getincrementaldecoder(encoding)(errors="strict").decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _whole_lines(block: bytes, *, first: bool) -> bytes:
    """``block`` without its cut last line (and cut first line unless ``first``)."""
    if not first:
        nl = block.find(b"\n")
        block = b"" if nl < 0 else block[nl + 1:]
    nl = block.rfind(b"\n")
    return block if nl < 0 else block[:nl + 1]


def _ranked(matches: list[Any], margin: float) -> list[str]:
    """Codec names of the charset-normalizer matches within ``margin`` of the least chaos.

    The common chat charsets (:data:`_PREFERRED`) come first, then by coherence.
    """
    if not matches:
        return []
    best_chaos = min(m.chaos for m in matches)
    close = [m for m in matches if m.chaos <= best_chaos + margin]

    def key(m: Any) -> tuple[int, float, float]:
        names = [m.encoding, *getattr(m, "could_be_from_charset", [])]
        pref = next((i for i, p in enumerate(_PREFERRED) if p in names), len(_PREFERRED))
        return pref, m.chaos, -m.coherence

    out: list[str] = []
    for m in sorted(close, key=key):
        names = [m.encoding, *getattr(m, "could_be_from_charset", [])]
        name = next((p for p in _PREFERRED if p in names), m.encoding)
        codec = _codec_name(name)
        if codec is not None:
            out.append(codec)
    return out


def _detect_charset(sample: bytes) -> str | None:
    """Charset of ``sample`` (whole lines holding non-ASCII bytes) by charset-normalizer.

    Two looks: the runs of non-ASCII bytes alone (the ASCII of JSON keys, times and
    names dilutes the multi-byte CJK charsets' statistics; their trail bytes may be
    ASCII letters, so a run extends over those), which settles GB18030, Big5,
    Shift-JIS, EUC-JP and EUC-KR; else the whole lines (single-byte charsets need
    the letters around an accent), preferring the common Windows code pages among
    equally plausible ones.  Short samples in single-byte charsets other than cp1252,
    cp1251 and cp1253 may still be mistaken: those files need ``chat_encoding``.
    """
    from charset_normalizer import from_bytes

    runs = b"\n".join(_RE_HIGH_RUN.findall(sample))
    for name in _ranked(list(from_bytes(runs, explain=False)), 0.0)[:1]:
        if name in _MULTIBYTE and _decodes(sample, _superset(name)):
            return name
    for name in _ranked(list(from_bytes(sample, explain=False)), 0.05):
        if name not in _MULTIBYTE and _decodes(sample, name):
            return name
    return None


def _sample_more(path: Path, head: bytes) -> bytes:
    """Whole lines holding non-ASCII bytes from blocks spread over a plain file."""
    out = [ln for ln in _whole_lines(head, first=True).splitlines(True) if not ln.isascii()]
    try:
        size = path.stat().st_size
        if size <= len(head) or head[:2] == b"\x1f\x8b":
            return b"".join(out)
        with open(path, "rb") as fh:
            for k in range(1, _SAMPLE_BLOCKS + 1):
                fh.seek(max(len(head), size * k // _SAMPLE_BLOCKS - _SAMPLE_BLOCK))
                block = _whole_lines(fh.read(_SAMPLE_BLOCK), first=False)
                out.extend(ln for ln in block.splitlines(True) if not ln.isascii())
    except OSError:
        pass
    return b"".join(out)


def _choose_encoding(
    path: Path, head: bytes, given: str | None
) -> tuple[str, int, str]:
    """Return (codec name, BOM length, how it was chosen) for a chat file."""
    sniffed, bom = _sniff_encoding(head)
    if given is not None:
        enc = _codec_name(given)
        if enc is None:  # pragma: no cover - validated by load_chat
            raise ChatLogError(f"Unknown chat_encoding {given!r}", path=path)
        if bom and enc.replace("_", "-").startswith(sniffed[:6]):
            return sniffed, bom, "given as chat_encoding"  # the BOM says which byte order
        return enc, 0, "given as chat_encoding"
    if sniffed:
        return sniffed, bom, "from its byte-order mark" if bom else "from its zero bytes"
    m = _RE_XML_ENCODING.match(head)
    if m:
        declared = _codec_name(m.group(1).decode("ascii"))
        if declared is not None and not declared.startswith(("utf-16", "utf-32")):
            return _superset(declared), 0, f"declared {m.group(1).decode('ascii')!r} in " \
                "its XML declaration"
    sample = _whole_lines(head, first=True)
    if sample.isascii():
        sample = _sample_more(path, head)
        if not sample:
            return "utf-8", 0, "the default"
    if _decodes(sample, "utf-8"):
        return "utf-8", 0, "detected"
    found = _detect_charset(sample)
    if found is None:
        return "utf-8", 0, "the default (no charset fits)"
    return _superset(found), 0, "detected by charset-normalizer"


class _CheckedRaw(io.RawIOBase):
    """Binary pass-through that decodes as it goes and counts undecodable sequences.

    Too many of them (see ``_BAD_ABS``/``_BAD_FRAC``, or any in strict mode) and it
    stops the stream (EOF) and records why in :attr:`error`: the parsers then end
    early and :func:`load_chat` raises instead of returning garbage.
    """

    def __init__(self, inner: io.RawIOBase, encoding: str, skip: int, strict: bool) -> None:
        super().__init__()
        self._inner = inner
        self._dec = codecs.getincrementaldecoder(encoding)(errors="highlights.chat-count")
        self._skip = skip
        self._strict = strict
        self.chars = 0
        self.lines = 0
        self.bad = 0
        self.first_bad_line: int | None = None
        self.error = False
        self._done = False

    def readable(self) -> bool:
        return True

    def _scan(self, s: str) -> None:
        k = s.count(_BAD_MARK)
        if k:
            if self.first_bad_line is None:
                self.first_bad_line = self.lines + s.count("\n", 0, s.index(_BAD_MARK)) + 1
            self.bad += k
        self.chars += len(s)
        self.lines += s.count("\n")

    def readinto(self, b: Any) -> int:
        if self.error or self._done:
            return 0
        n = self._inner.readinto(b)
        if not n:
            self._done = True
            self._scan(self._dec.decode(b"", final=True))
            return 0
        data = bytes(memoryview(b)[:n])
        if self._skip:
            data = data[self._skip:]
            self._skip = 0
        self._scan(self._dec.decode(data))
        if self.bad and (self._strict or self.bad > _BAD_ABS + _BAD_FRAC * self.chars):
            self.error = True
            return 0
        return n

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


class _Source:
    """An opened chat file: decoded text stream + the head used for detection."""

    def __init__(self, path: Path, *, encoding: str | None = None, strict: bool = False) -> None:
        self.path = path
        self.strict = strict
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
        self.encoding, self.bom, self.encoding_origin = _choose_encoding(path, head, encoding)
        self.head = head[self.bom:].decode(self.encoding, errors="replace")
        self._raw: _SafeRaw | None = None
        self._check: _CheckedRaw | None = None

    def open_text(self) -> IO[str]:
        """Open the file as text (BOM skipped, undecodable bytes replaced and counted)."""
        try:
            fb = _open_binary(self.path)
        except OSError as exc:
            raise ChatLogError(f"Cannot read chat log: {exc}", path=self.path) from exc
        self._raw = _SafeRaw(fb)
        self._check = _CheckedRaw(self._raw, self.encoding, self.bom, self.strict)
        buffered = io.BufferedReader(self._check, buffer_size=1 << 16)
        if self.bom:
            buffered.read(self.bom)
        return io.TextIOWrapper(buffered, encoding=self.encoding, errors="replace")

    @property
    def read_error(self) -> BaseException | None:
        return None if self._raw is None else self._raw.error

    def encoding_hint(self) -> str:
        """How to tell :func:`load_chat` the encoding (for error messages)."""
        return (
            f"read as {self.encoding} (encoding {self.encoding_origin}). Give its encoding "
            "with chat_encoding= (load_chat, find_highlights, analyze) or --chat-encoding "
            "on the command line, e.g. 'gb18030', 'big5', 'cp932', 'cp949' or 'cp1252'"
        )

    def decoding_problem(self) -> tuple[bool, str] | None:
        """After parsing: (fatal, message) when bytes did not decode, else None."""
        c = self._check
        if c is None or not c.bad:
            return None
        where = f" (first at line {c.first_bad_line})" if c.first_bad_line else ""
        if c.error:
            return True, (
                f"Chat log does not decode cleanly: {c.bad} undecodable byte sequence(s) in "
                f"its first {c.chars} characters{where} when {self.encoding_hint()}"
            )
        return False, (
            f"Replaced {c.bad} undecodable byte sequence(s){where} with U+FFFD while "
            f"reading the chat log as {self.encoding} (encoding {self.encoding_origin}); "
            "set chat_encoding= if that is not its encoding"
        )


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
