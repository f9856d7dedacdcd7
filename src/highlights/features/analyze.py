"""One demux pass over a media file -> every per-hop feature timeline on one grid.

:func:`analyze_media` probes the file, wires the feature sinks
(:class:`~highlights.features.audio.AudioFeatures`,
:class:`~highlights.features.packets.PacketFeatures`,
:class:`~highlights.features.scene.VideoFeatures`) to
:func:`highlights.io.media.demux`, and returns a :class:`MediaAnalysis` whose timelines
all share the grid ``start 0.0, hop_s, n = ceil(duration_s / hop_s)`` (``0.0`` = the
file's first timestamp).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_choice, check_int, check_nonneg, check_positive, fail
from ..errors import (
    DecodeWarning,
    InvalidParameterError,
    SignalMissingWarning,
    StreamNotFoundError,
)
from ..timeline import Timeline
from ..types import MediaInfo
from .audio import HOP_LENGTH, N_FFT, AudioFeatures
from .fingerprint import AudioPrints, Fingerprint, PictureSigs
from .packets import PacketFeatures
from .scene import VideoFeatures

__all__ = ["MediaAnalysis", "analyze_media", "audio_energy", "scene_change", "scene_cuts",
           "AUTO_KEYFRAMES_ABOVE_S", "SIGNALS"]

#: ``video="auto"`` decodes keyframes only for media longer than this (seconds).
AUTO_KEYFRAMES_ABOVE_S = 600.0
#: Every timeline name :func:`analyze_media` may return.
SIGNALS = ("audio_rms_db", "audio_onset", "audio_excite", "audio_voiced", "scene", "motion",
           "video_bytes", "keyframe")
_MODES = ("auto", "keyframes", "sampled", "full", "none")
_MAX_HOPS = 50_000_000  # ~290 days at 0.5 s: a bigger grid is a timestamp error


@dataclass(frozen=True)
class MediaAnalysis:
    """Everything one pass over a media file produced.

    Attributes
    ----------
    info : MediaInfo
        The probed file (``duration_s`` updated if timestamps were spliced).
    timelines : dict of str to Timeline
        Per-hop signals on one grid (see :data:`SIGNALS`); a signal whose stream is
        absent is left out; NaN marks hops a signal does not cover.
    cuts_s : ndarray of float64
        Hard-cut times in seconds (ContentDetector rule at the decoded frame rate).
    covered_s : float
        Seconds of media actually decoded (less than the duration for a damaged file).
    video_mode : str
        The video mode used ("keyframes", "sampled", "full" or "none").
    fingerprint : Fingerprint or None
        Audio hashes and picture signatures made in the same pass
        (:mod:`highlights.features.fingerprint`), what
        :func:`highlights.align_published` searches; None when not computed.
    """

    info: MediaInfo
    timelines: dict[str, Timeline]
    cuts_s: NDArray[np.float64]
    covered_s: float
    video_mode: str
    fingerprint: Fingerprint | None = None


def analyze_media(
    path: str | os.PathLike[str],
    *,
    hop_s: float = 0.5,
    video: str = "auto",
    sample_fps: float = 2.0,
    audio_stream: int | None = None,
    sr: int = 16000,
    start_s: float | None = None,
    end_s: float | None = None,
    progress: Any = None,
    workers: int | None = None,
    executor: Executor | None = None,
) -> MediaAnalysis:
    """Decode a media file once and compute every audio/video signal per hop.

    Parameters
    ----------
    path : str or path-like
        Media file (anything FFmpeg reads).
    hop_s : float, default 0.5
        Hop of the output grid, seconds.
    video : {"auto", "keyframes", "sampled", "full", "none"}, default "auto"
        Video decoding: keyframe packets only (fastest, ~GOP resolution), about
        ``sample_fps`` frames/s, every frame, or no decoding (packet sizes only).
        ``"auto"`` = keyframes for media longer than 600 s, else sampled.
    sample_fps : float, default 2.0
        Frames per second kept in ``"sampled"`` mode.
    audio_stream : int, optional
        Audio stream index within the audio streams (default: the best one).
    sr : int, default 16000
        Audio analysis sample rate, Hz.
    start_s, end_s : float, optional
        Analyse only the hops overlapping ``[start_s, end_s)`` (seconds from the media
        start), seeking there with the pre-roll the features need.  The result's
        timelines start at ``floor(start_s / hop_s) * hop_s`` on the same global grid,
        so consecutive ranges concatenate to the whole-file result.
    progress : None, bool or callable, default None
        ``True`` shows a tqdm bar (seconds of media) on stderr; a callable is called
        as ``progress(done_s, total_s)``.  Silent by default.
    workers : int, optional
        Split the file into this many hop-aligned time ranges analysed in parallel
        processes (``> 1``).  Each range seeks with a pre-roll (further back where the
        container's seek lands late) and places its audio samples on the grid a serial
        run uses, whatever the container's timestamp precision (MP4, Matroska/WebM,
        MPEG-TS, FLV), so video signals and cuts equal a serial run's and audio does up
        to AAC's noise substitution, which the decoder fills with random noise (typically
        < 0.05 dB RMS).  Files with timestamp jumps should be analysed serially.
    executor : concurrent.futures.Executor, optional
        Run the ranges on this executor (threads, processes, or e.g. a dask
        ``Client.get_executor()``); ``workers`` ranges (default 2).

    Returns
    -------
    MediaAnalysis
        Timelines named ``audio_rms_db`` (dB, floor -100), ``audio_onset`` (spectral
        flux), ``audio_excite`` (spectral centroid, Hz), ``scene`` (content distance,
        max per hop), ``motion`` (gray levels per second), ``video_bytes`` (bytes of
        video packets per hop) and ``keyframe`` (1 where a keyframe falls in the hop).

    Raises
    ------
    MediaNotFoundError, MediaError, StreamNotFoundError, DecodeError
        For missing, unreadable or badly damaged files.
    InvalidParameterError
        For bad parameters.

    Warns
    -----
    DecodeWarning
        Damaged packets skipped, timestamps spliced, or the file decoded only partly.
    SignalMissingWarning
        Audio much shorter than the video (the rest is NaN).

    Examples
    --------
    >>> res = analyze_media("vod.mp4", progress=True)       # doctest: +SKIP
    >>> res.timelines["audio_rms_db"].values[:4]            # doctest: +SKIP
    """
    if workers is not None or executor is not None:
        n_workers = 0 if workers is None else check_int("workers", "analyze_media", workers,
                                                        minimum=1)
        if n_workers > 1 or executor is not None:
            return _analyze_sharded(
                path, hop_s=hop_s, video=video, sample_fps=sample_fps,
                audio_stream=audio_stream, sr=sr, start_s=start_s, end_s=end_s,
                progress=progress, workers=max(n_workers, 2), executor=executor,
            )
    return _analyze_one(path, hop_s=hop_s, video=video, sample_fps=sample_fps,
                        audio_stream=audio_stream, sr=sr, start_s=start_s, end_s=end_s,
                        progress=progress, caller="analyze_media", need="any")


def resolve_mode(video: str, info: MediaInfo) -> str:
    """The concrete video mode for ``video`` ("auto" -> keyframes if long, else sampled)."""
    if not info.has_video:
        return "none"
    if video == "auto":
        return "keyframes" if info.duration_s > AUTO_KEYFRAMES_ABOVE_S else "sampled"
    return video


def preroll_s(mode: str, sample_fps: float, sr: int) -> float:
    """Seconds read before a range start so every feature's state is warm."""
    audio = (N_FFT + 2 * HOP_LENGTH) / sr + 0.2  # spectral frame + history + resampler
    vid = {"sampled": 2.0 / sample_fps, "full": 0.5, "keyframes": 0.0, "none": 0.0}[mode]
    return max(audio, vid) + 0.5


def _analyze_one(
    path: str | os.PathLike[str],
    *,
    hop_s: float,
    video: str,
    sample_fps: float,
    audio_stream: int | None,
    sr: int,
    start_s: float | None,
    end_s: float | None,
    progress: Any,
    caller: str,
    need: str,
    spectral: bool = True,
    width: int = 160,
    video_stream: int | None = None,
    threshold: float = 27.0,
    min_scene_len_s: float = 0.6,
    info: MediaInfo | None = None,
    quiet: bool = False,
    messages: list[tuple[type[Warning], str]] | None = None,
) -> MediaAnalysis:
    from ..io.media import demux, probe, warn_user

    hop = check_positive("hop_s", caller, hop_s)
    check_choice("video", caller, video, _MODES)
    fps = check_positive("sample_fps", caller, sample_fps)
    sr = check_int("sr", caller, sr, minimum=1000)
    check_positive("threshold", caller, threshold)
    mslen = check_nonneg("min_scene_len_s", caller, min_scene_len_s)
    a = None if start_s is None else check_nonneg("start_s", caller, start_s)
    b = None if end_s is None else check_positive("end_s", caller, end_s)
    if a is not None and b is not None and b <= a:
        raise fail("end_s", caller, f"> start_s ({a})", end_s)
    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        raise fail("progress", caller, "None, a bool or a callable(done_s, total_s)", progress)

    if info is None:
        info = probe(path, audio_stream=audio_stream, video_stream=video_stream)
    if need == "audio" and not info.has_audio:
        raise StreamNotFoundError(f"{info.path!r} has no audio stream.", path=info.path)
    if need == "video" and not info.has_video:
        raise StreamNotFoundError(f"{info.path!r} has no video stream.", path=info.path)
    mode = resolve_mode(video, info)
    if need == "video" and mode == "none":
        raise InvalidParameterError(
            f"The 'video' parameter of {caller} must decode frames. Got 'none' instead.")

    lo = 0 if a is None else int(math.floor(a / hop + 1e-9))
    hi = None if b is None else int(math.ceil(b / hop - 1e-9))
    n_hint = min(int(math.ceil(info.duration_s / hop)) + 1, _MAX_HOPS)
    use_audio = info.has_audio and need != "video"
    use_video = info.has_video and need != "audio"
    t_lo, t_hi = lo * hop, (math.inf if hi is None else hi * hop)
    aprints = (AudioPrints(sr=sr, hop=HOP_LENGTH, n_fft=N_FFT, t_lo=t_lo, t_hi=t_hi)
               if use_audio and spectral else None)
    asink = (AudioFeatures(sr=sr, hop_s=hop, n_hint=n_hint, lo=lo, hi=hi, spectral=spectral,
                           prints=aprints)
             if use_audio else None)
    psink = PacketFeatures(hop_s=hop, n_hint=n_hint, lo=lo, hi=hi) if use_video else None
    vsink = (VideoFeatures(hop_s=hop, n_hint=n_hint, lo=lo, hi=hi, threshold=threshold,
                           min_scene_len_s=mslen)
             if use_video and mode != "none" else None)
    pre = preroll_s(mode if use_video else "none", fps, sr)
    psigs = PictureSigs(t_lo=t_lo, t_hi=t_hi) if vsink is not None else None
    on_frame: Callable[..., None] | None = vsink
    if vsink is not None and psigs is not None:
        def on_frame(t_s: float, y: Any, u: Any, v: Any, full: bool) -> None:
            vsink(t_s, y, u, v, full)
            psigs(t_s, y, u, v, full)
    stats = demux(
        info, on_audio=asink, on_packet=psink, on_frame=on_frame, sr=sr,
        video=mode if use_video else "none", sample_fps=fps, width=width,
        start_s=None if a is None else lo * hop,
        end_s=None if hi is None else hi * hop,
        preroll_s=pre if (a is not None or b is not None) else 0.0,
        progress=progress, warn=not quiet,
    )
    if messages is not None:
        messages.extend(stats.messages)

    # ---- the grid
    duration = info.duration_s
    if stats.jumps or duration <= 0:  # spliced timestamps or unknown duration: trust decode
        duration = stats.end_s if hi is None else max(stats.end_s, hi * hop)
    elif stats.end_s > duration + max(1.0, hop) and a is None and b is None:
        duration = stats.end_s  # the container's duration was a gross underestimate
    n_total = min(int(math.ceil(duration / hop - 1e-9)), _MAX_HOPS) if duration > 0 else 0
    if duration != info.duration_s:
        info = replace(info, duration_s=float(duration))
    i1 = n_total if hi is None else min(hi, n_total)
    i1 = max(i1, lo)
    n = i1  # arrays are indexed from global hop 0; cropped to [lo, i1) at the end

    raw: dict[str, NDArray[np.float32]] = {}
    if asink is not None:
        raw.update(asink.timelines(n))
    if psink is not None:
        psink.flush()
        covered = np.zeros(n, bool)
        if stats.video_start_s is not None and stats.video_end_s is not None:
            h0 = int(math.floor(stats.video_start_s / hop + 1e-9))
            h1 = int(math.ceil(stats.video_end_s / hop - 1e-9))
            covered[max(h0, 0):max(min(h1, n), 0)] = True
        raw.update(psink.timelines(n, covered=covered))
    if vsink is not None:
        raw.update(vsink.timelines(n))
    timelines = {
        k: Timeline(values=v[lo:n], hop_s=hop, start_s=lo * hop, name=k)
        for k, v in raw.items()
    }
    cuts = vsink.cuts_s() if vsink is not None else np.zeros(0, np.float64)

    # ---- coverage and warnings
    t0 = lo * hop
    t1 = n * hop
    end_seen = min(stats.end_s, t1)
    covered_s = max(end_seen - t0, 0.0)
    expected = max(min(duration, t1) - t0, 0.0)
    if not quiet:
        if expected - covered_s > max(1.0, hop):
            warn_user(
                f"{info.path!r}: decoded only {covered_s:.1f} s of {expected:.1f} s "
                f"(the file looks truncated or damaged); the rest of the timelines is NaN.",
                DecodeWarning,
            )
        if (use_audio and use_video and stats.audio_end_s is not None
                and stats.video_end_s is not None):
            gap = min(stats.video_end_s, t1) - min(stats.audio_end_s, t1)
            if gap > 1.0:
                warn_user(
                    f"{info.path!r}: audio ends {gap:.1f} s before the video; audio "
                    "signals are NaN there.", SignalMissingWarning,
                )
    fingerprint = Fingerprint.build(aprints, psigs, sr=sr, hop=HOP_LENGTH, n_fft=N_FFT)
    return MediaAnalysis(info=info, timelines=timelines, cuts_s=cuts,
                         covered_s=float(covered_s), video_mode=mode if use_video else "none",
                         fingerprint=fingerprint)


# --------------------------------------------------------------------------- sharding
_ShardResult = tuple[dict[str, NDArray[np.float32]], NDArray[np.float64], float, int,
                     list[tuple[type[Warning], str]], Fingerprint | None]


#: Seconds between two looks of the parent at the shards' progress.
_SHARD_POLL_S = 0.5
# In a worker of the default process pool: seconds done per shard, shared with the
# parent (a lock-free array of doubles handed over when the worker starts).
_SHARD_DONE: Any = None


def _init_shard_worker(done: Any) -> None:
    global _SHARD_DONE
    _SHARD_DONE = done


def _shard_job(path: str, info: MediaInfo, hop: float, mode: str, fps: float, sr: int,
               a_s: float, b_s: float, slot: int = -1) -> _ShardResult:
    """Analyse one time range (runs in a worker); returns arrays and the warnings raised.

    With a ``slot`` and a shared progress array (default process pool with progress
    on), the shard writes the seconds it has done into ``_SHARD_DONE[slot]`` as it
    goes: one float store per second of media, nothing else.
    """
    msgs: list[tuple[type[Warning], str]] = []
    report: Any = None
    shared = _SHARD_DONE
    if slot >= 0 and shared is not None:
        span = b_s - a_s

        def report(done_s: float, total_s: float) -> None:
            shared[slot] = min(max(done_s - a_s, 0.0), span)

    res = _analyze_one(path, hop_s=hop, video=mode, sample_fps=fps, audio_stream=None,
                       sr=sr, start_s=a_s, end_s=b_s, progress=report, caller="analyze_media",
                       need="any", info=info, quiet=True, messages=msgs)
    arrays = {k: np.asarray(t.values) for k, t in res.timelines.items()}
    lo = int(math.floor(a_s / hop + 1e-9))
    return arrays, res.cuts_s, res.covered_s, lo, msgs, res.fingerprint


def _analyze_sharded(
    path: str | os.PathLike[str], *, hop_s: float, video: str, sample_fps: float,
    audio_stream: int | None, sr: int, start_s: float | None, end_s: float | None,
    progress: Any, workers: int, executor: Executor | None,
) -> MediaAnalysis:
    """Split ``[start_s, end_s)`` into ``workers`` hop-aligned ranges and run them in parallel.

    Each range is analysed by :func:`_analyze_one` with a seek and a pre-roll, so its
    values equal the serial run's (:func:`highlights.io.media.demux` makes a seek land
    early enough and places audio samples the same way from any start); the ranges'
    timelines are concatenated.
    """
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from ..io.media import probe, warn_user

    hop = check_positive("hop_s", "analyze_media", hop_s)
    check_choice("video", "analyze_media", video, _MODES)
    fps = check_positive("sample_fps", "analyze_media", sample_fps)
    sr = check_int("sr", "analyze_media", sr, minimum=1000)
    info = probe(path, audio_stream=audio_stream)
    mode = resolve_mode(video, info)
    n_total = int(math.ceil(info.duration_s / hop - 1e-9)) if info.duration_s > 0 else 0
    lo = 0 if start_s is None else int(math.floor(check_nonneg(
        "start_s", "analyze_media", start_s) / hop + 1e-9))
    hi = n_total if end_s is None else min(n_total, int(math.ceil(check_positive(
        "end_s", "analyze_media", end_s) / hop - 1e-9)))
    if hi - lo < 2 * workers or n_total == 0:  # too short to be worth splitting
        return _analyze_one(path, hop_s=hop, video=mode, sample_fps=fps,
                            audio_stream=audio_stream, sr=sr, start_s=start_s, end_s=end_s,
                            progress=progress, caller="analyze_media", need="any", info=info)
    bounds = np.linspace(lo, hi, workers + 1).round().astype(np.int64)
    from ..io.media import _progress_fn

    upd, close_bar = _progress_fn(progress, (hi - lo) * hop)
    own = executor is None
    shared: Any = None
    if own and upd is not None:
        # Shards of the default pool report as they go through a shared array; on a
        # user's executor (a cluster) progress moves when a shard ends.
        import multiprocessing

        shared = multiprocessing.RawArray("d", workers)
        ex: Executor = ProcessPoolExecutor(max_workers=workers, initializer=_init_shard_worker,
                                           initargs=(shared,))
    elif own:
        ex = ProcessPoolExecutor(max_workers=workers)
    else:
        assert executor is not None
        ex = executor
    parts = []
    try:
        slots = {ex.submit(_shard_job, str(info.path), info, hop, mode, fps, sr,
                           float(bounds[k] * hop), float(bounds[k + 1] * hop),
                           k if shared is not None else -1): k
                 for k in range(workers) if bounds[k + 1] > bounds[k]}
        finished = [0.0] * workers
        reached = 0.0
        pending = set(slots)
        while pending:
            done, pending = wait(pending, timeout=_SHARD_POLL_S if shared is not None else None,
                                 return_when=FIRST_COMPLETED)
            for fut in done:
                part = fut.result()
                parts.append(part)
                finished[slots[fut]] = part[2]
            if upd is not None:
                running = [0.0] * workers if shared is None else list(shared)
                reached = max(reached, sum(f if f else r
                                           for f, r in zip(finished, running, strict=True)))
                upd(reached)
    finally:
        close_bar()
        if own:
            ex.shutdown(wait=True)
    parts.sort(key=lambda p: p[3])
    seen: set[str] = set()
    for part in parts:  # issue the workers' warnings (damaged packets, jumps) once
        for category, msg in part[4]:
            if msg not in seen:
                seen.add(msg)
                warn_user(msg, category)
    keys = list(parts[0][0])
    timelines = {
        k: Timeline(values=np.concatenate([p[0][k] for p in parts]), hop_s=hop,
                    start_s=lo * hop, name=k)
        for k in keys
    }
    cuts = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0)
    covered = float(sum(p[2] for p in parts))
    expected = (hi - lo) * hop
    if expected - covered > max(1.0, hop) and min(info.duration_s, hi * hop) - lo * hop - \
            covered > max(1.0, hop):
        warn_user(
            f"{info.path!r}: decoded only {covered:.1f} s of {expected:.1f} s (the file looks "
            "truncated or damaged); the rest of the timelines is NaN.",
            DecodeWarning,
        )
    prints = [p[5] for p in parts if p[5] is not None]
    return MediaAnalysis(info=info, timelines=timelines, cuts_s=np.sort(cuts),
                         covered_s=covered, video_mode=mode,
                         fingerprint=Fingerprint.concat(prints) if prints else None)


def audio_energy(
    path: str | os.PathLike[str],
    *,
    hop_s: float = 0.5,
    stream: int | None = None,
    sr: int = 16000,
) -> Timeline:
    """RMS loudness of a media file's audio, in dB per hop.

    Parameters
    ----------
    path : str or path-like
        Media file.
    hop_s : float, default 0.5
        Hop in seconds.
    stream : int, optional
        Audio stream index within the audio streams (default: the best one).
    sr : int, default 16000
        Analysis sample rate, Hz.

    Returns
    -------
    Timeline
        ``"audio_rms_db"``: RMS in dB (floor -100 dB), NaN where there is no audio.

    Raises
    ------
    StreamNotFoundError
        If the file has no audio stream (or not the requested one).
    MediaError
        If the file cannot be read.

    Examples
    --------
    >>> tl = audio_energy("vod.mp4", hop_s=1.0)   # doctest: +SKIP
    """
    res: Any = _analyze_one(path, hop_s=hop_s, video="none", sample_fps=2.0,
                            audio_stream=stream, sr=sr, start_s=None, end_s=None,
                            progress=None, caller="audio_energy", need="audio",
                            spectral=False)
    tl: Timeline = res.timelines["audio_rms_db"]
    return tl


def scene_change(
    path: str | os.PathLike[str],
    *,
    hop_s: float = 0.5,
    width: int = 160,
    stream: int | None = None,
    video: str = "sampled",
    sample_fps: float = 2.0,
) -> Timeline:
    """Content distance between consecutive frames (PySceneDetect metric), max per hop.

    Parameters
    ----------
    path : str or path-like
        Media file.
    hop_s : float, default 0.5
        Hop in seconds.
    width : int, default 160
        Frames are reduced to this width (pixels) before comparing.
    stream : int, optional
        Video stream index within the video streams (default: the best one).
    video : {"keyframes", "sampled", "full"}
        Which frames to decode (see :func:`highlights.features.analyze.analyze_media`).
    sample_fps : float, default 2.0
        Frames per second kept in ``"sampled"`` mode.

    Returns
    -------
    Timeline
        ``"scene"``: 0 (same picture) to ~255 (everything changed); NaN where there is
        no pair of frames.

    Raises
    ------
    StreamNotFoundError
        If the file has no video stream (or not the requested one).

    Examples
    --------
    >>> tl = scene_change("vod.mp4", video="keyframes")   # doctest: +SKIP
    """
    res: Any = _analyze_one(path, hop_s=hop_s, video=video, sample_fps=sample_fps,
                            audio_stream=None, sr=16000, start_s=None, end_s=None,
                            progress=None, caller="scene_change", need="video",
                            width=width, video_stream=stream)
    tl: Timeline = res.timelines["scene"]
    return tl


def scene_cuts(
    path: str | os.PathLike[str],
    *,
    video: str = "full",
    threshold: float = 27.0,
    min_scene_len_s: float = 0.6,
    width: int = 256,
    stream: int | None = None,
) -> NDArray[np.float64]:
    """Hard-cut times, with PySceneDetect's ``ContentDetector`` rule.

    Parameters
    ----------
    path : str or path-like
        Media file.
    video : {"full", "sampled", "keyframes"}, default "full"
        Which frames to compare; ``"full"`` reproduces PySceneDetect (every frame).
    threshold : float, default 27.0
        Content distance that makes a cut.
    min_scene_len_s : float, default 0.6
        Minimum scene length in seconds (PySceneDetect's CLI default).
    width : int, default 256
        Frames are reduced to this width first (PySceneDetect's own default is an
        effective width of at least 256 px).
    stream : int, optional
        Video stream index within the video streams.

    Returns
    -------
    ndarray of float64
        Times (seconds from the media start) of the first frame of each new scene.

    Raises
    ------
    StreamNotFoundError
        If the file has no video stream.

    Examples
    --------
    >>> scene_cuts("testvideo.mp4")   # doctest: +SKIP
    array([ 1.001,  6.006, 13.146])
    """
    res: Any = _analyze_one(path, hop_s=0.5, video=video, sample_fps=2.0,
                            audio_stream=None, sr=16000, start_s=None, end_s=None,
                            progress=None, caller="scene_cuts", need="video",
                            width=width, video_stream=stream, threshold=threshold,
                            min_scene_len_s=min_scene_len_s)
    cuts: NDArray[np.float64] = res.cuts_s
    return cuts
