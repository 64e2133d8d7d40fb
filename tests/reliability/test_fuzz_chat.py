"""Any chat text a customer can type: the flows never crash, never evaluate it, and every
conversation keeps answering (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.customer import step
from bot.flows.types import Facts, InvoiceFact, PaymentInfo, State, Turn

TODAY = dt.date(2026, 11, 23)
FACTS = Facts(
    customer_name="PT Maju",
    language="id",
    today=TODAY,
    channel="telegram",
    invoices=(
        InvoiceFact(1, "INV-1", Decimal(5_000_000), "IDR", dt.date(2026, 11, 10)),
        InvoiceFact(2, "INV-2", Decimal(1_000_000), "IDR", dt.date(2026, 11, 20)),
    ),
    payment=PaymentInfo(bank_accounts=("BCA 123 a.n. PT Demo",), virtual_account="8808123"),
)
#: What a hostile or playful customer types: template syntax, markup, control characters.
NASTY = (
    "{customer_name}",
    "{0.__class__}",
    "{{7*7}}",
    "${7*7}",
    "%s%s%s",
    "<b>bold</b>",
    "*bold* _it_ [link](http://evil.example)",
    "\u202egnp.exe",  # right-to-left override
    "\x00\x01\x1b[31m",
    "😀" * 50,
    "bayar besok 5jt",
    "1",
    "STOP",
)
texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(NASTY), min_size=1, max_size=4).map(" ".join),
    st.text(min_size=4000, max_size=5000),  # longer than one Telegram message
)


@settings(max_examples=150, deadline=None)
@given(turns=st.lists(texts, min_size=1, max_size=5))
def test_any_text_gets_an_answer_and_is_never_evaluated(turns: list[str]) -> None:
    state = State()
    for text in turns:
        outcome = step(state, Turn(text), FACTS)
        state = outcome.state
        for reply in outcome.replies:
            assert isinstance(reply.text, str) and reply.text.strip()
            # A placeholder or expression typed by the customer is never expanded.
            assert "49" not in reply.text or "49" in text
            assert "<class" not in reply.text
            assert "\x00" not in reply.text
