"""Timeline plot of a result: signals, fused score and chosen clips on one h:mm:ss axis.

Text may hold CJK (a stream's file name, chat-derived labels): the plot draws it with
a CJK-capable font when one is installed (Noto Sans CJK, Source Han Sans, WenQuanYi,
Droid Sans Fallback, or the system CJK fonts of Windows and macOS), found through
matplotlib's font manager.  Without one, characters no font has are drawn as boxes
(matplotlib's Last Resort font, from 3.10 on) and matplotlib's "Glyph ... missing"
warnings are not shown: the plot is still right, and the warning is not the user's
to act on.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._atomic import atomic_output

if TYPE_CHECKING:  # pragma: no cover
    from ..result import Highlights

__all__ = ["plot_highlights", "font_families", "CJK_FONTS"]

_UNITS = {
    "audio_rms_db": "dB",
    "chat_rate": "msg/s",
    "chat_unique": "authors/s",
    "video_bytes": "bytes",
}
#: Font families able to draw Chinese, Japanese and Korean, best first; a name matches
#: an installed family that starts with it ("Noto Sans CJK" matches "Noto Sans CJK JP").
CJK_FONTS = ("Noto Sans CJK", "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Droid Sans Fallback", "Noto Sans SC", "Noto Sans TC", "Noto Sans JP",
             "Noto Sans KR", "Microsoft YaHei", "PingFang", "Hiragino Sans", "Yu Gothic",
             "Malgun Gothic", "SimHei", "Noto Serif CJK", "Source Han Serif")
#: matplotlib's font with a box for every code point (bundled from matplotlib 3.10).
_LAST_RESORT = "Last Resort High-Efficiency"
_GLYPH_WARNING = r"Glyph .* missing from (current )?font"
#: Height of the band above the panels that holds the title and the legend, inches.
_TITLE_IN = 0.3
#: Room above the fused score's highest point for the "#rank" labels, points.
_LABEL_PT = 14.0
_CLIP_COLOR, _CLIP_ALPHA = "C1", 0.25
_TRUTH_COLOR, _TRUTH_ALPHA = "C2", 0.18


def font_families() -> list[str]:
    """Return the font family list the plot uses: the current one, then fallbacks.

    The current ``rcParams["font.family"]`` comes first (Latin text keeps its
    look), then the first installed family of :data:`CJK_FONTS`, then matplotlib's
    Last Resort font when it has one; matplotlib falls back glyph by glyph along
    the list.
    """
    from matplotlib import font_manager, rcParams

    families = list(rcParams["font.family"])
    installed = sorted({f.name for f in font_manager.fontManager.ttflist})
    cjk = next((name for prefix in CJK_FONTS for name in installed
                if name.startswith(prefix)), None)
    for extra in (cjk, _LAST_RESORT if _LAST_RESORT in installed else None):
        if extra is not None and extra not in families:
            families.append(extra)
    return families


@contextmanager
def _text_context() -> Iterator[None]:
    """Fonts with CJK fallbacks, and no missing-glyph warnings, for what is drawn inside."""
    import matplotlib.pyplot as plt

    with plt.rc_context({"font.family": font_families()}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING, category=UserWarning)
        yield


def _is_flat(values: Any) -> bool:
    """True for a signal with nothing to show: all zero, all NaN, or both."""
    v = np.asarray(values, dtype=np.float64)
    return bool(np.all(np.isnan(v) | (v == 0.0)))


def plot_highlights(
    result: Highlights,
    *,
    signals: list[str] | None = None,
    path: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    truth: list[tuple[float, float]] | None = None,
) -> Any:
    """Draw ``result`` (see :meth:`highlights.Highlights.plot`).

    One panel per signal (by default the weighted signals, leaving out those that are
    all zero or NaN, e.g. paid messages in a stream without any), then the fused score
    with a ``#rank`` label at each clip's peak.  Chosen clips are shaded orange and
    ``truth`` spans green, with a legend.
    """
    try:
        import matplotlib

        if path is not None and not os.environ.get("DISPLAY"):
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plot() needs matplotlib: pip install 'stream-highlights[plot]'") from exc

    if signals is None:
        signals = [k for k in result.timelines if k in result.components] or list(result.timelines)
        signals = [k for k in signals if not _is_flat(result.timelines[k].values)]
    names = [s for s in signals if s in result.timelines]
    with _text_context():
        fig = _draw(result, names, truth)
        if path is not None:
            try:
                with atomic_output(path, overwrite=overwrite) as tmp:
                    fig.savefig(tmp, dpi=110)
            except Exception:
                plt.close(fig)
                raise
    return fig


def _draw(result: Highlights, names: list[str], truth: list[tuple[float, float]] | None
          ) -> Any:
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from .._format import format_hms

    rows = len(names) + 1
    fig, axes = plt.subplots(
        rows, 1, sharex=True, figsize=(12, 1.3 * rows + 1.2), squeeze=False,
        gridspec_kw={"height_ratios": [1] * len(names) + [1.6]},
    )
    axs = axes[:, 0]
    for ax, name in zip(axs, names, strict=False):
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
            a.axvspan(c.start_s, c.end_s, color=_CLIP_COLOR, alpha=_CLIP_ALPHA, lw=0)
        for s, e in truth or []:
            a.axvspan(s, e, color=_TRUTH_COLOR, alpha=_TRUTH_ALPHA, lw=0)
    for c in result.clips:
        ax.annotate(
            f"#{c.rank}", (c.peak_s, c.score), textcoords="offset points", xytext=(0, 3),
            ha="center", va="bottom", fontsize=7, color=_CLIP_COLOR,
        )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: format_hms(x)))
    ax.set_xlim(result.score.start_s, result.score.end_s)
    ax.set_xlabel("time (h:mm:ss)")
    n = len(result.clips)
    fig.suptitle(f"{Path(result.source).name or 'highlights'}: {n} clip{'' if n == 1 else 's'}",
                 fontsize=10)
    handles = [Patch(color=_CLIP_COLOR, alpha=_CLIP_ALPHA, lw=0, label="chosen clips")]
    if truth:
        handles.append(Patch(color=_TRUTH_COLOR, alpha=_TRUTH_ALPHA, lw=0, label="reference"))
    # The legend shares the title's band, at the right; tight_layout leaves that band free.
    fig.legend(handles=handles, loc="upper right", ncol=len(handles), fontsize=8,
               frameon=False, borderaxespad=0.3)
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 1.0 - _TITLE_IN / fig.get_figheight()))
    _make_room_for_labels(fig, ax, [c.score for c in result.clips])
    return fig


def _make_room_for_labels(fig: Any, ax: Any, peaks: list[float]) -> None:
    """Raise the score axis' top so that the ``#rank`` labels above peaks stay inside it."""
    finite = [p for p in peaks if np.isfinite(p)]
    if not finite:
        return
    lo, hi = ax.get_ylim()
    height_pt = ax.get_position().height * fig.get_figheight() * 72.0
    need = min(_LABEL_PT / max(height_pt, 1.0), 0.5)  # label height as a share of the axis
    top = (max(finite) - need * lo) / (1.0 - need)
    if top > hi:
        ax.set_ylim(lo, top)
