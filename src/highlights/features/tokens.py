r"""Chat text → tokens and emotes, in every script.  The one tokeniser of the library.

Chat mixes scripts in one line (``"v然然超可爱"``, ``"increíble jugada 👍🏽"``,
``"대박 ㅋㅋㅋ"``).  This module splits it without breaking a character apart:

* :func:`tokens`: the words of scripts that separate words with spaces (Latin,
  Cyrillic, Greek, Hangul, Arabic, Devanagari, Thai runs ...; letters with their
  combining marks, digits, ``_``, inner apostrophes), numbers, and for Chinese and
  Japanese (no spaces) character **bigrams** of each run, or, with
  ``cjk="segment"``, the words of a segmenter (the optional ``cjk`` extra: rjieba
  for Chinese, fugashi with unidic-lite for Japanese).
* :func:`phrases`: each Chinese/Japanese run whole, in canonical form: short
  danmaku are chants (``"然然超可爱"``) whose bigrams alone do not name them.
* :func:`emotes`: emoji as grapheme clusters (a skin tone, a ZWJ family, a flag or
  a keycap is one emote), YouTube ``:shortcuts:``, Bilibili ``[表情]`` and
  Twitch-style emote names (``KEKW``, ``PogChamp``, ``lionBaby_TK``).
* :func:`canonical`: the form variants of one reaction share (``"哈哈哈哈"`` →
  ``"哈哈"``, ``"hahahaha"`` → ``"haha"``, a chant typed twice → once, emoji skin
  tones dropped).

Every boundary is a grapheme-cluster boundary (Unicode UAX #29, via the
:mod:`regex` module's ``\X``): tokens never split a letter from its accent, a
Hangul syllable's jamo, or an emoji sequence.  Text is NFC-normalised first.

The tokeniser knows nothing of frequencies: keyword choice and weighting live in
:mod:`highlights.features.chat`.  It is pure Python on single strings; callers
apply it once per *distinct* message text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import regex

from ..errors import InvalidParameterError

__all__ = ["tokens", "phrases", "emotes", "canonical", "graphemes", "CJK_MODES",
           "is_cjk"]

#: Ways to split Chinese/Japanese runs (see :func:`tokens`).
CJK_MODES = ("ngram", "segment")

_CJK_CLASS = r"\p{Han}\p{Hiragana}\p{Katakana}\u30fc\u3005\u3006\u303b"
# One alternative per kind of token; the last consumes any other grapheme cluster,
# so every match starts and ends on a cluster boundary.
_SCAN = regex.compile(
    rf"(?P<cjk>(?:(?=[{_CJK_CLASS}])\X)+)"
    rf"|(?P<word>(?:(?=[\p{{L}}\p{{N}}_])(?![{_CJK_CLASS}])\X)+"
    rf"(?:['’](?:(?=[\p{{L}}\p{{N}}_])(?![{_CJK_CLASS}])\X)+)*)"
    r"|\X",
)
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+(?:'[A-Za-z0-9_]+)*")
_CLUSTER = regex.compile(r"\X")
_HAS_CJK = regex.compile(rf"[{_CJK_CLASS}]")
_KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")

# Emotes.  Emoji: a grapheme cluster holding an emoji-presentation character, an
# Extended_Pictographic one made emoji by VS16, a keycap, a regional indicator or a
# dingbat/miscellaneous symbol (not ©, ®, ™: plain text unless VS16 follows).
_EMOJI = regex.compile(
    r"\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F|\u20E3|\p{Regional_Indicator}"
    r"|[\u2600-\u27BF]"  # dingbats typed without VS16 ("❤", "✔") still show as emoji
)
_TEXT_EMOTE = re.compile(
    r":[A-Za-z0-9_\-]{2,}:"                       # YouTube / Discord shortcuts
    r"|\[[^\[\]\s]{1,12}\]"                       # Bilibili [表情]
    r"|(?<![A-Za-z0-9_])[a-z]{2,}[A-Z0-9][A-Za-z0-9_]*(?![A-Za-z0-9_])"  # lionBaby_TK
    r"|(?<![A-Za-z0-9_])[A-Z][a-z]+[A-Z][A-Za-z]*(?![A-Za-z0-9_])"       # PogChamp
    r"|(?<![A-Za-z0-9_])(?:LUL|LULW|KEKW|KEK|OMEGALUL|ICANT|POGGERS|PogU|Pog|EZ|WTFF"
    r"|Sadge|Kappa|TriHard|Pepega|AYAYA|monkaS|monkaW|D:)(?![A-Za-z0-9_])"
)
_SKIN_AND_VS = regex.compile(r"[\U0001F3FB-\U0001F3FF\uFE0E\uFE0F]")

# Canonical forms.
_HAHA = re.compile(r"(?i)(ha|ja|he|hi|ха|ах){2,}[hх]?")
_REPEAT = regex.compile(r"(\X)\1{2,}")            # a cluster 3+ times → 3 (non-CJK)
_CJK_RUN = regex.compile(rf"((?=[{_CJK_CLASS}])\X)\1+")   # 哈哈哈 → 哈哈
_UNIT = regex.compile(r"(\X{2,12}?)\1+")          # a unit of 2+ clusters repeated → once


def _nfc(text: str) -> str:
    return text if text.isascii() or unicodedata.is_normalized("NFC", text) else \
        unicodedata.normalize("NFC", text)


def graphemes(text: str) -> list[str]:
    r"""Split ``text`` into extended grapheme clusters (user-perceived characters).

    Examples
    --------
    >>> graphemes("👍🏽👨‍👩‍👧🇯🇵!")
    ['👍🏽', '👨\u200d👩\u200d👧', '🇯🇵', '!']
    """
    return _CLUSTER.findall(text)


def is_cjk(token: str) -> bool:
    """True if ``token`` holds Chinese or Japanese characters (no-space scripts)."""
    return _HAS_CJK.search(token) is not None


def canonical(token: str) -> str:
    """Collapse repetitions so variants of one reaction or chant count as one.

    A run of one Chinese/Japanese character becomes two (``"哈哈哈哈"`` → ``"哈哈"``),
    another repeated character three (``"!!!!!"`` → ``"!!!"``, ``"66666"`` →
    ``"666"``), laughter ``"hahaha…"`` → ``"haha"`` (``"jajaja…"`` → ``"jaja"``), and
    a unit of two or more characters typed several times once
    (``"然然超可爱然然超可爱"`` → ``"然然超可爱"``).
    Emoji lose skin tones and variation selectors.  Case is kept.

    Examples
    --------
    >>> canonical("哈哈哈哈哈"), canonical("66666"), canonical("hahahaha")
    ('哈哈', '666', 'haha')
    >>> canonical("然然超可爱然然超可爱"), canonical("👍🏽"), canonical("草草草")
    ('然然超可爱', '👍', '草草')
    """
    t = _HAHA.sub(lambda m: m.group(0)[:2].lower() * 2, token)
    if not t.isascii():
        t = _SKIN_AND_VS.sub("", t) or t
        t = _CJK_RUN.sub(lambda m: m.group(1) * 2, t)
    t = _REPEAT.sub(lambda m: m.group(1) * 3, t)
    if len(t) >= 4:
        t = _UNIT.sub(_unit_once, t)
    return t


def _unit_once(m: regex.Match[str]) -> str:
    unit = m.group(1)
    # "haha", "lolo": two Latin letters repeated are the canonical laugh, kept.
    return m.group(0) if len(unit) < 3 and not is_cjk(unit) else unit


@lru_cache(maxsize=1)
def _segmenters() -> tuple[Callable[[str], list[str]], Callable[[str], list[str]] | None]:
    try:
        import rjieba  # type: ignore[import-not-found]
    except ImportError as exc:
        raise InvalidParameterError(
            "tokens(cjk='segment') needs the optional Chinese segmenter: "
            "pip install 'stream-highlights[cjk]' (rjieba; fugashi + unidic-lite for Japanese)"
        ) from exc
    ja: Callable[[str], list[str]] | None = None
    try:
        import fugashi  # type: ignore[import-untyped,import-not-found]

        tagger = fugashi.Tagger()

        def ja(run: str) -> list[str]:
            return [w.surface for w in tagger(run)]
    except (ImportError, RuntimeError):  # no Japanese dictionary: bigrams for kana runs
        ja = None
    return rjieba.cut, ja


def _ngrams(run: str, n_min: int, n_max: int) -> list[str]:
    cl = _CLUSTER.findall(run)
    if len(cl) <= n_min:
        return [run]
    return ["".join(cl[i:i + n]) for n in range(n_min, min(n_max, len(cl)) + 1)
            for i in range(len(cl) - n + 1)]


def tokens(text: str, *, cjk: str = "ngram", ngram: tuple[int, int] = (2, 2)) -> list[str]:
    """Split one chat message into word tokens, in every script.

    Parameters
    ----------
    text : str
        The message.
    cjk : {"ngram", "segment"}, default "ngram"
        How Chinese/Japanese runs (no spaces between words) are split: overlapping
        character bigrams of the run in canonical form (a run of one or two
        characters is one token), or the words of a segmenter (rjieba for Chinese,
        fugashi/unidic-lite for runs with kana; ``pip install 'stream-highlights[cjk]'``).
    ngram : (int, int), default (2, 2)
        Shortest and longest character n-grams of a run, in grapheme clusters
        (``(2, 4)``: bigrams, trigrams and 4-grams, shortest first); a run no longer
        than the shortest is one token.

    Returns
    -------
    list of str
        Tokens in text order, NFC-normalised, case kept: words of space-separated
        scripts (combining marks included, inner apostrophes kept: ``"don't"``),
        numbers, CJK bigrams or words.  Punctuation, symbols and emoji are not
        tokens (see :func:`emotes`).

    Examples
    --------
    >>> tokens("increíble jugada!! 대박 ㅋㅋㅋ")
    ['increíble', 'jugada', '대박', 'ㅋㅋㅋ']
    >>> tokens("v然然超可爱 666")
    ['v', '然然', '然超', '超可', '可爱', '666']
    >>> tokens("哈哈哈哈哈哈")
    ['哈哈']
    """
    if cjk not in CJK_MODES:
        from .._validate import fail

        raise fail("cjk", "tokens", " or ".join(repr(m) for m in CJK_MODES), cjk)
    n_min, n_max = ngram
    if not 1 <= n_min <= n_max:
        from .._validate import fail

        raise fail("ngram", "tokens", "(shortest, longest) with 1 <= shortest <= longest", ngram)
    if text.isascii():
        return _ASCII_WORD.findall(text)
    out: list[str] = []
    for m in _SCAN.finditer(_nfc(text)):
        run = m.group("cjk")
        if run is not None:
            if cjk == "ngram":
                out.extend(_ngrams(canonical(run), n_min, n_max))
            else:
                zh, ja = _segmenters()
                seg = ja if ja is not None and _KANA.search(run) else zh
                out.extend(w for w in seg(run) if w.strip())
            continue
        word = m.group("word")
        if word is not None:
            out.append(word)
    return out


def phrases(text: str) -> list[str]:
    """The Chinese/Japanese runs of a message, whole and in canonical form.

    Examples
    --------
    >>> phrases("v然然超可爱！！ 然然超可爱然然超可爱")
    ['然然超可爱', '然然超可爱']
    """
    if text.isascii():
        return []
    return [canonical(m.group("cjk")) for m in _SCAN.finditer(_nfc(text))
            if m.group("cjk") is not None]


def emotes(text: str) -> list[str]:
    r"""Emote-like tokens of one message, in text order.

    Emoji are whole grapheme clusters (``"👍🏽"``, ``"👨‍👩‍👧"``, ``"🇯🇵"`` are one emote
    each); also YouTube ``:shortcuts:``, Bilibili ``[表情]`` and Twitch-style emote
    names.

    Examples
    --------
    >>> emotes("KEKW 👍🏽 👨‍👩‍👧 🇯🇵 [doge] :yt:")
    ['KEKW', '[doge]', ':yt:', '👍🏽', '👨\u200d👩\u200d👧', '🇯🇵']
    """
    out = [m.group(0) for m in _TEXT_EMOTE.finditer(text)]
    if not text.isascii():
        out.extend(c for c in _CLUSTER.findall(_nfc(text)) if _EMOJI.search(c))
    return out
