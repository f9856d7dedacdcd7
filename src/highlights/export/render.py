"""Render clips into one video with PyAV: reels, teasers and 9:16 shorts.

:func:`render_reel` decodes each clip's span and re-encodes everything into one
H.264/AAC file. Everything runs on one output clock counted in integers:

* video: the clip's frames are the source frames whose time rounds into the clip's
  span on the source frame grid (as in frame-exact :func:`~highlights.export.cut_clip`);
  a clip of ``F`` frames placed at output frame ``P`` covers frames ``[P, P + F)``;
* audio: the same clip covers output samples ``[round(P * sr / fps),
  round((P + F) * sr / fps))``; its source audio starts at the time of its first
  frame and is trimmed or zero-padded to exactly that many samples, so audio and
  video agree to the sample at every join and at the end;
* crossfades overlap neighbouring clips by ``k = round(crossfade_s * fps)`` frames:
  the last ``k`` frames of one clip are blended linearly with the first ``k`` of the
  next, and the overlapping audio samples are mixed with equal-power (cos/sin)
  gains. ``n`` clips then last ``(n - 1) * k`` frames less than their sum.

``vertical=True`` crops a 9:16 box (the centre by default, or ``crop=(x, y, w, h)``
in source pixels) and scales it to ``width`` x ``height`` (1080x1920 by default,
never upscaled beyond the box). A video whose display matrix says it is shown rotated
(phone recordings) is rotated upright first, like FFmpeg's autorotate; crop boxes and
sizes refer to that upright picture. The frame grid is FFmpeg's guessed frame rate,
and slots the source leaves empty (holes, VFR) repeat the previous frame, so the
output is constant-rate. Each clip is decoded from a keyframe before it; in unindexed
containers (MPEG-TS), where seeking is inexact, the reader steps back until it meets
one. Memory is bounded: frames are streamed from the decoder to the encoder, and only
the ``k`` crossfade frames (plus their audio) of one join are held.

All times are seconds from the media start (the container's ``start_time``), as
everywhere in ``highlights``. Outputs are written atomically and never overwrite an
existing file unless ``overwrite=True``.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._progress import make_progress
from .._validate import check_clips, check_int, check_nonneg, fail
from ..errors import (
    DecodeWarning,
    ExportError,
    InvalidParameterError,
    StreamNotFoundError,
    UpscaleWarning,
)
from ..io.media import open_media, pick_streams
from ..io.seek import (
    decode_packet,
    demux_from_keyframe,
    display_rotation,
    grid_index,
    grid_rate,
    keyframe_before,
    load_av,
    media_origin,
    seek,
    upright_size,
)
from ..types import Clip
from ._encode import (
    X264_PRESETS,
    Picture,
    add_aac,
    add_h264,
    check_x264,
    encode_samples,
    mux_encoded,
)
from ._safe import atomic_output
from .loudness import DEFAULT_TARGET_LUFS, DEFAULT_TRUE_PEAK_DB, Loudness, normalise
from .reframe import LAYOUTS, Framing, plan_framing

__all__ = ["RenderResult", "RenderedSpan", "render_reel", "render_clip", "X264_PRESETS",
           "MAX_CROSSFADE_S", "LAYOUTS", "VERTICAL_SIZE"]

logger = logging.getLogger(__name__)

#: Longest crossfade in seconds (the frames of one crossfade are held in memory).
MAX_CROSSFADE_S = 2.0
#: Default size of vertical output (width, height), whatever the source's size.
VERTICAL_SIZE = (1080, 1920)
#: A render that scales the shown picture up by more than this warns (UpscaleWarning).
MAX_UPSCALE = 2.0
#: Aspect ratio of vertical output (width / height).
VERTICAL_ASPECT = Fraction(9, 16)
# A crop box or an explicit output size may differ from the aspect it must have by this
# relative amount (even-pixel rounding), not more: beyond it the picture would be stretched.
_ASPECT_TOL = 0.01
# Decode from a keyframe at least this long before a clip so the audio decoder is primed
# and no audio packet stored before the clip's keyframe is missed.
_PREROLL_S = Fraction(1, 10)
# Source audio whose PTS disagrees with the running sample count by more than this
# (seconds) is re-placed by its PTS (a real gap or overlap); below it, samples are counted.
_AUDIO_JITTER_S = Fraction(1, 50)
# Padding more than this much silence into a clip (seconds) is worth a warning.
_PAD_WARN_S = 0.1
# Report progress at most every this many seconds of output.
_PROGRESS_STEP_S = 0.5
_MP4_SUFFIXES = {".mp4", ".m4v", ".mov", ".m4a"}

ProgressArg = bool | Callable[[float, float], None] | None
CropBox = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class RenderedSpan:
    """Where one clip came from and where it sits in the rendered file.

    Attributes
    ----------
    clip : Clip
        The clip as given.
    source_start_s, source_end_s : float
        The span of the source shown, in seconds from the media start (on the
        source frame grid: within half a frame of the clip's times).
    out_start_s, out_end_s : float
        The span of the output the clip occupies, in seconds from the output start.
        With crossfades, neighbouring spans overlap by the crossfade.
    n_frames : int
        Source video frames (audio samples without video) the clip contributes,
        crossfaded ones included.
    layout : str
        How the clip was framed: ``"full"`` (not vertical), ``"center"``,
        ``"track"``, ``"stack"`` or ``"fit"``.
    """

    clip: Clip
    source_start_s: float
    source_end_s: float
    out_start_s: float
    out_end_s: float
    n_frames: int
    layout: str = "full"

    @property
    def duration_s(self) -> float:
        """Length of the clip in the output, in seconds."""
        return self.out_end_s - self.out_start_s


@dataclass(frozen=True, slots=True)
class RenderResult:
    """A rendered reel (or single clip).

    Attributes
    ----------
    path : pathlib.Path
        The written file.
    spans : tuple of RenderedSpan
        One per clip, in output order.
    duration_s : float
        Length of the output in seconds (video frames / fps; audio matches it to the
        sample).
    width, height : int
        Output picture size in pixels (0 without video).
    fps : float
        Output frame rate (the source's; 0 without video).
    sample_rate : int
        Output audio sample rate in Hz (0 without audio).
    crossfade_s : float
        The crossfade actually used (``crossfade_s`` rounded to whole frames).
    crop : tuple of int or None
        The source box ``(x, y, w, h)`` shown, in pixels; None when the full frame is.
    n_video_frames : int
        Video frames in the file.
    n_audio_samples : int
        Audio samples (per channel) in the file.
    loudness : Loudness or None
        Loudness before/after normalisation (integrated LUFS, true peak dBTP, gain);
        None when it was not asked for (``loudness_lufs=None``) or there is no audio.
    """

    path: Path
    spans: tuple[RenderedSpan, ...]
    duration_s: float
    width: int
    height: int
    fps: float
    sample_rate: int
    crossfade_s: float
    crop: CropBox | None
    n_video_frames: int
    n_audio_samples: int
    loudness: Loudness | None = None


# --------------------------------------------------------------------------- geometry
def _even(x: float | Fraction) -> int:
    """Nearest even integer >= 2 (half up)."""
    return max(2 * math.floor(Fraction(x) / 2 + Fraction(1, 2)), 2)


def _aspect_ok(w: int, h: int, aspect: Fraction) -> bool:
    return abs(Fraction(w, h) / aspect - 1) <= _ASPECT_TOL


def _check_box(crop: Any, src_w: int, src_h: int, caller: str) -> CropBox:
    constraint = (f"a box (x, y, w, h) of integers inside the {src_w}x{src_h} source, "
                  "with w, h >= 2")
    try:
        if isinstance(crop, str | bytes) or len(crop) != 4:
            raise TypeError
        x, y, w, h = (check_int("crop", caller, v, minimum=0) for v in crop)
    except (TypeError, InvalidParameterError):
        raise fail("crop", caller, constraint, crop) from None
    if w < 2 or h < 2 or x + w > src_w or y + h > src_h:
        raise fail("crop", caller, constraint, crop)
    return x, y, w, h


def _centre_box(src_w: int, src_h: int, aspect: Fraction) -> CropBox:
    """Largest box of ``aspect`` (even sides) centred in the source."""
    if Fraction(src_w, src_h) >= aspect:
        h = src_h - src_h % 2
        w = min(_even(h * aspect), src_w - src_w % 2)
    else:
        w = src_w - src_w % 2
        h = min(_even(w / aspect), src_h - src_h % 2)
    return (src_w - w) // 4 * 2, (src_h - h) // 4 * 2, w, h


def _geometry(src_w: int, src_h: int, *, vertical: bool, crop: Any, width: Any, height: Any,
              caller: str) -> tuple[CropBox | None, int, int]:
    """Return the source box to show (None = full frame) and the output size.

    Rules: a given ``crop`` must lie inside the source (and be 9:16 when vertical);
    vertical without ``crop`` takes the centred 9:16 box. The output size is
    ``width`` x ``height`` when both are given (they must keep the box's aspect), one
    of them with the other derived from the box's aspect, or by default the box
    (rounded to even sides), for vertical output 1080x1920.
    """
    for name, value in (("width", width), ("height", height)):
        if value is not None:
            v = check_int(name, caller, value, minimum=2)
            if v % 2:
                raise fail(name, caller, "an even integer >= 2", value)
    box: CropBox | None = None
    if crop is not None:
        box = _check_box(crop, src_w, src_h, caller)
        if vertical and not _aspect_ok(box[2], box[3], VERTICAL_ASPECT):
            raise fail("crop", caller,
                       "a 9:16 box for vertical output (w/h = 0.5625 within 1%)", crop)
    elif vertical:
        box = _centre_box(src_w, src_h, VERTICAL_ASPECT)
    bw, bh = (box[2], box[3]) if box is not None else (src_w, src_h)
    aspect = Fraction(bw, bh)
    if width is not None and height is not None:
        out_w, out_h = int(width), int(height)
        # vertical without a crop: any 9:16 size (the centred box rounds to even sides)
        if not _aspect_ok(out_w, out_h, VERTICAL_ASPECT if vertical and crop is None
                          else aspect):
            what = "9:16" if vertical else f"{bw}:{bh}"
            raise fail("height", caller,
                       f"the shown box's aspect ratio ({what}) together with 'width'",
                       height)
    elif width is not None:
        out_w, out_h = int(width), _even(int(width) / aspect)
    elif height is not None:
        out_w, out_h = _even(int(height) * aspect), int(height)
    elif vertical:
        out_w, out_h = VERTICAL_SIZE
        if box is not None and not _aspect_ok(out_w, out_h, aspect):  # pragma: no cover
            out_w = _even(out_h * aspect)
    else:
        out_w, out_h = max(bw - bw % 2, 2), max(bh - bh % 2, 2)
    if box == (0, 0, src_w, src_h):
        box = None
    return box, out_w, out_h


# --------------------------------------------------------------------------- plan
@dataclass(frozen=True, slots=True)
class _Span:
    """One clip on the integer clocks: source grid units and output frames/samples."""

    first: int  # first source unit (frame, or sample without video), absolute grid index
    end: int  # end (exclusive)
    pos: int  # output unit of the first one
    a0: int  # output audio sample range [a0, a1)
    a1: int

    @property
    def n(self) -> int:
        return self.end - self.first


def _plan(clips: Sequence[Clip], *, rate: Fraction, k: int, sr: int) -> list[_Span]:
    """Place clips on the output clock (``rate`` units per second, ``k`` overlap).

    Source units are counted from the media start: unit ``n`` is the frame (or
    sample) whose time from the media start rounds to ``n / rate``.
    """
    spans = []
    pos = 0
    for clip in clips:
        first = grid_index(Fraction(clip.start_s), rate)
        end = max(grid_index(Fraction(clip.end_s), rate), first + 1)
        a0 = grid_index(pos / rate, Fraction(sr)) if sr else 0
        a1 = grid_index((pos + end - first) / rate, Fraction(sr)) if sr else 0
        spans.append(_Span(first, end, pos, a0, a1))
        pos += end - first - k
    return spans


# --------------------------------------------------------------------------- progress
def _progress_fn(progress: Any, total_s: float, caller: str) -> tuple[
    Callable[[float], None] | None, Callable[[], None]
]:
    """Return ``(update(done_s), close())`` for the ``progress`` argument."""
    return make_progress(progress, total_s, desc="rendering", caller=caller)


# --------------------------------------------------------------------------- video
class _VideoSink:
    """Encodes output frames in order; blends the ``k`` frames of each crossfade."""

    def __init__(self, stream: Any, out: Any, rate: Fraction, k: int) -> None:
        self.stream, self.out, self.k = stream, out, k
        self.tb = 1 / rate
        self.count = 0
        self.tail: list[NDArray[np.uint8]] = []  # previous clip's last k frames
        self.head = 0  # frames of the current clip blended so far
        self.hold = 0
        self.fifo: deque[Any] = deque()

    def begin(self, *, has_next: bool) -> None:
        self.head = 0
        self.hold = self.k if has_next else 0

    def push(self, frame: Any) -> None:
        if self.head < len(self.tail):
            av = load_av()
            a = self.tail[self.head]
            b = frame.to_ndarray(format="yuv420p")
            d = len(self.tail) + 1
            w = self.head + 1  # weight of the incoming clip, out of d
            mixed = (a.astype(np.uint32) * (d - w) + b.astype(np.uint32) * w + d // 2) // d
            frame = av.VideoFrame.from_ndarray(mixed.astype(np.uint8), format="yuv420p")
            self.head += 1
            if self.head == len(self.tail):
                self.tail, self.head = [], 0
        if self.hold:
            self.fifo.append(frame)
            if len(self.fifo) > self.hold:
                self._encode(self.fifo.popleft())
        else:
            self._encode(frame)

    def end(self) -> None:
        """Keep the held frames as the next crossfade's tail."""
        self.tail = [f.to_ndarray(format="yuv420p") for f in self.fifo]
        self.fifo.clear()
        self.head = 0

    def _encode(self, frame: Any) -> None:
        av = load_av()
        frame.pts = self.count
        frame.time_base = self.tb
        frame.pict_type = av.video.frame.PictureType.NONE
        mux_encoded(self.out, self.stream, frame)
        self.count += 1

    def close(self) -> None:
        for frame in self.fifo:
            self._encode(frame)
        self.fifo.clear()
        mux_encoded(self.out, self.stream, None)


class _VideoClip:
    """Selects one clip's frames on the source grid and fills gaps with repeats."""

    def __init__(self, span: _Span, rate: Fraction, origin: Fraction,
                 picture: Callable[[Any], Any], sink: _VideoSink) -> None:
        self.span, self.rate, self.origin = span, rate, origin
        self.picture, self.sink = picture, sink
        self.next = span.first
        self.last: Any = None
        self.t_first: Fraction | None = None  # stream time of the clip's first frame
        self.repeated = 0

    @property
    def done(self) -> bool:
        return self.next >= self.span.end

    def push(self, frame: Any) -> None:
        if frame.pts is None or self.done:
            return
        t = frame.pts * frame.time_base
        n = grid_index(t - self.origin, self.rate)
        if n < self.next:  # before the clip, or a second frame in one slot
            return
        if n >= self.span.end:
            self.finish()
            return
        shown = self.picture(frame)
        if self.last is None:
            self.t_first = t - Fraction(n - self.span.first) / self.rate
            self.last = shown
        for _ in range(self.next, n):  # slots with no frame of their own
            self.sink.push(self.last)
            self.repeated += 1
        self.sink.push(shown)
        self.last = shown
        self.next = n + 1

    def finish(self) -> None:
        """Fill the slots left at the end (the source ran out) with the last frame."""
        if self.done:
            return
        if self.last is None:
            raise ExportError(
                f"No video frame in {float(self.span.first / self.rate):.3f}-"
                f"{float(self.span.end / self.rate):.3f} s of the media."
            )
        missing = self.span.end - self.next
        if missing > 1:
            warnings.warn(f"The video ended {missing} frame(s) early; the last frame is "
                          "repeated.", DecodeWarning, stacklevel=5)
        for _ in range(missing):
            self.sink.push(self.last)
        self.repeated += missing
        self.next = self.span.end


# --------------------------------------------------------------------------- audio
class _AudioSink:
    """Encodes output audio in order; mixes each crossfade with equal-power gains."""

    def __init__(self, stream: Any, out: Any, *, collect: bool = False) -> None:
        self.stream, self.out = stream, out
        self.collected: list[NDArray[np.float32]] | None = [] if collect else None
        self.count = 0
        self.tail: NDArray[np.float32] | None = None  # previous clip's last samples
        self.length = 0  # samples of the current clip
        self.keep = 0  # samples of the current clip held for the next crossfade
        self.new_tail: NDArray[np.float32] | None = None

    def begin(self, length: int, keep: int, channels: int) -> None:
        self.length, self.keep = length, keep
        self.new_tail = np.zeros((channels, keep), np.float32) if keep else None

    def push(self, data: NDArray[np.float32], c: int) -> None:
        """Add the clip's samples ``[c, c + n)`` (``data``: channels x n, float32)."""
        n = data.shape[1]
        lead = 0 if self.tail is None else self.tail.shape[1]
        if self.tail is not None and c < lead:  # crossfade with the previous clip's tail
            m = min(lead - c, n)
            theta = (np.arange(c, c + m) + 0.5) * (np.pi / 2 / lead)
            mixed = (self.tail[:, c:c + m] * np.cos(theta).astype(np.float32)
                     + data[:, :m] * np.sin(theta).astype(np.float32))
            self._encode(mixed)
            data, c, n = data[:, m:], c + m, n - m
            if c >= lead:
                self.tail = None
        held_from = self.length - self.keep
        if n and c + n > held_from and self.new_tail is not None:
            s = max(held_from - c, 0)
            self.new_tail[:, c + s - held_from:c + n - held_from] = data[:, s:]
            data, n = data[:, :s], s
        if n:
            self._encode(data)

    def end(self) -> None:
        self.tail = self.new_tail
        self.new_tail = None

    def _encode(self, data: NDArray[np.float32]) -> None:
        if self.collected is not None:  # kept for loudness normalisation, encoded later
            self.collected.append(np.array(data, dtype=np.float32))
        else:
            encode_samples(self.out, self.stream, data, pts=self.count)
        self.count += data.shape[1]

    def close(self) -> None:
        if self.collected is None:
            mux_encoded(self.out, self.stream, None)


class _AudioClip:
    """Cuts one clip's audio, sample-exact, from the time of its first frame."""

    def __init__(self, span: _Span, *, sr: int, channels: int, resampler: Any,
                 sink: _AudioSink, earliest: Fraction) -> None:
        self.length = span.a1 - span.a0
        self.sr, self.channels = sr, channels
        self.resampler, self.sink = resampler, sink
        self.earliest = earliest  # pending frames ending before this cannot be needed
        self.anchor: Fraction | None = None
        self.c = 0  # samples delivered
        self.next_m: int | None = None  # where the next source chunk should start
        self.pending: list[Any] = []
        self.padded = 0

    @property
    def done(self) -> bool:
        return self.c >= self.length

    def set_anchor(self, t: Fraction) -> None:
        self.anchor = t
        pending, self.pending = self.pending, []
        for frame in pending:
            self.push(frame)

    def push(self, frame: Any) -> None:
        if frame.pts is None or self.done:
            return
        if self.anchor is None:
            end = (frame.pts * frame.time_base) + Fraction(frame.samples, frame.sample_rate or 1)
            if end >= self.earliest:
                self.pending.append(frame)
            return
        t0 = frame.pts * frame.time_base
        for rf in self.resampler.resample(frame):  # same rate: no delay, no flush needed
            data = rf.to_ndarray().reshape(self.channels, -1)
            self._place(data, t0, self.anchor)
            t0 += Fraction(data.shape[1], self.sr)
            if self.done:
                return

    def _place(self, data: NDArray[np.float32], t0: Fraction, anchor: Fraction) -> None:
        n = data.shape[1]
        m0 = grid_index(t0 - anchor, Fraction(self.sr))
        if self.next_m is not None and abs(m0 - self.next_m) <= _AUDIO_JITTER_S * self.sr:
            m0 = self.next_m  # count samples; PTS rounding is not a gap
        self.next_m = m0 + n
        if m0 + n <= self.c:
            return
        if m0 > self.c:  # a gap in the source audio
            self._pad(min(m0, self.length) - self.c)
        s = max(self.c - m0, 0)
        e = min(n, self.length - m0)
        if e > s:
            self.sink.push(data[:, s:e], self.c)
            self.c += e - s

    def _pad(self, n: int) -> None:
        if n > 0:
            self.sink.push(np.zeros((self.channels, n), np.float32), self.c)
            self.c += n
            self.padded += n

    def finish(self) -> None:
        if self.anchor is None:
            self.set_anchor(self.earliest)
        self._pad(self.length - self.c)
        if self.padded > _PAD_WARN_S * self.sr:
            warnings.warn(f"{self.padded / self.sr:.3f} s of missing audio were filled with "
                          "silence.", DecodeWarning, stacklevel=5)


# --------------------------------------------------------------------------- render
def _render(src: Any, tmp: Path, spans: list[_Span], *, origin: Fraction, rate: Fraction, k: int,
            box: CropBox | None, size: tuple[int, int], rotation: int, crf: int, preset: str,
            update: Callable[[float], None] | None, video: Any,
            audio: Any, framings: Sequence[Framing] | None = None,
            collect_audio: bool = False) -> tuple[list[Fraction], int, int,
                                                  NDArray[np.float32] | None]:
    """Decode every span and encode the reel.

    Returns each span's start as a stream time (seconds, like ``frame.time``), the
    video frames and audio samples written, and with ``collect_audio`` the output
    audio (channels x samples, not written to ``tmp``: normalised and muxed later).
    """
    av = load_av()
    anchor_stream = video if video is not None else audio
    streams = [s for s in (video, audio) if s is not None]
    options = {"movflags": "+faststart"} if tmp.suffix.lower() in _MP4_SUFFIXES else {}
    out = av.open(str(tmp), "w", options=options)
    starts: list[Fraction] = []
    try:
        vsink = asink = None
        picture = Picture(box, *size, rotation)
        if video is not None:
            ov = add_h264(out, rate=rate, size=size, time_base=1 / rate, crf=crf, preset=preset)
            vsink = _VideoSink(ov, out, rate, k)
        sr = channels = 0
        layout = ""
        if audio is not None:
            if collect_audio:
                ctx = audio.codec_context
                sr = int(ctx.sample_rate)
                channels = int(ctx.channels or len(ctx.layout.channels))
                layout = str(ctx.layout.name or ("mono" if channels == 1 else "stereo"))
                asink = _AudioSink(None, out, collect=True)
            else:
                oa, sr, channels, layout = add_aac(out, audio)
                asink = _AudioSink(oa, out)
        step = max(math.floor(_PROGRESS_STEP_S * rate), 1)
        reported = 0
        for i, span in enumerate(spans):
            has_next = i + 1 < len(spans)
            start_t = origin + (span.first - Fraction(1, 2)) / rate  # stream time
            vclip = aclip = None
            if vsink is not None:
                vsink.begin(has_next=has_next)
                shown = framings[i] if framings is not None else picture
                vclip = _VideoClip(span, rate, origin, shown, vsink)
            if asink is not None:
                keep = span.a1 - spans[i + 1].a0 if has_next else 0
                asink.begin(span.a1 - span.a0, keep, channels)
                resampler = av.AudioResampler(format="fltp", layout=layout, rate=sr)
                aclip = _AudioClip(span, sr=sr, channels=channels, resampler=resampler,
                                   sink=asink, earliest=start_t - 1 / rate)
                if vclip is None:
                    aclip.set_anchor(origin + Fraction(span.first) / rate)
            seek(src, keyframe_before(src, anchor_stream, start_t - _PREROLL_S)[0])
            for packet in demux_from_keyframe(src, streams, video):
                v_done = vclip is None or vclip.done
                a_done = aclip is None or aclip.done
                if v_done and a_done:
                    break
                if (packet.stream is video and v_done) or (packet.stream is audio and a_done):
                    continue
                for frame in decode_packet(packet, stacklevel=4):
                    if vclip is not None and packet.stream is video:
                        vclip.push(frame)
                        if aclip is not None and aclip.anchor is None and \
                                vclip.t_first is not None:
                            aclip.set_anchor(vclip.t_first)
                    elif aclip is not None:
                        aclip.push(frame)
                if update is not None:
                    done = vsink.count if vsink is not None else asink.count if asink else 0
                    if done - reported >= step:
                        reported = done
                        update(float(done / rate))
            t_first = origin + Fraction(span.first) / rate
            if vclip is not None and vsink is not None:
                vclip.finish()
                t_first = vclip.t_first if vclip.t_first is not None else t_first
                if vclip.repeated:
                    logger.debug("clip %d: %d frame(s) repeated to fill gaps", i, vclip.repeated)
                vsink.end()
            if aclip is not None and asink is not None:
                if aclip.anchor is None:
                    aclip.set_anchor(t_first)
                aclip.finish()
                asink.end()
            starts.append(t_first)
        if vsink is not None:
            vsink.close()
        if asink is not None:
            asink.close()
    finally:
        out.close()
    collected = None
    if asink is not None and asink.collected is not None:
        collected = (np.concatenate(asink.collected, axis=1) if asink.collected
                     else np.zeros((channels, 0), np.float32))
    return (starts, (vsink.count if vsink is not None else 0), (asink.count if asink else 0),
            collected)


def _mux_with_audio(video_tmp: Path | None, tmp: Path, data: NDArray[np.float32], *,
                    audio: Any) -> None:
    """Write ``tmp``: the video of ``video_tmp`` (stream copy) and ``data`` encoded as AAC.

    Audio is encoded in step with the video packets, so the file is interleaved as if
    both had been encoded together.
    """
    av = load_av()
    options = {"movflags": "+faststart"} if tmp.suffix.lower() in _MP4_SUFFIXES else {}
    out = av.open(str(tmp), "w", options=options)
    vin = av.open(str(video_tmp)) if video_tmp is not None else None
    try:
        ov = None
        if vin is not None:
            ov = out.add_stream_from_template(vin.streams.video[0])
        oa, sr, _, _ = add_aac(out, audio)
        frame_n = 1024
        pos = 0
        n = data.shape[1]

        def feed(until: int) -> None:
            nonlocal pos
            while pos < min(until, n):
                m = min(frame_n, n - pos)
                encode_samples(out, oa, data[:, pos:pos + m], pts=pos)
                pos += m

        if vin is not None and ov is not None:
            for packet in vin.demux(vin.streams.video[0]):
                if packet.dts is None:
                    continue
                t = packet.dts * packet.time_base
                feed(int((t + 1) * sr))
                packet.stream = ov
                out.mux(packet)
        feed(n)
        mux_encoded(out, oa, None)
    finally:
        if vin is not None:
            vin.close()
        out.close()


def _media_duration(src: Any) -> Fraction | None:
    if src.duration:
        return Fraction(src.duration, 1_000_000)
    return None


def render_reel(clips: Sequence[Clip], out_path: str | os.PathLike[str], *,
                media_path: str | os.PathLike[str], crossfade_s: float = 0.0,
                vertical: bool = False, layout: str = "auto", crop: CropBox | None = None,
                width: int | None = None, height: int | None = None,
                size: tuple[int, int] | None = None, crf: int = 20, preset: str = "veryfast",
                loudness_lufs: float | None = DEFAULT_TARGET_LUFS,
                true_peak_db: float = DEFAULT_TRUE_PEAK_DB,
                overwrite: bool = False, progress: ProgressArg = None,
                audio_stream: int | None = None, video_stream: int | None = None) -> RenderResult:
    """Concatenate clips into one H.264/AAC file, in the given order.

    Each clip's span is decoded and re-encoded frame-exactly (the frames whose time
    rounds into ``[start_s, end_s)`` on the source frame grid). Audio follows each
    clip's first frame and is trimmed or padded to the sample, so audio and video
    stay in sync at every join and at the end (offset below one sample on the
    output clock).

    Parameters
    ----------
    clips : sequence of Clip
        Clips to render, in output order (they may overlap or repeat).
    out_path : path-like
        Output file; the container is chosen from its suffix (``.mp4`` recommended;
        MP4/MOV get ``+faststart``). Its directory must exist.
    media_path : path-like
        Source media.
    crossfade_s : float, default 0.0
        Crossfade between neighbouring clips in seconds (rounded to whole frames,
        at most 2 s and half the shortest clip): video frames are blended linearly,
        audio is mixed with equal-power gains. The output is ``(n - 1) *
        crossfade_s`` shorter than the sum of the clips.
    vertical : bool, default False
        9:16 output for shorts, framed by ``layout`` (or showing ``crop``).
    layout : {"auto", "center", "track", "stack", "fit"}, default "auto"
        Vertical framing (see :mod:`highlights.export.reframe`): the centred 9:16 box,
        a window following the face or motion, the facecam on top of the gameplay,
        or the whole picture over a blurred fill; ``"auto"`` chooses per clip.
        Without ``vertical`` only ``"auto"``/``"center"`` are accepted (no effect).
    crop : tuple of int (x, y, w, h), optional
        Source box to show, in pixels of the upright source picture (9:16 within 1%
        when ``vertical``).
    width, height : int, optional
        Output size in pixels (even). Default: the shown box; for vertical output
        1080x1920 (an :class:`~highlights.UpscaleWarning` when that scales the shown
        picture up more than 2x). With one given, the other keeps the box's aspect;
        with both given they must keep it.
    size : tuple of int (width, height), optional
        Both at once (instead of ``width``/``height``), e.g. ``(540, 960)``.
    crf : int, default 20
        x264 quality (0-51, lower is better).
    preset : str, default "veryfast"
        x264 speed preset, one of :data:`X264_PRESETS`.
    loudness_lufs : float or None, default -14.0
        Integrated loudness (ITU-R BS.1770, LUFS) to normalise the output's audio to,
        with a true-peak limiter at ``true_peak_db``; None keeps the source's levels.
        The measurement is in ``RenderResult.loudness``.
    true_peak_db : float, default -1.0
        True-peak ceiling in dBTP when normalising.
    overwrite : bool, default False
        Replace an existing output.
    progress : None, bool or callable, optional
        ``True`` shows a progress bar on stderr; a callable receives
        ``(done_s, total_s)`` in seconds of output.
    audio_stream, video_stream : int, optional
        Index within its kind of the source stream to use (``MediaInfo.audio_stream``
        and ``video_stream`` of the analysis, so the reel carries the track that was
        scored); default: the same choice analysis makes (FFmpeg's best stream).

    Returns
    -------
    RenderResult
        The file, its size, duration and the source/output span of each clip.

    Raises
    ------
    MediaNotFoundError, MediaError, StreamNotFoundError
        The media cannot be opened, has no audio/video, or ``vertical``/``crop`` was
        asked of a media without video.
    InvalidParameterError
        Bad parameter: no clips, a clip outside the media, a crop box outside the
        frame or not 9:16 for vertical output, odd sizes, too long a crossfade, a
        layout other than auto/center without ``vertical``...
    OutputExistsError
        ``out_path`` exists and ``overwrite`` is false.
    ExportError
        Decoding, encoding or muxing failed, or a clip holds no frame (nothing is
        left behind).

    Examples
    --------
    >>> render_reel(hl.clips, "reel.mp4", media_path="vod.mp4", crossfade_s=0.5)
    ... # doctest: +SKIP
    """
    return _render_entry(clips, out_path, media_path=media_path, crossfade_s=crossfade_s,
                         vertical=vertical, layout=layout, crop=crop, width=width,
                         height=height, size=size, crf=crf, preset=preset,
                         loudness_lufs=loudness_lufs, true_peak_db=true_peak_db,
                         overwrite=overwrite, progress=progress, audio_stream=audio_stream,
                         video_stream=video_stream, caller="render_reel")


def render_clip(clip: Clip, out_path: str | os.PathLike[str], *,
                media_path: str | os.PathLike[str], vertical: bool = False,
                layout: str = "auto", crop: CropBox | None = None, width: int | None = None,
                height: int | None = None, size: tuple[int, int] | None = None, crf: int = 20,
                preset: str = "veryfast", loudness_lufs: float | None = DEFAULT_TARGET_LUFS,
                true_peak_db: float = DEFAULT_TRUE_PEAK_DB, overwrite: bool = False,
                progress: ProgressArg = None, audio_stream: int | None = None,
                video_stream: int | None = None) -> RenderResult:
    """Render one clip to its own file (e.g. one 9:16 short per file).

    Same as :func:`render_reel` with a single clip and no crossfade; see it for the
    parameters, result and errors.

    Examples
    --------
    >>> render_clip(hl.clips[0], "short1.mp4", media_path="vod.mp4", vertical=True)
    ... # doctest: +SKIP
    """
    if not isinstance(clip, Clip):
        raise fail("clip", "render_clip", "a Clip", clip)
    return _render_entry([clip], out_path, media_path=media_path, crossfade_s=0.0,
                         vertical=vertical, layout=layout, crop=crop, width=width,
                         height=height, size=size, crf=crf, preset=preset,
                         loudness_lufs=loudness_lufs, true_peak_db=true_peak_db,
                         overwrite=overwrite, progress=progress, audio_stream=audio_stream,
                         video_stream=video_stream, caller="render_clip")


def _check_loudness(loudness_lufs: Any, true_peak_db: Any, caller: str) -> float | None:
    if loudness_lufs is None:
        return None
    if isinstance(loudness_lufs, bool) or not isinstance(loudness_lufs, int | float) \
            or not -70 <= float(loudness_lufs) <= 0:
        raise fail("loudness_lufs", caller, "None or a loudness in [-70, 0] LUFS", loudness_lufs)
    if isinstance(true_peak_db, bool) or not isinstance(true_peak_db, int | float) \
            or not -20 <= float(true_peak_db) <= 0:
        raise fail("true_peak_db", caller, "a ceiling in [-20, 0] dBTP", true_peak_db)
    return float(loudness_lufs)


def _check_size(size: Any, width: Any, height: Any, caller: str) -> tuple[Any, Any]:
    if size is None:
        return width, height
    if width is not None or height is not None:
        raise fail("size", caller, "None when width or height is given", size)
    try:
        if isinstance(size, str | bytes) or len(size) != 2:
            raise TypeError
        w, h = size
    except TypeError:
        raise fail("size", caller, "a (width, height) pair of even integers", size) from None
    return w, h


def _render_entry(clips: Sequence[Clip], out_path: str | os.PathLike[str], *,
                  media_path: str | os.PathLike[str], crossfade_s: float, vertical: bool,
                  layout: str, crop: Any, width: Any, height: Any, size: Any, crf: int,
                  preset: str, loudness_lufs: Any, true_peak_db: Any, overwrite: bool,
                  progress: ProgressArg, audio_stream: int | None,
                  video_stream: int | None, caller: str) -> RenderResult:
    items = check_clips(clips, caller=caller)
    if not items:
        raise fail("clips", caller, "a non-empty sequence of Clip", clips)
    fade = check_nonneg("crossfade_s", caller, crossfade_s)
    if fade > MAX_CROSSFADE_S:
        raise fail("crossfade_s", caller, f"at most {MAX_CROSSFADE_S} s", crossfade_s)
    crf, preset = check_x264(crf, preset, caller)
    if not isinstance(vertical, bool):
        raise fail("vertical", caller, "a bool", vertical)
    if layout not in LAYOUTS:
        raise fail("layout", caller, f"one of {', '.join(LAYOUTS)}", layout)
    if not vertical and layout not in ("auto", "center"):
        raise fail("layout", caller, "'auto' or 'center' without vertical=True", layout)
    if crop is not None and layout not in ("auto", "center"):
        raise fail("layout", caller, "'auto' or 'center' with an explicit crop", layout)
    width, height = _check_size(size, width, height, caller)
    target = _check_loudness(loudness_lufs, true_peak_db, caller)
    if not (progress is None or isinstance(progress, bool) or callable(progress)):
        raise fail("progress", caller, "None, a bool or a callable(done_s, total_s)", progress)
    av = load_av()
    src = open_media(media_path)
    loud: Loudness | None = None
    framings: list[Framing] | None = None
    try:
        video, audio = pick_streams(src, audio_stream=audio_stream, video_stream=video_stream,
                                    caller=caller)
        box: CropBox | None = None
        size_ = (0, 0)
        rotation = 0
        src_w = src_h = 0
        if video is not None:
            rate = grid_rate(video)
            video.codec_context.thread_type = "AUTO"  # before the first decode opens it
            rotation = display_rotation(src, video)
            src_w, src_h = upright_size(video.codec_context.width, video.codec_context.height,
                                        rotation)
            box, w, h = _geometry(src_w, src_h, vertical=vertical, crop=crop, width=width,
                                  height=height, caller=caller)
            size_ = (w, h)
        else:
            if vertical or crop is not None or width is not None or height is not None:
                raise StreamNotFoundError(
                    f"{caller}: vertical, crop, width and height need a video stream; "
                    f"{str(media_path)!r} has none."
                )
            rate = Fraction(audio.codec_context.sample_rate)
        sr = audio.codec_context.sample_rate if audio is not None else 0
        origin = media_origin(src)
        length = _media_duration(src)
        if length is not None:
            for i, clip in enumerate(items):
                if Fraction(clip.start_s) >= length or Fraction(clip.end_s) > length + 1 / rate:
                    raise fail(f"clips[{i}]", caller,
                               f"a clip inside the media (0-{float(length):.3f} s)", clip)
        k = grid_index(Fraction(fade), rate)
        spans = _plan(items, rate=rate, k=k, sr=sr)
        for i, span in enumerate(spans):
            need = k * ((i > 0) + (i + 1 < len(spans)))
            if span.n < need:
                raise fail("crossfade_s", caller,
                           f"at most half the shortest clip ({span.n / 2 / rate:.3f} s for "
                           f"clips[{i}])", crossfade_s)
        if video is not None:
            shown_h = box[3] if box is not None else src_h
            if size_[1] > MAX_UPSCALE * shown_h:
                warnings.warn(
                    f"{caller}: the {size_[0]}x{size_[1]} output scales the source's "
                    f"{shown_h}-pixel-high picture up {size_[1] / shown_h:.1f}x; it will look "
                    "soft (a higher-resolution source, or size=, avoids it).",
                    UpscaleWarning, stacklevel=3)
            if vertical and crop is None and layout != "center" and box is not None:
                framings = [
                    plan_framing(src, video, t0=origin + Fraction(sp.first) / rate,
                                 t1=origin + Fraction(sp.end) / rate, layout=layout, size=size_,
                                 src_size=(src_w, src_h), rotation=rotation, fps=float(rate),
                                 media_path=str(media_path), centre_box=box)
                    for sp in spans
                ]
        total_units = spans[-1].pos + spans[-1].n
        total_s = Fraction(total_units) / rate
        update, close_bar = _progress_fn(progress, float(total_s), caller)
        collect = target is not None and audio is not None
        try:
            with atomic_output(out_path, overwrite=overwrite) as tmp:
                vtmp = tmp.with_name(tmp.name + ".video" + tmp.suffix) if collect else tmp
                try:
                    starts, n_video, n_audio, data = _render(
                        src, vtmp, spans, origin=origin, rate=rate, k=k, box=box, size=size_,
                        rotation=rotation, crf=crf, preset=preset, update=update, video=video,
                        audio=audio, framings=framings, collect_audio=collect)
                    if collect and data is not None and target is not None:
                        data, loud = normalise(data, int(sr), target_lufs=target,
                                               true_peak_db_max=float(true_peak_db))
                        _mux_with_audio(vtmp if video is not None else None, tmp, data,
                                        audio=audio)
                except (av.FFmpegError, ValueError, OSError) as exc:
                    if isinstance(exc, InvalidParameterError):
                        raise
                    raise ExportError(f"Rendering {len(items)} clip(s) into {str(out_path)!r} "
                                      f"failed: {exc}") from exc
                finally:
                    if collect:
                        vtmp.unlink(missing_ok=True)
            if update is not None:
                update(float(total_s))
        finally:
            close_bar()
    finally:
        src.close()
    has_video = video is not None
    kinds = ([f.layout for f in framings] if framings is not None
             else ["center" if vertical else "full"] * len(spans))
    rendered = tuple(
        RenderedSpan(clip=clip, source_start_s=float(t0 - origin),
                     source_end_s=float(t0 + Fraction(span.n) / rate - origin),
                     out_start_s=float(Fraction(span.pos) / rate),
                     out_end_s=float(Fraction(span.pos + span.n) / rate), n_frames=span.n,
                     layout=kind)
        for clip, span, t0, kind in zip(items, spans, starts, kinds, strict=True)
    )
    result = RenderResult(
        path=Path(out_path), spans=rendered, duration_s=float(total_s),
        width=size_[0], height=size_[1], fps=float(rate) if has_video else 0.0,
        sample_rate=sr, crossfade_s=float(Fraction(k) / rate), crop=box,
        n_video_frames=n_video, n_audio_samples=n_audio, loudness=loud,
    )
    logger.info("rendered %s: %d clip(s), %.3f s, %dx%d", result.path, len(rendered),
                result.duration_s, result.width, result.height)
    return result
