"""`/template show|set|reset`: read and edit message templates by chat, with a preview."""

from __future__ import annotations

from decimal import Decimal

import jinja2

from bot.flows.menu import menu_lines
from bot.staff.commands_base import (
    ADMINS,
    Call,
    Command,
    CommandError,
    StaffReply,
    UsageError,
    say,
)
from i18n.render import ReminderContext, StatementLine, reminder_variables, render_template
from i18n.template_overrides import (
    COMMON_VARIABLES,
    LANGUAGES,
    SHORT_VARIABLES,
    builtin_source,
    jinja_name,
    known_variables,
    override_environment,
    split_key,
    unknown_variables,
)
from storage.models import Customer, TemplateOverride
from storage.queries.ledger import oldest_open_invoice, open_invoices
from storage.queries.templates import find_override

#: Telegram allows 4096 characters a message; the preview leaves room for the header.
PREVIEW_CHARS = 3000
SAMPLE = Decimal(1_000_000)


def _language(call: Call, text: str) -> str:
    if text.lower() not in LANGUAGES:
        choices = ", ".join(LANGUAGES)
        raise UsageError(call.t("template.bad_language", text=repr(text), languages=choices))
    return text.lower()


async def _sample_context(call: Call, language: str) -> ReminderContext:
    """A real customer's statement: the oldest open invoice leads (a made-up one if none)."""
    session = call.session
    lead = await oldest_open_invoice(session)
    if lead is None:
        return ReminderContext(
            customer_name="PT Contoh",
            customer_code="CONTOH",
            language=language,
            company_name=call.config.company_name,
            today=call.today,
            lines=(
                StatementLine(
                    "INV-CONTOH", "Contoh", call.today, call.today, SAMPLE, SAMPLE, "IDR", True
                ),
            ),
            offset_days=0,
        )
    customer = await session.get(Customer, lead.customer_id)
    assert customer is not None
    invoices = await open_invoices(session, customer_id=lead.customer_id)
    lines = tuple(
        StatementLine(
            i.number,
            i.item,
            i.issue_date,
            i.due_date,
            i.amount,
            i.balance,
            i.currency,
            i.id == lead.id,
        )
        for i in invoices
    )
    return ReminderContext(
        customer_name=customer.name,
        customer_code=customer.code,
        language=language,
        company_name=call.config.company_name,
        today=call.today,
        lines=lines,
        offset_days=(call.today - lead.due_date).days,
    )


def render_preview(env: jinja2.Environment, key: str, context: ReminderContext) -> str:
    """Render the template under `key` as the dispatcher would (macros via the text)."""
    language, variables = reminder_variables(context)
    _, part = split_key(key)
    if part == "short":
        variables.update(marked=False, menu=menu_lines(language), buttons=False, stop_hint=True)
        variables.update(chat_link=None)
    elif part == "voice":
        variables.update(marked=False)
    name = jinja_name("reminder.txt" if part == "macros" else key, language)
    return render_template(env, name, variables).strip()


async def _show(call: Call, key: str, language: str) -> list[StaffReply]:
    override = await find_override(call.session, key=key, language=language)
    body = override.body if override else builtin_source(key, language)
    origin = call.t("template.edited" if override else "template.builtin")
    names = ", ".join(sorted(known_variables(key) & (COMMON_VARIABLES | SHORT_VARIABLES)))
    return say(
        call.t("template.show", key=key, language=language, origin=origin),
        body,
        call.t("template.variables", names=names),
    )


async def _set(call: Call, key: str, language: str, body: str) -> list[StaffReply]:
    try:
        unknown = unknown_variables(key, body)
    except jinja2.TemplateSyntaxError as exc:
        raise CommandError(
            call.t("template.syntax", line=exc.lineno, message=exc.message)
        ) from None
    if unknown:
        known = ", ".join(sorted(known_variables(key) & (COMMON_VARIABLES | SHORT_VARIABLES)))
        raise CommandError(
            call.t("template.unknown", names=", ".join(sorted(unknown)), known=known)
        )
    context = await _sample_context(call, language)
    try:
        rendered = render_preview(
            override_environment({jinja_name(key, language): body}), key, context
        )
    except Exception as exc:
        # A template is an admin's code: any error in it ({{ 1/0 }}, a filter on the wrong
        # type) is theirs to fix. Saved only when it renders: a broken template would stop
        # the reminders.
        error = exc if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
        raise CommandError(call.t("template.broken", error=error)) from None
    row = await find_override(call.session, key=key, language=language)
    before = {"body": row.body} if row else None
    row = row or TemplateOverride(key=key, language=language, body=body)
    row.body, row.updated_at = body, call.now
    call.session.add(row)
    call.audit("template.set", "template", f"{key}:{language}", before, {"body": body})
    shown = rendered if len(rendered) <= PREVIEW_CHARS else rendered[:PREVIEW_CHARS] + "…"
    saved = call.t("template.saved", key=key, language=language, code=context.customer_code)
    return say(saved, "", shown)


async def _reset(call: Call, key: str, language: str) -> list[StaffReply]:
    row = await find_override(call.session, key=key, language=language)
    if row is None:
        return say(call.t("template.already_builtin", key=key, language=language))
    await call.session.delete(row)
    call.audit("template.reset", "template", f"{key}:{language}", {"body": row.body}, None)
    return say(call.t("template.reset", key=key, language=language))


async def template(call: Call) -> list[StaffReply]:
    """Route `/template SUBCOMMAND …`."""
    parts = call.rest.split(None, 3)
    sub = parts[0].lower() if parts else ""
    if len(parts) < 2:
        raise UsageError(call.t("template.usage"))
    split_key(parts[1])  # ValueError → usage, naming the known keys
    key = parts[1].lower()
    if sub == "show" and len(parts) <= 3:
        return await _show(call, key, _language(call, parts[2] if len(parts) == 3 else "id"))
    if sub == "set" and len(parts) == 4:
        return await _set(call, key, _language(call, parts[2]), parts[3].strip())
    if sub == "reset" and len(parts) == 3:
        return await _reset(call, key, _language(call, parts[2]))
    raise UsageError(call.t("template.unknown_sub", text=sub))


COMMANDS = (Command("template", ADMINS, template),)
