"""The sandbox SMTP sink, driven by a plain aiosmtplib client."""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from bot.sandbox.smtp import SmtpSink


def _mail(n: int) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "tagihan@example.co.id"
    mail["To"] = "budi@example.co.id"
    mail["Subject"] = f"Pesan {n}"
    mail.set_content(f"Isi pesan {n}\n")
    return mail


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[SmtpSink]:
    sink = SmtpSink(tmp_path / "sandbox" / "mail")
    await sink.start()
    yield sink
    await sink.stop()


async def _client(sink: SmtpSink) -> aiosmtplib.SMTP:
    client = aiosmtplib.SMTP(hostname=sink.host, port=sink.port, start_tls=False, timeout=5.0)
    await client.connect()
    return client


async def test_start_binds_loopback_on_a_free_port(tmp_path: Path) -> None:
    sink = SmtpSink(tmp_path / "a" / "b")
    host, port = await sink.start()
    try:
        assert host == "127.0.0.1"
        assert port > 0 and sink.port == port
        assert (tmp_path / "a" / "b").is_dir()
    finally:
        await sink.stop()
    await sink.stop()  # stopping twice is harmless


async def test_mail_is_kept_as_sortable_eml_files_and_in_memory(sink: SmtpSink) -> None:
    client = await _client(sink)
    for n in range(3):
        await client.send_message(_mail(n))
    await client.quit()

    files = sorted(sink.directory.iterdir())
    assert [path.suffix for path in files] == [".eml"] * 3
    assert all(re.fullmatch(r"\d{8}T\d{12}Z-\d{6}\.eml", path.name) for path in files)
    first = files[0].read_bytes()
    assert first.startswith(
        b"Return-Path: <tagihan@example.co.id>\r\nDelivered-To: budi@example.co.id\r\n"
    )
    assert b"Subject: Pesan 0\r\n" in first
    assert [str(m["Subject"]) for m in sink.messages] == ["Pesan 0", "Pesan 1", "Pesan 2"]
    assert all(isinstance(m, EmailMessage) for m in sink.messages)
    assert sink.messages[2].get_content() == "Isi pesan 2\n"
    assert sink.connections == 1


async def test_refuses_the_next_recipients_as_asked(sink: SmtpSink) -> None:
    sink.fail_next_rcpt(451, count=2, text="4.3.0 Try again later")
    client = await _client(sink)
    for _ in range(2):
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
            await client.send_message(_mail(0))
        assert refused.value.recipients[0].code == 451
        assert refused.value.recipients[0].message == "4.3.0 Try again later"
    await client.send_message(_mail(1))
    await client.quit()
    assert [str(m["Subject"]) for m in sink.messages] == ["Pesan 1"]


async def test_default_refusal_text(sink: SmtpSink) -> None:
    sink.fail_next_rcpt(550)
    client = await _client(sink)
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await client.send_message(_mail(0))
    await client.quit()
    assert refused.value.recipients[0].message.startswith("5.1.1")


async def test_counts_connections(sink: SmtpSink) -> None:
    for _ in range(2):
        client = await _client(sink)
        await client.quit()
    assert sink.connections == 2


async def test_stop_ends_a_hung_data_and_open_connections(sink: SmtpSink) -> None:
    idle = await _client(sink)
    busy = await _client(sink)
    hanging = sink.hang_next_data()
    send = asyncio.create_task(busy.send_message(_mail(0)))
    await hanging.wait()

    await sink.stop()

    with pytest.raises(aiosmtplib.SMTPServerDisconnected):
        await send
    assert sink.messages == []
    with pytest.raises(aiosmtplib.SMTPServerDisconnected):
        await idle.noop()


async def test_drop_connections_closes_clients(sink: SmtpSink) -> None:
    client = await _client(sink)
    sink.drop_connections()
    with pytest.raises(aiosmtplib.SMTPServerDisconnected):
        await client.noop()


def test_auth_without_tls_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="tls_context"):
        SmtpSink(tmp_path, credentials=("user", "password"))


async def test_require_starttls(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    sink = SmtpSink(tmp_path, tls_context=server, require_starttls=True)
    await sink.start()
    try:
        client = await _client(sink)
        with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
            await client.send_message(_mail(0))
        assert refused.value.code == 530
        client.close()
        assert sink.messages == []
    finally:
        await sink.stop()
