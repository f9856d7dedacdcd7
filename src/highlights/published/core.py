"""Align a published edit (highlight video, short, reel) to the recording it was cut from.

How it works
------------
1. **The VOD's fingerprint** comes from its analysis (:func:`~highlights.features.analyze.
   analyze_media` computes it in the one decode pass; the analysis cache keeps it):
   a 32-bit audio hash every 32 ms and a picture signature of the centre region of
   every decoded frame (keyframes only in a long VOD).  See
   :mod:`highlights.features.fingerprint`.
2. **The published video** is short: it is decoded whole, every frame, and gets the same
   audio hashes and picture signatures, the latter for each way its picture may sit in
   the frame (:func:`geometry_boxes`: as the source, or a 9:16 centre crop, or the whole
   source fitted in a vertical frame with padding).
3. **Coarse search.**  *Audio*: the published audio is cut into 8-s windows (4-s hop);
   each window's hash bits are cross-correlated with the whole VOD's by FFT, and offsets
   that stand out by more than :data:`AUDIO_Z` robust standard deviations are
   candidates (speed 1).  *Pictures*: every VOD signature is compared with every
   published one (one matrix product); well-matching pairs ``(published_s, source_s)``
   vote in a Hough space of lines ``source = c + speed x published`` (speeds 0.5-2 on a
   3% grid); lines are taken greedily, each removing the pairs it explains.
4. **Fine alignment.**  Only the VOD neighbourhoods of the candidates are decoded again,
   at full frame rate (a few seconds around each; overlapping ones once).  Each
   candidate's offset and speed are refined by a robust line fit through the best
   frame matches, checked by counting the frames that match and mismatch along nearby
   lines (near-ties go to the line whose frames are most similar); then every
   published frame gets a similarity to the source frame the candidate maps it to
   (plus the audio agreement at that offset, when the speed is 1).
5. **Segments.**  Each published frame goes to the candidate that explains it best
   (with hysteresis, so near-identical candidates do not alternate); runs of one
   candidate are segments; a run of at most a second inside one continuing line that
   the line matches too is a chance match and goes back to the line; flat frames
   (black, a fade's darkest part) inside a run stay in it; short uncertain stretches
   between two segments (a crossfade) are split where the two similarities cross.
   What no candidate explains is a gap.

Times are seconds from each file's media start.  The picture decides a segment's
ends when the VOD has video (a published edit may carry other audio); audio decides
them for audio-only media.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import NDArray

from .._validate import fail
from ..errors import MediaError
from ..features.audio import HOP_LENGTH, N_FFT, AudioFeatures
from ..features.fingerprint import (
    FINE_DIM,
    FLAT_LEVEL,
    AudioPrints,
    Fingerprint,
    PictureSigs,
    block_similarity,
    centre_box,
    fine_signature,
    picture_signature,
)
from ..io.media import demux, probe
from ..types import MediaInfo

if TYPE_CHECKING:  # pragma: no cover
    from ..cache import AnalysisCache
    from ..features.analyze import MediaAnalysis

__all__ = ["AlignedSegment", "Alignment", "align_published", "geometry_boxes", "AUDIO_Z"]

log = logging.getLogger(__name__)

F64 = NDArray[np.float64]
F32 = NDArray[np.float32]

#: Audio analysis rate, as in :func:`highlights.find_highlights`.
SR = 16000
#: Width of the small planes of the published video's frames (pixels).
PUBLISHED_WIDTH = 160
#: A coarse audio offset must stand out by this many robust standard deviations.
AUDIO_Z = 6.5
#: Cosine similarity of two picture signatures that makes a coarse pair.
PAIR_SIM = 0.8
#: Cosine similarity at which a published frame matches its mapped source frame.
MATCH_SIM = 0.75
#: Below this similarity an informative frame does not match.
MISMATCH_SIM = 0.55
#: Audio bit agreement (1 - bit error rate, over ~0.5 s) that counts as a match.
AUDIO_MATCH = 0.63
#: Shortest segment reported, seconds.
MIN_SEGMENT_S = 0.4
#: Shortest gap reported, seconds.
MIN_GAP_S = 0.2
_AUDIO_WIN_S = 8.0
_AUDIO_HOP_S = 4.0
#: A picture that matches VOD frames this well ...
GENERIC_SIM = 0.9
#: ... in at least this many 10-s places of the VOD is generic (a HUD, a sky, a menu):
#: it cannot say where it comes from.
_GENERIC_PLACES = 3
_PLACE_S = 10.0
_SPEEDS = np.unique(np.r_[np.exp(np.linspace(math.log(0.5), math.log(2.0), 49)), 1.0])
_MAX_CANDIDATES = 24
_MARGIN_S = 5.0
_EXTEND_S = 8.0
_HYSTERESIS = 0.04
_SPEED_PRIOR = 0.03
# Mappings whose match counts differ by less than this fraction of the frames counted
# are a tie in the fine search: the mean similarity decides.
_TIE_FRACTION = 0.02
# Neighbouring runs whose mappings differ by less than this (seconds) are one segment:
# still content places a run only loosely, and jump cuts remove more than this.
_SAME_MAPPING_S = 0.25
_BRIDGE_S = 1.5
# A run of another mapping this short (seconds) inside one continuing mapping that
# matches its frames too is a false match (self-similar content), not an edit.
_INTERRUPTION_S = 1.0


# =============================================================================== results
@dataclass(frozen=True)
class AlignedSegment:
    """One stretch of a published video and the part of the VOD it shows.

    Attributes
    ----------
    source_start_s, source_end_s : float
        The span of the VOD, seconds from its media start.
    published_start_s, published_end_s : float
        The span of the published video, seconds from its media start.
    speed : float
        Source seconds per published second (2.0: a 2x speed-up; 0.5: slow motion).
    confidence : float
        0-1: how well the picture (or, without pictures, the audio) matches along
        the segment, shortened for very short segments and halved when the same
        content is found at another place of the VOD too (a repeat).
    evidence : str
        What matched: ``"picture"``, ``"audio"`` or ``"picture+audio"``.
    """

    source_start_s: float
    source_end_s: float
    published_start_s: float
    published_end_s: float
    speed: float
    confidence: float
    evidence: str = "picture"

    @property
    def duration_s(self) -> float:
        """Length in the published video, seconds."""
        return self.published_end_s - self.published_start_s

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the fields."""
        return {"source_start_s": self.source_start_s, "source_end_s": self.source_end_s,
                "published_start_s": self.published_start_s,
                "published_end_s": self.published_end_s, "speed": self.speed,
                "confidence": self.confidence, "evidence": self.evidence}


@dataclass(frozen=True)
class Alignment:
    """Where a published video's parts come from in a VOD.

    Attributes
    ----------
    vod, published : str
        The two files.
    published_duration_s : float
        Length of the published video, seconds.
    segments : tuple of AlignedSegment
        Sorted by ``published_start_s``; they do not overlap in published time.
    gaps : tuple of (float, float)
        ``(start_s, end_s)`` stretches of the published video, in its seconds, that
        come from nowhere in the VOD (title cards, intros, B-roll, another stream),
        at least :data:`MIN_GAP_S` long.
    notes : tuple of str
        Things worth knowing (a repeat in the VOD, a geometry guess).
    geometry : str
        How the published picture shows the source: ``"same"``, ``"fit"`` (the whole
        source inside a frame of another shape, with padding) or ``"fill"`` (a centre
        crop filling it).
    """

    vod: str
    published: str
    published_duration_s: float
    segments: tuple[AlignedSegment, ...]
    gaps: tuple[tuple[float, float], ...]
    notes: tuple[str, ...] = ()
    geometry: str = "same"

    @property
    def source_spans(self) -> list[tuple[float, float]]:
        """The VOD spans the published video uses, in VOD seconds, merged and sorted."""
        spans = sorted((s.source_start_s, s.source_end_s) for s in self.segments)
        out: list[tuple[float, float]] = []
        for a, b in spans:
            if out and a <= out[-1][1] + 1e-6:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``schema = "highlights.alignment"``, version 1)."""
        from .._schema import ALIGNMENT_SCHEMA, ALIGNMENT_SCHEMA_VERSION

        return {"schema": ALIGNMENT_SCHEMA, "schema_version": ALIGNMENT_SCHEMA_VERSION,
                "vod": self.vod, "published": self.published,
                "published_duration_s": self.published_duration_s,
                "geometry": self.geometry,
                "segments": [s.to_dict() for s in self.segments],
                "gaps": [list(g) for g in self.gaps], "notes": list(self.notes)}

    def __str__(self) -> str:
        from .._format import format_hms

        lines = [f"{self.published}: {len(self.segments)} segment(s) from {self.vod}"]
        for s in self.segments:
            lines.append(
                f"  published {format_hms(s.published_start_s, ms=True)}-"
                f"{format_hms(s.published_end_s, ms=True)}  <-  source "
                f"{format_hms(s.source_start_s, ms=True)}-{format_hms(s.source_end_s, ms=True)}"
                f"  speed {s.speed:.2f}  confidence {s.confidence:.2f}  ({s.evidence})")
        for a, b in self.gaps:
            lines.append(f"  published {format_hms(a, ms=True)}-{format_hms(b, ms=True)}  "
                         "<-  not from the VOD")
        return "\n".join(lines)


# =============================================================================== published
@dataclass
class _Published:
    info: MediaInfo
    times: F64
    fps: float
    sigs: dict[str, F32]
    levels: dict[str, F32]
    audio: Fingerprint
    duration_s: float
    fines: dict[str, F32] = field(default_factory=dict)
    generic: dict[str, NDArray[np.bool_]] = field(default_factory=dict)

    def usable(self, geometry: str) -> NDArray[np.bool_]:
        """Frames whose picture can identify a place in the VOD (not flat, not generic)."""
        ok = self.levels[geometry] >= FLAT_LEVEL
        g = self.generic.get(geometry)
        return ok if g is None else ok & ~g


def geometry_boxes(pub_size: tuple[int, int], src_size: tuple[int, int]
                   ) -> dict[str, tuple[float, float, float, float]]:
    """Where the source's signature region lies in a published frame, per geometry.

    Parameters
    ----------
    pub_size, src_size : (int, int)
        Width and height of the published and source pictures (any common scale).

    Returns
    -------
    dict of str to (x, y, w, h)
        ``"same"`` when both have one shape; else ``"fit"`` (the whole source shown
        inside the published frame, padded) and ``"fill"`` (the source's centre,
        cropped to fill the frame).  Boxes are in published pixels.
    """
    pw, ph = float(pub_size[0]), float(pub_size[1])
    sw, sh = float(src_size[0]), float(src_size[1])
    if sw <= 0 or sh <= 0:
        return {"same": centre_box(pw, ph)}
    a = sw / sh
    out: dict[str, tuple[float, float, float, float]] = {}
    for name, w_c in (("fit", min(pw, ph * a)), ("fill", max(pw, ph * a))):
        h_c = w_c / a
        _, _, rw, rh = centre_box(w_c, h_c)
        out[name] = ((pw - rw) / 2.0, (ph - rh) / 2.0, rw, rh)
    if abs(pw / ph - a) < 0.02 * a:
        return {"same": out["fit"]}
    return out


class _PubFrames:
    """Frame sink of the published video: signatures for every geometry."""

    def __init__(self, src_size: tuple[int, int]) -> None:
        self.src_size = src_size
        self.times: list[float] = []
        self.sigs: dict[str, list[F32]] = {}
        self.fines: dict[str, list[F32]] = {}
        self.levels: dict[str, list[float]] = {}
        self.boxes: dict[str, tuple[float, float, float, float]] | None = None
        self.shape: tuple[int, int] = (0, 0)

    def __call__(self, t_s: float, y: NDArray[np.uint8], u: Any, v: Any, full: bool) -> None:
        if self.times and t_s <= self.times[-1]:
            return
        shape = (int(y.shape[1]), int(y.shape[0]))
        if self.boxes is None or shape != self.shape:
            if self.boxes is not None:  # a resolution change mid-file: keep the geometry
                return
            self.shape = shape
            self.boxes = geometry_boxes(shape, self.src_size)
            self.sigs = {k: [] for k in self.boxes}
            self.fines = {k: [] for k in self.boxes}
            self.levels = {k: [] for k in self.boxes}
        self.times.append(float(t_s))
        for name, box in self.boxes.items():
            sig, level = picture_signature(y, box)
            self.sigs[name].append(sig)
            self.fines[name].append(fine_signature(y, box))
            self.levels[name].append(level)


def _read_published(path: str | os.PathLike[str], src_size: tuple[int, int],
                    want_audio: bool) -> _Published:
    info = probe(path)
    frames = _PubFrames(src_size) if info.has_video and src_size != (0, 0) else None
    prints = AudioPrints(sr=SR, hop=HOP_LENGTH, n_fft=N_FFT) if (
        info.has_audio and want_audio) else None
    n_hint = int(info.duration_s / 0.5) + 8
    asink = (AudioFeatures(sr=SR, hop_s=0.5, n_hint=n_hint, prints=prints)
             if prints is not None else None)
    stats = demux(info, on_audio=asink, on_frame=frames, sr=SR,
                  video="full" if frames is not None else "none", width=PUBLISHED_WIDTH)
    if asink is not None:
        asink.finish()
    audio = Fingerprint.build(prints, None, sr=SR, hop=HOP_LENGTH, n_fft=N_FFT)
    if frames is not None and frames.times:
        times = np.asarray(frames.times, np.float64)
        sigs = {k: np.stack(v).astype(np.float32) for k, v in frames.sigs.items()}
        fines = {k: np.stack(v).astype(np.float32) for k, v in frames.fines.items()}
        levels = {k: np.asarray(v, np.float32) for k, v in frames.levels.items()}
        step = np.median(np.diff(times)) if times.size > 1 else 1.0 / max(info.fps, 1.0)
        fps = 1.0 / step if step > 0 else (info.fps or 30.0)
    else:
        times, sigs, fines, levels, fps = np.zeros(0), {}, {}, {}, info.fps or 30.0
    duration = max(info.duration_s, stats.end_s)
    return _Published(info=info, times=times, fps=float(fps), sigs=sigs, levels=levels,
                      audio=audio, duration_s=float(duration), fines=fines)


# =============================================================================== coarse: audio
def _bits(hashes: NDArray[np.uint32], valid: NDArray[np.bool_], b: int) -> F32:
    x = ((hashes >> np.uint32(b)) & np.uint32(1)).astype(np.float32) * 2.0 - 1.0
    x[~valid] = 0.0
    out: F32 = x
    return out


@dataclass
class _Cand:
    """A candidate mapping ``source = offset_s + speed * published``."""

    offset_s: float
    speed: float
    pa: float  # rough published range it explains
    pb: float
    geometry: str | None
    support: float
    audio: bool = False
    # filled by the fine stage
    sim: F32 = field(default_factory=lambda: np.zeros(0, np.float32))
    aud: F32 = field(default_factory=lambda: np.zeros(0, np.float32))


def _audio_candidates(pub: Fingerprint, vod: Fingerprint) -> list[_Cand]:
    """Speed-1 offsets where windows of the published audio match the VOD's."""
    from scipy.fft import irfft, next_fast_len, rfft

    nv, npub = vod.audio_hashes.size, pub.audio_hashes.size
    hop_s = pub.audio_hop_s
    win = int(round(_AUDIO_WIN_S / hop_s))
    step = int(round(_AUDIO_HOP_S / hop_s))
    if nv < 16 or npub < 16 or not pub.audio_valid.any() or not vod.audio_valid.any():
        return []
    win = min(win, npub)
    starts = list(range(0, max(npub - win, 0) + 1, step))
    if starts[-1] + win < npub:
        starts.append(npub - win)
    n = next_fast_len(nv + win, real=True)
    group = max(1, min(len(starts), (1 << 23) // n))
    cands: list[_Cand] = []
    for g0 in range(0, len(starts), group):
        gs = starts[g0: g0 + group]
        acc = np.zeros((len(gs), n // 2 + 1), np.complex64)
        for b in range(32):
            fv = rfft(_bits(vod.audio_hashes, vod.audio_valid, b), n=n)
            xp = _bits(pub.audio_hashes, pub.audio_valid, b)
            xw = np.stack([xp[s: s + win] for s in gs])
            fw = rfft(xw, n=n, axis=1)
            acc += fv[None, :] * np.conj(fw)
        corr = irfft(acc, n=n, axis=1)[:, : max(nv - win + 1, 1)]
        for row, s in zip(corr, gs, strict=True):
            n_valid = int(pub.audio_valid[s: s + win].sum())
            if n_valid < win // 3:
                continue
            sample = row[:: max(1, row.size // 20000)]
            med = float(np.median(sample))
            sd = 1.4826 * float(np.median(np.abs(sample - med))) or 1.0
            sd = max(sd, 0.5 * math.sqrt(32.0 * n_valid))
            z = (row - med) / sd
            for _ in range(3):
                e = int(np.argmax(z))
                if z[e] < AUDIO_Z:
                    break
                d = (vod.audio_k0 + e) - (pub.audio_k0 + s)
                offset = d * hop_s
                pa = float(pub.audio_time_s(s)) - hop_s / 2
                cands.append(_Cand(offset_s=offset, speed=1.0, pa=pa, pb=pa + win * hop_s,
                                   geometry=None, support=float(z[e]), audio=True))
                lo, hi = max(0, e - 32), e + 33
                z[lo:hi] = -np.inf
    # merge the windows that found one offset
    cands.sort(key=lambda c: c.offset_s)
    merged: list[_Cand] = []
    for c in cands:
        if merged and abs(c.offset_s - merged[-1].offset_s) <= 2.5 * hop_s:
            m = merged[-1]
            if c.support > m.support:
                m.offset_s = c.offset_s
            m.pa, m.pb = min(m.pa, c.pa), max(m.pb, c.pb)
            m.support = max(m.support, c.support)
        else:
            merged.append(c)
    return merged


# =============================================================================== coarse: pictures
def _pairs(pub: _Published, vod: Fingerprint, geometry: str) -> tuple[F64, F64, F64]:
    """Well-matching (published_s, source_s, similarity) pairs of frames."""
    ps = pub.sigs[geometry]
    p_ok = pub.levels[geometry] >= FLAT_LEVEL
    v_ok = vod.frame_levels >= FLAT_LEVEL
    pub.generic[geometry] = np.zeros(p_ok.size, bool)
    if not p_ok.any() or not v_ok.any():
        return np.zeros(0), np.zeros(0), np.zeros(0)
    pi = np.flatnonzero(p_ok)
    vi = np.flatnonzero(v_ok)
    pm = ps[pi]
    vm = vod.frame_sigs[vi].astype(np.float32)
    vt = vod.frame_times_s[vi]
    # places of the VOD (10-s bins) where each published frame's picture recurs
    place = np.floor(vt / _PLACE_S).astype(np.int64)
    n_places = int(place.max()) + 1 if place.size else 1
    seen = np.zeros((pi.size, n_places), bool)
    best_p_sim = np.full(pi.size, -1.0, np.float32)
    best_p_idx = np.zeros(pi.size, np.int64)
    sims_kept = []
    block = 4096
    for b0 in range(0, vi.size, block):
        sim = pm @ vm[b0: b0 + block].T  # (published, vod block)
        hit = sim >= GENERIC_SIM
        rows, cols = np.nonzero(hit)
        seen[rows, place[b0 + cols]] = True
        sims_kept.append((b0, sim))
        k = np.argmax(sim, axis=1)
        sk = sim[np.arange(sim.shape[0]), k]
        better = sk > best_p_sim
        best_p_sim[better] = sk[better]
        best_p_idx[better] = vi[b0 + k[better]]
    generic = seen.sum(axis=1) >= _GENERIC_PLACES
    pub.generic[geometry][pi[generic]] = True
    out_p, out_s, out_w = [], [], []
    for b0, sim in sims_kept:
        sim[generic] = -1.0
        j = np.argmax(sim, axis=0)
        sj = sim[j, np.arange(sim.shape[1])]
        keep = sj >= PAIR_SIM
        out_p.append(pub.times[pi[j[keep]]])
        out_s.append(vod.frame_times_s[vi[b0: b0 + block][keep]])
        out_w.append(sj[keep])
    keep = (best_p_sim >= PAIR_SIM) & ~generic
    out_p.append(pub.times[pi[keep]])
    out_s.append(vod.frame_times_s[best_p_idx[keep]])
    out_w.append(best_p_sim[keep])
    p = np.concatenate(out_p)
    s = np.concatenate(out_s)
    w = np.concatenate(out_w).astype(np.float64)
    # one pair per (published frame, source frame)
    key = np.round(p * 1000).astype(np.int64) * 10_000_000_000 + np.round(s * 1000).astype(
        np.int64)
    _, first = np.unique(key, return_index=True)
    return p[first], s[first], w[first]


def _video_candidates(p: F64, s: F64, w: F64, geometry: str, vod_gop_s: float) -> list[_Cand]:
    """Greedy Hough: lines ``s = c + speed * p`` through the pairs, best first."""
    cands: list[_Cand] = []
    alive = np.ones(p.size, bool)
    weight = w - PAIR_SIM + 0.05
    for _ in range(_MAX_CANDIDATES):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        pp, ss, ww = p[idx], s[idx], weight[idx]
        c = ss[None, :] - _SPEEDS[:, None] * pp[None, :]  # (speeds, pairs)
        c0 = math.floor(float(c.min())) - 1
        bins = np.floor(c - c0).astype(np.int64)
        nb = int(bins.max()) + 2
        hist = np.zeros((_SPEEDS.size, nb))
        rows = np.broadcast_to(np.arange(_SPEEDS.size)[:, None], bins.shape)
        np.add.at(hist, (rows, bins), np.broadcast_to(ww, bins.shape))
        hist2 = hist[:, :-1] + hist[:, 1:]  # 2-s windows: a line on a bin border counts
        prior = np.where(np.isclose(_SPEEDS, 1.0), 1.15, 1.0)[:, None]
        si, bi = np.unravel_index(int(np.argmax(hist2 * prior)), hist2.shape)
        speed = float(_SPEEDS[si])
        cc = ss - speed * pp
        near = np.abs(cc - (c0 + bi + 1.0)) <= 1.0
        if not near.any():
            break
        c_est = float(np.median(cc[near]))
        inl = np.abs(cc - c_est) <= max(0.6, 0.6 * vod_gop_s)
        if not inl.any():
            alive[idx[near]] = False
            continue
        n_src = np.unique(np.round(ss[inl], 2)).size
        total = float(ww[inl].sum())
        strong = float(w[idx][inl].max())
        if n_src < 2 and not (math.isclose(speed, 1.0) and strong >= PAIR_SIM + 0.08):
            alive[idx[inl]] = False
            if not cands and n_src == 0:
                break
            continue
        if n_src < 2:  # one source frame: the speed is unknown, take 1
            speed, c_est = 1.0, float(np.median((ss - pp)[inl]))
        cands.append(_Cand(offset_s=c_est, speed=speed, pa=float(pp[inl].min()),
                           pb=float(pp[inl].max()), geometry=geometry, support=total))
        alive[idx[inl]] = False
    return cands


# =============================================================================== fine
def _merge_ranges(ranges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1.0:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


class _SourceFrames:
    """Full-rate signatures of VOD neighbourhoods, decoded on demand and kept."""

    def __init__(self, vod: MediaInfo, width: int, duration_s: float) -> None:
        self.vod = vod
        self.width = width
        self.duration_s = duration_s
        self.done: list[tuple[float, float]] = []
        self.times = np.zeros(0)
        self.sigs = np.zeros((0, FINE_DIM), np.float32)  # fine signatures
        self.levels = np.zeros(0, np.float32)
        self.decoded_s = 0.0

    def ensure(self, ranges: list[tuple[float, float]]) -> None:
        todo: list[tuple[float, float]] = []
        for a, b in _merge_ranges([(max(0.0, a), min(self.duration_s, b)) for a, b in ranges
                                   if b > 0 and a < self.duration_s]):
            # subtract what is decoded already
            pieces = [(a, b)]
            for da, db in self.done:
                nxt = []
                for pa, pb in pieces:
                    if db <= pa or da >= pb:
                        nxt.append((pa, pb))
                        continue
                    if pa < da:
                        nxt.append((pa, da))
                    if db < pb:
                        nxt.append((db, pb))
                pieces = nxt
            todo += [(pa, pb) for pa, pb in pieces if pb - pa > 1e-3]
        if not todo:
            return
        new_t, new_s, new_l = [self.times], [self.sigs], [self.levels]
        for a, b in _merge_ranges(todo):
            sink = PictureSigs(t_lo=a, t_hi=b, fine=True)
            demux(self.vod, on_frame=sink, video="full", width=self.width, start_s=a,
                  end_s=b, warn=False)
            t, _, lv = sink.result()
            new_t.append(t)
            new_s.append(np.stack(sink.fines).astype(np.float32) if sink.fines
                          else np.zeros((0, FINE_DIM), np.float32))
            new_l.append(lv)
            self.done = _merge_ranges([*self.done, (a, b)])
            self.decoded_s += b - a
        times = np.concatenate(new_t)
        order = np.argsort(times, kind="stable")
        keep = np.ones(order.size, bool)
        keep[1:] = np.diff(times[order]) > 1e-6
        order = order[keep]
        self.times = times[order]
        self.sigs = np.concatenate(new_s)[order]
        self.levels = np.concatenate(new_l)[order]

    def covered(self, t: F64) -> NDArray[np.bool_]:
        ok = np.zeros(t.shape, bool)
        for a, b in self.done:
            ok |= (t >= a) & (t < b)
        return ok

    def nearest(self, t: F64) -> NDArray[np.int64]:
        if self.times.size == 0:
            return np.zeros(t.shape, np.int64)
        i = np.clip(np.searchsorted(self.times, t), 1, max(self.times.size - 1, 1))
        i0 = np.clip(i - 1, 0, self.times.size - 1)
        i1 = np.clip(i, 0, self.times.size - 1)
        return np.where(np.abs(self.times[i0] - t) <= np.abs(self.times[i1] - t), i0, i1)


def _mapped_sims(pt: F64, ps: F32, src: _SourceFrames, offset: float, speed: float,
                 tol: float, flat: NDArray[np.bool_] | None = None) -> F32:
    """Similarity of published frames to the source frames a mapping puts them on.

    ``pt``, ``ps``: published times and fine signatures; the source frame is the
    nearest one to ``offset + speed * t``.

    NaN where no source frame is within ``tol`` or either frame is flat (``flat`` marks
    the flat published frames): a fading picture says nothing.
    """
    pred = offset + speed * pt
    j = src.nearest(pred)
    sims = block_similarity(ps, src.sigs[j])
    src_flat = src.levels[j] < FLAT_LEVEL
    pub_flat = np.zeros(pt.size, bool) if flat is None else flat
    sims = np.where(src_flat | pub_flat, np.nan, sims).astype(np.float32)
    sims[np.abs(src.times[j] - pred) > tol] = np.nan
    return sims


def _verify(c: _Cand, pub: _Published, fp: Fingerprint, geometry: str) -> bool:
    """Check a picture candidate at keyframe level, before decoding anything.

    Most VOD frames the analysis holds inside its range must match the published
    frames it maps them to (chance pairs in self-similar content do not).
    """
    vt = fp.frame_times_s
    lo, hi = c.offset_s + c.speed * c.pa, c.offset_s + c.speed * c.pb
    sel = np.flatnonzero((vt >= lo - 1e-3) & (vt <= hi + 1e-3) & (fp.frame_levels >= FLAT_LEVEL))
    if sel.size == 0 or pub.times.size == 0:
        return False
    p = (vt[sel] - c.offset_s) / c.speed
    j = np.clip(np.searchsorted(pub.times, p), 0, pub.times.size - 1)
    usable = pub.usable(geometry)
    best = np.full(sel.size, np.nan, np.float32)
    for d in (-1, 0, 1):
        jj = np.clip(j + d, 0, pub.times.size - 1)
        sims = block_similarity(pub.sigs[geometry][jj], fp.frame_sigs[sel].astype(np.float32))
        sims[~usable[jj]] = np.nan
        best = np.fmax(best, sims)
    checked = ~np.isnan(best)
    n, m = int(checked.sum()), int((best[checked] >= MATCH_SIM).sum())
    if n <= 1:
        return m == 1 and c.speed == 1.0
    return m >= 2 and m >= 0.6 * n


def _refine(c: _Cand, pub: _Published, src: _SourceFrames, geometry: str) -> None:
    """Refine a candidate's offset and speed from full-rate frame matches.

    Every usable published frame near the candidate's range is matched with the most
    similar decoded source frame within 1 s of where the candidate maps it; a line
    ``source = offset + speed * published`` is fitted through the matches by RANSAC
    and least squares on its inliers.  An audio candidate keeps speed 1 and may move
    by a few frames only (an A/V offset).
    """
    lo, hi = c.pa - 2.0, c.pb + 2.0
    in_range = (pub.times >= lo) & (pub.times <= hi)
    generic = pub.generic.get(geometry, np.zeros(pub.times.size, bool))
    flat_all = pub.levels[geometry] < FLAT_LEVEL
    sel_all = np.flatnonzero(in_range & ~generic)
    sel = np.flatnonzero(in_range & pub.usable(geometry))
    if sel.size < 3 or src.times.size < 3:
        return
    if sel.size > 300:
        sel = sel[np.linspace(0, sel.size - 1, 300).round().astype(np.int64)]
    pt, ps = pub.times[sel], pub.fines[geometry][sel]
    src_dt = float(np.median(np.diff(src.times))) if src.times.size > 1 else 1 / 30
    radius = 0.2 if c.audio else 1.0
    pred = c.offset_s + c.speed * pt
    a = np.searchsorted(src.times, pred - radius * max(c.speed, 1.0))
    b = np.searchsorted(src.times, pred + radius * max(c.speed, 1.0))
    width = int((b - a).max())
    if width <= 0:
        return
    cols = a[:, None] + np.arange(width)[None, :]
    inside = cols < b[:, None]
    cols = np.clip(cols, 0, src.times.size - 1)
    sims = block_similarity(np.repeat(ps, width, axis=0),
                            src.sigs[cols].reshape(-1, FINE_DIM)).reshape(sel.size, width)
    sims = np.where(inside & (src.levels[cols] >= FLAT_LEVEL), np.nan_to_num(sims, nan=-1.0),
                    -1.0)
    k = np.argmax(sims, axis=1)
    best = sims[np.arange(sel.size), k]
    st = src.times[cols[np.arange(sel.size), k]]
    good = best >= MATCH_SIM
    if good.sum() < 3:
        return
    x, y = pt[good], st[good]
    tol = max(1.5 * src_dt, 1.5 / max(pub.fps, 1.0))
    fine_all = pub.fines[geometry][sel]
    if c.audio:  # the audio placed it: only an A/V offset of a few frames is left
        best_n, best_line = 0, (c.offset_s, 1.0)
    else:
        best_n, best_line = -1, (c.offset_s, c.speed)
    rng = np.random.default_rng(0)
    for _ in range(0 if c.audio else 200):
        i, j = rng.choice(x.size, 2, replace=False)
        if abs(x[j] - x[i]) < 0.3:
            continue
        sp = (y[j] - y[i]) / (x[j] - x[i])
        if not 0.45 <= sp <= 2.2:
            continue
        off = y[i] - sp * x[i]
        n_in = int((np.abs(y - (off + sp * x)) <= tol).sum())
        if n_in > best_n:
            best_n, best_line = n_in, (float(off), float(sp))
    off, sp = best_line
    for _ in range(3):
        inl = np.abs(y - (off + sp * x)) <= tol
        if inl.sum() < 3:
            break
        if np.ptp(x[inl]) >= 1.0 and not c.audio:
            sp_new, off_new = np.polyfit(x[inl], y[inl], 1)
            off, sp = float(off_new), float(sp_new)
        else:
            off = float(np.median(y[inl] - sp * x[inl]))
    # the mapping under which the most frames match and the fewest mismatch, searched
    # around the estimate and at speed 1 (slow content matches loosely along many
    # lines: another speed must do clearly better); frames at a cut or a change pin
    # the offset, a still shot matches any.  Counts within a frame or two of the best
    # are a tie (slow content keeps matching a few frames off the line): the mapping
    # whose frames are most similar wins it, not the first of the speed grid
    sel2 = sel_all
    if sel2.size > 150:
        sel2 = sel2[np.linspace(0, sel2.size - 1, 150).round().astype(np.int64)]
    pt, fine_all, flat2 = pub.times[sel2], pub.fines[geometry][sel2], flat_all[sel2]
    tol_s = 0.75 * src_dt + 1e-3

    def total(o: float, v: float) -> float:
        sims = _mapped_sims(pt, fine_all, src, o, v, tol=tol_s, flat=flat2)
        ok = ~np.isnan(sims)
        return float(np.count_nonzero(sims[ok] >= MATCH_SIM)
                     - np.count_nonzero(sims[ok] < MISMATCH_SIM))

    def closeness(o: float, v: float) -> float:
        sims = _mapped_sims(pt, fine_all, src, o, v, tol=tol_s, flat=flat2)
        ok = ~np.isnan(sims)
        return float(np.mean(sims[ok])) if ok.any() else -1.0

    centre = float(np.median(pt))
    span = 0.12 if c.audio else 2.0
    speeds = [1.0] if (c.audio or abs(sp - 1.0) < 0.015) else [1.0, *(
        sp * np.exp(np.linspace(-0.04, 0.04, 9)))]
    results: list[tuple[float, float, float]] = []
    for v in speeds:
        base = off + (sp - v) * centre  # lines through the range's centre
        coarse = base + np.arange(-span, span + 1e-9, 2 * src_dt)
        sc = np.array([total(float(o), v) for o in coarse])
        o0 = float(coarse[int(np.argmax(sc))])
        fine_grid = o0 + np.arange(-2 * src_dt, 2 * src_dt + 1e-9, src_dt / 2)
        sf = np.array([total(float(o), v) for o in fine_grid])
        top = sf.max()
        near = np.flatnonzero(sf >= top)
        o1 = float(fine_grid[near[len(near) // 2]])  # the middle of a plateau
        results.append((top, o1, v))
    top_all = max(r[0] for r in results)
    tied = [r for r in results if r[0] >= top_all - max(1.0, _TIE_FRACTION * pt.size)]
    best = tied[0] if len(tied) == 1 else max(tied, key=lambda r: closeness(r[1], r[2]))
    one = results[0]
    if best[2] != 1.0 and best[0] < one[0] + max(2.0, 0.1 * pt.size):
        best = one
    _, off, sp = best
    if 0.45 <= sp <= 2.2:
        c.offset_s, c.speed = off, sp


def _frame_sims(c: _Cand, pub: _Published, src: _SourceFrames, geometry: str) -> F32:
    """Similarity of each published frame to the source frame ``c`` maps it to.

    The best of the nearest source frame and its two neighbours (rounding, a frame of
    jitter).  NaN where the frame is generic or flat, or the source there is flat or
    not decoded.
    """
    out = np.full(pub.times.size, np.nan, np.float32)
    pred = c.offset_s + c.speed * pub.times
    ok = src.covered(pred) & (pred >= 0)
    if src.times.size == 0 or not ok.any():
        return out
    flat = pub.levels[geometry] < FLAT_LEVEL
    dt = float(np.median(np.diff(src.times))) if src.times.size > 1 else 1 / 30
    best = np.full(pub.times.size, np.nan, np.float32)
    for d in (-1.0, 0.0, 1.0):
        s = _mapped_sims(pub.times, pub.fines[geometry], src, c.offset_s + d * dt, c.speed,
                         tol=0.75 * dt + 1e-3, flat=flat)
        best = np.fmax(best, s)
    generic = pub.generic.get(geometry)
    if generic is not None:
        best[generic] = np.nan
    out[ok] = best[ok]
    return out


def _audio_agreement(c: _Cand, pub: _Published, vod: Fingerprint) -> F32:
    """Audio bit agreement of each published frame at ``c`` (0-1, ~0.2 s average).

    NaN without audio or at a speed other than 1.  The audio may be a few frames off
    the picture (an A/V offset): the lag within +-0.25 s of ``c``'s offset where the
    audio agrees best is used.
    """
    out = np.full(pub.times.size, np.nan, np.float32)
    pa = pub.audio
    if c.speed != 1.0 or pa.audio_hashes.size == 0 or vod.audio_hashes.size == 0:
        return out
    hop = pa.audio_hop_s
    d0 = int(round(c.offset_s / hop))
    base = np.arange(pa.audio_hashes.size) + pa.audio_k0 - vod.audio_k0
    best: F64 | None = None
    best_score = -np.inf
    w = 7
    for d in range(d0 - 8, d0 + 9):
        iv = base + d
        ok = (iv >= 0) & (iv < vod.audio_hashes.size)
        if not ok.any():
            continue
        ivc = np.clip(iv, 0, vod.audio_hashes.size - 1)
        ok &= pa.audio_valid & vod.audio_valid[ivc]
        agree = 1.0 - _popcount(pa.audio_hashes ^ vod.audio_hashes[ivc]) / 32.0
        num = np.convolve(np.where(ok, agree, 0.0), np.ones(w), mode="same")
        den = np.convolve(ok.astype(np.float64), np.ones(w), mode="same")
        with np.errstate(invalid="ignore", divide="ignore"):
            smooth = np.where(den >= w / 3, num / den, np.nan)
        score = float(np.nansum(np.clip(smooth - 0.55, 0.0, None)))
        if score > best_score:
            best_score, best = score, smooth
    if best is None:
        return out
    t_audio = pa.audio_time_s(np.arange(pa.audio_hashes.size))
    if pub.times.size:
        j = np.clip(np.searchsorted(t_audio, pub.times), 0, t_audio.size - 1)
        out = best[j].astype(np.float32)
    return out


_POP8 = np.array([bin(i).count("1") for i in range(256)], np.uint8)


def _popcount(x: NDArray[np.uint32]) -> NDArray[np.int64]:
    """Set bits of each uint32 (``np.bitwise_count`` where numpy has it)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x).astype(np.int64)  # type: ignore[no-any-return]
    v = np.ascontiguousarray(x, dtype=np.uint32).view(np.uint8).reshape(-1, 4)
    out: NDArray[np.int64] = _POP8[v].sum(axis=1, dtype=np.int64)
    return out


# =============================================================================== segments
def _assign(cands: list[_Cand], n: int, video: bool) -> NDArray[np.int64]:
    """Winning candidate per published frame (-1: none), with hysteresis."""
    if not cands:
        return np.full(n, -1, np.int64)
    score = np.full((len(cands), n), -np.inf, np.float32)
    for q, c in enumerate(cands):
        sim, aud = c.sim, c.aud
        if video:
            base = np.where(np.isnan(sim), -np.inf, sim)
            okv = base >= MATCH_SIM
            bonus = np.where(np.isnan(aud), 0.0, 0.5 * (aud - 0.5))
            sc = np.where(okv, base + bonus, -np.inf)
            # flat frames: the audio can carry them
            flat_ok = np.isnan(sim) & ~np.isnan(aud) & (aud >= AUDIO_MATCH)
            sc = np.where(flat_ok, MATCH_SIM + 0.5 * (aud - 0.5), sc)
            # a still picture matches along many lines: speed 1 is the likely one
            if c.speed != 1.0:
                sc = sc - _SPEED_PRIOR
        else:
            sc = np.where(~np.isnan(aud) & (aud >= AUDIO_MATCH), aud, -np.inf)
        score[q] = sc
    best = np.argmax(score, axis=0)
    top = score[best, np.arange(n)]
    win = np.where(np.isfinite(top), best, -1)
    # hysteresis: keep the previous winner while it is nearly as good
    out: NDArray[np.int64] = win.astype(np.int64)
    for j in range(1, n):
        prev = out[j - 1]
        if prev >= 0 and out[j] >= 0 and out[j] != prev and np.isfinite(score[prev, j]) \
                and score[prev, j] >= top[j] - _HYSTERESIS:
            out[j] = prev
    return out


def _runs(lab: NDArray[np.int64]) -> list[tuple[int, int, int]]:
    """(label, first, stop) runs of equal labels."""
    if lab.size == 0:
        return []
    edges = np.flatnonzero(np.diff(lab)) + 1
    starts = np.r_[0, edges]
    stops = np.r_[edges, lab.size]
    return [(int(lab[a]), int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def _same_mapping(c0: _Cand, c1: _Cand, t_s: float, step_s: float) -> bool:
    """Whether two candidates put published time ``t_s`` on one source place.

    Parameters
    ----------
    c0, c1 : _Cand
        The two mappings ``source = offset_s + speed * published``.
    t_s : float
        Published time where they are compared, seconds.
    step_s : float
        Published frame step, seconds (a frame and a half of the source is allowed).

    Returns
    -------
    bool
        Speeds within 2 % and source places within :data:`_SAME_MAPPING_S` seconds (or
        1.5 frames): collinear, one piece of the source.
    """
    return (abs(c0.speed - c1.speed) < 0.02
            and abs((c0.offset_s + c0.speed * t_s) - (c1.offset_s + c1.speed * t_s))
            <= max(_SAME_MAPPING_S, 1.5 * step_s * c1.speed))


def _drop_interruptions(lab: NDArray[np.int64], cands: list[_Cand], times: F64, video: bool,
                        *, step_s: float) -> NDArray[np.int64]:
    """Give a short false match inside one continuing mapping back to that mapping.

    A run of another candidate at most :data:`_INTERRUPTION_S` long whose nearest
    assigned neighbours on both sides follow one line (same speed, the source offset
    continuing across it; see :func:`_same_mapping`) is a chance match of
    self-similar content (slow game footage, a HUD), not a cut, when the continuing
    mapping matches the run's frames as well: none of the frames from one neighbour to
    the other mismatch (below :data:`MISMATCH_SIM`) and at least 80 % of the run's
    informative frames match (:data:`MATCH_SIM`).  Such a run is relabelled to the
    preceding neighbour.  A jump cut does not qualify (the offset jumps), nor a real
    insert (the continuing mapping mismatches the inserted frames).

    Parameters
    ----------
    lab : ndarray of int64, shape (n,)
        Candidate per published frame, -1 for none.
    cands : list of _Cand
        The candidates, with per-frame ``sim`` and ``aud`` filled.
    times : ndarray of float64, shape (n,)
        Published frame times, seconds.
    video : bool
        Whether the picture decides (else the audio agreement does).
    step_s : float
        Published frame step, seconds.

    Returns
    -------
    ndarray of int64, shape (n,)
        The labels with such runs relabelled.
    """
    out: NDArray[np.int64] = lab.astype(np.int64)
    runs = [r for r in _runs(out) if r[0] >= 0]
    thr = MATCH_SIM if video else AUDIO_MATCH
    for r in range(1, len(runs) - 1):
        q, a, b = runs[r]
        q0, _, b0 = runs[r - 1]
        q2, a2, _ = runs[r + 1]
        if q in (q0, q2) or float(times[b - 1]) + step_s - float(times[a]) > _INTERRUPTION_S:
            continue
        c0, c2 = cands[q0], cands[q2]
        if not _same_mapping(c0, c2, float(times[a]), step_s) or _same_mapping(
                c0, cands[q], float(times[a]), step_s):
            continue
        between = c0.sim[b0:a2] if video else c0.aud[b0:a2]
        known = between[~np.isnan(between)]
        if (known < MISMATCH_SIM).any():
            continue
        own = c0.sim[a:b] if video else c0.aud[a:b]
        own = own[~np.isnan(own)]
        if own.size == 0 or np.mean(own >= thr) < 0.8:
            continue
        out[a:b] = q0
        runs[r] = (q0, a, b)
    return out


def _fill_between(lab: NDArray[np.int64], cands: list[_Cand], times: F64, video: bool
                  ) -> NDArray[np.int64]:
    """Bridge short unassigned stretches: flat frames inside a run, crossfades between two."""
    out: NDArray[np.int64] = lab.astype(np.int64)
    runs = _runs(out)
    for r, (q, a, b) in enumerate(runs):
        if q != -1 or r == 0 or r == len(runs) - 1:
            continue
        q0, q1 = runs[r - 1][0], runs[r + 1][0]
        if q0 < 0 or q1 < 0 or (q0 != q1 and times[b - 1] - times[a] > _BRIDGE_S):
            continue
        s0 = np.nan_to_num(cands[q0].sim[a:b], nan=np.nan) if video else cands[q0].aud[a:b]
        s1 = np.nan_to_num(cands[q1].sim[a:b], nan=np.nan) if video else cands[q1].aud[a:b]
        bad0 = ~np.isnan(s0) & (s0 < MISMATCH_SIM)
        bad1 = ~np.isnan(s1) & (s1 < MISMATCH_SIM)
        if q0 == q1:
            if not bad0.any():
                out[a:b] = q0
            continue
        # two candidates meet (crossfade, fade through black): split where they cross
        if (bad0 & bad1).any():
            continue
        d = np.nan_to_num(s0, nan=0.0) - np.nan_to_num(s1, nan=0.0)
        if np.all(d == 0):
            cut = a + (b - a) // 2
        else:
            after = np.flatnonzero(d < 0)
            cut = a + (int(after[0]) if after.size else b - a)
        out[a:cut] = q0
        out[cut:b] = q1
    return out


# =============================================================================== entry
def _vod_analysis(vod: str | os.PathLike[str], cache: Any, progress: Any) -> MediaAnalysis:
    from ..cache import analysis_cached

    res: MediaAnalysis = analysis_cached(vod, cache=cache, progress=progress)
    return res


@overload
def align_published(vod: str | os.PathLike[str], published: str | os.PathLike[str], *,  # type: ignore[overload-overlap]
                    cache: str | os.PathLike[str] | AnalysisCache | None = None,
                    progress: Any = None) -> Alignment: ...


@overload
def align_published(vod: str | os.PathLike[str],
                    published: Sequence[str | os.PathLike[str]], *,
                    cache: str | os.PathLike[str] | AnalysisCache | None = None,
                    progress: Any = None) -> list[Alignment]: ...


def align_published(
    vod: str | os.PathLike[str],
    published: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    cache: str | os.PathLike[str] | AnalysisCache | None = None,
    progress: Any = None,
) -> Alignment | list[Alignment]:
    """Find which parts of a VOD a published edit (highlight video, short) shows.

    Parameters
    ----------
    vod : path-like
        The source recording.  It is analysed once (as :func:`highlights.find_highlights`
        does; with ``cache`` a previous analysis is reused), which also fingerprints it.
    published : path-like or sequence of path-like
        One published video, or several: the VOD is analysed once for all of them, and
        only the neighbourhoods each one matches are decoded again, at full frame rate.
    cache : path-like or AnalysisCache, optional
        Analysis cache directory (shared with ``find_highlights(cache=...)``).
    progress : None, bool or callable, optional
        Progress of the VOD analysis (``True``: a bar on stderr; a callable gets
        ``(done_s, total_s)``).

    Returns
    -------
    Alignment or list of Alignment
        One per published video (a list when a sequence was given): its segments, with
        source and published spans in seconds, speed and confidence, and its gaps.

    Raises
    ------
    MediaNotFoundError, MediaError
        A file is missing or not media.
    InvalidParameterError
        ``published`` is empty.

    Notes
    -----
    Robust to re-encoding (codec, bitrate, resolution), a 9:16 centre crop or the whole
    picture in a vertical frame with black or blurred padding, overlays, colour
    filters, music under the audio, loudness changes, fades and crossfades, jump cuts,
    a span used twice, speed changes between 0.5x and 2x, and a few frames of A/V
    offset.  Crops that are not centred (a box following the action) are not searched.
    Content the VOD itself repeats (a looped intro) matches every repeat: the earliest
    is reported, with a halved confidence and a note.

    Examples
    --------
    >>> al = align_published("vod.mp4", "short.mp4", cache="~/.cache/highlights")
    ... # doctest: +SKIP
    >>> [(s.source_start_s, s.source_end_s) for s in al.segments]  # doctest: +SKIP
    """
    single = isinstance(published, (str, os.PathLike))
    items: list[Any] = [published] if single else list(published)  # type: ignore[arg-type]
    if not items:
        raise fail("published", "align_published", "a published video or a list of them",
                   published)
    for p in items:
        if not isinstance(p, (str, os.PathLike)):
            raise fail("published", "align_published", "paths of published videos", p)
        probe(p)  # a missing or unreadable file fails before the VOD is analysed
    analysis = _vod_analysis(vod, cache, progress)
    fp = analysis.fingerprint
    if fp is None:  # pragma: no cover - analyses always carry one now
        raise MediaError(f"{vod!r}: the analysis has no fingerprint.", path=str(vod))
    src = _SourceFrames(analysis.info, max(fp.frame_size[0], 8) if fp.frame_size[0] else 160,
                        analysis.info.duration_s)
    out = [_align_one(analysis, src, p) for p in items]
    log.info("align: decoded %.1f s of the VOD again at full rate", src.decoded_s)
    return out[0] if single else out


def _align_one(analysis: MediaAnalysis, src: _SourceFrames, path: Any) -> Alignment:
    fp = analysis.fingerprint
    assert fp is not None
    has_vod_video = fp.frame_times_s.size > 0
    pub = _read_published(path, fp.frame_size if has_vod_video else (0, 0),
                          want_audio=fp.audio_hashes.size > 0)
    notes: list[str] = []
    video = has_vod_video and pub.times.size > 0
    n = pub.times.size
    if not video:  # audio only: frames are the published audio frames
        pa = pub.audio
        pub.times = pa.audio_time_s(np.arange(pa.audio_hashes.size)) - pa.audio_hop_s / 2
        pub.fps = 1.0 / pa.audio_hop_s
        n = pub.times.size
    cands = _audio_candidates(pub.audio, fp)
    geometries = list(pub.sigs) if video else []
    gop = float(np.median(np.diff(fp.frame_times_s))) if fp.frame_times_s.size > 1 else 2.0
    best_geo = geometries[0] if geometries else "same"
    if video:
        per_geo: dict[str, list[_Cand]] = {}
        for g in geometries:
            p, s, w = _pairs(pub, fp, g)
            per_geo[g] = _video_candidates(p, s, w, g, gop)
        if len(geometries) > 1:
            score = {g: sum(c.support for c in cs) for g, cs in per_geo.items()}
            best_geo = max(score, key=lambda g: score[g])
            other = [g for g in geometries if g != best_geo]
            if any(score[g] > 0 for g in other):
                notes.append(f"picture geometry: {best_geo} (the other guess matched "
                             f"{score[other[0]] / max(score[best_geo], 1e-9):.0%} as well)")
        vc = [c for c in per_geo.get(best_geo, []) if _verify(c, pub, fp, best_geo)]
        for c in cands:
            c.geometry = best_geo
        # a picture candidate the audio found already adds nothing
        for c in vc:
            if not any(abs(a.offset_s - c.offset_s) < 0.5 and c.speed == 1.0 for a in cands):
                cands.append(c)
        # fine: decode the neighbourhoods
        src.ensure([(c.offset_s + c.speed * (c.pa - _MARGIN_S),
                     c.offset_s + c.speed * (c.pb + _MARGIN_S)) for c in cands])
        for c in cands:
            _refine(c, pub, src, best_geo)
        cands = _dedupe(cands)
        for _ in range(40):  # extend decoding while a run reaches an undecoded edge
            more = []
            for c in cands:
                c.sim = _frame_sims(c, pub, src, best_geo)
                more += _edges_to_extend(c, pub, src)
            if not more:
                break
            src.ensure(more)
    for c in cands:
        if not video:
            c.sim = np.full(n, np.nan, np.float32)
        c.aud = _audio_agreement(c, pub, fp)
    lab = _assign(cands, n, video)
    lab = _drop_interruptions(lab, cands, pub.times, video, step_s=1.0 / max(pub.fps, 1e-6))
    lab = _fill_between(lab, cands, pub.times, video)
    segments, gaps = _segments(lab, cands, pub, video, notes, fp)
    return Alignment(vod=str(analysis.info.path), published=str(pub.info.path),
                     published_duration_s=pub.duration_s, segments=tuple(segments),
                     gaps=tuple(gaps), notes=tuple(notes), geometry=best_geo)


def _dedupe(cands: list[_Cand]) -> list[_Cand]:
    out: list[_Cand] = []
    for c in sorted(cands, key=lambda c: -c.support):
        if any(abs(c.offset_s - d.offset_s) < 0.08 and abs(c.speed - d.speed) < 0.01
               for d in out):
            continue
        out.append(c)
    return sorted(out, key=lambda c: (c.offset_s, c.speed))


def _edges_to_extend(c: _Cand, pub: _Published, src: _SourceFrames) -> list[tuple[float, float]]:
    """Source ranges to decode where ``c``'s matching run reaches the decoded edge."""
    sim = c.sim
    good = ~np.isnan(sim) & (sim >= MATCH_SIM)
    if not good.any():
        return []
    out = []
    pred = c.offset_s + c.speed * pub.times
    cov = src.covered(pred)
    idx = np.flatnonzero(good)
    for j, step in ((int(idx[0]), -1), (int(idx[-1]), 1)):
        k = j + step
        # walk through flat frames
        while 0 <= k < pub.times.size and np.isnan(sim[k]) and cov[k]:
            k += step
        if 0 <= k < pub.times.size and not cov[k] and 0 <= pred[k] < src.duration_s:
            t = float(pred[k])
            out.append((t, t + _EXTEND_S) if step > 0 else (t - _EXTEND_S, t + 0.01))
    return out


def _segments(lab: NDArray[np.int64], cands: list[_Cand], pub: _Published, video: bool,
              notes: list[str], fp: Fingerprint) -> tuple[list[AlignedSegment],
                                                         list[tuple[float, float]]]:
    times = pub.times
    step = 1.0 / max(pub.fps, 1e-6)
    # runs of one candidate; neighbours with the same mapping (two candidates that
    # differ by a frame, or a run broken by a few frames) are joined
    lab = lab.copy()
    for q, a, b in _runs(lab):  # runs too short to be a segment are no one's
        if q >= 0 and float(times[b - 1]) + step - float(times[a]) < MIN_SEGMENT_S:
            lab[a:b] = -1
    merged: list[list[int]] = []
    for q, a, b in _runs(lab):
        if q < 0:
            continue
        if merged:
            q0, a0, b0 = merged[-1]
            c0, c1 = cands[q0], cands[q]
            t = float(times[a])
            same = _same_mapping(c0, c1, t, step)
            if same and t - float(times[b0 - 1]) <= _BRIDGE_S:
                keep = q0 if (b0 - a0) >= (b - a) else q
                merged[-1] = [keep, a0, b]
                continue
        merged.append([q, a, b])
    segs: list[AlignedSegment] = []
    for q, a, b in merged:
        c = cands[q]
        p0 = float(times[a])
        p1 = float(times[b - 1]) + step
        if p1 - p0 < MIN_SEGMENT_S:
            continue
        sims = c.sim[a:b]
        auds = c.aud[a:b]
        has_v = video and bool((~np.isnan(sims)).any())
        has_a = bool((~np.isnan(auds)).any()) and float(np.nanmean(auds)) >= AUDIO_MATCH
        if has_v:
            q_v = float(np.nanmedian(sims))
            conf = (q_v - MISMATCH_SIM) / (1.0 - MISMATCH_SIM)
        else:
            q_a = float(np.nanmedian(auds)) if has_a else 0.5
            conf = (q_a - 0.5) / 0.35
        conf = float(np.clip(conf, 0.0, 1.0)) * min(1.0, (p1 - p0) / 1.0)
        # the same content elsewhere in the VOD (a repeat)?
        rivals = [r for r, o in enumerate(cands)
                  if r != q and abs(o.offset_s - c.offset_s) > 3.0
                  and _explains(o, c, a, b, video)]
        if rivals:
            conf *= 0.5
            others = ", ".join(f"{cands[r].offset_s + cands[r].speed * p0:.1f} s"
                               for r in rivals[:3])
            notes.append(f"published {p0:.2f}-{p1:.2f} s also matches the VOD at {others} "
                         "(repeated content); the earliest match is reported")
        evidence = "picture+audio" if has_v and has_a else "picture" if has_v else "audio"
        segs.append(AlignedSegment(
            source_start_s=round(c.offset_s + c.speed * p0, 4),
            source_end_s=round(c.offset_s + c.speed * p1, 4),
            published_start_s=round(p0, 4), published_end_s=round(p1, 4),
            speed=round(c.speed, 4), confidence=round(conf, 3), evidence=evidence))
    # gaps: what no segment covers
    gaps: list[tuple[float, float]] = []
    edges = [(0.0, 0.0)] + [(s.published_start_s, s.published_end_s) for s in segs] + [
        (pub.duration_s, pub.duration_s)]
    for (_, e0), (s1, _) in zip(edges[:-1], edges[1:], strict=True):
        if s1 - e0 >= MIN_GAP_S:
            gaps.append((round(e0, 4), round(s1, 4)))
    return segs, gaps


def _explains(c: _Cand, winner: _Cand, a: int, b: int, video: bool) -> bool:
    """Whether candidate ``c`` matches frames ``[a, b)`` as well as ``winner`` does."""
    s = c.sim[a:b] if video else c.aud[a:b]
    w = winner.sim[a:b] if video else winner.aud[a:b]
    ok = ~np.isnan(s) & ~np.isnan(w)
    if ok.sum() < max(3, (b - a) // 3):
        return False
    thr = MATCH_SIM if video else AUDIO_MATCH
    return bool(np.mean(s[ok] >= thr) >= 0.9 and np.mean(s[ok]) >= np.mean(w[ok]) - 0.02)
