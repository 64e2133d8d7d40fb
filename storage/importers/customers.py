"""Importing customers and their contacts, keyed by customer code."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from sqlalchemy import RowMapping, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.enums import ChannelKind, Role
from storage.importers.base import (
    Context,
    Format,
    Parser,
    Row,
    Run,
    Upsert,
    among,
    defaults,
    differs,
    fetch,
    inserting,
    merged,
    name_field,
    resolve_staff,
    staff_wanted,
    text_field,
)
from storage.models import Contact, Customer, Policy, Staff, table_of, utcnow
from storage.parsing import (
    optional,
    parse_chat_id,
    parse_email,
    parse_language,
    parse_phone,
    parse_timezone,
)

# Which contacts each customer column feeds: a phone number is reached by SMS and by voice.
CONTACT_COLUMNS: dict[str, tuple[ChannelKind, ...]] = {
    "email": (ChannelKind.EMAIL,),
    "phone": (ChannelKind.SMS, ChannelKind.VOICE),
    "whatsapp": (ChannelKind.WHATSAPP,),
    "telegram": (ChannelKind.TELEGRAM,),
}


def parsers(context: Context) -> dict[str, Parser]:
    """The parser of each customer column, with the operator's defaults filled in."""
    return {
        "code": text_field(Customer, "code", required=True),
        "name": text_field(Customer, "name", required=True),
        "email": optional(parse_email),
        "phone": optional(parse_phone),
        "whatsapp": optional(parse_phone),
        "telegram": optional(parse_chat_id),
        "language": partial(parse_language, default=context.language),
        "timezone": partial(parse_timezone, default=context.timezone),
        "segment": text_field(Customer, "segment"),
        "salesperson": name_field(Staff, "name"),
        "collector": name_field(Staff, "name"),
        "policy": name_field(Policy, "name"),
    }


_CUSTOMER, _CONTACT, _POLICY = table_of(Customer), table_of(Contact), table_of(Policy)
#: What a row of the file sets; `code` is the key, `created_at` is written only once.
COLUMNS = (
    "name",
    "segment",
    "language",
    "timezone",
    "salesperson_id",
    "collector_id",
    "policy_id",
)


def _contact_changes(
    run: Run, row: Row, current: list[RowMapping]
) -> tuple[list[int], list[tuple[str, str]]]:
    """Ids of contacts to delete and `(channel, address)` pairs to add so the row's columns hold.

    A contact whose address is unchanged is kept as it is, with its opt-out and consent.
    """
    drop: list[int] = []
    add: list[tuple[str, str]] = []
    if not current:  # a new customer, or one without contacts: every address is added
        for column, channels in CONTACT_COLUMNS.items():
            if column not in run.keep and (address := row.fields[column]) is not None:
                add += [(channel, address) for channel in channels]
        return drop, add
    for column, channels in CONTACT_COLUMNS.items():
        if column in run.keep:
            continue
        address = row.fields[column]
        for channel in channels:
            mine = [contact for contact in current if contact["channel"] == channel]
            drop += [contact["id"] for contact in mine if contact["address"] != address]
            if address is not None and all(contact["address"] != address for contact in mine):
                add.append((channel, address))
    return drop, add


async def _contacts(conn: AsyncConnection, ids: list[int]) -> dict[int, list[RowMapping]]:
    """The stored contacts of the customers `ids` (one IN query)."""
    contacts: dict[int, list[RowMapping]] = {}
    if ids:
        columns = (_CONTACT.c.id, _CONTACT.c.customer_id, _CONTACT.c.channel, _CONTACT.c.address)
        query = select(*columns).where(among(conn, _CONTACT.c.customer_id, ids))
        for contact in (await conn.execute(query)).mappings():
            contacts.setdefault(contact["customer_id"], []).append(contact)
    return contacts


async def apply(conn: AsyncConnection, run: Run, rows: list[Row]) -> None:
    """Create or update a batch of customers and their contacts."""
    wanted = staff_wanted(rows, ("salesperson", Role.SALES), ("collector", Role.COLLECTOR))
    await resolve_staff(conn, run, wanted)
    if names := {row.fields["policy"] for row in rows} - {None} - run.policies.keys():
        found = await fetch(conn, _POLICY, "name", names, "id")
        run.policies.update({name: policy["id"] for name, policy in found.items()})
    codes = [row.fields["code"] for row in rows]
    existing = await fetch(conn, _CUSTOMER, "code", codes, "id", *COLUMNS)
    tracked = not CONTACT_COLUMNS.keys() <= run.keep
    contacts = await _contacts(conn, [c["id"] for c in existing.values()] if tracked else [])
    now = utcnow()
    new, changed, drops, additions = _sort_rows(run, rows, existing, contacts)
    # The columns no file sets take their defaults on a new customer and stay as they are.
    shared = {n: v for n, v in defaults(Customer).items() if n not in COLUMNS} | {
        "created_at": now,
        "updated_at": now,
    }
    statement = run.prepared(
        "customers",
        lambda: Upsert.build(
            conn,
            _CUSTOMER,
            "code",
            COLUMNS,
            list(shared),
            update=(*COLUMNS, "updated_at"),
            keep=run.keep,
        ),
    )
    await statement.run(conn, new, changed, shared)
    if drops:
        await conn.execute(delete(_CONTACT).where(among(conn, _CONTACT.c.id, drops)))
    if additions:
        await _add_contacts(conn, run, existing, additions, now)


def _sort_rows(
    run: Run,
    rows: list[Row],
    existing: dict[str, dict[str, Any]],
    contacts: dict[int, list[RowMapping]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int], list[tuple[str, str, str]]]:
    """New and changed customers, contact ids to delete, `(code, channel, address)` to add."""
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    drops: list[int] = []
    additions: list[tuple[str, str, str]] = []
    for row in rows:
        code, policy = row.fields["code"], row.fields["policy"]
        if policy is not None and policy not in run.policies:
            run.error(row.line, "policy", f"no policy named {policy!r}")
            continue
        values = {column: row.fields[column] for column in ("code", "name", "segment", "language")}
        values["timezone"] = row.fields["timezone"]
        for column in ("salesperson", "collector"):
            values[f"{column}_id"] = run.staff.get(row.fields[column] or "")
        values["policy_id"] = run.policies.get(policy or "")
        customer = existing.get(code)
        drop, add = _contact_changes(run, row, contacts.get(customer["id"], []) if customer else [])
        additions += [(code, channel, address) for channel, address in add]
        if customer is None:
            run.count(created=True)
            new.append(values)
            continue
        drops += drop
        if differs(customer, values, run.keep) or drop or add:
            run.count(changed=True)
            changed.append(merged(customer, values, run.keep))
        else:
            run.count()
    return new, changed, drops, additions


async def _add_contacts(
    conn: AsyncConnection,
    run: Run,
    existing: dict[str, dict[str, Any]],
    additions: list[tuple[str, str, str]],
    now: dt.datetime,
) -> None:
    """Insert the `(code, channel, address)` contacts, looking up the customers just created."""
    ids = {code: customer["id"] for code, customer in existing.items()}
    if unknown := {code for code, _, _ in additions if code not in ids}:
        found = await fetch(conn, _CUSTOMER, "code", unknown, "id")
        ids.update({code: customer["id"] for code, customer in found.items()})
    fresh = defaults(Contact) | {"created_at": now}
    contacts_in = run.prepared(
        "contacts",
        lambda: inserting(conn, _CONTACT, ("customer_id", "channel", "address"), list(fresh)),
    )
    params = [
        {"customer_id": ids[code], "channel": channel, "address": address}
        for code, channel, address in additions
    ]
    await contacts_in.run(conn, params, fresh)


async def refs(conn: AsyncConnection, run: Run, rows: list[Row]) -> None:
    """Report each unknown policy among rows that had other problems."""
    if names := {row.fields.get("policy") for row in rows} - {None} - run.policies.keys():
        found = await fetch(conn, _POLICY, "name", names, "id")
        run.policies.update({name: policy["id"] for name, policy in found.items()})
    for row in rows:
        if (policy := row.fields.get("policy")) and policy not in run.policies:
            run.error(row.line, "policy", f"no policy named {policy!r}")


FORMAT = Format(
    "code",
    frozenset({"code", "name"}),
    frozenset(CONTACT_COLUMNS)
    | {"language", "timezone", "segment", "salesperson", "collector", "policy"},
    parsers,
    apply,
    texts=("code", "name", "email", "segment", "salesperson", "collector", "policy"),
    refs=refs,
    table=_CUSTOMER.name,
)
