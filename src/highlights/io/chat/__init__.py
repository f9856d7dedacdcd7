"""Chat, danmaku and live-commerce logs → :class:`~highlights.types.ChatEvents`.

One loader, :func:`load_chat`, reads every supported format, detected from the
file's content (not its name), and returns events on the media's time axis:
float seconds from the media's first frame.

Supported formats (``format=`` names)
--------------------------------------
``"generic_json"`` / ``"generic_jsonl"`` / ``"csv"``
    Rows ``{"time_s": …, "author": …, "text": …}`` (optional ``kind``, ``value``,
    ``id``), as a JSON array, JSON Lines or a CSV file with a header row.  The
    same rows describe live-commerce event files; see *Column mapping* below.
``"chat_downloader"``
    xenova/chat-downloader JSON array (``time_in_seconds`` for replays, else the
    ``timestamp`` in µs as wall clock).
``"twitch_downloader"``
    TwitchDownloader / Twitch v5 JSON (``comments[].content_offset_seconds``), also
    gzip-compressed (``.json.gz``).
``"twitch_irc"``
    Raw Twitch IRC (IRCv3 tags, ``tmi-sent-ts`` in ms) or IRC lines prefixed by a
    ``YYYY-MM-DD_HH:MM:SS`` wall-clock stamp; ``CLEARMSG``/``CLEARCHAT`` applied.
``"text"``
    Plain ``[H:]MM:SS message`` lines with VOD-relative offsets (tcd, fuslie.txt
    style), optionally bracketed with a ``user:`` column (TwitchDownloader text).
``"chatterino"``
    Chatterino logs ``[HH:MM:SS] user: message``: time of day, wall clock.
``"youtube_live_chat"``
    yt-dlp ``*.live_chat.json`` (JSON Lines).  Replays use
    ``videoOffsetTimeMsec``; a capture saved while live (``"isLive": true``) is
    re-based from ``timestampUsec``.  Deletions are applied, ticker repeats skipped.
``"bilibili_xml"``
    Bilibili danmaku XML and BililiveRecorder XML (``<d>``, ``<sc>``, ``<gift>``,
    ``<guard>``), parsed with :mod:`defusedxml`.

Column mapping of the generic formats
-------------------------------------
Names are matched case-insensitively; the first present column wins.

=========  ======================================================================
field      columns
=========  ======================================================================
time       ``time_s``, ``offset_s``, ``t`` (seconds from the media start);
           ``time_ms``, ``offset_ms`` (milliseconds from the media start);
           ``timestamp_ms`` (UNIX ms), ``timestamp`` / ``created_at`` (UNIX seconds
           or ISO-8601 text): wall clock, needs ``stream_start``
author     ``author``, ``author_id``, ``user_id``, ``uid``, ``user``, ``nickname``
text       ``text``, ``message``, ``comment``, ``content``, ``body``
kind       ``kind``, ``type``, ``event``: one of :data:`~highlights.types.CHAT_KINDS`
           or a synonym (comment/chat/danmaku → message; superchat/donation/bits →
           paid; purchase → order; follow/join/subscribe → member; product/pin →
           pin; likes → like)
value      ``value``, ``amount``, ``price`` × ``quantity`` (or ``item_num``),
           ``count``, ``likes``; money texts by locale conventions
           (``"R$ 10,00"``, ``"1 234,56 €"``, ``"€1.000,50"``, see
           :func:`~highlights.io.chat._money.parse_money`)
currency   ``currency``, ``currency_code``; else the symbol or code in the
           amount's text (``ChatEvents.currency``, ISO 4217)
id         ``id``, ``msg_id``, ``message_id``, ``order_id``
streak     ``repeat_end``: a gift row with a false ``repeat_end`` is an
           intermediate streak update and is skipped (only the final one counts)
=========  ======================================================================

Times of wall-clock formats are UNIX seconds; ``stream_start`` (UNIX seconds, an
ISO-8601 string or a ``datetime``) is subtracted.  Naive times (IRC prefixes,
naive ``datetime``/ISO strings) are all read as UTC, so give ``stream_start`` in
the same clock as the log.  Without ``stream_start`` the first event is taken as
time 0 and a :class:`~highlights.errors.ChatWarning` says so.

Robustness and scale
--------------------
Malformed lines/items are skipped and counted in ``ChatEvents.dropped`` and reported
in one :class:`~highlights.errors.ChatWarning` per reason with line numbers
(``strict=True`` raises :class:`~highlights.errors.ChatFormatError` with ``.line``).
Truncated JSON arrays, gzip streams and XML keep everything before the cut.  XML is
parsed with :mod:`defusedxml` (entity bombs and external entities are refused) after
stripping characters XML forbids.

Encodings
---------
The text encoding is, in this order: ``chat_encoding=`` when given; a byte-order mark
(UTF-8/16/32) or UTF-16 zero bytes; the ``encoding`` an XML declaration names; UTF-8
when samples of the file (its head and blocks spread over the rest) decode as UTF-8;
else the charset :mod:`charset_normalizer` detects on those samples.  Legacy labels
are read as the supersets Windows and browsers use (GB2312/GBK → GB18030, Big5 →
Big5-HKSCS, Shift_JIS → cp932, EUC-KR → cp949, ISO-8859-1 → cp1252).  A file that
then does not decode cleanly raises :class:`~highlights.errors.ChatLogError` naming
the encoding tried and how it was chosen, instead of loading garbage; a handful of
undecodable bytes in a big log (a logger that cut a character) become U+FFFD with a
:class:`~highlights.errors.ChatWarning` (any, with ``strict=True``, raise).

Events are sorted stably, de-duplicated (by id, else by the
same author and text within 1 s), deletions applied, events before 0 s or after
``duration_s`` dropped.  Files are streamed (lines, ``iterparse``, an incremental
``raw_decode`` reader for big JSON arrays) into compact typed arrays: about
130-190 k messages/s and ~100 bytes of peak memory per message.  Only
:class:`~highlights.errors.HighlightsError` subclasses and warnings escape.
"""

from ._load import CHAT_FORMATS, PARSERS, load_chat
from .detect import detect_chat_format

__all__ = ["load_chat", "CHAT_FORMATS", "PARSERS", "detect_chat_format"]
