"""The ``progress=`` argument shared by every long-running function.

``None``/``False``: silent (the library default).  ``True``: a tqdm bar on stderr
counting seconds of media.  A callable: called as ``progress(done_s, total_s)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._validate import fail

__all__ = ["make_progress", "ProgressArg"]

ProgressArg = bool | Callable[[float, float], Any] | None


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
        import sys

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
    if callable(progress):
        def call(done_s: float) -> None:
            progress(float(done_s), float(total_s))

        return call, lambda: None
    raise fail("progress", caller, "None, a bool or a callable(done_s, total_s)", progress)
