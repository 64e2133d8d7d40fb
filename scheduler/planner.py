"""The planning pass: incremental and set-based, it keeps each customer's FollowUp rows
equal to their calendar from the anchor (the last day the dispatcher acted on) onward.

A customer's plan is a pure function of its inputs (policy, window, open invoices,
promises, contacts, pause, the local day and the anchor), so planning is idempotent at any
hour and however often it runs. Each customer's fingerprint of those inputs is stored;
a pass re-plans only the customers whose fingerprint changed and writes only the rows
that differ, in batches.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from i18n.staff_texts import summary, text
from scheduler.alerts import queue_alert
from scheduler.calendar import (
    FIRST_PLAN_LOOKBACK_DAYS,
    CustomerView,
    PlannedContact,
    catch_up,
    plan_customer,
)
from scheduler.views import (
    PlanningInputs,
    among,
    contact_history,
    load_views,
    plan_fingerprints,
)
from scheduler.window import Window
from storage.db import Database
from storage.enums import FollowUpStatus, SkipReason
from storage.models import Customer, FollowUp, FollowUpInvoice, Message, table_of

log = logging.getLogger(__name__)

#: Rows the planner owns: nothing has been attempted for them.
OWNED = (FollowUpStatus.PLANNED, FollowUpStatus.SUPERSEDED)
#: The alert the team gets when a customer's calendar cannot be computed.
PLAN_FAILED = "plan_failed"

_FU = table_of(FollowUp).c
_LINK = table_of(FollowUpInvoice).c


@dataclass
class PlanStats:
    """What a planning pass did."""

    customers: int = 0  # customers re-planned (their inputs changed)
    unchanged: int = 0  # customers whose inputs had not changed: nothing read or written
    planned: int = 0  # contacts planned to go out
    skipped: int = 0  # contacts planned but predicted to be skipped (the dispatcher decides)
    inserted: int = 0
    updated: int = 0
    superseded: int = 0
    removed: int = 0
    failed: list[str] = field(default_factory=list)  # codes of customers that could not plan


def plan_start(today: dt.date, anchor: dt.date | None) -> dt.date:
    """First day the planner owns: the day after the anchor, at most a lookback ago."""
    floor = today - dt.timedelta(days=FIRST_PLAN_LOOKBACK_DAYS)
    return floor if anchor is None else max(anchor + dt.timedelta(days=1), floor)


def customer_plan(
    view: CustomerView,
    window: Window,
    today: dt.date,
    horizon_days: int,
    *,
    cap: int,
    history: Sequence[dt.date],
    anchor: dt.date | None,
) -> list[PlannedContact]:
    """The contacts of one customer from `today` through `today + horizon`.

    Steps missed since the anchor (the dispatcher did not run, a promise broke) are
    folded into one catch-up contact today; the frequency cap counts contacted days.
    """
    first = plan_start(today, anchor)
    last = today + dt.timedelta(days=horizon_days)
    # Missed days were never contacted: planned on their own, they must not use up the
    # frequency cap of today and the days ahead.
    missed = (
        plan_customer(view, window, first, today - dt.timedelta(days=1), cap=cap, history=history)
        if first < today
        else []
    )
    ahead = plan_customer(view, window, max(first, today), last, cap=cap, history=history)
    return catch_up([*missed, *ahead], today, view.policy.window or window, view.zone)


def inputs_key(inputs: PlanningInputs, window: Window, horizon_days: int, cap: int) -> str:
    """A digest of the pass-wide inputs: a policy or window change re-plans everyone."""
    material = repr(
        (
            sorted(inputs.policies.items()),
            inputs.default_policy_id,
            sorted(inputs.enabled_channels),
            inputs.grace_days,
            window,
            horizon_days,
            cap,
        )
    )
    return hashlib.sha256(material.encode()).hexdigest()[:16]


@dataclass(slots=True)
class _Changes:
    """The set-based writes of one batch."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    links_for_inserts: dict[tuple[int, dt.date], list[tuple[int, int]]] = field(
        default_factory=dict
    )
    updates: list[dict[str, Any]] = field(default_factory=list)
    link_deletes: list[int] = field(default_factory=list)
    link_inserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)


def _row_values(contact: PlannedContact, now: dt.datetime) -> dict[str, Any]:
    return {
        "status": FollowUpStatus.PLANNED.value,
        "planned_at": contact.planned_at,
        "channels": list(contact.channels),
        "actions": list(contact.actions),
        "template": contact.template,
        "skip_reason": None,
        "updated_at": now,
    }


def _diff_customer(
    customer_id: int,
    contacts: list[PlannedContact],
    owned: dict[dt.date, dict[str, Any]],
    links: dict[int, set[tuple[int, int]]],
    today: dt.date,
    now: dt.datetime,
    changes: _Changes,
    stats: PlanStats,
) -> None:
    """Turn one customer's desired contacts and owned rows into row changes."""
    wanted = {contact.day: contact for contact in contacts}
    for day, contact in wanted.items():
        values = _row_values(contact, now)
        want_links = {(hit.invoice_id, hit.offset) for hit in contact.steps}
        stats.skipped += bool(contact.skipped)
        stats.planned += not contact.skipped
        row = owned.get(day)
        if row is None:
            changes.inserts.append(
                {**values, "customer_id": customer_id, "local_date": day, "created_at": now}
            )
            changes.links_for_inserts[(customer_id, day)] = sorted(want_links)
            continue
        if row["attempts"] and row["planned_at"] > values["planned_at"]:
            # The dispatcher deferred it (contact window, retry back-off): keep its time.
            values["planned_at"] = row["planned_at"]
        if any(row[name] != value for name, value in values.items() if name != "updated_at"):
            changes.updates.append({"b_id": row["id"], **values})
            stats.updated += 1
        if links.get(row["id"], set()) != want_links:
            changes.link_deletes.append(row["id"])
            changes.link_inserts.extend(
                {"followup_id": row["id"], "invoice_id": invoice_id, "offset_days": offset}
                for invoice_id, offset in sorted(want_links)
            )
    for day, row in owned.items():
        if day in wanted:
            continue
        if day >= today:  # no longer wanted: paid, promised, moved by a policy change...
            changes.deletes.append(row["id"])
            stats.removed += 1
        elif row["status"] == FollowUpStatus.PLANNED:
            # Missed while nobody sent it: today's contact (catch-up) stands for it.
            changes.updates.append(
                {
                    "b_id": row["id"],
                    "status": FollowUpStatus.SUPERSEDED.value,
                    "planned_at": row["planned_at"],
                    "channels": row["channels"],
                    "actions": row["actions"],
                    "template": row["template"],
                    "skip_reason": SkipReason.SUPERSEDED.value,
                    "updated_at": now,
                }
            )
            stats.superseded += 1


async def _owned_rows(
    conn: AsyncConnection, firsts: dict[int, dt.date]
) -> tuple[dict[int, dict[dt.date, dict[str, Any]]], dict[int, set[tuple[int, int]]]]:
    """The rows the planner owns for these customers, and their invoice links."""
    columns = (
        _FU.id,
        _FU.customer_id,
        _FU.local_date,
        _FU.status,
        _FU.planned_at,
        _FU.channels,
        _FU.actions,
        _FU.template,
        _FU.skip_reason,
        _FU.attempts,
    )
    rows = await conn.execute(
        select(*columns).where(
            among(_FU.customer_id, firsts),
            _FU.local_date >= min(firsts.values()),
            _FU.status.in_([s.value for s in OWNED]),
        )
    )
    owned: dict[int, dict[dt.date, dict[str, Any]]] = {}
    for row in rows.mappings():
        first = firsts.get(row["customer_id"])
        if first is not None and row["local_date"] >= first:
            owned.setdefault(row["customer_id"], {})[row["local_date"]] = dict(row)
    ids = [row["id"] for by_day in owned.values() for row in by_day.values()]
    links: dict[int, set[tuple[int, int]]] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for followup_id, invoice_id, offset in await conn.execute(
            select(_LINK.followup_id, _LINK.invoice_id, _LINK.offset_days).where(
                _LINK.followup_id.in_(chunk)
            )
        ):
            links.setdefault(followup_id, set()).add((invoice_id, offset))
    return owned, links


def _insert_ignoring_conflicts(conn: AsyncConnection, table: Any, *conflict: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: a concurrent planner may have written the row."""
    # The dialects are imported here, once, not with the module: `tagih preview` imports
    # the planner and needs neither.
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=list(conflict))


async def _apply(conn: AsyncConnection, changes: _Changes, stats: PlanStats) -> None:
    """Write one batch's changes with a few executemany statements."""
    if changes.link_deletes or changes.deletes:
        doomed = [*changes.link_deletes, *changes.deletes]
        await conn.execute(delete(table_of(FollowUpInvoice)).where(_LINK.followup_id.in_(doomed)))
    if changes.deletes:
        # Alerts written about a removed row keep their text, not the dangling link.
        await conn.execute(
            update(table_of(Message))
            .where(table_of(Message).c.followup_id.in_(changes.deletes))
            .values(followup_id=None)
        )
        await conn.execute(delete(table_of(FollowUp)).where(_FU.id.in_(changes.deletes)))
    if changes.updates:
        await conn.execute(
            update(table_of(FollowUp))
            .where(_FU.id == bindparam("b_id"))
            .values(
                {
                    name: bindparam(name)
                    for name in (
                        "status",
                        "planned_at",
                        "channels",
                        "actions",
                        "template",
                        "skip_reason",
                        "updated_at",
                    )
                }
            ),
            changes.updates,
        )
    links = list(changes.link_inserts)
    if changes.inserts:
        statement = _insert_ignoring_conflicts(
            conn, table_of(FollowUp), "customer_id", "local_date"
        ).returning(_FU.id, _FU.customer_id, _FU.local_date)
        created = await conn.execute(statement, changes.inserts)
        for followup_id, customer_id, day in created:
            stats.inserted += 1
            links.extend(
                {"followup_id": followup_id, "invoice_id": invoice_id, "offset_days": offset}
                for invoice_id, offset in changes.links_for_inserts[(customer_id, day)]
            )
    if links:
        statement = _insert_ignoring_conflicts(
            conn, table_of(FollowUpInvoice), "followup_id", "invoice_id"
        )
        await conn.execute(statement, links)
    if changes.keys:
        cus = table_of(Customer).c
        await conn.execute(
            update(table_of(Customer))
            .where(cus.id == bindparam("b_id"))
            .values(plan_key=bindparam("plan_key")),
            changes.keys,
        )


async def _plan_batch(
    session: AsyncSession,
    ids: list[int],
    keys: dict[int, str],
    *,
    inputs: PlanningInputs,
    window: Window,
    now: dt.datetime,
    horizon_days: int,
    cap: int,
    stats: PlanStats,
) -> list[tuple[int, str, str]]:
    """Re-plan one batch of customers in the caller's transaction; returns the failures."""
    views = await load_views(session, customer_ids=ids, inputs=inputs)
    since = now.date() - dt.timedelta(days=FIRST_PLAN_LOOKBACK_DAYS + 14)
    history, anchors = await contact_history(session, customer_ids=ids, since=since)
    local_days = {zone: now.astimezone(zone).date() for zone in {v.zone for v in views.values()}}
    todays = {cid: local_days[view.zone] if (view := views.get(cid)) else now.date() for cid in ids}
    firsts = {cid: plan_start(todays[cid], anchors.get(cid)) for cid in ids}
    conn = await session.connection()
    owned, links = await _owned_rows(conn, firsts)
    changes = _Changes()
    failures: list[tuple[int, str, str]] = []
    for cid in ids:
        view = views.get(cid)
        try:
            contacts = (
                customer_plan(
                    view,
                    window,
                    todays[cid],
                    horizon_days,
                    cap=cap,
                    history=history.get(cid, []),
                    anchor=anchors.get(cid),
                )
                if view is not None and view.invoices
                else []
            )
        except Exception as exc:  # one customer's bad data must not stop everyone's plan
            code = view.code if view is not None else str(cid)
            log.warning("cannot plan customer %s: %s", code, exc)
            failures.append((cid, code, f"{type(exc).__name__}: {exc}"))
            stats.failed.append(code)
            changes.keys.append({"b_id": cid, "plan_key": keys[cid]})
            continue
        _diff_customer(cid, contacts, owned.get(cid, {}), links, todays[cid], now, changes, stats)
        changes.keys.append({"b_id": cid, "plan_key": keys[cid]})
        stats.customers += 1
    await _apply(conn, changes, stats)
    return failures


@contextmanager
def _older_objects_frozen() -> Iterator[bool]:
    """Keep the cyclic garbage collector off the objects that existed before the pass.

    A pass creates and keeps many objects, which sets off full collections, and each one
    traversed the whole heap (the libraries' modules and caches): 30-40 % of a cold pass.
    Frozen, the old objects are left out until the pass ends; garbage made during the
    pass is still collected, and the old objects are scanned again after it. A process
    that already freezes objects itself (a pre-forking server) is left alone (False).
    """
    if gc.get_freeze_count():
        yield False
        return
    gc.freeze()
    try:
        yield True
    finally:
        gc.unfreeze()


async def plan_pass(
    db: Database,
    *,
    inputs: PlanningInputs,
    window: Window,
    now: dt.datetime,
    horizon_days: int = 1,
    cap: int = 3,
    batch_size: int = 2000,
    only: Collection[int] | None = None,
) -> PlanStats:
    """Re-plan every customer (or `only` these) whose inputs changed; one transaction per batch.

    Materialises today and the next `horizon_days` local days: what the dispatcher needs.
    A batch is 2,000 customers by default: each batch's statements and commit cost as much
    as planning a few hundred customers, and on SQLite the write lock is held a fraction
    of a second (a dispatch tick waits at most that long).
    A customer whose calendar raises is skipped with a warning and an alert to the team;
    everyone else is planned.
    """
    with _older_objects_frozen() as frozen:
        return await _plan_pass(
            frozen,
            db,
            inputs=inputs,
            window=window,
            now=now,
            horizon_days=horizon_days,
            cap=cap,
            batch_size=batch_size,
            only=only,
        )


async def _plan_pass(
    frozen: bool,
    db: Database,
    *,
    inputs: PlanningInputs,
    window: Window,
    now: dt.datetime,
    horizon_days: int,
    cap: int,
    batch_size: int,
    only: Collection[int] | None,
) -> PlanStats:
    stats = PlanStats()
    key = inputs_key(inputs, window, horizon_days, cap)
    async with db.sessions() as reader:
        prints = await plan_fingerprints(reader, now=now, inputs_key=key, only=only)
    dirty = sorted(cid for cid, (fresh, stored) in prints.items() if fresh != stored)
    stats.unchanged = len(prints) - len(dirty)
    if frozen:
        gc.freeze()  # the fingerprints live through the pass: no collection need walk them
    for start in range(0, len(dirty), batch_size):
        ids = dirty[start : start + batch_size]
        keys = {cid: prints[cid][0] for cid in ids}
        async with db.transaction() as session:
            failures = await _plan_batch(
                session,
                ids,
                keys,
                inputs=inputs,
                window=window,
                now=now,
                horizon_days=horizon_days,
                cap=cap,
                stats=stats,
            )
            for cid, code, error in failures:
                await queue_alert(
                    session,
                    customer_id=cid,
                    kind=PLAN_FAILED,
                    summary=summary(text("alert.plan_failed", code=code, error=str(error))),
                    now=now,
                )
    return stats
