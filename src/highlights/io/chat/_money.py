"""Money amounts in chat logs: ``"R$ 10,00"``, ``"1 234,56 €"``, ``"€1.000,50"``, ``"CA$2.50"``.

Amounts written by people (Super Chat texts, shop exports, Excel CSVs) follow their
locale: decimal comma or point, thousands grouped by a point, comma, apostrophe or
a (thin, no-break, regular) space, the currency before or after.  They are parsed
by :mod:`price_parser` (it decides which separator is the decimal one from the digit
groups: ``"1,5"`` → 1.5, ``"1,000"`` → 1000, ``"1.000,50"`` → 1000.5); the currency
symbol or code it finds is mapped to an ISO 4217 code.

Bare numbers, without currency and grouping, are machine numbers: the string
``"1.000"`` is 1.0, as ``float()`` reads it (programs write prices that way; a
person writing a thousand with a dot also writes a currency or decimals:
``"1.000 €"``, ``"1.000,00"``).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["parse_money", "currency_code"]

#: Currency symbols and local names → ISO 4217.  Ambiguous ones are mapped the way
#: the platforms that write chat logs use them: YouTube writes "$" only for US
#: dollars (others get "CA$", "A$", "MX$" ...) and "¥" for yen ("CN¥" for yuan);
#: "kr" (SEK/NOK/DKK/ISK) stays unknown.
_SYMBOLS: dict[str, str] = {
    "$": "USD", "US$": "USD", "U$S": "USD", "USD$": "USD",
    "CA$": "CAD", "C$": "CAD", "CAN$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD",
    "HK$": "HKD", "NT$": "TWD", "S$": "SGD", "SG$": "SGD", "MX$": "MXN", "R$": "BRL",
    "€": "EUR", "£": "GBP", "¥": "JPY", "JP¥": "JPY", "￥": "JPY", "円": "JPY",
    "CN¥": "CNY", "RMB": "CNY", "元": "CNY", "人民币": "CNY",
    "₩": "KRW", "￦": "KRW", "원": "KRW", "₹": "INR", "Rs": "INR", "Rs.": "INR",
    "₽": "RUB", "руб": "RUB", "руб.": "RUB", "₺": "TRY", "TL": "TRY", "₱": "PHP",
    "₫": "VND", "฿": "THB", "zł": "PLN", "Kč": "CZK", "Ft": "HUF", "Rp": "IDR",
    "RM": "MYR", "₪": "ILS", "₴": "UAH", "₦": "NGN", "Fr.": "CHF", "лв": "BGN",
    "lei": "RON", "₡": "CRC", "S/": "PEN", "Bs": "BOB", "₲": "PYG", "Q": "GTQ",
    "ARS$": "ARS", "CLP$": "CLP", "COL$": "COP",
}
_ISO = re.compile(r"[A-Z]{3}")
# Local currency words price_parser leaves out (it returns no currency for them).
_TRAILING = re.compile(r"(元|円|원|人民币)")
_BARE = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)\s*")


def currency_code(symbol: Any) -> str:
    """ISO 4217 code of a currency symbol, name or code (``""`` when unknown).

    Examples
    --------
    >>> currency_code("R$"), currency_code("€"), currency_code("cad"), currency_code("kr")
    ('BRL', 'EUR', 'CAD', '')
    """
    if not isinstance(symbol, str):
        return ""
    s = symbol.strip()
    code = _SYMBOLS.get(s)
    if code is not None:
        return code
    up = s.upper()
    if _ISO.fullmatch(up):
        return up
    return _SYMBOLS.get(up, "")


@lru_cache(maxsize=1 << 14)
def _parse_text(s: str) -> tuple[float, str]:
    if _BARE.fullmatch(s):
        try:
            v = float(s)
        except ValueError:  # pragma: no cover - the pattern admits floats only
            return 0.0, ""
        return (v if math.isfinite(v) else 0.0), ""
    from price_parser import Price

    try:
        p = Price.fromstring(s)
    except (ValueError, ArithmeticError):  # pragma: no cover - defensive
        return 0.0, ""
    amount = p.amount_float
    if amount is None or not math.isfinite(amount):
        return 0.0, ""
    cur = currency_code(p.currency) if p.currency else ""
    if not cur:
        m = _TRAILING.search(s)
        if m:
            cur = _SYMBOLS[m.group(1)]
    return float(amount), cur


def parse_money(x: Any, default_currency: str = "") -> tuple[float, str]:
    """Amount and ISO currency of a money value: a number or a text such as ``"€1.000,50"``.

    Parameters
    ----------
    x : number or str
        The amount.  Numbers are taken as they are; texts are read by locale
        conventions (see the module docstring).  Anything else is 0.
    default_currency : str, default ""
        Currency when the value names none (e.g. ``"CNY"`` for Bilibili Super Chat
        prices, which are bare numbers).

    Returns
    -------
    (float, str)
        The amount (0.0 when none can be read, never NaN/inf) and its ISO 4217 code
        (``default_currency`` when the text names no currency).

    Examples
    --------
    >>> parse_money("R$ 10,00"), parse_money("1 234,56 €"), parse_money("€1.000,50")
    ((10.0, 'BRL'), (1234.56, 'EUR'), (1000.5, 'EUR'))
    >>> parse_money("1,5"), parse_money("1,000"), parse_money("1.000"), parse_money(30, "CNY")
    ((1.5, ''), (1000.0, ''), (1.0, ''), (30.0, 'CNY'))
    """
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
        v = float(x)
        return (v if math.isfinite(v) else 0.0), default_currency
    if not isinstance(x, str) or not x.strip() or len(x) > 200:
        return 0.0, default_currency
    amount, cur = _parse_text(x)
    return amount, cur or default_currency
