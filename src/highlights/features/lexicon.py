"""Reaction lexicons for chat: laughter, hype, shock and sadness in several languages.

A *reaction* is a token a viewer types when something just happened on stream:
Twitch emotes (``LUL``, ``KEKW``, ``Pog``), internet slang (``lol``, ``lmao``,
``W``), Chinese danmaku (``哈哈``, ``草``, ``666``, ``绷不住了``, ``？？？``), Japanese
(``www``, ``草``), Korean (``ㅋㅋ``), Spanish/Portuguese/French/Russian laughter
(``jaja``, ``kkkk``, ``mdr``, ``хаха``).  :func:`reaction_hits` counts them per message;
:func:`emote_count` counts emote-like tokens (Twitch emote names, YouTube ``:shortcut:``,
Bilibili ``[表情]``, Unicode emoji as whole grapheme clusters).  Words and emotes come
from the one tokeniser, :mod:`highlights.features.tokens`.

Everything here is pure Python on single strings; :mod:`highlights.features.chat`
applies it once per *distinct* message text and maps the result back to messages
with numpy, so repeated emote spam costs one scan.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from .tokens import canonical, emotes
from .tokens import tokens as word_tokens

__all__ = [
    "REACTIONS",
    "reaction_hits",
    "reaction_tokens",
    "emote_count",
    "canonical_token",
    "STOPWORDS",
]

#: Reaction vocabulary: category → {"emotes": case-sensitive whole tokens,
#: "words": case-insensitive whole words, "substrings": matched anywhere (Chinese,
#: Japanese and Korean have no word boundaries; emoji stick to words), "patterns":
#: regular expressions for repetitions ("hahaha", "!!!", "666", "www", "？？")}.
#: Each form is listed once, so one occurrence is one hit.
REACTIONS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "laugh": {
        "emotes": ("LUL", "LULW", "KEKW", "KEK", "OMEGALUL", "ICANT", "pepeLaugh", "LuL",
                   "4Head", "EleGiggle", "KEKL", "Kappa", "forsenLUL", "xD", "XD", ":joy:"),
        "words": ("lmao", "lmfao", "rofl", "haha", "lul", "kek", "xdd", "xddd", "xswl",
                  "mdr", "rsrs", "jaja", "хаха"),
        "substrings": ("哈哈", "草", "笑死", "绷不住", "蚌埠住", "笑了", "ワロタ",
                       "🤣", "😂", "😆"),
        "patterns": (r"(?i)\b(?:ha){3,}h?\b", r"(?i)\bl+o+l+\b", r"\bh{3,}\b", r"哈{2,}",
                     r"ㅋ{2,}", r"ㅎ{2,}", r"(?<![a-zA-Z])w{3,}(?![a-zA-Z])", r"\b2333+\b",
                     r"(?i)\b(?:ja){3,}j?\b", r"(?i)\bk{4,}\b", r"(?i)\b(?:ха){3,}х?\b"),
    },
    "hype": {
        "emotes": ("Pog", "PogChamp", "POGGERS", "PogU", "POGGIES", "Poggers", "PagChomp",
                   "PagMan", "W", "EZ", "EZClap", "Clap", "HYPE", "PogBones", "gachiHYPER",
                   "catJAM"),
        "words": ("pog", "omg", "wow", "gg", "insane", "clutch", "hype", "goat", "sheesh",
                  "nice", "nb", "increíble", "increible", "incrível", "golazo", "golaço",
                  "대박", "미쳤다"),
        "substrings": ("牛逼", "牛批", "卧槽", "好耶", "太强了", "强啊", "厉害", "神", "すごい",
                       "ナイス", "爷青回", "🔥", "💯", "👏"),
        "patterns": (r"!{3,}", r"！{3,}", r"6{3,}", r"(?i)\bw{2}\b", r"(?i)\blets+\s*go+\b"),
    },
    "shock": {
        "emotes": ("monkaS", "monkaW", "WutFace", "D:", "NotLikeThis", "WTF", "WTFF",
                   "OMEGAEZ"),
        "words": ("wtf", "wth", "omfg", "bruh", "holy"),
        "substrings": ("啊这", "什么", "我去", "吓死", "不是吧", "えっ", "😱", "😮", "🤯"),
        "patterns": (r"\?{3,}", r"？{2,}", r"(?i)\bno+\s*way\b"),
    },
    "sad": {
        "emotes": ("F", "Sadge", "BibleThump", "PepeHands", "FeelsBadMan", "widepeepoSad",
                   ":("),
        "words": ("rip", "noo", "sad"),
        "substrings": ("泪目", "哭了", "心疼", "寄", "😭", "😢"),
        "patterns": (r"(?i)\bno{3,}\b", r"呜{2,}", r"ㅠ{2,}"),
    },
}

#: Words ignored by keyword extraction (clip explanations).
STOPWORDS = frozenset(
    "a an and are as at be but by can chat do for from go got have he her his how i if in "
    "is it its just like me my no not of on or out she so that the them then there they "
    "this to too u up was we what when who why will with you your yes yeah im its dont "
    "thats oh ok okay "
    # Spanish, Portuguese, French, German, Russian function words
    "que el la los las de del en un una es por con para se lo le al y o pero mas muy "
    "eu você voce não nao com uma os das dos mais isso ele ela "
    "le les des du est et une pas je tu il elle on ce ça ca qui mais "
    "der die das und ist nicht ich du er sie es ein eine zu den dem mit auf "
    "и в не на я что это он она как но да нет ты так все".split()
)

_PUNCT = "".join(sorted(set(string.punctuation) | set("，。！？、…～：；“”‘’（）【】《》")))


class _Matcher:
    """Token sets + one regex for a set of categories (fast path for ASCII text)."""

    def __init__(self, cats: list[Mapping[str, tuple[str, ...]]]) -> None:
        self.emotes = frozenset(e for c in cats for e in c.get("emotes", ()))
        self.words = frozenset(w.lower() for c in cats for w in c.get("words", ()))
        pats: list[str] = []
        for c in cats:
            for p in c.get("patterns", ()):
                q = f"(?i:{p[4:]})" if p.startswith("(?i)") else p
                if q not in pats:
                    pats.append(q)
        subs = sorted({x for c in cats for x in c.get("substrings", ())}, key=len, reverse=True)
        ascii_pats = [p for p in pats if p.isascii()]
        # Patterns before substrings: "哈哈哈哈" is one hit, not two "哈哈".
        self.rx = re.compile("|".join([*pats, *(re.escape(x) for x in subs)]))
        self.rx_ascii = re.compile("|".join(ascii_pats)) if ascii_pats else None

    def tokens(self, text: str, limit: int | None = None) -> list[str]:
        out: list[str] = []
        emotes, words = self.emotes, self.words
        for chunk in text.split():
            if chunk in emotes:  # "D:", ":(", ":joy:" keep their punctuation
                out.append(chunk)
            else:
                core = chunk.strip(_PUNCT)
                if not core:
                    continue
                if core in emotes:
                    out.append(core)
                else:
                    for w in word_tokens(core):
                        if w in emotes:
                            out.append(w)
                        elif w.lower() in words:
                            out.append(w.lower())
            if limit is not None and len(out) >= limit:
                return out[:limit]
        rx = self.rx_ascii if text.isascii() else self.rx
        if rx is not None:
            for m in rx.finditer(text):
                out.append(m.group(0))
                if limit is not None and len(out) >= limit:
                    break
        return out


def check_choice_error(category: object) -> Exception:
    """Build the standard bad-parameter error for an unknown category."""
    from .._validate import fail

    listed = ", ".join(repr(c) for c in REACTIONS)
    return fail("category", "reaction_hits", f"one of {listed} or None", category)


_MATCHERS: dict[str | None, _Matcher] = {k: _Matcher([v]) for k, v in REACTIONS.items()}
_MATCHERS[None] = _Matcher(list(REACTIONS.values()))

# Per-message caps, so one long "LUL LUL LUL ..." line counts like a few.
MAX_HITS_PER_MESSAGE = 3
MAX_EMOTES_PER_MESSAGE = 5


def reaction_hits(text: str, *, category: str | None = None) -> int:
    """Count reaction tokens in one message (capped at :data:`MAX_HITS_PER_MESSAGE`).

    Parameters
    ----------
    text : str
        A chat message.
    category : str, optional
        One of :data:`REACTIONS` ("laugh", "hype", "shock", "sad"); default all.

    Returns
    -------
    int
        Number of reaction matches, at most ``MAX_HITS_PER_MESSAGE``.

    Examples
    --------
    >>> reaction_hits("KEKW that was insane!!!")
    3
    >>> reaction_hits("绷不住了哈哈哈哈", category="laugh")
    2
    >>> reaction_hits("what game is this")
    0
    """
    if category is not None and category not in REACTIONS:
        raise check_choice_error(category)
    return len(_MATCHERS[category].tokens(text, MAX_HITS_PER_MESSAGE))


def reaction_tokens(text: str) -> list[str]:
    """Return the reaction tokens in one message, canonicalised (see :func:`canonical_token`)."""
    return [canonical_token(t) for t in _MATCHERS[None].tokens(text)]


def emote_count(text: str) -> int:
    """Count emote-like tokens in one message (capped at :data:`MAX_EMOTES_PER_MESSAGE`).

    Emotes are those of :func:`highlights.features.tokens.emotes`: an emoji with a
    skin tone, a ZWJ family or a flag is one emote.

    Examples
    --------
    >>> emote_count("lionBaby_TK KEKW :yt: [doge] 🔥 hello")
    5
    >>> emote_count("👍🏽 👨‍👩‍👧 🇯🇵")
    3
    """
    return min(len(emotes(text)), MAX_EMOTES_PER_MESSAGE)


def emote_tokens(text: str) -> list[str]:
    """Return the emote-like tokens of one message (see :func:`~.tokens.emotes`)."""
    return emotes(text)


def canonical_token(token: str) -> str:
    """Collapse repetitions so variants count as one keyword (:func:`~.tokens.canonical`).

    Examples
    --------
    >>> canonical_token("哈哈哈哈哈")
    '哈哈'
    >>> canonical_token("66666")
    '666'
    >>> canonical_token("hahahaha")
    'haha'
    >>> canonical_token("!!!!!")
    '!!!'
    """
    return canonical(token)
