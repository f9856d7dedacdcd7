"""load_chat on every real chat log in ../shared/data, checked against independent counts.

The expected numbers are computed here with plain regexes / json.load over the raw
files (not with the library's parsers), then compared with what load_chat returns.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from pathlib import Path

import pytest

from conftest import shared_path
from highlights.errors import ChatFormatError, ChatWarning
from highlights.io.chat import load_chat
from highlights.types import ChatEvents


def _load(path: Path, **kw: object) -> ChatEvents:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChatWarning)
        return load_chat(path, **kw)  # type: ignore[arg-type]


def test_fuslie_plain_text() -> None:
    path = shared_path("twitch_chat_text_fuslie", "fuslie.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    stamps = [m for m in (re.match(r"(\d+):(\d\d):(\d\d) ", ln) for ln in lines) if m]
    secs = [int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in (x.groups() for x in stamps)]
    ev = _load(path)
    assert ev.fmt == "text"
    assert len(ev) == len(stamps) == 37953
    assert ev.dropped == {}
    assert ev.time_s[0] == min(secs) == 6.0
    assert ev.time_s[-1] == max(secs) == 4 * 3600 + 14 * 60 + 44
    assert ev.text[0] == "live POGGERS"
    assert set(ev.author.tolist()) == {None}  # the format has no author column


def test_admiralbulldog_irc_log() -> None:
    path = shared_path("twitch_irc_log_admiralbulldog_2019-04-30",
                       "chat_admiralbulldog_2019-04-30.log")
    raw = path.read_text(encoding="utf-8")
    nicks = re.findall(r":(\w+)!\S+ PRIVMSG #", raw)
    assert len(nicks) == raw.count(" PRIVMSG #") == 28844
    ev_all = _load(path, stream_start="2019-04-30T08:56:59", dedupe=False)
    assert len(ev_all) == 28844
    assert ev_all.time_s[0] == 0.0
    assert ev_all.time_s[-1] == 3 * 3600 + 14 * 60 + 5  # 12:11:04 - 08:56:59
    # Author pseudonyms group exactly like the raw nicks.
    assert Counter(ev_all.author.tolist()) == Counter(nicks)
    ev = _load(path, stream_start="2019-04-30T08:56:59")
    assert len(ev) + ev.dropped["duplicate"] == 28844
    assert 0 < ev.dropped["duplicate"] < 100  # same user + text within 1 s


def test_northernlion_twitch_vod_json() -> None:
    path = shared_path("twitch_vod_chat_northernlion_1087079172", "1087079172.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    comments = doc["comments"]
    assert len(re.findall(r'"content_offset_seconds"', path.read_text())) == 3090
    ev = _load(path)
    assert ev.fmt == "twitch_downloader"
    assert len(ev) == len(comments) == 3090
    assert ev.time_s[0] == 0.0 and ev.time_s[-1] == 2922.0
    assert Counter(ev.author.tolist()) == Counter(c["commenter"]["_id"] for c in comments)
    assert sorted(ev.text.tolist()) == sorted(c["message"]["body"] for c in comments)


_D_RE = re.compile(r'<d p="([^",]*),(?:[^",]*,){5}([^",]*),[^"]*">')


@pytest.mark.parametrize(
    ("name", "n_total"),
    [
        ("2020-12-11_asoul_group_debut.xml", 11023),
        ("2020-12-12_diana_debut.xml", 48598),
        ("2020-12-15_diana_drawing.xml", 14950),
    ],
)
def test_bilibili_danmaku(name: str, n_total: int) -> None:
    path = shared_path("bilibili_live_danmaku_asoul", name)
    raw = path.read_text(encoding="utf-8")
    assert raw.count("<d ") == n_total
    rows = _D_RE.findall(raw)
    assert len(rows) == n_total
    times = [float(t) for t, _ in rows]
    kept = [(float(t), uid) for t, uid in rows if float(t) >= 0]
    ev = _load(path)
    assert ev.fmt == "bilibili_xml"
    assert len(ev) == len(kept)
    assert ev.dropped.get("before_start", 0) == sum(t < 0 for t in times)
    assert ev.time_s[0] == min(t for t, _ in kept)
    assert ev.time_s[-1] == max(times)
    want = Counter(None if uid == "NULL" else uid for _, uid in kept)
    assert Counter(ev.author.tolist()) == want


def test_youtube_heatmap_is_not_chat() -> None:
    path = shared_path("youtube_most_replayed_sample", "QdtFtLuH4L4.heatmap.json")
    with pytest.raises(ChatFormatError, match="most replayed"):
        load_chat(path)
