"""Mask personal data (email addresses, phone numbers, chat ids) before it reaches a log."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_address(value: str) -> str:
    """Keep just enough to tell addresses apart: `b***@example.co.id`, `+62***789`."""
    value = value.strip()
    if "@" in value:
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if len(value) > 6:
        # Country code and last digits identify a number to the operator, not to a reader.
        return f"{value[:3]}***{value[-3:]}"
    return f"{value[:1]}***" if value else ""


def mask_emails(text: str) -> str:
    """Mask every email address inside free text, such as a server's error reply."""
    return _EMAIL.sub(lambda match: mask_address(match.group(0)), text)
