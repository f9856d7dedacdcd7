"""Timeline plot of a result: signals, fused score and chosen clips on one h:mm:ss axis."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._atomic import atomic_output

if TYPE_CHECKING:  # pragma: no cover
    from ..result import Highlights

__all__ = ["plot_highlights"]

_UNITS = {
    "audio_rms_db": "dB",
    "chat_rate": "msg/s",
    "chat_unique": "authors/s",
    "video_bytes": "bytes",
}


def plot_highlights(
    result: Highlights,
    *,
    signals: list[str] | None = None,
    path: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    truth: list[tuple[float, float]] | None = None,
) -> Any:
    """Draw ``result`` (see :meth:`highlights.Highlights.plot`)."""
    try:
        import matplotlib

        if path is not None and not os.environ.get("DISPLAY"):
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, MaxNLocator
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plot() needs matplotlib: pip install 'stream-highlights[plot]'") from exc
    from .._format import format_hms

    if signals is None:
        signals = [k for k in result.timelines if k in result.components] or list(result.timelines)
    names = [s for s in signals if s in result.timelines]
    rows = len(names) + 1
    fig, axes = plt.subplots(
        rows, 1, sharex=True, figsize=(12, 1.3 * rows + 1.2), squeeze=False,
        gridspec_kw={"height_ratios": [1] * len(names) + [1.6]},
    )
    axs = axes[:, 0]
    for ax, name in zip(axs, names):
        tl = result.timelines[name]
        ax.plot(tl.centers(), tl.values, lw=0.7, color="0.25")
        unit = _UNITS.get(name, "")
        ax.set_ylabel(f"{name}\n{unit}".strip(), rotation=0, ha="right", va="center", fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(3))
    ax = axs[-1]
    ax.plot(result.score.centers(), result.score.values, lw=0.9, color="C0")
    ax.axhline(float(result.params.get("threshold", 0.0)), color="0.6", lw=0.6, ls="--")
    ax.set_ylabel("fused\nscore", rotation=0, ha="right", va="center", fontsize=8)
    for a in axs:
        for c in result.clips:
            a.axvspan(c.start_s, c.end_s, color="C1", alpha=0.25, lw=0)
        for s, e in truth or []:
            a.axvspan(s, e, color="C2", alpha=0.18, lw=0)
    for c in result.clips:
        ax.annotate(
            f"#{c.rank}", (c.peak_s, c.score), textcoords="offset points", xytext=(0, 3),
            ha="center", fontsize=7, color="C1",
        )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: format_hms(x)))
    ax.set_xlim(result.score.start_s, result.score.end_s)
    ax.set_xlabel("time (h:mm:ss)")
    title = f"{Path(result.source).name or 'highlights'}: {len(result.clips)} clips"
    if truth:
        title += " (orange = chosen, green = reference)"
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 0.97))  # leave room for the title
    if path is not None:
        try:
            with atomic_output(path, overwrite=overwrite) as tmp:
                fig.savefig(tmp, dpi=110)
        except Exception:
            plt.close(fig)
            raise
    return fig
