"""Customer-facing language: Babel formatting and the jinja2 reminder templates."""

from __future__ import annotations

from i18n.format import format_date, format_money, locale_for, normalize_language
from i18n.render import ReminderContext, RenderedMessage, StatementLine, render_reminder

__all__ = [
    "ReminderContext",
    "RenderedMessage",
    "StatementLine",
    "format_date",
    "format_money",
    "locale_for",
    "normalize_language",
    "render_reminder",
]
