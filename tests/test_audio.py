"""features/audio.py: RMS / onset / excitement per hop, blockwise == one-shot, file entry point."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from highlights.errors import StreamNotFoundError
from highlights.features.analyze import audio_energy
from highlights.features.audio import (
    DB_FLOOR,
    HOP_LENGTH,
    N_FFT,
    N_MELS,
    AudioFeatures,
)
from media_factory import make_media

SR = 16000


def _signal(rng: np.random.Generator, seconds: float = 7.3) -> np.ndarray:
    n = int(seconds * SR)
    t = np.arange(n) / SR
    x = 0.05 * np.sin(2 * np.pi * 330 * t) + 0.01 * rng.standard_normal(n)
    seg = x[int(2.1 * SR): int(2.6 * SR)]
    seg += 0.4 * rng.standard_normal(seg.size)
    return x.astype(np.float32)


def _run(x: np.ndarray, hop_s: float, chunks: list[int] | None = None, start: int = 0):
    f = AudioFeatures(sr=SR, hop_s=hop_s, n_hint=4)
    if chunks is None:
        f(x, start)
    else:
        pos = 0
        for c in chunks:
            f(x[pos:pos + c], start + pos)
            pos += c
        f(x[pos:], start + pos)
    n = math.ceil((start + x.size) / SR / hop_s)
    return f.timelines(n)


# ------------------------------------------------------------------ slow references
def _ref_rms_db(x: np.ndarray, hop_s: float, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    hs = hop_s * SR
    for i in range(n):
        a, b = math.ceil(i * hs - 1e-6), min(math.ceil((i + 1) * hs - 1e-6), x.size)
        if b > a:
            ms = float(np.mean(x[a:b].astype(np.float64) ** 2))
            out[i] = max(10 * math.log10(max(ms, 1e-10)), DB_FLOOR)
    return out


def _ref_spectral(x: np.ndarray, hop_s: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    import librosa

    pad = N_FFT - HOP_LENGTH + (-x.size) % HOP_LENGTH
    y = np.concatenate([x, np.zeros(pad, np.float32)]).astype(np.float64)
    S = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP_LENGTH,
                                       center=False, n_mels=N_MELS, power=2.0)
    S_db = librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=None)
    flux = librosa.onset.onset_strength(S=S_db, sr=SR, hop_length=HOP_LENGTH, center=False,
                                        lag=1, max_size=1, detrend=False)
    freqs = librosa.mel_frequencies(n_mels=N_MELS + 2, fmax=SR / 2)[1:-1]
    onset, cen = np.zeros(n), np.zeros(n)
    for i in range(n):
        fs, ps, vals = 0.0, 0.0, []
        for k in range(S.shape[1]):
            c = k * HOP_LENGTH + N_FFT // 2
            if c < x.size and math.floor(c / SR / hop_s + 1e-9) == i:
                vals.append(flux[k])
                fs += float(freqs @ S[:, k])
                ps += float(S[:, k].sum())
        onset[i] = np.mean(vals) if vals else 0.0
        cen[i] = fs / ps if ps > 1e-20 else 0.0
    return onset, cen


@pytest.mark.parametrize("hop_s", [0.5, 1 / 3])
def test_matches_slow_reference(rng: np.random.Generator, hop_s: float) -> None:
    x = _signal(rng)
    got = _run(x, hop_s)
    n = got["audio_rms_db"].size
    np.testing.assert_allclose(got["audio_rms_db"], _ref_rms_db(x, hop_s, n), atol=1e-4)
    onset, cen = _ref_spectral(x, hop_s, n)
    np.testing.assert_allclose(got["audio_onset"], onset, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(got["audio_excite"], cen, rtol=1e-3, atol=0.5)


def test_blocked_equals_one_shot(rng: np.random.Generator) -> None:
    x = _signal(rng, 45.0)  # > one internal block (20 s)
    one = _run(x, 0.5)
    sizes = list(rng.integers(1, 5000, 400))  # awkward chunk sizes, incl. < one frame
    blocked = _run(x, 0.5, chunks=sizes)
    for k in one:
        np.testing.assert_allclose(blocked[k], one[k], rtol=1e-5, atol=1e-5, err_msg=k)


def test_burst_stands_out(rng: np.random.Generator) -> None:
    got = _run(_signal(rng), 0.5)
    assert int(np.argmax(got["audio_rms_db"])) == 4  # 2.1-2.6 s burst -> hop [2.0, 2.5)
    assert int(np.argmax(got["audio_excite"])) in (4, 5)
    assert got["audio_onset"][4] > 2 * np.median(got["audio_onset"])


def test_silence_has_floor_and_no_nan() -> None:
    got = _run(np.zeros(3 * SR, np.float32), 0.5)
    np.testing.assert_array_equal(got["audio_rms_db"], np.full(6, DB_FLOOR, np.float32))
    np.testing.assert_array_equal(got["audio_onset"], np.zeros(6, np.float32))
    np.testing.assert_array_equal(got["audio_excite"], np.zeros(6, np.float32))


def test_gap_and_priming_samples(rng: np.random.Generator) -> None:
    f = AudioFeatures(sr=SR, hop_s=0.5, n_hint=4)
    x = _signal(rng, 1.0)
    f(x, -400)  # encoder priming before t=0 is dropped
    f(x, 3 * SR)  # a 2-s gap
    got = f.timelines(8)
    rms = got["audio_rms_db"]
    assert np.isfinite(rms[[0, 1, 6, 7]]).all()
    assert np.isnan(rms[3:6]).all()
    assert np.isnan(got["audio_onset"][3:6]).all()


def test_audio_energy_on_a_file(tmp_path: Path) -> None:
    p = make_media(tmp_path / "a.m4a", video=False, bursts_s=((1.0, 1.5),), duration_s=3.0,
                   fmt="mp4")
    tl = audio_energy(p, hop_s=0.25)
    assert tl.name == "audio_rms_db" and tl.hop_s == 0.25 and tl.start_s == 0.0
    assert tl.n == 12
    assert set(np.flatnonzero(tl.values > tl.values.min() + 10)) == {4, 5}
    v_only = make_media(tmp_path / "v.mp4", audio=False, duration_s=1.0)
    with pytest.raises(StreamNotFoundError, match="no audio"):
        audio_energy(v_only)


def test_memory_does_not_grow_with_duration(rng: np.random.Generator) -> None:
    import tracemalloc

    chunk = (0.05 * rng.standard_normal(4096)).astype(np.float32)
    minutes = 10
    f = AudioFeatures(sr=SR, hop_s=0.5, n_hint=minutes * 120)
    tracemalloc.start()
    try:
        for i in range(minutes * 60 * SR // 4096):
            f(chunk, i * 4096)
        out = f.timelines(minutes * 120)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.isfinite(out["audio_onset"]).all()
    assert peak < 6e6  # the whole signal would be 38 MB


@pytest.mark.parametrize(
    "sr, n_fft, n_mels", [(16000, 512, 64), (22050, 2048, 128), (8000, 256, 20)]
)
def test_mel_filterbank_matches_librosa(sr, n_fft, n_mels):
    import librosa

    from highlights.features.audio import mel_filterbank, mel_frequencies

    np.testing.assert_allclose(mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels),
                               librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(mel_frequencies(n_mels=n_mels, fmax=sr / 2),
                               librosa.mel_frequencies(n_mels=n_mels, fmax=sr / 2), rtol=1e-9)


def test_analysis_does_not_import_librosa(tmp_path):
    """librosa costs ~110 MB and seconds per shard worker; the analysis path avoids it."""
    import subprocess
    import sys

    path = make_media(tmp_path / "a.mp4", duration_s=3.0)
    code = ("import sys; from highlights.features.analyze import analyze_media; "
            f"analyze_media({str(path)!r}); print('librosa' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
