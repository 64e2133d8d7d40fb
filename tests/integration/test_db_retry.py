"""Transient database errors (issue 15): claims and the recording of outcomes run again on a
lock or a lost connection; a send is never repeated; other errors are not retried.

The faults are real database errors raised by the driver layer (a SQLAlchemy cursor hook
raising the DBAPI's own `OperationalError`), on a real SQLite file or PostgreSQL server;
stamina's testing mode removes the waits between attempts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import stamina
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.app.tagih import Tagih
from bot.sandbox.smtp import SmtpSink
from storage.db import RETRY_ATTEMPTS, Database, retried
from storage.enums import MessageStatus
from tests.integration.test_dispatch import NOW, messages, sink, tagih
from tests.support.factories import add_customer

__all__ = ["sink", "tagih"]  # the fixtures, shared


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    """Attempts without the backoff's sleeps (stamina's testing mode)."""
    with stamina.set_testing(True, attempts=RETRY_ATTEMPTS):
        yield


class Faults:
    """Fail the next `count` statements that start with `prefix`, as the driver would."""

    def __init__(self, db: Database, prefix: str, count: int) -> None:
        self.prefix, self.count, self.raised = prefix, count, 0
        self.error = db.engine.dialect.loaded_dbapi.OperationalError
        self.db = db
        # Dialect events run where SQLAlchemy wraps driver errors, as a real lock's would be.
        for name in ("do_execute", "do_executemany"):
            event.listen(db.engine.sync_engine, name, self._hook)

    def _hook(self, cursor: Any, statement: str, *args: Any) -> bool:
        if self.count and statement.lstrip().upper().startswith(self.prefix):
            self.count -= 1
            self.raised += 1
            raise self.error("database is locked (injected)")
        return False  # not handled here: the driver executes it

    def remove(self) -> None:
        """Stop failing statements."""
        for name in ("do_execute", "do_executemany"):
            event.remove(self.db.engine.sync_engine, name, self._hook)


async def test_recording_outcomes_is_retried_and_the_send_is_not(
    tagih: Tagih, sink: SmtpSink
) -> None:
    await add_customer(tagih.db, "C001", invoices=[("INV-1", dt.date(2026, 11, 22), "500000")])
    await tagih.plan(NOW)
    # The outcome is written with an UPDATE of the message rows: the first two fail.
    faults = Faults(tagih.db, "UPDATE MESSAGE", 2)
    try:
        _, stats = await tagih.send_due(NOW)
    finally:
        faults.remove()
    assert faults.raised == 2
    assert len(sink.messages) == 1  # sent once, recorded on the third attempt
    assert stats.sent == 1  # counted once, not once per attempt
    [logged] = await messages(tagih.db)
    assert logged.status == MessageStatus.SENT and logged.provider_id


async def test_a_claim_is_retried(tagih: Tagih, sink: SmtpSink) -> None:
    await add_customer(tagih.db, "C001", invoices=[("INV-1", dt.date(2026, 11, 22), "500000")])
    await tagih.plan(NOW)
    faults = Faults(tagih.db, "UPDATE FOLLOWUP", 1)  # the claim's UPDATE … RETURNING
    try:
        _, stats = await tagih.send_due(NOW)
    finally:
        faults.remove()
    assert faults.raised == 1 and stats.sent == 1 and len(sink.messages) == 1


async def test_gives_up_after_the_attempts_and_other_errors_at_once(db: Database) -> None:
    calls = 0

    async def locked() -> None:
        nonlocal calls
        calls += 1
        raise OperationalError("UPDATE x", {}, Exception("database is locked"))

    with pytest.raises(OperationalError):
        await retried(locked)
    assert calls == RETRY_ATTEMPTS
    calls = 0

    async def duplicate() -> None:
        nonlocal calls
        calls += 1
        raise IntegrityError("INSERT x", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        await retried(duplicate)
    assert calls == 1  # a constraint does not go away by trying again
