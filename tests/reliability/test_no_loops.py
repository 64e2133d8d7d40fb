"""No conversation loops (issue 12, point 5): over any sequence of customer turns, realistic
or nonsense, no question is asked a third time without progress, and every dialog reaches a
record or a person within a bounded number of turns (hypothesis)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.customer import question, step
from bot.flows.types import Facts, InvoiceFact, OpenCase, Outcome, PaymentInfo, State, Turn

TODAY = dt.date(2026, 11, 23)
FACTS = Facts(
    customer_name="PT Maju",
    language="id",
    today=TODAY,
    channel="whatsapp",
    invoices=(
        InvoiceFact(1, "INV-1", Decimal(1_450_000), "IDR", dt.date(2026, 11, 10)),
        InvoiceFact(2, "INV-2", Decimal(2_000_000), "IDR", dt.date(2026, 12, 5)),
        InvoiceFact(3, "INV-U", Decimal(500), "USD", dt.date(2026, 11, 15)),
    ),
    payment=PaymentInfo(bank_accounts=("BCA 123 a.n. PT Demo",)),
    collector="Ani (+6281100001111)",
)
#: The customers the dialogs are had with: owing, not yet due, everything disputed, paid up,
#: and with no payment details configured.
CUSTOMERS = (
    FACTS,
    replace(FACTS, invoices=FACTS.invoices[1:2]),
    replace(FACTS, invoices=(), disputed=FACTS.invoices),
    replace(FACTS, invoices=()),
    replace(FACTS, payment=PaymentInfo()),
)
REPLIES = (
    *("1", "2", "3", "4", "5", "6", "7", "0", "1, 2"),
    *("halo", "ya", "ya benar", "tidak", "ubah", "lewati", "semua", "penuh", "ok"),
    *("besok", "jumat", "tgl 1/10/2026", "tanggal 30 maret 2027", "2 minggu lagi"),
    *("5jt", "1,45jt", "500rb", "100jt", "3x", "20", "INV-1", "INV-2"),
    *("sudah bayar kemarin 5jt", "saya bayar besok 2jt", "janji bayar", "cara bayar"),
    *("bisa pakai qris?", "barangnya rusak", "ada masalah", "bisa dicicil?"),
    *("saya mau bicara dengan petugas", "english please", "bahasa indonesia"),
    *("hmm entahlah", "gak tau", "???", "asdfgh", "😀", "", "kenapa ditagih terus"),
)
turns = st.one_of(
    st.sampled_from(REPLIES).map(Turn),
    st.sampled_from(("skip", "yes", "change", "full", "date:+1", "menu:handoff")).map(
        lambda payload: Turn("", payload=payload)
    ),
    st.text(max_size=40).map(Turn),
)
#: Every question of every flow may be asked twice between records: far below this.
BOUND = 40
NONSENSE = Turn("asdfgh qwerty")


def progressed(outcome: Outcome) -> bool:
    """A record was made or a person asked to take over."""
    return question(outcome) is None


@settings(max_examples=200, deadline=None)
@given(facts=st.sampled_from(CUSTOMERS), dialog=st.lists(turns, max_size=25))
def test_no_question_a_third_time_and_every_dialog_ends(facts: Facts, dialog: list[Turn]) -> None:
    state, asked, since_progress = State(), dict[str, int](), 0
    # The customer's turns, then nonsense until something is recorded or a person called.
    for number, turn in enumerate([*dialog, *[NONSENSE] * BOUND]):
        outcome = step(state, turn, facts)
        state = outcome.state
        assert outcome.replies and all(reply.text.strip() for reply in outcome.replies)
        key = question(outcome)
        if key is None:
            asked, since_progress = {}, 0
            if number >= len(dialog):
                return  # the dialog ended in a record or a handoff
            continue
        asked[key] = asked.get(key, 0) + 1
        since_progress += 1
        assert asked[key] <= 2, f"{key} asked a third time without progress"
        assert since_progress <= BOUND
    raise AssertionError("the dialog never reached a record or a person")


def test_nonsense_at_the_menu_reaches_a_person() -> None:
    state = State()
    outcomes = []
    for text in ("asdf", "qwer", "zxcv"):
        outcome = step(state, Turn(text), FACTS)
        outcomes.append(outcome)
        state = outcome.state
    assert [question(o) for o in outcomes[:2]] == ["menu:start", "menu:start"]
    [case, _alert] = outcomes[2].effects
    assert isinstance(case, OpenCase) and (case.kind, case.reason) == ("handoff", "stuck")
    assert "zxcv" in case.details
