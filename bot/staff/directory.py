"""Staff queries: add, invite, update, list, set role, remove, and who works which customer.

A removed staff member is deactivated, not deleted (customers and the audit trail still
name them), and their Telegram chat is unbound so it no longer counts as staff.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.logmask import mask_address
from bot.staff.roles import Role
from i18n.staff_texts import keyed
from storage.models import Staff
from storage.queries.audit import audit
from storage.queries.contacts import link_token_for
from storage.queries.staff import find_staff, staff_by_telegram

LANGUAGES = ("id", "en")


class StaffError(ValueError):
    """A staff change that cannot be made; the message says why in one line."""


def snapshot(staff: Staff) -> dict[str, Any]:
    """What the audit trail keeps of a staff member (contact details masked, as in logs)."""
    return {
        "name": staff.name,
        "role": staff.role,
        "telegram": mask_address(str(staff.telegram_user_id)) if staff.telegram_user_id else None,
        "email": mask_address(staff.email) if staff.email else None,
        "language": staff.language,
        "active": staff.active,
    }


def _contact_snapshot(staff: Staff) -> dict[str, Any]:
    phone = mask_address(staff.phone) if staff.phone else None
    return snapshot(staff) | {"phone": phone}


async def _check_telegram(session: AsyncSession, telegram_user_id: int | None, name: str) -> None:
    if telegram_user_id is None:
        return
    other = await staff_by_telegram(
        session, telegram_user_id=telegram_user_id, include_removed=True
    )
    if other is not None and other.name != name:
        error = StaffError(f"Telegram id {telegram_user_id} already belongs to {other.name}")
        raise keyed(error, "staff.error.telegram_taken", telegram=telegram_user_id, name=other.name)


async def add_staff(
    session: AsyncSession,
    *,
    name: str,
    role: Role,
    actor: str,
    now: dt.datetime,
    telegram_user_id: int | None = None,
    email: str | None = None,
    phone: str | None = None,
    language: str = "id",
    timezone: str | None = None,
) -> Staff:
    """Add a staff member (or bring back a removed one of that name), audited."""
    name = name.strip()
    if not name or len(name) > 120:
        raise keyed(StaffError("a name of 1-120 characters is needed"), "staff.error.name")
    if language not in LANGUAGES:
        raise StaffError(f"unsupported language {language!r} (use id or en)")
    if email is not None and "@" not in email:
        raise StaffError(f"not an email address: {email!r}")
    existing = await find_staff(session, name=name)
    if existing is not None and existing.active:
        error = StaffError(
            f"{existing.name} is already on the team ({existing.role}); "
            "`tagih staff update` changes their contact details"
        )
        raise keyed(error, "staff.error.exists", name=existing.name, role=existing.role)
    await _check_telegram(session, telegram_user_id, existing.name if existing else name)
    staff = existing or Staff(name=name, role=role, created_at=now)
    before = snapshot(existing) if existing is not None else None
    staff.role, staff.active, staff.language = role, True, language
    staff.telegram_user_id, staff.email, staff.phone = telegram_user_id, email, phone
    if timezone is not None:
        staff.timezone = timezone
    session.add(staff)
    await session.flush()
    audit(
        session,
        actor=actor,
        action="staff.add",
        entity="staff",
        entity_key=staff.name,
        before=before,
        after=snapshot(staff),
        now=now,
    )
    return staff


async def invite_staff(
    session: AsyncSession,
    *,
    name: str,
    role: Role,
    actor: str,
    now: dt.datetime,
    language: str = "id",
) -> tuple[Staff, str]:
    """A one-time deep-link token binding the staff member's Telegram chat (added if new)."""
    staff = await find_staff(session, name=name)
    if staff is None or not staff.active:
        staff = await add_staff(
            session, name=name, role=role, actor=actor, now=now, language=language
        )
    elif staff.role != role:
        # Inviting someone already on the team under another role is a slip of the
        # finger, not a role change (that is `/staff role`, audited as one).
        error = StaffError(
            f"{staff.name} is already on the team ({staff.role}); "
            f"`staff role {staff.name} {role}` changes the role"
        )
        raise keyed(error, "staff.error.other_role", name=staff.name, role=staff.role, wanted=role)
    token = await link_token_for(session, staff_id=staff.id, now=now)
    audit(
        session,
        actor=actor,
        action="staff.invite",
        entity="staff",
        entity_key=staff.name,
        before=None,
        after={"role": staff.role},
        now=now,
    )
    return staff, token


async def update_staff(
    session: AsyncSession,
    *,
    name: str,
    actor: str,
    now: dt.datetime,
    telegram_user_id: int | None = None,
    email: str | None = None,
    phone: str | None = None,
    language: str | None = None,
) -> Staff:
    """Set the contact details given (None keeps a value, "" clears it), audited; a change
    that changes nothing writes no entry."""
    staff = await _active(session, name)
    before = _contact_snapshot(staff)
    raw = (staff.telegram_user_id, staff.email, staff.phone, staff.language)
    if language is not None and language not in LANGUAGES:
        raise StaffError(f"unsupported language {language!r} (use id or en)")
    if email and "@" not in email:
        raise StaffError(f"not an email address: {email!r}")
    if telegram_user_id is not None:
        await _check_telegram(session, telegram_user_id, staff.name)
        staff.telegram_user_id = telegram_user_id
    if email is not None:
        staff.email = email.strip() or None
    if phone is not None:
        staff.phone = phone.strip() or None
    if language is not None:
        staff.language = language
    if (staff.telegram_user_id, staff.email, staff.phone, staff.language) == raw:
        return staff
    session.add(staff)
    audit(
        session,
        actor=actor,
        action="staff.update",
        entity="staff",
        entity_key=staff.name,
        before=before,
        after=_contact_snapshot(staff),
        now=now,
    )
    return staff


async def _active(session: AsyncSession, name: str) -> Staff:
    staff = await find_staff(session, name=name)
    if staff is None or not staff.active:
        error = StaffError(f"no staff member named {name!r}")
        raise keyed(error, "staff.error.unknown", name=repr(name))
    return staff


async def set_role(
    session: AsyncSession, *, name: str, role: Role, actor: str, now: dt.datetime
) -> Staff:
    """Change a staff member's role, audited (no entry when it is already that role)."""
    staff = await _active(session, name)
    if staff.role == role:
        return staff
    before = {"role": staff.role}
    staff.role = role
    session.add(staff)
    audit(
        session,
        actor=actor,
        action="staff.role",
        entity="staff",
        entity_key=staff.name,
        before=before,
        after={"role": staff.role},
        now=now,
    )
    return staff


async def remove_staff(session: AsyncSession, *, name: str, actor: str, now: dt.datetime) -> Staff:
    """Deactivate a staff member and unbind their chat, audited; their customers fall to
    every collector until reassigned."""
    staff = await _active(session, name)
    before = snapshot(staff)
    staff.active, staff.telegram_user_id = False, None
    session.add(staff)
    audit(
        session,
        actor=actor,
        action="staff.remove",
        entity="staff",
        entity_key=staff.name,
        before=before,
        after=snapshot(staff),
        now=now,
    )
    return staff
