"""Opt-in on-disk cache of media analyses, so a second run on the same VOD is instant.

An entry is one ``.npz`` file (no pickles: arrays plus a JSON header) named by a key
that hashes

* the file's identity: size, modification time (ns) and SHA-256 of three 64 KiB
  samples (start, middle, end), so a re-encoded or edited file never hits;
* the analysis parameters (hop, video mode, sample rate, stream, ...);
* the library version and the cache format version.

An entry holds the timelines, the cuts and the recording's fingerprint (audio hashes
and picture signatures, :mod:`highlights.features.fingerprint`), so aligning published
edits to a cached recording decodes none of it again.

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
from .features.fingerprint import Fingerprint
from .timeline import Timeline
from .types import MediaInfo

__all__ = ["AnalysisCache", "file_identity", "analysis_cached", "SHARD_ABOVE_S"]

log = logging.getLogger(__name__)

_FORMAT = 2  # 2: the fingerprint (audio hashes, picture signatures) is stored too
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
                fp = header.get("fingerprint")
                fingerprint = None if fp is None else Fingerprint.from_arrays(fp, data)
            info = MediaInfo(**header["info"])
            return MediaAnalysis(info=info, timelines=timelines, cuts_s=cuts,
                                 covered_s=float(header["covered_s"]),
                                 video_mode=str(header["video_mode"]),
                                 fingerprint=fingerprint)
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
        if analysis.fingerprint is not None:
            header["fingerprint"] = analysis.fingerprint.header()
            arrays.update(analysis.fingerprint.arrays())
        buf = io.BytesIO()
        np.savez_compressed(buf, header=np.array(json.dumps(header)),
                            cuts_s=np.asarray(analysis.cuts_s, dtype=np.float64), **arrays)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            return write_atomic(self._path(key), buf.getvalue(), overwrite=True)
        except (OSError, ExportError) as exc:
            log.warning("Could not write the analysis cache entry (%s); continuing.", exc)
            return None


#: Media longer than this (seconds) is analysed in parallel shards by default.
SHARD_ABOVE_S = 1200.0


def analysis_cached(
    source: str | os.PathLike[str],
    *,
    cache: str | os.PathLike[str] | AnalysisCache | None = None,
    hop_s: float = 0.5,
    video: str = "auto",
    sample_fps: float = 2.0,
    audio_stream: int | None = None,
    sr: int = 16000,
    workers: int | None = None,
    progress: Any = None,
) -> MediaAnalysis:
    """Analyse ``source`` as :func:`highlights.find_highlights` does, through the cache.

    The cache key is the one ``find_highlights`` uses for the same parameters, so an
    analysis made by either serves the other.  Without ``workers``, media longer than
    :data:`SHARD_ABOVE_S` is split over every core (at most 8).

    Returns
    -------
    MediaAnalysis
        With its :attr:`~highlights.features.analyze.MediaAnalysis.fingerprint`.
    """
    from .features.analyze import analyze_media
    from .io.media import probe

    info = probe(source, audio_stream=audio_stream)
    store: AnalysisCache | None = None
    key = ""
    if cache is not None:
        store = cache if isinstance(cache, AnalysisCache) else AnalysisCache(cache)
        key = store.key(source, {"hop_s": hop_s, "video": video, "sample_fps": sample_fps,
                                 "audio_stream": audio_stream, "sr": sr})
        hit = store.load(key)
        if hit is not None and hit.fingerprint is not None:
            log.info("Analysis of %s loaded from the cache.", source)
            return hit
    if workers is None:
        workers = 1 if info.duration_s < SHARD_ABOVE_S else max(1, min(os.cpu_count() or 1, 8))
    media = analyze_media(source, hop_s=hop_s, video=video, sample_fps=sample_fps,
                          audio_stream=audio_stream, sr=sr, progress=progress, workers=workers)
    if store is not None:
        store.store(key, media)
    return media
