"""Opt-in on-disk cache of media analyses, so a second run on the same VOD is instant.

An entry is one ``.npz`` file (no pickles: arrays plus a JSON header) named by a key
that hashes

* the file's identity: size, modification time (ns) and SHA-256 of three 64 KiB
  samples (start, middle, end), so a re-encoded or edited file never hits;
* the analysis parameters (hop, video mode, sample rate, stream, ...);
* the library version and the cache format version.

A corrupt, truncated or foreign entry is ignored (logged) and rebuilt, never an
error.  Entries are written atomically.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._atomic import write_atomic
from .errors import ExportError, InvalidParameterError
from .features.analyze import MediaAnalysis
from .timeline import Timeline
from .types import MediaInfo

__all__ = ["AnalysisCache", "file_identity"]

log = logging.getLogger(__name__)

_FORMAT = 1
_SAMPLE = 64 * 1024


def file_identity(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Size, mtime and a content-sample hash of ``path`` (cheap for any file size)."""
    p = Path(path)
    st = p.stat()
    h = hashlib.sha256()
    middle = max(st.st_size // 2 - _SAMPLE // 2, 0)
    with p.open("rb") as fh:
        for off in sorted({0, middle, max(st.st_size - _SAMPLE, 0)}):
            fh.seek(off)
            h.update(fh.read(_SAMPLE))
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sample_sha256": h.hexdigest()}


class AnalysisCache:
    """A directory of cached :class:`~highlights.features.analyze.MediaAnalysis` results.

    Parameters
    ----------
    directory : path-like
        Where entries live; created on first store.

    Examples
    --------
    >>> find_highlights("vod.mp4", cache="~/.cache/highlights")  # doctest: +SKIP
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory).expanduser()
        if self.directory.exists() and not self.directory.is_dir():
            raise InvalidParameterError(
                f"The 'cache' parameter must be a directory. Got the file {self.directory}."
            )

    def key(self, path: str | os.PathLike[str], params: Mapping[str, Any]) -> str:
        """The entry name for analysing ``path`` with ``params``."""
        from ._version import __version__

        doc = {
            "format": _FORMAT, "version": __version__, "file": file_identity(path),
            "params": {k: params[k] for k in sorted(params)},
        }
        blob = json.dumps(doc, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:32]

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.npz"

    def load(self, key: str) -> MediaAnalysis | None:
        """The cached analysis, or None when absent or unreadable (then it is rebuilt)."""
        path = self._path(key)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                if header.get("format") != _FORMAT:
                    raise ValueError(f"cache format {header.get('format')!r}")
                timelines = {
                    name: Timeline(values=data[f"tl_{i}"], hop_s=meta["hop_s"],
                                   start_s=meta["start_s"], name=name)
                    for i, (name, meta) in enumerate(header["timelines"].items())
                }
                cuts = np.asarray(data["cuts_s"], dtype=np.float64)
            info = MediaInfo(**header["info"])
            return MediaAnalysis(info=info, timelines=timelines, cuts_s=cuts,
                                 covered_s=float(header["covered_s"]),
                                 video_mode=str(header["video_mode"]))
        except Exception as exc:  # noqa: BLE001 - any damage means "rebuild"
            log.warning("Ignoring unreadable cache entry %s (%s); it will be rebuilt.", path, exc)
            return None

    def store(self, key: str, analysis: MediaAnalysis) -> Path | None:
        """Write ``analysis`` under ``key`` (atomically); returns the entry path.

        A failure to write (read-only directory, full disk) is logged, not raised:
        the cache must never cost the user their result.
        """
        header = {
            "format": _FORMAT,
            "info": analysis.info.to_dict(),
            "covered_s": analysis.covered_s,
            "video_mode": analysis.video_mode,
            "timelines": {n: {"hop_s": t.hop_s, "start_s": t.start_s}
                          for n, t in analysis.timelines.items()},
        }
        arrays: dict[str, Any] = {
            f"tl_{i}": np.asarray(t.values) for i, t in enumerate(analysis.timelines.values())
        }
        buf = io.BytesIO()
        np.savez_compressed(buf, header=np.array(json.dumps(header)),
                            cuts_s=np.asarray(analysis.cuts_s, dtype=np.float64), **arrays)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            return write_atomic(self._path(key), buf.getvalue(), overwrite=True)
        except (OSError, ExportError) as exc:
            log.warning("Could not write the analysis cache entry (%s); continuing.", exc)
            return None
