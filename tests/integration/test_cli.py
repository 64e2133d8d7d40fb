"""The `tagih` commands end to end on a SQLite file: preview, policy, send-due, import."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.staff.commands import handle_staff
from storage.db import Database
from storage.models import AuditLog, Staff

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-23T10:00:00+07:00"  # a Monday, inside the contact window


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAGIH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}")
    (tmp_path / "customers.csv").write_text(
        "code,name,email,phone,whatsapp,telegram,language,timezone,segment,salesperson,collector,policy\n"
        "C001,PT Sumber Rejeki,ap@sumber.example,,,,id,Asia/Jakarta,retail,Budi,Sari,\n"
        "C002,CV Maju Jaya,finance@maju.example,,,,en,Asia/Makassar,horeca,Budi,Sari,\n"
    )
    (tmp_path / "invoices.csv").write_text(
        "number,customer,issue_date,due_date,amount,currency,balance,item,salesperson\n"
        "INV-1,C001,2026-10-22,2026-11-22,5000000,IDR,,Semen,\n"
        "INV-2,C001,2026-10-20,2026-11-20,1.250.000,IDR,,Pasir,\n"
        "INV-3,C002,2026-10-26,26/11/2026,Rp 300.000,IDR,,Besi,\n"
    )
    return tmp_path


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_preview_json_and_policy_set(workdir: Path) -> None:
    invoke("import", "customers", "customers.csv")
    invoke("import", "invoices", "invoices.csv")
    rows = json.loads(invoke("preview", "--on", "2026-11-23", "--json", "--now", NOW))
    assert rows == [
        {
            "customer": "C001",
            "date": "2026-11-23",
            "planned_at": "2026-11-23T09:00:00+07:00",
            "steps": [{"invoice": "INV-1", "offset": 1}, {"invoice": "INV-2", "offset": 3}],
            "channels": ["email"],
            "actions": ["remind"],
            "invoices": ["INV-1", "INV-2"],
            "skipped": None,
        },
        # H-3 of INV-3 in Makassar (WITA): 09:00+08:00.
        {
            "customer": "C002",
            "date": "2026-11-23",
            "planned_at": "2026-11-23T09:00:00+08:00",
            "steps": [{"invoice": "INV-3", "offset": -3}],
            "channels": ["email"],
            "actions": ["remind"],
            "invoices": ["INV-3"],
            "skipped": None,
        },
    ]
    # +3 is chat-only and C001 has no chat contact: preview says so.
    invoke("policy", "set", "standard", "--steps", "-3,1,2,7", "--repeat", "0")
    out = invoke("policy", "show", "standard")
    assert "+2" in out and "every" not in out
    rows = json.loads(
        invoke("preview", "--on", "2026-11-24", "--days", "2", "--json", "--now", NOW)
    )
    assert [(r["customer"], r["date"], r["steps"]) for r in rows] == [
        ("C001", "2026-11-24", [{"invoice": "INV-1", "offset": 2}])
    ]
    invoke("policy", "channels", "standard", "2", "sms,email")
    assert "sms, email" in invoke("policy", "show", "standard")


def test_send_due_twice_on_one_day_sends_once(workdir: Path) -> None:
    invoke("import", "customers", "customers.csv")
    invoke("import", "invoices", "invoices.csv")
    first = invoke("send-due", "--now", NOW)
    assert "sent 2," in first
    assert "sandbox SMTP server" in first
    mails = sorted((workdir / "sandbox" / "mail").glob("*.eml"))
    assert len(mails) == 2
    second = invoke("send-due", "--now", "2026-11-23T15:00:00+07:00")
    assert "sent 0," in second
    assert len(sorted((workdir / "sandbox" / "mail").glob("*.eml"))) == 2


def test_import_with_bad_rows_exits_1_listing_them(workdir: Path) -> None:
    invoke("import", "customers", "customers.csv")
    (workdir / "bad.csv").write_text(
        "number,customer,issue_date,due_date,amount,currency,balance,item,salesperson\n"
        "INV-1,C001,2026-10-22,2026-11-22,5000000,IDR,,Semen,\n"
        "INV-2,C999,2026-10-20,2026-11-20,1000,IDR,,Pasir,\n"
        "INV-3,C001,2026-13-01,2026-11-20,1000,IDR,,Pasir,\n"
    )
    result = CliRunner().invoke(app, ["import", "invoices", "bad.csv"])
    assert result.exit_code == 1
    assert "bad.csv:3: customer:" in result.output
    assert "bad.csv:4: issue_date:" in result.output
    assert "nothing was imported" in result.output
    rows = json.loads(invoke("preview", "--on", "2026-11-23", "--json", "--now", NOW))
    assert rows == []  # INV-1 was not imported either


def test_policy_assign_unknown_names(workdir: Path) -> None:
    invoke("import", "customers", "customers.csv")
    result = CliRunner().invoke(app, ["policy", "assign", "C001", "nope"])
    assert result.exit_code == 1 and "no policy named 'nope'" in result.output
    invoke("policy", "set", "gentle", "--steps", "3,10")
    assert "C001 now follows policy gentle" in invoke("policy", "assign", "C001", "gentle")


def test_policy_changes_audit_the_same_from_the_cli_and_the_chat(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both front ends call bot.staff.policies: the same change, the same audit entry."""
    changes = [
        (("set", "gentle", "--steps", "3,10", "--repeat", "5"), "/policy set gentle 3,10 repeat 5"),
        (("channels", "gentle", "3", "sms,email"), "/policy channels gentle 3 sms,email"),
        (("assign", "c001", "gentle"), "/policy assign c001 gentle"),
        (("set", "gentle", "--steps", "3,7", "--repeat", "0"), "/policy set gentle 3,7 repeat 0"),
    ]
    urls = {}
    for side in ("cli", "chat"):
        urls[side] = f"sqlite+aiosqlite:///{workdir / f'{side}.db'}"
        monkeypatch.setenv("TAGIH_DATABASE_URL", urls[side])
        invoke("import", "customers", "customers.csv")
    monkeypatch.setenv("TAGIH_DATABASE_URL", urls["chat"])
    invoke("staff", "add", "Ani", "--role", "admin")
    monkeypatch.setenv("TAGIH_DATABASE_URL", urls["cli"])
    for args, _ in changes:
        invoke("policy", *args)

    async def chat() -> None:
        db = Database(urls["chat"])
        try:
            for _, text in changes:
                async with db.transaction() as session:
                    ani = (await session.exec(select(Staff).where(Staff.name == "Ani"))).one()
                    now = dt.datetime.now(dt.UTC)
                    replies = await handle_staff(
                        session, staff=ani, text=text, payload=None, now=now
                    )
                    assert "gentle" in replies[0].text, replies
        finally:
            await db.dispose()

    async def entries(url: str) -> list[tuple[object, ...]]:
        db = Database(url)
        try:
            async with db.sessions() as session:
                query = select(AuditLog).where(col(AuditLog.action).startswith("policy."))
                rows = (await session.exec(query.order_by(col(AuditLog.id)))).all()
                return [(r.action, r.entity, r.entity_key, r.before, r.after) for r in rows]
        finally:
            await db.dispose()

    asyncio.run(chat())
    from_cli, from_chat = asyncio.run(entries(urls["cli"])), asyncio.run(entries(urls["chat"]))
    actions = ["policy.set", "policy.channels", "policy.assign", "policy.set"]
    assert [e[0] for e in from_cli] == actions
    assert from_cli == from_chat
    assert from_cli[2][2] == "C001"  # the customer's own code, however it was typed


def test_the_console_script_opts_in_to_ptb_timedeltas(workdir: Path) -> None:
    """`tagih` (bot.cli.main.main) sets the process-wide opt-in the Telegram channel does not."""
    code = (
        "import os, sys\n"
        "os.environ.pop('PTB_TIMEDELTA', None)\n"
        "sys.argv = ['tagih', '--help']\n"
        "from bot.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('PTB_TIMEDELTA=' + os.environ.get('PTB_TIMEDELTA', '-'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stderr.endswith("PTB_TIMEDELTA=true")


def test_preview_refuses_past_dates(workdir: Path) -> None:
    result = CliRunner().invoke(app, ["preview", "--on", "2026-11-01", "--now", NOW])
    assert result.exit_code == 2
    assert "before today" in result.output


def test_log_lists_a_customers_messages_and_records(workdir: Path) -> None:
    invoke("import", "customers", "customers.csv")
    invoke("import", "invoices", "invoices.csv")
    invoke("send-due", "--now", NOW)
    rows = json.loads(invoke("log", "C001", "--json"))
    assert [(r["kind"], r["channel"], r["status"]) for r in rows] == [("out", "email", "sent")]
    assert "INV-1" in rows[0]["text"] or "faktur" in rows[0]["text"].lower()
    table = invoke("log", "C001")
    assert "log of C001" in table
    result = CliRunner().invoke(app, ["log", "NOPE"])
    assert result.exit_code == 1 and "no customer 'NOPE'" in result.output
