"""Chat events → :class:`~highlights.timeline.Timeline` signals.

The per-hop arithmetic is vectorised numpy (``bincount``, ``lexsort`` ranks,
``cumsum`` windows).  Python touches each message only to factorise authors and
texts into integer codes (one dict lookup each); the reaction lexicon and the
copy-pasta normaliser then run once per *distinct* text, and their results are
mapped back to messages by indexing.  About 0.5 M messages/s.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np
import regex as _regex
from numpy.typing import NDArray

from .._validate import check_nonneg, check_positive, fail
from .._window import moving_average
from ..errors import ChatWarning
from ..timeline import Timeline
from ..types import ChatEvents
from .lexicon import STOPWORDS, emote_count, reaction_hits, reaction_tokens
from .tokens import canonical, emotes, graphemes, is_cjk, phrases, tokens

__all__ = ["chat_density", "chat_signals", "spam_weights", "campaign_mask", "top_keywords",
           "message_keywords", "KeywordIndex", "GENERIC_KEYWORDS", "MESSAGE_KINDS",
           "VALUE_KINDS", "CAMPAIGN_BUCKET_S",
           "FRESH_AFTER_S"]

#: Kinds counted as chat messages by default (text written by viewers).
MESSAGE_KINDS = ("message", "paid")
#: Kinds whose ``value`` (money, bits, gift count, order amount) feeds ``chat_value``.
VALUE_KINDS = ("paid", "gift", "order", "member")
#: Campaign detection works on buckets of this many seconds (see :func:`campaign_mask`).
CAMPAIGN_BUCKET_S = 20.0
#: A phrase typed by at least this many distinct viewers in a bucket is popular there,
CAMPAIGN_MIN_AUTHORS = 5
#: when they are also at least this share of the bucket's distinct viewers (a lottery
#: keyword or a vote fills most of the chat; a recurring reaction such as "LUL" in a
#: funny stream stays at 10-20%, measured on real Twitch and Bilibili logs).
CAMPAIGN_MIN_SHARE = 0.3
#: A popular phrase is a campaign when it is popular in at least this many of the
#: ``2 * CAMPAIGN_REACH + 1`` buckets around: a minute within 100 s (a reaction lasts
#: 10-20 s, so it fills at most two buckets; a lottery keyword, a vote or an "F" wall
#: lasts minutes).
CAMPAIGN_MIN_BUCKETS = 3
CAMPAIGN_REACH = 2
#: An author counts as a fresh voice in ``chat_fresh`` when they have not written for
#: this many seconds.
FRESH_AFTER_S = 60.0


def _n_hops(times_s: NDArray[np.float64], hop_s: float, duration_s: float | None) -> int:
    if duration_s is not None:
        return int(math.ceil(duration_s / hop_s - 1e-9))
    if times_s.size == 0:
        return 0
    return int(np.floor(float(times_s.max()) / hop_s)) + 1


def _hop_index(times_s: NDArray[np.float64], hop_s: float, n: int) -> NDArray[np.intp]:
    """Hop index of each time; -1 for times outside ``[0, n * hop_s)``."""
    idx = np.floor(times_s / hop_s).astype(np.intp)
    idx[(idx < 0) | (idx >= n)] = -1
    return idx


def _kind_mask(events: ChatEvents, kinds: Collection[str] | None) -> NDArray[np.bool_]:
    if kinds is None:
        return np.ones(len(events), dtype=bool)
    return np.isin(events.kind.astype(str), np.asarray(list(kinds), dtype=str))


def chat_density(
    events: ChatEvents,
    *,
    hop_s: float = 0.5,
    duration_s: float | None = None,
    smooth_s: float = 0.0,
    kinds: Collection[str] | None = MESSAGE_KINDS,
) -> Timeline:
    """Chat messages per second on a uniform grid.

    Parameters
    ----------
    events : ChatEvents
        Events in seconds from the media start (see :func:`highlights.load_chat`).
    hop_s : float, default 0.5
        Hop width in seconds.
    duration_s : float, optional
        Media duration in seconds; the timeline has ``ceil(duration_s / hop_s)``
        hops and events past it are ignored.  Default: up to the last event.
    smooth_s : float, default 0.0
        Width in seconds of a centred moving average (0 = none).
    kinds : collection of str or None, default ("message", "paid")
        Event kinds counted; None counts every event (likes, gifts, orders...).

    Returns
    -------
    Timeline
        ``name="chat_rate"``; ``values[i]`` = events per second in hop ``i``.

    Examples
    --------
    >>> ev = ChatEvents.from_arrays([0.1, 0.2, 1.7])
    >>> chat_density(ev, hop_s=1.0).values.tolist()
    [2.0, 1.0]
    """
    caller = "chat_density"
    if not isinstance(events, ChatEvents):
        raise fail("events", caller, "a ChatEvents", type(events).__name__)
    hop = check_positive("hop_s", caller, hop_s)
    dur = None if duration_s is None else check_nonneg("duration_s", caller, duration_s)
    smooth = check_nonneg("smooth_s", caller, smooth_s)
    t = events.time_s[_kind_mask(events, kinds)]
    n = _n_hops(events.time_s, hop, dur)
    idx = _hop_index(t, hop, n)
    counts = np.bincount(idx[idx >= 0], minlength=n).astype(np.float64) / hop
    counts = moving_average(counts, int(round(smooth / hop)))
    return Timeline(values=counts.astype(np.float32), hop_s=hop, start_s=0.0, name="chat_rate")


# =========================================================================== signals
def _factorize(items: Iterable[Any], n: int) -> tuple[NDArray[np.intp], list[Any]]:
    """Integer codes of hashable items (first-seen order) and the distinct items.

    One dict lookup per item (C-speed iteration via ``np.fromiter``); unlike
    ``np.unique`` it accepts ``None`` mixed with strings and needs no sort.
    """
    table: dict[Any, int] = {}
    setdefault = table.setdefault
    codes = np.fromiter((setdefault(x, len(table)) for x in items), dtype=np.intp, count=n)
    return codes, list(table)


def _rank_in_group(group: NDArray[np.int64], t: NDArray[np.float64]) -> NDArray[np.intp]:
    """0-based rank of each element by time within its group (ties: input order)."""
    n = group.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    order = np.lexsort((np.arange(n), t, group))
    g = group[order]
    start = np.r_[True, g[1:] != g[:-1]]
    pos = np.arange(n)
    first = np.maximum.accumulate(np.where(start, pos, 0))
    rank = np.empty(n, dtype=np.intp)
    rank[order] = pos - first
    return rank


_NORM_WS = re.compile(r"\s+")
_NORM_STRIP = re.compile(r"[\W_]+", re.UNICODE)


def _normalize_text(text: str) -> str:
    """Lower-case, drop punctuation/spaces, collapse character runs (copy-pasta key)."""
    t = _NORM_STRIP.sub("", _NORM_WS.sub(" ", text).lower())
    return canonical(t)


def spam_weights(
    events: ChatEvents,
    *,
    window_s: float = 10.0,
    author_cap: int = 3,
    pasta_min_chars: int = 15,
) -> NDArray[np.float64]:
    """Per-event weights in ``[0, 1]`` that damp spam, bots and copy-pasta.

    Two rules, both in fixed windows ``floor(t / window_s)``:

    * **per-author cap**: an author's first ``author_cap`` events in a window weigh 1,
      later ones 0 (one person repeating, gift-thank bots: DDRecorder#38).
      Events without an author are never capped.
    * **near-duplicates**: texts of at least ``pasta_min_chars`` characters after
      normalisation (lower case, no punctuation/spaces, runs collapsed) weigh
      ``1 / sqrt(1 + k)`` for the k-th earlier copy in the window (copy-pasta bursts
      by many accounts).  Short reactions ("LUL", "草") are not damped: many people
      typing them *is* the signal.

    Parameters
    ----------
    events : ChatEvents
        The events.
    window_s : float, default 10.0
        Window length in seconds.
    author_cap : int, default 3
        Events per author and window that count fully.
    pasta_min_chars : int, default 15
        Minimum normalised length of a text to be damped as a copy.

    Returns
    -------
    ndarray of float64, shape (len(events),)
        Weight of each event.
    """
    caller = "spam_weights"
    win = check_positive("window_s", caller, window_s)
    if isinstance(author_cap, bool) or not isinstance(author_cap, (int, np.integer)) \
            or author_cap < 1:
        raise fail("author_cap", caller, "an integer >= 1", author_cap)
    n = len(events)
    acode, authors = _factorize(events.author, n)
    tcode, texts = _factorize(events.text, n)
    return _spam_weights(events.time_s, acode, authors, tcode, texts, window_s=win,
                         author_cap=int(author_cap), pasta_min_chars=int(pasta_min_chars))


def _spam_weights(
    t: NDArray[np.float64],
    acode: NDArray[np.intp],
    authors: list[Any],
    tcode: NDArray[np.intp],
    texts: list[Any],
    *,
    window_s: float,
    author_cap: int,
    pasta_min_chars: int,
) -> NDArray[np.float64]:
    """Kernel of :func:`spam_weights` on factorised authors/texts (trusted input)."""
    n = t.shape[0]
    w = np.ones(n, dtype=np.float64)
    if n == 0:
        return w
    window = np.floor(t / window_s).astype(np.int64)
    window -= window.min()
    n_win = int(window.max()) + 1
    known = np.array([a is not None for a in authors], dtype=bool)[acode]
    if known.any():
        group = acode[known].astype(np.int64) * n_win + window[known]
        rank = _rank_in_group(group, t[known])
        w[known] = np.where(rank < author_cap, 1.0, 0.0)
    # Copy-pasta key per distinct text; texts shorter than the limit cannot qualify.
    norms = [
        _normalize_text(x) if isinstance(x, str) and len(x) >= pasta_min_chars else ""
        for x in texts
    ]
    norm_codes, uniq_norms = _factorize(norms, len(norms))
    long_norm = np.array([len(x) >= pasta_min_chars for x in uniq_norms], dtype=bool)
    ncode = norm_codes[tcode]
    pasta = long_norm[ncode]
    if pasta.any():
        group = ncode[pasta].astype(np.int64) * n_win + window[pasta]
        rank = _rank_in_group(group, t[pasta])
        w[pasta] *= 1.0 / np.sqrt(1.0 + rank)
    return w


_KEY_CJK = re.compile(r"[\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]")
_KEY_NOT_CJK = re.compile(r"[^\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]+")


def _campaign_key(text: str) -> str:
    """What two copies of one chant share: its letters, runs collapsed, case folded.

    For text that is mostly CJK only the CJK characters count, so decorated variants
    of one lottery keyword (``v然然超可爱``, ``然然超可爱！！``) share a key.
    """
    norm = _normalize_text(text)
    cjk = len(_KEY_CJK.findall(norm))
    if cjk and cjk * 2 >= len(norm):
        norm = canonical(_KEY_NOT_CJK.sub("", norm))
    return norm


def campaign_mask(events: ChatEvents) -> NDArray[np.bool_]:
    """Which messages belong to a chat *campaign*: one phrase repeated for minutes.

    Lotteries ("type X to enter"), votes ("1"/"2"), "F" walls and fan chants are
    many distinct viewers typing the same phrase for minutes.  They are not reactions
    to anything on stream, and their start looks exactly like one (a burst of many
    authors).  A reaction is short: many viewers type "LUL" or "草" for 10-20 s.  So a
    phrase (:func:`_campaign_key`: letters only, case folded, runs collapsed) is
    *popular* in a :data:`CAMPAIGN_BUCKET_S` bucket when at least
    :data:`CAMPAIGN_MIN_AUTHORS` distinct authors, and at least
    :data:`CAMPAIGN_MIN_SHARE` of the bucket's authors, type it; and it is a *campaign*
    in a bucket when it is popular in at least :data:`CAMPAIGN_MIN_BUCKETS` of the buckets within
    :data:`CAMPAIGN_REACH` of it (and in the bucket itself).

    Parameters
    ----------
    events : ChatEvents
        The events.

    Returns
    -------
    ndarray of bool, shape (len(events),)
        True for the messages of a phrase while it is a campaign.

    Examples
    --------
    >>> t = np.r_[np.arange(0, 300, 2.0), 400.0, 401.0, 402.0]
    >>> ev = ChatEvents.from_arrays(t, author=[f"u{i % 40}" for i in range(153)],
    ...                             text=["然然超可爱"] * 150 + ["LUL"] * 3)
    >>> m = campaign_mask(ev)
    >>> bool(m[:150].all()), bool(m[150:].any())
    (True, False)
    """
    n = len(events)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    is_msg = np.isin(events.kind.astype(str), MESSAGE_KINDS)
    acode, _ = _factorize(events.author, n)
    tcode, texts = _factorize(events.text, n)
    keys_u = [_campaign_key(str(x)) if isinstance(x, str) else "" for x in texts]
    kcode_u, keys = _factorize(keys_u, len(keys_u))
    kcode = kcode_u[tcode]
    usable = is_msg & (np.array([len(k) > 0 for k in keys], dtype=bool)[kcode])
    bucket = np.floor(events.time_s / CAMPAIGN_BUCKET_S).astype(np.int64)
    bucket -= bucket.min()
    nb = int(bucket.max()) + 1
    na = int(acode.max()) + 1
    # distinct authors per (key, bucket) and per bucket
    kb = kcode.astype(np.int64) * nb + bucket
    pair = np.unique(kb[usable] * na + acode[usable])
    kb_authors = np.bincount(pair // na, minlength=len(keys) * nb).reshape(len(keys), nb)
    bucket_authors = np.bincount(np.unique(bucket[is_msg] * na + acode[is_msg]) // na,
                                 minlength=nb)
    need = np.maximum(CAMPAIGN_MIN_AUTHORS, CAMPAIGN_MIN_SHARE * bucket_authors)  # both
    popular = kb_authors >= need[None, :]
    keys_any = np.flatnonzero(popular.any(axis=1))
    if keys_any.size == 0:
        return out
    pop = popular[keys_any].astype(np.int64)
    # popular buckets within reach of each bucket (a 1-D box sum per key)
    width = 2 * CAMPAIGN_REACH + 1
    c = np.concatenate((np.zeros((pop.shape[0], CAMPAIGN_REACH + 1), np.int64),
                        np.cumsum(pop, axis=1),
                        np.repeat(pop.sum(axis=1, keepdims=True), CAMPAIGN_REACH, axis=1)),
                       axis=1)
    near = c[:, width:width + nb] - c[:, :nb]
    campaign = np.zeros((len(keys), nb), dtype=bool)
    campaign[keys_any] = (pop > 0) & (near >= CAMPAIGN_MIN_BUCKETS)
    out[usable] = campaign[kcode[usable], bucket[usable]]
    return out


def _fresh(t: NDArray[np.float64], acode: NDArray[np.intp], anon: NDArray[np.bool_],
           wrote: NDArray[np.bool_], keep: NDArray[np.bool_], after_s: float
           ) -> NDArray[np.bool_]:
    """Kept messages whose author had written nothing for ``after_s`` seconds.

    ``wrote`` marks every message that counts as the author writing (campaign and
    spam messages too: a viewer who chanted a lottery keyword a minute ago is no
    fresh voice when they go back to chatting); ``keep`` marks those that may count.
    """
    fresh: NDArray[np.bool_] = keep.copy()
    named = wrote & ~anon
    idx = np.flatnonzero(named)
    if idx.size:
        order = idx[np.lexsort((t[idx], acode[idx]))]
        a, ts = acode[order], t[order]
        new_author = np.r_[True, a[1:] != a[:-1]]
        gap = np.r_[np.inf, np.diff(ts)]
        fresh[order] = keep[order] & (new_author | (gap > after_s))
    return fresh


def chat_signals(
    events: ChatEvents,
    *,
    hop_s: float = 0.5,
    duration_s: float | None = None,
    window_s: float = 10.0,
    author_cap: int = 3,
    pasta_min_chars: int = 15,
    currency_rates: Mapping[str, float] | None = None,
) -> dict[str, Timeline]:
    """Chat signals on a uniform grid, with spam/bot damping.

    Parameters
    ----------
    events : ChatEvents
        Events in seconds from the media start.
    hop_s : float, default 0.5
        Hop width in seconds.
    duration_s : float, optional
        Media duration in seconds (default: up to the last event).
    window_s, author_cap, pasta_min_chars
        Spam damping, see :func:`spam_weights`.
    currency_rates : mapping of str to float, optional
        Value of one unit of each currency (``ChatEvents.currency``: ISO 4217 codes,
        ``"BITS"``) in one common unit, e.g. ``{"USD": 1.0, "EUR": 1.08, "JPY":
        0.0067, "BITS": 0.01}``; ``chat_value`` then sums converted amounts.
        Without it, amounts in different currencies are summed as they are and a
        :class:`~highlights.errors.ChatWarning` says so (a ¥1000 Super Chat is not
        worth 200 times a $5 one); a currency the table lacks is warned about too.

    Returns
    -------
    dict of str to Timeline
        All on the grid ``i * hop_s``, values per second:

        ``"chat_rate"``
            Spam-weighted messages (kinds ``message``/``paid``) per second.
        ``"chat_unique"``
            Distinct authors writing in the hop, per second (events without an
            author count one each).
        ``"chat_fresh"``
            Fresh voices per second: messages whose author had not written for
            :data:`FRESH_AFTER_S` seconds, leaving out campaign messages
            (:func:`campaign_mask`) and spam.  A reaction is many people who were
            quiet starting to write at once; a bot, a campaign or one chatty viewer
            is not.  Events without an author count one each.
        ``"chat_react"``
            Spam-weighted reaction-lexicon hits (laughter, hype, shock, sadness in
            English/Twitch, Chinese, Japanese, Korean; see
            :mod:`highlights.features.lexicon`) plus half the emote count, per second.
        ``"chat_emote"``
            Spam-weighted emote tokens per second (emote density).
        ``"chat_value"``
            Paid/gift/order/membership value per second (bits, money, gift counts;
            money converted with ``currency_rates`` when given).

    Notes
    -----
    The values are raw rates.  A stream's audience grows and shrinks over hours, so
    :func:`highlights.fusion.robust_normalize` scores each against a rolling baseline
    before fusion.  Text is scanned once per *distinct* message text.

    Examples
    --------
    >>> ev = ChatEvents.from_arrays([0.1, 0.2, 0.3], author=["a", "b", "a"],
    ...                             text=["KEKW", "lol", "hi"])
    >>> sig = chat_signals(ev, hop_s=1.0)
    >>> sig["chat_rate"].values.tolist(), sig["chat_unique"].values.tolist()
    ([3.0], [2.0])
    """
    caller = "chat_signals"
    if not isinstance(events, ChatEvents):
        raise fail("events", caller, "a ChatEvents", type(events).__name__)
    hop = check_positive("hop_s", caller, hop_s)
    dur = None if duration_s is None else check_nonneg("duration_s", caller, duration_s)
    n_ev = len(events)
    n = _n_hops(events.time_s, hop, dur)
    idx = _hop_index(events.time_s, hop, n)
    inside = idx >= 0
    win = check_positive("window_s", caller, window_s)
    if isinstance(author_cap, bool) or not isinstance(author_cap, (int, np.integer)) \
            or author_cap < 1:
        raise fail("author_cap", caller, "an integer >= 1", author_cap)
    acode, authors = _factorize(events.author, n_ev)
    tcode, texts = _factorize(events.text, n_ev)
    w = _spam_weights(events.time_s, acode, authors, tcode, texts, window_s=win,
                      author_cap=int(author_cap), pasta_min_chars=int(pasta_min_chars))
    kinds = events.kind.astype(str) if n_ev else np.zeros(0, dtype=str)
    is_msg = np.isin(kinds, MESSAGE_KINDS) & inside

    def per_second(name: str, mask: NDArray[np.bool_], weights: NDArray[np.float64]) -> Timeline:
        vals = np.bincount(idx[mask], weights=weights[mask], minlength=n) / hop
        return Timeline(values=vals.astype(np.float32), hop_s=hop, start_s=0.0, name=name)

    out: dict[str, Timeline] = {}
    out["chat_rate"] = per_second("chat_rate", is_msg, w)

    # unique authors per hop
    anon = np.array([a is None for a in authors], dtype=bool)[acode] if n_ev else \
        np.zeros(0, dtype=bool)
    named = is_msg & ~anon
    pair = idx[named].astype(np.int64) * (len(authors) + 1) + acode[named]
    uniq_hops = (np.unique(pair) // (len(authors) + 1)).astype(np.intp)
    uniq = np.bincount(uniq_hops, minlength=n).astype(np.float64)
    uniq += np.bincount(idx[is_msg & anon], minlength=n)
    out["chat_unique"] = Timeline(values=(uniq / hop).astype(np.float32), hop_s=hop,
                                  start_s=0.0, name="chat_unique")

    # fresh voices: no campaign, no capped spam, an author's first message in a while
    keep = is_msg & ~campaign_mask(events) & (w > 0)
    fresh = _fresh(events.time_s, acode, anon, is_msg, keep, FRESH_AFTER_S)
    out["chat_fresh"] = per_second("chat_fresh", fresh, np.ones(n_ev))

    # lexicon scan once per distinct text
    react_u = np.array([reaction_hits(str(x or "")) for x in texts], dtype=np.float64)
    emote_u = np.array([emote_count(str(x or "")) for x in texts], dtype=np.float64)
    react = react_u[tcode] if n_ev else np.zeros(0)
    emote = emote_u[tcode] if n_ev else np.zeros(0)
    out["chat_react"] = per_second("chat_react", is_msg, w * (react + 0.5 * emote))
    out["chat_emote"] = per_second("chat_emote", is_msg, w * emote)

    is_val = np.isin(kinds, VALUE_KINDS) & inside
    out["chat_value"] = per_second("chat_value", is_val,
                                   _converted_value(events, is_val, currency_rates))
    return out


def _converted_value(
    events: ChatEvents, mask: NDArray[np.bool_], rates: Mapping[str, float] | None
) -> NDArray[np.float64]:
    """``events.value`` with money converted by ``rates``; warn when currencies mix."""
    caller = "chat_signals"
    if rates is not None:
        if not isinstance(rates, Mapping):
            raise fail("currency_rates", caller, "a mapping of currency code to rate", rates)
        for code, rate in rates.items():
            if not isinstance(code, str) or isinstance(rate, bool) or not isinstance(
                    rate, (int, float, np.integer, np.floating)) or not (
                    math.isfinite(float(rate)) and float(rate) > 0):
                raise fail("currency_rates", caller,
                           "currency codes mapped to positive finite rates", {code: rate})
    value = events.value
    cur = events.currency
    money = mask & (cur != "") if len(events) else np.zeros(0, dtype=bool)
    if not money.any():
        return value
    codes, inverse = np.unique(cur[money].astype(str), return_inverse=True)
    if rates is None:
        if codes.size > 1:
            warnings.warn(
                f"chat_value adds amounts in {codes.size} currencies ({', '.join(codes)}) "
                "as they are; pass currency_rates={code: rate} to convert them",
                ChatWarning, stacklevel=3,
            )
        return value
    table = {str(k).upper(): float(v) for k, v in rates.items()}
    missing = [c for c in codes if c not in table]
    if missing:
        warnings.warn(
            f"currency_rates has no rate for {', '.join(missing)}; those amounts are "
            "added unconverted", ChatWarning, stacklevel=3,
        )
    factor = np.array([table.get(c, 1.0) for c in codes], dtype=np.float64)
    out = value.copy()
    out[money] = value[money] * factor[inverse]
    return np.asarray(out, dtype=np.float64)


# Alphabetic scripts: a keyword word needs 3+ characters ("gg", "on" say little);
# syllabic and other scripts 2+ ("대박", a Chinese/Japanese bigram).
_ALPHABETIC = _regex.compile(
    r"[\p{Latin}\p{Cyrillic}\p{Greek}\p{Arabic}\p{Hebrew}\p{Armenian}\p{Georgian}]"
)
#: A Chinese/Japanese keyword contained in a longer candidate that at least this share
#: of its authors also wrote is left out of :func:`top_keywords` ("然超" of the chant
#: "然然超可爱" is no keyword of its own).
SUBSTRING_SHARE = 0.5
#: Chinese/Japanese runs of this many characters are keyword candidates whole (chants).
PHRASE_LEN = (3, 8)
#: Character n-grams of Chinese/Japanese runs taken as keyword candidates.
NGRAM = (2, 4)
# Sentence-final particles and "的": an n-gram starting or ending with one is no keyword.
_PARTICLES = frozenset("的了吗吧呢啊呀哦嘛哈")


def _word_keyword(tok: str) -> str | None:
    if tok.isdigit() or not any(c.isalpha() for c in tok):
        return None
    low = tok.lower()
    if low in STOPWORDS:
        return None
    n = len(tok) if tok.isascii() else len(graphemes(tok))
    if n < (3 if tok.isascii() or _ALPHABETIC.match(tok) else 2):
        return None
    return canonical(low)


def message_keywords(text: str, *, cjk: str = "ngram") -> set[str]:
    """Keyword candidates of one chat message, from :mod:`highlights.features.tokens`.

    Reactions of the lexicon and emotes (case kept; emoji whole, without skin
    tones), content words of every script (lower case, canonical, no stop words,
    3+ letters in alphabetic scripts, 2+ in others), the bigrams (or segmenter
    words, ``cjk="segment"``) of Chinese/Japanese runs (2-4 characters, not
    starting or ending with a particle such as 的/了/吧), and runs of 3-8 characters
    whole, which name chants (``"v然然超可爱！"`` → ``"然然超可爱"``).

    Examples
    --------
    >>> sorted(message_keywords("increíble jugada KEKW"))
    ['KEKW', 'increíble', 'jugada']
    >>> sorted(message_keywords("대박 👍🏽"))
    ['대박', '👍']
    >>> kws = message_keywords("v然然超可爱！")
    >>> "然然超可爱" in kws and "可爱" in kws and "v" not in kws
    True
    """
    out = set(reaction_tokens(text))
    out.update(canonical(e) for e in emotes(text))
    for tok in tokens(text, cjk=cjk, ngram=NGRAM):
        if tok in out:
            continue
        if is_cjk(tok):
            if len(tok) >= 2 and tok[0] not in _PARTICLES and tok[-1] not in _PARTICLES:
                out.add(tok)
            continue
        kw = _word_keyword(tok)
        if kw is not None:
            out.add(kw)
    lo, hi = PHRASE_LEN
    for ph in phrases(text):
        if lo <= len(graphemes(ph)) <= hi:
            out.add(ph)
    return out


def top_keywords(
    events: ChatEvents,
    start_s: float,
    end_s: float,
    *,
    k: int = 5,
    cjk: str = "ngram",
    index: KeywordIndex | None = None,
) -> tuple[str, ...]:
    """The most shared reactions/emotes/words in a time window, for clip explanations.

    Candidates are those of :func:`message_keywords` (Unicode words of every script,
    emotes, reactions, Chinese/Japanese bigrams and chants).  Each keyword is counted
    once per author (events without author count once each), so one spammer cannot
    make a keyword; ties are broken by first use.  A Chinese/Japanese n-gram is left
    out when a longer candidate containing it was written by at least
    :data:`SUBSTRING_SHARE` times as many authors (the chant, not its pieces).

    Parameters
    ----------
    events : ChatEvents
        Events in seconds from the media start.
    start_s, end_s : float
        Window ``[start_s, end_s)`` in seconds.
    k : int, default 5
        How many keywords.
    cjk : {"ngram", "segment"}, default "ngram"
        How Chinese/Japanese runs are split (see :func:`highlights.features.tokens.tokens`).
    index : KeywordIndex, optional
        The stream's keyword frequencies (:class:`KeywordIndex`).  With it, a
        keyword ranks by how much more of the window's authors use it than the
        stream does (a log-odds z-score, :meth:`KeywordIndex.weigh`), chat-campaign
        messages are left out, and so are question words, punctuation runs and
        generic reactions (:data:`GENERIC_KEYWORDS`): what a window says that the
        rest of the stream does not, rather than "LUL" or "？？？" everywhere.
        Without it, keywords count by authors alone.

    Returns
    -------
    tuple of str
        Up to ``k`` keywords, most distinctive (or shared) first; empty when the window
        has no chat.

    Examples
    --------
    >>> ev = ChatEvents.from_arrays([1, 2, 3, 4], author=["a", "b", "c", "a"],
    ...                             text=["KEKW", "KEKW lol", "哈哈哈哈", "KEKW"])
    >>> top_keywords(ev, 0, 10, k=2)
    ('KEKW', 'lol')
    """
    caller = "top_keywords"
    if not isinstance(events, ChatEvents):
        raise fail("events", caller, "a ChatEvents", type(events).__name__)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise fail("k", caller, "an integer >= 0", k)
    lo = int(np.searchsorted(events.time_s, float(start_s), side="left"))
    hi = int(np.searchsorted(events.time_s, float(end_s), side="left"))
    counts: Counter[str] = Counter()
    seen: set[tuple[Any, str]] = set()
    writers: set[Any] = set()
    cache: dict[str, set[str]] = {}
    skip = index.campaign if index is not None and index.n_events == len(events) else None
    for j in range(lo, hi):
        if events.kind[j] not in MESSAGE_KINDS or (skip is not None and skip[j]):
            continue
        author = events.author[j]
        writers.add(author if author is not None else ("#", j))
        text = str(events.text[j] or "")
        kws = cache.get(text)
        if kws is None:
            kws = cache[text] = message_keywords(text, cjk=cjk)
        for kw in sorted(kws):  # a set: sorted, so ties break the same way every run
            key = (author if author is not None else ("#", j), kw)
            if key in seen:
                continue
            seen.add(key)
            counts[kw] += 1
    if index is not None:
        return _pick_keywords(index.weigh(counts, len(writers)), int(k))
    return _pick_keywords(counts, int(k))


def _pick_keywords(counts: Mapping[str, float], k: int) -> tuple[str, ...]:
    """The ``k`` top keywords, leaving out CJK n-grams of a longer candidate."""
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])  # stable: ties first counted first
    longer = [(kw, c) for kw, c in ranked if is_cjk(kw)]
    out: list[str] = []
    for kw, c in ranked:
        if len(out) >= k:
            break
        if is_cjk(kw):
            need = SUBSTRING_SHARE * c
            covered = False
            for other, oc in longer:
                if oc < need:
                    break
                if len(other) > len(kw) and kw in other:
                    covered = True
                    break
            if covered:
                continue
        out.append(kw)
    return tuple(out)


#: Question words, fillers and generic reactions that say nothing about *what*
#: happened; left out of weighted keywords (with a :class:`KeywordIndex`).  Anything
#: else that is everywhere in a stream sinks by its stream-wide frequency instead.
GENERIC_KEYWORDS = frozenset({
    "什么", "怎么", "为什么", "吗", "啊", "呢", "吧", "哈哈", "草", "好耶", "来了", "可以",
    "真的", "这个", "那个", "是不是", "有没有", "没有", "我们", "你们", "他们", "就是",
    "なに", "なんで", "ある", "いる", "する", "です", "ます",
    "뭐", "왜", "진짜", "ㅋㅋ", "ㅎㅎ",
    "lol", "lmao", "haha", "wtf", "omg", "what", "why", "how", "yes", "nice", "good",
})
#: Bucket length of the stream-wide keyword frequencies, seconds.
KEYWORD_BUCKET_S = 60.0
#: A keyword must be written by at least this many authors in a window to be named
#: (one viewer's word is no explanation), unless the window has fewer authors.
KEYWORD_MIN_AUTHORS = 2


class KeywordIndex:
    """How common each chat keyword is across a stream, to weigh window keywords.

    Built once per stream (each distinct message text is tokenised once); then
    :func:`top_keywords` (``index=``) ranks a window's keywords by how much more of
    the window's authors use them than the stream's authors do (a log-odds z-score,
    see :meth:`weigh`).  Messages of a chat campaign (:func:`campaign_mask`: a
    lottery phrase, a vote, a chant typed for minutes) count nowhere: they say what
    the audience was asked to type, not what happened.

    Parameters
    ----------
    events : ChatEvents
        The stream's chat (the same object later passed to :func:`top_keywords`).
    cjk : {"ngram", "segment"}, default "ngram"
        How Chinese/Japanese runs are split.

    Examples
    --------
    >>> t = np.arange(0.0, 600.0, 1.0)
    >>> text = ["LUL", "hi", "gg", "ok"] * 150
    >>> text[300:305] = ["baron steal"] * 5
    >>> ev = ChatEvents.from_arrays(t, author=[f"u{i}" for i in range(600)], text=text)
    >>> top_keywords(ev, 295, 310, k=2, index=KeywordIndex(ev))
    ('baron', 'steal')
    """

    def __init__(self, events: ChatEvents, *, cjk: str = "ngram") -> None:
        n = len(events)
        self.cjk = cjk
        self.n_events = n
        self.campaign = campaign_mask(events)
        uses: dict[str, int] = {}
        self.n_pairs = 0
        if n:
            b = np.floor((events.time_s - events.time_s[0]) / KEYWORD_BUCKET_S).astype(np.int64)
            keep = np.isin(events.kind.astype(str), MESSAGE_KINDS) & ~self.campaign
            acode, names = _factorize(events.author, n)
            if None in names:  # no author: each event counts as its own
                acode = np.where(acode == names.index(None), -1 - np.arange(n), acode)
            tcode, texts = _factorize(events.text, n)
            triples = np.unique(np.stack([tcode[keep], b[keep], acode[keep]], axis=1), axis=0)
            self.n_pairs = int(np.unique(triples[:, 1:], axis=0).shape[0]) if len(triples) else 0
            pairs, authors = np.unique(triples[:, :2], axis=0, return_counts=True) \
                if len(triples) else (np.zeros((0, 2), np.int64), np.zeros(0, np.int64))
            kws: dict[int, set[str]] = {}
            for (code, _bucket), count in zip(pairs.tolist(), authors.tolist(), strict=True):
                words = kws.get(code)
                if words is None:
                    words = kws[code] = message_keywords(str(texts[code] or ""), cjk=cjk)
                for kw in words:
                    uses[kw] = uses.get(kw, 0) + count
        self.uses = uses

    def weigh(self, counts: Mapping[str, int], n_authors: int | None = None
              ) -> dict[str, float]:
        """How distinctive each keyword of a window is; generic ones left out.

        The log-odds of a keyword among the window's authors against its log-odds
        among the stream's (author, minute) pairs, over its standard error (with half
        a count added to every cell): ``z = (log((c+.5)/(W-c+.5)) -
        log((U+.5)/(T-U+.5))) / sqrt(1/(c+.5) + 1/(U+.5))``, ``c`` of the ``W``
        window authors and ``U`` of the stream's ``T`` pairs using it.  A word that
        is everywhere ("LUL", a streamer's name) scores near 0 unless the window
        uses it far more; a word only this window uses scores high once several
        authors write it.  Only keywords with ``z > 0`` are kept.

        Parameters
        ----------
        counts : mapping of str to int
            Distinct authors using each keyword in the window.
        n_authors : int, optional
            Distinct authors in the window (default: the largest count).

        Returns
        -------
        dict of str to float
            Keyword -> z, for keywords written by at least :data:`KEYWORD_MIN_AUTHORS`
            authors (fewer when the window has fewer) that are not generic.
        """
        most = max(counts.values(), default=0)
        need = min(KEYWORD_MIN_AUTHORS, most)
        w = max(int(n_authors) if n_authors is not None else most, most)
        t = max(self.n_pairs, 1)
        out: dict[str, float] = {}
        for kw, c in counts.items():
            if c < need or kw.lower() in GENERIC_KEYWORDS or not any(ch.isalnum() for ch in kw):
                continue
            u = min(max(self.uses.get(kw, 0), c), t)
            z = (math.log((c + 0.5) / (w - c + 0.5)) - math.log((u + 0.5) / (t - u + 0.5))) \
                / math.sqrt(1.0 / (c + 0.5) + 1.0 / (u + 0.5))
            if z > 0:
                out[kw] = z
        return out
