"""Understanding customers' replies in Indonesian and English: intents, dates, amounts, slots.

Pure functions, no I/O and no clock: `parse_date` takes `today`. The rules live in the
`nlu_*` modules; this module is the public face the conversation flows import.
"""

from __future__ import annotations

from bot.flows.nlu_amounts import parse_amount
from bot.flows.nlu_dates import parse_date
from bot.flows.nlu_intent import Intent, classify
from bot.flows.nlu_slots import parse_count, parse_dispute_reason, parse_language, parse_method

__all__ = [
    "Intent",
    "classify",
    "parse_amount",
    "parse_count",
    "parse_date",
    "parse_dispute_reason",
    "parse_language",
    "parse_method",
]
