"""The pure calendar: policy steps, contact window, consolidation, cap, skips, catch-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from scheduler.calendar import CustomerView, InvoiceView, catch_up, plan_customer
from scheduler.policy import STANDARD, PolicySpec, Step
from scheduler.window import Window
from storage.enums import SkipReason

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
WINDOW = Window()
D = dt.date


def inv(number: str, due: dt.date, **kw: object) -> InvoiceView:
    return InvoiceView(
        id=hash(number) % 10_000, number=number, due_date=due, balance=Decimal("1000000"), **kw
    )  # type: ignore[arg-type]


def customer(
    *invoices: InvoiceView,
    zone: ZoneInfo = WIB,
    channels: set[str] | None = None,
    policy: PolicySpec = STANDARD,
    **kw: object,
) -> CustomerView:
    return CustomerView(
        id=1,
        code="C001",
        zone=zone,
        policy=policy,
        invoices=invoices,
        channels=frozenset(
            channels if channels is not None else {"email", "whatsapp", "sms", "voice"}
        ),
        **kw,
    )  # type: ignore[arg-type]


def days(contacts: list) -> list[dt.date]:  # type: ignore[type-arg]
    return [c.day for c in contacts]


def test_standard_cadence_on_open_days() -> None:
    # Due Tuesday 2026-11-10: H-3 Sat 7th, +1 Wed 11th, +3 Fri 13th, +7 Tue 17th, +14 Tue 24th.
    plan = plan_customer(
        customer(inv("A", D(2026, 11, 10))), WINDOW, D(2026, 11, 1), D(2026, 11, 30), cap=10
    )
    assert [(c.day, c.steps[0].offset) for c in plan] == [
        (D(2026, 11, 7), -3),
        (D(2026, 11, 11), 1),
        (D(2026, 11, 13), 3),
        (D(2026, 11, 17), 7),
        (D(2026, 11, 24), 14),
    ]
    # The step's channels, then the policy's fallback (WhatsApp, Telegram, SMS, email) among
    # the customer's; voice only where a step names it.
    assert plan[0].channels == ("email", "whatsapp", "sms")
    assert plan[1].channels == ("whatsapp", "email", "sms")  # chat = WhatsApp, Telegram unbound
    assert plan[4].channels == ("voice", "whatsapp", "sms", "email")
    assert plan[4].actions == ("remind", "alert_collector")


def test_sunday_and_holidays_move_to_next_open_day() -> None:
    # +1 of an invoice due Sat 2026-08-15 is Sun 16th → Mon 17th is Independence Day → Tue 18th.
    plan = plan_customer(
        customer(inv("A", D(2026, 8, 15))), WINDOW, D(2026, 8, 16), D(2026, 8, 18), cap=10
    )
    assert days(plan) == [D(2026, 8, 18)]
    # Cuti bersama counts: 2026-03-20 (joint leave) and Lebaran 21..24 close the days.
    plan = plan_customer(
        customer(inv("B", D(2026, 3, 19))), WINDOW, D(2026, 3, 20), D(2026, 3, 25), cap=10
    )
    assert days(plan) == [D(2026, 3, 25)]
    # +1 and +3 both moved to the 25th: one contact, led by the most advanced step.
    assert [hit.offset for hit in plan[0].steps] == [3]


def test_holidays_can_be_switched_off() -> None:
    window = Window(holidays=False)
    plan = plan_customer(
        customer(inv("A", D(2026, 8, 15))), window, D(2026, 8, 16), D(2026, 8, 17), cap=10
    )
    assert days(plan) == [D(2026, 8, 17)]


@pytest.mark.parametrize(("zone", "utc_hour"), [(WIB, 2), (WITA, 1), (WIT, 0)])
def test_send_time_is_local_to_the_customer(zone: ZoneInfo, utc_hour: int) -> None:
    plan = plan_customer(
        customer(inv("A", D(2026, 11, 10)), zone=zone), WINDOW, D(2026, 11, 11), D(2026, 11, 11)
    )
    assert plan[0].planned_at == dt.datetime(2026, 11, 11, utc_hour, tzinfo=dt.UTC)


def test_one_contact_per_day_lists_every_open_invoice() -> None:
    plan = plan_customer(
        customer(inv("A", D(2026, 11, 10)), inv("B", D(2026, 11, 8)), inv("C", D(2026, 12, 30))),
        WINDOW,
        D(2026, 11, 11),
        D(2026, 11, 11),
    )
    assert len(plan) == 1
    assert [(h.invoice, h.offset) for h in plan[0].steps] == [("A", 1), ("B", 3)]
    assert plan[0].invoices == ("A", "B", "C")
    # The most advanced step (+3: chat) leads; +1's email follows, then the policy fallback.
    assert plan[0].channels == ("whatsapp", "email", "sms")


def test_frequency_cap_merges_into_next_allowed_day() -> None:
    # Three invoices a day apart would mean contacts on 11, 12, 13, 16, ... within a week.
    invoices = [inv(n, D(2026, 11, 10) + dt.timedelta(days=i)) for i, n in enumerate("ABCD")]
    plan = plan_customer(customer(*invoices), WINDOW, D(2026, 11, 11), D(2026, 11, 20), cap=3)
    for contact in plan:
        week = [c for c in plan if contact.day <= c.day <= contact.day + dt.timedelta(days=6)]
        assert len(week) <= 3
    # 14th (Sat) would be a 4th contact in 8..14; the steps of 14, 16 and 17 wait for the
    # 18th, the first day that keeps the cap; each invoice keeps its most advanced step.
    assert [(c.day.day, [(h.invoice, h.offset) for h in c.steps]) for c in plan] == [
        (11, [("A", 1)]),
        (12, [("B", 1)]),
        (13, [("A", 3), ("C", 1)]),
        (18, [("A", 7), ("B", 7), ("C", 3), ("D", 3)]),
        (19, [("C", 7)]),
        (20, [("D", 7)]),
    ]


def test_history_counts_towards_the_cap() -> None:
    history = [D(2026, 11, 9), D(2026, 11, 10), D(2026, 11, 11)]
    plan = plan_customer(
        customer(inv("A", D(2026, 11, 11))),
        WINDOW,
        D(2026, 11, 12),
        D(2026, 11, 20),
        cap=3,
        history=history,
    )
    assert plan[0].day == D(2026, 11, 16)  # 12th..15th would make 4 in 7 days; 15th is Sunday


@pytest.mark.parametrize(
    ("kw", "invoice_kw", "reason"),
    [
        ({"paused_until": D(2026, 11, 30)}, {}, SkipReason.PAUSED),
        ({}, {"status": "disputed"}, SkipReason.DISPUTED),
        ({}, {"promised_until": D(2026, 11, 14)}, SkipReason.PROMISE),
        ({"channels": set()}, {}, SkipReason.NO_CONTACT),
        ({"channels": set(), "opted_out": frozenset({"whatsapp"})}, {}, SkipReason.OPTED_OUT),
        # Opted out of the step's channel but reachable by email: the fallback reaches them.
        ({"channels": {"email"}, "opted_out": frozenset({"whatsapp"})}, {}, None),
    ],
)
def test_skip_reasons(
    kw: dict[str, object], invoice_kw: dict[str, object], reason: SkipReason
) -> None:
    # +3 on the 13th is a chat-only step.
    plan = plan_customer(
        customer(inv("A", D(2026, 11, 10), **invoice_kw), **kw),
        WINDOW,
        D(2026, 11, 13),
        D(2026, 11, 13),
    )
    assert [c.skipped for c in plan] == [reason]


@pytest.mark.parametrize(
    ("have", "expected"),
    [
        # Issue 12, point 7: a phone-only customer got nothing at -3, +1, +3, +28 and +58.
        ({"sms", "voice"}, ["sms", "sms", "sms", "sms", "voice", "sms", "sms", "sms"]),
        # A WhatsApp-only one got nothing at +7 and +14 (voice is not a fallback).
        ({"whatsapp"}, ["whatsapp"] * 8),
        ({"telegram"}, ["telegram"] * 8),
    ],
)
def test_every_step_reaches_a_customer_with_any_usable_channel(
    have: set[str], expected: list[str]
) -> None:
    bound = "telegram" in have
    plan = plan_customer(
        customer(inv("A", D(2026, 8, 10)), channels=have, telegram_bound=bound),
        WINDOW,
        D(2026, 8, 1),
        D(2026, 11, 10),
        cap=10,
    )
    assert [c.steps[0].offset for c in plan] == [-3, 1, 3, 7, 14, 28, 58, 88]
    assert [c.skipped for c in plan] == [None] * 8
    assert [c.channels[0] for c in plan] == expected


def test_paid_invoices_are_not_chased() -> None:
    paid = InvoiceView(1, "A", D(2026, 11, 10), Decimal(0), "paid")
    assert plan_customer(customer(paid), WINDOW, D(2026, 11, 1), D(2026, 12, 31)) == []


def test_promise_expires_after_grace() -> None:
    plan = plan_customer(
        customer(inv("A", D(2026, 11, 10), promised_until=D(2026, 11, 12))),
        WINDOW,
        D(2026, 11, 11),
        D(2026, 11, 30),
        cap=10,
    )
    assert [(c.day, c.skipped) for c in plan] == [
        (D(2026, 11, 11), SkipReason.PROMISE),
        (D(2026, 11, 13), None),
        (D(2026, 11, 17), None),
        (D(2026, 11, 24), None),
    ]


def test_catch_up_sends_only_the_latest_missed_step() -> None:
    view = customer(inv("A", D(2026, 10, 1)))
    plan = plan_customer(view, WINDOW, D(2026, 10, 1), D(2026, 11, 25), cap=10)
    folded = catch_up(plan, D(2026, 11, 23), WINDOW, WIB)
    assert folded[0].day == D(2026, 11, 23)
    assert [h.offset for h in folded[0].steps] == [28]  # +28 on 29 Oct was the latest missed
    assert len(folded[0].superseded) == 4  # +1, +3, +7, +14 are recorded as superseded
    assert folded[0].planned_at == dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC)


def test_repeat_after_last_step() -> None:
    policy = PolicySpec(
        "short", (Step(1, ("email",)),), repeat_every=10, repeat=Step(0, ("sms",), ("remind",))
    )
    plan = plan_customer(
        customer(inv("A", D(2026, 11, 2)), policy=policy),
        WINDOW,
        D(2026, 11, 1),
        D(2026, 11, 30),
        cap=10,
    )
    assert [(c.day, c.steps[0].offset, c.channels) for c in plan] == [
        (D(2026, 11, 3), 1, ("email", "whatsapp", "sms")),
        (D(2026, 11, 13), 11, ("sms", "whatsapp", "email")),
        (D(2026, 11, 23), 21, ("sms", "whatsapp", "email")),
    ]


def test_policy_window_overrides_global() -> None:
    policy = PolicySpec(
        "weekdays",
        STANDARD.steps,
        window=Window(days=frozenset(range(5)), send_time=dt.time(10, 0)),
    )
    plan = plan_customer(
        customer(inv("A", D(2026, 11, 13)), policy=policy), WINDOW, D(2026, 11, 14), D(2026, 11, 14)
    )
    assert plan == []  # Saturday is closed for this policy
    plan = plan_customer(
        customer(inv("A", D(2026, 11, 13)), policy=policy), WINDOW, D(2026, 11, 16), D(2026, 11, 16)
    )
    assert plan[0].planned_at == dt.datetime(2026, 11, 16, 3, tzinfo=dt.UTC)


def test_window_next_opening() -> None:
    late = dt.datetime(2026, 11, 14, 21, 0, tzinfo=WIB)  # Saturday 21:00 → Monday 08:00
    assert WINDOW.next_opening(late, WIB) == dt.datetime(2026, 11, 16, 8, tzinfo=WIB)
    early = dt.datetime(2026, 11, 16, 6, 0, tzinfo=WIB)
    assert WINDOW.next_opening(early, WIB) == dt.datetime(2026, 11, 16, 8, tzinfo=WIB)
    inside = dt.datetime(2026, 11, 16, 12, 0, tzinfo=WIB)
    assert WINDOW.next_opening(inside, WIB) == inside
