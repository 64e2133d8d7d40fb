"""Roles and what each may do: admins and collectors work alerts, salespeople only read."""

from __future__ import annotations

from i18n.staff_texts import keyed
from storage.enums import Role
from storage.models import Staff
from storage.queries.staff import can_collect

__all__ = ["ALERT_ACTIONS", "READ_ONLY_ACTIONS", "Role", "may_press", "parse_role"]

#: The buttons under an alert, by the action in their payload (`alert:<action>:<arg>`).
ALERT_ACTIONS = ("handled", "pause7", "paid", "log")
#: Alert actions that change nothing, open to every role.
READ_ONLY_ACTIONS = frozenset({"log"})


def parse_role(text: str) -> Role:
    """`Collector`, ` sales ` → the Role; ValueError naming the known roles otherwise."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        error = ValueError(f"unknown role {text!r} (use {known})")
        raise keyed(error, "parse.role", text=repr(text), known=known) from None


def may_press(staff: Staff, action: str) -> bool:
    """Whether this staff member may use an alert button: sales may only read the log."""
    if not staff.active:
        return False
    return can_collect(staff) or action in READ_ONLY_ACTIONS
