"""A verbose run's log holds no phone number, email, customer name, message body or secret."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.logmask import RedactingFilter, mask_phones

NOW = "2026-11-23T10:00:00+07:00"  # a Monday, inside the contact window
SECRETS = {
    "TAGIH_TELEGRAM_WEBHOOK_SECRET": "webhook-secret-4d1f9a",
    "TAGIH_SMTP_PASSWORD": "smtp-password-77b2",
}
EMAILS = ("ap@sumber.example", "finance@maju.example")
PHONES = ("+6281234567890", "+6285712345678")
NAMES = ("PT Sumber Rejeki", "CV Maju Jaya")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAGIH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}")
    monkeypatch.setenv("TAGIH_LOAD_EXAMPLES", "false")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "customers.csv").write_text(
        "code,name,email,phone,whatsapp,telegram,language,timezone\n"
        f"C001,{NAMES[0]},{EMAILS[0]},{PHONES[0]},{PHONES[0]},,id,Asia/Jakarta\n"
        f"C002,{NAMES[1]},{EMAILS[1]},{PHONES[1]},,,en,Asia/Jakarta\n"
    )
    (tmp_path / "invoices.csv").write_text(
        "number,customer,issue_date,due_date,amount\n"
        "INV-1,C001,2026-10-22,2026-11-22,5000000\n"
        "INV-2,C002,2026-10-16,2026-11-16,300000\n"
    )
    return tmp_path


def test_a_verbose_send_due_logs_nothing_personal_or_secret(workdir: Path) -> None:
    runner = CliRunner()
    for kind in ("customers", "invoices"):
        result = runner.invoke(app, ["import", kind, str(workdir / f"{kind}.csv")])
        assert result.exit_code == 0, result.output
    # A real process, as an operator runs it: the console handler is the only one.
    run = subprocess.run(
        [sys.executable, "-m", "bot", "-v", "send-due", "--now", NOW],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "400"},
        check=False,
    )
    text = run.stdout + run.stderr
    assert run.returncode == 0, text
    assert "DEBUG" in text  # verbose: debug lines were written
    assert "sent 2" in text  # the run did its work, with debug logging on
    for value in (*EMAILS, *PHONES, *NAMES, *SECRETS.values()):
        assert value not in text, f"{value!r} leaked into the verbose log"
    assert not re.search(r"INSERT INTO|SELECT .* FROM", text), "SQL reached the log"
    assert "Yth." not in text and "tagihan" not in text.lower()  # no message bodies


def test_the_filter_masks_secrets_emails_and_numbers_in_any_record() -> None:
    flt = RedactingFilter(["123456:telegram-secret-token"])
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "POST %s to=%s mail=%s",
        (
            "https://api.telegram.org/bot123456:telegram-secret-token/sendMessage",
            "%2B6281234567890",
            "ap@sumber.example",
        ),
        None,
    )
    assert flt.filter(record)
    message = record.getMessage()
    assert "telegram-secret-token" not in message and "[secret]" in message
    assert "6281234567890" not in message and "ap@sumber.example" not in message
    # Invoice numbers, amounts and dates are not phone numbers.
    assert mask_phones("INV-2026-0031 Rp5.000.000 2026-11-23") == (
        "INV-2026-0031 Rp5.000.000 2026-11-23"
    )
    assert mask_phones("hubungi 0813-2222-1111") == "hubungi 081***111"
