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
    with pytest.warns(ChatWarning, match=r"line\(s\) 4") as rec:
        ev = load_chat(DATA / "generic.jsonl")
    msgs = " ".join(str(w.message) for w in rec)
    assert "line(s) 3" in msgs  # NaN time
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
    # -2 + 10 = 8 is now inside; 13 and 14 are past the end.
    assert ev.time_s.tolist() == [8.0, 10.25, 11.5]
    assert ev.dropped["after_end"] == 2


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
