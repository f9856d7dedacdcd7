"""Money in chat logs: locale formats, currency codes kept in the events, no silent mixing."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from highlights.errors import ChatWarning, InvalidParameterError
from highlights.features.chat import chat_signals
from highlights.io.chat import load_chat
from highlights.io.chat._money import currency_code, parse_money
from highlights.types import ChatEvents


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        # Issue 11, row 3 (were 1000, 123456 and 1.0).
        ("R$ 10,00", 10.0, "BRL"), ("1 234,56 €", 1234.56, "EUR"), ("€1.000,50", 1000.5, "EUR"),
        # thin, no-break and narrow no-break spaces as thousands separators
        ("1\u2009234,56 €", 1234.56, "EUR"), ("1\u00a0234,56\u00a0€", 1234.56, "EUR"),
        ("1\u202f234,56\u00a0€", 1234.56, "EUR"), ("CHF 1'234.50", 1234.5, "CHF"),
        ("¥1,000", 1000.0, "JPY"), ("₩5,000", 5000.0, "KRW"), ("CA$2.50", 2.5, "CAD"),
        ("US$1,234.56", 1234.56, "USD"), ("$5.00", 5.0, "USD"), ("£3", 3.0, "GBP"),
        ("CN¥ 30", 30.0, "CNY"), ("30元", 30.0, "CNY"), ("EUR 12.345,67", 12345.67, "EUR"),
        ("12.50 USD", 12.5, "USD"), ("MX$200", 200.0, "MXN"), ("A$5", 5.0, "AUD"),
        ("₹1,00,000", 100000.0, "INR"), ("0,99 €", 0.99, "EUR"), ("10.50€", 10.5, "EUR"),
        # ambiguous separators: the digit groups decide; bare machine numbers stay numbers
        ("1,5", 1.5, ""), ("1,000", 1000.0, ""), ("1.000", 1.0, ""), ("1.000,00", 1000.0, ""),
        ("1.000 €", 1000.0, "EUR"), ("12.5", 12.5, ""), ("-3", -3.0, ""),
        ("", 0.0, ""), ("free", 0.0, ""), ("nan", 0.0, ""), ("inf", 0.0, ""),
    ],
)
def test_parse_money(text: str, amount: float, currency: str) -> None:
    assert parse_money(text) == pytest.approx((amount, currency))


def test_parse_money_numbers_and_defaults() -> None:
    assert parse_money(30, "CNY") == (30.0, "CNY")
    assert parse_money(float("nan")) == (0.0, "")
    assert parse_money(True) == (0.0, "")
    assert parse_money("12", "EUR") == (12.0, "EUR")
    assert parse_money("$3", "EUR") == (3.0, "USD")  # the text names its currency
    assert currency_code("eur") == "EUR" and currency_code("kr") == "" and currency_code(5) == ""


def _orders_csv(tmp_path: Path) -> Path:
    rows = [
        ("1.0", "order", "b1", "R$ 10,00", "1"), ("2.0", "order", "b2", "1 234,56 €", "1"),
        ("3.0", "order", "b3", "€1.000,50", "2"), ("4.0", "comment", "b4", "", ""),
        ("5.0", "order", "b5", "R$ 5,50", "3"),
    ]
    p = tmp_path / "orders.csv"
    p.write_text("time_s,type,user_id,price,quantity\n"
                 + "".join(",".join(f'"{c}"' for c in r) + "\n" for r in rows),
                 encoding="utf-8")
    return p


def test_ecommerce_orders_keep_amounts_and_currencies(tmp_path: Path) -> None:
    ev = load_chat(_orders_csv(tmp_path))
    orders = ev.kind == "order"
    np.testing.assert_allclose(ev.value[orders], [10.0, 1234.56, 2001.0, 16.5])
    assert ev.currency[orders].tolist() == ["BRL", "EUR", "EUR", "BRL"]
    assert ev.currency[~orders].tolist() == [""]


def test_chat_value_warns_on_mixed_currencies_and_converts_with_rates(tmp_path: Path) -> None:
    ev = load_chat(_orders_csv(tmp_path))
    with pytest.warns(ChatWarning, match=r"2 currencies \(BRL, EUR\).*currency_rates"):
        raw = chat_signals(ev, hop_s=1.0, duration_s=6.0)["chat_value"].values
    np.testing.assert_allclose(raw, [0, 10.0, 1234.56, 2001.0, 0, 16.5], rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChatWarning)
        conv = chat_signals(ev, hop_s=1.0, duration_s=6.0,
                            currency_rates={"EUR": 1.08, "BRL": 0.2})["chat_value"].values
    np.testing.assert_allclose(conv, [0, 2.0, 1333.3248, 2161.08, 0, 3.3], rtol=1e-5)
    with pytest.warns(ChatWarning, match="no rate for BRL"):
        chat_signals(ev, hop_s=1.0, currency_rates={"EUR": 1.08})
    with pytest.raises(InvalidParameterError, match="currency_rates"):
        chat_signals(ev, currency_rates={"EUR": -1.0})
    with pytest.raises(InvalidParameterError, match="currency_rates"):
        chat_signals(ev, currency_rates=[("EUR", 1.0)])  # type: ignore[arg-type]


def test_one_currency_does_not_warn() -> None:
    ev = ChatEvents.from_arrays([0.5, 1.5], kind=["paid", "gift"], value=[5.0, 3.0],
                                currency=["USD", ""])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChatWarning)
        v = chat_signals(ev, hop_s=1.0)["chat_value"].values
    assert v.tolist() == [5.0, 3.0]


def test_chat_events_currency_is_backward_compatible() -> None:
    ev = ChatEvents.from_arrays([2.0, 1.0], kind=["paid", "paid"], value=[1.0, 2.0])
    assert ev.currency.tolist() == ["", ""]
    ev2 = ChatEvents(time_s=ev.time_s, author=ev.author, text=ev.text, kind=ev.kind,
                     value=ev.value)
    assert ev2.currency.tolist() == ["", ""]
    ev3 = ChatEvents.from_arrays([2.0, 1.0], currency=["EUR", "USD"])
    assert ev3.currency.tolist() == ["USD", "EUR"]  # sorted with the times
    assert ev3.select(np.array([False, True])).currency.tolist() == ["EUR"]
    assert ev3.shift(1.0).currency.tolist() == ["USD", "EUR"]
    assert ChatEvents.from_arrays([1.0], currency="JPY").currency.tolist() == ["JPY"]
    with pytest.raises(InvalidParameterError, match="currency"):
        ChatEvents.from_arrays([1.0, 2.0], currency=["EUR"])


def test_platform_currencies(tmp_path: Path) -> None:
    xml = tmp_path / "live.xml"
    xml.write_text('<?xml version="1.0" encoding="UTF-8"?><i>'
                   '<sc ts="3.5" uid="1" user="a" price="30" time="60">加油</sc>'
                   '<gift ts="4" uid="2" user="b" giftname="辣条" giftcount="5"/></i>',
                   encoding="utf-8")
    ev = load_chat(xml)
    assert ev.currency.tolist() == ["CNY", ""] and ev.value.tolist() == [30.0, 5.0]
    cd = tmp_path / "cd.json"
    cd.write_text(json.dumps([
        {"time_in_seconds": 1.0, "message_type": "paid_message", "message": "hi",
         "author": {"id": "a"}, "money": {"amount": 1000, "currency": "JPY", "text": "¥1,000"}},
        {"time_in_seconds": 2.0, "message_type": "paid_message", "message": "yo",
         "author": {"id": "b"}, "money": {"text": "CA$2.50"}},
    ]), encoding="utf-8")
    ev = load_chat(cd)
    assert ev.value.tolist() == [1000.0, 2.5] and ev.currency.tolist() == ["JPY", "CAD"]
    irc = tmp_path / "irc.log"
    irc.write_text("@bits=100;id=x;tmi-sent-ts=1000;user-id=7 :u!u@u.tmi.twitch.tv PRIVMSG "
                   "#c :Cheer100 nice\n", encoding="utf-8")
    ev = load_chat(irc, stream_start=0.0)
    assert ev.currency.tolist() == ["BITS"] and ev.value.tolist() == [100.0]


def test_youtube_superchats_in_several_currencies(tmp_path: Path) -> None:
    def line(ms: int, amount: str, i: int) -> str:
        return json.dumps({"clickTrackingParams": "x", "replayChatItemAction": {"actions": [
            {"addChatItemAction": {"item": {"liveChatPaidMessageRenderer": {
                "id": f"p{i}", "authorExternalChannelId": f"UC{i}",
                "purchaseAmountText": {"simpleText": amount},
                "message": {"runs": [{"text": "gg"}]}}}}}], "videoOffsetTimeMsec": str(ms)}})

    amounts = ["¥1,000", "$5.00", "€2,00", "₩10,000", "R$ 10,00", "NT$75.00"]
    p = tmp_path / "x.live_chat.json"
    p.write_text("\n".join(line(1000 * (i + 1), a, i) for i, a in enumerate(amounts)) + "\n",
                 encoding="utf-8")
    ev = load_chat(p)
    assert ev.value.tolist() == [1000.0, 5.0, 2.0, 10000.0, 10.0, 75.0]
    assert ev.currency.tolist() == ["JPY", "USD", "EUR", "KRW", "BRL", "TWD"]
