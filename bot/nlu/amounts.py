"""`parse_amount` / `read_amount`: a Rupiah amount in a chat reply ("5jt", "Rp 1.250.000,-").

A number is an amount only with a currency marker (Rp, IDR, rupiah), a magnitude
("jt", "juta", "rb", "ribu", "k", "m", "million") or thousands grouping / at least four
digits; "tgl 25", "3 hari lagi" and "pilih 2" are not amounts. Digits inside a date
("25/03/2026") and phone numbers (a leading 0 or +) are never read. A lone "m" is
*million*, as English writers mean it; Indonesians write "M" for *miliar* too, but the
spelled-out "miliar"/"milyar" is the only way to say a billion here.

Identifiers are never money: invoice and PO numbers ("INV-2026-0031", "PO 4500123987",
"faktur 2026"), phone numbers ("0813-2222-1111", "+62 812 3456 7890"), bank account,
VA and payment codes ("rek 0987654321"). A bare number of four or more digits with no money
context ("1250000" alone) is still read, but `read_amount` says it is unsure, so a flow
confirms it ("Rp1.250.000 — benar?") before recording it; a paying verb in front of it
("bayar 1250000", "tf 1250000") makes it sure.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from bot.nlu.dates import date_spans
from bot.nlu.text import canon, words

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


class AmountReading(NamedTuple):
    """An amount read from a reply, and whether the text marked it as money."""

    value: Decimal
    sure: bool


# Numbers named by what they identify: "INV-2026-0031", "PO: 4500123987", "rek BCA 0987…",
# "VA 8808…", "kode bayar 556677", "faktur 2026". The number after the keyword (and at most
# one more word, "nomor PO kami 1122") is blanked unless a magnitude follows it ("VA 2jt").
_ID_KEYWORD = (
    r"(?:inv|invoice|faktur|nota|po|purchase order|order|no|nomor|rekening|va|virtual account"
    r"|account|acc|akun|hp|handphone|wa|whatsapp|telepon|hubungi|kode(?: bayar| pembayaran)?"
    r"|ref|referensi|resi|id|npwp|ktp|kontrak)"
)
_IDENTIFIER = re.compile(
    rf"\b{_ID_KEYWORD}\b\s*[:.#]*\s*(?:nomor\s*|no\.?\s*)?(?:[a-z]+\s+){{0,2}}?[#:]?\s*"
    r"(?P<id>\+?\d[\d\s./-]*\d|\d)(?![\d.,]*\s*(?:juta|ribu|k|m|rupiah|rp|idr)\b)"
)
# A token mixing letters and digits with a separator ("inv-2026-0031", "2026/inv/115").
_CODE = re.compile(r"(?<!\S)(?=[^\s]*[a-z])(?=[^\s]*\d)(?!(?:rp|idr))[^\s]*[/#-][^\s]*")
# Phone numbers written in groups: "0813-2222-1111", "+62 812 3456 7890", "62 811 2233 4455".
_PHONE = re.compile(r"(?<![\d.,])(?:\+?62|0)[\s-]?\d{2,4}(?:[\s-]\d{3,5}){1,3}(?![\d.,])")
# A time of day: "jam 11.30", "pukul 9", "at 10:15".
_CLOCK = re.compile(r"\b(?:jam|pukul|pkl|at)\s*\d{1,2}(?:[.:]\d{2})?(?![.,]?\d)")
# A paying word right before a bare number makes it money: "bayar 1250000", "tf 1250000".
_MONEY_CUE = re.compile(
    r"\b(?:bayar\w*|transfer\w*|setor\w*|kirim|lunasi|sebesar|senilai|sejumlah|nominal"
    r"|total|sisa|pay|paid|transferred|sent|amount|of)\s*(?:\w+\s+)?$"
)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _without_identifiers(canonical: str) -> str:
    """`canonical` with identifier, code and phone numbers blanked out, positions kept."""
    spans = [m.span("id") for m in _IDENTIFIER.finditer(canonical)]
    spans += [m.span() for m in _CODE.finditer(canonical)]
    spans += [m.span() for m in _PHONE.finditer(canonical)]
    spans += [m.span() for m in _CLOCK.finditer(canonical)]
    return _blank(canonical, spans)


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


def _marked(canonical: str, m: re.Match[str]) -> bool:
    """Whether the number carries money context: currency, magnitude, grouping, paying verb."""
    if m["cur"] or m["tail"] or m["scale"]:
        return True
    if re.search(r"\d[.,]\d{3}(?!\d)", m["num"]):
        return True
    return _MONEY_CUE.search(canonical[: m.start()]) is not None


def _digit_amounts(canonical: str) -> list[tuple[int, Decimal, bool]]:
    """Amounts written with digits; "2 juta 500 ribu" is one amount, not two."""
    dates = date_spans(canonical)
    canonical = _without_identifiers(canonical)
    found: list[tuple[int, Decimal, bool]] = []
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
            found[-1] = (found[-1][0], found[-1][1] + value, True)
        else:
            found.append((m.start(), value, _marked(canonical, m)))
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


def read_amount(text: str) -> AmountReading | None:
    """The first amount in `text` and whether it is surely money (see the module note)."""
    canonical = canon(text)
    found = _digit_amounts(canonical)
    for m in _NUMBER_WORD.finditer(canonical):
        value = _from_words(m.group())
        if value is not None:
            found.append((m.start(), value, True))  # spelled out with a scale word
    if not found:
        return None
    _, value, sure = min(found, key=lambda item: item[0])
    return AmountReading(_tidy(value), sure)


def parse_amount(text: str) -> Decimal | None:
    """The first amount of money in `text` ("5jt" → 5000000, "Rp 1.250.000,50"), or None."""
    reading = read_amount(text)
    return reading.value if reading is not None else None


#: The tokens an amount is written with once `words` has normalised it: "1juta", "500ribu",
#: "rp 1 500 000", "2 5 juta", "1 5m".
_AMOUNT_TOKEN = re.compile(
    r"(?:rp|idr|usd|\d+(?:juta|jt|ribu|rb|k|m|mio|million|thousand)?|juta|ribu|million"
    r"|thousand|rupiah)"
)


def without_amount(text: str) -> str:
    """The reply's words with the amount's tokens left out ("1jt dulu ya" → "dulu ya"):
    what else it says besides how much."""
    return " ".join(t for t in words(text).split() if not _AMOUNT_TOKEN.fullmatch(t))


#: A minus sign before a number ("-500000", "- 5jt"), not a date's hyphen ("2026-04-10").
_MINUS = re.compile(r"(?<![\w/.-])-\s*(?:rp\.?\s*)?\d", re.IGNORECASE)
#: A zero amount ("0", "0,00"), not a digit of a date or a number ("05/12", "10").
_ZERO = re.compile(r"(?<![\w.,/-])0+(?:[.,]0+)?(?![\w.,/-])")


def names_no_positive_amount(text: str) -> bool:
    """True when the text writes a negative or a zero amount ("-500000", "0"), which
    `read_amount` does not return: a caller reading None as "in full" must refuse it."""
    return bool(_MINUS.search(text) or _ZERO.search(text))
