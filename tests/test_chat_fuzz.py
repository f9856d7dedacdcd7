"""Property tests: random bytes and mutated valid files never leak raw exceptions.

Every parser may only raise HighlightsError subclasses (ChatLogError/ChatFormatError)
or emit warnings; anything else (KeyError, JSONDecodeError, UnicodeError, ParseError,
IndexError ...) is a bug.
"""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from highlights.errors import HighlightsError
from highlights.io.chat import CHAT_FORMATS, load_chat
from highlights.types import ChatEvents

DATA = Path(__file__).parent / "data" / "chat"
FIXTURES = sorted(p for p in DATA.iterdir() if p.is_file())
SEEDS = [p.read_bytes() for p in FIXTURES]
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _check(path: Path, fmt: str, strict: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ev = load_chat(path, format=fmt, strict=strict)
        except HighlightsError:
            return
    assert isinstance(ev, ChatEvents)
    assert np.isfinite(ev.time_s).all()
    assert (ev.time_s >= 0).all()
    assert (np.diff(ev.time_s) >= 0).all()
    assert len(ev.author) == len(ev.text) == len(ev.kind) == len(ev.value) == len(ev)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "delete", "dup"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i:]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            j = draw(st.integers(i, min(len(data), i + 40)))
            del data[i:j]
        else:
            j = draw(st.integers(i, min(len(data), i + 200)))
            data[j:j] = data[i:j]
    return bytes(data)


@SETTINGS
@given(data=mutated(), strict=st.booleans())
def test_mutated_files_auto(tmp_path_factory, data: bytes, strict: bool) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path_factory.mktemp("fz") / "chat.dat"
    p.write_bytes(data)
    _check(p, "auto", strict)


@SETTINGS
@given(data=mutated(), fmt=st.sampled_from(CHAT_FORMATS))
def test_mutated_files_every_parser(tmp_path_factory, data: bytes, fmt: str) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path_factory.mktemp("fz") / "chat.dat"
    p.write_bytes(data)
    _check(p, fmt, False)


@SETTINGS
@given(data=st.binary(max_size=400), fmt=st.sampled_from(("auto", *CHAT_FORMATS)),
       gz=st.booleans())
def test_random_bytes(tmp_path_factory, data: bytes, fmt: str, gz: bool) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path_factory.mktemp("fz") / "chat.dat"
    p.write_bytes(gzip.compress(data) if gz else data)
    _check(p, fmt, False)


@SETTINGS
@given(data=mutated())
def test_mutated_gzip(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    z = gzip.compress(data)
    p = tmp_path_factory.mktemp("fz") / "chat.json.gz"
    p.write_bytes(z[: max(len(z) * 3 // 4, 1)])  # truncated stream
    _check(p, "auto", False)


@SETTINGS
@given(data=mutated(), enc=st.sampled_from(("gb18030", "big5", "cp932", "cp949", "cp1252",
                                            "utf-16", "utf-8")),
       strict=st.booleans())
def test_mutated_files_in_legacy_encodings(tmp_path_factory, data: bytes, enc: str,  # type: ignore[no-untyped-def]
                                           strict: bool) -> None:
    # Re-encode a valid file (when it is text) and mutate nothing more: detection and
    # the given encoding both may only raise HighlightsError.
    try:
        data = data.decode("utf-8").encode(enc, errors="replace")
    except UnicodeDecodeError:
        pass
    p = tmp_path_factory.mktemp("fz") / "chat.dat"
    p.write_bytes(data)
    _check(p, "auto", strict)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            load_chat(p, chat_encoding=enc, strict=strict)
        except HighlightsError:
            pass


@SETTINGS
@given(text=st.text(max_size=40))
def test_money_and_tokens_never_raise(text: str) -> None:
    from highlights.features.chat import message_keywords
    from highlights.io.chat._money import parse_money

    amount, cur = parse_money(text)
    assert np.isfinite(amount) and isinstance(cur, str)
    assert isinstance(message_keywords(text), set)
