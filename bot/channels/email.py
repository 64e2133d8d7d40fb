"""The email channel: one SMTP connection per batch (aiosmtplib), failures as values."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import ssl
from email.headerregistry import Address as MailAddress
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING, ClassVar, Literal

import aiosmtplib
from aiosmtplib.typing import Default

from bot.logmask import mask_address, mask_emails
from scheduler.channel import Capabilities
from scheduler.messages import DeliveryOutcome, DeliveryResult, Outbound

#: SMTP line endings, lines up to RFC 5322's 998 characters.
SMTP_POLICY = SMTP.clone(max_line_length=998)

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


class _SMTP(aiosmtplib.SMTP):
    """aiosmtplib's client, noting when a transaction reaches DATA."""

    data_started = False

    async def data(
        self,
        message: str | bytes,
        /,
        *,
        timeout: float | Literal[Default.token] | None = Default.token,  # noqa: ASYNC109
    ) -> aiosmtplib.SMTPResponse:
        """Send DATA and the content, remembering that the content may have gone out."""
        # aiosmtplib does not say whether a timeout inside DATA came before the 354 or after
        # the content; both count as "may have been sent", so the rarer first case is UNKNOWN.
        self.data_started = True
        return await super().data(message, timeout=timeout)


def _by_code(code: int, message: str, *, after_data: bool) -> DeliveryResult:
    """Classify an SMTP reply code: 4xx try later, 5xx give up on this address."""
    if 400 <= code < 500:
        outcome = DeliveryOutcome.RETRYABLE
    elif 500 <= code < 600:
        outcome = DeliveryOutcome.PERMANENT
    else:
        outcome = DeliveryOutcome.UNKNOWN if after_data else DeliveryOutcome.RETRYABLE
    return DeliveryResult(outcome, error_code=str(code), error_message=message)


class EmailChannel:
    """Send reminders by SMTP, reusing one connection across a batch of sends."""

    name: ClassVar[str] = "email"
    capabilities: ClassVar[Capabilities] = Capabilities(html=True)

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        starttls: bool,
        use_tls: bool,
        timeout: float,
        sender: str,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if starttls and use_tls:
            raise ValueError("starttls and use_tls exclude each other")
        display_name, addr_spec = parseaddr(sender)
        if "@" not in addr_spec:
            raise ValueError(f"sender {sender!r} has no email address")
        self._from = MailAddress(display_name=display_name, addr_spec=addr_spec)
        self._envelope_from = addr_spec
        self._msgid_domain = addr_spec.rpartition("@")[2]
        self._smtp = _SMTP(
            hostname=host,
            port=port,
            username=username,
            password=password,
            use_tls=use_tls,
            start_tls=starttls,  # True demands STARTTLS: never fall back to plain text
            timeout=timeout,
            tls_context=tls_context,
        )
        # One connection carries one transaction at a time; concurrent sends queue here.
        self._lock = asyncio.Lock()

    def build(self, message: Outbound) -> EmailMessage:
        """The MIME message for an outbound: plain text, plus an HTML alternative if given."""
        # Lines up to RFC 5322's 998: folding a subject before an encoded word (an en
        # dash, a customer's accented name) made readers show a doubled space.
        mail = EmailMessage(policy=SMTP_POLICY)
        # A header is one line: a newline in a subject would end it (or inject another).
        mail["Subject"] = " ".join(message.subject.split())
        mail["From"] = self._from
        mail["To"] = MailAddress(display_name=message.to.name, addr_spec=message.to.value)
        mail["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        mail["Message-ID"] = self.message_id(message.idempotency_key)
        mail["X-Tagih-Key"] = message.idempotency_key
        # RFC 3834: tells vacation responders not to answer; people can still reply.
        mail["Auto-Submitted"] = "auto-generated"
        # Quoted-printable keeps mostly-ASCII Indonesian text readable in a raw .eml and
        # passes 7-bit relays unchanged.
        mail.set_content(message.body, cte="quoted-printable")
        if message.html is not None:
            mail.add_alternative(message.html, subtype="html", cte="quoted-printable")
        # After the content: setting content clears every Content-* header set before.
        mail["Content-Language"] = message.language
        for header, value in message.headers:
            mail[header] = value
        return mail

    def message_id(self, key: str) -> str:
        """`<32 hex digits@sender's domain>`, the same for every send of one idempotency key.

        A message sent again after a crash (see `reconcile`) carries the Message-ID of the
        first attempt, and mail systems drop the second copy as a duplicate. The sender's
        address is hashed in too: two senders never share an ID.
        """
        digest = hashlib.sha256(f"{self._envelope_from}\n{key}".encode()).hexdigest()
        return f"<{digest[:32]}@{self._msgid_domain}>"

    async def reconcile(
        self, message: Outbound, *, reserved_at: dt.datetime, known: frozenset[str]
    ) -> DeliveryResult | None:
        """Always None: SMTP cannot be asked what it accepted, so the message goes out again.

        The resend carries the same Message-ID (`message_id`), on which receivers
        deduplicate; a reader whose mail system does not may see the reminder twice.
        """
        return None

    async def send(self, message: Outbound) -> DeliveryResult:
        """Send one message over the shared connection and classify the outcome."""
        try:
            mail = self.build(message)
        except ValueError as exc:  # a malformed address or header will not improve on retry
            return DeliveryResult(
                DeliveryOutcome.PERMANENT, error_code="invalid-message", error_message=str(exc)
            )
        async with self._lock:
            result = await self._deliver(mail)
        who = mask_address(message.to.value)
        if result.ok:
            log.info(
                "email to %s sent as %s (key %s)", who, result.provider_id, message.idempotency_key
            )
        else:
            log.warning(
                "email to %s %s: %s %s (key %s)",
                who,
                result.outcome.value,
                result.error_code,
                mask_emails(result.error_message or ""),  # servers often quote the address
                message.idempotency_key,
            )
        return result

    async def _deliver(self, mail: EmailMessage) -> DeliveryResult:
        """Run one SMTP transaction, reconnecting once if a kept connection had gone stale."""
        smtp = self._smtp
        for attempt in (1, 2):
            reused = smtp.is_connected
            if not reused:
                failed = await self._connect()
                if failed is not None:
                    return failed
            smtp.data_started = False
            try:
                await smtp.send_message(mail, sender=self._envelope_from)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                refused = exc.recipients[0]
                return _by_code(refused.code, refused.message, after_data=False)
            except aiosmtplib.SMTPResponseException as exc:
                return _by_code(exc.code, exc.message, after_data=smtp.data_started)
            except aiosmtplib.SMTPNotSupported as exc:  # e.g. a non-ASCII address, no SMTPUTF8
                return DeliveryResult(
                    DeliveryOutcome.PERMANENT, error_code="not-supported", error_message=str(exc)
                )
            except OSError as exc:  # disconnects and timeouts (aiosmtplib's are OSErrors)
                smtp.close()
                if smtp.data_started:
                    return DeliveryResult(
                        DeliveryOutcome.UNKNOWN, error_code="no-reply", error_message=str(exc)
                    )
                stale = reused and isinstance(exc, aiosmtplib.SMTPServerDisconnected)
                if stale and attempt == 1:
                    continue  # the server closed an idle connection we had not noticed yet
                code = "timeout" if isinstance(exc, TimeoutError) else "disconnected"
                return DeliveryResult(
                    DeliveryOutcome.RETRYABLE, error_code=code, error_message=str(exc)
                )
            except BaseException:
                # Cancelled mid-command: a late reply would pair with the next command.
                smtp.close()
                raise
            return DeliveryResult(DeliveryOutcome.SENT, provider_id=str(mail["Message-ID"]))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _connect(self) -> DeliveryResult | None:
        """Open the connection (greeting, STARTTLS, AUTH, EHLO); a failure is retryable.

        No recipient is named before the connection is up, so any failure here is the
        server's (or our settings'), not the address's: `provider_down`.
        """
        smtp = self._smtp
        try:
            await smtp.connect()
            if smtp.is_ehlo_or_helo_needed:
                await smtp.ehlo()
        except aiosmtplib.SMTPResponseException as exc:
            smtp.close()
            # Nothing was sent; a refused greeting or login is the operator's to fix.
            return DeliveryResult(
                DeliveryOutcome.RETRYABLE,
                error_code=str(exc.code),
                error_message=exc.message,
                provider_down=True,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            smtp.close()
            code = "timeout" if isinstance(exc, TimeoutError) else "connect"
            return DeliveryResult(
                DeliveryOutcome.RETRYABLE,
                error_code=code,
                error_message=str(exc),
                provider_down=True,
            )
        return None

    async def close(self) -> None:
        """Say QUIT and close the connection, if one is open."""
        if not self._smtp.is_connected:
            return
        try:
            await self._smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            pass  # the connection is going away either way
        finally:
            self._smtp.close()
