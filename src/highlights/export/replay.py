"""The full replay with an opening: teaser, fade through black, then the recording.

The teaser shows the best moments; the recording follows, stream-copied.

The recording is never re-encoded: its packets are copied with their timestamps
shifted by the teaser's length.  Only the teaser (10-20 s) is encoded, with the
recording's own H.264 parameters, so that one set of parameter sets (SPS/PPS) serves
the whole file and ordinary players decode it straight through:

1. the recording's encoder settings are read from the x264 settings message (SEI) in its
   first keyframe, mapped to ``x264-params`` and checked by encoding one probe frame:
   its SPS/PPS must equal the recording's byte for byte (else :class:`ExportError`);
2. the teaser is rendered by :func:`~highlights.export.render_reel` at the recording's
   size, its loudness matched to the recording's measured loudness (not a platform
   target), then re-encoded with those parameters, fading to black (picture and sound)
   over its last :data:`FADE_S` and padded with black so that it lasts a whole number of
   video frames *and* of 1024-sample AAC frames (the join is sample-exact in both);
3. the file is muxed: the teaser's packets, then the recording's, shifted.  The
   teaser's last AAC frame is replaced by the recording's priming frame, so the AAC
   decoder's overlap carries on as it would at the recording's own start.

Limits: H.264 video (written by x264) and AAC audio, in a container PyAV can write
again (MP4/MOV/MKV); anything else is refused with a one-line reason.

:func:`render_replay_timeline` gives the same replay as an editor timeline (CMX 3600
EDL, OpenTimelineIO, Final Cut Pro 7 XML) on the original recording: the teaser's
clips, black up to the end of the opening, then the whole recording, which starts at
the same record time as in the file.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_choice, check_clips, check_nonneg, fail
from ..errors import ExportError
from ..io.media import open_media, pick_streams
from ..io.seek import grid_rate, load_av, media_origin
from ..types import Clip
from ._common import FpsLike, as_rate, clip_frames, timeline_rate
from ._safe import atomic_output
from .loudness import recording_loudness

__all__ = ["ReplayResult", "render_replay", "render_replay_timeline", "check_recording",
           "FADE_S", "TIMELINE_FORMATS", "x264_params_from_sei"]

logger = logging.getLogger(__name__)

#: Fade to black at the end of the teaser, seconds.
FADE_S = 0.5
#: Black after the fade (at least; more to reach a whole number of AAC frames), seconds.
BLACK_S = 0.25
#: The editor formats :func:`render_replay_timeline` writes.
TIMELINE_FORMATS = ("edl", "otio", "fcp7")
_AAC_FRAME = 1024
_SEI = re.compile(rb"x264 - core \d+.*? - .*?options: ([^\x00]*)", re.S)
# x264 settings (as the SEI prints them) that are passed on unchanged (x264-params keys
# use '-' where the SEI uses '_').
_PASS = {"cabac", "ref", "bframes", "weightb", "weightp", "8x8dct", "keyint", "keyint_min",
         "open_gop", "crf", "qp", "bitrate", "vbv_maxrate", "vbv_bufsize", "nal_hrd",
         "interlaced", "constrained_intra", "intra_refresh", "subme", "trellis", "mixed_ref",
         "me", "me_range", "b_adapt", "scenecut", "mbtree", "qpmin", "qpmax", "qcomp",
         "ip_ratio", "pb_ratio", "bluray_compat", "fake_interlaced", "filler", "stitchable",
         "rc_lookahead", "fast_pskip", "psy", "chroma_me", "decimate", "nr", "b_bias",
         "slices"}


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """A written replay.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    teaser_s : float
        Length of the opening (teaser, fade and black) in seconds; the recording
        starts there.
    duration_s : float
        Length of the file, seconds (``teaser_s`` + the recording).
    clips : tuple of Clip
        The teaser's clips, in order.
    recording_lufs : float or None
        The recording's measured integrated loudness (the teaser was matched to it).
    copied_packets : int
        Packets of the recording copied unchanged.
    """

    path: Path
    teaser_s: float
    duration_s: float
    clips: tuple[Clip, ...]
    recording_lufs: float | None
    copied_packets: int


def x264_params_from_sei(options: str) -> dict[str, str]:
    """Map the settings line x264 writes into its output to ``x264-params`` options.

    Only settings that shape the parameter sets or the bitstream's structure are
    kept (threading and statistics are not).  x264 lowers ``chroma_qp_offset`` on its
    own when psychovisual RD/trellis is on; the printed value already includes that,
    so it is raised back here.
    """
    d = dict(kv.split("=", 1) for kv in options.split() if "=" in kv)
    out: dict[str, str] = {}
    for k, v in d.items():
        if k == "deblock":
            a, *ab = v.split(":")
            if a == "1":
                out["deblock"] = ",".join(ab[:2]) if len(ab) >= 2 else "0,0"
            else:
                out["no-deblock"] = "1"
        elif k == "aq":
            mode, *strength = v.split(":")
            out["aq-mode"] = mode
            if strength:
                out["aq-strength"] = strength[0]
        elif k == "b_pyramid":
            out["b-pyramid"] = {"0": "none", "1": "strict", "2": "normal"}.get(v, "normal")
        elif k == "psy_rd":
            out["psy-rd"] = v.replace(":", ",")
        elif k == "direct":
            out["direct"] = {"0": "none", "1": "spatial", "2": "temporal", "3": "auto"}.get(
                v, "spatial")
        elif k in _PASS:
            out[k.replace("_", "-")] = v
    rc = d.get("rc", "crf")
    if rc == "crf":
        out.pop("bitrate", None)
        out.pop("qp", None)
    elif rc in ("abr", "cbr", "2pass"):
        out.pop("crf", None)
        out.pop("qp", None)
    elif rc == "cqp":
        out.pop("crf", None)
        out.pop("bitrate", None)
    adj = 0
    try:
        subme = int(d.get("subme", "7"))
        psy_rd = [float(x) for x in d.get("psy_rd", "0:0").split(":")] + [0.0]
        trellis = int(d.get("trellis", "0"))
    except ValueError:
        subme, psy_rd, trellis = 7, [0.0, 0.0], 0
    if d.get("psy") == "1" and subme >= 6 and psy_rd[0] > 0:
        adj += 1 if psy_rd[0] < 0.25 else 2
    if d.get("psy") == "1" and trellis > 0 and psy_rd[1] > 0:
        adj += 1 if psy_rd[1] < 0.25 else 2
    out["chroma-qp-offset"] = str(int(d.get("chroma_qp_offset", "0")) + adj)
    return out


def _avcc_sets(extradata: bytes) -> tuple[list[bytes], list[bytes]] | None:
    """SPS and PPS NAL units of an ``avcC`` record (None if it is not one)."""
    ed = extradata
    if len(ed) < 7 or ed[0] != 1:
        return None
    i = 6
    sps, pps = [], []
    for _ in range(ed[5] & 31):
        n = int.from_bytes(ed[i:i + 2], "big")
        sps.append(ed[i + 2:i + 2 + n])
        i += 2 + n
    m = ed[i]
    i += 1
    for _ in range(m):
        n = int.from_bytes(ed[i:i + 2], "big")
        pps.append(ed[i + 2:i + 2 + n])
        i += 2 + n
    return sps, pps


def _sei_options(src: Any, video: Any) -> str | None:
    from ..io.seek import seek

    seek(src, Fraction(0))
    for i, packet in enumerate(src.demux(video)):
        m = _SEI.search(bytes(packet))
        if m:
            return m.group(1).decode("ascii", "replace")
        if i > 8:
            break
    return None


@dataclass(frozen=True, slots=True)
class _Target:
    """What the teaser must be encoded as."""

    width: int
    height: int
    rate: Fraction
    options: dict[str, str]
    extradata: bytes
    color: dict[str, Any]
    sample_rate: int
    layout: str
    audio_bit_rate: int


def _video_options(params: dict[str, str], level: int) -> dict[str, str]:
    opts = {"x264-params": ":".join(f"{k}={v}" for k, v in params.items())}
    if level > 0:
        opts["level"] = f"{level // 10}.{level % 10}"
    return opts


def _add_video(out: Any, t: _Target) -> Any:
    stream = out.add_stream("libx264", rate=t.rate)
    stream.width, stream.height = t.width, t.height
    stream.pix_fmt = "yuv420p"
    stream.codec_context.time_base = 1 / t.rate
    for k, v in t.color.items():
        try:
            setattr(stream.codec_context, k, v)
        except (AttributeError, TypeError, ValueError):  # pragma: no cover - old PyAV
            pass
    stream.options = dict(t.options)
    return stream


def _probe_sets(tmp_dir: Path, t: _Target) -> tuple[list[bytes], list[bytes]] | None:
    """Encode one black frame with the target's settings; return its SPS/PPS."""
    av = load_av()
    probe = tmp_dir / f".probe.{os.getpid()}.mp4"
    try:
        out = av.open(str(probe), "w")
        try:
            vs = _add_video(out, t)
            frame = _black(t.width, t.height)
            frame.pts = 0
            for p in vs.encode(frame):
                out.mux(p)
            for p in vs.encode(None):
                out.mux(p)
        finally:
            out.close()
        with av.open(str(probe)) as c:
            return _avcc_sets(bytes(c.streams.video[0].codec_context.extradata or b""))
    finally:
        probe.unlink(missing_ok=True)


def _black(w: int, h: int) -> Any:
    av = load_av()
    buf = np.empty((h * 3 // 2, w), np.uint8)
    buf[:h] = 16
    buf[h:] = 128
    return av.VideoFrame.from_ndarray(buf, format="yuv420p")


def _target(src: Any, video: Any, audio: Any, tmp_dir: Path, caller: str) -> _Target:
    ctx = video.codec_context
    if ctx.name != "h264":
        raise ExportError(f"{caller}: the replay joins an encoded teaser to the stream-copied "
                          f"recording, which needs H.264 video; this recording is {ctx.name}.")
    if audio is not None and audio.codec_context.name != "aac":
        raise ExportError(f"{caller}: the replay needs AAC audio; this recording's is "
                          f"{audio.codec_context.name}.")
    fmt = ctx.pix_fmt
    if fmt not in ("yuv420p", "yuvj420p"):
        raise ExportError(f"{caller}: the replay needs 8-bit 4:2:0 H.264; this recording is "
                          f"{fmt}.")
    src_sets = _avcc_sets(bytes(ctx.extradata or b""))
    if src_sets is None:
        raise ExportError(f"{caller}: the recording's H.264 parameter sets are in-band "
                          "(MPEG-TS/FLV); remux it to MP4 or MKV first.")
    sei = _sei_options(src, video)
    if sei is None:
        raise ExportError(f"{caller}: the recording's video was not written by x264 (no x264 "
                          "settings in the stream), so a teaser with identical H.264 "
                          "parameters cannot be encoded; render the reel instead.")
    color = {k: getattr(ctx, k) for k in ("color_range", "color_primaries", "color_trc",
                                           "colorspace") if hasattr(ctx, k)}
    sr = layout = None
    bit_rate = 0
    if audio is not None:
        actx = audio.codec_context
        sr = int(actx.sample_rate)
        layout = str(actx.layout.name)
        bit_rate = int(actx.bit_rate or 0)
    t = _Target(width=int(ctx.width), height=int(ctx.height), rate=grid_rate(video),
                options=_video_options(x264_params_from_sei(sei), int(ctx.level or 0)),
                extradata=bytes(ctx.extradata), color=color, sample_rate=sr or 0,
                layout=layout or "", audio_bit_rate=bit_rate)
    got = _probe_sets(tmp_dir, t)
    if got != src_sets:
        raise ExportError(f"{caller}: the teaser's H.264 parameter sets (SPS/PPS) cannot be "
                          "made identical to the recording's, so the two cannot share one "
                          "file without re-encoding the recording; render the reel instead.")
    return t


def _lengths(n_video: int, rate: Fraction, sr: int) -> tuple[int, int]:
    """Frames F >= n_video and AAC-frame-aligned samples A of the opening.

    F is the first count whose audio length ``F * sr / rate`` is (nearly) a whole number
    of 1024-sample frames: exactly for 24/25/30/50/60 fps at 44.1/48 kHz, within 1 ms
    otherwise; A is that length rounded to whole AAC frames.
    """
    if not sr:
        return n_video, 0
    best = None
    for f in range(n_video, n_video + int(math.ceil(rate * 2)) + 1):
        a = Fraction(f * sr) / rate
        frames = round(a / _AAC_FRAME)
        err = abs(a - frames * _AAC_FRAME)
        if err == 0:
            return f, frames * _AAC_FRAME
        if best is None or err < best[0]:
            best = (err, f, frames * _AAC_FRAME)
    assert best is not None
    return best[1], best[2]


def _encode_opening(hq: Path, out_path: Path, t: _Target, *, fade_s: float,
                    black_s: float) -> tuple[int, int]:
    """Re-encode the rendered teaser ``hq`` with the recording's settings + fade + black.

    Returns the opening's video frames and audio samples.
    """
    av = load_av()
    with av.open(str(hq)) as c:
        n_src = c.streams.video[0].frames or sum(1 for _ in c.demux(c.streams.video[0])) - 1
    n_fade = max(int(round(fade_s * t.rate)), 1)
    n_black = int(math.ceil(black_s * t.rate))
    frames_total, samples_total = _lengths(n_src + n_black, t.rate, t.sample_rate)
    out = av.open(str(out_path), "w")
    try:
        vs = _add_video(out, t)
        oa = None
        if t.sample_rate:
            oa = out.add_stream("aac", rate=t.sample_rate)
            oa.layout = t.layout
            if t.audio_bit_rate:
                oa.codec_context.bit_rate = t.audio_bit_rate
        count = 0
        audio: list[NDArray[np.float32]] = []
        with av.open(str(hq)) as c:
            for frame in c.decode(video=0):
                if count >= n_src:
                    break
                g = min(max((n_src - count - 1) / n_fade, 0.0), 1.0)
                frame = _faded(frame, g, t.width, t.height)
                frame.pts = count
                frame.time_base = 1 / t.rate
                frame.pict_type = av.video.frame.PictureType.NONE
                for p in vs.encode(frame):
                    out.mux(p)
                count += 1
        while count < frames_total:
            frame = _black(t.width, t.height)
            frame.pts = count
            frame.time_base = 1 / t.rate
            for p in vs.encode(frame):
                out.mux(p)
            count += 1
        for p in vs.encode(None):
            out.mux(p)
        if oa is not None:
            with av.open(str(hq)) as c:
                if c.streams.audio:
                    rs = av.AudioResampler(format="fltp", layout=t.layout, rate=t.sample_rate)
                    for frame in c.decode(audio=0):
                        for rf in rs.resample(frame):
                            audio.append(rf.to_ndarray().reshape(len(rf.layout.channels), -1))
            ch = len(av.AudioLayout(t.layout).channels)
            data = np.concatenate(audio, axis=1) if audio else np.zeros((ch, 0), np.float32)
            teaser_samples = int(round(Fraction(n_src * t.sample_rate) / t.rate))
            data = data[:, :teaser_samples]
            fade_n = int(round(Fraction(n_fade * t.sample_rate) / t.rate))
            end = data.shape[1]
            g = np.clip((end - np.arange(end) - 0.5) / max(fade_n, 1), 0.0, 1.0).astype(np.float32)
            data = data * g[None, :]
            full = np.zeros((data.shape[0], samples_total), np.float32)
            full[:, :min(end, samples_total)] = data[:, :samples_total]
            for n0 in range(0, samples_total, _AAC_FRAME):
                fr = av.AudioFrame.from_ndarray(np.ascontiguousarray(full[:, n0:n0 + _AAC_FRAME]),
                                                format="fltp", layout=t.layout)
                fr.sample_rate = t.sample_rate
                fr.pts = n0
                fr.time_base = Fraction(1, t.sample_rate)
                for p in oa.encode(fr):
                    out.mux(p)
            for p in oa.encode(None):
                out.mux(p)
    finally:
        out.close()
    return frames_total, samples_total


def _faded(frame: Any, g: float, w: int, h: int) -> Any:
    """``frame`` as yuv420p, faded towards black by ``g`` (1 = unchanged, 0 = black)."""
    av = load_av()
    if g >= 1.0 and frame.format.name == "yuv420p":
        return frame
    a = frame.to_ndarray(format="yuv420p").astype(np.float32)
    a[:h] = 16 + (a[:h] - 16) * g
    a[h:] = 128 + (a[h:] - 128) * g
    return av.VideoFrame.from_ndarray(np.clip(a + 0.5, 0, 255).astype(np.uint8),
                                      format="yuv420p")


def _join(opening: Path, src: Any, video: Any, audio: Any, tmp: Path, *, frames: int,
          samples: int, rate: Fraction, sr: int) -> int:
    """Mux the opening's packets then the recording's, shifted; return packets copied."""
    av = load_av()
    fmt = "mp4" if tmp.suffix.lower() in (".mp4", ".m4v") else None
    options = {"movflags": "+faststart"} if fmt == "mp4" else {}
    out = av.open(str(tmp), "w", format=fmt, options=options)
    copied = 0
    try:
        ov = out.add_stream_from_template(video)
        oa = out.add_stream_from_template(audio) if audio is not None else None
        shift_v = Fraction(frames) / rate
        shift_a = Fraction(samples, sr) if sr else shift_v
        # the recording's AAC priming frame(s) (before its start) replace the opening's
        # last frame(s): their MDCT overlap then continues as at the recording's start
        first_a = Fraction(0)
        if audio is not None:
            from ..io.seek import seek

            seek(src, Fraction(0))
            for p in src.demux(audio):
                if p.pts is not None:
                    first_a = min(Fraction(0), p.pts * p.time_base)
                    break
        last_dts: dict[str, Fraction] = {}
        with av.open(str(opening)) as c:
            streams = [s for s in c.streams if s.type in ("video", "audio")]
            for p in c.demux(streams):
                if p.dts is None:
                    continue
                tb = p.time_base
                if p.stream.type == "audio":
                    if oa is None:
                        continue
                    if (p.pts + (p.duration or _AAC_FRAME)) * tb > shift_a + first_a:
                        continue
                    p.stream = oa
                else:
                    p.stream = ov
                last_dts[p.stream.type] = p.dts * tb
                out.mux(p)
        from ..io.seek import seek

        seek(src, Fraction(0))
        origin = media_origin(src)
        want = [s for s in (video, audio) if s is not None]
        for p in src.demux(want):
            if p.dts is None or p.pts is None:
                continue
            tb = p.time_base
            shift = shift_v if p.stream is video else shift_a
            # timestamps relative to the media start, then after the opening
            off = int((shift - origin) / tb) if (shift - origin) / tb == int(
                (shift - origin) / tb) else round((shift - origin) / tb)
            p.pts += off
            p.dts += off
            kind = "video" if p.stream is video else "audio"
            if kind in last_dts and p.dts * tb <= last_dts[kind]:
                raise ExportError(
                    "The teaser's decoding order runs into the recording's (different B-frame "
                    "delay); the replay cannot be joined without re-encoding.")
            p.stream = ov if kind == "video" else oa
            out.mux(p)
            copied += 1
    finally:
        out.close()
    return copied


def check_recording(media_path: str | os.PathLike[str], *, audio_stream: int | None = None,
                    video_stream: int | None = None) -> None:
    """Check, before any work, that a replay of this recording can be written.

    Raises
    ------
    ExportError
        With the one-line reason (see :func:`render_replay`).
    """
    import tempfile

    src = open_media(media_path)
    try:
        video, audio = pick_streams(src, audio_stream=audio_stream, video_stream=video_stream,
                                    caller="replay")
        if video is None:
            raise ExportError("The replay export needs a video; the recording has none.")
        _target(src, video, audio, Path(tempfile.gettempdir()), "The replay export")
    finally:
        src.close()


def render_replay(clips: Sequence[Clip], out_path: str | os.PathLike[str], *,
                  media_path: str | os.PathLike[str], fade_s: float = FADE_S,
                  match_loudness: bool = True, overwrite: bool = False,
                  audio_stream: int | None = None,
                  video_stream: int | None = None) -> ReplayResult:
    """Write the whole recording with a teaser of ``clips`` in front of it.

    Parameters
    ----------
    clips : sequence of Clip
        The teaser's clips in order (e.g. ``result.repick(preset="teaser").clips``:
        2-4 s each, 20 s at most in all).
    out_path : path-like
        Output file (``.mp4``/``.mov``/``.mkv``, the recording's container family).
    media_path : path-like
        The recording (H.264 written by x264, AAC).
    fade_s : float, default 0.5
        Fade to black (and silence) at the end of the teaser, seconds; 0.25 s of black
        follows (more, up to one AAC frame, so the join is sample-exact).  The
        recording itself is not faded: it starts, untouched, after the black.
    match_loudness : bool, default True
        Bring the teaser to the recording's measured integrated loudness (estimated
        from windows spread over it), not to a platform target.
    overwrite : bool, default False
        Replace an existing file.
    audio_stream, video_stream : int, optional
        Which streams of the recording to use (default: FFmpeg's best; other streams
        are not carried).

    Returns
    -------
    ReplayResult

    Raises
    ------
    ExportError
        The recording is not x264 H.264 + AAC in MP4/MOV/MKV, or a teaser with its
        exact parameter sets cannot be made, or writing failed (nothing is left).
    InvalidParameterError, OutputExistsError, MediaError
        Bad parameters; the output exists; the recording cannot be read.
    """
    caller = "render_replay"
    items = check_clips(clips, caller=caller)
    if not items:
        raise fail("clips", caller, "a non-empty sequence of Clip", clips)
    fade = check_nonneg("fade_s", caller, fade_s)
    if fade > 2.0:
        raise fail("fade_s", caller, "at most 2 s", fade_s)
    if Path(out_path).suffix.lower() not in (".mp4", ".m4v", ".mov", ".mkv"):
        raise fail("out_path", caller, "a .mp4, .mov or .mkv file", out_path)
    from .render import render_reel

    av = load_av()
    src = open_media(media_path)
    try:
        video, audio = pick_streams(src, audio_stream=audio_stream, video_stream=video_stream,
                                    caller=caller)
        if video is None:
            raise ExportError(f"{caller}: the recording has no video.")
        dest_dir = Path(os.path.abspath(os.fspath(out_path))).parent
        target = _target(src, video, audio, dest_dir, caller)
        lufs = None
        if audio is not None and match_loudness:
            lufs = recording_loudness(src, audio)
        duration = Fraction(src.duration or 0, 1_000_000)
        with atomic_output(out_path, overwrite=overwrite) as tmp:
            hq = tmp.with_name(tmp.name + ".teaser.mp4")
            opening = tmp.with_name(tmp.name + ".opening.mp4")
            try:
                render_reel(items, hq, media_path=media_path, crf=12, preset="veryfast",
                            loudness_lufs=max(lufs, -70.0) if lufs is not None else None,
                            true_peak_db=-1.0, audio_stream=audio_stream,
                            video_stream=video_stream)
                frames, samples = _encode_opening(hq, opening, target, fade_s=fade,
                                                  black_s=BLACK_S)
                copied = _join(opening, src, video, audio, tmp, frames=frames,
                               samples=samples, rate=target.rate, sr=target.sample_rate)
            except (av.FFmpegError, ValueError, OSError) as exc:
                if isinstance(exc, ExportError):
                    raise
                raise ExportError(f"Writing the replay {str(out_path)!r} failed: {exc}") from exc
            finally:
                hq.unlink(missing_ok=True)
                opening.unlink(missing_ok=True)
    finally:
        src.close()
    teaser_s = float(Fraction(frames) / target.rate)
    logger.info("replay %s: %.3f s opening + %.3f s recording", out_path, teaser_s,
                float(duration))
    return ReplayResult(path=Path(out_path), teaser_s=teaser_s,
                        duration_s=teaser_s + float(duration), clips=tuple(items),
                        recording_lufs=lufs, copied_packets=copied)


def render_replay_timeline(result: ReplayResult, *, media_path: str | os.PathLike[str],
                           fps: FpsLike, format: str = "edl", title: str = "replay") -> str:
    """Return a written replay as an editor timeline on the original recording.

    The timeline holds what the file shows, at the same record times: the teaser's
    clips end to end from 0, black up to ``result.teaser_s`` (the fade's last part
    and the black after it; a ``BL`` event in the EDL, a ``Gap`` in OTIO and FCP7),
    then the whole recording.  The recording therefore starts at ``teaser_s``
    rounded to a timeline frame, and the timeline lasts ``result.duration_s`` within
    a frame.  The fade itself is the file's: on the timeline the teaser cuts to black.

    Parameters
    ----------
    result : ReplayResult
        What :func:`render_replay` returned.
    media_path : path-like
        The recording the replay was made from (the timeline's media).
    fps : float, Fraction, (num, den) or str
        The recording's frame rate, frames per second; the timeline is written at
        the standard rate it maps to (see :func:`~highlights.export.render_text`).
    format : {"edl", "otio", "fcp7"}, default "edl"
        CMX 3600 EDL, OpenTimelineIO JSON or Final Cut Pro 7 XML.
    title : str, default "replay"
        The timeline's title.

    Returns
    -------
    str
        The file's text.

    Raises
    ------
    InvalidParameterError
        Bad ``format``, ``fps`` or ``title``.
    ExportError
        OpenTimelineIO is missing (``otio``, ``fcp7``), or a timecode reaches 24 h.
    """
    caller = "render_replay_timeline"
    fmt = check_choice("format", caller, format, TIMELINE_FORMATS)
    rate = as_rate(fps, caller=caller)
    if not isinstance(title, str):
        raise fail("title", caller, "a str", title)
    teaser = list(result.clips)
    tl_rate = timeline_rate(rate)
    starts: list[float] = []
    rec = 0
    for clip in teaser:
        first, end = clip_frames(clip, tl_rate)
        starts.append(float(Fraction(rec) / tl_rate))
        rec += end - first
    recording_s = result.duration_s - result.teaser_s
    whole = Clip(0.0, recording_s, 0.0, 0.0, len(teaser) + 1, label="full replay")
    clips = [*teaser, whole]
    starts.append(result.teaser_s)
    if fmt == "edl":
        from .edl import render_cmx3600

        return render_cmx3600(clips, fps=rate, media_path=media_path, title=title,
                              record_in_s=starts)
    from .otio import render_fcp7, render_otio

    fn = render_otio if fmt == "otio" else render_fcp7
    return fn(clips, fps=rate, media_path=media_path, duration_s=recording_s, title=title,
              record_in_s=starts)
