"""Turn a re-checked follow-up into the reminder each channel sends, in this process or,
for a large batch, in a child process while the dispatcher reads and writes the next one."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import struct
import sys
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import jinja2

from bot.flows.menu import menu_buttons, menu_lines
from i18n.format import fit, format_money
from i18n.render import (
    ReminderContext,
    StatementLine,
    environment,
    render_reminder,
    render_short,
    render_voice,
    totals_by_currency,
)
from i18n.template_overrides import override_environment
from scheduler.channel import Capabilities
from scheduler.messages import Rendered

# Only the types: the child process imports this module, and the dispatcher's and the
# re-check's imports (SQLAlchemy, the tables) would triple its start-up.
if TYPE_CHECKING:
    from scheduler.dispatcher import RenderJob
    from scheduler.recheck import SendPlan

log = logging.getLogger(__name__)

#: Below this many messages a batch is rendered in this process: sending work to the child
#: and back costs more than it saves.
CHILD_MIN_JOBS = 32


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
        return self.rendered(self.context(plan), carries, chat_link)

    def rendered(
        self, context: ReminderContext, carries: Capabilities, chat_link: str | None
    ) -> Rendered:
        """Render `context` (see `__call__`): the part that needs no database object."""
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


@dataclass(frozen=True, slots=True)
class RendererSpec:
    """What builds a `ReminderRenderer`: small and plain, so a child process can build the
    same one (the admins' edited templates as text, not as a compiled environment)."""

    company_name: str
    default_language: str
    overrides: tuple[tuple[str, str], ...] = ()

    def build(self) -> ReminderRenderer:
        """The renderer this spec describes."""
        overrides = dict(self.overrides)
        return ReminderRenderer(
            company_name=self.company_name,
            default_language=self.default_language,
            env=override_environment(overrides) if overrides else None,
        )


@lru_cache(maxsize=4)  # in the child: one renderer per spec, its templates compiled once
def _child_renderer(spec: RendererSpec) -> ReminderRenderer:
    return spec.build()


#: A frame between this process and the child: a 4-byte length, then a pickle.
_HEADER = struct.Struct(">I")
#: What the child renders: the renderer's spec and (context, carries, chat link) per message.
ChildJobs = list[tuple[ReminderContext, Capabilities, str | None]]


def _render_in_child(spec: RendererSpec, jobs: ChildJobs) -> list[Rendered]:
    """Render every job with the spec's renderer (in the child process)."""
    renderer = _child_renderer(spec)
    return [renderer.rendered(*job) for job in jobs]


def _warm_child() -> None:
    """Load the templates before any batch waits on them (in the child process)."""
    for part in ("subject", "txt", "html", "short", "voice"):
        for language in ("id", "en"):
            environment().get_template(f"reminder.{language}.{part}.j2")


def _serve_child() -> None:
    """The child's loop (`python -m bot.reminders`): a request frame in, a reply frame out,
    until the parent closes the pipe. A request of None warms the child up; a render error
    goes back as the reply, for the parent to raise."""
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # nothing printed by accident may break a frame
    while head := requests.read(_HEADER.size):
        request = pickle.loads(requests.read(_HEADER.unpack(head)[0]))
        reply: object = None
        try:
            if request is None:
                _warm_child()
            else:
                reply = _render_in_child(*request)
        except Exception as exc:  # the parent raises it where it rendered
            reply = exc
        try:
            data = pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)
        except Exception:  # an error that cannot travel: its text can
            data = pickle.dumps(RuntimeError(repr(reply)), pickle.HIGHEST_PROTOCOL)
        replies.write(_HEADER.pack(len(data)) + data)
        replies.flush()


class RenderProcess:
    """A child process that renders reminders, started on the first large batch and kept
    until closed.

    Rendering is about half of a dispatch tick's CPU and needs nothing from the database:
    in a child it runs on a second core while the dispatcher re-checks the next batch and
    records the last one. The child is a fresh interpreter (`python -m bot.reminders`)
    talking pickled frames over its stdin and stdout, not a fork: a fork copies the locks
    other threads (the database driver's) hold at that moment, and can hang on one; nor
    multiprocessing's spawn, which runs the parent's main script again. Until the child
    has started, and for good once it fails, batches are rendered in this process.
    """

    def __init__(self) -> None:
        """Nothing starts until the first large batch."""
        self._child: asyncio.subprocess.Process | None = None
        self._starting: asyncio.Task[None] | None = None
        self._turn = asyncio.Lock()  # one request and its reply at a time
        self.broken = False
        #: Messages the child has rendered (the rest were rendered in this process).
        self.rendered = 0

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        child = self._child
        return child.pid if child is not None and child.returncode is None else None

    async def warm(self) -> bool:
        """Start the child and wait until it has loaded: True, or False when it failed."""
        self.start()
        if self._starting is None:
            return False
        with suppress(Exception):
            await asyncio.shield(self._starting)
        return not self.broken and self._starting.exception() is None

    def kill(self) -> None:
        """Kill the child at once (its next batch is rendered in this process)."""
        if self.pid is not None:
            assert self._child is not None
            self._child.kill()

    def start(self) -> None:
        """Start the child in the background; this process goes on meanwhile."""
        if self._starting is None and not self.broken:
            self._starting = asyncio.ensure_future(self._start())

    async def _start(self) -> None:
        self._child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.reminders",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        await self._ask(None)

    async def _ask(self, request: object) -> object:
        """Send one frame, read the reply's (raising the child's render error)."""
        child = self._child
        assert child is not None and child.stdin is not None and child.stdout is not None
        data = pickle.dumps(request, pickle.HIGHEST_PROTOCOL)
        async with self._turn:
            child.stdin.write(_HEADER.pack(len(data)) + data)
            await child.stdin.drain()
            size = _HEADER.unpack(await child.stdout.readexactly(_HEADER.size))[0]
            reply = pickle.loads(await child.stdout.readexactly(size))
        if isinstance(reply, Exception):
            raise reply
        return reply

    async def render(self, spec: RendererSpec, jobs: ChildJobs) -> list[Rendered] | None:
        """The jobs rendered in the child; None when it is not ready (render them here)."""
        self.start()
        starting = self._starting
        if self.broken or starting is None or not starting.done():
            return None  # still loading: this batch is rendered here
        if starting.cancelled() or starting.exception() is not None:
            self._failed(None if starting.cancelled() else starting.exception())
            return None
        try:
            rendered = await self._ask((spec, jobs))
        except (OSError, EOFError, asyncio.IncompleteReadError, pickle.UnpicklingError) as exc:
            self._failed(exc)
            return None
        except asyncio.CancelledError:
            # A reply half read would be taken for the next one's: start afresh.
            await self.close()
            self._starting = None
            raise
        assert isinstance(rendered, list)
        self.rendered += len(rendered)
        return rendered

    def _failed(self, error: BaseException | None) -> None:
        log.warning("render process failed (%r): rendering in this process from now on", error)
        self.broken = True
        if self._child is not None and self._child.returncode is None:
            self._child.kill()

    async def close(self) -> None:
        """Stop the child: end of input, then a kill if it does not leave at once."""
        if self._starting is not None:
            self._starting.cancel()
            with suppress(BaseException):  # a failed start was logged when it was seen
                await self._starting
        child, self._child = self._child, None
        if child is None or child.returncode is not None:
            return
        assert child.stdin is not None
        child.stdin.close()
        try:
            await asyncio.wait_for(child.wait(), timeout=5)
        except TimeoutError:
            child.kill()
            await child.wait()


class BatchRenderer:
    """The dispatcher's renderer: a batch at a time, in the child when it is worth it."""

    def __init__(self, spec: RendererSpec, child: RenderProcess | None = None) -> None:
        """Render as `spec` says; in `child` for large batches when given."""
        self.spec = spec
        self.renderer = spec.build()
        self.child = child

    def one(self, plan: SendPlan, carries: Capabilities, chat_link: str | None) -> Rendered:
        """One message, here."""
        return self.renderer(plan, carries, chat_link)

    async def __call__(self, jobs: Sequence[RenderJob]) -> list[Rendered]:
        """Every job's message, in order."""
        if self.child is None or len(jobs) < CHILD_MIN_JOBS:
            return [self.renderer(*job) for job in jobs]
        plain = [(self.renderer.context(plan), carries, link) for plan, carries, link in jobs]
        rendered = await self.child.render(self.spec, plain)
        if rendered is None:
            return [self.renderer.rendered(*job) for job in plain]
        return rendered


if __name__ == "__main__":
    _serve_child()
