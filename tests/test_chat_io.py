"""Tests of highlights.io.chat: generic formats, arrays, bad input."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from highlights.errors import ChatFormatError, ChatLogError, ChatWarning, InvalidParameterError
from highlights.io.chat import load_chat
from highlights.types import ChatEvents

DATA = Path(__file__).parent / "data" / "chat"


def _load(name: str, **kw: object) -> ChatEvents:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChatWarning)
        return load_chat(DATA / name, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- generic
def test_generic_json_rows_sorted_deduped_negative_dropped() -> None:
    ev = _load("generic.json")
    assert ev.fmt == "generic_json"
    assert ev.time_s.tolist() == [0.25, 1.5, 3.0, 4.0]
    assert ev.author.tolist() == ["bob", "ann", "ann", "cat"]
    assert ev.text.tolist() == ["first!", "hello", "KEKW", "nice"]
    assert ev.kind.tolist() == ["message", "message", "message", "paid"]
    assert ev.value.tolist() == [0.0, 0.0, 0.0, 5.0]
    assert ev.dropped == {"duplicate": 1, "before_start": 1}


def test_generic_jsonl_skips_bad_lines_with_line_numbers() -> None:
    with pytest.warns(ChatWarning, match=r"line\(s\) 3.*not a finite"), \
            pytest.warns(ChatWarning, match=r"line\(s\) 4.*invalid JSON"):
        ev = load_chat(DATA / "generic.jsonl")
    assert ev.time_s.tolist() == [0.25, 1.5, 4.0]
    assert ev.dropped == {"bad_time": 1, "malformed": 1}


def test_generic_jsonl_strict_raises_with_line() -> None:
    with pytest.raises(ChatFormatError) as exc:
        load_chat(DATA / "generic.jsonl", strict=True)
    assert exc.value.line == 3


def test_commerce_csv_mapping() -> None:
    ev = _load("commerce.csv")
    assert ev.fmt == "csv"
    assert ev.kind.tolist() == ["message", "like", "gift", "order", "pin", "message"]
    assert ev.author.tolist() == ["u1", "u2", "u3", "u4", "host", "u1"]
    np.testing.assert_allclose(ev.value, [0, 0, 0, 39.8, 0, 0])
    assert ev.text[-1] == "下单了"
    assert ev.dropped == {"gift_streak": 1}


def test_offset_and_duration() -> None:
    with pytest.warns(ChatWarning, match="after the media end"):
        ev = load_chat(DATA / "generic.json", offset_s=10.0, duration_s=12.0)
    # -2 + 10 = 8 is now inside; 13, its duplicate and 14 are past the end (range
    # checks come before de-duplication).
    assert ev.time_s.tolist() == [8.0, 10.25, 11.5]
    assert ev.dropped == {"after_end": 3}


def test_array_and_events_sources() -> None:
    ev = load_chat([3.0, -1.0, 1.0], offset_s=0.5)
    assert ev.time_s.tolist() == [1.5, 3.5]
    assert ev.dropped == {"before_start": 1}
    ev2 = load_chat(ev, offset_s=-2.0)
    assert ev2.time_s.tolist() == [1.5]
    assert ev2.dropped == {"before_start": 2}
    with pytest.warns(ChatWarning, match="non-finite"):
        ev3 = load_chat(np.array([1.0, np.nan, np.inf]))
    assert len(ev3) == 1


@pytest.mark.parametrize(
    ("kw", "exc"),
    [
        ({"format": "nope"}, InvalidParameterError),
        ({"offset_s": float("nan")}, InvalidParameterError),
        ({"offset_s": "abc"}, InvalidParameterError),
        ({"offset_s": True}, InvalidParameterError),
        ({"duration_s": -1.0}, InvalidParameterError),
        ({"stream_start": "yesterday"}, InvalidParameterError),
    ],
)
def test_bad_parameters(kw: dict[str, object], exc: type[Exception]) -> None:
    with pytest.raises(exc, match="parameter of load_chat"):
        load_chat(DATA / "generic.json", **kw)  # type: ignore[arg-type]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ChatLogError, match="not found"):
        load_chat(tmp_path / "nope.json")


def test_empty_file_warns(tmp_path: Path) -> None:
    p = tmp_path / "empty.json"
    p.write_text("")
    with pytest.warns(ChatWarning, match="empty"):
        ev = load_chat(p)
    assert len(ev) == 0


# ----------------------------------------------------------------------------- platforms
def test_chat_downloader_replay() -> None:
    ev = _load("chat_downloader.json")
    assert ev.fmt == "chat_downloader"
    assert ev.time_s.tolist() == [1.25, 2.5, 4.75, 6.0]
    assert ev.author.tolist() == ["UCx1", "UCx2", "UCx3", "NoId"]
    assert ev.kind.tolist() == ["message", "paid", "member", "message"]
    assert ev.value.tolist() == [0.0, 5.0, 0.0, 0.0]
    assert ev.dropped == {"ticker": 1, "duplicate": 1, "before_start": 1}


def test_chat_downloader_live_uses_microsecond_timestamps(tmp_path: Path) -> None:
    p = tmp_path / "live.json"
    p.write_text(
        '[{"timestamp": 1607102345678901, "message": "a", "author": {"id": "x"}},'
        ' {"timestamp": 1607102347178901, "message": "b", "author": {"id": "y"}}]'
    )
    ev = load_chat(p, stream_start=1607102340.0)
    np.testing.assert_allclose(ev.time_s, [5.678901, 7.178901])


def test_twitch_downloader_json_and_gzip(tmp_path: Path) -> None:
    import gzip

    ev = _load("twitch_downloader.json")
    assert ev.fmt == "twitch_downloader"
    assert ev.time_s.tolist() == [10.0, 11.0, 12.5]
    assert ev.author.tolist() == ["359", "8", "359"]
    assert ev.text.tolist() == ["what is going on....", "Cheer100 nice", "Pog Pog"]
    assert ev.kind.tolist() == ["message", "paid", "message"]
    assert ev.value.tolist() == [0.0, 100.0, 0.0]
    assert ev.dropped == {"duplicate": 1, "before_start": 1}
    gz = tmp_path / "chat.json.gz"
    gz.write_bytes(gzip.compress((DATA / "twitch_downloader.json").read_bytes()))
    ev_gz = _load_path(gz)
    assert ev_gz.time_s.tolist() == ev.time_s.tolist()
    assert ev_gz.fmt == "twitch_downloader"


def _load_path(p: Path, **kw: object) -> ChatEvents:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChatWarning)
        return load_chat(p, **kw)  # type: ignore[arg-type]


def test_twitch_irc_tags_deletions_bits_notices() -> None:
    with pytest.warns(ChatWarning, match="no stream_start"), \
            pytest.warns(ChatWarning, match=r"line\(s\) 11: IRC message without a timestamp"):
        load_chat(DATA / "twitch_irc.log")
    ev = _load("twitch_irc.log", stream_start=1643904084.0)  # (warning checked above)
    np.testing.assert_allclose(ev.time_s, [0.794, 2.0, 3.5, 8.0, 9.25])
    assert ev.author.tolist() == ["713936733", "42", "43", "46", "47"]
    assert ev.text.tolist() == ["bleedPurple", "LUL LUL", "Cheer100 PogChamp", "", "dances"]
    assert ev.kind.tolist() == ["message", "message", "paid", "gift", "message"]
    assert ev.value.tolist() == [0.0, 0.0, 100.0, 5.0, 0.0]
    # CLEARMSG removed m-4, CLEARCHAT removed the troll's message; m-8 has no time.
    assert ev.dropped == {"deleted": 2, "bad_time": 1}


def test_twitch_irc_prefixed_log_with_continuation_lines() -> None:
    ev = _load("twitch_irc_prefixed.log", stream_start="2019-04-30T08:56:00")
    assert ev.time_s.tolist() == [60.0, 60.0, 63.0, 130.0]
    assert ev.author.tolist() == ["ua", "ub", "ua", "ua"]
    assert ev.text.tolist() == ["OMEGALUL", "LULW", "Pog : with colon", "OMEGALUL"]
    assert ev.dropped == {"malformed": 1}


def test_stream_start_forms_agree() -> None:
    from datetime import datetime, timezone

    a = _load("twitch_irc_prefixed.log", stream_start="2019-04-30T08:56:00Z")
    b = _load("twitch_irc_prefixed.log",
              stream_start=datetime(2019, 4, 30, 8, 56, tzinfo=timezone.utc))
    c = _load("twitch_irc_prefixed.log", stream_start=1556614560.0)
    assert a.time_s.tolist() == b.time_s.tolist() == c.time_s.tolist()


def test_plain_text_logs() -> None:
    ev = _load("text.txt")
    assert ev.fmt == "text"
    assert ev.time_s.tolist() == [6.0, 8.0, 74.0, 754.0, 3723.0]
    assert ev.text.tolist()[-1] == "later: with a colon"  # no author column unbracketed
    assert set(ev.author.tolist()) == {None}
    assert ev.dropped == {"malformed": 1}
    br = _load("text_bracketed.txt")
    assert br.fmt == "text"
    assert br.time_s.tolist() == [6.0, 8.0, 3600.5]
    assert br.author.tolist() == ["alice", "bob", "alice"]


def test_chatterino_wall_clock_crosses_midnight() -> None:
    ev = _load("chatterino.log")
    assert ev.fmt == "chatterino"
    assert ev.time_s.tolist() == [0.0, 3.0, 7.0]
    ev2 = _load("chatterino.log", stream_start="2023-01-01T23:59:50")
    assert ev2.time_s.tolist() == [5.0, 8.0, 12.0]
    assert ev2.dropped == {"notice": 1, "malformed": 1}


def test_youtube_replay_deletions_ticker_paid() -> None:
    ev = _load("youtube_live_chat.json")
    assert ev.fmt == "youtube_live_chat"
    assert ev.time_s.tolist() == [20.342, 21.0, 22.5, 26.0, 30.0]
    assert ev.author.tolist() == ["UC1", "UC2", "UC3", "UC6", "UC1"]
    assert ev.text.tolist() == ["KEKE", "nice :yt:", "おめでとう", "Welcome to Club", "later"]
    assert ev.kind.tolist() == ["message", "message", "paid", "member", "message"]
    assert ev.value[2] == 1000.0
    # y4 deleted by id, y5+y6 by author; one ticker copy; one system line; cut last line.
    assert ev.dropped == {"deleted": 3, "ticker": 1, "system": 1, "malformed": 1}


def test_youtube_live_capture_rebased_from_timestamp_usec() -> None:
    ev = _load("youtube_live_chat_live.json", stream_start=1607000099.0)
    # The top-level offsets (999, 1000, 1001 ms from download start) are ignored.
    np.testing.assert_allclose(ev.time_s, [1.0, 2.5, 5.25])


def test_bilibili_xml_fields() -> None:
    with pytest.warns(ChatWarning, match="7 fields"), \
            pytest.warns(ChatWarning, match="'nan' is not a finite number"):
        ev = load_chat(DATA / "bilibili.xml")
    assert ev.fmt == "bilibili_xml"
    assert ev.time_s.tolist() == [18.773, 20.5, 22.25, 490.191]
    assert ev.author.tolist() == ["4fe08d3", "77aa11bb", None, "a16fe0dd"]
    assert ev.text.tolist()[1] == "哈哈哈哈 & 草"
    assert ev.dropped == {"malformed": 1, "bad_time": 1, "duplicate": 1, "before_start": 1}


def test_bililiverecorder_xml_sc_gift_guard() -> None:
    ev = _load("bililiverecorder.xml")
    assert ev.time_s.tolist() == [3.651, 5.002, 5.5, 8.5, 10.25, 12.0, 13.0]
    assert ev.kind.tolist() == ["message", "message", "message", "paid", "gift", "member",
                                "message"]
    assert ev.author.tolist() == ["12345", "67890", "12345", "555", "67890", "777", "67890"]
    assert ev.value.tolist() == [0, 0, 0, 30, 5, 1, 0]
    assert ev.text[-1] == "bellchar"  # \x07 stripped, as BililiveRecorder does
    assert "not a danmaku" not in ev.text.tolist()  # embedded XSL ignored


def test_detection_ignores_extension(tmp_path: Path) -> None:
    from highlights.io.chat import detect_chat_format

    for name, fmt in [
        ("bilibili.xml", "bilibili_xml"), ("twitch_irc.log", "twitch_irc"),
        ("youtube_live_chat.json", "youtube_live_chat"), ("commerce.csv", "csv"),
        ("twitch_downloader.json", "twitch_downloader"), ("text.txt", "text"),
        ("chat_downloader.json", "chat_downloader"), ("generic.jsonl", "generic_jsonl"),
    ]:
        p = tmp_path / f"renamed_{name}.dat"
        p.write_bytes((DATA / name).read_bytes())
        assert detect_chat_format(p) == fmt, name


def test_unknown_format_raises(tmp_path: Path) -> None:
    p = tmp_path / "x.bin"
    p.write_bytes(b"hello world\nthis is not chat\n")
    with pytest.raises(ChatFormatError, match="Unknown chat log format"):
        load_chat(p)


def test_chat_downloader_json_lines_and_bare_twitch_comment_list(tmp_path: Path) -> None:
    p = tmp_path / "cd.jsonl"
    p.write_text('{"time_in_seconds": 1.5, "message": "a", "author": {"id": "x"}}\n'
                 '{"time_in_seconds": 2.5, "message": "b", "author": {"id": "y"}}\n')
    ev = _load_path(p)
    assert ev.fmt == "chat_downloader" and ev.time_s.tolist() == [1.5, 2.5]
    q = tmp_path / "comments.json"
    q.write_text('[{"_id": "1", "content_offset_seconds": 3, "commenter": {"_id": "u"},'
                 ' "message": {"body": "hi"}}]')
    ev2 = _load_path(q)
    assert ev2.fmt == "twitch_downloader" and ev2.text.tolist() == ["hi"]
