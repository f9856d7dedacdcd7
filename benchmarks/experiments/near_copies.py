"""Does damping *near*-copies (edit distance) beyond exact copies help?  (report only)

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/experiments/near_copies.py [--boot 400]

The library damps copy-pasta: texts of at least ``pasta_min_chars`` (15) characters
whose normalised form (lower case, no punctuation/spaces, repeats collapsed) is
*identical* weigh ``1 / sqrt(1 + k)`` for the k-th earlier copy in a 10-s window
(:func:`highlights.features.chat.spam_weights`).  Here the normalised forms are first
grouped by similarity with :mod:`rapidfuzz` (normalised Indel similarity, ``fuzz.ratio``
>= ``THRESHOLD``, greedy: each distinct form joins the first earlier representative it
is similar enough to), so ``"然然超可爱然然超可爱呀"`` and ``"然然超可爱然然超可爱啊"`` or a
pasta with one word changed count as copies of one another.

Rows, all through the library's own chat-only pipeline (``find_highlights(None,
chat=...)``, the protocol and metric of ``benchmarks/realchat.py``):

* ``library``: as shipped (exact copies only);
* ``near-copies >= 15 chars``: the same length limit, similarity >= 90;
* ``near-copies >= 8 chars``: also shorter danmaku, similarity >= 85.

The thresholds were fixed before the first run.  Needs ``rapidfuzz`` (not a library
dependency: it only ships if this helps).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import realchat  # noqa: E402

from highlights.features import chat as chat_mod  # noqa: E402


def _grouped_norm_codes(norms: list[str], min_chars: int, threshold: float) -> list[int]:
    """Code per norm: near-identical long norms share their representative's code."""
    from rapidfuzz import fuzz, process

    reps: list[str] = []
    rep_code: list[int] = []
    codes: list[int] = []
    for i, x in enumerate(norms):
        if len(x) < min_chars:
            codes.append(i)
            continue
        hit = process.extractOne(x, reps, scorer=fuzz.ratio, score_cutoff=threshold) \
            if reps else None
        if hit is None:
            reps.append(x)
            rep_code.append(i)
            codes.append(i)
        else:
            codes.append(rep_code[hit[2]])
    return codes


def near_copy_spam_weights(min_chars: int, threshold: float) -> Any:
    """A drop-in ``_spam_weights`` whose copy-pasta keys group near-copies."""

    def weights(t: Any, acode: Any, authors: list[Any], tcode: Any, texts: list[Any], *,
                window_s: float, author_cap: int, pasta_min_chars: int) -> Any:
        w = chat_mod._spam_weights_orig(  # type: ignore[attr-defined]
            t, acode, authors, tcode, texts, window_s=window_s, author_cap=author_cap,
            pasta_min_chars=10**9)  # author cap only; the pasta rule is redone below
        n = t.shape[0]
        if n == 0:
            return w
        lim = min(min_chars, pasta_min_chars)
        norms = [chat_mod._normalize_text(x) if isinstance(x, str) and len(x) >= lim else ""
                 for x in texts]
        codes = np.asarray(_grouped_norm_codes(norms, lim, threshold), dtype=np.int64)
        long_norm = np.array([len(x) >= lim for x in norms], dtype=bool)
        ncode = codes[tcode]
        pasta = long_norm[tcode]
        if pasta.any():
            window = np.floor(t / window_s).astype(np.int64)
            window -= window.min()
            n_win = int(window.max()) + 1
            group = ncode[pasta] * n_win + window[pasta]
            rank = chat_mod._rank_in_group(group, t[pasta])
            w[pasta] *= 1.0 / np.sqrt(1.0 + rank)
        return w

    return weights


@contextmanager
def patched(fn: Any) -> Iterator[None]:
    chat_mod._spam_weights_orig = chat_mod.__dict__.get(  # type: ignore[attr-defined]
        "_spam_weights_orig", chat_mod._spam_weights)
    saved = chat_mod._spam_weights
    chat_mod._spam_weights = fn
    try:
        yield
    finally:
        chat_mod._spam_weights = saved


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--boot", type=int, default=realchat.N_BOOT)
    args = ap.parse_args(argv)
    items = realchat.load_items("fan")
    if items is None:
        print("shared data not found; nothing to evaluate")
        return 0
    films = realchat.library_method(chat_lag_s=0.0)
    tables = [realchat.evaluate_method(realchat.library_method(), name="library",
                                       items=items, film_fn=films, n_boot=args.boot)]
    for name, lim, thr in (("near-copies >= 15 chars", 15, 90.0),
                           ("near-copies >= 8 chars", 8, 85.0)):
        with patched(near_copy_spam_weights(lim, thr)):
            tables.append(realchat.evaluate_method(realchat.library_method(), name=name,
                                                   items=items, film_fn=films,
                                                   n_boot=args.boot))
    print(realchat.summary_markdown(tables) + "\n")
    for t in tables:
        print(t.to_markdown() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
