"""Tokens, emotes and keywords in every script (highlights.features.tokens and its users)."""

from __future__ import annotations

import json
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import shared_path
from highlights.errors import ChatWarning, InvalidParameterError
from highlights.features.chat import message_keywords, top_keywords
from highlights.features.lexicon import emote_count, reaction_hits, reaction_tokens
from highlights.features.tokens import canonical, emotes, graphemes, phrases, tokens
from highlights.io.chat import load_chat
from highlights.types import ChatEvents

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
THUMB_SKIN = "\U0001F44D\U0001F3FD"
FLAG_JP = "\U0001F1EF\U0001F1F5"
KEYCAP = "#\ufe0f\u20e3"


def _jsonl(tmp_path: Path, texts: list[str], authors: list[str] | None = None) -> Path:
    p = tmp_path / "chat.jsonl"
    p.write_text("".join(
        json.dumps({"time_s": 1.0 + 0.1 * i, "author": (authors or [f"u{i}" for i in
                                                                    range(len(texts))])[i],
                    "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8")
    return p


# ---------------------------------------------------------------- issue 11, rows 4-6
def test_spanish_and_korean_keywords(tmp_path: Path) -> None:
    """Row 4: accents no longer split words (was 'ble', 'incre'); Korean words count."""
    texts = ["increíble jugada", "INCREÍBLE jugada!!", "que increíble", "대박", "대박 ㅋㅋㅋ",
             "진짜 대박", "increi\u0301ble"]  # the last one decomposed (macOS input)
    ev = load_chat(_jsonl(tmp_path, texts))
    kws = top_keywords(ev, 0.0, 10.0, k=3)
    assert kws[0] == "increíble"
    assert set(kws) == {"increíble", "대박", "jugada"}
    assert "ble" not in top_keywords(ev, 0.0, 10.0, k=20)


def test_emoji_are_whole_grapheme_clusters() -> None:
    """Row 5: a skin tone, a ZWJ family and a flag are one emote each (were 2, 3, 0)."""
    assert emote_count(THUMB_SKIN) == 1
    assert emote_count(FAMILY) == 1
    assert emote_count(FLAG_JP) == 1
    assert emote_count(KEYCAP) == 1
    assert emote_count(f"{THUMB_SKIN} {FAMILY} {FLAG_JP}") == 3
    assert emotes(f"gg{THUMB_SKIN}{FAMILY}") == [THUMB_SKIN, FAMILY]
    assert emote_count("❤ ✔ 🔥") == 3 and emote_count("© ® ™") == 0
    # As keywords, skin tones merge: 👍🏽 and 👍🏻 are one reaction.
    ev = ChatEvents.from_arrays([1, 2, 3], author=["a", "b", "c"],
                                text=[THUMB_SKIN, "\U0001F44D\U0001F3FB", FAMILY])
    assert top_keywords(ev, 0, 10) == ("\U0001F44D", FAMILY)


def test_danmaku_chant_variants_are_one_keyword(tmp_path: Path) -> None:
    """Row 6, on a real-shaped danmaku XML: chant variants are one keyword, no n-gram junk."""
    variants = ["然然超可爱", "v然然超可爱", "然然超可爱！", "然然超可爱然然超可爱",
                "然然超可爱777", "然然超可爱~~", "【然然超可爱】", "嘉然超可爱",
                "哈哈哈哈哈", "哈哈哈"]
    rows = [(f"{150 + 0.3 * i:.3f}", f"{i:08x}", variants[i % len(variants)]) for i in range(60)]
    rows += [("151.0", "ffff0001", "？"), ("152.0", "ffff0002", "。")]
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n<i>\n' + "".join(
        f'    <d p="{t},1,25,16777215,1607687368,0,{uid},{k}">{x}</d>\n'
        for k, (t, uid, x) in enumerate(rows)) + "</i>\n"
    p = tmp_path / "danmaku.xml"
    p.write_text(xml, encoding="utf-8")
    ev = load_chat(p)
    kws = top_keywords(ev, 140.0, 200.0, k=4)
    assert kws[0] == "然然超可爱"
    assert "哈哈" in kws and "嘉然超可爱" in kws
    assert not any(k.startswith("v") or k in ("然超", "超可", "然然超") for k in kws)
    with_kw = sum(bool(message_keywords(str(x))) for x in ev.text)
    assert with_kw == len(ev) - 2  # only "？" and "。" say nothing


def test_real_danmaku_keywords_improve() -> None:
    """Row 6 on the real logs: fewer messages without keyword, no chant duplicates."""
    path = shared_path("bilibili_live_danmaku_asoul", "2020-12-12_diana_debut.xml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChatWarning)
        ev = load_chat(path)
    texts = [str(x) for x in ev.text if str(x).strip()]
    cache = {t: bool(message_keywords(t)) for t in set(texts)}
    empty = sum(not cache[t] for t in texts) / len(texts)
    assert empty < 0.18  # was 26 %
    minute = np.floor(ev.time_s / 60).astype(int)
    busiest = np.argsort(-np.bincount(minute))[:3]
    for m in busiest:
        kws = top_keywords(ev, 60.0 * m, 60.0 * m + 60, k=5)
        assert "然然超可爱" in kws
        assert not any(k != "然然超可爱" and canonical(k.lstrip("v")) == "然然超可爱"
                       for k in kws)


# ---------------------------------------------------------------- the tokeniser
@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("increíble jugada!!", ["increíble", "jugada"]),
        ("Привет всем, это круто", ["Привет", "всем", "это", "круто"]),
        ("Ελλάδα ρε", ["Ελλάδα", "ρε"]),
        ("नमस्ते दोस्तों", ["नमस्ते", "दोस्तों"]),
        ("مرحبا بالجميع", ["مرحبا", "بالجميع"]),
        ("대박 ㅋㅋㅋ 미쳤다", ["대박", "ㅋㅋㅋ", "미쳤다"]),
        ("don’t stop it's", ["don’t", "stop", "it's"]),
        ("lionBaby_TK 123", ["lionBaby_TK", "123"]),
        ("v然然超可爱", ["v", "然然", "然超", "超可", "可爱"]),
        ("草", ["草"]), ("哈哈哈哈哈", ["哈哈"]),
        ("すごい！ナイス", ["すご", "ごい", "ナイ", "イス"]),
        (f"{THUMB_SKIN}{FAMILY}!!", []),
        ("e\u0301cole", ["école"]),  # NFC
    ],
)
def test_tokens(text: str, want: list[str]) -> None:
    assert tokens(text) == want


def test_tokens_ngram_range_and_phrases() -> None:
    assert tokens("二次元", ngram=(2, 3)) == ["二次", "次元", "二次元"]
    assert phrases("B站输麻了！ 然然超可爱然然超可爱") == ["站输麻了", "然然超可爱"]
    with pytest.raises(InvalidParameterError):
        tokens("x", cjk="bogus")
    with pytest.raises(InvalidParameterError):
        tokens("x", ngram=(3, 2))


def test_segmenter_extra() -> None:
    pytest.importorskip("rjieba")
    assert tokens("然然超可爱今天画什么呢", cjk="segment")[:2] == ["然然", "超"]
    ev = ChatEvents.from_arrays([1, 2, 3], author=["a", "b", "c"],
                                text=["今天画什么", "今天吃什么", "今天好开心"])
    assert top_keywords(ev, 0, 5, k=1, cjk="segment") == ("今天",)


def test_japanese_segmenter_extra() -> None:
    pytest.importorskip("fugashi")
    pytest.importorskip("unidic_lite")
    assert tokens("今日の配信楽しかった", cjk="segment")[:3] == ["今日", "の", "配信"]


@pytest.mark.parametrize(
    ("token", "want"),
    [("哈哈哈哈哈", "哈哈"), ("66666", "666"), ("hahahaha", "haha"), ("jajajaja", "jaja"),
     ("!!!!!", "!!!"), ("ㅋㅋㅋㅋㅋ", "ㅋㅋㅋ"), ("然然超可爱然然超可爱", "然然超可爱"),
     ("好耶好耶好耶", "好耶"), ("草草草", "草草"), (THUMB_SKIN, "\U0001F44D"), ("lol", "lol"),
     ("POGGERSPOGGERS", "POGGERS"), ("abab", "abab")],
)
def test_canonical(token: str, want: str) -> None:
    assert canonical(token) == want


def test_reactions_in_more_languages() -> None:
    assert reaction_hits("jajajaja") == 1 and reaction_hits("kkkkk") == 1
    assert reaction_hits("mdr") == 1 and reaction_hits("ахахаха хахаха") >= 1
    assert reaction_hits("¡increíble!") == 1 and reaction_hits("대박") == 1
    assert reaction_tokens("KEKW, lmao") == ["KEKW", "lmao"]


# ---------------------------------------------------------------- properties
_SPECIAL = [THUMB_SKIN, FAMILY, FLAG_JP, KEYCAP, "e\u0301", "\u1100\u1161\u11a8", "क्षि",
            "ÿ̈", "\u0600\u0661", "🏳️‍🌈", "\r\n", " ", "哈哈哈", "ㅋㅋ", "KEKW", "Ω"]
_ANY = st.lists(st.one_of(st.text(alphabet=st.characters(exclude_categories=("Cs",)),
                                  max_size=6),
                          st.sampled_from(_SPECIAL)), max_size=8).map("".join)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _norm_clusters(text: str) -> set[str]:
    t = unicodedata.normalize("NFC", text).casefold()
    t = regex.sub(r"[\U0001F3FB-\U0001F3FF\uFE0E\uFE0F]", "", t)
    return set(graphemes(t))


@SETTINGS
@given(texts=st.lists(_ANY, min_size=1, max_size=5))
def test_any_text_survives_load_to_keywords_whole_clusters(
        tmp_path_factory: pytest.TempPathFactory, texts: list[str]) -> None:
    p = _jsonl(tmp_path_factory.mktemp("tok"), texts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChatWarning)
        ev = load_chat(p, dedupe=False)
    assert ev.text.tolist() == texts
    allowed = set().union(*(_norm_clusters(t) for t in texts))
    for kw in top_keywords(ev, 0.0, 100.0, k=1000):
        assert kw, texts
        assert _norm_clusters(kw) <= allowed, (kw, texts)


# Letters (with combining marks) of scripts that put spaces between words.
_LETTERS = [
    *"abcdefghijklmnopqrstuvwxyzàéîõüñçßøåæœ",
    *"абвгдежзийклмнопрстуфхцчшщыэюяё",
    *"αβγδεζηθικλμνξοπρστυφχψωάέή",
    "가", "나", "다", "대", "박", "한", "국", "ㅋ",
    *"ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "क", "ख", "ग", "नि", "ते", "क्ष", "दो", "स्तों",
]
_MARKS = ["\u0301", "\u0308", "\u0323", "\u0651"]
_WORD = st.lists(st.tuples(st.sampled_from(_LETTERS),
                           st.sampled_from(["", "", "", *_MARKS])).map("".join),
                 min_size=1, max_size=7).map("".join)


@SETTINGS
@given(words=st.lists(_WORD, min_size=1, max_size=6),
       seps=st.lists(st.sampled_from([" ", "  ", ", ", "! ", "\t", " 🔥 ", "? "]),
                     min_size=6, max_size=6))
def test_words_of_spaced_scripts_are_never_split(
        tmp_path_factory: pytest.TempPathFactory, words: list[str], seps: list[str]) -> None:
    text = "".join(w + s for w, s in zip(words, seps))
    assert tokens(text) == [unicodedata.normalize("NFC", w) for w in words]
    p = _jsonl(tmp_path_factory.mktemp("tok"), [text])
    ev = load_chat(p)
    whole = {canonical(unicodedata.normalize("NFC", w).lower()) for w in words}
    lexicon = {canonical(t) for t in reaction_tokens(text)} | {canonical(e) for e in emotes(text)}
    for kw in top_keywords(ev, 0.0, 100.0, k=100):
        assert kw in whole or kw in lexicon, (kw, text)
