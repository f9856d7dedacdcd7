"""Scene change and motion per hop, and hard-cut detection, from small decoded frames.

:class:`VideoFeatures` is a sink for the frames :func:`highlights.io.media.demux`
hands over (small Y/U/V planes, ~160 px wide, timed by PTS).  For each pair of
consecutive frames it computes

* the **content distance** of PySceneDetect's ``ContentDetector``: the mean absolute
  difference of the H, S and V channels (OpenCV 8-bit HSV), averaged with weights
  1/1/1 (no edges).  The small BGR image is rebuilt from the Y and resized U/V planes
  with one ``cv2.transform`` (BT.601), so no full-size RGB conversion is ever made;
* **motion**: mean absolute difference of the small gray (Y) frames, divided by the
  time between the two frames (gray levels per second), so it is comparable across
  frame rates and decoding modes.

Per hop, ``scene`` keeps the maximum and ``motion`` the mean.  When frames are sparse
(keyframes only, sampled), a pair's value covers every hop between its two frames.
Hard cuts use ContentDetector's rule: distance >= ``threshold`` (27) with its
``FlashFilter`` "merge" logic enforcing a minimum scene length - in seconds here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .packets import HopBins

__all__ = ["VideoFeatures", "CutDetector", "yuv_to_hsv",
           "content_distance"]

# 3x4 affine YUV -> BGR matrices (rows B, G, R; columns Y, U, V, offset).
_K_LIMITED = np.array([
    [1.164383, 2.017232, 0.0],
    [1.164383, -0.391762, -0.812968],
    [1.164383, 0.0, 1.596027],
])
_K_FULL = np.array([
    [1.0, 1.772, 0.0],
    [1.0, -0.344136, -0.714136],
    [1.0, 0.0, 1.402],
])


def _luts(k: NDArray[np.float64], y0: float) -> tuple[NDArray[np.float32], ...]:
    """Float32 lookup tables: luma term, then U->B, U->G, V->G, V->R chroma terms."""
    x = np.arange(256, dtype=np.float64)
    luma = k[0, 0] * (x - y0)
    c = x - 128.0
    return tuple(t.astype(np.float32).reshape(1, 256) for t in (
        luma, k[0, 1] * c, k[1, 1] * c, k[1, 2] * c, k[2, 2] * c))


_LUT_LIMITED = _luts(_K_LIMITED, 16.0)
_LUT_FULL = _luts(_K_FULL, 0.0)
_MAX_SPAN_S = 20.0  # a frame pair further apart than this only fills the later hop
_MIN_GAP_S = 1 / 240  # motion is per second of frame gap; tinier gaps are timestamp jitter


def yuv_to_hsv(y: NDArray[np.uint8], u: NDArray[np.uint8], v: NDArray[np.uint8], *,
               full_range: bool = False) -> NDArray[np.uint8]:
    """OpenCV 8-bit HSV image (H in [0, 180)) from equally-sized Y, U, V planes.

    The luma term is computed once and shared by B, G and R, so a gray pixel stays
    exactly gray after rounding (otherwise near-black pixels get random hues).
    """
    import cv2 as _cv2

    cv2: Any = _cv2
    lum, ub, ug, vg, vr = _LUT_FULL if full_range else _LUT_LIMITED
    luma = cv2.LUT(y, lum)
    b = cv2.add(luma, cv2.LUT(u, ub))
    g = cv2.add(luma, cv2.add(cv2.LUT(u, ug), cv2.LUT(v, vg)))
    r = cv2.add(luma, cv2.LUT(v, vr))
    # negatives -> 0, then round and saturate to uint8
    _, pos = cv2.threshold(cv2.merge((b, g, r)), 0.0, 0.0, cv2.THRESH_TOZERO)
    bgr = cv2.convertScaleAbs(pos)
    hsv: NDArray[np.uint8] = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    return hsv


def content_distance(hsv_a: NDArray[np.uint8], hsv_b: NDArray[np.uint8]) -> float:
    """ContentDetector's frame score: mean over H, S, V of the mean absolute difference."""
    import cv2

    m = cv2.mean(cv2.absdiff(hsv_a, hsv_b))
    return float((m[0] + m[1] + m[2]) / 3.0)


class CutDetector:
    """PySceneDetect's threshold + ``FlashFilter`` (merge mode), lengths in seconds.

    Call it once per frame, in time order, with the frame's content distance to the
    previous frame (0 for the first frame); it returns the cut time or None.
    """

    def __init__(self, *, threshold: float = 27.0, min_scene_len_s: float = 0.6) -> None:
        self.threshold = float(threshold)
        self.min_len = float(min_scene_len_s)
        self._last_above: float | None = None
        self._merge_enabled = False
        self._merge_triggered = False
        self._merge_start = 0.0
        self.cuts: list[float] = []

    def _met(self, a: float, b: float) -> bool:
        return b - a >= self.min_len - 1e-9

    def __call__(self, t_s: float, score: float) -> float | None:
        """Feed one frame; return the time of a cut emitted now, if any."""
        above = score >= self.threshold
        if self.min_len <= 0:
            return self._emit(t_s) if above else None
        if self._last_above is None:
            self._last_above = t_s
        met = self._met(self._last_above, t_s)
        if above:
            self._last_above = t_s
        if self._merge_triggered:
            if met and not above and self._met(self._merge_start, self._last_above):
                self._merge_triggered = False
                return self._emit(self._last_above)
            return None
        if not above:
            return None
        if met:
            self._merge_enabled = True
            return self._emit(t_s)
        if self._merge_enabled:
            self._merge_triggered = True
            self._merge_start = t_s
        return None

    def _emit(self, t_s: float) -> float:
        self.cuts.append(t_s)
        return t_s


class VideoFeatures:
    """Per-hop ``scene`` (max content distance) and ``motion`` from consecutive frames.

    Parameters
    ----------
    hop_s : float
        Hop of the output grid, seconds.
    n_hint : int
        Expected number of hops.
    lo, hi : int
        Only hops ``lo <= i < hi`` are kept; cuts only inside ``[lo, hi) * hop_s``.
    threshold, min_scene_len_s : float
        Hard-cut rule (see :class:`CutDetector`).
    """

    def __init__(self, *, hop_s: float, n_hint: int, lo: int = 0, hi: int | None = None,
                 threshold: float = 27.0, min_scene_len_s: float = 0.6) -> None:
        self.hop_s = float(hop_s)
        self.scene = HopBins(n_hint, lo=lo, hi=hi)
        self.motion = HopBins(n_hint, lo=lo, hi=hi)
        self.cut = CutDetector(threshold=threshold, min_scene_len_s=min_scene_len_s)
        self._t_lo = lo * self.hop_s
        self._t_hi = np.inf if hi is None else hi * self.hop_s
        self._prev: tuple[float, NDArray[np.uint8], NDArray[np.uint8]] | None = None

    def __call__(self, t_s: float, y: NDArray[np.uint8], u: NDArray[np.uint8],
                 v: NDArray[np.uint8], full_range: bool) -> None:
        """Take one frame at ``t_s`` seconds (small planes, reduced immediately)."""
        import cv2

        hsv = yuv_to_hsv(y, u, v, full_range=full_range)
        prev = self._prev
        score = 0.0
        if prev is not None and prev[1].shape == y.shape:
            t0, y0, hsv0 = prev
            dt = t_s - t0
            if dt <= 0:  # duplicate / out-of-order timestamp: nothing to compare
                return
            score = content_distance(hsv, hsv0)
            mot = float(cv2.mean(cv2.absdiff(y, y0))[0]) / max(dt, _MIN_GAP_S)
            h1 = int(np.floor(t_s / self.hop_s + 1e-9))
            h0 = int(np.floor(t0 / self.hop_s + 1e-9)) + 1
            if h0 > h1 or dt > _MAX_SPAN_S:
                h0 = h1
            self.scene.add_span(h0, last=h1, value=score)
            self.motion.add_span(h0, last=h1, value=mot)
        self._prev = (t_s, y, hsv)
        cut = self.cut(t_s, score)
        if cut is not None and not (self._t_lo <= cut < self._t_hi):
            self.cut.cuts.pop()

    def timelines(self, n: int) -> dict[str, NDArray[np.float32]]:
        """``scene`` (max per hop) and ``motion`` (mean per hop), NaN where no frame pair."""
        return {"scene": self.scene.maximum(n), "motion": self.motion.mean(n)}

    def cuts_s(self) -> NDArray[np.float64]:
        """Hard-cut times in seconds, sorted."""
        return np.asarray(sorted(self.cut.cuts), dtype=np.float64)
