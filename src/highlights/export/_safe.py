"""Safe names, safe text and atomic, no-clobber writes for every exporter.

Everything that turns a user- or chat-supplied string into a file name or into a
line of an output format goes through this module, so the rules live in one place:

* file names are slugified and can never leave their output directory;
* control characters (CR, LF, NUL, ...) never reach an output line;
* files are written to a temporary name in the target directory and renamed into
  place, and an existing file is never replaced unless ``overwrite=True``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from .._validate import check_int, fail
from ..errors import ExportError, InvalidParameterError, OutputExistsError

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


def _tmp_name(path: Path) -> Path:
    """A hidden, random name next to ``path`` that keeps its suffix (muxers guess by it)."""
    return path.with_name(f".{path.stem[:40]}.{secrets.token_hex(6)}.tmp{path.suffix[:16]}")


def _check_dest(dest: Path, overwrite: bool) -> None:
    if not dest.parent.is_dir():
        raise ExportError(f"Output directory {str(dest.parent)!r} does not exist.")
    if dest.is_dir():
        raise ExportError(f"Output path {str(dest)!r} is a directory.")
    if not overwrite and (dest.exists() or dest.is_symlink()):
        raise OutputExistsError(
            f"{str(dest)!r} exists; pass overwrite=True to replace it."
        )


def _commit(tmp: Path, dest: Path, overwrite: bool) -> None:
    try:
        if overwrite:
            os.replace(tmp, dest)
        else:
            _link_no_clobber(tmp, dest)
    except FileExistsError as exc:
        raise OutputExistsError(
            f"{str(dest)!r} exists; pass overwrite=True to replace it."
        ) from exc
    except OSError as exc:
        raise ExportError(f"Cannot write {str(dest)!r}: {exc}") from exc


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, overwrite: bool = False) -> Iterator[Path]:
    """Give a writer a temporary path next to ``path`` and move it into place on success.

    The temporary name is hidden, random and keeps the suffix of ``path`` (so a muxer
    can infer the format). On normal exit of the ``with`` block the file is renamed
    to ``path`` (never clobbering it unless ``overwrite``); on any exception, or if
    the writer produced nothing, the temporary file is removed and nothing appears.

    Raises
    ------
    OutputExistsError
        If ``path`` exists (checked before and at the rename) and ``overwrite`` is false.
    ExportError
        If the directory is missing, the writer produced no file, or the rename failed.
    """
    dest = Path(path)
    _check_dest(dest, overwrite)
    tmp = _tmp_name(dest)
    try:
        yield tmp
        if not tmp.is_file():
            raise ExportError(f"Nothing was written for {str(dest)!r}.")
        _commit(tmp, dest, overwrite)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *,
                       overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same directory, are flushed and
    fsync'ed, and the file is then renamed into place. Without ``overwrite`` the
    final step is a hard link, which fails if ``path`` appeared in the meantime, so
    an existing file is never clobbered; with it, :func:`os.replace` is used. The
    temporary file is removed on any failure.

    Parameters
    ----------
    path : path-like
        Destination file; its directory must exist.
    data : bytes
        File contents.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false.
    ExportError
        If the directory is missing or the file cannot be written.
    """
    dest = Path(path)
    _check_dest(dest, overwrite)
    tmp = _tmp_name(dest)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
    except OSError as exc:
        raise ExportError(f"Cannot create a file in {str(dest.parent)!r}: {exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _commit(tmp, dest, overwrite)
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(f"Cannot write {str(dest)!r}: {exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return dest


def _link_no_clobber(tmp: Path, dest: Path) -> None:
    try:
        os.link(tmp, dest)
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.errno not in {
            errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK,
            errno.ENOSYS, errno.EACCES,
        }:
            raise
        # File system without hard links: check, then rename (a small race remains).
        if dest.exists() or dest.is_symlink():
            raise FileExistsError(errno.EEXIST, "exists", str(dest)) from exc
        os.replace(tmp, dest)


def atomic_write_text(path: str | os.PathLike[str], text: str, *,
                      overwrite: bool = False) -> Path:
    """Write ``text`` as UTF-8 atomically; see :func:`atomic_write_bytes`.

    Characters UTF-8 cannot encode (lone surrogates) are written as ``?``.
    """
    return atomic_write_bytes(path, text.encode("utf-8", errors="replace"), overwrite=overwrite)
