"""The demo's customers: generated like the examples, each given one way of behaving."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any

#: The example generator (examples/generate.py): the demo's data is made the same way.
GENERATOR = Path(__file__).resolve().parents[2] / "examples" / "generate.py"


class Behaviour(StrEnum):
    """How one simulated customer answers reminders."""

    EARLY = "pays before the due date"
    AFTER_FIRST = "pays after the first reminder"
    AFTER_SECOND = "pays after the second reminder"
    PROMISE_KEEP = "promises and keeps"
    PROMISE_BREAK = "promises and breaks"
    DISPUTE = "disputes an invoice"
    INSTALMENT = "asks for instalments"
    OPT_OUT = "opts out of WhatsApp"
    UNREACHABLE = "has no usable contact"
    CLAIM = "says it already paid"
    EMAIL = "answers by email"
    SILENT = "stays silent"


#: Handed out first, one each, so a small demo still shows every behaviour.
EVERY = (
    Behaviour.PROMISE_KEEP,
    Behaviour.PROMISE_BREAK,
    Behaviour.DISPUTE,
    Behaviour.INSTALMENT,
    Behaviour.OPT_OUT,
    Behaviour.UNREACHABLE,
    Behaviour.CLAIM,
    Behaviour.EMAIL,
    Behaviour.AFTER_FIRST,
    Behaviour.AFTER_SECOND,
    Behaviour.EARLY,
    Behaviour.SILENT,
)
#: The mix for the rest, roughly as a B2B ledger behaves: most pay, some need chasing.
WEIGHTS = {
    Behaviour.EARLY: 4,
    Behaviour.AFTER_FIRST: 5,
    Behaviour.AFTER_SECOND: 4,
    Behaviour.PROMISE_KEEP: 3,
    Behaviour.PROMISE_BREAK: 2,
    Behaviour.DISPUTE: 1,
    Behaviour.INSTALMENT: 1,
    Behaviour.OPT_OUT: 1,
    Behaviour.UNREACHABLE: 1,
    Behaviour.CLAIM: 1,
    Behaviour.EMAIL: 2,
    Behaviour.SILENT: 3,
}


@dataclass
class Actor:
    """One simulated customer: who, how it behaves, and what it has done so far."""

    code: str
    behaviour: Behaviour
    #: The hour (business time) it reads its messages and acts, each day.
    hour: int
    #: Days it waits after the reminder that moves it.
    delay: int
    #: Dates it will pay on, once decided (a promise kept, a payment planned).
    pay_on: dt.date | None = None
    #: Whether it has had its say (promise, dispute, request, opt-out, claim).
    spoke: bool = False
    #: Reminders it had had when it last paid: the next payment waits for new ones.
    base: int = 0
    #: What it answered and what came back, for the report.
    turns: list[tuple[str, str]] = field(default_factory=list)


def generator() -> ModuleType:
    """examples/generate.py, loaded from the source tree."""
    spec = importlib.util.spec_from_file_location("tagih_examples_generate", GENERATOR)
    if spec is None or spec.loader is None or not GENERATOR.exists():
        raise RuntimeError(f"the example generator is missing: {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up while being built.
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return sys.modules[spec.name]


def write_data(folder: Path, *, seed: int, customers: int, today: dt.date) -> None:
    """Write customers.csv, invoices.csv and payments.csv for the demo into `folder`."""
    gen: Any = generator()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    people = gen.customers(rng, customers)
    # Three invoices a customer on average, due over the last four months and the next one.
    items = gen.invoices(rng, people, customers * 3, today)
    by_code = {c["code"]: c for c in people}
    gen.write(folder / "customers.csv", people)
    gen.write(folder / "invoices.csv", gen.invoice_rows(rng, items, by_code))
    gen.write(folder / "payments.csv", gen.payments(rng, items, customers, today))


def cast(codes: list[str], *, seed: int) -> dict[str, Actor]:
    """Give each customer code a behaviour: every behaviour once first, then a weighted mix."""
    rng = random.Random(f"tagih-demo-behaviour-{seed}")
    order = list(codes)
    rng.shuffle(order)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    actors = {}
    for index, code in enumerate(order):
        behaviour = EVERY[index] if index < len(EVERY) else rng.choices(kinds, weights)[0]
        actors[code] = Actor(code, behaviour, hour=rng.randint(9, 16), delay=rng.randint(0, 2))
    return actors
