"""Slow, obvious loop twins of the vectorised core, to check the fast versions against."""

from __future__ import annotations

import math

import numpy as np


def regrid(values, src_hop, src_start, dst_hop, dst_start, n, how):
    """Re-grid by explicit overlap computation, one target bin at a time."""
    out = np.zeros(n)
    for i in range(n):
        a = dst_start + i * dst_hop
        b = a + dst_hop
        acc = 0.0
        cov = 0.0
        best = -math.inf
        for j, v in enumerate(values):
            sa = src_start + j * src_hop
            sb = sa + src_hop
            ov = min(b, sb) - max(a, sa)
            if ov <= 1e-12 or np.isnan(v):
                continue
            acc += v * ov / src_hop
            cov += ov / src_hop
            best = max(best, v)
        if how == "sum":
            out[i] = acc
        elif how == "mean":
            out[i] = acc / cov if cov > 1e-9 else np.nan
        elif how == "max":
            out[i] = best if best > -math.inf else np.nan
    return out


def moving_average(values, width):
    n = len(values)
    half = width // 2
    out = np.full(n, np.nan)
    for i in range(n):
        seg = [v for v in values[max(0, i - half) : max(0, i - half + width)] if not np.isnan(v)]
        if seg:
            out[i] = sum(seg) / len(seg)
    return out


def sliding_max(values, radius):
    n = len(values)
    return np.array([max(values[max(0, i - radius) : i + radius + 1]) for i in range(n)])


def peak_candidates(values, radius, threshold):
    out = []
    for i in range(len(values)):
        window = values[max(0, i - radius) : i + radius + 1]
        if values[i] >= max(window) and values[i] > threshold:
            out.append(i)
    return out


def global_zscore(values):
    """Robust z-score with one global median and MAD (baseline_s=None), no clipping."""
    v = np.asarray(values, dtype=float)
    med = float(np.median(v))
    mad = 1.4826 * float(np.median([abs(x - med) for x in v]))
    if mad == 0:
        mad = 1.2533 * float(np.mean([abs(x - med) for x in v]))
    return [(x - med) / mad for x in v]
