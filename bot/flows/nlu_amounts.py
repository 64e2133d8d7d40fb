"""`parse_amount`: a Rupiah amount in a chat reply ("5jt", "500rb", "Rp 1.250.000,-").

A number is an amount only with a currency marker (Rp, IDR, rupiah), a magnitude
("jt", "juta", "rb", "ribu", "k", "m", "million") or thousands grouping / at least four
digits; "tgl 25", "3 hari lagi" and "pilih 2" are not amounts. Digits inside a date
("25/03/2026") and phone numbers (a leading 0 or +) are never read. A lone "m" is
*million*, as English writers mean it; Indonesians write "M" for *miliar* too, but the
spelled-out "miliar"/"milyar" is the only way to say a billion here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.flows.nlu_dates import date_spans
from bot.flows.nlu_text import canon

_SCALES: dict[str, int] = {
    "k": 1_000, "ribu": 1_000, "thousand": 1_000, "ratus ribu": 100_000,
    "juta": 1_000_000, "jutaan": 1_000_000, "m": 1_000_000, "mio": 1_000_000, "mn": 1_000_000,
    "million": 1_000_000, "miliar": 1_000_000_000, "milyar": 1_000_000_000,
    "milyard": 1_000_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000,
}  # fmt: skip
_SCALE = "|".join(sorted(_SCALES, key=len, reverse=True))
_CURRENCY = r"(?:rp|idr)\.?"
_DIGITS = r"\d[\d.,]*\d|\d"
_AMOUNT = re.compile(
    rf"(?<![\w+.,])(?P<cur>{_CURRENCY}\s*)?(?P<num>{_DIGITS})"
    rf"(?:\s*(?P<scale>{_SCALE})(?![a-z]))?(?P<tail>,-|\.-|\s*(?:rupiah|perak|idr|rp)\b)?"
)

# Indonesian and English number words, for "satu juta", "dua ratus lima puluh ribu".
_UNITS: dict[str, Decimal] = {
    word: Decimal(value)
    for value, names in enumerate(
        (
            (), ("satu", "one", "se"), ("dua", "two"), ("tiga", "three"), ("empat", "four"),
            ("lima", "five"), ("enam", "six"), ("tujuh", "seven"), ("delapan", "eight"),
            ("sembilan", "nine"), ("sepuluh", "ten"), ("sebelas", "eleven"), ("twelve",),
        )
    )
    for word in names
} | {"fifteen": Decimal(15), "twenty": Decimal(20), "thirty": Decimal(30),
     "forty": Decimal(40), "fifty": Decimal(50), "setengah": Decimal("0.5"),
     "half": Decimal("0.5")}  # fmt: skip
_WORD_SCALES = {"ribu": 1_000, "thousand": 1_000, "juta": 1_000_000, "million": 1_000_000}
_WORD_SCALES |= {"miliar": 1_000_000_000, "milyar": 1_000_000_000, "billion": 1_000_000_000}
_NUMBER_WORD = re.compile(
    r"\b(?:(?:se(?:ratus|ribu|juta|puluh|belas)?|satu|dua|tiga|empat|lima|enam|tujuh|delapan"
    r"|sembilan|sepuluh|sebelas|belas|puluh|ratus|ribu|juta|mil[iy]ar|setengah|one|two|three"
    r"|four|five|six|seven|eight|nine"
    r"|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|thousand|million|billion"
    r"|half|an?|and|dan)\b\s*)+"
)
_SE_PREFIX = re.compile(r"\bse(?=(?:ratus|ribu|juta|puluh|belas)\b)")


def _number(digits: str, has_scale: bool) -> Decimal | None:
    """Digits with "." and "," either as thousands separators or as the decimal mark."""
    last = max(digits.rfind("."), digits.rfind(","))
    if last < 0:
        return Decimal(digits)
    tail = digits[last + 1 :]
    mixed = "." in digits and "," in digits
    decimal_mark = mixed or (digits.count(digits[last]) == 1 and len(tail) != 3)
    integer, fraction = (digits[:last], tail) if decimal_mark else (digits, "")
    if not re.fullmatch(r"\d{1,3}(?:[.,]\d{3})*|\d+", integer):
        return None
    if decimal_mark and len(tail) > 2 and not has_scale:
        return None
    try:
        return Decimal(re.sub(r"[.,]", "", integer) + ("." + fraction if fraction else ""))
    except InvalidOperation:
        return None


def _tidy(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _from_digits(m: re.Match[str]) -> Decimal | None:
    scale = m["scale"]
    marked = bool(m["cur"] or m["tail"] or scale)
    digits = m["num"]
    grouped = re.search(r"\d[.,]\d{3}(?!\d)", digits) is not None
    if not marked and not grouped and len(digits) < 4:
        return None  # "tgl 25", "pilih 2": a small bare number is no amount
    if not marked and (digits.startswith("0") or len(re.sub(r"\D", "", digits)) > 12):
        return None  # a phone or account number
    value = _number(digits, bool(scale))
    if value is None:
        return None
    return value * _SCALES.get(scale or "", 1)


def _digit_amounts(canonical: str) -> list[tuple[int, Decimal]]:
    """Amounts written with digits; "2 juta 500 ribu" is one amount, not two."""
    dates = date_spans(canonical)
    found: list[tuple[int, Decimal]] = []
    last_end, last_scale = -1, 0
    for m in _AMOUNT.finditer(canonical):
        if any(start < m.end("num") and m.start("num") < end for start, end in dates):
            continue
        value = _from_digits(m)
        if value is None:
            continue
        scale = _SCALES.get(m["scale"] or "", 1)
        joined = re.fullmatch(r"[\s,]*(?:dan|and)?\s*", canonical[last_end : m.start()])
        if found and 1 < scale < last_scale and joined:
            found[-1] = (found[-1][0], found[-1][1] + value)
        else:
            found.append((m.start(), value))
        last_end, last_scale = m.end(), scale
    return found


def _from_words(phrase: str) -> Decimal | None:
    """Spelled-out amounts; they must carry a scale word so "dua" alone stays a count."""
    total, hundreds, small = Decimal(0), Decimal(0), Decimal(0)
    seen_scale = False
    for word in _SE_PREFIX.sub("se ", phrase).split():  # "seratus" = "se ratus" = 100
        if word in ("a", "an"):
            small = small or Decimal(1)  # "a million", but "half a million" stays a half
        elif word in _UNITS:
            small += _UNITS[word]
        elif word == "belas":
            small += 10
        elif word == "puluh":
            small = (small or Decimal(1)) * 10
        elif word in ("ratus", "hundred"):
            hundreds, small = hundreds + (small or Decimal(1)) * 100, Decimal(0)
        elif word in _WORD_SCALES:
            total += (hundreds + small or Decimal(1)) * _WORD_SCALES[word]
            hundreds, small, seen_scale = Decimal(0), Decimal(0), True
    total += hundreds + small
    return _tidy(total) if seen_scale and total > 0 else None


def parse_amount(text: str) -> Decimal | None:
    """The first amount of money in `text` ("5jt" → 5000000, "Rp 1.250.000,50"), or None."""
    canonical = canon(text)
    found = _digit_amounts(canonical)
    for m in _NUMBER_WORD.finditer(canonical):
        value = _from_words(m.group())
        if value is not None:
            found.append((m.start(), value))
    return _tidy(min(found, key=lambda item: item[0])[1]) if found else None
