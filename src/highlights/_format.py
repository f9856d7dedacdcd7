"""Human-readable times."""

from __future__ import annotations

__all__ = ["format_hms"]


def format_hms(t_s: float, *, ms: bool = False) -> str:
    """Format seconds as ``H:MM:SS`` (``H:MM:SS.mmm`` with ``ms=True``).

    Examples
    --------
    >>> format_hms(3725.5, ms=True)
    '1:02:05.500'
    """
    sign = "-" if t_s < 0 else ""
    total_ms = int(round(abs(t_s) * 1000))
    h, rem = divmod(total_ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, milli = divmod(rem, 1000)
    out = f"{sign}{h}:{m:02d}:{s:02d}"
    return f"{out}.{milli:03d}" if ms else out
