"""Keywords on the real chat logs: share of messages with no keyword, top-5 of the busiest minutes.

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/chat_keywords.py            # markdown table
    PYTHONPATH=src python benchmarks/chat_keywords.py --json out.json
    PYTHONPATH=src python benchmarks/chat_keywords.py --chapters   # chapter titles too

Reads the real logs in ``../shared/data`` in place (override the ``shared`` folder with
``HIGHLIGHTS_SHARED``): the three Bilibili danmaku XMLs, the AdmiralBulldog Twitch IRC
log, the Northernlion TwitchDownloader JSON and the fuslie text log.  Nothing from them
is copied into the repository; this prints keywords (chat words) to the terminal only.

For each log it prints

* **no keyword**: the share of viewer messages (kinds ``message``/``paid`` with a
  non-empty text) from which keyword extraction gets nothing, and
* the **top-5 keywords** (:func:`highlights.features.chat.top_keywords`) of each of the
  three minutes with the most messages.

With ``--chapters`` it also runs ``find_highlights(None, chat=log, preset="chapters")``
on each log and prints the 12 chapter titles, counting those that hold a *generic*
word (:data:`GENERIC_TITLE_WORDS`: question words, laughter, global emotes) -- the
issue found "KEKW" in 9 of 12 titles of a 4-hour Twitch log.

It runs on older versions of the library too (it falls back to the private per-message
extractor they had), so the same script gives the "before" and "after" numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from highlights import load_chat
from highlights.features import chat as chat_features
from highlights.features.chat import MESSAGE_KINDS, top_keywords

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HIGHLIGHTS_SHARED", ROOT.parent / "shared")) / "data"

LOGS: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
    ("bilibili group debut", ("bilibili_live_danmaku_asoul",
                              "2020-12-11_asoul_group_debut.xml"), {}),
    ("bilibili diana debut", ("bilibili_live_danmaku_asoul", "2020-12-12_diana_debut.xml"), {}),
    ("bilibili diana drawing", ("bilibili_live_danmaku_asoul",
                                "2020-12-15_diana_drawing.xml"), {}),
    ("twitch IRC admiralbulldog", ("twitch_irc_log_admiralbulldog_2019-04-30",
                                   "chat_admiralbulldog_2019-04-30.log"),
     {"stream_start": "2019-04-30T08:56:59"}),
    ("TwitchDownloader northernlion", ("twitch_vod_chat_northernlion_1087079172",
                                       "1087079172.json"), {}),
    ("text fuslie", ("twitch_chat_text_fuslie", "fuslie.txt"), {}),
]


def _extractor() -> Callable[[str], Any]:
    """The per-message keyword extractor of the installed library version."""
    for name in ("message_keywords", "_keywords_of"):
        fn = getattr(chat_features, name, None)
        if fn is not None:
            return fn  # type: ignore[no-any-return]
    raise SystemExit("this version of highlights has no per-message keyword extractor")


def measure(path: Path, **kw: Any) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = load_chat(path, **kw)
    extract = _extractor()
    is_msg = np.isin(ev.kind.astype(str), MESSAGE_KINDS)
    texts = [str(x) for x, m in zip(ev.text, is_msg) if m and str(x or "").strip()]
    cache: dict[str, bool] = {}
    empty = 0
    for x in texts:
        e = cache.get(x)
        if e is None:
            e = cache[x] = not extract(x)
        empty += e
    minute = np.floor(ev.time_s[is_msg] / 60.0).astype(np.int64)
    counts = np.bincount(minute) if minute.size else np.zeros(0, dtype=np.int64)
    busiest = sorted(np.argsort(-counts, kind="stable")[:3].tolist())
    tops = [
        {"minute": int(m), "messages": int(counts[m]),
         "keywords": list(top_keywords(ev, 60.0 * m, 60.0 * m + 60.0, k=5))}
        for m in busiest
    ]
    return {"messages": len(texts), "no_keyword": empty / max(len(texts), 1), "busiest": tops}


#: Words that say nothing about what happened (for counting titles, not used by the
#: library): question words, laughter, and the commonest global Twitch emotes.
GENERIC_TITLE_WORDS = frozenset({
    "kekw", "lul", "lulw", "omegalul", "pog", "pogchamp", "poggers", "kappa", "lol", "lmao",
    "monkas", "pepelaugh", "4head", "xd", "f", "什么", "？？？", "???", "哈哈", "哈哈哈", "草",
    "怎么", "吗", "为什么", "w", "ww",
})


def chapter_titles(path: Path, **kw: Any) -> list[str]:
    """The titles of ``preset="chapters"`` on a chat-only run of ``path``."""
    from highlights import find_highlights

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = find_highlights(None, chat=path, preset="chapters", **kw)
    return [c.label or "" for c in r.clips]


def generic_titles(titles: list[str]) -> int:
    """How many titles hold a word of :data:`GENERIC_TITLE_WORDS`."""
    return sum(any(w.lower().strip(":") in GENERIC_TITLE_WORDS for w in t.split())
               for t in titles)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--chapters", action="store_true",
                    help="also print chapter titles and count the generic ones")
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"no shared data at {SHARED}; nothing to measure")
        return 0
    out: dict[str, Any] = {}
    print("| log | messages | no keyword | busiest minutes: top-5 keywords |")
    print("|---|---:|---:|---|")
    for name, parts, kw in LOGS:
        path = SHARED.joinpath(*parts)
        if not path.is_file():
            print(f"| {name} | missing | | |")
            continue
        r = measure(path, **kw)
        out[name] = r
        tops = "<br>".join(
            f"min {b['minute']} ({b['messages']} msgs): {', '.join(b['keywords'])}"
            for b in r["busiest"]
        )
        print(f"| {name} | {r['messages']} | {100 * r['no_keyword']:.1f}% | {tops} |")
    if args.chapters:
        print()
        print("| log | titles with a generic word | titles |")
        print("|---|---:|---|")
        for name, parts, kw in LOGS:
            path = SHARED.joinpath(*parts)
            if not path.is_file():
                continue
            chat_kw = {f"chat_{k}": v for k, v in kw.items()}
            try:
                titles = chapter_titles(path, **chat_kw)
            except TypeError:  # an older library without these chat options
                print(f"| {name} | n/a (this version lacks {', '.join(chat_kw)}) | |")
                continue
            out.setdefault(name, {})["chapters"] = titles
            print(f"| {name} | {generic_titles(titles)} of {len(titles)} | "
                  f"{' / '.join(titles)} |")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
