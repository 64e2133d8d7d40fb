"""Two-step commands: ask with Confirm/Cancel buttons, apply only the asker's own press.

The buttons carry `confirm:<action>:<nonce>` / `cancel:<action>:<nonce>`; the nonce is a
one-time row in the Setting table naming who asked, so a forwarded or replayed button, a
second press, or another admin's press does nothing.
"""

from __future__ import annotations

from typing import Any

from bot.staff.commands_base import Call, StaffReply, say
from scheduler.messages import Button
from storage.queries.settings import (
    CONFIRM_TTL,
    Confirmation,
    create_confirmation,
    drop_confirmation,
    find_confirmation,
)

PRESSES = ("confirm", "cancel")
#: Why a press does nothing (catalog keys).
EXPIRED = "confirm.expired"
NOT_YOURS = "confirm.not_yours"


def parse_press(payload: str) -> tuple[str, str, str] | None:
    """`confirm:pauseall:Xy1` → ("confirm", "pauseall", "Xy1"); None for other payloads."""
    parts = payload.split(":")
    if len(parts) != 3 or parts[0] not in PRESSES or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


async def ask_confirmation(
    call: Call, action: str, data: dict[str, Any], question: str
) -> list[StaffReply]:
    """Store a nonce for `action` and ask the caller to press Confirm."""
    assert call.staff.id is not None
    nonce = await create_confirmation(
        call.session, action=action, staff_id=call.staff.id, data=data, now=call.now
    )
    minutes = int(CONFIRM_TTL.total_seconds() // 60)
    buttons = (
        Button(call.t("confirm.button"), f"confirm:{action}:{nonce}"),
        Button(call.t("confirm.cancel_button"), f"cancel:{action}:{nonce}"),
    )
    return [StaffReply(call.t("confirm.ask", question=question, minutes=minutes), buttons)]


async def pending_for(call: Call, action: str, nonce: str) -> Confirmation | str:
    """The caller's own pending confirmation, or the catalog key of why the press does
    nothing (`EXPIRED`, `NOT_YOURS`)."""
    pending = await find_confirmation(call.session, nonce=nonce, action=action, now=call.now)
    if pending is None:
        return EXPIRED
    if pending.staff_id != call.staff.id:
        return NOT_YOURS
    return pending


async def cancel(call: Call, pending: Confirmation) -> list[StaffReply]:
    """Forget a pending confirmation."""
    await drop_confirmation(call.session, nonce=pending.nonce)
    return say(call.t("confirm.cancelled"))
