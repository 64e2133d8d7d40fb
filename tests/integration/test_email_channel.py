"""The real EmailChannel (aiosmtplib) against the real SMTP sink (aiosmtpd) on loopback."""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app.channels import email_channel
from bot.channels.email import EmailChannel
from bot.config import ConfigError, Settings
from bot.logmask import mask_address, mask_emails
from bot.sandbox.smtp import SmtpSink
from scheduler.channel import Capabilities, Channel
from scheduler.messages import Address, DeliveryOutcome, Outbound

SENDER = "CV Sumber Rejeki <tagihan@sumber-rejeki.co.id>"
DASH = "\N{EN DASH}"


def _channel(sink: SmtpSink, *, timeout: float = 5.0, **kwargs: Any) -> EmailChannel:
    options: dict[str, Any] = {
        "username": None,
        "password": None,
        "starttls": False,
        "use_tls": False,
    }
    options.update(kwargs)
    return EmailChannel(host=sink.host, port=sink.port, timeout=timeout, sender=SENDER, **options)


def _outbound(key: str = "C-0042:2026-03-28:3:email", **kwargs: Any) -> Outbound:
    fields: dict[str, Any] = {
        "to": Address("email", "budi@sinarjaya.co.id", "Budi Santoso"),
        "subject": f"Tagihan lewat jatuh tempo 3 hari: faktur INV-001 {DASH} CV Sumber Rejeki",
        "body": "Yth. Bapak/Ibu Budi Santoso,\n\nSisa tagihan: Rp5.000.000 ★\n",
        "html": "<p>Yth. Bapak/Ibu Budi Santoso,</p><p>Sisa tagihan: <b>Rp5.000.000</b> ★</p>",
        "idempotency_key": key,
    }
    fields.update(kwargs)
    return Outbound(**fields)


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[SmtpSink]:
    sink = SmtpSink(tmp_path / "mail")
    await sink.start()
    yield sink
    await sink.stop()


@pytest.fixture
async def channel(sink: SmtpSink) -> AsyncIterator[EmailChannel]:
    channel = _channel(sink)
    yield channel
    await channel.close()


def test_declares_capabilities() -> None:
    assert EmailChannel.name == "email"
    assert EmailChannel.capabilities == Capabilities(max_length=None, html=True, buttons=False)


async def test_mail_arrives_with_both_parts_and_headers(
    sink: SmtpSink, channel: EmailChannel
) -> None:
    assert isinstance(channel, Channel)
    outbound = _outbound()
    result = await channel.send(outbound)

    assert result.outcome is DeliveryOutcome.SENT
    [mail] = sink.messages
    assert result.provider_id == mail["Message-ID"]
    assert str(mail["Message-ID"]).endswith("@sumber-rejeki.co.id>")
    assert mail["Subject"] == outbound.subject  # RFC 2047-encoded on the wire, decoded here
    assert mail["From"] == SENDER
    assert mail["To"] == "Budi Santoso <budi@sinarjaya.co.id>"
    assert mail["X-Tagih-Key"] == "C-0042:2026-03-28:3:email"
    assert mail["Content-Language"] == "id"
    assert mail["Delivered-To"] == "budi@sinarjaya.co.id"
    assert mail["Date"].datetime.tzinfo is not None
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content() == outbound.body
    assert html.get_content().rstrip("\n") == outbound.html
    [eml] = sink.directory.glob("*.eml")
    assert b"X-Tagih-Key: C-0042:2026-03-28:3:email" in eml.read_bytes()


async def test_plain_text_only(sink: SmtpSink, channel: EmailChannel) -> None:
    result = await channel.send(_outbound(html=None, headers=(("Reply-To", "ar@example.id"),)))
    assert result.ok
    [mail] = sink.messages
    assert mail.get_content_type() == "text/plain"
    assert mail["Reply-To"] == "ar@example.id"


async def test_batch_reuses_one_connection(sink: SmtpSink, channel: EmailChannel) -> None:
    results = [await channel.send(_outbound(f"key-{n}")) for n in range(3)]
    assert all(result.ok for result in results)
    assert len({result.provider_id for result in results}) == 3
    assert sink.connections == 1
    assert [m["X-Tagih-Key"] for m in sink.messages] == ["key-0", "key-1", "key-2"]


async def test_4xx_is_retryable_and_the_connection_goes_on(
    sink: SmtpSink, channel: EmailChannel
) -> None:
    sink.fail_next_rcpt(450)
    result = await channel.send(_outbound("first"))
    assert result.outcome is DeliveryOutcome.RETRYABLE
    assert result.error_code == "450"
    assert result.provider_id is None
    assert (await channel.send(_outbound("second"))).ok  # the envelope was reset
    assert [m["X-Tagih-Key"] for m in sink.messages] == ["second"]
    assert sink.connections == 1


async def test_5xx_is_permanent(sink: SmtpSink, channel: EmailChannel) -> None:
    sink.fail_next_rcpt(550)
    result = await channel.send(_outbound())
    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.error_code == "550"
    assert result.error_message is not None and "5.1.1" in result.error_message
    assert sink.messages == []


async def test_nothing_listening_is_retryable(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    channel = EmailChannel(
        host="127.0.0.1",
        port=port,
        username=None,
        password=None,
        starttls=False,
        use_tls=False,
        timeout=2.0,
        sender=SENDER,
    )
    result = await channel.send(_outbound())
    await channel.close()
    assert result.outcome is DeliveryOutcome.RETRYABLE
    assert result.error_code == "connect"


async def test_no_reply_after_the_content_is_unknown(sink: SmtpSink) -> None:
    channel = _channel(sink, timeout=0.3)  # the timeout itself is what is tested
    sink.hang_next_data()
    result = await channel.send(_outbound("hung"))
    assert result.outcome is DeliveryOutcome.UNKNOWN
    assert result.error_code == "no-reply"
    # The next send opens a fresh connection rather than reading a late reply.
    assert (await channel.send(_outbound("after"))).ok
    await channel.close()
    assert sink.connections == 2
    assert [m["X-Tagih-Key"] for m in sink.messages] == ["after"]


async def test_reconnects_after_the_server_dropped_the_connection(
    sink: SmtpSink, channel: EmailChannel
) -> None:
    assert (await channel.send(_outbound("before"))).ok
    sink.drop_connections()
    assert (await channel.send(_outbound("after"))).ok
    assert sink.connections == 2
    assert [m["X-Tagih-Key"] for m in sink.messages] == ["before", "after"]


async def test_close_then_send_reconnects(sink: SmtpSink, channel: EmailChannel) -> None:
    assert (await channel.send(_outbound("one"))).ok
    await channel.close()
    await channel.close()  # closing twice is harmless
    assert (await channel.send(_outbound("two"))).ok
    assert sink.connections == 2


async def test_malformed_address_is_permanent_without_connecting(
    sink: SmtpSink, channel: EmailChannel
) -> None:
    result = await channel.send(_outbound(to=Address("email", "not an address")))
    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.error_code == "invalid-message"
    assert sink.connections == 0


async def test_subject_newlines_cannot_inject_headers(
    sink: SmtpSink, channel: EmailChannel
) -> None:
    assert (await channel.send(_outbound(subject="Tagihan\r\nBcc: x@example.com"))).ok
    [mail] = sink.messages
    assert mail["Subject"] == "Tagihan Bcc: x@example.com"
    assert mail["Bcc"] is None


async def test_logs_mask_the_address(
    sink: SmtpSink, channel: EmailChannel, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.channels.email"):
        await channel.send(_outbound())
    assert "b***@sinarjaya.co.id" in caplog.text
    assert "budi@" not in caplog.text


async def test_logs_mask_addresses_in_server_replies(
    sink: SmtpSink, channel: EmailChannel, caplog: pytest.LogCaptureFixture
) -> None:
    sink.fail_next_rcpt(550, text="5.1.1 <budi@sinarjaya.co.id>: Recipient address rejected")
    with caplog.at_level(logging.INFO):
        result = await channel.send(_outbound())
    assert result.error_message is not None and "budi@" in result.error_message  # kept for the log
    assert "b***@sinarjaya.co.id>: Recipient address rejected" in caplog.text
    assert "budi@" not in caplog.text  # neither ours nor aiosmtpd's log lines show it


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("budi@example.co.id", "b***@example.co.id"),
        ("+6281234567890", "+62***890"),
        ("12345", "1***"),
        ("", ""),
    ],
)
def test_mask_address(value: str, masked: str) -> None:
    assert mask_address(value) == masked


def test_mask_emails_in_text() -> None:
    text = "550 <budi.s+ar@mail.example.co.id> and ani@x.id unknown"
    assert mask_emails(text) == "550 <b***@mail.example.co.id> and a***@x.id unknown"


async def test_from_settings_uses_the_sandbox_when_no_host(sink: SmtpSink) -> None:
    settings = Settings(_env_file=None, smtp_host=None, email_from=SENDER)
    channel = email_channel(settings, sandbox=(sink.host, sink.port))
    assert (await channel.send(_outbound())).ok
    await channel.close()
    with pytest.raises(ConfigError, match="TAGIH_SMTP_HOST"):
        email_channel(settings)


async def test_from_settings_with_a_server(sink: SmtpSink) -> None:
    settings = Settings(
        _env_file=None,
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_starttls=False,
        email_from=SENDER,
    )
    channel = email_channel(settings, sandbox=("127.0.0.1", 1))
    assert (await channel.send(_outbound())).ok  # the configured server wins over the sandbox
    await channel.close()
    assert sink.connections == 1


def _tls_pair() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server and a client TLS context sharing a throwaway CA (trustme)."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


@pytest.fixture
async def tls_sink(tmp_path: Path) -> AsyncIterator[tuple[SmtpSink, ssl.SSLContext]]:
    server, client = _tls_pair()
    sink = SmtpSink(
        tmp_path / "mail",
        tls_context=server,
        require_starttls=True,
        credentials=("tagih", "s3cret"),
    )
    await sink.start()
    yield sink, client
    await sink.stop()


async def test_starttls_and_login(tls_sink: tuple[SmtpSink, ssl.SSLContext]) -> None:
    sink, client = tls_sink
    channel = _channel(sink, starttls=True, tls_context=client, username="tagih", password="s3cret")
    assert (await channel.send(_outbound("one"))).ok
    assert (await channel.send(_outbound("two"))).ok
    await channel.close()
    assert sink.connections == 1
    assert len(sink.messages) == 2


async def test_wrong_password_is_retryable(tls_sink: tuple[SmtpSink, ssl.SSLContext]) -> None:
    sink, client = tls_sink
    channel = _channel(sink, starttls=True, tls_context=client, username="tagih", password="x")
    result = await channel.send(_outbound())
    await channel.close()
    assert result.outcome is DeliveryOutcome.RETRYABLE  # the operator's to fix, not the address
    assert result.error_code == "535"
    assert sink.messages == []


async def test_untrusted_certificate_is_refused(
    tls_sink: tuple[SmtpSink, ssl.SSLContext],
) -> None:
    sink, _ = tls_sink
    # The system trust store does not know the throwaway CA: never send in that case.
    channel = _channel(sink, starttls=True, username="tagih", password="s3cret")
    result = await channel.send(_outbound())
    await channel.close()
    assert result.outcome is DeliveryOutcome.RETRYABLE
    assert sink.messages == []
