"""Evaluation: clip metrics against reference spans, and the official QVHighlights metrics."""

from .qvhighlights import load_jsonl, qvhighlights

__all__ = ["qvhighlights", "load_jsonl"]
