"""A local SMTP server (aiosmtpd) that keeps every mail as an `.eml` file, with test knobs."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.policy
import itertools
import logging
import ssl
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

log = logging.getLogger(__name__)

_DEFAULT_TEXT = {
    4: "4.2.0 Mailbox temporarily unavailable (sandbox)",
    5: "5.1.1 Mailbox unavailable (sandbox)",
}


class _Connection(SMTP):
    """One client connection; tells the sink when it opens and closes."""

    def __init__(self, sink: SmtpSink, handler: _Handler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._sink = sink

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Register the connection (called again, harmlessly, after STARTTLS)."""
        self._sink._open.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        """Forget the connection."""
        super().connection_lost(error)
        self._sink._open.discard(self)

    def close(self) -> None:
        """Drop the connection without a goodbye."""
        if self.transport is not None:
            self.transport.close()

    @property
    def task(self) -> asyncio.Task[None] | None:
        """aiosmtpd's task serving this connection (cancelled when the connection is lost)."""
        task: asyncio.Task[None] | None = self._handler_coroutine
        return task


class _Handler:
    """aiosmtpd hooks: accept or refuse recipients, store what DATA brings."""

    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        """Refuse the recipient if a failure is queued, else accept it."""
        if self._sink._rcpt_failures:
            return self._sink._rcpt_failures.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        """Store the message, or hang (after the content arrived) if asked to."""
        if self._sink._data_hangs:
            self._sink._data_hangs -= 1
            self._sink._hanging.set()
            # Never answers: the client times out after sending the content. Cancelled when
            # the client gives up and closes, or when the sink stops.
            await asyncio.Event().wait()
        name = await self._sink._store(envelope.mail_from, envelope.rcpt_tos, envelope.content)
        return f"250 OK queued as {name}"


class SmtpSink:
    """An SMTP server in the running event loop that accepts mail for the sandbox."""

    def __init__(
        self,
        directory: Path = Path("sandbox/mail"),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls_context: ssl.SSLContext | None = None,
        require_starttls: bool = False,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        if credentials is not None and tls_context is None:
            raise ValueError("AUTH needs a tls_context: passwords never cross in plain text")
        self.directory = directory
        self.host = host
        self.port = port
        self.messages: list[EmailMessage] = []
        self.connections = 0
        self._tls_context = tls_context
        self._require_starttls = require_starttls
        self._credentials = credentials
        self._server: asyncio.Server | None = None
        self._open: set[_Connection] = set()
        self._rcpt_failures: list[str] = []
        self._data_hangs = 0
        self._hanging = asyncio.Event()
        self._sequence = itertools.count(1)

    def fail_next_rcpt(self, code: int, count: int = 1, text: str | None = None) -> None:
        """Answer the next `count` RCPT commands with `code` (e.g. 450 or 550)."""
        reply = f"{code} {text or _DEFAULT_TEXT.get(code // 100, 'Refused (sandbox)')}"
        self._rcpt_failures.extend([reply] * count)

    def hang_next_data(self, count: int = 1) -> asyncio.Event:
        """Never answer the next `count` DATA transfers; the event is set when one hangs."""
        # The content arrives but is never kept: a provider that lost the mail after DATA.
        self._data_hangs += count
        return self._hanging

    def drop_connections(self) -> None:
        """Close every client connection abruptly, as a server restart would."""
        for connection in list(self._open):
            connection.close()

    async def start(self) -> tuple[str, int]:
        """Listen on the host and port (0 = any free port); return where."""
        self.directory.mkdir(parents=True, exist_ok=True)
        aiosmtpd_log = logging.getLogger("mail.log")
        if aiosmtpd_log.level == logging.NOTSET:
            # aiosmtpd logs every command at INFO, recipients unmasked; keep its warnings only
            # unless the operator configured that logger on purpose.
            aiosmtpd_log.setLevel(logging.WARNING)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._new_connection, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        # Debug: `tagih run` announces where each stand-in listens, after the inbox line.
        log.debug(
            "sandbox SMTP sink on %s:%d, mail kept in %s", self.host, self.port, self.directory
        )
        return self.host, self.port

    async def stop(self) -> None:
        """Stop listening, close open connections and wait until they are served out."""
        if self._server is None:
            return
        self._server.close()
        open_connections = list(self._open)
        for connection in open_connections:
            connection.close()
        tasks = [c.task for c in open_connections if c.task is not None]
        if tasks:
            await asyncio.wait(tasks)
        await self._server.wait_closed()
        self._server = None

    def _new_connection(self) -> _Connection:
        """aiosmtpd's protocol for one client, configured from the sink's knobs."""
        self.connections += 1
        return _Connection(
            self,
            _Handler(self),
            hostname="tagih-sandbox",  # skips a reverse DNS lookup per connection
            ident="Tagih sandbox SMTP",
            enable_SMTPUTF8=True,
            tls_context=self._tls_context,
            require_starttls=self._require_starttls,
            auth_required=self._credentials is not None,
            authenticator=self._authenticate if self._credentials is not None else None,
            loop=asyncio.get_running_loop(),
        )

    def _authenticate(
        self, server: SMTP, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """Accept exactly the configured login and password."""
        ok = isinstance(auth_data, LoginPassword) and self._credentials == (
            auth_data.login.decode(),
            auth_data.password.decode(),
        )
        # handled=False: aiosmtpd then answers 535 itself (its default assumes we replied).
        return AuthResult(success=ok, handled=False)

    async def _store(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> str:
        """Write one received mail to an `.eml` file and keep it in memory; return its name."""
        # What a mailbox delivery adds, so the file shows the envelope as well as the headers.
        trace = f"Return-Path: <{mail_from}>\r\n" + "".join(
            f"Delivered-To: {rcpt}\r\n" for rcpt in rcpt_tos
        )
        raw = trace.encode("utf-8") + content
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{next(self._sequence):06d}.eml"
        await asyncio.to_thread((self.directory / name).write_bytes, raw)
        # The file keeps SMTP's CRLF; in memory, lines end like Python text so that decoded
        # bodies compare equal to what was sent.
        parsed = BytesParser(policy=email.policy.default).parsebytes(raw.replace(b"\r\n", b"\n"))
        assert isinstance(parsed, EmailMessage)  # the default policy builds EmailMessage
        self.messages.append(parsed)
        return name
