"""Atomic, no-clobber file writing shared by every writer in the library."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import ExportError, OutputExistsError

__all__ = ["write_atomic"]


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, overwrite: bool = False
) -> Path:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``.

    Parameters
    ----------
    path : path-like
        Destination file; its directory must exist.
    data : str or bytes
        Content; text is written as UTF-8.
    overwrite : bool, default False
        Replace an existing file.  Without it an existing file is left untouched.

    Returns
    -------
    Path
        The written path.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false.
    ExportError
        If the directory is missing or the write fails (no partial file is left).
    """
    dest = Path(path)
    if dest.exists() and not overwrite:
        raise OutputExistsError(
            f"{dest} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
        )
    if not dest.parent.is_dir():
        raise ExportError(f"The output directory {dest.parent} does not exist.")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, dest)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"Could not write {dest}: {exc}") from exc
    return dest
