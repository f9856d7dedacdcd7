"""Bad chat inputs (broken lines, bad numbers, deletions, bombs): salvage or a clear error."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pytest

from highlights.errors import ChatFormatError, ChatLogError, ChatWarning
from highlights.io.chat import load_chat
from highlights.types import ChatEvents

DATA = Path(__file__).parent / "data" / "chat"


def _quiet(path: Path, **kw: object) -> ChatEvents:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChatWarning)
        return load_chat(path, **kw)  # type: ignore[arg-type]


# 14: truncated arrays and bad lines --------------------------------------------------
def test_json_array_cut_mid_item_salvages_earlier_items(tmp_path: Path) -> None:
    raw = (DATA / "chat_downloader.json").read_text(encoding="utf-8")
    cut = raw[: raw.index('"a4"') + 10]  # killed run: no "]" and half an item
    p = tmp_path / "cut.json"
    p.write_text(cut, encoding="utf-8")
    with pytest.warns(ChatWarning, match="truncated"):
        ev = load_chat(p)
    assert ev.time_s.tolist() == [1.25, 2.5]
    assert ev.dropped["truncated"] == 1
    with pytest.raises(ChatFormatError) as exc:
        load_chat(p, strict=True)
    assert exc.value.line == 7


def test_json_array_without_closing_bracket(tmp_path: Path) -> None:
    p = tmp_path / "open.json"
    p.write_text('[{"time_s": 1, "author": "a", "text": "x"},\n{"time_s": 2, "author": "b"}\n')
    with pytest.warns(ChatWarning, match="no closing"):
        ev = load_chat(p)
    assert ev.time_s.tolist() == [1.0, 2.0]


def test_json_array_bad_item_in_the_middle_is_skipped(tmp_path: Path) -> None:
    p = tmp_path / "mid.json"
    p.write_text('[{"time_s": 1},\n{"time_s": 2, "x": {"a": [1, {"b": "],"}]}, "text": oops},\n'
                 '{"time_s": 3, "text": "a \\" ], quote"}]')
    with pytest.warns(ChatWarning, match=r"line\(s\) 2"):
        ev = load_chat(p)
    assert ev.time_s.tolist() == [1.0, 3.0]
    assert ev.text[1] == 'a " ], quote'


def test_twitch_downloader_cut_inside_comments(tmp_path: Path) -> None:
    raw = (DATA / "twitch_downloader.json").read_text(encoding="utf-8")
    p = tmp_path / "cut.json"
    p.write_text(raw[: raw.index('"c3"')], encoding="utf-8")
    ev = _quiet(p)
    assert ev.time_s.tolist() == [10.0, 11.0]
    assert ev.dropped["truncated"] == 1


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    rows = "".join(f'{{"time_s": {i}, "author": "u{i % 7}", "text": "msg {i}"}}\n'
                   for i in range(5000))
    z = gzip.compress(rows.encode())
    p = tmp_path / "chat.jsonl.gz"
    p.write_bytes(z[: len(z) // 2])
    with pytest.warns(ChatWarning, match="truncated or corrupt"), \
            pytest.warns(ChatWarning, match="invalid JSON line"):  # the cut last line
        ev = load_chat(p)
    assert 0 < len(ev) < 5000
    assert ev.time_s.tolist() == list(range(len(ev)))
    with pytest.raises(ChatFormatError):
        load_chat(p, strict=True)


def test_corrupt_gzip_header(tmp_path: Path) -> None:
    p = tmp_path / "bad.json.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00garbagegarbage")
    with pytest.raises(ChatFormatError, match="corrupt"):
        load_chat(p)


# 15: number strings, NaN/Infinity, units ----------------------------------------------
def test_non_finite_times_rejected_and_number_strings_accepted(tmp_path: Path) -> None:
    p = tmp_path / "nan.jsonl"
    p.write_text('{"time_s": "12.5"}\n{"time_s": NaN}\n{"time_s": Infinity}\n'
                 '{"time_s": "-Infinity"}\n{"time_s": "NaN"}\n{"time_s": true}\n{"time_s": 3}\n')
    ev = _quiet(p)
    assert ev.time_s.tolist() == [3.0, 12.5]
    assert ev.dropped == {"bad_time": 5}


def test_millisecond_times_in_a_seconds_column_warn(tmp_path: Path) -> None:
    p = tmp_path / "ms.csv"
    p.write_text("time_s,text\n1000000,a\n2000000000,b\n")
    with pytest.warns(ChatWarning, match="wrong unit"):
        load_chat(p)
    q = tmp_path / "ms_ok.csv"
    q.write_text("time_ms,text\n1500,a\n20342,b\n")  # the ms column is converted
    assert _quiet(q).time_s.tolist() == [1.5, 20.342]


# 17: unsorted + duplicates --------------------------------------------------------------
def test_unsorted_and_duplicates(tmp_path: Path) -> None:
    p = tmp_path / "dup.jsonl"
    p.write_text(
        '{"time_s": 5, "author": "a", "text": "x"}\n'
        '{"time_s": 1, "author": "b", "text": "y"}\n'
        '{"time_s": 5.5, "author": "a", "text": "x"}\n'   # same author+text within 1 s
        '{"time_s": 9, "author": "a", "text": "x"}\n'     # later: kept
        '{"time_s": 1, "author": null, "text": "y"}\n'    # anonymous: never deduped
        '{"time_s": 1, "author": null, "text": "y"}\n'
    )
    ev = _quiet(p)
    assert ev.time_s.tolist() == [1.0, 1.0, 1.0, 5.0, 9.0]
    assert ev.author.tolist() == ["b", None, None, "a", "a"]
    assert ev.dropped == {"duplicate": 1}
    assert len(_quiet(p, dedupe=False)) == 6


def test_big_dmids_are_strings_not_floats(tmp_path: Path) -> None:
    # 2**53 + 1 and 2**53 + 2 round to the same float; as strings they are distinct.
    p = tmp_path / "ids.xml"
    p.write_text(
        '<i><d p="1.0,1,25,16777215,1,0,abc,9007199254740993">same</d>'
        '<d p="1.0,1,25,16777215,1,0,abc,9007199254740994">same</d>'
        '<d p="1.0,1,25,16777215,1,0,abc,9007199254740994">same</d></i>'
    )
    ev = _quiet(p)
    assert len(ev) == 2 and ev.dropped == {"duplicate": 1}


# 18: deletions, streaks, ticker copies are covered with fixtures in test_chat_io.py.
# 19: offsets past the media end -----------------------------------------------------
def test_offsets_past_end_dropped_quietly_when_few(tmp_path: Path) -> None:
    p = tmp_path / "end.jsonl"
    p.write_text("".join(f'{{"time_s": {i}}}\n' for i in range(100)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChatWarning)
        ev = load_chat(p, duration_s=97.0)  # 2 of 100 after the end: no warning
    assert len(ev) == 98 and ev.dropped == {"after_end": 2}


# 20: empty chat --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content", ['{"video": {}, "comments": []}', "[]", "time_s,text\n", "<i></i>"]
)
def test_empty_chat(tmp_path: Path, content: str) -> None:
    p = tmp_path / "empty.dat"
    p.write_text(content)
    ev = _quiet(p)
    assert len(ev) == 0 and ev.time_s.dtype == np.float64


# 22: BOM / UTF-16 / lone surrogates ------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_encodings_text_log(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "enc.txt"
    p.write_text("0:00:06 哈哈哈 KEKW\n0:01:00 绷不住了\n", encoding=encoding)
    ev = _quiet(p)
    assert ev.fmt == "text"
    assert ev.text.tolist() == ["哈哈哈 KEKW", "绷不住了"]


def test_utf16_xml_with_declaration(tmp_path: Path) -> None:
    p = tmp_path / "utf16.xml"
    p.write_text('<?xml version="1.0" encoding="UTF-16"?><i><d p="1.5,1,25,1,1,0,u,1">草</d></i>',
                 encoding="utf-16")
    ev = _quiet(p)
    assert ev.time_s.tolist() == [1.5] and ev.text.tolist() == ["草"]


def test_invalid_utf8_and_lone_surrogates(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_bytes(b'{"time_s": 1, "text": "caf\xe9"}\n{"time_s": 2, "text": "\\ud800x"}\n'
                  b'{"time_s": 3, "text": "tab\there"}\n')
    ev = _quiet(p)
    assert ev.time_s.tolist() == [1.0, 2.0, 3.0]
    # Not UTF-8: the charset is detected (was read as UTF-8 with U+FFFD).
    assert ev.text[0] == "café"


# 23: entity bombs / XXE ------------------------------------------------------------------
def test_billion_laughs_refused(tmp_path: Path) -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    p = tmp_path / "bomb.xml"
    p.write_text(f'<?xml version="1.0"?><!DOCTYPE i [<!ENTITY l0 "lol">{lol}]>'
                 '<i><d p="1,1,25,1,1,0,u,1">&l9;</d></i>')
    with pytest.raises(ChatFormatError, match="entity"):
        load_chat(p)


def test_external_entity_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    p = tmp_path / "xxe.xml"
    p.write_text(f'<?xml version="1.0"?><!DOCTYPE i [<!ENTITY x SYSTEM "file://{secret}">]>'
                 '<i><d p="1,1,25,1,1,0,u,1">&x;</d></i>')
    with pytest.raises(ChatFormatError):
        load_chat(p)


# 24: control characters, truncated XML ---------------------------------------------------
def test_control_chars_stripped_and_truncated_xml_salvaged(tmp_path: Path) -> None:
    rows = "".join(f'<d p="{i}.5,1,25,1,1,0,u{i % 3},{i}">m\x01{i}\x1f</d>\n' for i in range(50))
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<i>\n{rows}</i>'
    p = tmp_path / "cut.xml"
    p.write_text(text[: text.index('<d p="40.5')] + '<d p="40.5,1,25', encoding="utf-8")
    with pytest.warns(ChatWarning, match="XML broken"):
        ev = load_chat(p)
    assert len(ev) == 40
    assert ev.text[3] == "m3"
    with pytest.raises(ChatFormatError):
        load_chat(p, strict=True)


def test_not_xml_at_all(tmp_path: Path) -> None:
    p = tmp_path / "x.xml"
    p.write_text("<<<>>>")
    with pytest.raises(ChatFormatError):
        load_chat(p)


# 25: p with 7 or 9 fields: see test_bilibili_xml_fields.  Strict mode everywhere ------
@pytest.mark.parametrize(
    ("name", "line"),
    [("generic.jsonl", 3), ("text.txt", 5), ("chatterino.log", 6), ("twitch_irc.log", 11),
     ("twitch_irc_prefixed.log", 11), ("youtube_live_chat.json", 12)],
)
def test_strict_mode_reports_line(name: str, line: int) -> None:
    with pytest.raises(ChatFormatError) as exc:
        load_chat(DATA / name, strict=True)
    assert exc.value.line == line
    assert isinstance(exc.value, ChatLogError) and isinstance(exc.value, ValueError)


def test_directory_is_not_a_chat_log(tmp_path: Path) -> None:
    with pytest.raises(ChatLogError):
        load_chat(tmp_path)


# streaming: tiny buffers exercise refills, trimming and line counting ------------------
@pytest.mark.parametrize(
    "name", ["chat_downloader.json", "twitch_downloader.json", "generic.json"]
)
def test_tiny_stream_buffer_gives_same_result(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    import highlights.io.chat._reader as chat_mod

    ref = _quiet(DATA / name)
    monkeypatch.setattr(chat_mod, "_CHUNK_CHARS", 7)
    got = _quiet(DATA / name)
    assert got.time_s.tolist() == ref.time_s.tolist()
    assert got.text.tolist() == ref.text.tolist()
    assert got.dropped == ref.dropped


def test_line_numbers_across_buffer_refills(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    import highlights.io.chat._reader as chat_mod

    monkeypatch.setattr(chat_mod, "_CHUNK_CHARS", 50)
    rows = [f'{{"time_s": {i}, "text": "row {i}"}}' for i in range(300)]
    rows[250] = '{"time_s": 250, "text": broken}'
    p = tmp_path / "big.json"
    p.write_text("[\n" + ",\n".join(rows) + "\n]\n")
    with pytest.raises(ChatFormatError) as exc:
        load_chat(p, strict=True)
    assert exc.value.line == 252  # "[" is line 1
    ev = _quiet(p)
    assert len(ev) == 299 and ev.dropped == {"malformed": 1}
