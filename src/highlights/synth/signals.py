"""Render a :class:`~highlights.synth.SynthPlan` as per-hop signals and chat events (no encoding).

The envelopes here (action, music, flashes, camera, voices, effects) are shared with
the media renderer in :mod:`highlights.synth.media`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validate import check_positive
from ..timeline import Timeline
from ..types import ChatEvents
from .plan import (
    _BURST_RISE_S,
    _CAMERAS,
    _CHATTER,
    _NAME_A,
    _NAME_B,
    _REACTIONS,
    _RNG_CHAT,
    _RNG_SIGNALS,
    _RNG_STATIC,
    _SPAM_LINES,
    Moment,
    SynthPlan,
    make_plan,
)

F64 = NDArray[np.float64]


# =============================================================================== envelopes
def _action_env(t: F64, moments: tuple[Moment, ...]) -> F64:
    """Intensity in [0, 1] of the moments' action: ramps start->peak, decays peak->end."""
    out = np.zeros_like(t)
    for m in moments:
        if t.size == 0 or m.end_s <= t[0] or m.start_s > t[-1]:
            continue
        rise = np.clip((t - m.start_s) / max(m.peak_s - m.start_s, 1e-3), 0.0, 1.0)
        fall = np.clip((m.end_s - t) / max(m.end_s - m.peak_s, 1e-3), 0.0, 1.0)
        env = np.where(t < m.peak_s, 0.45 + 0.55 * rise, np.sqrt(fall))
        env *= np.clip((t - m.start_s) / 0.05, 0.0, 1.0)  # 50 ms attack
        np.maximum(out, np.where((t >= m.start_s) & (t < m.end_s), env, 0.0), out=out)
    return out


def _music_env(t: F64, musics: tuple[Moment, ...]) -> F64:
    """Level in [0, 1] of the music beds, with 1 s fades."""
    out = np.zeros_like(t)
    for d in musics:
        if t.size == 0 or d.end_s <= t[0] or d.start_s > t[-1]:
            continue
        env = np.clip(np.minimum(t - d.start_s, d.end_s - t) / 1.0, 0.0, 1.0)
        np.maximum(out, env, out=out)
    return out


def _flash(t: F64, moments: tuple[Moment, ...]) -> F64:
    """Strobe flashes (0..1) within 1.2 s of each moment's peak."""
    out = np.zeros_like(t)
    for m in moments:
        near = np.abs(t - m.peak_s) < 1.2
        if not near.any():
            continue
        strobe = (np.floor((t - m.peak_s) * 4.0) % 2 == 0).astype(np.float64)
        np.maximum(out, np.where(near, strobe * (1.0 - np.abs(t - m.peak_s) / 1.2), 0.0),
                   out=out)
    return out


def _camera(t: F64, cuts_s: tuple[float, ...]) -> NDArray[np.intp]:
    """Camera layout index at each time (cuts cycle through the layouts)."""
    return np.searchsorted(np.asarray(cuts_s, dtype=np.float64), t, side="right") % _CAMERAS


@dataclass(frozen=True)
class _Voice:
    f0: float  # base pitch, Hz
    level: float  # linear RMS while voiced
    on: F64  # phrase starts, s
    off: F64  # phrase ends, s
    rate: float  # syllables per second
    phase: float


def _voices(plan: SynthPlan) -> tuple[_Voice, ...]:
    rng = np.random.default_rng([plan.seed, _RNG_STATIC, 1])
    talk = plan.genre == "talk"
    specs = ((rng.uniform(95, 140), -24.0 if talk else -27.0),
             (rng.uniform(170, 240), -37.0), (rng.uniform(110, 180), -40.0))
    out = []
    n = int(plan.duration_s / 1.0) + 8
    for f0, db in specs:
        speech = rng.uniform(0.8, 3.5, n)
        pause = rng.uniform(0.15, 0.6, n) if talk else rng.uniform(0.2, 1.4, n)
        on = np.cumsum(speech + pause) - speech
        out.append(_Voice(float(f0), 10 ** (db / 20), on, on + speech,
                          float(rng.uniform(3.5, 5.5)), float(rng.uniform(0, 2 * np.pi))))
    return tuple(out)


def _gate(t: F64, on: F64, off: F64, ramp_s: float = 0.03) -> F64:
    """1 inside the phrases ``[on, off)`` with linear ramps at the edges, else 0."""
    i = np.searchsorted(on, t, side="right") - 1
    j = np.clip(i, 0, None)
    d = np.minimum(t - on[j], off[j] - t)
    return np.where((i >= 0) & (d > 0), np.clip(d / ramp_s, 0.0, 1.0), 0.0)


def _sfx_times(plan: SynthPlan) -> tuple[F64, NDArray[np.intp], F64]:
    """Game sound effects: times (s), kernel ids, linear amplitudes."""
    if plan.genre != "game":
        z = np.zeros(0)
        return z, np.zeros(0, dtype=np.intp), z
    rng = np.random.default_rng([plan.seed, _RNG_STATIC, 2])
    n = int(plan.duration_s * 0.9) + 8
    times = np.cumsum(rng.exponential(1.0 / 0.7, n))
    times = times[times < plan.duration_s]
    kinds = rng.integers(0, 4, times.size).astype(np.intp)
    amps = 10 ** (rng.uniform(-24.0, -16.0, times.size) / 20)
    return times, kinds, amps


# =============================================================================== chat
def _user_names(n: int, seed: int) -> NDArray[Any]:
    """``n`` distinct pseudonyms in a seeded order (index 0 = the most active chatter)."""
    k = np.random.default_rng([seed, _RNG_STATIC, 6]).permutation(max(n, 256))[:n] + 256 * (
        np.arange(n) // 256)
    names = [f"{_NAME_A[j % 16]}_{_NAME_B[(j // 16) % 16]}{j // 256 or ''}" for j in k.tolist()]
    return np.asarray(names, dtype=object)


def _chat(plan: SynthPlan) -> tuple[F64, NDArray[Any], NDArray[Any]]:
    """Chat events of a plan: sorted times (s), authors, texts."""
    rng = np.random.default_rng([plan.seed, _RNG_CHAT])
    dur = plan.duration_s
    base = 0.9 if plan.genre == "game" else 1.2
    n_pool = 300 + int(dur / 8)
    users = _user_names(n_pool + 1, plan.seed)

    # background: inhomogeneous Poisson on 1 s bins, rate grows x2.5 over the stream
    edges = np.arange(0.0, math.ceil(dur), 1.0)
    mid = edges + 0.5
    phi = rng.uniform(0, 2 * np.pi)
    rate = base * (1.0 + 1.5 * mid / dur) * (1.0 + 0.25 * np.sin(2 * np.pi * mid / 300.0 + phi))
    counts = rng.poisson(rate)
    t_bg = np.repeat(edges, counts) + rng.random(int(counts.sum()))
    pool_now = 80 + (n_pool - 80) * t_bg / dur  # the audience grows too
    a_bg = np.floor(pool_now * rng.random(t_bg.size) ** 2).astype(np.intp)  # a few regulars
    x_bg = rng.integers(0, len(_CHATTER), t_bg.size)
    texts_bg = np.asarray(_CHATTER, dtype=object)[x_bg]
    # a little reaction vocabulary leaks into background chat too
    leak = rng.random(t_bg.size) < 0.04
    texts_bg[leak] = np.asarray(_REACTIONS, dtype=object)[rng.integers(0, len(_REACTIONS),
                                                                       int(leak.sum()))]

    t_parts: list[F64] = [t_bg]
    a_parts: list[NDArray[Any]] = [users[a_bg]]
    x_parts: list[NDArray[Any]] = [texts_bg]
    step = 0.25
    for m, tau in zip(plan.moments, plan.burst_tau_s):
        onset = m.peak_s + plan.chat_lag_s
        grid = onset + np.arange(0.0, _BURST_RISE_S + 4.0 * tau, step)
        bg_rate = base * (1.0 + 1.5 * onset / dur)
        peak_rate = max(12.0, 9.0 * bg_rate) * float(rng.uniform(0.8, 1.3))
        rel = grid - onset
        r = np.where(rel < _BURST_RISE_S, (rel + step / 2) / _BURST_RISE_S,
                     np.exp(-(rel - _BURST_RISE_S) / tau)) * peak_rate
        c = rng.poisson(r * step)
        t = np.repeat(grid, c) + rng.random(int(c.sum())) * step
        pool = int(80 + (n_pool - 80) * onset / dur)
        t_parts.append(t)
        a_parts.append(users[rng.integers(0, pool, t.size)])
        x_parts.append(np.asarray(_REACTIONS, dtype=object)[rng.integers(0, len(_REACTIONS),
                                                                         t.size)])
    for k, d in enumerate(plan.of_kind("spam")):
        n = int(round(d.duration_s * float(rng.uniform(3.0, 4.5))))
        t = d.start_s + np.sort(rng.random(n)) * d.duration_s
        t_parts.append(t)
        a_parts.append(np.full(n, f"promo_bot_{plan.seed % 97}{k}", dtype=object))
        x_parts.append(np.full(n, _SPAM_LINES[k % len(_SPAM_LINES)], dtype=object))

    times = np.concatenate(t_parts)
    authors = np.concatenate(a_parts)
    texts = np.concatenate(x_parts)
    times = np.round(times, 3)
    keep = (times >= 0.0) & (times < dur)
    order = np.argsort(times[keep], kind="stable")
    return times[keep][order], authors[keep][order], texts[keep][order]


def make_chat_events(
    *,
    duration_s: float = 3600.0,
    seed: int = 0,
    n_moments: int = 8,
    chat_lag_s: float = 6.0,
    genre: str = "game",
) -> tuple[ChatEvents, SynthPlan]:
    """Synthetic chat events of :func:`make_plan`'s stream, without writing a file.

    Returns
    -------
    events : ChatEvents
        The same messages :func:`make_livestream` writes to ``chat.json``.
    plan : SynthPlan
        The ground truth.
    """
    plan = make_plan(duration_s=duration_s, seed=seed, n_moments=n_moments,
                     chat_lag_s=chat_lag_s, genre=genre)
    t, a, x = _chat(plan)
    return ChatEvents.from_arrays(t, author=a, text=x, source="<synth>", fmt="synth"), plan


# =============================================================================== signals
def make_signals(
    *,
    duration_s: float = 3600.0,
    hop_s: float = 0.5,
    seed: int = 0,
    n_moments: int = 8,
    chat_lag_s: float = 6.0,
    genre: str = "game",
) -> tuple[dict[str, Timeline], tuple[Moment, ...]]:
    """Per-hop synthetic signals with planted highlights (no media, no encoding).

    Parameters
    ----------
    duration_s : float
        Stream length in seconds.
    hop_s : float
        Hop of every returned timeline, in seconds.
    seed, n_moments, chat_lag_s, genre
        As in :func:`make_plan`; the moments are ``make_plan(...).moments``.

    Returns
    -------
    signals : dict of str to Timeline
        ``"audio_rms_db"`` (dBFS), ``"scene"`` (0..1 scene-change score: spikes at cuts
        and flashes), ``"motion"`` (0..1) and ``"chat_rate"`` (messages per second,
        binned from :func:`make_chat_events`), all on the grid ``i * hop_s``,
        ``ceil(duration_s / hop_s)`` hops.
    moments : tuple of Moment
        The planted highlights.  Distractors are in :func:`make_plan`.
    """
    hop = check_positive("hop_s", "make_signals", hop_s)
    plan = make_plan(duration_s=duration_s, seed=seed, n_moments=n_moments,
                     chat_lag_s=chat_lag_s, genre=genre)
    n = int(math.ceil(plan.duration_s / hop - 1e-9))
    t = (np.arange(n, dtype=np.float64) + 0.5) * hop
    rng = np.random.default_rng([plan.seed, _RNG_SIGNALS])
    game = plan.genre == "game"

    # audio: voices gated by their phrases, sfx, moments' shouting, music bed
    power = np.full(n, 10 ** (-55 / 10))
    for v in _voices(plan):
        power += v.level**2 * 0.6 * _gate(t, v.on, v.off, ramp_s=hop)
    sfx_t, _, sfx_a = _sfx_times(plan)
    if sfx_t.size:
        hop_idx = np.minimum((sfx_t / hop).astype(np.intp), n - 1)
        power += np.bincount(hop_idx, weights=sfx_a**2 * min(0.1 / hop, 1.0), minlength=n)
    act = _action_env(t, plan.moments)
    power += 10 ** (-11 / 10) * act**2
    power += 10 ** (-15 / 10) * _music_env(t, plan.of_kind("music")) ** 2
    power *= 10 ** (rng.normal(0.0, 1.0, n) / 10)  # +-1 dB measurement jitter
    audio = 10 * np.log10(power)

    cam = _camera(t, plan.cuts_s)
    cam_motion = np.array([0.18, 0.05, 0.24]) if game else np.array([0.04, 0.06, 0.03])
    cut_hop = np.zeros(n, dtype=bool)
    cuts = np.asarray(plan.cuts_s, dtype=np.float64)
    cut_hop[np.minimum((cuts / hop).astype(np.intp), n - 1)] = True
    flash = _flash(t, plan.moments) if game else np.zeros(n)
    scene = 0.02 + 0.02 * np.abs(rng.normal(0.0, 1.0, n)) + 0.6 * flash
    scene[cut_hop] = rng.uniform(0.8, 1.0, int(cut_hop.sum()))
    motion = cam_motion[cam] + 0.03 * rng.normal(0.0, 1.0, n) + (0.65 * act if game else 0.0)
    motion[cut_hop] += 0.5

    times, _, _ = _chat(plan)
    counts = np.bincount(np.minimum((times / hop).astype(np.intp), n - 1), minlength=n)
    signals = {
        "audio_rms_db": Timeline(values=audio, hop_s=hop, name="audio_rms_db"),
        "scene": Timeline(values=np.clip(scene, 0.0, 1.0), hop_s=hop, name="scene"),
        "motion": Timeline(values=np.clip(motion, 0.0, 1.0), hop_s=hop, name="motion"),
        "chat_rate": Timeline(values=counts / hop, hop_s=hop, name="chat_rate"),
    }
    return signals, plan.moments
