"""Pure parsers for the fields of imported text; the CSV framing is in `storage.csvfile`."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import phonenumbers

# Re-exported: they lived here before the CSV framing moved to its own module.
from storage.csvfile import CsvReader, RowError

__all__ = [
    "DEFAULT_REGION",
    "LANGUAGES",
    "CsvReader",
    "FieldError",
    "RowError",
    "optional",
    "parse_amount",
    "parse_chat_id",
    "parse_currency",
    "parse_date",
    "parse_email",
    "parse_language",
    "parse_phone",
    "parse_positive_amount",
    "parse_required",
    "parse_text",
    "parse_timezone",
]

DEFAULT_REGION = "ID"
LANGUAGES = frozenset({"id", "en"})

T = TypeVar("T")


class FieldError(ValueError):
    """A field that cannot be read; the message is the reason shown to the operator."""


def parse_text(text: str, max_length: int) -> str:
    """Trimmed text that fits a column of `max_length` characters."""
    text = text.strip()
    if len(text) > max_length:
        raise FieldError(f"longer than {max_length} characters")
    return text


def parse_required(text: str, max_length: int) -> str:
    """Like `parse_text`, but empty is an error."""
    text = parse_text(text, max_length)
    if not text:
        raise FieldError("required")
    return text


_AMOUNT_PREFIX = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
_AMOUNT_BODY = re.compile(r"^\d[\d.,]*$")
_GROUPED = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


def parse_amount(text: str) -> Decimal:
    """An amount as written in Indonesia or abroad: `Rp5.000.000,-`, `1.250.000,50`, `5,000.00`.

    `.` and `,` both occur as thousands separators and as decimal marks. When both
    appear, the last one is the decimal mark. When only one kind appears, it is a
    decimal mark only if it occurs once and is followed by 1-2 digits at the end
    (`5000000.00`, `12,5`); otherwise it separates thousands and must group by three.
    """
    body = _AMOUNT_PREFIX.sub("", text.strip()).replace(" ", "").replace("\u00a0", "")
    body = body.removesuffix(",-").removesuffix(".-")
    sign, body = ("-", body[1:]) if body.startswith("-") else ("", body)
    if not _AMOUNT_BODY.match(body):
        raise FieldError(f"not an amount: {text.strip()!r}" if text.strip() else "required")
    last = max(body.rfind("."), body.rfind(","))
    integer, fraction = body, ""
    if last >= 0:
        mark, tail = body[last], body[last + 1 :]
        decimal_mark = ("." in body and "," in body) or (
            body.count(mark) == 1 and 1 <= len(tail) <= 2
        )
        if decimal_mark:
            integer, fraction = body[:last], tail
            if not 1 <= len(fraction) <= 2 or mark in integer:
                raise FieldError(f"not an amount: {text.strip()!r}")
    if not integer.isdigit():
        if not _GROUPED.match(integer) or ("." in integer and "," in integer):
            raise FieldError(f"not an amount: {text.strip()!r}")
        integer = integer.replace(".", "").replace(",", "")
    return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")


def parse_positive_amount(text: str) -> Decimal:
    """An amount greater than zero."""
    amount = parse_amount(text)
    if amount <= 0:
        raise FieldError(f"must be greater than zero, got {amount}")
    return amount


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str) -> dt.date:
    """A date as `YYYY-MM-DD` or `DD/MM/YYYY` (Indonesian day-first order)."""
    text = text.strip()
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DMY_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        reason = f"not a date: {text!r} (use YYYY-MM-DD or DD/MM/YYYY)" if text else "required"
        raise FieldError(reason)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldError(f"no such date: {text!r}") from None


def parse_phone(text: str, region: str = DEFAULT_REGION) -> str:
    """A phone number in E.164 (`0812…`, `62812…`, `+62 812…` → `+62812…`)."""
    text = text.strip()
    if re.search(r"[^\d\s()+.-]", text):  # no letters: phonenumbers reads "ABC" as keypad digits
        raise FieldError(f"not a phone number: {text!r}")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise FieldError(f"not a phone number: {text!r}") from None
    if not phonenumbers.is_valid_number(number):
        raise FieldError(f"not a valid phone number: {text!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Deliberately plain: one @, no spaces, a dotted domain with a 2+ letter top-level label.
_EMAIL = re.compile(r"^[^@\s]+@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$")


def parse_email(text: str) -> str:
    """An email address with its domain lowercased (the local part is case-sensitive)."""
    text = text.strip()
    match = _EMAIL.match(text)
    if match is None or len(text) > 254:
        raise FieldError(f"not an email address: {text!r}")
    return text[: match.start(1)] + match.group(1).lower()


def parse_chat_id(text: str) -> str:
    """A Telegram chat id (an integer, negative for groups) as text."""
    text = text.strip()
    try:
        chat_id = int(text)
    except ValueError:
        raise FieldError(f"not a Telegram chat id: {text!r}") from None
    if chat_id == 0:
        raise FieldError("not a Telegram chat id: 0")
    return str(chat_id)


def parse_currency(text: str, default: str) -> str:
    """An ISO 4217 code of three uppercase letters; empty means `default`."""
    text = text.strip() or default
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise FieldError(f"not a currency code: {text!r} (three uppercase letters, e.g. IDR)")
    return text


def parse_language(text: str, default: str) -> str:
    """A supported language code; empty means `default`."""
    text = text.strip() or default
    if text not in LANGUAGES:
        raise FieldError(f"unsupported language: {text!r} (use {' or '.join(sorted(LANGUAGES))})")
    return text


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def parse_timezone(text: str, default: str) -> str:
    """An IANA time-zone name such as `Asia/Makassar`; empty means `default`."""
    text = text.strip() or default
    if text not in _zones():
        raise FieldError(f"unknown time zone: {text!r}")
    return text


def optional(parser: Callable[[str], T]) -> Callable[[str], T | None]:
    """Wrap `parser` so that an empty field reads as None."""

    def parse(text: str) -> T | None:
        return parser(text) if text.strip() else None

    return parse
