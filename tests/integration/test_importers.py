"""CSV import against real databases: atomic, idempotent, line-numbered errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import SQLModel, col, func, select
from typer.testing import CliRunner

from bot.cli.main import app
from storage.db import Database
from storage.importers import BATCH_SIZE, ImportKind, ImportReport, import_csv
from storage.models import Contact, Customer, Invoice, Payment, Policy, Staff, utcnow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

CUSTOMERS = """\
code,name,email,phone,whatsapp,telegram,language,timezone,segment,salesperson,collector,policy
C1,PT Maju Jaya,Keuangan@MajuJaya.Example,0812-3456-7890,+62 812 3456 7890,,,,retail,Budi,Rina,
C2,CV Sinar Terang,ar@sinar.example,,6285712345678,-100123,en,Asia/Makassar,horeca,Budi,,
"""
INVOICES = """\
number,customer,issue_date,due_date,amount,currency,balance,item,salesperson
INV-1,C1,2026-09-01,2026-10-01,Rp 5.000.000,,,Semen,
INV-2,C1,01/09/2026,15/10/2026,"1.250.000,50",,,Besi,Siti
INV-3,C2,2026-09-10,2026-10-10,1200.00,USD,200,Kopi,
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a CSV file for a test."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def counts(db: Database) -> dict[str, int]:
    """Rows per table, to prove a failed import wrote nothing."""
    tables: list[type[SQLModel]] = [Staff, Customer, Contact, Invoice, Payment]
    async with db.sessions() as session:
        return {
            table.__name__: (await session.exec(select(func.count()).select_from(table))).one()
            for table in tables
        }


async def invoice(db: Database, number: str) -> Invoice:
    """Load one invoice."""
    async with db.sessions() as session:
        return (await session.exec(select(Invoice).where(Invoice.number == number))).one()


async def contacts(db: Database, code: str) -> dict[str, Contact]:
    """A customer's contacts by channel."""
    async with db.sessions() as session:
        query = select(Contact).join(Customer).where(Customer.code == code)
        return {contact.channel: contact for contact in await session.exec(query)}


def tally(report: ImportReport) -> tuple[int, int, int, int]:
    """(rows, created, updated, unchanged), and the report must be clean."""
    assert report.errors == [], [str(e) for e in report.errors]
    assert report.ok
    return report.rows, report.created, report.updated, report.unchanged


async def load(db: Database, tmp_path: Path) -> None:
    """Import the small customers and invoices files above."""
    assert tally(await import_csv(db, "customers", write(tmp_path, "c.csv", CUSTOMERS))) == (
        2, 2, 0, 0,
    )  # fmt: skip
    assert tally(await import_csv(db, "invoices", write(tmp_path, "i.csv", INVOICES))) == (
        3, 3, 0, 0,
    )  # fmt: skip


async def test_examples_import_cleanly_and_idempotently(db: Database) -> None:
    seen: list[tuple[int, int]] = []
    expected = {}
    for kind in ImportKind:
        path = EXAMPLES / f"{kind}.csv"
        report = await import_csv(
            db, kind, path, progress=lambda done, total: seen.append((done, total))
        )
        rows, created, _, _ = tally(report)
        assert rows == created == len(path.read_text().splitlines()) - 1
        assert seen[-1] == (path.stat().st_size, path.stat().st_size)
        expected[kind] = rows
    before = await counts(db)
    assert before["Staff"] == 5  # 3 salespeople and 2 collectors, created on first mention
    for kind in ImportKind:
        report = await import_csv(db, kind, EXAMPLES / f"{kind}.csv")
        assert tally(report) == (expected[kind], 0, 0, expected[kind])
    assert await counts(db) == before
    async with db.sessions() as session:
        query = select(Payment.invoice_id, func.sum(Payment.amount))
        paid = dict((await session.exec(query.group_by(col(Payment.invoice_id)))).all())
        for inv in await session.exec(select(Invoice)):
            if inv.id in paid:
                assert inv.balance == inv.amount - paid[inv.id]
            assert (inv.status == "paid") == (inv.balance == 0)
        statuses = set((await session.exec(select(Invoice.status))).all())
        assert statuses == {"open", "paid"}


async def test_fields_are_normalised_and_contacts_created(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    c1 = await contacts(db, "C1")
    assert {channel: c.address for channel, c in c1.items()} == {
        "email": "Keuangan@majujaya.example",
        "sms": "+6281234567890",
        "voice": "+6281234567890",
        "whatsapp": "+6281234567890",
    }
    c2 = await contacts(db, "C2")
    assert {channel: c.address for channel, c in c2.items()} == {
        "email": "ar@sinar.example",
        "whatsapp": "+6285712345678",
        "telegram": "-100123",
    }
    async with db.sessions() as session:
        customers = {c.code: c for c in await session.exec(select(Customer))}
        staff = {s.name: s for s in await session.exec(select(Staff))}
    assert customers["C1"].language == "id" and customers["C1"].timezone == "Asia/Jakarta"
    assert customers["C2"].language == "en" and customers["C2"].timezone == "Asia/Makassar"
    assert customers["C1"].policy_id is None and customers["C2"].collector_id is None
    assert {name: s.role for name, s in staff.items()} == {
        "Budi": "sales", "Rina": "collector", "Siti": "sales",
    }  # fmt: skip
    assert customers["C1"].salesperson_id == staff["Budi"].id
    inv2 = await invoice(db, "INV-2")
    assert (inv2.issue_date, inv2.due_date) == (dt.date(2026, 9, 1), dt.date(2026, 10, 15))
    assert inv2.amount == inv2.balance == Decimal("1250000.50")
    assert inv2.currency == "IDR" and inv2.salesperson_id == staff["Siti"].id
    inv3 = await invoice(db, "INV-3")
    assert (inv3.currency, inv3.amount, inv3.balance, inv3.status) == (
        "USD", Decimal("1200.00"), Decimal("200.00"), "open",
    )  # fmt: skip


async def test_bad_customers_are_all_reported_and_nothing_written(
    db: Database, tmp_path: Path
) -> None:
    async with db.transaction() as session:
        session.add(Policy(name="ketat"))
    path = write(
        tmp_path,
        "customers.csv",
        "code,name,email,phone,whatsapp,telegram,language,timezone,policy\n"
        "C1,PT Baik,ok@baik.example,081234567890,,,id,Asia/Jakarta,ketat\n"
        "C2,,budi@,0812,,,jv,Asia/Bandung,\n"
        "C3,CV Tiga,,,62abc,@tiga,,,longgar\n"
        "C1,PT Baik Lagi,,,,,,,\n"
        "C4,Toko Empat\n",
    )
    report = await import_csv(db, "customers", path)
    assert [str(e) for e in report.errors] == [
        f"{path}:3: name: required",
        f"{path}:3: email: not an email address: 'budi@'",
        f"{path}:3: phone: not a valid phone number: '0812'",
        f"{path}:3: language: unsupported language: 'jv' (use en or id)",
        f"{path}:3: timezone: unknown time zone: 'Asia/Bandung'",
        f"{path}:4: whatsapp: not a phone number: '62abc'",
        f"{path}:4: telegram: not a Telegram chat id: '@tiga'",
        f"{path}:4: policy: no policy named 'longgar'",  # checked on a bad row too
        f"{path}:5: code: duplicate of line 2",
        f"{path}:6: 2 fields, the header has 9",
    ]
    assert not report.ok and report.rows == 5
    assert await counts(db) == {"Staff": 0, "Customer": 0, "Contact": 0, "Invoice": 0, "Payment": 0}
    path = write(tmp_path, "c2.csv", "code,name,policy\nC1,PT Baik,ketat\nC3,CV Tiga,longgar\n")
    report = await import_csv(db, "customers", path)
    assert [str(e) for e in report.errors] == [f"{path}:3: policy: no policy named 'longgar'"]
    assert (await counts(db))["Customer"] == 0
    path = write(tmp_path, "c3.csv", "code,name,policy\nC1,PT Baik,ketat\n")
    assert tally(await import_csv(db, "customers", path)) == (1, 1, 0, 0)
    async with db.sessions() as session:
        customer = (await session.exec(select(Customer))).one()
        policy = (await session.exec(select(Policy))).one()
    assert customer.policy_id == policy.id


async def test_bad_invoices_are_all_reported_and_nothing_written(
    db: Database, tmp_path: Path
) -> None:
    await load(db, tmp_path)
    before = await counts(db)
    path = write(
        tmp_path,
        "invoices.csv",
        "number;customer;issue_date;due_date;amount;currency;balance\n"
        "INV-9;C1;2026-09-01;2026-10-01;Rp 1.000.000;;\n"
        "INV-10;C404;2026-09-01;2026-10-01;1000;;\n"
        "INV-11;C1;2026-10-01;2026-09-01;0;idr;\n"
        "INV-12;C1;31/09/2026;2026-10-01;-5.000;;\n"
        "INV-13;C1;2026-09-01;2026-10-01;5.00.000;;\n"
        "INV-14;C1;2026-09-01;2026-10-01;1.000;;1.500\n"
        "INV-15;C1;2026-10-02;2026-10-01;1.000;;\n"
        "INV-9;C2;2026-09-01;2026-10-01;1000;;\n",
    )
    report = await import_csv(db, "invoices", path)
    assert [str(e) for e in report.errors] == [
        f"{path}:3: customer: no customer with code 'C404'",
        f"{path}:4: amount: must be greater than zero, got 0",
        f"{path}:4: currency: not a currency code: 'idr' (three uppercase letters, e.g. IDR)",
        f"{path}:4: due_date: before issue_date 2026-10-01",  # every problem of a row
        f"{path}:5: issue_date: no such date: '31/09/2026'",
        f"{path}:5: amount: must be greater than zero, got -5000",
        f"{path}:6: amount: not an amount: '5.00.000'",
        f"{path}:7: balance: must be between 0 and the amount 1000",
        f"{path}:8: due_date: before issue_date 2026-10-02",
        f"{path}:9: number: duplicate of line 2",
    ]
    assert await counts(db) == before


async def test_bad_payments_are_all_reported_and_nothing_written(
    db: Database, tmp_path: Path
) -> None:
    await load(db, tmp_path)
    before = await counts(db)
    path = write(
        tmp_path,
        "payments.csv",
        "reference,invoice,amount,paid_on,method\n"
        "P1,INV-1,3.000.000,2026-10-05,transfer BCA\n"
        "P2,INV-404,100,2026-10-05,\n"
        "P3,INV-1,2.500.000,2026-10-06,QRIS\n"
        "P4,INV-1,0,kemarin,\n"
        "P1,INV-2,100,2026-10-05,\n"
        "P5,INV-3,200.01,2026-10-05,wire\n",
    )
    report = await import_csv(db, "payments", path)
    assert [str(e) for e in report.errors] == [
        f"{path}:3: invoice: no invoice numbered 'INV-404'",
        f"{path}:4: amount: more than the open balance 2000000.00",  # P1 already counts
        f"{path}:5: amount: must be greater than zero, got 0",
        f"{path}:5: paid_on: not a date: 'kemarin' (use YYYY-MM-DD or DD/MM/YYYY)",
        f"{path}:6: reference: duplicate of line 2",
        f"{path}:7: amount: more than the open balance 200.00",
    ]
    assert await counts(db) == before
    assert (await invoice(db, "INV-1")).balance == Decimal("5000000")


async def test_header_problems_stop_the_import(db: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path, "p.csv", "reference,invoice,amount,date,bank\nP1,INV-1,100,2026-01-01,x\n"
    )
    report = await import_csv(db, "payments", path)
    assert [str(e) for e in report.errors] == [
        f"{path}:1: unknown columns: date, bank; missing columns: paid_on "
        "(expected: reference, invoice, amount, paid_on, method)"
    ]
    assert report.rows == 0
    assert report.foreign_layout  # the command line then suggests `tagih import --detect`


async def test_payments_reduce_balance_close_and_adjust(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    header = "reference,invoice,amount,paid_on,method\n"
    first = write(tmp_path, "p1.csv", header + "P1,INV-1,2.000.000,2026-10-05,transfer BCA\n")
    assert tally(await import_csv(db, "payments", first)) == (1, 1, 0, 0)
    inv = await invoice(db, "INV-1")
    assert (inv.balance, inv.status) == (Decimal("3000000"), "open")
    both = write(
        tmp_path,
        "p2.csv",
        header + "P1,INV-1,2.000.000,2026-10-05,transfer BCA\nP2,INV-1,3.000.000,2026-10-20,QRIS\n",
    )
    assert tally(await import_csv(db, "payments", both)) == (2, 1, 0, 1)
    inv = await invoice(db, "INV-1")
    assert (inv.balance, inv.status) == (Decimal("0"), "paid")
    assert tally(await import_csv(db, "payments", both)) == (2, 0, 0, 2)
    # A corrected amount moves the balance by the difference and reopens the invoice.
    fixed = write(tmp_path, "p3.csv", header + "P2,INV-1,2.500.000,2026-10-21,QRIS\n")
    assert tally(await import_csv(db, "payments", fixed)) == (1, 0, 1, 0)
    inv = await invoice(db, "INV-1")
    assert (inv.balance, inv.status) == (Decimal("500000"), "open")
    async with db.sessions() as session:
        p2 = (await session.exec(select(Payment).where(Payment.reference == "P2"))).one()
    assert (p2.amount, p2.paid_on, p2.source) == (
        Decimal("2500000"),
        dt.date(2026, 10, 21),
        "import",
    )
    moved = write(tmp_path, "p4.csv", header + "P2,INV-2,100,2026-10-21,QRIS\n")
    report = await import_csv(db, "payments", moved)
    assert [e.reason for e in report.errors] == [
        "this reference is recorded against another invoice"
    ]


async def test_reimported_invoice_keeps_payments_and_disputes(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    pay = "reference,invoice,amount,paid_on\nP1,INV-1,1.000.000,2026-10-05\n"
    tally(await import_csv(db, "payments", write(tmp_path, "p.csv", pay)))
    async with db.transaction() as session:
        inv = (await session.exec(select(Invoice).where(Invoice.number == "INV-1"))).one()
        inv.status = "disputed"
        stamp = inv.updated_at
    changed = INVOICES.replace("Rp 5.000.000", "6000000")
    report = await import_csv(db, "invoices", write(tmp_path, "i2.csv", changed))
    assert tally(report) == (3, 0, 1, 2)
    inv = await invoice(db, "INV-1")
    # An empty balance is the amount less what was paid; a disputed invoice stays disputed.
    assert (inv.amount, inv.balance, inv.status) == (
        Decimal("6000000"),
        Decimal("5000000"),
        "disputed",
    )
    assert inv.updated_at > stamp and inv.updated_at <= utcnow()
    too_small = INVOICES.replace("Rp 5.000.000", "900000")
    report = await import_csv(db, "invoices", write(tmp_path, "i3.csv", too_small))
    assert [e.reason for e in report.errors] == ["less than the 1000000.00 already paid"]


async def test_changed_customer_updates_contacts_but_keeps_opt_outs(
    db: Database, tmp_path: Path
) -> None:
    await load(db, tmp_path)
    opted_out = utcnow()
    async with db.transaction() as session:
        query = (
            select(Contact).join(Customer).where(Customer.code == "C1", Contact.channel == "sms")
        )
        (await session.exec(query)).one().opted_out_at = opted_out
    changed = CUSTOMERS.replace("Keuangan@MajuJaya.Example", "finance@majujaya.example").replace(
        "+62 812 3456 7890", ""
    )
    report = await import_csv(db, "customers", write(tmp_path, "c2.csv", changed))
    assert tally(report) == (2, 0, 1, 1)
    c1 = await contacts(db, "C1")
    assert sorted(c1) == ["email", "sms", "voice"]
    assert c1["email"].address == "finance@majujaya.example"
    assert c1["sms"].opted_out_at == opted_out
    # Columns left out of a file leave their fields and contacts alone.
    partial = write(tmp_path, "c3.csv", "name,code\nPT Maju Jaya Baru,C1\n")
    assert tally(await import_csv(db, "customers", partial)) == (1, 0, 1, 0)
    assert sorted(await contacts(db, "C1")) == ["email", "sms", "voice"]
    async with db.sessions() as session:
        c1_row = (await session.exec(select(Customer).where(Customer.code == "C1"))).one()
    assert (c1_row.name, c1_row.segment) == ("PT Maju Jaya Baru", "retail")
    assert c1_row.salesperson_id is not None


async def test_dry_run_reports_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", CUSTOMERS)
    report = await import_csv(db, "customers", path, dry_run=True)
    assert report.dry_run and tally(report) == (2, 2, 0, 0)
    assert await counts(db) == {"Staff": 0, "Customer": 0, "Contact": 0, "Invoice": 0, "Payment": 0}


async def test_semicolons_bom_and_defaults(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    path = tmp_path / "excel.csv"
    text = "number;customer;issue_date;due_date;amount\r\n"
    text += "X-1;C2;01/11/2026;01/12/2026;1.250.000,50\r\n"
    path.write_bytes("\ufeff".encode() + text.encode())
    report = await import_csv(db, "invoices", path, default_currency="USD")
    assert tally(report) == (1, 1, 0, 0)
    inv = await invoice(db, "X-1")
    assert (inv.amount, inv.currency, inv.due_date) == (
        Decimal("1250000.50"), "USD", dt.date(2026, 12, 1),
    )  # fmt: skip


async def test_large_file_streams_in_batches(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    rows = 5_000
    lines = ["number,customer,issue_date,due_date,amount"]
    lines += [f"B{n:05d},C{n % 2 + 1},2026-09-01,2026-10-01,{(n + 1) * 1000}" for n in range(rows)]
    path = write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    calls: list[int] = []
    report = await import_csv(db, "invoices", path, progress=lambda done, total: calls.append(done))
    assert tally(report) == (rows, rows, 0, 0)
    assert len(calls) == 5 and calls == sorted(calls) and calls[-1] == path.stat().st_size
    async with db.sessions() as session:
        query = select(func.count(), func.sum(Invoice.balance)).where(
            Invoice.number.startswith("B")
        )
        count, total = (await session.exec(query)).one()
    assert (count, total) == (rows, Decimal(sum(range(1, rows + 1)) * 1000))
    # The same file again: a duplicate far from its first line, and nothing else changes.
    lines.append("B00007,C1,2026-09-01,2026-10-01,1")
    report = await import_csv(db, "invoices", write(tmp_path, "big2.csv", "\n".join(lines)))
    assert [str(e) for e in report.errors] == [
        f"{tmp_path / 'big2.csv'}:{rows + 2}: number: duplicate of line 9"
    ]
    assert report.unchanged == rows


async def test_payments_of_one_invoice_add_up_across_batches(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    header = "reference,invoice,amount,paid_on\n"
    small = [f"P{n:05d},INV-1,1000,2026-10-05\n" for n in range(BATCH_SIZE + 1)]
    last = "P-LAST,INV-1,4.000.000,2026-10-06\n"  # one batch later, 1,000 over what is left
    path = write(tmp_path, "p.csv", header + "".join(small) + last)
    report = await import_csv(db, "payments", path)
    left = Decimal(5_000_000 - (BATCH_SIZE + 1) * 1000)
    assert [str(e) for e in report.errors] == [
        f"{path}:{BATCH_SIZE + 3}: amount: more than the open balance {left:.2f}"
    ]
    assert (await counts(db))["Payment"] == 0
    assert (await invoice(db, "INV-1")).balance == Decimal(5_000_000)
    path = write(tmp_path, "p2.csv", header + "".join(small))
    assert tally(await import_csv(db, "payments", path)) == (BATCH_SIZE + 1, BATCH_SIZE + 1, 0, 0)
    assert (await invoice(db, "INV-1")).balance == left


async def test_statements_are_per_batch_not_per_row(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    batches = 3
    lines = ["number,customer,issue_date,due_date,amount,salesperson"]
    lines += [
        f"S{n:05d},C{n % 2 + 1},2026-09-01,2026-10-01,{n + 1}000,Sales {n % 3}"
        for n in range(batches * BATCH_SIZE)
    ]
    path = write(tmp_path, "s.csv", "\n".join(lines) + "\n")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        report = await import_csv(db, "invoices", path)
        rows = batches * BATCH_SIZE
        assert tally(report) == (rows, rows, 0, 0)
        created = len(statements)
        report = await import_csv(db, "invoices", path)  # unchanged: lookups only
        assert tally(report) == (rows, 0, 0, rows)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    # A handful of set-based statements per batch (lookups, one write), whatever its size.
    assert created <= 5 * batches + 8, statements
    assert len(statements) - created <= 4 * batches + 6, statements[created:]


# --- every problem of every row, at once ------------------------------------------------------


async def test_every_problem_of_a_row_is_reported(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    before = await counts(db)
    path = write(
        tmp_path,
        "bad.csv",
        "number,customer,issue_date,due_date,amount,currency,balance\n"
        'INV-9,NOPE,2026-13-01,2026-10-01,"1.250.000,5",,\n'  # four faults, one row
        'INV-10,C1,2026-09-01,2026-10-01,"12,5jt",rupiah,\n'
        "INV-11,GONE,2026-09-01,2026-10-01,5000,,\n",  # parses; only the reference is bad
    )
    report = await import_csv(db, "invoices", path)
    assert [str(e) for e in report.errors] == [
        f"{path}:2: issue_date: no such date: '2026-13-01'",
        f"{path}:2: amount: ambiguous amount: '1.250.000,5' "
        "(after thousands separators the decimals take two digits, e.g. 1.250.000,50)",
        f"{path}:2: customer: no customer with code 'NOPE'",
        f"{path}:3: amount: not an amount: '12,5jt'",
        f"{path}:3: currency: not a currency code: 'rupiah' (three uppercase letters, e.g. IDR)",
        f"{path}:4: customer: no customer with code 'GONE'",
    ]
    assert await counts(db) == before  # nothing written, not even the good rows


async def test_every_problem_of_payment_and_customer_rows(db: Database, tmp_path: Path) -> None:
    await load(db, tmp_path)
    before = await counts(db)
    payments = write(
        tmp_path,
        "p.csv",
        "reference,invoice,amount,paid_on\nTRX-1,INV-404,-5,2026-09-40\n",
    )
    report = await import_csv(db, "payments", payments)
    assert [(e.line, e.column) for e in report.errors] == [
        (2, "amount"),
        (2, "paid_on"),
        (2, "invoice"),
    ]
    customers = write(
        tmp_path,
        "c2.csv",
        "code,name,email,policy\nC9,,not-an-email,Nope\n",
    )
    report = await import_csv(db, "customers", customers)
    assert [(e.line, e.column) for e in report.errors] == [
        (2, "name"),
        (2, "email"),
        (2, "policy"),
    ]
    assert await counts(db) == before


def test_cli_lists_every_problem_capped_with_a_count(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGIH_DATABASE_URL", db_url)
    lines = ["number,customer,issue_date,due_date,amount"]
    lines += [f'X{n},NOPE,2026-09-01,2026-10-01,"{n}.000.000,5"' for n in range(1, 61)]
    path = write(tmp_path, "many.csv", "\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["import", "invoices", str(path)])
    assert result.exit_code == 1, result.output
    shown = [line for line in result.output.splitlines() if line.startswith(f"{path}:")]
    assert len(shown) == 100  # two problems a row, 120 in all: the first 100 are listed
    assert shown[0] == (
        f"{path}:2: amount: ambiguous amount: '1.000.000,5' "
        "(after thousands separators the decimals take two digits, e.g. 1.000.000,50)"
    )
    assert shown[1] == f"{path}:2: customer: no customer with code 'NOPE'"
    assert "… and 20 more problems" in result.output
    assert "120 problems in 60 rows: nothing was imported." in result.output
