"""Database trouble: PostgreSQL restarted (fast shutdown, then started on the same port) while
the dispatcher sends and customers write; the service reconnects by itself, loses nothing.

Tagih runs as `tagih run` serves it (`Tagih.open(with_web=True)`, stand-ins in process) on a
cluster of its own, which the test stops once a share of the due reminders is out (so sends
are in flight while their records fail) and starts again once every customer's message of
the outage has been refused. Customers write by SMS as Twilio posts: a message not answered
2xx is posted again, as Twilio retries it. Afterwards:

- the first requests after the restart are answered 200 (stale pooled connections are not
  handed out: `pool_pre_ping`, storage/db.py); a webhook that could not keep its event was
  answered 5xx, so the provider retries it;
- once the leases have run out, every due reminder reached Twilio exactly once (those in
  flight reconciled by asking Twilio, not resent), none is left claimed;
- every customer message is in the log exactly once, in order; every inbox event applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator
from yarl import URL

from bot.app.tagih import Tagih
from scheduler.channel import Channel
from scheduler.messages import DeliveryResult, Outbound
from storage.enums import FollowUpStatus
from storage.models import Contact, InboxItem
from storage.queries.inbox import InboxStatus
from tests.reliability.test_load import DUE, NOW, followups, logged_inbound, open_app, phone
from tests.support.factories import add_customer
from tests.support.inbox_support import settle
from tests.support.pg import PgCluster, find_pg_bin, running_cluster

QUIET = 60  # reminded by SMS; they do not write
WRITERS = 12  # write one message before, one during and one after the outage
STOP_AFTER = 15  # reminders out when PostgreSQL goes down
#: How often an unanswered webhook is posted again (Twilio retries on its own schedule).
RETRY_EVERY = 0.2
TICK_EVERY = 0.2
#: The longest wait for what the outage must bring about before the test gives up.
GUARD = 60.0


@pytest.fixture
def cluster() -> Iterator[PgCluster]:
    """A cluster of this test's own: stopping the session's would break the other tests."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries (initdb, postgres) are not installed on this machine")
    with running_cluster(bin_dir) as own:
        own.psql("CREATE DATABASE tagih_restart")
        yield own


class Moment:
    """The service's injected time, moved by hand past the leases afterwards."""

    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> dt.datetime:
        return self.at


class Counting:
    """The SMS channel, announcing when `threshold` messages have been sent through it."""

    def __init__(self, inner: Channel, threshold: int) -> None:
        self.inner, self.threshold, self.sent = inner, threshold, 0
        self.reached = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def send(self, message: Outbound) -> DeliveryResult:
        """Send through the real channel, then count."""
        result = await self.inner.send(message)
        self.sent += 1
        if self.sent >= self.threshold:
            self.reached.set()
        return result


@pytest.fixture
async def tagih(cluster: PgCluster, tmp_path: Path) -> AsyncIterator[tuple[Tagih, Moment]]:
    moment = Moment()
    # SMS paced at 20/s: the reminders take a few seconds, so the restart lands mid-batch.
    app = await open_app(cluster.url("tagih_restart"), tmp_path, clock=moment, sms_rate=20)
    yield app, moment
    await app.close()


class Writers:
    """Customers writing by SMS, each message posted again until answered 2xx."""

    def __init__(self, app: Tagih, http: aiohttp.ClientSession) -> None:
        self.app, self.http = app, http
        assert app.web_url is not None
        self.url = app.web_url
        token = app.providers.twilio_auth_token
        assert token is not None
        self.validator = RequestValidator(token)
        self.sent: dict[str, list[str]] = defaultdict(list)
        self.answers: Counter[int] = Counter()
        self.refused = 0
        self.refused_enough = asyncio.Event()
        #: The answer to every request sent once PostgreSQL is back (None until then).
        self.after_restart: list[int] | None = None

    async def post_once(self, form: dict[str, str]) -> int:
        path = "/twilio/messages"
        signature = self.validator.compute_signature(self.url + path, form)
        headers = {"X-Twilio-Signature": signature}
        # Counted by when it was sent: a request refused during the outage may be answered
        # just after `start` returned (it failed a moment before, on the dead port).
        after_restart = self.after_restart
        try:
            async with self.http.post(
                URL(self.url + path, encoded=True), data=form, headers=headers
            ) as r:
                await r.read()
                status = r.status
        except aiohttp.ClientError:
            status = 0  # no answer at all: Twilio retries as for a 5xx
        self.answers[status] += 1
        if after_restart is not None:
            after_restart.append(status)
        return status

    async def write(self, i: int, turn: int, body: str) -> None:
        """Customer i's message, posted until a 2xx answer (as Twilio retries)."""
        form = {
            "From": phone(i),
            "To": "+622150000001",
            "Body": body,
            "MessageSid": f"SM{i:016d}{turn:016d}",
            "AccountSid": "AC" + "0" * 32,
            "NumMedia": "0",
        }
        self.sent[phone(i)].append(body)
        while True:
            status = await self.post_once(form)
            if 200 <= status < 300:
                return
            assert status >= 500 or status == 0, status  # never "bad request": retried
            self.refused += 1
            if self.refused >= WRITERS:
                self.refused_enough.set()
            await asyncio.sleep(RETRY_EVERY)  # the provider's retry cadence, not a wait

    async def turn(self, turn: int, body: str) -> None:
        await asyncio.gather(*(self.write(i, turn, body) for i in range(WRITERS)))


class Outage:
    """Whether PostgreSQL is down, and whether a whole dispatch tick ran while it was."""

    def __init__(self) -> None:
        self.down = False
        self.ticked = asyncio.Event()


async def ticking(
    app: Tagih, moment: Moment, stop: asyncio.Event, outage: Outage
) -> tuple[int, int]:
    """Dispatch ticks on a cadence, an error logged and the next tick run (as APScheduler's
    job does); how many ticks ran and how many failed."""
    ran = failed = 0
    while not stop.is_set():
        ran += 1
        began_down = outage.down
        try:
            await app.send_due(moment())
        except Exception:  # the database is away: the next tick tries again
            failed += 1
        if began_down and outage.down:
            outage.ticked.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), TICK_EVERY)
    return ran, failed


async def test_postgresql_restarted_under_load(
    cluster: PgCluster, tagih: tuple[Tagih, Moment]
) -> None:
    app, moment = tagih
    for i in range(WRITERS):
        customer_id = await add_customer(app.db, f"W{i:03d}", email=None)
        async with app.db.transaction() as session:
            session.add(Contact(customer_id=customer_id, channel="sms", address=phone(i)))
    for i in range(QUIET):
        customer_id = await add_customer(
            app.db, f"Q{i:03d}", email=None, invoices=[(f"Q-{i}", DUE, "1000")]
        )
        async with app.db.transaction() as session:
            session.add(Contact(customer_id=customer_id, channel="sms", address=phone(1000 + i)))
    sms = Counting(app.providers.channels["sms"], STOP_AFTER)
    app.providers.channels["sms"] = cast(Channel, sms)  # the dispatcher and inbox use the dict

    stop, outage = asyncio.Event(), Outage()
    async with aiohttp.ClientSession() as http:
        writers = Writers(app, http)
        await writers.turn(0, "2")  # before: fine
        dispatcher = asyncio.create_task(ticking(app, moment, stop, outage))
        await asyncio.wait_for(sms.reached.wait(), GUARD)
        await asyncio.to_thread(cluster.stop)  # reminders in flight, records failing
        outage.down = True
        during = asyncio.create_task(writers.turn(1, "jumat"))
        # Every outage message refused at least once (a guard, not a pause: a webhook that
        # acknowledged what it could not keep would leave this waiting forever).
        await asyncio.wait_for(writers.refused_enough.wait(), GUARD)
        await asyncio.wait_for(outage.ticked.wait(), GUARD)  # a whole tick ran against none
        await asyncio.to_thread(cluster.start)
        outage.down = False
        writers.after_restart = []
        await during  # retried until kept
        await writers.turn(2, "1")  # after: the pool reconnected by itself
        stop.set()
        ran, failed = await dispatcher

        # The leases of what was in flight run out; the unknown sends are asked about.
        moment.at = NOW + dt.timedelta(minutes=30)
        for _ in range(3):
            await app.send_due(moment())
        await settle(app)

    assert failed >= 1, "no tick ran while PostgreSQL was down"
    assert writers.refused >= WRITERS
    # Nothing answered 2xx without being kept, nothing 4xx: the provider retries every one.
    assert set(writers.answers) <= {200, 500, 0}
    # Once PostgreSQL answers again, so does every webhook (some of the outage's retries
    # may already have gone through while `start` waited for it).
    assert writers.after_restart is not None and len(writers.after_restart) >= WRITERS
    assert set(writers.after_restart) == {200}

    twilio = app.providers.twilio_sandbox
    assert twilio is not None
    reminded = Counter(
        m.to for m in twilio.messages if m.to in {phone(1000 + i) for i in range(QUIET)}
    )
    assert reminded == {phone(1000 + i): 1 for i in range(QUIET)}  # each exactly once
    rows = await followups(app)
    assert Counter(r.status for r in rows) == {FollowUpStatus.SENT: QUIET}
    async with app.db.sessions() as session:
        items = (await session.exec(select(InboxItem))).all()
    assert [(i.status, i.error) for i in items if i.status != InboxStatus.DONE] == []
    logged = await logged_inbound(app)
    assert {a: logged.get(a, []) for a in writers.sent} == dict(writers.sent)
    print(
        f"\nPostgreSQL restart: {ran} ticks ({failed} failed), {sum(writers.answers.values())} "
        f"webhook posts {dict(writers.answers)}, {sms.sent} SMS"
    )


async def test_an_idle_restart_costs_no_request(
    cluster: PgCluster, tagih: tuple[Tagih, Moment]
) -> None:
    """PostgreSQL restarted while nothing ran (a maintenance restart at night): the pooled
    connections are dead, and none is handed out — the first requests and the first tick
    after it succeed (SQLAlchemy notices a dead connection only when one fails, unless
    each is pinged when checked out)."""
    app, moment = tagih
    for i in range(QUIET):
        customer_id = await add_customer(
            app.db, f"Q{i:03d}", email=None, invoices=[(f"Q-{i}", DUE, "1000")]
        )
        async with app.db.transaction() as session:
            session.add(Contact(customer_id=customer_id, channel="sms", address=phone(1000 + i)))
    async with aiohttp.ClientSession() as http:
        writers = Writers(app, http)
        assert app.web_url is not None
        health = app.web_url + "/healthz"

        async def healthz() -> int:
            async with http.get(health) as r:
                return r.status

        # Concurrent requests fill the pool with connections, then all is quiet.
        assert await asyncio.gather(*(healthz() for _ in range(5))) == [200] * 5
        await writers.turn(0, "halo")
        await settle(app)
        await asyncio.to_thread(cluster.stop)
        await asyncio.to_thread(cluster.start)
        writers.after_restart = []
        statuses = await asyncio.gather(*(healthz() for _ in range(5)))
        await writers.turn(1, "2")
        _, stats = await app.send_due(moment())
        await settle(app)
    assert statuses == [200] * 5
    assert writers.after_restart == [200] * WRITERS
    assert stats.sent == QUIET
    logged = await logged_inbound(app)
    assert {a: logged.get(a, []) for a in writers.sent} == dict(writers.sent)
