"""`tagih run`: the example data goes out through the sandbox; SIGINT/SIGTERM stop it cleanly."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from email import message_from_bytes
from pathlib import Path

import pytest

from bot.app.service import serve
from bot.app.tagih import Tagih
from bot.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
# Monday 23 November 2026, 10:00 WIB: the examples were generated for this day.
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


async def test_service_loads_examples_and_sends_due_reminders(tmp_path: Path) -> None:
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}",
        sandbox_dir=tmp_path / "sandbox",
        examples_dir=ROOT / "examples",
        # Pacing is tested on a virtual clock elsewhere; here it would only wait.
        sms_rate=1000,
        voice_rate=1000,
        whatsapp_rate=1000,
        web_port=0,
    )
    lines: list[str] = []
    stop = asyncio.Event()

    def announce(line: str) -> None:
        lines.append(line)
        if line.startswith("First dispatch"):
            stop.set()

    tagih = Tagih(settings, clock=lambda: NOW)
    await asyncio.wait_for(serve(tagih, announce=announce, stop=stop), timeout=120)
    text = "\n".join(lines)
    assert "loaded the example data" in text
    # The example import names collectors and salespeople without any contact.
    warning = next(line for line in lines if "cannot receive alerts" in line)
    assert "Yusuf Hidayat" in warning and "go to the admins" in warning
    assert "sandbox SMTP server on 127.0.0.1:" in text
    assert lines[-1] == "Stopping."
    mails = sorted((tmp_path / "sandbox" / "mail").glob("*.eml"))
    assert mails, text
    recipients = [message_from_bytes(path.read_bytes())["To"] for path in mails]
    assert len(recipients) == len(set(recipients))  # one statement per customer
    twilio, telegram = tagih.providers.twilio_sandbox, tagih.providers.telegram_sandbox
    assert twilio is not None and telegram is not None
    assert "sandbox Twilio API on http://127.0.0.1:" in text
    assert "sandbox Bot API on http://127.0.0.1:" in text
    delivered = len(mails) + len(twilio.messages) + len(twilio.calls) + len(telegram.sent)
    sent = next(line for line in lines if line.startswith("First dispatch"))
    assert sent.startswith(f"First dispatch: {delivered} sent")
    assert twilio.messages and mails  # chat and email both used, as the steps prefer


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
async def test_run_stops_cleanly_on_signal(tmp_path: Path, sig: signal.Signals) -> None:
    env = {
        **os.environ,
        "TAGIH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}",
        "TAGIH_EXAMPLES_DIR": str(ROOT / "examples"),
        "TAGIH_SANDBOX_DIR": str(tmp_path / "sb"),
        "PYTHONPATH": str(ROOT),
        "TAGIH_WEB_PORT": "0",
        "TAGIH_SMS_RATE": "1000",
        "TAGIH_VOICE_RATE": "1000",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    while True:
        raw = await asyncio.wait_for(proc.stdout.readline(), timeout=120)
        assert raw, "tagih run exited early:\n" + "".join(seen)
        seen.append(raw.decode())
        if "Ctrl-C stops" in seen[-1]:
            break
    proc.send_signal(sig)
    rest, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    output = "".join(seen) + rest.decode()
    assert proc.returncode == 0, output
    assert "Stopping." in output
    assert "sandbox SMTP server on 127.0.0.1:" in output
    # The one address a person trying Tagih needs comes first, before any log line.
    assert seen[0].startswith(">>> Sandbox inbox: http://127.0.0.1:"), output
