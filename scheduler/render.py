"""Turn a re-checked follow-up into the text of a reminder statement."""

from __future__ import annotations

from bot.i18n.render import ReminderContext, StatementLine, render_reminder
from scheduler.dispatcher import Rendered
from scheduler.recheck import SendPlan


class ReminderRenderer:
    """Renders reminders for the dispatcher with the company's name."""

    def __init__(self, *, company_name: str, default_language: str) -> None:
        """Remember the company name and the fallback language."""
        self.company_name = company_name
        self.default_language = default_language

    def __call__(self, plan: SendPlan, channel: str) -> Rendered:
        """Render the statement of every open invoice, marking those that triggered it."""
        customer = plan.customer
        language = customer.language or self.default_language
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
        context = ReminderContext(
            customer_name=customer.name,
            customer_code=customer.code,
            language=language,
            # The statement is dated on the follow-up's own local day, not the wall clock.
            company_name=self.company_name,
            today=plan.followup.local_date,
            lines=lines,
            offset_days=plan.lead_offset,
            template=plan.followup.template,
        )
        message = render_reminder(context)
        return Rendered(
            subject=message.subject,
            text=message.text,
            html=message.html,
            language=language,
            template=plan.followup.template,
        )
