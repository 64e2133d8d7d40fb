"""Replies to reminder emails, read from a real dovecot over IMAP (aioimaplib), applied through
the durable inbox, answered by email into a real SMTP sink (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.app.tagih import Tagih
from bot.channels.email_parse import html_to_text, parse_reply, strip_quoted
from bot.config import load_settings
from bot.inbound.email_replies import EmailReplies, ImapConfig, ImapMailbox
from bot.sandbox.smtp import SmtpSink
from storage.enums import Direction
from storage.models import Case, InboxItem, Message
from storage.queries import inbox as store
from tests.support.factories import add_customer
from tests.support.imap import PASSWORD, USER, Dovecot, empty_inbox
from tests.support.inbox_support import settle
from tests.support.polling import until

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
BUDI = "budi@sinarjaya.co.id"
SENDER = "CV Sumber Rejeki <tagihan@sumber-rejeki.co.id>"
DASH = "\N{EN DASH}"


def imap_config(server: Dovecot, **changes: Any) -> ImapConfig:
    """Plain IMAP on loopback (the TLS variants have their own test)."""
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": USER,
        "password": PASSWORD,
        "tls": False,
        "timeout": 10.0,
    }
    options.update(changes)
    return ImapConfig(**options)


@pytest.fixture
async def mailbox(dovecot_server: Dovecot) -> Dovecot:
    await empty_inbox(dovecot_server)
    return dovecot_server


@pytest.fixture
async def tagih(db_url: str, tmp_path: Path, mailbox: Dovecot) -> AsyncIterator[Tagih]:
    """Tagih with its web server and inbox, email to a real SMTP sink; IMAP is pointed at the
    dovecot after opening, so that no background poll races the test's own polls."""
    sink = SmtpSink(tmp_path / "mail")
    await sink.start()
    app = Tagih(
        load_settings(
            database_url=db_url,
            smtp_host=sink.host,
            smtp_port=sink.port,
            smtp_starttls=False,
            email_from=SENDER,
            sandbox_dir=tmp_path / "sandbox",
            load_examples=False,
            web_port=0,
            bank_accounts="BCA 123-456-7890 a.n. CV Sumber Rejeki",
        ),
        clock=lambda: NOW,
    )
    await app.open(with_web=True)
    assert app.email_replies is not None and app.email_replies.config is None
    app.email_replies.config = imap_config(mailbox)
    app.sink = sink  # type: ignore[attr-defined]
    try:
        yield app
    finally:
        await app.close()
        await sink.stop()


def sink_of(app: Tagih) -> SmtpSink:
    sink: SmtpSink = app.sink  # type: ignore[attr-defined]
    return sink


def replies(app: Tagih) -> EmailReplies:
    assert app.email_replies is not None
    return app.email_replies


async def reminded(app: Tagih) -> EmailMessage:
    """Budi owes one invoice a day overdue; the +1 reminder goes out by email."""
    await add_customer(
        app.db,
        "C001",
        name="CV Sinar Jaya",
        email=BUDI,
        invoices=[("INV-001", dt.date(2026, 11, 22), "1450000")],
    )
    _, stats = await app.send_due(NOW)
    assert stats.sent == 1
    [reminder] = sink_of(app).messages
    return reminder


def reply_to(
    original: EmailMessage | None,
    text: str,
    *,
    sender: str = f"Budi Santoso <{BUDI}>",
    message_id: str | None = None,
    charset: str = "utf-8",
) -> EmailMessage:
    """A customer's reply, threaded under `original` when given."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = SENDER
    subject = str(original["Subject"]) if original is not None else "Pertanyaan"
    mail["Subject"] = f"Re: {subject}"
    mail["Message-ID"] = message_id or make_msgid(domain="sinarjaya.co.id")
    if original is not None:
        mail["In-Reply-To"] = str(original["Message-ID"])
        mail["References"] = str(original["Message-ID"])
    mail.set_content(text, charset=charset)
    return mail


async def poll_and_settle(app: Tagih, **options: Any) -> Any:
    stats = await replies(app).poll(**options)
    await settle(app)
    return stats


async def rows(app: Tagih, model: Any, *where: Any) -> list[Any]:
    async with app.db.sessions() as session:
        return list((await session.exec(select(model).where(*where))).all())


async def inbound_bodies(app: Tagih) -> list[str]:
    found = await rows(app, Message, Message.direction == Direction.INBOUND)
    return [m.body for m in sorted(found, key=lambda m: m.id)]


def answers(app: Tagih, after: int) -> list[EmailMessage]:
    return sink_of(app).messages[after:]


QUOTED = (
    "sudah transfer kemarin\n"
    "\n"
    "Salam,\n"
    "Budi\n"
    "-- \n"
    "Budi Santoso | Finance CV Sinar Jaya\n"
    "\n"
    "On Mon, 23 Nov 2026 at 10:00, CV Sumber Rejeki <tagihan@sumber-rejeki.co.id>\n"
    "wrote:\n"
    "> Yth. Bapak/Ibu CV Sinar Jaya,\n"
    "> Sisa tagihan: Rp1.450.000\n"
)


async def test_reply_to_a_reminder_is_a_payment_claim_answered_in_the_thread(
    tagih: Tagih, mailbox: Dovecot
) -> None:
    reminder = await reminded(tagih)
    mail = reply_to(reminder, QUOTED)
    await mailbox.deliver(mail.as_bytes())

    stats = await poll_and_settle(tagih)

    assert (stats.fetched, stats.kept) == (1, 1)
    assert await mailbox.flags() == ["\\Seen"]
    # Only the new text reaches the flows: no quote, no signature, no attribution.
    assert await inbound_bodies(tagih) == ["sudah transfer kemarin"]
    [answer] = answers(tagih, 1)
    assert answer["To"].addresses[0].addr_spec == BUDI
    assert answer["In-Reply-To"] == mail["Message-ID"]
    assert str(mail["Message-ID"]) in str(answer["References"])
    assert str(reminder["Message-ID"]) in str(answer["References"])
    assert answer["Subject"] == mail["Subject"]  # "Re: …" once, not "Re: Re: …"
    body = answer.get_body(preferencelist=("plain",))
    assert body is not None
    first = body.get_content()
    assert "bukti" in first.lower()  # asks for the transfer receipt, as on WhatsApp

    # The customer answers the bot's answer (threaded under it) and skips the receipt.
    await mailbox.deliver(reply_to(answer, "lewati").as_bytes())
    await poll_and_settle(tagih)

    [case] = await rows(tagih, Case)
    assert case.kind == "payment_claim"
    assert case.data["paid_on"] == "2026-11-22"  # "kemarin", in the customer's time zone
    assert await inbound_bodies(tagih) == ["sudah transfer kemarin", "lewati"]
    assert len(answers(tagih, 1)) == 2


async def test_same_text_on_whatsapp_gives_the_same_answer(tagih: Tagih, mailbox: Dovecot) -> None:
    reminder = await reminded(tagih)
    await mailbox.deliver(reply_to(reminder, "sudah transfer kemarin").as_bytes())
    await poll_and_settle(tagih)
    [by_email] = answers(tagih, 1)
    plain = by_email.get_body(preferencelist=("plain",))
    assert plain is not None
    # The same sentence from a WhatsApp contact of the same customer, through the router.
    from scheduler.messages import Address, Inbound
    from storage.models import Contact

    async with tagih.db.transaction() as session:
        [contact] = await rows(tagih, Contact, Contact.channel == "email")
        session.add(Contact(customer_id=contact.customer_id, channel="whatsapp", address="+62811"))
    routed = await tagih.router.handle(
        Inbound(Address("whatsapp", "+62811"), "sudah transfer kemarin", NOW, provider_id="WA1")
    )
    assert [r.body.strip() for r in routed.replies] == [plain.get_content().strip()]


async def test_a_colleague_answering_the_thread_reaches_the_customer(
    tagih: Tagih, mailbox: Dovecot
) -> None:
    reminder = await reminded(tagih)
    mail = reply_to(reminder, "Sudah kami transfer kemarin.", sender="finance@sinarjaya.co.id")
    await mailbox.deliver(mail.as_bytes())
    await poll_and_settle(tagih)

    [logged] = await rows(tagih, Message, Message.direction == Direction.INBOUND)
    assert logged.customer_id is not None  # matched by the thread, not by the sender
    assert logged.address == BUDI
    [answer] = answers(tagih, 1)
    assert answer["To"].addresses[0].addr_spec == BUDI


async def test_sender_matched_without_a_thread_and_regardless_of_domain_case(
    tagih: Tagih, mailbox: Dovecot
) -> None:
    await reminded(tagih)
    mail = reply_to(None, "saya mau bicara dengan petugas", sender="budi@SinarJaya.CO.ID")
    await mailbox.deliver(mail.as_bytes())
    await poll_and_settle(tagih)
    [logged] = await rows(tagih, Message, Message.direction == Direction.INBOUND)
    assert logged.customer_id is not None and logged.address == BUDI
    assert await rows(tagih, Case, Case.kind == "handoff")


async def test_polled_twice_or_crashing_before_the_flag_is_applied_once(
    tagih: Tagih, mailbox: Dovecot
) -> None:
    reminder = await reminded(tagih)
    mail = reply_to(reminder, "sudah transfer kemarin")
    await mailbox.deliver(mail.as_bytes())

    # A crash right after the event was kept: the mail is still unseen on the server.
    first = await replies(tagih).poll(flag=False)
    assert first.kept == 1 and await mailbox.flags() == [""]
    second = await poll_and_settle(tagih)
    assert (second.fetched, second.kept, second.duplicates) == (1, 0, 1)
    assert await mailbox.flags() == ["\\Seen"]
    # The same mail delivered again (a second copy, same Message-ID) changes nothing either.
    await mailbox.deliver(mail.as_bytes())
    third = await poll_and_settle(tagih)
    assert third.duplicates == 1
    assert await inbound_bodies(tagih) == ["sudah transfer kemarin"]
    assert len(answers(tagih, 1)) == 1
    [item] = await rows(tagih, InboxItem)
    assert item.status == store.InboxStatus.DONE


async def test_auto_replies_are_flagged_but_not_routed(
    tagih: Tagih, mailbox: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    reminder = await reminded(tagih)
    vacation = reply_to(reminder, "Saya sedang cuti sampai 30 November.")
    vacation.replace_header("Subject", "Out of office: Re: tagihan")
    vacation["Auto-Submitted"] = "auto-replied"
    bulk = reply_to(reminder, "Newsletter")
    bulk["Precedence"] = "bulk"
    for mail in (vacation, bulk):
        await mailbox.deliver(mail.as_bytes())
    with caplog.at_level(logging.INFO, logger="bot.inbound.email_replies"):
        stats = await poll_and_settle(tagih)
    assert stats.auto == 2 and stats.kept == 0
    assert await mailbox.flags() == ["\\Seen", "\\Seen"]
    assert await rows(tagih, InboxItem) == []
    assert await inbound_bodies(tagih) == []
    assert len(sink_of(tagih).messages) == 1  # the reminder only: no answer to a robot
    assert "machine-written" in caplog.text


def bounce_of(reminder: EmailMessage) -> bytes:
    """A delivery status notification (RFC 3464) for `reminder`."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.sinarjaya.co.id>"
    report["To"] = "tagihan@sumber-rejeki.co.id"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = make_msgid(domain="mx.sinarjaya.co.id")
    report.attach(MIMEText("This is the mail system. Your message could not be delivered.\n"))
    status = MIMEText("", "delivery-status")
    status.set_payload(
        "Reporting-MTA: dns; mx.sinarjaya.co.id\n\n"
        f"Final-Recipient: rfc822; {BUDI}\nAction: failed\nStatus: 5.1.1\n"
    )
    report.attach(status)
    headers = MIMEText("", "rfc822-headers")
    headers.set_payload(
        f"Message-ID: {reminder['Message-ID']}\nTo: {BUDI}\nSubject: tagihan\n",
    )
    report.attach(headers)
    return report.as_bytes()


async def test_a_bounce_marks_the_reminder_failed(tagih: Tagih, mailbox: Dovecot) -> None:
    reminder = await reminded(tagih)
    await mailbox.deliver(bounce_of(reminder))
    stats = await poll_and_settle(tagih)
    assert stats.bounces == 1
    assert await mailbox.flags() == ["\\Seen"]
    [sent] = await rows(tagih, Message, Message.provider_id == str(reminder["Message-ID"]))
    assert (sent.status, sent.error_code) == ("failed", "bounced")
    assert await inbound_bodies(tagih) == []
    assert len(sink_of(tagih).messages) == 1


async def test_unknown_sender_is_logged_and_gets_the_neutral_reply(
    tagih: Tagih, mailbox: Dovecot
) -> None:
    await reminded(tagih)
    mail = reply_to(None, "Halo, ini tagihan apa ya?", sender="orang@lain.example")
    await mailbox.deliver(mail.as_bytes())
    await poll_and_settle(tagih)
    [logged] = await rows(tagih, Message, Message.direction == Direction.INBOUND)
    assert logged.customer_id is None and logged.address == "orang@lain.example"
    [answer] = answers(tagih, 1)
    assert answer["To"].addresses[0].addr_spec == "orang@lain.example"
    assert answer["In-Reply-To"] == mail["Message-ID"]
    [out] = await rows(
        tagih, Message, Message.direction == Direction.OUTBOUND, col(Message.customer_id).is_(None)
    )
    assert out.template == "neutral"


async def test_latin1_reply_and_encoded_subject(tagih: Tagih, mailbox: Dovecot) -> None:
    reminder = await reminded(tagih)
    mail = reply_to(reminder, "Sudah transfer kemarin, José.\n", charset="iso-8859-1")
    mail.replace_header("Subject", f"Re: Tagihan {DASH} faktur INV-001 (José)")
    raw = mail.as_bytes()
    assert b"Jos\xe9" in raw or b"Jos=E9" in raw  # really Latin-1 on the wire
    assert b"=?" in raw  # the subject travels RFC 2047-encoded
    await mailbox.deliver(raw)
    await poll_and_settle(tagih)
    assert await inbound_bodies(tagih) == ["Sudah transfer kemarin, José."]
    [answer] = answers(tagih, 1)
    assert answer["Subject"] == f"Re: Tagihan {DASH} faktur INV-001 (José)"


async def test_html_only_reply(tagih: Tagih, mailbox: Dovecot) -> None:
    reminder = await reminded(tagih)
    mail = reply_to(reminder, "x")
    mail.set_content(
        "<html><head><style>p{color:red}</style></head><body>"
        "<div dir='ltr'>sudah transfer&nbsp;kemarin</div>"
        "<div class='gmail_quote'><div>On Mon, 23 Nov 2026 Tagih wrote:</div>"
        "<blockquote>Yth. Bapak/Ibu, sisa tagihan Rp1.450.000</blockquote></div>"
        "</body></html>",
        subtype="html",
    )
    await mailbox.deliver(mail.as_bytes())
    await poll_and_settle(tagih)
    assert await inbound_bodies(tagih) == ["sudah transfer kemarin"]
    assert len(answers(tagih, 1)) == 1


@pytest.mark.parametrize("mode", ["starttls", "imaps"])
async def test_tls_and_starttls(tagih: Tagih, mailbox: Dovecot, mode: str) -> None:
    reminder = await reminded(tagih)
    await mailbox.deliver(reply_to(reminder, "sudah transfer kemarin").as_bytes())
    if mode == "starttls":
        config = imap_config(mailbox, starttls=True, tls_context=mailbox.client_context)
    else:
        assert mailbox.tls_port is not None
        config = imap_config(
            mailbox, port=mailbox.tls_port, tls=True, tls_context=mailbox.client_context
        )
    replies(tagih).config = config
    stats = await poll_and_settle(tagih)
    assert stats.kept == 1
    logins = [line for line in mailbox.log.splitlines() if "Login: user=<tagihan>" in line]
    assert ", TLS," in logins[-1]  # dovecot saw the poll log in over TLS


async def test_unreachable_server_is_a_warning_and_a_retry_with_backoff(
    tagih: Tagih, mailbox: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]  # nothing listens once the socket is closed
    waits: list[float] = []
    poller = replies(tagih)
    poller.config = imap_config(mailbox, port=closed, poll_seconds=60)

    async def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            poller.config = imap_config(mailbox, poll_seconds=60)  # the server is back
        if len(waits) == 4:
            poller._stop.set()

    poller._wait = wait
    with caplog.at_level(logging.WARNING, logger="bot.inbound.email_replies"):
        await poller.run()
    assert waits == [60, 120, 240, 60]
    assert poller.failures == 0
    assert caplog.text.count("cannot read replies") == 3


async def test_run_polls_only_when_imap_is_configured(
    db_url: str, tmp_path: Path, mailbox: Dovecot
) -> None:
    settings = {
        "database_url": db_url,
        "sandbox_dir": tmp_path / "sandbox",
        "load_examples": False,
        "web_port": 0,
    }
    app = Tagih(load_settings(**settings), clock=lambda: NOW)
    await app.open(with_web=True)
    try:
        assert app.email_replies is not None and app.email_replies._task is None
        assert not any("Email replies" in line for line in app.announcements)
    finally:
        await app.close()
    configured = load_settings(
        **settings,
        imap_host="127.0.0.1",
        imap_port=mailbox.port,
        imap_username=USER,
        imap_password=PASSWORD,
        imap_tls=False,
    )
    app = Tagih(configured, clock=lambda: NOW)
    await app.open(with_web=True)
    try:
        assert app.email_replies is not None and app.email_replies._task is not None
        assert any("Email replies: reading INBOX" in line for line in app.announcements)
    finally:
        await app.close()
    assert app.email_replies._task is None


# --- the text of a reply, without a server ----------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "sudah transfer\n\nPada Sen, 23 Nov 2026 pukul 10.00 Tagih <t@x.id> menulis:\n> lama",
        "sudah transfer\n\nOn Mon, Nov 23, 2026 at 10:00 AM Tagih <t@x.id> wrote:\n> old",
        "sudah transfer\n\n-- \nBudi\n0812",
        "sudah transfer\n\nSent from my iPhone",
        "sudah transfer\n\nDikirim dari iPhone saya",
        "sudah transfer\n________________________________\nFrom: Tagih <t@x.id>\n"
        "Sent: Monday, 23 November 2026 10:00\nTo: Budi\nSubject: Tagihan\n\nYth.",
        "sudah transfer\n\nDari: Tagih <t@x.id>\nDikirim: Senin, 23 November 2026\n"
        "Kepada: Budi\nSubjek: Tagihan\n\nYth.",
        "sudah transfer\n\n-----Original Message-----\nFrom: t@x.id\nYth.",
        "> Yth. Bapak/Ibu\n> Sisa tagihan\nsudah transfer\n>",
    ],
)
def test_quoted_history_is_stripped(body: str) -> None:
    assert strip_quoted(body) == "sudah transfer"


def test_from_at_the_start_of_a_line_is_kept_when_it_is_not_a_header_block() -> None:
    text = "Dari: bagian keuangan, sudah transfer kemarin\nmohon dicek"
    assert strip_quoted(text) == text


def test_html_to_text_keeps_blocks_as_lines() -> None:
    html = "<p>Baik,</p><p>kami transfer <b>Jumat</b>.<br>Terima kasih</p>"
    assert html_to_text(html) == "Baik,\n\nkami transfer Jumat.\nTerima kasih"


def test_parse_reply_reads_the_thread_newest_first() -> None:
    raw = (
        b"From: =?utf-8?q?Bud=C3=AD?= <budi@SinarJaya.co.id>\r\n"
        b"Subject: =?iso-8859-1?q?Re:_Jos=E9?=\r\n"
        b"Message-ID: <r1@sinarjaya.co.id>\r\n"
        b"In-Reply-To: <b@tagih>\r\n"
        b"References: <a@tagih> <b@tagih>\r\n\r\nok\r\n"
    )
    reply = parse_reply(raw)
    assert reply.sender == "budi@sinarjaya.co.id" and reply.sender_name == "Budí"
    assert reply.subject == "Re: José"
    assert reply.thread == ("<b@tagih>", "<a@tagih>")
    assert reply.provider_id == "<r1@sinarjaya.co.id>" and reply.text == "ok"


async def test_a_receipt_attached_to_the_reply_is_kept_with_the_claim(
    tagih: Tagih, mailbox: Dovecot
) -> None:
    """The receipt comes in the same mail as "sudah transfer": kept as the claim's media (a
    reference into the mailbox, as a Telegram file id), not asked for again; a signature
    logo's vCard is not a receipt."""
    reminder = await reminded(tagih)
    mail = reply_to(reminder, "sudah transfer kemarin 1.450.000, bukti terlampir")
    mail.add_attachment(
        b"%PDF-1.4 receipt",
        maintype="application",
        subtype="pdf",
        filename="bukti transfer BCA.pdf",
    )
    mail.add_attachment(b"BEGIN:VCARD", maintype="text", subtype="vcard", filename="budi.vcf")
    await mailbox.deliver(mail.as_bytes())
    await poll_and_settle(tagih)

    [case] = await rows(tagih, Case)
    assert case.kind == "payment_claim"
    message_id = str(mail["Message-ID"]).strip("<>")
    assert case.data["media"] == [f"email-attachment:{message_id}/0/bukti_transfer_BCA.pdf"]
    [answer] = answers(tagih, 1)
    body = answer.get_body(preferencelist=("plain",))
    assert body is not None and "Rp1.450.000" in body.get_content()


async def test_idle_reads_a_reply_as_it_arrives(tagih: Tagih, mailbox: Dovecot) -> None:
    """With IDLE (dovecot offers it) a reply is kept as soon as it lands, not a poll interval
    (an hour here) later; the loop stops cleanly while idling."""
    reminder = await reminded(tagih)
    config = imap_config(mailbox, poll_seconds=3600)
    probe = ImapMailbox(config)
    await probe.open()
    try:
        assert await probe.wait_for_mail(0.2) is False  # IDLE offered (None: not offered)
    finally:
        await probe.close()
    email_replies = replies(tagih)
    email_replies.config = config
    email_replies.start()
    try:
        await until(lambda: email_replies.idling)  # the first poll is done: waiting
        await mailbox.deliver(reply_to(reminder, "sudah transfer kemarin").as_bytes())
        await until(lambda: not email_replies.idling)  # announced: polling at once
        await until(lambda: email_replies.idling)  # and idling again after that poll
    finally:
        await email_replies.stop()
    await settle(tagih)
    assert await inbound_bodies(tagih) == ["sudah transfer kemarin"]
    assert await mailbox.flags() == ["\\Seen"]
