"""Money and date formatting for customer-facing text, with Babel (CLDR data)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import NumberPattern, get_currency_symbol, parse_pattern

DEFAULT_LANGUAGE = "id"

# `en` maps to plain `en`, not `en_ID`: CLDR's en_ID groups digits the Indonesian way
# (`US$1.250,50`), which reads as a typo to someone who chose English.
_LOCALES = {"id": "id_ID", "en": "en"}

# Sen have not circulated for decades and no Indonesian invoice says "Rp5.000.000,00",
# although ISO 4217 (and so Babel) gives the rupiah two decimals.
_WHOLE_CURRENCIES = frozenset({"IDR"})

_DATE_PATTERNS = {True: "EEEE, d MMMM y", False: "d MMMM y"}


def normalize_language(language: str) -> str:
    """Reduce `id_ID`, `EN-us` and the like to a supported language code, else `id`."""
    code = language.replace("-", "_").split("_", 1)[0].lower()
    return code if code in _LOCALES else DEFAULT_LANGUAGE


def locale_for(language: str) -> str:
    """The Babel locale used for a language code (unknown languages get Indonesian)."""
    return _LOCALES[normalize_language(language)]


@lru_cache(maxsize=8192)  # pure, and Babel's formatting dominates rendering a reminder
def format_money(amount: Decimal, currency: str, language: str) -> str:
    """Format an amount for a reader: `Rp5.000.000` (id), `Rp5,000,000` (en), `$1,250.50` (en)."""
    code = currency.upper()
    pattern, locale, whole = _money_pattern(code, language)
    if whole:
        amount = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    text: str = pattern.apply(amount, locale, currency=code, currency_digits=not whole)
    return text


@lru_cache(maxsize=64)
def _money_pattern(code: str, language: str) -> tuple[NumberPattern, Locale, bool]:
    """The parsed pattern and locale for one currency and language, and whether the amount
    is shown whole: parsed once, not for every amount (most amounts differ)."""
    locale = Locale.parse(locale_for(language))
    if code not in _WHOLE_CURRENCIES:
        return locale.currency_formats["standard"], locale, False
    # English readers in Indonesia see "Rp" on every price tag; CLDR's English symbol is the
    # bare code ("IDR5,000,000"), so the Indonesian symbol is used with the reader's digits.
    symbol = get_currency_symbol(code, _LOCALES[DEFAULT_LANGUAGE])
    return parse_pattern(f"'{symbol}'#,##0"), locale, True


@lru_cache(maxsize=4096)
def format_date(d: dt.date, language: str, *, weekday: bool = True) -> str:
    """Format a date in full: `Rabu, 25 Maret 2026` / `Wednesday, 25 March 2026`."""
    return babel_format_date(d, _DATE_PATTERNS[weekday], locale=locale_for(language))


_ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"


def fit(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters at a word boundary, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    # Cut at the last space if one is reasonably near the end, so no word is half-sent.
    space = head.rfind(" ")
    if space >= limit * 0.8:
        head = head[:space]
    return head.rstrip() + _ELLIPSIS
