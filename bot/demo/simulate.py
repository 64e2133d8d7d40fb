"""`tagih demo`: days of collections played on a simulated clock, in seconds of wall time.

A fresh SQLite database in a temporary folder, every provider in its sandbox (the same
in-process stand-ins `make run` uses), and one `Tagih` whose clock is the simulation's.
Each simulated hour of the business day runs what `tagih run`'s jobs run (promise check,
planning, a dispatch tick, alerts; the digests at their hour); simulated customers answer
through the sandbox inbox's reply path (a signed Twilio webhook, a Telegram update, a mail
kept as the IMAP poller keeps one) and pay through `record_payment`; simulated staff work
their queue with the operations the chat and CLI commands use.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from sqlmodel import col, delete, func, select

from bot.app.tagih import Tagih
from bot.config import Settings
from bot.demo.customers import Actor, Behaviour, cast, generator, write_data
from bot.demo.report import Summary, dso_by_currency, summarise, write_report
from bot.sandbox.inbox_page import SandboxInbox
from storage.enums import CaseKind, Direction, InvoiceStatus, MessageStatus
from storage.importers import import_csv
from storage.models import Contact, Customer, Invoice, Message, Staff
from storage.queries.cases import case_invoice_ids, open_cases, resolve_case
from storage.queries.payments import record_payment
from storage.reports import ReportOptions

#: A Monday: the examples' day, so the demo opens on the ledger the examples describe.
START = dt.date(2026, 11, 23)
ZONE = ZoneInfo("Asia/Jakarta")
#: Business hours simulated each day (WIB): 06:00 is 08:00 WIT, the earliest window to open.
HOURS = range(6, 21)
#: The hour the simulated staff work their queue, and the hour banks report transfers.
STAFF_HOUR = 15
BANK = "demo:bank"
STAFF = "demo:collector"
#: A bot reply waiting for a yes (or "in full") offers it as its first choice.
YES = re.compile(r"^1\. (Ya\b|Yes\b|In full|Dibayar penuh|Lunas)", re.MULTILINE | re.IGNORECASE)
#: A bot reply asking which invoice: the simulated customer means the first listed.
WHICH = re.compile(r"Faktur mana|Which invoice", re.IGNORECASE)
#: A bot reply asking what went wrong, in a few words.
DESCRIBE = re.compile(r"Ceritakan|describe the problem", re.IGNORECASE)
#: A bot reply asking for the transfer slip, which the simulated customer skips.
PROOF = re.compile(r"bukti|proof|receipt", re.IGNORECASE)
Progress = Callable[[int, int], None]
#: Where `tagih demo --serve` serves the sandbox inbox by default: `tagih run`'s address.
SERVE_PORT = 8080
#: The channels a customer chats on.
CHATS = ("whatsapp", "sms", "telegram")
#: The share of customers ordering again each Monday.
ORDER_RATE = 0.3
#: Reminders it takes before these customers pay.
NEEDS = {Behaviour.AFTER_FIRST: 1, Behaviour.AFTER_SECOND: 2}


class SimClock:
    """The simulation's time: what every part of Tagih reads as now."""

    def __init__(self, now: dt.datetime) -> None:
        """Start at `now` (aware)."""
        self.now = now

    def __call__(self) -> dt.datetime:
        """The simulated time."""
        return self.now


class DemoSettings(Settings):
    """Settings built from defaults and the demo's own values only: no `.env`, no
    environment, so a configured provider can never receive the demo's messages."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values passed in."""
        return (init_settings,)


def demo_settings(workdir: Path, port: int = 0) -> Settings:
    """Sandbox-only settings on a database in `workdir`, the web server on `port` (0: any)."""
    return DemoSettings(
        database_url=f"sqlite+aiosqlite:///{workdir / 'demo.db'}",
        sandbox_dir=workdir / "sandbox",
        examples_dir=workdir / "data",
        web_port=port,
        # The stand-ins would pace sends on the wall clock; simulated time does not wait.
        sms_rate=1000,
        voice_rate=1000,
        whatsapp_rate=1000,
        telegram_rate=1000,
        bank_accounts="BCA 123-456-7890 a.n. PT Tagih Demo",
    )


def at(day: dt.date, hour: int) -> dt.datetime:
    """`hour`:00 business time on `day`, in UTC."""
    return dt.datetime.combine(day, dt.time(hour), ZONE).astimezone(dt.UTC)


@dataclass
class Simulation:
    """One demo run: the app, its clock, the customers and what they did."""

    app: Tagih
    clock: SimClock
    actors: dict[str, Actor]
    #: Where the generated CSVs go, and the generator writing them.
    data: Path
    generator: Any
    start: dt.date
    #: Decides who orders again each week (its own stream: the customers' stays the same).
    sales: random.Random
    sold: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    #: Email replies reach Tagih only if its inbound mail path exists.
    email_replies: bool = True

    @property
    def inbox(self) -> SandboxInbox:
        """The sandbox inbox, whose reply path the customers use."""
        inbox = self.app.sandbox_inbox
        assert inbox is not None
        return inbox

    @property
    def today(self) -> dt.date:
        """The simulated business date."""
        return self.clock.now.astimezone(ZONE).date()

    async def prepare(self) -> None:
        """Shape the contacts the behaviours need: none for the unreachable, WhatsApp for
        the one opting out of it, no chat for the one answering mail (so mail reaches it);
        the staff get a mailbox, so their alerts and digests arrive (in the sandbox)."""
        async with self.app.db.transaction() as session:
            for staff in (await session.exec(select(Staff))).all():
                if not staff.email:
                    staff.email = ".".join(staff.name.lower().split()) + "@tagih-demo.example"
                    session.add(staff)
            for customer in (await session.exec(select(Customer))).all():
                assert customer.id is not None
                self.ids[customer.code] = customer.id
            for actor in self.actors.values():
                cid = self.ids[actor.code]
                if actor.behaviour == Behaviour.UNREACHABLE:
                    await session.exec(delete(Contact).where(col(Contact.customer_id) == cid))
                if actor.behaviour == Behaviour.EMAIL:
                    chats = col(Contact.channel).in_(["whatsapp", "telegram"])
                    mine = col(Contact.customer_id) == cid
                    await session.exec(delete(Contact).where(mine, chats))
                if actor.behaviour != Behaviour.OPT_OUT:
                    continue
                contacts = (
                    await session.exec(select(Contact).where(Contact.customer_id == cid))
                ).all()
                if not any(c.channel == "whatsapp" for c in contacts):
                    phone = next(c.address for c in contacts if c.channel == "sms")
                    session.add(Contact(customer_id=cid, channel="whatsapp", address=phone))

    async def reminders(self) -> dict[int, dict[str, int]]:
        """Reminders delivered so far, per customer and channel."""
        query = (
            select(Message.customer_id, Message.channel, func.count())
            .where(
                Message.direction == Direction.OUTBOUND,
                col(Message.followup_id).is_not(None),
                col(Message.status).not_in([MessageStatus.FAILED, MessageStatus.RETRY]),
            )
            .group_by(col(Message.customer_id), col(Message.channel))
        )
        seen: dict[int, dict[str, int]] = {}
        async with self.app.db.sessions() as session:
            for cid, channel, count in (await session.exec(query)).all():
                if cid is not None:
                    seen.setdefault(cid, {})[channel] = count
        return seen

    async def open_invoices(self, cid: int) -> list[Invoice]:
        """The customer's invoices still owed (disputed ones too), oldest due first."""
        async with self.app.db.sessions() as session:
            query = (
                select(Invoice)
                .where(
                    Invoice.customer_id == cid,
                    col(Invoice.status).in_([InvoiceStatus.OPEN, InvoiceStatus.DISPUTED]),
                    col(Invoice.balance) > 0,
                )
                .order_by(col(Invoice.due_date), col(Invoice.id))
            )
            return list((await session.exec(query)).all())

    async def pay(self, invoices: list[Invoice], *, share: Decimal | None = None) -> None:
        """The bank reports transfers for `invoices` (whole, or `share` of each)."""
        async with self.app.db.transaction() as session:
            for invoice in invoices:
                amount = None if share is None else (invoice.balance * share).quantize(Decimal(1))
                await record_payment(
                    session,
                    invoice=invoice.number,
                    amount=amount,
                    paid_on=self.today,
                    today=self.today,
                    actor=BANK,
                    now=self.clock.now,
                    method="transfer BCA",
                )

    async def chat_channel(self, cid: int) -> str:
        """Where the customer writes: the chat its latest reminder came on, else WhatsApp,
        SMS, Telegram, whichever it has (and has not opted out of)."""
        async with self.app.db.sessions() as session:
            contacts = (await session.exec(select(Contact).where(Contact.customer_id == cid))).all()
            latest = (
                await session.exec(
                    select(Message.channel)
                    .where(
                        Message.customer_id == cid,
                        Message.direction == Direction.OUTBOUND,
                        col(Message.followup_id).is_not(None),
                        col(Message.channel).in_(CHATS),
                    )
                    .order_by(col(Message.id).desc())
                )
            ).first()
        usable = {c.channel for c in contacts if c.opted_out_at is None}
        order = ([latest] if latest else []) + list(CHATS)
        return next((c for c in order if c in usable), "")

    async def buttons(self, actor: Actor) -> tuple[int, list[dict[str, Any]]]:
        """The inline buttons under the bot's latest message in the customer's Telegram chat
        (its id and the buttons; none when that message has none)."""
        telegram = self.app.providers.telegram_sandbox
        if telegram is None:
            return 0, []
        async with self.app.db.sessions() as session:
            chat = (
                await session.exec(
                    select(Contact.address).where(
                        Contact.customer_id == self.ids[actor.code], Contact.channel == "telegram"
                    )
                )
            ).first()
        history = telegram.history(int(chat)) if chat else []
        if not history:
            return 0, []
        latest = history[-1]
        rows = (latest.get("reply_markup") or {}).get("inline_keyboard") or []
        found = [button for row in rows for button in row if "callback_data" in button]
        return int(latest["message_id"]), found

    async def say(self, actor: Actor, channel: str, text: str) -> str:
        """The customer writes `text` on `channel`; what Tagih answered."""
        cid = self.ids[actor.code]
        async with self.app.db.sessions() as session:
            last = (await session.exec(select(func.max(Message.id)))).one() or 0
        body: dict[str, Any] = {"person": f"customer:{actor.code}", "channel": channel}
        body["text"] = text
        if channel == "telegram" and text.isdigit():
            # A choice on Telegram is a button pressed, as a person there would; typed elsewhere.
            message_id, offered = await self.buttons(actor)
            if 1 <= int(text) <= len(offered):
                del body["text"]
                body["button"] = offered[int(text) - 1]["callback_data"]
                body["message_id"] = message_id
        await self.inbox.reply(body)
        durable = self.inbox.durable
        assert durable is not None
        await durable.settled()
        async with self.app.db.sessions() as session:
            query = (
                select(Message.body)
                .where(
                    col(Message.id) > last,
                    Message.customer_id == cid,
                    Message.direction == Direction.OUTBOUND,
                )
                .order_by(col(Message.id))
            )
            answer = "\n".join((await session.exec(query)).all())
        if channel == "telegram":
            # Telegram's choices are buttons, not text: listed as the other channels write them.
            _, offered = await self.buttons(actor)
            answer += "".join(f"\n{i}. {b['text']}" for i, b in enumerate(offered, 1))
        actor.turns.append((text, answer))
        return answer

    async def converse(
        self, actor: Actor, channel: str, lines: list[str], *, details: str = ""
    ) -> str:
        """Say `lines` in turn, then answer what the bot asks: yes to each confirmation,
        the first invoice, `details` when asked what is wrong; the slip is skipped."""
        if not channel:
            return ""
        answer = ""
        for line in lines:
            answer = await self.say(actor, channel, line)
        for _ in range(5):
            if WHICH.search(answer):
                answer = await self.say(actor, channel, "1")
            elif DESCRIBE.search(answer) and details:
                answer = await self.say(actor, channel, details)
            elif YES.search(answer):
                answer = await self.say(actor, channel, "1")
            elif PROOF.search(answer):
                answer = await self.say(actor, channel, "lewati")
            else:
                break
        return answer

    async def act(self, actor: Actor, seen: dict[str, int]) -> None:
        """What the customer does today, having received `seen` reminders per channel."""
        cid, today, b = self.ids[actor.code], self.today, actor.behaviour
        owed = await self.open_invoices(cid)
        if not owed:
            return
        count = sum(seen.values())
        if b == Behaviour.EARLY:
            soon = today + dt.timedelta(days=2 + actor.delay)
            await self.pay([i for i in owed if i.due_date <= soon])
        elif count - actor.base >= NEEDS.get(b, 99):
            await self.pay(owed)
            actor.base = count
        elif b in (Behaviour.PROMISE_KEEP, Behaviour.PROMISE_BREAK, Behaviour.EMAIL):
            await self._promise(actor, cid, seen, owed)
        elif b == Behaviour.OPT_OUT and seen.get("whatsapp") and not actor.spoke:
            actor.spoke = True
            await self.say(actor, "whatsapp", "BERHENTI")
        elif b == Behaviour.OPT_OUT and count - actor.base >= 4:
            await self.pay(owed)  # reached on its other channels in the end
            actor.base = count
        elif not count or actor.spoke:
            return
        elif b == Behaviour.DISPUTE:
            actor.spoke = True
            await self.converse(
                actor,
                await self.chat_channel(cid),
                ["ada masalah", "2"],
                details="barang belum dikirim",
            )
        elif b == Behaviour.INSTALMENT:
            actor.spoke = True
            first = today + dt.timedelta(days=7)
            await self.converse(
                actor,
                await self.chat_channel(cid),
                ["bisa dicicil?", "3x", f"tgl {first.day} {MONTHS[first.month - 1]}"],
            )
            actor.pay_on = first
        elif b == Behaviour.CLAIM:
            actor.spoke = True
            total = sum((i.balance for i in owed), Decimal(0))
            await self.converse(
                actor, await self.chat_channel(cid), ["halo", "1", f"kemarin {total:.0f}"]
            )

    async def _promise(
        self, actor: Actor, cid: int, seen: dict[str, int], owed: list[Invoice]
    ) -> None:
        """Promise a date after the first reminder; keep it (or not) on that date."""
        today, b = self.today, actor.behaviour
        if actor.pay_on is not None and today >= actor.pay_on:
            if b != Behaviour.PROMISE_BREAK:
                await self.pay(owed)
                actor.spoke = False  # the next invoice gets a promise of its own
            actor.pay_on = None
            return
        if actor.spoke or not seen:
            return
        channel = "email" if b == Behaviour.EMAIL else await self.chat_channel(cid)
        if channel == "email" and (not seen.get("email") or not self.email_replies):
            return
        if not channel:
            return
        actor.spoke = True
        day = today + dt.timedelta(days=3 + actor.delay)
        when = f"tgl {day.day} {MONTHS[day.month - 1]}"
        await self.converse(actor, channel, [f"saya akan bayar {when}"])
        actor.pay_on = day

    async def case_invoices(self, case_id: int) -> set[int]:
        """Ids of the invoices a case names."""
        async with self.app.db.sessions() as session:
            return await case_invoice_ids(session, case_id=case_id)

    async def staff_work(self) -> None:
        """The collectors' queue: verify claimed payments, settle disputes and requests."""
        now, today = self.clock.now, self.today
        async with self.app.db.sessions() as session:
            cases = await open_cases(session)
        for case in cases:
            age = (today - case.created_at.astimezone(ZONE).date()).days
            assert case.id is not None
            if case.kind == CaseKind.PAYMENT_CLAIM and age >= 1:
                # Verified against the bank statement: the transfer is there.
                claimed = await self.case_invoices(case.id)
                owed = await self.open_invoices(case.customer_id)
                await self.pay([i for i in owed if i.id in claimed] or owed)
                note = "transfer found on the statement"
            elif case.kind == CaseKind.DISPUTE and age >= 3:
                note = "goods delivered again; invoice stands"
            elif case.kind == CaseKind.INSTALMENT and age >= 2:
                note = "plan approved"
            elif case.kind == CaseKind.HANDOFF and age >= 1:
                note = "called back"
            else:
                continue  # contact research waits for a new phone number
            async with self.app.db.transaction() as session:
                await resolve_case(session, case_id=case.id, actor=STAFF, now=now, note=note)

    async def instalments(self) -> None:
        """Customers whose instalment plan starts today pay its first third."""
        for actor in self.actors.values():
            if actor.behaviour == Behaviour.INSTALMENT and actor.pay_on == self.today:
                owed = await self.open_invoices(self.ids[actor.code])
                await self.pay(owed[:1], share=Decimal(1) / 3)
                actor.pay_on = None

    async def sell(self) -> None:
        """Monday's new invoices (about a third of the customers order again), imported
        as the accounting export brings them; due in two weeks to a month and a half."""
        gen, rng, today = self.generator, self.sales, self.today
        rows = []
        for actor in self.actors.values():
            if rng.random() >= ORDER_RATE:
                continue
            self.sold += 1
            due = today + dt.timedelta(days=rng.choice((14, 30, 30, 45)))
            rows.append(
                {
                    "number": f"INV/{today:%Y}/{today:%m}/D{self.sold:04d}",
                    "customer": actor.code,
                    "issue_date": today.isoformat(),
                    "due_date": due.isoformat(),
                    "amount": str(gen.idr(rng)),
                    "currency": "IDR",
                }
            )
        if not rows:
            return
        path = self.data / f"invoices-{today}.csv"
        gen.write(path, rows)
        settings = self.app.settings
        report = await import_csv(
            self.app.db,
            "invoices",
            path,
            default_currency=settings.currency,
            default_language=settings.language,
            default_timezone=settings.timezone,
            today=today,
        )
        if not report.ok:
            raise RuntimeError("new invoices failed to import: " + str(report.errors[0]))

    async def hour(self, hour: int) -> None:
        """One simulated hour: Tagih's jobs, then whoever acts at this hour."""
        app, now = self.app, self.clock.now
        if hour == HOURS[0] and self.today.weekday() == 0 and self.today != self.start:
            await self.sell()
        await app.send_due(now)
        if hour == app.settings.collector_digest_time.hour:
            await app.send_digests(now)
        if hour == STAFF_HOUR:
            await self.staff_work()
            await self.instalments()
        acting = [a for a in self.actors.values() if a.hour == hour]
        if not acting:
            return
        seen = await self.reminders()
        for actor in acting:
            await self.act(actor, seen.get(self.ids[actor.code], {}))

    async def run(self, days: int, start: dt.date, progress: Progress) -> None:
        """Play `days` days from `start`, hour by hour within the business day."""
        for index in range(days):
            day = start + dt.timedelta(days=index)
            for hour in HOURS:
                self.clock.now = at(day, hour)
                self.set_whatsapp_clock()
                await self.hour(hour)
            progress(index + 1, days)

    def set_whatsapp_clock(self) -> None:
        """The WhatsApp channel judges its 24-hour window on its own clock: ours."""
        channel: Any = self.app.channels.get("whatsapp")
        if channel is not None:
            channel.now = self.clock


MONTHS = (
    "januari", "februari", "maret", "april", "mei", "juni",
    "juli", "agustus", "september", "oktober", "november", "desember",
)  # fmt: skip


async def open_simulation(
    workdir: Path, *, seed: int, customers: int, start: dt.date = START, port: int = 0
) -> Simulation:
    """Write the data, open Tagih on it at `start` 06:00 and cast the customers."""
    data = workdir / "data"
    write_data(data, seed=seed, customers=customers, today=start)
    clock = SimClock(at(start, HOURS[0]))
    app = Tagih(demo_settings(workdir, port), clock=clock, worker="demo")
    await app.open(with_web=True)
    try:
        await app.load_examples_if_empty()
        async with app.db.sessions() as session:
            owing = (
                await session.exec(
                    select(Customer.code)
                    .join(Invoice, col(Invoice.customer_id) == col(Customer.id))
                    .where(col(Invoice.balance) > 0, Invoice.status == InvoiceStatus.OPEN)
                    .distinct()
                    .order_by(col(Customer.code))
                )
            ).all()
        sim = Simulation(
            app,
            clock,
            cast(list(owing), seed=seed),
            data=data,
            generator=generator(),
            start=start,
            sales=random.Random(f"tagih-demo-sales-{seed}"),
        )
        sim.email_replies = app.email_replies is not None
        await sim.prepare()
    except BaseException:
        await app.close()
        raise
    return sim


@dataclass(frozen=True)
class DemoResult:
    """A finished run: its summary and where its report and database were written."""

    summary: Summary
    report: Path
    database: Path


#: Keeps the sandbox inbox open on a finished run (given the result and the inbox's address).
Serve = Callable[[DemoResult, str], Awaitable[None]]


async def run_demo(
    *,
    days: int,
    customers: int,
    seed: int,
    out: Path,
    progress: Progress,
    serve: Serve | None = None,
    port: int = SERVE_PORT,
) -> DemoResult:
    """Simulate `days` days for `customers` customers on a fresh temporary database; the
    report (and a copy of the database, to look into afterwards) go to `out`, which exists.

    With `serve`, it is awaited with the result and the sandbox inbox's address (on
    `port`; 0 for any free one) before Tagih closes: the inbox stays open on the simulation's
    end until it returns.
    """
    with tempfile.TemporaryDirectory(prefix="tagih-demo-") as tmp:
        workdir = Path(tmp)
        sim = await open_simulation(
            workdir, seed=seed, customers=customers, port=port if serve else 0
        )
        app = sim.app
        try:
            currency = app.settings.currency
            async with app.db.sessions() as session:
                dso_start = await dso_by_currency(session, START, currency)
            await sim.run(days, START, progress)
            end = START + dt.timedelta(days=days - 1)
            behaviours = Counter(str(a.behaviour) for a in sim.actors.values())
            async with app.db.sessions() as session:
                summary = await summarise(
                    session,
                    seed=seed,
                    days=days,
                    customers=customers,
                    start=START,
                    dso_start=dso_start,
                    behaviours=behaviours,
                    currency=currency,
                )
                options = ReportOptions(as_of=end, zone=ZONE, default_currency=currency)
                report = await write_report(session, summary, out, options=options)
            result = DemoResult(summary, report, out / "demo.db")
            url = app.sandbox_inbox_url
            if serve is not None and url is not None:
                await serve(result, url)
        finally:
            await app.close()
        # Copied once closed: SQLite has folded its write-ahead log back into the file.
        shutil.copyfile(workdir / "demo.db", result.database)
    return result
