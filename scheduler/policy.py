"""Policies as plain values: steps by offset from the due date, and the repeat after them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from scheduler.window import Window
from storage.enums import Action, ChannelKind


@dataclass(frozen=True, slots=True)
class Step:
    """What happens `offset` days after the due date (negative = before it)."""

    offset: int
    channels: tuple[str, ...]
    actions: tuple[str, ...] = (Action.REMIND,)
    template: str = "reminder"


#: Where a step goes when the customer has none of its channels, in this order. Voice is
#: left out: a call interrupts, so it happens only where a step names it.
DEFAULT_FALLBACK = (
    ChannelKind.WHATSAPP,
    ChannelKind.TELEGRAM,
    ChannelKind.SMS,
    ChannelKind.EMAIL,
)


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """A follow-up cadence; `repeat` runs every `repeat_every` days after the last step.

    A step's channels come first, in its order; then `fallback`'s, so a customer lacking
    the step's channels is still reached on any other they have.
    """

    name: str
    steps: tuple[Step, ...]
    repeat_every: int | None = None
    repeat: Step | None = None
    window: Window | None = None
    fallback: tuple[str, ...] = DEFAULT_FALLBACK
    # The calendar's caches are keyed by the policy: hashing every step at each lookup
    # cost more than the lookup saved, so the hash is computed once.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Keep steps sorted and offsets unique."""
        offsets = [step.offset for step in self.steps]
        if len(set(offsets)) != len(offsets):
            raise ValueError(f"policy {self.name!r} has duplicate offsets")
        if self.repeat_every is not None and self.repeat_every < 1:
            raise ValueError(f"policy {self.name!r}: repeat interval must be at least 1 day")
        object.__setattr__(self, "steps", tuple(sorted(self.steps, key=lambda s: s.offset)))
        fields = (self.name, self.steps, self.repeat_every, self.repeat, self.window, self.fallback)
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        """The hash of the fields, computed once."""
        return self._hash

    def step_at(self, offset: int) -> Step | None:
        """The step that falls `offset` days after the due date, if any."""
        for step in self.steps:
            if step.offset == offset:
                return step
        if self.repeat_every and self.repeat and self.steps:
            last = self.steps[-1].offset
            if offset > last and (offset - last) % self.repeat_every == 0:
                return Step(offset, self.repeat.channels, self.repeat.actions, self.repeat.template)
        return None

    def dates(self, due: dt.date, first: dt.date, last: dt.date) -> Iterator[tuple[dt.date, Step]]:
        """Every (raw date, step) of an invoice due on `due` with the date in [first, last]."""
        for step in self.steps:
            day = due + dt.timedelta(days=step.offset)
            if first <= day <= last:
                yield day, step
        if not (self.repeat_every and self.repeat and self.steps):
            return
        last_offset = self.steps[-1].offset
        lowest = max(last_offset + self.repeat_every, (first - due).days)
        k = max(1, -(-(lowest - last_offset) // self.repeat_every))
        while True:
            offset = last_offset + k * self.repeat_every
            day = due + dt.timedelta(days=offset)
            if day > last:
                return
            if day >= first:
                yield (
                    day,
                    Step(offset, self.repeat.channels, self.repeat.actions, self.repeat.template),
                )
            k += 1


_CHAT, _EMAIL, _SMS, _VOICE = (
    ChannelKind.CHAT,
    ChannelKind.EMAIL,
    ChannelKind.SMS,
    ChannelKind.VOICE,
)
_REMIND, _COLL, _SALES = Action.REMIND, Action.ALERT_COLLECTOR, Action.ALERT_SALES

#: Tagih's built-in cadence (DESIGN.md): H-3, then 1, 3, 7, 14, 28, 58 days late, then monthly.
STANDARD = PolicySpec(
    name="standard",
    steps=(
        Step(-3, (_EMAIL,)),
        Step(1, (_CHAT, _EMAIL)),
        Step(3, (_CHAT,)),
        Step(7, (_SMS, _EMAIL)),
        Step(14, (_VOICE,), (_REMIND, _COLL)),
        Step(28, (_CHAT, _EMAIL), (_REMIND, _SALES)),
        Step(58, (_CHAT, _EMAIL), (_REMIND, Action.CREDIT_HOLD, _COLL, _SALES)),
    ),
    repeat_every=30,
    repeat=Step(0, (_CHAT, _EMAIL), (_REMIND, _COLL)),
)
