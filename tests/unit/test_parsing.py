"""The pure parsers behind the CSV import: fields, and the CSV framing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from storage.parsing import (
    CsvReader,
    FieldError,
    RowError,
    optional,
    parse_amount,
    parse_chat_id,
    parse_currency,
    parse_date,
    parse_email,
    parse_language,
    parse_phone,
    parse_positive_amount,
    parse_required,
    parse_text,
    parse_timezone,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5000000", "5000000"),
        ("5.000.000", "5000000"),
        ("Rp 5.000.000", "5000000"),
        ("Rp5.000.000,-", "5000000"),
        ("Rp. 750.000", "750000"),
        ("IDR 1,000", "1000"),
        ("5000000.00", "5000000"),
        ("5,000,000", "5000000"),
        ("5,000,000.00", "5000000"),
        ("1.250.000,50", "1250000.50"),
        ("Rp 1.250.000,50", "1250000.5"),
        ("1250000,5", "1250000.5"),  # no grouping: one decimal digit is plain
        ("12,5", "12.5"),
        ("5.000", "5000"),  # one separator and three digits: thousands
        ("1 000 000", "1000000"),
        ("  Rp 1.000.000  ", "1000000"),
        ("0", "0"),
        ("-5.000", "-5000"),
        ("8850.00", "8850"),
    ],
)
def test_parse_amount(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    ["", "Rp", "abc", "5.00.000", "1.000.000.00", "5..000", "1.2.3", ".5", "5.", "1,234.5678",
     "1.250,000.50", "1,000.000,50", "5 juta", "12,5jt", "1.250.000,5", "5,000.5", "--5",
     "1e6", "1e30", "NaN", "Infinity",
     "99999999999999999999999999999999", "1.000.000.000.000.000"],
)  # fmt: skip
def test_parse_amount_refuses(text: str) -> None:
    with pytest.raises(FieldError):
        parse_amount(text)


@pytest.mark.parametrize("text", ["0", "-1", "Rp 0,-"])
def test_parse_positive_amount_refuses_zero_and_negative(text: str) -> None:
    with pytest.raises(FieldError, match="greater than zero"):
        parse_positive_amount(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", dt.date(2026, 11, 23)),
        ("23/11/2026", dt.date(2026, 11, 23)),
        ("1/2/2026", dt.date(2026, 2, 1)),  # day first, as in Indonesia
        (" 2024-02-29 ", dt.date(2024, 2, 29)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "required"),
        ("2026-02-30", "no such date"),
        ("11/23/2026", "no such date"),
        ("23-11-2026", "not a date"),
        ("2026/11/23", "not a date"),
        ("besok", "not a date"),
    ],
)
def test_parse_date_refuses(text: str, reason: str) -> None:
    with pytest.raises(FieldError, match=reason):
        parse_date(text)


@pytest.mark.parametrize(
    "text",
    ["0812-3456-7890", "081234567890", "6281234567890", "+62 812 3456 7890", "62 812-3456-7890"],
)
def test_parse_phone_normalises_to_e164(text: str) -> None:
    assert parse_phone(text) == "+6281234567890"


def test_parse_phone_keeps_foreign_numbers() -> None:
    assert parse_phone("+65 6123 4567") == "+6561234567"


@pytest.mark.parametrize("text", ["081234567", "08123456789012", "halo", "+62", "0812-ABCD-1234"])
def test_parse_phone_refuses(text: str) -> None:
    with pytest.raises(FieldError, match="phone number"):
        parse_phone(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("keuangan@majujaya.example", "keuangan@majujaya.example"),
        (" Budi.Santoso@Example.CO.ID ", "Budi.Santoso@example.co.id"),
        ("ar+tagih@sub.example.co.id", "ar+tagih@sub.example.co.id"),
    ],
)
def test_parse_email(text: str, expected: str) -> None:
    assert parse_email(text) == expected


@pytest.mark.parametrize(
    "text", ["budi", "budi@", "@example.com", "budi@example", "budi @example.com", "a@b@c.com",
             "budi@-example.com", "budi@example.c0m"],
)  # fmt: skip
def test_parse_email_refuses(text: str) -> None:
    with pytest.raises(FieldError, match="email"):
        parse_email(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("512345678", "512345678"), ("-1001234567890", "-1001234567890")]
)
def test_parse_chat_id(text: str, expected: str) -> None:
    assert parse_chat_id(text) == expected


@pytest.mark.parametrize("text", ["@budi", "0", "12.5", "t.me/budi"])
def test_parse_chat_id_refuses(text: str) -> None:
    with pytest.raises(FieldError, match="chat id"):
        parse_chat_id(text)


def test_defaults_and_choices() -> None:
    assert parse_currency("", "IDR") == "IDR"
    assert parse_currency(" USD ", "IDR") == "USD"
    assert parse_language("", "id") == "id"
    assert parse_language("en", "id") == "en"
    assert parse_timezone("", "Asia/Jakarta") == "Asia/Jakarta"
    assert parse_timezone("Asia/Jayapura", "Asia/Jakarta") == "Asia/Jayapura"


@pytest.mark.parametrize(
    ("parser", "text", "reason"),
    [
        (parse_currency, "idr", "not a currency code"),
        (parse_currency, "RP", "not a currency code"),
        (parse_currency, "RUPIAH", "not a currency code"),
        (parse_language, "jv", "unsupported language"),
        (parse_language, "ID", "unsupported language"),
        (parse_timezone, "WIB", "unknown time zone"),
        (parse_timezone, "Asia/Bandung", "unknown time zone"),
    ],
)
def test_choices_refuse(parser: object, text: str, reason: str) -> None:
    assert callable(parser)
    with pytest.raises(FieldError, match=reason):
        parser(text, "x")


def test_text_fields() -> None:
    assert parse_text("  PT Maju  ", 10) == "PT Maju"
    assert parse_text("", 10) == ""
    with pytest.raises(FieldError, match="longer than 3"):
        parse_text("abcd", 3)
    with pytest.raises(FieldError, match="contains a NUL character"):
        parse_text("PT\x00Maju", 10)
    with pytest.raises(FieldError, match="required"):
        parse_required("   ", 10)
    assert optional(parse_email)("  ") is None


def test_row_error_reads_like_a_compiler_error() -> None:
    assert str(RowError("inv.csv", 7, "amount", "required")) == "inv.csv:7: amount: required"
    assert str(RowError("inv.csv", 1, "", "no header row")) == "inv.csv:1: no header row"


def _read(data: bytes, required: tuple[str, ...] = ("a",)) -> tuple[CsvReader, list[object]]:
    reader = CsvReader(io.BytesIO(data), "f.csv", ("a", "b", "c"), required)
    return reader, list(reader)


def test_reader_bom_semicolons_blank_lines_and_quoted_newlines() -> None:
    data = '\ufeffA ; b\r\n1;"x;y"\r\n\r\n ;  \n2;"two\nlines"\n3;z\n'.encode()
    reader, rows = _read(data)
    assert reader.errors == []
    assert reader.present == {"a", "b"}
    assert rows == [
        (2, {"a": "1", "b": "x;y", "c": ""}),
        (5, {"a": "2", "b": "two\nlines", "c": ""}),
        (7, {"a": "3", "b": "z", "c": ""}),
    ]
    assert reader.rows == 3


def test_reader_reports_header_problems() -> None:
    reader, rows = _read(b"a,d,e,a\n1,2,3,4\n", required=("a", "b"))
    assert rows == []
    assert [str(e) for e in reader.errors] == [
        "f.csv:1: unknown columns: d, e; missing columns: b; repeated columns: a "
        "(expected: a, b, c)"
    ]
    assert reader.foreign_layout
    reader, rows = _read(b"a,b,a\n1,2,3\n")
    assert [str(e) for e in reader.errors] == ["f.csv:1: repeated columns: a (expected: a, b, c)"]
    assert not reader.foreign_layout  # Tagih's own columns, one twice: no export to map
    reader, rows = _read(b"")
    assert [str(e) for e in reader.errors] == ["f.csv:1: no header row (expected: a, b, c)"]
    assert not reader.foreign_layout


def test_reader_reports_field_counts_encoding_and_broken_quotes() -> None:
    reader, rows = _read(b'a,b\n1,2,3\n\xff\xfe,x\n4,5\n6,"unclosed\n')
    assert rows == [
        (3, {"a": "\ufffd\ufffd", "b": "x", "c": ""}),
        (4, {"a": "4", "b": "5", "c": ""}),
    ]
    assert [str(e) for e in reader.errors] == [
        "f.csv:2: 3 fields, the header has 2",
        "f.csv:3: not UTF-8 text (save the file as CSV UTF-8)",
        "f.csv:5: malformed CSV: unexpected end of data",
    ]
