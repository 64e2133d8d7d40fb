"""Importing customers and their contacts, keyed by customer code."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import ChannelKind, Role
from storage.importers.base import (
    Context,
    Format,
    Parser,
    Row,
    Run,
    assign,
    defaults,
    name_field,
    resolve_staff,
    staff_wanted,
    text_field,
)
from storage.models import Contact, Customer, Policy, Staff, utcnow
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


def _contact_changes(
    run: Run, row: Row, current: list[Contact]
) -> tuple[list[Contact], list[tuple[str, str]]]:
    """Contacts to delete and `(channel, address)` pairs to add so the row's columns hold.

    A contact whose address is unchanged is kept as it is, with its opt-out and consent.
    """
    drop: list[Contact] = []
    add: list[tuple[str, str]] = []
    for column, channels in CONTACT_COLUMNS.items():
        if column in run.keep:
            continue
        address = row.fields[column]
        for channel in channels:
            mine = [contact for contact in current if contact.channel == channel]
            drop += [contact for contact in mine if contact.address != address]
            if address is not None and all(contact.address != address for contact in mine):
                add.append((channel, address))
    return drop, add


async def apply(session: AsyncSession, run: Run, rows: list[Row]) -> None:
    """Create or update a batch of customers and their contacts."""
    wanted = staff_wanted(rows, ("salesperson", Role.SALES), ("collector", Role.COLLECTOR))
    await resolve_staff(session, run, wanted)
    if names := {row.fields["policy"] for row in rows} - {None} - run.policies.keys():
        query_n = select(Policy.name, Policy.id).where(col(Policy.name).in_(names))
        run.policies.update({name: id_ for name, id_ in await session.exec(query_n) if id_})
    query_c = select(Customer).where(col(Customer.code).in_([row.fields["code"] for row in rows]))
    existing = {customer.code: customer for customer in await session.exec(query_c)}
    ids = {code: customer.id for code, customer in existing.items()}
    contacts: dict[int | None, list[Contact]] = {}
    query_k = select(Contact).where(col(Contact.customer_id).in_(list(ids.values())))
    for contact in await session.exec(query_k):
        contacts.setdefault(contact.customer_id, []).append(contact)
    fresh = defaults(Customer)
    new: list[dict[str, Any]] = []
    additions: list[tuple[str, str, str]] = []
    for row in rows:
        code, policy = row.fields["code"], row.fields["policy"]
        if policy is not None and policy not in run.policies:
            run.error(row.line, "policy", f"no policy named {policy!r}")
            continue
        values = {column: row.fields[column] for column in ("name", "segment", "language")}
        values["timezone"] = row.fields["timezone"]
        for column in ("salesperson", "collector"):
            values[f"{column}_id"] = run.staff.get(row.fields[column] or "")
        values["policy_id"] = run.policies.get(policy or "")
        customer = existing.get(code)
        drop, add = _contact_changes(run, row, contacts.get(ids.get(code), []))
        additions += [(code, channel, address) for channel, address in add]
        if customer is None:
            new.append(fresh | values | {"code": code})
            run.count(created=True)
            continue
        for contact in drop:
            await session.delete(contact)
        changed = assign(customer, values, run.keep) or bool(drop or add)
        if changed:
            customer.updated_at = utcnow()
        run.count(changed=changed)
    if new:
        await session.exec(insert(Customer), params=new)
        query_i = select(Customer.code, Customer.id)
        query_i = query_i.where(col(Customer.code).in_([values["code"] for values in new]))
        ids.update({code: id_ for code, id_ in await session.exec(query_i)})
    if additions:
        fresh = defaults(Contact)
        params = [
            fresh | {"customer_id": ids[code], "channel": channel, "address": address}
            for code, channel, address in additions
        ]
        await session.exec(insert(Contact), params=params)


FORMAT = Format(
    "code",
    frozenset({"code", "name"}),
    frozenset(CONTACT_COLUMNS)
    | {"language", "timezone", "segment", "salesperson", "collector", "policy"},
    parsers,
    apply,
)
