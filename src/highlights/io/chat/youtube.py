"""yt-dlp ``live_chat.json`` (JSON Lines of replay chat actions)."""

from __future__ import annotations

from typing import Any

from ._reader import _iter_json_lines, _Source
from ._sink import _Ctx, _money, _num, _Sink, _str_or_none, _text

# --------------------------------------------------------------------------- yt-dlp live chat
_YT_KINDS = {
    "liveChatTextMessageRenderer": "message",
    "liveChatPaidMessageRenderer": "paid",
    "liveChatPaidStickerRenderer": "paid",
    "liveChatMembershipItemRenderer": "member",
    "liveChatSponsorshipsGiftPurchaseAnnouncementRenderer": "gift",
    "liveChatSponsorshipsGiftRedemptionAnnouncementRenderer": "member",
}


def _yt_runs(msg: Any) -> str:
    if not isinstance(msg, dict):
        return ""
    if isinstance(msg.get("simpleText"), str):
        return str(msg["simpleText"])
    runs = msg.get("runs")
    if not isinstance(runs, list):
        return ""
    parts: list[str] = []
    for r in runs:
        if not isinstance(r, dict):
            continue
        if isinstance(r.get("text"), str):
            parts.append(r["text"])
        elif isinstance(r.get("emoji"), dict):
            e = r["emoji"]
            sc = e.get("shortcuts")
            if isinstance(sc, list) and sc and isinstance(sc[0], str):
                parts.append(sc[0])
            else:
                parts.append(_text(e.get("emojiId")))
    return "".join(parts)


def _parse_youtube_live_chat(src: _Source, sink: _Sink, ctx: _Ctx) -> None:
    live: bool | None = None
    last_t = 0.0
    with src.open_text() as fh:
        for line, obj in _iter_json_lines(fh, ctx):
            if not isinstance(obj, dict):
                ctx.bad("malformed", line, "expected a JSON object")
                continue
            if live is None:
                live = bool(obj.get("isLive"))
                sink.wall_clock = live
            replay = obj.get("replayChatItemAction")
            if isinstance(replay, dict):
                actions = replay.get("actions")
                off = replay.get("videoOffsetTimeMsec", obj.get("videoOffsetTimeMsec"))
            else:
                actions = [obj] if any(k.endswith("Action") for k in obj) else obj.get("actions")
                off = obj.get("videoOffsetTimeMsec")
            if not isinstance(actions, list):
                ctx.bad("malformed", line, "no chat actions in line")
                continue
            t_line: float | None = None
            if not live:
                ms = _num(off)
                t_line = None if ms is None else ms / 1000.0
            for act in actions:
                if not isinstance(act, dict):
                    continue
                if "addLiveChatTickerItemAction" in act:
                    ctx.count("ticker")
                    continue
                d = act.get("markChatItemAsDeletedAction") or act.get("removeChatItemAction")
                if isinstance(d, dict):
                    target = _str_or_none(d.get("targetItemId"))
                    if target:
                        sink.delete_id(target)
                    continue
                d = act.get("markChatItemsByAuthorAsDeletedAction")
                if isinstance(d, dict):
                    who = _str_or_none(d.get("externalChannelId"))
                    if who:
                        sink.delete_author(who, t_line if t_line is not None else last_t)
                    continue
                add = act.get("addChatItemAction")
                if not isinstance(add, dict) or not isinstance(add.get("item"), dict):
                    continue
                item = add["item"]
                for rname, rend in item.items():
                    kind = _YT_KINDS.get(rname)
                    if kind is None or not isinstance(rend, dict):
                        ctx.count("system")
                        continue
                    if live:
                        us = _num(rend.get("timestampUsec"))
                        t = None if us is None else us / 1e6
                    else:
                        t = t_line
                    if t is None:
                        ctx.bad("bad_time", line, "videoOffsetTimeMsec/timestampUsec missing")
                        continue
                    last_t = t
                    author = _str_or_none(rend.get("authorExternalChannelId")) or _yt_runs(
                        rend.get("authorName")) or None
                    text = _yt_runs(rend.get("message"))
                    if not text and kind == "member":
                        text = _yt_runs(rend.get("headerSubtext"))
                    value = 0.0
                    cur = ""
                    if kind == "paid":
                        value, cur = _money(_yt_runs(rend.get("purchaseAmountText")))
                    elif kind == "gift":
                        value = 1.0
                    sink.add(t, author, text, kind, value, _str_or_none(rend.get("id")), cur)
