"""The parsers' shortcuts for common spellings read exactly what the general paths read.

An import spends most of its parsing time on phone numbers, amounts and dates, so each
parser reads the usual spellings (`0812-3456-7890`, `5.000.000`, `2026-11-23`) directly.
These properties hold the shortcuts to the general paths: for phone numbers, to
phonenumbers itself; for amounts and dates, to the same function given a spelling the
shortcut does not take (a leading blank, a day-first date).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from storage.parsing import MAX_AMOUNT, FieldError, parse_amount, parse_date, parse_phone

#: `make soak` tries five times as many inputs.
SOAK = bool(os.environ.get("TAGIH_SOAK"))


def phonenumbers_reading(text: str) -> str:
    """What `parse_phone` returned before it had a shortcut: phonenumbers' own reading."""
    text = text.strip()
    if re.search(r"[^\d\s()+.-]", text):
        raise FieldError(f"not a phone number: {text!r}")
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        raise FieldError(f"not a phone number: {text!r}") from None
    if not phonenumbers.is_valid_number(number):
        raise FieldError(f"not a valid phone number: {text!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def outcome(parse: object, text: str) -> tuple[str, str]:
    """("ok", value) or ("error", reason), so two parsers can be compared on any text."""
    assert callable(parse)
    try:
        return "ok", str(parse(text))
    except FieldError as exc:
        return "error", str(exc)


PREFIXES = ["0", "+62", "62", "+62 0", "+620", "0062", "008", "009", "001", "00", "010", ""]
PREFIXES += ["(0", "+", "+6", "++62", "0 ", "+62-"]


@st.composite
def phone_texts(draw: st.DrawFn) -> str:
    """Numbers as people type them: prefixes, separators, lengths and area codes of all kinds."""
    prefix = draw(st.sampled_from(PREFIXES))
    first = draw(st.sampled_from(["8", "81", "812", "85", "88", "21", "22", "61", "9", "1", "0"]))
    rest = draw(st.text(alphabet="0123456789", min_size=0, max_size=14))
    digits = first + rest
    out = [prefix]
    for digit in digits:
        out.append(digit)
        out.append(draw(st.sampled_from(["", "", "", " ", "-", ".", "  ", "--"])))
    return (
        draw(st.sampled_from(["", " "])) + "".join(out).rstrip() + draw(st.sampled_from(["", " "]))
    )


@settings(max_examples=3000 if SOAK else 600, deadline=None)
@given(phone_texts())
@example("0812-3456-7890")
@example("+62 812 3456 7890")
@example("6281234567890")
@example("021-555-1234")
@example("0062812345678")
@example("00981234567890")
@example("0101612345678")
@example("+62 0812 3456 7890")
@example("08123")
@example("0812345678901234567")
def test_phone_shortcut_reads_as_phonenumbers_does(text: str) -> None:
    assert outcome(parse_phone, text) == outcome(phonenumbers_reading, text)


@settings(max_examples=2000 if SOAK else 400, deadline=None)
@given(st.integers(min_value=0, max_value=10**17))
def test_plain_and_dotted_amounts_read_as_the_general_path_does(value: int) -> None:
    plain = str(value)
    dotted = f"{value:,}".replace(",", ".")
    for text in (plain, dotted, f"Rp {dotted}", f"Rp{dotted}", f"rp.{dotted}", f"IDR {dotted}"):
        # A leading blank takes the general path: the shortcut reads only trimmed text.
        assert outcome(parse_amount, text) == outcome(parse_amount, f" {text}"), text
    if value < MAX_AMOUNT:
        assert parse_amount(plain) == parse_amount(dotted) == Decimal(value)
    else:
        with pytest.raises(FieldError, match="too large"):
            parse_amount(plain)


@settings(max_examples=1000 if SOAK else 300, deadline=None)
@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_iso_dates_read_as_day_first_dates_do(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == parse_date(f"{day:%d/%m/%Y}") == day


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30", "no such date: '2026-02-30'"),
        ("2026-13-01", "no such date: '2026-13-01'"),
        ("2026-1-01", "not a date: '2026-1-01' (use YYYY-MM-DD or DD/MM/YYYY)"),
        ("2026-W47-1", "not a date: '2026-W47-1' (use YYYY-MM-DD or DD/MM/YYYY)"),
        ("20261123", "not a date: '20261123' (use YYYY-MM-DD or DD/MM/YYYY)"),
    ],
)
def test_dates_the_shortcut_refuses_keep_their_reasons(text: str, reason: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_date(text)
    assert str(caught.value) == reason
