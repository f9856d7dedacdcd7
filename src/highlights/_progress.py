"""The ``progress=`` argument shared by every long-running function.

``None``/``False``: silent (the library default).  ``True``: progress on stderr
counting seconds of media: a tqdm bar when stderr is a terminal, else plain lines
for logs and pipes (no carriage-return redraws): one when the work starts, then one
per 10 % of the work at most every 5 s.  A callable: called as
``progress(done_s, total_s)``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from ._format import format_hms
from ._validate import fail

__all__ = ["make_progress", "ProgressArg"]

ProgressArg = bool | Callable[[float, float], Any] | None

#: Plain progress lines (stderr not a terminal): at most one per this many seconds...
_LINE_EVERY_S = 5.0
#: ... and only when at least this share of the work was done since the last one.
_LINE_STEP = 0.1


def make_progress(
    progress: Any, total_s: float, *, desc: str, caller: str, unit: str = "s"
) -> tuple[Callable[[float], None] | None, Callable[[], None]]:
    """Return ``(update(done_s), close())`` for a ``progress`` argument.

    ``update`` is None when progress is off, so hot loops can skip the call.

    Raises
    ------
    InvalidParameterError
        If ``progress`` is not None, a bool or a callable.
    """
    if progress is None or progress is False:
        return None, lambda: None
    if progress is True:
        stream = sys.stderr
        isatty = getattr(stream, "isatty", None)
        if callable(isatty) and isatty():
            return _bar(total_s, desc, unit)
        return _lines(total_s, desc, unit)
    if callable(progress):
        def call(done_s: float) -> None:
            progress(float(done_s), float(total_s))

        return call, lambda: None
    raise fail("progress", caller, "None, a bool or a callable(done_s, total_s)", progress)


def _bar(total_s: float, desc: str, unit: str = "s"
         ) -> tuple[Callable[[float], None], Callable[[], None]]:
    """A tqdm bar on the terminal (redrawn in place, removed when done)."""
    from tqdm import tqdm

    bar = tqdm(total=round(total_s, 1), unit=unit, file=sys.stderr, desc=desc,
               dynamic_ncols=True, leave=False)
    state = [0.0]

    def upd(done_s: float) -> None:
        done = min(round(done_s, 1), bar.total)
        if done > state[0]:
            bar.update(done - state[0])
            state[0] = done

    return upd, bar.close


def _lines(total_s: float, desc: str, unit: str = "s"
           ) -> tuple[Callable[[float], None], Callable[[], None]]:
    """Plain lines for logs and pipes: one when the work starts, then ``40% (...)``."""
    what = f"{format_hms(total_s)} of media" if unit == "s" else f"{total_s:g} {unit}"
    print(f"highlights: {desc} {what}", file=sys.stderr, flush=True)
    t0 = time.monotonic()
    last = [t0, 0.0]  # time and share of the last line

    def upd(done_s: float) -> None:
        if total_s <= 0:
            return
        share = min(max(done_s / total_s, 0.0), 1.0)
        now = time.monotonic()
        if (share - last[1] >= _LINE_STEP - 1e-9 and now - last[0] >= _LINE_EVERY_S
                and share < 1.0):
            last[0], last[1] = now, share
            print(f"highlights: {desc} {share:.0%} ({format_hms(done_s)} of "
                  f"{format_hms(total_s)}, {now - t0:.0f} s elapsed)", file=sys.stderr,
                  flush=True)

    return upd, lambda: None
