"""Reminders rendered in a child process: the same text as here, errors raised here, a dead
child replaced by rendering here, and a tick whose batches render while others are sent."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import jinja2
import pytest
from sqlmodel import col, select, update

from bot.app.tagih import Tagih
from bot.reminders import CHILD_MIN_JOBS, BatchRenderer, RendererSpec, RenderProcess
from scheduler.channel import Capabilities
from scheduler.dispatcher import RenderJob
from scheduler.messages import Rendered
from storage.enums import FollowUpStatus, MessageStatus
from storage.models import FollowUp, Message
from tests.support.email_app import email_app
from tests.support.factories import add_customer
from tests.unit.test_render_golden import _plan

JAKARTA = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=JAKARTA)  # a Monday, inside the window
SPEC = RendererSpec("CV Sumber Rejeki", "id")
CASES = ("overdue_one", "overdue_statement", "before_one", "three_currencies", "escapes")
CARRIES = (
    Capabilities(html=True),
    Capabilities(max_length=1600),
    Capabilities(max_length=4096, buttons=True),
    Capabilities(spoken=True),
)


def jobs(count: int) -> list[RenderJob]:
    """`count` jobs over every case, language and kind of channel."""
    return [
        (
            _plan(CASES[i % len(CASES)], ("id", "en")[i % 2]),
            CARRIES[i % len(CARRIES)],
            "https://t.me/tagih_bot?start=abc" if i % 3 == 0 else None,
        )
        for i in range(count)
    ]


@pytest.fixture
async def child() -> AsyncIterator[RenderProcess]:
    process = RenderProcess()
    yield process
    await process.close()


async def test_the_child_renders_what_this_process_renders(child: RenderProcess) -> None:
    assert await child.warm()
    batch = jobs(CHILD_MIN_JOBS * 2)
    here = [SPEC.build()(*job) for job in batch]
    there = await BatchRenderer(SPEC, child)(batch)
    assert there == here
    assert child.rendered == len(batch)  # rendered there, not here again


async def test_a_small_batch_or_a_child_still_starting_renders_here(
    child: RenderProcess,
) -> None:
    renderer = BatchRenderer(SPEC, child)
    small = jobs(CHILD_MIN_JOBS - 1)
    assert await renderer(small) == [SPEC.build()(*job) for job in small]
    assert child.rendered == 0
    large = jobs(CHILD_MIN_JOBS)
    # The first large batch starts the child and does not wait for it.
    assert await renderer(large) == [SPEC.build()(*job) for job in large]
    assert child.rendered == 0
    assert await child.warm()
    await renderer(large)
    assert child.rendered == len(large)


async def test_an_edited_template_that_fails_fails_here_too(child: RenderProcess) -> None:
    spec = RendererSpec("CV Sumber Rejeki", "id", (("reminder.id.txt.j2", "{{ no_such }}"),))
    assert await child.warm()
    batch = [job for job in jobs(CHILD_MIN_JOBS * 4) if job[1].html]  # letters in Indonesian
    assert len(batch) == CHILD_MIN_JOBS
    with pytest.raises(jinja2.UndefinedError, match="no_such"):
        await BatchRenderer(spec, child)(batch)
    # The child is still fine: the next batch renders there.
    good = jobs(CHILD_MIN_JOBS)
    assert await BatchRenderer(SPEC, child)(good) == [SPEC.build()(*job) for job in good]
    assert child.rendered == len(good)


async def test_a_dead_child_leaves_rendering_here(
    child: RenderProcess, caplog: pytest.LogCaptureFixture
) -> None:
    assert await child.warm()
    assert child.pid is not None
    child.kill()  # as the kernel's OOM killer would
    batch = jobs(CHILD_MIN_JOBS)
    with caplog.at_level(logging.WARNING, logger="bot.reminders"):
        assert await BatchRenderer(SPEC, child)(batch) == [SPEC.build()(*job) for job in batch]
    assert child.broken and child.rendered == 0
    assert "render process failed" in caplog.text
    # And stays here: no new child is started behind the operator's back.
    assert await BatchRenderer(SPEC, child)(batch) == [SPEC.build()(*job) for job in batch]
    assert child.pid is None


# --- a whole tick -----------------------------------------------------------------------


async def customers(app: Tagih, count: int) -> None:
    for i in range(count):
        await add_customer(
            app.db,
            f"C{i:03}",
            name=f"PT Pelanggan {i}",
            email=f"ar{i}@pelanggan.example",
            invoices=[(f"INV-{i}", dt.date(2026, 11, 22), "5000000")],
        )


async def test_a_tick_renders_in_the_child_and_sends_each_reminder_once(
    db_url: str, tmp_path: Path
) -> None:
    async with email_app(db_url, tmp_path, worker="worker-a", dispatch_batch_size=40) as (
        app,
        sink,
    ):
        await customers(app, 130)  # four batches of 40, the last one short
        await app.plan(NOW)
        dispatcher = await app.dispatcher()
        process = app.render_process
        assert process is not None and await process.warm()
        stats = await dispatcher.tick(NOW)
        assert (stats.claimed, stats.sent) == (130, 130)
        assert process.rendered == 120  # the three full batches; the short one here
        async with app.db.sessions() as session:
            rows = (await session.exec(select(Message))).all()
        assert sorted(m.address for m in rows) == sorted(
            f"ar{i}@pelanggan.example" for i in range(130)
        )
        assert {m.status for m in rows} == {MessageStatus.SENT}
        assert len(sink.messages) == 130
        # What went out is what this process renders for the same customer.
        body = next(
            m for m in sink.messages if m["To"].addresses[0].addr_spec == "ar7@pelanggan.example"
        )
        plain = body.get_body(("plain",))
        assert plain is not None and "PT Pelanggan 7" in plain.get_content()


async def test_without_the_setting_no_child_is_started(db_url: str, tmp_path: Path) -> None:
    async with email_app(db_url, tmp_path, dispatch_batch_size=40, render_process=False) as (
        app,
        _,
    ):
        await customers(app, 50)
        await app.plan(NOW)
        stats = await (await app.dispatcher()).tick(NOW)
        assert stats.sent == 50
        assert app.render_process is None


# --- what may change while a batch renders ------------------------------------------------


class Meddling:
    """A renderer that, while rendering, does what another worker or an admin could."""

    def __init__(self, app: Tagih, act: object) -> None:
        self.app, self.act = app, act
        self.inner = BatchRenderer(SPEC)

    async def __call__(self, batch: Sequence[RenderJob]) -> list[Rendered]:
        assert callable(self.act)
        await self.act(self.app, [plan.followup.id for plan, _, _ in batch])
        return await self.inner(batch)


async def steal_first(app: Tagih, ids: list[int]) -> None:
    """Another worker takes over the first follow-up's lease (ours had expired)."""
    async with app.db.transaction() as session:
        await session.exec(
            update(FollowUp).where(col(FollowUp.id) == min(ids)).values(lease_owner="worker-b")
        )


async def test_a_lease_lost_while_rendering_is_left_to_its_new_holder(
    db_url: str, tmp_path: Path
) -> None:
    async with email_app(db_url, tmp_path, worker="worker-a") as (app, sink):
        await customers(app, 3)
        await app.plan(NOW)
        dispatcher = await app.dispatcher()
        dispatcher.render = Meddling(app, steal_first)
        stats = await dispatcher.tick(NOW)
        assert (stats.claimed, stats.sent) == (3, 2)
        assert len(sink.messages) == 2
        async with app.db.sessions() as session:
            stolen = (await session.exec(select(FollowUp).order_by(col(FollowUp.id)))).first()
            reserved = (await session.exec(select(Message))).all()
        assert stolen is not None and stolen.lease_owner == "worker-b"
        assert stolen.status == FollowUpStatus.CLAIMED  # untouched: the new holder decides
        assert stolen.id not in {m.followup_id for m in reserved}
