"""Signals derived from other signals' timelines (no decoding, pure numpy).

``chat_onset``: chat reacts to a moment with a burst that rises within a second or two
and then decays over 10-20 s.  After the chat lag is removed, the *level* of chat
activity therefore covers the moment plus a long tail, which drags clip ends late and
steals room from the next moment.  The *onset* -- how much more chat there is in the
next ``window_s`` than in the previous ``window_s`` -- is a pulse centred on the start
of the reaction, i.e. on the moment itself.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._window import window_mean
from ..timeline import Timeline

__all__ = ["chat_onset", "add_derived"]


def chat_onset(rate: Timeline, *, window_s: float = 3.0) -> Timeline:
    """Positive rise of a chat-activity timeline around each hop.

    ``onset[i] = max(0, mean(rate[i : i + w]) - mean(rate[i - w : i]))`` with
    ``w = window_s / hop_s`` hops (windows clipped at the edges; NaN counts as 0).

    Parameters
    ----------
    rate : Timeline
        Chat activity per hop (e.g. ``chat_rate``), already shifted by the chat lag.
    window_s : float, default 3.0
        Length of the before/after windows, seconds.

    Returns
    -------
    Timeline
        Named ``"chat_onset"``, same grid, in the units of ``rate``.

    Examples
    --------
    >>> tl = Timeline(values=[0, 0, 0, 0, 5, 5, 5, 4, 3, 2, 1, 0], hop_s=1.0)
    >>> int(np.argmax(chat_onset(tl, window_s=2.0).values))
    4
    """
    v = np.nan_to_num(rate.values.astype(np.float64), nan=0.0)
    w = max(1, int(round(window_s / rate.hop_s)))
    after = window_mean(v, lo=0, hi=w - 1)
    before = window_mean(v, lo=-w, hi=-1)  # 0 at the first hop (empty window)
    out = np.maximum(after - before, 0.0).astype(np.float32)
    return Timeline(values=out, hop_s=rate.hop_s, start_s=rate.start_s, name="chat_onset")


def add_derived(timelines: Mapping[str, Timeline]) -> dict[str, Timeline]:
    """Return ``timelines`` plus every derived signal that can be computed from them."""
    out = dict(timelines)
    if "chat_rate" in out and "chat_onset" not in out:
        out["chat_onset"] = chat_onset(out["chat_rate"])
    return out
