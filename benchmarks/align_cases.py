"""align_published on every robustness case of tests/test_align.py, as a table.

The cases are the tests' own: ``CASES`` (edits of a 120-s hard-suite stream, seed 9001,
with a second stream, seed 9002, 100 s, as the "other" source) and ``REAL_CASES`` (edits
of the PySceneDetect test videos in ``../shared/data``; skipped with a printed reason
when those are absent).  Edits are made by tests/edit_factory.py and scored by
``score`` in tests/test_align.py, the function the tests assert on: both ends of every
truth segment within 0.5 s (1 s for speed-changed ones, plus the transition length in
fades and crossfades), the speed within 5 %, no false segment, every truth gap found;
``CASES`` also need a median end error <= 0.3 s.  End errors are over both ends, on the
published and the source side.  Media and the analysis cache go to
``benchmarks/_media/align_cases/``.

    python benchmarks/align_cases.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
MEDIA = HERE / "_media" / "align_cases"

HEADER = ("case", "truth", "found", "false", "gaps exp/found", "median err s",
          "worst err s", "pass", "time s")


def build_sources() -> tuple[Path, Path, Path]:
    """The tests' VOD (seed 9001, 120 s), other source (seed 9002, 100 s) and a cache."""
    import hardsuite

    from highlights.cache import analysis_cached

    def stream(name: str, seed: int, duration_s: float) -> Path:
        d = MEDIA / name
        if (d / "truth.json").exists():
            return hardsuite.load_hard_stream(d).video_path
        return hardsuite.make_hard_stream(d, seed=seed, duration_s=duration_s).video_path

    vod = stream("vod", 9001, 120.0)
    other = stream("other", 9002, 100.0)
    cache = MEDIA / "cache"
    analysis_cached(vod, cache=cache)
    return vod, other, cache


def row(name: str, truth: Any, al: Any, median_max: float | None, xfail: bool,
        seconds: float) -> tuple[tuple[str, ...], list[str]]:
    """One table row and the rule's problems, if any."""
    from test_align import score

    s = score(al, truth)
    problems = list(s.problems)
    med = statistics.median(s.errors) if s.errors else None
    worst = max(s.errors) if s.errors else None
    if median_max is not None and med is not None and med > median_max:
        problems.append(f"median end error {med:.3f} s > {median_max} s")
    verdict = "yes" if not problems else "NO"
    if xfail:
        verdict += " (xfail)"
    cells = (name, str(len(truth.segments)), str(s.found), str(s.false),
             f"{s.gaps_expected}/{s.gaps_found}", "-" if med is None else f"{med:.3f}",
             "-" if worst is None else f"{worst:.3f}", verdict,
             f"{seconds:.1f}")
    return cells, problems


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    print(line(HEADER))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))


def main() -> None:
    t_start = time.perf_counter()
    from conftest import SHARED
    from edit_factory import make_edit
    from highlights import align_published
    from test_align import CASES, MEDIAN_MAX_S, REAL_CASES, XFAIL, make_case

    vod, other, cache = build_sources()
    edits = MEDIA / "edits"
    edits.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for name in CASES:
        t0 = time.perf_counter()
        out = edits / f"{name}.mp4"
        truth = make_case(name, out, vod, other)
        al = align_published(vod, out, cache=cache)
        cells, problems = row(name, truth, al, MEDIAN_MAX_S, name in XFAIL,
                              time.perf_counter() - t0)
        rows.append(cells)
        notes += [f"{name}: {p}" for p in problems]
    for name, (file, kw) in REAL_CASES.items():
        src = SHARED / "data" / "pyscenedetect_test_videos" / file
        if not src.exists():
            notes.append(f"{name}: skipped, shared data not available: {src}")
            continue
        t0 = time.perf_counter()
        out = edits / f"{name}.mp4"
        truth = make_edit(out, src, **kw)
        al = align_published(src, out, cache=cache)
        cells, problems = row(name, truth, al, None, name in XFAIL, time.perf_counter() - t0)
        rows.append(cells)
        notes += [f"{name}: {p}" for p in problems]
    print_table(rows)
    for n in notes:
        print(n)
    print(f"total time: {time.perf_counter() - t_start:.1f} s (VOD generation and analysis "
          "included when not cached)")


if __name__ == "__main__":
    main()
