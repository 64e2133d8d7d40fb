"""Pure parsers for the fields of imported text; the CSV framing is in `storage.csvfile`."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import phonenumbers

# Re-exported: they lived here before the CSV framing moved to its own module.
from storage.csvfile import CsvReader, RowError

__all__ = [
    "DEFAULT_REGION",
    "LANGUAGES",
    "MAX_AMOUNT",
    "NUL",
    "CsvReader",
    "DateRange",
    "FieldError",
    "RowError",
    "optional",
    "parse_amount",
    "parse_chat_id",
    "parse_currency",
    "parse_date",
    "parse_date_in",
    "parse_email",
    "parse_language",
    "parse_nonnegative_amount",
    "parse_phone",
    "parse_positive_amount",
    "parse_required",
    "parse_text",
    "parse_timezone",
    "shift_years",
]

DEFAULT_REGION = "ID"
LANGUAGES = frozenset({"id", "en"})
#: Amounts must stay below this in major units: stored as a BIGINT of hundredths, and well
#: inside the 28 digits of decimal arithmetic, whatever sums and differences are made of them.
MAX_AMOUNT = Decimal(10) ** 15
#: PostgreSQL refuses this character in text, so no imported field may hold it.
NUL = "\x00"

T = TypeVar("T")


class FieldError(ValueError):
    """A field that cannot be read; the message is the reason shown to the operator."""


def parse_text(text: str, max_length: int) -> str:
    """Trimmed text that fits a column of `max_length` characters, without NUL characters."""
    if NUL in text:
        raise FieldError("contains a NUL character")
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


#: Plain digits this many or fewer are an amount below `MAX_AMOUNT` whatever they are.
_PLAIN_DIGITS = 15
_DOTTED = re.compile(r"(?:(?:[Rr][Pp]\.?|IDR|idr) ?)?([0-9]{1,3}(?:\.[0-9]{3}){1,4})")
_AMOUNT_PREFIX = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
_AMOUNT_BODY = re.compile(r"^\d[\d.,]*$")
_GROUPED = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


def parse_amount(text: str) -> Decimal:
    """An amount as written in Indonesia or abroad: `Rp5.000.000,-`, `1.250.000,50`, `5,000.00`.

    `.` and `,` both occur as thousands separators and as decimal marks. When both
    appear, the last one is the decimal mark. When only one kind appears, it is a
    decimal mark only if it occurs once and is followed by 1-2 digits at the end
    (`5000000.00`, `12,5`); otherwise it separates thousands and must group by three.
    After grouped thousands the decimals take two digits: `1.250.000,5` is refused.
    Anything else that only looks like a number (`12,5jt`, `5 juta`) is refused too.
    """
    if len(text) <= _PLAIN_DIGITS and text.isdigit() and text.isascii():
        return Decimal(text)  # the common case, plain digits: below MAX_AMOUNT by its length
    if match := _DOTTED.fullmatch(text):  # `5.000.000`, `Rp 5.000.000`: 15 digits at most
        return Decimal(match.group(1).replace(".", ""))
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
            if len(fraction) == 1 and not integer.isdigit():
                # Whoever groups thousands writes cents with two digits: `1.250.000,5` is a
                # cut-off cell or a slipped separator as likely as 1250000.5; never guess money.
                raise FieldError(
                    f"ambiguous amount: {text.strip()!r} (after thousands separators the "
                    f"decimals take two digits, e.g. {integer}{mark}{fraction}0)"
                )
    if not integer.isdigit():
        if not _GROUPED.match(integer) or ("." in integer and "," in integer):
            raise FieldError(f"not an amount: {text.strip()!r}")
        integer = integer.replace(".", "").replace(",", "")
    amount = Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")
    if amount.copy_abs() >= MAX_AMOUNT:  # copy_abs: exact, whatever the number of digits
        shown = text.strip() if len(text.strip()) <= 40 else f"{text.strip()[:40]}…"
        raise FieldError(f"too large: {shown!r} (at most {MAX_AMOUNT - Decimal('0.01')})")
    return amount


def parse_positive_amount(text: str) -> Decimal:
    """An amount greater than zero."""
    amount = parse_amount(text)
    if amount <= 0:
        raise FieldError(f"must be greater than zero, got {amount}")
    return amount


def parse_nonnegative_amount(text: str) -> Decimal:
    """An amount of zero or more; a minus sign is refused, even on zero (`-0`)."""
    amount = parse_amount(text)
    if amount.is_signed():
        raise FieldError(f"must not be negative, got {amount}")
    return amount


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str) -> dt.date:
    """A date as `YYYY-MM-DD` or `DD/MM/YYYY` (Indonesian day-first order)."""
    text = text.strip()
    if len(text) == 10 and text[4] == text[7] == "-" and text.isascii():
        try:
            return dt.date.fromisoformat(text)  # the common case, read in C
        except ValueError:
            pass  # the patterns below say why
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


def shift_years(day: dt.date, years: int) -> dt.date:
    """`day` moved by whole `years`: 29 February becomes the 28th, and the calendar's ends hold."""
    year = day.year + years
    if year < dt.MINYEAR:
        return dt.date.min
    if year > dt.MAXYEAR:
        return dt.date.max
    if (day.month, day.day) == (2, 29) and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


@dataclass(frozen=True, slots=True)
class DateRange:
    """The dates a field accepts, both ends included; `rule` says in words how they were set."""

    earliest: dt.date
    latest: dt.date
    rule: str

    @classmethod
    def around(
        cls, today: dt.date, *, years_back: int, years_ahead: int = 0, days_ahead: int = 0
    ) -> DateRange:
        """From `years_back` years before `today` to `years_ahead` years and `days_ahead` after."""
        latest = shift_years(today, years_ahead)
        latest += dt.timedelta(days=min(days_ahead, (dt.date.max - latest).days))
        ahead = [_count(years_ahead, "year"), _count(days_ahead, "day")]
        back = _count(years_back, "year") or "0 years"
        rule = f"{back} back to {' and '.join(a for a in ahead if a) or '0 days'} ahead"
        return cls(shift_years(today, -years_back), latest, rule)


def _count(number: int, unit: str) -> str:
    """`1 year`, `5 years`; empty for zero."""
    return f"{number} {unit}{'' if number == 1 else 's'}" if number else ""


def parse_date_in(text: str, within: DateRange) -> dt.date:
    """A date as `parse_date` reads it, refused unless it lies `within` the range."""
    day = parse_date(text)
    if not within.earliest <= day <= within.latest:
        raise FieldError(
            f"out of range: {day} (accepted {within.earliest} to {within.latest}: {within.rule})"
        )
    return day


def parse_phone(text: str, region: str = DEFAULT_REGION) -> str:
    """A phone number in E.164 (`0812…`, `62812…`, `+62 812…` → `+62812…`)."""
    text = text.strip()
    if _NOT_PHONE.search(text):  # no letters: phonenumbers reads "ABC" as keypad digits
        raise FieldError(f"not a phone number: {text!r}")
    if region == _PLAIN_REGION and (plain := _plain_number(text)) is not None:
        return plain
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise FieldError(f"not a phone number: {text!r}") from None
    if not phonenumbers.is_valid_number(number):
        raise FieldError(f"not a valid phone number: {text!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_NOT_PHONE = re.compile(r"[^\d\s()+.-]")
#: The region whose plainly written numbers `_plain_number` reads without phonenumbers.parse.
_PLAIN_REGION = "ID"
_PLAIN_SEPARATORS = str.maketrans("", "", " .-")
_PLAIN_NUMBER = re.compile(r"(0|\+62|62)([1-9][0-9]{5,16})")


@dataclass(frozen=True, slots=True)
class _Plan:
    """The parts of the region's numbering plan that `_plain_number` checks a number against."""

    general: tuple[frozenset[int], frozenset[int], re.Pattern[str]]
    kinds: tuple[tuple[frozenset[int], re.Pattern[str]], ...]  # mobile, fixed line
    idd: re.Pattern[str] | None


@functools.cache
def _plan() -> _Plan | None:
    """The plan of `_PLAIN_REGION`, or None if it breaks what `_plain_number` assumes."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(_PLAIN_REGION)
    codes = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
    if (
        meta is None
        or meta.country_code != 62
        or codes.get(62) != (_PLAIN_REGION,)
        or 6 in codes  # "+62…" could otherwise read as country 6
        or meta.national_prefix_for_parsing != "0"
        or meta.national_prefix_transform_rule
    ):
        return None
    general = meta.general_desc
    if general is None or not general.national_number_pattern:
        return None
    kinds = tuple(
        (frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern))
        for desc in (meta.mobile, meta.fixed_line)
        if desc is not None and desc.national_number_pattern
    )
    return _Plan(
        (
            frozenset(general.possible_length or ()),
            frozenset(general.possible_length_local_only or ()),
            re.compile(general.national_number_pattern),
        ),
        kinds,
        re.compile(meta.international_prefix) if meta.international_prefix else None,
    )


def _plain_number(text: str) -> str | None:
    """E.164 of a valid number written `0812-3456-7890`, `62812…` or `+62 812.3456.7890`, or None.

    phonenumbers.parse spends some 40 µs per number generalising over every numbering
    plan, most of a customer import's time. For these spellings, in the default region,
    it comes down to: take off the national prefix `0` (or the country code), and match
    what is left against the region's general, mobile and fixed-line patterns, with the
    same checks phonenumbers makes before it takes them off. Whatever this does not
    recognise as plainly valid (None) goes the long way, which gives the precise reason
    for refusing it; `tests/unit/test_import_fast_paths.py` holds the two ways to one answer.
    """
    match = _PLAIN_NUMBER.fullmatch(text.translate(_PLAIN_SEPARATORS))
    plan = _plan()
    if match is None or plan is None:
        return None
    prefix, national = match.groups()
    lengths, local_only, pattern = plan.general
    size = len(national)
    if (lengths and size not in lengths) or size in local_only or not pattern.fullmatch(national):
        return None
    digits = prefix + national
    if prefix != "+62" and plan.idd is not None and plan.idd.match(digits):
        return None  # an international call prefix
    # phonenumbers keeps a leading 0 when the digits with it make a number already, and
    # a leading 62 unless the digits with it make none, or too long a one.
    if prefix == "0" and pattern.fullmatch(digits):
        return None
    if (
        prefix == "62"
        and pattern.fullmatch(digits)
        and not (len(digits) not in local_only and lengths and len(digits) > max(lengths))
    ):
        return None
    for kind_lengths, kind in plan.kinds:
        if (not kind_lengths or size in kind_lengths) and kind.fullmatch(national):
            return f"+62{national}"
    return None


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


_CURRENCY = re.compile(r"[A-Z]{3}")


def parse_currency(text: str, default: str) -> str:
    """An ISO 4217 code of three uppercase letters; empty means `default`."""
    text = text.strip() or default
    if not _CURRENCY.fullmatch(text):
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
