"""Chat logs in legacy encodings: each format family × GBK, GB18030, Big5, SJIS, EUC-KR, cp1252.

Each file is generated here as UTF-8 text of its format and re-encoded; loading it
must give back the very texts and authors (encoding detected, or declared by XML),
never U+FFFD garbage.  A file that does not decode in the encoding tried raises
ChatLogError naming that encoding and ``chat_encoding``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import shared_path
from highlights.errors import ChatLogError, ChatWarning, InvalidParameterError
from highlights.io.chat import detect_chat_format, load_chat

# Chat lines people write in each encoding's language (the last is an author name).
ZH = ["然然超可爱", "哈哈哈哈哈哈", "绷不住了", "这也太强了吧", "主播加油！", "好耶", "晚安啦",
      "今天画什么呢", "卧槽牛逼", "这是什么操作？？？", "泪目了", "有一说一确实", "嘉然小姐"]
ZH_HANT = ["這也太強了吧", "主播加油", "晚安囉", "今天畫什麼呢", "真的假的", "笑死我了", "好可愛",
           "哈哈哈哈", "太厲害了", "淚目", "確實如此", "這是什麼操作", "台灣觀眾"]
JA = ["すごい！", "ナイス", "草", "かわいい", "やばすぎる", "おつかれさまでした",
      "今日の配信楽しかった", "わこつ", "てぇてぇ", "神回", "ありがとう",
      "初見です、よろしくお願いします", "名無しさん"]
KO = ["대박", "ㅋㅋㅋㅋ", "미쳤다 진짜", "잘한다", "오늘 방송 재밌어요", "수고하셨습니다",
      "와 개웃기네", "헐", "안녕하세요", "감사합니다", "최고", "레전드 각", "시청자"]
ES = ["increíble jugada", "qué golazo, señor", "¡vamos niño!", "está buenísimo", "olé",
      "c'est génial, très bien joué", "déjà vu à la française", "schöne Grüße", "5 € para el café",
      "año nuevo", "über straße", "crème brûlée", "José"]

ENCODINGS: dict[str, list[str]] = {
    "gbk": ZH,
    "gb18030": [*ZH[:-1], "笑死😂", ZH[-1]],  # an emoji: only GB18030 (not GBK) has it
    "big5": ZH_HANT,
    "shift_jis": JA,
    "euc_kr": KO,
    "cp1252": ES,
}


def _msgs(words: list[str]) -> tuple[list[str], str]:
    return words[:-1], words[-1]


# ------------------------------------------------------------------- one writer per format
def _generic_json(msgs: list[str], who: str) -> str:
    return json.dumps([{"time_s": i + 1.0, "author": f"{who}{i % 3}", "text": m}
                       for i, m in enumerate(msgs)], ensure_ascii=False, indent=1)


def _generic_jsonl(msgs: list[str], who: str) -> str:
    return "\n".join(json.dumps({"time_s": i + 1.0, "author": f"{who}{i % 3}", "text": m},
                                ensure_ascii=False) for i, m in enumerate(msgs)) + "\n"


def _csv(msgs: list[str], who: str) -> str:
    return "time_s,author,text\r\n" + "".join(
        f'{i + 1.0},{who}{i % 3},"{m}"\r\n' for i, m in enumerate(msgs))


def _chat_downloader(msgs: list[str], who: str) -> str:
    return json.dumps([
        {"time_in_seconds": i + 1.0, "message_id": f"m{i}", "message_type": "text_message",
         "author": {"id": f"UC{i % 3}", "name": f"{who}{i % 3}"}, "message": m}
        for i, m in enumerate(msgs)], ensure_ascii=False)


def _twitch_downloader(msgs: list[str], who: str) -> str:
    return json.dumps({
        "streamer": {"name": who, "id": 1},
        "comments": [{"_id": f"c{i}", "content_offset_seconds": i + 1.0,
                      "commenter": {"_id": f"{who}{i % 3}", "display_name": f"{who}{i % 3}"},
                      "message": {"body": m}} for i, m in enumerate(msgs)]},
        ensure_ascii=False)


def _twitch_irc(msgs: list[str], who: str) -> str:
    return "".join(
        f"@display-name={who}{i % 3};id=i{i};tmi-sent-ts={1643904084000 + 1000 * i};"
        f"user-id={who}{i % 3} :u{i % 3}!u{i % 3}@u{i % 3}.tmi.twitch.tv PRIVMSG #chan :{m}\n"
        for i, m in enumerate(msgs))


def _text(msgs: list[str], who: str) -> str:
    return "".join(f"0:00:{i + 1:02d} {m}\n" for i, m in enumerate(msgs))


def _chatterino(msgs: list[str], who: str) -> str:
    return "# Start logging\n" + "".join(
        f"[12:00:{i + 1:02d}] {who}{i % 3}: {m}\n" for i, m in enumerate(msgs))


def _youtube(msgs: list[str], who: str) -> str:
    return "".join(json.dumps({
        "clickTrackingParams": "x",
        "replayChatItemAction": {"actions": [{"addChatItemAction": {"item": {
            "liveChatTextMessageRenderer": {
                "message": {"runs": [{"text": m}]}, "authorName": {"simpleText": f"{who}{i % 3}"},
                "authorExternalChannelId": f"{who}{i % 3}", "id": f"y{i}"}}}}],
            "videoOffsetTimeMsec": str(1000 * (i + 1))}}, ensure_ascii=False) + "\n"
        for i, m in enumerate(msgs))


def _bilibili(msgs: list[str], who: str, declared: str | None = None) -> str:
    decl = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    return decl + "<i>\n" + "".join(
        f'  <d p="{i + 1.0},1,25,16777215,1607630590,0,{who}{i % 3},{i}">{m}</d>\n'
        for i, m in enumerate(msgs)) + "</i>\n"


FORMATS: dict[str, Callable[[list[str], str], str]] = {
    "generic_json": _generic_json, "generic_jsonl": _generic_jsonl, "csv": _csv,
    "chat_downloader": _chat_downloader, "twitch_downloader": _twitch_downloader,
    "twitch_irc": _twitch_irc, "text": _text, "chatterino": _chatterino,
    "youtube_live_chat": _youtube, "bilibili_xml": _bilibili,
}


def _load_quiet(path: Path, **kw: object):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChatWarning)
        return load_chat(path, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_in_every_legacy_encoding(tmp_path: Path, fmt: str, encoding: str) -> None:
    msgs, who = _msgs(ENCODINGS[encoding])
    doc = FORMATS[fmt](msgs, who)
    path = tmp_path / "chat.log"
    path.write_bytes(doc.encode(encoding))
    assert detect_chat_format(path) == fmt
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChatWarning)  # no U+FFFD warning either
        ev = load_chat(path, stream_start=0.0 if fmt != "chatterino" else None) \
            if fmt not in ("chatterino", "twitch_irc") else _load_quiet(path)
    assert ev.fmt == fmt
    assert ev.text.tolist() == msgs
    if fmt != "text":  # the plain text format has no author column
        assert {a for a in ev.author.tolist()} <= {f"{who}{k}" for k in range(3)} | {
            f"UC{k}" for k in range(3)}
    # Told explicitly, the same.
    ev2 = _load_quiet(path, chat_encoding=encoding)
    assert ev2.text.tolist() == msgs


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_gzip_compressed_legacy_encoding(tmp_path: Path, fmt: str) -> None:
    import gzip

    msgs, who = _msgs(ZH)
    path = tmp_path / "chat.gz"
    path.write_bytes(gzip.compress(FORMATS[fmt](msgs, who).encode("gbk")))
    assert _load_quiet(path).text.tolist() == msgs


def test_bilibili_xml_declaring_gbk(tmp_path: Path) -> None:
    """Issue 11, row 1: the declared encoding is honoured (was stripped, read as UTF-8)."""
    msgs, who = _msgs(ZH)
    path = tmp_path / "danmaku.xml"
    path.write_bytes(_bilibili(msgs, who, declared="GBK").encode("gbk"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChatWarning)
        ev = load_chat(path)
    assert ev.text.tolist() == msgs
    assert not any("\ufffd" in t for t in ev.text)


def test_real_bilibili_danmaku_reencoded_gbk(tmp_path: Path) -> None:
    """A real BililiveRecorder XML, re-encoded to GBK with its declaration saying so."""
    real = shared_path("bilibili_live_danmaku_asoul", "2020-12-11_asoul_group_debut.xml")
    raw = real.read_text(encoding="utf-8")
    assert raw.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    gbk = raw.replace('encoding="UTF-8"', 'encoding="GBK"', 1).encode("gbk", errors="replace")
    path = tmp_path / "danmaku_gbk.xml"
    path.write_bytes(gbk)
    want = _load_quiet(real)
    got = _load_quiet(path)
    assert len(got) == len(want)
    same = sum(a == b for a, b in zip(got.text.tolist(), want.text.tolist(), strict=True))
    assert same >= 0.99 * len(want)  # the few that differ had characters GBK lacks
    # Declared wrongly (UTF-8 label on GBK bytes): an error naming the encoding, no garbage.
    wrong = tmp_path / "danmaku_mislabelled.xml"
    wrong.write_bytes(raw.encode("gbk", errors="replace"))
    with pytest.raises(ChatLogError, match=r"utf-8.*declared 'UTF-8'.*chat_encoding"):
        load_chat(wrong)
    assert _load_quiet(wrong, chat_encoding="gbk").text.tolist() == got.text.tolist()


def test_generic_csv_saved_in_gbk(tmp_path: Path) -> None:
    """Issue 11, row 2: an Excel-on-Chinese-Windows CSV (GBK, CRLF, no BOM)."""
    rows = [("1.5", "买家一号", "这个多少钱？", "comment"), ("2.0", "买家二号", "已下单", "order"),
            ("3.25", "小王", "主播好漂亮", "comment"), ("4.0", "小李", "链接在哪里", "comment"),
            ("5.0", "老张", "哈哈哈哈", "comment")]
    text = "time_s,nickname,content,type\r\n" + "".join(",".join(r) + "\r\n" for r in rows)
    path = tmp_path / "orders.csv"
    path.write_bytes(text.encode("gbk"))
    ev = load_chat(path)
    assert ev.text.tolist() == [r[2] for r in rows]
    assert ev.author.tolist() == [r[1] for r in rows]


def test_undecodable_file_raises_naming_the_encoding(tmp_path: Path) -> None:
    # Shift-JIS bytes declared as Big5 in an XML declaration: Big5 cannot read them.
    msgs, who = _msgs(JA)
    path = tmp_path / "chat.xml"
    path.write_bytes(_bilibili(msgs * 5, who, declared="Big5").encode("shift_jis"))
    with pytest.raises(ChatLogError) as err:
        load_chat(path)
    msg = str(err.value)
    assert "big5hkscs" in msg and "declared 'Big5'" in msg and "chat_encoding" in msg
    assert "--chat-encoding" in msg and err.value.path == path
    assert load_chat(path, chat_encoding="shift_jis").text.tolist() == msgs * 5


def test_a_few_bad_bytes_warn_and_strict_raises(tmp_path: Path) -> None:
    msgs, who = _msgs(ZH)
    data = _generic_jsonl(msgs * 20, who).encode("utf-8")
    cut = data.index("绷".encode())
    data = data[:cut] + data[cut + 1:]  # one UTF-8 character cut (a logger's bug)
    path = tmp_path / "chat.jsonl"
    path.write_bytes(data)
    with pytest.warns(ChatWarning, match=r"Replaced [12] undecodable byte sequence.*line 3"):
        ev = load_chat(path)
    assert len(ev) == len(msgs) * 20
    with pytest.raises(ChatLogError, match="undecodable"):
        load_chat(path, strict=True)


def test_encoding_found_far_from_the_head(tmp_path: Path) -> None:
    # ASCII for the first 100 kB, cp1252 accents only later: sampled, not guessed UTF-8.
    lines = [f"0:{i // 60:02d}:{i % 60:02d} hello there number {i}\n" for i in range(3600)]
    lines += [f"1:00:{i:02d} {m}\n" for i, m in enumerate(ES[:-1])]
    path = tmp_path / "late.txt"
    path.write_bytes("".join(lines).encode("cp1252"))
    ev = load_chat(path)
    assert ev.text.tolist()[-len(ES) + 1:] == ES[:-1]


def test_chat_encoding_parameter_checked(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text("0:01 hi\n", encoding="utf-8")
    with pytest.raises(InvalidParameterError, match="chat_encoding"):
        load_chat(path, chat_encoding="no-such-codec")
    with pytest.raises(InvalidParameterError, match="chat_encoding"):
        load_chat(path, chat_encoding="rot13")  # not a text encoding
    assert load_chat(path, chat_encoding="utf-8").text.tolist() == ["hi"]


def test_bom_still_wins_over_declaration(tmp_path: Path) -> None:
    msgs, who = _msgs(KO)
    path = tmp_path / "d.xml"
    path.write_bytes(b"\xef\xbb\xbf" + _bilibili(msgs, who, declared="EUC-KR").encode("utf-8"))
    assert load_chat(path).text.tolist() == msgs


def _burst_xml(tmp_path: Path) -> Path:
    """Shift-JIS danmaku that declares Big5 (wrongly): 5 min with a burst at 150 s."""
    times = [5.0 * k for k in range(60)] + [150 + 0.2 * k for k in range(40)]
    body = "".join(f'<d p="{t:.1f},1,25,16777215,0,0,u{k % 17},{k}">{JA[k % 12]}</d>\n'
                   for k, t in enumerate(sorted(times)))
    path = tmp_path / "danmaku.xml"
    path.write_bytes(f'<?xml version="1.0" encoding="Big5"?>\n<i>\n{body}</i>\n'
                     .encode("shift_jis"))
    return path


def test_cli_chat_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from highlights.cli import main

    path = _burst_xml(tmp_path)
    assert main(["find", "--chat", str(path), "-n", "1", "-q"]) == 1
    err = capsys.readouterr().err
    assert "big5hkscs" in err and "--chat-encoding" in err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["find", "--chat", str(path), "-n", "1", "-q",
                     "--chat-encoding", "shift_jis"]) == 0


def test_find_highlights_chat_encoding(tmp_path: Path) -> None:
    from highlights import analyze, find_highlights

    path = _burst_xml(tmp_path)
    with pytest.raises(ChatLogError, match="chat_encoding"):
        find_highlights(None, chat=path, n=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = find_highlights(None, chat=path, n=1, chat_encoding="shift_jis")
        a = analyze(None, chat=path, chat_encoding="cp932")
    assert r.clips and 130 <= r.clips[0].peak_s <= 170
    assert a.chat is not None and set(a.chat.text.tolist()) == set(JA[:12])
