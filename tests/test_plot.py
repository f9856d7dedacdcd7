"""The timeline plot: CJK text without warnings, flat signals left out, title, legend."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from highlights import find_highlights
from highlights.result import Highlights

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

CJK = "直播 配信 라이브"


@pytest.fixture(scope="module")
def result() -> Highlights:
    """Chat-only: plain message times, so chat_react and chat_value are all zero."""
    rng = np.random.default_rng(0)
    times = np.sort(np.r_[rng.uniform(0, 600, 600), rng.normal(300, 3, 200),
                          rng.normal(450, 2, 120)])
    return find_highlights(None, chat=times, n=3, duration_s=600.0, chat_lag_s=0.0,
                           min_len_s=10.0, max_len_s=40.0, min_gap_s=5.0)


def cjk(result: Highlights) -> Highlights:
    clips = tuple(replace(c, label=f"{CJK} #{c.rank}", keywords=("草", "ㅋㅋㅋ", "哈哈"))
                  for c in result.clips)
    return replace(result, source=f"/vods/{CJK}.mp4", clips=clips)


def test_cjk_text_plots_without_warnings(result: Highlights, tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = cjk(result).plot(path=tmp_path / "p.png", truth=[(290.0, 310.0)])
        fig.canvas.draw()  # drawn again later (a notebook): still no warning
    assert [str(w.message) for w in caught] == []
    assert fig._suptitle.get_text().startswith(f"{CJK}.mp4")
    assert (tmp_path / "p.png").stat().st_size > 10_000


def test_cli_plot_with_a_cjk_name_prints_no_warning(result: Highlights, tmp_path: Path) -> None:
    chat = tmp_path / f"{CJK}.json"
    rng = np.random.default_rng(1)
    times = np.sort(np.r_[rng.uniform(0, 300, 300), rng.normal(150, 2, 100)])
    events = [{"time_s": float(t), "author": f"观众{i % 40}", "text": "草 哈哈哈 ㅋㅋㅋ"}
              for i, t in enumerate(times)]
    chat.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    for quiet in ([], ["-q"]):
        png = tmp_path / f"p{len(quiet)}.png"
        out = subprocess.run([sys.executable, "-m", "highlights", "find", "--chat", str(chat),
                              "-n", "2", "--min-len", "10", "--plot", str(png), *quiet],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        assert "Glyph" not in out.stderr and "Warning" not in out.stderr, out.stderr
        assert png.stat().st_size > 10_000


def test_flat_signals_get_no_panel(result: Highlights) -> None:
    flat = {k for k, t in result.timelines.items()
            if np.all(np.isnan(t.values) | (t.values == 0))}
    assert {"chat_react", "chat_value"} <= flat  # plain times: no reactions, no gifts
    shown = [k for k in result.timelines if k in result.components and k not in flat]
    fig = result.plot()
    assert len(fig.axes) == len(shown) + 1  # + the fused score
    labels = [ax.get_ylabel().split("\n")[0] for ax in fig.axes]
    assert labels == [*shown, "fused"]
    # Asked for by name, a flat signal is drawn.
    assert len(result.plot(signals=["chat_value"]).axes) == 2


@pytest.mark.parametrize(("n", "text"), [(0, "0 clips"), (1, "1 clip"), (3, "3 clips")])
def test_title_counts_clips(result: Highlights, n: int, text: str) -> None:
    fig = replace(result, clips=result.clips[:n]).plot()
    assert fig._suptitle.get_text().endswith(f": {text}")


def test_legend_names_the_shading(result: Highlights) -> None:
    (legend,) = result.plot().legends
    assert [t.get_text() for t in legend.get_texts()] == ["chosen clips"]
    (legend,) = result.plot(truth=[(290.0, 310.0)]).legends
    assert [t.get_text() for t in legend.get_texts()] == ["chosen clips", "reference"]


def test_rank_labels_stay_inside_the_score_axis(result: Highlights) -> None:
    fig = result.plot()
    fig.canvas.draw()
    score_ax = fig.axes[-1]
    box = score_ax.get_window_extent()
    labels = [t for t in score_ax.texts if t.get_text().startswith("#")]
    assert len(labels) == len(result.clips) >= 1
    for label in labels:
        ext = label.get_window_extent()
        assert box.y0 <= ext.y0 and ext.y1 <= box.y1, label.get_text()


def test_font_families_keep_the_default_first() -> None:
    from matplotlib import font_manager, rcParams

    from highlights.export.plot import CJK_FONTS, font_families

    families = font_families()
    default = list(rcParams["font.family"])
    assert families[: len(default)] == default
    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk_installed = sorted(n for n in installed if n.startswith(CJK_FONTS))
    if cjk_installed:
        assert any(f in cjk_installed for f in families)
    else:
        assert not any(f.startswith(CJK_FONTS) for f in families)
