"""Safe names, safe text and atomic, no-clobber writes for every exporter.

Everything that turns a user- or chat-supplied string into a file name or into a
line of an output format goes through this module, so the rules live in one place:

* file names are slugified and can never leave their output directory;
* control characters (CR, LF, NUL, ...) never reach an output line;
* files are written to a temporary name in the target directory and renamed into
  place, and an existing file is never replaced unless ``overwrite=True``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from .._atomic import atomic_output, atomic_write_bytes, atomic_write_text
from .._validate import check_int, fail
from ..errors import InvalidParameterError

__all__ = ["safe_filename", "safe_child", "one_line", "atomic_write_text", "atomic_write_bytes",
           "atomic_output"]

#: Device names Windows refuses as a file name, with or without an extension.
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in range(10)}
    | {f"LPT{i}" for i in range(10)}
    | {f"COM{c}" for c in "¹²³"}
    | {f"LPT{c}" for c in "¹²³"}
)
#: Characters kept in a slug: unicode letters/digits/underscore, '-' and '.'.
_SLUG_DROP = re.compile(r"[^\w.\-]+")
_SLUG_RUNS = re.compile(r"([._\-])[._\-]+")
#: C0/C1 controls, DEL, unicode line/paragraph separators, lone surrogates, non-characters.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
#: Longest file name in UTF-8 bytes (NAME_MAX is 255 on common file systems).
_MAX_NAME_BYTES = 200


def one_line(text: object, *, max_len: int | None = None) -> str:
    """Return ``text`` as a single printable line.

    Control characters (including CR, LF, TAB, NUL and the unicode line separators)
    become spaces, runs of whitespace collapse to one space, and the ends are stripped.

    Parameters
    ----------
    text : object
        Any value; ``str(text)`` is cleaned.
    max_len : int, optional
        Cut the result to at most this many characters.

    Returns
    -------
    str
        The cleaned line (possibly empty).
    """
    out = _SPACES.sub(" ", _CONTROL.sub(" ", str(text))).strip()
    if max_len is not None and len(out) > max_len:
        out = out[:max_len].rstrip()
    return out


def _slug(text: str, max_len: int) -> str:
    text = unicodedata.normalize("NFKC", one_line(text))
    text = _SLUG_DROP.sub("_", text)
    text = _SLUG_RUNS.sub(r"\1", text)
    text = text.strip("._- ")
    if len(text) > max_len:
        text = text[:max_len].rstrip("._- ")
    while len(text.encode("utf-8")) > _MAX_NAME_BYTES:
        text = text[:-1].rstrip("._- ")
    if text.split(".", 1)[0].upper() in _WINDOWS_RESERVED:
        text = "_" + text
    return text


def safe_filename(label: str, *, fallback: str, max_len: int = 80) -> str:
    """Turn a title or label into a file name that is safe on every common OS.

    The label is NFKC-normalised; every run of characters other than unicode
    letters, digits, ``_``, ``-`` and ``.`` becomes ``_``; leading and trailing dots,
    dashes and underscores are stripped (so no ``..``, no hidden files); Windows
    device names (``CON``, ``NUL``, ``COM1``...) get a ``_`` prefix; the result is cut
    to ``max_len`` characters (and 200 UTF-8 bytes). Path separators can never
    survive, so the name is always a single path component.

    Parameters
    ----------
    label : str
        Title or label, possibly hostile (``"../x"``, ``"/abs"``, ``"a/b"``, ``"CON"``).
    fallback : str
        Used (slugified the same way) when ``label`` slugifies to nothing; if that is
        empty too, ``"untitled"`` is returned.
    max_len : int, default 80
        Maximum length in characters (>= 1).

    Returns
    -------
    str
        A non-empty name without any path separator. Add the extension yourself.

    Examples
    --------
    >>> safe_filename("../../etc/passwd", fallback="clip")
    'etc_passwd'
    >>> safe_filename("CON", fallback="clip")
    '_CON'
    """
    max_len = check_int("max_len", "safe_filename", max_len, minimum=1)
    for candidate in (label, fallback):
        if not isinstance(candidate, str):
            raise fail("label" if candidate is label else "fallback", "safe_filename",
                       "a str", candidate)
        out = _slug(candidate, max_len)
        if out:
            return out
    return "untitled"[:max_len]


def safe_child(out_dir: str | os.PathLike[str], name: str) -> Path:
    """Return ``out_dir / name`` resolved, guaranteed to lie directly inside ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        The output directory (it need not exist yet).
    name : str
        One path component, e.g. from :func:`safe_filename` plus an extension.

    Returns
    -------
    pathlib.Path
        The resolved child path; its parent is ``out_dir`` resolved.

    Raises
    ------
    InvalidParameterError
        If ``name`` is empty, ``.``/``..``, absolute, contains a path separator or a
        NUL, or resolves (e.g. through a symlink) outside ``out_dir``.
    """
    if not isinstance(name, str):
        raise fail("name", "safe_child", "a str", name)
    seps = {"/", "\\", os.sep} | ({os.altsep} if os.altsep else set())
    if (
        name in {"", ".", ".."}
        or "\x00" in name
        or any(s in name for s in seps)
        or Path(name).is_absolute()
        or Path(name).drive
    ):
        raise fail("name", "safe_child", "a single file name (no separators, not '.' or '..')",
                   name)
    base = Path(out_dir).resolve()
    child = (base / name).resolve()
    if child.parent != base:
        raise InvalidParameterError(
            f"The output name {name!r} resolves to {str(child)!r}, outside {str(base)!r}."
        )
    return child
