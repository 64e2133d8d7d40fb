"""Hostile and absurd CSV values: a line-numbered row error, nothing written, never a traceback.

Dates outside a sane range around an injected `today`, amounts that would not fit the
BIGINT of hundredths, and NUL characters (which PostgreSQL refuses in text).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storage.db import Database
from storage.importers import import_csv
from storage.parsing import (
    MAX_AMOUNT,
    DateRange,
    FieldError,
    parse_amount,
    parse_date_in,
    parse_nonnegative_amount,
    parse_positive_amount,
    parse_text,
    shift_years,
)
from tests.integration.test_importers import counts, invoice, load, tally, write

TODAY = dt.date(2026, 11, 23)
EMPTY = {"Staff": 0, "Customer": 0, "Contact": 0, "Invoice": 0, "Payment": 0}


# --- the pure parsers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (dt.date(2026, 11, 23), -20, dt.date(2006, 11, 23)),
        (dt.date(2026, 11, 23), 5, dt.date(2031, 11, 23)),
        (dt.date(2024, 2, 29), -20, dt.date(2004, 2, 29)),
        (dt.date(2024, 2, 29), 1, dt.date(2025, 2, 28)),  # no 29 February: the day before
        (dt.date(9998, 6, 1), 5, dt.date(9999, 12, 31)),  # past the calendar: its last day
        (dt.date(3, 6, 1), -20, dt.date(1, 1, 1)),
    ],
)
def test_shift_years(day: dt.date, years: int, expected: dt.date) -> None:
    assert shift_years(day, years) == expected


def test_date_range_around_today() -> None:
    issue = DateRange.around(TODAY, years_back=20, years_ahead=1)
    assert (issue.earliest, issue.latest) == (dt.date(2006, 11, 23), dt.date(2027, 11, 23))
    paid = DateRange.around(TODAY, years_back=20, days_ahead=1)
    assert (paid.earliest, paid.latest) == (dt.date(2006, 11, 23), dt.date(2026, 11, 24))
    # Near the ends of the calendar the range is clipped, never an OverflowError.
    edge = DateRange.around(dt.date(9999, 12, 31), years_back=20, years_ahead=5, days_ahead=1)
    assert edge.latest == dt.date(9999, 12, 31)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2006-11-23", True),
        ("2026-11-24", True),
        ("24/11/2026", True),
        ("2006-11-22", False),
        ("2026-11-25", False),
        ("2099-01-01", False),
        ("9999-12-31", False),
        ("0001-01-01", False),
        ("31/12/9999", False),
    ],
)
def test_parse_date_in(text: str, ok: bool) -> None:
    paid = DateRange.around(TODAY, years_back=20, days_ahead=1)
    if ok:
        assert paid.earliest <= parse_date_in(text, paid) <= paid.latest
    else:
        with pytest.raises(
            FieldError, match=r"out of range: .* \(accepted 2006-11-23 to 2026-11-24"
        ):
            parse_date_in(text, paid)


def test_parse_date_in_keeps_the_plain_date_errors() -> None:
    paid = DateRange.around(TODAY, years_back=20, days_ahead=1)
    with pytest.raises(FieldError, match="required"):
        parse_date_in("", paid)
    with pytest.raises(FieldError, match="no such date"):
        parse_date_in("2026-02-30", paid)


@pytest.mark.parametrize(
    "text",
    [
        "99999999999999999999999999999999",
        "1000000000000000",
        "1.000.000.000.000.000",
        "1,000,000,000,000,000.00",
        "-1000000000000000",
        "Rp 1.000.000.000.000.000,-",
    ],
)
def test_amounts_too_large_for_the_database_are_refused(text: str) -> None:
    with pytest.raises(FieldError, match="too large"):
        parse_amount(text)


@pytest.mark.parametrize(
    "text", ["999999999999999.99", "999.999.999.999.999,99", "-999999999999999.99"]
)
def test_the_largest_amounts_that_fit_are_accepted(text: str) -> None:
    assert abs(parse_amount(text)) == MAX_AMOUNT - Decimal("0.01")


@pytest.mark.parametrize(
    "text", ["1e30", "1E+30", "NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "0x10", "½"]
)
def test_amounts_that_only_python_reads_are_refused(text: str) -> None:
    with pytest.raises(FieldError, match="not an amount"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["-0", "-0,00", "-1", "Rp -5.000"])
def test_negative_amounts_and_negative_zero_are_refused_where_not_allowed(text: str) -> None:
    with pytest.raises(FieldError, match="greater than zero"):
        parse_positive_amount(text)
    with pytest.raises(FieldError, match="must not be negative"):
        parse_nonnegative_amount(text)


def test_nonnegative_amounts() -> None:
    assert parse_nonnegative_amount("0") == 0
    assert parse_nonnegative_amount("1.250.000,50") == Decimal("1250000.50")


@pytest.mark.parametrize("text", ["PT\x00Maju", "\x00", "abc\x00"])
def test_text_with_nul_is_refused(text: str) -> None:
    with pytest.raises(FieldError, match="contains a NUL character"):
        parse_text(text, 100)


# --- the importer -----------------------------------------------------------------------------


async def test_invoice_dates_and_amounts_out_of_bounds_are_row_errors(
    db: Database, tmp_path: Path
) -> None:
    await load(db, tmp_path)
    before = await counts(db)
    path = write(
        tmp_path,
        "bounds.csv",
        "number,customer,issue_date,due_date,amount,balance\n"
        "OK-1,C1,2006-11-23,2031-11-23,1000,\n"  # 2: both ends of the ranges are accepted
        "OK-2,C1,2027-11-23,2027-11-23,999999999999999.99,0\n"  # 3
        "BAD-1,C1,9999-12-31,9999-12-31,1000,\n"  # 4
        "BAD-2,C1,0001-01-01,2026-12-01,1000,\n"  # 5
        "BAD-3,C1,2027-11-24,2031-11-24,1000,\n"  # 6
        "BAD-4,C1,2006-11-22,2026-12-01,1000,\n"  # 7
        "BAD-5,C1,2026-10-01,2026-11-01,99999999999999999999999999999999,\n"  # 8
        "BAD-6,C1,2026-10-01,2026-11-01,1e30,\n"  # 9
        "BAD-7,C1,2026-10-01,2026-11-01,NaN,\n"  # 10
        "BAD-8,C1,2026-10-01,2026-11-01,Infinity,\n"  # 11
        "BAD-9,C1,2026-10-01,2026-11-01,-0,\n"  # 12
        "BAD-10,C1,2026-10-01,2026-11-01,1000000000000000,\n"  # 13
        "BAD-11,C1,2026-10-01,2026-11-01,1000,-0\n"  # 14
        "BAD-12,C1,2026-10-01,2026-11-01,1000,99999999999999999999999999999999\n",  # 15
    )
    report = await import_csv(db, "invoices", path, today=TODAY)
    issue = "(accepted 2006-11-23 to 2027-11-23: 20 years back to 1 year ahead)"
    due = "(accepted 2006-11-23 to 2031-11-23: 20 years back to 5 years ahead)"
    huge = "too large: '99999999999999999999999999999999' (at most 999999999999999.99)"
    assert [str(e) for e in report.errors] == [
        f"{path}:4: issue_date: out of range: 9999-12-31 {issue}",
        f"{path}:4: due_date: out of range: 9999-12-31 {due}",
        f"{path}:5: issue_date: out of range: 0001-01-01 {issue}",
        f"{path}:6: issue_date: out of range: 2027-11-24 {issue}",
        f"{path}:6: due_date: out of range: 2031-11-24 {due}",
        f"{path}:7: issue_date: out of range: 2006-11-22 {issue}",
        f"{path}:8: amount: {huge}",
        f"{path}:9: amount: not an amount: '1e30'",
        f"{path}:10: amount: not an amount: 'NaN'",
        f"{path}:11: amount: not an amount: 'Infinity'",
        f"{path}:12: amount: must be greater than zero, got -0",
        f"{path}:13: amount: too large: '1000000000000000' (at most 999999999999999.99)",
        f"{path}:14: balance: must not be negative, got -0",
        f"{path}:15: balance: {huge}",
    ]
    assert not report.ok
    assert await counts(db) == before
    # Without the bad rows the same file imports, and the largest amount round-trips exactly.
    good = "".join(path.read_text().splitlines(keepends=True)[:3])
    report = await import_csv(db, "invoices", write(tmp_path, "good.csv", good), today=TODAY)
    assert tally(report) == (2, 2, 0, 0)
    big = await invoice(db, "OK-2")
    assert (big.amount, big.balance, big.status) == (
        Decimal("999999999999999.99"),
        Decimal(0),
        "paid",
    )
    assert (await invoice(db, "OK-1")).due_date == dt.date(2031, 11, 23)


async def test_payment_dates_and_amounts_out_of_bounds_are_row_errors(
    db: Database, tmp_path: Path
) -> None:
    await load(db, tmp_path)
    before = await counts(db)
    path = write(
        tmp_path,
        "p.csv",
        "reference,invoice,amount,paid_on\n"
        "P1,INV-1,100,2026-11-24\n"  # 2: tomorrow (a time-zone's worth of slack) is accepted
        "P2,INV-1,100,2026-11-25\n"
        "P3,INV-1,100,2099-01-01\n"
        "P4,INV-1,100,0001-01-01\n"
        "P5,INV-1,100,31/12/9999\n"
        "P6,INV-1,99999999999999999999999999999999,2026-11-01\n"
        "P7,INV-1,-0,2026-11-01\n"
        "P8,INV-1,NaN,2026-11-01\n",
    )
    report = await import_csv(db, "payments", path, today=TODAY)
    paid = "(accepted 2006-11-23 to 2026-11-24: 20 years back to 1 day ahead)"
    assert [str(e) for e in report.errors] == [
        f"{path}:3: paid_on: out of range: 2026-11-25 {paid}",
        f"{path}:4: paid_on: out of range: 2099-01-01 {paid}",
        f"{path}:5: paid_on: out of range: 0001-01-01 {paid}",
        f"{path}:6: paid_on: out of range: 9999-12-31 {paid}",
        f"{path}:7: amount: too large: '99999999999999999999999999999999' "
        "(at most 999999999999999.99)",
        f"{path}:8: amount: must be greater than zero, got -0",
        f"{path}:9: amount: not an amount: 'NaN'",
    ]
    assert await counts(db) == before


async def test_nul_characters_are_row_errors_in_any_column(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(
        b"code,name,email,phone,segment,collector\n"
        b"C1,PT Maju Jaya,,,retail,\n"
        b"C2,PT\x00Nul,,,retail,\n"
        b"C3,CV Tiga,ar\x00@tiga.example,0812\x003456\x007890,\x00,Ri\x00na\n"
        b"C\x004,Toko Empat,,,,\n"
    )
    report = await import_csv(db, "customers", path, today=TODAY)
    nul = "contains a NUL character"
    assert [str(e) for e in report.errors] == [
        f"{path}:3: name: {nul}",
        f"{path}:4: email: {nul}",
        f"{path}:4: phone: {nul}",
        f"{path}:4: segment: {nul}",
        f"{path}:4: collector: {nul}",
        f"{path}:5: code: {nul}",
    ]
    assert await counts(db) == EMPTY
    await load(db, tmp_path)
    before = await counts(db)
    path = write(
        tmp_path,
        "i.csv",
        "number,customer,issue_date,due_date,amount,item\n"
        "N-1,C1,2026-10-01,2026-11-01,1000,Semen\x00 50 kg\n"
        "N-2,C\x001,2026-10-01,2026-11-01,1000,Semen\n",
    )
    report = await import_csv(db, "invoices", path, today=TODAY)
    assert [str(e) for e in report.errors] == [
        f"{path}:2: item: {nul}",
        f"{path}:3: customer: {nul}",
    ]
    assert await counts(db) == before


async def test_every_problem_of_a_row_is_reported(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    pay = "reference,invoice,amount,paid_on\nP1,INV-1,1.000.000,2026-10-05\n"
    tally(await import_csv(db, "payments", write(tmp_path, "p.csv", pay), today=TODAY))
    before = await counts(db)
    path = write(
        tmp_path,
        "i.csv",
        "number,customer,issue_date,due_date,amount,balance\n"
        "INV-1,C404,2026-09-01,2026-10-01,900000,\n"  # unknown customer, and less than paid
        "X-1,C1,2026-10-01,2026-09-01,abc,\n"  # a bad amount, and due before issue
        "X-2,C1,2026-10-01,2026-09-01,1000,2000\n"  # due before issue, and balance over amount
        "X-1,C1,2099-10-01,2026-10-01,1000,\n",  # a duplicate with a bad date
    )
    report = await import_csv(db, "invoices", path, today=TODAY)
    assert [str(e) for e in report.errors] == [
        f"{path}:2: customer: no customer with code 'C404'",
        f"{path}:2: amount: less than the 1000000.00 already paid",
        f"{path}:3: amount: not an amount: 'abc'",
        f"{path}:3: due_date: before issue_date 2026-10-01",
        f"{path}:4: due_date: before issue_date 2026-10-01",
        f"{path}:4: balance: must be between 0 and the amount 1000",
        f"{path}:5: issue_date: out of range: 2099-10-01 "
        "(accepted 2006-11-23 to 2027-11-23: 20 years back to 1 year ahead)",
        f"{path}:5: number: duplicate of line 3",
    ]
    assert await counts(db) == before


async def test_today_is_injected(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    text = "number,customer,issue_date,due_date,amount\nT-1,C1,2026-09-01,2026-09-01,1000\n"
    path = write(tmp_path, "t.csv", text)
    report = await import_csv(db, "invoices", path, today=dt.date(2046, 9, 2))
    assert [e.reason.split(" (")[0] for e in report.errors] == [
        "out of range: 2026-09-01",
        "out of range: 2026-09-01",
    ]
    assert tally(await import_csv(db, "invoices", path, today=dt.date(2046, 9, 1))) == (1, 1, 0, 0)


async def test_without_today_the_real_date_is_used(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    pay = "reference,invoice,amount,paid_on\nP1,INV-1,100,2099-01-01\n"
    report = await import_csv(db, "payments", write(tmp_path, "p.csv", pay))
    assert [e.column for e in report.errors] == ["paid_on"]
    assert report.errors[0].reason.startswith("out of range: 2099-01-01")


def test_cli_refuses_an_absurd_date_with_exit_1_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli.main import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAGIH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}")
    write(tmp_path, "c.csv", "code,name\nC1,PT Maju\n")
    write(
        tmp_path,
        "i.csv",
        "number,customer,issue_date,due_date,amount\n"
        "I-1,C1,9999-12-31,9999-12-31,1000\n"
        "I-2,C1,0001-01-01,2026-12-01,99999999999999999999999999999999\n",
    )
    assert CliRunner().invoke(app, ["import", "customers", "c.csv"]).exit_code == 0
    result = CliRunner().invoke(app, ["import", "invoices", "i.csv"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for line in (
        "i.csv:2: issue_date: out of range: 9999-12-31",
        "i.csv:2: due_date: out of range: 9999-12-31",
        "i.csv:3: issue_date: out of range: 0001-01-01",
        "i.csv:3: amount: too large",
        "nothing was imported",
    ):
        assert line in result.output


def test_an_amount_of_any_length_is_a_row_error() -> None:
    # Longer than decimal arithmetic's exponent limit: no decimal.Overflow, a short message.
    with pytest.raises(FieldError, match=r"too large: '9{40}…' \(at most"):
        parse_amount("9" * 1_000_001)
