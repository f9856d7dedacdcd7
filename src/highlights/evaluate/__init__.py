"""Evaluation: clip metrics against reference spans, and the official QVHighlights metrics.

Pure numpy (the QVHighlights loader reads JSONL with the standard library).
"""

from .metrics import (
    PredLike,
    RefLike,
    average_precision,
    coverage_prf,
    evaluate_clips,
    hit_at_k,
    score_timeline,
    span_prf,
)
from .official import load_jsonl, qvhighlights

__all__ = [
    "coverage_prf",
    "span_prf",
    "hit_at_k",
    "average_precision",
    "evaluate_clips",
    "score_timeline",
    "qvhighlights",
    "load_jsonl",
    "PredLike",
    "RefLike",
]
