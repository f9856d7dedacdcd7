"""Atomic, no-clobber file writing shared by every writer in the library.

Files are written to a hidden temporary name in the target directory, flushed and
fsync'ed, then moved into place: with ``overwrite`` by :func:`os.replace`, without it
by a hard link that fails if the destination appeared meanwhile (so an existing file
is never clobbered, even in a race).  The temporary file is removed on any failure.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from .errors import ExportError, HighlightsError, OutputExistsError

__all__ = ["atomic_output", "atomic_write_bytes", "atomic_write_text", "write_atomic"]


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
    _fsync_dir(dest.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable: fsync the directory entry (a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(tmp: Path) -> None:
    """Remove a temporary file; a failure here must not hide the error that got us here."""
    with contextlib.suppress(OSError):
        os.unlink(tmp)


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
        If the directory is missing, the writer produced no file, the writer failed
        with an :class:`OSError` (e.g. no permission to create the temporary file),
        or the rename failed.
    """
    dest = Path(path)
    _check_dest(dest, overwrite)
    tmp = _tmp_name(dest)
    try:
        try:
            yield tmp
        except HighlightsError:
            raise
        except OSError as exc:  # one clear line, not a traceback from the writer's library
            raise ExportError(f"Cannot write {str(dest)!r}: {exc.strerror or exc}.") from exc
        if not tmp.is_file():
            raise ExportError(f"Nothing was written for {str(dest)!r}.")
        _commit(tmp, dest, overwrite)
    finally:
        _remove_quietly(tmp)


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
        _remove_quietly(tmp)
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


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, overwrite: bool = False
) -> Path:
    """Write text (UTF-8) or bytes to ``path`` atomically; see :func:`atomic_write_bytes`."""
    if isinstance(data, str):
        return atomic_write_text(path, data, overwrite=overwrite)
    return atomic_write_bytes(path, data, overwrite=overwrite)
