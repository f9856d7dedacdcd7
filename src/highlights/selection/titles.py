"""Suggested titles for clips and reels: the chat's distinctive words with the time.

``"LETS GO" at 1:23:45`` from a clip's :attr:`~highlights.types.Clip.keywords` (the
first that is not a stop word or a generic reaction — lists below, in one place), or,
with no usable keyword, the clip's top signal in words: ``loud reaction at 1:23:45``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .._format import format_hms
from ..types import Clip

__all__ = ["clip_title", "reel_title", "STOP_WORDS", "GENERIC_REACTIONS", "SIGNAL_PHRASES"]

#: Words that never make a title (English function words; short tokens are dropped too).
STOP_WORDS = frozenset("""
a an the and or but if then so to of in on at by for with from as is are was were be been
am i me my you your he she it its we our they them their this that these those there here
what which who whom how why when where not no yes do does did done have has had will would
can could should just like get got go oh ok okay um uh ah im its dont cant wont thats
""".split())
#: Chat reactions that say "something happened" but not what: emotes, laughter, spam.
GENERIC_REACTIONS = frozenset("""
lol lul lmao lmfao rofl kek kekw omegalul pog poggers pogchamp pogu w l ww www wwww gg ez
xd xdd haha hahaha hahahaha jaja jajaja kkk kkkk 666 6666 f ff 草 哈哈 哈哈哈 笑 ? ?? ???
! !! !!! +1 1 11 111 monkas pepelaugh lulw sadge copium hype clap
""".split())
#: A signal's share of the score, said in words (the fallback title).
SIGNAL_PHRASES = {
    "audio_rms_db": "loud reaction",
    "audio_onset": "sudden sound",
    "audio_excite": "excited voices",
    "audio_voiced": "shouting",
    "scene": "scene change",
    "motion": "fast action",
    "video_bytes": "busy action",
    "chat_onset": "chat erupts",
    "chat_rate": "chat floods in",
    "chat_unique": "everyone chats",
    "chat_react": "chat reacts",
    "chat_value": "gifts and orders",
}
_SPACES = re.compile(r"\s+")
_MAX_LEN = 40


def _usable(word: str) -> str | None:
    w = _SPACES.sub(" ", unicodedata.normalize("NFKC", word)).strip()
    if not w:
        return None
    bare = re.sub(r"[\W_]+", "", w.lower())
    if not bare or w.lower() in GENERIC_REACTIONS or bare in GENERIC_REACTIONS:
        return None
    if all(part in STOP_WORDS or part in GENERIC_REACTIONS
           for part in re.findall(r"\w+", w.lower())):
        return None
    if len(bare) < 2 and not any(unicodedata.category(c).startswith("Lo") for c in bare):
        return None
    # a repeated emote ("KEKW KEKW KEKW") is still generic
    if len({p.lower() for p in w.split()} - GENERIC_REACTIONS) == 0:
        return None
    return w[:_MAX_LEN].strip()


def _phrase(contributions: dict[str, float]) -> str:
    ranked = sorted(((v, k) for k, v in contributions.items() if v > 0), reverse=True)
    for _, name in ranked:
        if name in SIGNAL_PHRASES:
            return SIGNAL_PHRASES[name]
    return "big moment"


def clip_title(clip: Clip) -> str:
    """Suggested title of one clip, e.g. ``'"LETS GO" at 1:23:45'``.

    The time is the clip's peak (``H:MM:SS``).  The words are the clip's first keyword
    that is neither a stop word (:data:`STOP_WORDS`) nor a generic reaction
    (:data:`GENERIC_REACTIONS`), upper-cased and quoted; without one, the phrase of
    the signal with the largest share of its score (:data:`SIGNAL_PHRASES`).
    """
    when = format_hms(max(clip.peak_s, 0.0))
    for kw in clip.keywords:
        word = _usable(kw)
        if word is not None:
            return f'"{word.upper()}" at {when}'
    return f"{_phrase(clip.contributions)} at {when}"


def reel_title(clips: Sequence[Clip], *, name: str = "") -> str:
    """Suggested title of a reel: its best clip's words, e.g. ``'"LETS GO" and more'``.

    ``name`` (the stream's name) is put in front when given: ``'vod: "LETS GO" and more'``.
    """
    if not clips:
        return name or "highlights"
    best = min(clips, key=lambda c: c.rank)
    words = next((w for w in map(_usable, best.keywords) if w is not None), None)
    core = f'"{words.upper()}" and more' if words else f"{_phrase(best.contributions)} and more"
    if len(clips) == 1:
        core = clip_title(best)
    return f"{name}: {core}" if name else core
