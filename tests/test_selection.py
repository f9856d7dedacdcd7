"""Boundaries (snapping), budget knapsack, chapters and presets."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highlights import BudgetWarning, Clip, InvalidParameterError, NoClipsWarning, Timeline
from highlights.selection.budget import select_budget
from highlights.selection.chapters import MIN_CHAPTER_S, make_chapters
from highlights.selection.snap import quietest_point, snap_clips
from highlights.selection.stage import resolve_selection, select_clips


def _clip(s, e, score=1.0, rank=1, peak=None):
    return Clip(start_s=s, end_s=e, peak_s=(s + e) / 2 if peak is None else peak,
                score=score, rank=rank)


# ---------------------------------------------------------------- boundaries
def test_snap_to_planted_cut_keeps_lead_in():
    c = _clip(100.0, 130.0, peak=110.0)
    (out,) = snap_clips([c], cuts_s=[50.0, 97.6, 131.2, 200.0], min_len_s=10, max_len_s=60)
    assert out.start_s == 97.6 and out.end_s == 131.2
    # A cut 2 s *after* the start would eat the lead-in beyond half the window: ignored.
    (out,) = snap_clips([c], cuts_s=[102.0], min_len_s=10, max_len_s=60)
    assert out.start_s == 100.0


def test_snap_to_pause_within_a_second():
    e = np.full(400, -20.0)
    e[197] = -60.0  # a pause at 98.5-99.0 s
    energy = Timeline(values=e, hop_s=0.5, name="audio_rms_db")
    assert quietest_point(energy, 98.0, 100.0) == pytest.approx(98.75)
    (out,) = snap_clips([_clip(99.5, 130.0, peak=110.0)], energy=energy)
    assert out.start_s == pytest.approx(98.75)
    # Two seconds away is too far for a pause.
    (out,) = snap_clips([_clip(101.0, 130.0, peak=110.0)], energy=energy)
    assert out.start_s == 101.0


def test_snap_respects_bounds_and_neighbours():
    a, b = _clip(100.0, 120.0, peak=110.0), _clip(150.0, 170.0, peak=160.0, rank=2)
    out = snap_clips([a, b], cuts_s=[122.0, 147.5], min_len_s=15, max_len_s=21, min_gap_s=30)
    # 122 would make a 22-s clip (> max_len) and leave a 25.5-s gap: both edges stay.
    assert out[0].end_s == 120.0 and out[1].start_s == 150.0


# ---------------------------------------------------------------- budget
def _brute_force(clips, lo, hi):
    best, best_set = -1.0, ()
    for r in range(len(clips) + 1):
        for combo in itertools.combinations(clips, r):
            tot = sum(c.duration_s for c in combo)
            if lo <= tot <= hi:
                val = sum(c.score * c.duration_s for c in combo)
                if val > best + 1e-9:
                    best, best_set = val, combo
    return best, best_set


@settings(max_examples=60, deadline=None)
@given(
    durs=st.lists(st.integers(5, 60), min_size=1, max_size=8),
    scores=st.lists(st.floats(0.1, 10.0), min_size=8, max_size=8),
    hi=st.integers(20, 200),
)
def test_knapsack_is_exact_on_whole_seconds(durs, scores, hi):
    clips = [_clip(100.0 * i, 100.0 * i + d, score=s, rank=i + 1)
             for i, (d, s) in enumerate(zip(durs, scores))]
    got = select_budget(clips, max_total_s=hi, resolution_s=1.0)
    best, _ = _brute_force(clips, 0, hi)
    assert sum(c.duration_s for c in got) <= hi + 1e-9
    assert sum(c.score * c.duration_s for c in got) == pytest.approx(best)
    starts = [c.start_s for c in got]
    assert starts == sorted(starts)
    assert sorted(c.rank for c in got) == list(range(1, len(got) + 1))


def test_budget_minimum_prefers_reaching_it():
    clips = [_clip(0, 100, score=5.0), _clip(200, 260, score=1.0, rank=2),
             _clip(400, 450, score=1.0, rank=3)]
    got = select_budget(clips, min_total_s=180, max_total_s=300)
    assert 180 <= sum(c.duration_s for c in got) <= 300
    with pytest.raises(InvalidParameterError):
        select_budget(clips, min_total_s=400, max_total_s=300)


# ---------------------------------------------------------------- chapters
@settings(max_examples=60, deadline=None)
@given(dur=st.floats(30.0, 36_000.0), seed=st.integers(0, 1000), n_cuts=st.integers(0, 30))
def test_chapters_obey_youtube_rules(dur, seed, n_cuts):
    rng = np.random.default_rng(seed)
    hop = 0.5 if dur < 3600 else 2.0
    n = int(np.ceil(dur / hop))
    score = Timeline(values=rng.normal(size=n), hop_s=hop)
    chapters = make_chapters(score, cuts_s=rng.uniform(0, dur, n_cuts))
    assert len(chapters) >= 3
    assert chapters[0].start_s == 0.0
    assert chapters[-1].end_s == pytest.approx(score.end_s)
    for a, b in zip(chapters, chapters[1:]):
        assert a.end_s == b.start_s
    assert all(c.duration_s >= MIN_CHAPTER_S - 1e-9 for c in chapters)
    assert all(c.label for c in chapters)


def test_chapters_boundary_prefers_a_cut_in_a_lull():
    score = Timeline(values=np.ones(1200), hop_s=0.5)  # 600 s
    chapters = make_chapters(score, cuts_s=[190.0, 215.0], target_len_s=200)
    assert any(c.start_s in (190.0, 215.0) for c in chapters)


def test_short_stream_has_no_chapters():
    with pytest.warns(NoClipsWarning):
        assert make_chapters(Timeline(values=np.ones(40), hop_s=0.5)) == []


# ---------------------------------------------------------------- presets
def _score(hours=2.0, seed=0):
    rng = np.random.default_rng(seed)
    n = int(hours * 3600 / 0.5)
    v = np.convolve(rng.normal(size=n), np.ones(7) / 7, mode="same")
    for c in rng.integers(100, n - 100, 40):
        v[c - 20 : c + 20] += rng.uniform(1, 5)
    return Timeline(values=v, hop_s=0.5, name="score")


def test_reel_totals_180_to_300_s_on_two_hours():
    sel = resolve_selection("reel")
    clips = select_clips(_score(), sel)
    total = sum(c.duration_s for c in clips)
    assert 180 <= total <= 300
    assert [c.start_s for c in clips] == sorted(c.start_s for c in clips)


def test_shorts_and_teaser_lengths():
    shorts = select_clips(_score(seed=1), resolve_selection("shorts"))
    assert shorts and all(15 - 1e-6 <= c.duration_s <= 60 + 1e-6 for c in shorts)
    teaser = select_clips(_score(seed=2), resolve_selection("teaser"))
    assert teaser and all(2 - 1e-6 <= c.duration_s <= 4 + 1e-6 for c in teaser)
    assert sum(c.duration_s for c in teaser) <= 20 + 1e-6


def test_explicit_parameters_override_preset():
    sel = resolve_selection("shorts", n=3, max_len_s=30.0)
    assert sel.n == 3 and sel.max_len_s == 30.0 and sel.min_len_s == 15.0
    with pytest.raises(InvalidParameterError, match="reel"):
        resolve_selection("bloopers")
    with pytest.raises(InvalidParameterError):
        resolve_selection(None, budget_s=(300, 100))


def test_chapters_preset():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clips = select_clips(_score(hours=1.0), resolve_selection("chapters"))
    assert clips[0].start_s == 0 and len(clips) >= 3


def test_budget_shortfall_is_warned_and_noted():
    notes: list[str] = []
    short = _score(hours=0.04)  # 144 s: a reel's 180 s cannot be reached
    with pytest.warns(BudgetWarning, match="144 s long") as rec:
        clips = select_clips(short, resolve_selection("reel"), notes=notes)
    total = sum(c.duration_s for c in clips)
    assert notes == [str(rec[0].message)]
    assert "'reel'" in notes[0] and "180-300 s" in notes[0] and f"{total:.0f} s" in notes[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", BudgetWarning)
        met: list[str] = []
        select_clips(_score(), resolve_selection("reel"), notes=met)
    assert met == []


@pytest.mark.parametrize(
    "given",
    [{"n": -1}, {"n": 1.5}, {"min_len_s": 0}, {"max_len_s": float("inf")},
     {"min_len_s": 60.0, "max_len_s": 30.0}, {"min_gap_s": -1.0},
     {"threshold": float("nan")}, {"order": "score"}, {"budget_s": 0},
     {"budget_s": (10, float("nan"))}, {"pad_s": (-1, 2)}],
)
def test_resolve_selection_checks_every_value(given):
    with pytest.raises(InvalidParameterError, match=next(iter(given))[:5]):
        resolve_selection(None, **given)


def test_preset_bound_named_in_the_error():
    with pytest.raises(InvalidParameterError, match=r"max_len_s.*min_len_s \(20, the 'reel'"):
        resolve_selection("reel", max_len_s=10.0)
    with pytest.raises(InvalidParameterError, match=r"'min_len_s'.*max_len_s \(60, the 'reel'"):
        resolve_selection("reel", min_len_s=100.0)
