"""Turn a re-checked follow-up into the reminder each channel sends."""

from __future__ import annotations

import jinja2

from bot.flows.menu import menu_buttons, menu_lines
from i18n.format import fit, format_money
from i18n.render import (
    ReminderContext,
    StatementLine,
    render_reminder,
    render_short,
    render_voice,
    totals_by_currency,
)
from scheduler.channel import Capabilities
from scheduler.dispatcher import Rendered
from scheduler.recheck import SendPlan


class ReminderRenderer:
    """Renders reminders for the dispatcher: a statement by email, short text in chat."""

    def __init__(
        self, *, company_name: str, default_language: str, env: jinja2.Environment | None = None
    ) -> None:
        """Remember the company name, the fallback language and any edited templates."""
        self.company_name = company_name
        self.default_language = default_language
        if env is not None:
            # Built for this renderer from the overrides of the moment: nothing it loads
            # changes while it lives, so the package's files need no stat on every render.
            env.auto_reload = False
        self.env = env

    def context(self, plan: SendPlan) -> ReminderContext:
        """The template context: every open invoice, the triggering ones marked."""
        customer = plan.customer
        lines = tuple(
            StatementLine(
                number=inv.number,
                item=inv.item,
                issue_date=inv.issue_date,
                due_date=inv.due_date,
                amount=inv.amount,
                balance=inv.balance,
                currency=inv.currency,
                triggered=inv.id in plan.triggered,
            )
            for inv in plan.open_invoices
        )
        return ReminderContext(
            customer_name=customer.name,
            customer_code=customer.code,
            language=customer.language or self.default_language,
            company_name=self.company_name,
            # The statement is dated on the follow-up's own local day, not the wall clock.
            today=plan.followup.local_date,
            lines=lines,
            offset_days=plan.lead_offset,
            template=plan.followup.template,
        )

    def __call__(self, plan: SendPlan, carries: Capabilities, chat_link: str | None) -> Rendered:
        """Render for a channel that `carries` so much; `chat_link` invites the customer to
        Telegram when given (on channels without buttons)."""
        context = self.context(plan)
        language, template = context.language, context.template
        if carries.html:  # the full statement, as a letter
            message = render_reminder(context, env=self.env)
            return Rendered(message.subject, message.text, message.html, language, template)
        if carries.spoken:  # one paragraph read aloud; the keypad menu comes with the call
            return Rendered("", render_voice(context, env=self.env), None, language, template)
        if carries.buttons:
            text = self.fitted(render_short(context, buttons=True, env=self.env), carries)
            return Rendered("", text, None, language, template, buttons=menu_buttons(language))
        text = render_short(
            context, menu=menu_lines(language), chat_link=chat_link, stop_hint=True, env=self.env
        )
        return Rendered(
            "",
            self.fitted(text, carries),
            None,
            language,
            template,
            variables=self.template_variables(context),
        )

    @staticmethod
    def fitted(text: str, carries: Capabilities) -> str:
        """The text cut to the channel's length limit (a long statement is cut, not refused)."""
        return text if carries.max_length is None else fit(text, carries.max_length)

    @staticmethod
    def template_variables(context: ReminderContext) -> tuple[tuple[str, str], ...]:
        """Variables of the approved WhatsApp template: {{1}} name, {{2}} total, {{3}} count."""
        total = ", ".join(
            format_money(amount, currency, context.language)
            for currency, amount in totals_by_currency(context.lines)
        )
        return (("1", context.customer_name), ("2", total), ("3", str(len(context.lines))))
