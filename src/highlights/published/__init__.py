"""Find where a published edit (a highlight video, a short) came from in its source VOD.

See :func:`align_published`.
"""

from __future__ import annotations

from .core import AlignedSegment, Alignment, align_published

__all__ = ["align_published", "Alignment", "AlignedSegment"]
