"""Understanding customers' replies in Indonesian and English: intents, dates, amounts, slots.

Pure functions, no I/O and no clock: `parse_date` takes `today`. `read_amount` and
`read_date` also say whether the reading is sure (a bare number with no money context, a
span such as "minggu lalu" read as one day), so a flow can confirm it before recording.
The rules live in the `nlu_*` modules; this module is the public face the flows import.
"""

from __future__ import annotations

from bot.nlu.amounts import (
    AmountReading,
    names_no_positive_amount,
    parse_amount,
    read_amount,
    without_amount,
)
from bot.nlu.dates import DateReading, parse_date, parse_last_date, parse_paid_date, read_date
from bot.nlu.intent import Intent, classify, names_a_pay_day, retracts
from bot.nlu.short_replies import (
    adds_to,
    is_cancel,
    is_done,
    is_later,
    is_thanks,
    is_yes,
    only,
    says_already,
)
from bot.nlu.slots import (
    asks_balance,
    asks_for_account,
    asks_invoice_copy,
    needs_person,
    parse_count,
    parse_dispute_reason,
    parse_language,
    parse_method,
    wrong_number,
)

__all__ = [
    "AmountReading",
    "DateReading",
    "Intent",
    "adds_to",
    "asks_balance",
    "asks_for_account",
    "asks_invoice_copy",
    "classify",
    "is_cancel",
    "is_done",
    "is_later",
    "is_thanks",
    "is_yes",
    "names_a_pay_day",
    "names_no_positive_amount",
    "needs_person",
    "only",
    "parse_amount",
    "parse_count",
    "parse_date",
    "parse_dispute_reason",
    "parse_language",
    "parse_last_date",
    "parse_method",
    "parse_paid_date",
    "read_amount",
    "read_date",
    "retracts",
    "says_already",
    "without_amount",
    "wrong_number",
]
