"""`find_highlights()`: compose decode -> signals -> fusion -> picking.  No math here."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ._validate import check_choice, check_positive, fail
from .errors import ChatLogError, ChatWarning, HighlightsError, SignalMissingWarning
from .features.derived import add_derived
from .features.lag import TIME_BASES, shift_chat
from .result import Analysis, Highlights, build_highlights
from .selection.stage import Selection, resolve_selection
from .timeline import Timeline
from .types import ChatEvents, MediaInfo

if TYPE_CHECKING:  # pragma: no cover
    from .cache import AnalysisCache
    from .features.analyze import MediaAnalysis
    from .learn.model import HighlightModel

__all__ = ["find_highlights", "find_highlights_batch", "analyze", "select", "Analysis",
           "VIDEO_MODES"]

log = logging.getLogger(__name__)

#: Media longer than this (seconds) is analysed in parallel shards by default.
SHARD_ABOVE_S = 1200.0
#: Audio analysis sample rate, Hz.
ANALYSIS_SR = 16000
#: Video analysis modes (see :func:`find_highlights`).
VIDEO_MODES = ("auto", "keyframes", "sampled", "full", "none")

ChatInput = (
    str | os.PathLike[str] | Sequence[float] | NDArray[np.floating] | ChatEvents | None
)
Progress = bool | Callable[[float, float], None] | None


def _note(notes: list[str], message: str) -> None:
    notes.append(message)
    warnings.warn(message, SignalMissingWarning, stacklevel=3)


def analyze(
    source: str | os.PathLike[str] | None,
    *,
    chat: ChatInput = None,
    hop_s: float = 0.5,
    video: str = "auto",
    sample_fps: float = 2.0,
    audio_stream: int | None = None,
    chat_format: str = "auto",
    chat_stream_start: float | str | datetime | None = None,
    chat_offset_s: float = 0.0,
    chat_lag_s: float | None = None,
    chat_time_base: str = "auto",
    chat_required: bool = True,
    duration_s: float | None = None,
    progress: Progress = None,
    workers: int | None = None,
    executor: Executor | None = None,
    cache: str | os.PathLike[str] | AnalysisCache | None = None,
    chat_encoding: str | None = None,
    currency_rates: Mapping[str, float] | None = None,
) -> Analysis:
    """Decode a recording once and compute every signal on one grid.

    Parameters are those of :func:`find_highlights` that concern analysis.  A chat
    log is read before the media is decoded, so a log that cannot be used fails at
    once.

    Returns
    -------
    Analysis
    """
    caller = "find_highlights"
    hop = check_positive("hop_s", caller, hop_s)
    check_choice("video", caller, video, VIDEO_MODES)
    if not isinstance(chat_required, bool):
        raise fail("chat_required", caller, "a bool", chat_required)
    check_choice("chat_time_base", caller, chat_time_base, TIME_BASES)
    if source is None and chat is None:
        raise fail("source", caller, "a media path (or chat= for a chat-only analysis)", source)
    notes: list[str] = []
    timelines: dict[str, Timeline] = {}
    info: MediaInfo | None = None
    cuts = np.zeros(0)
    chat_path = str(chat) if isinstance(chat, (str, os.PathLike)) else None
    # A named log that yields nothing is an error unless the caller opted out; with
    # nothing else to analyse it always is.
    required = chat_path is not None and (chat_required or source is None)

    probed: MediaInfo | None = None
    if source is not None:
        from .io.media import probe

        # One probe: clear errors for a missing/non-media file before anything else,
        # the duration for the chat check, the cache key and the worker count.
        probed = probe(source)

    events: ChatEvents | None = None
    chat_base = "live"
    if chat is not None:
        limit = None  # with media, events are dropped against the analysed duration below
        if source is None and duration_s is not None:
            limit = check_positive("duration_s", caller, duration_s)
        events = _load_chat(
            chat, chat_path=chat_path, required=required, notes=notes, source=source,
            format=chat_format, stream_start=chat_stream_start, offset_s=chat_offset_s,
            duration_s=limit, chat_encoding=chat_encoding,
        )
        if (events is not None and required and probed is not None and probed.duration_s > 0
                and not np.any(events.time_s <= probed.duration_s)):
            assert chat_path is not None
            raise _unusable_chat(
                chat_path, source=source,
                details=[f"all {len(events)} chat events fall after the media end "
                         f"({probed.duration_s:.1f} s); check stream_start/offset_s"],
            )

    if source is not None:
        media = _analyze_media_cached(
            source, hop_s=hop, video=video, sample_fps=sample_fps, audio_stream=audio_stream,
            progress=progress, workers=workers, executor=executor, cache=cache, info=probed,
        )
        info = media.info
        timelines.update(media.timelines)
        cuts = np.asarray(media.cuts_s, dtype=np.float64)
        if not info.has_audio:
            _note(notes, f"{source}: no audio stream; audio signals are left out (weight 0).")
        if not info.has_video and video != "none":
            _note(notes, f"{source}: no video stream; video signals are left out (weight 0).")
        total_s = info.duration_s
        timelines = add_derived(timelines)
        if events is not None and total_s > 0:
            events = _load_chat(
                events, chat_path=chat_path, required=required, notes=notes, source=source,
                duration_s=total_s,
            )
    else:
        total_s = 0.0 if duration_s is None else check_positive("duration_s", caller, duration_s)

    lag: float | None = None
    conf: float | None = None
    lag_method: str | None = None
    if events is not None:
        from .features.chat import chat_signals

        if total_s <= 0:
            total_s = float(events.time_s[-1]) + hop
        # chat_onset (fresh voices' surprise) is derived before the shift: the lag is
        # measured on it, and it moves with the other chat signals.
        chat_tls = add_derived(chat_signals(events, hop_s=hop, duration_s=total_s,
                                            currency_rates=currency_rates))
        n = int(np.ceil(total_s / hop - 1e-9))
        base = events.time_base if chat_time_base == "auto" else chat_time_base
        chat_base = "video" if base == "video" else "live"
        shifted, lag, conf, lag_method = shift_chat(
            chat_tls, timelines, chat_lag_s=chat_lag_s, hop_s=hop, start_s=0.0, n=n,
            notes=notes, time_base=chat_base,
        )
        timelines = add_derived({**timelines, **shifted})
        events = events.shift(-lag)
    if not timelines:
        raise fail("source", caller, "a recording or chat log with at least one signal", source)
    return Analysis(
        timelines=timelines, media=info, chat=events, chat_lag_s=lag,
        chat_lag_confidence=conf, chat_lag_method=lag_method, cuts_s=cuts, notes=tuple(notes),
        source=str(source) if source is not None else chat_path or "",
        span_s=total_s if total_s > 0 else None,
        chat_time_base=None if events is None else chat_base,
    )


def _load_chat(
    chat: Any,
    *,
    chat_path: str | None,
    required: bool,
    notes: list[str],
    source: Any,
    **kwargs: Any,
) -> ChatEvents | None:
    """``load_chat(chat, **kwargs)``; None (with a note) when nothing usable is left.

    The loader's warnings are held back while it runs: when the log is ``required``
    and yields nothing they become part of the one :class:`ChatLogError`, otherwise
    they are issued as they were.
    """
    from .io.chat import load_chat

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ChatWarning)
        events = load_chat(chat, **kwargs)
    if len(events) == 0 and required:
        assert chat_path is not None
        if events.fmt == "empty":
            raise _unusable_chat(chat_path, source=source, empty=True)
        raise _unusable_chat(
            chat_path, source=source, fmt=events.fmt,
            details=[_strip_path(str(w.message), chat_path) for w in caught
                     if issubclass(w.category, ChatWarning)],
        )
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    if len(events) == 0:
        _note(notes, f"The chat log{'' if chat_path is None else f' {chat_path}'} holds no "
              "usable events; chat signals are left out.")
        return None
    return events


def _strip_path(message: str, path: str) -> str:
    """A loader warning without its trailing ``" (path)"``."""
    suffix = f" ({path})"
    return message[: -len(suffix)] if message.endswith(suffix) else message


def _unusable_chat(
    path: str, *, source: Any, empty: bool = False, fmt: str | None = None,
    details: Sequence[str] = (),
) -> ChatLogError:
    """The one error for a named chat log that yields no usable event."""
    opt_out = "pass chat_required=False to analyse the recording without it"
    if empty:
        what = f"The chat log {path!r} is empty"
        hint = opt_out
    else:
        read = f"read as {fmt}: " if fmt else ""
        why = "; ".join(d[:1].lower() + d[1:] if d[1:2].islower() else d for d in details)
        what = f"The chat log {path!r} has no usable chat events ({read}{why or 'none found'})"
        hint = f"check the file (or give its format with chat_format=), or {opt_out}"
    message = (f"{what}; there is nothing to analyse." if source is None
               else f"{what}; {hint}.")
    exc = ChatLogError(" ".join(message.split()))
    exc.path = path
    return exc


def _default_workers(duration_s: float) -> int:
    """Worker processes for a file: every core for long media, 1 for short clips."""
    if duration_s < SHARD_ABOVE_S:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _analyze_media_cached(
    source: str | os.PathLike[str],
    *,
    hop_s: float,
    video: str,
    sample_fps: float,
    audio_stream: int | None,
    progress: Progress,
    workers: int | None,
    executor: Executor | None,
    cache: str | os.PathLike[str] | AnalysisCache | None,
    info: MediaInfo | None = None,
) -> MediaAnalysis:
    """Run :func:`analyze_media`, through the analysis cache when one is given.

    ``info`` is the file's :func:`~highlights.io.media.probe` when the caller has it.
    """
    from .features.analyze import analyze_media
    from .io.media import probe

    store: AnalysisCache | None = None
    key = ""
    # One probe: clear errors for missing/non-media files before hashing, and the
    # duration for the default worker count.
    if info is None:
        info = probe(source)
    if cache is not None:
        from .cache import AnalysisCache

        store = cache if isinstance(cache, AnalysisCache) else AnalysisCache(cache)
        key = store.key(source, {"hop_s": hop_s, "video": video, "sample_fps": sample_fps,
                                 "audio_stream": audio_stream, "sr": ANALYSIS_SR})
        hit = store.load(key)
        if hit is not None:
            log.info("Analysis of %s loaded from the cache.", source)
            return hit
    if workers is None and executor is None:
        workers = _default_workers(info.duration_s)
    media = analyze_media(
        source, hop_s=hop_s, video=video, sample_fps=sample_fps, audio_stream=audio_stream,
        sr=ANALYSIS_SR, progress=progress, workers=workers, executor=executor,
    )
    if store is not None:
        store.store(key, media)
    return media


def find_highlights(
    source: str | os.PathLike[str] | None,
    *,
    chat: ChatInput = None,
    n: int | None = None,
    preset: str | None = None,
    min_len_s: float | None = None,
    max_len_s: float | None = None,
    pad_s: float | tuple[float, float] | None = None,
    min_gap_s: float | None = None,
    threshold: float | None = None,
    order: str | None = None,
    budget_s: float | tuple[float, float] | None = None,
    snap: bool | None = None,
    hop_s: float = 0.5,
    video: str = "auto",
    sample_fps: float = 2.0,
    audio_stream: int | None = None,
    weights: Mapping[str, float] | str | None = None,
    baseline_s: float | None = 600.0,
    smooth_s: float = 3.0,
    chat_format: str = "auto",
    chat_stream_start: float | str | datetime | None = None,
    chat_offset_s: float = 0.0,
    chat_lag_s: float | None = None,
    chat_time_base: str = "auto",
    chat_required: bool = True,
    duration_s: float | None = None,
    progress: Progress = None,
    workers: int | None = None,
    executor: Executor | None = None,
    cache: str | os.PathLike[str] | AnalysisCache | None = None,
    model: HighlightModel | str | os.PathLike[str] | None = None,
    chat_encoding: str | None = None,
    currency_rates: Mapping[str, float] | None = None,
) -> Highlights:
    """Find the best moments of a recording.

    Decodes the media once (audio loudness, onsets and excitement; scene changes,
    motion and compressed-domain activity), turns the optional chat log into
    activity timelines shifted back by the chat's lag, fuses every signal against
    its rolling baseline and picks ranked, non-overlapping clips.

    Parameters
    ----------
    source : path-like or None
        The recording (any container/codec FFmpeg reads).  ``None`` for a chat-only
        analysis (then ``chat`` is required).
    chat : path-like, sequence of float, ndarray, ChatEvents or None
        A chat log file (format detected from its content), message times in
        seconds from the media start, or loaded :class:`~highlights.ChatEvents`.
    n : int, default 10
        Maximum number of clips.
    preset : {"reel", "shorts", "teaser", "chapters"}, optional
        A named set of the selection parameters below (see
        :mod:`highlights.selection.presets`): ``"reel"`` a 180-300 s best-of of 20-60 s clips,
        ``"shorts"`` standalone 15-60 s clips, ``"teaser"`` the top moments at 2-4 s
        each within 20 s, ``"chapters"`` the whole stream as YouTube chapters.
        Parameters you pass explicitly override the preset's.
    min_len_s, max_len_s : float, default 15.0, 90.0
        Bounds on each clip's length in seconds, padding included.
    pad_s : float or (float, float), default (5.0, 3.0)
        Pre-roll and post-roll around each clip's core, seconds.  When the chat lag
        could not be measured (chat only, or no confidence: ``chat_lag_method``
        ``"prior"`` or ``"shrunk"``), clips of ``max_len_s >= 15`` start up to about
        9 s earlier still (:func:`highlights.features.lag.lag_lead_s`, recorded as
        ``params["lag_lead_s"]`` with a note), so a reaction that came later than the
        8-s prior still has its action in the clip; give ``chat_lag_s`` to avoid it.
    min_gap_s : float, default 10.0
        Minimum gap between clips, seconds.  A peak closer than this to a chosen clip
        grows that clip to cover it when the clip still fits ``max_len_s``.
    threshold : float, default 0.0
        Minimum fused score of a clip's peak (0 = the rolling baseline).
    order : {"rank", "time"}, default "rank"
        Order of ``result.clips``.
    budget_s : float or (float, float), optional
        Total length of the clips, seconds (a maximum, or a ``(min, max)`` range):
        the best set under it is chosen by an exact knapsack.  Default: no budget.
    snap : bool, default True
        Move clip edges to nearby scene cuts (within 3 s) or pauses in the audio
        (within 1 s), keeping the length bounds and the lead-in.
    hop_s : float, default 0.5
        Resolution of every signal timeline, seconds.
    video : {"auto", "keyframes", "sampled", "full", "none"}, default "auto"
        How much video to decode.  ``"keyframes"`` decodes only keyframes (fast; scene
        resolution = the GOP, typically 2 s), ``"sampled"`` about ``sample_fps``
        frames per second, ``"full"`` every frame (exact cuts, slowest), ``"none"``
        no video decoding (compressed-domain activity only).  ``"auto"`` chooses
        keyframes for recordings over 10 minutes and sampled otherwise.
    sample_fps : float, default 2.0
        Frames per second decoded in ``"sampled"`` mode.
    audio_stream : int, optional
        Index of the audio stream to analyse (among audio streams); default: the best.
    weights : mapping of str to float, or str, optional
        Signal weights merged over :data:`highlights.DEFAULT_WEIGHTS`, or the name of
        a genre preset (``"game"``, ``"talk"``, ``"shopping"``; see
        :func:`highlights.weights_for_genre` — fitted on synthetic streams).
    baseline_s : float or None, default 600.0
        Rolling-baseline window for normalisation, seconds (None = global).
    smooth_s : float, default 3.0
        Smoothing of each normalised signal, seconds.
    chat_format : str, default "auto"
        Chat log format (see :func:`highlights.load_chat`).
    chat_stream_start : float, str or datetime, optional
        Wall-clock time of the recording's first frame (UNIX seconds, an ISO 8601
        string such as ``"2024-05-01T18:00:00Z"`` or a ``datetime``; naive = UTC).
        Anchors a chat log with wall-clock times (IRC, Chatterino, live captures) to
        the recording; passed to :func:`highlights.load_chat` as ``stream_start``.
        Without it such a log's first message is time 0 (with a warning).
    chat_offset_s : float, default 0.0
        Added to every chat time (e.g. when the log starts before the recording).
    chat_encoding : str, optional
        Text encoding of the chat log file (``"gb18030"``, ``"big5"``, ``"cp932"``,
        ``"cp949"``, ``"cp1252"`` ...).  Default: detected (byte-order mark, XML
        declaration, UTF-8, else charset detection); see :func:`highlights.load_chat`.
    currency_rates : mapping of str to float, optional
        Rates that convert the chat's money (Super Chats, orders) in several
        currencies to one unit for ``chat_value``, e.g. ``{"USD": 1, "EUR": 1.08}``;
        see :func:`highlights.features.chat.chat_signals`.
    chat_lag_s : float, optional
        Seconds the chat's onset trails the action's onset (the delay of the
        broadcast plus the viewers' reaction).  Default: measured per stream by
        cross-correlating the onsets of fresh voices in chat with the onsets of the
        streamer's voiced reactions (or of picture changes), and shrunk toward 8 s in
        proportion to the estimate's lack of confidence (``result.chat_lag_method``
        says which).  ``0`` disables the shift.
    chat_time_base : {"auto", "live", "video"}, default "auto"
        ``"video"``: the chat's times are positions in the video, where viewers of a
        recording left their comments (Bilibili video danmaku, NicoNico), so there
        is no lag to remove (lag 0).  ``"live"``: chat written during the broadcast.
        ``"auto"`` uses what the log says (:attr:`highlights.ChatEvents.time_base`;
        a Bilibili XML whose send times span months is video danmaku) and ``"live"``
        when it says nothing.
    chat_required : bool, default True
        A chat log *file* that yields no usable event (empty, not a chat log, every
        event outside the recording) raises :class:`~highlights.ChatLogError`,
        which says what was read.  ``False`` analyses the recording without it
        instead (with warnings and a note).  The log is read before the media is
        decoded, so the error comes at once.  Message times or ``ChatEvents`` given
        directly are never required.
    duration_s : float, optional
        Stream length for chat-only analyses (default: the last chat event).
    progress : bool or callable, optional
        ``True`` shows a progress bar on stderr; a callable receives
        ``(done_s, total_s)``.  Silent by default.
    workers : int, optional
        Processes that analyse time shards of the file in parallel (the timelines
        equal a serial run's).  Default: every core for media longer than 20 minutes,
        1 otherwise.
    executor : concurrent.futures.Executor, optional
        Run the shards on this executor instead, e.g. a Dask cluster's
        ``client.get_executor()``.
    cache : path-like or AnalysisCache, optional
        Directory of the analysis cache.  A second run on the same file with the same
        analysis parameters loads the signals instead of decoding (selection and
        fusion parameters may differ).  A damaged entry is rebuilt.
    model : HighlightModel or path-like, optional
        A fitted :class:`highlights.learn.HighlightModel` (or the path of one saved
        with ``model.save``) that scores the signals instead of the fixed ``weights``.

    Returns
    -------
    Highlights
        ``clips`` (best first), every signal timeline, the fused score, the
        parameters, and ``chat_lag_s``.  Re-select with :meth:`Highlights.repick`.

    Raises
    ------
    MediaNotFoundError
        If ``source`` does not exist.
    MediaError
        If ``source`` is not a readable media file.
    ChatLogError
        If the chat log cannot be read, does not decode in its encoding (then give
        ``chat_encoding``), or (with ``chat_required=True``) yields no usable event.
    InvalidParameterError
        For invalid parameters (selection parameters are checked before any decoding).

    Warns
    -----
    SignalMissingWarning
        When a stream is absent (its signals get weight 0).
    NoClipsWarning
        When no clip fits the constraints (the result is empty).
    BudgetWarning
        When the clips cannot fill the minimum of the budget (e.g. the ``reel``
        preset's 180 s); also in ``result.notes``.

    Examples
    --------
    >>> from highlights import find_highlights                     # doctest: +SKIP
    >>> result = find_highlights("vod.mp4", chat="chat.json", n=10)  # doctest: +SKIP
    >>> for clip in result.clips:                                   # doctest: +SKIP
    ...     print(clip.rank, clip.start_s, clip.end_s, clip.score, clip.contributions)
    >>> result.to_json("highlights.json")                           # doctest: +SKIP
    """
    # Selection first: a bad value fails before an hour of decoding.
    sel = resolve_selection(
        preset, n=n, min_len_s=min_len_s, max_len_s=max_len_s, pad_s=pad_s,
        min_gap_s=min_gap_s, threshold=threshold, order=order, budget_s=budget_s, snap=snap,
    )
    analysis = analyze(
        source, chat=chat, hop_s=hop_s, video=video, sample_fps=sample_fps,
        audio_stream=audio_stream, chat_format=chat_format,
        chat_stream_start=chat_stream_start, chat_offset_s=chat_offset_s,
        chat_lag_s=chat_lag_s, chat_time_base=chat_time_base, chat_required=chat_required,
        duration_s=duration_s,
        progress=progress, workers=workers, executor=executor, cache=cache,
        chat_encoding=chat_encoding, currency_rates=currency_rates,
    )
    start = (chat_stream_start.isoformat() if isinstance(chat_stream_start, datetime)
             else chat_stream_start)
    return select(
        analysis, sel, weights=weights, baseline_s=baseline_s, smooth_s=smooth_s, model=model,
        extra_params={"hop_s": hop_s, "video": video, "sample_fps": sample_fps,
                      "audio_stream": audio_stream, "chat_lag_s": chat_lag_s,
                      "chat_time_base": chat_time_base,
                      "chat_stream_start": start},
    )


def select(
    analysis: Analysis,
    selection: Selection | None = None,
    *,
    weights: Mapping[str, float] | str | None = None,
    baseline_s: float | None = 600.0,
    smooth_s: float = 3.0,
    extra_params: Mapping[str, Any] | None = None,
    model: HighlightModel | str | os.PathLike[str] | None = None,
) -> Highlights:
    """Fuse an :class:`Analysis` and choose clips (the cheap part of the pipeline).

    Parameters
    ----------
    analysis : Analysis
        Output of :func:`analyze`.
    selection : Selection, optional
        Output of :func:`highlights.selection.resolve_selection` (default: the
        library defaults).
    weights, baseline_s, smooth_s
        Fusion parameters (see :func:`find_highlights`).
    extra_params : mapping, optional
        Recorded in ``result.params`` as they are.
    model : HighlightModel or path-like, optional
        Learned fusion used instead of ``weights`` (see :func:`find_highlights`).

    Returns
    -------
    Highlights
    """
    return build_highlights(analysis, selection, weights=weights, baseline_s=baseline_s,
                            smooth_s=smooth_s, model=model, extra_params=extra_params)


def find_highlights_batch(
    sources: Sequence[str | os.PathLike[str]],
    *,
    chats: Sequence[ChatInput] | None = None,
    executor: Executor | None = None,
    max_workers: int | None = None,
    errors: str = "raise",
    progress: Progress = None,
    **kwargs: Any,
) -> list[Highlights | HighlightsError]:
    """Run :func:`find_highlights` on many recordings at once, one task per recording.

    Parameters
    ----------
    sources : sequence of path-like
        The recordings.
    chats : sequence, optional
        One chat input per recording (``None`` entries allowed).
    executor : concurrent.futures.Executor, optional
        Where the tasks run, e.g. ``dask.distributed.Client(...).get_executor()`` for a
        cluster.  Default: a local process pool of ``max_workers`` processes.
    max_workers : int, optional
        Size of the default process pool (default: the machine's cores).
    errors : {"raise", "return"}, default "raise"
        ``"return"`` puts the :class:`~highlights.HighlightsError` of a failed
        recording in its place in the output instead of raising it, so one bad file
        does not cost the others' results.
    progress : bool or callable, optional
        ``True`` shows a bar on stderr counting finished recordings; a callable is
        called as ``progress(done, total)`` in recordings each time one finishes.
    **kwargs
        Passed to :func:`find_highlights` (each recording is analysed with
        ``workers=1``: the parallelism is across recordings).

    Returns
    -------
    list of Highlights (or HighlightsError with ``errors="return"``)
        In the order of ``sources``.

    Examples
    --------
    >>> from dask.distributed import Client                      # doctest: +SKIP
    >>> with Client() as client:                                  # doctest: +SKIP
    ...     results = find_highlights_batch(paths, executor=client.get_executor())
    """
    check_choice("errors", "find_highlights_batch", errors, ("raise", "return"))
    srcs = list(sources)
    chat_list: list[ChatInput] = [None] * len(srcs) if chats is None else list(chats)
    if len(chat_list) != len(srcs):
        raise fail("chats", "find_highlights_batch",
                   f"a sequence of {len(srcs)} chat inputs (one per source)", len(chat_list))
    if "workers" in kwargs or "executor" in kwargs:
        raise fail("kwargs", "find_highlights_batch", "free of 'workers' and 'executor'",
                   sorted(set(kwargs) & {"workers", "executor"}))
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from ._progress import make_progress

    upd, close_bar = make_progress(progress, float(len(srcs)), desc="recordings",
                                   caller="find_highlights_batch", unit=" files")
    own = executor is None
    ex: Executor = ProcessPoolExecutor(max_workers=max_workers) if executor is None else executor
    try:
        futures = {ex.submit(_batch_one, src, chat, kwargs): i
                   for i, (src, chat) in enumerate(zip(srcs, chat_list))}
        out: list[Highlights | HighlightsError | None] = [None] * len(srcs)
        for n_done, fut in enumerate(as_completed(futures), start=1):
            res = fut.result()
            if isinstance(res, HighlightsError) and errors == "raise":
                raise res
            out[futures[fut]] = res
            if upd is not None:
                upd(float(n_done))
        return [r for r in out if r is not None]
    finally:
        close_bar()
        if own:
            ex.shutdown(cancel_futures=True)


def _batch_one(
    source: str | os.PathLike[str], chat: ChatInput, kwargs: Mapping[str, Any]
) -> Highlights | HighlightsError:
    """One recording of a batch (module level, so it pickles to worker processes)."""
    try:
        return find_highlights(source, chat=chat, workers=1, **kwargs)
    except HighlightsError as exc:
        return exc
