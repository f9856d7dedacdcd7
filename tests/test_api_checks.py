"""Issue 10 on the Python side: order checks, unusable chat logs, chat anchoring,
``duration_s`` of chat-only results, and budgets that cannot be met."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from highlights import (
    ChatLogError,
    ChatWarning,
    HighlightsWarning,
    InvalidParameterError,
    find_highlights,
)
from highlights.errors import BudgetWarning
from media_factory import make_media

PICK = {"min_len_s": 2.0, "max_len_s": 4.0, "pad_s": (1.0, 1.0), "min_gap_s": 1.0}


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_media(tmp_path_factory.mktemp("api_checks") / "a.mp4", duration_s=8.0,
                      bursts_s=((3.0, 4.0),))


def _chat_times(seed: int = 0, duration_s: float = 600.0, bursts=(300.0,)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    parts = [rng.uniform(0, duration_s, int(duration_s))]
    parts += [rng.normal(b, 2.0, 200) for b in bursts]
    t = np.sort(np.concatenate(parts))
    return t[(t >= 0) & (t < duration_s)]


# ------------------------------------------------------------------ item 8: order
def test_find_highlights_rejects_unknown_order():
    with pytest.raises(InvalidParameterError, match="order"):
        find_highlights(None, chat=_chat_times(), duration_s=600.0, order="score")


def test_repick_rejects_unknown_order():
    r = find_highlights(None, chat=_chat_times(), duration_s=600.0, chat_lag_s=0.0, n=3)
    with pytest.raises(InvalidParameterError, match="order"):
        r.repick(order="banana")
    assert json.loads(r.to_json())["params"]["order"] == "rank"
    assert r.repick(order="time").params["order"] == "time"


def test_selection_is_checked_before_decoding(tmp_path):
    # A bad selection value fails at once, before any media is read (a missing file
    # would otherwise be the first error).
    with pytest.raises(InvalidParameterError, match="max_len_s"):
        find_highlights(tmp_path / "missing.mp4", min_len_s=60.0, max_len_s=30.0)
    with pytest.raises(InvalidParameterError, match="'n'"):
        find_highlights(tmp_path / "missing.mp4", n=-1)


# ------------------------------------------------------------------ item 9: unusable chat
@pytest.mark.parametrize(
    ("name", "content"),
    [("hello.json", '{"hello":[1,2,3]}\n'), ("note.xml", "<root><x/></root>\n"),
     ("empty.txt", "")],
)
def test_unusable_chat_log_is_an_error(mp4, tmp_path, name, content):
    chat = tmp_path / name
    chat.write_text(content)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # folded into the error, not warned first
        with pytest.raises(ChatLogError, match="chat_required=False") as ei:
            find_highlights(mp4, chat=chat, **PICK)
    assert name in str(ei.value)
    assert "\n" not in str(ei.value)


def test_chat_required_false_drops_the_chat_with_warnings(mp4, tmp_path):
    chat = tmp_path / "hello.json"
    chat.write_text('{"hello":[1,2,3]}\n')
    with pytest.warns(HighlightsWarning) as rec:
        r = find_highlights(mp4, chat=chat, chat_required=False, **PICK)
    assert not any(k.startswith("chat_") for k in r.timelines)
    assert any("chat" in str(w.message) for w in rec)
    assert any("chat" in n for n in r.notes)


def test_chat_that_misses_the_media_is_an_error(mp4, tmp_path):
    chat = tmp_path / "late.json"
    chat.write_text(json.dumps([{"time_s": 100.0 + i, "text": "hi"} for i in range(20)]))
    with pytest.raises(ChatLogError, match="after the media end"):
        find_highlights(mp4, chat=chat, **PICK)


def test_empty_chat_only_run_names_the_log(tmp_path):
    chat = tmp_path / "empty.txt"
    chat.write_text("")
    with pytest.raises(ChatLogError, match="empty") as ei:
        find_highlights(None, chat=chat, chat_required=False)
    assert "source" not in str(ei.value)


# ------------------------------------------------------------------ item 7: stream start
def test_chat_stream_start_is_passed_to_load_chat(tmp_path):
    log = tmp_path / "irc.log"
    log.write_text("".join(
        f"2024-05-01_18:01:{i:02d} :u{i % 5}!u@u.tmi.twitch.tv PRIVMSG #c :hi {i}\n"
        for i in range(30)))
    with pytest.warns(ChatWarning, match="stream_start"):
        r0 = find_highlights(None, chat=log, chat_lag_s=0.0, n=1, **PICK)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChatWarning)
        r1 = find_highlights(None, chat=log, chat_stream_start="2024-05-01T18:00:00Z",
                             chat_lag_s=0.0, n=1, **PICK)
    assert r0.duration_s < 31.0 < r1.duration_s  # anchored one minute later
    assert r1.params["chat_stream_start"] == "2024-05-01T18:00:00Z"


# ------------------------------------------------------------------ item 12: duration_s
def test_chat_only_duration_is_the_analysed_span():
    times = _chat_times(duration_s=500.0)
    r = find_highlights(None, chat=times, chat_lag_s=0.0, n=2)
    assert r.media is None
    assert r.duration_s == pytest.approx(times[-1], abs=1.0)
    assert json.loads(r.to_json())["duration_s"] == pytest.approx(r.duration_s, abs=1e-3)
    given = find_highlights(None, chat=times, duration_s=600.0, chat_lag_s=0.0, n=2)
    assert given.duration_s == 600.0
    assert json.loads(given.to_json())["duration_s"] == 600.0
    assert given.repick(n=1).duration_s == 600.0


# ------------------------------------------------------------------ item 13: budget
def test_reel_on_a_short_stream_says_the_budget_is_out_of_reach():
    with pytest.warns(BudgetWarning, match="120 s long") as rec:
        r = find_highlights(None, chat=_chat_times(duration_s=120.0, bursts=(60.0,)),
                            duration_s=120.0, chat_lag_s=0.0, preset="reel")
    total = sum(c.duration_s for c in r.clips)
    msg = str(rec[0].message)
    assert "180" in msg and f"{total:.0f} s" in msg
    assert any("180" in n and "120 s long" in n for n in r.notes)


def test_reel_with_few_moments_says_how_many():
    times = _chat_times(duration_s=600.0, bursts=(100.0, 300.0, 500.0))
    with pytest.warns(BudgetWarning, match=r"only \d+ moments?") as rec:
        r = find_highlights(None, chat=times, duration_s=600.0, chat_lag_s=0.0,
                            preset="reel", threshold=2.0)
    assert "60 s apart" in str(rec[0].message)
    assert sum(c.duration_s for c in r.clips) < 180
    # The note belongs to this selection only: a re-pick that meets its budget drops it.
    with warnings.catch_warnings():
        warnings.simplefilter("error", BudgetWarning)
        ok = r.repick(preset="teaser")
    assert not any("budget" in n or "180" in n for n in ok.notes)


def test_met_budget_is_silent():
    times = _chat_times(duration_s=3600.0, bursts=tuple(range(100, 3600, 150)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", BudgetWarning)
        r = find_highlights(None, chat=times, duration_s=3600.0, chat_lag_s=0.0,
                            preset="reel")
    assert 180 <= sum(c.duration_s for c in r.clips) <= 300
