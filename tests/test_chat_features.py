"""Tests of highlights.features.chat against slow loop references."""

from __future__ import annotations

import math

import numpy as np
import pytest

from highlights.errors import InvalidParameterError
from highlights.features.chat import chat_density
from highlights.types import ChatEvents


def _density_ref(times: list[float], hop: float, n: int) -> list[float]:
    out = [0.0] * n
    for t in times:
        i = math.floor(t / hop)
        if 0 <= i < n:
            out[i] += 1.0 / hop
    return out


def test_chat_density_matches_loop(rng: np.random.Generator) -> None:
    t = rng.uniform(0, 100, 5000)
    ev = ChatEvents.from_arrays(t)
    tl = chat_density(ev, hop_s=0.5, duration_s=90.0)
    assert tl.name == "chat_rate" and tl.n == 180 and tl.hop_s == 0.5
    np.testing.assert_allclose(tl.values, _density_ref(t.tolist(), 0.5, 180), rtol=1e-6)


def test_chat_density_smoothing_preserves_mass() -> None:
    ev = ChatEvents.from_arrays([10.2] * 10)
    raw = chat_density(ev, hop_s=1.0, duration_s=20.0)
    sm = chat_density(ev, hop_s=1.0, duration_s=20.0, smooth_s=5.0)
    assert raw.values[10] == 10.0
    assert sm.values.sum() == pytest.approx(10.0)
    assert sm.values[8:13].tolist() == [2.0] * 5


def test_chat_density_kinds_and_empty() -> None:
    ev = ChatEvents.from_arrays([0.1, 0.2], kind=["message", "like"])
    assert chat_density(ev, hop_s=1.0).values.tolist() == [1.0]
    assert chat_density(ev, hop_s=1.0, kinds=None).values.tolist() == [2.0]
    empty = chat_density(ChatEvents.from_arrays([]), duration_s=2.0)
    assert empty.values.tolist() == [0.0] * 4
    with pytest.raises(InvalidParameterError):
        chat_density(ev, hop_s=0)


# ----------------------------------------------------------------------------- signals
from highlights.features.chat import (  # noqa: E402
    campaign_mask,
    chat_signals,
    spam_weights,
    top_keywords,
)
from highlights.features.lexicon import canonical_token, emote_count, reaction_hits  # noqa: E402


def _spam_weights_ref(t: list[float], author: list[object], text: list[str], window_s: float,
                      cap: int, min_chars: int) -> list[float]:
    """Loop twin of spam_weights."""
    import re as _re

    def norm(x: str) -> str:
        y = _re.sub(r"[\W_]+", "", _re.sub(r"\s+", " ", x).lower())
        return canonical_token(y)

    order = sorted(range(len(t)), key=lambda i: t[i])
    per_author: dict[tuple[object, int], int] = {}
    per_text: dict[tuple[str, int], int] = {}
    w = [1.0] * len(t)
    for i in order:
        win = math.floor(t[i] / window_s)
        if author[i] is not None:
            k = per_author.get((author[i], win), 0)
            per_author[(author[i], win)] = k + 1
            w[i] = 1.0 if k < cap else 0.0
        if len(text[i]) >= min_chars:
            key = norm(text[i])
            if len(key) >= min_chars:
                k = per_text.get((key, win), 0)
                per_text[(key, win)] = k + 1
                w[i] *= 1.0 / math.sqrt(1.0 + k)
    return w


def test_spam_weights_match_loop(rng: np.random.Generator) -> None:
    n = 3000
    t = np.round(rng.uniform(0, 120, n), 1)  # many ties
    authors = [None if rng.random() < 0.1 else f"u{int(rng.integers(0, 40))}" for _ in range(n)]
    pool = ["LUL", "KEKW KEKW", "this is a long copy pasta message!!", "THIS is a long copy-pasta"
            " message", "hi", "哈哈哈哈", "感谢 老板 赠送的 辣条 x1 感谢感谢"]
    texts = [pool[int(rng.integers(0, len(pool)))] for _ in range(n)]
    ev = ChatEvents.from_arrays(t, author=authors, text=texts)
    got = spam_weights(ev, window_s=10.0, author_cap=3, pasta_min_chars=15)
    want = _spam_weights_ref(ev.time_s.tolist(), ev.author.tolist(), ev.text.tolist(),
                             10.0, 3, 15)
    np.testing.assert_allclose(got, want)


def test_spam_weights_damp_one_author_and_pasta() -> None:
    bot = ChatEvents.from_arrays(np.linspace(0, 9.9, 50), author=["bot"] * 50,
                                 text=["感谢 老板 赠送的 辣条"] * 50)
    assert spam_weights(bot).sum() == 3.0  # capped at 3 per 10 s window
    pasta = "copy this pasta if you love the stream"
    crowd = ChatEvents.from_arrays(np.linspace(0, 9.9, 100),
                                   author=[f"u{i}" for i in range(100)], text=[pasta] * 100)
    w = spam_weights(crowd)
    assert w[0] == 1.0 and w[-1] == pytest.approx(0.1)
    short = ChatEvents.from_arrays(np.linspace(0, 9.9, 100),
                                   author=[f"u{i}" for i in range(100)], text=["LUL"] * 100)
    assert spam_weights(short).sum() == 100.0  # a crowd reacting is the signal


def _campaign_ref(ev: ChatEvents) -> list[bool]:
    """Loop twin of campaign_mask."""
    from highlights.features.chat import (
        CAMPAIGN_BUCKET_S,
        CAMPAIGN_MIN_AUTHORS,
        CAMPAIGN_MIN_BUCKETS,
        CAMPAIGN_MIN_SHARE,
        CAMPAIGN_REACH,
        _campaign_key,
    )

    msgs = [i for i in range(len(ev)) if ev.kind[i] in ("message", "paid")]
    if not len(ev):
        return []
    b0 = math.floor(min(ev.time_s) / CAMPAIGN_BUCKET_S)
    bucket = {i: math.floor(ev.time_s[i] / CAMPAIGN_BUCKET_S) - b0 for i in range(len(ev))}
    key = {i: _campaign_key(ev.text[i]) if isinstance(ev.text[i], str) else "" for i in msgs}
    authors: dict[int, set] = {}
    by_key: dict[tuple[str, int], set] = {}
    for i in msgs:
        authors.setdefault(bucket[i], set()).add(ev.author[i])
        if key[i]:
            by_key.setdefault((key[i], bucket[i]), set()).add(ev.author[i])

    def popular(k: str, b: int) -> bool:
        got = len(by_key.get((k, b), ()))
        return got >= CAMPAIGN_MIN_AUTHORS and got >= CAMPAIGN_MIN_SHARE * len(authors.get(b, ()))

    out = [False] * len(ev)
    for i in msgs:
        k, b = key[i], bucket[i]
        if k and popular(k, b):
            near = sum(popular(k, c) for c in range(b - CAMPAIGN_REACH, b + CAMPAIGN_REACH + 1))
            out[i] = near >= CAMPAIGN_MIN_BUCKETS
    return out


def _signals_ref(ev: ChatEvents, hop: float, n: int) -> dict[str, list[float]]:
    w = _spam_weights_ref(ev.time_s.tolist(), ev.author.tolist(), ev.text.tolist(), 10.0, 3, 15)
    out = {k: [0.0] * n for k in ("chat_rate", "chat_unique", "chat_react", "chat_emote",
                                    "chat_value", "chat_fresh")}
    campaign = _campaign_ref(ev)
    last: dict[object, float] = {}  # author -> time of their last counted message
    for i in sorted(range(len(ev)), key=lambda j: (ev.time_s[j], j)):
        if ev.kind[i] not in ("message", "paid"):
            continue
        a = ev.author[i]
        fresh = a is None or a not in last or ev.time_s[i] - last[a] > 60.0
        if a is not None:
            last[a] = ev.time_s[i]  # any message counts as writing
        h = math.floor(ev.time_s[i] / hop)
        if fresh and not campaign[i] and w[i] > 0 and 0 <= h < n:
            out["chat_fresh"][h] += 1.0 / hop
    seen: set[tuple[int, object]] = set()
    for i in range(len(ev)):
        h = math.floor(ev.time_s[i] / hop)
        if not 0 <= h < n:
            continue
        kind = ev.kind[i]
        if kind in ("message", "paid"):
            out["chat_rate"][h] += w[i] / hop
            r, e = reaction_hits(ev.text[i]), emote_count(ev.text[i])
            out["chat_react"][h] += w[i] * (r + 0.5 * e) / hop
            out["chat_emote"][h] += w[i] * e / hop
            a = ev.author[i]
            if a is None or (h, a) not in seen:
                out["chat_unique"][h] += 1.0 / hop
                if a is not None:
                    seen.add((h, a))
        if kind in ("paid", "gift", "order", "member"):
            out["chat_value"][h] += ev.value[i] / hop
    return out


def test_chat_signals_match_loop(rng: np.random.Generator) -> None:
    n = 2000
    t = rng.uniform(0, 60, n)
    authors = [None if rng.random() < 0.1 else f"u{int(rng.integers(0, 25))}" for _ in range(n)]
    pool = ["LUL", "KEKW lol", "Pog!!!", "hello there", "草草草", "666666", "绷不住了？？？",
            "lionBaby_TK :yt:", "this is a long copy pasta message"]
    texts = [pool[int(rng.integers(0, len(pool)))] for _ in range(n)]
    kinds = rng.choice(["message", "paid", "gift", "like", "order"], n, p=[.8, .05, .05, .05, .05])
    value = np.where(kinds == "message", 0.0, rng.integers(1, 50, n))
    ev = ChatEvents.from_arrays(t, author=authors, text=texts, kind=kinds.tolist(), value=value)
    sig = chat_signals(ev, hop_s=0.5, duration_s=60.0)
    ref = _signals_ref(ev, 0.5, 120)
    assert np.array_equal(campaign_mask(ev), _campaign_ref(ev))
    assert set(sig) == set(ref)
    for k, tl in sig.items():
        assert tl.name == k and tl.n == 120 and tl.hop_s == 0.5
        np.testing.assert_allclose(tl.values, ref[k], rtol=1e-5, atol=1e-5, err_msg=k)


def test_chat_signals_empty_and_validation() -> None:
    sig = chat_signals(ChatEvents.from_arrays([]), duration_s=3.0)
    assert all(tl.n == 6 and not tl.values.any() for tl in sig.values())
    with pytest.raises(InvalidParameterError):
        chat_signals(ChatEvents.from_arrays([1.0]), author_cap=0)
    with pytest.raises(InvalidParameterError):
        chat_signals([1.0, 2.0])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "category", "hits"),
    [
        ("KEKW", "laugh", 1), ("OMEGALUL OMEGALUL", "laugh", 2), ("lmao", "laugh", 1),
        ("LOOOL", "laugh", 1), ("哈哈哈哈哈", "laugh", 1), ("草", "laugh", 1),
        ("绷不住了", "laugh", 1), ("ㅋㅋㅋㅋ", "laugh", 1), ("wwwww", "laugh", 1),
        ("Pog", "hype", 1), ("PogChamp", "hype", 1), ("W", "hype", 1), ("666", "hype", 1),
        ("!!!", "hype", 1), ("let's go", "hype", 0), ("lets gooo", "hype", 1),
        ("？？？", "shock", 1), ("???", "shock", 1), ("F", "sad", 1), ("呜呜呜", "sad", 1),
        ("what game is this", None, 0), ("Pogger", None, 0), ("world", None, 0),
        ("LUL LUL LUL LUL LUL LUL", None, 3),
    ],
)
def test_reaction_lexicon(text: str, category: str | None, hits: int) -> None:
    assert reaction_hits(text, category=category) == hits


def test_top_keywords_counts_authors_once() -> None:
    ev = ChatEvents.from_arrays(
        [1, 2, 3, 4, 5, 6, 7, 50],
        author=["spam"] * 4 + ["a", "b", "c", "d"],
        text=["buy followers"] * 4 + ["KEKW", "KEKW lmao", "哈哈哈哈", "outside"],
    )
    kws = top_keywords(ev, 0.0, 10.0, k=3)
    assert kws[0] == "KEKW"
    assert "outside" not in top_keywords(ev, 0.0, 10.0, k=10)
    assert top_keywords(ev, 100.0, 200.0) == ()


def test_campaign_mask_matches_loop_on_chants_and_reactions(rng: np.random.Generator) -> None:
    # a two-minute lottery chant by many viewers, a 15 s "LUL" reaction, background
    t_lottery = rng.uniform(100, 220, 300)
    t_lul = rng.uniform(400, 415, 40)
    t_bg = rng.uniform(0, 600, 300)
    t = np.r_[t_lottery, t_lul, t_bg]
    text = (["v然然超可爱"] * 150 + ["然然超可爱！"] * 150 + ["LUL"] * 40
            + [f"chatter {i % 40}" for i in range(300)])  # diverse background
    author = [f"u{int(a)}" for a in rng.integers(0, 200, t.size)]
    order = np.argsort(t, kind="stable")
    ev = ChatEvents.from_arrays(t[order], author=[author[i] for i in order],
                                text=[text[i] for i in order])
    m = campaign_mask(ev)
    assert np.array_equal(m, _campaign_ref(ev))
    chant = np.isin(np.asarray(ev.text), ["v然然超可爱", "然然超可爱！"])
    assert m[chant].mean() > 0.9          # decorated variants share one key
    assert not m[np.asarray(ev.text) == "LUL"].any()  # a short reaction is no campaign
    assert not m[~chant & (np.asarray(ev.text) != "LUL")].any()
    # a dull phrase said by a few viewers all along is not a campaign either
    t2 = np.arange(0, 600, 4.0)
    ev2 = ChatEvents.from_arrays(t2, author=[f"u{i % 4}" for i in range(t2.size)],
                                 text=["gg"] * t2.size)
    assert not campaign_mask(ev2).any()


# ------------------------------------------------- keywords say what happened (issue 12)
def _stream_with_everywhere_word_and_chant() -> ChatEvents:
    """20 min: "LUL" from many viewers all along, a lottery chant typed for 5 min by
    hundreds, one moment at 600 s where 5 viewers say "baron steal" (and more LUL)."""
    t, a, x = [], [], []
    for i in range(1200):                       # one message a second, rotating words
        t.append(float(i))
        a.append(f"v{i % 300}")
        x.append(["LUL", "hello", "gg", "ok", "nice play", "lol"][i % 6])
    for i in range(1500):                       # the chant: 300-600 s, 5 a second
        t.append(300.0 + i / 5.0)
        a.append(f"c{i % 400}")
        x.append("然然超可爱")
    for i in range(5):                          # the moment
        t += [600.5 + i, 601.0 + i]
        a += [f"m{i}", f"n{i}"]
        x += ["baron steal!!", "LUL LUL"]
    order = np.argsort(t, kind="stable")
    return ChatEvents.from_arrays(np.asarray(t)[order], author=[a[j] for j in order],
                                  text=[x[j] for j in order])


def test_window_keywords_name_the_moment_not_the_everywhere_word_or_the_chant() -> None:
    from highlights.features.chat import KeywordIndex, campaign_mask, top_keywords

    ev = _stream_with_everywhere_word_and_chant()
    assert campaign_mask(ev)[np.asarray(ev.text) == "然然超可爱"].mean() > 0.9
    plain = top_keywords(ev, 595.0, 612.0, k=3)
    assert plain[0] == "然然超可爱"             # by authors alone, the chant wins
    kws = top_keywords(ev, 595.0, 612.0, k=3, index=KeywordIndex(ev))
    assert kws[:2] == ("baron", "steal"), kws   # LUL may follow: it did rise here
    assert "然然超可爱" not in kws


def test_everywhere_word_is_named_only_where_it_spikes() -> None:
    from highlights.features.chat import KeywordIndex

    idx = KeywordIndex(_stream_with_everywhere_word_and_chant())
    # LUL used by 2 of 40 window authors (about its stream-wide share): not distinctive;
    # by 30 of 40: far above its share, so it is the window's reaction
    assert "LUL" not in idx.weigh({"LUL": 2, "baron": 4}, 40)
    assert idx.weigh({"LUL": 30}, 40)["LUL"] > 2.0
