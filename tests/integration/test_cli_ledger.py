"""The everyday ledger commands end to end on a SQLite file: customers, invoices, payment,
case, promise — output, JSON, refusals, audit, narrow terminals, and reminders after a payment."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli.main import app
from storage.db import Database
from storage.enums import CaseKind, InvoiceStatus, PromiseStatus
from storage.models import Case, CaseInvoice, Invoice, Promise, PromiseInvoice

NOW = "2026-11-23T10:00:00+07:00"  # a Monday, inside the contact window
MADE = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAGIH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}")
    monkeypatch.setenv("COLUMNS", "160")
    (tmp_path / "customers.csv").write_text(
        "code,name,email,phone,whatsapp,telegram,language,timezone,segment,salesperson,collector,policy\n"
        "C001,PT Sumber Rejeki Abadi Sentosa,ap@sumber.example,,,,id,Asia/Jakarta,retail,"
        "Budi,Sari,\n"
        "C002,CV Maju Jaya,finance@maju.example,,,,en,Asia/Makassar,horeca,Budi,Tono,\n"
        "C003,UD Lunas,ud@lunas.example,,,,id,Asia/Jakarta,retail,Budi,Sari,\n"
    )
    (tmp_path / "invoices.csv").write_text(
        "number,customer,issue_date,due_date,amount,currency,balance,item,salesperson\n"
        "INV-1,C001,2026-10-22,2026-11-22,125000000,IDR,,Semen Portland 50 kg (sak),\n"
        "INV-2,C001,2026-09-20,2026-10-20,1.250.000,IDR,,Pasir,\n"
        "INV-3,C002,2026-10-26,26/11/2026,Rp 300.000,IDR,,Besi,\n"
        "INV-4,C003,2026-10-01,2026-10-31,700000,IDR,0,Cat,\n"
    )
    invoke("import", "customers", "customers.csv")
    invoke("import", "invoices", "invoices.csv")
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def invoke(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def as_json(*args: str) -> object:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output + repr(result.exception)
    return json.loads(result.stdout)


def refused(code: int, *args: str) -> str:
    """The one error line of a refused command, checked to be one line with that exit code."""
    result = run(*args)
    assert result.exit_code == code, result.output + repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def seed(workdir: Path, work: object) -> None:
    """Write rows the chat would have made (cases, promises) straight into the database."""

    async def main() -> None:
        db = Database(f"sqlite+aiosqlite:///{workdir / 'tagih.db'}")
        try:
            async with db.transaction() as session:
                await work(session)  # type: ignore[operator]
        finally:
            await db.dispose()

    asyncio.run(main())


def audits(action: str) -> list[dict[str, object]]:
    rows = json.loads(invoke("audit", "--json"))
    return [row for row in rows if row["action"] == action]


def invoice_json(number: str) -> dict[str, object]:
    rows = as_json("invoices", "list", "--all", "--now", NOW)
    assert isinstance(rows, list)
    return next(row for row in rows if row["number"] == number)


def test_customers_list_filters_and_json(workdir: Path) -> None:
    rows = as_json("customers", "list", "--now", NOW)
    assert isinstance(rows, list)
    assert [r["code"] for r in rows] == ["C001", "C002", "C003"]
    c001 = rows[0]
    assert c001["balance"] == {"IDR": 126_250_000} and c001["overdue"] == {"IDR": 126_250_000}
    assert (c001["open_invoices"], c001["oldest_due"], c001["days_late"]) == (2, "2026-10-20", 34)
    assert rows[1]["overdue"] == {} and rows[1]["balance"] == {"IDR": 300_000}  # not yet due
    assert rows[2]["balance"] == {}  # paid up: listed, nothing open
    overdue = as_json("customers", "list", "--overdue", "--now", NOW)
    assert isinstance(overdue, list) and [r["code"] for r in overdue] == ["C001"]
    tono = as_json("customers", "list", "--collector", "tono", "--now", NOW)
    assert isinstance(tono, list) and [r["code"] for r in tono] == ["C002"]
    table = invoke("customers", "list", "--now", NOW)
    assert "Rp126.250.000" in table and "PT Sumber Rejeki Abadi Sentosa" in table
    assert "3 customer(s)" in table
    line = refused(1, "customers", "list", "--collector", "Nobody")
    assert line == "error: --collector: no staff member named 'Nobody'"


def test_customers_show_lists_everything_and_the_next_contacts(workdir: Path) -> None:
    async def work(session: object) -> None:
        from sqlmodel.ext.asyncio.session import AsyncSession

        assert isinstance(session, AsyncSession)
        session.add(Promise(customer_id=1, promised_date=dt.date(2026, 11, 30), created_at=MADE))
        session.add(
            Case(customer_id=1, kind=CaseKind.INSTALMENT, reason="cash flow", created_at=MADE)
        )

    seed(workdir, work)
    out = invoke("customers", "show", "c001", "--now", NOW)  # codes in any case
    assert "PT Sumber Rejeki Abadi Sentosa (C001)" in out
    assert "collector Sari · salesperson Budi" in out
    assert "ap@sumber.example" in out
    assert "INV-1" in out and "Rp125.000.000" in out and "Rp1.250.000" in out
    assert "Open invoices (2): Rp126.250.000" in out
    assert "2026-11-30" in out and "in full" in out  # the promise
    assert "instalment" in out and "cash flow" in out
    card = as_json("customers", "show", "C001", "--now", NOW)
    assert isinstance(card, dict)
    assert [i["number"] for i in card["invoices"]] == ["INV-2", "INV-1"]
    assert card["promises"][0]["promised_date"] == "2026-11-30"
    # The open promise holds reminders until 30 November (plus a day's grace): the planner's
    # next contact comes after it, as `tagih preview` would plan it.
    assert card["held"][0] == {"date": "2026-11-23", "reason": "promise"}
    assert card["next"] and card["next"][0]["date"] > "2026-12-01", card
    held = card["held"]
    # Held by the promise only: the chat-only step (+3) reaches C001, who has no chat
    # contact, by email (the policy's fallback).
    assert {h["reason"] for h in held} == {"promise"}
    assert f"Held on {len(held)} planned day(s) up to {held[-1]['date']}: a promise to pay" in out
    c002 = as_json("customers", "show", "C002", "--now", NOW)
    assert isinstance(c002, dict)
    assert c002["next"][0] == {
        "date": "2026-11-23",
        "planned_at": "2026-11-23T09:00:00+08:00",
        "channels": ["email"],
        "actions": ["remind"],
        "steps": [{"invoice": "INV-3", "offset": -3}],
    }
    assert "Next contacts: nothing open to chase" in invoke(
        "customers", "show", "C003", "--now", NOW
    )
    assert refused(1, "customers", "show", "C999") == "error: CODE: no customer with code 'C999'"


def test_invoices_list_by_customer_and_days_overdue(workdir: Path) -> None:
    rows = as_json("invoices", "list", "--now", NOW)
    assert isinstance(rows, list)
    assert [r["number"] for r in rows] == ["INV-2", "INV-1", "INV-3"]  # open, oldest due first
    assert rows[0] == {
        "number": "INV-2",
        "customer": "C001",
        "customer_name": "PT Sumber Rejeki Abadi Sentosa",
        "issue_date": "2026-09-20",
        "due_date": "2026-10-20",
        "days_late": 34,
        "currency": "IDR",
        "amount": 1_250_000,
        "balance": 1_250_000,
        "status": "open",
        "item": "Pasir",
    }
    late = as_json("invoices", "list", "--overdue", "30", "--now", NOW)
    assert isinstance(late, list) and [r["number"] for r in late] == ["INV-2"]
    late = as_json("invoices", "list", "--overdue", "1", "--now", NOW)
    assert isinstance(late, list) and [r["number"] for r in late] == ["INV-2", "INV-1"]
    mine = as_json("invoices", "list", "--customer", "C002", "--now", NOW)
    assert isinstance(mine, list) and [r["number"] for r in mine] == ["INV-3"]
    closed = as_json("invoices", "list", "--all", "--customer", "C003", "--now", NOW)
    assert isinstance(closed, list) and [(r["number"], r["status"]) for r in closed] == [
        ("INV-4", "paid")
    ]
    table = invoke("invoices", "list", "--now", NOW)
    assert "3 invoice(s), balance Rp126.550.000" in table and "34 d" in table
    assert refused(1, "invoices", "list", "--customer", "C999").startswith("error: --customer:")


def test_payment_add_records_audits_and_stops_the_reminder(workdir: Path) -> None:
    # Partial payment, Indonesian date, method and bank reference.
    out = invoke(
        "payment", "add", "INV-3", "100.000", "--on", "22/11/2026", "--method", "transfer BCA",
        "--reference", "BCA-0001", "--now", NOW,
    )  # fmt: skip
    assert "recorded Rp100.000 on INV-3 of CV Maju Jaya (C002) (2026-11-22, BCA-0001): " in out
    assert "Rp200.000 still open" in out
    assert invoice_json("INV-3")["balance"] == 200_000
    # The rest, ISO date, default reference: the invoice is paid.
    out = invoke("payment", "add", "inv-3", "Rp 200.000", "--on", "2026-11-23", "--now", NOW)
    assert "(2026-11-23, manual-INV-3-2): paid in full" in out
    row = invoice_json("INV-3")
    assert (row["balance"], row["status"]) == (0, InvoiceStatus.PAID)
    entries = audits("invoice.paid")
    assert [(e["actor"], e["entity_key"], e["before"], e["after"]) for e in entries] == [
        (
            "cli",
            "INV-3",
            {"balance": "300000.00", "status": "open"},
            {"balance": "200000.00", "status": "open", "payment": "BCA-0001"},
        ),
        (
            "cli",
            "INV-3",
            {"balance": "200000.00", "status": "open"},
            {"balance": "0.00", "status": "paid", "payment": "manual-INV-3-2"},
        ),
    ]
    log = json.loads(invoke("log", "C002", "--json"))
    assert [e["text"] for e in log if e["kind"] == "payment"] == [
        "BCA-0001: 100000.00 on INV-3 (2026-11-22)",
        "manual-INV-3-2: 200000.00 on INV-3 (2026-11-23)",
    ]
    # The real planner and dispatcher: C002's H-3 reminder for INV-3 is not sent, C001's is.
    sent = invoke("send-due", "--now", NOW)
    assert "sent 1," in sent
    mails = sorted((workdir / "sandbox" / "mail").glob("*.eml"))
    assert len(mails) == 1
    text = mails[0].read_text()
    assert "ap@sumber.example" in text and "finance@maju.example" not in text


def test_payment_refusals_write_nothing(workdir: Path) -> None:
    def unchanged() -> None:
        row = invoice_json("INV-2")
        assert (row["balance"], row["status"]) == (1_250_000, "open")
        assert audits("invoice.paid") == []

    line = refused(1, "payment", "add", "INV-2", "2.000.000", "--now", NOW)
    assert line == (
        "error: AMOUNT: Rp2.000.000 is more than the open balance of INV-2 (Rp1.250.000); "
        "nothing was recorded (--allow-over records it and closes the invoice)"
    )
    assert refused(1, "payment", "add", "INV-9", "1000") == (
        "error: INVOICE: no invoice numbered 'INV-9'"
    )
    assert refused(2, "payment", "add", "INV-2", "1000", "--on", "31/02/2026", "--now", NOW) == (
        "error: --on: no such date: '31/02/2026'"
    )
    assert refused(2, "payment", "add", "INV-2", "1000", "--on", "yesterday").startswith(
        "error: --on: not a date: 'yesterday'"
    )
    assert refused(2, "payment", "add", "INV-2", "1000", "--on", "2026-12-01", "--now", NOW) == (
        "error: --on: 2026-12-01 is in the future (today 2026-11-23)"
    )
    assert refused(2, "payment", "add", "INV-2", "lots") == "error: AMOUNT: not an amount: 'lots'"
    assert refused(2, "payment", "add", "--", "INV-2", "-5000") == (
        "error: AMOUNT: must be greater than zero, got -5000"
    )
    assert refused(1, "payment", "add", "INV-4", "1000", "--now", NOW) == (
        "error: INVOICE: INV-4 is already paid"
    )
    assert refused(2, "payment", "add", "INV-2", "1000", "--now", "soon").startswith(
        "error: --now:"
    )
    unchanged()
    invoke("payment", "add", "INV-2", "1000", "--reference", "BCA-7", "--now", NOW)
    line = refused(1, "payment", "add", "INV-1", "1000", "--reference", "BCA-7", "--now", NOW)
    assert line == "error: --reference: BCA-7 is already recorded (on INV-2, 2026-11-23)"
    # With --allow-over the invoice closes and the excess is recorded for a person to settle.
    out = invoke("payment", "add", "INV-2", "1.300.000", "--allow-over", "--now", NOW)
    assert "paid in full; Rp51.000 more than the balance" in out
    row = invoice_json("INV-2")
    assert (row["balance"], row["status"]) == (0, "paid")
    assert audits("invoice.paid")[-1]["after"] == {
        "balance": "0.00",
        "status": "paid",
        "payment": "manual-INV-2-2",
        "over": "51000.00",
    }


def _dispute(workdir: Path) -> None:
    async def work(session: object) -> None:
        from sqlmodel import select
        from sqlmodel.ext.asyncio.session import AsyncSession

        assert isinstance(session, AsyncSession)
        invoice = (await session.exec(select(Invoice).where(Invoice.number == "INV-1"))).one()
        invoice.status = InvoiceStatus.DISPUTED
        session.add(invoice)
        case = Case(
            customer_id=invoice.customer_id,
            kind=CaseKind.DISPUTE,
            reason="goods_not_received",
            details="Semen belum sampai",
            created_at=MADE,
        )
        session.add(case)
        await session.flush()
        assert case.id is not None and invoice.id is not None
        session.add(CaseInvoice(case_id=case.id, invoice_id=invoice.id))
        session.add(Case(customer_id=2, kind=CaseKind.HANDOFF, created_at=MADE))

    seed(workdir, work)


def test_case_list_and_resolve(workdir: Path) -> None:
    _dispute(workdir)
    rows = as_json("case", "list", "--open")
    assert isinstance(rows, list)
    assert [(r["id"], r["customer"], r["kind"], r["invoices"]) for r in rows] == [
        (1, "C001", "dispute", ["INV-1"]),
        (2, "C002", "handoff", []),
    ]
    mine = as_json("case", "list", "--customer", "C001")
    assert isinstance(mine, list) and [r["id"] for r in mine] == [1]
    assert "Semen belum sampai" in invoke("case", "list")
    assert invoice_json("INV-1")["status"] == "disputed"
    out = invoke("case", "resolve", "#1", "--note", "goods delivered 24/11", "--now", NOW)
    assert out.strip() == "case #1 of C001 resolved; chased again: INV-1"
    assert invoice_json("INV-1")["status"] == "open"
    rows = as_json("case", "list")
    assert isinstance(rows, list)
    assert (rows[0]["status"], rows[0]["resolution"]) == ("resolved", "goods delivered 24/11")
    assert rows[0]["resolved"] == "2026-11-23T10:00:00+07:00"
    (entry,) = audits("case.resolve")
    assert (entry["actor"], entry["entity"], entry["entity_key"]) == ("cli", "case", "1")
    assert entry["after"] == {
        "status": "resolved",
        "note": "goods delivered 24/11",
        "reopened": ["INV-1"],
    }
    log = json.loads(invoke("log", "C001", "--json"))
    assert "case #1 (dispute) resolved: goods delivered 24/11" in [e["text"] for e in log]
    line = refused(1, "case", "resolve", "1", "--now", NOW)
    assert line == "error: ID: case #1 is already resolved on 2026-11-23"
    assert refused(1, "case", "resolve", "99") == "error: ID: no case #99"
    assert refused(2, "case", "resolve", "one") == "error: ID: not a case number: 'one'"
    assert len(audits("case.resolve")) == 1
    assert invoke("case", "resolve", "2").strip() == "case #2 of C002 resolved"
    assert "0 case(s)" in invoke("case", "list", "--open")


def _promises(workdir: Path) -> None:
    async def work(session: object) -> None:
        from sqlmodel.ext.asyncio.session import AsyncSession

        assert isinstance(session, AsyncSession)
        session.add(
            Promise(
                customer_id=1,
                promised_date=dt.date(2026, 11, 30),
                amount=Decimal(1_250_000),
                source="phone",
                created_at=MADE,
            )
        )
        session.add(
            Promise(
                customer_id=2,
                promised_date=dt.date(2026, 11, 10),
                status=PromiseStatus.BROKEN,
                created_at=MADE - dt.timedelta(days=20),
                resolved_at=MADE,
            )
        )
        await session.flush()
        session.add(PromiseInvoice(promise_id=2, invoice_id=3))

    seed(workdir, work)


def test_promise_list_open_broken_and_by_customer(workdir: Path) -> None:
    _promises(workdir)
    rows = as_json("promise", "list")
    assert isinstance(rows, list)
    assert [(r["id"], r["customer"], r["amount"], r["status"]) for r in rows] == [
        (1, "C001", 1_250_000, "open")
    ]
    broken = as_json("promise", "list", "--broken")
    assert isinstance(broken, list)
    assert [(r["id"], r["invoices"], r["promised_date"]) for r in broken] == [
        (2, ["INV-3"], "2026-11-10")
    ]
    assert as_json("promise", "list", "--all", "--customer", "C002") == broken
    table = invoke("promise", "list", "--all")
    assert "Rp1.250.000" in table and "in full" in table and "2 promise(s)" in table
    assert refused(1, "promise", "list", "--customer", "X").startswith("error: --customer:")
    assert refused(2, "promise", "list", "--broken", "--all").startswith("error: --broken:")


AMOUNT = re.compile(r"(?:Rp|US\$)[0-9.,]+")


@pytest.mark.parametrize(
    "args",
    [
        ("customers", "list", "--now", NOW),
        ("customers", "list", "--overdue", "--now", NOW),
        ("customers", "show", "C001", "--now", NOW),
        ("invoices", "list", "--all", "--now", NOW),
        ("promise", "list", "--all"),
        ("case", "list"),
    ],
)
def test_tables_fit_sixty_columns_and_never_cut_an_amount(
    workdir: Path, args: tuple[str, ...]
) -> None:
    _dispute(workdir)
    _promises(workdir)
    wide = invoke(*args)
    result = run(*args, env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    narrow = result.output
    assert max(len(line) for line in narrow.splitlines()) <= 60, narrow
    assert "…" not in narrow
    # Every amount in the narrow table is one of the wide table's, whole (a dropped column
    # loses its amounts, a squeezed one would show a cut one).
    shown = AMOUNT.findall(narrow)
    assert set(shown) <= set(AMOUNT.findall(wide)), narrow
    if args[0] in {"customers", "invoices", "promise"}:
        assert shown, narrow
